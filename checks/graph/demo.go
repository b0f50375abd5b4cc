package graph

import (
	"bytes"
	"compress/gzip"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"livedocs/checks"
)

//go:embed demodata
var demoFiles embed.FS

// DemoScenarios lists the demo tenant's scenarios.
//
//	blocked     user consent off, consent workflow off, the user's sign-ins fail with 90095
//	requested   workflow on, the user's request in progress, no grant yet
//	approved    tenant-wide grant covering every scope, assignment not required
//	partial     the grant lacks a scope, assignment required and the user not assigned
//	unlicensed  like approved, but sign-in logs answer 403 (no Entra ID P1/P2)
func DemoScenarios() []string {
	return []string{"blocked", "requested", "approved", "partial", "unlicensed"}
}

// DemoApp is the app and user the demo tenant knows about. Zero fields take
// the defaults of DefaultDemoApp.
type DemoApp struct {
	AppID  string
	Name   string
	Scopes []string
	User   string // UPN
}

// DefaultDemoApp returns the demo's made-up app and user.
func DefaultDemoApp() DemoApp {
	return DemoApp{
		AppID:  "6f1c2d9a-3b7e-4c55-9a0e-2d8b7f4e1a63",
		Name:   "Contoso Expenses (demo)",
		Scopes: []string{"openid", "profile", "offline_access", "User.Read", "Calendars.Read"},
		User:   "adele.vance@contoso.example",
	}
}

// Demo is a running demo tenant.
type Demo struct {
	URL      string // Graph root, e.g. http://127.0.0.1:43127/v1.0
	Scenario string
	App      DemoApp
	source   *Source
	server   *http.Server
	done     chan struct{}
}

// demoToken signs requests to the demo server. It is not a secret.
const demoToken = "livedocs-demo"

// StartDemo starts a demo tenant for scenario on a loopback port. It stops
// when ctx is done or Close is called.
func StartDemo(ctx context.Context, scenario string, app DemoApp) (*Demo, error) {
	app = app.withDefaults()
	tenant, err := newDemoTenant(scenario, app, time.Now())
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start demo tenant: %w", err)
	}
	srv := &http.Server{
		Handler:           &demoServer{tenant: tenant, token: demoToken},
		ReadHeaderTimeout: 5 * time.Second,
	}
	base := "http://" + ln.Addr().String() + "/v1.0"
	src, err := New(Config{BaseURL: base, Token: demoToken})
	if err != nil {
		ln.Close()
		return nil, err
	}
	src.demo, src.scenario = true, scenario
	d := &Demo{URL: base, Scenario: scenario, App: app, source: src, server: srv, done: make(chan struct{})}
	go func() {
		_ = srv.Serve(ln)
		close(d.done)
	}()
	go func() {
		select {
		case <-ctx.Done():
			_ = d.Close()
		case <-d.done:
		}
	}()
	return d, nil
}

// Source returns the checks.Source reading the demo tenant. Its tenants
// have Demo set.
func (d *Demo) Source() checks.Source { return d.source }

// Fill completes req with the demo app's ID, scopes and user where req
// leaves them empty.
func (d *Demo) Fill(req checks.Request) checks.Request {
	if req.AppID == "" {
		req.AppID = d.App.AppID
	}
	if len(req.Scopes) == 0 {
		req.Scopes = append([]string(nil), d.App.Scopes...)
	}
	if req.User == "" {
		req.User = d.App.User
	}
	if req.TenantID == "" {
		req.TenantID = "contoso.example (demo)"
	}
	return req
}

// Close stops the demo server.
func (d *Demo) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err := d.server.Shutdown(ctx)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

func (a DemoApp) withDefaults() DemoApp {
	def := DefaultDemoApp()
	if a.AppID == "" {
		a.AppID = def.AppID
	}
	if a.Name == "" {
		a.Name = def.Name
	}
	if len(a.Scopes) == 0 {
		a.Scopes = def.Scopes
	}
	if a.User == "" {
		a.User = def.User
	}
	return a
}

