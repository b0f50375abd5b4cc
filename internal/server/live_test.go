package server

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"livedocs/internal/build"
	"livedocs/internal/config"
	"livedocs/internal/render"
)

// project writes a help center into a temporary folder: config.yaml, two
// categories of two sections, and files (which may override any of them).
func project(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	all := map[string]string{
		"config.yaml":                     "title: Test Help\nbase_url: http://127.0.0.1:8080\n",
		"content/_index.md":               "---\ntitle: Welcome\n---\n",
		"content/guides/_index.md":        "---\ntitle: Guides\nweight: 1\n---\n",
		"content/guides/basics/_index.md": "---\ntitle: Basics\n---\n",
		"content/guides/more/_index.md":   "---\ntitle: More\n---\n",
		"content/help/_index.md":          "---\ntitle: Help\nweight: 2\n---\n",
		"content/help/fixes/_index.md":    "---\ntitle: Fixes\n---\n",
		"content/guides/basics/start.md":  art("1", "Start here", 1, "Welcome to the **start** page.\n\n## First steps\n\n1. Open it.\n2. Use it.\n"),
		"content/guides/basics/next.md":   art("2", "Next steps", 2, "See [start](start.md#first-steps).\n"),
		"content/help/fixes/sync.md":      art("3", "Fix sync", 1, "Read [next](../../guides/basics/next.md).\n\n"+strings.Repeat("Filler paragraph to scroll past.\n\n", 80)+"The end.\n"),
	}
	for k, v := range files {
		all[k] = v
	}
	for name, data := range all {
		write(t, dir, name, data)
	}
	return dir
}

func art(id, title string, weight int, body string) string {
	return fmt.Sprintf("---\ntitle: %s\nid: %q\nweight: %d\ntags: [t%s]\n---\n\n%s", title, id, weight, id, body)
}

func write(t testing.TB, dir, name, data string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func builderOptions(dir string) func() (build.Options, error) {
	return func() (build.Options, error) {
		cfg, err := config.Load(filepath.Join(dir, "config.yaml"))
		if err != nil {
			return build.Options{}, err
		}
		return build.Options{Root: dir, Config: cfg, Drafts: true}, nil
	}
}

// fullBuild is what `livedocs build --drafts` would produce from the disk.
func fullBuild(t testing.TB, dir string) (render.Files, error) {
	t.Helper()
	opts, err := builderOptions(dir)()
	if err != nil {
		return nil, err
	}
	b, err := build.New(opts)
	if err != nil {
		return nil, err
	}
	res, err := b.Build()
	if err != nil {
		return nil, err
	}
	return res.Files, nil
}

type harness struct {
	t    testing.TB
	dir  string
	srv  *Server
	live *Live
	ts   *httptest.Server
}

func startLive(t testing.TB, dir string) *harness {
	t.Helper()
	srv := New(Options{})
	live, err := NewLive(srv, LiveOptions{Root: dir, Options: builderOptions(dir), Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := contextWithCancel()
	done := make(chan error, 1)
	go func() { done <- live.Run(ctx) }()
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		srv.Close()
		ts.Close()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Live.Run: %v", err)
		}
	})
	return &harness{t: t, dir: dir, srv: srv, live: live, ts: ts}
}

// sse is a connected EventSource-like client.
type sse struct {
	events chan Event
	resp   *http.Response
}

func (h *harness) subscribe(page string) *sse {
	h.t.Helper()
	resp, err := http.Get(h.ts.URL + "/__livedocs/events?path=" + page + fmt.Sprintf("&build=%d", h.srv.Build()))
	if err != nil {
		h.t.Fatal(err)
	}
	c := &sse{events: make(chan Event, 64), resp: resp}
	go func() {
		defer close(c.events)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var ev Event
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				ev.Name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.Data = []byte(strings.TrimPrefix(line, "data: "))
			case line == "" && ev.Name != "":
				c.events <- ev
				ev = Event{}
			}
		}
	}()
	h.t.Cleanup(func() { resp.Body.Close() })
	c.next(h.t, "hello", 2*time.Second)
	return c
}

// next waits for the next event named name, skipping others.
func (c *sse) next(t testing.TB, name string, timeout time.Duration) Event {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case ev, ok := <-c.events:
			if !ok {
				t.Fatalf("event stream closed while waiting for %q", name)
			}
			if ev.Name == name {
				return ev
			}
		case <-deadline:
			t.Fatalf("no %q event within %v", name, timeout)
		}
	}
}

