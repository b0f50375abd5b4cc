package search

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"unicode"
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

// textWriter gathers the readable text of blocks; each goroutine has one
// and reuses its buffers from article to article.
type textWriter struct {
	buf      []byte // one block's text as written
	body     []byte // the body of the unit being gathered, blocks joined by spaces
	spans    [][2]int
	labels   *[]string
	units    []unitText
	headings map[ast.Node]*markdown.Heading
	steps    map[ast.Node]*markdown.Step
	list     []string
}

// extract returns the units of a; they are valid until the next call.
func (tw *textWriter) extract(a *content.Article) []unitText {
	if tw.headings == nil {
		tw.headings = map[ast.Node]*markdown.Heading{}
		tw.steps = map[ast.Node]*markdown.Step{}
	}
	tw.units = tw.units[:0]
	head := tw.addUnit()
	head.fields[fTitle] = a.Title
	head.fields[fKeywords] = joinTwo(a.Keywords, a.Tags, " · ")
	head.fields[fSummary] = a.Summary
	if a.Doc == nil || a.Doc.Root == nil {
		return tw.units
	}
	src := a.Doc.Source
	clear(tw.headings)
	clear(tw.steps)
	for _, h := range a.Doc.Headings {
		tw.headings[h.Node] = h
	}
	for _, s := range a.Doc.Steps {
		tw.steps[s.Node] = s
	}
	tw.list = tw.list[:0]
	tw.body = tw.body[:0]
	tw.spans = tw.spans[:0]
	cur := 0
	h2 := ""
	for n := a.Doc.Root.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok && (h.Level == 2 || h.Level == 3) && !isTabMarker(h) {
			info := tw.headings[n]
			if info != nil {
				tw.endBody(cur)
				text := cleanText(info.Text)
				ctx := a.Title
				if h.Level == 3 && h2 != "" {
					ctx += " · " + h2
				}
				if h.Level == 2 {
					h2 = text
				}
				u := tw.addUnit()
				u.anchor, u.heading, u.nav = info.ID, text, isNavHeading(text)
				u.fields[fHeading] = text
				u.fields[fContext] = ctx
				cur = len(tw.units) - 1
				tw.list = append(tw.list, text)
				continue
			}
		}
		if l, ok := n.(*ast.List); ok && l.IsOrdered() {
			for it := l.FirstChild(); it != nil; it = it.NextSibling() {
				span := tw.addBlock(it, src, &tw.units[cur].labels)
				if s := tw.steps[it]; s != nil {
					tw.units[cur].steps = append(tw.units[cur].steps, stepText{anchor: s.ID})
					tw.spans = append(tw.spans, span)
				}
			}
			continue
		}
		tw.addBlock(n, src, &tw.units[cur].labels)
	}
	tw.endBody(cur)
	tw.units[0].fields[fContext] = strings.Join(tw.list, " · ")
	return tw.units
}

// addUnit appends an empty unit, keeping the capacity of the slices of
// the one it replaces.
func (tw *textWriter) addUnit() *unitText {
	if len(tw.units) < cap(tw.units) {
		tw.units = tw.units[:len(tw.units)+1]
		u := &tw.units[len(tw.units)-1]
		steps, labels := u.steps[:0], u.labels[:0]
		*u = unitText{steps: steps, labels: labels}
		return u
	}
	tw.units = append(tw.units, unitText{})
	return &tw.units[len(tw.units)-1]
}

// endBody sets the body of unit i from the gathered blocks and its steps'
// texts from their spans in it.
func (tw *textWriter) endBody(i int) {
	u := &tw.units[i]
	body := string(tw.body)
	u.fields[fBody] = body
	for k, sp := range tw.spans {
		u.steps[k].text = body[sp[0]:sp[1]]
	}
	tw.body = tw.body[:0]
	tw.spans = tw.spans[:0]
}

// addBlock appends the readable text of a block to the body, after a
// space unless it is the first, and returns where it lies in the body.
// Block texts are squeezed and trimmed: joined by spaces they are what
// squeezing them joined by newlines gives.
func (tw *textWriter) addBlock(n ast.Node, src []byte, labels *[]string) [2]int {
	tw.buf = tw.buf[:0]
	tw.labels = labels
	tw.write(n, src)
	sep := len(tw.body)
	if sep > 0 {
		tw.body = append(tw.body, ' ')
	}
	start := len(tw.body)
	if bytes.Contains(tw.buf, []byte(":::")) || bytes.Contains(tw.buf, []byte("[!")) {
		tw.body = append(tw.body, squeeze(cleanText(string(tw.buf)))...)
	} else {
		tw.body = appendSqueezed(tw.body, tw.buf)
	}
	if len(tw.body) == start {
		tw.body = tw.body[:sep]
		return [2]int{sep, sep}
	}
	return [2]int{start, len(tw.body)}
}

// joinTwo is strings.Join of a and b appended.
func joinTwo(a, b []string, sep string) string {
	switch {
	case len(a) == 0:
		return strings.Join(b, sep)
	case len(b) == 0:
		return strings.Join(a, sep)
	}
	return strings.Join(a, sep) + sep + strings.Join(b, sep)
}

// isNavHeading reports whether a heading names a navHeadings section.
func isNavHeading(text string) bool {
	if len(text) > 64 {
		return false // longer than any of them, in any case
	}
	return navHeadings[strings.ToLower(text)]
}

// isTabMarker reports whether h is a DocFX tab marker: "# [Label](#tab/x)".
func isTabMarker(h *ast.Heading) bool {
	l, ok := h.FirstChild().(*ast.Link)
	return ok && h.ChildCount() == 1 && strings.HasPrefix(string(l.Destination), "#tab/")
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

// appendSqueezed appends squeeze(string(s)) to dst.
func appendSqueezed(dst, s []byte) []byte {
	start := len(dst)
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && !isSqueezeSpace(s[j]) {
			j++
		}
		dst = append(dst, s[i:j]...)
		if j == len(s) {
			break
		}
		for j < len(s) && isSqueezeSpace(s[j]) {
			j++
		}
		dst = append(dst, ' ')
		i = j
	}
	out := dst[start:]
	edge := func(c byte) bool { return c == ' ' || c == '\v' || c >= utf8.RuneSelf }
	if len(out) == 0 || !edge(out[0]) && !edge(out[len(out)-1]) {
		return dst
	}
	left := bytes.TrimLeftFunc(out, unicode.IsSpace)
	t := bytes.TrimRightFunc(left, unicode.IsSpace)
	n := copy(out, t)
	return dst[:start+n]
}

func isSqueezeSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}
