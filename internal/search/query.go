package search

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// Query tuning, mirrored in search.js.
const (
	prefixFactor  = 0.8 // a completion of the last word being typed
	fuzzy1Factor  = 0.7 // one edit away
	fuzzy2Factor  = 0.5 // two edits away
	maxExpansions = 8   // completions or corrections per word
	bigramFactor  = 0.5 // adjacent query words found adjacent
	secondFactor  = 0.2 // weight of an article's second-best unit
	subMin        = 0.5 // sub-results need this share of the best unit's score
	maxSubs       = 3
	snippetRuns   = 24
	deepLinkShare = 0.4 // a section this close to its article's best takes the link
)

// Index is a built index opened for querying. It loads files lazily through
// Load, exactly as the browser does, and remembers what it loaded.
type Index struct {
	load   func(name string) ([]byte, error)
	ent    entry
	st     *stemmer
	leaves map[int]*leaf
	blocks map[int][]string
	frags  map[int]*fragment
	// Loaded lists the files read so far, in order, for measurements.
	Loaded []string
}

type leaf struct {
	w   map[string]string // surface → key
	raw map[string]rawPostings
	p   map[string][]posting
}

// rawPostings is a key's postings as the shard stores them.
type rawPostings struct {
	df, n int
	data  []byte
}

// posting is one unit holding a key, with the key's impact there.
type posting struct {
	art, unit int32
	imp       float64
}

// Open reads search/index.json through load, which is given file names
// relative to the search folder ("index.json", "t-….bin").
func Open(load func(name string) ([]byte, error)) (*Index, error) {
	ix := &Index{load: load, st: newStemmer(), leaves: map[int]*leaf{}, blocks: map[int][]string{}, frags: map[int]*fragment{}}
	b, err := ix.read("index.json")
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &ix.ent); err != nil {
		return nil, fmt.Errorf("decode search index: %w", err)
	}
	if ix.ent.Version != formatVersion {
		return nil, fmt.Errorf("search index format %d, want %d: rebuild the site", ix.ent.Version, formatVersion)
	}
	return ix, nil
}

func (ix *Index) read(name string) ([]byte, error) {
	ix.Loaded = append(ix.Loaded, name)
	b, err := ix.load(name)
	if err != nil {
		return nil, fmt.Errorf("read search index: %w", err)
	}
	return b, nil
}

// leafIndex returns the number of the shard holding key or surface s.
func (ix *Index) leafIndex(s string) int {
	return max(sort.Search(len(ix.ent.LeafStarts), func(i int) bool { return ix.ent.LeafStarts[i] > s })-1, 0)
}

// fuzzyLeaves returns the shards a correction of s is looked for in: the
// one s falls in and those its first n−1 and n−2 characters (at least 3)
// fall in, so that a typo in the last letters still finds the word when
// the shard boundary falls between them.
func (ix *Index) fuzzyLeaves(s string) []int {
	out := []int{ix.leafIndex(s)}
	rs := []rune(s)
	for cut := len(rs) - 1; cut >= max(3, len(rs)-2); cut-- {
		if i := ix.leafIndex(string(rs[:cut])); !slices.Contains(out, i) {
			out = append(out, i)
		}
	}
	slices.Sort(out)
	return out
}

// leafFor returns the shard holding key or surface s.
func (ix *Index) leafFor(s string) (*leaf, error) { return ix.leaf(ix.leafIndex(s)) }

// leaf returns shard i, reading it on first use.
func (ix *Index) leaf(i int) (*leaf, error) {
	if l := ix.leaves[i]; l != nil {
		return l, nil
	}
	b, err := ix.read("t-" + ix.ent.Leaves[i] + ".bin")
	if err != nil {
		return nil, err
	}
	l, err := decodeShard(b)
	if err != nil {
		return nil, fmt.Errorf("decode search shard %s: %w", ix.ent.Leaves[i], err)
	}
	ix.leaves[i] = l
	return l, nil
}

