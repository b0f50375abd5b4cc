package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"livedocs/checks"
)

// provider is the identity provider, from its discovery document.
type provider struct {
	issuer   string // may hold {tenantid}
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
	fetched  time.Time
}

// discovery is the part of the OpenID configuration the service reads.
type discovery struct {
	Issuer   string   `json:"issuer"`
	AuthURL  string   `json:"authorization_endpoint"`
	TokenURL string   `json:"token_endpoint"`
	JWKSURL  string   `json:"jwks_uri"`
	Algs     []string `json:"id_token_signing_alg_values_supported"`
}

// provider returns the identity provider, reading its discovery document
// on first use and again after a day.
func (s *Service) provider(ctx context.Context) (*provider, error) {
	s.provMu.Lock()
	defer s.provMu.Unlock()
	if s.prov != nil && s.now().Sub(s.prov.fetched) < 24*time.Hour {
		return s.prov, nil
	}
	u := s.cfg.Authority + "/v2.0/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("read openid configuration: %w", err)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("read openid configuration: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("read openid configuration: %s answered %d", u, resp.StatusCode)
	}
	var d discovery
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&d); err != nil {
		return nil, fmt.Errorf("read openid configuration: %w", err)
	}
	for _, e := range []string{d.Issuer, d.AuthURL, d.TokenURL, d.JWKSURL} {
		eu, err := url.Parse(e)
		if err != nil || eu.Host == "" || (eu.Scheme != "https" && !isLoopbackHost(eu.Hostname())) {
			return nil, fmt.Errorf("read openid configuration: endpoint %q is not an https URL", e)
		}
	}
	algs := d.Algs
	if len(algs) == 0 {
		algs = []string{oidc.RS256}
	}
	pc := oidc.ProviderConfig{IssuerURL: d.Issuer, AuthURL: d.AuthURL, TokenURL: d.TokenURL, JWKSURL: d.JWKSURL, Algorithms: algs}
	p := pc.NewProvider(oidc.ClientContext(context.WithoutCancel(ctx), s.client))
	s.prov = &provider{
		issuer: d.Issuer,
		oauth: oauth2.Config{
			ClientID:     s.cfg.ClientID,
			ClientSecret: s.cfg.ClientSecret,
			RedirectURL:  s.cfg.RedirectURL,
			Endpoint:     oauth2.Endpoint{AuthURL: d.AuthURL, TokenURL: d.TokenURL, AuthStyle: oauth2.AuthStyleInParams},
		},
		// The issuer is compared below, with the tenant filled in.
		verifier: p.VerifierContext(oidc.ClientContext(context.WithoutCancel(ctx), s.client), &oidc.Config{ClientID: s.cfg.ClientID, SkipIssuerCheck: true, Now: s.now, SupportedSigningAlgs: algs}),
		fetched:  s.now(),
	}
	return s.prov, nil
}

// scopesFor returns the delegated permissions the given checks read, with
// the OpenID scopes, in a stable order.
func (s *Service) scopesFor(ids []string) []string {
	var perms []string
	for _, id := range ids {
		c, ok := checks.Lookup(id)
		if !ok {
			continue
		}
		for _, p := range c.Permissions {
			if !slices.Contains(perms, p) {
				perms = append(perms, p)
			}
		}
	}
	slices.Sort(perms)
	out := []string{oidc.ScopeOpenID, "profile", oidc.ScopeOfflineAccess}
	for _, p := range perms {
		if s.cfg.GraphResource != "" {
			p = strings.TrimRight(s.cfg.GraphResource, "/") + "/" + p
		}
		out = append(out, p)
	}
	return out
}

