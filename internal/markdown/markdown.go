// Package markdown parses help-article bodies with goldmark and our
// extensions, and renders them to HTML.
//
// One Parser serves the whole build and is safe for concurrent use. Parse
// turns a body into a Doc: the goldmark AST plus what later stages need,
// each with its byte offset in the source so errors can name line and column:
//
//   - Headings (level 2–4) with stable unique IDs; writers may pin an ID.
//   - Steps: every item of an ordered list at the top level of the article.
//     Step N (counted through the whole article) has the anchor "step-N";
//     a writer-chosen ID replaces it as the element ID and "step-N" stays
//     reachable as an alias anchor.
//   - Markers: an HTML comment on a step's first line or a heading line,
//     "<!-- id: NAME; check: CHECK-ID; was: OLD-ANCHOR -->". Markers anywhere
//     else, unknown keys and malformed values are problems.
//   - Links and images, whose destinations the resolve stage checks and
//     rewrites in place (Link.Node.Destination, Image.Node attributes).
//   - Callouts from GitHub alerts ("> [!NOTE]", TIP, IMPORTANT, WARNING,
//     CAUTION), UI paths ("**Settings > Accounts**") and fenced code
//     highlighted by chroma with CSS classes.
//
// Raw HTML in the markdown is passed through an allow-list sanitiser, so
// imported documents keep their <kbd>, <br> and tables but never scripts.
package markdown

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Doc is one parsed article body.
type Doc struct {
	Source   []byte
	Root     ast.Node
	Headings []*Heading
	Steps    []*Step
	Links    []*Link
	Images   []*Image
	// Code lists the languages of fenced code blocks, for warnings.
	Problems []Problem

	lines []int // byte offsets of line starts
	ids   *ids  // heading IDs already given out

	anchorSet map[string]bool // Anchors, for HasAnchor
}

// HasAnchor reports whether the body defines the anchor name.
func (d *Doc) HasAnchor(name string) bool { return d.anchorSet[name] }

// Heading is an h2–h4 heading.
type Heading struct {
	Level  int
	Text   string
	ID     string
	Pinned bool // ID chosen by the writer
	Check  string
	Was    []string
	Offset int
	Node   *ast.Heading
}

// Step is one item of a top-level ordered list.
type Step struct {
	N      int    // 1-based, through the whole article
	Number int    // the number shown in its list
	ID     string // element ID: writer's ID or "step-N"
	Pinned bool
	Check  string
	Was    []string
	Text   string // first line, as plain text
	Offset int
	Node   *ast.ListItem
}

// Anchor returns the positional anchor "step-N".
func (s *Step) Anchor() string { return fmt.Sprintf("step-%d", s.N) }

// Link is an inline link in the body.
type Link struct {
	Dest   string // as written
	Offset int
	Node   *ast.Link
}

// Image is an inline image in the body.
type Image struct {
	Dest   string
	Alt    string
	Offset int
	Node   *ast.Image
}

// Problem is a content problem at a byte offset in Doc.Source.
type Problem struct {
	Offset  int
	Msg     string
	Warning bool
}

// Position converts a byte offset to a 1-based line and column (in bytes).
func (d *Doc) Position(off int) (line, col int) {
	if off < 0 {
		return 1, 1
	}
	i := sort.Search(len(d.lines), func(i int) bool { return d.lines[i] > off }) - 1
	if i < 0 {
		i = 0
	}
	return i + 1, off - d.lines[i] + 1
}

// Anchors returns every anchor the body defines: heading IDs, step IDs,
// the step-N aliases of pinned steps, and the old anchors named by "was:".
func (d *Doc) Anchors() []string {
	var out []string
	for _, h := range d.Headings {
		out = append(out, h.ID)
		out = append(out, h.Was...)
	}
	for _, s := range d.Steps {
		out = append(out, s.ID)
		if s.Pinned {
			out = append(out, s.Anchor())
		}
		out = append(out, s.Was...)
	}
	return out
}

// Parser parses and renders article bodies.
type Parser struct {
	md        goldmark.Markdown
	sanitizer *bluemonday.Policy
	formatter *chromahtml.Formatter
	lexers    sync.Map // language → chroma.Lexer (nil when unknown)
}

