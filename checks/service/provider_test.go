package service

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// testUser is who the test provider signs in.
type testUser struct {
	Tenant, OID, UPN, Name string
	Access                 string // access token to issue
}

// testProvider is a small OpenID Connect provider shaped like the Microsoft
// identity platform's multi-tenant endpoints: its discovery issuer holds
// {tenantid}, ID tokens are RS256 with the tenant in iss and tid, codes are
// single use and bound to a PKCE S256 challenge, the client ID and the
// redirect URI.
type testProvider struct {
	t   *testing.T
	srv *httptest.Server
	key *rsa.PrivateKey
	kid string

	mu sync.Mutex
	// users by domain_hint; "" is the default.
	users map[string]testUser
	// deny makes /authorize answer with this error (and description).
	deny, denyDesc string
	codes          map[string]*codeGrant
	refresh        map[string]testUser
	// seen records the authorize queries and token exchanges, for asserts.
	authorizes []url.Values
	exchanges  int
	badPKCE    int
	reused     int
	// issuerOverride, when set, is put in ID tokens instead of the right one.
	issuerOverride string
	nonceOverride  string
}

type codeGrant struct {
	clientID, redirect, challenge, nonce, scope string
	user                                        testUser
	used                                        bool
}

func newTestProvider(t *testing.T, users map[string]testUser) *testProvider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &testProvider{t: t, key: key, kid: "test-key-1", users: users, codes: map[string]*codeGrant{}, refresh: map[string]testUser{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /organizations/v2.0/.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /organizations/oauth2/v2.0/authorize", p.authorize)
	mux.HandleFunc("POST /organizations/oauth2/v2.0/token", p.token)
	mux.HandleFunc("GET /discovery/v2.0/keys", p.jwks)
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *testProvider) authority() string { return p.srv.URL + "/organizations" }

func (p *testProvider) discovery(w http.ResponseWriter, r *http.Request) {
	b := p.srv.URL
	writeJSON(w, 200, map[string]any{
		"issuer":                                b + "/{tenantid}/v2.0",
		"authorization_endpoint":                b + "/organizations/oauth2/v2.0/authorize",
		"token_endpoint":                        b + "/organizations/oauth2/v2.0/token",
		"jwks_uri":                              b + "/discovery/v2.0/keys",
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"code"},
	})
}

func (p *testProvider) jwks(w http.ResponseWriter, r *http.Request) {
	pub := p.key.PublicKey
	writeJSON(w, 200, map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": p.kid,
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}

// authorize plays the user: it signs in at once as the user the
// domain_hint names and redirects back with a code (or the deny error).
func (p *testProvider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.authorizes = append(p.authorizes, q)
	redirect := q.Get("redirect_uri")
	back, err := url.Parse(redirect)
	if err != nil || q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" {
		http.Error(w, "bad authorize request", 400)
		return
	}
	v := url.Values{"state": {q.Get("state")}}
	if p.deny != "" {
		v.Set("error", p.deny)
		v.Set("error_description", p.denyDesc)
	} else {
		u, ok := p.users[q.Get("domain_hint")]
		if !ok {
			http.Error(w, "no such user", 400)
			return
		}
		code := "code-" + randomToken(12)
		p.codes[code] = &codeGrant{clientID: q.Get("client_id"), redirect: redirect, challenge: q.Get("code_challenge"), nonce: q.Get("nonce"), scope: q.Get("scope"), user: u}
		v.Set("code", code)
	}
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (p *testProvider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", 400)
		return
	}
	f := r.PostForm
	p.mu.Lock()
	defer p.mu.Unlock()
	oauthErr := func(code, desc string) {
		writeJSON(w, 400, map[string]string{"error": code, "error_description": desc})
	}
	switch f.Get("grant_type") {
	case "authorization_code":
		p.exchanges++
		g, ok := p.codes[f.Get("code")]
		if !ok {
			oauthErr("invalid_grant", "AADSTS9002313: Invalid request. Request is malformed or invalid.")
			return
		}
		if g.used {
			p.reused++
			oauthErr("invalid_grant", "AADSTS54005: OAuth2 Authorization code was already redeemed.")
			return
		}
		g.used = true
		sum := sha256.Sum256([]byte(f.Get("code_verifier")))
		if base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
			p.badPKCE++
			oauthErr("invalid_grant", "AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.")
			return
		}
		if f.Get("client_id") != g.clientID || f.Get("redirect_uri") != g.redirect {
			oauthErr("invalid_grant", "AADSTS50148: client or redirect URI mismatch")
			return
		}
		rt := "rt-" + randomToken(12)
		p.refresh[rt] = g.user
		nonce := g.nonce
		if p.nonceOverride != "" {
			nonce = p.nonceOverride
		}
		writeJSON(w, 200, map[string]any{
			"token_type": "Bearer", "expires_in": 3600, "scope": g.scope,
			"access_token": g.user.Access, "refresh_token": rt,
			"id_token": p.idToken(g.clientID, nonce, g.user),
		})
	case "refresh_token":
		u, ok := p.refresh[f.Get("refresh_token")]
		if !ok {
			oauthErr("invalid_grant", "AADSTS70000: refresh token unknown")
			return
		}
		writeJSON(w, 200, map[string]any{"token_type": "Bearer", "expires_in": 3600, "access_token": u.Access, "refresh_token": f.Get("refresh_token")})
	default:
		oauthErr("unsupported_grant_type", "")
	}
}

func (p *testProvider) idToken(aud, nonce string, u testUser) string {
	iss := p.srv.URL + "/" + u.Tenant + "/v2.0"
	if p.issuerOverride != "" {
		iss = p.issuerOverride
	}
	now := time.Now()
	claims := map[string]any{
		"iss": iss, "aud": aud, "sub": "sub-" + u.OID, "oid": u.OID, "tid": u.Tenant,
		"preferred_username": u.UPN, "name": u.Name, "nonce": nonce,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(), "ver": "2.0",
	}
	return p.sign(claims)
}

func (p *testProvider) sign(claims map[string]any) string {
	hdr, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": p.kid})
	body, _ := json.Marshal(claims)
	in := base64.RawURLEncoding.EncodeToString(hdr) + "." + base64.RawURLEncoding.EncodeToString(body)
	sum := sha256.Sum256([]byte(in))
	sig, err := rsa.SignPKCS1v15(rand.Reader, p.key, crypto.SHA256, sum[:])
	if err != nil {
		panic(fmt.Sprint("sign ID token: ", err))
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func (p *testProvider) lastAuthorize() url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.authorizes) == 0 {
		return nil
	}
	return p.authorizes[len(p.authorizes)-1]
}

func hasScope(scope, want string) bool {
	for _, s := range strings.Fields(scope) {
		if s == want {
			return true
		}
	}
	return false
}