func (h *harness) get(p string) (int, string) {
	h.t.Helper()
	resp, err := http.Get(h.ts.URL + p)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	bufio.NewReader(resp.Body).WriteTo(&b)
	return resp.StatusCode, b.String()
}

// settle waits until no rebuild has happened for a while and returns how
// many rebuilds happened since n0.
func (h *harness) settle(n0 int) int {
	time.Sleep(400 * time.Millisecond)
	return h.rebuildCount() - n0
}

func (h *harness) rebuildCount() int {
	n := 0
	for _, r := range h.live.Rebuilds() {
		if r.Kind != "start" {
			n++
		}
	}
	return n
}

// TestSavePatterns saves an article the ways editors do and checks that
// each save is one rebuild whose result reaches the browser showing it.
func TestSavePatterns(t *testing.T) {
	patterns := map[string]func(t *testing.T, p, data string){
		"in place": func(t *testing.T, p, data string) {
			os.WriteFile(p, []byte(data), 0o644)
		},
		"temp then rename (VS Code)": func(t *testing.T, p, data string) {
			tmp := p + ".tmp.1234"
			os.WriteFile(tmp, []byte(data), 0o644)
			must(t, os.Rename(tmp, p))
		},
		"backup rename, write, delete (vim)": func(t *testing.T, p, data string) {
			must(t, os.Rename(p, p+"~"))
			os.WriteFile(p, []byte(data), 0o644)
			must(t, os.Remove(p+"~"))
		},
		"safe write (JetBrains)": func(t *testing.T, p, data string) {
			os.WriteFile(p+"___jb_tmp___", []byte(data), 0o644)
			must(t, os.Rename(p, p+"___jb_old___"))
			must(t, os.Rename(p+"___jb_tmp___", p))
			must(t, os.Remove(p+"___jb_old___"))
		},
		"delete then create": func(t *testing.T, p, data string) {
			must(t, os.Remove(p))
			os.WriteFile(p, []byte(data), 0o644)
		},
	}
	names := make([]string, 0, len(patterns))
	for n := range patterns {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			h := startLive(t, project(t, nil))
			other := h.subscribe("/help/fixes/sync/")
			c := h.subscribe("/guides/basics/start/")
			n0 := h.rebuildCount()
			p := filepath.Join(h.dir, "content/guides/basics/start.md")
			patterns[name](t, p, art("1", "Start here", 1, "Welcome to the **edited** page.\n\n## First steps\n\n1. Open it.\n2. Use it.\n"))
			c.next(t, "reload", 3*time.Second)
			if _, body := h.get("/guides/basics/start/"); !strings.Contains(body, "<strong>edited</strong>") {
				t.Errorf("served page lacks the edit")
			}
			if n := h.settle(n0); n != 1 {
				t.Errorf("%d rebuilds for one save, want 1: %+v", n, h.live.Rebuilds())
			}
			select {
			case ev := <-other.events:
				if ev.Name == "reload" {
					t.Errorf("a browser showing an unchanged page was told to reload")
				}
			default:
			}
		})
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestCheckoutBurst rewrites many files at once, as git checkout does:
// one rebuild, and the result equals a full build.
func TestCheckoutBurst(t *testing.T) {
	files := map[string]string{}
	for i := 0; i < 60; i++ {
		files[fmt.Sprintf("content/help/fixes/f%02d.md", i)] = art(fmt.Sprint(100+i), fmt.Sprintf("Fix %02d", i), i, "Body.\n")
	}
	h := startLive(t, project(t, files))
	n0 := h.rebuildCount()
	for i := 0; i < 60; i++ {
		write(t, h.dir, fmt.Sprintf("content/help/fixes/f%02d.md", i), art(fmt.Sprint(100+i), fmt.Sprintf("Fixed %02d", i), 60-i, "Other body.\n"))
	}
	must(t, os.Remove(filepath.Join(h.dir, "content/help/fixes/f07.md")))
	write(t, h.dir, "content/help/fixes/new.md", art("999", "Brand new", 1, "New.\n"))
	h.waitEqual()
	if n := h.settle(n0); n != 1 {
		t.Errorf("%d rebuilds for one checkout, want 1", n)
	}
	if code, _ := h.get("/help/fixes/f07/"); code != 404 {
		t.Errorf("deleted page: status %d, want 404", code)
	}
	if code, body := h.get("/help/fixes/new/"); code != 200 || !strings.Contains(body, "Brand new") {
		t.Errorf("added page: status %d", code)
	}
}

