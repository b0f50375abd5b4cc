package search

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/kljensen/snowball/english"

	"livedocs/internal/content"
	"livedocs/internal/render"
)

// nodeOrSkip returns the node binary; without it the test fails under
// CI=true and is skipped, saying why, elsewhere.
func nodeOrSkip(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("node is required for the browser parity test (CI=true)")
		}
		t.Skip("node not found: skipping the Go/JS parity test (install Node.js 18+ to run it)")
	}
	return node
}

type jsResult struct {
	URL     string   `json:"url"`
	Title   string   `json:"title"`
	Section string   `json:"section"`
	Path    string   `json:"path"`
	Snippet string   `json:"snippet"`
	Marks   []string `json:"marks"`
	Score   float64  `json:"score"`
	Sub     []Sub    `json:"sub"`
}

// runParity runs queries through Go and search.js over the same index
// files and requires identical results, stems and folds.
func runParity(t *testing.T, files render.Files, queries []string, extraTexts []string) {
	node := nodeOrSkip(t)
	dir := t.TempDir()
	for p, b := range files {
		if filepath.Dir(p) != "/search" {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(p)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ix := openFiles(t, files)
	// Every a–z surface form in the index, for the stemmer.
	words := map[string]bool{}
	for p, b := range files {
		if filepath.Dir(p) != "/search" || !bytes.HasPrefix([]byte(filepath.Base(p)), []byte("t-")) {
			continue
		}
		l, err := decodeShard(b)
		if err != nil {
			t.Fatal(err)
		}
		for s := range l.w {
			if isASCIIWord(s) {
				words[s] = true
			}
		}
	}
	wordList := make([]string, 0, len(words))
	for w := range words {
		wordList = append(wordList, w)
	}
	sort.Strings(wordList)
	texts := append([]string{"Ünïcödé Straße ÆON œuvre Øresund İstanbul ΣΊΣΥΦΟΣ ﬁle Ⅻ café naïve"}, extraTexts...)
	in, _ := json.Marshal(map[string]any{"words": wordList, "texts": texts, "queries": queries, "limit": 10})
	// Copy the script so the test cache notices when it changes.
	script, err := os.ReadFile("../../themes/default/static/search.js")
	if err != nil {
		t.Fatal(err)
	}
	scriptPath := filepath.Join(t.TempDir(), "search.js")
	if err := os.WriteFile(scriptPath, script, 0o644); err != nil {
		t.Fatal(err)
	}
	runner, err := os.ReadFile("testdata/parity.js")
	if err != nil {
		t.Fatal(err)
	}
	runnerPath := filepath.Join(filepath.Dir(scriptPath), "parity.js")
	if err := os.WriteFile(runnerPath, runner, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, runnerPath, scriptPath, dir)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	var got struct {
		Stems   []string     `json:"stems"`
		Folds   []string     `json:"folds"`
		Results [][]jsResult `json:"results"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	bad := 0
	for i, w := range wordList {
		if want := english.Stem(w, true); got.Stems[i] != want {
			bad++
			if bad <= 20 {
				t.Errorf("stem %q: js %q, go %q", w, got.Stems[i], want)
			}
		}
	}
	t.Logf("compared %d stems and %d queries", len(wordList), len(queries))
	if len(wordList) < 500 {
		t.Errorf("only %d words compared; the index looks too small", len(wordList))
	}
	for i, s := range texts {
		if got.Folds[i] != fold(s) {
			t.Errorf("fold %q: js %q, go %q", s, got.Folds[i], fold(s))
		}
	}
	for qi, q := range queries {
		rs, err := ix.Search(q, 10)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]jsResult, len(rs))
		for i, r := range rs {
			want[i] = jsResult{URL: r.URL, Title: r.Title, Section: r.Section, Path: r.Parent, Snippet: r.Snippet, Score: r.Score, Sub: r.Sub, Marks: []string{}}
			for _, h := range r.Highlights {
				want[i].Marks = append(want[i].Marks, r.Snippet[h[0]:h[1]])
			}
			if want[i].Sub == nil {
				want[i].Sub = []Sub{}
			}
		}
		js := got.Results[qi]
		for i := range js {
			if js[i].Sub == nil {
				js[i].Sub = []Sub{}
			}
			if js[i].Marks == nil {
				js[i].Marks = []string{}
			}
		}
		if !reflect.DeepEqual(js, want) {
			t.Errorf("query %q differs:\ngo: %+v\njs: %+v", q, want, js)
		}
	}
}

func relevanceQueries(t *testing.T, files ...string) []string {
	var qs []string
	for _, f := range files {
		for _, c := range readRelevance(t, f) {
			qs = append(qs, c.query, c.query+" ")
		}
	}
	return append(qs, "who can", "the", "", "   ", "a-b", "Ünïcödé", "approv", "aproval requ", "get-mguserz", "1.15.0", "microsoft 365 says approval required")
}

func TestParitySample(t *testing.T) {
	files, _ := buildIndex(t, sampleSite(t))
	runParity(t, files, relevanceQueries(t, "testdata/relevance.txt"), nil)
}

var _ = content.Slugify
