// Package build runs the pipeline: config → content model → rendered pages
// (+ search index) → an in-memory file set, and writes a file set to the
// output folder atomically.
//
// A Builder is kept between builds by the watch server: its loader and
// renderer cache parsed files and rendered bodies, so a rebuild after one
// edit re-parses and re-renders only what the edit touched while still
// checking every page.
package build

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"sort"

	"livedocs/internal/config"
	"livedocs/internal/content"
	"livedocs/internal/markdown"
	"livedocs/internal/render"
)

// Options configure a Builder.
type Options struct {
	Root   string // project folder holding config.yaml, content/, themes/
	Config config.Config
	Drafts bool
	// KnownCheck and CheckInfo describe live checks; nil means none exist.
	KnownCheck func(id string) bool
	CheckInfo  func(id string) (render.CheckInfo, bool)
	// Index adds derived files (the search index) to a built file set.
	Index func(site *content.Site, files render.Files) error
	// FS is the project folder as a file system; nil means os.DirFS(Root).
	FS fs.FS
	// Cache keeps rendered bodies between builds, for repeated builds by
	// the watch server.
	Cache bool
}

// Result is one successful build.
type Result struct {
	Site     *content.Site
	Files    render.Files
	Warnings content.Errors
}

// Builder builds a site, caching work between builds.
type Builder struct {
	opts     Options
	fsys     fs.FS
	parser   *markdown.Parser
	loader   *content.Loader
	renderer *render.Renderer

	// The last ledger read and its check, reused while the ledger file's
	// bytes and the site's shape stay the same.
	ledger      *Ledger
	ledgerHash  uint64
	ledgerShape uint64
	ledgerErrs  content.Errors
}

// New prepares a Builder: it loads the theme and parses its templates.
func New(opts Options) (*Builder, error) {
	b := &Builder{opts: opts, fsys: opts.FS}
	if b.fsys == nil {
		b.fsys = os.DirFS(opts.Root)
	}
	b.parser = markdown.New()
	b.loader = content.NewLoader(b.parser)
	theme, err := themeLayers(b.fsys, opts.Config)
	if err != nil {
		return nil, err
	}
	r, err := render.New(render.Options{Config: opts.Config, Theme: theme, Parser: b.parser, CheckInfo: opts.CheckInfo, CacheBodies: opts.Cache})
	if err != nil {
		return nil, err
	}
	b.renderer = r
	return b, nil
}

// Build loads, checks and renders the site. Content problems come back as
// content.Errors (all of them, sorted); warnings ride on the Result.
func (b *Builder) Build() (*Result, error) {
	site, ledger, warnings, err := b.check()
	if err != nil {
		return nil, err
	}
	files, err := b.renderer.Render(site)
	if err != nil {
		return nil, err
	}
	return b.finish(site, ledger, files, warnings)
}

// check loads the site and checks it, ledger included. It returns the
// warnings, or every error as content.Errors when there is any.
func (b *Builder) check() (*content.Site, *Ledger, content.Errors, error) {
	cfg := b.opts.Config
	site, errs := b.loader.Load(b.fsys, content.Options{
		Dir:         cfg.ContentDir,
		Drafts:      b.opts.Drafts,
		StrictLinks: cfg.StrictLinks(),
		KnownCheck:  b.opts.KnownCheck,
		IgnoreKeys:  cfg.IgnoreKeys,
	})
	if site == nil {
		return nil, nil, nil, errs
	}
	ledger, lerrs := b.checkLedger(site)
	errs = append(errs, lerrs...)
	errs.Sort()
	if fatal := errs.Fatal(); len(fatal) > 0 {
		return nil, nil, nil, fatal
	}
	return site, ledger, errs.Warnings(), nil
}

// finish completes rendered pages: content assets, redirects for moved
// articles and the search index.
func (b *Builder) finish(site *content.Site, ledger *Ledger, files render.Files, warnings content.Errors) (*Result, error) {
	b.renderer.Forget(site)
	for _, as := range site.Assets {
		data, err := fs.ReadFile(b.fsys, as.Path)
		if err != nil {
			return nil, fmt.Errorf("read asset: %w", err)
		}
		files[as.URL] = data
	}
	if err := addMoved(files, ledger, site, b.renderer); err != nil {
		return nil, err
	}
	if b.opts.Index != nil {
		if err := b.opts.Index(site, files); err != nil {
			return nil, fmt.Errorf("index: %w", err)
		}
	}
	return &Result{Site: site, Files: files, Warnings: warnings}, nil
}

// Ledger returns the URL ledger updated with what res publishes.
func (b *Builder) Ledger(res *Result) (*Ledger, error) {
	l, err := ReadLedger(b.fsys, b.opts.Config.Ledger)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	l.Record(res.Site)
	return l, nil
}

func (b *Builder) checkLedger(site *content.Site) (*Ledger, content.Errors) {
	name := b.opts.Config.Ledger
	data, err := fs.ReadFile(b.fsys, name)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, content.Errors{{Pos: content.Pos{Path: name, Line: 1, Col: 1}, Msg: err.Error()}}
	}
	h := fnv.New64a()
	h.Write(data)
	sum := h.Sum64()
	if b.ledger != nil && sum == b.ledgerHash && site.Shape == b.ledgerShape && site.Shape != 0 {
		return b.ledger, b.ledgerErrs
	}
	l, err := ReadLedger(b.fsys, name)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, content.Errors{{Pos: content.Pos{Path: name, Line: 1, Col: 1}, Msg: err.Error()}}
	}
	errs := l.Check(site)
	b.ledger, b.ledgerHash, b.ledgerShape, b.ledgerErrs = l, sum, site.Shape, errs
	return l, errs
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
