// Package server is the preview server of `livedocs serve`: it serves the
// last good build from memory, watches the project and rebuilds on every
// save, and pushes the result to the open browsers.
//
// # Serving
//
// Server serves a file set (render.Files, keyed by URL path) on loopback.
// "/x/" serves "/x/index.html"; "/x" redirects to "/x/" when that page
// exists; an unknown path gets the site's /404.html with status 404. Content
// types come from a fixed table (the system's MIME database is used only for
// other extensions), every response carries an ETag and Last-Modified (the
// build that last changed the file), and conditional requests get 304.
// Paths are never mapped to the disk, so ".." (plain or percent-encoded)
// can reach nothing; such requests are refused with 400 all the same.
// Requests whose Host header is not a loopback name (localhost, *.localhost,
// 127.0.0.0/8, ::1) are refused with 403, which defeats DNS rebinding; no
// CORS header is ever sent.
//
// Every HTML response gets one script tag before </head>:
// <script src="/__livedocs/reload.js" ...>. The files themselves, and so
// `livedocs build` output, never contain it.
//
// # Live reload
//
// The script opens an EventSource on /__livedocs/events?path=P&build=N,
// naming the page it shows and the build it came from. Events:
//
//	hello    {"server": id, "build": n}; a page from another server run reloads
//	reload   the page's bytes changed (or it appeared or was deleted)
//	assets   {"paths": [...]}: other files changed; the page reloads if it uses one
//	css      {"paths": [...]}: only stylesheets changed; the page swaps its
//	         <link rel=stylesheet data-livedocs-css> elements without reloading
//	errors   {"errors": [{"text", "path", "line", "col", "msg", "source"}]}:
//	         the last build failed; the page shows an overlay listing them
//	ok       the build is good again; the overlay goes away
//
// Before reloading, the page saves its scroll position in sessionStorage and
// restores it after the reload. A browser that connects after a change it
// missed (its build number is older than the page's last change) is told to
// reload at once. The Hub never blocks: a browser that does not keep up is
// disconnected and catches up when its EventSource reconnects.
//
// /__livedocs/status shows what is watched, the last file events and the
// last rebuilds with their durations.
//
// # Rebuilding
//
// Live ties a watch.Watcher, an in-memory copy of the watched files and a
// build.Incremental to a Server; see Live.
package server

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"hash/maphash"
	"mime"
	"net"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"livedocs/internal/render"
)

// Options configure a Server.
type Options struct {
	// Prefix is the path the site is published under ("" or "/help"),
	// from the base_url in config.yaml.
	Prefix string
	// Now stamps Last-Modified times; nil means time.Now.
	Now func() time.Time
	// Mounts hands every request whose path starts with a key (such as
	// "/__checks/") to its handler, after the loopback Host check.
	Mounts map[string]http.Handler
}

// Problem is one build error for the overlay.
type Problem struct {
	Text   string `json:"text"` // path:line:col: message
	Path   string `json:"path,omitempty"`
	Line   int    `json:"line,omitempty"`
	Col    int    `json:"col,omitempty"`
	Msg    string `json:"msg"`
	Source string `json:"source,omitempty"` // the offending line, from the file
}

// Diff lists the paths a Publish changed.
type Diff struct {
	Build                   uint64
	Added, Changed, Removed []string
}

// Server serves the current file set and the live-reload endpoints.
type Server struct {
	opts Options
	id   string // this run, so browsers notice a restarted server
	hub  *Hub
	seed maphash.Seed

	mu       sync.Mutex // serialises changes of state and problems
	state    atomic.Pointer[fileState]
	problems atomic.Pointer[[]Problem]
	status   atomic.Pointer[func() Status]
}

// fileState is one published file set; it is never modified once stored.
type fileState struct {
	build   uint64
	files   render.Files
	mod     map[string]time.Time // when each file last changed
	changed map[string]uint64    // build in which each path last changed, removals included
	etags   sync.Map             // path → ETag, computed on first use
}

