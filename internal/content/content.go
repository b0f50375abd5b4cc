// Package content is the help center's model: categories → sections →
// articles, loaded from a content folder in an fs.FS, parsed and resolved.
//
// Layout: each folder directly under the content folder is a category; each
// folder below a category is a section (deeper folders are sections too,
// their URL keeps every segment). A folder's _index.md gives its title,
// description, weight, icon and slug; content/_index.md gives the home
// page's title and description. Every other .md file is an article; every
// other file (images, downloads) is an asset copied to the same place.
//
// URLs: a category is /<cat>/, a section /<cat>/<sec>/, an article
// /<cat>/<sec>/<slug>/, its short link /a/<id>/, an asset /<cat>/<sec>/<file>.
// Slugs come from folder and file names (lower-cased, spaces and
// punctuation → "-") unless front matter sets slug.
//
// Article front matter keys are those of FrontMatter; title and id are
// required, unknown keys are errors. Hugo/Jekyll keys map onto ours:
// description → summary, lastmod and date → updated.
//
// Load reports every problem, positioned as path:line:col, and keeps going
// so one run shows them all. A Loader remembers parsed files by content
// hash, so reloading after an edit re-parses only what changed.
package content

import (
	"hash/fnv"
	"io/fs"
	"strings"
	"time"

	"livedocs/internal/markdown"
)

// Site is the whole help center.
type Site struct {
	Title       string // from content/_index.md, may be empty
	Description string
	Categories  []*Category
	Articles    []*Article          // in navigation order
	ByID        map[string]*Article // by ID
	ByURL       map[string]*Article // by canonical URL
	ByPath      map[string]*Article // by source path
	Assets      []Asset
	Drafts      bool // drafts were included
	// Shape changes whenever a URL, anchor, ID, alias or asset that links
	// can reach changes; checks that depend only on those can be reused.
	Shape uint64
}

// Category is a top-level folder.
type Category struct {
	Dir, Slug, URL           string
	Title, Description, Icon string
	Weight                   int
	Sections                 []*Section
	Articles                 []*Article // directly in the category folder
	Pos                      Pos
}

// Section is a folder below a category.
type Section struct {
	Category                 *Category
	Dir, Slug, URL           string
	Title, Description, Icon string
	Weight                   int
	Articles                 []*Article
	Pos                      Pos
}

// Asset is a non-markdown file under the content folder.
type Asset struct {
	Path string // source path in the fs.FS
	URL  string // where it is published
	Hash uint64 // of its bytes, for incremental rebuilds
	Size int64
}

// Article is one help article.
type Article struct {
	Path string // source path, relative to the project root
	Hash uint64 // of the file's bytes

	ID, Title, Slug, Summary string
	Weight                   int
	Draft                    bool
	Tags, Keywords, Aliases  []string
	Updated                  time.Time
	Checks                   *AppChecks // per-article app override, or nil

	URL      string
	Category *Category
	Section  *Section // nil when the article sits directly in a category

	Prev, Next *Article
	Related    []*Article

	Doc *markdown.Doc

	// BodyKey changes whenever the rendered body could change: the file
	// or anything its links and images resolve to.
	BodyKey uint64

	fm  []byte  // front matter source, for positions
	src *parsed // the Loader's cache entry, which also caches resolution
}

func (a *Article) fmSrc() []byte { return a.fm }

// Parent returns the article's section title path, e.g. "Getting started › Accounts".
func (a *Article) Parent() string {
	if a.Section != nil {
		return a.Category.Title + " › " + a.Section.Title
	}
	return a.Category.Title
}

// CheckIDs returns the check IDs the article's steps and headings name, in
// document order, without duplicates.
func (a *Article) CheckIDs() []string { return a.Doc.CheckIDs() }

// Pos returns the file position of a byte offset in the article body.
func (a *Article) Pos(off int) Pos {
	l, c := a.Doc.Position(off)
	return Pos{Path: a.Path, Line: l, Col: c}
}

// Slugify turns a file or folder name into a URL segment: lower-case
// ASCII letters and digits, every other run of characters one "-".
func Slugify(name string) string {
	b := make([]byte, 0, len(name))
	dash := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			if dash && len(b) > 0 {
				b = append(b, '-')
			}
			dash = false
			b = append(b, c)
			continue
		}
		dash = true
	}
	return string(b)
}

func hashBytes(b []byte) uint64 {
	h := fnv.New64a()
	h.Write(b)
	return h.Sum64()
}

// walkEntry is one file or folder found under the content folder.
type walkEntry struct {
	path  string
	isDir bool
}

func listContent(fsys fs.FS, dir string) ([]walkEntry, error) {
	var out []walkEntry
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		out = append(out, walkEntry{path: p, isDir: d.IsDir()})
		return nil
	})
	return out, err
}

// rel returns p relative to dir ("" for dir itself).
func rel(dir, p string) string {
	if p == dir {
		return ""
	}
	return strings.TrimPrefix(p, dir+"/")
}

func depth(relPath string) int {
	if relPath == "" {
		return 0
	}
	return strings.Count(relPath, "/") + 1
}
