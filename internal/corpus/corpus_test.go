package corpus_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"livedocs/internal/build"
	"livedocs/internal/config"
	"livedocs/internal/corpus"
)

func TestGenerateIsDeterministic(t *testing.T) {
	a, err := corpus.Generate(corpus.Options{Articles: 120, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	b, err := corpus.Generate(corpus.Options{Articles: 120, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(a.Files, b.Files, func(x, y corpus.File) bool { return x.Path == y.Path && bytes.Equal(x.Data, y.Data) }) {
		t.Fatal("two corpora from the same seed differ")
	}
	c, err := corpus.Generate(corpus.Options{Articles: 120, Seed: 8})
	if err != nil {
		t.Fatal(err)
	}
	same := 0
	for i := range min(len(a.Files), len(c.Files)) {
		if strings.HasSuffix(a.Files[i].Path, ".md") && bytes.Equal(a.Files[i].Data, c.Files[i].Data) {
			same++
		}
	}
	if same > 5 {
		t.Errorf("seeds 7 and 8 share %d identical markdown files", same)
	}
}

func TestGenerateRejectsZero(t *testing.T) {
	if _, err := corpus.Generate(corpus.Options{Articles: 0}); err == nil {
		t.Fatal("Generate with 0 articles: want an error")
	}
}

func TestWriteRefusesNonEmptyFolder(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "keep.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := corpus.Write(dir, corpus.Options{Articles: 3, Seed: 1})
	if err == nil || !strings.Contains(err.Error(), "is not empty") {
		t.Fatalf("Write into a non-empty folder: err = %v, want \"is not empty\"", err)
	}
}

var (
	fenceRE   = regexp.MustCompile("(?m)^ *```([a-z]+)$")
	tableRE   = regexp.MustCompile(`(?m)^\|---\|`)
	alertRE   = regexp.MustCompile(`(?m)^> \[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]$`)
	imageRE   = regexp.MustCompile(`!\[[^\]]+\]\([a-z-]+\.png\)`)
	mdLinkRE  = regexp.MustCompile(`\]\(([^)#]*\.md)(#[^)]*)?\)`)
	headingRE = regexp.MustCompile(`(?m)^#{2,3} `)
)

// TestCorpusBuildsCleanly builds a generated corpus with the real builder
// and checks the shape the benchmark relies on.
func TestCorpusBuildsCleanly(t *testing.T) {
	const n = 400
	dir := t.TempDir()
	cp, err := corpus.Write(dir, corpus.Options{Articles: n, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if cp.Articles != n {
		t.Fatalf("Articles = %d, want %d", cp.Articles, n)
	}
	cfg, err := config.Load(filepath.Join(dir, "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.StrictLinks() {
		t.Error("generated config does not use strict links")
	}
	b, err := build.New(build.Options{Root: dir, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	res, err := b.Build()
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	for _, w := range res.Warnings {
		t.Errorf("warning: %v", w)
	}
	if got := len(res.Site.Articles); got != n {
		t.Errorf("built %d articles, want %d", got, n)
	}
	for _, c := range res.Site.Categories {
		for _, s := range c.Sections {
			if k := len(s.Articles); k < 20 || k > 50 {
				t.Errorf("section %s has %d articles, want 20–50", s.URL, k)
			}
		}
	}

	langs := map[string]int{}
	var total, links, anchored int
	for _, a := range res.Site.Articles {
		if k := len(a.Doc.Steps); k < 5 || k > 12 {
			t.Errorf("%s: %d steps, want 5–12", a.Path, k)
		}
		if len(a.Doc.Headings) < 3 {
			t.Errorf("%s: %d headings, want at least 3", a.Path, len(a.Doc.Headings))
		}
		if a.ID == "" || a.Summary == "" || len(a.Tags) == 0 || len(a.Keywords) == 0 || a.Updated.IsZero() {
			t.Errorf("%s: front matter incomplete: %+v", a.Path, a)
		}
		src := a.Doc.Source
		total += len(src)
		for _, m := range fenceRE.FindAllSubmatch(src, -1) {
			langs[string(m[1])]++
		}
		for _, m := range mdLinkRE.FindAllSubmatch(src, -1) {
			links++
			if len(m[2]) > 0 {
				anchored++
			}
		}
	}
	if avg := total / n; avg < 3000 || avg > 5000 {
		t.Errorf("average body is %d bytes, want about 4 KB", avg)
	}
	for _, l := range []string{"go", "python", "bash", "powershell", "json", "yaml", "javascript", "sql"} {
		if langs[l] == 0 {
			t.Errorf("no %s code fences", l)
		}
	}
	if links < 2*n || anchored < n/2 {
		t.Errorf("%d links to articles, %d with anchors: want at least %d and %d", links, anchored, 2*n, n/2)
	}
	// Every rendered feature shows up across the corpus.
	all := bytes.Join(func() [][]byte {
		var out [][]byte
		for _, f := range cp.Files {
			if strings.HasSuffix(f.Path, ".md") {
				out = append(out, f.Data)
			}
		}
		return out
	}(), nil)
	for name, re := range map[string]*regexp.Regexp{"table": tableRE, "alert": alertRE, "image": imageRE, "heading": headingRE} {
		if len(re.FindAllIndex(all, -1)) < n/4 {
			t.Errorf("fewer than %d %ss in %d articles", n/4, name, n)
		}
	}
}