// demoTenant answers Graph GETs from the rendered demo files.
type demoTenant struct {
	app      DemoApp
	spID     string
	userID   string
	scenario string
	files    map[string][]byte // name without .json → body
	status   map[string]int    // name → status when not 200
}

const (
	demoSPID    = "59e617e5-e447-4adc-8b88-00af644d7c92"
	demoUserID  = "26be570a-ae82-4189-b4e2-a37c6808512d"
	demoGroupID = "b3a1f7e2-5c4d-4e8f-a1b2-c3d4e5f60718"
)

var nowPattern = regexp.MustCompile(`\{\{NOW-(\d+)h\}\}`)

func newDemoTenant(scenario string, app DemoApp, now time.Time) (*demoTenant, error) {
	known := false
	for _, s := range DemoScenarios() {
		known = known || s == scenario
	}
	if !known {
		return nil, fmt.Errorf("start demo tenant: unknown scenario %q (want one of %s)", scenario, strings.Join(DemoScenarios(), ", "))
	}
	app = app.withDefaults()
	d := &demoTenant{app: app, spID: demoSPID, userID: demoUserID, scenario: scenario, files: map[string][]byte{}, status: map[string]int{}}
	butLast := app.Scopes
	if len(butLast) > 1 {
		butLast = butLast[:len(butLast)-1]
	}
	esc := func(s string) string {
		b, _ := json.Marshal(s)
		return string(b[1 : len(b)-1])
	}
	repl := strings.NewReplacer(
		"{{APP_ID}}", esc(app.AppID),
		"{{APP_NAME}}", esc(app.Name),
		"{{SP_ID}}", demoSPID,
		"{{USER_ID}}", demoUserID,
		"{{USER_UPN}}", esc(app.User),
		"{{USER_NAME}}", esc(strings.SplitN(app.User, "@", 2)[0]+" (demo)"),
		"{{GROUP_ID}}", demoGroupID,
		"{{SCOPES}}", esc(strings.Join(app.Scopes, " ")),
		"{{SCOPES_BUT_LAST}}", esc(strings.Join(butLast, " ")),
	)
	for _, dir := range []string{"demodata/base", "demodata/" + scenario} {
		entries, err := fs.ReadDir(demoFiles, dir)
		if err != nil {
			return nil, fmt.Errorf("read demo data: %w", err)
		}
		for _, e := range entries {
			raw, err := fs.ReadFile(demoFiles, path.Join(dir, e.Name()))
			if err != nil {
				return nil, fmt.Errorf("read demo data: %w", err)
			}
			body := nowPattern.ReplaceAllStringFunc(repl.Replace(string(raw)), func(m string) string {
				h, _ := strconv.Atoi(nowPattern.FindStringSubmatch(m)[1])
				return now.Add(-time.Duration(h) * time.Hour).UTC().Format(time.RFC3339)
			})
			name := strings.TrimSuffix(e.Name(), ".json")
			status := http.StatusOK
			if i := strings.LastIndex(name, "."); i >= 0 {
				if n, err := strconv.Atoi(name[i+1:]); err == nil {
					name, status = name[:i], n
				}
			}
			if !json.Valid([]byte(body)) {
				return nil, fmt.Errorf("read demo data: %s/%s is not valid JSON after rendering", dir, e.Name())
			}
			delete(d.status, name)
			d.files[name] = []byte(body)
			if status != http.StatusOK {
				d.status[name] = status
			}
		}
	}
	return d, nil
}

// file answers with a named file.
func (d *demoTenant) file(name string) (int, []byte) {
	body, ok := d.files[name]
	if !ok {
		return notFound("demo file " + name)
	}
	if s, ok := d.status[name]; ok {
		return s, body
	}
	return http.StatusOK, body
}

func emptyList() (int, []byte) { return http.StatusOK, []byte(`{"value":[]}`) }

