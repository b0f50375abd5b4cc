package service

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"livedocs/checks"
)

// State is the answer of /api/state and /api/refresh.
type State struct {
	// Mode is "signed-out", "demo" or "live".
	Mode string `json:"mode"`
	// CSRF is the token state-changing requests send back.
	CSRF string `json:"csrf"`
	// Login starts sign-in and comes back to the page; empty when sign-in is
	// not configured.
	Login string `json:"login,omitempty"`
	// Scenarios are the demo scenarios on offer; empty without a demo.
	Scenarios []string `json:"scenarios,omitempty"`
	// DemoLabel says plainly that the results come from a simulated tenant.
	DemoLabel string `json:"demoLabel,omitempty"`
	Scenario  string `json:"scenario,omitempty"`
	// Signed in.
	User     string `json:"user,omitempty"`
	UserName string `json:"userName,omitempty"`
	Tenant   string `json:"tenant,omitempty"`
	// Page is the article the checks belong to; Reads what they read.
	Page  string  `json:"page,omitempty"`
	Reads []Reads `json:"reads"`
	// Notice explains a signed-out answer to a reader who was signed in
	// (session expired, sign-in no longer accepted).
	Notice string `json:"notice,omitempty"`
	// Report holds the results, for demo and live sessions.
	Report *checks.Report `json:"report,omitempty"`
	Cached bool           `json:"cached,omitempty"`
}

// Reads describes one check of the page for the "what this page reads" text.
type Reads struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Permissions []string `json:"permissions"`
}

func (s *Service) handleState(w http.ResponseWriter, r *http.Request) {
	refresh := strings.HasSuffix(r.URL.Path, "/refresh")
	sess, err := s.loadSession(r)
	notice := ""
	if err != nil && !errors.Is(err, errNoCookie) {
		if errors.Is(err, errExpired) {
			notice = "Your session has ended; check your tenant again to sign in."
		}
		s.clearSealed(w, r, cookieSession)
		sess = nil
	}
	if r.Method == http.MethodPost {
		if reason, ok := s.checkCSRF(r, sess); !ok {
			writeError(w, http.StatusForbidden, "csrf", reason)
			return
		}
	}
	if sess == nil {
		sess = s.newSession(kindAnon, s.cfg.SessionTTL)
		if err := s.saveSession(w, r, sess); err != nil {
			writeError(w, http.StatusInternalServerError, "session", "The session could not be saved.")
			return
		}
	}
	cost := 1.0
	if refresh {
		cost = 5
	}
	if ok, wait := s.perSess.take(sess.ID, cost, s.now()); !ok {
		writeRateLimited(w, wait, "Too many check requests from this session.")
		return
	}
	page, ids, reason := s.resolvePage(r.FormValue("page"), r.FormValue("checks"))
	if reason != "" {
		writeError(w, http.StatusBadRequest, "bad_request", reason)
		return
	}
	st := State{Mode: "signed-out", CSRF: sess.CSRF, Page: page.ID, Notice: notice, Reads: readsOf(ids)}
	if s.cfg.Demo != nil {
		st.Scenarios = append([]string(nil), s.cfg.DemoScenarios...)
	}
	if s.cfg.ClientID != "" {
		st.Login = s.loginLink(r.FormValue("return"), page.ID)
	}
	switch sess.Kind {
	case kindDemo:
		if s.cfg.Demo == nil || !slices.Contains(s.cfg.DemoScenarios, sess.Scenario) {
			break
		}
		st.Mode, st.Scenario = "demo", sess.Scenario
		st.DemoLabel = fmt.Sprintf("Demo tenant (simulated, scenario %q): these results are not from your organisation.", sess.Scenario)
		req := checks.Request{AppID: page.AppID, Scopes: page.Scopes, CheckIDs: ids}
		key := cacheKey("demo", sess.Scenario, "", req)
		rep, cached, err := s.cache.get(r.Context(), key, refresh, s.now, func(ctx context.Context) (checks.Report, error) {
			return s.cfg.Demo(ctx, sess.Scenario, req)
		})
		if err != nil {
			writeError(w, http.StatusBadGateway, "evaluate", "The demo tenant could not be read: "+err.Error())
			return
		}
		rep.Demo = true
		st.Report, st.Cached = &rep, cached
	case kindLive:
		if s.cfg.Live == nil {
			break
		}
		tok, err := s.accessToken(r.Context(), w, r, sess)
		if err != nil {
			s.log.Info("checks session token refresh failed", "tenant", sess.Tenant, "err", redactErr(err))
			s.cache.forget(cacheKeyPrefix("live", sess.Tenant, sess.UserID))
			anon := s.newSession(kindAnon, s.cfg.SessionTTL)
			if err := s.saveSession(w, r, anon); err != nil {
				writeError(w, http.StatusInternalServerError, "session", "The session could not be saved.")
				return
			}
			st.CSRF = anon.CSRF
			st.Notice = "Microsoft no longer accepts your sign-in; check your tenant again to sign in."
			break
		}
		st.Mode, st.User, st.UserName, st.Tenant = "live", sess.UserName, sess.Name, sess.Tenant
		req := checks.Request{TenantID: sess.Tenant, User: sess.UserID, AppID: page.AppID, Scopes: page.Scopes, CheckIDs: ids}
		key := cacheKey("live", sess.Tenant, sess.UserID, req)
		rep, cached, err := s.cache.get(r.Context(), key, refresh, s.now, func(ctx context.Context) (checks.Report, error) {
			return s.cfg.Live(ctx, tok, req)
		})
		if err != nil {
			writeError(w, http.StatusBadRequest, "evaluate", "The checks could not be run: "+err.Error())
			return
		}
		// The report names the user by object ID; show the sign-in name.
		rep.User = sess.UserName
		st.Report, st.Cached = &rep, cached
	}
	writeJSON(w, http.StatusOK, st)
}

