package corpus

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// filler expands {placeholders} in templates with words. In plain mode
// the result has no markdown (for titles, headings and front matter).
type filler struct {
	r     rnd
	plain bool
}

// article is the marker for "a" or "an", chosen once the next word is known.
const articleMark = "\x01"

func (f filler) fill(tmpl string) string {
	return fixArticles(expand(tmpl, f.prose))
}

func (f filler) plainFill(tmpl string) string {
	f.plain = true
	return f.fill(tmpl)
}

// prose returns the text for one placeholder, or false when key is unknown.
func (f filler) prose(key string) (string, bool) {
	r := f.r
	bold := func(s string) string {
		if f.plain {
			return s
		}
		return "**" + s + "**"
	}
	var s string
	switch strings.ToLower(key) {
	case "v":
		s = r.word(verbs)
	case "n", "n2":
		s = r.word(nouns)
	case "np":
		s = plural(r.word(nouns))
	case "a":
		return articleMark, true
	case "adj":
		s = r.word(adjectives)
	case "adv":
		s = r.word(adverbs)
	case "prod", "prod2":
		s = r.word(products)
	case "plat":
		s = r.word(platforms)
	case "role":
		s = r.word(roles)
	case "dur":
		s = r.any(durations)
	case "num":
		s = strconv.Itoa(r.between(2, 50) * []int{1, 10, 100}[r.IntN(3)])
	case "ui":
		s = bold(r.word(uiItems))
	case "path":
		n := r.between(2, 3)
		ps := make([]string, 0, n)
		for len(ps) < n {
			if p := r.word(uiItems); !slices.Contains(ps, p) {
				ps = append(ps, p)
			}
		}
		s = bold(strings.Join(ps, " > "))
	case "code":
		s = r.word(errorCodes)
		if !f.plain {
			if r.chance(0.5) {
				s = "`" + s + "`"
			} else {
				s = "**" + s + "**"
			}
		}
	case "set":
		s = bold(r.word(settingNames))
	case "cmd":
		s = r.word(cmdlets)
		if !f.plain {
			s = "`" + s + "`"
		}
	case "key":
		a, b := r.any(keys[:4]), r.any(keys[4:])
		if f.plain {
			s = a + "+" + b
		} else {
			s = "<kbd>" + a + "</kbd>+<kbd>" + b + "</kbd>"
		}
	default:
		return "", false
	}
	if unicode.IsUpper(rune(key[0])) {
		s = capFirst(s)
	}
	return s, true
}

// codeFill expands the placeholders of a code snippet.
func (f filler) codeFill(tmpl string) string {
	r := f.r
	return expand(tmpl, func(key string) (string, bool) {
		switch key {
		case "user", "user2":
			return r.any(people) + "@" + r.any(domains), true
		case "domain", "domain2":
			return r.any(domains), true
		case "cmd":
			return r.word(cmdlets), true
		case "field", "field2":
			return r.word(codeFields), true
		case "Field":
			return capFirst(r.word(codeFields)), true
		case "res":
			return r.any(codeResources), true
		case "Res":
			return capFirst(strings.TrimSuffix(r.any(codeResources), "s")), true
		case "verb":
			return r.any(codeVerbs), true
		case "value":
			return r.any(codeValues), true
		case "bool":
			return r.any([]string{"true", "false"}), true
		case "num", "num2":
			return strconv.Itoa(r.between(2, 500)), true
		case "digit":
			return strconv.Itoa(r.between(1, 9)), true
		case "status":
			return r.any([]string{"200", "401", "403", "429", "500", "503"}), true
		case "code":
			return r.word(errorCodes), true
		case "guid":
			return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", r.Uint32(), r.IntN(1<<16), r.IntN(1<<12), r.IntN(1<<12), r.Uint64()&(1<<48-1)), true
		case "Comment":
			return r.any(codeComments), true
		}
		return "", false
	})
}

// expand replaces {key} where val knows key; other braces are kept.
func expand(tmpl string, val func(key string) (string, bool)) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:i])
		j := i + 1
		for j < len(tmpl) && (tmpl[j] >= 'a' && tmpl[j] <= 'z' || tmpl[j] >= 'A' && tmpl[j] <= 'Z' || tmpl[j] >= '0' && tmpl[j] <= '9') {
			j++
		}
		if j < len(tmpl) && tmpl[j] == '}' && j > i+1 {
			if s, ok := val(tmpl[i+1 : j]); ok {
				b.WriteString(s)
				tmpl = tmpl[j+1:]
				continue
			}
		}
		b.WriteByte('{')
		tmpl = tmpl[i+1:]
	}
}

// fixArticles turns each article mark into "a" or "an" by the next word.
func fixArticles(s string) string {
	for {
		i := strings.Index(s, articleMark)
		if i < 0 {
			return s
		}
		rest := strings.TrimLeft(s[i+1:], " *`")
		art := "a"
		if anWord(rest) {
			art = "an"
		}
		if i == 0 {
			art = strings.ToUpper(art[:1]) + art[1:]
		}
		s = s[:i] + art + s[i+1:]
	}
}

func anWord(w string) bool {
	if w == "" {
		return false
	}
	end := strings.IndexAny(w, " -")
	if end < 0 {
		end = len(w)
	}
	word := w[:end]
	if len(word) > 1 && strings.ToUpper(word) == word {
		return strings.ContainsRune("AEFHILMNORSX", rune(word[0]))
	}
	switch unicode.ToLower(rune(w[0])) {
	case 'a', 'e', 'i', 'o':
		return true
	case 'u':
		return strings.HasPrefix(w, "un") || strings.HasPrefix(w, "upd")
	}
	return false
}

// plural makes the last word of a noun phrase plural.
func plural(n string) string {
	switch {
	case strings.HasSuffix(n, "y") && !strings.HasSuffix(n, "ey") && !strings.HasSuffix(n, "ay"):
		return n[:len(n)-1] + "ies"
	case strings.HasSuffix(n, "s"), strings.HasSuffix(n, "x"), strings.HasSuffix(n, "ch"), strings.HasSuffix(n, "sh"):
		return n + "es"
	}
	return n + "s"
}
