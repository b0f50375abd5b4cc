package search

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"golang.org/x/text/unicode/norm"
)

// Text analysis. search.js implements the same steps; the parity test runs
// both over the relevance sets, so a change here needs the same change there.
//
//  1. Runs: maximal sequences of letters, decimal digits and marks. An
//     apostrophe between two such characters is dropped ("don't" → "dont").
//     Runs longer than maxRun characters are ignored (hashes, blobs).
//  2. Compounds: runs joined by single joiner characters (- _ . / \ : @) with
//     no space, e.g. "Get-MgUser", "Mail.ReadWrite", "1.15.0". The whole
//     compound is a term of its own, unstemmed.
//  3. Parts: a run is also split at lower→upper case changes, before the
//     last capital of a capital run followed by a lower-case letter, and
//     between letters and digits: "MgServicePrincipal" → mg, service,
//     principal; "AADSTS65001" → aadsts, 65001.
//  4. Folding: lower case, compatibility decomposition, combining marks
//     dropped and a few letters spelled out (ß → ss, æ → ae, ø → o…).
//  5. Keys: a folded term of ASCII letters a–z is stemmed with the Snowball
//     English stemmer; anything else (digits, other scripts, compounds) is
//     its own key.

const maxRun = 64

// joiners glue runs into a compound identifier.
const joiners = `-_./\:@`

// run is one word of a text.
type run struct {
	text       string   // folded
	parts      []string // folded parts, when the run splits into more than one
	compound   string   // folded whole compound, on the first run of a compound only
	start, end int      // byte offsets in the original text
	compEnd    int      // end of the compound, on its first run
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

func isApostrophe(r rune) bool { return r == '\'' || r == '’' }

// tokenize splits s into runs.
func tokenize(s string) []run {
	type raw struct {
		start, end int
		text       []rune // apostrophes removed
		join       rune   // joiner to the next run, 0 if none
	}
	rs := []rune(s)
	offs := make([]int, len(rs)+1)
	o := 0
	for i, r := range rs {
		offs[i] = o
		o += utf8.RuneLen(r)
	}
	offs[len(rs)] = o
	var runs []raw
	for i := 0; i < len(rs); {
		if !isWordRune(rs[i]) {
			i++
			continue
		}
		j := i
		var text []rune
		for j < len(rs) {
			if isWordRune(rs[j]) {
				text = append(text, rs[j])
				j++
			} else if isApostrophe(rs[j]) && j+1 < len(rs) && isWordRune(rs[j+1]) {
				j++
			} else {
				break
			}
		}
		rw := raw{start: offs[i], end: offs[j], text: text}
		if j+1 < len(rs) && strings.ContainsRune(joiners, rs[j]) && isWordRune(rs[j+1]) {
			rw.join = rs[j]
			j++
		}
		runs = append(runs, rw)
		i = j
	}
	var out []run
	for i := 0; i < len(runs); i++ {
		j := i
		for j < len(runs)-1 && runs[j].join != 0 {
			j++
		}
		ok := j > i
		var whole strings.Builder
		for k := i; k <= j && ok; k++ {
			if len(runs[k].text) > maxRun {
				ok = false
				break
			}
			whole.WriteString(fold(string(runs[k].text)))
			if k < j {
				whole.WriteRune(runs[k].join)
			}
		}
		for k := i; k <= j; k++ {
			if len(runs[k].text) > maxRun {
				continue
			}
			rn := run{text: fold(string(runs[k].text)), start: runs[k].start, end: runs[k].end}
			if ps := splitParts(runs[k].text); len(ps) > 1 {
				for _, p := range ps {
					rn.parts = append(rn.parts, fold(p))
				}
			}
			if k == i && ok {
				rn.compound = whole.String()
				rn.compEnd = runs[j].end
			}
			out = append(out, rn)
		}
		i = j
	}
	return out
}

// splitParts splits a run at case and letter/digit changes.
func splitParts(rs []rune) []string {
	var out []string
	start := 0
	for i := 1; i < len(rs); i++ {
		a, b := rs[i-1], rs[i]
		cut := false
		switch {
		case unicode.IsDigit(a) != unicode.IsDigit(b):
			cut = true
		case unicode.IsLower(a) && unicode.IsUpper(b):
			cut = true
		case unicode.IsUpper(a) && unicode.IsUpper(b) && i+1 < len(rs) && unicode.IsLower(rs[i+1]):
			cut = true
		}
		if cut {
			out = append(out, string(rs[start:i]))
			start = i
		}
	}
	return append(out, string(rs[start:]))
}

// foldMap spells out letters that decomposition leaves alone.
var foldMap = map[rune]string{
	'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'đ': "d", 'ł': "l", 'ħ': "h",
	'þ': "th", 'ð': "d", 'ı': "i", 'ς': "σ",
}

// fold lower-cases s and removes diacritics.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	d := norm.NFKD.String(strings.ToLower(s))
	var b strings.Builder
	for _, r := range d {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		r = unicode.ToLower(r)
		if m, ok := foldMap[r]; ok {
			b.WriteString(m)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// stemmer turns folded terms into keys, remembering what it has seen.
type stemmer struct {
	mu   sync.Mutex
	memo map[string]string
}

func newStemmer() *stemmer { return &stemmer{memo: map[string]string{}} }

// key returns the index key of a folded term.
func (st *stemmer) key(t string) string {
	if !isASCIIWord(t) {
		return t
	}
	st.mu.Lock()
	k, ok := st.memo[t]
	st.mu.Unlock()
	if ok {
		return k
	}
	k = english.Stem(t, true)
	st.mu.Lock()
	st.memo[t] = k
	st.mu.Unlock()
	return k
}

func isASCIIWord(t string) bool {
	if t == "" {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] < 'a' || t[i] > 'z' {
			return false
		}
	}
	return true
}

// stopWords are left out of queries that have other words; a query of
// stop words only ("who can") searches for them. The list travels in the
// entry file so the browser uses the same one. Sorted.
var stopWords = []string{
	"a", "about", "am", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can",
	"could", "did", "do", "does", "doing", "for", "from", "had", "has", "have", "how", "i",
	"if", "in", "into", "is", "it", "its", "me", "my", "of", "on", "or", "our", "said",
	"say", "says", "should", "so", "than", "that", "the", "their", "them", "then", "there",
	"these", "they", "this", "those", "to", "too", "was", "we", "were", "what", "when",
	"where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your",
}