// TestNewFolders creates a category, a section and an article in one go.
func TestNewFolders(t *testing.T) {
	h := startLive(t, project(t, nil))
	c := h.subscribe("/setup/install/first/")
	if code, _ := h.get("/setup/install/first/"); code != 404 {
		t.Fatalf("status %d before the folder exists", code)
	}
	must(t, os.MkdirAll(filepath.Join(h.dir, "content/setup/install"), 0o755))
	write(t, h.dir, "content/setup/_index.md", "---\ntitle: Setup\n---\n")
	write(t, h.dir, "content/setup/install/_index.md", "---\ntitle: Install\n---\n")
	write(t, h.dir, "content/setup/install/first.md", art("50", "First install", 1, "Install it.\n"))
	c.next(t, "reload", 3*time.Second)
	if code, body := h.get("/setup/install/first/"); code != 200 || !strings.Contains(body, "First install") {
		t.Errorf("new article: status %d", code)
	}
	// Removing the folder removes its pages.
	must(t, os.RemoveAll(filepath.Join(h.dir, "content/setup")))
	h.waitEqual()
	if code, _ := h.get("/setup/"); code != 404 {
		t.Errorf("removed category: status %d, want 404", code)
	}
}

// TestOverlay breaks the front matter, expects the errors in the browser
// with the offending line while the last good page is still served, then
// fixes it and expects the overlay to clear.
func TestOverlay(t *testing.T) {
	h := startLive(t, project(t, nil))
	c := h.subscribe("/guides/basics/next/")
	good := art("2", "Next steps", 2, "See [start](start.md#first-steps).\n")
	write(t, h.dir, "content/guides/basics/next.md", strings.Replace(good, "weight: 2", "weight: <heavy>", 1))
	ev := c.next(t, "errors", 3*time.Second)
	data := string(ev.Data)
	for _, want := range []string{
		`"text":"content/guides/basics/next.md:4:1: value \"\u003cheavy\u003e\" must be a whole number"`,
		`"source":"weight: \u003cheavy\u003e"`, `"line":4`,
	} {
		if !strings.Contains(data, want) {
			t.Errorf("errors event %s\nlacks %s", data, want)
		}
	}
	if code, body := h.get("/guides/basics/next/"); code != 200 || !strings.Contains(body, "Next steps") {
		t.Errorf("last good page not served during the error: %d", code)
	}
	if p := h.srv.Problems(); len(p) != 1 {
		t.Errorf("problems = %+v", p)
	}
	// A browser opened now sees the overlay at once.
	late := h.subscribe("/")
	late.next(t, "errors", time.Second)

	// A broken link elsewhere is reported too, with its column.
	write(t, h.dir, "content/help/fixes/sync.md", art("3", "Fix sync", 1, "Read [gone](nowhere.md).\n"))
	ev = c.next(t, "errors", 3*time.Second)
	if !strings.Contains(string(ev.Data), `content/help/fixes/sync.md:8:6: broken link`) {
		t.Errorf("second errors event: %s", ev.Data)
	}
	write(t, h.dir, "content/help/fixes/sync.md", art("3", "Fix sync", 1, "Fine.\n"))
	write(t, h.dir, "content/guides/basics/next.md", strings.Replace(good, "Next steps", "Next steps, fixed", 1))
	c.next(t, "ok", 3*time.Second)
	c.next(t, "reload", time.Second)
	if h.srv.Problems() != nil {
		t.Errorf("problems after the fix: %+v", h.srv.Problems())
	}
	if _, body := h.get("/guides/basics/next/"); !strings.Contains(body, "Next steps, fixed") {
		t.Errorf("fixed page not served")
	}
	// A broken config is an overlay too, not an exit.
	write(t, h.dir, "config.yaml", "title: Test Help\ncolour: red\n")
	ev = c.next(t, "errors", 3*time.Second)
	if !strings.Contains(string(ev.Data), `config.yaml:2:1:`) {
		t.Errorf("config errors event: %s", ev.Data)
	}
	write(t, h.dir, "config.yaml", "title: Test Help\nbase_url: http://127.0.0.1:8080\n")
	c.next(t, "ok", 3*time.Second)
}

// TestSymlinkOutOfTree: a link in content/ to a file outside the project
// is never published.
func TestSymlinkOutOfTree(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "secret.txt")
	must(t, os.WriteFile(outside, []byte("TOP SECRET"), 0o644))
	dir := project(t, nil)
	must(t, os.Symlink(outside, filepath.Join(dir, "content/guides/basics/secret.txt")))
	must(t, os.Symlink("/etc", filepath.Join(dir, "content/guides/basics/etc")))
	h := startLive(t, dir)
	for p, b := range h.srv.Files() {
		if strings.Contains(string(b), "TOP SECRET") || strings.Contains(p, "secret") || strings.Contains(p, "passwd") {
			t.Errorf("published %s from outside the project", p)
		}
	}
	if code, body := h.get("/guides/basics/secret.txt"); code != 404 || strings.Contains(body, "TOP SECRET") {
		t.Errorf("GET the link: %d", code)
	}
}

