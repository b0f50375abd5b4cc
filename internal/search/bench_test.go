package search

// The figures on the 10,000-article synthetic corpus:
//
//	go test -run '^$' -bench . -benchtime 3x ./internal/search
//
//	BenchmarkIndexBuild           index build: ns/op (wall) and cpu-ms/op,
//	                              index-MB, index-gzip-MB, files, entry-gzip-KB
//	BenchmarkIndexRebuildOneEdit  re-index after one article's text changed,
//	                              and how many shards that rewrote
//	BenchmarkQuery/<query>        fetched-gzip-KB (entry + shards + the first
//	                              five results' fragments) and Go query
//	                              latency (ns/op, from opening the index)
//	BenchmarkBrowserQuery/<query> browser-ms: in Chromium, from having the
//	                              files to results rendered
//
// bench/search/pagefind.sh sets Pagefind beside these.

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"livedocs/internal/browsertest"
	"livedocs/internal/content"
	"livedocs/internal/corpus"
	"livedocs/internal/markdown"
	"livedocs/internal/render"
)

// benchArticles is the size of the synthetic corpus of the benchmarks.
const benchArticles = 10000

// benchSmall is used by -short runs.
const benchSmall = 1000

// syntheticSite generates and loads the synthetic help center.
func syntheticSite(tb testing.TB, n int) *content.Site {
	tb.Helper()
	if testing.Short() && n > benchSmall {
		n = benchSmall
	}
	c, err := corpus.Generate(corpus.Options{Articles: n, Seed: 1})
	if err != nil {
		tb.Fatal(err)
	}
	fsys := fstest.MapFS{}
	for _, f := range c.Files {
		if strings.HasSuffix(f.Path, ".md") || f.Path == "config.yaml" {
			fsys[f.Path] = &fstest.MapFile{Data: f.Data}
		} else {
			fsys[f.Path] = &fstest.MapFile{Data: []byte{}}
		}
	}
	site, errs := content.NewLoader(markdown.New()).Load(fsys, content.Options{Dir: "content", KnownCheck: func(string) bool { return true }})
	if site == nil || len(site.Articles) != n {
		tb.Fatalf("load synthetic site: %v", errs)
	}
	return site
}

func gzipSize(data []byte) int {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, 6)
	w.Write(data)
	w.Close()
	return buf.Len()
}

// cpuTime is the CPU time (user + system) the process has used: on a
// shared machine it says more about the work done than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// indexSizes returns the raw and gzip bytes of the search files and their
// number, compressing on every core.
func indexSizes(files render.Files) (raw, gz, n int) {
	var names []string
	for p, data := range files {
		if strings.HasPrefix(p, "/search/") {
			names = append(names, p)
			raw += len(data)
		}
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := make(chan string, len(names))
	for _, p := range names {
		next <- p
	}
	close(next)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sum := 0
			for p := range next {
				sum += gzipSize(files[p])
			}
			mu.Lock()
			gz += sum
			mu.Unlock()
		}()
	}
	wg.Wait()
	return raw, gz, len(names)
}

// BenchmarkIndexBuild indexes the synthetic corpus from scratch and
// reports the build's CPU time and the size of the index.
func BenchmarkIndexBuild(b *testing.B) {
	site := syntheticSite(b, benchArticles)
	var files render.Files
	runtime.GC()
	cpu := cpuTime()
	for b.Loop() {
		files = render.Files{}
		if err := NewIndexer().Add(site, files); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N)/1e6, "cpu-ms/op")
	raw, gz, n := indexSizes(files)
	b.ReportMetric(float64(raw)/1e6, "index-MB")
	b.ReportMetric(float64(gz)/1e6, "index-gzip-MB")
	b.ReportMetric(float64(n), "files")
	b.ReportMetric(float64(gzipSize(files["/search/index.json"]))/1024, "entry-gzip-KB")
}

// editedDoc returns a's document with a paragraph added that brings new
// words and a new section.
func editedDoc(tb testing.TB, a *content.Article, words string) *markdown.Doc {
	tb.Helper()
	src := append(bytes.Clone(a.Doc.Source), fmt.Sprintf("\n\n## Edited %s\n\nThis paragraph mentions %s and the **Mailbox settings** page.\n", words, words)...)
	return markdown.New().Parse(src)
}

// BenchmarkIndexRebuildOneEdit re-indexes after one article's text
// changed, as the watch server does: each iteration swaps the article
// between its original text and an edited one.
func BenchmarkIndexRebuildOneEdit(b *testing.B) {
	site := syntheticSite(b, benchArticles)
	ix := NewIndexer()
	first := render.Files{}
	if err := ix.Add(site, first); err != nil {
		b.Fatal(err)
	}
	a := site.Articles[len(site.Articles)/2]
	docs := []*markdown.Doc{editedDoc(b, a, "zanzibarite quuxification"), a.Doc}
	hashes := []uint64{a.Hash ^ 1, a.Hash}
	runtime.GC()
	cpu := cpuTime()
	prev, files := render.Files{}, first
	i := 0
	for b.Loop() {
		a.Doc, a.Hash = docs[i%2], hashes[i%2]
		i++
		prev, files = files, render.Files{}
		if err := ix.Add(site, files); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N)/1e6, "cpu-ms/op")
	changed := 0
	for p := range files {
		if strings.HasPrefix(p, "/search/t-") && prev[p] == nil {
			changed++
		}
	}
	b.ReportMetric(float64(changed), "shards-rewritten")
}