// decodeShard reads what encodeShard writes; postings stay raw until used.
func decodeShard(b []byte) (*leaf, error) {
	if !bytes.HasPrefix(b, []byte(shardMagic)) {
		return nil, errors.New("not a shard")
	}
	r := byteReader{b: b, i: len(shardMagic)}
	count := r.uvarint()
	if r.err != nil {
		return nil, r.err
	}
	l := &leaf{w: map[string]string{}, raw: map[string]rawPostings{}, p: map[string][]posting{}}
	prev := ""
	for range count {
		shared := r.uvarint()
		suffix := r.bytes(r.uvarint())
		if r.err != nil || shared > len(prev) {
			return nil, errors.New("truncated")
		}
		s := prev[:shared] + string(suffix)
		flags := r.byte()
		if flags&flagSurface != 0 {
			kp := r.uvarint()
			ks := r.bytes(r.uvarint())
			if kp > len(s) {
				return nil, errors.New("bad key")
			}
			l.w[s] = s[:kp] + string(ks)
		}
		if flags&flagPostings != 0 {
			df, n := r.uvarint(), r.uvarint()
			l.raw[s] = rawPostings{df: df, n: n, data: r.bytes(r.uvarint())}
		}
		if r.err != nil {
			return nil, errors.New("truncated")
		}
		prev = s
	}
	if r.i != len(b) {
		return nil, errors.New("trailing bytes")
	}
	return l, nil
}

type byteReader struct {
	b   []byte
	i   int
	err error
}

func (r *byteReader) uvarint() int {
	v, n := binary.Uvarint(r.b[min(r.i, len(r.b)):])
	if n <= 0 || v > 1<<31 {
		r.err = errors.New("bad varint")
		return 0
	}
	r.i += n
	return int(v)
}

func (r *byteReader) byte() byte {
	if r.i >= len(r.b) {
		r.err = errors.New("truncated")
		return 0
	}
	r.i++
	return r.b[r.i-1]
}

func (r *byteReader) bytes(n int) []byte {
	if r.i+n > len(r.b) {
		r.err = errors.New("truncated")
		return nil
	}
	r.i += n
	return r.b[r.i-n : r.i]
}

// postings returns the postings of key, nil when it has none.
func (ix *Index) postings(key string) ([]posting, error) {
	l, err := ix.leafFor(key)
	if err != nil {
		return nil, err
	}
	if ps, ok := l.p[key]; ok {
		return ps, nil
	}
	raw, ok := l.raw[key]
	if !ok {
		return nil, nil
	}
	exact := strings.HasSuffix(key, "=")
	idf := ix.idf(raw.df)
	ps := make([]posting, 0, raw.n)
	r := byteReader{b: raw.data}
	art := 0
	for range raw.n {
		art += r.uvarint()
		ps = append(ps, posting{art: int32(art)})
	}
	for i := range ps {
		ps[i].unit = int32(r.uvarint())
	}
	for i := range ps {
		switch {
		case !exact:
			ps[i].imp = idf * float64(r.byte()) / impactDiv
		case ps[i].unit == 0:
			ps[i].imp = titleExact
		default:
			ps[i].imp = headingExact
		}
	}
	if r.err != nil {
		return nil, fmt.Errorf("decode search shard: postings of %q: %w", key, r.err)
	}
	l.p[key] = ps
	return ps, nil
}

// idf is BM25's inverse document frequency of a key found in df units.
func (ix *Index) idf(df int) float64 {
	n := float64(ix.ent.Units)
	d := float64(df)
	return ln(1 + (n-d+0.5)/(d+0.5))
}

// ln is the natural logarithm of x ≥ 1 computed with + − × ÷ alone, which
// IEEE 754 rounds the same everywhere: math.Log and JavaScript's Math.log
// may differ in the last bit, and search.js must rank exactly as Go does.
func ln(x float64) float64 {
	e := 0.0
	for x >= 2 {
		x /= 2
		e++
	}
	z := (x - 1) / (x + 1)
	z2 := z * z
	sum, term := 0.0, z
	for k := 1.0; k < 60; k += 2 {
		sum += term / k
		term *= z2
	}
	return float64(2*sum) + float64(e*math.Ln2)
}