// TestCSSHotSwap: a stylesheet-only change is pushed as a css event, not a
// reload, and the final file set equals a full build.
func TestCSSHotSwap(t *testing.T) {
	dir := project(t, map[string]string{
		"config.yaml":                 "title: Test Help\ntheme: site-theme\n",
		"site-theme/static/style.css": "body { color: black }\n",
	})
	h := startLive(t, dir)
	c := h.subscribe("/guides/basics/start/")
	write(t, dir, "site-theme/static/style.css", "body { color: rebeccapurple }\n")
	ev := c.next(t, "css", 2*time.Second)
	if !strings.Contains(string(ev.Data), `"/assets/style.css"`) {
		t.Errorf("css event %s", ev.Data)
	}
	if _, body := h.get("/assets/style.css?v=whatever"); !strings.Contains(body, "rebeccapurple") {
		t.Errorf("new CSS not served: %q", body)
	}
	h.waitEqual()
	select {
	case ev := <-c.events:
		if ev.Name == "reload" {
			t.Errorf("reload sent for a CSS-only change")
		}
	case <-time.After(300 * time.Millisecond):
	}
}

// waitEqual waits until the served file set equals a fresh full build.
func (h *harness) waitEqual() {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	var diff []string
	for time.Now().Before(deadline) {
		want, err := fullBuild(h.t, h.dir)
		if err != nil {
			h.t.Fatalf("full build: %v", err)
		}
		if diff = diffFiles(h.srv.Files(), want); len(diff) == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	h.t.Fatalf("served files differ from a full build:\n%s", strings.Join(diff, "\n"))
}

func diffFiles(got, want render.Files) []string {
	var out []string
	for p, w := range want {
		g, ok := got[p]
		switch {
		case !ok:
			out = append(out, "missing "+p)
		case string(g) != string(w):
			out = append(out, "differs "+p+"\n"+firstDiff(string(g), string(w)))
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			out = append(out, "extra "+p)
		}
	}
	sort.Strings(out)
	if len(out) > 10 {
		out = append(out[:10], fmt.Sprintf("… and %d more", len(out)-10))
	}
	return out
}

func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(0, i-80)
	return fmt.Sprintf("  served: …%s…\n  full:   …%s…", a[lo:min(len(a), i+80)], b[lo:min(len(b), i+80)])
}

// editor makes random edits to a project that keep it buildable.
type editor struct {
	t      testing.TB
	dir    string
	rng    *rand.Rand
	nextID int
	arts   map[string]artState // by path; deletable unless pinned
}

type artState struct {
	id, title, summary, body string
	weight                   int
	tags                     []string
	draft, pinned            bool
}

func (a artState) String() string {
	s := fmt.Sprintf("---\ntitle: %s\nid: %q\nweight: %d\n", a.title, a.id, a.weight)
	if a.summary != "" {
		s += "summary: " + a.summary + "\n"
	}
	if len(a.tags) > 0 {
		s += "tags: [" + strings.Join(a.tags, ", ") + "]\n"
	}
	if a.draft {
		s += "draft: true\n"
	}
	return s + "---\n\n" + a.body
}

func newEditor(t testing.TB, seed uint64) (*editor, map[string]string) {
	e := &editor{t: t, rng: rand.New(rand.NewPCG(seed, 7)), nextID: 100, arts: map[string]artState{}}
	files := map[string]string{}
	for i, sec := range []string{"content/guides/basics", "content/guides/more", "content/help/fixes"} {
		for j := 0; j < 4; j++ {
			p := fmt.Sprintf("%s/a%d.md", sec, j)
			a := artState{id: fmt.Sprint(e.nextID), title: fmt.Sprintf("Article %d-%d", i, j), weight: j,
				tags: []string{"tag" + fmt.Sprint(j%2)}, body: "## Part one\n\nText.\n\n1. Step.\n", pinned: j == 0}
			if j > 0 {
				a.body += "\nSee [the first](a0.md#part-one).\n"
			}
			e.nextID++
			e.arts[p] = a
			files[p] = a.String()
		}
	}
	return e, files
}

