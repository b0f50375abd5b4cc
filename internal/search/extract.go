package search

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"unicode/utf8"

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
	nav     bool     // a "Next steps" or "See also" list of links
	labels  []string // bold text and UI path parts of the body: UI labels
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
	var tw textWriter
	return tw.extract(a)
}

// textWriter gathers the readable text of blocks; each goroutine has one.
type textWriter struct {
	buf    []byte
	labels *[]string
}

func (tw *textWriter) extract(a *content.Article) []unitText {
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
	bodies := [][]string{nil}
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
				bodies = append(bodies, nil)
				cur = len(units) - 1
				headingList = append(headingList, text)
				continue
			}
		}
		if l, ok := n.(*ast.List); ok && l.IsOrdered() {
			for it := l.FirstChild(); it != nil; it = it.NextSibling() {
				t := tw.blockText(it, src, &units[cur].labels)
				if s := steps[it]; s != nil {
					units[cur].steps = append(units[cur].steps, stepText{anchor: s.ID, text: t})
				}
				if t != "" {
					bodies[cur] = append(bodies[cur], t)
				}
			}
			continue
		}
		if t := tw.blockText(n, src, &units[cur].labels); t != "" {
			bodies[cur] = append(bodies[cur], t)
		}
	}
	// Block texts are squeezed and trimmed: joined by spaces they are what
	// squeezing them joined by newlines gives.
	for i := range units {
		units[i].fields[fBody] = strings.Join(bodies[i], " ")
	}
	units[0].fields[fContext] = strings.Join(headingList, " · ")
	return units
}

// isTabMarker reports whether h is a DocFX tab marker: "# [Label](#tab/x)".
func isTabMarker(h *ast.Heading) bool {
	l, ok := h.FirstChild().(*ast.Link)
	return ok && h.ChildCount() == 1 && strings.HasPrefix(string(l.Destination), "#tab/")
}

// blockText returns the readable text of a block, DocFX markup removed,
// and adds its UI labels to labels.
func (tw *textWriter) blockText(n ast.Node, src []byte, labels *[]string) string {
	tw.buf = tw.buf[:0]
	tw.labels = labels
	tw.write(n, src)
	if bytes.Contains(tw.buf, []byte(":::")) || bytes.Contains(tw.buf, []byte("[!")) {
		return squeeze(cleanText(string(tw.buf)))
	}
	return squeezeBytes(tw.buf)
}

func (tw *textWriter) write(n ast.Node, src []byte) {
	switch n := n.(type) {
	case *ast.Emphasis:
		if n.Level == 2 {
			start := len(tw.buf)
			tw.children(n, src)
			*tw.labels = append(*tw.labels, string(tw.buf[start:]))
			return
		}
	case *ast.Text:
		tw.buf = append(tw.buf, n.Segment.Value(src)...)
		if n.SoftLineBreak() || n.HardLineBreak() {
			tw.buf = append(tw.buf, ' ')
		}
		return
	case *ast.String:
		tw.buf = append(tw.buf, n.Value...)
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
		tw.buf = append(tw.buf, html.UnescapeString(tagRE.ReplaceAllString(t, " "))...)
		tw.buf = append(tw.buf, ' ')
		return
	case *ast.AutoLink:
		tw.buf = append(tw.buf, n.Label(src)...)
		return
	case *ast.CodeBlock, *ast.FencedCodeBlock:
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			s := lines.At(i)
			tw.buf = append(tw.buf, s.Value(src)...)
		}
		return
	case *markdown.UIPath:
		for i, p := range n.Parts {
			if i > 0 {
				tw.buf = append(tw.buf, " > "...)
			}
			tw.buf = append(tw.buf, p...)
		}
		*tw.labels = append(*tw.labels, n.Parts...)
		return
	}
	tw.children(n, src)
}

func (tw *textWriter) children(n ast.Node, src []byte) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		tw.write(c, src)
		if c.Type() == ast.TypeBlock {
			tw.buf = append(tw.buf, '\n')
		} else if c.Kind() == ast.KindCodeSpan {
			tw.buf = append(tw.buf, ' ')
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

// squeeze turns every run of white space (as regexp's \s: tab, newline,
// form feed, carriage return, space) into one space and trims the ends.
func squeeze(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if isSqueezeSpace(s[i]) && (s[i] != ' ' || i+1 < len(s) && isSqueezeSpace(s[i+1])) {
			clean = false
			break
		}
	}
	if clean {
		return strings.TrimSpace(s)
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if !isSqueezeSpace(s[i]) {
			b = append(b, s[i])
			continue
		}
		for i+1 < len(s) && isSqueezeSpace(s[i+1]) {
			i++
		}
		b = append(b, ' ')
	}
	return strings.TrimSpace(string(b))
}

// squeezeBytes is squeeze for a byte slice, allocating only the result.
func squeezeBytes(s []byte) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && !isSqueezeSpace(s[j]) {
			j++
		}
		out = append(out, s[i:j]...)
		if j == len(s) {
			break
		}
		for j < len(s) && isSqueezeSpace(s[j]) {
			j++
		}
		out = append(out, ' ')
		i = j
	}
	edge := func(c byte) bool { return c == ' ' || c == '\v' || c >= utf8.RuneSelf }
	if len(out) > 0 && (edge(out[0]) || edge(out[len(out)-1])) {
		return strings.TrimSpace(string(out))
	}
	return string(out)
}

func isSqueezeSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}
