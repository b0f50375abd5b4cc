// Package browsertest drives a headless Chromium from Go tests through
// chromedp, for tests that need a real browser: layout, scripts, focus,
// the clipboard.
//
// A test starts one browser with New and drives it through the returned
// *Browser:
//
//	b := browsertest.New(t)            // skips (or fails under CI=true) without Chromium
//	b.SetViewport(browsertest.Phone)
//	status := b.Navigate(srv.URL + "/")
//	n := browsertest.Eval[int](b, `document.querySelectorAll(".step").length`)
//	b.Do(chromedp.Click(chromedp.CSS(".step-link")))
//	b.Screenshot("home-phone")         // full page PNG under the artifacts folder
//	b.ExpectNoConsoleErrors()
//
// Finding the browser: the environment variable LIVEDOCS_CHROMIUM names the
// executable; otherwise the first of chromium, chromium-browser,
// google-chrome-stable, google-chrome and headless_shell found in PATH (or at
// /usr/bin/chromium) is used. When none is found the test is skipped with a
// message saying how to install one (`apt-get install chromium` on Debian),
// except when the environment variable CI is "true": there a missing browser
// fails the test, so a CI run cannot pass by skipping its browser tests.
//
// The browser runs headless with --no-sandbox, --disable-gpu,
// --disable-dev-shm-usage, no background networking, component updates, sync
// or first-run UI, and a fresh user-data-dir in t.TempDir(). It is closed in
// t.Cleanup.
//
// Console: from the moment New returns, every console.error (and failed
// console.assert), every uncaught exception or unhandled rejection and every
// browser log entry of level error (for example a failed resource load) is
// recorded. ConsoleErrors returns them; ExpectNoConsoleErrors reports each
// as a test error and clears the record. A page that is expected to log an
// error (a 404 document logs "Failed to load resource") passes an Allow func
// such as AllowNetworkError(url).
//
// Timeouts: every call (Do, Navigate, Eval, Screenshot…) runs with its own
// deadline, Browser.Timeout (30 s unless changed), and a failure or timeout
// ends the test with t.Fatal. Starting the browser has a 60 s limit.
//
// Clipboard: GrantClipboard grants clipboard-read and clipboard-write to an
// origin, and Clipboard reads the system clipboard with
// navigator.clipboard.readText. For pages whose copy code may fall back to
// document.execCommand, RecordClipboardWrites installs a script, on every new
// document, that records the text given to navigator.clipboard.writeText (and
// still calls the real one); ClipboardWrites returns the texts.
//
// Artifacts: Screenshot writes <dir>/<test name>/<name>.png where dir is
// LIVEDOCS_ARTIFACTS or else the test-artifacts folder at the module root
// (the folder holding go.mod, found upwards from the working directory).
package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Viewport is a window size in CSS pixels.
type Viewport struct {
	Name          string
	Width, Height int64
	Mobile        bool // emulate a touch phone (mobile meta viewport, touch events)
}

// The two sizes the help center is designed for.
var (
	Phone   = Viewport{Name: "phone", Width: 390, Height: 844, Mobile: true}
	Desktop = Viewport{Name: "desktop", Width: 1280, Height: 900}
)

// Browser is one headless Chromium with one tab, bound to a test.
type Browser struct {
	// Ctx is the chromedp context of the tab. Use it with chromedp.Run or
	// chromedp.Do for anything the helpers do not cover; derive a timeout
	// from it (never put a timeout on Ctx itself).
	Ctx context.Context
	// Timeout limits each helper call. It is 30 s after New.
	Timeout time.Duration

	t  testing.TB
	mu sync.Mutex
	// console holds the error messages seen since the last reset.
	console []chromedp.ConsoleMessage
}

// candidates are the executable names tried, in order, when
// LIVEDOCS_CHROMIUM is not set.
var candidates = []string{"chromium", "chromium-browser", "google-chrome-stable", "google-chrome", "headless_shell", "/usr/bin/chromium"}

