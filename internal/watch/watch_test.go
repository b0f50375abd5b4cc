package watch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

// wait is how long a test waits for a batch it expects; generous, because
// the machine running the tests may be busy. Tests never wait this long
// when the watcher works.
const wait = 5 * time.Second

// silence is how long a test waits to conclude that no (further) batch comes.
const silence = 400 * time.Millisecond

// logBuf collects Logf output.
type logBuf struct {
	mu    sync.Mutex
	lines []string
}

func (l *logBuf) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// harness runs a Watcher for one test. A goroutine receives batches as
// soon as they are emitted, so the batches a test sees are the ones the
// watcher cut, not merged by a slow receiver.
type harness struct {
	t   *testing.T
	w   *Watcher
	log *logBuf
	ch  chan Batch
}

// start creates a Watcher from opts (Logf is captured) with newNotifier, or
// with fsnotify when that is nil, and runs it until the test ends.
func start(t *testing.T, opts Options, newNotifier func() (notifier, error)) *harness {
	t.Helper()
	h := &harness{t: t, log: &logBuf{}, ch: make(chan Batch, 10000)}
	opts.Logf = h.log.logf
	if newNotifier == nil {
		newNotifier = newFsnotify
	}
	w, err := newWatcher(opts, newNotifier)
	if err != nil {
		t.Fatalf("newWatcher: %v", err)
	}
	h.w = w
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	received := make(chan struct{})
	go func() {
		defer close(received)
		for b := range w.Batches() {
			h.ch <- b
		}
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		select {
		case <-received:
		case <-time.After(wait):
			t.Errorf("Batches not closed after Run returned")
		}
	})
	return h
}

// next returns the next batch, failing the test after wait.
func (h *harness) next() Batch {
	h.t.Helper()
	select {
	case b := <-h.ch:
		return b
	case <-time.After(wait):
		h.t.Fatalf("no batch within %v; status: %+v", wait, h.w.Status())
	}
	panic("unreachable")
}

// settle returns the next batch and any that follow it without a pause of
// silence: everything one action caused.
func (h *harness) settle() []Batch {
	h.t.Helper()
	bs := []Batch{h.next()}
	for {
		select {
		case b := <-h.ch:
			bs = append(bs, b)
		case <-time.After(silence):
			return bs
		}
	}
}

// drain discards batches until none has come for silence.
func (h *harness) drain() {
	for {
		select {
		case <-h.ch:
		case <-time.After(silence):
			return
		}
	}
}

// until collects batches until the changes seen cover every path in want,
// failing after wait.
func (h *harness) until(want ...string) ([]Batch, map[string]Change) {
	h.t.Helper()
	var bs []Batch
	got := map[string]Change{}
	deadline := time.After(wait)
	for {
		missing := 0
		for _, p := range want {
			if _, ok := got[p]; !ok {
				missing++
			}
		}
		if missing == 0 {
			return bs, got
		}
		select {
		case b := <-h.ch:
			bs = append(bs, b)
			for _, c := range b.Changes {
				got[c.Path] = c
			}
		case <-deadline:
			h.t.Fatalf("after %v, %d of %d paths not reported; got %d batches", wait, missing, len(want), len(bs))
		}
	}
}

// quiet fails if a batch arrives within silence.
func (h *harness) quiet() {
	h.t.Helper()
	select {
	case b := <-h.ch:
		h.t.Fatalf("unexpected batch: %s", show(b))
	case <-time.After(silence):
	}
}

func show(b Batch) string {
	var s []string
	for _, c := range b.Changes {
		d := ""
		if c.IsDir {
			d = "/"
		}
		s = append(s, c.Op.String()+" "+c.Rel+d)
	}
	if b.Rescan {
		s = append(s, "(rescan)")
	}
	return "[" + strings.Join(s, ", ") + "]"
}

