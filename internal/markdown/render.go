package markdown

import (
	"bytes"
	"fmt"
	"html"
	"strings"

	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
	ghtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"
)

// nodeRenderer renders our nodes and overrides goldmark's for headings,
// list items (steps), code and raw HTML.
type nodeRenderer struct{ p *Parser }

func (r *nodeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindHeading, r.heading)
	reg.Register(ast.KindListItem, r.listItem)
	reg.Register(ast.KindFencedCodeBlock, r.code)
	reg.Register(ast.KindCodeBlock, r.code)
	reg.Register(ast.KindRawHTML, r.rawHTML)
	reg.Register(ast.KindHTMLBlock, r.htmlBlock)
	reg.Register(KindCallout, r.callout)
	reg.Register(KindUIPath, r.uiPath)
}

func attr(n ast.Node, name string) string {
	v, ok := n.AttributeString(name)
	if !ok {
		return ""
	}
	switch v := v.(type) {
	case []byte:
		return string(v)
	case string:
		return v
	}
	return fmt.Sprint(v)
}

func (r *nodeRenderer) heading(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.Heading)
	id := attr(n, "id")
	if entering {
		fmt.Fprintf(w, "<h%d", n.Level)
		if id != "" {
			fmt.Fprintf(w, ` id="%s"`, html.EscapeString(id))
		}
		if c := attr(n, "data-check"); c != "" {
			fmt.Fprintf(w, ` data-check="%s"`, html.EscapeString(c))
		}
		if c := attr(n, "class"); c != "" {
			fmt.Fprintf(w, ` class="%s"`, html.EscapeString(c))
		}
		w.WriteByte('>')
		writeWas(w, n)
		return ast.WalkContinue, nil
	}
	if id != "" && n.Level >= 2 {
		fmt.Fprintf(w, `<a class="anchor" href="#%s" aria-label="Link to this section" title="Copy link to this section">#</a>`, html.EscapeString(id))
	}
	if attr(n, "data-check") != "" {
		w.WriteString(`<span class="check-status" aria-live="polite"></span>`)
	}
	fmt.Fprintf(w, "</h%d>\n", n.Level)
	return ast.WalkContinue, nil
}

func (r *nodeRenderer) listItem(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		w.WriteString("</li>\n")
		return ast.WalkContinue, nil
	}
	step := attr(n, "data-step")
	if step == "" {
		w.WriteString("<li")
		if n.Attributes() != nil {
			ghtml.RenderAttributes(w, n, ghtml.ListItemAttributeFilter)
		}
		w.WriteByte('>')
	} else {
		id := attr(n, "id")
		fmt.Fprintf(w, `<li id="%s" class="step" data-step="%s"`, html.EscapeString(id), html.EscapeString(step))
		check := attr(n, "data-check")
		if check != "" {
			fmt.Fprintf(w, ` data-check="%s"`, html.EscapeString(check))
		}
		w.WriteByte('>')
		if alias := "step-" + step; alias != id {
			fmt.Fprintf(w, `<span class="step-alias" id="%s"></span>`, alias)
		}
		writeWas(w, n)
		fmt.Fprintf(w, `<a class="step-link" href="#%s" aria-label="Link to step %s" title="Copy link to this step">#</a>`,
			html.EscapeString(id), html.EscapeString(step))
		if check != "" {
			w.WriteString(`<span class="check-status" aria-live="polite"></span>`)
		}
	}
	if fc := n.FirstChild(); fc != nil {
		if _, ok := fc.(*ast.TextBlock); !ok {
			w.WriteByte('\n')
		}
	}
	return ast.WalkContinue, nil
}

// writeWas writes empty anchors for the old IDs a heading or step replaces,
// so links to them keep landing in the right place without JavaScript.
func writeWas(w util.BufWriter, n ast.Node) {
	for _, old := range strings.Fields(attr(n, "data-was")) {
		fmt.Fprintf(w, `<span class="anchor-alias" id="%s"></span>`, html.EscapeString(old))
	}
}

