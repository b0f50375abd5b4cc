package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"livedocs/checks"
)

const (
	D = checks.Done
	P = checks.Pending
	U = checks.Unknown
)

// wantStates is the documented outcome of each scenario, in catalog order:
// consent-request-sent, reviewers-notified, admin-consent-granted,
// users-assigned, admin-consent-workflow, user-consent, blocked-signins.
var wantStates = map[string][7]checks.State{
	"blocked":    {P, P, P, D, P, P, P},
	"requested":  {D, D, P, D, D, P, P},
	"approved":   {D, D, D, D, D, D, D},
	"partial":    {D, D, P, P, D, P, P},
	"unlicensed": {D, D, D, D, D, P, U},
}

func checkStates(t *testing.T, rep checks.Report, want [7]checks.State) {
	t.Helper()
	ids := checks.IDs()
	got := states(rep)
	for i, id := range ids {
		if got[id] != want[i] {
			r := result(t, rep, id)
			t.Errorf("%s: state %s, want %s (evidence %q, reason %q)", id, got[id], want[i], r.Evidence, r.Reason)
		}
	}
	for _, r := range rep.Checks {
		if r.State == checks.Unknown && r.Reason == "" {
			t.Errorf("%s: unknown without a reason", r.ID)
		}
		if r.State != checks.Unknown && r.Evidence == "" {
			t.Errorf("%s: %s without evidence", r.ID, r.State)
		}
	}
}

func TestScenariosThroughSDK(t *testing.T) {
	for _, sc := range DemoScenarios() {
		t.Run(sc, func(t *testing.T) {
			f := newFake(t, sc, DemoApp{})
			rep := evaluate(t, f.source(t), DemoApp{}, 5*time.Second)
			checkStates(t, rep, wantStates[sc])
			if rep.Demo {
				t.Error("a report from a real Source says demo")
			}
			if n := f.batchCount(); n < 1 || n > 2 {
				t.Errorf("%d $batch round trips, want 1 or 2", n)
			}
		})
	}
}

func TestEvidenceWording(t *testing.T) {
	f := newFake(t, "blocked", DemoApp{})
	rep := evaluate(t, f.source(t), DemoApp{}, 5*time.Second)
	r := result(t, rep, checks.BlockedSignIns)
	if r.Details == nil || r.Details.ErrorCode != 90095 || r.Details.CorrelationID != "d79f5bee-5860-4832-928f-3133e22ae912" || r.Details.User != "adele.vance@contoso.example" || r.Details.Time == "" {
		t.Errorf("blocked-signins details %+v", r.Details)
	}
	if !strings.Contains(r.Evidence, "90095") || !strings.Contains(r.Evidence, "admin approval required") {
		t.Errorf("blocked-signins evidence %q", r.Evidence)
	}
	r = result(t, rep, checks.ReviewersNotified)
	for _, part := range []string{"workflow is off", "not emailed", "no reviewers"} {
		if !strings.Contains(r.Evidence, part) {
			t.Errorf("reviewers-notified evidence %q lacks %q", r.Evidence, part)
		}
	}

	f = newFake(t, "partial", DemoApp{})
	rep = evaluate(t, f.source(t), DemoApp{}, 5*time.Second)
	r = result(t, rep, checks.AdminConsentGranted)
	if !strings.Contains(r.Evidence, "missing Calendars.Read") || len(r.Details.Missing) != 1 {
		t.Errorf("admin-consent-granted evidence %q details %+v", r.Evidence, r.Details)
	}
	if r := result(t, rep, checks.UserConsent); !strings.Contains(r.Evidence, "publisher is not verified") {
		t.Errorf("user-consent evidence %q", r.Evidence)
	}

	f = newFake(t, "requested", DemoApp{})
	rep = evaluate(t, f.source(t), DemoApp{}, 5*time.Second)
	if r := result(t, rep, checks.ConsentRequestSent); !strings.Contains(r.Evidence, "InProgress") || r.Details.Status != "InProgress" {
		t.Errorf("consent-request-sent evidence %q", r.Evidence)
	}

	f = newFake(t, "approved", DemoApp{})
	rep = evaluate(t, f.source(t), DemoApp{}, 5*time.Second)
	if r := result(t, rep, checks.UsersAssigned); !strings.Contains(r.Evidence, "not required") {
		t.Errorf("users-assigned evidence %q", r.Evidence)
	}
}

