package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"livedocs/internal/build"
	"livedocs/internal/config"
	"livedocs/internal/content"
	"livedocs/internal/watch"
)

// LiveOptions configure a Live preview.
type LiveOptions struct {
	Root       string // project folder
	ConfigFile string // config file relative to Root; default "config.yaml"
	// Options reads the configuration and returns the builder options. It
	// is called at the start and whenever the config file changes; Live
	// sets Root and FS itself.
	Options func() (build.Options, error)

	// Watcher settings (see watch.Options); zero values mean its defaults.
	Quiet, MaxDelay, PollInterval time.Duration
	ForcePoll                     bool

	Logf func(format string, args ...any) // nil means log.Printf
	Now  func() time.Time                 // nil means time.Now
}

// Live keeps a Server's file set in step with the project on disk.
//
// It watches the content folder, the theme folders (the site theme named in
// config.yaml and themes/default), the URL ledger and the config file, and
// keeps an in-memory copy of them that builds read. Each batch of changes
// from the watcher is one rebuild:
//
//	content       build.Incremental.Build: every file checked, only the
//	              affected pages rendered
//	theme static  the renderer is reloaded and the asset versions in the
//	              previous pages are rewritten; when only stylesheets
//	              changed, the new CSS is served and pushed to the
//	              browsers before that
//	templates     the renderer is reloaded and every page rendered
//	config.yaml   a new Builder (and, if the watched folders moved, a new
//	              watcher) and a full build
//	overflow      the in-memory copy is read again and every page rendered
//
// A successful build is published (Server.Publish); a failed one shows its
// errors in every browser (Server.Fail) while the last good pages stay.
// Nothing a writer saves stops the server.
type Live struct {
	opts LiveOptions
	srv  *Server
	fsys *memFS

	cfg   config.Config
	inc   *build.Incremental // nil while the config or theme is broken
	roots []string           // watched, relative to the project, slash-separated
	w     *watch.Watcher
	stopW context.CancelFunc
	abs   map[string]string // absolute watch root → relative root

	mu       sync.Mutex
	rebuilds []Rebuild
	last     *build.Result
}

// NewLive reads the project, builds it once (a failed build shows in the
// browsers, it is not an error here) and starts watching.
func NewLive(srv *Server, opts LiveOptions) (*Live, error) {
	if opts.ConfigFile == "" {
		opts.ConfigFile = "config.yaml"
	}
	if opts.Logf == nil {
		opts.Logf = log.Printf
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	m, err := newMemFS(opts.Root, opts.Logf)
	if err != nil {
		return nil, err
	}
	l := &Live{opts: opts, srv: srv, fsys: m}
	start := opts.Now()
	rec := Rebuild{At: start, Kind: "start"}
	if err := l.reconfigure(true); err != nil {
		return nil, err
	}
	l.build(&rec, false)
	rec.Duration = opts.Now().Sub(start)
	l.record(rec)
	srv.SetStatus(l.status)
	return l, nil
}

// Result returns the last successful build, or nil.
func (l *Live) Result() *build.Result {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last
}

// Rebuilds returns the recorded rebuilds, newest first.
func (l *Live) Rebuilds() []Rebuild {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.rebuilds)
}

func (l *Live) record(r Rebuild) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rebuilds = append([]Rebuild{r}, l.rebuilds...)
	if len(l.rebuilds) > 30 {
		l.rebuilds = l.rebuilds[:30]
	}
}

func (l *Live) status() Status {
	st := Status{Root: l.fsys.root, Rebuilds: l.Rebuilds()}
	l.mu.Lock()
	w := l.w
	l.mu.Unlock()
	if w != nil {
		st.Watch = w.Status()
	}
	return st
}

// Run handles the watcher's batches until ctx ends.
func (l *Live) Run(ctx context.Context) error {
	defer l.stopWatcher()
	for {
		l.mu.Lock()
		w := l.w
		l.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil
		case b, ok := <-w.Batches():
			if !ok {
				if ctx.Err() != nil {
					return nil
				}
				l.mu.Lock()
				same := l.w == w
				l.mu.Unlock()
				if same {
					return errors.New("watch project: the watcher stopped")
				}
				continue
			}
			l.handle(b)
		}
	}
}

func (l *Live) stopWatcher() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stopW != nil {
		l.stopW()
		l.w.Close()
		l.stopW = nil
	}
}

// rootsFor lists what to watch for cfg, relative to the project.
func (l *Live) rootsFor(cfg config.Config) []string {
	clean := func(p string) string { return path.Clean(strings.Trim(filepath.ToSlash(p), "/")) }
	roots := []string{clean(cfg.ContentDir), "themes/default", clean(l.opts.ConfigFile)}
	if cfg.Theme != "" {
		roots = append(roots, clean(cfg.Theme))
	}
	if led := clean(cfg.Ledger); led != "" && !strings.HasPrefix(led, clean(cfg.ContentDir)+"/") {
		roots = append(roots, led)
	}
	slices.Sort(roots)
	return slices.Compact(roots)
}