// qword is one word of a query.
type qword struct {
	surface, key string
	stop         bool
	first, last  int     // runs it covers, [first, last)
	parts        []qword // a compound's runs, tried when the whole is unknown
	cands        []cand
}

type cand struct {
	key    string
	factor float64
}

// queryWords turns a query into words: a compound is one word whose parts
// stand by.
func (ix *Index) queryWords(runs []run) []qword {
	var out []qword
	for i := 0; i < len(runs); i++ {
		r := runs[i]
		if r.compound != "" {
			j := i
			for j < len(runs) && runs[j].start < r.compEnd {
				j++
			}
			w := qword{surface: r.compound, key: r.compound, first: i, last: j}
			for k := i; k < j; k++ {
				w.parts = append(w.parts, ix.simpleWord(runs[k], k))
			}
			out = append(out, w)
			i = j - 1
			continue
		}
		out = append(out, ix.simpleWord(r, i))
	}
	return out
}

func (ix *Index) simpleWord(r run, i int) qword {
	return qword{surface: r.text, key: ix.st.key(r.text), stop: isStop(r.text), first: i, last: i + 1}
}

// Result is one article found by a query.
type Result struct {
	URL        string   `json:"url"` // with the #anchor of the best section or step
	Title      string   `json:"title"`
	Section    string   `json:"section"` // heading of the best section, "" for the article itself
	Parent     string   `json:"path"`    // category › section
	Snippet    string   `json:"snippet"`
	Highlights [][2]int `json:"-"` // byte ranges of matched words in Snippet
	Score      float64  `json:"score"`
	Sub        []Sub    `json:"sub,omitempty"`
}

// Sub is another matching section of the same article.
type Sub struct {
	URL     string  `json:"url"`
	Section string  `json:"section"`
	Score   float64 `json:"score"`
}

type hit struct {
	art, unit int32
	score     float64
}

