// Package watch tells the preview server (livedocs serve) which files changed
// under its roots: the content folder, the theme folder(s), the static files
// and config.yaml.
//
// # Roots
//
// Options.Roots lists folders and single files. A folder is watched
// recursively: folders created later are watched as soon as they appear, and
// the files already inside them when the watch is added are reported too
// (mkdir -p a/b/c && echo > a/b/c/x.md is faster than any watcher). Folders
// that disappear are dropped. A single file, such as config.yaml, is watched
// through its parent folder, keeping only the events for that name. Every root
// is also watched through its parent folder, so a root that is missing when
// New runs, or that is removed and created again (git checkout of a branch
// without the theme), is picked up when it appears. A root need not exist,
// but its parent folder must. A root that is a symbolic link is resolved once,
// by New; below the roots, symbolic links are reported as files and never
// followed.
//
// # Batches
//
// Changes are reported in batches on the channel returned by Batches. After
// the first change a batch waits until no change has arrived for Options.Quiet
// (default 20 ms), but never longer than Options.MaxDelay (default 150 ms)
// after that first change. One editor save, whatever the editor's style, and
// a git checkout touching hundreds of files therefore arrive as one batch.
// If the receiver is still busy with the previous batch (a rebuild), new
// changes are merged into the batch waiting to be received, so a slow
// receiver gets one combined batch rather than a backlog.
//
// A batch lists each changed path once, sorted by Change.Path. Change.Path is
// absolute and uses the operating system's separator; Change.Root is the
// (absolute) root the path belongs to, the most specific one when roots nest;
// Change.Rel is the path relative to that root, slash-separated, "." for the
// root itself. Change.Op is the net effect over the batch, found by comparing
// what existed before the batch with what exists when it is emitted:
//
//	Created  the path did not exist before and exists now
//	Written  the path existed before and exists now (written in place, or
//	         replaced by a rename, or deleted and created again)
//	Removed  the path existed before and is gone
//	Renamed  as Removed, but the path was moved away rather than deleted
//
// A path that appears and disappears within one batch (a temporary file of
// an editor the ignore rules do not know) is not reported. Folders are
// reported when they are created, removed or renamed, with IsDir set; a
// folder whose content changed is not itself listed. When a folder is removed
// or moved away, every file and folder known inside it is listed as well;
// when a folder appears, everything inside it is listed as Created.
//
// Chmod-only events are dropped. Paths for which Options.Ignore returns true
// are neither watched nor reported; an ignored folder is not entered. The
// default, DefaultIgnore, skips editors' temporary, swap, lock and backup
// files, dot-folders such as .git, and node_modules.
//
// Batch.Rescan is set when events may have been lost: the kernel's event
// queue overflowed (fs.inotify.max_queued_events on Linux), or the watcher
// had to switch to polling while running. The watcher rescans its roots and
// lists what it finds changed, but the receiver should rebuild everything.
//
// # Polling
//
// When the operating system refuses more watches (on Linux the per-user
// inotify limits fs.inotify.max_user_watches, reported as "no space left on
// device", and fs.inotify.max_user_instances, reported as "too many open
// files"), the watcher says so through Options.Logf, naming the limit and the
// sysctl that raises it, and falls back to polling: every
// Options.PollInterval (default 500 ms) it walks its roots and compares each
// path's existence, kind, size and modification time with the previous walk.
// Options.ForcePoll selects polling from the start. Polling batches the same
// way and reports the same ops, except Renamed (a moved file is Removed).
//
// # Status
//
// Status returns what is watched (roots, folder count, mode, why polling),
// the last Options.History (default 50) raw events with their times, and the
// time of the last batch. It is safe to call from any goroutine, at any time,
// for the preview server's status page.
//
// # Lifecycle
//
// New checks the options, takes a first inventory of the roots and adds the
// watches. Run processes events until its context ends or Close is called,
// then closes the Batches channel and returns nil; it may be called once.
// Close releases the watches; it may be called at any time, more than once.
// Times in batches and Status come from Options.Now; the batching delays
// use the monotonic clock.
package watch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Defaults for the zero values in Options.
const (
	DefaultQuiet        = 20 * time.Millisecond
	DefaultMaxDelay     = 150 * time.Millisecond
	DefaultPollInterval = 500 * time.Millisecond
	DefaultHistory      = 50
)

