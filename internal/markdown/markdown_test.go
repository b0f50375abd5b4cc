package markdown

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// TestGolden renders each testdata/*.txtar case's "in.md" and compares the
// HTML with "want.html" and the problems with "problems" (line:col: msg).
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	p := New()
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var in []byte
			for _, f := range ar.Files {
				if f.Name == "in.md" {
					in = f.Data
				}
			}
			d := p.Parse(in)
			var html bytes.Buffer
			if err := p.Render(&html, d); err != nil {
				t.Fatal(err)
			}
			var probs bytes.Buffer
			for _, pr := range d.Problems {
				l, c := d.Position(pr.Offset)
				kind := ""
				if pr.Warning {
					kind = "warning: "
				}
				fmt.Fprintf(&probs, "%d:%d: %s%s\n", l, c, kind, pr.Msg)
			}
			got := map[string][]byte{"want.html": html.Bytes(), "problems": probs.Bytes()}
			if *update {
				var out []txtar.File
				out = append(out, txtar.File{Name: "in.md", Data: in})
				out = append(out, txtar.File{Name: "want.html", Data: got["want.html"]})
				out = append(out, txtar.File{Name: "problems", Data: got["problems"]})
				ar.Files = out
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			for _, f := range ar.Files {
				if g, ok := got[f.Name]; ok && !bytes.Equal(g, f.Data) {
					t.Errorf("%s differs:\n--- got ---\n%s\n--- want ---\n%s", f.Name, g, f.Data)
				}
			}
		})
	}
}

func TestStepsAndMarkers(t *testing.T) {
	src := []byte("## Before <!-- check: admin-consent-workflow -->\n\n1. One <!-- id: first; check: consent-request-sent -->\n2. Two\n\ntext\n\n3. Three <!-- was: old-three -->\n")
	d := New().Parse(src)
	if len(d.Problems) != 0 {
		t.Fatalf("problems: %+v", d.Problems)
	}
	if len(d.Steps) != 3 {
		t.Fatalf("got %d steps, want 3", len(d.Steps))
	}
	if s := d.Steps[0]; s.ID != "first" || !s.Pinned || s.Check != "consent-request-sent" || s.N != 1 {
		t.Errorf("step 1 = %+v", *s)
	}
	if s := d.Steps[2]; s.ID != "step-3" || s.Number != 3 || len(s.Was) != 1 || s.Was[0] != "old-three" {
		t.Errorf("step 3 = %+v", *s)
	}
	if h := d.Headings[0]; h.ID != "before" || h.Check != "admin-consent-workflow" {
		t.Errorf("heading = %+v", *h)
	}
	want := []string{"before", "first", "step-1", "step-2", "step-3", "old-three"}
	if got := d.Anchors(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("anchors = %v, want %v", got, want)
	}
	ids, err := ExtractChecks(src)
	if err != nil || strings.Join(ids, ",") != "admin-consent-workflow,consent-request-sent" {
		t.Errorf("ExtractChecks = %v, %v", ids, err)
	}
}

func TestMarkerProblems(t *testing.T) {
	cases := []struct{ src, want string }{
		{"Para <!-- check: x -->\n", "1:6: marker must be on a step"},
		{"- bullet <!-- check: x -->\n", "1:10: marker must be on a step"},
		{"1. a <!-- id: Bad_ID -->\n", "1:6: marker id \"Bad_ID\" must use only"},
		{"1. a <!-- id: step-2 -->\n", "1:6: marker id \"step-2\" is reserved"},
		{"1. a <!-- colour: red; id: x -->\n", "does not start with a known key"},
		{"1. a <!-- id: x; colour: red -->\n", "1:6: unknown marker key \"colour\""},
		{"1. a <!-- id: same -->\n2. b <!-- id: same -->\n", "2:1: duplicate anchor \"same\" (also defined on line 1)"},
	}
	for _, c := range cases {
		d := New().Parse([]byte(c.src))
		var got []string
		for _, p := range d.Problems {
			l, col := d.Position(p.Offset)
			got = append(got, fmt.Sprintf("%d:%d: %s", l, col, p.Msg))
		}
		joined := strings.Join(got, "\n")
		if c.want == "does not start with a known key" {
			// Not a marker at all: an ordinary comment, dropped from output.
			if joined != "" {
				t.Errorf("%q: problems %q, want none", c.src, joined)
			}
			continue
		}
		if !strings.Contains(joined, c.want) {
			t.Errorf("%q: problems %q, want %q", c.src, joined, c.want)
		}
	}
}

func TestRawHTMLIsSanitised(t *testing.T) {
	p := New()
	d := p.Parse([]byte("Hi <img src=x onerror=alert(1)> <kbd>Ctrl</kbd>\n\n<script>alert(2)</script>\n\n<a href=\"javascript:alert(3)\">x</a>\n"))
	var b bytes.Buffer
	if err := p.Render(&b, d); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{"onerror", "<script", "javascript:"} {
		if strings.Contains(out, bad) {
			t.Errorf("output keeps %q:\n%s", bad, out)
		}
	}
	if !strings.Contains(out, "<kbd>Ctrl</kbd>") {
		t.Errorf("kbd lost:\n%s", out)
	}
}