// Search runs q and returns up to limit results, best first.
func (ix *Index) Search(q string, limit int) ([]Result, error) {
	runs := tokenize(q)
	words := ix.queryWords(runs)
	if len(words) == 0 {
		return nil, nil
	}
	typing := len(q) > 0 && q[len(q)-1] != ' ' && q[len(q)-1] != '\t'
	allStop := true
	for _, w := range words {
		if !w.stop {
			allStop = false
		}
	}
	var active []qword
	for _, w := range words {
		if !w.stop || allStop {
			active = append(active, w)
		}
	}
	// Expand each word; a compound nobody wrote falls back to its parts.
	var final []qword
	for wi, w := range active {
		last := wi == len(active)-1 && w.last == len(runs) && typing
		if err := ix.expand(&w, last); err != nil {
			return nil, err
		}
		if len(w.cands) == 0 && len(w.parts) > 0 {
			for pi, p := range w.parts {
				if p.stop {
					continue
				}
				if err := ix.expand(&p, last && pi == len(w.parts)-1); err != nil {
					return nil, err
				}
				final = append(final, p)
			}
			continue
		}
		final = append(final, w)
	}
	if len(final) == 0 {
		return nil, nil
	}

	// Score units.
	type acc struct {
		best []float64
	}
	units := map[int64]*acc{}
	var order []int64
	for wi, w := range final {
		for _, c := range w.cands {
			ps, err := ix.postings(c.key)
			if err != nil {
				return nil, err
			}
			for _, p := range ps {
				id := int64(p.art)<<20 | int64(p.unit)
				a := units[id]
				if a == nil {
					a = &acc{best: make([]float64, len(final))}
					units[id] = a
					order = append(order, id)
				}
				if v := p.imp * c.factor; v > a.best[wi] {
					a.best[wi] = v
				}
			}
		}
	}
	scores := make(map[int64]float64, len(units))
	for _, id := range order {
		a := units[id]
		raw, matched := 0.0, 0
		for _, v := range a.best {
			raw += v
			if v > 0 {
				matched++
			}
		}
		cov := float64(matched) / float64(len(final))
		scores[id] = raw * cov * cov
	}
	// Adjacent words found adjacent.
	for i := 0; i+1 < len(final); i++ {
		a, b := final[i], final[i+1]
		if a.last != b.first || len(a.cands) == 0 || len(b.cands) == 0 || a.parts != nil || b.parts != nil {
			continue
		}
		ps, err := ix.postings(a.cands[0].key + " " + b.cands[0].key)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			id := int64(p.art)<<20 | int64(p.unit)
			if _, ok := scores[id]; ok {
				scores[id] += bigramFactor * p.imp
			}
		}
	}
	// The whole query is a title or heading.
	exactUnits := map[int64]bool{}
	if ek := exactKeyOf(runs, ix.st); ek != "" {
		ps, err := ix.postings(ek)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			id := int64(p.art)<<20 | int64(p.unit)
			if _, ok := scores[id]; !ok {
				order = append(order, id)
			}
			scores[id] += p.imp
			exactUnits[id] = true
		}
	}

	// Group units under their article.
	byArt := map[int32][]hit{}
	var arts []int32
	for _, id := range order {
		s := scores[id]
		if s <= 0 {
			continue
		}
		h := hit{art: int32(id >> 20), unit: int32(id & (1<<20 - 1)), score: s}
		if byArt[h.art] == nil {
			arts = append(arts, h.art)
		}
		byArt[h.art] = append(byArt[h.art], h)
	}
	type ranked struct {
		art   int32
		score float64
		hits  []hit
	}
	var rs []ranked
	for _, a := range arts {
		hs := byArt[a]
		sort.Slice(hs, func(i, j int) bool {
			if hs[i].score != hs[j].score {
				return hs[i].score > hs[j].score
			}
			return hs[i].unit < hs[j].unit
		})
		s := hs[0].score
		if len(hs) > 1 {
			s += secondFactor * hs[1].score
		}
		rs = append(rs, ranked{a, s, hs})
	}
	sort.Slice(rs, func(i, j int) bool {
		if rs[i].score != rs[j].score {
			return rs[i].score > rs[j].score
		}
		return rs[i].art < rs[j].art
	})
	if len(rs) > limit {
		rs = rs[:limit]
	}

	// Fragments: titles, anchors and snippets.
	hitKeys := map[string]bool{}
	for _, w := range final {
		for _, c := range w.cands {
			hitKeys[c.key] = true
		}
	}
	out := make([]Result, 0, len(rs))
	for _, r := range rs {
		fr, err := ix.fragment(int(r.art))
		if err != nil {
			return nil, err
		}
		best := r.hits[0]
		shown := best
		if best.unit == 0 && !exactUnits[int64(best.art)<<20] {
			// The article matched as a whole; point at a section that
			// holds the words when one matches nearly as well.
			for _, h := range r.hits[1:] {
				if h.score >= deepLinkShare*best.score {
					shown = h
				}
				break
			}
		}
		res := Result{Title: fr.Title, Parent: fr.Parent, Score: round6(r.score)}
		res.URL, res.Section, res.Snippet, res.Highlights = ix.describe(fr, int(shown.unit), hitKeys, len(final))
		for _, h := range r.hits[1:] {
			if len(res.Sub) == maxSubs || h.score < subMin*best.score {
				break
			}
			if int(h.unit) >= len(fr.Units) || h.unit == 0 || h.unit == shown.unit {
				continue
			}
			u := fr.Units[h.unit]
			res.Sub = append(res.Sub, Sub{URL: fr.URL + "#" + u.Anchor, Section: u.Heading, Score: round6(h.score)})
		}
		out = append(out, res)
	}
	return out, nil
}

func round6(f float64) float64 { return math.Round(f*1e6) / 1e6 }

