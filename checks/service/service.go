// Package service is the live checks HTTP service: it signs readers in
// with Microsoft, keeps their session in an encrypted cookie and answers the
// article widget (themes/default/static/checks.js) with the state of every
// check on a page. It is mounted at /__checks/ by `livedocs serve`, or runs
// alone (`livedocs serve --checks-only`) behind any static host that
// forwards /__checks/ to it on the same origin.
//
// It never imports the Graph SDK: the caller passes functions that evaluate
// checks (Config.Live for a signed-in reader's token, Config.Demo for the
// demo tenant); package checks/graph provides them.
//
// # Endpoints (under Config.Prefix, default /__checks)
//
//	GET  /api/state?page=ID&checks=a,b   every check of the page for the session (JSON); also gives the CSRF token
//	POST /api/state                      the same, form or query parameters, CSRF checked
//	POST /api/refresh?page=ID            the same, bypassing the cache (CSRF)
//	POST /demo          scenario=NAME    start a demo session (CSRF)
//	POST /logout                         end the session (CSRF); answers JSON, or redirects a form post
//	GET  /login?return=/path/&page=ID    start sign-in; return must be a same-origin path
//	GET  /callback                       the redirect URI registered with Microsoft
//
// Every error is JSON, {"error": {"code": "...", "reason": "..."}}, except on
// /login and /callback, which a browser navigates to and which answer with
// short HTML pages (the "your admin must approve the checker" page among them).
//
// # Sign-in
//
// Authorization code flow with PKCE (S256) against Config.Authority
// (default https://login.microsoftonline.com/organizations), through
// golang.org/x/oauth2, with a client secret or none (public client). The
// discovery document is read on the first sign-in; the ID token is
// verified with github.com/coreos/go-oidc/v3 (signature, audience, expiry,
// nonce) and its issuer is compared exactly with the discovery issuer, whose
// {tenantid} placeholder is filled from the token's tid claim. state,
// nonce and the PKCE verifier travel in a sealed, five-minute login
// cookie; a state is accepted once per replica and the provider refuses a
// second use of its code. Only the delegated Graph permissions the page's
// checks name are requested, with openid, profile and offline_access
// (incremental consent: another page may ask for more later).
//
// When Microsoft answers that the reader cannot consent (access_denied,
// consent_required, AADSTS65001, 65004, 90094, 90095…), the callback shows
// a page saying so, with the admin-consent link for the checker
// (<authority host>/<tenant>/adminconsent?client_id=…) and the permissions
// it reads.
//
// # Sessions
//
// The session is a JSON value sealed with AES-256-GCM (random nonce, the
// cookie's purpose as additional data) under the first of Config.SessionKeys;
// every key opens, so keys rotate without signing anyone out. It holds the
// session ID, the CSRF token, the kind (signed out, demo, signed in), the
// tenant and user, and for signed-in readers the Microsoft access and
// refresh tokens, so any replica serves any reader and restarts lose
// nothing; tokens never reach page scripts (HttpOnly), URLs or logs. A long
// value is split over a few cookies (name, name.1, …). Cookies are HttpOnly,
// SameSite=Lax and Secure with the __Host- prefix, except for plain HTTP on
// loopback. Sessions end after Config.SessionTTL (default 8 hours) or on
// sign-out.
//
// # Protection
//
// State-changing endpoints are POST only and need the session's CSRF token
// in the X-Livedocs-CSRF header (or a csrf form field) and, when the browser
// sends one, an Origin of this host. Requests are rate limited per session
// and per client IP (token buckets; Retry-After on 429), bodies are limited
// to 8 KiB, and every answer is no-store.
//
// # Isolation and caching
//
// Reports are cached for Config.CacheTTL (default 60 s) under a key made of
// the session kind, tenant ID, user object ID, app, scopes and check IDs, so
// two readers share an entry only when they are the same user of the same
// tenant asking the same question; concurrent identical requests share one
// evaluation. Sign-out drops the reader's entries.
package service

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"livedocs/checks"
)

// LiveFunc evaluates req in a signed-in reader's tenant; Graph requests are
// signed with the reader's delegated access token.
type LiveFunc func(ctx context.Context, accessToken string, req checks.Request) (checks.Report, error)

