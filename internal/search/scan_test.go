package search

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// scanned is a run as the indexer sees it.
type scanned struct {
	text, compound string
	parts          []string
}

func scanAll(s string) []scanned {
	var sc scanner
	var out []scanned
	sc.scanRuns(s, func(raw []byte, r *run) {
		if r.text != "" {
			out = append(out, scanned{r.text, r.compound, r.parts})
			return
		}
		out = append(out, scanned{lowerString(raw), r.compound, asciiParts(raw)})
	})
	return out
}

func tokenizeAll(s string) []scanned {
	var out []scanned
	for _, r := range tokenize(s) {
		out = append(out, scanned{r.text, r.compound, r.parts})
	}
	return out
}

// TestScanMatchesTokenize holds the indexer's fast scanner to tokenize,
// which search.js mirrors.
func TestScanMatchesTokenize(t *testing.T) {
	cases := []string{
		"", "   ", "Get-MgUser", "AADSTS65001 and aadsts65001", "don't can't 'quoted' it''s",
		"Mail.ReadWrite v1.15.0 C:\\Users\\me a_b__c -x- x-", "MgServicePrincipal HTTPServer iOS16 X11",
		"café naïve Straße d’accord ÆON über-cool Ünïcödé-Teil", "a\tb\nc\r\nd\fe\vf", "end.\nNext—step › path",
		strings.Repeat("x", 64) + " " + strings.Repeat("y", 65) + "-z " + strings.Repeat("q", 70) + "'s",
		"user@example.com https://example.com/a/b?c=d#e", "日本語のテキスト 中文-English", "x\u00a0y\u2028z",
		"(Get-MgUser).DisplayName; $x=1", "A-", "-A", "a--b", "a-.b", "ABCdef GHIjKL",
	}
	for _, a := range sampleSite(t).Articles {
		for _, u := range extract(a) {
			cases = append(cases, u.fields[:]...)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("aZ09'’-_./\\:@ \t\né€ßİ日")
	for range 3000 {
		var b strings.Builder
		for range rng.IntN(24) {
			b.WriteRune(alphabet[rng.IntN(len(alphabet))])
		}
		cases = append(cases, b.String())
	}
	for _, c := range cases {
		got, want := scanAll(c), tokenizeAll(c)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("scan %q:\n got %s\nwant %s", c, fmt.Sprint(got), fmt.Sprint(want))
		}
	}
}

// TestExactKey holds the indexer's exact keys of titles and headings to
// exactKeyOf, which queries use.
func TestExactKey(t *testing.T) {
	w := newWorker(NewIndexer())
	st := newStemmer()
	texts := []string{"", "  ", "Get-MgUser", "Why does it say “Approval required”?", "Café naïve Straße", "AADSTS65001 — consent"}
	for _, a := range sampleSite(t).Articles {
		texts = append(texts, a.Title)
		for _, u := range extract(a) {
			texts = append(texts, u.heading)
		}
	}
	for _, s := range texts {
		want := exactKeyOf(tokenize(s), st)
		got := ""
		if id := w.exactKey(s); id != noTerm {
			got = w.ix.dict.strs[id]
		}
		if got != want {
			t.Errorf("exact key of %q: %q, want %q", s, got, want)
		}
	}
}
