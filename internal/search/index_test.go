package search

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"livedocs/internal/content"
	"livedocs/internal/markdown"
	"livedocs/internal/render"
)

// diffFiles describes how two file sets differ, "" when they are equal.
func diffFiles(got, want render.Files) string {
	var out []string
	for p, b := range want {
		if g, ok := got[p]; !ok {
			out = append(out, "missing "+p)
		} else if !bytes.Equal(g, b) {
			out = append(out, "differs "+p)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			out = append(out, "extra "+p)
		}
	}
	sort.Strings(out)
	if len(out) > 10 {
		out = append(out[:10], "…")
	}
	return strings.Join(out, "\n")
}

func addFiles(t *testing.T, ix *Indexer, site *content.Site) render.Files {
	t.Helper()
	files := render.Files{}
	if err := ix.Add(site, files); err != nil {
		t.Fatal(err)
	}
	return files
}

// without returns a copy of site without article a.
func without(site *content.Site, a *content.Article) *content.Site {
	s := *site
	s.Articles = nil
	s.ByPath = map[string]*content.Article{}
	for _, b := range site.Articles {
		if b != a {
			s.Articles = append(s.Articles, b)
			s.ByPath[b.Path] = b
		}
	}
	return &s
}

// reparse returns doc's source with more appended, parsed.
func reparse(t *testing.T, doc *markdown.Doc, more string) *markdown.Doc {
	t.Helper()
	return markdown.New().Parse(append(bytes.Clone(doc.Source), more...))
}

func shardNames(files render.Files) map[string]bool {
	out := map[string]bool{}
	for p := range files {
		if strings.HasPrefix(p, "/search/t-") {
			out[p] = true
		}
	}
	return out
}

// TestIncrementalMatchesFresh edits, removes and restores articles through
// one Indexer and requires, after every step, the files a fresh Indexer
// writes for the same site.
func TestIncrementalMatchesFresh(t *testing.T) {
	for _, tc := range []struct {
		name string
		site *content.Site
	}{
		{"sample", sampleSite(t)},
		{"synthetic", syntheticSite(t, 400)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			site := tc.site
			ix := NewIndexer()
			check := func(step string, s *content.Site) render.Files {
				t.Helper()
				got := addFiles(t, ix, s)
				if d := diffFiles(got, addFiles(t, NewIndexer(), s)); d != "" {
					t.Fatalf("%s: incremental index differs from a fresh one:\n%s", step, d)
				}
				return got
			}
			orig := check("first build", site)
			a := site.Articles[len(site.Articles)/3]
			doc, hash := a.Doc, a.Hash
			a.Doc, a.Hash = editedDoc(t, a, "zanzibarite quuxification"), hash^1
			edited := check("edit", site)
			if d := diffFiles(edited, orig); d == "" {
				t.Fatal("the edit changed nothing")
			}
			a.Doc, a.Hash = reparse(t, doc, "\n\nThe zanzibarite quuxification is new.\n"), hash^3
			small := check("small edit", site)
			if tc.name == "synthetic" {
				// Only the shards holding the terms of the edited section
				// are new.
				before, after := shardNames(orig), shardNames(small)
				n := 0
				for p := range after {
					if !before[p] {
						n++
					}
				}
				if n == 0 || n > len(after)/2 {
					t.Errorf("a one-line edit rewrote %d of %d shards", n, len(after))
				}
			}
			a.Doc, a.Hash = editedDoc(t, a, "other words entirely"), hash^2
			check("second edit", site)
			a.Doc, a.Hash = doc, hash
			if d := diffFiles(check("undo", site), orig); d != "" {
				t.Errorf("undoing the edits did not restore the index:\n%s", d)
			}
			check("remove an article", without(site, site.Articles[1]))
			if d := diffFiles(check("restore it", site), orig); d != "" {
				t.Errorf("restoring the article did not restore the index:\n%s", d)
			}
		})
	}
}

// TestAppendJSONString holds appendJSONString to encoding/json (without
// HTML escaping) on valid text, and checks that invalid UTF-8 reads back
// with each invalid run as one U+FFFD.
func TestAppendJSONString(t *testing.T) {
	cases := []string{
		"", "plain", `quote " and \ back`, "tab\tnl\nret\r\x00\x1f\x7f", "café ß 日本",
		"line\u2028sep\u2029end", "bad \xff utf8 \xed\xa0\x80 here", "\xc3", "a\xe2\x80", "\uFFFD ok",
		"<b>&amp;</b>",
	}
	for _, s := range cases {
		got := appendJSONString([]byte("x"), s)
		if got[0] != 'x' {
			t.Fatalf("appendJSONString(%q) overwrote the buffer: %s", s, got)
		}
		var back string
		if err := json.Unmarshal(got[1:], &back); err != nil || back != strings.ToValidUTF8(s, "\uFFFD") {
			t.Errorf("appendJSONString(%q) = %s, reads back as %q (%v)", s, got[1:], back, err)
		}
		if !utf8.ValidString(s) {
			continue
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if string(got[1:]) != strings.TrimSuffix(want.String(), "\n") {
			t.Errorf("appendJSONString(%q) = %s, want %s", s, got[1:], want.String())
		}
	}
}
