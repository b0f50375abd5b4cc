package service

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Session kinds.
const (
	kindAnon = "anon" // signed out: holds only the CSRF token
	kindDemo = "demo" // the demo tenant, one scenario
	kindLive = "live" // signed in with Microsoft
)

// session is the sealed content of the session cookie. It is the only
// server-side state a reader has, so any replica can serve any request and a
// restart loses nothing.
type session struct {
	ID       string `json:"sid"`
	Kind     string `json:"k"`
	CSRF     string `json:"csrf"`
	Created  int64  `json:"iat"`
	Expires  int64  `json:"exp"` // absolute end of the session
	Scenario string `json:"sc,omitempty"`

	// Signed-in readers.
	Tenant    string   `json:"tid,omitempty"`
	UserID    string   `json:"oid,omitempty"`
	UserName  string   `json:"upn,omitempty"` // preferred_username
	Name      string   `json:"name,omitempty"`
	Scopes    []string `json:"scp,omitempty"` // delegated scopes asked for
	Access    string   `json:"at,omitempty"`
	AccessExp int64    `json:"atx,omitempty"`
	Refresh   string   `json:"rt,omitempty"`
}

// loginState is the sealed content of the short-lived login cookie, set by
// /login and consumed by /callback.
type loginState struct {
	State    string   `json:"st"`
	Nonce    string   `json:"n"`
	Verifier string   `json:"v"`
	Return   string   `json:"r"`
	Page     string   `json:"p,omitempty"`
	Scopes   []string `json:"scp"`
	Tenant   string   `json:"t,omitempty"` // domain hint for the admin-consent link
	Expires  int64    `json:"exp"`
}

// Cookie purposes, bound into the seal.
const (
	purposeSession = "livedocs session v1"
	purposeLogin   = "livedocs login v1"
)

// maxChunk is the most characters of sealed value one cookie carries;
// browsers keep at least 4096 bytes per cookie including name and
// attributes. A session with Microsoft tokens takes two or three chunks.
const (
	maxChunk  = 3800
	maxChunks = 5
)

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("read random bytes: %v", err)) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// secureRequest reports whether cookies for r get the Secure attribute:
// always, except when the browser talks to a loopback address over plain
// HTTP (livedocs serve on a laptop).
func secureRequest(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return false
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return false
	}
	return true
}

// cookieName is the session cookie's name: with Secure it carries the
// __Host- prefix, which makes browsers refuse it unless it is Secure,
// host-only and for path /.
func (s *Service) cookieName(r *http.Request, base string) string {
	if secureRequest(r) {
		return "__Host-" + base
	}
	return base
}

// writeSealed sets a sealed cookie (in chunks when long) and clears chunks a
// previous, longer value left behind.
func (s *Service) writeSealed(w http.ResponseWriter, r *http.Request, base, purpose string, v any, maxAge time.Duration) error {
	plain, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode cookie: %w", err)
	}
	sealed, err := s.keys.seal(purpose, plain)
	if err != nil {
		return err
	}
	var chunks []string
	for len(sealed) > maxChunk {
		chunks = append(chunks, sealed[:maxChunk])
		sealed = sealed[maxChunk:]
	}
	chunks = append(chunks, sealed)
	if len(chunks) > maxChunks {
		return fmt.Errorf("encode cookie: %d chunks, at most %d", len(chunks), maxChunks)
	}
	name := s.cookieName(r, base)
	secure := secureRequest(r)
	for i := 0; i < maxChunks; i++ {
		c := &http.Cookie{Name: chunkName(name, i), Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode}
		if i < len(chunks) {
			c.Value = chunks[i]
			c.MaxAge = int(maxAge / time.Second)
		} else if _, err := r.Cookie(c.Name); err == nil {
			c.MaxAge = -1
		} else {
			continue
		}
		http.SetCookie(w, c)
	}
	return nil
}

// clearSealed deletes every chunk of a cookie the request carries.
func (s *Service) clearSealed(w http.ResponseWriter, r *http.Request, base string) {
	name := s.cookieName(r, base)
	for i := 0; i < maxChunks; i++ {
		if _, err := r.Cookie(chunkName(name, i)); err != nil && i > 0 {
			continue
		}
		http.SetCookie(w, &http.Cookie{Name: chunkName(name, i), Path: "/", MaxAge: -1, HttpOnly: true, Secure: secureRequest(r), SameSite: http.SameSiteLaxMode})
	}
}

func chunkName(name string, i int) string {
	if i == 0 {
		return name
	}
	return name + "." + strconv.Itoa(i)
}

var errNoCookie = errors.New("no cookie")

// readSealed reads and opens a cookie into v. It returns errNoCookie when
// the request has none, errBadSeal when it was tampered with, sealed by an
// unknown key or is malformed.
func (s *Service) readSealed(r *http.Request, base, purpose string, v any) error {
	name := s.cookieName(r, base)
	first, err := r.Cookie(name)
	if err != nil {
		return errNoCookie
	}
	var b strings.Builder
	b.WriteString(first.Value)
	for i := 1; i < maxChunks; i++ {
		c, err := r.Cookie(chunkName(name, i))
		if err != nil {
			break
		}
		b.WriteString(c.Value)
	}
	plain, err := s.keys.open(purpose, b.String())
	if err != nil {
		return err
	}
	dec := json.NewDecoder(strings.NewReader(string(plain)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errBadSeal
	}
	return nil
}

// errExpired: a well-sealed cookie whose time is up.
var errExpired = errors.New("session expired")

// loadSession returns the request's session. A missing cookie yields
// (nil, errNoCookie); a tampered, foreign or expired one an error too, and
// the caller treats the reader as signed out.
func (s *Service) loadSession(r *http.Request) (*session, error) {
	var sess session
	if err := s.readSealed(r, cookieSession, purposeSession, &sess); err != nil {
		return nil, err
	}
	if sess.ID == "" || sess.CSRF == "" || (sess.Kind != kindAnon && sess.Kind != kindDemo && sess.Kind != kindLive) {
		return nil, errBadSeal
	}
	if s.now().Unix() >= sess.Expires {
		return nil, errExpired
	}
	return &sess, nil
}

func (s *Service) saveSession(w http.ResponseWriter, r *http.Request, sess *session) error {
	left := time.Unix(sess.Expires, 0).Sub(s.now())
	if left <= 0 {
		return errExpired
	}
	return s.writeSealed(w, r, cookieSession, purposeSession, sess, left)
}

// newSession starts a session of kind, replacing whatever the reader had:
// a fresh ID and CSRF token on every change of identity.
func (s *Service) newSession(kind string, ttl time.Duration) *session {
	now := s.now()
	return &session{ID: randomToken(16), Kind: kind, CSRF: randomToken(24), Created: now.Unix(), Expires: now.Add(ttl).Unix()}
}
