package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildBinary compiles the livedocs command once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "livedocs")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// writeSite writes a site of n articles with some code to highlight.
func writeSite(t *testing.T, dir string, n int) {
	t.Helper()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "config.yaml"), []byte("title: Kill test\n"), 0o644))
	sec := filepath.Join(dir, "content", "cat", "sec")
	must(os.MkdirAll(sec, 0o755))
	for i := 0; i < n; i++ {
		body := fmt.Sprintf("---\ntitle: Article %d\nid: %d\n---\n## Intro\n\n1. Step one\n2. Step two\n\n```go\nfunc f%d() int { return %d }\n```\n", i, i+1, i, i)
		must(os.WriteFile(filepath.Join(sec, fmt.Sprintf("a%d.md", i)), []byte(body), 0o644))
	}
}

// snapshot returns every file under dir with its contents.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		out[strings.TrimPrefix(p, dir)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameTree(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestKilledBuildLeavesOutputWhole kills real builds at several moments and
// checks that public/ is always either the previous output or the new one,
// never a mixture or missing.
func TestKilledBuildLeavesOutputWhole(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command and a 1,500-article site")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	writeSite(t, dir, 1500)
	run := func(ctx context.Context) *exec.Cmd {
		c := exec.CommandContext(ctx, bin, "build", "--root", dir, "--no-ledger")
		c.Stderr = os.Stderr
		return c
	}
	if err := run(context.Background()).Run(); err != nil {
		t.Fatal(err)
	}
	public := filepath.Join(dir, "public")
	old := snapshot(t, public)
	// Change every article's title so a finished build differs everywhere.
	sec := filepath.Join(dir, "content", "cat", "sec")
	entries, _ := os.ReadDir(sec)
	for _, e := range entries {
		p := filepath.Join(sec, e.Name())
		b, _ := os.ReadFile(p)
		os.WriteFile(p, []byte(strings.Replace(string(b), "title: Article", "title: Changed", 1)), 0o644)
	}
	for _, after := range []time.Duration{20 * time.Millisecond, 80 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond} {
		c := run(context.Background())
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(after)
		c.Process.Signal(syscall.SIGKILL)
		c.Wait()
		now := snapshot(t, public)
		if sameTree(now, old) {
			continue
		}
		if now["/cat/sec/a7/index.html"] == "" || !strings.Contains(now["/cat/sec/a7/index.html"], "Changed 7") || len(now) != len(old) {
			t.Fatalf("killed after %v: public/ is neither the old nor a complete new output (%d files)", after, len(now))
		}
		old = now // a build that finished before the kill is the new baseline
	}
	// A later build cleans up the killed builds' temporary folders.
	if err := run(context.Background()).Run(); err != nil {
		t.Fatal(err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".public.tmp-*"))
	if len(left) != 0 {
		t.Errorf("temporary folders left: %v", left)
	}
}

// TestBuildReportsAllErrors runs the command on broken content.
func TestBuildReportsAllErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	writeSite(t, dir, 2)
	sec := filepath.Join(dir, "content", "cat", "sec")
	os.WriteFile(filepath.Join(sec, "bad.md"), []byte("---\ntitle: Bad\nid: 1\nmood: grumpy\n---\n[x](nope.md)\n"), 0o644)
	c := exec.Command(bin, "build", "--root", dir)
	out, err := c.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit = %v, want status 1\n%s", err, out)
	}
	want := []string{
		"content/cat/sec/bad.md:3:1: duplicate id \"1\": content/cat/sec/a0.md has it too",
		"content/cat/sec/bad.md:4:1: unknown front-matter key \"mood\"",
		"content/cat/sec/bad.md:6:1: broken link \"nope.md\": no article at content/cat/sec/nope.md",
	}
	for _, w := range want {
		if !strings.Contains(string(out), w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "public")); !os.IsNotExist(err) {
		t.Error("a failed build created public/")
	}
}

// TestBuildDeterministic builds the sample help center twice, search index
// included, and compares the two output folders byte for byte.
func TestBuildDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	bin := buildBinary(t)
	var trees []map[string]string
	for i := 0; i < 2; i++ {
		out := filepath.Join(t.TempDir(), "public")
		c := exec.Command(bin, "build", "--root", "../..", "--out", out, "--no-ledger")
		if b, err := c.CombinedOutput(); err != nil {
			t.Fatalf("build: %v\n%s", err, b)
		}
		trees = append(trees, snapshot(t, out))
	}
	if len(trees[0]) < 50 {
		t.Fatalf("only %d files built", len(trees[0]))
	}
	if !sameTree(trees[0], trees[1]) {
		for p, b := range trees[0] {
			if trees[1][p] != b {
				t.Errorf("%s differs between two builds", p)
			}
		}
		t.Fatal("two builds of the same input differ")
	}
	var index bool
	for p := range trees[0] {
		index = index || strings.HasPrefix(p, "/search/")
	}
	if !index {
		t.Error("no search index in the output")
	}
}
