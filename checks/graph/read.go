package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/auditlogs"
	"github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"
	"github.com/microsoftgraph/msgraph-sdk-go/oauth2permissiongrants"
	"github.com/microsoftgraph/msgraph-sdk-go/serviceprincipals"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"livedocs/checks"
)

// GraphAppID is Microsoft Graph's own application ID.
const GraphAppID = "00000003-0000-0000-c000-000000000000"

// maxConsentRequests bounds the consent requests whose user requests are read.
const maxConsentRequests = 10

var guidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// odata quotes s as an OData string literal.
func odata(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Read implements checks.Source.
func (s *Source) Read(ctx context.Context, q checks.Query) (*checks.Tenant, error) {
	t := &checks.Tenant{Demo: s.demo, Scenario: s.scenario}
	if !guidPattern.MatchString(q.AppID) {
		return t, fmt.Errorf("read tenant: app ID %q is not a GUID", q.AppID)
	}
	r := q.Reads
	var first []*step
	add := func(list *[]*step, name string, info *abs.RequestInformation, err error, into any) *step {
		var st *step
		if err == nil {
			st, err = s.newStep(name, info, into)
		}
		if err != nil {
			return &step{name: name, err: err}
		}
		*list = append(*list, st)
		return st
	}
	var (
		spResp      page[servicePrincipalJSON]
		acpResp     adminConsentPolicyJSON
		authzResp   authorizationPolicyJSON
		classResp   page[classificationJSON]
		creqsResp   page[consentRequestJSON]
		userResp    userJSON
		groupsResp  page[groupJSON]
		signInsResp page[signInJSON]
		grantsResp  page[grantJSON]
		assignResp  page[assignmentJSON]
	)
	var sp, acp, authz, classes, creqs, user, groups, signins *step
	if r.ServicePrincipal {
		f := "appId eq " + odata(q.AppID)
		info, err := s.client.ServicePrincipals().ToGetRequestInformation(ctx, &serviceprincipals.ServicePrincipalsRequestBuilderGetRequestConfiguration{
			QueryParameters: &serviceprincipals.ServicePrincipalsRequestBuilderGetQueryParameters{
				Filter: &f,
				Select: []string{"id", "appId", "displayName", "appRoleAssignmentRequired", "verifiedPublisher"},
			},
		})
		sp = add(&first, "GET /servicePrincipals", info, err, &spResp)
	}
	if r.AdminConsentPolicy {
		info, err := s.client.Policies().AdminConsentRequestPolicy().ToGetRequestInformation(ctx, nil)
		acp = add(&first, "GET /policies/adminConsentRequestPolicy", info, err, &acpResp)
	}
	if r.AuthorizationPolicy {
		info, err := s.client.Policies().AuthorizationPolicy().ToGetRequestInformation(ctx, nil)
		authz = add(&first, "GET /policies/authorizationPolicy", info, err, &authzResp)
	}
	if r.Classifications {
		raw := s.base + "/servicePrincipals(appId='" + GraphAppID + "')/delegatedPermissionClassifications"
		info, err := serviceprincipals.NewItemDelegatedPermissionClassificationsRequestBuilder(raw, s.adapter).ToGetRequestInformation(ctx, nil)
		classes = add(&first, "GET /servicePrincipals(appId='"+GraphAppID+"')/delegatedPermissionClassifications", info, err, &classResp)
	}
	if r.ConsentRequests {
		f := "appId eq " + odata(q.AppID)
		info, err := s.client.IdentityGovernance().AppConsent().AppConsentRequests().ToGetRequestInformation(ctx, &identitygovernance.AppConsentAppConsentRequestsRequestBuilderGetRequestConfiguration{
			QueryParameters: &identitygovernance.AppConsentAppConsentRequestsRequestBuilderGetQueryParameters{Filter: &f},
		})
		creqs = add(&first, "GET /identityGovernance/appConsent/appConsentRequests", info, err, &creqsResp)
	}
	if r.User && q.User != "" {
		info, err := s.client.Users().ByUserId(q.User).ToGetRequestInformation(ctx, &users.UserItemRequestBuilderGetRequestConfiguration{
			QueryParameters: &users.UserItemRequestBuilderGetQueryParameters{Select: []string{"id", "userPrincipalName", "displayName"}},
		})
		user = add(&first, "GET /users/{user}", info, err, &userResp)
	}
	if r.Groups && q.User != "" {
		top := int32(999)
		info, err := s.client.Users().ByUserId(q.User).TransitiveMemberOf().ToGetRequestInformation(ctx, &users.ItemTransitiveMemberOfRequestBuilderGetRequestConfiguration{
			QueryParameters: &users.ItemTransitiveMemberOfRequestBuilderGetQueryParameters{Select: []string{"id", "displayName"}, Top: &top},
		})
		groups = add(&first, "GET /users/{user}/transitiveMemberOf", info, err, &groupsResp)
	}
	if r.SignIns && q.User != "" {
		f := SignInFilter(q.AppID, q.User, q.Since)
		top := int32(50)
		info, err := s.client.AuditLogs().SignIns().ToGetRequestInformation(ctx, &auditlogs.SignInsRequestBuilderGetRequestConfiguration{
			QueryParameters: &auditlogs.SignInsRequestBuilderGetQueryParameters{Filter: &f, Top: &top},
		})
		signins = add(&first, "GET /auditLogs/signIns", info, err, &signInsResp)
	}
	if ctx.Err() != nil {
		return t, ctx.Err()
	}
	s.run(ctx, first)

	// What the second batch depends on.
	if sp != nil {
		t.ServicePrincipal = servicePrincipal(sp, &spResp)
	}
	if creqs != nil {
		t.ConsentRequests = consentRequests(creqs, &creqsResp)
	}

	var second []*step
	var grants, assigned *step
	var ucrs []*step
	if spv := t.ServicePrincipal.Value; t.ServicePrincipal.Got && spv != nil {
		if r.Grants {
			f := "clientId eq " + odata(spv.ID)
			info, err := s.client.Oauth2PermissionGrants().ToGetRequestInformation(ctx, &oauth2permissiongrants.Oauth2PermissionGrantsRequestBuilderGetRequestConfiguration{
				QueryParameters: &oauth2permissiongrants.Oauth2PermissionGrantsRequestBuilderGetQueryParameters{Filter: &f},
			})
			grants = add(&second, "GET /oauth2PermissionGrants", info, err, &grantsResp)
		}
		if r.Assignments && spv.AppRoleAssignmentRequired {
			top := int32(999)
			info, err := s.client.ServicePrincipals().ByServicePrincipalId(spv.ID).AppRoleAssignedTo().ToGetRequestInformation(ctx, &serviceprincipals.ItemAppRoleAssignedToRequestBuilderGetRequestConfiguration{
				QueryParameters: &serviceprincipals.ItemAppRoleAssignedToRequestBuilderGetQueryParameters{Top: &top},
			})
			assigned = add(&second, "GET /servicePrincipals/{id}/appRoleAssignedTo", info, err, &assignResp)
		}
	} else if !t.ServicePrincipal.Got && sp != nil {
		// The lookup failed: whatever depends on it fails the same way.
		t.Grants = checks.Failed[[]checks.Grant](t.ServicePrincipal.Err)
		t.Assignments = checks.Failed[[]checks.Assignment](t.ServicePrincipal.Err)
	}
	if t.ConsentRequests.Got {
		list := t.ConsentRequests.Value
		if len(list) > maxConsentRequests {
			list = list[:maxConsentRequests]
		}
		for _, cr := range list {
			info, err := s.client.IdentityGovernance().AppConsent().AppConsentRequests().ByAppConsentRequestId(cr.ID).UserConsentRequests().ToGetRequestInformation(ctx, nil)
			ucrs = append(ucrs, add(&second, "GET /identityGovernance/appConsent/appConsentRequests/{id}/userConsentRequests", info, err, new(page[userConsentRequestJSON])))
		}
	} else if creqs != nil {
		t.UserConsentRequests = checks.Failed[[]checks.UserConsentRequest](t.ConsentRequests.Err)
	}
	if len(second) > 0 {
		if ctx.Err() != nil {
			for _, st := range second {
				st.err = ctx.Err()
			}
		} else {
			s.run(ctx, second)
		}
	}

	if acp != nil {
		t.AdminConsentPolicy = adminConsentPolicy(acp, &acpResp)
	}
	if authz != nil {
		t.AuthorizationPolicy = authorizationPolicy(authz, &authzResp)
	}
	if classes != nil {
		t.Classifications = classifications(classes, &classResp)
	}
	if user != nil {
		t.User = directoryUser(user, &userResp)
	}
	if groups != nil {
		t.Groups = memberships(groups, &groupsResp)
	}
	if signins != nil {
		t.SignIns = signIns(signins, &signInsResp)
	}
	if grants != nil {
		t.Grants = permissionGrants(grants, &grantsResp)
	}
	if assigned != nil {
		t.Assignments = assignments(assigned, &assignResp)
	}
	if t.ConsentRequests.Got {
		t.UserConsentRequests = userConsentRequests(t.ConsentRequests.Value, ucrs, len(t.ConsentRequests.Value) > maxConsentRequests)
	}
	return t, nil
}

// SignInFilter is the $filter blocked-signins sends to /auditLogs/signIns.
func SignInFilter(appID, user string, since time.Time) string {
	who := "userPrincipalName eq " + odata(user)
	if guidPattern.MatchString(user) {
		who = "userId eq " + odata(user)
	}
	var codes []string
	for _, c := range checks.SignInErrorCodes() {
		codes = append(codes, fmt.Sprintf("status/errorCode eq %d", c))
	}
	return fmt.Sprintf("appId eq %s and %s and createdDateTime ge %s and (%s)",
		odata(appID), who, since.UTC().Format("2006-01-02T15:04:05Z"), strings.Join(codes, " or "))
}

// The plain shapes of Graph's answers: only the properties the checks read.
// Absent or null properties decode to their zero values (pointers where
// absence matters).

// page is one page of a Graph collection.
type page[T any] struct {
	Value    []*T   `json:"value"`
	NextLink string `json:"@odata.nextLink"`
}

// more reports whether the collection has more pages.
func (p *page[T]) more() bool { return p.NextLink != "" }

type servicePrincipalJSON struct {
	ID                        string `json:"id"`
	AppID                     string `json:"appId"`
	DisplayName               string `json:"displayName"`
	AppDisplayName            string `json:"appDisplayName"`
	AppRoleAssignmentRequired bool   `json:"appRoleAssignmentRequired"`
	VerifiedPublisher         *struct {
		VerifiedPublisherID string `json:"verifiedPublisherId"`
		DisplayName         string `json:"displayName"`
	} `json:"verifiedPublisher"`
}

type adminConsentPolicyJSON struct {
	IsEnabled       *bool             `json:"isEnabled"`
	NotifyReviewers bool              `json:"notifyReviewers"`
	Reviewers       []json.RawMessage `json:"reviewers"`
}

type authorizationPolicyJSON struct {
	DefaultUserRolePermissions *struct {
		PermissionGrantPoliciesAssigned []string `json:"permissionGrantPoliciesAssigned"`
	} `json:"defaultUserRolePermissions"`
}

type classificationJSON struct {
	PermissionName string `json:"permissionName"`
	Classification string `json:"classification"`
}

type consentRequestJSON struct {
	ID             string `json:"id"`
	AppID          string `json:"appId"`
	AppDisplayName string `json:"appDisplayName"`
}

type userConsentRequestJSON struct {
	Status          string     `json:"status"`
	CreatedDateTime *time.Time `json:"createdDateTime"`
	CreatedBy       *struct {
		User *userJSON `json:"user"`
	} `json:"createdBy"`
}

type userJSON struct {
	ID                string `json:"id"`
	UserPrincipalName string `json:"userPrincipalName"`
	DisplayName       string `json:"displayName"`
}

type groupJSON struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
}

