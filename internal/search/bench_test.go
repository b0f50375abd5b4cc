package search

import (
	"bytes"
	"compress/gzip"
	"strings"
	"testing"
	"testing/fstest"

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
func syntheticSite(b *testing.B, n int) *content.Site {
	b.Helper()
	if testing.Short() {
		n = benchSmall
	}
	c, err := corpus.Generate(corpus.Options{Articles: n, Seed: 1})
	if err != nil {
		b.Fatal(err)
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
		b.Fatalf("load synthetic site: %v", errs)
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

// BenchmarkIndexBuild indexes the synthetic corpus from scratch and
// reports the size of the index.
func BenchmarkIndexBuild(b *testing.B) {
	site := syntheticSite(b, benchArticles)
	var files render.Files
	for b.Loop() {
		files = render.Files{}
		if err := NewIndexer().Add(site, files); err != nil {
			b.Fatal(err)
		}
	}
	total, gz, n := 0, 0, 0
	for p, data := range files {
		if strings.HasPrefix(p, "/search/") {
			total += len(data)
			gz += gzipSize(data)
			n++
		}
	}
	b.ReportMetric(float64(total)/1e6, "index-MB")
	b.ReportMetric(float64(gz)/1e6, "index-gzip-MB")
	b.ReportMetric(float64(n), "files")
	b.ReportMetric(float64(gzipSize(files["/search/index.json"])), "entry-gzip-B")
}

// BenchmarkIndexRebuildOneEdit re-indexes after one article changed, as the
// watch server does.
func BenchmarkIndexRebuildOneEdit(b *testing.B) {
	site := syntheticSite(b, benchArticles)
	ix := NewIndexer()
	if err := ix.Add(site, render.Files{}); err != nil {
		b.Fatal(err)
	}
	a := site.Articles[len(site.Articles)/2]
	for b.Loop() {
		a.Hash++
		if err := ix.Add(site, render.Files{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQuery measures Go query time and what the browser downloads
// (gzip, as a static host sends it) for the entry, the shards and the
// fragments of the first five results.
func BenchmarkQuery(b *testing.B) {
	site := syntheticSite(b, benchArticles)
	files := render.Files{}
	if err := NewIndexer().Add(site, files); err != nil {
		b.Fatal(err)
	}
	for _, q := range []struct{ name, q string }{
		{"1-word", "mailbox"},
		{"2-word", "calendar permissions"},
		{"misspelled", "mailbx permisions"},
		{"error-code", "AADSTS65001"},
		{"cmdlet", "Get-MgServicePrincipal"},
	} {
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