// lexerAliases maps fence languages of other documentation sets to chroma's.
var lexerAliases = map[string]string{
	"azurepowershell":             "powershell",
	"azurepowershell-interactive": "powershell",
	"powershell-interactive":      "powershell",
	"azurecli":                    "bash",
	"azurecli-interactive":        "bash",
	"console":                     "bash",
	"shell":                       "bash",
	"cmd":                         "batch",
	"kusto":                       "sql",
	"jsonc":                       "json",
	"http":                        "http",
}

func lexerName(lang string) string {
	l := strings.ToLower(lang)
	if a, ok := lexerAliases[l]; ok {
		l = a
	}
	if lx := lexers.Get(l); lx != nil {
		return l
	}
	return ""
}

func (r *nodeRenderer) code(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	var lang string
	if fc, ok := node.(*ast.FencedCodeBlock); ok {
		lang = string(fc.Language(src))
	}
	var code bytes.Buffer
	lines := node.Lines()
	for i := 0; i < lines.Len(); i++ {
		s := lines.At(i)
		code.Write(s.Value(src))
	}
	name := lexerName(lang)
	w.WriteString(`<div class="code">`)
	if lang != "" {
		fmt.Fprintf(w, `<pre class="chroma" data-lang="%s"><code class="language-%s">`, html.EscapeString(lang), html.EscapeString(lang))
	} else {
		w.WriteString(`<pre class="chroma"><code>`)
	}
	lx := r.p.lexer(name)
	if name == "" || lx == nil {
		w.WriteString(html.EscapeString(code.String()))
	} else {
		it, err := lx.Tokenise(nil, code.String())
		if err != nil {
			w.WriteString(html.EscapeString(code.String()))
		} else if err := r.p.formatter.Format(w, styles.Fallback, it); err != nil {
			return ast.WalkStop, fmt.Errorf("highlight code: %w", err)
		}
	}
	w.WriteString("</code></pre></div>\n")
	return ast.WalkSkipChildren, nil
}

func isComment(b []byte) bool {
	b = bytes.TrimSpace(b)
	return bytes.HasPrefix(b, []byte("<!--")) && bytes.HasSuffix(b, []byte("-->"))
}

func (r *nodeRenderer) rawHTML(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	raw := rawText(node.(*ast.RawHTML), src)
	if !isComment(raw) {
		w.Write(r.p.sanitizer.SanitizeBytes(raw))
	}
	return ast.WalkSkipChildren, nil
}

func (r *nodeRenderer) htmlBlock(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	raw := blockText(node, src)
	if !isComment(raw) {
		w.Write(r.p.sanitizer.SanitizeBytes(raw))
		w.WriteByte('\n')
	}
	return ast.WalkSkipChildren, nil
}

var calloutTitles = map[string]string{"note": "Note", "tip": "Tip", "important": "Important", "warning": "Warning", "caution": "Caution"}

func (r *nodeRenderer) callout(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*Callout)
	if entering {
		title := calloutTitles[n.Alert]
		fmt.Fprintf(w, "<aside class=\"callout callout-%s\" aria-label=\"%s\">\n<p class=\"callout-title\">%s</p>\n", n.Alert, title, title)
	} else {
		w.WriteString("</aside>\n")
	}
	return ast.WalkContinue, nil
}

func (r *nodeRenderer) uiPath(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	n := node.(*UIPath)
	w.WriteString(`<strong class="ui-path">`)
	for i, p := range n.Parts {
		if i > 0 {
			w.WriteString(`<span class="ui-sep" aria-hidden="true"> › </span><span class="visually-hidden"> &gt; </span>`)
		}
		fmt.Fprintf(w, "<span>%s</span>", html.EscapeString(p))
	}
	w.WriteString(`</strong>`)
	return ast.WalkSkipChildren, nil
}
