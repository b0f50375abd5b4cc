package main

// End-to-end tests of the built sample site in headless Chromium: the
// steps of the admin-approval article, their copy-link controls and
// anchors, highlighting on #step-N, heading anchors, a clean console on
// every kind of page, and screenshots as artifacts. They need Chromium
// (see package browsertest); under CI=true a missing browser fails them.

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"livedocs/internal/browsertest"
	"livedocs/internal/build"
	"livedocs/internal/content"
	"livedocs/internal/server"
)

const approvalPath = "/connecting-accounts/microsoft-365/microsoft-365-admin-approval/"

// serveSample builds the repository's own sample site in memory, as
// `livedocs build` does, and serves it on loopback the way a deployment
// does: the site, plus the live checks service under /__checks/ (with its
// built-in demo tenant, so nothing leaves the machine) that the article's
// checks widget calls.
func serveSample(t *testing.T) *httptest.Server {
	t.Helper()
	pf := projectFlags{root: "../..", config: "config.yaml"}
	opts, err := pf.options()
	if err != nil {
		t.Fatalf("load sample config: %v", err)
	}
	opts.Config.Checks.ServiceURL = "/__checks" // as livedocs serve sets it
	b, err := build.New(opts)
	if err != nil {
		t.Fatalf("set up build: %v", err)
	}
	res, err := b.Build()
	if err != nil {
		t.Fatalf("build sample site: %v", err)
	}
	checksAPI, err := checksService(t.Context(), opts.Config, checksServiceOptions{
		Site: func() *content.Site { return res.Site },
		Demo: true,
	})
	if err != nil {
		t.Fatalf("start checks service: %v", err)
	}
	s := server.New(server.Options{})
	s.Publish(res.Files, false)
	mux := http.NewServeMux()
	mux.Handle("/__checks/", checksAPI)
	mux.Handle("/", s)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	// Cleanups run last-first: closing the hub ends the live-reload streams
	// so that srv.Close does not wait on them.
	t.Cleanup(s.Close)
	return srv
}

// stepInfo is what the page reports about one step.
type stepInfo struct {
	ID       string `json:"id"`
	Step     string `json:"step"`
	LinkHref string `json:"linkHref"`
	LinkText string `json:"linkLabel"`
	Alias    string `json:"alias"`
}

// box is an element's position relative to the viewport.
type box struct {
	Top, Bottom, Left, Right float64
	ViewW, ViewH             float64
	Class                    string
	// Hit reports that the element is what is painted at its own top
	// centre, so no sticky header covers it.
	Hit bool
}

