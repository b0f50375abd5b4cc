package checks

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Request asks for checks to be evaluated.
type Request struct {
	TenantID string   // domain or tenant ID (shown in the report)
	User     string   // UPN or object ID of the user; empty if there is none
	AppID    string   // client ID of the app being connected
	Scopes   []string // delegated scopes the app needs
	CheckIDs []string // checks to evaluate, in order; empty means all
}

// Result is the outcome of one check.
type Result struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	State    State    `json:"state"`
	Evidence string   `json:"evidence,omitempty"`
	Reason   string   `json:"reason,omitempty"`
	Details  *Details `json:"details,omitempty"`
}

// Details is the data a reader can copy for an admin.
type Details struct {
	Time          string   `json:"time,omitempty"` // RFC 3339, UTC
	User          string   `json:"user,omitempty"`
	ErrorCode     int      `json:"errorCode,omitempty"` // sign-in error code (AADSTS)
	CorrelationID string   `json:"correlationId,omitempty"`
	Status        string   `json:"status,omitempty"` // consent request status
	Missing       []string `json:"missing,omitempty"`
	HTTPStatus    int      `json:"httpStatus,omitempty"`
	GraphCode     string   `json:"graphCode,omitempty"`
	RequestID     string   `json:"requestId,omitempty"`
}

// Report is the outcome of one evaluation.
type Report struct {
	Tenant   string    `json:"tenant"`
	Demo     bool      `json:"demo"`
	Scenario string    `json:"scenario,omitempty"`
	AppID    string    `json:"appId,omitempty"`
	User     string    `json:"user,omitempty"`
	Time     time.Time `json:"time"`
	Checks   []Result  `json:"checks"`
}

// DefaultTimeout bounds one evaluation when Evaluator.Timeout is zero.
const DefaultTimeout = 5 * time.Second

// Evaluator evaluates checks against a Source.
type Evaluator struct {
	Source  Source
	Timeout time.Duration    // per evaluation; DefaultTimeout if zero
	Now     func() time.Time // time.Now if nil
}

// NeedsFor returns what the given checks read. Without a user, the
// user-specific reads are left out (those checks are unknown anyway).
func NeedsFor(ids []string, user string) Reads {
	var r Reads
	hasUser := user != ""
	for _, id := range ids {
		switch id {
		case ConsentRequestSent:
			if hasUser {
				r.ConsentRequests, r.User = true, true
			}
		case ReviewersNotified, AdminConsentWorkflow:
			r.AdminConsentPolicy = true
		case AdminConsentGranted:
			r.ServicePrincipal, r.Grants = true, true
		case UsersAssigned:
			r.ServicePrincipal = true
			if hasUser {
				r.Assignments, r.User, r.Groups = true, true, true
			}
		case UserConsent:
			r.AuthorizationPolicy, r.ServicePrincipal, r.Classifications = true, true, true
		case BlockedSignIns:
			if hasUser {
				r.SignIns = true
			}
		}
	}
	return r
}

// Evaluate runs the requested checks. It returns an error only when the
// request itself is unusable.
func (e *Evaluator) Evaluate(ctx context.Context, req Request) (Report, error) {
	now := time.Now
	if e.Now != nil {
		now = e.Now
	}
	ids := req.CheckIDs
	if len(ids) == 0 {
		ids = IDs()
	}
	var cks []Check
	for _, id := range ids {
		c, ok := Lookup(id)
		if !ok {
			return Report{}, fmt.Errorf("evaluate checks: unknown check ID %q (see livedocs checks)", id)
		}
		cks = append(cks, c)
	}
	if strings.TrimSpace(req.AppID) == "" {
		return Report{}, errors.New("evaluate checks: no app ID (set checks.app_id in config.yaml or pass --app-id)")
	}
	if e.Source == nil {
		return Report{}, errors.New("evaluate checks: no source")
	}
	timeout := e.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	start := now()
	q := Query{
		Tenant: req.TenantID,
		AppID:  strings.TrimSpace(req.AppID),
		User:   strings.TrimSpace(req.User),
		Since:  start.Add(-7 * 24 * time.Hour),
		Reads:  NeedsFor(ids, strings.TrimSpace(req.User)),
	}
	rctx, cancel := context.WithTimeout(ctx, timeout)
	t, err := e.Source.Read(rctx, q)
	cancel()
	if t == nil {
		t = &Tenant{}
	}
	rep := Report{
		Tenant:   req.TenantID,
		Demo:     t.Demo,
		Scenario: t.Scenario,
		AppID:    q.AppID,
		User:     q.User,
		Time:     start.UTC(),
	}
	in := input{t: t, q: q, scopes: normalizeScopes(req.Scopes), timeout: timeout}
	for _, c := range cks {
		var r Result
		if err != nil {
			r = unknownFrom(err, "the tenant", "", nil, timeout)
		} else {
			r = in.decide(c)
		}
		r.ID, r.Title = c.ID, c.Title
		rep.Checks = append(rep.Checks, r)
	}
	return rep, nil
}