// Options configures a Watcher. Only Roots is required.
type Options struct {
	// Roots are the folders and files to watch. Relative paths are made
	// absolute against the current directory by New.
	Roots []string

	// Ignore reports whether a path (absolute) below a root should be
	// neither watched nor reported. isDir is false for a removed path not
	// known to be a folder. Nil means DefaultIgnore. Roots themselves are
	// never ignored.
	Ignore func(path string, isDir bool) bool

	// Quiet is how long no change may arrive before a batch is emitted;
	// MaxDelay bounds the time from a batch's first change to its emission.
	// MaxDelay shorter than Quiet is raised to Quiet.
	Quiet, MaxDelay time.Duration

	// PollInterval is the time between walks in polling mode.
	PollInterval time.Duration

	// ForcePoll selects polling mode from the start.
	ForcePoll bool

	// History is how many raw events Status keeps.
	History int

	// Logf receives problems worth telling the user about: the fallback to
	// polling, queue overflows, folders that cannot be read. Nil means
	// log.Printf.
	Logf func(format string, args ...any)

	// Now stamps batches and events. Nil means time.Now.
	Now func() time.Time
}

// Op is the net effect of a batch on one path.
type Op uint8

// The ops a Change can carry; see the package documentation.
const (
	Created Op = iota + 1
	Written
	Removed
	Renamed
)

func (o Op) String() string {
	switch o {
	case Created:
		return "created"
	case Written:
		return "written"
	case Removed:
		return "removed"
	case Renamed:
		return "renamed"
	}
	return fmt.Sprintf("Op(%d)", uint8(o))
}

// Change is one changed path in a batch.
type Change struct {
	Path  string // absolute, with the OS separator
	Root  string // the root Path belongs to
	Rel   string // Path relative to Root, slash-separated; "." for Root itself
	Op    Op
	IsDir bool // for a removed path: whether it was a folder
}

// Batch is a set of changes emitted together.
type Batch struct {
	Changes []Change // one per path, sorted by Path
	Rescan  bool     // events may have been lost: rebuild everything
	At      time.Time
}

// Mode is how a Watcher learns about changes.
type Mode string

// The two modes.
const (
	ModeNotify  Mode = "fsnotify"
	ModePolling Mode = "polling"
)

// Event is one raw event as the watcher saw it, for Status.
type Event struct {
	At   time.Time
	Path string
	Op   string // fsnotify's op names ("CREATE|WRITE"), or the polling verdict
	Note string // "" when acted upon; else why not: "ignored", "chmod only"; or "poll", "rescan"
}

// Status is a snapshot of a Watcher's state.
type Status struct {
	Mode      Mode
	Reason    string   // why the watcher polls; empty in fsnotify mode
	Roots     []string // absolute
	Dirs      int      // folders known under the roots
	Files     int      // files known under the roots
	Watches   int      // folders watched by the OS, parents of roots included; 0 when polling
	Events    []Event  // oldest first
	Batches   int      // batches cut so far; a slow receiver may get several merged as one
	LastBatch time.Time
}

// notifier is the part of *fsnotify.Watcher the Watcher uses; tests wrap it
// to fail adds or inject errors.
type notifier interface {
	Add(path string) error
	Remove(path string) error
	Close() error
	Events() <-chan fsnotify.Event
	Errors() <-chan error
}

type fsnotifyNotifier struct{ w *fsnotify.Watcher }

func newFsnotify() (notifier, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	return fsnotifyNotifier{w}, nil
}

