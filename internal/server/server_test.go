package server

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"livedocs/internal/render"
)

func testServer(t *testing.T) *Server {
	t.Helper()
	s := New(Options{Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }})
	s.Publish(render.Files{
		"/index.html":              []byte("<!doctype html><html><head><title>Home</title></head><body>home</body></html>"),
		"/guides/a/index.html":     []byte("<html><head></head><body>article a</body></html>"),
		"/404.html":                []byte("<html><head></head><body>the site's 404 page</body></html>"),
		"/assets/style.css":        []byte("body{color:red}"),
		"/assets/site.js":          []byte("console.log(1)"),
		"/guides/a/diagram.svg":    []byte("<svg xmlns='http://www.w3.org/2000/svg'></svg>"),
		"/guides/a/shot.png":       []byte("\x89PNG\r\n\x1a\n"),
		"/sitemap.xml":             []byte("<?xml version=\"1.0\"?><urlset/>"),
		"/search/index.json":       []byte(`{}`),
		"/robots.txt":              []byte("User-agent: *\n"),
		"/guides/a/download.woff2": []byte("wOF2"),
	}, false)
	return s
}

func get(t *testing.T, h http.Handler, method, target string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, "http://127.0.0.1:8080"+target, nil)
	req.Host = "127.0.0.1:8080"
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestContentTypes(t *testing.T) {
	s := testServer(t)
	for p, want := range map[string]string{
		"/":                        "text/html; charset=utf-8",
		"/guides/a/":               "text/html; charset=utf-8",
		"/assets/style.css":        "text/css; charset=utf-8",
		"/assets/site.js":          "text/javascript; charset=utf-8",
		"/guides/a/diagram.svg":    "image/svg+xml",
		"/guides/a/shot.png":       "image/png",
		"/sitemap.xml":             "application/xml; charset=utf-8",
		"/search/index.json":       "application/json",
		"/robots.txt":              "text/plain; charset=utf-8",
		"/guides/a/download.woff2": "font/woff2",
		"/__livedocs/reload.js":    "text/javascript; charset=utf-8",
	} {
		rec := get(t, s, "GET", p, nil)
		if rec.Code != 200 {
			t.Errorf("GET %s: status %d", p, rec.Code)
		}
		if got := rec.Header().Get("Content-Type"); got != want {
			t.Errorf("GET %s: Content-Type %q, want %q", p, got, want)
		}
		if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no nosniff", p)
		}
	}
}

func TestPrettyURLsAnd404(t *testing.T) {
	s := testServer(t)
	rec := get(t, s, "GET", "/guides/a?x=1", nil)
	if rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != "/guides/a/?x=1" {
		t.Errorf("GET /guides/a: %d to %q, want 301 to /guides/a/?x=1", rec.Code, rec.Header().Get("Location"))
	}
	rec = get(t, s, "GET", "/guides/a/index.html", nil)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "article a") {
		t.Errorf("GET /guides/a/index.html: %d %q", rec.Code, rec.Body.String())
	}
	rec = get(t, s, "GET", "/nowhere/", nil)
	if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "the site's 404 page") {
		t.Errorf("GET /nowhere/: %d %q, want 404 with the site's page", rec.Code, rec.Body.String())
	}
	if !strings.Contains(rec.Body.String(), `src="/__livedocs/reload.js"`) {
		t.Errorf("404 page lacks the reload script, so it cannot notice the page appearing")
	}
}

func TestScriptInjection(t *testing.T) {
	s := testServer(t)
	body := get(t, s, "GET", "/", nil).Body.String()
	i := strings.Index(body, `<script src="/__livedocs/reload.js" data-build="1"`)
	if i < 0 || i > strings.Index(body, "</head>") {
		t.Errorf("reload script not injected before </head>:\n%s", body)
	}
	if strings.Contains(string(s.Files()["/index.html"]), "reload.js") {
		t.Errorf("the file set itself was modified")
	}
	if b := get(t, s, "GET", "/assets/style.css", nil).Body.String(); b != "body{color:red}" {
		t.Errorf("CSS was modified: %q", b)
	}
}

