package graph

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"livedocs/checks"
)

const testToken = "test-token-3f9c"

// fault replaces Graph's answer to a whole $batch or to one item in it.
type fault struct {
	status  int
	headers map[string]string
	body    string // raw; may be malformed
	omit    bool   // leave the item out of the batch answer
	hang    bool   // never answer
	rawItem string // replace the whole item JSON (item faults only)
}

// fakeGraph is a Graph-compatible test server. It checks every $batch it
// receives (uncompressed, Authorization, relative item URLs, known paths, exact
// filters), answers from a demo tenant, and injects faults.
type fakeGraph struct {
	t       testing.TB
	srv     *httptest.Server
	tenant  *demoTenant
	token   string
	latency time.Duration

	// topFault is asked for every $batch (n counts batches from 1);
	// itemFault for every item (n counts requests to that path from 1).
	topFault  func(n int) *fault
	itemFault func(path string, n int) *fault

	mu      sync.Mutex
	batches int
	paths   map[string]int
	urls    []string
}

func newFake(t testing.TB, scenario string, app DemoApp) *fakeGraph {
	t.Helper()
	tenant, err := newDemoTenant(scenario, app, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeGraph{t: t, tenant: tenant, token: testToken, paths: map[string]int{}}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeGraph) source(t testing.TB) *Source {
	t.Helper()
	s, err := New(Config{BaseURL: f.srv.URL + "/v1.0", Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *fakeGraph) batchCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.batches
}

func (f *fakeGraph) seen() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.urls...)
}

