package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"livedocs/internal/build"
	"livedocs/internal/server"
)

// serveCmd is `livedocs serve`: build into memory and serve on loopback.
type serveCmd struct{}

func (c *serveCmd) Run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var pf projectFlags
	pf.register(fs)
	port := fs.Int("port", 8080, "port on 127.0.0.1 (0 picks a free one)")
	if err := fs.Parse(args); err != nil {
		return usageError("%v", err)
	}
	opts, err := pf.options()
	if err != nil {
		return err
	}
	b, err := build.New(opts)
	if err != nil {
		return err
	}
	res, err := b.Build()
	if err != nil {
		return reportBuildError(os.Stderr, err)
	}
	printWarnings(os.Stderr, res.Warnings)
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		return fmt.Errorf("listen on port %d: %w (is another server using it? try --port 0)", *port, err)
	}
	srv := &http.Server{Handler: server.New(res.Files), ReadHeaderTimeout: 10 * time.Second}
	fmt.Printf("serving %d articles at http://%s/\n", len(res.Site.Articles), ln.Addr())
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
