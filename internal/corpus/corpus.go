// Package corpus generates synthetic help centers for benchmarks.
//
// Generate(Options{Articles: N, Seed: S}) returns the files of a help
// center with N articles; the same options always give byte-identical
// files. The tree is what `livedocs build` reads:
//
//	config.yaml                          title, base_url, links: strict
//	content/_index.md                    home page title and description
//	content/<category>/_index.md         title, description, weight, icon
//	content/<category>/<section>/_index.md
//	content/<category>/<section>/<article>.md
//	content/<category>/<section>/<image>.png   2–4 small screenshots per section
//
// Sections hold 20–50 articles and categories 5–15 sections (fewer when N is
// small). Each article is about 4 KB of markdown with front matter (title,
// id, summary, tags, keywords, updated, sometimes weight), an intro, several
// ## and ### headings with unique texts, 5–12 steps in one or two top-level
// ordered lists (some with pinned step IDs), fenced code in go, python,
// bash, powershell, json, yaml, javascript and sql, a GFM table, GitHub
// alerts, bold UI paths, keyboard keys, images of its section, sometimes a
// footnote, and links to other articles as relative .md paths, some with a
// #heading or #step-N anchor that exists in the target. Prose is built from
// a few hundred help-center words, error codes, setting and cmdlet names,
// picked with a skewed distribution so that word frequencies look natural.
//
// Generation draws from math/rand/v2 PCG streams keyed by the seed and the
// article's index, never from map order or the clock.
package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Options choose the corpus.
type Options struct {
	Articles int    // number of articles, at least 1
	Seed     uint64 // same seed, same bytes
}

// File is one generated file; Path is slash-separated and relative to the
// corpus root.
type File struct {
	Path string
	Data []byte
}

// Corpus is a generated help center.
type Corpus struct {
	Files      []File // sorted by Path
	Articles   int
	Sections   int
	Categories int
}

// Size returns the total bytes of all files.
func (c *Corpus) Size() int {
	n := 0
	for _, f := range c.Files {
		n += len(f.Data)
	}
	return n
}

// Generate builds the corpus in memory.
func Generate(opts Options) (*Corpus, error) {
	if opts.Articles < 1 {
		return nil, fmt.Errorf("generate corpus: need at least 1 article, not %d", opts.Articles)
	}
	g := &generator{seed: opts.Seed}
	g.plan(opts.Articles)
	c := &Corpus{Articles: len(g.articles), Categories: len(g.cats)}
	add := func(p string, data []byte) { c.Files = append(c.Files, File{Path: p, Data: data}) }
	add("config.yaml", g.config())
	add("content/_index.md", []byte("---\ntitle: \"Synthetic Help Center\"\ndescription: \"Generated articles for measuring livedocs builds.\"\n---\n\nAnswers to common questions about accounts, mail, calendars and billing.\n"))
	for _, cat := range g.cats {
		add(cat.dir+"/_index.md", indexFile(cat.title, cat.desc, cat.weight, cat.icon))
		for _, s := range cat.sections {
			c.Sections++
			add(s.dir+"/_index.md", indexFile(s.title, s.desc, s.weight, ""))
			for _, im := range s.images {
				data, err := screenshot(im.w, im.h, im.seed)
				if err != nil {
					return nil, fmt.Errorf("generate corpus: %w", err)
				}
				add(s.dir+"/"+im.name, data)
			}
		}
	}
	for _, a := range g.articles {
		add(a.path, g.article(a))
	}
	slices.SortFunc(c.Files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	return c, nil
}

// Write generates the corpus into dir, which must be missing or empty.
func Write(dir string, opts Options) (*Corpus, error) {
	c, err := Generate(opts)
	if err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("write corpus: %w", err)
	case len(ents) > 0:
		return nil, fmt.Errorf("write corpus: %s is not empty", dir)
	}
	made := map[string]bool{}
	for _, f := range c.Files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if d := filepath.Dir(p); !made[d] {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return nil, fmt.Errorf("write corpus: %w", err)
			}
			made[d] = true
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return nil, fmt.Errorf("write corpus: %w", err)
		}
	}
	return c, nil
}

// Body returns an article file without its front matter.
func Body(src []byte) []byte {
	if !bytes.HasPrefix(src, []byte("---\n")) {
		return src
	}
	i := bytes.Index(src[4:], []byte("\n---\n"))
	if i < 0 {
		return src
	}
	return src[4+i+5:]
}

type generator struct {
	seed     uint64
	cats     []*category
	articles []*article
}

type category struct {
	title, desc, icon, tag, noun, dir string
	weight                            int
	sections                          []*section
}

type section struct {
	title, desc, dir string
	weight           int
	cat              *category
	images           []picture
	articles         []*article
}

type picture struct {
	name string
	w, h int
	seed uint64
}

