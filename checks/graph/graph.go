// Package graph implements checks.Source with Microsoft Graph v1.0 through
// msgraph-sdk-go. It is the only package in livedocs that imports the Graph
// SDK, azidentity or Kiota.
//
// # Requests
//
// One Read costs at most two Graph round trips, each a JSON $batch (at most
// 20 requests; more are split). The first batch holds every read that
// depends on nothing: the app's service principal
// (/servicePrincipals?$filter=appId eq '…'), the two policies, Microsoft
// Graph's permission classifications, the app's consent requests, the user,
// the user's transitive memberships and the sign-in log. The second batch,
// sent only when needed, holds what depends on the first: the grants
// (/oauth2PermissionGrants?$filter=clientId eq '<service principal id>'),
// appRoleAssignedTo of the service principal (only when assignment is
// required) and the userConsentRequests of each consent request.
//
// Requests are built with the SDK's request builders, so their URLs,
// query strings and headers are the SDK's own. Each becomes a $batch item
// once (its URL made relative to the base URL, as msgraph-sdk-go-core
// does), with the item's index as its ID, and the batch is sent through the
// SDK's request adapter, so authentication, the middleware and the error
// mappings for the whole batch are the SDK's. The body is sent
// uncompressed: Graph accepts plain JSON, and gzip (the SDK's compression
// handler makes a new flate writer for every request) cost more CPU than
// the few kilobytes it saved on the wire. The answer is read as bytes and
// decoded with encoding/json into plain structs holding only the properties
// the checks read, rather than through Kiota's parse nodes and models.
//
// # SDK traps handled here
//
//   - The adapter's base URL is set before the client is created, so batch
//     items point at the configured cloud (graph.microsoft.us,
//     dod-graph.microsoft.us, microsoftgraph.chinacloudapi.cn, or a local
//     server) rather than graph.microsoft.com.
//   - Error answers are decoded with explicit error mappings (ODataError for
//     every 4XX/5XX), per call and per batch item, so Graph's error code
//     survives; the SDK's global error registry is left alone.
//   - Batch items are decoded here rather than by GetBatchResponseById, which
//     panics on a missing item ID or an empty body; every decode runs under
//     recover and a failure makes that part unknown.
//   - The SDK's retry handler is left out of the middleware: it sleeps
//     through Retry-After without looking at the caller's deadline. Instead a
//     throttled or unavailable answer (429, 503, 504), for the whole batch or
//     one item, is retried here, only its items, honouring Retry-After, and
//     only while the retry can still finish before the context's deadline.
//
// # Credentials
//
// A Source signs requests with, in order of preference: a token attached to
// the context with WithToken (the serve command's per-reader token), the
// static Config.Token, or Config.Credential (azidentity: client secret,
// certificate or device code; see NewCredential). Tokens are only sent to
// the configured Graph host and are never logged or printed; Token's String
// method redacts it.
//
// # Demo tenant
//
// StartDemo runs a Graph-compatible server on 127.0.0.1 inside the process,
// answering from embedded JSON shaped like Graph's documented examples, and
// returns a Source wired to it, so a demo evaluation runs exactly the code
// path of a real one. Like Graph, it takes $batch bodies plain or gzipped.
// Scenarios: blocked, requested, approved, partial, unlicensed.
package graph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	azcore "github.com/Azure/azure-sdk-for-go/sdk/azcore"
	abs "github.com/microsoft/kiota-abstractions-go"
	absauth "github.com/microsoft/kiota-abstractions-go/authentication"
	azauth "github.com/microsoft/kiota-authentication-azure-go"
	khttp "github.com/microsoft/kiota-http-go"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	msgraphgocore "github.com/microsoftgraph/msgraph-sdk-go-core"

	"livedocs/checks"
)

// DefaultBaseURL is Microsoft Graph v1.0 in the global cloud.
const DefaultBaseURL = "https://graph.microsoft.com/v1.0"

// Token is a bearer token. It prints as [redacted].
type Token string

func (Token) String() string   { return "[redacted]" }
func (Token) GoString() string { return "[redacted]" }

// Config configures a Source.
type Config struct {
	// BaseURL is Graph's root including the version, e.g.
	// https://graph.microsoft.us/v1.0. Default DefaultBaseURL.
	BaseURL string
	// Token is a static bearer token.
	Token Token
	// Credential obtains tokens when neither WithToken nor Token gives one.
	Credential azcore.TokenCredential
	// TokenScopes are requested from Credential; default "<Graph origin>/.default".
	TokenScopes []string
	// Transport carries the HTTP requests; default a clone of
	// http.DefaultTransport.
	Transport http.RoundTripper
	// MaxAttempts bounds the tries of a throttled request; default 4.
	MaxAttempts int
}