// DemoFunc evaluates req against the demo tenant in scenario. It fills in
// the demo's own user and tenant.
type DemoFunc func(ctx context.Context, scenario string, req checks.Request) (checks.Report, error)

// Page is what the service knows about one article.
type Page struct {
	ID     string   // article ID
	Path   string   // URL path, e.g. /connecting-accounts/microsoft-365/x/
	Checks []string // check IDs the article ties, in order
	AppID  string   // the app the article is about (front matter, else config)
	Scopes []string
}

// Config configures a Service.
type Config struct {
	// Prefix is the path the service is mounted at; default /__checks.
	Prefix string

	// Sign-in with Microsoft. Without ClientID only the demo is offered.
	Authority    string // default https://login.microsoftonline.com/organizations
	ClientID     string // the checker's app registration
	ClientSecret string // empty: public client (PKCE only)
	RedirectURL  string // exact redirect URI registered for the checker, ending in <Prefix>/callback
	// GraphResource prefixes requested permissions for clouds other than
	// the global one, e.g. https://graph.microsoft.us; empty: bare names.
	GraphResource string

	// SessionKeys are 32-byte AES keys; the first seals, all open.
	SessionKeys [][]byte
	SessionTTL  time.Duration // default 8h

	// Evaluation.
	Live          LiveFunc
	Demo          DemoFunc
	DemoScenarios []string
	// Pages looks an article up by ID or URL path; nil, or a miss, falls
	// back to DefaultApp and the check IDs the widget sends.
	Pages      func(key string) (Page, bool)
	DefaultApp Page
	CacheTTL   time.Duration // default 60s; negative disables the cache

	// Limits; zero values take the defaults.
	SessionRate Rate // default 60/min, burst 20
	IPRate      Rate // default 600/min, burst 120
	// TrustForwardedFor takes the client IP from the last X-Forwarded-For
	// entry (set it only behind a proxy that writes that header).
	TrustForwardedFor bool

	HTTPClient *http.Client     // for discovery and the token endpoint; default a 10 s client
	Now        func() time.Time // default time.Now
	Log        *slog.Logger     // default discards
}

// Service is the checks HTTP service. It is an http.Handler.
type Service struct {
	cfg     Config
	prefix  string
	keys    *keyring
	now     func() time.Time
	log     *slog.Logger
	client  *http.Client
	cache   *cache
	perSess *limiter
	perIP   *limiter
	mux     *http.ServeMux

	provMu sync.Mutex
	prov   *provider

	usedMu sync.Mutex
	used   map[string]time.Time // login states already redeemed, until their expiry
}

// Cookie base names.
const (
	cookieSession = "livedocs-checks"
	cookieLogin   = "livedocs-checks-login"
)

const (
	maxBody      = 8 << 10
	loginTTL     = 5 * time.Minute
	csrfHeader   = "X-Livedocs-CSRF"
	maxCheckIDs  = 20
	maxPageParam = 512
)

