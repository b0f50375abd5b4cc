package checks

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Reads names the tenant data a set of checks reads.
type Reads struct {
	ServicePrincipal    bool // the app's service principal, by appId
	Grants              bool // oauth2PermissionGrants whose client is that service principal
	Assignments         bool // appRoleAssignedTo of that service principal
	User                bool // the user, by UPN or object ID
	Groups              bool // the user's transitive memberships
	AdminConsentPolicy  bool
	AuthorizationPolicy bool
	Classifications     bool // delegatedPermissionClassifications of Microsoft Graph's service principal
	ConsentRequests     bool // appConsentRequests for the app and their userConsentRequests
	SignIns             bool // blocked sign-ins to the app by the user since Query.Since
}

// Query is what a Source is asked to read.
type Query struct {
	Tenant string    // domain or tenant ID, as given
	AppID  string    // client ID of the app the article is about
	User   string    // UPN or object ID; empty when there is none
	Since  time.Time // earliest sign-in to read
	Reads  Reads
}

// Source reads tenant data. Read returns a non-nil *Tenant even when it
// also returns an error; the error means nothing could be read (no token,
// the whole request failed, the deadline passed) and every part is unknown.
// Read must stop when ctx is done.
type Source interface {
	Read(ctx context.Context, q Query) (*Tenant, error)
}

// Part is one piece of tenant data: either Got is true and Value holds it,
// or Err says why it could not be read. Truncated means Graph had more
// pages than were read.
type Part[T any] struct {
	Value     T
	Got       bool
	Err       error
	Truncated bool
}

// Ok returns a part holding v.
func Ok[T any](v T) Part[T] { return Part[T]{Value: v, Got: true} }

// Failed returns a part that could not be read.
func Failed[T any](err error) Part[T] { return Part[T]{Err: err} }

// Tenant is the tenant data the checks are decided from.
type Tenant struct {
	Demo     bool   // the data comes from the built-in demo tenant
	Scenario string // the demo scenario, if Demo

	ServicePrincipal    Part[*ServicePrincipal] // Value nil: the app has no service principal
	Grants              Part[[]Grant]
	Assignments         Part[[]Assignment]
	User                Part[*User]
	Groups              Part[[]Group]
	AdminConsentPolicy  Part[AdminConsentPolicy]
	AuthorizationPolicy Part[AuthorizationPolicy]
	Classifications     Part[[]Classification]
	ConsentRequests     Part[[]ConsentRequest]
	UserConsentRequests Part[[]UserConsentRequest] // of all ConsentRequests
	SignIns             Part[[]SignIn]
}

// ServicePrincipal is the app's instance in the tenant.
type ServicePrincipal struct {
	ID                        string
	AppID                     string
	DisplayName               string
	AppRoleAssignmentRequired bool
	VerifiedPublisherID       string // empty: publisher not verified
	VerifiedPublisherName     string
}

// Grant is an oauth2PermissionGrant.
type Grant struct {
	ClientID    string
	ConsentType string // AllPrincipals or Principal
	PrincipalID string
	ResourceID  string
	Scope       string // space-separated
}

// Assignment is an appRoleAssignment to the app's service principal.
type Assignment struct {
	PrincipalID          string
	PrincipalType        string // User, Group, ServicePrincipal
	PrincipalDisplayName string
}

// User is a directory user.
type User struct {
	ID                string
	UserPrincipalName string
	DisplayName       string
}

// Group is a group (or other directory object) the user belongs to.
type Group struct {
	ID          string
	DisplayName string
}

// AdminConsentPolicy is the adminConsentRequestPolicy.
type AdminConsentPolicy struct {
	IsEnabled       bool
	NotifyReviewers bool
	Reviewers       int
}

// AuthorizationPolicy holds the part of authorizationPolicy user consent reads.
type AuthorizationPolicy struct {
	PermissionGrantPoliciesAssigned []string
}

// Classification is a delegatedPermissionClassification of a Graph permission.
type Classification struct {
	PermissionName string
	Classification string // low, medium, high
}

// ConsentRequest is an appConsentRequest.
type ConsentRequest struct {
	ID             string
	AppID          string
	AppDisplayName string
}

// UserConsentRequest is one user's request to approve an app.
type UserConsentRequest struct {
	RequestID     string // the appConsentRequest it belongs to
	Status        string // InProgress, Completed, Expired
	Created       time.Time
	CreatedByID   string
	CreatedByUPN  string
	CreatedByName string
}

// SignIn is one sign-in log entry.
type SignIn struct {
	Time              time.Time
	UserPrincipalName string
	UserID            string
	AppID             string
	AppDisplayName    string
	ErrorCode         int
	FailureReason     string
	CorrelationID     string
}

// GraphError is an error answer from Graph: an HTTP status with Graph's
// error code.
type GraphError struct {
	Status     int
	Code       string // Graph's error code, e.g. Authorization_RequestDenied
	Message    string
	RequestID  string
	Date       string
	RetryAfter time.Duration // from Retry-After, when Graph sent one
	Request    string        // method and path it answered, for messages
}

func (e *GraphError) Error() string {
	s := fmt.Sprintf("graph %d", e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Request != "" {
		s += " (" + e.Request + ")"
	}
	return s
}

// LicenceErrorCode is the error code Graph answers sign-in log reads with
// when the tenant has no Microsoft Entra ID P1 or P2 licence.
const LicenceErrorCode = "Authentication_RequestFromNonPremiumTenantOrB2CTenant"

// Errors a Source reports for answers that are not Graph errors.
var (
	// ErrMalformed: the answer could not be decoded (bad JSON, an empty
	// body where one was expected, a shape the SDK cannot read).
	ErrMalformed = errors.New("graph answer could not be read")
	// ErrNoAnswer: a $batch answer left out one of the requests.
	ErrNoAnswer = errors.New("graph batch answer left out this request")
)