// Source reads tenant data from Microsoft Graph. It is safe for concurrent
// use; create one and reuse it.
type Source struct {
	base        string
	prefix      string // base as net/url prints it: the start of every request URL
	host        string
	client      *msgraphsdk.GraphServiceClient
	adapter     abs.RequestAdapter
	maxAttempts int
	demo        bool
	scenario    string
}

// New returns a Source for cfg.
func New(cfg Config) (*Source, error) {
	base := strings.TrimRight(cfg.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("parse graph URL %q: want an absolute http(s) URL", cfg.BaseURL)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("parse graph URL %q: plain http is only allowed on loopback", cfg.BaseURL)
	}
	var cred absauth.AuthenticationProvider
	if cfg.Credential != nil {
		scopes := cfg.TokenScopes
		if len(scopes) == 0 {
			scopes = []string{u.Scheme + "://" + u.Host + "/.default"}
		}
		cred, err = azauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(cfg.Credential, scopes, []string{u.Hostname()})
		if err != nil {
			return nil, fmt.Errorf("set up graph credential: %w", err)
		}
	}
	auth := &authProvider{host: u.Host, static: string(cfg.Token), cred: cred}

	opts := msgraphsdk.GetDefaultClientOptions()
	// The SDK's default middleware minus its retry handler (see above) and
	// its compression handler (see Requests), in a fixed order, built once.
	mw := []khttp.Middleware{
		msgraphgocore.NewGraphTelemetryHandler(&opts),
		khttp.NewRedirectHandler(),
		khttp.NewParametersNameDecodingHandler(),
		khttp.NewUserAgentHandler(),
		khttp.NewHeadersInspectionHandler(),
	}
	transport := cfg.Transport
	if transport == nil {
		transport = khttp.GetDefaultTransport()
	}
	httpClient := &http.Client{
		Transport: khttp.NewCustomTransportWithParentTransport(transport, mw...),
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	adapter, err := msgraphsdk.NewGraphRequestAdapterWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(auth, nil, nil, httpClient)
	if err != nil {
		return nil, fmt.Errorf("create graph adapter: %w", err)
	}
	// Before the client exists: the client copies the base URL into every
	// request builder it makes.
	adapter.SetBaseUrl(base)
	client := msgraphsdk.NewGraphServiceClient(adapter)
	attempts := cfg.MaxAttempts
	if attempts <= 0 {
		attempts = 4
	}
	return &Source{base: base, prefix: u.String(), host: u.Host, client: client, adapter: adapter, maxAttempts: attempts}, nil
}

// BaseURL returns the Graph root the Source talks to.
func (s *Source) BaseURL() string { return s.base }

type tokenKey struct{}

// WithToken returns a context whose Graph requests are signed with tok,
// overriding the Source's own token or credential.
func WithToken(ctx context.Context, tok Token) context.Context {
	return context.WithValue(ctx, tokenKey{}, tok)
}

// authProvider adds the bearer token to requests for the Graph host only.
type authProvider struct {
	host   string
	static string
	cred   absauth.AuthenticationProvider
}

// errNoToken: nothing to sign requests with.
var errNoToken = errors.New("no Graph token: sign in, or give credentials")

func (a *authProvider) AuthenticateRequest(ctx context.Context, req *abs.RequestInformation, extra map[string]any) error {
	if req == nil {
		return errors.New("authenticate request: no request")
	}
	u, err := req.GetUri()
	if err != nil {
		return fmt.Errorf("authenticate request: %w", err)
	}
	if !strings.EqualFold(u.Host, a.host) {
		return nil // never send a token anywhere else
	}
	tok := a.static
	if t, ok := ctx.Value(tokenKey{}).(Token); ok && t != "" {
		tok = string(t)
	}
	if tok != "" {
		req.Headers.Add("Authorization", "Bearer "+tok)
		return nil
	}
	if a.cred != nil {
		if err := a.cred.AuthenticateRequest(ctx, req, extra); err != nil {
			return &authError{err}
		}
		return nil
	}
	return &authError{errNoToken}
}

// authError marks a failure to get a token.
type authError struct{ err error }

func (e *authError) Error() string { return "get graph token: " + e.err.Error() }
func (e *authError) Unwrap() error { return e.err }

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

var _ checks.Source = (*Source)(nil)
