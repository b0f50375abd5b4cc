package service

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"livedocs/checks"
	"livedocs/checks/graph"
)

// BenchmarkLoad200Sessions: 200 signed-in sessions (200 tenants, so the
// cache shares nothing) each ask for the sample page's seven checks at
// once, against a local Graph that adds 50 ms to every request, through the
// real SDK. Each benchmark iteration is one such wave; it reports the
// request latency percentiles, errors, and heap and goroutines after the
// run compared with before.
//
//	go test -run '^$' -bench Load200 -benchtime 10x ./checks/service/
func BenchmarkLoad200Sessions(b *testing.B) {
	// uncached: every request evaluates (CacheTTL off), the worst case.
	// cached: the default 60 s cache; after the warm-up wave each session's
	// views are answered from it, as repeated page views are.
	b.Run("uncached", func(b *testing.B) { load200(b, -1) })
	b.Run("cached", func(b *testing.B) { load200(b, time.Minute) })
}

func load200(b *testing.B, cacheTTL time.Duration) {
	const sessions = 200
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	app := graph.DefaultDemoApp()
	demo, err := graph.StartDemo(ctx, "approved", app)
	if err != nil {
		b.Fatal(err)
	}
	target, _ := url.Parse(demo.URL)
	target.Path = ""
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ErrorLog = log.New(io.Discard, "", 0) // cancelled evaluations are counted, not logged
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond)
		proxy.ServeHTTP(w, r)
	}))
	defer slow.Close()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 400
	src, err := graph.New(graph.Config{BaseURL: slow.URL + "/v1.0", Transport: tr})
	if err != nil {
		b.Fatal(err)
	}
	svc, err := New(Config{
		Authority: "https://login.microsoftonline.com/organizations", ClientID: "checker",
		RedirectURL: "https://help.example/__checks/callback",
		SessionKeys: [][]byte{keyA}, CacheTTL: cacheTTL,
		SessionRate: Rate{PerMinute: 1e6, Burst: 1e6}, IPRate: Rate{PerMinute: 1e7, Burst: 1e7},
		DefaultApp: Page{AppID: app.AppID, Scopes: app.Scopes},
		Live: func(ctx context.Context, tok string, req checks.Request) (checks.Report, error) {
			ev := checks.Evaluator{Source: src}
			return ev.Evaluate(graph.WithToken(ctx, graph.Token(tok)), req)
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	site := httptest.NewServer(svc)
	defer site.Close()

	// Mint the sessions' cookies as the callback would.
	cookies := make([][]*http.Cookie, sessions)
	for i := range cookies {
		sess := svc.newSession(kindLive, time.Hour)
		sess.Tenant = fmt.Sprintf("tenant-%03d", i)
		sess.UserID, sess.UserName = demoUserID, app.User
		sess.Access, sess.AccessExp, sess.Refresh = "livedocs-demo", time.Now().Add(time.Hour).Unix(), "rt"
		req := httptest.NewRequest("GET", site.URL+"/", nil)
		rec := httptest.NewRecorder()
		if err := svc.saveSession(rec, req, sess); err != nil {
			b.Fatal(err)
		}
		cookies[i] = rec.Result().Cookies()
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: sessions, MaxConnsPerHost: 0}, Timeout: 10 * time.Second}
	stateURL := site.URL + "/__checks/api/state?checks=" + url.QueryEscape("consent-request-sent,reviewers-notified,admin-consent-granted,users-assigned,admin-consent-workflow,user-consent,blocked-signins")

	wave := func() ([]time.Duration, int) {
		lat := make([]time.Duration, sessions)
		var mu sync.Mutex
		errs := 0
		var wg sync.WaitGroup
		for i := 0; i < sessions; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest("GET", stateURL, nil)
				for _, c := range cookies[i] {
					req.AddCookie(c)
				}
				start := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != 200 {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				lat[i] = time.Since(start)
				if err != nil {
					mu.Lock()
					errs++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		return lat, errs
	}
	wave() // warm connections
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	goBefore := runtime.NumGoroutine()

	var all []time.Duration
	errs := 0
	b.ResetTimer()
	for range b.N {
		lat, e := wave()
		all = append(all, lat...)
		errs += e
	}
	b.StopTimer()
	client.CloseIdleConnections()
	time.Sleep(100 * time.Millisecond)
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	slices.Sort(all)
	pct := func(p float64) float64 { return float64(all[int(float64(len(all)-1)*p)].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(errs), "errors")
	b.ReportMetric(float64(int64(after.HeapInuse)-int64(before.HeapInuse))/(1<<20), "heap-growth-MiB")
	b.ReportMetric(float64(runtime.NumGoroutine()-goBefore), "goroutine-growth")
	b.ReportMetric(float64(len(all)), "requests")
	if errs > 0 {
		b.Errorf("%d of %d requests failed", errs, len(all))
	}
}