// FindChromium returns the path of a Chromium or Chrome executable: the one
// LIVEDOCS_CHROMIUM names, or the first candidate found.
func FindChromium() (string, error) {
	if p := os.Getenv("LIVEDOCS_CHROMIUM"); p != "" {
		path, err := exec.LookPath(p)
		if err != nil {
			return "", fmt.Errorf("find LIVEDOCS_CHROMIUM %q: %w", p, err)
		}
		return path, nil
	}
	for _, name := range candidates {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", errors.New("find chromium: none of " + strings.Join(candidates, ", ") + " is installed")
}

// New starts a headless Chromium for the test and returns it. Without a
// browser it skips the test, or fails it when CI=true.
func New(t testing.TB) *Browser {
	t.Helper()
	path, err := FindChromium()
	if err != nil {
		msg := fmt.Sprintf("%v; install it with `sudo apt-get install chromium` (Debian) or set LIVEDOCS_CHROMIUM to a Chrome executable", err)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-breakpad", true),
		// No back/forward cache: a cached page would keep its connections
		// (e.g. an EventSource) open, and six of them exhaust the per-host
		// limit so that later navigations hang.
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints,BackForwardCache"),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.WindowSize(int(Desktop.Width), int(Desktop.Height)),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		// Close the browser gracefully, but never wait for it for long.
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_ = chromedp.Cancel(cctx)
		cancel()
		cancelCtx()
		cancelAlloc()
	})

	// The first Run binds the browser to ctx, so it must not carry a
	// deadline; a timer cancels the whole allocation instead if the start
	// hangs.
	timer := time.AfterFunc(60*time.Second, cancelAlloc)
	err = chromedp.Do(ctx)
	timer.Stop()
	if err != nil {
		t.Fatalf("start %s: %v", path, err)
	}

	b := &Browser{Ctx: ctx, Timeout: 30 * time.Second, t: t}
	if err := chromedp.Listen(ctx, b.record); err != nil {
		t.Fatalf("listen to the console: %v", err)
	}
	// A headless tab has no OS focus; emulating it keeps document.hasFocus()
	// true, which the clipboard API and :focus-visible need.
	b.call(func(ctx context.Context) error {
		_, err := chromedp.Call(ctx, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
		return err
	}, "enable focus emulation")
	b.SetViewport(Desktop)
	return b
}

// record is the chromedp listener: it keeps the error-level console
// messages. It runs on chromedp's read loop, so it only appends.
func (b *Browser) record(ev any) {
	var m chromedp.ConsoleMessage
	switch e := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if e.Type != runtime.ConsoleAPICalledTypeError && e.Type != runtime.ConsoleAPICalledTypeAssert {
			return
		}
		m = chromedp.ConsoleMessage{Type: chromedp.ConsoleType(e.Type), Text: argsText(e.Args), Args: e.Args, Stack: e.StackTrace}
		if e.StackTrace != nil && len(e.StackTrace.CallFrames) > 0 {
			f := e.StackTrace.CallFrames[0]
			m.URL, m.Line, m.Column = f.URL, f.LineNumber, f.ColumnNumber
		}
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		if d == nil {
			return
		}
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			desc, _, _ := strings.Cut(d.Exception.Description, "\n")
			text += " " + desc
		}
		m = chromedp.ConsoleMessage{Type: chromedp.ConsoleException, Text: text, URL: d.URL,
			Line: d.LineNumber, Column: d.ColumnNumber, Stack: d.StackTrace, Exception: d}
	case *log.EventEntryAdded:
		en := e.Entry
		if en == nil || en.Level != log.EntryLevelError {
			return
		}
		m = chromedp.ConsoleMessage{Type: chromedp.ConsoleType(en.Level), Text: en.Text, URL: en.URL,
			Line: en.LineNumber, Source: string(en.Source), Stack: en.StackTrace}
	default:
		return
	}
	b.mu.Lock()
	b.console = append(b.console, m)
	b.mu.Unlock()
}

// argsText joins console arguments roughly as DevTools shows them.
func argsText(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		var s string
		if len(a.Value) > 0 && json.Unmarshal(a.Value, &s) == nil {
			parts = append(parts, s)
		} else if len(a.Value) > 0 {
			parts = append(parts, string(a.Value))
		} else {
			parts = append(parts, a.Description)
		}
	}
	return strings.Join(parts, " ")
}

// ConsoleErrors returns the console errors, uncaught exceptions and
// error-level log entries recorded since New or the last reset.
func (b *Browser) ConsoleErrors() []chromedp.ConsoleMessage {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]chromedp.ConsoleMessage(nil), b.console...)
}