// Decide evaluates one check from tenant data already read; it is what
// Evaluate does for each check after the Source has answered.
func Decide(id string, t *Tenant, req Request, now time.Time) (Result, error) {
	c, ok := Lookup(id)
	if !ok {
		return Result{}, fmt.Errorf("decide check: unknown check ID %q", id)
	}
	q := Query{AppID: req.AppID, User: strings.TrimSpace(req.User), Since: now.Add(-7 * 24 * time.Hour)}
	in := input{t: t, q: q, scopes: normalizeScopes(req.Scopes), timeout: DefaultTimeout}
	r := in.decide(c)
	r.ID, r.Title = c.ID, c.Title
	return r, nil
}

type input struct {
	t       *Tenant
	q       Query
	scopes  []string
	timeout time.Duration
}

func (in input) decide(c Check) Result {
	if c.NeedsUser && in.q.User == "" && c.ID != UsersAssigned {
		return Result{State: Unknown, Reason: "No user: this check is about a particular user; sign in, or pass --user UPN."}
	}
	switch c.ID {
	case ConsentRequestSent:
		return in.consentRequestSent()
	case ReviewersNotified:
		return in.reviewersNotified()
	case AdminConsentGranted:
		return in.adminConsentGranted()
	case UsersAssigned:
		return in.usersAssigned()
	case AdminConsentWorkflow:
		return in.adminConsentWorkflow()
	case UserConsent:
		return in.userConsent()
	case BlockedSignIns:
		return in.blockedSignIns()
	}
	return Result{State: Unknown, Reason: "This check is not implemented."}
}

// unread turns a part that was not read into an Unknown result.
func unread[T any](p Part[T], what, perm string, roles []string, timeout time.Duration) (Result, bool) {
	if p.Got {
		return Result{}, false
	}
	err := p.Err
	if err == nil {
		err = ErrNoAnswer
	}
	return unknownFrom(err, what, perm, roles, timeout), true
}

func (in input) appName() string {
	if sp := in.t.ServicePrincipal.Value; in.t.ServicePrincipal.Got && sp != nil && sp.DisplayName != "" {
		return fmt.Sprintf("%q", clean(sp.DisplayName, 80))
	}
	return "app " + clean(in.q.AppID, 40)
}

func (in input) consentRequestSent() Result {
	if r, bad := unread(in.t.ConsentRequests, "admin consent requests", "ConsentRequest.Read.All", nil, in.timeout); bad {
		return r
	}
	reqs := in.t.ConsentRequests.Value
	name := in.appName()
	for _, cr := range reqs {
		if cr.AppDisplayName != "" {
			name = fmt.Sprintf("%q", clean(cr.AppDisplayName, 80))
			break
		}
	}
	if len(reqs) == 0 {
		return Result{State: Pending, Evidence: fmt.Sprintf("No admin consent request for %s yet.", name)}
	}
	if r, bad := unread(in.t.UserConsentRequests, "the users' consent requests", "ConsentRequest.Read.All", nil, in.timeout); bad {
		return r
	}
	var best *UserConsentRequest
	total := 0
	for i := range in.t.UserConsentRequests.Value {
		u := &in.t.UserConsentRequests.Value[i]
		total++
		if !in.isUser(u.CreatedByID, u.CreatedByUPN) {
			continue
		}
		if best == nil || u.Created.After(best.Created) {
			best = u
		}
	}
	if best == nil {
		if in.t.UserConsentRequests.Truncated {
			return Result{State: Unknown, Reason: fmt.Sprintf("%s has more consent requests than one page holds; the user's may be on a later page.", name)}
		}
		return Result{State: Pending, Evidence: fmt.Sprintf("%d request(s) to approve %s, none by %s.", total, name, in.userLabel())}
	}
	status := clean(best.Status, 40)
	if status == "" {
		status = "of unknown status"
	}
	ev := fmt.Sprintf("Request by %s to approve %s is %s, sent %s.", in.userLabel(), name, status, stamp(best.Created))
	return Result{State: Done, Evidence: ev, Details: &Details{Time: rfc(best.Created), User: in.userLabel(), Status: status}}
}

