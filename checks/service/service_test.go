package service

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"livedocs/checks"
)

// offsetClock is the real time plus an adjustable offset, so tests can
// jump past expiries while tokens minted with the real time stay valid.
type offsetClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *offsetClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *offsetClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

var (
	keyA = []byte("0123456789abcdef0123456789abcdef")
	keyB = []byte("fedcba9876543210fedcba9876543210")
)

const testPage = "1006"

// harness runs the service behind a tiny site on a loopback server, with
// the test provider for sign-in.
type harness struct {
	t     *testing.T
	prov  *testProvider
	svc   *Service
	site  *httptest.Server
	clock *offsetClock

	mu        sync.Mutex
	liveCalls []string // access tokens the live evaluator was given
}

func testPages(key string) (Page, bool) {
	if key == testPage || key == "/a/1006/" {
		return Page{ID: testPage, Path: "/a/1006/", Checks: []string{checks.AdminConsentWorkflow, checks.BlockedSignIns}, AppID: "app-1", Scopes: []string{"User.Read"}}, true
	}
	return Page{}, false
}

func newHarness(t *testing.T, users map[string]testUser, mut func(*Config)) *harness {
	t.Helper()
	h := &harness{t: t, prov: newTestProvider(t, users), clock: &offsetClock{}}
	var inner http.Handler
	site := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/__checks/") {
			inner.ServeHTTP(w, r)
			return
		}
		fmt.Fprintf(w, "article %s", r.URL.Path)
	}))
	cfg := Config{
		Authority:     h.prov.authority(),
		ClientID:      "checker-client-id",
		ClientSecret:  "checker-secret",
		RedirectURL:   "http://" + site.Listener.Addr().String() + "/__checks/callback",
		SessionKeys:   [][]byte{keyA},
		Pages:         testPages,
		DefaultApp:    Page{AppID: "default-app", Scopes: []string{"User.Read"}},
		DemoScenarios: []string{"blocked", "approved"},
		Now:           h.clock.Now,
		Live: func(ctx context.Context, tok string, req checks.Request) (checks.Report, error) {
			h.mu.Lock()
			h.liveCalls = append(h.liveCalls, tok)
			h.mu.Unlock()
			rep := checks.Report{Tenant: req.TenantID, User: req.User, AppID: req.AppID, Time: time.Now()}
			for _, id := range req.CheckIDs {
				rep.Checks = append(rep.Checks, checks.Result{ID: id, State: checks.Done, Evidence: "read with " + strings.ToUpper(tok) + " for " + req.TenantID + "/" + req.User})
			}
			return rep, nil
		},
		Demo: func(ctx context.Context, sc string, req checks.Request) (checks.Report, error) {
			rep := checks.Report{Tenant: "contoso.example (demo)", Demo: true, Scenario: sc}
			for _, id := range req.CheckIDs {
				st := checks.Pending
				if sc == "approved" {
					st = checks.Done
				}
				rep.Checks = append(rep.Checks, checks.Result{ID: id, State: st, Evidence: "demo " + sc})
			}
			return rep, nil
		},
	}
	if mut != nil {
		mut(&cfg)
	}
	svc, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.svc, inner = svc, svc
	site.Start()
	t.Cleanup(site.Close)
	h.site = site
	return h
}

// client is a browser stand-in: a cookie jar, following redirects.
func (h *harness) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 20 * time.Second}
}