func notFound(what string) (int, []byte) {
	b, _ := json.Marshal(map[string]any{"error": map[string]any{
		"code":    "Request_ResourceNotFound",
		"message": "Resource '" + what + "' does not exist or one of its queried reference-property objects are not present.",
	}})
	return http.StatusNotFound, b
}

func badRequest(msg string) (int, []byte) {
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"code": "BadRequest", "message": msg}})
	return http.StatusBadRequest, b
}

// eqValue extracts the literal of "<prop> eq '<value>'" from a $filter,
// matching prop and eq in any case and only as whole words.
func eqValue(filter, prop string) (string, bool) {
	needle := prop + " eq '"
	for i := 0; i+len(needle) <= len(filter); i++ {
		if i > 0 && isWordByte(filter[i-1]) || !strings.EqualFold(filter[i:i+len(needle)], needle) {
			continue
		}
		var lit strings.Builder
		for j := i + len(needle); j < len(filter); j++ {
			if filter[j] != '\'' {
				lit.WriteByte(filter[j])
				continue
			}
			if j+1 < len(filter) && filter[j+1] == '\'' {
				lit.WriteByte('\'')
				j++
				continue
			}
			return lit.String(), true
		}
	}
	return "", false
}

func isWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// answer answers one GET, given the path and query relative to /v1.0.
func (d *demoTenant) answer(method, rel string) (int, []byte) {
	if method != http.MethodGet {
		return http.StatusMethodNotAllowed, []byte(`{"error":{"code":"Request_BadRequest","message":"Specified HTTP method is not allowed for the request target."}}`)
	}
	u, err := url.Parse(rel)
	if err != nil {
		return badRequest("invalid URL")
	}
	p := u.Path
	filter := u.Query().Get("$filter")
	segs := strings.Split(strings.Trim(p, "/"), "/")
	switch {
	case p == "/servicePrincipals":
		app, ok := eqValue(filter, "appId")
		if !ok {
			return badRequest("demo tenant: filter servicePrincipals by appId")
		}
		if !strings.EqualFold(app, d.app.AppID) {
			return emptyList()
		}
		return d.file("service-principals")
	case strings.EqualFold(p, "/servicePrincipals(appId='"+GraphAppID+"')/delegatedPermissionClassifications"):
		return d.file("delegated-permission-classifications")
	case p == "/policies/adminConsentRequestPolicy":
		return d.file("admin-consent-request-policy")
	case p == "/policies/authorizationPolicy":
		return d.file("authorization-policy")
	case p == "/identityGovernance/appConsent/appConsentRequests":
		app, ok := eqValue(filter, "appId")
		if !ok {
			return d.file("app-consent-requests")
		}
		if !strings.EqualFold(app, d.app.AppID) {
			return emptyList()
		}
		return d.file("app-consent-requests")
	case len(segs) == 5 && strings.Join(segs[:3], "/") == "identityGovernance/appConsent/appConsentRequests" && segs[4] == "userConsentRequests":
		return d.file("user-consent-requests")
	case p == "/oauth2PermissionGrants":
		client, ok := eqValue(filter, "clientId")
		if !ok {
			return badRequest("demo tenant: filter oauth2PermissionGrants by clientId")
		}
		if !strings.EqualFold(client, d.spID) {
			return emptyList()
		}
		return d.file("oauth2-permission-grants")
	case len(segs) == 3 && segs[0] == "servicePrincipals" && segs[2] == "appRoleAssignedTo":
		if !strings.EqualFold(segs[1], d.spID) {
			return notFound(segs[1])
		}
		return d.file("app-role-assigned-to")
	case len(segs) == 2 && segs[0] == "users":
		if !d.isUser(segs[1]) {
			return notFound(segs[1])
		}
		return d.file("user")
	case len(segs) == 3 && segs[0] == "users" && segs[2] == "transitiveMemberOf":
		if !d.isUser(segs[1]) {
			return notFound(segs[1])
		}
		return d.file("transitive-member-of")
	case p == "/auditLogs/signIns":
		status, body := d.file("sign-ins")
		if status != http.StatusOK {
			return status, body
		}
		app, _ := eqValue(filter, "appId")
		upn, okUPN := eqValue(filter, "userPrincipalName")
		id, okID := eqValue(filter, "userId")
		if !strings.EqualFold(app, d.app.AppID) || (okUPN && !d.isUser(upn)) || (okID && !d.isUser(id)) {
			return emptyList()
		}
		return status, body
	}
	return badRequest("demo tenant: no answer for " + p)
}