// boxOf returns the box of the element matched by the CSS selector sel.
func boxOf(t *testing.T, b *browsertest.Browser, sel string) box {
	t.Helper()
	js := `(() => {
	  const el = document.querySelector(` + jsString(sel) + `);
	  if (!el) return null;
	  const r = el.getBoundingClientRect();
	  const probe = document.elementFromPoint(r.left + r.width / 2, Math.max(r.top + 4, 0));
	  return {Top: r.top, Bottom: r.bottom, Left: r.left, Right: r.right,
	          ViewW: innerWidth, ViewH: innerHeight, Class: el.className,
	          Hit: !!probe && el.contains(probe)};
	})()`
	p := browsertest.Eval[*box](b, js)
	if p == nil {
		t.Fatalf("no element matches %s", sel)
	}
	return *p
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestE2EArticleSteps(t *testing.T) {
	srv := serveSample(t)
	b := browsertest.New(t)
	b.GrantClipboard(srv.URL)
	b.RecordClipboardWrites()
	articleURL := srv.URL + approvalPath

	if status := b.Navigate(articleURL); status != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200", approvalPath, status)
	}

	// Every step has a unique id, consecutive numbers, a copy-link control
	// pointing at its id, and an alias anchor #step-N inside it.
	steps := browsertest.Eval[[]stepInfo](b, `[...document.querySelectorAll(".article-body li.step")].map(li => {
	  const a = li.querySelector(":scope > a.step-link");
	  const alias = li.querySelector(":scope > .step-alias");
	  return {id: li.id, step: li.dataset.step, linkHref: a ? a.getAttribute("href") : "",
	          linkLabel: a ? a.getAttribute("aria-label") : "", alias: alias ? alias.id : li.id};
	})`)
	if len(steps) < 8 {
		t.Fatalf("found %d steps, want at least 8", len(steps))
	}
	seen := map[string]bool{}
	for i, s := range steps {
		n := i + 1
		if s.ID == "" || seen[s.ID] {
			t.Errorf("step %d: id %q is empty or repeated", n, s.ID)
		}
		seen[s.ID] = true
		if want := strconv.Itoa(n); s.Step != want {
			t.Errorf("step %d: data-step = %q, want %q", n, s.Step, want)
		}
		if s.LinkHref != "#"+s.ID {
			t.Errorf("step %d: step-link href = %q, want %q", n, s.LinkHref, "#"+s.ID)
		}
		if !strings.Contains(s.LinkText, "step "+strconv.Itoa(n)) {
			t.Errorf("step %d: step-link label = %q, want it to name the step", n, s.LinkText)
		}
		if want := "step-" + strconv.Itoa(n); s.Alias != want {
			t.Errorf("step %d: alias anchor = %q, want %q", n, s.Alias, want)
		}
	}
	b.ExpectNoConsoleErrors()

	// Clicking a step's "#" copies the absolute URL with its hash, sets the
	// hash, leaves the scroll position alone and highlights the step.
	second := steps[1]
	linkSel := `li.step[data-step="2"] > a.step-link`
	b.Do(chromedp.ScrollIntoView(chromedp.CSS(`li.step[data-step="2"]`)))
	before := browsertest.Eval[float64](b, `scrollY`)
	b.Do(chromedp.Click(chromedp.CSS(linkSel)))
	want := articleURL + "#" + second.ID
	if got := b.ClipboardWrites(); len(got) != 1 || got[0] != want {
		t.Errorf("clipboard writes after clicking step 2's link = %q, want [%q]", got, want)
	}
	if got := b.Clipboard(); got != want {
		t.Errorf("clipboard holds %q, want %q", got, want)
	}
	if got := browsertest.Eval[string](b, `location.href`); got != want {
		t.Errorf("location after click = %q, want %q", got, want)
	}
	if after := browsertest.Eval[float64](b, `scrollY`); after != before {
		t.Errorf("clicking the step link scrolled the page from %v to %v", before, after)
	}
	if got := boxOf(t, b, "#"+second.ID); !strings.Contains(got.Class, "is-highlighted") {
		t.Errorf("step 2 class = %q after its link was clicked, want is-highlighted", got.Class)
	}
	b.Do(chromedp.Poll[chromedp.Void](`(document.querySelector(".toast") || {}).textContent === "Link copied"`,
		chromedp.WithPollingTimeout(5*time.Second)))

	// Heading anchors: every linked heading has one, pointing at itself, and
	// clicking it copies the heading's URL.
	bad := browsertest.Eval[[]string](b, `[...document.querySelectorAll(".article-body :is(h2,h3,h4)[id]")]
	  .filter(h => { const a = h.querySelector("a.anchor"); return !a || a.getAttribute("href") !== "#" + h.id; })
	  .map(h => h.id)`)
	if len(bad) > 0 {
		t.Errorf("headings without a working anchor: %q", bad)
	}
	b.Do(chromedp.Click(chromedp.CSS(`#for-administrators > a.anchor`)))
	wantHeading := articleURL + "#for-administrators"
	if got := b.ClipboardWrites(); len(got) != 2 || got[1] != wantHeading {
		t.Errorf("clipboard writes after clicking a heading anchor = %q, want the second to be %q", got, wantHeading)
	}
	if got := browsertest.Eval[string](b, `location.hash`); got != "#for-administrators" {
		t.Errorf("hash after clicking a heading anchor = %q", got)
	}
	if got := boxOf(t, b, "#for-administrators"); !strings.Contains(got.Class, "is-highlighted") {
		t.Errorf("heading class = %q, want is-highlighted", got.Class)
	}
	if got := boxOf(t, b, "#"+second.ID); strings.Contains(got.Class, "is-highlighted") {
		t.Errorf("step 2 kept its highlight after another link was clicked")
	}

	// Table of contents entries lead to headings that exist.
	missing := browsertest.Eval[[]string](b, `[...document.querySelectorAll(".toc a")]
	  .map(a => a.getAttribute("href")).filter(h => !document.getElementById(h.slice(1)))`)
	if len(missing) > 0 {
		t.Errorf("table of contents links to missing anchors: %q", missing)
	}

	// "Was this article helpful?" answers on the page.
	b.Do(chromedp.Click(chromedp.CSS(`form[data-helpful] button[value="yes"]`)))
	if got := browsertest.Eval[string](b, `document.querySelector(".helpful-thanks").textContent`); got == "" {
		t.Error("no thank-you after answering \"Was this article helpful?\"")
	}
	b.ExpectNoConsoleErrors()

	// Opening a link to #step-4 scrolls step 4 into view and highlights it,
	// at both sizes.
	for _, v := range []browsertest.Viewport{browsertest.Desktop, browsertest.Phone} {
		b.SetViewport(v)
		b.Navigate(srv.URL + "/")
		b.Navigate(articleURL + "#step-4")
		step4 := "#" + steps[3].ID
		b.Do(chromedp.Poll[chromedp.Void](`document.querySelector(`+jsString(step4)+`).classList.contains("is-highlighted")`,
			chromedp.WithPollingTimeout(5*time.Second)))
		// Let the scroll settle for one frame before measuring.
		browsertest.Eval[bool](b, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`)
		got := boxOf(t, b, step4)
		if got.Top < 0 || got.Top > got.ViewH/2 || got.Bottom > got.ViewH {
			t.Errorf("%s: step 4 spans %.0f–%.0f in a %.0f px viewport, want it in view near the top", v.Name, got.Top, got.Bottom, got.ViewH)
		}
		if !got.Hit {
			t.Errorf("%s: the top of step 4 is covered by another element", v.Name)
		}
		if others := browsertest.Eval[int](b, `document.querySelectorAll(".is-highlighted").length`); others != 1 {
			t.Errorf("%s: %d elements highlighted, want only step 4", v.Name, others)
		}

		// A later hash change moves the highlight and the view.
		b.Do(chromedp.Evaluate[chromedp.Void](`location.hash = "#step-8"`))
		step8 := "#" + steps[7].ID
		b.Do(chromedp.Poll[chromedp.Void](`document.querySelector(`+jsString(step8)+`).classList.contains("is-highlighted")`,
			chromedp.WithPollingTimeout(5*time.Second)))
		browsertest.Eval[bool](b, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`)
		if got := boxOf(t, b, step8); got.Top < 0 || got.Top > got.ViewH/2 || !got.Hit {
			t.Errorf("%s: after hashchange step 8 top is at %.0f (covered: %v), want it visible near the top", v.Name, got.Top, !got.Hit)
		}
		if got := boxOf(t, b, step4); strings.Contains(got.Class, "is-highlighted") {
			t.Errorf("%s: step 4 is still highlighted after the hash moved to step 8", v.Name)
		}
		b.ExpectNoConsoleErrors()
	}
}

