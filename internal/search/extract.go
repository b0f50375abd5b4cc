package search

import (
	"html"
	"regexp"
	"strings"

	"github.com/yuin/goldmark/ast"

	"livedocs/internal/content"
	"livedocs/internal/markdown"
)

// Fields of a unit, in the order of fieldWeights.
const (
	fTitle    = iota // the article title (head unit)
	fHeading         // the section's own heading
	fKeywords        // keywords and tags (head unit)
	fSummary         // summary (head unit)
	fContext         // head: every h2/h3 of the article; section: article title and parent h2
	fBody            // readable text
	nFields
)

// fieldWeights rank title > headings > keywords/tags > summary > body.
var fieldWeights = [nFields]float64{10, 7, 5, 3, 1.5, 1}

// unitText is the text of one unit before analysis.
type unitText struct {
	anchor  string // "" for the article itself
	heading string
	fields  [nFields]string
	steps   []stepText
	nav     bool // a "Next steps" or "See also" list of links
}

// navHeadings name sections that only point elsewhere; they rank low.
var navHeadings = map[string]bool{
	"next steps": true, "related content": true, "see also": true, "related links": true,
	"related articles": true, "related problems": true, "learn more": true, "more information": true,
}

type stepText struct{ anchor, text string }

// extract splits an article into its units: the article itself (title,
// summary, keywords, tags and the text before the first h2/h3) and one
// unit per h2/h3 section. Steps stay inside their section's text and are
// remembered with their anchors so a result can point at one.
func extract(a *content.Article) []unitText {
	head := unitText{}
	head.fields[fTitle] = a.Title
	head.fields[fKeywords] = strings.Join(append(append([]string(nil), a.Keywords...), a.Tags...), " · ")
	head.fields[fSummary] = a.Summary
	units := []unitText{head}
	if a.Doc == nil || a.Doc.Root == nil {
		return units
	}
	src := a.Doc.Source
	headings := map[ast.Node]*markdown.Heading{}
	for _, h := range a.Doc.Headings {
		headings[h.Node] = h
	}
	steps := map[ast.Node]*markdown.Step{}
	for _, s := range a.Doc.Steps {
		steps[s.Node] = s
	}
	var bodies []strings.Builder
	bodies = append(bodies, strings.Builder{})
	var headingList []string
	cur := 0
	h2 := ""
	for n := a.Doc.Root.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok && (h.Level == 2 || h.Level == 3) && !isTabMarker(h) {
			info := headings[n]
			if info != nil {
				text := cleanText(info.Text)
				u := unitText{anchor: info.ID, heading: text, nav: navHeadings[strings.ToLower(text)]}
				u.fields[fHeading] = text
				ctx := a.Title
				if h.Level == 3 && h2 != "" {
					ctx += " · " + h2
				}
				if h.Level == 2 {
					h2 = text
				}
				u.fields[fContext] = ctx
				units = append(units, u)
				bodies = append(bodies, strings.Builder{})
				cur = len(units) - 1
				headingList = append(headingList, text)
				continue
			}
		}
		if l, ok := n.(*ast.List); ok && l.IsOrdered() {
			for it := l.FirstChild(); it != nil; it = it.NextSibling() {
				t := blockText(it, src)
				if s := steps[it]; s != nil {
					units[cur].steps = append(units[cur].steps, stepText{anchor: s.ID, text: t})
				}
				bodies[cur].WriteString(t)
				bodies[cur].WriteByte('\n')
			}
			continue
		}
		bodies[cur].WriteString(blockText(n, src))
		bodies[cur].WriteByte('\n')
	}
	for i := range units {
		units[i].fields[fBody] = squeeze(bodies[i].String())
	}
	units[0].fields[fContext] = strings.Join(headingList, " · ")
	return units
}

// isTabMarker reports whether h is a DocFX tab marker: "# [Label](#tab/x)".
func isTabMarker(h *ast.Heading) bool {
	l, ok := h.FirstChild().(*ast.Link)
	return ok && h.ChildCount() == 1 && strings.HasPrefix(string(l.Destination), "#tab/")
}

// blockText returns the readable text of a block, DocFX markup removed.
func blockText(n ast.Node, src []byte) string {
	var b strings.Builder
	writeText(&b, n, src)
	return squeeze(cleanText(b.String()))
}

func writeText(b *strings.Builder, n ast.Node, src []byte) {
	switch n := n.(type) {
	case *ast.Text:
		b.Write(n.Segment.Value(src))
		if n.SoftLineBreak() || n.HardLineBreak() {
			b.WriteByte(' ')
		}
		return
	case *ast.String:
		b.Write(n.Value)
		return
	case *ast.RawHTML:
		return
	case *ast.HTMLBlock:
		var raw strings.Builder
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			s := lines.At(i)
			raw.Write(s.Value(src))
		}
		if n.HasClosure() {
			raw.Write(n.ClosureLine.Value(src))
		}
		t := raw.String()
		if strings.HasPrefix(strings.TrimSpace(t), "<!--") {
			return
		}
		b.WriteString(html.UnescapeString(tagRE.ReplaceAllString(t, " ")))
		b.WriteByte(' ')
		return
	case *ast.AutoLink:
		b.Write(n.Label(src))
		return
	case *ast.CodeBlock, *ast.FencedCodeBlock:
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			s := lines.At(i)
			b.Write(s.Value(src))
		}
		return
	case *markdown.UIPath:
		b.WriteString(strings.Join(n.Parts, " > "))
		return
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		writeText(b, c, src)
		if c.Type() == ast.TypeBlock {
			b.WriteByte('\n')
		} else if c.Kind() == ast.KindCodeSpan {
			b.WriteByte(' ')
		}
	}
}

var (
	tagRE = regexp.MustCompile(`<[^>]*>`)
	// DocFX: :::image ... alt-text="..." ::: keeps its alt text; other :::
	// directives and [!INCLUDE ...], [!div ...] markers go.
	docfxImageRE  = regexp.MustCompile(`:::\s*image\b[^\n]*?alt-text="([^"]*)"[^\n]*?:::`)
	docfxColonRE  = regexp.MustCompile(`(?m):::[^\n]*?:::|^[ \t]*:::.*$`)
	docfxMarkerRE = regexp.MustCompile(`\[![A-Za-z][A-Za-z-]*(?:\s[^\]\n]*)?\]`)
	spaceRE       = regexp.MustCompile(`\s+`)
)

func cleanText(s string) string {
	if strings.Contains(s, ":::") {
		s = docfxImageRE.ReplaceAllString(s, " $1 ")
		s = docfxColonRE.ReplaceAllString(s, " ")
	}
	if strings.Contains(s, "[!") {
		s = docfxMarkerRE.ReplaceAllString(s, " ")
	}
	return s
}

func squeeze(s string) string { return strings.TrimSpace(spaceRE.ReplaceAllString(s, " ")) }
