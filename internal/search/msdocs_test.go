package search

import (
	"bytes"
	"hash/fnv"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"testing"

	"livedocs/internal/content"
	"livedocs/internal/markdown"
)

// msdocsDir is the imported-documentation corpus (481 Microsoft Learn
// articles, DocFX dialect); LIVEDOCS_MSDOCS overrides the location.
func msdocsDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("LIVEDOCS_MSDOCS")
	if dir == "" {
		dir = "/work/shared/corpora/msdocs"
	}
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("msdocs corpus missing at %s (set LIVEDOCS_MSDOCS)", dir)
		}
		t.Skipf("msdocs corpus not found at %s: set LIVEDOCS_MSDOCS to run the import tests", dir)
	}
	return dir
}

// importSite builds a site from foreign markdown the way an importer would:
// one category per top folder, title and description from front matter,
// every other front-matter key ignored.
func importSite(t testing.TB, fsys fs.FS) *content.Site {
	t.Helper()
	p := markdown.New()
	site := &content.Site{ByID: map[string]*content.Article{}, ByURL: map[string]*content.Article{}, ByPath: map[string]*content.Article{}}
	cats := map[string]*content.Category{}
	var paths []string
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(name, ".md") && strings.Contains(name, "/") {
			paths = append(paths, name)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(paths)
	for i, name := range paths {
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			t.Fatal(err)
		}
		meta, body := splitMeta(src)
		top := strings.SplitN(name, "/", 2)[0]
		c := cats[top]
		if c == nil {
			c = &content.Category{Slug: content.Slugify(top), Title: top, URL: "/" + content.Slugify(top) + "/"}
			cats[top] = c
			site.Categories = append(site.Categories, c)
		}
		h := fnv.New64a()
		h.Write(src)
		a := &content.Article{
			Path: name, Hash: h.Sum64(), ID: strings.TrimSuffix(path.Base(name), ".md") + "-" + strings.Repeat("x", i%2),
			Title: meta["title"], Summary: meta["description"], Category: c,
			URL: "/" + strings.ToLower(strings.TrimSuffix(name, ".md")) + "/",
			Doc: p.Parse(body),
		}
		if a.Title == "" {
			a.Title = path.Base(name)
		}
		c.Articles = append(c.Articles, a)
		site.Articles = append(site.Articles, a)
		site.ByPath[a.Path] = a
		site.ByURL[a.URL] = a
	}
	return site
}

// splitMeta returns simple "key: value" front matter and the body.
func splitMeta(src []byte) (map[string]string, []byte) {
	meta := map[string]string{}
	if !bytes.HasPrefix(src, []byte("---\n")) {
		return meta, src
	}
	end := bytes.Index(src[4:], []byte("\n---"))
	if end < 0 {
		return meta, src
	}
	for _, line := range strings.Split(string(src[4:4+end]), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && !strings.HasPrefix(k, " ") {
			meta[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"'`)
		}
	}
	body := src[4+end+4:]
	return meta, body
}

func TestImportedDocs(t *testing.T) {
	site := importSite(t, os.DirFS(msdocsDir(t)))
	if len(site.Articles) < 400 {
		t.Fatalf("imported %d articles, want the whole corpus", len(site.Articles))
	}
	files, ix := buildIndex(t, site)
	t.Run("readable text", func(t *testing.T) {
		// DocFX markup never reaches the index or the snippets.
		for p, b := range files {
			if !strings.HasPrefix(p, "/search/f-") {
				continue
			}
			for _, junk := range []string{"[!INCLUDE", "[!div", ":::image", ":::zone", "alt-text=", "[!NOTE]"} {
				if bytes.Contains(b, []byte(junk)) {
					t.Errorf("%s contains %q", p, junk)
				}
			}
		}
		// Alt text of :::image::: blocks is kept.
		rs, err := ix.Search("Screenshot", 3)
		if err != nil || len(rs) == 0 {
			t.Fatalf("alt text not indexed: %v %v", rs, err)
		}
	})
	t.Run("relevance", func(t *testing.T) {
		checkRelevance(t, ix, "testdata/relevance-msdocs.txt", 8)
	})
	t.Run("parity", func(t *testing.T) {
		runParity(t, files, relevanceQueries(t, "testdata/relevance-msdocs.txt"), nil)
	})
}