type signInJSON struct {
	UserPrincipalName string     `json:"userPrincipalName"`
	UserID            string     `json:"userId"`
	AppID             string     `json:"appId"`
	AppDisplayName    string     `json:"appDisplayName"`
	CorrelationID     string     `json:"correlationId"`
	CreatedDateTime   *time.Time `json:"createdDateTime"`
	Status            *struct {
		ErrorCode     int    `json:"errorCode"`
		FailureReason string `json:"failureReason"`
	} `json:"status"`
}

type grantJSON struct {
	ClientID    string `json:"clientId"`
	ConsentType string `json:"consentType"`
	PrincipalID string `json:"principalId"`
	ResourceID  string `json:"resourceId"`
	Scope       string `json:"scope"`
}

type assignmentJSON struct {
	PrincipalID          string `json:"principalId"`
	PrincipalType        string `json:"principalType"`
	PrincipalDisplayName string `json:"principalDisplayName"`
}

func servicePrincipal(st *step, resp *page[servicePrincipalJSON]) checks.Part[*checks.ServicePrincipal] {
	if st.err != nil {
		return checks.Failed[*checks.ServicePrincipal](st.err)
	}
	for _, v := range resp.Value {
		if v == nil || v.ID == "" {
			continue
		}
		sp := &checks.ServicePrincipal{
			ID:                        v.ID,
			AppID:                     v.AppID,
			DisplayName:               v.DisplayName,
			AppRoleAssignmentRequired: v.AppRoleAssignmentRequired,
		}
		if sp.DisplayName == "" {
			sp.DisplayName = v.AppDisplayName
		}
		if vp := v.VerifiedPublisher; vp != nil {
			sp.VerifiedPublisherID = vp.VerifiedPublisherID
			sp.VerifiedPublisherName = vp.DisplayName
		}
		return checks.Ok(sp)
	}
	return checks.Ok[*checks.ServicePrincipal](nil)
}

