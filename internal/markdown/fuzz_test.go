package markdown

import (
	"bytes"
	"testing"
)

// FuzzParse: any input parses and renders without panicking, and every
// problem's position lies inside the input.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"## Heading <!-- check: admin-consent-workflow -->\n\n1. Step <!-- id: a; was: b -->\n",
		"> [!NOTE]\n> text\n\n**A > B > C**\n",
		"1. x\n   <!-- check: y -->\n2. <!-- id: z -->\n",
		"```go\nfunc main() {}\n```\n| a | b |\n|---|---|\n| 1 | 2 |\n",
		"[x](../a.md#b) ![i](c.png) <kbd>K</kbd> <script>x</script>\n[^1]\n\n[^1]: note\n",
		":::image type=\"content\" source=\"a.png\" alt-text=\"b\":::\n> [!INCLUDE [x](y.md)]\n",
	} {
		f.Add([]byte(s))
	}
	p := New()
	f.Fuzz(func(t *testing.T, src []byte) {
		d := p.Parse(src)
		var b bytes.Buffer
		if err := p.Render(&b, d); err != nil {
			t.Fatalf("render: %v", err)
		}
		lines := bytes.Count(src, []byte{'\n'}) + 1
		for _, pr := range d.Problems {
			if l, c := d.Position(pr.Offset); l < 1 || l > lines || c < 1 {
				t.Fatalf("problem %q at %d:%d outside the input (%d lines)", pr.Msg, l, c, lines)
			}
		}
	})
}