func (h *harness) get(c *http.Client, path string) (*http.Response, string) {
	h.t.Helper()
	resp, err := c.Get(h.site.URL + path)
	if err != nil {
		h.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (h *harness) state(c *http.Client) State {
	h.t.Helper()
	resp, body := h.get(c, "/__checks/api/state?page="+testPage)
	if resp.StatusCode != 200 {
		h.t.Fatalf("state: %d %s", resp.StatusCode, body)
	}
	var st State
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		h.t.Fatalf("state: %v in %s", err, body)
	}
	return st
}

func (h *harness) post(c *http.Client, path, csrf string, form url.Values) (*http.Response, string) {
	h.t.Helper()
	req, _ := http.NewRequest("POST", h.site.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if csrf != "" {
		req.Header.Set(csrfHeader, csrf)
	}
	resp, err := c.Do(req)
	if err != nil {
		h.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// signIn runs the whole flow and returns where the browser landed.
func (h *harness) signIn(c *http.Client, hint string) (*http.Response, string) {
	h.t.Helper()
	q := url.Values{"return": {"/a/1006/#next"}, "page": {testPage}}
	if hint != "" {
		q.Set("tenant", hint)
	}
	return h.get(c, "/__checks/login?"+q.Encode())
}

func cookieValues(c *http.Client, u string) map[string]string {
	pu, _ := url.Parse(u)
	out := map[string]string{}
	for _, ck := range c.Jar.Cookies(pu) {
		out[ck.Name] = ck.Value
	}
	return out
}

var userA = testUser{Tenant: "11111111-1111-1111-1111-111111111111", OID: "aaaaaaaa-0000-0000-0000-000000000001", UPN: "ana@fabrikam.example", Name: "Ana", Access: "at-tenant-a"}
var userB = testUser{Tenant: "22222222-2222-2222-2222-222222222222", OID: "bbbbbbbb-0000-0000-0000-000000000002", UPN: "ben@contoso.example", Name: "Ben", Access: "at-tenant-b"}

func TestSignInFlow(t *testing.T) {
	h := newHarness(t, map[string]testUser{"": userA}, nil)
	c := h.client()
	st := h.state(c)
	if st.Mode != "signed-out" || st.CSRF == "" || st.Report != nil {
		t.Fatalf("before sign-in: %+v", st)
	}
	resp, body := h.signIn(c, "")
	defer func() {
		if st2 := h.state(c); st2.CSRF == st.CSRF {
			t.Error("the CSRF token survived sign-in")
		}
	}()
	if resp.Request.URL.Path != "/a/1006/" || body != "article /a/1006/" {
		t.Fatalf("landed on %s: %q", resp.Request.URL, body)
	}
	az := h.prov.lastAuthorize()
	if az.Get("client_id") != "checker-client-id" || az.Get("redirect_uri") != h.svc.cfg.RedirectURL {
		t.Errorf("authorize: client %q redirect %q", az.Get("client_id"), az.Get("redirect_uri"))
	}
	// Incremental consent: the page ties admin-consent-workflow and
	// blocked-signins, so Policy.Read.All, AuditLog.Read.All and
	// Directory.Read.All, and nothing that other checks need.
	scope := az.Get("scope")
	for _, want := range []string{"openid", "profile", "offline_access", "Policy.Read.All", "AuditLog.Read.All", "Directory.Read.All"} {
		if !hasScope(scope, want) {
			t.Errorf("scope %q lacks %s", scope, want)
		}
	}
	for _, not := range []string{"ConsentRequest.Read.All", "Application.Read.All", "User.Read.All"} {
		if hasScope(scope, not) {
			t.Errorf("scope %q asks for %s, which no check of the page needs", scope, not)
		}
	}
	if h.prov.badPKCE != 0 || h.prov.exchanges != 1 {
		t.Errorf("exchanges %d, PKCE failures %d", h.prov.exchanges, h.prov.badPKCE)
	}
	st = h.state(c)
	if st.Mode != "live" || st.Tenant != userA.Tenant || st.User != userA.UPN || st.Report == nil {
		t.Fatalf("after sign-in: %+v", st)
	}
	if len(st.Report.Checks) != 2 || !strings.Contains(st.Report.Checks[0].Evidence, "read with AT-TENANT-A for "+userA.Tenant+"/"+userA.OID) {
		t.Fatalf("report: %+v", st.Report.Checks)
	}
	// The token stays server-side: not in the JSON, not readable in the cookie.
	raw, _ := json.Marshal(st)
	for name, v := range cookieValues(c, h.site.URL) {
		if strings.Contains(v, "at-tenant-a") || strings.Contains(v, "rt-") {
			t.Errorf("cookie %s carries a token in clear", name)
		}
	}
	if strings.Contains(string(raw), "at-tenant-a") || strings.Contains(string(raw), "rt-") {
		t.Errorf("state JSON carries a token: %s", raw)
	}
	// Cached: a second view does not evaluate again; refresh does.
	h.state(c)
	if n := len(h.liveCalls); n != 1 {
		t.Errorf("live evaluations after two views: %d, want 1", n)
	}
	resp, body = h.post(c, "/__checks/api/refresh?page="+testPage, st.CSRF, nil)
	if resp.StatusCode != 200 || len(h.liveCalls) != 2 {
		t.Errorf("refresh: %d %s, %d evaluations", resp.StatusCode, body, len(h.liveCalls))
	}
	// Sign-out clears the session.
	resp, body = h.post(c, "/__checks/logout", st.CSRF, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("logout: %d %s", resp.StatusCode, body)
	}
	if st := h.state(c); st.Mode != "signed-out" {
		t.Errorf("after logout: mode %s", st.Mode)
	}
}

func TestAccessTokenRefreshed(t *testing.T) {
	h := newHarness(t, map[string]testUser{"": userA}, nil)
	c := h.client()
	h.signIn(c, "")
	h.clock.Advance(59 * time.Minute) // the access token is about to expire
	before := h.prov.exchanges
	if st := h.state(c); st.Mode != "live" {
		t.Fatalf("mode %s after refresh", st.Mode)
	}
	if h.prov.exchanges != before {
		t.Errorf("refresh used the authorization code grant")
	}
	h.clock.Advance(9 * time.Hour) // past the session's end
	st := h.state(c)
	if st.Mode != "signed-out" || st.Notice == "" {
		t.Errorf("expired session: mode %s notice %q", st.Mode, st.Notice)
	}
}

func TestCallbackRejections(t *testing.T) {
	users := map[string]testUser{"": userA}
	// startLogin follows /login to the provider and returns the callback
	// URL the provider sent the browser to, without following it.
	startLogin := func(h *harness, c *http.Client) *url.URL {
		t.Helper()
		c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
			if req.URL.Path == "/__checks/callback" {
				return http.ErrUseLastResponse
			}
			return nil
		}
		defer func() { c.CheckRedirect = nil }()
		resp, _ := h.get(c, "/__checks/login?return=/a/1006/&page="+testPage)
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("login: %d", resp.StatusCode)
		}
		u, err := url.Parse(resp.Header.Get("Location"))
		if err != nil || u.Query().Get("code") == "" {
			t.Fatalf("no code in %s", resp.Header.Get("Location"))
		}
		return u
	}
	expectRefused := func(h *harness, c *http.Client, cb *url.URL, wantText string) {
		t.Helper()
		resp, body := h.get(c, cb.RequestURI())
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, wantText) {
			t.Errorf("callback: %d, want 400 with %q in\n%s", resp.StatusCode, wantText, body)
		}
		if st := h.state(c); st.Mode != "signed-out" {
			t.Errorf("mode %s after a refused callback", st.Mode)
		}
	}

	t.Run("wrong state", func(t *testing.T) {
		h := newHarness(t, users, nil)
		c := h.client()
		cb := startLogin(h, c)
		q := cb.Query()
		q.Set("state", q.Get("state")+"x")
		cb.RawQuery = q.Encode()
		expectRefused(h, c, cb, "does not belong to the sign-in")
		if h.prov.exchanges != 0 {
			t.Errorf("the code was redeemed despite the wrong state")
		}
	})
	t.Run("no login cookie", func(t *testing.T) {
		h := newHarness(t, users, nil)
		cb := startLogin(h, h.client())
		expectRefused(h, h.client(), cb, "Sign-in expired")
	})
	t.Run("replayed callback", func(t *testing.T) {
		h := newHarness(t, users, nil)
		c := h.client()
		cb := startLogin(h, c)
		// An attacker who copied the login cookie and the callback URL.
		saved := c.Jar.Cookies(cb)
		if resp, _ := h.get(c, cb.RequestURI()); resp.Request.URL.Path != "/a/1006/" {
			t.Fatalf("first callback landed on %s", resp.Request.URL)
		}
		c2 := h.client()
		c2.Jar.SetCookies(cb, saved)
		expectRefused(h, c2, cb, "already used")
	})
	t.Run("replayed code", func(t *testing.T) {
		h := newHarness(t, users, nil)
		c := h.client()
		cb := startLogin(h, c)
		h.get(c, cb.RequestURI())
		// A new sign-in, but the old code pasted into its callback.
		c2 := h.client()
		cb2 := startLogin(h, c2)
		q := cb2.Query()
		q.Set("code", cb.Query().Get("code"))
		cb2.RawQuery = q.Encode()
		expectRefused(h, c2, cb2, "did not accept")
		if h.prov.reused != 1 {
			t.Errorf("provider saw %d reused codes, want 1", h.prov.reused)
		}
	})
	t.Run("wrong nonce", func(t *testing.T) {
		h := newHarness(t, users, nil)
		h.prov.nonceOverride = "not-the-nonce"
		c := h.client()
		expectRefused(h, c, startLogin(h, c), "nonce")
	})
	t.Run("wrong issuer", func(t *testing.T) {
		h := newHarness(t, users, nil)
		h.prov.issuerOverride = h.prov.srv.URL + "/33333333-3333-3333-3333-333333333333/v2.0"
		c := h.client()
		expectRefused(h, c, startLogin(h, c), "unexpected authority")
	})
	t.Run("login cookie expired", func(t *testing.T) {
		h := newHarness(t, users, nil)
		c := h.client()
		cb := startLogin(h, c)
		h.clock.Advance(6 * time.Minute)
		expectRefused(h, c, cb, "Sign-in expired")
	})
}

func TestSessionCookieRejected(t *testing.T) {
	h := newHarness(t, map[string]testUser{"": userA}, nil)
	c := h.client()
	h.signIn(c, "")
	if st := h.state(c); st.Mode != "live" {
		t.Fatalf("mode %s", st.Mode)
	}
	site, _ := url.Parse(h.site.URL)
	jarCopy := func(edit func(name, v string) string) *http.Client {
		c2 := h.client()
		var cks []*http.Cookie
		for _, ck := range c.Jar.Cookies(site) {
			cks = append(cks, &http.Cookie{Name: ck.Name, Value: edit(ck.Name, ck.Value), Path: "/"})
		}
		c2.Jar.SetCookies(site, cks)
		return c2
	}
	t.Run("tampered", func(t *testing.T) {
		c2 := jarCopy(func(name, v string) string {
			if name != cookieSession {
				return v
			}
			b := []byte(v)
			i := len(b) / 2
			if b[i] == 'A' {
				b[i] = 'B'
			} else {
				b[i] = 'A'
			}
			return string(b)
		})
		if st := h.state(c2); st.Mode != "signed-out" {
			t.Errorf("tampered cookie: mode %s", st.Mode)
		}
	})
	t.Run("truncated", func(t *testing.T) {
		c2 := jarCopy(func(name, v string) string {
			if name == cookieSession {
				return v[:len(v)-10]
			}
			return v
		})
		if st := h.state(c2); st.Mode != "signed-out" {
			t.Errorf("truncated cookie: mode %s", st.Mode)
		}
	})
	t.Run("another key", func(t *testing.T) {
		other := newHarness(t, map[string]testUser{"": userA}, func(cfg *Config) { cfg.SessionKeys = [][]byte{keyB} })
		c2 := jarCopy(func(_, v string) string { return v })
		otherURL, _ := url.Parse(other.site.URL)
		c2.Jar.SetCookies(otherURL, c.Jar.Cookies(site))
		if st := other.state(c2); st.Mode != "signed-out" {
			t.Errorf("cookie from another key: mode %s", st.Mode)
		}
	})
	t.Run("rotated key", func(t *testing.T) {
		rotated := newHarness(t, map[string]testUser{"": userA}, func(cfg *Config) { cfg.SessionKeys = [][]byte{keyB, keyA} })
		rotated.prov = h.prov
		c2 := h.client()
		ru, _ := url.Parse(rotated.site.URL)
		c2.Jar.SetCookies(ru, c.Jar.Cookies(site))
		if st := rotated.state(c2); st.Mode != "live" || st.Tenant != userA.Tenant {
			t.Errorf("cookie sealed with the old key after rotation: %+v", st)
		}
	})
	t.Run("expired", func(t *testing.T) {
		h.clock.Advance(8*time.Hour + time.Minute)
		if st := h.state(c); st.Mode != "signed-out" {
			t.Errorf("expired session: mode %s", st.Mode)
		}
	})
}

func TestSealPurposeBound(t *testing.T) {
	kr, err := newKeyring([][]byte{keyA})
	if err != nil {
		t.Fatal(err)
	}
	v, err := kr.seal(purposeLogin, []byte(`{"sid":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kr.open(purposeSession, v); err == nil {
		t.Error("a login cookie opened as a session cookie")
	}
	if b, err := kr.open(purposeLogin, v); err != nil || string(b) != `{"sid":"x"}` {
		t.Errorf("open: %q %v", b, err)
	}
}

func TestParseSessionKeys(t *testing.T) {
	keys, err := ParseSessionKeys("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=, " + strings.Repeat("ab", 32))
	if err != nil || len(keys) != 2 || string(keys[0]) != string(keyA) || keys[1][0] != 0xab {
		t.Fatalf("keys %q err %v", keys, err)
	}
	for _, bad := range []string{"", "c2hvcnQ=", "not base64 !!"} {
		if _, err := ParseSessionKeys(bad); err == nil {
			t.Errorf("ParseSessionKeys(%q) accepted", bad)
		}
	}
}

func TestTwoTenantsNeverMix(t *testing.T) {
	h := newHarness(t, map[string]testUser{"fabrikam.example": userA, "contoso.example": userB}, nil)
	ca, cb := h.client(), h.client()
	h.signIn(ca, "fabrikam.example")
	h.signIn(cb, "contoso.example")
	var wg sync.WaitGroup
	errs := make(chan string, 100)
	for i := 0; i < 20; i++ {
		for _, tc := range []struct {
			c    *http.Client
			u    testUser
			leak string
		}{{ca, userA, "at-tenant-b"}, {cb, userB, "at-tenant-a"}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest("GET", h.site.URL+"/__checks/api/state?page="+testPage, nil)
				if i%2 == 1 {
					req.URL.Path = "/__checks/api/state"
					req.URL.RawQuery = "page=" + testPage + "&checks=" + checks.BlockedSignIns
				}
				resp, err := tc.c.Do(req)
				if err != nil {
					errs <- err.Error()
					return
				}
				var st State
				json.NewDecoder(resp.Body).Decode(&st)
				resp.Body.Close()
				if st.Tenant != tc.u.Tenant || st.Report == nil {
					errs <- fmt.Sprintf("%s saw tenant %q", tc.u.UPN, st.Tenant)
					return
				}
				for _, r := range st.Report.Checks {
					if !strings.Contains(r.Evidence, strings.ToUpper(tc.u.Access)) || strings.Contains(r.Evidence, strings.ToUpper(tc.leak)) || !strings.Contains(r.Evidence, tc.u.Tenant) {
						errs <- fmt.Sprintf("%s saw %q", tc.u.UPN, r.Evidence)
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestConsentRequiredPage(t *testing.T) {
	h := newHarness(t, map[string]testUser{"": userA}, nil)
	h.prov.deny, h.prov.denyDesc = "access_denied", "AADSTS65004: User declined to consent to access the app."
	c := h.client()
	q := url.Values{"return": {"/a/1006/"}, "page": {testPage}, "tenant": {"fabrikam.example"}}
	resp, body := h.get(c, "/__checks/login?"+q.Encode())
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("consent page status %d", resp.StatusCode)
	}
	wantLink := h.prov.srv.URL + "/fabrikam.example/adminconsent?client_id=checker-client-id&amp;redirect_uri="
	for _, want := range []string{"cannot consent to the checker", wantLink, "<code>Policy.Read.All</code>", "<code>AuditLog.Read.All</code>", "AADSTS65004", `href="/a/1006/"`} {
		if !strings.Contains(body, want) {
			t.Errorf("consent page lacks %q", want)
		}
	}
	if strings.Contains(body, "ConsentRequest.Read.All") {
		t.Error("consent page lists a permission the page's checks do not need")
	}
	// The admin-consent redirect comes back to the callback without a code.
	resp, body = h.get(c, "/__checks/callback?admin_consent=True&tenant="+userA.Tenant)
	if resp.StatusCode != 200 || !strings.Contains(body, "approved the checker") {
		t.Errorf("admin consent return: %d %s", resp.StatusCode, body)
	}
}

func TestSafeReturn(t *testing.T) {
	for in, want := range map[string]string{
		"/a/1006/#next":                 "/a/1006/#next",
		"/search/?q=x":                  "/search/?q=x",
		"":                              "/",
		"https://evil.example/":         "/",
		"//evil.example/":               "/",
		"/\\evil.example":               "/",
		"/a\\b":                         "/",
		"javascript:alert(1)":           "/",
		"/ok\r\nSet-Cookie: x=1":        "/",
		"relative/path":                 "/",
		"/" + strings.Repeat("a", 3000): "/",
	} {
		if got := safeReturn(in); got != want {
			t.Errorf("safeReturn(%q) = %q, want %q", in, got, want)
		}
	}
	h := newHarness(t, map[string]testUser{"": userA}, nil)
	resp, _ := h.signIn(h.client(), "")
	_ = resp
	c := h.client()
	resp, _ = h.get(c, "/__checks/login?return="+url.QueryEscape("https://evil.example/"))
	if resp.Request.URL.Host != strings.TrimPrefix(h.site.URL, "http://") || resp.Request.URL.Path != "/" {
		t.Errorf("an absolute return URL led to %s", resp.Request.URL)
	}
}

func TestCSRFAndDemo(t *testing.T) {
	h := newHarness(t, nil, nil)
	c := h.client()
	st := h.state(c)
	if len(st.Scenarios) != 2 || st.Login == "" {
		t.Fatalf("signed-out state: %+v", st)
	}
	if resp, body := h.post(c, "/__checks/demo", "", url.Values{"scenario": {"approved"}}); resp.StatusCode != 403 || !strings.Contains(body, `"code":"csrf"`) {
		t.Errorf("demo without CSRF token: %d %s", resp.StatusCode, body)
	}
	if resp, _ := h.post(c, "/__checks/demo", "wrong", url.Values{"scenario": {"approved"}}); resp.StatusCode != 403 {
		t.Errorf("demo with a wrong token: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("POST", h.site.URL+"/__checks/demo", strings.NewReader("scenario=approved"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(csrfHeader, st.CSRF)
	req.Header.Set("Origin", "https://evil.example")
	if resp, err := c.Do(req); err != nil || resp.StatusCode != 403 {
		t.Errorf("demo from another origin: %v %v", resp.StatusCode, err)
	}
	if resp, body := h.post(c, "/__checks/demo", st.CSRF, url.Values{"scenario": {"nonsense"}}); resp.StatusCode != 400 || !strings.Contains(body, "Unknown demo scenario") {
		t.Errorf("unknown scenario: %d %s", resp.StatusCode, body)
	}
	if resp, body := h.post(c, "/__checks/demo", st.CSRF, url.Values{"scenario": {"approved"}}); resp.StatusCode != 200 {
		t.Fatalf("demo: %d %s", resp.StatusCode, body)
	}
	st2 := h.state(c)
	if st2.Mode != "demo" || st2.Scenario != "approved" || !strings.Contains(st2.DemoLabel, "Demo tenant") || st2.Report == nil || st2.Report.Checks[0].State != checks.Done {
		t.Fatalf("demo state: %+v", st2)
	}
	if resp, _ := h.post(c, "/__checks/api/refresh?page="+testPage, "", nil); resp.StatusCode != 403 {
		t.Errorf("refresh without a token: %d", resp.StatusCode)
	}
	if resp, body := h.post(c, "/__checks/logout", st2.CSRF, nil); resp.StatusCode != 200 {
		t.Errorf("logout: %d %s", resp.StatusCode, body)
	}
	// The signed-out session that follows has a new token.
	if st3 := h.state(c); st3.Mode != "signed-out" || st3.CSRF == st2.CSRF {
		t.Errorf("after logout: mode %s, token kept %v", st3.Mode, st3.CSRF == st2.CSRF)
	}
	if resp, _ := h.post(c, "/__checks/demo", st2.CSRF, url.Values{"scenario": {"approved"}}); resp.StatusCode != 403 {
		t.Errorf("demo with the token of the ended session: %d", resp.StatusCode)
	}
	if resp, _ := h.get(c, "/__checks/demo"); resp.StatusCode == 200 {
		t.Errorf("GET /demo: %d", resp.StatusCode)
	}
}

func TestLimits(t *testing.T) {
	h := newHarness(t, nil, func(cfg *Config) { cfg.SessionRate = Rate{PerMinute: 6, Burst: 3} })
	c := h.client()
	for i := 0; i < 3; i++ {
		h.state(c)
	}
	resp, body := h.get(c, "/__checks/api/state?page="+testPage)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, `"code":"rate_limited"`) {
		t.Errorf("fourth request: %d %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	// Another session is not affected.
	if st := h.state(h.client()); st.Mode != "signed-out" {
		t.Errorf("another session: %+v", st)
	}
	big := strings.Repeat("x", 9000)
	resp, body = h.post(h.client(), "/__checks/demo", "t", url.Values{"scenario": {big}})
	if resp.StatusCode != 413 || !strings.Contains(body, `"code":"too_large"`) {
		t.Errorf("large body: %d %s", resp.StatusCode, body)
	}
	resp, body = h.get(h.client(), "/__checks/api/state?page="+testPage+"&checks=no-such-check")
	if resp.StatusCode != 400 || !strings.Contains(body, "Unknown check ID") {
		t.Errorf("unknown check: %d %s", resp.StatusCode, body)
	}

	ip := newHarness(t, nil, func(cfg *Config) { cfg.IPRate = Rate{PerMinute: 60, Burst: 2} })
	ip.state(ip.client())
	ip.state(ip.client())
	if resp, _ := ip.get(ip.client(), "/__checks/api/state?page="+testPage); resp.StatusCode != 429 {
		t.Errorf("per-IP limit: %d", resp.StatusCode)
	}
}
