package corpus

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

var stepTemplates = []string{
	"Open {path}.",
	"Select {ui}.",
	"In {path}, turn on {set}.",
	"Choose the {n} you want to {v}, then select {ui}.",
	"Enter the {n} and select {ui}.",
	"Sign in with your {adj} {n} when {prod} asks.",
	"Copy the {n} and paste it into the {ui} box.",
	"Wait until the {n} shows **Up to date**.",
	"Run {cmd} as a {role}.",
	"Review the {np} and select {ui}.",
	"Go to {path} and find the {n}.",
	"Turn off {set}, then select {ui}.",
	"Press {key} to open the {n} list.",
	"Under {ui}, pick the {adj} {n}.",
	"Select {ui} next to the {n} you want to {v}.",
}

var prereqTemplates = []string{
	"A {role} role, or someone who has one",
	"The {n} you want to {v}",
	"Access to {prod} from {plat}",
	"{set} turned on in {path}",
	"About {dur} while the first sync runs",
	"The {adj} {n} for your workspace",
	"Your {n} and its {n2}",
}

var linkSentences = []string{
	"For the details, see {link}.",
	"{link} explains the background.",
	"If that doesn't help, read {link}.",
	"The same applies to {link}.",
	"You can also follow {link}.",
}

var alertKinds = []string{"NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION"}

// part is the blocks under one heading (or before the first one).
type part struct {
	blocks []string
	pad    bool // padding paragraphs may be added
}

func (g *generator) article(a *article) []byte {
	r := g.rng(uint64(a.idx)*2 + 2)
	w := &writer{g: g, a: a, r: r, f: filler{r: r}}
	var out bytes.Buffer
	out.WriteString("---\n")
	fmt.Fprintf(&out, "title: %s\nid: %q\nsummary: %s\n", quote(a.title), a.id, quote(a.summary))
	if a.weight > 0 {
		fmt.Fprintf(&out, "weight: %d\n", a.weight)
	}
	fmt.Fprintf(&out, "tags: [%s]\n", strings.Join(a.tags, ", "))
	ks := make([]string, len(a.keywords))
	for i, k := range a.keywords {
		ks[i] = quote(k)
	}
	fmt.Fprintf(&out, "keywords: [%s]\nupdated: %s\n---\n\n", strings.Join(ks, ", "), a.updated)

	parts := w.parts()
	size := 0
	for _, p := range parts {
		for _, b := range p.blocks {
			size += len(b) + 2
		}
	}
	var pads []int
	for i, p := range parts {
		if p.pad {
			pads = append(pads, i)
		}
	}
	for size < a.bodyBytes && len(pads) > 0 {
		i := pads[r.IntN(len(pads))]
		para := w.paragraph(2, 3, 0.15)
		parts[i].blocks = append(parts[i].blocks, para)
		size += len(para) + 2
	}
	first := true
	for _, p := range parts {
		for _, b := range p.blocks {
			if !first {
				out.WriteString("\n\n")
			}
			first = false
			out.WriteString(b)
		}
	}
	if a.footnote {
		out.WriteString("\n\n[^1]: " + w.sentence())
	}
	out.WriteString("\n")
	return out.Bytes()
}

// writer writes the blocks of one article.
type writer struct {
	g     *generator
	a     *article
	r     rnd
	f     filler
	stepN int
}

func (w *writer) parts() []part {
	a, r := w.a, w.r
	intro := part{pad: true}
	p := w.paragraph(2, 4, 0)
	if a.footnote {
		if i := strings.Index(p, ". "); i > 0 {
			p = p[:i+1] + "[^1]" + p[i+1:]
		}
	}
	if len(a.outline) > 2 && r.chance(0.3) {
		h := a.outline[1+r.IntN(len(a.outline)-1)]
		p += " Jump to [" + h.text + "](#" + h.id + ") if you have done this before."
	}
	intro.blocks = append(intro.blocks, p)
	if r.chance(0.6) {
		intro.blocks = append(intro.blocks, w.image())
	}
	if r.chance(0.4) {
		intro.blocks = append(intro.blocks, w.alert())
	}
	parts := []part{intro}
	for _, h := range a.outline {
		pt := part{blocks: []string{strings.Repeat("#", h.level) + " " + h.text}, pad: h.kind != "related" && h.kind != "procedure"}
		switch h.kind {
		case "prereq":
			pt.blocks = append(pt.blocks, w.paragraph(1, 2, 0), w.bullets(prereqTemplates, r.between(2, 4)))
		case "procedure":
			pt.blocks = append(pt.blocks, w.paragraph(1, 2, 0.3), w.steps(h.steps))
			if r.chance(0.3) {
				pt.blocks = append(pt.blocks, w.alert())
			}
		case "sub":
			pt.blocks = append(pt.blocks, w.paragraph(1, 2, 0), w.code(w.r.word(codeLangs)))
			if r.chance(0.5) {
				pt.blocks = append(pt.blocks, w.paragraph(1, 2, 0.3))
			}
		case "reference":
			pt.blocks = append(pt.blocks, w.paragraph(1, 2, 0), w.table())
		case "trouble":
			pt.blocks = append(pt.blocks, w.paragraph(2, 3, 0.4))
			if r.chance(0.25) {
				pt.blocks = append(pt.blocks, w.code(w.r.any([]string{"powershell", "bash", "sql", "json"})))
			}
			if r.chance(0.25) {
				pt.blocks = append(pt.blocks, w.alert())
			}
		case "related":
			var items []string
			for range r.between(2, 4) {
				if l := w.link(); l != "" {
					items = append(items, "- "+l)
				}
			}
			if r.chance(0.3) {
				s := w.g.sections()[r.IntN(len(w.g.sections()))]
				items = append(items, "- ["+s.title+"]("+relPath(a.path, s.dir+"/_index.md")+")")
			}
			if len(items) == 0 {
				items = append(items, "- [Contact support](https://example.com/support/new)")
			}
			pt.blocks = append(pt.blocks, strings.Join(items, "\n"))
		}
		parts = append(parts, pt)
	}
	return parts
}