// ResetConsole forgets the recorded console errors.
func (b *Browser) ResetConsole() {
	b.mu.Lock()
	b.console = nil
	b.mu.Unlock()
}

// Allow tells ExpectNoConsoleErrors that a message is expected.
type Allow func(chromedp.ConsoleMessage) bool

// AllowNetworkError allows the browser's "Failed to load resource" entry
// for one URL, such as a document that is meant to answer 404.
func AllowNetworkError(url string) Allow {
	return func(m chromedp.ConsoleMessage) bool {
		return m.Source == "network" && m.URL == url
	}
}

// ExpectNoConsoleErrors reports every recorded console error that no allow
// func accepts as a test error, then clears the record.
func (b *Browser) ExpectNoConsoleErrors(allow ...Allow) {
	b.t.Helper()
	b.mu.Lock()
	msgs := b.console
	b.console = nil
	b.mu.Unlock()
next:
	for _, m := range msgs {
		for _, a := range allow {
			if a(m) {
				continue next
			}
		}
		b.t.Errorf("browser console %s: %s (%s:%d:%d)", m.Type, m.Text, m.URL, m.Line+1, m.Column+1)
	}
}

// call runs f with a context limited to b.Timeout and fails the test on
// error, naming what.
func (b *Browser) call(f func(ctx context.Context) error, what string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, b.Timeout)
	defer cancel()
	if err := f(ctx); err != nil {
		b.t.Fatalf("browser: %s: %v", what, err)
	}
}

// Do runs chromedp actions in order, within b.Timeout, failing the test on
// error.
func (b *Browser) Do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	b.call(func(ctx context.Context) error { return chromedp.Do(ctx, actions...) }, "run actions")
}

// Run runs one chromedp action that returns a value, within b.Timeout,
// failing the test on error.
func Run[T any](b *Browser, a chromedp.Action[T]) T {
	b.t.Helper()
	var v T
	b.call(func(ctx context.Context) error {
		var err error
		v, err = chromedp.Run(ctx, a)
		return err
	}, "run action")
	return v
}

// Eval evaluates a JavaScript expression in the page and decodes its
// (JSON-able) value into T. A promise is awaited.
func Eval[T any](b *Browser, expr string) T {
	b.t.Helper()
	var v T
	b.call(func(ctx context.Context) error {
		var err error
		v, err = chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
		return err
	}, "evaluate "+short(expr))
	return v
}

func short(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

// Navigate loads url, waits for its load event and returns the HTTP status
// of the document (0 when there was no HTTP response, e.g. a same-document
// hash change).
func (b *Browser) Navigate(url string) int {
	b.t.Helper()
	var status int
	b.call(func(ctx context.Context) error {
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
		if resp != nil {
			status = int(resp.Status)
		}
		return err
	}, "navigate to "+url)
	return status
}

// SetViewport resizes the page to v (device scale factor 1).
func (b *Browser) SetViewport(v Viewport) {
	b.t.Helper()
	opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
	if v.Mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
	}
	b.Do(chromedp.EmulateViewport(v.Width, v.Height, opts...))
}

// EmulateMedia overrides CSS media for the page: media is "" (screen, the
// default) or "print", and colorScheme is "", "light" or "dark" for
// prefers-color-scheme.
func (b *Browser) EmulateMedia(media, colorScheme string) {
	b.t.Helper()
	params := emulation.SetEmulatedMediaParams{Media: media}
	if colorScheme != "" {
		params.Features = []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: colorScheme}}
	}
	b.call(func(ctx context.Context) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, params)
		return err
	}, "emulate media")
}

