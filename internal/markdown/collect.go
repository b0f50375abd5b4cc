package markdown

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/yuin/goldmark/ast"
)

// collect walks the fresh AST once: it rewrites callouts and UI paths,
// consumes markers, and records headings, steps, links and images.
func (d *Doc) collect() {
	src := d.Source
	anchors := map[string]int{} // anchor → offset of its first definer
	defineAnchor := func(id string, off int) {
		if prev, ok := anchors[id]; ok {
			l, _ := d.Position(prev)
			d.problem(off, fmt.Sprintf("duplicate anchor %q (also defined on line %d)", id, l))
			return
		}
		anchors[id] = off
	}

	// Top-level structure: headings and steps.
	stepN := 0
	for n := d.Root.FirstChild(); n != nil; n = n.NextSibling() {
		if n, ok := n.(*ast.List); ok {
			if !n.IsOrdered() {
				continue
			}
			num := n.Start
			if num == 0 {
				num = 1
			}
			for it := n.FirstChild(); it != nil; it = it.NextSibling() {
				li, ok := it.(*ast.ListItem)
				if !ok {
					continue
				}
				stepN++
				d.step(li, stepN, num)
				num++
			}
		}
	}
	// Headings anywhere, in document order.
	_ = ast.Walk(d.Root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if h, ok := n.(*ast.Heading); ok {
			d.heading(h)
		}
		return ast.WalkContinue, nil
	})

	for _, h := range d.Headings {
		defineAnchor(h.ID, h.Offset)
		for _, w := range h.Was {
			defineAnchor(w, h.Offset)
		}
	}
	for _, s := range d.Steps {
		defineAnchor(s.ID, s.Offset)
		if s.Pinned {
			defineAnchor(s.Anchor(), s.Offset)
		}
		for _, w := range s.Was {
			defineAnchor(w, s.Offset)
		}
	}

	// Everything else in one walk. Rewrites happen after the walk.
	var callouts []*ast.Blockquote
	var uipaths []*ast.Emphasis
	var strayMarkers []ast.Node
	_ = ast.Walk(d.Root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			d.Links = append(d.Links, &Link{Dest: string(n.Destination), Offset: n.Pos(), Node: n})
		case *ast.Image:
			d.Images = append(d.Images, &Image{Dest: string(n.Destination), Alt: plainText(n, src), Offset: n.Pos(), Node: n})
		case *ast.Blockquote:
			if calloutKind(n, src) != "" {
				callouts = append(callouts, n)
			}
		case *ast.Emphasis:
			if n.Level == 2 && isUIPath(n, src) {
				uipaths = append(uipaths, n)
			}
		case *ast.RawHTML:
			if markerRE.Match(bytes.TrimSpace(rawText(n, src))) {
				strayMarkers = append(strayMarkers, n)
			}
		case *ast.HTMLBlock:
			if markerRE.Match(bytes.TrimSpace(blockText(n, src))) {
				strayMarkers = append(strayMarkers, n)
			}
		case *ast.FencedCodeBlock:
			lang := string(n.Language(src))
			if !plainLangs[strings.ToLower(lang)] && lexerName(lang) == "" {
				d.Problems = append(d.Problems, Problem{Offset: n.Pos(), Warning: true,
					Msg: fmt.Sprintf("unknown code language %q: shown without highlighting", lang)})
			}
		}
		return ast.WalkContinue, nil
	})
	for _, m := range strayMarkers {
		d.problem(nodeOffset(m), "marker must be on a step (an item of a top-level numbered list) or a heading")
		m.Parent().RemoveChild(m.Parent(), m)
	}
	for _, bq := range callouts {
		toCallout(bq, src)
	}
	for _, em := range uipaths {
		toUIPath(em, src)
	}
}

func (d *Doc) problem(off int, msg string) {
	d.Problems = append(d.Problems, Problem{Offset: off, Msg: msg})
}

func (d *Doc) heading(h *ast.Heading) {
	m := d.takeMarkers(h)
	id, _ := h.AttributeString("id")
	idb, _ := id.([]byte)
	hd := &Heading{Level: h.Level, Text: plainText(h, d.Source), ID: string(idb), Offset: nodeOffset(h), Node: h,
		Check: m.check, Was: m.was}
	switch {
	case m.id != "":
		hd.ID, hd.Pinned = m.id, true
		h.SetAttributeString("id", []byte(m.id))
	case m.check != "" || len(m.was) > 0:
		// The automatic ID was made from the text with the marker in it.
		hd.ID = string(d.ids.Generate([]byte(hd.Text), ast.KindHeading))
		h.SetAttributeString("id", []byte(hd.ID))
	}
	if m.check != "" {
		h.SetAttributeString("data-check", []byte(m.check))
	}
	if len(m.was) > 0 {
		h.SetAttributeString("data-was", []byte(strings.Join(m.was, " ")))
	}
	d.Headings = append(d.Headings, hd)
}