func (in input) reviewersNotified() Result {
	if r, bad := unread(in.t.AdminConsentPolicy, "the admin consent request policy", "Policy.Read.All", policyReaderRoles(), in.timeout); bad {
		return r
	}
	p := in.t.AdminConsentPolicy.Value
	var missing []string
	if !p.IsEnabled {
		missing = append(missing, "the admin consent workflow is off")
	}
	if !p.NotifyReviewers {
		missing = append(missing, "reviewers are not emailed")
	}
	if p.Reviewers == 0 {
		missing = append(missing, "no reviewers are set")
	}
	if len(missing) == 0 {
		return Result{State: Done, Evidence: fmt.Sprintf("Admin consent workflow is on; %s; reviewers are emailed.", plural(p.Reviewers, "reviewer"))}
	}
	return Result{State: Pending, Evidence: upper(strings.Join(missing, "; ")) + ".", Details: &Details{Missing: missing}}
}

func (in input) adminConsentWorkflow() Result {
	if r, bad := unread(in.t.AdminConsentPolicy, "the admin consent request policy", "Policy.Read.All", policyReaderRoles(), in.timeout); bad {
		return r
	}
	if in.t.AdminConsentPolicy.Value.IsEnabled {
		return Result{State: Done, Evidence: "Users can request admin consent to apps they are unable to consent to."}
	}
	return Result{State: Pending, Evidence: "The admin consent workflow is off: users cannot request approval for apps they are unable to consent to."}
}

func (in input) adminConsentGranted() Result {
	if r, bad := unread(in.t.ServicePrincipal, "the app's service principal", "Application.Read.All", nil, in.timeout); bad {
		return r
	}
	if in.t.ServicePrincipal.Value == nil {
		return Result{State: Pending, Evidence: fmt.Sprintf("%s has no service principal in this tenant yet: nobody has consented to it or signed in to it.", upper(in.appName()))}
	}
	if r, bad := unread(in.t.Grants, "the app's permission grants", "Directory.Read.All", nil, in.timeout); bad {
		return r
	}
	granted := map[string]bool{}
	tenantWide, perUser := 0, 0
	for _, g := range in.t.Grants.Value {
		if !strings.EqualFold(g.ConsentType, "AllPrincipals") {
			perUser++
			continue
		}
		tenantWide++
		for _, s := range strings.Fields(g.Scope) {
			granted[strings.ToLower(s)] = true
		}
	}
	if tenantWide == 0 {
		ev := fmt.Sprintf("No admin has granted tenant-wide consent to %s", in.appName())
		if perUser > 0 {
			ev += fmt.Sprintf(" (%s exist)", plural(perUser, "per-user grant"))
		}
		if in.t.Grants.Truncated {
			return Result{State: Unknown, Reason: ev + " on the first page of grants; there are more pages."}
		}
		return Result{State: Pending, Evidence: ev + "."}
	}
	if len(in.scopes) == 0 {
		return Result{State: Done, Evidence: fmt.Sprintf("An admin granted tenant-wide consent to %s (no required scopes are configured, so any tenant-wide grant counts).", in.appName())}
	}
	var missing []string
	for _, s := range in.scopes {
		if !granted[strings.ToLower(s)] {
			missing = append(missing, s)
		}
	}
	if len(missing) == 0 {
		return Result{State: Done, Evidence: fmt.Sprintf("Tenant-wide consent to %s covers all %s: %s.", in.appName(), plural(len(in.scopes), "scope"), strings.Join(in.scopes, " "))}
	}
	if in.t.Grants.Truncated {
		return Result{State: Unknown, Reason: "The app has more permission grants than one page holds; the missing scopes may be on a later page."}
	}
	return Result{State: Pending, Evidence: fmt.Sprintf("Tenant-wide consent to %s is missing %s.", in.appName(), strings.Join(missing, ", ")), Details: &Details{Missing: missing}}
}