func (n fsnotifyNotifier) Add(path string) error         { return n.w.Add(path) }
func (n fsnotifyNotifier) Remove(path string) error      { return n.w.Remove(path) }
func (n fsnotifyNotifier) Close() error                  { return n.w.Close() }
func (n fsnotifyNotifier) Events() <-chan fsnotify.Event { return n.w.Events }
func (n fsnotifyNotifier) Errors() <-chan error          { return n.w.Errors }

// entry is what the watcher knows about a path; for folders only dir is set.
type entry struct {
	dir   bool
	size  int64
	mtime time.Time
}

func entryOf(fi fs.FileInfo) entry {
	if fi.IsDir() {
		return entry{dir: true}
	}
	return entry{size: fi.Size(), mtime: fi.ModTime()}
}

// Watcher reports batches of changed paths under its roots.
type Watcher struct {
	opts  Options
	roots []string // absolute, cleaned, most specific first
	out   chan Batch

	// Owned by New, then by the goroutine in Run.
	n       notifier         // nil when polling
	known   map[string]entry // every non-ignored path under the roots
	watched map[string]bool  // folders with an OS watch: under roots, or parents of roots
	pending map[string]fsnotify.Op
	rescan  bool             // the next batch has Rescan set
	marks   int              // calls to mark, to tell when a change arrived
	snap    map[string]entry // the last walk, when polling

	mu      sync.Mutex // guards the fields below
	status  Status     // Events unused; see ring
	ring    []Event
	next    int // index in ring of the next event
	running bool
	closed  bool
	done    chan struct{}
}

// New checks opts, inventories the roots and adds the watches. It returns an
// error if opts is invalid or a root's parent folder is missing; a watch
// limit makes it fall back to polling instead.
func New(opts Options) (*Watcher, error) {
	return newWatcher(opts, newFsnotify)
}

func newWatcher(opts Options, newNotifier func() (notifier, error)) (*Watcher, error) {
	if len(opts.Roots) == 0 {
		return nil, errors.New("create watcher: no roots")
	}
	if opts.Quiet < 0 || opts.MaxDelay < 0 || opts.PollInterval < 0 || opts.History < 0 {
		return nil, errors.New("create watcher: negative duration or history")
	}
	if opts.Quiet == 0 {
		opts.Quiet = DefaultQuiet
	}
	if opts.MaxDelay == 0 {
		opts.MaxDelay = DefaultMaxDelay
	}
	opts.MaxDelay = max(opts.MaxDelay, opts.Quiet)
	if opts.PollInterval == 0 {
		opts.PollInterval = DefaultPollInterval
	}
	if opts.History == 0 {
		opts.History = DefaultHistory
	}
	if opts.Ignore == nil {
		opts.Ignore = DefaultIgnore
	}
	if opts.Logf == nil {
		opts.Logf = log.Printf
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}

	w := &Watcher{
		opts:    opts,
		out:     make(chan Batch),
		known:   map[string]entry{},
		watched: map[string]bool{},
		pending: map[string]fsnotify.Op{},
		ring:    make([]Event, 0, opts.History),
		done:    make(chan struct{}),
	}
	for _, r := range opts.Roots {
		abs, err := resolveRoot(r)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(w.roots, abs) {
			w.roots = append(w.roots, abs)
		}
	}
	w.status.Roots = slices.Clone(w.roots)
	// Most specific first, so rootOf finds the innermost root.
	slices.SortStableFunc(w.roots, func(a, b string) int { return len(b) - len(a) })
	w.status.Mode = ModeNotify

	if opts.ForcePoll {
		w.opts.Logf("watch: polling %d roots every %v (ForcePoll)", len(w.roots), opts.PollInterval)
		w.setPolling("forced by the ForcePoll option")
	} else if n, err := newNotifier(); err != nil {
		w.opts.Logf("watch: cannot start file system notifications: %v; %s; polling every %v instead",
			err, limitAdvice(err), opts.PollInterval)
		w.setPolling(fmt.Sprintf("notifications unavailable: %v", err))
	} else {
		w.n = n
	}

	seen, err := w.scan()
	if err != nil && w.n != nil && isLimit(err) {
		w.fallBack(err, false)
		seen, err = w.scan()
	}
	if err != nil {
		w.closeNotifier()
		return nil, err
	}
	w.known = seen
	if w.n == nil {
		w.snap = maps.Clone(seen)
	}
	w.publish()
	return w, nil
}