func (w *writer) sentence() string {
	return capFirst(w.f.fill(w.r.any(sentences)))
}

// paragraph writes lo–hi sentences; with probability linkP it ends with a
// link to another article.
func (w *writer) paragraph(lo, hi int, linkP float64) string {
	n := w.r.between(lo, hi)
	ss := make([]string, 0, n+1)
	for range n {
		ss = append(ss, w.sentence())
	}
	if w.r.chance(linkP) {
		if l := w.link(); l != "" {
			ss = append(ss, capFirst(strings.Replace(w.r.any(linkSentences), "{link}", l, 1)))
		}
	}
	return strings.Join(ss, " ")
}

func (w *writer) bullets(templates []string, n int) string {
	items := make([]string, n)
	for i := range items {
		items[i] = "- " + capFirst(w.f.fill(w.r.any(templates)))
	}
	return strings.Join(items, "\n")
}

func (w *writer) steps(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		w.stepN++
		marker := strconv.Itoa(i) + ". "
		ind := strings.Repeat(" ", len(marker))
		if i > 1 {
			b.WriteByte('\n')
		}
		b.WriteString(marker + capFirst(w.f.fill(w.r.any(stepTemplates))))
		if id := w.a.pinned[w.stepN]; id != "" {
			b.WriteString(" <!-- id: " + id + " -->")
		}
		if w.r.chance(0.4) {
			b.WriteString("\n" + ind + w.sentence())
		}
		switch x := w.r.Float64(); {
		case x < 0.1:
			b.WriteString("\n\n" + ind + w.image())
		case x < 0.18:
			code := w.code(w.r.any([]string{"powershell", "bash", "json"}))
			b.WriteString("\n\n" + ind + strings.ReplaceAll(code, "\n", "\n"+ind))
		case x < 0.26:
			for range 2 {
				b.WriteString("\n" + ind + "- " + capFirst(w.f.fill(w.r.any(prereqTemplates))))
			}
		}
	}
	return b.String()
}

func (w *writer) image() string {
	imgs := w.a.sec.images
	im := imgs[w.r.IntN(len(imgs))]
	alt := capFirst(w.f.plainFill("The {ui} page with the {n} highlighted"))
	return "![" + alt + "](" + im.name + ")"
}

func (w *writer) alert() string {
	kind := w.r.word(alertKinds)
	lines := []string{"> [!" + kind + "]"}
	for range w.r.between(1, 2) {
		lines = append(lines, "> "+w.sentence())
	}
	return strings.Join(lines, "\n")
}

func (w *writer) code(lang string) string {
	src := w.r.any(snippets[lang])
	return "```" + lang + "\n" + w.f.codeFill(src) + "\n```"
}

func (w *writer) table() string {
	r, f := w.r, w.f
	var rows []string
	n := r.between(3, 6)
	switch r.IntN(3) {
	case 0:
		rows = append(rows, "| Setting | Default | What it does |", "|---|---|---|")
		for range n {
			def := r.any([]string{"On", "Off", strconv.Itoa(r.between(1, 90)) + " days", r.any(durations), "Admins only"})
			rows = append(rows, "| **"+r.word(settingNames)+"** | "+def+" | "+w.sentence()+" |")
		}
	case 1:
		rows = append(rows, "| Code | What it means | What to do |", "|---|---|---|")
		for range n {
			todo := capFirst(f.fill("{v} the {n} in {path}."))
			if r.chance(0.4) {
				if l := w.link(); l != "" {
					todo = "Follow " + l + "."
				}
			}
			rows = append(rows, "| `"+r.word(errorCodes)+"` | "+capFirst(f.fill("the {n} is {adj}"))+" | "+todo+" |")
		}
	default:
		rows = append(rows, "| Item | Limit | Notes |", "|---|---|---|")
		for range n {
			rows = append(rows, "| "+capFirst(f.plainFill("{np}"))+" | "+strconv.Itoa(r.between(2, 500)*10)+" per "+f.plainFill("{n}")+" | "+w.sentence()+" |")
		}
	}
	return strings.Join(rows, "\n")
}

// link returns a markdown link to another article, sometimes to one of
// its headings or steps, or "" when the corpus has only one article.
func (w *writer) link() string {
	g, a, r := w.g, w.a, w.r
	if len(g.articles) < 2 {
		return ""
	}
	var t *article
	for t == nil || t == a {
		switch x := r.Float64(); {
		case x < 0.5:
			t = a.sec.articles[r.IntN(len(a.sec.articles))]
		case x < 0.8:
			ss := a.sec.cat.sections
			s := ss[r.IntN(len(ss))]
			t = s.articles[r.IntN(len(s.articles))]
		default:
			t = g.articles[r.IntN(len(g.articles))]
		}
	}
	dest := relPath(a.path, t.path)
	switch x := r.Float64(); {
	case x < 0.4:
		dest += "#" + t.outline[r.IntN(len(t.outline))].id
	case x < 0.55:
		dest += "#step-" + strconv.Itoa(r.between(1, t.steps))
	case x < 0.62:
		for n := 1; n <= t.steps; n++ {
			if id := t.pinned[n]; id != "" {
				dest += "#" + id
				break
			}
		}
	}
	return "[" + t.title + "](" + dest + ")"
}
