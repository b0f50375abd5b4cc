package search

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// relevanceCase is one line of a relevance file.
type relevanceCase struct {
	line        int
	query, want string
}

func readRelevance(t testing.TB, name string) []relevanceCase {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []relevanceCase
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		q, want, ok := strings.Cut(line, " | ")
		if !ok {
			t.Fatalf("%s:%d: want \"query | url\"", name, n)
		}
		out = append(out, relevanceCase{n, strings.TrimSpace(q), strings.TrimSpace(want)})
	}
	return out
}

// firstMatches reports whether a first result's URL satisfies want.
func firstMatches(got, want string) bool {
	if strings.Contains(want, "#") {
		return got == want
	}
	path, _, _ := strings.Cut(got, "#")
	return path == want
}

func checkRelevance(t *testing.T, ix *Index, file string, minCases int) {
	cases := readRelevance(t, file)
	if len(cases) < minCases {
		t.Fatalf("%s has %d queries, want at least %d", file, len(cases), minCases)
	}
	for _, c := range cases {
		rs, err := ix.Search(c.query, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) == 0 || !firstMatches(rs[0].URL, c.want) {
			t.Errorf("%s:%d: %q: first result should be %s; got\n%s", file, c.line, c.query, c.want, describeResults(rs))
		}
	}
}

func TestRelevanceSample(t *testing.T) {
	_, ix := buildIndex(t, sampleSite(t))
	checkRelevance(t, ix, "testdata/relevance.txt", 20)
}