// showAll renders batches one per line.
func showAll(bs []Batch) string {
	var s []string
	for _, b := range bs {
		s = append(s, show(b))
	}
	return strings.Join(s, "\n")
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// site makes a project folder with content/ holding the given files.
func site(t *testing.T, files ...string) (project, content string) {
	t.Helper()
	project = t.TempDir()
	content = filepath.Join(project, "content")
	must(t, os.MkdirAll(content, 0o755))
	for _, f := range files {
		write(t, filepath.Join(content, f), "# "+f+"\n")
	}
	return project, content
}

// slow options tolerate a busy machine: a long quiet period, so one action
// is one batch even if the test goroutine is descheduled midway.
func slow(roots ...string) Options {
	return Options{Roots: roots, Quiet: 100 * time.Millisecond, MaxDelay: 2 * time.Second}
}

func TestEditorSaves(t *testing.T) {
	tests := []struct {
		name string
		save func(t *testing.T, dir, path string)
	}{
		{"in place", func(t *testing.T, dir, path string) {
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
			must(t, err)
			_, err = f.WriteString("# new\n")
			must(t, err)
			_, err = f.WriteString("more\n")
			must(t, err)
			must(t, f.Close())
		}},
		{"vim with backup", func(t *testing.T, dir, path string) {
			swp := filepath.Join(dir, ".x.md.swp")
			write(t, swp, "swap")
			probe := filepath.Join(dir, "4913")
			write(t, probe, "")
			must(t, os.Remove(probe))
			must(t, os.Rename(path, path+"~"))
			f, err := os.Create(path)
			must(t, err)
			_, err = f.WriteString("# new\n")
			must(t, err)
			must(t, f.Sync())
			must(t, f.Close())
			must(t, os.Chmod(path, 0o644))
			must(t, os.Remove(path+"~"))
			must(t, os.Remove(swp))
		}},
		{"jetbrains safe write", func(t *testing.T, dir, path string) {
			write(t, path+"___jb_tmp___", "# new\n")
			must(t, os.Rename(path, path+"___jb_old___"))
			must(t, os.Rename(path+"___jb_tmp___", path))
			must(t, os.Remove(path+"___jb_old___"))
		}},
		{"emacs", func(t *testing.T, dir, path string) {
			lock := filepath.Join(dir, ".#x.md")
			must(t, os.Symlink("user@host.1234", lock))
			must(t, os.Rename(path, path+"~"))
			write(t, path, "# new\n")
			must(t, os.Remove(lock))
		}},
		{"temp file renamed over", func(t *testing.T, dir, path string) {
			write(t, filepath.Join(dir, "x.md.tmp"), "# new\n")
			must(t, os.Rename(filepath.Join(dir, "x.md.tmp"), path))
		}},
		{"delete then create", func(t *testing.T, dir, path string) {
			must(t, os.Remove(path))
			write(t, path, "# new\n")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, content := site(t, "sec/x.md", "sec/y.md")
			h := start(t, slow(content), nil)
			dir := filepath.Join(content, "sec")
			path := filepath.Join(dir, "x.md")
			tt.save(t, dir, path)

			bs := h.settle()
			if len(bs) != 1 {
				t.Fatalf("got %d batches, want 1:\n%s", len(bs), showAll(bs))
			}
			want := []Change{{Path: path, Root: content, Rel: "sec/x.md", Op: Written}}
			if !slices.Equal(bs[0].Changes, want) || bs[0].Rescan {
				t.Errorf("got %s, want [written sec/x.md]", show(bs[0]))
			}
		})
	}
}

func TestTransientFileNotReported(t *testing.T) {
	_, content := site(t, "x.md")
	h := start(t, slow(content), nil)
	scratch := filepath.Join(content, "scratch.md") // not an ignored name
	write(t, scratch, "tmp")
	must(t, os.Remove(scratch))
	write(t, filepath.Join(content, "y.md"), "y")

	b := h.next()
	if got := show(b); got != "[created y.md]" {
		t.Errorf("got %s, want [created y.md]", got)
	}
}

func TestRenamedAndRemoved(t *testing.T) {
	project, content := site(t, "a.md", "b.md")
	h := start(t, slow(content), nil)
	must(t, os.Rename(filepath.Join(content, "a.md"), filepath.Join(project, "a.md")))
	must(t, os.Remove(filepath.Join(content, "b.md")))
	b := h.next()
	if got := show(b); got != "[renamed a.md, removed b.md]" {
		t.Errorf("got %s", got)
	}
}

func TestBurst(t *testing.T) {
	_, content := site(t, "keep.md")
	h := start(t, slow(content), nil)

	// Status is read concurrently, as the server's status page does.
	stop := make(chan struct{})
	var readers sync.WaitGroup
	readers.Add(1)
	go func() {
		defer readers.Done()
		for {
			select {
			case <-stop:
				return
			default:
				_ = h.w.Status()
				time.Sleep(time.Millisecond)
			}
		}
	}()
	defer func() { close(stop); readers.Wait() }()

	var want []string
	for i := range 300 {
		p := filepath.Join(content, fmt.Sprintf("s%d", i%5), fmt.Sprintf("f%03d.md", i))
		want = append(want, p)
		write(t, p, "x")
	}
	bs, got := h.until(want...)
	if len(bs) > 3 {
		t.Errorf("300 files in %d batches, want at most 3", len(bs))
	}
	for _, p := range want {
		if got[p].Op != Created {
			t.Errorf("%s: %v, want created", p, got[p].Op)
		}
	}
	if len(got) != 305 { // the 300 files and their 5 folders
		t.Errorf("got %d paths, want 305", len(got))
	}
}

func TestGitCheckout(t *testing.T) {
	var files []string
	for i := range 200 {
		files = append(files, fmt.Sprintf("d%d/f%03d.md", i%4, i))
	}
	project, content := site(t, files...)
	stage := filepath.Join(project, ".git", "stage") // outside the root
	h := start(t, slow(content), nil)

	// Like git checkout: 100 files replaced, 50 removed, 100 new, each new
	// version written elsewhere and renamed into place.
	want := map[string]Op{}
	for i := range 100 {
		want[filepath.Join(content, files[i])] = Written
	}
	for i := 100; i < 150; i++ {
		want[filepath.Join(content, files[i])] = Removed
	}
	for i := range 100 {
		want[filepath.Join(content, fmt.Sprintf("n%d/g%03d.md", i%2, i))] = Created
	}
	want[filepath.Join(content, "n0")] = Created
	want[filepath.Join(content, "n1")] = Created
	i := 0
	for p, op := range want {
		switch op {
		case Removed:
			must(t, os.Remove(p))
		case Written, Created:
			if strings.HasSuffix(p, ".md") {
				tmp := filepath.Join(stage, fmt.Sprint(i))
				i++
				write(t, tmp, "new")
				must(t, os.MkdirAll(filepath.Dir(p), 0o755))
				must(t, os.Rename(tmp, p))
			}
		}
	}
	paths := slices.Collect(func(yield func(string) bool) {
		for p := range want {
			if !yield(p) {
				return
			}
		}
	})
	bs, got := h.until(paths...)
	if len(bs) > 3 {
		t.Errorf("checkout in %d batches, want at most 3", len(bs))
	}
	for p, op := range want {
		if got[p].Op != op {
			t.Errorf("%s: %v, want %v", p, got[p].Op, op)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d paths, want %d", len(got), len(want))
	}
}

func TestMaxDelay(t *testing.T) {
	_, content := site(t)
	opts := Options{Roots: []string{content}, Quiet: 80 * time.Millisecond, MaxDelay: 200 * time.Millisecond}
	h := start(t, opts, nil)
	// A change every 10 ms for a second never leaves the quiet period, so
	// only the maximum delay can cut batches.
	path := filepath.Join(content, "busy.md")
	end := time.Now().Add(time.Second)
	for n := 0; time.Now().Before(end); n++ {
		write(t, path, strings.Repeat("x", n))
		time.Sleep(10 * time.Millisecond)
	}
	bs := h.settle()
	if len(bs) < 3 {
		t.Errorf("a second of changes in %d batches; MaxDelay of 200ms should give about 5", len(bs))
	}
}

func TestFlushAt(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	quiet, maxDelay := 20*time.Millisecond, 150*time.Millisecond
	for _, tt := range []struct {
		last time.Duration // after the first change
		want time.Duration
	}{
		{0, 20 * time.Millisecond},
		{100 * time.Millisecond, 120 * time.Millisecond},
		{140 * time.Millisecond, 150 * time.Millisecond},
		{500 * time.Millisecond, 150 * time.Millisecond},
	} {
		if got := flushAt(t0, t0.Add(tt.last), quiet, maxDelay); !got.Equal(t0.Add(tt.want)) {
			t.Errorf("last change at +%v: flush at +%v, want +%v", tt.last, got.Sub(t0), tt.want)
		}
	}
}

func TestFolders(t *testing.T) {
	project, content := site(t, "x.md")
	h := start(t, slow(content), nil)
	rel := func(p string) string { return filepath.Join(content, filepath.FromSlash(p)) }

	// Created faster than a watch can be added on each level.
	must(t, os.MkdirAll(rel("a/b/c"), 0o755))
	write(t, rel("a/b/c/x.md"), "x")
	write(t, rel("a/b/y.md"), "y")
	b := h.next()
	if got, want := show(b), "[created a/, created a/b/, created a/b/c/, created a/b/c/x.md, created a/b/y.md]"; got != want {
		t.Errorf("mkdir -p:\n got %s\nwant %s", got, want)
	}

	// The new folders are watched.
	write(t, rel("a/b/c/z.md"), "z")
	if got, want := show(h.next()), "[created a/b/c/z.md]"; got != want {
		t.Errorf("write in new folder: got %s, want %s", got, want)
	}

	// Renamed within the root: the old paths go, the new ones come, and the
	// moved folders are watched under their new names.
	must(t, os.Rename(rel("a"), rel("m")))
	_, got := h.until(rel("a"), rel("m/b/c/z.md"))
	for _, p := range []string{"a", "a/b", "a/b/c", "a/b/c/x.md", "a/b/c/z.md", "a/b/y.md"} {
		if got[rel(p)].Op != Renamed {
			t.Errorf("%s: %v, want renamed", p, got[rel(p)].Op)
		}
	}
	for _, p := range []string{"m", "m/b", "m/b/c", "m/b/c/x.md", "m/b/c/z.md", "m/b/y.md"} {
		if got[rel(p)].Op != Created {
			t.Errorf("%s: %v, want created", p, got[rel(p)].Op)
		}
	}
	write(t, rel("m/b/c/x.md"), "changed")
	bs := h.settle()
	if got, want := showAll(bs), "[written m/b/c/x.md]"; got != want {
		t.Errorf("write in renamed folder: got %s, want %s", got, want)
	}

	// Moved out of the root: everything inside is reported, and the folder
	// is no longer watched.
	outside := filepath.Join(project, "moved")
	must(t, os.Rename(rel("m/b"), outside))
	_, got = h.until(rel("m/b"), rel("m/b/c/x.md"), rel("m/b/y.md"))
	if got[rel("m/b/c/x.md")].Op != Renamed {
		t.Errorf("m/b/c/x.md: %v, want renamed", got[rel("m/b/c/x.md")].Op)
	}
	write(t, filepath.Join(outside, "c", "x.md"), "outside")
	h.quiet()

	// Moved back in: everything inside is reported and watched again.
	must(t, os.Rename(outside, rel("back")))
	_, got = h.until(rel("back"), rel("back/c"), rel("back/c/x.md"), rel("back/y.md"))
	if got[rel("back/c/x.md")].Op != Created {
		t.Errorf("back/c/x.md: %v, want created", got[rel("back/c/x.md")].Op)
	}
	write(t, rel("back/c/new.md"), "n")
	h.until(rel("back/c/new.md"))

	// Removed.
	must(t, os.RemoveAll(rel("back")))
	_, got = h.until(rel("back"), rel("back/c"), rel("back/c/new.md"), rel("back/c/x.md"), rel("back/y.md"))
	for p, c := range got {
		if c.Op != Removed {
			t.Errorf("%s: %v, want removed", p, c.Op)
		}
	}
	if st := h.w.Status(); st.Dirs != 2 || st.Watches != 3 { // content, m; plus the project
		t.Errorf("after removals: %d folders, %d watches; want 2, 3", st.Dirs, st.Watches)
	}
}

func TestChmodAndIgnoredNotReported(t *testing.T) {
	_, content := site(t, "x.md")
	h := start(t, slow(content), nil)
	must(t, os.Chmod(filepath.Join(content, "x.md"), 0o600))
	write(t, filepath.Join(content, ".git", "objects", "ab", "cdef"), "blob")
	write(t, filepath.Join(content, "node_modules", "lib", "index.js"), "js")
	write(t, filepath.Join(content, "x.md~"), "backup")
	h.quiet()

	write(t, filepath.Join(content, ".git", "objects", "ab", "more"), "blob")
	write(t, filepath.Join(content, "y.md"), "y")
	if got := show(h.next()); got != "[created y.md]" {
		t.Errorf("got %s, want [created y.md]", got)
	}
	var notes []string
	for _, e := range h.w.Status().Events {
		notes = append(notes, e.Path[len(content):]+" "+e.Op+" "+e.Note)
	}
	for _, want := range []string{"/x.md CHMOD chmod only", "/.git CREATE ignored", "/x.md~ CREATE ignored", "/y.md CREATE "} {
		if !slices.Contains(notes, want) {
			t.Errorf("status events lack %q:\n%s", want, strings.Join(notes, "\n"))
		}
	}
}

func TestFileRootAndLateRoot(t *testing.T) {
	project, content := site(t, "x.md")
	config := filepath.Join(project, "config.yaml")
	write(t, config, "title: A\n")
	theme := filepath.Join(project, "theme") // missing for now
	h := start(t, slow(content, config, theme), nil)

	// Siblings of config.yaml are not reported; vim-style save of it is.
	write(t, filepath.Join(project, "notes.txt"), "n")
	must(t, os.Rename(config, config+"~"))
	write(t, config, "title: B\n")
	must(t, os.Remove(config+"~"))
	b := h.next()
	if want := []Change{{Path: config, Root: config, Rel: ".", Op: Written}}; !slices.Equal(b.Changes, want) {
		t.Errorf("got %s, want [written .]", show(b))
	}

	// The theme folder appears, with content, and is then watched.
	write(t, filepath.Join(theme, "layouts", "page.html"), "<p>")
	_, got := h.until(theme, filepath.Join(theme, "layouts", "page.html"))
	if c := got[filepath.Join(theme, "layouts", "page.html")]; c.Root != theme || c.Rel != "layouts/page.html" || c.Op != Created {
		t.Errorf("got %+v", c)
	}
	write(t, filepath.Join(theme, "layouts", "list.html"), "<ul>")
	h.until(filepath.Join(theme, "layouts", "list.html"))
}

func TestPolling(t *testing.T) {
	_, content := site(t, "x.md", "sec/y.md")
	opts := Options{Roots: []string{content}, ForcePoll: true, PollInterval: 20 * time.Millisecond}
	h := start(t, opts, func() (notifier, error) {
		t.Error("notifier created despite ForcePoll")
		return newFsnotify()
	})
	if !strings.Contains(h.log.String(), "polling") {
		t.Errorf("log does not mention polling: %q", h.log.String())
	}
	st := h.w.Status()
	if st.Mode != ModePolling || st.Watches != 0 || st.Dirs != 2 || st.Files != 2 {
		t.Errorf("status: %+v", st)
	}
	pollSequence(t, h, content)
}

// pollSequence checks that h, polling, reports a create, a write and a delete.
func pollSequence(t *testing.T, h *harness, content string) {
	t.Helper()
	write(t, filepath.Join(content, "sec", "new.md"), "new")
	if got := showAll(h.settle()); got != "[created sec/new.md]" {
		t.Errorf("create: got %s", got)
	}
	write(t, filepath.Join(content, "x.md"), "a longer body than before")
	if got := showAll(h.settle()); got != "[written x.md]" {
		t.Errorf("write: got %s", got)
	}
	must(t, os.RemoveAll(filepath.Join(content, "sec")))
	if got := showAll(h.settle()); got != "[removed sec/, removed sec/new.md, removed sec/y.md]" {
		t.Errorf("delete: got %s", got)
	}
}

// fakeNotifier wraps fsnotify: it can refuse watches, drop events, and pass
// on injected errors.
type fakeNotifier struct {
	real    notifier
	refuse  func(path string) error // nil: accept all
	drop    atomic.Bool
	inject  chan error
	events  chan fsnotify.Event
	errs    chan error
	done    chan struct{}
	closing sync.Once
}

func newFake(refuse func(string) error) (*fakeNotifier, error) {
	real, err := newFsnotify()
	if err != nil {
		return nil, err
	}
	f := &fakeNotifier{
		real:   real,
		refuse: refuse,
		inject: make(chan error),
		events: make(chan fsnotify.Event),
		errs:   make(chan error),
		done:   make(chan struct{}),
	}
	go f.forward()
	return f, nil
}

func (f *fakeNotifier) forward() {
	defer close(f.events)
	defer close(f.errs)
	for {
		select {
		case ev, ok := <-f.real.Events():
			if !ok {
				return
			}
			if f.drop.Load() {
				continue
			}
			select {
			case f.events <- ev:
			case <-f.done:
				return
			}
		case err, ok := <-f.real.Errors():
			if !ok {
				return
			}
			select {
			case f.errs <- err:
			case <-f.done:
				return
			}
		case err := <-f.inject:
			select {
			case f.errs <- err:
			case <-f.done:
				return
			}
		case <-f.done:
			return
		}
	}
}

func (f *fakeNotifier) Add(path string) error {
	if f.refuse != nil {
		if err := f.refuse(path); err != nil {
			return err
		}
	}
	return f.real.Add(path)
}
func (f *fakeNotifier) Remove(path string) error { return f.real.Remove(path) }
func (f *fakeNotifier) Close() error {
	f.closing.Do(func() { close(f.done) })
	return f.real.Close()
}
func (f *fakeNotifier) Events() <-chan fsnotify.Event { return f.events }
func (f *fakeNotifier) Errors() <-chan error          { return f.errs }

// enospc is what inotify_add_watch returns past fs.inotify.max_user_watches.
var errENOSPC error = syscall.ENOSPC

func TestWatchLimitAtStart(t *testing.T) {
	_, content := site(t, "x.md", "sec/y.md")
	opts := Options{Roots: []string{content}, PollInterval: 20 * time.Millisecond}
	h := start(t, opts, func() (notifier, error) {
		return newFake(func(p string) error {
			if strings.HasSuffix(p, "sec") {
				return errENOSPC
			}
			return nil
		})
	})
	log := h.log.String()
	t.Logf("log:\n%s", log)
	for _, want := range []string{"no space left on device", "fs.inotify.max_user_watches", "sysctl", "polling"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	st := h.w.Status()
	if st.Mode != ModePolling || !strings.Contains(st.Reason, "no space left on device") || st.Dirs != 2 || st.Files != 2 {
		t.Errorf("status: %+v", st)
	}
	pollSequence(t, h, content)
}

func TestInstanceLimit(t *testing.T) {
	_, content := site(t, "x.md", "sec/y.md")
	opts := Options{Roots: []string{content}, PollInterval: 20 * time.Millisecond}
	h := start(t, opts, func() (notifier, error) {
		return nil, fmt.Errorf("couldn't initialize inotify: %w", syscall.EMFILE)
	})
	log := h.log.String()
	t.Logf("log:\n%s", log)
	for _, want := range []string{"too many open files", "fs.inotify.max_user_instances", "ulimit -n", "polling"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	if st := h.w.Status(); st.Mode != ModePolling || st.Files != 2 {
		t.Errorf("status: %+v", st)
	}
	pollSequence(t, h, content)
}

func TestWatchLimitWhileRunning(t *testing.T) {
	_, content := site(t, "x.md", "sec/y.md")
	var refusing atomic.Bool
	opts := slow(content)
	opts.PollInterval = 20 * time.Millisecond
	h := start(t, opts, func() (notifier, error) {
		return newFake(func(string) error {
			if refusing.Load() {
				return fmt.Errorf("add watch: %w", errENOSPC)
			}
			return nil
		})
	})
	if st := h.w.Status(); st.Mode != ModeNotify {
		t.Fatalf("mode %s before the limit, want fsnotify", st.Mode)
	}
	refusing.Store(true)
	must(t, os.MkdirAll(filepath.Join(content, "new", "deep"), 0o755))
	write(t, filepath.Join(content, "new", "deep", "z.md"), "z")
	bs, got := h.until(filepath.Join(content, "new", "deep", "z.md"))
	if !slices.ContainsFunc(bs, func(b Batch) bool { return b.Rescan }) {
		t.Errorf("no rescan batch after switching to polling:\n%s", showAll(bs))
	}
	if c := got[filepath.Join(content, "new", "deep", "z.md")]; c.Op != Created {
		t.Errorf("z.md: %v, want created", c.Op)
	}
	if st := h.w.Status(); st.Mode != ModePolling {
		t.Errorf("mode %s, want polling", st.Mode)
	}
	if log := h.log.String(); !strings.Contains(log, "fs.inotify.max_user_watches") {
		t.Errorf("log lacks the sysctl:\n%s", log)
	}
	h.drain()
	pollSequence(t, h, content)
}

func TestOverflowRescans(t *testing.T) {
	_, content := site(t, "x.md")
	var fake *fakeNotifier
	h := start(t, slow(content), func() (notifier, error) {
		f, err := newFake(nil)
		fake = f
		return f, err
	})
	// Events lost in the overflow are found by the rescan.
	fake.drop.Store(true)
	write(t, filepath.Join(content, "lost", "z.md"), "z")
	must(t, os.Remove(filepath.Join(content, "x.md")))
	fake.inject <- fsnotify.ErrEventOverflow

	b := h.next()
	if !b.Rescan {
		t.Errorf("batch without Rescan: %s", show(b))
	}
	if got, want := show(b), "[created lost/, created lost/z.md, removed x.md, (rescan)]"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if !strings.Contains(h.log.String(), "overflow") {
		t.Errorf("log lacks the overflow: %q", h.log.String())
	}
	// The folder found by the rescan is watched.
	fake.drop.Store(false)
	write(t, filepath.Join(content, "lost", "w.md"), "w")
	if got := show(h.next()); got != "[created lost/w.md]" {
		t.Errorf("got %s, want [created lost/w.md]", got)
	}
}

func TestStatus(t *testing.T) {
	project, content := site(t, "x.md", "a/y.md", "a/b/z.md")
	config := filepath.Join(project, "config.yaml")
	write(t, config, "title: A\n")
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	opts := slow(content, config, content) // a duplicate root is dropped
	opts.History = 3
	opts.Now = func() time.Time { return at }
	h := start(t, opts, nil)

	st := h.w.Status()
	if want := []string{content, config}; !slices.Equal(st.Roots, want) {
		t.Errorf("roots %q, want %q", st.Roots, want)
	}
	// content, a, a/b; watched too: the project, parent of both roots.
	if st.Mode != ModeNotify || st.Reason != "" || st.Dirs != 3 || st.Files != 4 || st.Watches != 4 {
		t.Errorf("status: %+v", st)
	}
	if len(st.Events) != 0 || st.Batches != 0 || !st.LastBatch.IsZero() {
		t.Errorf("events or batches before any change: %+v", st)
	}

	for _, n := range []string{"1.md", "2.md", "3.md", "4.md"} {
		f, err := os.Create(filepath.Join(content, n)) // one CREATE event each
		must(t, err)
		must(t, f.Close())
	}
	h.until(filepath.Join(content, "4.md"))
	st = h.w.Status()
	var got []string
	for _, e := range st.Events {
		if !e.At.Equal(at) {
			t.Errorf("event %+v: time %v, want %v", e, e.At, at)
		}
		got = append(got, filepath.Base(e.Path)+" "+e.Op)
	}
	if want := []string{"2.md CREATE", "3.md CREATE", "4.md CREATE"}; !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
	if st.Batches < 1 || !st.LastBatch.Equal(at) || st.Files != 8 {
		t.Errorf("status after changes: %+v", st)
	}
}

func TestMerge(t *testing.T) {
	c := func(p string, op Op) Change { return Change{Path: p, Op: op} }
	ready := &Batch{Changes: []Change{c("a", Created), c("b", Written), c("c", Removed), c("d", Written), c("e", Created)}}
	next := Batch{Changes: []Change{c("a", Removed), c("b", Removed), c("c", Created), c("e", Written), c("f", Renamed)}, Rescan: true}
	got := merge(ready, next)
	want := []Change{c("b", Removed), c("c", Written), c("d", Written), c("e", Created), c("f", Renamed)}
	if !slices.Equal(got.Changes, want) || !got.Rescan {
		t.Errorf("merge: got %+v, want %+v and Rescan", got, want)
	}
}

func TestDefaultIgnore(t *testing.T) {
	for _, tt := range []struct {
		name  string
		isDir bool
		want  bool
	}{
		{"x.md", false, false},
		{"image.png", false, false},
		{"4912", false, false},
		{"2024", false, false},
		{"notes.swpx", false, false},
		{"node_modules", false, false},
		{".well-known", true, false},
		{"4913", false, true},
		{"5036", false, true},
		{".git", true, true},
		{".idea", true, true},
		{".x.md.swp", false, true},
		{".x.md.swx", false, true},
		{"x.md.swp", false, true},
		{".#x.md", false, true},
		{"#x.md#", false, true},
		{"x.md~", false, true},
		{"x.md___jb_tmp___", false, true},
		{"x.md___jb_old___", false, true},
		{"x.md.tmp", false, true},
		{"x.md.crswap", false, true},
		{"~$report.docx", false, true},
		{"node_modules", true, true},
	} {
		if got := DefaultIgnore(filepath.Join("/site/content", tt.name), tt.isDir); got != tt.want {
			t.Errorf("DefaultIgnore(%q, %v) = %v, want %v", tt.name, tt.isDir, got, tt.want)
		}
	}
}

func TestNewErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		opts Options
		want string
	}{
		{Options{}, "create watcher: no roots"},
		{Options{Roots: []string{dir}, Quiet: -1}, "create watcher: negative duration or history"},
		{Options{Roots: []string{filepath.Join(dir, "missing", "content")}}, "watch root " + filepath.Join(dir, "missing", "content") + ": "},
	} {
		_, err := New(tt.opts)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("New(%+v) = %v, want %q…", tt.opts, err, tt.want)
		}
	}
	if _, err := New(Options{Roots: []string{filepath.Join(dir, "missing", "content")}}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing parent: %v does not wrap ErrNotExist", err)
	}
}

func TestCloseBeforeRun(t *testing.T) {
	w, err := New(Options{Roots: []string{t.TempDir()}, Logf: t.Logf})
	must(t, err)
	must(t, w.Close())
	must(t, w.Close())
	if _, ok := <-w.Batches(); ok {
		t.Error("Batches open after Close")
	}
	if err := w.Run(context.Background()); err == nil || err.Error() != "run watcher: closed" {
		t.Errorf("Run after Close: %v", err)
	}
}

func TestCloseStopsRun(t *testing.T) {
	dir := t.TempDir()
	w, err := New(Options{Roots: []string{dir}, Logf: t.Logf})
	must(t, err)
	done := make(chan error, 1)
	go func() { done <- w.Run(context.Background()) }()
	write(t, filepath.Join(dir, "x.md"), "x")
	select {
	case <-w.Batches(): // Run is running
	case <-time.After(wait):
		t.Fatal("no batch")
	}
	must(t, w.Close())
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(wait):
		t.Fatal("Run did not return after Close")
	}
	if _, ok := <-w.Batches(); ok {
		t.Error("Batches open after Run returned")
	}
}