// resolveRoot makes r absolute and resolves it if it is a symbolic link.
func resolveRoot(r string) (string, error) {
	abs, err := filepath.Abs(r)
	if err != nil {
		return "", fmt.Errorf("resolve root %s: %w", r, err)
	}
	if fi, err := os.Lstat(abs); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		if abs, err = filepath.EvalSymlinks(abs); err != nil {
			return "", fmt.Errorf("resolve root %s: %w", r, err)
		}
	}
	parent := filepath.Dir(abs)
	if fi, err := os.Stat(parent); err != nil {
		return "", fmt.Errorf("watch root %s: %w", r, err)
	} else if !fi.IsDir() {
		return "", fmt.Errorf("watch root %s: parent %s is not a folder", r, parent)
	}
	return abs, nil
}

// Batches returns the channel batches are sent on. Run closes it when it
// returns.
func (w *Watcher) Batches() <-chan Batch { return w.out }

// Close stops Run (which then returns) or, if Run is not running, releases
// the watches and closes the Batches channel.
func (w *Watcher) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	close(w.done)
	if !w.running {
		w.closeNotifier()
		close(w.out)
	}
	return nil
}

// Status returns a snapshot of the watcher's state.
func (w *Watcher) Status() Status {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.status
	s.Roots = slices.Clone(s.Roots)
	s.Events = make([]Event, 0, len(w.ring))
	if len(w.ring) == cap(w.ring) {
		s.Events = append(s.Events, w.ring[w.next:]...)
	}
	s.Events = append(s.Events, w.ring[:w.next]...)
	return s
}

// Run processes events and sends batches until ctx ends or Close is called.
func (w *Watcher) Run(ctx context.Context) error {
	w.mu.Lock()
	switch {
	case w.closed:
		w.mu.Unlock()
		return errors.New("run watcher: closed")
	case w.running:
		w.mu.Unlock()
		return errors.New("run watcher: called twice")
	}
	w.running = true
	w.mu.Unlock()
	defer func() {
		w.closeNotifier()
		close(w.out)
	}()

	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	var (
		timerC      <-chan time.Time
		first, last time.Time // of the changes pending, monotonic
		ready       *Batch    // emitted but not yet received
		ticker      *time.Ticker
		pollC       <-chan time.Time
	)
	defer func() {
		if ticker != nil {
			ticker.Stop()
		}
	}()

	for {
		if w.n == nil && ticker == nil {
			ticker = time.NewTicker(w.opts.PollInterval)
			pollC = ticker.C
		}
		var (
			evC   <-chan fsnotify.Event
			errC  <-chan error
			outC  chan<- Batch
			outB  Batch
			marks = w.marks
			flag  = w.rescan
		)
		if w.n != nil {
			evC, errC = w.n.Events(), w.n.Errors()
		}
		if ready != nil {
			outC, outB = w.out, *ready
		}

		select {
		case <-ctx.Done():
			return nil
		case <-w.done:
			return nil
		case outC <- outB:
			ready = nil
		case ev, ok := <-evC:
			if !ok {
				w.fallBack(errors.New("the notification stream closed"), true)
				break
			}
			w.handle(ev)
		case err, ok := <-errC:
			if !ok {
				w.fallBack(errors.New("the notification stream closed"), true)
				break
			}
			w.handleError(err)
		case <-pollC:
			seen, _ := w.scan()
			w.diff(seen, w.snap, "poll")
			w.snap = seen
		case <-timerC:
			timerC = nil
			first = time.Time{}
			if b, ok := w.flush(); ok {
				ready = merge(ready, b)
				w.mu.Lock()
				w.status.Batches++
				w.status.LastBatch = b.At
				w.mu.Unlock()
			}
			w.publish()
			continue
		}

		if w.marks != marks || w.rescan != flag {
			now := time.Now()
			if first.IsZero() {
				first = now
			}
			last = now
			timer.Reset(flushAt(first, last, w.opts.Quiet, w.opts.MaxDelay).Sub(now))
			timerC = timer.C
		}
	}
}

