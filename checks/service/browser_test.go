package service

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"livedocs/checks"
	"livedocs/checks/graph"
	"livedocs/internal/browsertest"
	"livedocs/internal/build"
	"livedocs/internal/config"
	"livedocs/internal/render"
)

const (
	approvalPage = "/connecting-accounts/microsoft-365/microsoft-365-admin-approval/"
	xssName      = `<img src=x onerror=alert(1)>`
	demoUserID   = "26be570a-ae82-4189-b4e2-a37c6808512d" // the demo tenant's user
)

// buildSample builds the sample help center in memory, with the checks
// service URL set so article pages carry the widget.
func buildSample(t *testing.T) (config.Config, *build.Result) {
	t.Helper()
	cfg, err := config.Load("../../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Checks.ServiceURL = "/__checks" // pages then carry the widget
	b, err := build.New(build.Options{
		Root:   "../..",
		Config: cfg,
		KnownCheck: func(id string) bool {
			_, ok := checks.Lookup(id)
			return ok
		},
		CheckInfo: func(id string) (render.CheckInfo, bool) {
			c, ok := checks.Lookup(id)
			return render.CheckInfo{ID: c.ID, Title: c.Title, Permissions: c.Permissions}, ok
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := b.Build()
	if err != nil {
		t.Fatalf("build sample: %v", err)
	}
	return cfg, res
}

// siteHandler serves the built files and the checks service (when svc is not nil) at /__checks/.
func siteHandler(res *build.Result, svc http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/__checks/") {
			if svc == nil {
				http.NotFound(w, r)
				return
			}
			svc.ServeHTTP(w, r)
			return
		}
		p := r.URL.Path
		if strings.HasSuffix(p, "/") {
			p += "index.html"
		}
		b, ok := res.Files[p]
		switch {
		case !ok && p == "/favicon.ico":
			w.WriteHeader(204)
			return
		case !ok:
			http.NotFound(w, r)
			return
		}
		if strings.HasSuffix(p, ".html") {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
		} else if strings.HasSuffix(p, ".js") {
			w.Header().Set("Content-Type", "text/javascript")
		} else if strings.HasSuffix(p, ".css") {
			w.Header().Set("Content-Type", "text/css")
		} else if strings.HasSuffix(p, ".svg") {
			w.Header().Set("Content-Type", "image/svg+xml")
		}
		w.Write(b)
	})
}

// demoSet starts one demo tenant per scenario on first use, for the
// article's app, named like an attack.
type demoSet struct {
	mu  sync.Mutex
	ctx context.Context
	run map[string]*graph.Demo
}

func (d *demoSet) get(sc string, req checks.Request) (*graph.Demo, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if dm, ok := d.run[sc]; ok {
		return dm, nil
	}
	dm, err := graph.StartDemo(d.ctx, sc, graph.DemoApp{AppID: req.AppID, Name: xssName, Scopes: req.Scopes})
	if err != nil {
		return nil, err
	}
	d.run[sc] = dm
	return dm, nil
}

func (d *demoSet) evaluate(ctx context.Context, sc string, req checks.Request) (checks.Report, error) {
	dm, err := d.get(sc, req)
	if err != nil {
		return checks.Report{}, err
	}
	ev := checks.Evaluator{Source: dm.Source()}
	return ev.Evaluate(ctx, dm.Fill(req))
}

func samplePages(res *build.Result, cfg config.Config) func(string) (Page, bool) {
	return func(key string) (Page, bool) {
		a := res.Site.ByID[key]
		if a == nil {
			return Page{}, false
		}
		p := Page{ID: a.ID, Path: a.URL, Checks: a.CheckIDs(), AppID: cfg.Checks.AppID, Scopes: cfg.Checks.Scopes}
		if a.Checks != nil && a.Checks.AppID != "" {
			p.AppID, p.Scopes = a.Checks.AppID, a.Checks.Scopes
		}
		return p, true
	}
}

// waitFor polls a JavaScript condition until it holds.
func waitFor(t *testing.T, b *browsertest.Browser, expr string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if browsertest.Eval[bool](b, expr) {
			return
		}
		time.Sleep(40 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", expr)
}

// pick chooses a demo scenario as a reader does: one change of the select.
func pick(t *testing.T, b *browsertest.Browser, sc string) {
	t.Helper()
	browsertest.Eval[bool](b, fmt.Sprintf(`(() => { const s = document.querySelector('#checks-scenario'); s.value = %q; s.dispatchEvent(new Event('change')); return true; })()`, sc))
}

// layoutShift sums the page's layout-shift entries so far.
const layoutShiftJS = `new Promise(resolve => { let sum = 0; const po = new PerformanceObserver(l => { for (const e of l.getEntries()) if (!e.hadRecentInput) sum += e.value; }); po.observe({type: 'layout-shift', buffered: true}); setTimeout(() => { po.disconnect(); resolve(sum); }, 300); })`

// statesJS reads data-check-state of every tied element, by check ID.
const statesJS = `(() => { const m = {}; document.querySelectorAll('article [data-check]').forEach(e => { m[e.dataset.check] = e.getAttribute('data-check-state') || ''; }); return m; })()`

var wantStates = map[string]map[string]string{
	"blocked":    {"consent-request-sent": "pending", "reviewers-notified": "pending", "admin-consent-granted": "pending", "users-assigned": "done", "admin-consent-workflow": "pending", "user-consent": "pending", "blocked-signins": "pending"},
	"requested":  {"consent-request-sent": "done", "reviewers-notified": "done", "admin-consent-granted": "pending", "users-assigned": "done", "admin-consent-workflow": "done", "user-consent": "pending", "blocked-signins": "pending"},
	"approved":   {"consent-request-sent": "done", "reviewers-notified": "done", "admin-consent-granted": "done", "users-assigned": "done", "admin-consent-workflow": "done", "user-consent": "pending", "blocked-signins": "done"},
	"partial":    {"consent-request-sent": "done", "reviewers-notified": "done", "admin-consent-granted": "pending", "users-assigned": "pending", "admin-consent-workflow": "done", "user-consent": "pending", "blocked-signins": "pending"},
	"unlicensed": {"consent-request-sent": "done", "reviewers-notified": "done", "admin-consent-granted": "done", "users-assigned": "done", "admin-consent-workflow": "done", "user-consent": "pending", "blocked-signins": "unknown"},
}

func TestBrowserWidget(t *testing.T) {
	b := browsertest.New(t)
	cfg, res := buildSample(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	demos := &demoSet{ctx: ctx, run: map[string]*graph.Demo{}}

	// The provider signs in the demo tenant's user, and the access token it
	// issues is the one the demo Graph accepts, so the signed-in run goes
	// through the real SDK path.
	prov := newTestProvider(t, map[string]testUser{"": {Tenant: "0c1d2e3f-0000-4000-8000-000000000001", OID: demoUserID, UPN: "adele.vance@contoso.example", Name: "Adele (demo user)", Access: "livedocs-demo"}})
	site := httptest.NewUnstartedServer(nil)
	approved, err := demos.get("approved", checks.Request{AppID: cfg.Checks.AppID, Scopes: cfg.Checks.Scopes})
	if err != nil {
		t.Fatal(err)
	}
	src, err := graph.New(graph.Config{BaseURL: approved.URL})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := New(Config{
		Authority:     prov.authority(),
		ClientID:      "checker",
		RedirectURL:   "http://" + site.Listener.Addr().String() + "/__checks/callback",
		SessionKeys:   [][]byte{keyA},
		Pages:         samplePages(res, cfg),
		DefaultApp:    Page{AppID: cfg.Checks.AppID, Scopes: cfg.Checks.Scopes},
		Demo:          demos.evaluate,
		SessionRate:   Rate{PerMinute: 600, Burst: 300},
		DemoScenarios: graph.DemoScenarios(),
		Live: func(ctx context.Context, tok string, req checks.Request) (checks.Report, error) {
			ev := checks.Evaluator{Source: src}
			return ev.Evaluate(graph.WithToken(ctx, graph.Token(tok)), req)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	site.Config.Handler = siteHandler(res, svc)
	site.Start()
	t.Cleanup(site.Close)
	page := site.URL + approvalPage

	b.RecordClipboardWrites()
	b.GrantClipboard(site.URL)

	t.Run("signed out", func(t *testing.T) {
		if st := b.Navigate(page); st != 200 {
			t.Fatalf("status %d", st)
		}
		waitFor(t, b, `document.querySelector('article').classList.contains('checks-ready')`)
		n := browsertest.Eval[int](b, `document.querySelectorAll('article [data-check] > .check-status > button.check-cta').length`)
		tied := browsertest.Eval[int](b, `document.querySelectorAll('article [data-check]').length`)
		if n != tied || tied != 8 {
			t.Errorf("%d Check my tenant controls for %d tied elements, want 8", n, tied)
		}
		bar := browsertest.Eval[string](b, `document.querySelector('.checks-bar').textContent`)
		for _, want := range []string{"Sign in to check my tenant", "Try the demo tenant", "only reads"} {
			if !strings.Contains(bar, want) {
				t.Errorf("bar %q lacks %q", bar, want)
			}
		}
		if s := browsertest.Eval[int](b, `document.querySelectorAll('[data-check-state]').length`); s != 0 {
			t.Errorf("%d states while signed out", s)
		}
		if cls := browsertest.Eval[float64](b, layoutShiftJS); cls > 0.02 {
			t.Errorf("signed-out widget shifted the layout by %.4f", cls)
		} else {
			t.Logf("layout shift, signed out: %.4f", cls)
		}
		b.ExpectNoConsoleErrors()
	})

	for _, sc := range graph.DemoScenarios() {
		t.Run("demo "+sc, func(t *testing.T) {
			b.Navigate(page)
			waitFor(t, b, `!!document.querySelector('#checks-scenario')`)
			pick(t, b, sc)
			waitFor(t, b, fmt.Sprintf(`document.querySelector('article').dataset.checksScenario === %q && !!document.querySelector('[data-check-state]')`, sc))
			got := browsertest.Eval[map[string]string](b, statesJS)
			for id, want := range wantStates[sc] {
				if got[id] != want {
					t.Errorf("%s: %s is %q, want %q", sc, id, got[id], want)
				}
			}
			// Both steps tied to reviewers-notified carry its state.
			if n := browsertest.Eval[int](b, `document.querySelectorAll('[data-check="reviewers-notified"][data-check-state]').length`); n != 2 {
				t.Errorf("%d of 2 reviewers-notified steps marked", n)
			}
			done := 0
			for _, st := range wantStates[sc] {
				if st == "done" {
					done++
				}
			}
			if wantStates[sc]["reviewers-notified"] == "done" {
				done++
			}
			bar := browsertest.Eval[string](b, `document.querySelector('.checks-bar').textContent`)
			if !strings.Contains(bar, fmt.Sprintf("%d of 8 steps done", done)) || !strings.Contains(bar, "Demo tenant") {
				t.Errorf("bar: %q", bar)
			}
			// The app's name is text, never markup.
			if n := browsertest.Eval[int](b, `document.querySelectorAll('article img[src="x"]').length`); n != 0 {
				t.Errorf("the app name became %d img elements", n)
			}
			if sc == "blocked" && !strings.Contains(browsertest.Eval[string](b, `document.querySelector('[data-check="admin-consent-granted"] .check-evidence').textContent`), xssName) {
				t.Error("evidence does not show the app name as text")
			}
			b.ExpectNoConsoleErrors()
		})
	}

	t.Run("next and copy", func(t *testing.T) {
		b.Navigate(page)
		waitFor(t, b, `!!document.querySelector('#checks-scenario')`)
		pick(t, b, "blocked")
		waitFor(t, b, `document.querySelector('article').dataset.checksScenario === 'blocked' && !!document.querySelector('[data-check-state]')`)
		b.Navigate("about:blank")
		b.Navigate(page + "#next")
		waitFor(t, b, `!!document.querySelector('[data-check-state]')`)
		waitFor(t, b, `document.activeElement && document.activeElement.id === 'request-approval'`)
		if cls := browsertest.Eval[float64](b, layoutShiftJS); cls > 0.02 {
			t.Errorf("badges shifted the layout by %.4f", cls)
		} else {
			t.Logf("layout shift, demo badges: %.4f", cls)
		}
		if href := browsertest.Eval[string](b, `document.querySelector('.checks-next').getAttribute('href')`); href != "#request-approval" {
			t.Errorf("next link %q", href)
		}
		b.Do(chromedp.Click(chromedp.CSS(`button[data-copy="admin"]`)))
		b.Do(chromedp.Click(chromedp.CSS(`button[data-copy="support"]`)))
		var writes []string
		for i := 0; i < 50 && len(writes) < 2; i++ {
			writes = b.ClipboardWrites()
			time.Sleep(40 * time.Millisecond)
		}
		if len(writes) < 2 {
			t.Fatalf("clipboard writes: %q", writes)
		}
		admin, support := writes[len(writes)-2], writes[len(writes)-1]
		for _, want := range []string{"DEMO TENANT", "User: adele.vance@contoso.example", "Tenant: contoso.example (demo)", "error code AADSTS90095", "correlation ID d79f5bee", "Checked at: 20"} {
			if !strings.Contains(admin, want) {
				t.Errorf("admin details lack %q:\n%s", want, admin)
			}
		}
		for _, want := range []string{"1 of 8 steps done", "[pending] admin-consent-workflow:", "[done] users-assigned:", "Article 1006"} {
			if !strings.Contains(support, want) {
				t.Errorf("support summary lacks %q:\n%s", want, support)
			}
		}
		for _, text := range writes {
			if strings.Contains(text, "livedocs-demo") || strings.Contains(strings.ToLower(text), "csrf") {
				t.Errorf("copied text carries a secret:\n%s", text)
			}
		}
		live := browsertest.Eval[string](b, `document.querySelector('.checks-live').textContent`)
		if !strings.Contains(live, "copied") {
			t.Errorf("live region says %q after copying", live)
		}
		// Leave the demo.
		b.Do(chromedp.Click(chromedp.CSS(`.checks-actions button:last-child`)))
		waitFor(t, b, `document.querySelector('article').dataset.checksMode === 'signed-out'`)
		b.ExpectNoConsoleErrors()
	})

	t.Run("signed in", func(t *testing.T) {
		b.Navigate(page)
		waitFor(t, b, `!!document.querySelector('.checks-primary')`)
		b.Do(chromedp.Click(chromedp.CSS(`.checks-primary`)))
		waitFor(t, b, `location.pathname === '`+approvalPage+`' && !!document.querySelector('article[data-checks-mode="live"]') && !!document.querySelector('[data-check-state]')`)
		got := browsertest.Eval[map[string]string](b, statesJS)
		for id, want := range wantStates["approved"] {
			if got[id] != want {
				t.Errorf("signed in: %s is %q, want %q", id, got[id], want)
			}
		}
		bar := browsertest.Eval[string](b, `document.querySelector('.checks-bar').textContent`)
		if !strings.Contains(bar, "Signed in as adele.vance@contoso.example") || strings.Contains(bar, "Demo") {
			t.Errorf("bar: %q", bar)
		}
		if prov.badPKCE != 0 || prov.exchanges != 1 {
			t.Errorf("provider: %d exchanges, %d PKCE failures", prov.exchanges, prov.badPKCE)
		}
		if c := browsertest.Eval[string](b, `document.cookie`); c != "" {
			t.Errorf("page scripts can read cookies: %q", c)
		}
		b.ExpectNoConsoleErrors()
	})

	t.Run("service unreachable", func(t *testing.T) {
		static := httptest.NewServer(siteHandler(res, nil))
		t.Cleanup(static.Close)
		b.Navigate(static.URL + approvalPage)
		waitFor(t, b, `document.querySelector('article').classList.contains('checks-off')`)
		if n := browsertest.Eval[int](b, `document.querySelectorAll('.checks-bar, .check-cta, [data-check-state]').length`); n != 0 {
			t.Errorf("%d widget elements without a service", n)
		}
		if h := browsertest.Eval[float64](b, `document.querySelector('.article-header').getBoundingClientRect().height`); h > 250 {
			t.Errorf("without a service the header still reserves space for the bar (%v px)", h)
		}
		// The browser logs the service's 404; the widget itself logs nothing.
		b.ExpectNoConsoleErrors(func(m chromedp.ConsoleMessage) bool {
			return m.Source == "network" && strings.Contains(m.Text, "404") && strings.HasPrefix(m.URL, static.URL+"/__checks/api/state?")
		})
	})
}