func TestRequestsRead(t *testing.T) {
	f := newFake(t, "partial", DemoApp{})
	evaluate(t, f.source(t), DemoApp{}, 5*time.Second)
	seen := strings.Join(f.seen(), "\n")
	for _, want := range []string{
		"/servicePrincipals?", "/policies/adminConsentRequestPolicy", "/policies/authorizationPolicy",
		"/delegatedPermissionClassifications", "/identityGovernance/appConsent/appConsentRequests?",
		"/userConsentRequests", "/oauth2PermissionGrants?", "/appRoleAssignedTo", "/transitiveMemberOf", "/auditLogs/signIns?",
	} {
		if !strings.Contains(seen, want) {
			t.Errorf("no request for %s; sent:\n%s", want, seen)
		}
	}
	if n := f.batchCount(); n != 2 {
		t.Errorf("%d batches, want 2 (independent reads, then dependent ones)", n)
	}

	// Only what the asked-for checks need.
	f = newFake(t, "partial", DemoApp{})
	app := DefaultDemoApp()
	ev := &checks.Evaluator{Source: f.source(t)}
	if _, err := ev.Evaluate(context.Background(), checks.Request{AppID: app.AppID, CheckIDs: []string{checks.AdminConsentWorkflow}}); err != nil {
		t.Fatal(err)
	}
	if got := f.seen(); len(got) != 1 || got[0] != "/policies/adminConsentRequestPolicy" || f.batchCount() != 1 {
		t.Errorf("admin-consent-workflow alone sent %q in %d batches", got, f.batchCount())
	}
}

func TestDemo(t *testing.T) {
	for _, sc := range DemoScenarios() {
		t.Run(sc, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			d, err := StartDemo(ctx, sc, DemoApp{})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if !strings.HasPrefix(d.URL, "http://127.0.0.1:") {
				t.Errorf("demo URL %s is not loopback", d.URL)
			}
			ev := &checks.Evaluator{Source: d.Source()}
			rep, err := ev.Evaluate(ctx, d.Fill(checks.Request{}))
			if err != nil {
				t.Fatal(err)
			}
			if !rep.Demo || rep.Scenario != sc || !strings.Contains(rep.Tenant, "demo") {
				t.Errorf("report does not say demo: demo=%v scenario=%q tenant=%q", rep.Demo, rep.Scenario, rep.Tenant)
			}
			checkStates(t, rep, wantStates[sc])
		})
	}
	if _, err := StartDemo(context.Background(), "nope", DemoApp{}); err == nil || !strings.Contains(err.Error(), "unknown scenario") {
		t.Errorf("unknown scenario: %v", err)
	}
}

func TestDemoStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	d, err := StartDemo(ctx, "approved", DemoApp{})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case <-d.done:
	case <-time.After(2 * time.Second):
		t.Fatal("demo server still running after its context ended")
	}
}