func (in input) usersAssigned() Result {
	if r, bad := unread(in.t.ServicePrincipal, "the app's service principal", "Application.Read.All", nil, in.timeout); bad {
		return r
	}
	sp := in.t.ServicePrincipal.Value
	if sp == nil {
		return Result{State: Pending, Evidence: fmt.Sprintf("%s has no service principal in this tenant yet, so nobody can be assigned to it.", upper(in.appName()))}
	}
	if !sp.AppRoleAssignmentRequired {
		return Result{State: Done, Evidence: fmt.Sprintf("Assignment is not required for %s: every user in the tenant may use it.", in.appName())}
	}
	if in.q.User == "" {
		return Result{State: Unknown, Reason: fmt.Sprintf("Assignment is required for %s, and no user was given: sign in, or pass --user UPN.", in.appName())}
	}
	if r, bad := unread(in.t.Assignments, "the app's user and group assignments", "Application.Read.All", nil, in.timeout); bad {
		return r
	}
	if r, bad := unread(in.t.User, "the user", "User.Read.All", nil, in.timeout); bad {
		return r
	}
	u := in.t.User.Value
	if u == nil {
		return Result{State: Unknown, Reason: fmt.Sprintf("User %s was not found in this tenant.", clean(in.q.User, 80))}
	}
	for _, a := range in.t.Assignments.Value {
		if strings.EqualFold(a.PrincipalID, u.ID) {
			return Result{State: Done, Evidence: fmt.Sprintf("Assignment is required for %s, and %s is assigned directly.", in.appName(), in.userLabel())}
		}
	}
	if r, bad := unread(in.t.Groups, "the user's group memberships", "User.Read.All", nil, in.timeout); bad {
		return r
	}
	groups := map[string]string{}
	for _, g := range in.t.Groups.Value {
		groups[strings.ToLower(g.ID)] = g.DisplayName
	}
	for _, a := range in.t.Assignments.Value {
		if name, ok := groups[strings.ToLower(a.PrincipalID)]; ok {
			if name == "" {
				name = a.PrincipalDisplayName
			}
			return Result{State: Done, Evidence: fmt.Sprintf("Assignment is required for %s, and %s is assigned through the group %q.", in.appName(), in.userLabel(), clean(name, 80))}
		}
	}
	if in.t.Assignments.Truncated || in.t.Groups.Truncated {
		return Result{State: Unknown, Reason: "The app's assignments or the user's groups run to more than one page; the user's assignment may be on a later page."}
	}
	return Result{State: Pending, Evidence: fmt.Sprintf("Assignment is required for %s, and %s is not assigned, directly or through a group (%s).", in.appName(), in.userLabel(), plural(len(in.t.Assignments.Value), "assignment"))}
}

// The user consent policies Microsoft manages, by ID (lower case).
const (
	policyLegacy      = "microsoft-user-default-legacy"
	policyLow         = "microsoft-user-default-low"
	policyRecommended = "microsoft-user-default-recommended"
)

func (in input) userConsent() Result {
	if r, bad := unread(in.t.AuthorizationPolicy, "the authorization policy", "Policy.Read.All", nil, in.timeout); bad {
		return r
	}
	var limited []string      // low or recommended, as written
	var unrecognised []string // values we do not interpret
	legacy := false
	for _, v := range in.t.AuthorizationPolicy.Value.PermissionGrantPoliciesAssigned {
		lv := strings.ToLower(strings.TrimSpace(v))
		switch {
		case strings.HasPrefix(lv, "managepermissiongrantsforself."):
			id := strings.TrimPrefix(lv, "managepermissiongrantsforself.")
			switch id {
			case policyLegacy:
				legacy = true
			case policyLow, policyRecommended:
				limited = append(limited, id)
			default:
				unrecognised = append(unrecognised, clean(v, 120))
			}
		case strings.HasPrefix(lv, "managepermissiongrantsforownedresource."):
			// Consent by owners of groups and teams: not about this app.
		default:
			unrecognised = append(unrecognised, clean(v, 120))
		}
	}
	if legacy {
		return Result{State: Done, Evidence: "Users may consent to apps themselves (the legacy user consent policy is assigned)."}
	}
	var why string // why the app does not qualify for a limited policy
	if len(limited) > 0 {
		ok, reason, unknownReason := in.qualifies()
		if unknownReason != nil {
			r := *unknownReason
			return r
		}
		if ok {
			return Result{State: Done, Evidence: fmt.Sprintf("Users may consent to %s themselves: the %s policy is assigned, its publisher is verified and every scope it needs is classified low.", in.appName(), limited[0])}
		}
		why = reason
	}
	if len(unrecognised) > 0 {
		return Result{State: Unknown, Reason: fmt.Sprintf("The authorization policy assigns %s, which livedocs does not interpret; ask an admin whether users may consent to %s.", quoteList(unrecognised), in.appName())}
	}
	if len(limited) > 0 {
		return Result{State: Pending, Evidence: fmt.Sprintf("Users may consent only to qualifying apps (%s policy), and %s does not qualify: %s.", limited[0], in.appName(), why)}
	}
	return Result{State: Pending, Evidence: "User consent is off: no user consent policy is assigned, so an admin must approve the app."}
}

