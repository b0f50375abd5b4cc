package search

import (
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing"

	"livedocs/internal/content"
	"livedocs/internal/markdown"
	"livedocs/internal/render"
)

// sampleSite loads the sample help center in content/.
func sampleSite(t testing.TB) *content.Site {
	t.Helper()
	site, errs := content.NewLoader(markdown.New()).Load(os.DirFS("../.."), content.Options{Dir: "content", KnownCheck: func(string) bool { return true }})
	if site == nil || len(errs.Fatal()) > 0 {
		t.Fatalf("load sample site: %v", errs)
	}
	return site
}

// buildIndex indexes site into a fresh file set and opens it.
func buildIndex(t testing.TB, site *content.Site) (render.Files, *Index) {
	t.Helper()
	files := render.Files{}
	if err := NewIndexer().Add(site, files); err != nil {
		t.Fatal(err)
	}
	return files, openFiles(t, files)
}

func openFiles(t testing.TB, files render.Files) *Index {
	t.Helper()
	ix, err := Open(filesLoader(files))
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func filesLoader(files render.Files) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		b, ok := files["/search/"+name]
		if !ok {
			return nil, fmt.Errorf("open %s: %w", name, fs.ErrNotExist)
		}
		return b, nil
	}
}

func describeResults(rs []Result) string {
	var b strings.Builder
	for i, r := range rs {
		fmt.Fprintf(&b, "%d. %.2f %s  [%s] %q\n", i+1, r.Score, r.URL, r.Section, r.Snippet)
	}
	return b.String()
}