func adminConsentPolicy(st *step, v *adminConsentPolicyJSON) checks.Part[checks.AdminConsentPolicy] {
	if st.err != nil {
		return checks.Failed[checks.AdminConsentPolicy](st.err)
	}
	if v.IsEnabled == nil {
		return checks.Failed[checks.AdminConsentPolicy](fmt.Errorf("%w: %s: no isEnabled", checks.ErrMalformed, st.name))
	}
	return checks.Ok(checks.AdminConsentPolicy{
		IsEnabled:       *v.IsEnabled,
		NotifyReviewers: v.NotifyReviewers,
		Reviewers:       len(v.Reviewers),
	})
}

func authorizationPolicy(st *step, v *authorizationPolicyJSON) checks.Part[checks.AuthorizationPolicy] {
	if st.err != nil {
		return checks.Failed[checks.AuthorizationPolicy](st.err)
	}
	d := v.DefaultUserRolePermissions
	if d == nil {
		return checks.Failed[checks.AuthorizationPolicy](fmt.Errorf("%w: %s: no defaultUserRolePermissions", checks.ErrMalformed, st.name))
	}
	return checks.Ok(checks.AuthorizationPolicy{PermissionGrantPoliciesAssigned: d.PermissionGrantPoliciesAssigned})
}

func classifications(st *step, resp *page[classificationJSON]) checks.Part[[]checks.Classification] {
	if st.err != nil {
		return checks.Failed[[]checks.Classification](st.err)
	}
	out := []checks.Classification{}
	for _, v := range resp.Value {
		if v == nil {
			continue
		}
		out = append(out, checks.Classification{PermissionName: v.PermissionName, Classification: v.Classification})
	}
	p := checks.Ok(out)
	p.Truncated = resp.more()
	return p
}