// resolvePage finds the article and the checks to evaluate: the page's own
// checks (narrowed to those the widget asks for, if it names any), or, for
// a page the service does not know, the asked-for checks with the default
// app.
func (s *Service) resolvePage(key, list string) (Page, []string, string) {
	if len(key) > maxPageParam {
		return Page{}, nil, "The page parameter is too long."
	}
	var asked []string
	for _, id := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' }) {
		if _, ok := checks.Lookup(id); !ok {
			return Page{}, nil, fmt.Sprintf("Unknown check ID %q.", clip(id, 60))
		}
		if !slices.Contains(asked, id) {
			asked = append(asked, id)
		}
	}
	if len(asked) > maxCheckIDs {
		return Page{}, nil, fmt.Sprintf("At most %d checks per request.", maxCheckIDs)
	}
	page, ok := Page{}, false
	if s.cfg.Pages != nil && key != "" {
		page, ok = s.cfg.Pages(key)
	}
	if !ok {
		page = s.cfg.DefaultApp
		page.ID, page.Path, page.Checks = key, "", asked
	}
	if page.AppID == "" {
		page.AppID, page.Scopes = s.cfg.DefaultApp.AppID, s.cfg.DefaultApp.Scopes
	}
	ids := page.Checks
	if ok && len(asked) > 0 {
		ids = nil
		for _, id := range page.Checks {
			if slices.Contains(asked, id) {
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		return Page{}, nil, "No checks to evaluate: name a page with checks, or checks=ID,…."
	}
	return page, ids, ""
}

func readsOf(ids []string) []Reads {
	out := []Reads{}
	for _, id := range ids {
		if c, ok := checks.Lookup(id); ok {
			out = append(out, Reads{ID: c.ID, Title: c.Title, Permissions: c.Permissions})
		}
	}
	return out
}

// cacheKeyPrefix and cacheKey build the cache's keys; the separator cannot
// occur in tenant IDs, object IDs, app IDs, scopes or check IDs.
func cacheKeyPrefix(kind, tenant, user string) string {
	return kind + "\x00" + tenant + "\x00" + user + "\x00"
}

func cacheKey(kind, tenant, user string, req checks.Request) string {
	scopes := append([]string(nil), req.Scopes...)
	for i := range scopes {
		scopes[i] = strings.ToLower(scopes[i])
	}
	slices.Sort(scopes)
	return cacheKeyPrefix(kind, tenant, user) + req.AppID + "\x00" + strings.Join(scopes, " ") + "\x00" + strings.Join(req.CheckIDs, ",")
}

// csrfSession loads the reader's session for a state-changing request and
// checks its CSRF token; when that fails it has already answered.
func (s *Service) csrfSession(w http.ResponseWriter, r *http.Request) (*session, bool) {
	sess, err := s.loadSession(r)
	if err != nil {
		sess = nil
	}
	if reason, ok := s.checkCSRF(r, sess); !ok {
		writeError(w, http.StatusForbidden, "csrf", reason)
		return nil, false
	}
	return sess, true
}

// forgetLive drops the cached results of a signed-in session.
func (s *Service) forgetLive(sess *session) {
	if sess.Kind == kindLive {
		s.cache.forget(cacheKeyPrefix("live", sess.Tenant, sess.UserID))
	}
}

func (s *Service) handleDemo(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.csrfSession(w, r)
	if !ok {
		return
	}
	if ok, wait := s.perSess.take(sess.ID, 1, s.now()); !ok {
		writeRateLimited(w, wait, "Too many requests from this session.")
		return
	}
	if s.cfg.Demo == nil {
		writeError(w, http.StatusNotFound, "no_demo", "This site offers no demo tenant.")
		return
	}
	sc := r.FormValue("scenario")
	if !slices.Contains(s.cfg.DemoScenarios, sc) {
		writeError(w, http.StatusBadRequest, "bad_request", fmt.Sprintf("Unknown demo scenario %q; choose one of %s.", clip(sc, 40), strings.Join(s.cfg.DemoScenarios, ", ")))
		return
	}
	s.forgetLive(sess)
	next := s.newSession(kindDemo, s.cfg.SessionTTL)
	next.Scenario = sc
	if sess.Kind != kindLive {
		// Same reader, no new privilege: keep the ID (rate limits follow
		// the reader) and the CSRF token (a second tab stays usable).
		next.ID, next.CSRF = sess.ID, sess.CSRF
	}
	if err := s.saveSession(w, r, next); err != nil {
		writeError(w, http.StatusInternalServerError, "session", "The session could not be saved.")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"mode": "demo", "scenario": sc, "csrf": next.CSRF})
}