func TestDemoOtherApp(t *testing.T) {
	d, err := StartDemo(context.Background(), "approved", DemoApp{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	req := d.Fill(checks.Request{AppID: "11111111-2222-3333-4444-555555555555"})
	rep, err := (&checks.Evaluator{Source: d.Source()}).Evaluate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if s := states(rep)[checks.AdminConsentGranted]; s != checks.Pending {
		t.Errorf("an app the demo tenant does not have: admin-consent-granted %s, want pending", s)
	}
}

// TestFaults: no fault may panic or yield done for the checks it touches.
func TestFaults(t *testing.T) {
	licence := `{"error":{"code":"Authentication_RequestFromNonPremiumTenantOrB2CTenant","message":"Neither tenant is B2C or tenant doesn't have premium license","innerError":{"date":"2025-02-13T10:17:05","request-id":"93b6f17e-c05d-4f45-ad2a-6665c708d8a0"}}}`
	denied := `{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","innerError":{"date":"2025-02-13T10:17:06","request-id":"93b6f17e-c05d-4f45-ad2a-6665c708d8a0"}}}`
	throttled := `{"error":{"code":"TooManyRequests","innerError":{"code":"429","date":"2020-08-18T12:51:51","message":"Please retry after","request-id":"94fb3b52-452a-4535-a601-69e0a90e3aa2","status":"429"},"message":"Please retry again later."}}`
	onPath := func(path string, ft *fault) func(string, int) *fault {
		return func(p string, _ int) *fault {
			if p == path {
				return ft
			}
			return nil
		}
	}
	all := checks.IDs()
	tests := []struct {
		name      string
		scenario  string
		top       func(int) *fault
		item      func(string, int) *fault
		token     string
		timeout   time.Duration
		notDone   []string // checks that must not be done
		reason    map[string]string
		maxTime   time.Duration
		wantState map[string]checks.State
	}{
		{
			name:    "401 on the batch",
			token:   "wrong",
			notDone: all,
			reason:  map[string]string{checks.ReviewersNotified: "401 InvalidAuthenticationToken"},
		},
		{
			name: "500 on the batch",
			top: func(int) *fault {
				return &fault{status: 500, body: `{"error":{"code":"InternalServerError","message":"boom"}}`}
			},
			notDone: all,
			reason:  map[string]string{checks.UserConsent: "500 InternalServerError"},
		},
		{
			name: "503 on the batch every time",
			top: func(int) *fault {
				return &fault{status: 503, headers: map[string]string{"Retry-After": "0.05"}, body: `{"error":{"code":"ServiceUnavailable","message":"down"}}`}
			},
			notDone: all,
			reason:  map[string]string{checks.AdminConsentWorkflow: "503"},
		},
		{
			name:     "429 on the batch once, then fine",
			scenario: "partial",
			top: func(n int) *fault {
				if n == 1 {
					return &fault{status: 429, headers: map[string]string{"Retry-After": "0.2"}, body: throttled}
				}
				return nil
			},
			wantState: map[string]checks.State{checks.AdminConsentGranted: P, checks.UsersAssigned: P, checks.ReviewersNotified: D},
		},
		{
			name: "429 inside the batch once, then fine",
			item: func(p string, n int) *fault {
				return onPathN(p, n, "/policies/adminConsentRequestPolicy", &fault{status: 429, headers: map[string]string{"Retry-After": "0.2"}, body: throttled})
			},
			wantState: map[string]checks.State{checks.ReviewersNotified: D, checks.AdminConsentWorkflow: D},
		},
		{
			name:      "429 inside the batch past the deadline",
			item:      onPath("/policies/adminConsentRequestPolicy", &fault{status: 429, headers: map[string]string{"Retry-After": "30"}, body: throttled}),
			timeout:   2 * time.Second,
			maxTime:   1500 * time.Millisecond, // gives up at once: waiting 30 s cannot fit
			notDone:   []string{checks.ReviewersNotified, checks.AdminConsentWorkflow},
			reason:    map[string]string{checks.ReviewersNotified: "throttling"},
			wantState: map[string]checks.State{checks.UserConsent: D},
		},
		{
			name:    "hung connection",
			top:     func(int) *fault { return &fault{hang: true} },
			timeout: 300 * time.Millisecond,
			maxTime: 2 * time.Second,
			notDone: all,
			reason:  map[string]string{checks.BlockedSignIns: "did not answer within 300ms"},
		},
		{
			name:    "malformed JSON batch body",
			top:     func(int) *fault { return &fault{status: 200, body: `{"responses":[{"id":`} },
			notDone: all,
			reason:  map[string]string{checks.ReviewersNotified: "could not be read"},
		},
		{
			name:    "empty 2xx batch body",
			top:     func(int) *fault { return &fault{status: 200, body: ``} },
			notDone: all,
		},
		{
			name:    "empty 2xx item body",
			item:    onPath("/policies/authorizationPolicy", &fault{status: 200}),
			notDone: []string{checks.UserConsent},
			reason:  map[string]string{checks.UserConsent: "could not be read"},
		},
		{
			name:    "item body of the wrong shape",
			item:    onPath("/servicePrincipals", &fault{status: 200, body: `{"value":"not a list"}`}),
			notDone: []string{checks.AdminConsentGranted, checks.UsersAssigned, checks.UserConsent},
		},
		{
			name:    "item with a non-string header",
			item:    onPath("/policies/adminConsentRequestPolicy", &fault{rawItem: `{"id":"{{ID}}","status":200,"headers":{"Content-Type":1},"body":{"isEnabled":true}}`}),
			notDone: all,
		},
		{
			name:    "500 inside the batch",
			item:    onPath("/oauth2PermissionGrants", &fault{status: 500, body: `{"error":{"code":"InternalServerError","message":"boom"}}`}),
			notDone: []string{checks.AdminConsentGranted},
			reason:  map[string]string{checks.AdminConsentGranted: "Graph failed"},
		},
		{
			name:    "403 inside the batch",
			item:    onPath("/policies/adminConsentRequestPolicy", &fault{status: 403, body: denied}),
			notDone: []string{checks.ReviewersNotified, checks.AdminConsentWorkflow},
			reason:  map[string]string{checks.ReviewersNotified: "needs the Policy.Read.All permission, and a signed-in user also needs one of these roles: Global Reader"},
		},
		{
			name:    "licence 403 on sign-ins",
			item:    onPath("/auditLogs/signIns", &fault{status: 403, body: licence}),
			notDone: []string{checks.BlockedSignIns},
			reason:  map[string]string{checks.BlockedSignIns: "Microsoft Entra ID P1 or P2 licence"},
		},
		{
			name:    "batch answer missing an item",
			item:    onPath("/oauth2PermissionGrants", &fault{omit: true}),
			notDone: []string{checks.AdminConsentGranted},
			reason:  map[string]string{checks.AdminConsentGranted: "left out"},
		},
		{
			name:    "item answered under another id",
			item:    onPath("/policies/adminConsentRequestPolicy", &fault{rawItem: `{"id":"not-{{ID}}","status":200,"headers":{"Content-Type":"application/json"},"body":{"isEnabled":true,"notifyReviewers":true,"reviewers":[{}]}}`}),
			notDone: []string{checks.ReviewersNotified, checks.AdminConsentWorkflow},
			reason:  map[string]string{checks.ReviewersNotified: "left out"},
		},
		{
			name:    "item without a status",
			item:    onPath("/policies/adminConsentRequestPolicy", &fault{rawItem: `{"id":"{{ID}}","headers":{"Content-Type":"application/json"},"body":{"isEnabled":true}}`}),
			notDone: []string{checks.ReviewersNotified, checks.AdminConsentWorkflow},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc := tc.scenario
			if sc == "" {
				sc = "approved"
			}
			f := newFake(t, sc, DemoApp{})
			f.topFault, f.itemFault = tc.top, tc.item
			if tc.token != "" {
				f.token = tc.token
			}
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 5 * time.Second
			}
			start := time.Now()
			rep := evaluate(t, f.source(t), DemoApp{}, timeout)
			elapsed := time.Since(start)
			got := states(rep)
			for _, id := range tc.notDone {
				if got[id] == checks.Done {
					t.Errorf("%s is done despite the fault", id)
				}
			}
			for id, want := range tc.reason {
				if r := result(t, rep, id); !strings.Contains(r.Reason, want) {
					t.Errorf("%s reason %q, want it to contain %q", id, r.Reason, want)
				}
			}
			for id, want := range tc.wantState {
				if got[id] != want {
					t.Errorf("%s: %s, want %s (%s)", id, got[id], want, result(t, rep, id).Reason)
				}
			}
			if tc.maxTime > 0 && elapsed > tc.maxTime {
				t.Errorf("took %s, want at most %s", elapsed, tc.maxTime)
			}
			b, _ := json.Marshal(rep)
			if strings.Contains(string(b), testToken) {
				t.Error("the report contains the token")
			}
		})
	}
}