// benchQueries are the queries whose downloads the issue budgets.
var benchQueries = []struct{ name, q string }{
	{"1-word", "mailbox"},
	{"2-word", "calendar permissions"},
	{"misspelled", "mailbx permisions"},
	{"error-code", "AADSTS65001"},
	{"cmdlet", "Get-MgServicePrincipal"},
}

// BenchmarkQuery measures Go query time from a cold start (entry, shards
// and fragments decoded from memory) and what the browser downloads (gzip,
// as a static host sends it) for the entry, the shards and the fragments
// of the first five results.
func BenchmarkQuery(b *testing.B) {
	site := syntheticSite(b, benchArticles)
	files := render.Files{}
	if err := NewIndexer().Add(site, files); err != nil {
		b.Fatal(err)
	}
	for _, q := range benchQueries {
		b.Run(q.name, func(b *testing.B) {
			var ix *Index
			var rs []Result
			for b.Loop() {
				var err error
				ix, err = Open(filesLoader(files))
				if err != nil {
					b.Fatal(err)
				}
				if rs, err = ix.Search(q.q, 5); err != nil {
					b.Fatal(err)
				}
			}
			if len(rs) == 0 {
				b.Fatalf("%q found nothing", q.q)
			}
			fetched := 0
			for _, name := range ix.Loaded {
				fetched += gzipSize(files["/search/"+name])
			}
			b.ReportMetric(float64(fetched)/1024, "fetched-gzip-KB")
			b.ReportMetric(float64(len(ix.Loaded)), "requests")
		})
	}
}

// browserPage loads search.js and measures, in the page, the time from
// having every file a query needs (fetched once, then served from memory)
// to its results rendered: decoding, ranking, snippets and the DOM.
const browserPage = `<!doctype html><meta charset="utf-8"><title>bench</title>
<link rel="icon" href="data:,"><ul id="out"></ul>
<script src="/assets/search.js"></script>
<script>
const cache = new Map();
const fetchLoad = (name) => fetch('/search/' + name).then((r) => r.arrayBuffer()).then((b) => { const u = new Uint8Array(b); cache.set(name, u); return u; });
const memLoad = (name) => cache.has(name) ? Promise.resolve(cache.get(name)) : fetchLoad(name);
function render(rs) {
  const out = document.getElementById('out');
  out.textContent = '';
  for (const r of rs) {
    const li = document.createElement('li');
    li.append(r.title + ' ' + r.path + ' ');
    let at = 0;
    for (const [s, e] of r.highlights) {
      li.append(r.snippet.slice(at, s));
      const m = document.createElement('mark');
      m.textContent = r.snippet.slice(s, e);
      li.append(m);
      at = e;
    }
    li.append(r.snippet.slice(at));
    out.append(li);
  }
  return out.getBoundingClientRect().height;
}
async function timeQuery(q) {
  const S = window.livedocsSearch;
  await (await new S.Index(fetchLoad).open()).search(q, 6); // the network part
  const t0 = performance.now();
  const ix = await new S.Index(memLoad).open();
  const rs = await ix.search(q, 6);
  render(rs);
  return { ms: performance.now() - t0, n: rs.length };
}
</script>`

// BenchmarkBrowserQuery reports the browser's query latency on the
// synthetic corpus once the files have arrived (browser-ms), as measured
// with performance.now() in the page.
func BenchmarkBrowserQuery(b *testing.B) {
	site := syntheticSite(b, benchArticles)
	files := render.Files{}
	if err := NewIndexer().Add(site, files); err != nil {
		b.Fatal(err)
	}
	script, err := os.ReadFile("../../themes/default/static/search.js")
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, browserPage)
		case r.URL.Path == "/assets/search.js":
			w.Header().Set("Content-Type", "text/javascript")
			w.Write(script)
		case files[r.URL.Path] != nil:
			w.Write(files[r.URL.Path])
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	br := browsertest.New(b)
	br.Navigate(srv.URL + "/")
	for _, q := range benchQueries[:3] {
		b.Run(q.name, func(b *testing.B) {
			var total float64
			n := 0
			for b.Loop() {
				res := browsertest.Eval[struct {
					MS float64 `json:"ms"`
					N  int     `json:"n"`
				}](br, fmt.Sprintf("timeQuery(%q)", q.q))
				if res.N == 0 {
					b.Fatalf("%q found nothing in the browser", q.q)
				}
				total += res.MS
				n++
			}
			b.ReportMetric(total/float64(n), "browser-ms")
		})
	}
	br.ExpectNoConsoleErrors()
}
