package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"go.yaml.in/yaml/v3"

	"livedocs/checks"
	"livedocs/checks/graph"
	"livedocs/internal/config"
	"livedocs/internal/markdown"
)

// checkCmd is `livedocs check`: evaluate live checks against a tenant and
// print each with its state and evidence.
//
// Exit status: 0 every check done, 1 something pending or unknown, 2 a
// usage or configuration error.
type checkCmd struct {
	stdout io.Writer           // os.Stdout if nil
	stderr io.Writer           // os.Stderr if nil
	getenv func(string) string // os.Getenv if nil
}

// listFlag collects a repeatable, comma-separable flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

func (c *checkCmd) Run(ctx context.Context, args []string) error {
	stdout, stderr, getenv := c.stdout, c.stderr, c.getenv
	if stdout == nil {
		stdout = os.Stdout
	}
	if stderr == nil {
		stderr = os.Stderr
	}
	if getenv == nil {
		getenv = os.Getenv
	}
	fset := flag.NewFlagSet("check", flag.ContinueOnError)
	fset.SetOutput(stderr)
	var (
		ids    listFlag
		scopes listFlag
	)
	tenant := fset.String("tenant", "", "tenant domain or ID (required unless --demo)")
	page := fset.String("page", "", "article whose check markers name the checks, e.g. content/…/article.md")
	fset.Var(&ids, "check", "check ID to evaluate (repeatable or comma-separated; default all, see livedocs checks)")
	user := fset.String("user", "", "UPN or object ID of the user the user-specific checks are about")
	appID := fset.String("app-id", "", "client ID of the app (default checks.app_id from config.yaml or the page)")
	fset.Var(&scopes, "scopes", "comma-separated delegated scopes the app needs (default checks.scopes from config.yaml or the page)")
	asJSON := fset.Bool("json", false, "print a JSON object instead of a table")
	demo := fset.String("demo", "", "evaluate against the built-in demo tenant: "+strings.Join(graph.DemoScenarios(), ", "))
	graphURL := fset.String("graph-url", "", "Graph root URL (default checks.graph_url from config.yaml, else "+graph.DefaultBaseURL+")")
	authority := fset.String("authority", "", "Entra ID authority URL for sign-in (default checks.authority from config.yaml)")
	tokenFile := fset.String("token-file", "", "file holding a bearer token for --graph-url (or set LIVEDOCS_GRAPH_TOKEN)")
	deviceCode := fset.Bool("device-code", false, "sign in as a user with a device code")
	clientID := fset.String("client-id", "", "client ID used to sign in (default AZURE_CLIENT_ID)")
	timeout := fset.Duration("timeout", checks.DefaultTimeout, "time limit for one evaluation")
	root := fset.String("root", ".", "project folder holding config.yaml")
	cfgPath := fset.String("config", "config.yaml", "config file, relative to --root (optional)")
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError("%v", err)
	}
	if fset.NArg() > 0 {
		return usageError("unexpected arguments %q", fset.Args())
	}
	if *timeout <= 0 {
		return usageError("--timeout must be positive")
	}
	if *page != "" && len(ids) > 0 {
		return usageError("use --page or --check, not both")
	}

	cfg, err := loadOptionalConfig(filepath.Join(*root, *cfgPath), isFlagSet(fset, "config"))
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	req := checks.Request{TenantID: *tenant, User: *user, AppID: cfg.Checks.AppID, Scopes: cfg.Checks.Scopes, CheckIDs: ids}
	if *page != "" {
		src, err := os.ReadFile(*page)
		if err != nil {
			return usageError("read page: %v", err)
		}
		pageIDs, app, err := pageChecks(*page, src)
		if err != nil {
			return &exitError{code: 2, err: err}
		}
		if len(pageIDs) == 0 {
			return usageError("%s ties no steps or headings to checks", *page)
		}
		req.CheckIDs = pageIDs
		if app.AppID != "" {
			req.AppID = app.AppID
		}
		if len(app.Scopes) > 0 {
			req.Scopes = app.Scopes
		}
	}
	for _, id := range req.CheckIDs {
		if _, ok := checks.Lookup(id); !ok {
			return usageError("unknown check ID %q (run livedocs checks for the list)", id)
		}
	}
	if *appID != "" {
		req.AppID = *appID
	}
	if len(scopes) > 0 {
		req.Scopes = scopes
	}
	if req.AppID != "" && !isGUID(req.AppID) {
		return usageError("app ID %q is not a client ID (a GUID such as 5a7c2f9e-8d41-4b6a-9c3e-1f2d3b4a5c6d)", req.AppID)
	}

	var src checks.Source
	if *demo != "" {
		name := ""
		if cfg.Checks.AppName != "" {
			name = cfg.Checks.AppName + " (demo)"
		}
		d, err := graph.StartDemo(ctx, *demo, graph.DemoApp{AppID: req.AppID, Name: name, Scopes: req.Scopes, User: req.User})
		if err != nil {
			return usageError("%v", err)
		}
		defer d.Close()
		if req.TenantID == "" {
			req.TenantID = "contoso.example (demo)"
		}
		req = d.Fill(req)
		src = d.Source()
	} else {
		if req.TenantID == "" {
			return usageError("--tenant is required (or use --demo SCENARIO)")
		}
		if req.AppID == "" {
			return usageError("no app ID: pass --app-id or set checks.app_id in config.yaml")
		}
		base := firstNonEmpty(*graphURL, cfg.Checks.GraphURL, graph.DefaultBaseURL)
		gcfg := graph.Config{BaseURL: base}
		tok, err := readToken(*tokenFile, getenv)
		if err != nil {
			return &exitError{code: 2, err: err}
		}
		if tok != "" {
			gcfg.Token = tok
		} else {
			opts := graph.EnvCredentialOptions(getenv)
			opts.Authority = firstNonEmpty(*authority, cfg.Checks.Authority)
			if opts.TenantID == "" {
				opts.TenantID = req.TenantID
			}
			if *clientID != "" {
				opts.ClientID = *clientID
			}
			if *deviceCode {
				opts = graph.CredentialOptions{Authority: opts.Authority, TenantID: req.TenantID, ClientID: opts.ClientID, DeviceCode: true, Prompt: stderr}
			}
			cred, err := graph.NewCredential(opts)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			gcfg.Credential = cred
		}
		s, err := graph.New(gcfg)
		if err != nil {
			return &exitError{code: 2, err: err}
		}
		src = s
	}

	ev := &checks.Evaluator{Source: src, Timeout: *timeout}
	rep, err := ev.Evaluate(ctx, req)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
	} else if err := printReport(stdout, rep); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	for _, r := range rep.Checks {
		if r.State != checks.Done {
			return &exitError{code: 1}
		}
	}
	return nil
}

