package browsertest

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

const testPage = `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>t</title><link rel="icon" href="data:,"></head>
<body style="margin:0">
<button id="copy" onclick="navigator.clipboard.writeText('copied ' + location.pathname)">Copy</button>
<button id="boom" onclick="setTimeout(() => { throw new Error('boom') })">Throw</button>
<div style="height:3000px"></div>
</body></html>`

// keysPage moves focus to the input on "/" and cancels the key, as a
// search shortcut does; Ctrl-K is recorded.
const keysPage = `<!doctype html><title>k</title><link rel="icon" href="data:,">
<input id="i"><script>
window.ctrlK = false;
document.addEventListener("keydown", e => {
  if (e.key === "/" && document.activeElement.id !== "i") { e.preventDefault(); document.getElementById("i").focus(); }
  if (e.key === "k" && e.ctrlKey) { e.preventDefault(); window.ctrlK = true; }
});
</script>`

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/page", "/other":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(testPage))
		case "/keys":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(keysPage))
		case "/log":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(`<!doctype html><title>l</title><link rel="icon" href="data:,"><script>console.error("bad %s", "thing", 42)</script>`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestBrowserConsole(t *testing.T) {
	srv := newServer(t)
	b := New(t)

	if status := b.Navigate(srv.URL + "/page"); status != http.StatusOK {
		t.Fatalf("status of /page = %d, want 200", status)
	}
	if got := b.ConsoleErrors(); len(got) != 0 {
		t.Fatalf("a clean page recorded console errors: %v", got)
	}

	b.Navigate(srv.URL + "/log")
	b.Do(chromedp.Navigate(srv.URL + "/page"))
	b.Do(chromedp.Click(chromedp.CSS("#boom")))
	Eval[bool](b, `new Promise(r => setTimeout(() => r(true), 50))`)
	missing := srv.URL + "/missing"
	if status := b.Navigate(missing); status != http.StatusNotFound {
		t.Errorf("status of /missing = %d, want 404", status)
	}

	var sawLog, sawThrow, sawNetwork bool
	for _, m := range b.ConsoleErrors() {
		switch {
		case m.Type == chromedp.ConsoleError && strings.Contains(m.Text, "bad") && strings.Contains(m.Text, "42"):
			sawLog = true
		case m.Type == chromedp.ConsoleException && strings.Contains(m.Text, "boom"):
			sawThrow = true
		case AllowNetworkError(missing)(m):
			sawNetwork = true
		}
	}
	if !sawLog || !sawThrow || !sawNetwork {
		t.Errorf("console.error seen %v, exception seen %v, 404 seen %v; recorded %v", sawLog, sawThrow, sawNetwork, b.ConsoleErrors())
	}

	// The harness reports unexpected errors through the TB it was given.
	b.ResetConsole()
	b.Navigate(srv.URL + "/log")
	rec := &recorder{TB: t}
	b.t = rec
	b.ExpectNoConsoleErrors()
	b.t = t
	if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "bad") {
		t.Errorf("ExpectNoConsoleErrors reported %q, want one error about console.error", rec.errors)
	}
	if got := b.ConsoleErrors(); len(got) != 0 {
		t.Errorf("ExpectNoConsoleErrors left %d messages recorded", len(got))
	}
	b.Navigate(missing)
	b.ExpectNoConsoleErrors(AllowNetworkError(missing))
}

// recorder captures Errorf calls instead of failing the test.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestBrowserClipboardAndViewport(t *testing.T) {
	srv := newServer(t)
	b := New(t)
	b.GrantClipboard(srv.URL)
	b.RecordClipboardWrites()

	b.Navigate(srv.URL + "/page")
	b.Do(chromedp.Click(chromedp.CSS("#copy")))
	if got := b.ClipboardWrites(); len(got) != 1 || got[0] != "copied /page" {
		t.Errorf("ClipboardWrites = %q, want [\"copied /page\"]", got)
	}
	if got := b.Clipboard(); got != "copied /page" {
		t.Errorf("Clipboard = %q, want %q", got, "copied /page")
	}

	// The recorder is installed in every new document, empty at first.
	b.Navigate(srv.URL + "/other")
	if got := b.ClipboardWrites(); len(got) != 0 {
		t.Errorf("ClipboardWrites after navigation = %q, want none", got)
	}

	for _, v := range []Viewport{Phone, Desktop} {
		b.SetViewport(v)
		if w := Eval[int64](b, `window.innerWidth`); w != v.Width {
			t.Errorf("%s: innerWidth = %d, want %d", v.Name, w, v.Width)
		}
	}
	b.ExpectNoConsoleErrors()
}

func TestBrowserScreenshot(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("LIVEDOCS_ARTIFACTS", dir)
	srv := newServer(t)
	b := New(t)
	b.SetViewport(Phone)
	b.Navigate(srv.URL + "/page")
	path := b.Screenshot("full page/phone")

	want := filepath.Join(dir, "TestBrowserScreenshot", "full_page_phone.png")
	if path != want {
		t.Errorf("screenshot path = %s, want %s", path, want)
	}
	png, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("screenshot is not a PNG")
	}
	// A full-page shot covers the 3000 px tall page, not only the viewport.
	// PNG IHDR: width and height are big-endian at bytes 16..24.
	h := int(png[20])<<24 | int(png[21])<<16 | int(png[22])<<8 | int(png[23])
	if h < 3000 {
		t.Errorf("screenshot height = %d, want the full page (>= 3000)", h)
	}
}

func TestBrowserFindChromiumEnv(t *testing.T) {
	t.Setenv("LIVEDOCS_CHROMIUM", filepath.Join(t.TempDir(), "no-such-browser"))
	if _, err := FindChromium(); err == nil || !strings.Contains(err.Error(), "LIVEDOCS_CHROMIUM") {
		t.Errorf("FindChromium with a bad LIVEDOCS_CHROMIUM: err = %v, want one naming the variable", err)
	}
}

func TestBrowserKeysAndMedia(t *testing.T) {
	srv := newServer(t)
	b := New(t)
	b.Navigate(srv.URL + "/keys")

	// A cancelled keydown types nothing, as with a real keyboard.
	b.Press('/')
	if got := Eval[string](b, `document.activeElement.id`); got != "i" {
		t.Fatalf("after / focus is on %q, want the input", got)
	}
	if got := Eval[string](b, `document.getElementById("i").value`); got != "" {
		t.Errorf("cancelled / typed %q", got)
	}
	// Keys that are not cancelled type their text.
	b.Press('a')
	b.Press('/')
	if got := Eval[string](b, `document.getElementById("i").value`); got != "a/" {
		t.Errorf("typing a/ into the input gave %q", got)
	}
	b.Press('k', chromedp.ModifierCtrl)
	if !Eval[bool](b, `window.ctrlK`) {
		t.Error("Ctrl-K did not reach the page with ctrlKey set")
	}
	if got := Eval[string](b, `document.getElementById("i").value`); got != "a/" {
		t.Errorf("Ctrl-K typed into the input: %q", got)
	}

	for _, scheme := range []string{"dark", "light"} {
		b.EmulateMedia("", scheme)
		if !Eval[bool](b, `matchMedia("(prefers-color-scheme: `+scheme+`)").matches`) {
			t.Errorf("prefers-color-scheme: %s does not match after EmulateMedia", scheme)
		}
	}
	b.EmulateMedia("print", "")
	if !Eval[bool](b, `matchMedia("print").matches`) {
		t.Error("print media does not match after EmulateMedia")
	}
	b.ExpectNoConsoleErrors()
}