// New returns a Parser.
func New() *Parser {
	p := &Parser{
		sanitizer: htmlPolicy(),
		formatter: chromahtml.New(chromahtml.WithClasses(true), chromahtml.PreventSurroundingPre(true)),
	}
	p.md = goldmark.New(
		goldmark.WithExtensions(extension.GFM, extension.Footnote),
		goldmark.WithParserOptions(
			parser.WithAutoHeadingID(),
			parser.WithAttribute(),
		),
		goldmark.WithRendererOptions(html.WithUnsafe()),
	)
	p.md.Renderer().AddOptions(renderer.WithNodeRenderers(util.Prioritized(&nodeRenderer{p: p}, 100)))
	return p
}

// Parse parses src. It never fails: problems are recorded in Doc.Problems.
func (p *Parser) Parse(src []byte) *Doc {
	d := &Doc{Source: src, lines: lineStarts(src), ids: newIDs()}
	ctx := parser.NewContext(parser.WithIDs(d.ids))
	d.Root = p.md.Parser().Parse(text.NewReader(src), parser.WithContext(ctx))
	d.collect()
	d.anchorSet = make(map[string]bool, len(d.Headings)+len(d.Steps))
	for _, a := range d.Anchors() {
		d.anchorSet[a] = true
	}
	return d
}

// Render writes the HTML of the body.
func (p *Parser) Render(w *bytes.Buffer, d *Doc) error {
	return p.md.Renderer().Render(w, d.Source, d.Root)
}

// ExtractChecks returns the check IDs named by markers in src, in document
// order, without duplicates. It reports marker problems as an error.
func ExtractChecks(src []byte) ([]string, error) {
	d := New().Parse(src)
	var errs []string
	for _, pr := range d.Problems {
		if !pr.Warning {
			l, c := d.Position(pr.Offset)
			errs = append(errs, fmt.Sprintf("%d:%d: %s", l, c, pr.Msg))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return d.CheckIDs(), nil
}

// CheckIDs returns the check IDs the body's steps and headings name, in
// document order, without duplicates.
func (d *Doc) CheckIDs() []string {
	type item struct {
		off   int
		check string
	}
	var items []item
	for _, h := range d.Headings {
		if h.Check != "" {
			items = append(items, item{h.Offset, h.Check})
		}
	}
	for _, s := range d.Steps {
		if s.Check != "" {
			items = append(items, item{s.Offset, s.Check})
		}
	}
	sort.Slice(items, func(i, j int) bool { return items[i].off < items[j].off })
	var ids []string
	seen := map[string]bool{}
	for _, it := range items {
		if !seen[it.check] {
			seen[it.check] = true
			ids = append(ids, it.check)
		}
	}
	return ids
}

func lineStarts(src []byte) []int {
	starts := make([]int, 1, bytes.Count(src, []byte{'\n'})+1)
	for i, b := range src {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

func htmlPolicy() *bluemonday.Policy {
	pol := bluemonday.UGCPolicy()
	pol.AllowElements("kbd", "details", "summary", "mark", "abbr", "figure", "figcaption", "u", "s", "sub", "sup", "br")
	pol.AllowAttrs("open").OnElements("details")
	pol.AllowAttrs("name", "id").OnElements("a")
	pol.AllowAttrs("width", "height", "loading").OnElements("img")
	pol.RequireNoFollowOnLinks(false)
	return pol
}

// lexer returns the chroma lexer for a fence language, or nil.
func (p *Parser) lexer(lang string) chroma.Lexer {
	if v, ok := p.lexers.Load(lang); ok {
		l, _ := v.(chroma.Lexer)
		return l
	}
	l := lexers.Get(lang)
	if l != nil {
		l = chroma.Coalesce(l)
	}
	p.lexers.Store(lang, l)
	return l
}

// plainLangs are fence languages that mean "no highlighting" on purpose.
var plainLangs = map[string]bool{"": true, "text": true, "txt": true, "plain": true, "plaintext": true, "output": true, "console-output": true, "none": true}

var markerRE = regexp.MustCompile(`^<!--\s*((?:id|check|was)\s*:[^>]*?)\s*-->$`)
var anchorRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
var checkIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