func TestSlowReceiverGetsMergedBatch(t *testing.T) {
	_, content := site(t, "x.md")
	w, err := New(Options{Roots: []string{content}, Logf: t.Logf})
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	defer func() { cancel(); <-done }()
	waitStatus := func(what string, ok func(Status) bool) {
		t.Helper()
		for end := time.Now().Add(wait); !ok(w.Status()); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(end) {
				t.Fatalf("status never showed %s: %+v", what, w.Status())
			}
		}
	}

	// Nobody receives while these batches are cut.
	write(t, filepath.Join(content, "a.md"), "a")
	waitStatus("a.md", func(s Status) bool { return s.Files == 2 })
	write(t, filepath.Join(content, "b.md"), "b")
	must(t, os.Remove(filepath.Join(content, "x.md")))
	must(t, os.Remove(filepath.Join(content, "a.md")))
	waitStatus("only b.md", func(s Status) bool { return s.Files == 1 })

	var b Batch
	select {
	case b = <-w.Batches():
	case <-time.After(wait):
		t.Fatal("no batch")
	}
	if got, want := show(b), "[created b.md, removed x.md]"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	select {
	case b := <-w.Batches():
		t.Errorf("second batch %s; want everything merged into one", show(b))
	case <-time.After(silence):
	}
}
