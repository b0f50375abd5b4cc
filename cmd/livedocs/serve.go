package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"livedocs/internal/build"
	"livedocs/internal/config"
	"livedocs/internal/content"
	"livedocs/internal/server"
)

// serveCmd is `livedocs serve`: build into memory, serve on loopback,
// rebuild on every save and push the changes to the open browsers.
type serveCmd struct {
	stdout, stderr io.Writer // nil means os.Stdout, os.Stderr
}

func (c *serveCmd) Run(ctx context.Context, args []string) error {
	stdout, stderr := c.stdout, c.stderr
	if stdout == nil {
		stdout = os.Stdout
	}
	if stderr == nil {
		stderr = os.Stderr
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var pf projectFlags
	fs.StringVar(&pf.root, "root", ".", "project folder holding config.yaml, content/ and themes/")
	fs.StringVar(&pf.config, "config", "config.yaml", "config file, relative to --root")
	fs.BoolVar(&pf.drafts, "drafts", true, "show draft articles (with a Draft badge); --drafts=false hides them")
	port := fs.Int("port", 8080, "port on 127.0.0.1 (0 picks a free one)")
	poll := fs.Bool("poll", false, "poll for changes instead of using OS file notifications")
	checksOnly := fs.Bool("checks-only", false, "run only the live-checks service (production), on --listen")
	listen := fs.String("listen", ":8080", "address for --checks-only")
	demo := fs.Bool("demo", true, "offer the built-in demo tenant in the live-checks service")
	if err := fs.Parse(args); err != nil {
		return usageError("%v", err)
	}
	if fs.NArg() > 0 {
		return usageError("unexpected arguments: %v", fs.Args())
	}
	if *port < 0 || *port > 65535 {
		return usageError("--port %d is not a port number", *port)
	}
	logger := log.New(stderr, "", log.Ltime)
	if *checksOnly {
		return serveChecks(ctx, pf, *listen, *demo, stdout)
	}

	// Listen first: a busy port is the most common mistake.
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("port %d on 127.0.0.1 is already in use (another livedocs serve?): stop it, or pick another port with --port N, or --port 0 for any free one", *port)
		}
		return fmt.Errorf("listen on 127.0.0.1:%d: %w", *port, err)
	}
	defer ln.Close()

	prefix := ""
	cfg, cfgErr := config.Load(filepath.Join(pf.root, pf.config))
	if cfgErr == nil {
		prefix = basePath(cfg.BaseURL)
	}
	// The preview always runs the live-checks service, with the demo tenant.
	var live *server.Live
	mounts := map[string]http.Handler{}
	if cfgErr == nil {
		checksAPI, err := checksService(ctx, cfg, checksServiceOptions{
			Site: func() *content.Site {
				if res := live.Result(); res != nil {
					return res.Site
				}
				return nil
			},
			Demo:      *demo,
			ListenURL: "http://" + ln.Addr().String(),
			Getenv:    os.Getenv,
			Log:       slog.New(slog.NewTextHandler(stderr, nil)),
		})
		if err != nil {
			return err
		}
		mounts[prefix+"/__checks/"] = checksAPI
	}
	srv := server.New(server.Options{Prefix: prefix, Mounts: mounts})
	live, err = server.NewLive(srv, server.LiveOptions{
		Root:       pf.root,
		ConfigFile: pf.config,
		Options: func() (build.Options, error) {
			o, err := pf.options()
			if err == nil && o.Config.Checks.ServiceURL == "" {
				o.Config.Checks.ServiceURL = "/__checks"
			}
			return o, err
		},
		ForcePoll: *poll,
		Logf:      logger.Printf,
	})
	if err != nil {
		return err
	}
	url := fmt.Sprintf("http://%s%s/", ln.Addr(), prefix)
	if res := live.Result(); res != nil {
		fmt.Fprintf(stdout, "serving %d articles at %s\n", len(res.Site.Articles), url)
	} else {
		fmt.Fprintf(stdout, "serving at %s (the build has errors: they show in the browser)\n", url)
		for _, p := range srv.Problems() {
			fmt.Fprintln(stderr, p.Text)
		}
	}
	fmt.Fprintf(stdout, "status: http://%s/__livedocs/status · press Ctrl-C to stop\n", ln.Addr())

	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ErrorLog: logger}
	hs.RegisterOnShutdown(srv.Close)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	liveDone := make(chan error, 1)
	go func() { liveDone <- live.Run(ctx) }()
	serveDone := make(chan error, 1)
	go func() { serveDone <- hs.Serve(ln) }()

	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-liveDone:
		liveDone = nil
	case err := <-serveDone:
		serveDone = nil
		if !errors.Is(err, http.ErrServerClosed) {
			runErr = fmt.Errorf("serve: %w", err)
		}
	}
	cancel()
	sctx, stop := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop()
	srv.Close()
	if err := hs.Shutdown(sctx); err != nil {
		hs.Close()
	}
	if liveDone != nil {
		<-liveDone
	}
	if runErr == nil {
		fmt.Fprintln(stdout, "stopped")
	}
	return runErr
}

// serveChecks runs the live-checks service alone: it builds the site once
// to learn each article's checks, then serves /__checks/ on listen.
func serveChecks(ctx context.Context, pf projectFlags, listen string, demo bool, stdout io.Writer) error {
	opts, _, res, err := pf.build()
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	return serveChecksOnly(ctx, opts.Config, func() *content.Site { return res.Site }, listen, demo, os.Getenv, stdout, logger)
}

// basePath returns the path part of base_url ("" or "/help").
func basePath(baseURL string) string {
	if i := strings.Index(baseURL, "://"); i >= 0 {
		if j := strings.Index(baseURL[i+3:], "/"); j >= 0 {
			return strings.TrimRight(baseURL[i+3+j:], "/")
		}
	}
	return ""
}