func consentRequests(st *step, resp *page[consentRequestJSON]) checks.Part[[]checks.ConsentRequest] {
	if st.err != nil {
		return checks.Failed[[]checks.ConsentRequest](st.err)
	}
	out := []checks.ConsentRequest{}
	for _, v := range resp.Value {
		if v == nil || v.ID == "" {
			continue
		}
		out = append(out, checks.ConsentRequest{ID: v.ID, AppID: v.AppID, AppDisplayName: v.AppDisplayName})
	}
	p := checks.Ok(out)
	p.Truncated = resp.more()
	return p
}

func userConsentRequests(parents []checks.ConsentRequest, steps []*step, truncated bool) checks.Part[[]checks.UserConsentRequest] {
	out := []checks.UserConsentRequest{}
	for i, st := range steps {
		if st.err != nil {
			return checks.Failed[[]checks.UserConsentRequest](st.err)
		}
		resp, ok := st.into.(*page[userConsentRequestJSON])
		if !ok {
			return checks.Failed[[]checks.UserConsentRequest](fmt.Errorf("%w: %s: unexpected answer type %T", checks.ErrMalformed, st.name, st.into))
		}
		truncated = truncated || resp.more()
		for _, v := range resp.Value {
			if v == nil {
				continue
			}
			u := checks.UserConsentRequest{RequestID: parents[i].ID, Status: v.Status}
			if v.CreatedDateTime != nil {
				u.Created = *v.CreatedDateTime
			}
			if cb := v.CreatedBy; cb != nil && cb.User != nil {
				u.CreatedByID = cb.User.ID
				u.CreatedByName = cb.User.DisplayName
				u.CreatedByUPN = cb.User.UserPrincipalName
			}
			out = append(out, u)
		}
	}
	p := checks.Ok(out)
	p.Truncated = truncated
	return p
}

