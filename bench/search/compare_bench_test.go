// Package search compares livedocs search with Pagefind on one built site:
// index size, and for the same queries the files each browser client
// fetches (gzip bytes, as a static host sends them; a file already
// compressed counts as is) and its time to results in the page.
//
//	bench/search/pagefind.sh                  builds the site and runs this
//	LIVEDOCS_BENCH_SITE=DIR/public go test -run '^$' -bench . -benchtime 1x ./bench/search
//
// DIR/public must hold both indexes: search/ (livedocs build) and pagefind/
// (`pagefind --site DIR/public`). Each query runs in a fresh page with the
// browser cache off, so every file it needs is fetched: the entry, the
// shards or chunks (and Pagefind's WebAssembly), and the data of the first
// five results.
package search

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"livedocs/internal/browsertest"
)

// queries are the three, and two identifiers.
var queries = []struct{ name, q string }{
	{"1-word", "mailbox"},
	{"2-word", "calendar permissions"},
	{"misspelled", "mailbx permisions"},
	{"error-code", "AADSTS65001"},
	{"cmdlet", "Get-MgServicePrincipal"},
}

// wireSize is what a static host sends for data: gzip at level 6, or the
// bytes as they are when that is not smaller (Pagefind compresses its own
// files).
func wireSize(data []byte) int {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, 6)
	w.Write(data)
	w.Close()
	return min(buf.Len(), len(data))
}

// folderSize sums the files under dir.
func folderSize(dir string) (files, raw, wire int, err error) {
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		raw += len(b)
		wire += wireSize(b)
		return nil
	})
	return files, raw, wire, err
}

// page runs one engine's query; window.runQuery(q) returns
// {ms, n, titles}: time from the call to the first five results' data, the
// number of results and their titles.
const page = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>compare</title>
<script src="/assets/search.js"></script>
<script>
window.engines = {
  livedocs: async (q) => {
    const load = (n) => fetch('/search/' + n).then((r) => r.arrayBuffer()).then((b) => new Uint8Array(b));
    const t0 = performance.now();
    const ix = await new window.livedocsSearch.Index(load).open();
    const rs = await ix.search(q, 5);
    return { ms: performance.now() - t0, n: rs.length, titles: rs.map((r) => r.title) };
  },
  pagefind: async (q) => {
    const t0 = performance.now();
    const pf = await import('/pagefind/pagefind.js');
    await pf.init();
    const s = await pf.search(q);
    const data = await Promise.all(s.results.slice(0, 5).map((r) => r.data()));
    return { ms: performance.now() - t0, n: s.results.length, titles: data.map((d) => d.meta.title) };
  },
};
</script>`

type result struct {
	MS     float64  `json:"ms"`
	N      int      `json:"n"`
	Titles []string `json:"titles"`
}

func BenchmarkCompare(b *testing.B) {
	site := os.Getenv("LIVEDOCS_BENCH_SITE")
	if site == "" {
		b.Skip("LIVEDOCS_BENCH_SITE is not set: run bench/search/pagefind.sh, which builds a site with both indexes")
	}
	for _, engine := range []string{"search", "pagefind"} {
		files, raw, wire, err := folderSize(filepath.Join(site, engine))
		if err != nil {
			b.Fatalf("%s index: %v (build the site and run pagefind first)", engine, err)
		}
		fmt.Printf("index %-9s %6d files  %8.2f MB raw  %7.2f MB gzip\n", engine, files, float64(raw)/1e6, float64(wire)/1e6)
	}

	var mu sync.Mutex
	var fetched []string
	files := http.FileServer(http.Dir(site))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/compare.html" {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(page))
			return
		}
		if strings.HasPrefix(r.URL.Path, "/search/") || strings.HasPrefix(r.URL.Path, "/pagefind/") {
			mu.Lock()
			fetched = append(fetched, r.URL.Path)
			mu.Unlock()
		}
		files.ServeHTTP(w, r)
	}))
	defer srv.Close()

	br := browsertest.New(b)
	br.Do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true})
		return err
	}))
	fmt.Printf("%-10s %-9s %4s %9s %9s %7s  %s\n", "query", "engine", "reqs", "gzip-KB", "page-ms", "results", "first titles")
	for _, q := range queries {
		for _, engine := range []string{"livedocs", "pagefind"} {
			br.Navigate(srv.URL + "/compare.html")
			mu.Lock()
			fetched = nil
			mu.Unlock()
			res := browsertest.Eval[result](br, fmt.Sprintf("window.engines.%s(%q)", engine, q.q))
			mu.Lock()
			names := append([]string(nil), fetched...)
			mu.Unlock()
			sort.Strings(names)
			bytes := 0
			for _, name := range names {
				data, err := os.ReadFile(filepath.Join(site, filepath.FromSlash(name)))
				if err != nil {
					b.Fatal(err)
				}
				bytes += wireSize(data)
			}
			titles := res.Titles
			if len(titles) > 2 {
				titles = titles[:2]
			}
			fmt.Printf("%-10s %-9s %4d %9.1f %9.1f %7d  %s\n", q.name, engine, len(names), float64(bytes)/1024, res.MS, res.N, strings.Join(titles, " | "))
			b.ReportMetric(float64(bytes)/1024, q.name+"-"+engine+"-gzip-KB")
		}
	}
	for b.Loop() {
	}
}