func (f *fakeGraph) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.latency > 0 {
		select {
		case <-time.After(f.latency):
		case <-r.Context().Done():
			return
		}
	}
	if r.Method != http.MethodPost || r.URL.Path != "/v1.0/$batch" {
		f.t.Errorf("fake graph: got %s %s, want POST /v1.0/$batch", r.Method, r.URL.Path)
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	if got := r.Header.Get("Content-Encoding"); got != "" {
		f.t.Errorf("fake graph: Content-Encoding %q, want none (the body is sent uncompressed)", got)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		f.t.Errorf("fake graph: Content-Type %q", ct)
	}
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		writeJSON(w, http.StatusUnauthorized, []byte(`{"error":{"code":"InvalidAuthenticationToken","message":"Lifetime validation failed, the token is expired."}}`))
		return
	}
	br, err := readBatch(r)
	if err != nil {
		f.t.Errorf("fake graph: %v", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.batches++
	n := f.batches
	f.mu.Unlock()
	if f.topFault != nil {
		if ft := f.topFault(n); ft != nil {
			if ft.hang {
				<-r.Context().Done()
				return
			}
			for k, v := range ft.headers {
				w.Header().Set(k, v)
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(ft.status)
			_, _ = w.Write([]byte(ft.body))
			return
		}
	}
	ids := map[string]bool{}
	var items []string
	for _, req := range br.Requests {
		if req.ID == "" || ids[req.ID] {
			f.t.Errorf("fake graph: item id %q missing or repeated", req.ID)
		}
		ids[req.ID] = true
		f.check(req.Method, req.URL)
		u, _ := url.Parse(req.URL)
		path := ""
		if u != nil {
			path = u.Path
		}
		f.mu.Lock()
		f.paths[path]++
		count := f.paths[path]
		if len(f.urls) < 500 { // bounded, so benchmarks measure the client's memory
			f.urls = append(f.urls, req.URL)
		}
		f.mu.Unlock()
		var ft *fault
		if f.itemFault != nil {
			ft = f.itemFault(path, count)
		}
		switch {
		case ft == nil:
			status, body := f.tenant.answer(req.Method, req.URL)
			items = append(items, itemJSON(req.ID, status, nil, string(body)))
		case ft.omit:
		case ft.rawItem != "":
			items = append(items, strings.ReplaceAll(ft.rawItem, "{{ID}}", req.ID))
		default:
			items = append(items, itemJSON(req.ID, ft.status, ft.headers, ft.body))
		}
	}
	writeJSON(w, http.StatusOK, []byte(`{"responses":[`+strings.Join(items, ",")+`]}`))
}

func itemJSON(id string, status int, headers map[string]string, body string) string {
	h := map[string]string{"Content-Type": "application/json"}
	for k, v := range headers {
		h[k] = v
	}
	hb, _ := json.Marshal(h)
	idb, _ := json.Marshal(id)
	s := `{"id":` + string(idb) + `,"status":` + itoa(status) + `,"headers":` + string(hb)
	if body != "" {
		s += `,"body":` + body
	}
	return s + "}"
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// check validates one batch item's method, URL and filter.
func (f *fakeGraph) check(method, raw string) {
	t := f.t
	if method != http.MethodGet {
		t.Errorf("fake graph: item method %s, want GET", method)
	}
	if !strings.HasPrefix(raw, "/") || strings.Contains(raw, "://") || strings.Contains(raw, "graph.microsoft.com") {
		t.Errorf("fake graph: item URL %q is not relative to the batch's base URL", raw)
		return
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Errorf("fake graph: item URL %q: %v", raw, err)
		return
	}
	app := f.tenant.app
	filter := u.Query().Get("$filter")
	switch p := u.Path; {
	case p == "/servicePrincipals":
		if want := "appId eq '" + app.AppID + "'"; filter != want {
			t.Errorf("fake graph: servicePrincipals $filter %q, want %q", filter, want)
		}
	case p == "/oauth2PermissionGrants":
		if want := "clientId eq '" + f.tenant.spID + "'"; filter != want {
			t.Errorf("fake graph: oauth2PermissionGrants $filter %q, want %q", filter, want)
		}
	case p == "/identityGovernance/appConsent/appConsentRequests":
		if want := "appId eq '" + app.AppID + "'"; filter != want {
			t.Errorf("fake graph: appConsentRequests $filter %q, want %q", filter, want)
		}
	case p == "/auditLogs/signIns":
		prefix := "appId eq '" + app.AppID + "' and userPrincipalName eq '" + app.User + "' and createdDateTime ge "
		if !strings.HasPrefix(filter, prefix) || !strings.Contains(filter, "status/errorCode eq 90095 or status/errorCode eq 90094 or status/errorCode eq 65001 or status/errorCode eq 50105") {
			t.Errorf("fake graph: signIns $filter %q", filter)
		}
		since := strings.Fields(strings.TrimPrefix(filter, prefix))[0]
		ts, err := time.Parse(time.RFC3339, since)
		if err != nil || time.Since(ts) < 7*24*time.Hour-time.Minute || time.Since(ts) > 7*24*time.Hour+time.Minute {
			t.Errorf("fake graph: signIns since %q is not 7 days ago", since)
		}
	case p == "/policies/adminConsentRequestPolicy", p == "/policies/authorizationPolicy",
		p == "/servicePrincipals(appId='"+GraphAppID+"')/delegatedPermissionClassifications",
		p == "/users/"+app.User, p == "/users/"+app.User+"/transitiveMemberOf",
		p == "/servicePrincipals/"+f.tenant.spID+"/appRoleAssignedTo",
		strings.HasPrefix(p, "/identityGovernance/appConsent/appConsentRequests/") && strings.HasSuffix(p, "/userConsentRequests"):
		if filter != "" {
			t.Errorf("fake graph: unexpected $filter %q on %s", filter, p)
		}
	default:
		t.Errorf("fake graph: unexpected item path %q", p)
	}
}

// evaluate runs every check for the demo app and user.
func evaluate(t testing.TB, src checks.Source, app DemoApp, timeout time.Duration) checks.Report {
	t.Helper()
	app = app.withDefaults()
	ev := &checks.Evaluator{Source: src, Timeout: timeout}
	rep, err := ev.Evaluate(context.Background(), checks.Request{TenantID: "contoso.example", AppID: app.AppID, Scopes: app.Scopes, User: app.User})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func states(rep checks.Report) map[string]checks.State {
	m := map[string]checks.State{}
	for _, r := range rep.Checks {
		m[r.ID] = r.State
	}
	return m
}

func result(t testing.TB, rep checks.Report, id string) checks.Result {
	t.Helper()
	for _, r := range rep.Checks {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no result for %s", id)
	return checks.Result{}
}