// New returns a Server with an empty file set.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.Prefix = strings.TrimRight(opts.Prefix, "/")
	s := &Server{opts: opts, hub: NewHub(16), seed: maphash.MakeSeed()}
	s.id = strconv.FormatInt(opts.Now().UnixNano(), 36)
	s.state.Store(&fileState{files: render.Files{}, mod: map[string]time.Time{}, changed: map[string]uint64{}})
	return s
}

// Hub returns the server's live-reload hub.
func (s *Server) Hub() *Hub { return s.hub }

// Close disconnects every browser (their handlers return), for shutdown.
func (s *Server) Close() { s.hub.Close() }

// Files returns the file set being served. The caller must not modify it.
func (s *Server) Files() render.Files { return s.state.Load().files }

// Build returns the number of the last published file set.
func (s *Server) Build() uint64 { return s.state.Load().build }

// Problems returns the errors of the last build, nil when it succeeded.
func (s *Server) Problems() []Problem {
	if p := s.problems.Load(); p != nil {
		return *p
	}
	return nil
}

// Publish swaps in files (which the caller must no longer modify), clears
// the error overlay and tells each browser whose page changed to reload.
// With cssOnly, the HTML differences are taken to be only stylesheet
// versions (PushCSS has already updated the browsers) and no reload is sent.
func (s *Server) Publish(files render.Files, cssOnly bool) Diff {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.state.Load()
	now := s.opts.Now()
	st := &fileState{build: old.build + 1, files: files,
		mod: make(map[string]time.Time, len(files)), changed: make(map[string]uint64, len(old.changed)+8)}
	for k, v := range old.changed {
		st.changed[k] = v
	}
	d := Diff{Build: st.build}
	for p, b := range files {
		ob, ok := old.files[p]
		switch {
		case !ok:
			d.Added = append(d.Added, p)
		case sameBytes(ob, b):
			st.mod[p] = old.mod[p]
			if e, ok := old.etags.Load(p); ok {
				st.etags.Store(p, e)
			}
			continue
		default:
			d.Changed = append(d.Changed, p)
		}
		st.mod[p] = now
		st.changed[p] = st.build
	}
	for p := range old.files {
		if _, ok := files[p]; !ok {
			d.Removed = append(d.Removed, p)
			st.changed[p] = st.build
		}
	}
	s.state.Store(st)
	if s.problems.Swap(nil) != nil {
		s.hub.Send(Event{Name: "ok", Data: jsonLine(map[string]any{"build": st.build})}, nil)
	}
	if cssOnly {
		return d
	}
	pages := map[string]bool{}
	var others []string
	for _, list := range [][]string{d.Added, d.Changed, d.Removed} {
		for _, p := range list {
			if strings.HasSuffix(p, ".html") {
				pages[p] = true
			} else {
				others = append(others, s.opts.Prefix+p)
			}
		}
	}
	reload := Event{Name: "reload", Data: jsonLine(map[string]any{"build": st.build})}
	s.hub.Send(reload, func(c *Client) bool { return pages[c.Path] })
	if len(others) > 0 {
		data := map[string]any{"build": st.build, "paths": others}
		if len(others) > 200 {
			data = map[string]any{"build": st.build, "many": true}
		}
		s.hub.Send(Event{Name: "assets", Data: jsonLine(data)}, func(c *Client) bool { return !pages[c.Path] })
	}
	return d
}

// sameBytes reports whether a and b hold the same bytes, checking first
// whether they are the same slice (what an incremental build reuses).
func sameBytes(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 || &a[0] == &b[0] {
		return true
	}
	return bytes.Equal(a, b)
}

// PushCSS serves new bytes for the given stylesheets at once and tells
// every browser to swap them in. The rest of the file set is unchanged.
func (s *Server) PushCSS(css map[string][]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.state.Load()
	st := &fileState{build: old.build, files: make(render.Files, len(old.files)), mod: old.mod, changed: old.changed}
	for k, v := range old.files {
		st.files[k] = v
	}
	st.mod = make(map[string]time.Time, len(old.mod))
	for k, v := range old.mod {
		st.mod[k] = v
	}
	var paths []string
	now := s.opts.Now()
	for p, b := range css {
		st.files[p] = b
		st.mod[p] = now
		paths = append(paths, s.opts.Prefix+p)
	}
	s.state.Store(st)
	s.hub.Send(Event{Name: "css", Data: jsonLine(map[string]any{"paths": paths, "v": strconv.FormatInt(now.UnixNano(), 36)})}, nil)
}