func onPathN(p string, n int, path string, ft *fault) *fault {
	if p == path && n == 1 {
		return ft
	}
	return nil
}

func TestThrottledRetryWaitsRetryAfter(t *testing.T) {
	f := newFake(t, "approved", DemoApp{})
	f.itemFault = func(p string, n int) *fault {
		return onPathN(p, n, "/policies/authorizationPolicy", &fault{status: 429, headers: map[string]string{"Retry-After": "0.3"}, body: `{"error":{"code":"TooManyRequests","message":"slow down"}}`})
	}
	start := time.Now()
	rep := evaluate(t, f.source(t), DemoApp{}, 5*time.Second)
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("retried after %s, before Retry-After", d)
	}
	if s := states(rep)[checks.UserConsent]; s != checks.Done {
		t.Errorf("user-consent %s after a retried 429, want done", s)
	}
	if f.batchCount() != 3 {
		t.Errorf("%d batches, want 3 (first, retry of the throttled item, dependents)", f.batchCount())
	}
}

func TestHTMLInDisplayName(t *testing.T) {
	app := DemoApp{Name: `<img src=x onerror=alert(1)>"Expenses"`}
	f := newFake(t, "partial", app)
	rep := evaluate(t, f.source(t), app, 5*time.Second)
	checkStates(t, rep, wantStates["partial"])
	r := result(t, rep, checks.AdminConsentGranted)
	if !strings.Contains(r.Evidence, "<img src=x") {
		t.Errorf("evidence %q does not carry the name as text", r.Evidence)
	}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "<img") {
		t.Errorf("JSON carries raw HTML: %s", b)
	}
}