var words = []string{"alpha", "beta", "gamma", "delta", "sync", "mail", "Zulu", "apple"}

// edit makes one random change on disk and says what it did.
func (e *editor) edit() string {
	paths := make([]string, 0, len(e.arts))
	for p := range e.arts {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	p := paths[e.rng.IntN(len(paths))]
	a := e.arts[p]
	w := words[e.rng.IntN(len(words))]
	var what string
	switch op := e.rng.IntN(11); op {
	case 0:
		a.body += "\nOne more " + w + " word.\n"
		what = "body"
	case 1:
		a.title = strings.ToUpper(w[:1]) + w[1:] + " " + a.id
		what = "title"
	case 2:
		a.weight = e.rng.IntN(6)
		what = "weight"
	case 3:
		a.tags = []string{w}
		what = "tags"
	case 4:
		a.summary = "About " + w
		what = "summary"
	case 5:
		if !a.pinned {
			a.draft = !a.draft
			what = "draft"
		}
	case 6:
		a.body += "\n## Heading " + w + "\n\nMore.\n"
		what = "heading"
	case 7: // new article
		np := filepath.ToSlash(filepath.Join(filepath.Dir(p), fmt.Sprintf("n%d.md", e.nextID)))
		e.arts[np] = artState{id: fmt.Sprint(e.nextID), title: "New " + w, weight: e.rng.IntN(6), body: "Fresh.\n"}
		e.nextID++
		write(e.t, e.dir, np, e.arts[np].String())
		return "add " + np
	case 8: // delete
		if !a.pinned {
			delete(e.arts, p)
			must(e.t, os.Remove(filepath.Join(e.dir, p)))
			return "delete " + p
		}
	case 9: // rename (new URL)
		if !a.pinned {
			np := filepath.ToSlash(filepath.Join(filepath.Dir(p), fmt.Sprintf("r%d.md", e.rng.IntN(1000))))
			if _, taken := e.arts[np]; !taken {
				delete(e.arts, p)
				e.arts[np] = a
				must(e.t, os.Rename(filepath.Join(e.dir, p), filepath.Join(e.dir, np)))
				return "rename " + p + " → " + np
			}
		}
	case 10: // section title
		sec := filepath.Dir(p)
		write(e.t, e.dir, sec+"/_index.md", "---\ntitle: Section "+w+"\nweight: "+fmt.Sprint(e.rng.IntN(3))+"\n---\n")
		return "section " + sec
	}
	e.arts[p] = a
	write(e.t, e.dir, p, a.String())
	return what + " " + p
}

// TestIncrementalEqualsFull drives build.Incremental directly through many
// random edit sequences; after each, its files must equal a fresh build.
func TestIncrementalEqualsFull(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			e, files := newEditor(t, seed)
			e.dir = project(t, files)
			opts, err := builderOptions(e.dir)()
			must(t, err)
			opts.FS = os.DirFS(e.dir)
			in, err := build.NewIncremental(opts)
			must(t, err)
			var log []string
			for round := 0; round < 40; round++ {
				for k := 1 + e.rng.IntN(3); k > 0; k-- {
					log = append(log, e.edit())
				}
				res, st, err := in.Build()
				if err != nil {
					t.Fatalf("after %v: %v", log, err)
				}
				want, err := fullBuild(t, e.dir)
				must(t, err)
				if d := diffFiles(res.Files, want); len(d) > 0 {
					t.Fatalf("after %v (stats %+v):\n%s", log, st, strings.Join(d, "\n"))
				}
				if round > 0 && st.Full {
					t.Errorf("round %d rendered everything", round)
				}
			}
		})
	}
}

// TestServedEqualsFull runs random edit sequences through the whole
// preview pipeline (watcher, in-memory copy, incremental build, publish)
// and compares the served file set with a fresh full build after each.
func TestServedEqualsFull(t *testing.T) {
	e, files := newEditor(t, 42)
	e.dir = project(t, files)
	h := startLive(t, e.dir)
	for round := 0; round < 12; round++ {
		for k := 1 + e.rng.IntN(4); k > 0; k-- {
			e.edit()
		}
		h.waitEqual()
	}
	var partial bool
	for _, r := range h.live.Rebuilds() {
		if r.Kind == "content" && !r.Full && r.Reused > 0 {
			partial = true
		}
	}
	if !partial {
		t.Errorf("no rebuild reused pages: %+v", h.live.Rebuilds())
	}
}

func contextWithCancel() (context.Context, context.CancelFunc) {
	return context.WithCancel(context.Background())
}
