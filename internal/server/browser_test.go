package server

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"livedocs/internal/browsertest"
)

// TestBrowserLiveReload opens an article in Chromium and edits the project
// on disk: the new text appears without a manual reload at the same scroll
// position; broken front matter shows the overlay, fixing it removes it; a
// CSS change applies without a reload.
func TestBrowserLiveReload(t *testing.T) {
	dir := project(t, map[string]string{
		"config.yaml":                 "title: Test Help\ntheme: site-theme\n",
		"site-theme/static/style.css": "body { color: rgb(0, 0, 0) }\n",
	})
	h := startLive(t, dir)
	b := browsertest.New(t)
	b.SetViewport(browsertest.Desktop)
	if code := b.Navigate(h.ts.URL + "/help/fixes/sync/"); code != 200 {
		t.Fatalf("status %d", code)
	}
	waitJS := func(what, expr string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if browsertest.Eval[bool](b, `(function () { try { return !!(`+expr+`) } catch (e) { return false } })()`) {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("timed out waiting for %s (%s)", what, expr)
	}
	waitJS("live reload to connect", `!!window.__livedocs`)
	time.Sleep(200 * time.Millisecond) // let the EventSource open
	browsertest.Eval[bool](b, `window.scrollTo(0, 1500), true`)
	y0 := browsertest.Eval[float64](b, `window.scrollY`)
	if y0 < 1000 {
		t.Fatalf("page too short to test scrolling: scrollY %v", y0)
	}

	// 1. Edit the markdown: new text, same scroll position, no manual reload.
	write(t, dir, "content/help/fixes/sync.md", art("3", "Fix sync", 1,
		"Read [next](../../guides/basics/next.md).\n\n"+strings.Repeat("Filler paragraph to scroll past.\n\n", 80)+"The new ending.\n"))
	waitJS("the edited text", `document.body.innerText.includes("The new ending.")`)
	waitJS("the scroll position restored", `Math.abs(window.scrollY - `+ftoa(y0)+`) < 5`)

	// 2. Break the front matter: the overlay lists the error and the line.
	write(t, dir, "content/help/fixes/sync.md", "---\ntitle: Fix sync\nid: \"3\"\nweight: <heavy>\n---\nBody.\n")
	waitJS("the overlay", `!!document.getElementById("livedocs-overlay")`)
	text := browsertest.Eval[string](b, `document.getElementById("livedocs-overlay").shadowRoot.textContent`)
	for _, want := range []string{"content/help/fixes/sync.md:4:1", `value "<heavy>" must be a whole number`, "weight: <heavy>"} {
		if !strings.Contains(text, want) {
			t.Errorf("overlay text %q lacks %q", text, want)
		}
	}
	if n := browsertest.Eval[int](b, `document.getElementById("livedocs-overlay").shadowRoot.querySelectorAll("heavy").length`); n != 0 {
		t.Errorf("overlay parsed the message as HTML")
	}
	if !browsertest.Eval[bool](b, `document.body.innerText.includes("The new ending.")`) {
		t.Errorf("the last good page was replaced while the build is broken")
	}

	// 3. Fix it: the overlay goes away by itself.
	write(t, dir, "content/help/fixes/sync.md", art("3", "Fix sync", 1, "Read [next](../../guides/basics/next.md).\n\nFixed again.\n"))
	waitJS("the overlay to vanish", `!document.getElementById("livedocs-overlay")`)
	waitJS("the fixed text", `document.body.innerText.includes("Fixed again.")`)

	// 4. Change the CSS: applied without a reload (the marker survives).
	h.settle(0) // no reload of step 3 still on its way
	waitJS("the page to be loaded", `document.readyState === "complete"`)
	browsertest.Eval[bool](b, `window.__marker = 42, true`)
	write(t, dir, "site-theme/static/style.css", "body { color: rgb(200, 0, 0) }\n")
	waitJS("the new CSS", `getComputedStyle(document.body).color === "rgb(200, 0, 0)"`)
	if m := browsertest.Eval[int](b, `window.__marker || 0`); m != 42 {
		t.Errorf("the page reloaded for a CSS change")
	}
	b.ExpectNoConsoleErrors()
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