func TestConditionalRequests(t *testing.T) {
	s := testServer(t)
	rec := get(t, s, "GET", "/assets/style.css", nil)
	etag, lm := rec.Header().Get("ETag"), rec.Header().Get("Last-Modified")
	if etag == "" || lm != "Fri, 02 Jan 2026 03:04:05 GMT" {
		t.Fatalf("ETag %q, Last-Modified %q", etag, lm)
	}
	if rec := get(t, s, "GET", "/assets/style.css", map[string]string{"If-None-Match": etag}); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: status %d, want 304", rec.Code)
	}
	if rec := get(t, s, "GET", "/assets/style.css", map[string]string{"If-Modified-Since": lm}); rec.Code != http.StatusNotModified {
		t.Errorf("If-Modified-Since: status %d, want 304", rec.Code)
	}
	if rec := get(t, s, "HEAD", "/assets/style.css", nil); rec.Code != 200 || rec.Body.Len() != 0 || rec.Header().Get("ETag") != etag {
		t.Errorf("HEAD: %d, %d bytes, ETag %q", rec.Code, rec.Body.Len(), rec.Header().Get("ETag"))
	}
	// A new build with other CSS bytes changes the ETag; unchanged files keep theirs.
	jsTag := get(t, s, "GET", "/assets/site.js", nil).Header().Get("ETag")
	files := render.Files{}
	for k, v := range s.Files() {
		files[k] = v
	}
	files["/assets/style.css"] = []byte("body{color:blue}")
	d := s.Publish(files, false)
	if len(d.Changed) != 1 || d.Changed[0] != "/assets/style.css" || len(d.Added)+len(d.Removed) != 0 {
		t.Errorf("diff = %+v, want only style.css changed", d)
	}
	if rec := get(t, s, "GET", "/assets/style.css", map[string]string{"If-None-Match": etag}); rec.Code != 200 {
		t.Errorf("stale ETag: status %d, want 200", rec.Code)
	}
	if got := get(t, s, "GET", "/assets/site.js", nil).Header().Get("ETag"); got != jsTag {
		t.Errorf("unchanged file's ETag changed: %q → %q", jsTag, got)
	}
	if rec := get(t, s, "POST", "/", nil); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", rec.Code)
	}
}

// TestTraversal sends the classic escapes. The server maps no path to
// the disk, so at worst they would 404; they must never return a file.
func TestTraversal(t *testing.T) {
	s := testServer(t)
	for _, raw := range []string{
		"/../config.yaml", "/guides/../../config.yaml", "/%2e%2e/config.yaml", "/%2E%2E/%2E%2E/etc/passwd",
		"/guides/..%2f..%2fconfig.yaml", "/guides/%2e%2e%2f%2e%2e%2fetc/passwd", "/..%5c..%5cconfig.yaml",
		"/guides/a/..\\..\\config.yaml", "/./index.html", "/guides/%00/a", "/%252e%252e/config.yaml",
	} {
		req := httptest.NewRequest("GET", "http://127.0.0.1/", nil)
		u, err := url.ParseRequestURI(raw) // as net/http parses it: no dot-segment removal
		if err != nil {
			// Go refuses it before any handler: fine, but keep testing the rest.
			continue
		}
		req.URL = u
		req.RequestURI = raw
		req.Host = "127.0.0.1"
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusBadRequest && rec.Code != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 400 or 404", raw, rec.Code)
		}
		if b := rec.Body.String(); strings.Contains(b, "root:") || strings.Contains(b, "title:") {
			t.Errorf("GET %s leaked a file: %q", raw, b)
		}
	}
}

func TestHostCheck(t *testing.T) {
	s := testServer(t)
	for host, ok := range map[string]bool{
		"127.0.0.1:8080": true, "localhost:8080": true, "LOCALHOST": true, "[::1]:8080": true,
		"127.1.2.3": true, "docs.localhost:8080": true, "localhost.": true,
		"evil.com": false, "127.0.0.1.evil.com": false, "localhost.evil.com": false,
		"192.168.1.10:8080": false, "0.0.0.0:8080": false, "": false, "[::ffff:8.8.8.8]": false,
	} {
		rec := get(t, s, "GET", "/", map[string]string{"Host": host})
		if got := rec.Code == 200; got != ok {
			t.Errorf("Host %q: status %d, want allowed=%v", host, rec.Code, ok)
		}
	}
	for _, p := range []string{"/__livedocs/status", "/__livedocs/events", "/__livedocs/reload.js"} {
		if rec := get(t, s, "GET", p, map[string]string{"Host": "attacker.example"}); rec.Code != http.StatusForbidden {
			t.Errorf("%s with a foreign Host: status %d, want 403", p, rec.Code)
		}
	}
}

