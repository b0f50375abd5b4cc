package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"livedocs/checks"
	"livedocs/checks/graph"
	"livedocs/checks/service"
	"livedocs/internal/config"
	"livedocs/internal/content"
)

// checksServiceOptions are the settings of the live checks service that do
// not come from config.yaml.
//
// Environment (read through Getenv):
//
//	LIVEDOCS_SESSION_KEYS            session keys, 32 bytes each in base64 or hex, comma-separated;
//	                                 the first seals, all open (rotation). Required with RequireKeys.
//	LIVEDOCS_CHECKS_CLIENT_ID        the checker's Entra app registration (client ID); unset: demo only
//	LIVEDOCS_CHECKS_CLIENT_SECRET    its client secret (unset: public client, PKCE only)
//	LIVEDOCS_CHECKS_REDIRECT_URL     exact redirect URI, https://<site>/__checks/callback
//	LIVEDOCS_CHECKS_AUTHORITY        overrides checks.authority of config.yaml
//	LIVEDOCS_CHECKS_TRUST_PROXY      "1": take client IPs from X-Forwarded-For (only behind a proxy that sets it)
type checksServiceOptions struct {
	// Site returns the current site (the last good build); it tells the
	// service each article's checks and app. Nil: articles are unknown and
	// the service evaluates the checks the widget names with config.yaml's app.
	Site func() *content.Site
	// Demo offers the built-in demo tenant (livedocs serve does; production
	// may too).
	Demo bool
	// RequireKeys refuses to start without LIVEDOCS_SESSION_KEYS (production:
	// sessions must survive restarts and be readable by every replica). Without
	// it, a missing key is replaced by a random one for this process.
	RequireKeys bool
	// ListenURL is where the server is reached, e.g. http://127.0.0.1:8080; it
	// gives the default redirect URI on loopback.
	ListenURL string
	Getenv    func(string) string
	Log       *slog.Logger
}

// checksService returns the handler for /__checks/. The demo tenants it
// starts stop when ctx is done.
func checksService(ctx context.Context, cfg config.Config, opts checksServiceOptions) (http.Handler, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var keys [][]byte
	if v := getenv("LIVEDOCS_SESSION_KEYS"); v != "" {
		k, err := service.ParseSessionKeys(v)
		if err != nil {
			return nil, fmt.Errorf("read LIVEDOCS_SESSION_KEYS: %w", err)
		}
		keys = k
	} else if opts.RequireKeys {
		return nil, errors.New("start checks service: set LIVEDOCS_SESSION_KEYS (e.g. the output of `openssl rand -base64 32`) so sessions survive restarts and work on every replica")
	} else {
		k := make([]byte, 32)
		if _, err := rand.Read(k); err != nil {
			return nil, fmt.Errorf("make session key: %w", err)
		}
		keys = [][]byte{k}
		log.Info("checks: no LIVEDOCS_SESSION_KEYS; sessions last until this process stops")
	}

	graphURL := cfg.Checks.GraphURL
	if graphURL == "" {
		graphURL = graph.DefaultBaseURL
	}
	authority := cfg.Checks.Authority
	if v := getenv("LIVEDOCS_CHECKS_AUTHORITY"); v != "" {
		authority = v
	}
	scfg := service.Config{
		Authority:         authority,
		ClientID:          getenv("LIVEDOCS_CHECKS_CLIENT_ID"),
		ClientSecret:      getenv("LIVEDOCS_CHECKS_CLIENT_SECRET"),
		RedirectURL:       getenv("LIVEDOCS_CHECKS_REDIRECT_URL"),
		GraphResource:     graphResource(graphURL),
		SessionKeys:       keys,
		DefaultApp:        service.Page{AppID: cfg.Checks.AppID, Scopes: cfg.Checks.Scopes},
		TrustForwardedFor: getenv("LIVEDOCS_CHECKS_TRUST_PROXY") == "1",
		Log:               log,
	}
	if scfg.ClientID != "" && scfg.RedirectURL == "" && opts.ListenURL != "" {
		scfg.RedirectURL = strings.TrimRight(opts.ListenURL, "/") + "/__checks/callback"
	}
	if scfg.ClientID != "" {
		src, err := graph.New(graph.Config{BaseURL: graphURL})
		if err != nil {
			return nil, fmt.Errorf("start checks service: %w", err)
		}
		scfg.Live = graphLive(src)
	}
	if opts.Site != nil {
		scfg.Pages = sitePages(opts.Site, cfg)
	}
	if opts.Demo {
		scfg.Demo = newDemoTenants(ctx, cfg.Checks.AppName).evaluate
		scfg.DemoScenarios = graph.DemoScenarios()
	}
	return service.New(scfg)
}

