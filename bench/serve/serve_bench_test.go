// Package serve benchmarks `livedocs serve` end to end: the time from a
// file write to the live-reload event reaching a connected browser (an SSE
// client), on a generated help center of 10,000 articles.
//
//	go test -run '^$' -bench . -benchtime 1x -timeout 30m ./bench/serve
//
// LIVEDOCS_BENCH_ARTICLES changes the corpus size. Each scenario runs 20
// times and reports median and max in milliseconds; peak_MiB is the
// process's peak resident memory (VmHWM), which includes the corpus
// generator and the test's own HTTP client.
package serve

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"livedocs/internal/build"
	"livedocs/internal/config"
	"livedocs/internal/search"
	"livedocs/internal/server"
)

func BenchmarkReload(b *testing.B) {
	n := 10000
	if s := os.Getenv("LIVEDOCS_BENCH_ARTICLES"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	dir := b.TempDir()
	if err := writeCorpus(dir, n); err != nil {
		b.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "site-theme/static"), 0o755); err != nil {
		b.Fatal(err)
	}
	css := filepath.Join(dir, "site-theme/static/style.css")
	os.WriteFile(css, []byte("body { color: black }\n"), 0o644)
	cfgText := "title: Bench Help\nbase_url: http://127.0.0.1:8080\ntheme: site-theme\n"
	os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfgText), 0o644)

	start := time.Now()
	srv := server.New(server.Options{})
	// As livedocs serve runs it: with the search index kept up to date.
	live, err := server.NewLive(srv, server.LiveOptions{Root: dir, Logf: b.Logf, Options: func() (build.Options, error) {
		cfg, err := config.Load(filepath.Join(dir, "config.yaml"))
		return build.Options{Root: dir, Config: cfg, Drafts: true, Index: search.NewIndexer().Add}, err
	}})
	if err != nil {
		b.Fatal(err)
	}
	if live.Result() == nil {
		b.Fatalf("initial build failed: %+v", srv.Problems())
	}
	b.Logf("%d articles, %d files; first build %v", len(live.Result().Site.Articles), len(srv.Files()), time.Since(start))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go live.Run(ctx)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	defer srv.Close()

	per := (n + 199) / 200                    // articles per section, as writeCorpus lays them out
	article := func(i int) (string, string) { // file, page
		i %= n
		c, s, a := i/(per*10), (i/per)%10, i%per
		return filepath.Join(dir, fmt.Sprintf("content/cat-%02d/sec-%02d/a-%03d.md", c, s, a)),
			fmt.Sprintf("/cat-%02d/sec-%02d/a-%03d/", c, s, a)
	}
	scenario := func(name, event string, page func(run int) string, edit func(run int)) {
		var times []time.Duration
		for run := 0; run < 20; run++ {
			c := subscribe(b, ts.URL, page(run), srv.Build())
			t0 := time.Now()
			edit(run)
			if err := c.wait(event, 20*time.Second); err != nil {
				b.Fatalf("%s run %d: %v", name, run, err)
			}
			times = append(times, time.Since(t0))
			c.close()
			settle(live)
		}
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
		med, mx := times[len(times)/2], times[len(times)-1]
		b.Logf("%-28s median %7.1f ms   max %7.1f ms", name, ms(med), ms(mx))
		b.ReportMetric(ms(med), name+"_median_ms")
		b.ReportMetric(ms(mx), name+"_max_ms")
		for _, r := range live.Rebuilds()[:3] {
			b.Logf("  rebuild %-7s total %v load %v render %v rendered %d reused %d changed %d problems %d", r.Kind, r.Duration, r.Load, r.Render, r.Rendered, r.Reused, r.Changed, r.Problems)
		}
	}
	edit := func(p string, f func(string) string) {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f(string(data))), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	scenario("a_body_word", "reload", func(run int) string { _, p := article(run * 37); return p }, func(run int) {
		p, _ := article(run * 37)
		edit(p, func(s string) string { return strings.Replace(s, "Intro paragraph", "Introductory paragraph", 1) })
	})
	scenario("b_title", "reload", func(run int) string { _, p := article(run*53 + 11); return p }, func(run int) {
		p, _ := article(run*53 + 11)
		edit(p, func(s string) string {
			return strings.Replace(s, "about things", fmt.Sprintf("about stuff %d", run), 1)
		})
	})
	scenario("c_css", "css", func(run int) string { _, p := article(run); return p }, func(run int) {
		os.WriteFile(css, []byte(fmt.Sprintf("body { color: #%06x }\n", run*4099)), 0o644)
	})
	scenario("d_checkout_200", "reload", func(run int) string { _, p := article(run * 200); return p }, func(run int) {
		for k := 0; k < 200; k++ {
			p, _ := article(run*200 + k*(n/200))
			edit(p, func(s string) string { return s + fmt.Sprintf("\nCheckout %d.\n", run) })
		}
	})
	var ms_ runtime.MemStats
	runtime.ReadMemStats(&ms_)
	hwm := vmHWM()
	b.Logf("peak RSS (VmHWM) %.0f MiB, HeapSys %.0f MiB", hwm, float64(ms_.HeapSys)/(1<<20))
	b.ReportMetric(hwm, "peak_MiB")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// settle waits until the preview has handled everything written so far.
func settle(live *server.Live) {
	last := -1
	for {
		time.Sleep(250 * time.Millisecond)
		n := len(live.Rebuilds())
		if r := live.Rebuilds(); len(r) > 0 && n == last {
			return
		}
		last = n
	}
}

func vmHWM() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

type client struct {
	resp   *http.Response
	events chan string
}

func subscribe(b *testing.B, base, page string, build uint64) *client {
	resp, err := http.Get(fmt.Sprintf("%s/__livedocs/events?path=%s&build=%d", base, page, build))
	if err != nil {
		b.Fatal(err)
	}
	c := &client{resp: resp, events: make(chan string, 16)}
	go func() {
		defer close(c.events)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if name, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
				c.events <- name
			}
		}
	}()
	if err := c.wait("hello", 5*time.Second); err != nil {
		b.Fatal(err)
	}
	return c
}

func (c *client) wait(name string, timeout time.Duration) error {
	deadline := time.After(timeout)
	for {
		select {
		case ev, ok := <-c.events:
			if !ok {
				return fmt.Errorf("stream closed waiting for %s", name)
			}
			if ev == name {
				return nil
			}
		case <-deadline:
			return fmt.Errorf("no %s event in %v", name, timeout)
		}
	}
}

func (c *client) close() { c.resp.Body.Close() }