func (d *Doc) step(li *ast.ListItem, n, number int) {
	var first ast.Node = li.FirstChild()
	m := marker{}
	if first != nil {
		m = d.takeMarkers(first)
		// A marker on a line of its own right after the first block.
		if next := first.NextSibling(); next != nil {
			if hb, ok := next.(*ast.HTMLBlock); ok {
				if mm := d.parseMarker(hb, blockText(hb, d.Source)); mm != nil {
					m.merge(*mm)
					li.RemoveChild(li, hb)
				}
			}
		}
	}
	if hb, ok := first.(*ast.HTMLBlock); ok {
		if mm := d.parseMarker(hb, blockText(hb, d.Source)); mm != nil {
			m.merge(*mm)
			li.RemoveChild(li, hb)
		}
	}
	s := &Step{N: n, Number: number, Offset: nodeOffset(li), Node: li, Check: m.check, Was: m.was}
	s.ID = s.Anchor()
	if m.id != "" {
		s.ID, s.Pinned = m.id, true
	}
	if fc := li.FirstChild(); fc != nil {
		s.Text = firstLine(plainText(fc, d.Source))
	}
	li.SetAttributeString("data-step", []byte(fmt.Sprint(n)))
	li.SetAttributeString("id", []byte(s.ID))
	if s.Check != "" {
		li.SetAttributeString("data-check", []byte(s.Check))
	}
	if len(s.Was) > 0 {
		li.SetAttributeString("data-was", []byte(strings.Join(s.Was, " ")))
	}
	d.Steps = append(d.Steps, s)
}

// marker is the parsed content of one or more marker comments.
type marker struct {
	id, check string
	was       []string
}

func (m *marker) merge(o marker) {
	if o.id != "" {
		m.id = o.id
	}
	if o.check != "" {
		m.check = o.check
	}
	m.was = append(m.was, o.was...)
}

// takeMarkers removes marker comments among the inline children of block
// and returns what they say.
func (d *Doc) takeMarkers(block ast.Node) marker {
	var m marker
	var remove []ast.Node
	for c := block.FirstChild(); c != nil; c = c.NextSibling() {
		raw, ok := c.(*ast.RawHTML)
		if !ok {
			continue
		}
		if mm := d.parseMarker(raw, rawText(raw, d.Source)); mm != nil {
			m.merge(*mm)
			remove = append(remove, raw)
		}
	}
	for _, r := range remove {
		// Trim the space before a trailing marker.
		if prev, ok := r.PreviousSibling().(*ast.Text); ok && r.NextSibling() == nil {
			seg := prev.Segment
			v := seg.Value(d.Source)
			trimmed := bytes.TrimRight(v, " \t")
			prev.Segment = seg.WithStop(seg.Start + len(trimmed))
		}
		block.RemoveChild(block, r)
	}
	return m
}

// parseMarker parses a marker comment; it returns nil when text is not one.
func (d *Doc) parseMarker(n ast.Node, text []byte) *marker {
	sub := markerRE.FindSubmatch(bytes.TrimSpace(text))
	if sub == nil {
		return nil
	}
	off := nodeOffset(n)
	var m marker
	for _, part := range strings.Split(string(sub[1]), ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		key, val, ok := strings.Cut(part, ":")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if !ok {
			d.problem(off, fmt.Sprintf("marker part %q is not \"key: value\"", part))
			continue
		}
		switch key {
		case "id":
			if !anchorRE.MatchString(val) {
				d.problem(off, fmt.Sprintf("marker id %q must use only a-z, 0-9 and -", val))
				continue
			}
			if stepAnchorRE.MatchString(val) {
				d.problem(off, fmt.Sprintf("marker id %q is reserved for step positions", val))
				continue
			}
			m.id = val
		case "check":
			if !checkIDRE.MatchString(val) {
				d.problem(off, fmt.Sprintf("check ID %q must use only a-z, 0-9 and -", val))
				continue
			}
			m.check = val
		case "was":
			for _, w := range strings.Split(val, ",") {
				w = strings.TrimPrefix(strings.TrimSpace(w), "#")
				if w != "" {
					m.was = append(m.was, w)
				}
			}
		default:
			d.problem(off, fmt.Sprintf("unknown marker key %q (want id, check or was)", key))
		}
	}
	return &m
}

var stepAnchorRE = regexp.MustCompile(`^step-[0-9]+$`)

func nodeOffset(n ast.Node) int {
	if p := n.Pos(); p >= 0 {
		return p
	}
	if n.Type() == ast.TypeBlock && n.Lines().Len() > 0 {
		return n.Lines().At(0).Start
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if p := nodeOffset(c); p >= 0 {
			return p
		}
	}
	return -1
}

func rawText(n *ast.RawHTML, src []byte) []byte {
	var b []byte
	for i := 0; i < n.Segments.Len(); i++ {
		s := n.Segments.At(i)
		b = append(b, s.Value(src)...)
	}
	return b
}

func blockText(n ast.Node, src []byte) []byte {
	var b []byte
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		s := lines.At(i)
		b = append(b, s.Value(src)...)
	}
	if hb, ok := n.(*ast.HTMLBlock); ok && hb.HasClosure() {
		b = append(b, hb.ClosureLine.Value(src)...)
	}
	return b
}

