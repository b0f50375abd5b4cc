package checks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)

const (
	appID  = "6f1c2d9a-3b7e-4c55-9a0e-2d8b7f4e1a63"
	userID = "26be570a-ae82-4189-b4e2-a37c6808512d"
	upn    = "adele@contoso.example"
)

func baseRequest() Request {
	return Request{TenantID: "contoso.example", AppID: appID, User: upn, Scopes: []string{"User.Read", "Calendars.Read"}}
}

func sp(required bool, publisher string) Part[*ServicePrincipal] {
	return Ok(&ServicePrincipal{ID: "sp-1", AppID: appID, DisplayName: "Expenses", AppRoleAssignmentRequired: required, VerifiedPublisherID: publisher})
}

func TestCatalog(t *testing.T) {
	want := []string{"consent-request-sent", "reviewers-notified", "admin-consent-granted", "users-assigned", "admin-consent-workflow", "user-consent", "blocked-signins"}
	cat := Catalog()
	if len(cat) != len(want) {
		t.Fatalf("%d checks, want %d", len(cat), len(want))
	}
	for i, c := range cat {
		if c.ID != want[i] {
			t.Errorf("check %d is %s, want %s", i, c.ID, want[i])
		}
		if c.Title == "" || c.Description == "" || len(c.Endpoints) == 0 || len(c.Permissions) == 0 {
			t.Errorf("%s: incomplete catalog entry %+v", c.ID, c)
		}
	}
	cat[0].ID = "changed"
	cat[1].Endpoints[0] = "changed"
	if again := Catalog(); again[0].ID != want[0] || again[1].Endpoints[0] == "changed" {
		t.Error("Catalog returns shared state")
	}
	if c, ok := Lookup("user-consent"); !ok || c.Title != "Users may consent" {
		t.Errorf("Lookup(user-consent) = %+v, %v", c, ok)
	}
	if _, ok := Lookup("nope"); ok {
		t.Error("Lookup(nope) found something")
	}
}