// reconfigure reads the config and makes a new Incremental; when the
// watched folders change it restarts the watcher and re-reads them.
// Config and theme problems go to the browsers; only a watcher that cannot
// start is returned.
func (l *Live) reconfigure(first bool) error {
	bo, err := l.opts.Options()
	if err != nil {
		l.inc = nil
		if first {
			// Watch the default places so that fixing the config is noticed.
			bo.Config = config.Default()
		} else {
			l.fail(err)
			return nil
		}
		if rerr := l.watchRoots(l.rootsFor(bo.Config)); rerr != nil {
			return rerr
		}
		l.fail(err)
		return nil
	}
	l.cfg = bo.Config
	if err := l.watchRoots(l.rootsFor(bo.Config)); err != nil {
		return err
	}
	bo.Root = l.opts.Root
	bo.FS = l.fsys
	inc, err := build.NewIncremental(bo)
	if err != nil {
		l.inc = nil
		l.fail(err)
		return nil
	}
	l.inc = inc
	return nil
}

// watchRoots starts a watcher for roots unless one already watches them.
func (l *Live) watchRoots(roots []string) error {
	if l.w != nil && slices.Equal(roots, l.roots) {
		return nil
	}
	var abs []string
	absMap := map[string]string{}
	for _, r := range roots {
		a := filepath.Join(l.fsys.root, filepath.FromSlash(r))
		if _, err := os.Stat(filepath.Dir(a)); err != nil {
			continue // e.g. no themes/ folder: the built-in theme is used
		}
		abs = append(abs, a)
		absMap[a] = r
	}
	w, err := watch.New(watch.Options{
		Roots: abs, Quiet: l.opts.Quiet, MaxDelay: l.opts.MaxDelay, PollInterval: l.opts.PollInterval,
		ForcePoll: l.opts.ForcePoll, Logf: l.opts.Logf, Now: l.opts.Now,
	})
	if err != nil {
		return fmt.Errorf("watch project: %w", err)
	}
	for _, r := range w.Status().Roots {
		if _, ok := absMap[r]; !ok {
			for a, rel := range absMap {
				if ev, err := filepath.EvalSymlinks(a); err == nil && ev == r {
					absMap[r] = rel
				}
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	go w.Run(ctx)
	l.mu.Lock()
	if l.stopW != nil {
		l.stopW()
		l.w.Close()
	}
	l.w, l.stopW, l.roots, l.abs = w, cancel, roots, absMap
	l.mu.Unlock()
	l.fsys.rescan(roots)
	return nil
}

// rel maps a change to a slash path relative to the project.
func (l *Live) rel(c watch.Change) string {
	if r, ok := l.abs[c.Root]; ok {
		return path.Join(r, c.Rel)
	}
	if r, err := filepath.Rel(l.fsys.root, c.Path); err == nil {
		return filepath.ToSlash(r)
	}
	return ""
}

// themeRoots returns the theme folders, relative to the project.
func (l *Live) themeRoots() []string {
	out := []string{"themes/default"}
	if t := l.cfg.Theme; t != "" {
		out = append([]string{path.Clean(strings.Trim(filepath.ToSlash(t), "/"))}, out...)
	}
	return out
}

func (l *Live) handle(b watch.Batch) {
	start := l.opts.Now()
	rec := Rebuild{At: start, Kind: "content"}
	var configChanged, themeChanged, contentChanged bool
	cssOnly := !b.Rescan
	css := map[string][]byte{}
	for i, c := range b.Changes {
		rel := l.rel(c)
		if rel == "" {
			continue
		}
		if i < 20 {
			rec.Trigger = append(rec.Trigger, c.Op.String()+" "+rel)
		} else {
			rec.More++
		}
		if !b.Rescan {
			l.fsys.refresh(rel)
		}
		if rel == path.Clean(filepath.ToSlash(l.opts.ConfigFile)) {
			configChanged = true
			cssOnly = false
			continue
		}
		theme := false
		for _, t := range l.themeRoots() {
			if sub, ok := strings.CutPrefix(rel, t+"/"); ok || rel == t {
				theme = true
				name, isStatic := strings.CutPrefix(sub, "static/")
				data, exists := l.fsys.bytesOf(rel)
				if !isStatic || c.IsDir || !exists || !strings.HasSuffix(name, ".css") || !l.effective(t, sub) {
					cssOnly = false
				} else {
					css["/assets/"+name] = data
				}
				break
			}
		}
		if theme {
			themeChanged = true
		} else {
			contentChanged = true
			cssOnly = false
		}
	}
	if b.Rescan {
		rec.Kind = "rescan"
		l.fsys.rescan(l.roots)
	}
	switch {
	case configChanged || l.inc == nil:
		rec.Kind = "config"
		if err := l.reconfigure(false); err != nil {
			l.opts.Logf("livedocs: %v", err)
		}
		if l.inc != nil {
			l.build(&rec, false)
		} else {
			rec.Problems = len(l.srv.Problems())
		}
	case b.Rescan:
		l.inc.Invalidate()
		if _, _, err := l.inc.ReloadTheme(); err != nil {
			l.fail(err)
			rec.Problems = len(l.srv.Problems())
			break
		}
		l.build(&rec, false)
	case themeChanged:
		rec.Kind = "theme"
		if cssOnly && len(css) > 0 {
			rec.Kind = "css"
			l.srv.PushCSS(css)
		}
		res, st, err := l.inc.ReloadTheme()
		if err != nil {
			l.fail(err)
			rec.Problems = len(l.srv.Problems())
			break
		}
		if res != nil && !contentChanged {
			l.publish(&rec, res, st, cssOnly)
			break
		}
		l.build(&rec, false)
	default:
		l.build(&rec, false)
	}
	rec.Duration = l.opts.Now().Sub(start)
	l.record(rec)
}

// effective reports whether the theme file sub of theme t is the one the
// renderer uses (a site theme's copy hides the default theme's).
func (l *Live) effective(t, sub string) bool {
	for _, r := range l.themeRoots() {
		if r == t {
			return true
		}
		if _, ok := l.fsys.bytesOf(r + "/" + sub); ok {
			return false
		}
	}
	return true
}

func (l *Live) build(rec *Rebuild, cssOnly bool) {
	res, st, err := l.inc.Build()
	if err != nil {
		l.fail(err)
		rec.Problems = len(l.srv.Problems())
		rec.Load, rec.Render = st.Load, st.Render
		return
	}
	l.publish(rec, res, st, cssOnly)
}

func (l *Live) publish(rec *Rebuild, res *build.Result, st build.IncrementalStats, cssOnly bool) {
	d := l.srv.Publish(res.Files, cssOnly)
	l.mu.Lock()
	first := l.last == nil
	l.last = res
	l.mu.Unlock()
	if first {
		for _, w := range res.Warnings {
			l.opts.Logf("%s", w.Error())
		}
	}
	rec.Load, rec.Render, rec.Full, rec.Rendered, rec.Reused = st.Load, st.Render, st.Full, st.Rendered, st.Reused
	rec.Changed = len(d.Added) + len(d.Changed) + len(d.Removed)
}

// fail shows err in the browsers.
func (l *Live) fail(err error) {
	l.srv.Fail(l.problems(err))
}

var posRE = regexp.MustCompile(`^(.+?):(\d+):(\d+): (.*)$`)

// problems turns a build error into overlay entries, each with the line of
// the file it names.
func (l *Live) problems(err error) []Problem {
	var out []Problem
	var ce content.Errors
	if errors.As(err, &ce) {
		for _, e := range ce {
			out = append(out, Problem{Text: e.Error(), Path: e.Pos.Path, Line: e.Pos.Line, Col: e.Pos.Col,
				Msg: e.Msg, Source: l.sourceLine(e.Pos.Path, e.Pos.Line)})
		}
		return out
	}
	for _, line := range strings.Split(strings.TrimSpace(err.Error()), "\n") {
		p := Problem{Text: line, Msg: line}
		if m := posRE.FindStringSubmatch(line); m != nil {
			p.Path, p.Msg = m[1], m[4]
			p.Line, _ = strconv.Atoi(m[2])
			p.Col, _ = strconv.Atoi(m[3])
			if rel, err := filepath.Rel(l.fsys.root, p.Path); err == nil && filepath.IsAbs(p.Path) {
				p.Path = filepath.ToSlash(rel)
			}
			p.Source = l.sourceLine(p.Path, p.Line)
		}
		out = append(out, p)
	}
	return out
}

// sourceLine returns line n of the project file p, as the build saw it.
func (l *Live) sourceLine(p string, n int) string {
	if n < 1 {
		return ""
	}
	data, ok := l.fsys.bytesOf(path.Clean(p))
	if !ok {
		var err error
		if data, err = os.ReadFile(filepath.Join(l.fsys.root, filepath.FromSlash(p))); err != nil {
			return ""
		}
	}
	lines := bytes.Split(data, []byte("\n"))
	if n > len(lines) {
		return ""
	}
	s := strings.TrimRight(string(lines[n-1]), "\r")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
