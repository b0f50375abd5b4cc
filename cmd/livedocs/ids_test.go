package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestIDsAssign(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "config.yaml"), []byte("title: T\n"), 0o644)
	sec := filepath.Join(dir, "content", "c", "s")
	os.MkdirAll(sec, 0o755)
	files := map[string]string{
		"has.md":   "---\ntitle: Has\nid: 1005\n---\nBody\n",
		"lacks.md": "---\ntitle: Lacks\n# a comment kept as is\ntags: [a]\n---\n\nBody *kept*.\n",
		"crlf.md":  "---\r\ntitle: Windows\r\n---\r\nBody\r\n",
		"none.md":  "# No front matter\n",
	}
	for n, b := range files {
		os.WriteFile(filepath.Join(sec, n), []byte(b), 0o644)
	}
	err := (&idsCmd{}).Run(context.Background(), []string{"--root", dir})
	if ee, ok := err.(*exitError); !ok || ee.code != 1 {
		t.Fatalf("listing missing ids: err = %v, want exit 1", err)
	}
	if err := (&idsCmd{}).Run(context.Background(), []string{"--root", dir, "--assign"}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"has.md":   files["has.md"],
		"crlf.md":  "---\r\nid: \"1006\"\r\ntitle: Windows\r\n---\r\nBody\r\n",
		"lacks.md": "---\nid: \"1007\"\ntitle: Lacks\n# a comment kept as is\ntags: [a]\n---\n\nBody *kept*.\n",
		"none.md":  "---\nid: \"1008\"\n---\n# No front matter\n",
	}
	for n, w := range want {
		got, _ := os.ReadFile(filepath.Join(sec, n))
		if string(got) != w {
			t.Errorf("%s =\n%q\nwant\n%q", n, got, w)
		}
	}
	if err := (&idsCmd{}).Run(context.Background(), []string{"--root", dir}); err != nil {
		t.Errorf("after --assign, ids still missing: %v", err)
	}
}
