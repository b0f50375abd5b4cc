package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"livedocs/checks"
	"livedocs/internal/build"
	"livedocs/internal/config"
	"livedocs/internal/content"
	"livedocs/internal/render"
	"livedocs/internal/search"
)

// buildCmd is `livedocs build`: config.yaml + content/ + theme → public/.
type buildCmd struct{}

// projectFlags are the flags every site-reading command shares.
type projectFlags struct {
	root, config string
	drafts       bool
}

func (p *projectFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&p.root, "root", ".", "project folder holding config.yaml, content/ and themes/")
	fs.StringVar(&p.config, "config", "config.yaml", "config file, relative to --root")
	fs.BoolVar(&p.drafts, "drafts", false, "include draft articles")
}

// options loads the config and returns builder options wired to the live
// checks catalogue and the search indexer.
func (p *projectFlags) options() (build.Options, error) {
	cfg, err := config.Load(filepath.Join(p.root, p.config))
	if err != nil {
		return build.Options{}, err
	}
	return build.Options{
		Root:   p.root,
		Config: cfg,
		Drafts: p.drafts,
		KnownCheck: func(id string) bool {
			_, ok := checks.Lookup(id)
			return ok
		},
		CheckInfo: func(id string) (render.CheckInfo, bool) {
			c, ok := checks.Lookup(id)
			return render.CheckInfo{ID: c.ID, Title: c.Title, Permissions: c.Permissions}, ok
		},
		Index: search.NewIndexer().Add,
	}, nil
}

// build runs one full build of the project, printing content problems one
// a line (and returning exit status 1) or the warnings of a good build.
func (p *projectFlags) build() (build.Options, *build.Builder, *build.Result, error) {
	opts, err := p.options()
	if err != nil {
		return opts, nil, nil, err
	}
	b, err := build.New(opts)
	if err != nil {
		return opts, nil, nil, err
	}
	res, err := b.Build()
	if err != nil {
		return opts, nil, nil, reportBuildError(os.Stderr, err)
	}
	printWarnings(os.Stderr, res.Warnings)
	return opts, b, res, nil
}

func (c *buildCmd) Run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	var pf projectFlags
	pf.register(fs)
	out := fs.String("out", "", "output folder (default: output_dir from config.yaml, relative to --root)")
	noLedger := fs.Bool("no-ledger", false, "do not update the URL ledger file")
	if err := fs.Parse(args); err != nil {
		return usageError("%v", err)
	}
	if fs.NArg() > 0 {
		return usageError("unexpected arguments: %v", fs.Args())
	}
	start := time.Now()
	opts, b, res, err := pf.build()
	if err != nil {
		return err
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join(pf.root, opts.Config.OutputDir)
	}
	if err := build.Write(dir, res.Files); err != nil {
		return err
	}
	if !*noLedger && !pf.drafts {
		l, err := b.Ledger(res)
		if err != nil {
			return err
		}
		if err := l.Write(pf.root); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "built %d articles, %d files into %s in %v\n",
		len(res.Site.Articles), len(res.Files), dir, time.Since(start).Round(time.Millisecond))
	return nil
}

// reportBuildError prints content problems one a line and returns exit 1.
func reportBuildError(w io.Writer, err error) error {
	var ce content.Errors
	if errors.As(err, &ce) {
		for _, e := range ce {
			fmt.Fprintln(w, e.Error())
		}
		return &exitError{code: 1, err: fmt.Errorf("%d problem(s); nothing was written", len(ce))}
	}
	return err
}

func printWarnings(w io.Writer, warns content.Errors) {
	for _, e := range warns {
		fmt.Fprintln(w, e.Error())
	}
}