// graphLive evaluates with the reader's token through one shared Source.
func graphLive(src checks.Source) service.LiveFunc {
	return func(ctx context.Context, tok string, req checks.Request) (checks.Report, error) {
		ev := checks.Evaluator{Source: src}
		return ev.Evaluate(graph.WithToken(ctx, graph.Token(tok)), req)
	}
}

// graphResource is the prefix of permission names for clouds other than
// the global one.
func graphResource(graphURL string) string {
	u, err := url.Parse(graphURL)
	if err != nil || u.Host == "" || strings.EqualFold(u.Hostname(), "graph.microsoft.com") {
		return ""
	}
	if u.Scheme == "http" {
		return "" // a local Graph for tests and the demo
	}
	return u.Scheme + "://" + u.Host
}

// sitePages looks articles up by ID or URL path in the current site.
func sitePages(site func() *content.Site, cfg config.Config) func(string) (service.Page, bool) {
	return func(key string) (service.Page, bool) {
		s := site()
		if s == nil {
			return service.Page{}, false
		}
		a := s.ByID[key]
		if a == nil {
			a = s.ByURL[key]
		}
		if a == nil {
			return service.Page{}, false
		}
		p := service.Page{ID: a.ID, Path: a.URL, Checks: a.CheckIDs(), AppID: cfg.Checks.AppID, Scopes: cfg.Checks.Scopes}
		if a.Checks != nil {
			if a.Checks.AppID != "" {
				p.AppID = a.Checks.AppID
			}
			if len(a.Checks.Scopes) > 0 {
				p.Scopes = a.Checks.Scopes
			}
		}
		return p, true
	}
}

// demoTenants starts a demo tenant per scenario and app on first use and
// keeps it until ctx ends.
type demoTenants struct {
	ctx     context.Context
	appName string
	mu      sync.Mutex
	running map[string]*graph.Demo
}

const maxDemoTenants = 40

func newDemoTenants(ctx context.Context, appName string) *demoTenants {
	return &demoTenants{ctx: ctx, appName: appName, running: map[string]*graph.Demo{}}
}

func (d *demoTenants) evaluate(ctx context.Context, scenario string, req checks.Request) (checks.Report, error) {
	key := scenario + "\x00" + req.AppID + "\x00" + strings.Join(req.Scopes, " ")
	d.mu.Lock()
	demo, ok := d.running[key]
	if !ok {
		if len(d.running) >= maxDemoTenants {
			d.mu.Unlock()
			return checks.Report{}, errors.New("start demo tenant: too many apps")
		}
		var err error
		demo, err = graph.StartDemo(d.ctx, scenario, graph.DemoApp{AppID: req.AppID, Name: d.appName, Scopes: req.Scopes})
		if err != nil {
			d.mu.Unlock()
			return checks.Report{}, err
		}
		d.running[key] = demo
	}
	d.mu.Unlock()
	ev := checks.Evaluator{Source: demo.Source()}
	return ev.Evaluate(ctx, demo.Fill(req))
}

// serveChecksOnly runs the checks service alone on listen (e.g. ":8080"),
// for `livedocs serve --checks-only --listen :8080`, until ctx is done.
// The static site is published elsewhere; the host in front forwards
// /__checks/ to this server on the same origin.
func serveChecksOnly(ctx context.Context, cfg config.Config, site func() *content.Site, listen string, demo bool, getenv func(string) string, stdout io.Writer, log *slog.Logger) error {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", listen, err)
	}
	h, err := checksService(ctx, cfg, checksServiceOptions{Site: site, Demo: demo, RequireKeys: true, ListenURL: "http://" + ln.Addr().String(), Getenv: getenv, Log: log})
	if err != nil {
		ln.Close()
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/__checks/", h)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
	fmt.Fprintf(stdout, "checks service at http://%s/__checks/\n", ln.Addr())
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve checks: %w", err)
	}
	return nil
}