// flushAt is when a batch whose first change came at first and whose latest
// came at last is due.
func flushAt(first, last time.Time, quiet, maxDelay time.Duration) time.Time {
	return minTime(last.Add(quiet), first.Add(maxDelay))
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// handle acts on one fsnotify event.
func (w *Watcher) handle(ev fsnotify.Event) {
	p := filepath.Clean(ev.Name)
	root := w.rootOf(p)
	if root == "" {
		return // a sibling of a root, seen through the root's parent
	}
	if ev.Op&^fsnotify.Chmod == 0 {
		w.record(p, ev.Op.String(), "chmod only")
		return
	}
	old, wasKnown := w.known[p]
	isDir := (wasKnown && old.dir) || w.watched[p]
	if ev.Has(fsnotify.Create) {
		if fi, err := os.Lstat(p); err == nil {
			isDir = fi.IsDir()
		}
	}
	if p != root && w.opts.Ignore(p, isDir) {
		w.record(p, ev.Op.String(), "ignored")
		return
	}
	w.record(p, ev.Op.String(), "")

	// A folder that goes away first, so that a folder renamed within the
	// roots gets fresh watches under its new name below.
	if isDir && ev.Op&(fsnotify.Remove|fsnotify.Rename) != 0 {
		w.dropTree(p, ev.Op&(fsnotify.Remove|fsnotify.Rename))
	}
	w.mark(p, ev.Op)
	if isDir && ev.Has(fsnotify.Create) && w.n != nil {
		if err := w.addTree(p); err != nil {
			w.fallBack(err, true)
		}
	}
}

// handleError acts on an error from fsnotify.
func (w *Watcher) handleError(err error) {
	if errors.Is(err, fsnotify.ErrEventOverflow) {
		w.opts.Logf("watch: the event queue overflowed (too many changes at once; the limit on Linux is fs.inotify.max_queued_events); rescanning %d roots", len(w.roots))
		w.record("", "OVERFLOW", "rescan")
		w.rescan = true
		seen, err := w.scan()
		if err != nil && isLimit(err) {
			w.fallBack(err, true)
			return
		}
		for d := range w.watched {
			if _, ok := seen[d]; !ok && w.rootOf(d) != "" {
				w.unwatch(d)
			}
		}
		w.diff(seen, w.known, "rescan")
		return
	}
	w.opts.Logf("watch: %v", err)
}

// rootOf returns the most specific root p is or lies under, or "".
func (w *Watcher) rootOf(p string) string {
	for _, r := range w.roots {
		if under(p, r) {
			return r
		}
	}
	return ""
}

// under reports whether p is dir or lies below it.
func under(p, dir string) bool {
	if !strings.HasPrefix(p, dir) {
		return false
	}
	return len(p) == len(dir) || os.IsPathSeparator(dir[len(dir)-1]) || os.IsPathSeparator(p[len(dir)])
}

func (w *Watcher) mark(p string, op fsnotify.Op) {
	w.pending[p] |= op
	w.marks++
}

// dropTree forgets the watches at and under dir and marks every path known
// under it as changed by op.
func (w *Watcher) dropTree(dir string, op fsnotify.Op) {
	for d := range w.watched {
		if under(d, dir) {
			w.unwatch(d)
		}
	}
	for p := range w.known {
		if under(p, dir) {
			w.mark(p, op)
		}
	}
}

// unwatch removes the OS watch on d unless d is the parent of a root.
func (w *Watcher) unwatch(d string) {
	for _, r := range w.roots {
		if filepath.Dir(r) == d {
			return
		}
	}
	delete(w.watched, d)
	if w.n != nil {
		// The watch is gone already if d was deleted; nothing to do then.
		_ = w.n.Remove(d)
	}
}

// addTree watches dir and the folders below it and marks everything in it
// as created. It returns an error only for a watch limit.
func (w *Watcher) addTree(dir string) error {
	return w.walk(dir, func(p string, e entry) error {
		w.mark(p, fsnotify.Create)
		if e.dir && !w.watched[p] {
			return w.watch(p)
		}
		return nil
	})
}

// watch adds an OS watch on folder d. A folder that vanished in the meantime
// is not an error; a watch limit is.
func (w *Watcher) watch(d string) error {
	err := w.n.Add(d)
	switch {
	case err == nil:
		w.watched[d] = true
		return nil
	case isLimit(err):
		return fmt.Errorf("add watch on %s: %w", d, err)
	case errors.Is(err, fs.ErrNotExist):
		return nil
	}
	w.opts.Logf("watch: cannot watch %s: %v; changes in it will be missed", d, err)
	return nil
}

// walk calls fn for top and every path below it that is not ignored, in
// lexical order, without entering ignored folders. Top itself is passed to
// Ignore unless it is a root. Unreadable folders are logged and skipped.
func (w *Watcher) walk(top string, fn func(p string, e entry) error) error {
	isRoot := slices.Contains(w.roots, top)
	return filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			w.opts.Logf("watch: read %s: %v", p, err)
			if d != nil && d.IsDir() && p != top {
				return fs.SkipDir
			}
			return nil
		}
		if (p != top || !isRoot) && w.opts.Ignore(p, d.IsDir()) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil // gone since the folder was read
		}
		return fn(p, entryOf(fi))
	})
}