// New returns a Service for cfg.
func New(cfg Config) (*Service, error) {
	if cfg.Prefix == "" {
		cfg.Prefix = "/__checks"
	}
	cfg.Prefix = "/" + strings.Trim(cfg.Prefix, "/")
	if cfg.Authority == "" {
		cfg.Authority = "https://login.microsoftonline.com/organizations"
	}
	cfg.Authority = strings.TrimRight(cfg.Authority, "/")
	au, err := url.Parse(cfg.Authority)
	if err != nil || au.Host == "" || (au.Scheme != "https" && !(au.Scheme == "http" && isLoopbackHost(au.Hostname()))) {
		return nil, fmt.Errorf("create checks service: authority %q must be an https URL", cfg.Authority)
	}
	if cfg.ClientID != "" {
		ru, err := url.Parse(cfg.RedirectURL)
		if err != nil || ru.Host == "" || ru.RawQuery != "" || ru.Fragment != "" || !strings.HasSuffix(ru.Path, cfg.Prefix+"/callback") {
			return nil, fmt.Errorf("create checks service: redirect URL %q must be absolute and end in %s/callback", cfg.RedirectURL, cfg.Prefix)
		}
		if ru.Scheme != "https" && !isLoopbackHost(ru.Hostname()) {
			return nil, fmt.Errorf("create checks service: redirect URL %q must be https (plain http only on loopback)", cfg.RedirectURL)
		}
		if cfg.Live == nil {
			return nil, errors.New("create checks service: a client ID is set but no live evaluator")
		}
	}
	kr, err := newKeyring(cfg.SessionKeys)
	if err != nil {
		return nil, fmt.Errorf("create checks service: %w", err)
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 8 * time.Hour
	}
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = time.Minute
	}
	if cfg.SessionRate.PerMinute == 0 {
		cfg.SessionRate = Rate{PerMinute: 60, Burst: 20}
	}
	if cfg.IPRate.PerMinute == 0 {
		cfg.IPRate = Rate{PerMinute: 600, Burst: 120}
	}
	s := &Service{
		cfg:     cfg,
		prefix:  cfg.Prefix,
		keys:    kr,
		now:     cfg.Now,
		log:     cfg.Log,
		client:  cfg.HTTPClient,
		cache:   newCache(cfg.CacheTTL, 10000),
		perSess: newLimiter(cfg.SessionRate, 100000),
		perIP:   newLimiter(cfg.IPRate, 100000),
		used:    map[string]time.Time{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.client == nil {
		s.client = &http.Client{Timeout: 10 * time.Second}
	}
	mux := http.NewServeMux()
	p := cfg.Prefix
	mux.HandleFunc("GET "+p+"/api/state", s.handleState)
	mux.HandleFunc("POST "+p+"/api/state", s.handleState)
	mux.HandleFunc("POST "+p+"/api/refresh", s.handleState)
	mux.HandleFunc("POST "+p+"/demo", s.handleDemo)
	mux.HandleFunc("POST "+p+"/logout", s.handleLogout)
	mux.HandleFunc("GET "+p+"/login", s.handleLogin)
	mux.HandleFunc("GET "+p+"/callback", s.handleCallback)
	mux.HandleFunc(p+"/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "No such checks endpoint.")
	})
	s.mux = mux
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	if r.ContentLength > maxBody {
		writeError(w, http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("The request body is larger than %d bytes.", maxBody))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if len(r.URL.RawQuery) > 4096 {
		writeError(w, http.StatusRequestURITooLong, "too_large", "The query string is too long.")
		return
	}
	if ok, wait := s.perIP.take(s.clientIP(r), 1, s.now()); !ok {
		writeRateLimited(w, wait, "Too many requests from your network address.")
		return
	}
	s.mux.ServeHTTP(w, r)
}

// clientIP is the address rate limits count against.
func (s *Service) clientIP(r *http.Request) string {
	if s.cfg.TrustForwardedFor {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			parts := strings.Split(xff[len(xff)-1], ",")
			if ip := net.ParseIP(strings.TrimSpace(parts[len(parts)-1])); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// apiError is the body of every JSON error.
type apiError struct {
	Error struct {
		Code   string `json:"code"`
		Reason string `json:"reason"`
	} `json:"error"`
}

func writeError(w http.ResponseWriter, status int, code, reason string) {
	var e apiError
	e.Error.Code, e.Error.Reason = code, reason
	writeJSON(w, status, e)
}

func writeRateLimited(w http.ResponseWriter, wait time.Duration, reason string) {
	secs := int(wait.Seconds() + 0.999)
	if secs < 1 {
		secs = 1
	}
	w.Header().Set("Retry-After", fmt.Sprint(secs))
	writeError(w, http.StatusTooManyRequests, "rate_limited", fmt.Sprintf("%s Try again in %d s.", reason, secs))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","reason":"The answer could not be encoded."}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// checkCSRF verifies a state-changing request: the session's token in the
// header or form, and a same-origin Origin when the browser sent one.
func (s *Service) checkCSRF(r *http.Request, sess *session) (string, bool) {
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || !strings.EqualFold(u.Host, r.Host) {
			return "The request came from another site.", false
		}
	}
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return "The request came from another site.", false
	}
	if sess == nil {
		return "There is no session to act on; reload the page.", false
	}
	tok := r.Header.Get(csrfHeader)
	if tok == "" {
		tok = r.PostFormValue("csrf")
	}
	if tok == "" || !constantEqual(tok, sess.CSRF) {
		return "The CSRF token is missing or stale; reload the page.", false
	}
	return "", true
}

func constantEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
