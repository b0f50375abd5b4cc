// Package checks evaluates live checks: small questions about a reader's
// Microsoft 365 tenant ("has an admin granted consent to this app?") whose
// answers mark an article's steps done, pending or unknown.
//
// # Check IDs
//
// The IDs below are public: articles name them in markers, support staff
// type them on the command line and scripts read them from JSON. They never
// change meaning. Catalog returns them in this order.
//
//	consent-request-sent    the user has asked an admin to approve the app
//	reviewers-notified      the admin consent workflow emails at least one reviewer
//	admin-consent-granted   a tenant-wide grant covers every scope the app needs
//	users-assigned          the user may use the app (assignment not required, or assigned directly or through a group)
//	admin-consent-workflow  users can request admin consent for apps they cannot consent to
//	user-consent            users may consent to this app themselves
//	blocked-signins         no sign-in to the app by the user failed for consent or assignment in the last 7 days
//
// Exactly how each is decided ("the app" is Request.AppID; "the scopes"
// are Request.Scopes, compared case-insensitively; "the user" is
// Request.User, a UPN or object ID, matched against both):
//
//   - consent-request-sent: the appConsentRequests filtered on the app and
//     their userConsentRequests. Done when one was created by the user (the
//     latest is reported with its status and time); pending when the app
//     has no request or none is the user's. Unknown without a user.
//   - reviewers-notified: adminConsentRequestPolicy. Done when isEnabled,
//     notifyReviewers and at least one reviewer; pending otherwise, naming
//     each missing part.
//   - admin-consent-granted: the service principal with the app's appId and
//     the oauth2PermissionGrants whose clientId is its object ID. Only
//     consentType AllPrincipals counts; the scope strings of all such grants
//     are pooled. Done when every scope is granted (with no scopes
//     configured, when any tenant-wide grant exists); pending when there is
//     no service principal, no tenant-wide grant, or scopes are missing
//     (named in the evidence and Details.Missing).
//   - users-assigned: the service principal's appRoleAssignmentRequired.
//     Done when false; otherwise done when appRoleAssignedTo holds the
//     user's object ID or the ID of a group the user belongs to
//     (transitively), pending when it holds neither. Pending without a
//     service principal; unknown when assignment is required and there is
//     no user.
//   - admin-consent-workflow: adminConsentRequestPolicy.isEnabled. Done when
//     true, pending when false.
//   - user-consent: authorizationPolicy.defaultUserRolePermissions.
//     permissionGrantPoliciesAssigned, IDs compared case-insensitively.
//     Done when ManagePermissionGrantsForSelf.microsoft-user-default-legacy
//     is assigned, or -low / -recommended is and the app qualifies: its
//     service principal has a verified publisher and every scope is
//     classified low among Microsoft Graph's delegatedPermissionClassifications.
//     Unknown when any other value is assigned (a custom policy or an
//     unrecognised string, named) and nothing above decided it. Pending
//     when -low / -recommended is assigned and the app does not qualify
//     (saying why), or when no ManagePermissionGrantsForSelf policy is
//     assigned (user consent off). ManagePermissionGrantsForOwnedResource.*
//     values are about group and team owners and are ignored.
//   - blocked-signins: sign-ins to the app by the user created in the last
//     7 days with error 90095, 90094, 65001 or 50105 (filtered by Graph and
//     again here). Done when there are none; pending when there are, the
//     latest one's time, user, error code and correlation ID in the evidence
//     and Details. Unknown without a user, and when the tenant has no
//     Entra ID P1/P2 licence (Graph answers 403
//     Authentication_RequestFromNonPremiumTenantOrB2CTenant).
//
// A list Graph says continues on another page (@odata.nextLink) makes a
// "not found" answer unknown rather than pending.
//
// Each Check lists the Graph v1.0 endpoints it reads and the least
// privileged permissions it needs; `livedocs checks` prints them and the
// build can publish them as a "what this page reads from your tenant" panel.
//
// # States
//
// A Result is Done, Pending or Unknown. Done and Pending always carry
// Evidence a person can read. Unknown always carries a Reason: no user was
// given for a user-specific check, a permission or role is missing (named),
// the tenant lacks the licence sign-in logs need, Graph answered with an
// error, did not answer before the deadline, or answered with something
// unreadable. Nothing that went wrong ever yields Done.
//
// # Evaluation
//
// An Evaluator turns a Request (tenant, app client ID, required scopes,
// user, check IDs) into a Report. It works in three steps:
//
//  1. NeedsFor works out which tenant data the requested checks read (a
//     Reads value), so a page that ties only two checks reads only what
//     those two need.
//  2. The Source reads that data and returns it as plain Go values (a
//     *Tenant whose every field is a Part holding a value or the error that
//     kept it from being read). Package checks/graph implements Source with
//     Microsoft Graph $batch requests; tests implement it with literals.
//  3. Each check is decided from the Tenant alone, without I/O, by the
//     functions in this package; that logic is tested without HTTP.
//
// Decide runs step 3 alone for one check, for callers that already hold a
// Tenant. A Report marshals to the JSON `livedocs check --json` prints:
// {"tenant": …, "demo": false, "checks": [{"id", "title", "state",
// "evidence", "reason", "details"}]}.
//
// Evaluate applies a deadline (Evaluator.Timeout, default 5 seconds) to the
// context it hands to the Source, so a Source must give up, not retry, past
// it. Evaluate returns an error only for a request it cannot run (an
// unknown check ID, no app ID); failures while reading the tenant become
// Unknown results.
package checks