func TestTokenRedacted(t *testing.T) {
	tok := Token("secret-value")
	for _, s := range []string{fmt.Sprint(tok), fmt.Sprintf("%v %+v %#v %s", tok, Config{Token: tok}, Config{Token: tok}, tok)} {
		if strings.Contains(s, "secret-value") {
			t.Errorf("token printed: %s", s)
		}
	}
}

// roundTripper answers with a canned $batch response and records the request.
type roundTripper struct {
	req  *http.Request
	body string
}

func (rt *roundTripper) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.req = r
	br, err := readBatch(r)
	if err != nil {
		return nil, err
	}
	var items []string
	for _, it := range br.Requests {
		items = append(items, itemJSON(it.ID, 200, nil, `{"isEnabled":true,"notifyReviewers":true,"reviewers":[{"query":"/users/x","queryType":"MicrosoftGraph"}]}`))
		rt.body += it.URL + "\n"
	}
	body := `{"responses":[` + strings.Join(items, ",") + `]}`
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: r}, nil
}

func TestSovereignCloudBaseURL(t *testing.T) {
	for _, base := range []string{"https://graph.microsoft.us/v1.0", "https://dod-graph.microsoft.us/v1.0", "https://microsoftgraph.chinacloudapi.cn/v1.0"} {
		rt := &roundTripper{}
		src, err := New(Config{BaseURL: base, Token: "tok", Transport: rt})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := (&checks.Evaluator{Source: src}).Evaluate(context.Background(), checks.Request{AppID: DefaultDemoApp().AppID, CheckIDs: []string{checks.ReviewersNotified}})
		if err != nil {
			t.Fatal(err)
		}
		if got := rt.req.URL.String(); got != base+"/$batch" {
			t.Errorf("batch sent to %s, want %s/$batch", got, base)
		}
		if rt.body != "/policies/adminConsentRequestPolicy\n" {
			t.Errorf("item URLs %q, want relative to %s", rt.body, base)
		}
		if rt.req.Header.Get("Authorization") != "Bearer tok" {
			t.Errorf("Authorization %q", rt.req.Header.Get("Authorization"))
		}
		if s := states(rep)[checks.ReviewersNotified]; s != checks.Done {
			t.Errorf("%s: %s", base, s)
		}
	}
}