func (s *Service) handleLogout(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.csrfSession(w, r)
	if !ok {
		return
	}
	s.forgetLive(sess)
	s.clearSealed(w, r, cookieSession)
	s.clearSealed(w, r, cookieLogin)
	if ret := r.PostFormValue("return"); ret != "" && r.Header.Get(csrfHeader) == "" {
		http.Redirect(w, r, safeReturn(ret), http.StatusSeeOther)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"mode": "signed-out"})
}

// accessToken returns a usable access token for a live session, redeeming
// the refresh token (and re-sealing the cookie) when it is about to expire.
func (s *Service) accessToken(ctx context.Context, w http.ResponseWriter, r *http.Request, sess *session) (string, error) {
	if sess.Access != "" && s.now().Add(2*time.Minute).Before(time.Unix(sess.AccessExp, 0)) {
		return sess.Access, nil
	}
	if sess.Refresh == "" {
		return "", errors.New("refresh token: none in the session")
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	tok, err := s.refresh(ctx, sess.Refresh, sess.Scopes)
	if err != nil {
		return "", err
	}
	sess.Access, sess.AccessExp = tok.access, tok.expiry.Unix()
	if tok.refresh != "" {
		sess.Refresh = tok.refresh
	}
	if err := s.saveSession(w, r, sess); err != nil {
		return "", err
	}
	return sess.Access, nil
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