import "strings"

// State is the outcome of one check.
type State string

// The three states. Their string values are part of the JSON output and of
// the data-check-state attribute the browser widget sets.
const (
	Done    State = "done"
	Pending State = "pending"
	Unknown State = "unknown"
)

// The public check IDs.
const (
	ConsentRequestSent   = "consent-request-sent"
	ReviewersNotified    = "reviewers-notified"
	AdminConsentGranted  = "admin-consent-granted"
	UsersAssigned        = "users-assigned"
	AdminConsentWorkflow = "admin-consent-workflow"
	UserConsent          = "user-consent"
	BlockedSignIns       = "blocked-signins"
)

// Check describes one live check.
type Check struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Endpoints   []string `json:"endpoints"`   // Graph v1.0 requests it reads, method and path
	Permissions []string `json:"permissions"` // least privileged Graph permissions (delegated and application)
	Roles       []string `json:"roles,omitempty"`
	NeedsUser   bool     `json:"needsUser"` // unknown without a signed-in reader or --user
	Licence     string   `json:"licence,omitempty"`
}

// Roles a delegated caller needs, besides the permission, to read directory
// policies and sign-in logs.
func policyReaderRoles() []string {
	return []string{"Global Reader", "Cloud Application Administrator", "Application Administrator", "Global Administrator"}
}

func reportsReaderRoles() []string {
	return []string{"Reports Reader", "Security Reader", "Security Administrator", "Global Reader"}
}