// safeReturn accepts only a path on this origin: it must start with one
// slash, not two or a backslash, hold no scheme, host or control
// characters, and is otherwise "/".
func safeReturn(ret string) string {
	if ret == "" || len(ret) > 2048 || ret[0] != '/' || strings.HasPrefix(ret, "//") || strings.HasPrefix(ret, "/\\") {
		return "/"
	}
	for _, r := range ret {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(ret)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return ret
}

func (s *Service) loginLink(ret, page string) string {
	v := url.Values{}
	v.Set("return", safeReturn(ret))
	if page != "" {
		v.Set("page", page)
	}
	return s.prefix + "/login?" + v.Encode()
}

func (s *Service) handleLogin(w http.ResponseWriter, r *http.Request) {
	if s.cfg.ClientID == "" {
		s.page(w, http.StatusNotFound, pageData{Title: "Sign-in is not set up", Message: "This help center has no sign-in for live checks. You can still try the demo tenant on any article with checks.", Return: safeReturn(r.FormValue("return"))})
		return
	}
	if ok, wait := s.perIP.take("login:"+s.clientIP(r), 3, s.now()); !ok {
		w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
		s.page(w, http.StatusTooManyRequests, pageData{Title: "Too many sign-in attempts", Message: "Wait a minute, then try again.", Return: safeReturn(r.FormValue("return"))})
		return
	}
	ret := safeReturn(r.FormValue("return"))
	pageKey := r.FormValue("page")
	if len(pageKey) > maxPageParam {
		pageKey = ""
	}
	_, ids, reason := s.resolvePage(pageKey, r.FormValue("checks"))
	if reason != "" {
		ids = checks.IDs()
	}
	prov, err := s.provider(r.Context())
	if err != nil {
		s.log.Warn("checks sign-in: identity provider unavailable", "err", err)
		s.page(w, http.StatusBadGateway, pageData{Title: "Sign-in is unavailable", Message: "Microsoft's sign-in could not be reached. Try again in a few minutes.", Return: ret})
		return
	}
	ls := loginState{
		State:    randomToken(24),
		Nonce:    randomToken(24),
		Verifier: oauth2.GenerateVerifier(),
		Return:   ret,
		Page:     pageKey,
		Scopes:   s.scopesFor(ids),
		Tenant:   domainHint(r.FormValue("tenant")),
		Expires:  s.now().Add(loginTTL).Unix(),
	}
	if err := s.writeSealed(w, r, cookieLogin, purposeLogin, ls, loginTTL); err != nil {
		s.page(w, http.StatusInternalServerError, pageData{Title: "Sign-in failed", Message: "The sign-in could not be started.", Return: ret})
		return
	}
	conf := prov.oauth
	conf.Scopes = ls.Scopes
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(ls.Verifier), oidc.Nonce(ls.Nonce), oauth2.SetAuthURLParam("response_mode", "query")}
	if ls.Tenant != "" {
		opts = append(opts, oauth2.SetAuthURLParam("domain_hint", ls.Tenant))
	}
	http.Redirect(w, r, conf.AuthCodeURL(ls.State, opts...), http.StatusFound)
}

// domainHint keeps a tenant domain or ID the reader typed, if it looks like one.
func domainHint(s string) string {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "" || len(s) > 253 {
		return ""
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return ""
		}
	}
	return s
}

// consentErrors are the AADSTS codes that mean the reader may not consent
// to the checker (or must ask an admin).
var consentErrors = []string{"AADSTS65001", "AADSTS65004", "AADSTS90094", "AADSTS90095", "AADSTS90099", "AADSTS90008", "AADSTS650056"}

func isConsentError(code, desc string) bool {
	if code == "consent_required" || code == "access_denied" || code == "interaction_required" {
		return true
	}
	for _, c := range consentErrors {
		if strings.Contains(desc, c) {
			return true
		}
	}
	return false
}