func TestWithTokenOverrides(t *testing.T) {
	rt := &roundTripper{}
	src, err := New(Config{BaseURL: DefaultBaseURL, Transport: rt})
	if err != nil {
		t.Fatal(err)
	}
	ev := &checks.Evaluator{Source: src}
	req := checks.Request{AppID: DefaultDemoApp().AppID, CheckIDs: []string{checks.ReviewersNotified}}
	rep, err := ev.Evaluate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if r := rep.Checks[0]; r.State != checks.Unknown || !strings.Contains(r.Reason, "no Graph token") {
		t.Errorf("without any token: %+v", r)
	}
	if _, err := ev.Evaluate(WithToken(context.Background(), "reader-token"), req); err != nil {
		t.Fatal(err)
	}
	if got := rt.req.Header.Get("Authorization"); got != "Bearer reader-token" {
		t.Errorf("Authorization %q", got)
	}
}

func TestNewRejectsPlainHTTP(t *testing.T) {
	if _, err := New(Config{BaseURL: "http://graph.example.com/v1.0"}); err == nil {
		t.Error("plain http to a remote host accepted")
	}
}

func TestParseRetryAfter(t *testing.T) {
	for in, want := range map[string]time.Duration{"2.128": 2128 * time.Millisecond, "10": 10 * time.Second, "": 0, "-1": 0, "soon": 0} {
		if got := parseRetryAfter(in); got != want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestSignInFilter(t *testing.T) {
	since := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	got := SignInFilter("6f1c2d9a-3b7e-4c55-9a0e-2d8b7f4e1a63", "o'brien@contoso.example", since)
	want := "appId eq '6f1c2d9a-3b7e-4c55-9a0e-2d8b7f4e1a63' and userPrincipalName eq 'o''brien@contoso.example' and createdDateTime ge 2025-01-02T03:04:05Z and (status/errorCode eq 90095 or status/errorCode eq 90094 or status/errorCode eq 65001 or status/errorCode eq 50105)"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := SignInFilter("a", "26be570a-ae82-4189-b4e2-a37c6808512d", since); !strings.Contains(got, "userId eq '26be570a-ae82-4189-b4e2-a37c6808512d'") {
		t.Errorf("object ID filter: %s", got)
	}
}

// TestConcurrentEvaluations shares one Source between many readers, as the
// serve command does, each with its own token.
func TestConcurrentEvaluations(t *testing.T) {
	f := newFake(t, "partial", DemoApp{})
	src, err := New(Config{BaseURL: f.srv.URL + "/v1.0"})
	if err != nil {
		t.Fatal(err)
	}
	app := DefaultDemoApp()
	req := checks.Request{AppID: app.AppID, Scopes: app.Scopes, User: app.User}
	ev := &checks.Evaluator{Source: src}
	errs := make(chan error, 20)
	for i := range 20 {
		go func() {
			tok := Token(testToken)
			if i%5 == 0 {
				tok = "someone-else"
			}
			rep, err := ev.Evaluate(WithToken(context.Background(), tok), req)
			if err != nil {
				errs <- err
				return
			}
			for j, id := range checks.IDs() {
				want := wantStates["partial"][j]
				if i%5 == 0 {
					want = checks.Unknown // the fake rejects other tokens
				}
				if got := states(rep)[id]; got != want {
					errs <- fmt.Errorf("reader %d: %s is %s, want %s", i, id, got, want)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 20 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