// expand finds the keys a word stands for: its own key, completions when
// it is the word being typed, corrections when it is unknown.
func (ix *Index) expand(w *qword, typing bool) error {
	ps, err := ix.postings(w.key)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	if len(ps) > 0 {
		w.cands = append(w.cands, cand{w.key, 1})
		have[w.key] = true
	}
	n := utf8.RuneCountInString(w.surface)
	if typing && n >= 2 {
		l, err := ix.leafFor(w.surface)
		if err != nil {
			return err
		}
		var comps []string
		for s := range l.w {
			if s != w.surface && strings.HasPrefix(s, w.surface) {
				comps = append(comps, s)
			}
		}
		sortByLength(comps)
		added := 0
		for _, s := range comps {
			if added == maxExpansions {
				break
			}
			k := keyOf(l, s)
			if have[k] {
				continue
			}
			have[k] = true
			w.cands = append(w.cands, cand{k, prefixFactor})
			added++
		}
	}
	if len(ps) == 0 && n >= 5 {
		maxD := 1
		if n >= 9 {
			maxD = 2
		}
		first, _ := utf8.DecodeRuneInString(w.surface)
		type fz struct {
			s string
			d int
			l *leaf
		}
		var fs []fz
		for _, i := range ix.fuzzyLeaves(w.surface) {
			l, err := ix.leaf(i)
			if err != nil {
				return err
			}
			for s := range l.w {
				r, _ := utf8.DecodeRuneInString(s)
				if r != first || s == w.surface {
					continue
				}
				if d := osa(w.surface, s, maxD); d <= maxD {
					fs = append(fs, fz{s, d, l})
				}
			}
		}
		sort.Slice(fs, func(i, j int) bool {
			if fs[i].d != fs[j].d {
				return fs[i].d < fs[j].d
			}
			return lessRunes(fs[i].s, fs[j].s)
		})
		added := 0
		for _, f := range fs {
			if added == maxExpansions {
				break
			}
			k := keyOf(f.l, f.s)
			if have[k] {
				continue
			}
			have[k] = true
			fac := fuzzy1Factor
			if f.d == 2 {
				fac = fuzzy2Factor
			}
			w.cands = append(w.cands, cand{k, fac})
			added++
		}
	}
	// Keep only candidates with postings.
	kept := w.cands[:0]
	for _, c := range w.cands {
		ps, err := ix.postings(c.key)
		if err != nil {
			return err
		}
		if len(ps) > 0 {
			kept = append(kept, c)
		}
	}
	w.cands = kept
	return nil
}

func keyOf(l *leaf, s string) string {
	if k := l.w[s]; k != "" {
		return k
	}
	return s
}

// sortByLength orders completions shortest first, then alphabetically.
func sortByLength(ss []string) {
	sort.Slice(ss, func(i, j int) bool {
		a, b := utf8.RuneCountInString(ss[i]), utf8.RuneCountInString(ss[j])
		if a != b {
			return a < b
		}
		return lessRunes(ss[i], ss[j])
	})
}

// lessRunes compares by code points (as Go strings do, byte-wise).
func lessRunes(a, b string) bool { return a < b }