// qualifies reports whether the app qualifies for the low-impact or
// recommended user consent policy. A non-nil Result means it cannot tell.
func (in input) qualifies() (bool, string, *Result) {
	if r, bad := unread(in.t.ServicePrincipal, "the app's service principal", "Application.Read.All", nil, in.timeout); bad {
		return false, "", &r
	}
	sp := in.t.ServicePrincipal.Value
	if sp == nil {
		return false, "", &Result{State: Unknown, Reason: fmt.Sprintf("A limited user consent policy is assigned, but %s has no service principal in this tenant yet, so its publisher cannot be checked.", in.appName())}
	}
	var reasons []string
	if sp.VerifiedPublisherID == "" {
		reasons = append(reasons, "its publisher is not verified")
	}
	if r, bad := unread(in.t.Classifications, "Microsoft Graph's permission classifications", "Application.Read.All", nil, in.timeout); bad {
		return false, "", &r
	}
	low := map[string]bool{}
	for _, c := range in.t.Classifications.Value {
		if strings.EqualFold(c.Classification, "low") {
			low[strings.ToLower(c.PermissionName)] = true
		}
	}
	var notLow []string
	for _, s := range in.scopes {
		if !low[strings.ToLower(s)] {
			notLow = append(notLow, s)
		}
	}
	if len(notLow) > 0 {
		reasons = append(reasons, "not classified low: "+strings.Join(notLow, ", "))
	}
	if len(in.scopes) == 0 {
		reasons = append(reasons, "no required scopes are configured to compare with the classifications")
	}
	return len(reasons) == 0, strings.Join(reasons, "; "), nil
}

func (in input) blockedSignIns() Result {
	if r, bad := unread(in.t.SignIns, "the sign-in logs", "AuditLog.Read.All", reportsReaderRoles(), in.timeout); bad {
		return r
	}
	var found []SignIn
	for _, s := range in.t.SignIns.Value {
		if signInErrorText(s.ErrorCode) == "" || s.Time.Before(in.q.Since) {
			continue
		}
		if s.AppID != "" && !strings.EqualFold(s.AppID, in.q.AppID) {
			continue
		}
		if (s.UserID != "" || s.UserPrincipalName != "") && !in.isUser(s.UserID, s.UserPrincipalName) {
			continue
		}
		found = append(found, s)
	}
	if len(found) == 0 {
		return Result{State: Done, Evidence: fmt.Sprintf("No sign-in by %s to %s failed for consent or assignment in the last 7 days.", in.userLabel(), in.appName())}
	}
	latest := found[0]
	for _, s := range found[1:] {
		if s.Time.After(latest.Time) {
			latest = s
		}
	}
	user := clean(latest.UserPrincipalName, 80)
	if user == "" {
		user = in.userLabel()
	}
	corr := clean(latest.CorrelationID, 60)
	ev := fmt.Sprintf("%s in the last 7 days; latest %s by %s: error %d (%s), correlation ID %s.",
		upper(plural(len(found), "blocked sign-in")), stamp(latest.Time), user, latest.ErrorCode, signInErrorText(latest.ErrorCode), corr)
	return Result{State: Pending, Evidence: ev, Details: &Details{Time: rfc(latest.Time), User: user, ErrorCode: latest.ErrorCode, CorrelationID: corr}}
}