// PlainText returns the readable text of n and its descendants: what a
// reader sees, without markup. Code spans keep their text.
func PlainText(n ast.Node, src []byte) string { return plainText(n, src) }

func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	writePlain(&b, n, src)
	return strings.TrimSpace(b.String())
}

func writePlain(b *strings.Builder, n ast.Node, src []byte) {
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
	case *ast.RawHTML, *ast.HTMLBlock:
		return
	case *ast.AutoLink:
		b.Write(n.URL(src))
		return
	case *ast.CodeBlock, *ast.FencedCodeBlock:
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			s := lines.At(i)
			b.Write(s.Value(src))
		}
		return
	case *UIPath:
		b.WriteString(strings.Join(n.Parts, " > "))
		return
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		writePlain(b, c, src)
		if c.Type() == ast.TypeBlock {
			b.WriteByte('\n')
		}
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return strings.TrimSpace(s[:i])
	}
	return s
}

// Callout is a GitHub alert turned into a callout box.
type Callout struct {
	ast.BaseBlock
	Alert string // note, tip, important, warning, caution
}

// KindCallout is the node kind of Callout.
var KindCallout = ast.NewNodeKind("Callout")

// Kind implements ast.Node.
func (n *Callout) Kind() ast.NodeKind { return KindCallout }

// Dump implements ast.Node.
func (n *Callout) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"Alert": n.Alert}, nil)
}

var alertRE = regexp.MustCompile(`^\[!(?i:(note|tip|important|warning|caution))\]\s*$`)

func calloutKind(bq *ast.Blockquote, src []byte) string {
	p, ok := bq.FirstChild().(*ast.Paragraph)
	if !ok || p.Lines().Len() == 0 {
		return ""
	}
	line := p.Lines().At(0)
	sub := alertRE.FindSubmatch(bytes.TrimSpace(line.Value(src)))
	if sub == nil {
		return ""
	}
	return strings.ToLower(string(sub[1]))
}

func toCallout(bq *ast.Blockquote, src []byte) {
	kind := calloutKind(bq, src)
	p := bq.FirstChild().(*ast.Paragraph)
	lineEnd := p.Lines().At(0).Stop
	// Drop the inline nodes of the "[!NOTE]" line.
	for c := p.FirstChild(); c != nil; {
		next := c.NextSibling()
		if start := inlineStart(c); start >= 0 && start < lineEnd {
			p.RemoveChild(p, c)
		} else {
			break
		}
		c = next
	}
	co := &Callout{Alert: kind}
	co.SetPos(bq.Pos())
	if p.ChildCount() == 0 {
		bq.RemoveChild(bq, p)
	}
	for c := bq.FirstChild(); c != nil; {
		next := c.NextSibling()
		co.AppendChild(co, c)
		c = next
	}
	bq.Parent().ReplaceChild(bq.Parent(), bq, co)
}

func inlineStart(n ast.Node) int {
	if t, ok := n.(*ast.Text); ok {
		return t.Segment.Start
	}
	return n.Pos()
}

// UIPath is a bold UI path such as "Settings > Accounts > Add".
type UIPath struct {
	ast.BaseInline
	Parts []string
}

// KindUIPath is the node kind of UIPath.
var KindUIPath = ast.NewNodeKind("UIPath")

// Kind implements ast.Node.
func (n *UIPath) Kind() ast.NodeKind { return KindUIPath }

// Dump implements ast.Node.
func (n *UIPath) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"Parts": strings.Join(n.Parts, "|")}, nil)
}

func isUIPath(em *ast.Emphasis, src []byte) bool {
	for c := em.FirstChild(); c != nil; c = c.NextSibling() {
		if _, ok := c.(*ast.Text); !ok {
			return false
		}
	}
	t := plainText(em, src)
	return strings.Contains(t, " > ") && !strings.HasPrefix(t, ">") && !strings.HasSuffix(t, ">")
}

func toUIPath(em *ast.Emphasis, src []byte) {
	var parts []string
	for _, p := range strings.Split(plainText(em, src), " > ") {
		parts = append(parts, strings.TrimSpace(p))
	}
	u := &UIPath{Parts: parts}
	u.SetPos(em.Pos())
	em.Parent().ReplaceChild(em.Parent(), em, u)
}

// ids makes heading IDs: GitHub-style slugs, unique in the document, never
// of the reserved "step-N" form.
type ids struct{ seen map[string]bool }

func newIDs() *ids { return &ids{seen: map[string]bool{}} }

func (s *ids) Generate(value []byte, kind ast.NodeKind) []byte {
	var b strings.Builder
	for _, r := range strings.ToLower(string(value)) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	base := strings.Trim(b.String(), "-")
	if base == "" {
		base = "section"
	}
	if stepAnchorRE.MatchString(base) {
		base += "-heading"
	}
	id := base
	for i := 1; s.seen[id]; i++ {
		id = fmt.Sprintf("%s-%d", base, i)
	}
	s.seen[id] = true
	return []byte(id)
}

func (s *ids) Put(value []byte) { s.seen[string(value)] = true }