// printReport writes the report as a table.
func printReport(w io.Writer, rep checks.Report) error {
	var b bytes.Buffer
	if rep.Demo {
		fmt.Fprintf(&b, "DEMO TENANT: simulated data (scenario %q); nothing was read from a real tenant.\n", rep.Scenario)
	}
	fmt.Fprintf(&b, "Tenant: %s\n", rep.Tenant)
	fmt.Fprintf(&b, "App:    %s\n", rep.AppID)
	if rep.User != "" {
		fmt.Fprintf(&b, "User:   %s\n", rep.User)
	}
	fmt.Fprintf(&b, "Time:   %s\n\n", rep.Time.Format(time.RFC3339))
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STATE\tCHECK\tEVIDENCE")
	for _, r := range rep.Checks {
		state := string(r.State)
		if rep.Demo {
			state += " (demo)"
		}
		text := r.Evidence
		if r.State == checks.Unknown {
			text = "Reason: " + r.Reason
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", state, r.ID, text)
		if d := r.Details; d != nil && (d.CorrelationID != "" || d.RequestID != "") {
			var parts []string
			for _, kv := range [][2]string{{"time", d.Time}, {"user", d.User}, {"error", itoaNonZero(d.ErrorCode)}, {"correlation ID", d.CorrelationID}, {"HTTP status", itoaNonZero(d.HTTPStatus)}, {"Graph code", d.GraphCode}, {"request ID", d.RequestID}} {
				if kv[1] != "" {
					parts = append(parts, kv[0]+": "+kv[1])
				}
			}
			fmt.Fprintf(tw, "\t\tfor your admin: %s\n", strings.Join(parts, "; "))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

func itoaNonZero(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprint(n)
}

// loadOptionalConfig loads config.yaml; a missing file gives the defaults
// unless the user named it explicitly.
func loadOptionalConfig(path string, explicit bool) (config.Config, error) {
	cfg, err := config.Load(path)
	if err != nil && !explicit && errors.Is(err, fs.ErrNotExist) {
		return config.Default(), nil
	}
	return cfg, err
}

func isFlagSet(fset *flag.FlagSet, name string) bool {
	set := false
	fset.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// readToken reads the bearer token from the file or LIVEDOCS_GRAPH_TOKEN.
// The token is never printed.
func readToken(file string, getenv func(string) string) (graph.Token, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("read token file: %w", err)
		}
		tok := strings.TrimSpace(string(b))
		tok = strings.TrimPrefix(tok, "Bearer ")
		if tok == "" {
			return "", fmt.Errorf("read token file %s: it is empty", file)
		}
		return graph.Token(tok), nil
	}
	return graph.Token(strings.TrimSpace(getenv("LIVEDOCS_GRAPH_TOKEN"))), nil
}

// pageApp is the checks override an article's front matter may carry.
type pageApp struct {
	AppID  string   `yaml:"app_id"`
	Scopes []string `yaml:"scopes"`
}

// pageChecks returns the check IDs an article's markers name, in document
// order, and its front-matter app override. Front matter is blanked out
// line for line, so marker errors keep the file's line numbers.
func pageChecks(name string, src []byte) ([]string, pageApp, error) {
	body, meta := splitFrontMatter(src)
	var app pageApp
	if meta != nil {
		var fm struct {
			Checks *pageApp `yaml:"checks"`
		}
		if err := yaml.Unmarshal(meta, &fm); err != nil {
			return nil, app, fmt.Errorf("%s:1:1: front matter: %v", name, err)
		}
		if fm.Checks != nil {
			app = *fm.Checks
		}
	}
	ids, err := markdown.ExtractChecks(body)
	if err != nil {
		var lines []string
		for _, l := range strings.Split(err.Error(), "\n") {
			lines = append(lines, name+":"+l)
		}
		return nil, app, errors.New(strings.Join(lines, "\n"))
	}
	return ids, app, nil
}

// splitFrontMatter returns the body with the front matter replaced by as
// many empty lines, and the front matter itself (nil if there is none).
func splitFrontMatter(src []byte) (body, meta []byte) {
	s := string(src)
	if !strings.HasPrefix(s, "---\n") && !strings.HasPrefix(s, "---\r\n") {
		return src, nil
	}
	lines := strings.SplitAfter(s, "\n")
	for i := 1; i < len(lines); i++ {
		if strings.TrimRight(lines[i], "\r\n") == "---" {
			meta = []byte(strings.Join(lines[1:i], ""))
			rest := strings.Repeat("\n", i+1) + strings.Join(lines[i+1:], "")
			return []byte(rest), meta
		}
	}
	return src, nil
}

// isGUID reports whether s looks like 8-4-4-4-12 hexadecimal digits.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