// isUser reports whether an object ID or UPN from Graph is the user.
func (in input) isUser(id, upn string) bool {
	want := in.q.User
	if want == "" {
		return false
	}
	if u := in.t.User.Value; in.t.User.Got && u != nil {
		if id != "" && strings.EqualFold(id, u.ID) {
			return true
		}
		if upn != "" && strings.EqualFold(upn, u.UserPrincipalName) {
			return true
		}
	}
	return (id != "" && strings.EqualFold(id, want)) || (upn != "" && strings.EqualFold(upn, want))
}

func (in input) userLabel() string {
	if u := in.t.User.Value; in.t.User.Got && u != nil && u.UserPrincipalName != "" {
		return clean(u.UserPrincipalName, 80)
	}
	return clean(in.q.User, 80)
}

// unknownFrom words an error as the Reason of an Unknown result. what names
// the data that could not be read; perm and roles what reading it needs.
func unknownFrom(err error, what, perm string, roles []string, timeout time.Duration) Result {
	r := Result{State: Unknown}
	var ge *GraphError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		r.Reason = fmt.Sprintf("Graph did not answer within %s while reading %s.", timeout, what)
	case errors.Is(err, context.Canceled):
		r.Reason = "The evaluation was cancelled."
	case errors.As(err, &ge):
		r.Details = &Details{HTTPStatus: ge.Status, GraphCode: clean(ge.Code, 80), RequestID: clean(ge.RequestID, 60)}
		code := ""
		if ge.Code != "" {
			code = " " + clean(ge.Code, 80)
		}
		switch {
		case ge.Status == 401:
			r.Reason = fmt.Sprintf("Graph did not accept the sign-in (401%s); sign in again.", code)
		case ge.Status == 403 && (strings.EqualFold(ge.Code, LicenceErrorCode) || strings.Contains(strings.ToLower(ge.Message), "premium license")):
			r.Reason = "Reading sign-in logs needs a Microsoft Entra ID P1 or P2 licence, and this tenant has neither, so blocked sign-ins cannot be checked here."
		case ge.Status == 403:
			need := "more permissions"
			if perm != "" {
				need = "the " + perm + " permission"
			}
			r.Reason = fmt.Sprintf("Missing permission: reading %s needs %s", what, need)
			if len(roles) > 0 {
				r.Reason += fmt.Sprintf(", and a signed-in user also needs one of these roles: %s", strings.Join(roles, ", "))
			}
			r.Reason += fmt.Sprintf(" (Graph answered 403%s).", code)
		case ge.Status == 404:
			r.Reason = fmt.Sprintf("Graph found nothing at the address for %s (404%s).", what, code)
		case ge.Status == 429:
			r.Reason = fmt.Sprintf("Graph is throttling requests (429%s) and kept doing so until the time limit; try again in a minute.", code)
		case ge.Status >= 500:
			r.Reason = fmt.Sprintf("Graph failed while reading %s (%d%s); try again later.", what, ge.Status, code)
		default:
			r.Reason = fmt.Sprintf("Graph refused the request for %s (%d%s).", what, ge.Status, code)
		}
	case errors.Is(err, ErrNoAnswer):
		r.Reason = fmt.Sprintf("Graph's batch answer left out the request for %s.", what)
	case errors.Is(err, ErrMalformed):
		r.Reason = fmt.Sprintf("Graph's answer for %s could not be read.", what)
	default:
		r.Reason = fmt.Sprintf("Could not read %s: %s.", what, clean(err.Error(), 200))
	}
	return r
}

// normalizeScopes trims, drops empties and duplicates, and strips a
// resource URI prefix (https://graph.microsoft.com/Mail.Read → Mail.Read).
func normalizeScopes(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
			if strings.HasPrefix(f, "https://") || strings.HasPrefix(f, "api://") {
				if i := strings.LastIndex(f, "/"); i >= 0 {
					f = f[i+1:]
				}
			}
			if f == "" || seen[strings.ToLower(f)] {
				continue
			}
			seen[strings.ToLower(f)] = true
			out = append(out, f)
		}
	}
	return out
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func upper(s string) string {
	if s == "" {
		return s
	}
	if s[0] >= 'a' && s[0] <= 'z' {
		return string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "at an unknown time"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func rfc(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