func TestDecide(t *testing.T) {
	tests := []struct {
		name     string
		id       string
		tenant   Tenant
		req      func(*Request)
		state    State
		contains string
	}{
		// consent-request-sent
		{"request by user", ConsentRequestSent, Tenant{
			ConsentRequests:     Ok([]ConsentRequest{{ID: "r1", AppDisplayName: "Expenses"}}),
			UserConsentRequests: Ok([]UserConsentRequest{{Status: "InProgress", Created: now.Add(-time.Hour), CreatedByUPN: "ADELE@contoso.example"}}),
		}, nil, Done, "is InProgress, sent 2025-03-10 11:00 UTC"},
		{"latest of several requests by user", ConsentRequestSent, Tenant{
			ConsentRequests: Ok([]ConsentRequest{{ID: "r1"}}),
			UserConsentRequests: Ok([]UserConsentRequest{
				{Status: "Expired", Created: now.Add(-40 * 24 * time.Hour), CreatedByID: userID},
				{Status: "Completed", Created: now.Add(-2 * time.Hour), CreatedByID: userID},
			}),
			User: Ok(&User{ID: userID, UserPrincipalName: upn}),
		}, nil, Done, "Completed"},
		{"no request at all", ConsentRequestSent, Tenant{ConsentRequests: Ok([]ConsentRequest{})}, nil, Pending, "No admin consent request"},
		{"requests by others", ConsentRequestSent, Tenant{
			ConsentRequests:     Ok([]ConsentRequest{{ID: "r1"}}),
			UserConsentRequests: Ok([]UserConsentRequest{{Status: "InProgress", CreatedByUPN: "megan@contoso.example"}}),
		}, nil, Pending, "none by adele@contoso.example"},
		{"no user", ConsentRequestSent, Tenant{}, func(r *Request) { r.User = "" }, Unknown, "No user"},
		{"consent requests unreadable", ConsentRequestSent, Tenant{ConsentRequests: Failed[[]ConsentRequest](&GraphError{Status: 403, Code: "Authorization_RequestDenied"})}, nil, Unknown, "ConsentRequest.Read.All"},

		// reviewers-notified, from the documented example: on, not emailed
		{"documented policy", ReviewersNotified, Tenant{AdminConsentPolicy: Ok(AdminConsentPolicy{IsEnabled: true, NotifyReviewers: false, Reviewers: 2})}, nil, Pending, "Reviewers are not emailed."},
		{"all set", ReviewersNotified, Tenant{AdminConsentPolicy: Ok(AdminConsentPolicy{IsEnabled: true, NotifyReviewers: true, Reviewers: 2})}, nil, Done, "2 reviewers"},
		{"no reviewers", ReviewersNotified, Tenant{AdminConsentPolicy: Ok(AdminConsentPolicy{IsEnabled: true, NotifyReviewers: true})}, nil, Pending, "No reviewers are set"},
		{"policy forbidden", ReviewersNotified, Tenant{AdminConsentPolicy: Failed[AdminConsentPolicy](&GraphError{Status: 403, Code: "Authorization_RequestDenied"})}, nil, Unknown, "Policy.Read.All permission, and a signed-in user also needs one of these roles"},

		// admin-consent-workflow
		{"workflow on", AdminConsentWorkflow, Tenant{AdminConsentPolicy: Ok(AdminConsentPolicy{IsEnabled: true})}, nil, Done, "Users can request admin consent"},
		{"workflow off", AdminConsentWorkflow, Tenant{AdminConsentPolicy: Ok(AdminConsentPolicy{})}, nil, Pending, "workflow is off"},
		{"workflow not read", AdminConsentWorkflow, Tenant{}, nil, Unknown, "left out"},

		// admin-consent-granted
		{"grant covers scopes", AdminConsentGranted, Tenant{ServicePrincipal: sp(false, ""), Grants: Ok([]Grant{
			{ConsentType: "AllPrincipals", Scope: "user.read openid"},
			{ConsentType: "AllPrincipals", Scope: "Calendars.READ"},
		})}, nil, Done, "covers all 2 scopes"},
		{"grant lacks a scope", AdminConsentGranted, Tenant{ServicePrincipal: sp(false, ""), Grants: Ok([]Grant{{ConsentType: "AllPrincipals", Scope: "User.Read"}})}, nil, Pending, "missing Calendars.Read"},
		{"only per-user grants", AdminConsentGranted, Tenant{ServicePrincipal: sp(false, ""), Grants: Ok([]Grant{{ConsentType: "Principal", Scope: "User.Read Calendars.Read"}})}, nil, Pending, "1 per-user grant"},
		{"no service principal", AdminConsentGranted, Tenant{ServicePrincipal: Ok[*ServicePrincipal](nil)}, nil, Pending, "no service principal"},
		{"grants unreadable", AdminConsentGranted, Tenant{ServicePrincipal: sp(false, ""), Grants: Failed[[]Grant](ErrNoAnswer)}, nil, Unknown, "left out"},
		{"scope URIs", AdminConsentGranted, Tenant{ServicePrincipal: sp(false, ""), Grants: Ok([]Grant{{ConsentType: "AllPrincipals", Scope: "User.Read"}})}, func(r *Request) { r.Scopes = []string{"https://graph.microsoft.com/User.Read"} }, Done, "User.Read"},

		// users-assigned
		{"not required", UsersAssigned, Tenant{ServicePrincipal: sp(false, "")}, nil, Done, "not required"},
		{"not required, no user", UsersAssigned, Tenant{ServicePrincipal: sp(false, "")}, func(r *Request) { r.User = "" }, Done, "not required"},
		{"required, no user", UsersAssigned, Tenant{ServicePrincipal: sp(true, "")}, func(r *Request) { r.User = "" }, Unknown, "no user was given"},
		{"assigned directly", UsersAssigned, Tenant{ServicePrincipal: sp(true, ""), User: Ok(&User{ID: userID, UserPrincipalName: upn}),
			Assignments: Ok([]Assignment{{PrincipalID: strings.ToUpper(userID), PrincipalType: "User"}})}, nil, Done, "assigned directly"},
		{"assigned through a group", UsersAssigned, Tenant{ServicePrincipal: sp(true, ""), User: Ok(&User{ID: userID, UserPrincipalName: upn}),
			Assignments: Ok([]Assignment{{PrincipalID: "g-2", PrincipalType: "Group"}}),
			Groups:      Ok([]Group{{ID: "g-1", DisplayName: "All"}, {ID: "G-2", DisplayName: "Finance"}})}, nil, Done, `through the group "Finance"`},
		{"not assigned", UsersAssigned, Tenant{ServicePrincipal: sp(true, ""), User: Ok(&User{ID: userID, UserPrincipalName: upn}),
			Assignments: Ok([]Assignment{{PrincipalID: "someone"}}), Groups: Ok([]Group{{ID: "g-1"}})}, nil, Pending, "is not assigned"},
		{"not assigned, more pages", UsersAssigned, Tenant{ServicePrincipal: sp(true, ""), User: Ok(&User{ID: userID, UserPrincipalName: upn}),
			Assignments: Part[[]Assignment]{Value: []Assignment{{PrincipalID: "someone"}}, Got: true, Truncated: true}, Groups: Ok([]Group{})}, nil, Unknown, "later page"},
		{"user not found", UsersAssigned, Tenant{ServicePrincipal: sp(true, ""), User: Ok[*User](nil), Assignments: Ok([]Assignment{})}, nil, Unknown, "not found"},

		// user-consent
		{"legacy", UserConsent, Tenant{AuthorizationPolicy: Ok(AuthorizationPolicy{[]string{"ManagePermissionGrantsForSelf.microsoft-user-default-legacy"}})}, nil, Done, "legacy"},
		{"legacy, other case", UserConsent, Tenant{AuthorizationPolicy: Ok(AuthorizationPolicy{[]string{"managepermissiongrantsforself.Microsoft-User-Default-Legacy"}})}, nil, Done, "legacy"},
		{"off", UserConsent, Tenant{AuthorizationPolicy: Ok(AuthorizationPolicy{[]string{"ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team"}})}, nil, Pending, "User consent is off"},
		{"documented placeholder value", UserConsent, Tenant{AuthorizationPolicy: Ok(AuthorizationPolicy{[]string{"just-user-read"}})}, nil, Unknown, `"just-user-read"`},
		{"custom policy", UserConsent, Tenant{AuthorizationPolicy: Ok(AuthorizationPolicy{[]string{"ManagePermissionGrantsForSelf.contoso-policy"}})}, nil, Unknown, "contoso-policy"},
		{"low, qualifies", UserConsent, Tenant{AuthorizationPolicy: Ok(AuthorizationPolicy{[]string{"ManagePermissionGrantsForSelf.microsoft-user-default-low"}}),
			ServicePrincipal: sp(false, "9999999"), Classifications: Ok([]Classification{{"User.Read", "low"}, {"calendars.read", "Low"}})}, nil, Done, "microsoft-user-default-low"},
		{"recommended, scope not low", UserConsent, Tenant{AuthorizationPolicy: Ok(AuthorizationPolicy{[]string{"ManagePermissionGrantsForSelf.microsoft-user-default-recommended"}}),
			ServicePrincipal: sp(false, "9999999"), Classifications: Ok([]Classification{{"User.Read", "low"}, {"Calendars.Read", "medium"}})}, nil, Pending, "not classified low: Calendars.Read"},
		{"low, publisher unverified", UserConsent, Tenant{AuthorizationPolicy: Ok(AuthorizationPolicy{[]string{"ManagePermissionGrantsForSelf.microsoft-user-default-low"}}),
			ServicePrincipal: sp(false, ""), Classifications: Ok([]Classification{{"User.Read", "low"}, {"Calendars.Read", "low"}})}, nil, Pending, "publisher is not verified"},
		{"low, no service principal", UserConsent, Tenant{AuthorizationPolicy: Ok(AuthorizationPolicy{[]string{"ManagePermissionGrantsForSelf.microsoft-user-default-low"}}),
			ServicePrincipal: Ok[*ServicePrincipal](nil)}, nil, Unknown, "publisher cannot be checked"},
		{"low, classifications forbidden", UserConsent, Tenant{AuthorizationPolicy: Ok(AuthorizationPolicy{[]string{"ManagePermissionGrantsForSelf.microsoft-user-default-low"}}),
			ServicePrincipal: sp(false, "1"), Classifications: Failed[[]Classification](&GraphError{Status: 403})}, nil, Unknown, "Application.Read.All"},

		// blocked-signins
		{"none", BlockedSignIns, Tenant{SignIns: Ok([]SignIn{})}, nil, Done, "No sign-in by adele@contoso.example"},
		{"blocked", BlockedSignIns, Tenant{SignIns: Ok([]SignIn{
			{Time: now.Add(-3 * time.Hour), UserPrincipalName: upn, AppID: appID, ErrorCode: 65001, CorrelationID: "c-old"},
			{Time: now.Add(-time.Hour), UserPrincipalName: upn, AppID: appID, ErrorCode: 90095, CorrelationID: "c-new"},
		})}, nil, Pending, "2 blocked sign-ins in the last 7 days; latest 2025-03-10 11:00 UTC by adele@contoso.example: error 90095 (admin approval required), correlation ID c-new"},
		{"old, other codes, other users", BlockedSignIns, Tenant{SignIns: Ok([]SignIn{
			{Time: now.Add(-8 * 24 * time.Hour), UserPrincipalName: upn, ErrorCode: 90095},
			{Time: now.Add(-time.Hour), UserPrincipalName: upn, ErrorCode: 0},
			{Time: now.Add(-time.Hour), UserPrincipalName: "megan@contoso.example", ErrorCode: 50105},
			{Time: now.Add(-time.Hour), UserPrincipalName: upn, AppID: "other", ErrorCode: 50105},
		})}, nil, Done, "No sign-in"},
		{"unlicensed", BlockedSignIns, Tenant{SignIns: Failed[[]SignIn](&GraphError{Status: 403, Code: LicenceErrorCode})}, nil, Unknown, "P1 or P2 licence"},
		{"timed out", BlockedSignIns, Tenant{SignIns: Failed[[]SignIn](fmt.Errorf("send: %w", context.DeadlineExceeded))}, nil, Unknown, "did not answer within 5s"},
		{"throttled", BlockedSignIns, Tenant{SignIns: Failed[[]SignIn](&GraphError{Status: 429, Code: "TooManyRequests"})}, nil, Unknown, "throttling"},
		{"malformed", BlockedSignIns, Tenant{SignIns: Failed[[]SignIn](fmt.Errorf("%w: x", ErrMalformed))}, nil, Unknown, "could not be read"},
		{"no user", BlockedSignIns, Tenant{}, func(r *Request) { r.User = "" }, Unknown, "No user"},
	}
	for _, tc := range tests {
		t.Run(tc.id+"/"+tc.name, func(t *testing.T) {
			req := baseRequest()
			if tc.req != nil {
				tc.req(&req)
			}
			tenant := tc.tenant
			r, err := Decide(tc.id, &tenant, req, now)
			if err != nil {
				t.Fatal(err)
			}
			text := r.Evidence + r.Reason
			if r.State != tc.state || !strings.Contains(text, tc.contains) {
				t.Errorf("got %s %q, want %s containing %q", r.State, text, tc.state, tc.contains)
			}
			if r.ID != tc.id || r.Title == "" {
				t.Errorf("result not labelled: %+v", r)
			}
			if (r.State == Unknown) != (r.Reason != "") {
				t.Errorf("state %s with reason %q", r.State, r.Reason)
			}
		})
	}
}

