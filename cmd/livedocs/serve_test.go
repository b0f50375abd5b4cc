package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the command and the test at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func sampleProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"config.yaml":                "title: Serve Test\n",
		"content/guides/_index.md":   "---\ntitle: Guides\n---\n",
		"content/guides/basics/a.md": "---\ntitle: Alpha\nid: \"1\"\n---\nHello.\n",
		"content/guides/basics/b.md": "---\ntitle: Beta draft\nid: \"2\"\ndraft: true\n---\nSoon.\n",
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var urlRE = regexp.MustCompile(`serving \d+ articles at (http://127\.0\.0\.1:\d+/)`)

// TestServePortZero: --port 0 picks a free port and prints the URL; the
// server answers there, shows drafts with a badge, and stops cleanly when
// the context ends (Ctrl-C).
func TestServePortZero(t *testing.T) {
	dir := sampleProject(t)
	var out, errOut syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- (&serveCmd{stdout: &out, stderr: &errOut}).Run(ctx, []string{"--root", dir, "--port", "0"})
	}()
	var url string
	for deadline := time.Now().Add(10 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := urlRE.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		}
	}
	if url == "" {
		cancel()
		t.Fatalf("no URL printed; stdout %q stderr %q", out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "serving 2 articles") {
		t.Errorf("stdout %q: want both articles, drafts included by default", out.String())
	}
	resp, err := http.Get(url + "guides/basics/b/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `badge-draft`) {
		t.Errorf("draft page: %d, badge shown: %v", resp.StatusCode, strings.Contains(string(body), "badge-draft"))
	}
	// An open event stream must not hold up shutdown.
	ev, err := http.Get(url + "__livedocs/events?path=/")
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(4 * time.Second):
		t.Fatal("serve did not stop within 4s of Ctrl-C")
	}
	if !strings.Contains(out.String(), "stopped") {
		t.Errorf("stdout %q", out.String())
	}
}

// TestServeBusyPort: a taken port is a clear error naming it.
func TestServeBusyPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	var out, errOut syncBuffer
	err = (&serveCmd{stdout: &out, stderr: &errOut}).Run(context.Background(), []string{"--root", sampleProject(t), "--port", fmt.Sprint(port)})
	if err == nil {
		t.Fatal("Run succeeded on a busy port")
	}
	want := fmt.Sprintf("port %d on 127.0.0.1 is already in use", port)
	if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "--port 0") {
		t.Errorf("error %q, want it to contain %q and suggest --port 0", err, want)
	}
}

// TestServeNoDrafts: --drafts=false leaves drafts out.
func TestServeNoDrafts(t *testing.T) {
	var out, errOut syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- (&serveCmd{stdout: &out, stderr: &errOut}).Run(ctx, []string{"--root", sampleProject(t), "--port", "0", "--drafts=false"})
	}()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(out.String(), "serving") && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
	}
	cancel()
	<-done
	if !strings.Contains(out.String(), "serving 1 articles") {
		t.Errorf("stdout %q: want the draft left out", out.String())
	}
}
