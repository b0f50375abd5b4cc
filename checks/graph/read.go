package graph

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
	absser "github.com/microsoft/kiota-abstractions-go/serialization"
	"github.com/microsoftgraph/msgraph-sdk-go/auditlogs"
	"github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
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
	add := func(list *[]*step, name string, info *abs.RequestInformation, err error, ctor absser.ParsableFactory) *step {
		st := &step{name: name, info: info, ctor: ctor, err: err}
		if err == nil {
			*list = append(*list, st)
		}
		return st
	}
	var sp, acp, authz, classes, creqs, user, groups, signins *step
	if r.ServicePrincipal {
		f := "appId eq " + odata(q.AppID)
		info, err := s.client.ServicePrincipals().ToGetRequestInformation(ctx, &serviceprincipals.ServicePrincipalsRequestBuilderGetRequestConfiguration{
			QueryParameters: &serviceprincipals.ServicePrincipalsRequestBuilderGetQueryParameters{
				Filter: &f,
				Select: []string{"id", "appId", "displayName", "appRoleAssignmentRequired", "verifiedPublisher"},
			},
		})
		sp = add(&first, "GET /servicePrincipals", info, err, models.CreateServicePrincipalCollectionResponseFromDiscriminatorValue)
	}
	if r.AdminConsentPolicy {
		info, err := s.client.Policies().AdminConsentRequestPolicy().ToGetRequestInformation(ctx, nil)
		acp = add(&first, "GET /policies/adminConsentRequestPolicy", info, err, models.CreateAdminConsentRequestPolicyFromDiscriminatorValue)
	}
	if r.AuthorizationPolicy {
		info, err := s.client.Policies().AuthorizationPolicy().ToGetRequestInformation(ctx, nil)
		authz = add(&first, "GET /policies/authorizationPolicy", info, err, models.CreateAuthorizationPolicyFromDiscriminatorValue)
	}
	if r.Classifications {
		raw := s.base + "/servicePrincipals(appId='" + GraphAppID + "')/delegatedPermissionClassifications"
		info, err := serviceprincipals.NewItemDelegatedPermissionClassificationsRequestBuilder(raw, s.adapter).ToGetRequestInformation(ctx, nil)
		classes = add(&first, "GET /servicePrincipals(appId='"+GraphAppID+"')/delegatedPermissionClassifications", info, err, models.CreateDelegatedPermissionClassificationCollectionResponseFromDiscriminatorValue)
	}
	if r.ConsentRequests {
		f := "appId eq " + odata(q.AppID)
		info, err := s.client.IdentityGovernance().AppConsent().AppConsentRequests().ToGetRequestInformation(ctx, &identitygovernance.AppConsentAppConsentRequestsRequestBuilderGetRequestConfiguration{
			QueryParameters: &identitygovernance.AppConsentAppConsentRequestsRequestBuilderGetQueryParameters{Filter: &f},
		})
		creqs = add(&first, "GET /identityGovernance/appConsent/appConsentRequests", info, err, models.CreateAppConsentRequestCollectionResponseFromDiscriminatorValue)
	}
	if r.User && q.User != "" {
		info, err := s.client.Users().ByUserId(q.User).ToGetRequestInformation(ctx, &users.UserItemRequestBuilderGetRequestConfiguration{
			QueryParameters: &users.UserItemRequestBuilderGetQueryParameters{Select: []string{"id", "userPrincipalName", "displayName"}},
		})
		user = add(&first, "GET /users/{user}", info, err, models.CreateUserFromDiscriminatorValue)
	}
	if r.Groups && q.User != "" {
		top := int32(999)
		info, err := s.client.Users().ByUserId(q.User).TransitiveMemberOf().ToGetRequestInformation(ctx, &users.ItemTransitiveMemberOfRequestBuilderGetRequestConfiguration{
			QueryParameters: &users.ItemTransitiveMemberOfRequestBuilderGetQueryParameters{Select: []string{"id", "displayName"}, Top: &top},
		})
		groups = add(&first, "GET /users/{user}/transitiveMemberOf", info, err, models.CreateDirectoryObjectCollectionResponseFromDiscriminatorValue)
	}
	if r.SignIns && q.User != "" {
		f := SignInFilter(q.AppID, q.User, q.Since)
		top := int32(50)
		info, err := s.client.AuditLogs().SignIns().ToGetRequestInformation(ctx, &auditlogs.SignInsRequestBuilderGetRequestConfiguration{
			QueryParameters: &auditlogs.SignInsRequestBuilderGetQueryParameters{Filter: &f, Top: &top},
		})
		signins = add(&first, "GET /auditLogs/signIns", info, err, models.CreateSignInCollectionResponseFromDiscriminatorValue)
	}
	if ctx.Err() != nil {
		return t, ctx.Err()
	}
	s.run(ctx, first)

	// What the second batch depends on.
	if sp != nil {
		t.ServicePrincipal = servicePrincipal(sp)
	}
	if creqs != nil {
		t.ConsentRequests = consentRequests(creqs)
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
			grants = add(&second, "GET /oauth2PermissionGrants", info, err, models.CreateOAuth2PermissionGrantCollectionResponseFromDiscriminatorValue)
		}
		if r.Assignments && spv.AppRoleAssignmentRequired {
			top := int32(999)
			info, err := s.client.ServicePrincipals().ByServicePrincipalId(spv.ID).AppRoleAssignedTo().ToGetRequestInformation(ctx, &serviceprincipals.ItemAppRoleAssignedToRequestBuilderGetRequestConfiguration{
				QueryParameters: &serviceprincipals.ItemAppRoleAssignedToRequestBuilderGetQueryParameters{Top: &top},
			})
			assigned = add(&second, "GET /servicePrincipals/{id}/appRoleAssignedTo", info, err, models.CreateAppRoleAssignmentCollectionResponseFromDiscriminatorValue)
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
			ucrs = append(ucrs, add(&second, "GET /identityGovernance/appConsent/appConsentRequests/{id}/userConsentRequests", info, err, models.CreateUserConsentRequestCollectionResponseFromDiscriminatorValue))
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
		t.AdminConsentPolicy = adminConsentPolicy(acp)
	}
	if authz != nil {
		t.AuthorizationPolicy = authorizationPolicy(authz)
	}
	if classes != nil {
		t.Classifications = classifications(classes)
	}
	if user != nil {
		t.User = directoryUser(user)
	}
	if groups != nil {
		t.Groups = memberships(groups)
	}
	if signins != nil {
		t.SignIns = signIns(signins)
	}
	if grants != nil {
		t.Grants = permissionGrants(grants)
	}
	if assigned != nil {
		t.Assignments = assignments(assigned)
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

// answer returns the step's value as T, or the part's error.
func answer[T any](st *step) (T, error) {
	var zero T
	if st.err != nil {
		return zero, st.err
	}
	v, ok := st.value.(T)
	if !ok {
		return zero, fmt.Errorf("%w: %s: unexpected answer type %T", checks.ErrMalformed, st.name, st.value)
	}
	return v, nil
}

// nextLink reports whether a collection answer has more pages.
type paged interface{ GetOdataNextLink() *string }

func more(p paged) bool { l := p.GetOdataNextLink(); return l != nil && *l != "" }

func servicePrincipal(st *step) checks.Part[*checks.ServicePrincipal] {
	resp, err := answer[models.ServicePrincipalCollectionResponseable](st)
	if err != nil {
		return checks.Failed[*checks.ServicePrincipal](err)
	}
	for _, v := range resp.GetValue() {
		if v == nil || deref(v.GetId()) == "" {
			continue
		}
		sp := &checks.ServicePrincipal{
			ID:                        deref(v.GetId()),
			AppID:                     deref(v.GetAppId()),
			DisplayName:               deref(v.GetDisplayName()),
			AppRoleAssignmentRequired: deref(v.GetAppRoleAssignmentRequired()),
		}
		if sp.DisplayName == "" {
			sp.DisplayName = deref(v.GetAppDisplayName())
		}
		if vp := v.GetVerifiedPublisher(); vp != nil {
			sp.VerifiedPublisherID = deref(vp.GetVerifiedPublisherId())
			sp.VerifiedPublisherName = deref(vp.GetDisplayName())
		}
		return checks.Ok(sp)
	}
	return checks.Ok[*checks.ServicePrincipal](nil)
}

func adminConsentPolicy(st *step) checks.Part[checks.AdminConsentPolicy] {
	v, err := answer[models.AdminConsentRequestPolicyable](st)
	if err != nil {
		return checks.Failed[checks.AdminConsentPolicy](err)
	}
	if v.GetIsEnabled() == nil {
		return checks.Failed[checks.AdminConsentPolicy](fmt.Errorf("%w: %s: no isEnabled", checks.ErrMalformed, st.name))
	}
	return checks.Ok(checks.AdminConsentPolicy{
		IsEnabled:       deref(v.GetIsEnabled()),
		NotifyReviewers: deref(v.GetNotifyReviewers()),
		Reviewers:       len(v.GetReviewers()),
	})
}

func authorizationPolicy(st *step) checks.Part[checks.AuthorizationPolicy] {
	v, err := answer[models.AuthorizationPolicyable](st)
	if err != nil {
		return checks.Failed[checks.AuthorizationPolicy](err)
	}
	d := v.GetDefaultUserRolePermissions()
	if d == nil {
		return checks.Failed[checks.AuthorizationPolicy](fmt.Errorf("%w: %s: no defaultUserRolePermissions", checks.ErrMalformed, st.name))
	}
	return checks.Ok(checks.AuthorizationPolicy{PermissionGrantPoliciesAssigned: append([]string(nil), d.GetPermissionGrantPoliciesAssigned()...)})
}

func classifications(st *step) checks.Part[[]checks.Classification] {
	resp, err := answer[models.DelegatedPermissionClassificationCollectionResponseable](st)
	if err != nil {
		return checks.Failed[[]checks.Classification](err)
	}
	out := []checks.Classification{}
	for _, v := range resp.GetValue() {
		if v == nil {
			continue
		}
		c := checks.Classification{PermissionName: deref(v.GetPermissionName())}
		if k := v.GetClassification(); k != nil {
			c.Classification = k.String()
		}
		out = append(out, c)
	}
	p := checks.Ok(out)
	p.Truncated = more(resp)
	return p
}

func consentRequests(st *step) checks.Part[[]checks.ConsentRequest] {
	resp, err := answer[models.AppConsentRequestCollectionResponseable](st)
	if err != nil {
		return checks.Failed[[]checks.ConsentRequest](err)
	}
	out := []checks.ConsentRequest{}
	for _, v := range resp.GetValue() {
		if v == nil || deref(v.GetId()) == "" {
			continue
		}
		out = append(out, checks.ConsentRequest{ID: deref(v.GetId()), AppID: deref(v.GetAppId()), AppDisplayName: deref(v.GetAppDisplayName())})
	}
	p := checks.Ok(out)
	p.Truncated = more(resp)
	return p
}

func userConsentRequests(parents []checks.ConsentRequest, steps []*step, truncated bool) checks.Part[[]checks.UserConsentRequest] {
	out := []checks.UserConsentRequest{}
	for i, st := range steps {
		resp, err := answer[models.UserConsentRequestCollectionResponseable](st)
		if err != nil {
			return checks.Failed[[]checks.UserConsentRequest](err)
		}
		truncated = truncated || more(resp)
		for _, v := range resp.GetValue() {
			if v == nil {
				continue
			}
			u := checks.UserConsentRequest{RequestID: parents[i].ID, Status: deref(v.GetStatus())}
			if c := v.GetCreatedDateTime(); c != nil {
				u.Created = *c
			}
			if cb := v.GetCreatedBy(); cb != nil {
				if id := cb.GetUser(); id != nil {
					u.CreatedByID = deref(id.GetId())
					u.CreatedByName = deref(id.GetDisplayName())
					u.CreatedByUPN = stringValue(id.GetAdditionalData()["userPrincipalName"])
				}
			}
			out = append(out, u)
		}
	}
	p := checks.Ok(out)
	p.Truncated = truncated
	return p
}

func directoryUser(st *step) checks.Part[*checks.User] {
	v, err := answer[models.Userable](st)
	if err != nil {
		if ge, ok := err.(*checks.GraphError); ok && ge.Status == 404 {
			return checks.Ok[*checks.User](nil)
		}
		return checks.Failed[*checks.User](err)
	}
	return checks.Ok(&checks.User{ID: deref(v.GetId()), UserPrincipalName: deref(v.GetUserPrincipalName()), DisplayName: deref(v.GetDisplayName())})
}

func memberships(st *step) checks.Part[[]checks.Group] {
	resp, err := answer[models.DirectoryObjectCollectionResponseable](st)
	if err != nil {
		return checks.Failed[[]checks.Group](err)
	}
	out := []checks.Group{}
	for _, v := range resp.GetValue() {
		if v == nil || deref(v.GetId()) == "" {
			continue
		}
		g := checks.Group{ID: deref(v.GetId())}
		if n, ok := v.(interface{ GetDisplayName() *string }); ok {
			g.DisplayName = deref(n.GetDisplayName())
		} else {
			g.DisplayName = stringValue(v.GetAdditionalData()["displayName"])
		}
		out = append(out, g)
	}
	p := checks.Ok(out)
	p.Truncated = more(resp)
	return p
}

func signIns(st *step) checks.Part[[]checks.SignIn] {
	resp, err := answer[models.SignInCollectionResponseable](st)
	if err != nil {
		return checks.Failed[[]checks.SignIn](err)
	}
	out := []checks.SignIn{}
	for _, v := range resp.GetValue() {
		if v == nil {
			continue
		}
		s := checks.SignIn{
			UserPrincipalName: deref(v.GetUserPrincipalName()),
			UserID:            deref(v.GetUserId()),
			AppID:             deref(v.GetAppId()),
			AppDisplayName:    deref(v.GetAppDisplayName()),
			CorrelationID:     deref(v.GetCorrelationId()),
		}
		if c := v.GetCreatedDateTime(); c != nil {
			s.Time = *c
		}
		if status := v.GetStatus(); status != nil {
			s.ErrorCode = int(deref(status.GetErrorCode()))
			s.FailureReason = deref(status.GetFailureReason())
		}
		out = append(out, s)
	}
	// Later pages hold older sign-ins; the newest are on the first.
	return checks.Ok(out)
}

func permissionGrants(st *step) checks.Part[[]checks.Grant] {
	resp, err := answer[models.OAuth2PermissionGrantCollectionResponseable](st)
	if err != nil {
		return checks.Failed[[]checks.Grant](err)
	}
	out := []checks.Grant{}
	for _, v := range resp.GetValue() {
		if v == nil {
			continue
		}
		out = append(out, checks.Grant{
			ClientID:    deref(v.GetClientId()),
			ConsentType: deref(v.GetConsentType()),
			PrincipalID: deref(v.GetPrincipalId()),
			ResourceID:  deref(v.GetResourceId()),
			Scope:       deref(v.GetScope()),
		})
	}
	p := checks.Ok(out)
	p.Truncated = more(resp)
	return p
}

func assignments(st *step) checks.Part[[]checks.Assignment] {
	resp, err := answer[models.AppRoleAssignmentCollectionResponseable](st)
	if err != nil {
		return checks.Failed[[]checks.Assignment](err)
	}
	out := []checks.Assignment{}
	for _, v := range resp.GetValue() {
		if v == nil {
			continue
		}
		a := checks.Assignment{PrincipalType: deref(v.GetPrincipalType()), PrincipalDisplayName: deref(v.GetPrincipalDisplayName())}
		if id := v.GetPrincipalId(); id != nil {
			a.PrincipalID = id.String()
		}
		out = append(out, a)
	}
	p := checks.Ok(out)
	p.Truncated = more(resp)
	return p
}

func stringValue(v any) string {
	switch s := v.(type) {
	case string:
		return s
	case *string:
		return deref(s)
	}
	return ""
}