// Catalog returns the checks in their documented order. The slice and its
// contents are fresh on every call.
func Catalog() []Check {
	return []Check{
		{
			ID:          ConsentRequestSent,
			Title:       "Consent request sent",
			Description: "The user has asked an admin to approve the app. Done when a request by the user exists (its status says whether it is in progress, completed or expired); pending when there is none.",
			Endpoints: []string{
				"GET /identityGovernance/appConsent/appConsentRequests?$filter=appId eq '{appId}'",
				"GET /identityGovernance/appConsent/appConsentRequests/{id}/userConsentRequests",
				"GET /users/{user}?$select=id,userPrincipalName,displayName",
			},
			Permissions: []string{"ConsentRequest.Read.All", "User.Read.All"},
			NeedsUser:   true,
		},
		{
			ID:          ReviewersNotified,
			Title:       "Reviewers are notified",
			Description: "Admin consent requests reach someone: the workflow is on, reviewers are emailed and at least one reviewer is set.",
			Endpoints:   []string{"GET /policies/adminConsentRequestPolicy"},
			Permissions: []string{"Policy.Read.All"},
			Roles:       policyReaderRoles(),
		},
		{
			ID:          AdminConsentGranted,
			Title:       "Admin consent granted",
			Description: "An admin has granted tenant-wide (AllPrincipals) consent covering every scope the app needs.",
			Endpoints: []string{
				"GET /servicePrincipals?$filter=appId eq '{appId}'",
				"GET /oauth2PermissionGrants?$filter=clientId eq '{servicePrincipalId}'",
			},
			Permissions: []string{"Application.Read.All", "Directory.Read.All"},
		},
		{
			ID:          UsersAssigned,
			Title:       "User can use the app",
			Description: "Assignment is not required for the app, or the user is assigned to it directly or through a group (nested groups count).",
			Endpoints: []string{
				"GET /servicePrincipals?$filter=appId eq '{appId}'",
				"GET /servicePrincipals/{servicePrincipalId}/appRoleAssignedTo",
				"GET /users/{user}?$select=id,userPrincipalName,displayName",
				"GET /users/{user}/transitiveMemberOf?$select=id,displayName",
			},
			Permissions: []string{"Application.Read.All", "User.Read.All"},
			NeedsUser:   true,
		},
		{
			ID:          AdminConsentWorkflow,
			Title:       "Admin consent workflow is on",
			Description: "Users can request admin consent to apps they are unable to consent to.",
			Endpoints:   []string{"GET /policies/adminConsentRequestPolicy"},
			Permissions: []string{"Policy.Read.All"},
			Roles:       policyReaderRoles(),
		},
		{
			ID:          UserConsent,
			Title:       "Users may consent",
			Description: "Users may consent to this app themselves: the legacy user consent policy is assigned, or the low-impact or recommended policy is assigned and the app qualifies (verified publisher, every scope classified low).",
			Endpoints: []string{
				"GET /policies/authorizationPolicy",
				"GET /servicePrincipals?$filter=appId eq '{appId}'",
				"GET /servicePrincipals(appId='00000003-0000-0000-c000-000000000000')/delegatedPermissionClassifications",
			},
			Permissions: []string{"Policy.Read.All", "Application.Read.All"},
		},
		{
			ID:          BlockedSignIns,
			Title:       "No blocked sign-ins",
			Description: "No sign-in to the app by the user in the last 7 days failed with a consent or assignment error (90095, 90094, 65001, 50105).",
			Endpoints: []string{
				"GET /auditLogs/signIns?$filter=appId eq '{appId}' and createdDateTime ge {7 days ago} and userPrincipalName eq '{user}' and (status/errorCode eq 90095 or …)",
			},
			Permissions: []string{"AuditLog.Read.All", "Directory.Read.All"},
			Roles:       reportsReaderRoles(),
			NeedsUser:   true,
			Licence:     "Microsoft Entra ID P1 or P2",
		},
	}
}

// Lookup returns the check with the given ID.
func Lookup(id string) (Check, bool) {
	for _, c := range Catalog() {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}

// IDs returns the check IDs in catalog order.
func IDs() []string {
	cat := Catalog()
	ids := make([]string, len(cat))
	for i, c := range cat {
		ids[i] = c.ID
	}
	return ids
}

// signInErrorCodes are the sign-in failures blocked-signins looks for, with
// what each means in words.
func signInErrorText(code int) string {
	switch code {
	case 90095:
		return "admin approval required"
	case 90094:
		return "admin consent required"
	case 65001:
		return "consent not granted"
	case 50105:
		return "user not assigned to the app"
	}
	return ""
}

// SignInErrorCodes returns the sign-in error codes blocked-signins looks for.
func SignInErrorCodes() []int { return []int{90095, 90094, 65001, 50105} }

// clean makes a string that came from the tenant safe to show as one line
// of plain text: control characters become spaces and it is cut to n runes.
func clean(s string, n int) string {
	var b strings.Builder
	count := 0
	for _, r := range s {
		if count == n {
			b.WriteString("…")
			break
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			r = ' '
		}
		b.WriteRune(r)
		count++
	}
	return strings.TrimSpace(b.String())
}