// Fail records the problems of a failed build and shows them in every
// browser. The last good file set stays in place.
func (s *Server) Fail(problems []Problem) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if problems == nil {
		problems = []Problem{}
	}
	s.problems.Store(&problems)
	s.hub.Send(Event{Name: "errors", Data: jsonLine(map[string]any{"errors": problems})}, nil)
}

func jsonLine(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return []byte("{}")
	}
	return b // json.Marshal escapes no newlines into the output
}

// loopbackHost reports whether a Host header names this machine's loopback.
func loopbackHost(host string) bool {
	if host == "" {
		return false
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	lower := strings.ToLower(host)
	if lower == "localhost" || strings.HasSuffix(lower, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// contentTypes fixes the types of the files a help center holds, so they
// do not depend on the machine's MIME database.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
	".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
	".json": "application/json", ".xml": "application/xml; charset=utf-8",
	".txt": "text/plain; charset=utf-8", ".md": "text/plain; charset=utf-8",
	".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
	".gif": "image/gif", ".webp": "image/webp", ".avif": "image/avif", ".ico": "image/x-icon",
	".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf", ".otf": "font/otf",
	".pdf": "application/pdf", ".zip": "application/zip", ".mp4": "video/mp4", ".webm": "video/webm",
	".map": "application/json", ".wasm": "application/wasm", ".csv": "text/csv; charset=utf-8",
}

func contentType(name string, body []byte) string {
	ext := strings.ToLower(path.Ext(name))
	if ct, ok := contentTypes[ext]; ok {
		return ct
	}
	if ct := mime.TypeByExtension(ext); ct != "" {
		return ct
	}
	return http.DetectContentType(body)
}

// badPath reports request paths that try to climb out or smuggle bytes.
func badPath(p string) bool {
	if strings.ContainsAny(p, "\\\x00") {
		return true
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." || seg == "." {
			return true
		}
	}
	return false
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	if !loopbackHost(r.Host) {
		http.Error(w, "livedocs serve answers only to loopback host names (localhost, 127.0.0.1, [::1])", http.StatusForbidden)
		return
	}
	for p, mh := range s.opts.Mounts {
		if strings.HasPrefix(r.URL.Path, p) {
			mh.ServeHTTP(w, r)
			return
		}
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	if !strings.HasPrefix(p, "/") || badPath(p) || badPath(r.URL.RawPath) || strings.Contains(strings.ToLower(r.URL.RawPath), "%2e%2e") {
		http.Error(w, "bad path", http.StatusBadRequest)
		return
	}
	switch p {
	case "/__livedocs/reload.js":
		h.Set("Content-Type", "text/javascript; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		http.ServeContent(w, r, "reload.js", time.Time{}, strings.NewReader(reloadJS))
		return
	case "/__livedocs/events":
		s.serveEvents(w, r)
		return
	case "/__livedocs/status":
		s.serveStatus(w, r)
		return
	}
	if s.opts.Prefix != "" {
		if p == "/" || p == s.opts.Prefix {
			http.Redirect(w, r, s.opts.Prefix+"/", http.StatusFound)
			return
		}
		if !strings.HasPrefix(p, s.opts.Prefix+"/") {
			s.notFound(w, r)
			return
		}
		p = strings.TrimPrefix(p, s.opts.Prefix)
	}
	st := s.state.Load()
	name := p
	if strings.HasSuffix(name, "/") {
		name += "index.html"
	}
	body, ok := st.files[name]
	if !ok {
		if _, dir := st.files[name+"/index.html"]; dir && !strings.HasSuffix(name, "/") {
			target := s.opts.Prefix + p + "/"
			if r.URL.RawQuery != "" {
				target += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, target, http.StatusMovedPermanently)
			return
		}
		s.notFoundIn(w, r, st)
		return
	}
	ct := contentType(name, body)
	h.Set("Content-Type", ct)
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", s.etag(st, name, body))
	if strings.HasPrefix(ct, "text/html") {
		body = s.inject(body, st.build)
	}
	http.ServeContent(w, r, name, st.mod[name], bytes.NewReader(body))
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.notFoundIn(w, r, s.state.Load())
}

func (s *Server) notFoundIn(w http.ResponseWriter, r *http.Request, st *fileState) {
	body, ok := st.files["/404.html"]
	if !ok {
		body = []byte("<!doctype html><title>Not found</title><h1>Not found</h1><p>No page here yet.</p>")
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	body = s.inject(body, st.build)
	w.WriteHeader(http.StatusNotFound)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// etag is a hash of the file's bytes plus the server run.
func (s *Server) etag(st *fileState, name string, body []byte) string {
	if e, ok := st.etags.Load(name); ok {
		return e.(string)
	}
	var b [8]byte
	sum := maphash.Bytes(s.seed, body)
	for i := range b {
		b[i] = byte(sum >> (8 * i))
	}
	e := `"` + hex.EncodeToString(b[:]) + "-" + s.id + `"`
	st.etags.Store(name, e)
	return e
}

// inject adds the live-reload script before </head> (or at the start).
func (s *Server) inject(body []byte, build uint64) []byte {
	tag := `<script src="/__livedocs/reload.js" data-build="` + strconv.FormatUint(build, 10) +
		`" data-server="` + s.id + `" data-prefix="` + htmlAttr(s.opts.Prefix) + `" defer></script>`
	i := bytes.Index(body, []byte("</head>"))
	if i < 0 {
		i = bytes.Index(body, []byte("</HEAD>"))
	}
	if i < 0 {
		i = 0
	}
	out := make([]byte, 0, len(body)+len(tag))
	out = append(out, body[:i]...)
	out = append(out, tag...)
	return append(out, body[i:]...)
}

func htmlAttr(s string) string {
	return strings.NewReplacer("&", "&amp;", `"`, "&quot;", "<", "&lt;", ">", "&gt;", "'", "&#39;").Replace(s)
}

// pagePath turns a browser's location.pathname into a file path.
func (s *Server) pagePath(p string) string {
	if s.opts.Prefix != "" {
		p = strings.TrimPrefix(p, s.opts.Prefix)
	}
	if p == "" || strings.HasSuffix(p, "/") {
		return p + "index.html"
	}
	if path.Ext(p) == "" {
		return p + "/index.html"
	}
	return p
}

func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page := s.pagePath(q.Get("path"))
	since, _ := strconv.ParseUint(q.Get("build"), 10, 64)
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	c := s.hub.Subscribe(page)
	if c == nil {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	defer s.hub.Unsubscribe(c)
	w.WriteHeader(http.StatusOK)
	write := func(ev Event) bool {
		rc.SetWriteDeadline(time.Now().Add(10 * time.Second))
		var b bytes.Buffer
		if ev.Name != "" {
			b.WriteString("event: " + ev.Name + "\n")
		}
		b.WriteString("data: ")
		b.Write(ev.Data)
		b.WriteString("\n\n")
		if _, err := w.Write(b.Bytes()); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	st := s.state.Load()
	if _, err := w.Write([]byte("retry: 1000\n\n")); err != nil {
		return
	}
	if !write(Event{Name: "hello", Data: jsonLine(map[string]any{"server": s.id, "build": st.build})}) {
		return
	}
	if p := s.Problems(); p != nil {
		if !write(Event{Name: "errors", Data: jsonLine(map[string]any{"errors": p})}) {
			return
		}
	}
	if q.Has("build") && st.changed[page] > since {
		if !write(Event{Name: "reload", Data: jsonLine(map[string]any{"build": st.build})}) {
			return
		}
	}
	ping := time.NewTicker(15 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case ev, ok := <-c.Events():
			if !ok || !write(ev) {
				return
			}
		case <-ping.C:
			rc.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if _, err := w.Write([]byte(": ping\n\n")); err != nil || rc.Flush() != nil {
				return
			}
		}
	}
}
