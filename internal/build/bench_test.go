package build_test

// Benchmarks of a full build against its floor.
//
// BenchmarkFloor is the least any build of the corpus can cost: goldmark
// with the same extensions (GFM, footnotes, automatic heading IDs) and a
// chroma highlighter for fenced code, converting every article body in
// memory, one worker per GOMAXPROCS, output discarded. BenchmarkBuild is
// build.New + Build + Write of the same corpus into a temporary folder,
// as `livedocs build` does it minus config loading and the search index.
//
// Both take their corpus from internal/corpus (seed 1), written to a
// temporary folder; LIVEDOCS_BENCH_ARTICLES sets its size (default 1000).
// Each reports the median of its iterations as ms-median and articles/s:
//
//	LIVEDOCS_BENCH_ARTICLES=10000 go test -run '^$' -bench . -benchtime 3x ./internal/build

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	ghtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"

	"livedocs/internal/build"
	"livedocs/internal/config"
	"livedocs/internal/corpus"
)

// benchCorpus writes the benchmark corpus into a temporary folder.
func benchCorpus(b *testing.B) (dir string, n int) {
	b.Helper()
	n = 1000
	if v := os.Getenv("LIVEDOCS_BENCH_ARTICLES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("LIVEDOCS_BENCH_ARTICLES=%q: want a positive number", v)
		}
	}
	dir = b.TempDir()
	if _, err := corpus.Write(dir, corpus.Options{Articles: n, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	return dir, n
}

// timeEach runs f b.N times and reports the median run: wall time
// (ms-median, articles/s) and the process's user+system CPU time
// (cpu-ms-median), which a busy shared machine disturbs less.
func timeEach(b *testing.B, articles int, f func() error) {
	b.Helper()
	wall := make([]time.Duration, 0, b.N)
	cpu := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start, cpu0 := time.Now(), cpuTime(b)
		if err := f(); err != nil {
			b.Fatal(err)
		}
		wall = append(wall, time.Since(start))
		cpu = append(cpu, cpuTime(b)-cpu0)
	}
	b.StopTimer()
	med := median(wall)
	b.ReportMetric(float64(med.Microseconds())/1000, "ms-median")
	b.ReportMetric(float64(median(cpu).Microseconds())/1000, "cpu-ms-median")
	b.ReportMetric(float64(articles)/med.Seconds(), "articles/s")
}

func median(ds []time.Duration) time.Duration {
	ds = slices.Clone(ds)
	slices.Sort(ds)
	m := ds[len(ds)/2]
	if len(ds)%2 == 0 {
		m = (ds[len(ds)/2-1] + m) / 2
	}
	return m
}

// cpuTime returns the user+system CPU time of this process so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkFloor(b *testing.B) {
	dir, n := benchCorpus(b)
	var docs [][]byte
	err := fs.WalkDir(os.DirFS(dir), "content", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".md") || path0(p) == "_index.md" {
			return err
		}
		src, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		docs = append(docs, corpus.Body(src))
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	if len(docs) != n {
		b.Fatalf("read %d articles, want %d", len(docs), n)
	}
	md := floorMarkdown()
	var out atomic.Int64
	timeEach(b, n, func() error {
		out.Store(0)
		return convertAll(md, docs, &out)
	})
	if out.Load() == 0 {
		b.Fatal("floor rendered nothing")
	}
}

func path0(p string) string { return p[strings.LastIndexByte(p, '/')+1:] }

func BenchmarkBuild(b *testing.B) {
	dir, n := benchCorpus(b)
	cfg, err := config.Load(filepath.Join(dir, "config.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(b.TempDir(), "public")
	timeEach(b, n, func() error {
		bl, err := build.New(build.Options{Root: dir, Config: cfg})
		if err != nil {
			return err
		}
		res, err := bl.Build()
		if err != nil {
			return err
		}
		if len(res.Warnings) > 0 {
			return fmt.Errorf("build warned: %v", res.Warnings)
		}
		if got := len(res.Site.Articles); got != n {
			return fmt.Errorf("built %d articles, want %d", got, n)
		}
		return build.Write(out, res.Files)
	})
}

// convertAll converts every doc with one worker per GOMAXPROCS, adding the
// bytes written to out.
func convertAll(md goldmark.Markdown, docs [][]byte, out *atomic.Int64) error {
	var next atomic.Int64
	workers := runtime.GOMAXPROCS(0)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			for {
				i := int(next.Add(1)) - 1
				if i >= len(docs) {
					return
				}
				buf.Reset()
				if err := md.Convert(docs[i], &buf); err != nil {
					errs[w] = err
					return
				}
				out.Add(int64(buf.Len()))
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// floorMarkdown is goldmark with the extensions livedocs uses and chroma
// for fenced code, nothing more.
func floorMarkdown() goldmark.Markdown {
	hl := &floorCode{
		lexers:    map[string]chroma.Lexer{},
		formatter: chromahtml.New(chromahtml.WithClasses(true), chromahtml.PreventSurroundingPre(true)),
	}
	for _, l := range []string{"go", "python", "bash", "powershell", "json", "yaml", "javascript", "sql"} {
		hl.lexers[l] = chroma.Coalesce(lexers.Get(l))
	}
	md := goldmark.New(
		goldmark.WithExtensions(extension.GFM, extension.Footnote),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
		goldmark.WithRendererOptions(ghtml.WithUnsafe()),
	)
	md.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(hl, 100)))
	return md
}

// floorCode renders fenced code with chroma, CSS classes and no <pre> of
// chroma's own. The lexer map is read-only once built.
type floorCode struct {
	lexers    map[string]chroma.Lexer
	formatter *chromahtml.Formatter
}

func (c *floorCode) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindFencedCodeBlock, c.code)
}