// fakeSource returns a fixed tenant and records the query.
type fakeSource struct {
	tenant *Tenant
	err    error
	q      Query
	hasDL  bool
}

func (f *fakeSource) Read(ctx context.Context, q Query) (*Tenant, error) {
	f.q = q
	_, f.hasDL = ctx.Deadline()
	return f.tenant, f.err
}

func TestEvaluate(t *testing.T) {
	src := &fakeSource{tenant: &Tenant{Demo: true, Scenario: "x", AdminConsentPolicy: Ok(AdminConsentPolicy{IsEnabled: true})}}
	ev := &Evaluator{Source: src, Now: func() time.Time { return now }}
	rep, err := ev.Evaluate(context.Background(), Request{TenantID: "t", AppID: appID, CheckIDs: []string{AdminConsentWorkflow, BlockedSignIns}})
	if err != nil {
		t.Fatal(err)
	}
	if !src.hasDL {
		t.Error("the source got no deadline")
	}
	if src.q.Reads != (Reads{AdminConsentPolicy: true}) {
		t.Errorf("reads %+v: without a user, sign-ins are not read", src.q.Reads)
	}
	if !src.q.Since.Equal(now.Add(-7 * 24 * time.Hour)) {
		t.Errorf("since %s", src.q.Since)
	}
	if !rep.Demo || rep.Scenario != "x" || len(rep.Checks) != 2 || rep.Checks[0].State != Done || rep.Checks[1].State != Unknown {
		t.Errorf("report %+v", rep)
	}
	b, _ := json.Marshal(rep)
	for _, want := range []string{`"tenant":"t"`, `"demo":true`, `"id":"admin-consent-workflow"`, `"state":"done"`, `"state":"unknown"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s lacks %s", b, want)
		}
	}

	if _, err := ev.Evaluate(context.Background(), Request{AppID: appID, CheckIDs: []string{"nope"}}); err == nil || !strings.Contains(err.Error(), `unknown check ID "nope"`) {
		t.Errorf("unknown ID: %v", err)
	}
	if _, err := ev.Evaluate(context.Background(), Request{}); err == nil || !strings.Contains(err.Error(), "no app ID") {
		t.Errorf("no app ID: %v", err)
	}

	// A failed read makes everything unknown, never done.
	failing := &Evaluator{Source: &fakeSource{err: &GraphError{Status: 401, Code: "InvalidAuthenticationToken"}}}
	rep, err = failing.Evaluate(context.Background(), Request{AppID: appID, User: upn})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Checks) != 7 {
		t.Fatalf("%d results, want all 7", len(rep.Checks))
	}
	for _, r := range rep.Checks {
		if r.State != Unknown || !strings.Contains(r.Reason, "401") {
			t.Errorf("%s: %s %q", r.ID, r.State, r.Reason)
		}
	}
}

func TestNeedsFor(t *testing.T) {
	got := NeedsFor(IDs(), upn)
	want := Reads{ServicePrincipal: true, Grants: true, Assignments: true, User: true, Groups: true, AdminConsentPolicy: true, AuthorizationPolicy: true, Classifications: true, ConsentRequests: true, SignIns: true}
	if got != want {
		t.Errorf("all checks read %+v", got)
	}
	if got := NeedsFor([]string{ReviewersNotified}, upn); got != (Reads{AdminConsentPolicy: true}) {
		t.Errorf("reviewers-notified reads %+v", got)
	}
}

func TestCleanAndErrors(t *testing.T) {
	if got := clean("a\x1b[31mb\u202ec\nd", 100); got != "a [31mb c d" {
		t.Errorf("clean = %q", got)
	}
	if got := clean(strings.Repeat("x", 10), 4); got != "xxxx…" {
		t.Errorf("clean cut = %q", got)
	}
	var ge *GraphError
	if !errors.As(fmt.Errorf("wrap: %w", &GraphError{Status: 404}), &ge) {
		t.Error("GraphError does not unwrap")
	}
	if s := (&GraphError{Status: 403, Code: "Authorization_RequestDenied", Message: "no", Request: "GET /x"}).Error(); s != "graph 403 Authorization_RequestDenied: no (GET /x)" {
		t.Errorf("Error() = %q", s)
	}
}