// osa is the optimal-string-alignment distance of a and b (an adjacent
// swap counts one edit), or max+1 when it exceeds max.
func osa(a, b string, max int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > max || -d > max {
		return max + 1
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

func (ix *Index) fragment(art int) (*fragment, error) {
	if f := ix.frags[art]; f != nil {
		return f, nil
	}
	bi := art / ix.ent.BlockSize
	names, ok := ix.blocks[bi]
	if !ok {
		if bi >= len(ix.ent.Blocks) {
			return nil, fmt.Errorf("read search index: article %d out of range", art)
		}
		b, err := ix.read("b-" + ix.ent.Blocks[bi] + ".json")
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(b, &names); err != nil {
			return nil, fmt.Errorf("decode search block: %w", err)
		}
		ix.blocks[bi] = names
	}
	b, err := ix.read("f-" + names[art%ix.ent.BlockSize] + ".json")
	if err != nil {
		return nil, err
	}
	f := &fragment{}
	if err := json.Unmarshal(b, f); err != nil {
		return nil, fmt.Errorf("decode search fragment: %w", err)
	}
	ix.frags[art] = f
	return f, nil
}

// describe returns the URL, section heading and snippet of a unit, moving
// to one of its steps when a step holds the matched words.
func (ix *Index) describe(fr *fragment, unit int, hitKeys map[string]bool, nWords int) (url, section, snippet string, hl [][2]int) {
	if unit >= len(fr.Units) {
		return fr.URL, "", "", nil
	}
	u := fr.Units[unit]
	url, section = fr.URL, u.Heading
	if unit > 0 {
		url += "#" + u.Anchor
	}
	text := u.Text
	bestStep, bestCount := -1, 0
	for i, s := range u.Steps {
		if c := ix.countKeys(s[1], hitKeys); c > bestCount {
			bestStep, bestCount = i, c
		}
	}
	// A step takes the link when it holds more of the query than the
	// heading does and at least half of it.
	if bestStep >= 0 && bestCount > ix.countKeys(u.Heading, hitKeys) && bestCount*2 >= nWords {
		url = fr.URL + "#" + u.Steps[bestStep][0]
		text = u.Steps[bestStep][1]
	}
	snippet, hl = ix.snippet(text, hitKeys)
	return url, section, snippet, hl
}

// runMatches reports whether a run of a result's text matches the query.
func (ix *Index) runMatches(r run, hitKeys map[string]bool) []string {
	var ks []string
	if k := ix.st.key(r.text); hitKeys[k] {
		ks = append(ks, k)
	}
	if r.compound != "" && hitKeys[r.compound] {
		ks = append(ks, r.compound)
	}
	for _, p := range r.parts {
		if k := ix.st.key(p); hitKeys[k] {
			ks = append(ks, k)
		}
	}
	return ks
}

// countKeys counts the distinct query keys in text.
func (ix *Index) countKeys(text string, hitKeys map[string]bool) int {
	seen := map[string]bool{}
	for _, r := range tokenize(text) {
		for _, k := range ix.runMatches(r, hitKeys) {
			seen[k] = true
		}
	}
	return len(seen)
}

// snippet cuts the window of snippetRuns words with the most matches.
func (ix *Index) snippet(text string, hitKeys map[string]bool) (string, [][2]int) {
	runs := tokenize(text)
	if len(runs) == 0 {
		return "", nil
	}
	m := make([]int, len(runs))
	for i, r := range runs {
		if len(ix.runMatches(r, hitKeys)) > 0 {
			m[i] = 1
			// A matched compound lights up all of its runs.
			for j := i + 1; r.compound != "" && j < len(runs) && runs[j].start < r.compEnd; j++ {
				m[j] = 1
			}
		}
	}
	count := func(s int) int {
		c := 0
		for i := s; i < min(s+snippetRuns, len(runs)); i++ {
			c += m[i]
		}
		return c
	}
	best := 0
	for s := 0; s == 0 || s+snippetRuns <= len(runs); s++ {
		best = max(best, count(s))
	}
	// The window starts a few words before its first match.
	ws := 0
	for f := range runs {
		if m[f] == 0 {
			continue
		}
		s := max(0, f-4)
		if s+snippetRuns > len(runs) {
			s = max(0, len(runs)-snippetRuns)
		}
		if count(s) == best {
			ws = s
			break
		}
	}
	begin, end := 0, len(text)
	if ws > 0 {
		begin = runs[ws].start
	}
	we := ws + snippetRuns
	if we < len(runs) {
		end = runs[we-1].end
	}
	var b strings.Builder
	if ws > 0 {
		b.WriteString("…")
	}
	shift := b.Len() - begin
	b.WriteString(text[begin:end])
	if we < len(runs) {
		b.WriteString("…")
	}
	var hl [][2]int
	for i := ws; i < min(we, len(runs)); i++ {
		if m[i] == 1 {
			hl = append(hl, [2]int{runs[i].start + shift, runs[i].end + shift})
		}
	}
	return b.String(), hl
}