type article struct {
	idx       int
	sec       *section
	id, title string
	slug      string
	path      string
	summary   string
	weight    int
	tags      []string
	keywords  []string
	updated   string
	outline   []heading
	steps     int
	pinned    map[int]string // step N → writer-chosen ID
	footnote  bool
	bodyBytes int // target size of the body
}

type heading struct {
	kind  string // prereq, procedure, sub, reference, trouble, related
	level int
	text  string
	id    string
	steps int // procedure: items in its ordered list
}

// rnd draws words and numbers.
type rnd struct{ *rand.Rand }

func (g *generator) rng(stream uint64) rnd {
	return rnd{rand.New(rand.NewPCG(g.seed, stream))}
}

// between returns an int in [lo, hi].
func (r rnd) between(lo, hi int) int { return lo + r.IntN(hi-lo+1) }

func (r rnd) chance(p float64) bool { return r.Float64() < p }

// word picks from list, favouring its first entries.
func (r rnd) word(list []string) string {
	u := r.Float64()
	return list[int(u*u*float64(len(list)))]
}

// any picks uniformly.
func (r rnd) any(list []string) string { return list[r.IntN(len(list))] }

// split divides total into parts sizes, each kept within [lo, hi] when
// the average allows, varied by random transfers.
func split(r rnd, total, parts, lo, hi int) []int {
	sizes := make([]int, parts)
	for i := range sizes {
		sizes[i] = total / parts
		if i < total%parts {
			sizes[i]++
		}
	}
	if parts < 2 {
		return sizes
	}
	for range parts * 3 {
		i, j := r.IntN(parts), r.IntN(parts)
		if i == j {
			continue
		}
		room := min(sizes[i]-lo, hi-sizes[j], 12)
		if room <= 0 {
			continue
		}
		d := r.between(1, room)
		sizes[i] -= d
		sizes[j] += d
	}
	return sizes
}

// plan lays out categories, sections and articles with their titles and
// outlines, so that links can point at headings before bodies exist.
func (g *generator) plan(n int) {
	r := g.rng(0)
	nsec := max(1, (n+17)/35)
	ncat := max(1, (nsec+5)/10)
	secSizes := split(r, n, nsec, 20, 50)
	catSizes := split(r, nsec, ncat, 5, 15)
	si := 0
	for ci, ns := range catSizes {
		t := topics[ci%len(topics)]
		cat := &category{title: t.title, desc: t.desc, icon: t.icon, tag: t.tag, noun: t.noun, weight: ci + 1}
		switch round := ci / len(topics); round {
		case 0:
		case 1:
			cat.title = "Advanced " + strings.ToLower(t.title[:1]) + t.title[1:]
		case 2:
			cat.title += " for teams"
		default:
			cat.title += " " + strconv.Itoa(round+1)
		}
		cat.dir = "content/" + slugify(cat.title)
		themes := r.Perm(len(sectionThemes))
		for k := range ns {
			th := sectionThemes[themes[k%len(themes)]]
			title := fmt.Sprintf(th.title, cat.noun)
			if k >= len(themes) {
				title += " " + strconv.Itoa(k/len(themes)+1)
			}
			title = strings.ToUpper(title[:1]) + title[1:]
			s := &section{title: title, desc: th.desc, weight: k + 1, cat: cat}
			s.dir = cat.dir + "/" + slugify(title)
			names := r.Perm(len(imageNames))[:r.between(2, 4)]
			for _, ni := range names {
				s.images = append(s.images, picture{name: imageNames[ni] + ".png",
					w: 40 * r.between(8, 12), h: 30 * r.between(6, 9), seed: r.Uint64()})
			}
			cat.sections = append(cat.sections, s)
			for range secSizes[si] {
				a := &article{idx: len(g.articles), sec: s}
				g.articles = append(g.articles, a)
				s.articles = append(s.articles, a)
			}
			si++
		}
		g.cats = append(g.cats, cat)
	}
	for _, s := range g.sections() {
		taken := map[string]bool{}
		for _, a := range s.articles {
			g.planArticle(a, taken)
		}
	}
}

func (g *generator) sections() []*section {
	var out []*section
	for _, c := range g.cats {
		out = append(out, c.sections...)
	}
	return out
}