// scan inventories every root, adding OS watches for folders not yet watched
// when notifications are on. It fails only for a watch limit.
func (w *Watcher) scan() (map[string]entry, error) {
	seen := map[string]entry{}
	for _, r := range w.roots {
		if w.n != nil {
			parent := filepath.Dir(r)
			if !w.watched[parent] {
				if err := w.watch(parent); err != nil {
					return seen, err
				}
			}
		}
		err := w.walk(r, func(p string, e entry) error {
			seen[p] = e
			if e.dir && w.n != nil && !w.watched[p] {
				return w.watch(p)
			}
			return nil
		})
		if err != nil {
			return seen, err
		}
	}
	return seen, nil
}

// diff marks every path whose state in seen differs from base: what is
// known, or the previous walk when polling (so that a change still waiting
// for its batch does not count as new on every walk).
func (w *Watcher) diff(seen, base map[string]entry, note string) {
	for p, e := range seen {
		old, ok := base[p]
		switch {
		case !ok:
			w.mark(p, fsnotify.Create)
			w.record(p, Created.String(), note)
		case old != e:
			w.mark(p, fsnotify.Write)
			w.record(p, Written.String(), note)
		}
	}
	for p := range base {
		if _, ok := seen[p]; !ok {
			w.mark(p, fsnotify.Remove)
			w.record(p, Removed.String(), note)
		}
	}
}