func (d *demoTenant) isUser(s string) bool {
	if v, err := url.PathUnescape(s); err == nil {
		s = v
	}
	return strings.EqualFold(s, d.app.User) || strings.EqualFold(s, d.userID)
}

// batchRequest is the JSON $batch request the demo server reads.
type batchRequest struct {
	Requests []struct {
		ID        string            `json:"id"`
		Method    string            `json:"method"`
		URL       string            `json:"url"`
		Headers   map[string]string `json:"headers"`
		DependsOn []string          `json:"dependsOn"`
	} `json:"requests"`
}

// readBatch reads a $batch request body, gunzipping it if needed.
func readBatch(r *http.Request) (*batchRequest, error) {
	var body io.Reader = http.MaxBytesReader(nil, r.Body, 1<<20)
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(body)
		if err != nil {
			return nil, fmt.Errorf("read batch: %w", err)
		}
		defer zr.Close()
		body = zr
	}
	// Read to the end: the server notices a client hanging up only once
	// the body has been consumed, and trailing bytes are an error.
	raw, err := io.ReadAll(body)
	if err != nil {
		return nil, fmt.Errorf("read batch: %w", err)
	}
	var br batchRequest
	if err := json.Unmarshal(raw, &br); err != nil {
		return nil, fmt.Errorf("read batch: %w", err)
	}
	if len(br.Requests) == 0 || len(br.Requests) > maxBatch {
		return nil, fmt.Errorf("read batch: %d requests (want 1 to %d)", len(br.Requests), maxBatch)
	}
	return &br, nil
}

// demoServer serves the demo tenant as Graph does: single GETs and $batch.
type demoServer struct {
	tenant *demoTenant
	token  string
}

func (s *demoServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+s.token {
		writeJSON(w, http.StatusUnauthorized, []byte(`{"error":{"code":"InvalidAuthenticationToken","message":"Access token is empty."}}`))
		return
	}
	rel, ok := strings.CutPrefix(r.URL.Path, "/v1.0")
	if !ok {
		writeJSON(w, http.StatusNotFound, []byte(`{"error":{"code":"BadRequest","message":"Invalid version."}}`))
		return
	}
	if rel == "/$batch" && r.Method == http.MethodPost {
		br, err := readBatch(r)
		if err != nil {
			_, b := badRequest(err.Error())
			writeJSON(w, http.StatusBadRequest, b)
			return
		}
		// The bodies are valid JSON already (checked when the tenant was
		// loaded, or marshalled here), so the answer is assembled as text
		// rather than re-encoded.
		var out bytes.Buffer
		out.WriteString(`{"responses":[`)
		for i, req := range br.Requests {
			status, body := s.tenant.answer(req.Method, req.URL)
			id, _ := json.Marshal(req.ID)
			if i > 0 {
				out.WriteByte(',')
			}
			out.WriteString(`{"id":`)
			out.Write(id)
			out.WriteString(`,"status":`)
			out.WriteString(strconv.Itoa(status))
			out.WriteString(`,"headers":{"Content-Type":"application/json"},"body":`)
			out.Write(body)
			out.WriteByte('}')
		}
		out.WriteString(`]}`)
		writeJSON(w, http.StatusOK, out.Bytes())
		return
	}
	rel += "?" + r.URL.RawQuery
	status, body := s.tenant.answer(r.Method, rel)
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = io.Copy(w, bytes.NewReader(body))
}