// Press types the key for r as a keyboard does: one keyDown that carries
// the text, then keyUp. Unlike chromedp.KeyEvent, which sends the text as a
// separate "char" event, the text is not inserted when a keydown handler
// calls preventDefault. Modifiers such as chromedp.ModifierCtrl are held
// down for the key.
func (b *Browser) Press(r rune, modifiers ...chromedp.Modifier) {
	b.t.Helper()
	k, ok := kb.Keys[r]
	if !ok {
		b.t.Fatalf("browser: press %q: no such key", r)
	}
	var mods kb.Modifier
	for _, m := range modifiers {
		mods |= m
	}
	down := input.DispatchKeyEventParams{
		Type:                  input.DispatchKeyEventTypeKeyDown,
		Modifiers:             int64(mods),
		Key:                   k.Key,
		Code:                  k.Code,
		WindowsVirtualKeyCode: k.Windows,
		NativeVirtualKeyCode:  k.Native,
	}
	if k.Shift {
		down.Modifiers |= int64(kb.ModifierShift)
	}
	if k.Print && mods&^kb.ModifierShift == 0 {
		down.Text, down.UnmodifiedText = k.Text, k.Unmodified
	}
	if !k.Print {
		down.Type = input.DispatchKeyEventTypeRawKeyDown
	}
	up := down
	up.Type, up.Text, up.UnmodifiedText = input.DispatchKeyEventTypeKeyUp, "", ""
	for _, ev := range []input.DispatchKeyEventParams{down, up} {
		b.call(func(ctx context.Context) error {
			_, err := chromedp.Call(ctx, input.DispatchKeyEvent, ev)
			return err
		}, fmt.Sprintf("press %q", r))
	}
}

// ArtifactsDir returns the folder for test artifacts: LIVEDOCS_ARTIFACTS,
// or test-artifacts/ at the module root.
func ArtifactsDir() (string, error) {
	if d := os.Getenv("LIVEDOCS_ARTIFACTS"); d != "" {
		return filepath.Abs(d)
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find artifacts folder: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "test-artifacts"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find artifacts folder: no go.mod above the working directory; set LIVEDOCS_ARTIFACTS")
		}
		dir = parent
	}
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// Screenshot saves a full-page PNG of the current page as
// <artifacts>/<test name>/<name>.png and returns its path.
func (b *Browser) Screenshot(name string) string {
	b.t.Helper()
	png := Run(b, chromedp.FullScreenshot(100))
	root, err := ArtifactsDir()
	if err != nil {
		b.t.Fatal(err)
	}
	dir := filepath.Join(root, unsafeName.ReplaceAllString(b.t.Name(), "_"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatalf("save screenshot: %v", err)
	}
	path := filepath.Join(dir, unsafeName.ReplaceAllString(name, "_")+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatalf("save screenshot: %v", err)
	}
	b.t.Logf("screenshot %s", path)
	return path
}

// GrantClipboard lets pages of origin (e.g. "http://127.0.0.1:34567") read
// and write the clipboard without a prompt.
func (b *Browser) GrantClipboard(origin string) {
	b.t.Helper()
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		b.call(func(ctx context.Context) error {
			_, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
				Permission: &browser.PermissionDescriptor{Name: name},
				Setting:    browser.PermissionSettingGranted,
				Origin:     origin,
			})
			return err
		}, "grant "+name)
	}
}

// Clipboard returns the text on the clipboard, read by the page with
// navigator.clipboard.readText; call GrantClipboard for the page's origin
// first.
func (b *Browser) Clipboard() string {
	b.t.Helper()
	return Eval[string](b, `navigator.clipboard.readText()`)
}

// recorderJS wraps navigator.clipboard.writeText so that each text written
// is also kept in window.__browsertestClipboard.
const recorderJS = `(() => {
  const c = navigator.clipboard;
  window.__browsertestClipboard = [];
  if (!c || !c.writeText) return;
  const real = c.writeText.bind(c);
  c.writeText = (text) => {
    window.__browsertestClipboard.push(String(text));
    return real(text).catch(() => undefined);
  };
})();`

// RecordClipboardWrites makes every document loaded from now on record the
// texts passed to navigator.clipboard.writeText; read them with
// ClipboardWrites. The real writeText still runs, and a rejection of it is
// swallowed so that a page without clipboard permission logs no error.
func (b *Browser) RecordClipboardWrites() {
	b.t.Helper()
	b.call(func(ctx context.Context) error {
		_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: recorderJS})
		return err
	}, "install clipboard recorder")
}

// ClipboardWrites returns the texts the current document has passed to
// navigator.clipboard.writeText, oldest first (see RecordClipboardWrites).
func (b *Browser) ClipboardWrites() []string {
	b.t.Helper()
	return Eval[[]string](b, `window.__browsertestClipboard || []`)
}
