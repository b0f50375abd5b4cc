package search

import (
	"bytes"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"livedocs/internal/browsertest"
	"livedocs/internal/config"
	"livedocs/internal/content"
	"livedocs/internal/markdown"
	"livedocs/internal/render"
	"livedocs/internal/server"
)

// renderSample renders the sample site with the default theme and its
// search index. Pages that do not yet load search.js get the two tags
// the layout is meant to carry.
func renderSample(t *testing.T) render.Files {
	t.Helper()
	cfg, err := config.Load("../../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p := markdown.New()
	site, errs := content.NewLoader(p).Load(os.DirFS("../.."), content.Options{Dir: "content", KnownCheck: func(string) bool { return true }})
	if site == nil || len(errs.Fatal()) > 0 {
		t.Fatalf("load sample site: %v", errs)
	}
	r, err := render.New(render.Options{Config: cfg, Theme: []fs.FS{os.DirFS("../../themes/default")}, Parser: p})
	if err != nil {
		t.Fatal(err)
	}
	files, err := r.Render(site)
	if err != nil {
		t.Fatal(err)
	}
	for _, as := range site.Assets {
		files[as.URL], _ = fs.ReadFile(os.DirFS("../.."), as.Path)
	}
	if err := NewIndexer().Add(site, files); err != nil {
		t.Fatal(err)
	}
	tags := []byte(`<link rel="stylesheet" href="/assets/search.css"><script src="/assets/search.js" defer></script></head>`)
	for name, b := range files {
		if strings.HasSuffix(name, ".html") && !bytes.Contains(b, []byte("search.js")) {
			files[name] = bytes.Replace(b, []byte("</head>"), tags, 1)
		}
	}
	return files
}

// waitFor polls a JavaScript condition until it holds or 5 s pass.
func waitFor(t *testing.T, b *browsertest.Browser, cond string) {
	t.Helper()
	ok := browsertest.Eval[bool](b, fmt.Sprintf(`new Promise((resolve) => {
		const start = performance.now();
		const tick = () => {
			let v = false;
			try { v = !!(%s); } catch (e) {}
			if (v) return resolve(true);
			if (performance.now() - start > 5000) return resolve(false);
			setTimeout(tick, 20);
		};
		tick();
	})`, cond))
	if !ok {
		t.Fatalf("timed out waiting for %s", cond)
	}
}

func TestBrowserSearch(t *testing.T) {
	files := renderSample(t)
	h := server.New(server.Options{})
	h.Publish(files, false)
	srv := httptest.NewServer(h)
	defer srv.Close()
	defer h.Close()
	b := browsertest.New(t)

	t.Run("nothing loads before focus", func(t *testing.T) {
		b.Navigate(srv.URL + "/")
		n := browsertest.Eval[int](b, `performance.getEntriesByType('resource').filter(e => e.name.includes('/search/')).length`)
		if n != 0 {
			t.Errorf("%d search files fetched before any search box had focus", n)
		}
	})

	t.Run("type, arrows, enter", func(t *testing.T) {
		b.Navigate(srv.URL + "/")
		b.Do(chromedp.Click(chromedp.CSS("#home-search")))
		b.Do(chromedp.SendKeys(chromedp.CSS("#home-search"), "aproval required"))
		waitFor(t, b, `document.querySelectorAll('#home-search ~ .search-popup [role=option]').length > 1 &&
			document.querySelector('#home-search ~ .search-popup .search-all').textContent.includes('aproval required')`)
		if got := browsertest.Eval[string](b, `document.getElementById('home-search').getAttribute('aria-expanded')`); got != "true" {
			t.Errorf("aria-expanded = %q, want true", got)
		}
		title := browsertest.Eval[string](b, `document.querySelector('.search-popup .search-option-title').textContent`)
		if !strings.Contains(title, "Approval required") {
			t.Errorf("first result %q, want the approval article", title)
		}
		if n := browsertest.Eval[int](b, `document.querySelectorAll('.search-popup mark').length`); n == 0 {
			t.Error("no highlighted words in the snippets")
		}
		b.Press([]rune(kb.ArrowDown)[0])
		sel := browsertest.Eval[string](b, `document.getElementById('home-search').getAttribute('aria-activedescendant')`)
		if want := browsertest.Eval[string](b, `document.querySelector('.search-popup [role=option]').id`); sel != want {
			t.Errorf("aria-activedescendant = %q, want the first option %q", sel, want)
		}
		b.Press('\r')
		want := srv.URL + "/connecting-accounts/microsoft-365/microsoft-365-admin-approval/"
		var loc string
		for i := 0; i < 50 && !strings.HasPrefix(loc, want); i++ {
			b.Do(chromedp.Sleep(100 * time.Millisecond))
			loc = browsertest.Run(b, chromedp.Location())
		}
		if !strings.HasPrefix(loc, want) {
			t.Errorf("Enter on the first result went to %s, want %s", loc, want)
		}
	})

	t.Run("slash focuses, escape closes", func(t *testing.T) {
		b.Navigate(srv.URL + "/getting-started/first-steps/keyboard-shortcuts/")
		b.Press('/')
		if id := browsertest.Eval[string](b, `document.activeElement.id`); id != "site-search" {
			t.Fatalf("after /, focus is on %q, want site-search", id)
		}
		b.Do(chromedp.SendKeys(chromedp.CSS("#site-search"), "AADSTS65001"))
		waitFor(t, b, `!document.querySelector('.header-search .search-popup').hidden`)
		b.Press([]rune(kb.Escape)[0])
		if !browsertest.Eval[bool](b, `document.querySelector('.header-search .search-popup').hidden`) {
			t.Error("Escape left the results open")
		}
	})

	t.Run("results page", func(t *testing.T) {
		b.Navigate(srv.URL + "/search/?q=AADSTS65001")
		waitFor(t, b, `document.querySelector('[data-search-results] .search-result-title a')`)
		href := browsertest.Eval[string](b, `document.querySelector('[data-search-results] .search-result-title a').getAttribute('href')`)
		if href != "/troubleshooting/reference/error-codes/#microsoft-365-errors" {
			t.Errorf("first result links to %q", href)
		}
		if v := browsertest.Eval[string](b, `document.getElementById('page-search').value`); v != "AADSTS65001" {
			t.Errorf("the search box shows %q", v)
		}
		// Only <mark> elements are ever created inside snippets.
		if n := browsertest.Eval[int](b, `document.querySelectorAll('.search-result-snippet *:not(mark)').length`); n != 0 {
			t.Errorf("%d unexpected elements inside snippets", n)
		}
	})

	missing := srv.URL + "/getting-started/keyboard-shortcuts/"
	t.Run("404 suggestions", func(t *testing.T) {
		if status := b.Navigate(missing); status != http.StatusNotFound {
			t.Fatalf("status %d, want 404", status)
		}
		waitFor(t, b, `document.querySelector('[data-notfound-suggestions] a')`)
		href := browsertest.Eval[string](b, `document.querySelector('[data-notfound-suggestions] .search-result-title a').getAttribute('href')`)
		if !strings.HasPrefix(href, "/getting-started/first-steps/keyboard-shortcuts/") {
			t.Errorf("first suggestion %q, want the keyboard shortcuts article", href)
		}
	})

	b.ExpectNoConsoleErrors(browsertest.AllowNetworkError(missing))
}