// flush turns the pending marks into a batch, comparing what was known
// before with what exists now, and updates what is known.
func (w *Watcher) flush() (Batch, bool) {
	b := Batch{Rescan: w.rescan}
	for p, ops := range w.pending {
		before, existed := w.known[p]
		fi, err := os.Lstat(p)
		exists := err == nil
		var c Change
		switch {
		case !existed && !exists:
			continue
		case !existed && exists:
			c.Op, c.IsDir = Created, fi.IsDir()
		case existed && exists:
			if before.dir && fi.IsDir() {
				continue // only the folder's content changed, listed on its own
			}
			c.Op, c.IsDir = Written, fi.IsDir()
		default:
			c.Op, c.IsDir = Removed, before.dir
			if ops.Has(fsnotify.Rename) && !ops.Has(fsnotify.Remove) {
				c.Op = Renamed
			}
		}
		if exists {
			w.known[p] = entryOf(fi)
		} else {
			delete(w.known, p)
		}
		c.Path = p
		c.Root = w.rootOf(p)
		c.Rel = relTo(c.Root, p)
		b.Changes = append(b.Changes, c)
	}
	clear(w.pending)
	w.rescan = false
	if len(b.Changes) == 0 && !b.Rescan {
		return Batch{}, false
	}
	slices.SortFunc(b.Changes, func(x, y Change) int { return strings.Compare(x.Path, y.Path) })
	b.At = w.opts.Now()
	return b, true
}

func relTo(root, p string) string {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(rel)
}

// merge folds b into a batch not yet received, keeping one change per path
// with the net effect of both.
func merge(ready *Batch, b Batch) *Batch {
	if ready == nil {
		return &b
	}
	byPath := make(map[string]Change, len(ready.Changes)+len(b.Changes))
	for _, c := range ready.Changes {
		byPath[c.Path] = c
	}
	for _, c := range b.Changes {
		old, ok := byPath[c.Path]
		if !ok {
			byPath[c.Path] = c
			continue
		}
		existedBefore := old.Op == Written || old.Op == Removed || old.Op == Renamed
		existsAfter := c.Op == Created || c.Op == Written
		switch {
		case !existedBefore && !existsAfter:
			delete(byPath, c.Path)
			continue
		case !existedBefore:
			c.Op = Created
		case existsAfter:
			c.Op = Written
		}
		byPath[c.Path] = c
	}
	m := &Batch{Rescan: ready.Rescan || b.Rescan, At: b.At}
	for _, c := range byPath {
		m.Changes = append(m.Changes, c)
	}
	slices.SortFunc(m.Changes, func(x, y Change) int { return strings.Compare(x.Path, y.Path) })
	return m
}

// fallBack switches to polling after err (a watch limit, or a notifier that
// stopped), telling the user plainly. When running, it rescans and flags the
// next batch, since events may have been missed.
func (w *Watcher) fallBack(err error, running bool) {
	if w.n == nil {
		return
	}
	w.opts.Logf("watch: %v; %s; falling back to polling every %v: changes will show up later and cost more CPU",
		err, limitAdvice(err), w.opts.PollInterval)
	w.closeNotifier()
	clear(w.watched)
	w.setPolling(err.Error())
	if running {
		w.rescan = true
		seen, _ := w.scan()
		w.diff(seen, w.known, "rescan")
		w.snap = seen
	} else {
		w.snap = nil // New takes the first inventory
	}
}

func (w *Watcher) setPolling(reason string) {
	w.mu.Lock()
	w.status.Mode = ModePolling
	w.status.Reason = reason
	w.mu.Unlock()
}

func (w *Watcher) closeNotifier() {
	if w.n != nil {
		_ = w.n.Close()
		w.n = nil
	}
}

// record adds a raw event to the history Status shows.
func (w *Watcher) record(p, op, note string) {
	e := Event{At: w.opts.Now(), Path: p, Op: op, Note: note}
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.ring) < cap(w.ring) {
		w.ring = append(w.ring, e)
		w.next = len(w.ring) % cap(w.ring)
		return
	}
	w.ring[w.next] = e
	w.next = (w.next + 1) % len(w.ring)
}

// publish copies the counts Status shows. They change only when what is
// known changes, that is in New and when a batch is cut, or when watches are
// added or dropped, which marks changes and so leads to a batch.
func (w *Watcher) publish() {
	dirs, files := 0, 0
	for _, e := range w.known {
		if e.dir {
			dirs++
		} else {
			files++
		}
	}
	w.mu.Lock()
	w.status.Dirs, w.status.Files, w.status.Watches = dirs, files, len(w.watched)
	w.mu.Unlock()
}