func directoryUser(st *step, v *userJSON) checks.Part[*checks.User] {
	if st.err != nil {
		if ge, ok := st.err.(*checks.GraphError); ok && ge.Status == 404 {
			return checks.Ok[*checks.User](nil)
		}
		return checks.Failed[*checks.User](st.err)
	}
	return checks.Ok(&checks.User{ID: v.ID, UserPrincipalName: v.UserPrincipalName, DisplayName: v.DisplayName})
}

func memberships(st *step, resp *page[groupJSON]) checks.Part[[]checks.Group] {
	if st.err != nil {
		return checks.Failed[[]checks.Group](st.err)
	}
	out := []checks.Group{}
	for _, v := range resp.Value {
		if v == nil || v.ID == "" {
			continue
		}
		out = append(out, checks.Group{ID: v.ID, DisplayName: v.DisplayName})
	}
	p := checks.Ok(out)
	p.Truncated = resp.more()
	return p
}

func signIns(st *step, resp *page[signInJSON]) checks.Part[[]checks.SignIn] {
	if st.err != nil {
		return checks.Failed[[]checks.SignIn](st.err)
	}
	out := []checks.SignIn{}
	for _, v := range resp.Value {
		if v == nil {
			continue
		}
		s := checks.SignIn{
			UserPrincipalName: v.UserPrincipalName,
			UserID:            v.UserID,
			AppID:             v.AppID,
			AppDisplayName:    v.AppDisplayName,
			CorrelationID:     v.CorrelationID,
		}
		if v.CreatedDateTime != nil {
			s.Time = *v.CreatedDateTime
		}
		if v.Status != nil {
			s.ErrorCode = v.Status.ErrorCode
			s.FailureReason = v.Status.FailureReason
		}
		out = append(out, s)
	}
	// Later pages hold older sign-ins; the newest are on the first.
	return checks.Ok(out)
}

func permissionGrants(st *step, resp *page[grantJSON]) checks.Part[[]checks.Grant] {
	if st.err != nil {
		return checks.Failed[[]checks.Grant](st.err)
	}
	out := []checks.Grant{}
	for _, v := range resp.Value {
		if v == nil {
			continue
		}
		out = append(out, checks.Grant{
			ClientID:    v.ClientID,
			ConsentType: v.ConsentType,
			PrincipalID: v.PrincipalID,
			ResourceID:  v.ResourceID,
			Scope:       v.Scope,
		})
	}
	p := checks.Ok(out)
	p.Truncated = resp.more()
	return p
}

func assignments(st *step, resp *page[assignmentJSON]) checks.Part[[]checks.Assignment] {
	if st.err != nil {
		return checks.Failed[[]checks.Assignment](st.err)
	}
	out := []checks.Assignment{}
	for _, v := range resp.Value {
		if v == nil {
			continue
		}
		out = append(out, checks.Assignment{PrincipalID: v.PrincipalID, PrincipalType: v.PrincipalType, PrincipalDisplayName: v.PrincipalDisplayName})
	}
	p := checks.Ok(out)
	p.Truncated = resp.more()
	return p
}