func (c *floorCode) code(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	n := node.(*ast.FencedCodeBlock)
	var code strings.Builder
	for i := 0; i < n.Lines().Len(); i++ {
		s := n.Lines().At(i)
		code.Write(s.Value(src))
	}
	w.WriteString(`<pre class="chroma"><code>`)
	lx := c.lexers[string(n.Language(src))]
	if lx == nil {
		w.WriteString(html.EscapeString(code.String()))
	} else {
		it, err := lx.Tokenise(nil, code.String())
		if err != nil {
			return ast.WalkStop, err
		}
		if err := c.formatter.Format(w, styles.Fallback, it); err != nil {
			return ast.WalkStop, err
		}
	}
	w.WriteString("</code></pre>\n")
	return ast.WalkSkipChildren, nil
}

// The tests below cover what Write does to keep the benchmark's write
// phase cheap: it reuses the previous output as its staging folder.

// readTree returns every regular file under dir by slash path.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !d.Type().IsRegular() {
			t.Errorf("%s in %s is not a regular file", p, dir)
			return nil
		}
		b, err := os.ReadFile(filepath.Join(dir, p))
		got["/"+p] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestWriteReusesPreviousOutput(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "public")
	v1 := map[string][]byte{
		"/index.html":        []byte("home, first version, rather long"),
		"/a/b/index.html":    []byte("b"),
		"/gone/x/index.html": []byte("x"),
		"/f":                 []byte("a file that becomes a folder"),
		"/d/inner.html":      []byte("a folder that becomes a file"),
	}
	v2 := map[string][]byte{
		"/index.html":     []byte("home v2"),
		"/a/b/index.html": []byte("b2"),
		"/new/n.html":     []byte("n"),
		"/f/child.html":   []byte("child"),
		"/d":              []byte("now a file"),
	}
	v3 := map[string][]byte{"/index.html": []byte("home v3"), "/a/b/index.html": []byte("b3")}
	ino := func(p string) uint64 {
		fi, err := os.Stat(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		return fi.Sys().(*syscall.Stat_t).Ino
	}
	for i, files := range []map[string][]byte{v1, v2, v1, v2, v3} {
		if err := build.Write(dir, files); err != nil {
			t.Fatalf("write %d: %v", i+1, err)
		}
		want := map[string]string{}
		for p, b := range files {
			want[p] = string(b)
		}
		if got := readTree(t, dir); !maps.Equal(got, want) {
			t.Fatalf("after write %d the output is\n%v\nwant\n%v", i+1, got, want)
		}
	}
	first := ino("index.html")
	if err := build.Write(dir, v3); err != nil {
		t.Fatal(err)
	}
	if err := build.Write(dir, v3); err != nil {
		t.Fatal(err)
	}
	if ino("index.html") != first {
		t.Error("the third write of the same files did not reuse the first one's file")
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".public.tmp-*"))
	if len(left) != 0 {
		t.Errorf("staging folders left behind: %v", left)
	}
	if got := readTree(t, filepath.Join(filepath.Dir(dir), ".public.prev")); !maps.Equal(got, map[string]string{"/index.html": "home v3", "/a/b/index.html": "b3"}) {
		t.Errorf("previous output kept for reuse = %v", got)
	}
}

func TestWriteDoesNotFollowLinksInPreviousOutput(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "public")
	outside := filepath.Join(root, "outside.txt")
	if err := os.WriteFile(outside, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	prev := filepath.Join(root, ".public.prev")
	if err := os.Mkdir(prev, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(prev, "index.html")); err != nil {
		t.Fatal(err)
	}
	if err := build.Write(dir, map[string][]byte{"/index.html": []byte("page")}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(outside); string(b) != "keep me" {
		t.Errorf("write went through a symlink: outside file now %q", b)
	}
	if got := readTree(t, dir); !maps.Equal(got, map[string]string{"/index.html": "page"}) {
		t.Errorf("output = %v", got)
	}
}

func TestFailedWriteKeepsOutputWhenReusing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "public")
	for _, v := range []string{"v1", "v2"} {
		if err := build.Write(dir, map[string][]byte{"/index.html": []byte(v), "/old.html": []byte("old")}); err != nil {
			t.Fatal(err)
		}
	}
	// A file where a folder must go: fails after the reused folder was
	// partly updated.
	bad := map[string][]byte{"/index.html": []byte("v3"), "/x": []byte("file"), "/x/y.html": []byte("no")}
	if err := build.Write(dir, bad); err == nil {
		t.Fatal("expected the write to fail")
	}
	if got := readTree(t, dir); !maps.Equal(got, map[string]string{"/index.html": "v2", "/old.html": "old"}) {
		t.Errorf("output after a failed write = %v, want v2 untouched", got)
	}
	if err := build.Write(dir, map[string][]byte{"/index.html": []byte("v4")}); err != nil {
		t.Fatal(err)
	}
	if got := readTree(t, dir); !maps.Equal(got, map[string]string{"/index.html": "v4"}) {
		t.Errorf("output = %v, want only v4", got)
	}
}
