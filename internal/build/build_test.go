package build

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"livedocs/internal/config"
	"livedocs/internal/content"
)

// site returns a MapFS holding files, plus a category and section folder.
func site(files map[string]string) fstest.MapFS {
	fs := fstest.MapFS{
		"content/guides/_index.md":        {Data: []byte("---\ntitle: Guides\nweight: 1\n---\n")},
		"content/guides/basics/_index.md": {Data: []byte("---\ntitle: Basics\n---\n")},
	}
	for name, data := range files {
		fs[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return fs
}

func article(id, title, body string) string {
	return "---\ntitle: " + title + "\nid: " + id + "\n---\n" + body
}

func testOptions(fsys fstest.MapFS) Options {
	cfg := config.Default()
	cfg.Title = "Test"
	cfg.BaseURL = "https://help.example.com"
	return Options{
		Root: ".", Config: cfg, FS: fsys,
		KnownCheck: func(id string) bool { return id == "admin-consent-workflow" },
	}
}

func buildFS(t *testing.T, fsys fstest.MapFS) (*Result, content.Errors) {
	t.Helper()
	b, err := New(testOptions(fsys))
	if err != nil {
		t.Fatal(err)
	}
	res, err := b.Build()
	if err != nil {
		ce, ok := err.(content.Errors)
		if !ok {
			t.Fatalf("build: %v", err)
		}
		return nil, ce
	}
	return res, nil
}

// TestBuildErrors asserts the exact path:line:col text of each content error.
func TestBuildErrors(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"missing id", map[string]string{"content/guides/basics/a.md": "---\ntitle: A\n---\nHi\n"},
			[]string{"content/guides/basics/a.md:1:1: missing id: add a unique id (e.g. id: \"1042\") to the front matter, or run `livedocs ids --assign` to give every article without one a fresh ID"}},
		{"unknown key", map[string]string{"content/guides/basics/a.md": "---\ntitle: A\nid: 1\ncolour: red\n---\n"},
			[]string{"content/guides/basics/a.md:4:1: unknown front-matter key \"colour\""}},
		{"bad type", map[string]string{"content/guides/basics/a.md": "---\ntitle: A\nid: 1\nweight: heavy\n---\n"},
			[]string{"content/guides/basics/a.md:4:1: value \"heavy\" must be a whole number"}},
		{"unclosed front matter", map[string]string{"content/guides/basics/a.md": "---\ntitle: A\n"},
			[]string{"content/guides/basics/a.md:1:1: front matter starts with --- but is never closed"}},
		{"duplicate id", map[string]string{
			"content/guides/basics/a.md": article("7", "A", ""),
			"content/guides/basics/b.md": article("7", "B", "")},
			[]string{"content/guides/basics/b.md:3:1: duplicate id \"7\": content/guides/basics/a.md has it too"}},
		{"broken link", map[string]string{"content/guides/basics/a.md": article("1", "A", "See [there](missing.md).\n")},
			[]string{"content/guides/basics/a.md:5:5: broken link \"missing.md\": no article at content/guides/basics/missing.md"}},
		{"broken anchor", map[string]string{
			"content/guides/basics/a.md": article("1", "A", "See [b](b.md#nowhere).\n"),
			"content/guides/basics/b.md": article("2", "B", "## Somewhere\n")},
			[]string{"content/guides/basics/a.md:5:5: broken link \"b.md#nowhere\": content/guides/basics/b.md has no anchor #nowhere"}},
		{"missing image", map[string]string{"content/guides/basics/a.md": article("1", "A", "\n![Shot](shot.png)\n")},
			[]string{"content/guides/basics/a.md:6:1: image \"shot.png\" not found at content/guides/basics/shot.png"}},
		{"alias collides", map[string]string{
			"content/guides/basics/a.md": "---\ntitle: A\nid: 1\naliases:\n  - /guides/basics/b/\n---\n",
			"content/guides/basics/b.md": article("2", "B", "")},
			[]string{"content/guides/basics/a.md:5:1: alias /guides/basics/b/ collides with content/guides/basics/b.md"}},
		{"duplicate step id", map[string]string{"content/guides/basics/a.md": article("1", "A", "1. x <!-- id: go -->\n2. y <!-- id: go -->\n")},
			[]string{"content/guides/basics/a.md:6:1: duplicate anchor \"go\" (also defined on line 5)"}},
		{"unknown check", map[string]string{"content/guides/basics/a.md": article("1", "A", "1. x <!-- check: no-such-check -->\n")},
			[]string{"content/guides/basics/a.md:5:1: unknown check \"no-such-check\" (run `livedocs checks` for the list)"}},
		{"check off a step", map[string]string{"content/guides/basics/a.md": article("1", "A", "Para <!-- check: admin-consent-workflow -->\n")},
			[]string{"content/guides/basics/a.md:5:6: marker must be on a step (an item of a top-level numbered list) or a heading"}},
		{"all at once, sorted", map[string]string{
			"content/guides/basics/b.md": article("1", "B", "[x](nope.md)\n"),
			"content/guides/basics/a.md": "---\ntitle: A\n---\n"},
			[]string{
				"content/guides/basics/a.md:1:1: missing id: add a unique id (e.g. id: \"1042\") to the front matter, or run `livedocs ids --assign` to give every article without one a fresh ID",
				"content/guides/basics/b.md:5:1: broken link \"nope.md\": no article at content/guides/basics/nope.md",
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, errs := buildFS(t, site(c.files))
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

func TestWarnLinksMode(t *testing.T) {
	fsys := site(map[string]string{"content/guides/basics/a.md": article("1", "A", "See [x](gone.md).\n")})
	opts := testOptions(fsys)
	opts.Config.Links = "warn"
	b, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	res, err := b.Build()
	if err != nil {
		t.Fatalf("warn mode failed the build: %v", err)
	}
	if len(res.Warnings) != 1 || !strings.HasPrefix(res.Warnings[0].Error(), "content/guides/basics/a.md:5:5: warning: broken link") {
		t.Errorf("warnings = %v", res.Warnings)
	}
}

func TestPagesAndRedirects(t *testing.T) {
	fsys := site(map[string]string{
		"content/guides/basics/a.md": "---\ntitle: Alpha & <Omega>\nid: 42\naliases: [/old/alpha]\ntags: [x]\n---\n1. First\n2. Second\n\nGo to [B](b.md#more).\n",
		"content/guides/basics/b.md": "---\ntitle: Beta\nid: b-2\ntags: [x]\ndraft: false\n---\n## More\n",
		"content/guides/basics/d.md": "---\ntitle: Draft\nid: 9\ndraft: true\n---\n",
	})
	res, errs := buildFS(t, fsys)
	if errs != nil {
		t.Fatal(errs)
	}
	page := string(res.Files["/guides/basics/a/index.html"])
	for _, want := range []string{
		`<h1 id="article-title">Alpha &amp; &lt;Omega&gt;</h1>`,
		`<li id="step-2" class="step" data-step="2">`,
		`href="/guides/basics/b/#more"`,
		`<link rel="canonical" href="https://help.example.com/guides/basics/a/">`,
		`rel="next" href="/guides/basics/b/"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("article page lacks %q", want)
		}
	}
	for _, p := range []string{"/a/42/index.html", "/old/alpha/index.html"} {
		if !strings.Contains(string(res.Files[p]), `location.replace("/guides/basics/a/" + location.hash)`) {
			t.Errorf("%s is not a redirect to the article:\n%s", p, res.Files[p])
		}
	}
	if _, ok := res.Files["/guides/basics/d/index.html"]; ok {
		t.Error("draft was published without --drafts")
	}
	for _, p := range []string{"/index.html", "/guides/index.html", "/guides/basics/index.html", "/404.html", "/search/index.html", "/sitemap.xml", "/robots.txt", "/assets/chroma.css"} {
		if len(res.Files[p]) == 0 {
			t.Errorf("missing %s", p)
		}
	}
	if !strings.Contains(string(res.Files["/sitemap.xml"]), "<loc>https://help.example.com/guides/basics/b/</loc>") {
		t.Error("sitemap lacks article")
	}
}

func TestDeterministic(t *testing.T) {
	fsys := site(map[string]string{
		"content/guides/basics/a.md": article("1", "A", "```go\nfunc main() {}\n```\n"),
		"content/guides/basics/b.md": article("2", "B", "## Hi\n"),
	})
	r1, _ := buildFS(t, fsys)
	r2, _ := buildFS(t, fsys)
	if !reflect.DeepEqual(r1.Files, r2.Files) {
		t.Fatal("two builds of the same input differ")
	}
	d1, d2 := t.TempDir()+"/out", t.TempDir()+"/out"
	if err := Write(d1, r1.Files); err != nil {
		t.Fatal(err)
	}
	if err := Write(d2, r2.Files); err != nil {
		t.Fatal(err)
	}
	for p, b := range r1.Files {
		got, err := os.ReadFile(filepath.Join(d2, filepath.FromSlash(p)))
		if err != nil || string(got) != string(b) {
			t.Errorf("%s differs on disk", p)
		}
	}
}

// TestFailedWriteKeepsOutput: a write that fails part-way leaves the
// previous output whole, and a successful one replaces it entirely.
func TestFailedWriteKeepsOutput(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "public")
	if err := Write(dir, map[string][]byte{"/index.html": []byte("v1"), "/old.html": []byte("old")}); err != nil {
		t.Fatal(err)
	}
	// A path that cannot be written (a file where a folder must go).
	bad := map[string][]byte{"/index.html": []byte("v2"), "/x": []byte("file"), "/x/y.html": []byte("no")}
	if err := Write(dir, bad); err == nil {
		t.Fatal("expected the write to fail")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "index.html")); string(b) != "v1" {
		t.Errorf("index.html = %q after a failed write, want v1", b)
	}
	if err := Write(dir, map[string][]byte{"/index.html": []byte("v3")}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "index.html")); string(b) != "v3" {
		t.Errorf("index.html = %q, want v3", b)
	}
	if _, err := os.Stat(filepath.Join(dir, "old.html")); !os.IsNotExist(err) {
		t.Error("old.html survived a full replace")
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(dir), ".public.tmp-*"))
	if len(left) != 0 {
		t.Errorf("temporary folders left behind: %v", left)
	}
}

func TestLedger(t *testing.T) {
	fsys := site(map[string]string{
		"content/guides/basics/a.md": article("1", "A", "## Setup\n\n1. One\n2. Two\n"),
		"content/guides/basics/b.md": article("2", "B", ""),
	})
	b, _ := New(testOptions(fsys))
	res, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	l, err := b.Ledger(res)
	if err != nil {
		t.Fatal(err)
	}
	ledger := string(l.Bytes())
	for _, want := range []string{"/guides/basics/a/\t1\tcontent/guides/basics/a.md", "/guides/basics/a/#step-2\t1\t", "/guides/basics/a/#setup\t1\t"} {
		if !strings.Contains(ledger, want) {
			t.Errorf("ledger lacks %q:\n%s", want, ledger)
		}
	}
	fsys["content/urls.ledger"] = &fstest.MapFile{Data: l.Bytes()}

	t.Run("rename records a redirect", func(t *testing.T) {
		f := cloneFS(fsys)
		f["content/guides/basics/a.md"] = &fstest.MapFile{Data: []byte("---\ntitle: A\nid: 1\nslug: alpha\n---\n## Setup\n\n1. One\n2. Two\n")}
		res, errs := buildFS(t, f)
		if errs != nil {
			t.Fatal(errs)
		}
		if !strings.Contains(string(res.Files["/guides/basics/a/index.html"]), `location.replace("/guides/basics/alpha/"`) {
			t.Errorf("old URL is not a redirect: %s", res.Files["/guides/basics/a/index.html"])
		}
	})
	t.Run("removal fails", func(t *testing.T) {
		f := cloneFS(fsys)
		delete(f, "content/guides/basics/b.md")
		_, errs := buildFS(t, f)
		want := "content/urls.ledger:"
		if len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), want) ||
			!strings.Contains(errs[0].Error(), "/guides/basics/b/ (article 2, content/guides/basics/b.md) is no longer published") {
			t.Errorf("errors = %v", errs)
		}
	})
	t.Run("alias keeps a removed URL", func(t *testing.T) {
		f := cloneFS(fsys)
		delete(f, "content/guides/basics/b.md")
		f["content/guides/basics/a.md"] = &fstest.MapFile{Data: []byte("---\ntitle: A\nid: 1\naliases: [/guides/basics/b/]\n---\n## Setup\n\n1. One\n2. Two\n")}
		if _, errs := buildFS(t, f); errs != nil {
			t.Errorf("errors = %v", errs)
		}
	})
	t.Run("lost anchor fails, was: keeps it", func(t *testing.T) {
		f := cloneFS(fsys)
		f["content/guides/basics/a.md"] = &fstest.MapFile{Data: []byte(article("1", "A", "## Install\n\n1. One\n2. Two\n"))}
		_, errs := buildFS(t, f)
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), "/guides/basics/a/#setup is gone from content/guides/basics/a.md") {
			t.Errorf("errors = %v", errs)
		}
		f["content/guides/basics/a.md"] = &fstest.MapFile{Data: []byte(article("1", "A", "## Install <!-- was: setup -->\n\n1. One\n2. Two\n"))}
		res, errs := buildFS(t, f)
		if errs != nil {
			t.Fatalf("errors = %v", errs)
		}
		if !strings.Contains(string(res.Files["/guides/basics/a/index.html"]), `<span class="anchor-alias" id="setup"></span>`) {
			t.Error("old anchor not kept in the page")
		}
	})
}

func cloneFS(f fstest.MapFS) fstest.MapFS {
	out := fstest.MapFS{}
	for k, v := range f {
		out[k] = v
	}
	return out
}

// TestRebuildReresolvesDependents: a Builder reuses unchanged articles'
// link resolution only while nothing they can link to changed.
func TestRebuildReresolvesDependents(t *testing.T) {
	fsys := site(map[string]string{
		"content/guides/basics/a.md": article("1", "A", "See [b](b.md#setup).\n"),
		"content/guides/basics/b.md": article("2", "B", "## Setup\n"),
	})
	b, err := New(testOptions(fsys))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Build(); err != nil {
		t.Fatal(err)
	}
	// b.md loses the anchor; a.md is unchanged but its link now breaks.
	fsys["content/guides/basics/b.md"] = &fstest.MapFile{Data: []byte(article("2", "B", "## Install\n"))}
	_, err = b.Build()
	if err == nil || !strings.Contains(err.Error(), `content/guides/basics/a.md:5:5: broken link "b.md#setup": content/guides/basics/b.md has no anchor #setup`) {
		t.Fatalf("after removing the anchor: %v", err)
	}
	// b.md moves: a.md's link must follow it.
	fsys["content/guides/basics/b.md"] = &fstest.MapFile{Data: []byte("---\ntitle: B\nid: 2\nslug: beta\n---\n## Setup\n")}
	res, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(res.Files["/guides/basics/a/index.html"]), `href="/guides/basics/beta/#setup"`) {
		t.Error("unchanged article kept a stale link after its target moved")
	}
	// A title change elsewhere keeps the link and the page right.
	fsys["content/guides/basics/b.md"] = &fstest.MapFile{Data: []byte("---\ntitle: Beta renamed\nid: 2\nslug: beta\n---\n## Setup\n")}
	res, err = b.Build()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(res.Files["/guides/basics/a/index.html"]), `href="/guides/basics/beta/#setup"`) {
		t.Error("link lost after an unrelated title change")
	}
}

// TestThemeOverride: a site theme replaces default theme files one by one.
func TestThemeOverride(t *testing.T) {
	fsys := site(map[string]string{
		"content/guides/basics/a.md":        article("1", "A", "Hi\n"),
		"themes/acme/static/style.css":      "body{color:teal}",
		"themes/acme/templates/404.html":    `{{define "title"}}Lost{{end}}{{define "bodyclass"}}x{{end}}{{define "main"}}<p>Acme lost</p>{{end}}`,
		"themes/acme/static/extra/logo.svg": "<svg/>",
	})
	opts := testOptions(fsys)
	opts.Config.Theme = "themes/acme"
	b, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	res, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	if got := string(res.Files["/assets/style.css"]); got != "body{color:teal}" {
		t.Errorf("style.css = %.40q, want the site theme's", got)
	}
	if !strings.Contains(string(res.Files["/404.html"]), "<p>Acme lost</p>") {
		t.Error("404 template not overridden")
	}
	if len(res.Files["/assets/site.js"]) == 0 || len(res.Files["/assets/extra/logo.svg"]) == 0 {
		t.Error("default files or the site theme's own files are missing")
	}
	if !strings.Contains(string(res.Files["/guides/basics/a/index.html"]), `class="article-body"`) {
		t.Error("article template should still come from the default theme")
	}
	opts.Config.Theme = "themes/missing"
	if _, err := New(opts); err == nil || !strings.Contains(err.Error(), "open theme themes/missing") {
		t.Errorf("missing theme: %v", err)
	}
}

// TestIncrementalHonoursIgnoredKeys: the watch server's builder checks the
// site exactly as a full build does, ignore_front_matter included.
func TestIncrementalHonoursIgnoredKeys(t *testing.T) {
	fsys := site(map[string]string{"content/guides/basics/a.md": "---\ntitle: A\nid: 1\nms.topic: how-to\n---\nHi\n"})
	opts := testOptions(fsys)
	opts.Config.IgnoreKeys = []string{"ms.*"}
	in, err := NewIncremental(opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := in.Build(); err != nil {
		t.Fatalf("incremental build: %v", err)
	}
}