func TestNoCORS(t *testing.T) {
	s := testServer(t)
	rec := get(t, s, "GET", "/search/index.json", map[string]string{"Origin": "https://evil.example"})
	for k := range rec.Header() {
		if strings.HasPrefix(strings.ToLower(k), "access-control-") {
			t.Errorf("CORS header %s: %q", k, rec.Header().Get(k))
		}
	}
	if rec := get(t, s, "OPTIONS", "/", map[string]string{"Origin": "https://evil.example"}); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("OPTIONS preflight: %d, want 405", rec.Code)
	}
}

func TestPrefix(t *testing.T) {
	s := New(Options{Prefix: "/help/"})
	s.Publish(render.Files{"/index.html": []byte("<head></head>home"), "/404.html": []byte("nf")}, false)
	if rec := get(t, s, "GET", "/help/", nil); rec.Code != 200 || !strings.Contains(rec.Body.String(), "home") {
		t.Errorf("GET /help/: %d", rec.Code)
	}
	if rec := get(t, s, "GET", "/", nil); rec.Code != http.StatusFound || rec.Header().Get("Location") != "/help/" {
		t.Errorf("GET /: %d → %q", rec.Code, rec.Header().Get("Location"))
	}
	if rec := get(t, s, "GET", "/index.html", nil); rec.Code != 404 {
		t.Errorf("GET /index.html outside the prefix: %d", rec.Code)
	}
}

func TestStatusEscapes(t *testing.T) {
	s := testServer(t)
	s.Fail([]Problem{{Text: `content/x.md:1:1: bad <script>alert(1)</script>`, Source: `title: <img src=x onerror=alert(1)>`}})
	s.SetStatus(func() Status {
		return Status{Root: "/tmp/<b>", Rebuilds: []Rebuild{{Kind: "content", Trigger: []string{"Written content/<i>.md"}, Duration: 12 * time.Millisecond}}}
	})
	body := get(t, s, "GET", "/__livedocs/status", nil).Body.String()
	for _, bad := range []string{"<script>alert", "<img src=x", "<b>", "<i>.md"} {
		if strings.Contains(body, bad) {
			t.Errorf("status page contains unescaped %q", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;", "12ms", "Written content/&lt;i&gt;.md", "1 problem(s)"} {
		if !strings.Contains(body, want) {
			t.Errorf("status page lacks %q", want)
		}
	}
}

func TestHubDropsSlowClients(t *testing.T) {
	h := NewHub(2)
	fast, slow := h.Subscribe("/a/index.html"), h.Subscribe("/b/index.html")
	done := make(chan struct{})
	var got int
	go func() {
		for range fast.Events() {
			got++
		}
		close(done)
	}()
	for i := 0; i < 5; i++ {
		start := time.Now()
		h.Send(Event{Name: "reload"}, nil)
		if d := time.Since(start); d > 100*time.Millisecond {
			t.Fatalf("Send blocked for %v", d)
		}
		time.Sleep(5 * time.Millisecond) // let the fast reader drain
	}
	if _, open := <-slow.Events(); !open {
		t.Fatal("slow client's channel closed before its buffered events were read")
	}
	n := 1
	for range slow.Events() {
		n++
	}
	if n != 2 {
		t.Errorf("slow client got %d events, want its buffer of 2 and then a closed channel", n)
	}
	if h.Len() != 1 {
		t.Errorf("%d clients, want 1 (the slow one dropped)", h.Len())
	}
	sent, _ := h.Send(Event{Name: "x"}, func(c *Client) bool { return c.Path == "/b/index.html" })
	if sent != 0 {
		t.Errorf("filtered send reached %d clients", sent)
	}
	h.Close()
	<-done
	if got != 5 {
		t.Errorf("fast client got %d events, want 5", got)
	}
	h.Unsubscribe(slow) // safe after a drop
	if h.Subscribe("/c/") != nil {
		t.Errorf("Subscribe after Close returned a client")
	}
}

func TestEventsCatchUp(t *testing.T) {
	s := testServer(t)
	ts := httptest.NewServer(s)
	defer ts.Close()
	// The page was loaded at build 0; /guides/a/ changed in build 1.
	resp, err := http.Get(ts.URL + "/__livedocs/events?path=/guides/a/&build=0")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type %q", ct)
	}
	buf := make([]byte, 4096)
	var got string
	deadline := time.Now().Add(2 * time.Second)
	for !strings.Contains(got, "event: reload") && time.Now().Before(deadline) {
		n, err := resp.Body.Read(buf)
		got += string(buf[:n])
		if err == io.EOF {
			break
		}
	}
	if !strings.Contains(got, "event: hello") || !strings.Contains(got, "event: reload") {
		t.Errorf("stream %q: want hello then reload for a page changed since its build", got)
	}
}