func TestE2ECodeCopy(t *testing.T) {
	srv := serveSample(t)
	b := browsertest.New(t)
	b.GrantClipboard(srv.URL)
	b.RecordClipboardWrites()
	b.Navigate(srv.URL + "/troubleshooting/reference/contact-support/")
	n := browsertest.Eval[int](b, `document.querySelectorAll(".code .code-copy").length`)
	blocks := browsertest.Eval[int](b, `document.querySelectorAll(".code").length`)
	if blocks == 0 {
		t.Fatal("the contact-support article has no code block to test with")
	}
	if n != blocks {
		t.Fatalf("%d copy buttons for %d code blocks", n, blocks)
	}
	want := browsertest.Eval[string](b, `document.querySelector(".code pre").textContent.replace(/\n$/, "")`)
	b.Do(chromedp.Click(chromedp.CSS(`.code .code-copy`)))
	if got := b.ClipboardWrites(); len(got) != 1 || got[0] != want {
		t.Errorf("copy button wrote %q, want [%q]", got, want)
	}
	// The label changes once the clipboard promise settles.
	b.Do(chromedp.Poll[chromedp.Void](`document.querySelector(".code .code-copy").textContent === "Copied"`,
		chromedp.WithPollingTimeout(5*time.Second)))
	b.ExpectNoConsoleErrors()
}

// layoutShiftJS resolves to the page's cumulative layout shift so far,
// leaving out shifts right after user input, as the CLS metric does.
const layoutShiftJS = `new Promise(resolve => {
  let sum = 0;
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) sum += e.value;
  }).observe({type: "layout-shift", buffered: true});
  setTimeout(() => resolve(sum), 300);
})`