func (s *Service) handleCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("admin_consent") != "" {
		// Back from the admin-consent endpoint, which sends no code.
		msg := "Your admin approved the checker for your organisation. Go back to the article and check your tenant again."
		title := "The checker is approved"
		if !strings.EqualFold(q.Get("admin_consent"), "true") || q.Get("error") != "" {
			title, msg = "The checker was not approved", "The admin consent did not complete ("+clip(q.Get("error"), 80)+"). The admin can try the link again."
		}
		s.page(w, http.StatusOK, pageData{Title: title, Message: msg, Return: "/"})
		return
	}
	var ls loginState
	err := s.readSealed(r, cookieLogin, purposeLogin, &ls)
	s.clearSealed(w, r, cookieLogin)
	if err != nil || s.now().Unix() >= ls.Expires {
		s.page(w, http.StatusBadRequest, pageData{Title: "Sign-in expired", Message: "The sign-in took too long or was started in another browser. Start it again from the article.", Return: "/"})
		return
	}
	if !constantEqual(q.Get("state"), ls.State) {
		s.page(w, http.StatusBadRequest, pageData{Title: "Sign-in refused", Message: "The answer from Microsoft does not belong to the sign-in this browser started. Start it again from the article.", Return: ls.Return})
		return
	}
	if !s.markUsed(ls.State, time.Unix(ls.Expires, 0)) {
		s.page(w, http.StatusBadRequest, pageData{Title: "Sign-in refused", Message: "This sign-in answer was already used. Start again from the article.", Return: ls.Return})
		return
	}
	if code := q.Get("error"); code != "" {
		desc := q.Get("error_description")
		if isConsentError(code, desc) {
			s.consentPage(w, ls, code, desc)
			return
		}
		s.page(w, http.StatusBadRequest, pageData{Title: "Microsoft refused the sign-in", Message: "Microsoft answered: " + clip(code+": "+firstLine(desc), 300), Return: ls.Return})
		return
	}
	prov, err := s.provider(r.Context())
	if err != nil {
		s.page(w, http.StatusBadGateway, pageData{Title: "Sign-in is unavailable", Message: "Microsoft's sign-in could not be reached. Try again in a few minutes.", Return: ls.Return})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
	defer cancel()
	ctx = context.WithValue(ctx, oauth2.HTTPClient, s.client)
	conf := prov.oauth
	conf.Scopes = ls.Scopes
	tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(ls.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && isConsentError(re.ErrorCode, re.ErrorDescription) {
			s.consentPage(w, ls, re.ErrorCode, re.ErrorDescription)
			return
		}
		s.log.Info("checks sign-in: code exchange failed", "err", redactErr(err))
		s.page(w, http.StatusBadRequest, pageData{Title: "Sign-in failed", Message: "Microsoft did not accept the sign-in answer. Start again from the article.", Return: ls.Return})
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := prov.verifier.Verify(ctx, raw)
	if err != nil {
		s.log.Info("checks sign-in: ID token rejected", "err", err)
		s.page(w, http.StatusBadRequest, pageData{Title: "Sign-in refused", Message: "The identity token from Microsoft did not verify.", Return: ls.Return})
		return
	}
	var claims struct {
		TID               string `json:"tid"`
		OID               string `json:"oid"`
		Sub               string `json:"sub"`
		PreferredUsername string `json:"preferred_username"`
		Name              string `json:"name"`
	}
	if err := idt.Claims(&claims); err != nil || claims.TID == "" {
		s.page(w, http.StatusBadRequest, pageData{Title: "Sign-in refused", Message: "The identity token names no tenant.", Return: ls.Return})
		return
	}
	if want := strings.ReplaceAll(prov.issuer, "{tenantid}", claims.TID); idt.Issuer != want {
		s.page(w, http.StatusBadRequest, pageData{Title: "Sign-in refused", Message: "The identity token was issued by an unexpected authority.", Return: ls.Return})
		return
	}
	if !constantEqual(idt.Nonce, ls.Nonce) {
		s.page(w, http.StatusBadRequest, pageData{Title: "Sign-in refused", Message: "The identity token does not belong to this sign-in (nonce).", Return: ls.Return})
		return
	}
	sess := s.newSession(kindLive, s.cfg.SessionTTL)
	sess.Tenant, sess.UserID, sess.UserName, sess.Name = claims.TID, claims.OID, clip(claims.PreferredUsername, 200), clip(claims.Name, 200)
	if sess.UserID == "" {
		sess.UserID = sess.UserName
	}
	sess.Scopes = ls.Scopes
	sess.Access, sess.AccessExp, sess.Refresh = tok.AccessToken, tok.Expiry.Unix(), tok.RefreshToken
	if tok.Expiry.IsZero() {
		sess.AccessExp = s.now().Add(time.Hour).Unix()
	}
	if err := s.saveSession(w, r, sess); err != nil {
		s.log.Warn("checks sign-in: session not saved", "err", err)
		s.page(w, http.StatusInternalServerError, pageData{Title: "Sign-in failed", Message: "The session could not be saved.", Return: ls.Return})
		return
	}
	http.Redirect(w, r, ls.Return, http.StatusSeeOther)
}

// markUsed records a login state as redeemed; false if it already was.
func (s *Service) markUsed(state string, until time.Time) bool {
	s.usedMu.Lock()
	defer s.usedMu.Unlock()
	now := s.now()
	if len(s.used) > 10000 {
		for k, t := range s.used {
			if now.After(t) {
				delete(s.used, k)
			}
		}
	}
	if _, ok := s.used[state]; ok {
		return false
	}
	s.used[state] = until
	return true
}

type tokens struct {
	access, refresh string
	expiry          time.Time
}

// refresh redeems a refresh token. It is done here rather than through
// oauth2.TokenSource because the Microsoft identity platform wants the
// scopes repeated on this request.
func (s *Service) refresh(ctx context.Context, rt string, scopes []string) (tokens, error) {
	prov, err := s.provider(ctx)
	if err != nil {
		return tokens{}, err
	}
	form := url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {rt},
		"client_id":     {s.cfg.ClientID},
		"scope":         {strings.Join(scopes, " ")},
	}
	if s.cfg.ClientSecret != "" {
		form.Set("client_secret", s.cfg.ClientSecret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, prov.oauth.Endpoint.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return tokens{}, fmt.Errorf("refresh token: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.client.Do(req)
	if err != nil {
		return tokens{}, fmt.Errorf("refresh token: %w", redactErr(err))
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		ExpiresIn    int64  `json:"expires_in"`
		Error        string `json:"error"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body); err != nil {
		return tokens{}, fmt.Errorf("refresh token: %d answer unreadable", resp.StatusCode)
	}
	if resp.StatusCode != http.StatusOK || body.AccessToken == "" {
		return tokens{}, fmt.Errorf("refresh token: %d %s", resp.StatusCode, clip(body.Error, 60))
	}
	exp := body.ExpiresIn
	if exp <= 0 {
		exp = 3600
	}
	return tokens{access: body.AccessToken, refresh: body.RefreshToken, expiry: s.now().Add(time.Duration(exp) * time.Second)}, nil
}

// redactErr drops URLs from an error's text: token endpoint errors from
// net/http quote the request URL, and nothing that may carry a code or token
// is logged.
func redactErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}

// adminConsentURL is the link an admin follows to approve the checker for
// the organisation.
func (s *Service) adminConsentURL(tenant string) string {
	u, _ := url.Parse(s.cfg.Authority)
	if tenant == "" {
		tenant = "organizations"
	}
	v := url.Values{}
	v.Set("client_id", s.cfg.ClientID)
	v.Set("redirect_uri", s.cfg.RedirectURL)
	return u.Scheme + "://" + u.Host + "/" + url.PathEscape(tenant) + "/adminconsent?" + v.Encode()
}

func (s *Service) consentPage(w http.ResponseWriter, ls loginState, code, desc string) {
	var perms []string
	for _, sc := range ls.Scopes {
		switch sc {
		case oidc.ScopeOpenID, "profile", oidc.ScopeOfflineAccess:
			continue
		}
		perms = append(perms, sc)
	}
	aad := ""
	for _, c := range consentErrors {
		if strings.Contains(desc, c) {
			aad = c
			break
		}
	}
	s.page(w, http.StatusForbidden, pageData{
		Title:        "Your organisation must approve the checker first",
		Message:      "Microsoft did not let you give the help center's checker permission to read your tenant's settings. These permissions can only be granted by an administrator, so you cannot consent to the checker yourself. This is not a problem with your account, and nothing has been changed.",
		Consent:      true,
		ConsentURL:   s.adminConsentURL(ls.Tenant),
		Permissions:  perms,
		ClientID:     s.cfg.ClientID,
		ErrorCode:    strings.TrimSpace(code + " " + aad),
		Return:       ls.Return,
		TriedAt:      s.now().UTC().Format(time.RFC3339),
		TenantOrHint: ls.Tenant,
	})
}
