package content

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// FrontMatter is an article's YAML header, decoded strictly.
type FrontMatter struct {
	Title    string     `yaml:"title"`
	ID       ID         `yaml:"id"`
	Slug     string     `yaml:"slug"`
	Summary  string     `yaml:"summary"`
	Weight   int        `yaml:"weight"`
	Draft    bool       `yaml:"draft"`
	Tags     []string   `yaml:"tags"`
	Keywords []string   `yaml:"keywords"`
	Aliases  []string   `yaml:"aliases"`
	Updated  Date       `yaml:"updated"`
	Checks   *AppChecks `yaml:"checks"`

	// Accepted from Hugo and Jekyll front matter.
	Description string `yaml:"description"`
	Date        Date   `yaml:"date"`
	Lastmod     Date   `yaml:"lastmod"`
}

// AppChecks overrides the live-checks app for one article.
type AppChecks struct {
	AppID  string   `yaml:"app_id"`
	Scopes []string `yaml:"scopes"`
}

// IndexMeta is the front matter of an _index.md file.
type IndexMeta struct {
	Title       string `yaml:"title"`
	Description string `yaml:"description"`
	Weight      int    `yaml:"weight"`
	Icon        string `yaml:"icon"`
	Slug        string `yaml:"slug"`
}

// ID is an article ID: a YAML string or number.
type ID string

// UnmarshalYAML accepts scalars only.
func (id *ID) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: id must be a string or a number", n.Line)
	}
	*id = ID(strings.TrimSpace(n.Value))
	return nil
}

// Date is a calendar date from front matter.
type Date struct{ time.Time }

// UnmarshalYAML accepts YYYY-MM-DD and RFC 3339 timestamps.
func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: date must be YYYY-MM-DD", n.Line)
	}
	v := strings.TrimSpace(n.Value)
	for _, layout := range []string{"2006-01-02", time.RFC3339, "2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, v); err == nil {
			d.Time = t
			return nil
		}
	}
	return fmt.Errorf("line %d: %q is not a date (want YYYY-MM-DD)", n.Line, v)
}

var idRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$`)

// splitFrontMatter separates a leading "---" YAML block from the body. The
// body keeps the file's line numbers: the header's lines become blank, so
// byte offsets in the body are offsets in the file. It blanks src in place.
func splitFrontMatter(src []byte) (fm []byte, fmLine int, body []byte, ok bool, err error) {
	if !bytes.HasPrefix(src, []byte("---\n")) && !bytes.HasPrefix(src, []byte("---\r\n")) {
		return nil, 0, src, false, nil
	}
	start := bytes.IndexByte(src, '\n') + 1
	pos := start
	for pos < len(src) {
		end := bytes.IndexByte(src[pos:], '\n')
		var line []byte
		next := len(src)
		if end >= 0 {
			line = src[pos : pos+end]
			next = pos + end + 1
		} else {
			line = src[pos:]
		}
		if t := bytes.TrimRight(line, "\r \t"); string(t) == "---" || string(t) == "..." {
			fm = bytes.Clone(src[start:pos])
			// Blank the header in place (src is ours), keeping newlines.
			for i := 0; i < next; i++ {
				if src[i] != '\n' {
					src[i] = ' '
				}
			}
			return fm, 2, src, true, nil
		}
		pos = next
	}
	return nil, 0, src, false, errors.New("front matter starts with --- but is never closed")
}

// decodeStrict decodes YAML into v (a pointer to a struct with yaml tags),
// reporting unknown top-level keys and type errors positioned in the file
// (firstLine is the file line of YAML line 1). Keys matching one of ignore
// (path.Match patterns such as "ms.*") are dropped silently: that is how
// imported documentation keeps its own metadata without failing the build.
func decodeStrict(file string, data []byte, firstLine int, v any, ignore []string) Errors {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return yamlErrors(file, firstLine, err)
	}
	if len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return Errors{{Pos: Pos{Path: file, Line: firstLine + root.Line - 1, Col: root.Column}, Msg: "front matter must be a map of key: value lines"}}
	}
	known := yamlKeys(v)
	var errs Errors
	kept := root.Content[:0:0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i]
		switch {
		case known[k.Value]:
			kept = append(kept, k, root.Content[i+1])
		case matchAny(ignore, k.Value):
		default:
			errs = append(errs, Error{Pos: Pos{Path: file, Line: firstLine + k.Line - 1, Col: k.Column},
				Msg: fmt.Sprintf("unknown front-matter key %q", k.Value)})
		}
	}
	root.Content = kept
	if err := root.Decode(v); err != nil {
		errs = append(errs, yamlErrors(file, firstLine, err)...)
	}
	return errs
}

func matchAny(patterns []string, key string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, key); ok {
			return true
		}
	}
	return false
}

// yamlKeys returns the yaml tag names of the struct v points to.
func yamlKeys(v any) map[string]bool {
	t := reflect.TypeOf(v).Elem()
	out := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			out[name] = true
		}
	}
	return out
}

func yamlErrors(file string, firstLine int, err error) Errors {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	var out Errors
	for _, m := range msgs {
		m = strings.TrimPrefix(m, "yaml: ")
		line := 0
		if n, _ := fmt.Sscanf(m, "line %d:", &line); n == 1 {
			m = strings.TrimSpace(m[strings.Index(m, ":")+1:])
		}
		m = friendlyYAML(m)
		ln := firstLine
		if line > 0 {
			ln = firstLine + line - 1
		}
		out = append(out, Error{Pos: Pos{Path: file, Line: ln, Col: 1}, Msg: m})
	}
	return out
}

var unknownFieldRE = regexp.MustCompile(`^field (.+) not found in type \S+$`)
var cannotUnmarshalRE = regexp.MustCompile("^cannot unmarshal !!(\\w+) `(.*)` into (\\S+)$")

func friendlyYAML(m string) string {
	if sub := unknownFieldRE.FindStringSubmatch(m); sub != nil {
		return fmt.Sprintf("unknown front-matter key %q", sub[1])
	}
	if sub := cannotUnmarshalRE.FindStringSubmatch(m); sub != nil {
		want := sub[3]
		switch {
		case strings.HasPrefix(want, "[]"):
			want = "a list"
		case want == "int":
			want = "a whole number"
		case want == "bool":
			want = "true or false"
		case want == "string":
			want = "text"
		}
		return fmt.Sprintf("value %q must be %s", sub[2], want)
	}
	return m
}

// keyLine returns the file line of a top-level key in the front matter, or
// the header's first line when it is absent.
func keyLine(fm []byte, firstLine int, key string) int {
	for i, line := range bytes.Split(fm, []byte("\n")) {
		if bytes.HasPrefix(line, []byte(key+":")) {
			return firstLine + i
		}
	}
	return firstLine - 1
}

// NextNumericID returns one more than the largest numeric ID in ids.
func NextNumericID(ids []string) string {
	max := 0
	for _, id := range ids {
		if n, err := strconv.Atoi(id); err == nil && n > max {
			max = n
		}
	}
	if max < 1000 {
		max = 1000
	}
	return strconv.Itoa(max + 1)
}