func TestE2EConsoleClean(t *testing.T) {
	srv := serveSample(t)
	b := browsertest.New(t)
	pages := []struct {
		path   string
		status int
		marker string // a selector that only that kind of page has
	}{
		{"/", http.StatusOK, "body.page-home .category-grid"},
		{"/connecting-accounts/", http.StatusOK, "body.page-list .section-block"},
		{approvalPath, http.StatusOK, "body.page-article li.step"},
		{"/search/", http.StatusOK, "body.page-search .search-input"},
		{"/search/?q=admin+approval", http.StatusOK, "body.page-search .search-input"},
		{"/no-such-page/", http.StatusNotFound, "body.page-404"},
	}
	for _, v := range []browsertest.Viewport{browsertest.Desktop, browsertest.Phone} {
		b.SetViewport(v)
		for _, p := range pages {
			url := srv.URL + p.path
			if status := b.Navigate(url); status != p.status {
				t.Errorf("%s %s: status %d, want %d", v.Name, p.path, status, p.status)
			}
			if !browsertest.Eval[bool](b, `!!document.querySelector(`+jsString(p.marker)+`)`) {
				t.Errorf("%s %s: no %s on the page", v.Name, p.path, p.marker)
			}
			// Nothing may be wider than the screen (tables scroll inside).
			if w := browsertest.Eval[float64](b, `document.documentElement.scrollWidth - innerWidth`); w > 0 {
				t.Errorf("%s %s: page is %.0f px wider than the viewport", v.Name, p.path, w)
			}
			// Let the checks widget settle, then add up the layout shifts
			// the page made on its own (badges and bars arriving, images
			// loading): the theme reserves their space, so there are none.
			b.Do(chromedp.Poll[chromedp.Void](`(() => { const a = document.querySelector("article[data-checks]");
			  return !a || a.matches(".checks-ready, .checks-off"); })()`, chromedp.WithPollingTimeout(10*time.Second)))
			cls := browsertest.Eval[float64](b, layoutShiftJS)
			if cls > 0.01 {
				t.Errorf("%s %s: cumulative layout shift %.3f, want none", v.Name, p.path, cls)
			}
			var allow []browsertest.Allow
			if p.status == http.StatusNotFound {
				allow = append(allow, browsertest.AllowNetworkError(url))
			}
			b.ExpectNoConsoleErrors(allow...)
		}
	}
}

func TestE2EScreenshots(t *testing.T) {
	srv := serveSample(t)
	b := browsertest.New(t)
	for _, v := range []browsertest.Viewport{browsertest.Phone, browsertest.Desktop} {
		b.SetViewport(v)
		for _, p := range []struct{ name, path string }{{"home", "/"}, {"article", approvalPath}} {
			b.Navigate(srv.URL + p.path)
			b.Screenshot(p.name + "-" + v.Name)
		}
	}
	b.EmulateMedia("", "dark")
	b.Navigate(srv.URL + approvalPath + "#step-4")
	b.Screenshot("article-step-4-dark-" + browsertest.Desktop.Name)
	b.ExpectNoConsoleErrors()
}

func TestE2EKeyboard(t *testing.T) {
	srv := serveSample(t)
	b := browsertest.New(t)
	b.Navigate(srv.URL + approvalPath)

	// The first Tab reaches the skip link, which then shows on screen.
	b.Press('\t')
	if got := browsertest.Eval[string](b, `document.activeElement.className`); got != "skip-link" {
		t.Fatalf("first Tab focused %q, want the skip link", got)
	}
	if sl := boxOf(t, b, ".skip-link"); sl.Top < 0 || sl.Bottom > sl.ViewH || sl.Bottom-sl.Top < 10 {
		t.Errorf("focused skip link spans %.0f–%.0f, want it visible", sl.Top, sl.Bottom)
	}
	b.Press('\r')
	if got := browsertest.Eval[string](b, `document.activeElement.id`); got != "main" {
		t.Errorf("after following the skip link focus is on %q, want main", got)
	}

	// "/" jumps to the search box.
	b.Press('/')
	if got := browsertest.Eval[string](b, `document.activeElement.className`); !strings.Contains(got, "search-input") {
		t.Errorf("after / focus is on %q, want the search input", got)
	}
	if got := browsertest.Eval[string](b, `document.activeElement.value`); got != "" {
		t.Errorf("typing / to focus search also typed %q into it", got)
	}
	b.ExpectNoConsoleErrors()
}