func (g *generator) planArticle(a *article, taken map[string]bool) {
	r := g.rng(uint64(a.idx)*2 + 1)
	f := filler{r: r, plain: true}
	for try := 0; ; try++ {
		a.title = capFirst(f.fill(r.any(titleTemplates)))
		a.slug = slugify(a.title)
		if try > 20 {
			a.slug += "-" + strconv.Itoa(a.idx)
		}
		if a.slug != "" && !taken[a.slug] {
			break
		}
	}
	taken[a.slug] = true
	a.path = a.sec.dir + "/" + a.slug + ".md"
	a.id = strconv.Itoa(100000 + a.idx)
	a.summary = capFirst(f.fill(r.any(sentences)))
	if r.chance(0.3) {
		a.weight = r.between(1, 9)
	}
	a.tags = []string{a.sec.cat.tag}
	for range r.between(1, 3) {
		if t := r.word(tags); !slices.Contains(a.tags, t) {
			a.tags = append(a.tags, t)
		}
	}
	for range r.between(3, 6) {
		var k string
		switch r.IntN(5) {
		case 0:
			k = r.word(errorCodes)
		case 1:
			k = r.word(settingNames)
		case 2:
			k = r.word(cmdlets)
		case 3:
			k = r.word(products)
		default:
			k = r.word(nouns)
		}
		if !slices.Contains(a.keywords, k) {
			a.keywords = append(a.keywords, k)
		}
	}
	a.updated = time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(1280)).Format("2006-01-02")
	a.footnote = r.chance(0.25)
	a.bodyBytes = r.between(3300, 4300)

	// Outline: headings with unique IDs, 5–12 steps in one or two lists.
	used := map[string]bool{}
	add := func(kind string, level int) *heading {
		h := heading{kind: kind, level: level}
		for try := 0; ; try++ {
			h.text = capFirst(f.fill(r.any(headingTemplates[kind])))
			if try > 10 {
				h.text += " " + strconv.Itoa(try)
			}
			h.id = headingID(h.text)
			if h.id != "" && !used[h.id] && !stepRE(h.id) {
				break
			}
		}
		used[h.id] = true
		a.outline = append(a.outline, h)
		return &a.outline[len(a.outline)-1]
	}
	a.steps = r.between(5, 12)
	lists := []int{a.steps}
	if a.steps >= 8 && r.chance(0.5) {
		first := r.between(3, a.steps-3)
		lists = []int{first, a.steps - first}
	}
	if r.chance(0.7) {
		add("prereq", 2)
	}
	subs := 0
	for _, k := range lists {
		add("procedure", 2).steps = k
		if r.chance(0.5) {
			add("sub", 3)
			subs++
		}
	}
	if r.chance(0.8) {
		add("reference", 2)
		if r.chance(0.4) {
			add("sub", 3)
			subs++
		}
	}
	if subs == 0 {
		add("sub", 2)
	}
	add("trouble", 2)
	for range r.IntN(3) {
		add("trouble", 3)
	}
	if r.chance(0.7) {
		add("related", 2)
	}
	a.pinned = map[int]string{}
	for n := 1; n <= a.steps; n++ {
		if !r.chance(0.15) {
			continue
		}
		id := slugify(f.fill("{v} {n}"))
		if id != "" && !used[id] && !stepRE(id) {
			used[id] = true
			a.pinned[n] = id
		}
	}
}

func stepRE(s string) bool {
	rest, ok := strings.CutPrefix(s, "step-")
	if !ok || rest == "" {
		return false
	}
	for _, c := range rest {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// headingID is the ID livedocs gives a heading: the GitHub-style slug of
// its text (letters, digits, _ and - kept, spaces to -, lower case).
func headingID(text string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(text) {
		switch {
		case unicode.IsLetter(c) || unicode.IsDigit(c) || c == '_' || c == '-':
			b.WriteRune(c)
		case c == ' ':
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

// slugify makes a file or folder name: a-z, 0-9 and single dashes.
func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(s) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(c)
			if b.Len() >= 60 {
				break
			}
			continue
		}
		dash = true
	}
	return b.String()
}

func capFirst(s string) string {
	for i, c := range s {
		if unicode.IsLower(c) {
			return s[:i] + string(unicode.ToUpper(c)) + s[i+len(string(c)):]
		}
		return s
	}
	return s
}

func (g *generator) config() []byte {
	return []byte(`# Generated by livedocs corpus: a synthetic help center for benchmarks.
title: Synthetic Help Center
description: Generated articles for measuring livedocs builds.
base_url: http://127.0.0.1:8080
language: en
submit_request_url: https://example.com/support/new
links: strict
`)
}

func indexFile(title, desc string, weight int, icon string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "---\ntitle: %s\ndescription: %s\nweight: %d\n", quote(title), quote(desc), weight)
	if icon != "" {
		fmt.Fprintf(&b, "icon: %s\n", icon)
	}
	b.WriteString("---\n")
	return b.Bytes()
}

// quote writes s as a YAML double-quoted scalar.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// relPath returns the path from the folder of from to the file to.
func relPath(from, to string) string {
	fd := strings.Split(path.Dir(from), "/")
	td := strings.Split(path.Dir(to), "/")
	i := 0
	for i < len(fd) && i < len(td) && fd[i] == td[i] {
		i++
	}
	parts := make([]string, 0, len(fd)-i+len(td)-i+1)
	for range len(fd) - i {
		parts = append(parts, "..")
	}
	parts = append(parts, td[i:]...)
	parts = append(parts, path.Base(to))
	return strings.Join(parts, "/")
}
