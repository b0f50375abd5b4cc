package search

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"

	"livedocs/internal/content"
	"livedocs/internal/render"
)

// Index tuning.
const (
	k1           = 1.2
	titleExact   = 1000 // impact of a query equal to an article title
	headingExact = 600  // … or to a section heading
	maxUnitText  = 4000 // bytes of unit text kept for snippets
	navFactor    = 0.3  // impacts in "Next steps"-like sections
	qScale       = 250  // a posting's saturation share in [0,1] → 1…qScale
	impactDiv    = 25   // impact = idf × q / impactDiv (= 10 × idf × share)
)

// fieldB is BM25's length normalisation per field.
var fieldB = [nFields]float64{0.3, 0.3, 0.3, 0.5, 0.5, 0.75}

// avgSteps is how finely the average field lengths of BM25's length
// normalisation are rounded: to a quarter of an octave. Editing one article
// of a large site then almost never moves them, so its postings are all
// that change; when they do move, every article is re-scored.
const avgSteps = 4

// Indexer derives the search index from a site. It keeps every article's
// analysis and every term's postings between calls, so a rebuild after one
// edit re-analyses that article, updates the postings of its terms and
// re-encodes only the shards holding them; the output is byte for byte the
// one a fresh Indexer writes. The zero value is not usable; call
// NewIndexer. Add may be called from one goroutine at a time.
type Indexer struct {
	// MaxPostings caps the postings kept per key (the highest impacts
	// win), bounding what a query on a common word downloads.
	MaxPostings int
	// MaxPairPostings is the same cap for word pairs ("a b" keys), which
	// only add a proximity bonus.
	MaxPairPostings int
	// LeafBytes is the target size of a term shard before compression.
	LeafBytes int

	mu    sync.Mutex
	dict  *dict
	cache map[string]*docEntry // by article path
	st    buildState
}

// NewIndexer returns an Indexer with the default limits.
func NewIndexer() *Indexer {
	return &Indexer{MaxPostings: 1000, MaxPairPostings: 100, LeafBytes: 12 << 10,
		dict: newDict(), cache: map[string]*docEntry{}}
}

// docKey is everything an article's index entry depends on.
type docKey struct {
	hash, body  uint64
	url, parent string
}

// docEntry is one analysed article.
type docEntry struct {
	key      docKey
	units    int
	lens     [nFields]int // words per field, summed over units
	present  [nFields]int // units in which each field has words
	avg      avgLens      // the average lengths posts were scored with
	counts   []unitCounts // term counts, until scored
	fcounts  []fieldCount // what counts' ranges index
	nposts   int          // postings the counts make
	posts    []docPost    // unit by unit
	surfs    []surfPair   // distinct surface forms
	frag     []byte       // fragment file
	fragName string
}

type avgLens [nFields]float64

// unitCounts is what scoring needs of one unit.
type unitCounts struct {
	lens     [nFields]int
	nav      bool
	from, to int    // the unit's term counts in docEntry.fcounts
	exact    uint32 // exact key of the title or heading, noTerm if none
}

// fieldCount is how often a term occurs in one field of a unit. A unit's
// counts hold each of its terms' fields together, in field order.
type fieldCount struct {
	term  uint32
	field uint8
	tf    uint16
}

// docPost is one term of one unit with its impact byte (0 for exact
// title/heading keys, whose impact is fixed).
type docPost struct {
	term, unit uint32
	q          uint8
}

type surfPair struct{ surf, key uint32 }

// Add analyses site and writes the index files under /search/ into files:
// search/index.json (the entry, stable name) and content-hashed shards.
func (ix *Indexer) Add(site *content.Site, files render.Files) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	docs := make([]*docEntry, len(site.Articles))
	ix.parallel(len(site.Articles), func(w *worker, i int) {
		a := site.Articles[i]
		k := docKey{hash: a.Hash, body: a.BodyKey, url: a.URL, parent: a.Parent()}
		e := ix.cache[a.Path]
		if e == nil || e.key != k {
			e = w.analyse(a)
			e.key = k
		}
		docs[i] = e
	})
	// Average field lengths, rounded; articles scored with other averages
	// are analysed again.
	var sum, present [nFields]int
	units := 0
	for _, d := range docs {
		units += d.units
		for f := range sum {
			sum[f] += d.lens[f]
			present[f] += d.present[f]
		}
	}
	var avg avgLens
	for f := range avg {
		// Titles are averaged over the units that have one (articles), as
		// a title's length should be compared with other titles; the other
		// fields over all units.
		n := units
		if f == fTitle {
			n = present[f]
		}
		a := max(float64(sum[f])/max(float64(n), 1), 1)
		avg[f] = math.Exp2(math.Round(math.Log2(a)*avgSteps) / avgSteps)
	}
	ix.parallel(len(docs), func(w *worker, i int) {
		d := docs[i]
		if d.counts == nil && d.avg != avg {
			a := site.Articles[i]
			e := w.analyse(a)
			e.key = d.key
			d = e
		}
		if d.counts != nil {
			d.score(avg)
		}
		docs[i] = d
	})
	clear(ix.cache)
	for i, a := range site.Articles {
		ix.cache[a.Path] = docs[i]
	}
	paths := make([]string, len(site.Articles))
	for i, a := range site.Articles {
		paths[i] = a.Path
	}
	ix.update(paths, docs)
	ix.write(files)
	return nil
}

// parallel calls fn(w, i) for i in [0, n) on GOMAXPROCS goroutines, each
// with its own worker.
func (ix *Indexer) parallel(n int, fn func(w *worker, i int)) {
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(n/8, 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newWorker(ix)
			for i := range next {
				fn(w, i)
			}
		}()
	}
	wg.Wait()
}

// worker analyses articles; each goroutine has its own.
type worker struct {
	ix          *Indexer
	sc          scanner
	ascii       map[string]*runInfo // raw ASCII run → analysis
	folded      map[string]*runInfo // folded non-ASCII run → analysis (without parts)
	ids         map[string]uint32   // compounds and exact keys
	pairs       map[uint64]uint32
	tf          [][nFields]uint16 // by term, for the unit being analysed
	touched     []uint32
	fcounts     []fieldCount // of the article being analysed
	counts      []unitCounts
	fragUnits   []fragUnit
	seen        []uint32 // surface → article number that last added it
	kb          []byte   // exact keys
	pb          []byte   // word pairs
	tw          textWriter
	lastSurfs   []surfPair // of the previous article, to size the next
	recent      *[recentSize]recentRun
	recentPairs *[recentPairSize]recentPair
	nDoc        uint32
}

const recentSize = 1 << 14

// quickHash mixes a run's length and its first and last eight bytes.
func quickHash(b []byte) uint32 {
	var x uint64
	if len(b) >= 8 {
		x = binary.LittleEndian.Uint64(b) ^ binary.LittleEndian.Uint64(b[len(b)-8:])*0x9e3779b97f4a7c15
	} else {
		for _, c := range b {
			x = x<<8 | uint64(c)
		}
	}
	x = (x ^ uint64(len(b))) * 0x9e3779b97f4a7c15
	return uint32(x >> 40)
}

// recentRun is a slot of the direct-mapped cache: the run is held in the
// slot itself, so a hit reads one cache line before the runInfo.
type recentRun struct {
	n   uint32 // length of the run; 0 for an empty slot
	raw [recentLen]byte
	ri  *runInfo
}

// recentLen is the longest run the direct-mapped cache holds.
const recentLen = 20

type runInfo struct {
	raw       string // the run as written, for ASCII runs
	surf, key uint32
	keyStr    string
	stop      bool
	parts     []surfPair
}

func newWorker(ix *Indexer) *worker {
	w := &worker{ix: ix, ascii: map[string]*runInfo{}, folded: map[string]*runInfo{},
		ids: map[string]uint32{}, pairs: map[uint64]uint32{}, recent: new([recentSize]recentRun),
		recentPairs: new([recentPairSize]recentPair)}
	for i := range w.recentPairs {
		w.recentPairs[i].id = noTerm
	}
	return w
}

// termKey returns the key of a folded term: its stem for a–z words.
func termKey(folded string) string {
	if isASCIIWord(folded) {
		return english.Stem(folded, true)
	}
	return folded
}

func (w *worker) keyID(folded string) uint32 { return w.ix.dict.id(termKey(folded)) }

func (w *worker) asciiInfo(raw []byte) *runInfo {
	// A direct-mapped cache in front of the map: most runs are a few
	// hundred common words.
	var slot *recentRun
	if len(raw) <= recentLen {
		slot = &w.recent[quickHash(raw)&(recentSize-1)]
		if int(slot.n) == len(raw) && string(slot.raw[:len(raw)]) == string(raw) {
			return slot.ri
		}
	}
	if ri := w.ascii[string(raw)]; ri != nil {
		if slot != nil {
			slot.n, slot.ri = uint32(copy(slot.raw[:], raw)), ri
		}
		return ri
	}
	text := lowerString(raw)
	k := termKey(text)
	ri := &runInfo{surf: w.ix.dict.id(text), key: w.ix.dict.id(k), keyStr: k, stop: isStop(text)}
	for _, p := range asciiParts(raw) {
		ri.parts = append(ri.parts, surfPair{w.ix.dict.id(p), w.keyID(p)})
	}
	ri.raw = string(raw)
	w.ascii[ri.raw] = ri
	if slot != nil {
		slot.n, slot.ri = uint32(copy(slot.raw[:], raw)), ri
	}
	return ri
}

func (w *worker) slowInfo(r *run) *runInfo {
	ri := w.folded[r.text]
	if ri == nil {
		k := termKey(r.text)
		ri = &runInfo{surf: w.ix.dict.id(r.text), key: w.ix.dict.id(k), keyStr: k, stop: isStop(r.text)}
		w.folded[r.text] = ri
	}
	if len(r.parts) == 0 {
		return ri
	}
	withParts := *ri
	withParts.parts = nil
	for _, p := range r.parts {
		withParts.parts = append(withParts.parts, surfPair{w.ix.dict.id(p), w.keyID(p)})
	}
	return &withParts
}

// runInfo returns the analysis of a run scanRuns found.
func (w *worker) runInfo(raw []byte, r *run) *runInfo {
	if r.text == "" {
		return w.asciiInfo(raw)
	}
	return w.slowInfo(r)
}

// exactKey returns the id of exactKeyOf(tokenize(s)), noTerm for "".
func (w *worker) exactKey(s string) uint32 {
	w.kb = w.kb[:0]
	w.sc.scanRuns(s, func(raw []byte, r *run) {
		if len(w.kb) > 0 {
			w.kb = append(w.kb, ' ')
		}
		w.kb = append(w.kb, w.runInfo(raw, r).keyStr...)
	})
	return w.exactID()
}

// exactID returns the id of the exact key whose words' keys w.kb holds,
// noTerm if none.
func (w *worker) exactID() uint32 {
	if len(w.kb) == 0 {
		return noTerm
	}
	w.kb = append(w.kb, '=')
	// Titles and headings seldom repeat: no worker cache in front.
	return w.ix.dict.idBytes(w.kb)
}

func (w *worker) strID(s string) uint32 {
	id, ok := w.ids[s]
	if !ok {
		id = w.ix.dict.id(s)
		w.ids[s] = id
	}
	return id
}

func (w *worker) pairID(a, b uint32) uint32 {
	k := uint64(a)<<32 | uint64(b)
	// Pairs repeat within an article (its title is the context of every
	// section): a direct-mapped cache answers most before the map.
	slot := &w.recentPairs[uint32((k*0x9e3779b97f4a7c15)>>40)&(recentPairSize-1)]
	if slot.key == k && slot.id != noTerm {
		return slot.id
	}
	id, ok := w.pairs[k]
	if !ok {
		id = w.ix.dict.pair(a, b, &w.pb)
		w.pairs[k] = id
	}
	slot.key, slot.id = k, id
	return id
}

const recentPairSize = 1 << 12

type recentPair struct {
	key uint64
	id  uint32 // noTerm for an empty slot
}

func (w *worker) count(t uint32, f int) {
	if int(t) >= len(w.tf) {
		w.tf = append(w.tf, make([][nFields]uint16, max(int(t)+1, 2*len(w.tf))-len(w.tf))...)
	}
	c := &w.tf[t]
	if *c == ([nFields]uint16{}) {
		w.touched = append(w.touched, t)
	}
	if c[f] < math.MaxUint16 {
		c[f]++
	}
}

func (w *worker) surface(e *docEntry, s, k uint32) {
	if int(s) >= len(w.seen) {
		w.seen = append(w.seen, make([]uint32, max(int(s)+1, 2*len(w.seen))-len(w.seen))...)
	}
	if w.seen[s] != w.nDoc {
		w.seen[s] = w.nDoc
		e.surfs = append(e.surfs, surfPair{s, k})
	}
}

const noTerm = ^uint32(0)

// analyse turns one article into postings, surface forms and its fragment.
func (w *worker) analyse(a *content.Article) *docEntry {
	w.nDoc++
	e := &docEntry{surfs: make([]surfPair, 0, len(w.lastSurfs)+16)}
	texts := w.tw.extract(a)
	w.fcounts, w.counts = w.fcounts[:0], w.counts[:0]
	frag := fragment{Title: a.Title, URL: a.URL, Parent: a.Parent(), Units: w.fragUnits[:0]}
	for ui, ut := range texts {
		var lens [nFields]int
		// The title or heading is also the unit's exact key: its words'
		// keys are gathered in w.kb as it is scanned.
		exactField := fHeading
		if ui == 0 {
			exactField = fTitle
		}
		w.kb = w.kb[:0]
		for f := 0; f < nFields; f++ {
			n := 0
			prev := noTerm
			w.sc.scanRuns(ut.fields[f], func(raw []byte, r *run) {
				n++
				ri := w.runInfo(raw, r)
				if f == exactField {
					if len(w.kb) > 0 {
						w.kb = append(w.kb, ' ')
					}
					w.kb = append(w.kb, ri.keyStr...)
				}
				w.surface(e, ri.surf, ri.key)
				w.count(ri.key, f)
				for _, p := range ri.parts {
					w.surface(e, p.surf, p.key)
					if p.key != ri.key {
						w.count(p.key, f)
					}
				}
				if r.compound != "" {
					c := w.strID(r.compound)
					w.surface(e, c, c)
					w.count(c, f)
				}
				if prev != noTerm && !ri.stop && f != fBody {
					w.count(w.pairID(prev, ri.key), f)
				}
				prev = noTerm
				if !ri.stop {
					prev = ri.key
				}
			})
			lens[f] = n
		}
		// Word pairs of the body come from its UI labels only: a label is
		// what readers type as a phrase ("admin consent requests").
		for _, l := range ut.labels {
			prev := noTerm
			w.sc.scanRuns(l, func(raw []byte, r *run) {
				ri := w.runInfo(raw, r)
				if prev != noTerm && !ri.stop {
					w.count(w.pairID(prev, ri.key), fBody)
				}
				prev = noTerm
				if !ri.stop {
					prev = ri.key
				}
			})
		}
		uc := unitCounts{lens: lens, nav: ut.nav, from: len(w.fcounts)}
		for f := range lens {
			e.lens[f] += lens[f]
			if lens[f] > 0 {
				e.present[f]++
			}
		}
		e.nposts += len(w.touched) + 1
		for _, t := range w.touched {
			for f, n := range w.tf[t] {
				if n > 0 {
					w.fcounts = append(w.fcounts, fieldCount{term: t, field: uint8(f), tf: n})
				}
			}
			w.tf[t] = [nFields]uint16{}
		}
		w.touched = w.touched[:0]
		uc.to = len(w.fcounts)
		uc.exact = w.exactID()
		w.counts = append(w.counts, uc)

		fu := fragUnit{Anchor: ut.anchor, Heading: ut.heading}
		if ui == 0 {
			fu.Text = clip(squeeze(a.Summary + " " + ut.fields[fBody]))
		} else {
			fu.Text = clip(ut.fields[fBody])
		}
		for _, s := range ut.steps {
			fu.Steps = append(fu.Steps, [2]string{s.anchor, clip(s.text)})
		}
		frag.Units = append(frag.Units, fu)
	}
	e.units = len(texts)
	e.counts = slices.Clone(w.counts)
	e.fcounts = slices.Clone(w.fcounts)
	size := 256
	for _, u := range frag.Units {
		size += len(u.Anchor) + len(u.Heading) + len(u.Text) + 32
		for _, st := range u.Steps {
			size += len(st[0]) + len(st[1]) + 8
		}
	}
	e.frag = frag.appendJSON(make([]byte, 0, size+size/16))
	w.lastSurfs = e.surfs
	e.fragName = "f-" + contentHash(e.frag) + ".json"
	clear(frag.Units)
	w.fragUnits = frag.Units
	return e
}

// score turns the term counts into postings with their impact bytes.
func (e *docEntry) score(avg avgLens) {
	e.avg = avg
	e.posts = make([]docPost, 0, e.nposts)
	for ui, u := range e.counts {
		var norm [nFields]float64
		for f := range norm {
			norm[f] = fieldWeights[f] / (1 - fieldB[f] + fieldB[f]*float64(u.lens[f])/avg[f])
		}
		fc := e.fcounts[u.from:u.to]
		for i := 0; i < len(fc); {
			t := fc[i].term
			var sum float64
			for ; i < len(fc) && fc[i].term == t; i++ {
				sum += float64(fc[i].tf) * norm[fc[i].field]
			}
			v := qScale * sum / (k1 + sum)
			if u.nav {
				v *= navFactor
			}
			e.posts = append(e.posts, docPost{term: t, unit: uint32(ui), q: uint8(max(1, math.Round(v)))})
		}
		if u.exact != noTerm {
			e.posts = append(e.posts, docPost{term: u.exact, unit: uint32(ui)})
		}
	}
	e.counts, e.fcounts = nil, nil
}

// exactKeyOf is the key of a whole title or heading: every word's key,
// stop words included, joined by spaces, with "=" appended.
func exactKeyOf(runs []run, st *stemmer) string {
	if len(runs) == 0 {
		return ""
	}
	var b strings.Builder
	for i, r := range runs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(st.key(r.text))
	}
	b.WriteByte('=')
	return b.String()
}

func clip(s string) string {
	if len(s) <= maxUnitText {
		return s
	}
	cut := maxUnitText
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// dict numbers every string the index holds: surface forms, keys, word
// pairs and exact keys. Numbers only ever grow; the output never depends
// on them (everything written is sorted by string).
type dict struct {
	mu   sync.Mutex
	ids  map[string]uint32
	strs []string
}

func newDict() *dict { return &dict{ids: map[string]uint32{}} }

func (d *dict) id(s string) uint32 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.idLocked(s)
}

func (d *dict) idLocked(s string) uint32 {
	id, ok := d.ids[s]
	if !ok {
		id = uint32(len(d.strs))
		d.ids[s] = id
		d.strs = append(d.strs, s)
	}
	return id
}

// idBytes is id(string(b)), allocating only for a new string.
func (d *dict) idBytes(b []byte) uint32 {
	d.mu.Lock()
	defer d.mu.Unlock()
	if id, ok := d.ids[string(b)]; ok {
		return id
	}
	return d.idLocked(string(b))
}

// pair returns the id of the word pair "a b"; buf is scratch space.
func (d *dict) pair(a, b uint32, buf *[]byte) uint32 {
	d.mu.Lock()
	defer d.mu.Unlock()
	k := append(append(append((*buf)[:0], d.strs[a]...), ' '), d.strs[b]...)
	*buf = k
	if id, ok := d.ids[string(k)]; ok {
		return id
	}
	return d.idLocked(string(k))
}

// buildState is what the previous Add left: the postings of every term
// and the shards they were written to.
type buildState struct {
	paths  []string
	docs   []*docEntry
	terms  []termState // by dict id
	live   []uint32    // terms with postings or surfaces, sorted by string
	lcp    []int       // characters live[i-1] and live[i] share
	sizes  []int       // bytes of each live term in its shard
	units  int
	shards map[uint32]*shardOut // by first term
	dirty  []uint32
}

type termState struct {
	posts []tpost // every unit holding the term, in (article, unit) order
	surfs int32   // articles in which the string is a surface form
	key   uint32  // the key of the surface form
	blob  []byte  // encoded entry, without the string
	fresh bool    // blob encoded by the current write
	live  bool
	dirty bool
}

// tpost is one posting: article, unit and impact byte.
type tpost struct {
	art, unit uint32
	q         uint8
}

type shardOut struct {
	terms []uint32
	name  string
	data  []byte
}

func (st *buildState) markDirty(t uint32) {
	if !st.terms[t].dirty {
		st.terms[t].dirty = true
		st.dirty = append(st.dirty, t)
	}
}

// update brings the postings up to date with docs.
func (ix *Indexer) update(paths []string, docs []*docEntry) {
	st := &ix.st
	if n := len(ix.dict.strs); n > len(st.terms) {
		st.terms = append(st.terms, make([]termState, n-len(st.terms))...)
	}
	if !slices.Equal(paths, st.paths) {
		// Articles moved: recount everything from the cached analyses.
		for t := range st.terms {
			ts := &st.terms[t]
			if ts.live || len(ts.posts) > 0 || ts.surfs > 0 {
				ts.posts = ts.posts[:0]
				ts.surfs = 0
				st.markDirty(uint32(t))
			}
		}
		st.units = 0
		// Size every term's postings first: one allocation for all.
		counts := make([]int, len(st.terms))
		total := 0
		for _, d := range docs {
			for _, p := range d.posts {
				counts[p.term]++
			}
			total += len(d.posts)
		}
		all := make([]tpost, total)
		for t, n := range counts {
			if n > 0 {
				st.terms[t].posts, all = all[:0:n], all[n:]
			}
		}
		for a, d := range docs {
			st.add(uint32(a), d)
		}
	} else {
		for a, d := range docs {
			if old := st.docs[a]; old != d {
				st.replace(uint32(a), old, d)
			}
		}
	}
	st.paths, st.docs = paths, docs
}

// add appends an article's postings; articles must come in order.
func (st *buildState) add(a uint32, d *docEntry) {
	st.units += d.units
	for _, p := range d.posts {
		ts := &st.terms[p.term]
		ts.posts = append(ts.posts, tpost{a, p.unit, p.q})
		st.markDirty(p.term)
	}
	for _, s := range d.surfs {
		st.terms[s.surf].surfs++
		st.terms[s.surf].key = s.key
		st.markDirty(s.surf)
	}
}

// replace swaps article a's old postings for new ones in place.
func (st *buildState) replace(a uint32, old, d *docEntry) {
	st.units += d.units - old.units
	byTerm := func(ps []docPost) []docPost {
		out := slices.Clone(ps)
		slices.SortStableFunc(out, func(x, y docPost) int { return int64cmp(int64(x.term), int64(y.term)) })
		return out
	}
	o, n := byTerm(old.posts), byTerm(d.posts)
	for len(o) > 0 || len(n) > 0 {
		t := noTerm
		if len(o) > 0 {
			t = o[0].term
		}
		if len(n) > 0 && n[0].term < t {
			t = n[0].term
		}
		var seg []tpost
		for len(n) > 0 && n[0].term == t {
			seg = append(seg, tpost{a, n[0].unit, n[0].q})
			n = n[1:]
		}
		for len(o) > 0 && o[0].term == t {
			o = o[1:]
		}
		ts := &st.terms[t]
		lo, _ := slices.BinarySearchFunc(ts.posts, a, func(p tpost, a uint32) int { return int64cmp(int64(p.art), int64(a)) })
		hi := lo
		for hi < len(ts.posts) && ts.posts[hi].art == a {
			hi++
		}
		if slices.Equal(ts.posts[lo:hi], seg) {
			continue
		}
		ts.posts = slices.Replace(ts.posts, lo, hi, seg...)
		st.markDirty(t)
	}
	for _, s := range old.surfs {
		if st.terms[s.surf].surfs--; st.terms[s.surf].surfs == 0 {
			st.markDirty(s.surf)
		}
	}
	for _, s := range d.surfs {
		if st.terms[s.surf].surfs++; st.terms[s.surf].surfs == 1 {
			st.terms[s.surf].key = s.key
			st.markDirty(s.surf)
		}
	}
}

func int64cmp(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// write encodes the dirty terms, packs all terms into shards, re-encodes
// the shards that changed and adds every index file to files.
func (ix *Indexer) write(files render.Files) {
	st := &ix.st
	strs := ix.dict.strs
	liveChanged := false
	var born []uint32
	var changed []uint32 // live terms encoded anew
	for _, t := range st.dirty {
		ts := &st.terms[t]
		ts.dirty = false
		live := len(ts.posts) > 0 || ts.surfs > 0
		if live != ts.live {
			liveChanged = true
			if live {
				born = append(born, t)
			}
		}
		ts.live = live
		ts.blob = nil
		if live {
			ts.blob = ix.encodeTerm(strs[t], ts)
			ts.fresh = true
			changed = append(changed, t)
		}
	}
	st.dirty = st.dirty[:0]
	byStr := func(a, b uint32) int { return strings.Compare(strs[a], strs[b]) }
	size := func(t uint32) int { return len(strs[t]) + len(st.terms[t].blob) + 2 }
	if liveChanged {
		st.relist(born, strs, byStr, size)
	}
	// Positions of the changed terms, for their sizes and their shards.
	var pos []int
	if len(changed) > len(st.live)/16 {
		for i, t := range st.live {
			if st.terms[t].fresh {
				st.terms[t].fresh = false
				st.sizes[i] = size(t)
				pos = append(pos, i)
			}
		}
	} else {
		slices.SortFunc(changed, byStr)
		pos = make([]int, len(changed))
		for i, t := range changed {
			st.terms[t].fresh = false
			pos[i], _ = slices.BinarySearchFunc(st.live, t, byStr)
			st.sizes[pos[i]] = size(t)
		}
	}

	groups := packGroups(st.live, strs, st.lcp, st.sizes, 2, ix.LeafBytes)
	shards := make(map[uint32]*shardOut, len(groups))
	ent := entry{Version: formatVersion, Units: st.units, Stop: stopWords, BlockSize: blockSize}
	next := 0 // into pos
	for gi, g := range groups {
		prev := st.shards[g.terms[0]]
		reuse := prev != nil && slices.Equal(prev.terms, g.terms)
		for next < len(pos) && pos[next] < g.hi {
			reuse = false
			next++
		}
		so := prev
		if !reuse {
			data := ix.encodeShard(g.terms)
			so = &shardOut{terms: g.terms, name: contentHash(data), data: data}
		}
		shards[g.terms[0]] = so
		files["/search/t-"+so.name+".bin"] = so.data
		start := g.prefix
		if gi == 0 {
			start = ""
		}
		ent.LeafStarts = append(ent.LeafStarts, start)
		ent.Leaves = append(ent.Leaves, so.name)
	}
	st.shards = shards

	// Fragments and the blocks that name them.
	docs := st.docs
	for b := 0; b < len(docs); b += blockSize {
		bb := []byte{'['}
		for i, d := range docs[b:min(b+blockSize, len(docs))] {
			files["/search/"+d.fragName] = d.frag
			if i > 0 {
				bb = append(bb, ',')
			}
			bb = append(bb, '"')
			bb = append(bb, d.fragName[2:len(d.fragName)-5]...)
			bb = append(bb, '"')
		}
		bb = append(bb, ']')
		name := contentHash(bb)
		files["/search/b-"+name+".json"] = bb
		ent.Blocks = append(ent.Blocks, name)
	}
	ent.Articles = len(docs)
	files["/search/index.json"] = mustJSON(ent)
}

// relist drops the terms that died from the live list and merges in
// those born (sorted by cmp), carrying over the common-prefix lengths and
// sizes of neighbours that stay neighbours.
func (st *buildState) relist(born []uint32, strs []string, cmp func(x, y uint32) int, size func(uint32) int) {
	// Sorted by their first eight bytes first, which most comparisons
	// settle without reading the strings.
	type bs struct {
		pre uint64
		s   string
		t   uint32
	}
	sorted := make([]bs, len(born))
	for i, t := range born {
		sorted[i] = bs{prefix8(strs[t]), strs[t], t}
	}
	slices.SortFunc(sorted, func(a, b bs) int {
		switch {
		case a.pre < b.pre:
			return -1
		case a.pre > b.pre:
			return 1
		}
		return strings.Compare(a.s, b.s)
	})
	for i, b := range sorted {
		born[i] = b.t
	}
	n := len(st.live) + len(born)
	live, lcp, sizes := make([]uint32, 0, n), make([]int, 0, n), make([]int, 0, n)
	prevOld := -2 // old index of the last term added, -1 for a born one
	add := func(t uint32, old int) {
		switch {
		case len(live) == 0:
			lcp = append(lcp, 0)
		case old >= 0 && old == prevOld+1:
			lcp = append(lcp, st.lcp[old])
		default:
			lcp = append(lcp, commonChars(strs[live[len(live)-1]], strs[t]))
		}
		if old >= 0 {
			sizes = append(sizes, st.sizes[old])
		} else {
			sizes = append(sizes, size(t))
		}
		live = append(live, t)
		prevOld = old
	}
	i := 0
	for _, b := range born {
		for ; i < len(st.live) && cmp(st.live[i], b) < 0; i++ {
			if st.terms[st.live[i]].live {
				add(st.live[i], i)
			}
		}
		add(b, -1)
	}
	for ; i < len(st.live); i++ {
		if st.terms[st.live[i]].live {
			add(st.live[i], i)
		}
	}
	st.live, st.lcp, st.sizes = live, lcp, sizes
}

// Term entry flags.
const (
	flagSurface  = 1 // the string is a word of the text; its key follows
	flagPostings = 2 // the string is a key; its postings follow
)

// encodeTerm encodes everything a shard says about one string but the
// string itself:
//
//	flags                            byte
//	surface: shared, len, suffix     the key is string[:shared] + suffix
//	postings: df, n, bytes, data     n postings of df, data is bytes long:
//	                                 n Δarticles, n units and (but for
//	                                 exact keys) n impact bytes q
//
// Numbers are unsigned LEB128 varints.
func (ix *Indexer) encodeTerm(s string, ts *termState) []byte {
	var b []byte
	var flags byte
	if ts.surfs > 0 {
		flags |= flagSurface
	}
	if len(ts.posts) > 0 {
		flags |= flagPostings
	}
	b = append(b, flags)
	if ts.surfs > 0 {
		k := ix.dict.strs[ts.key]
		n := 0
		for n < len(k) && n < len(s) && k[n] == s[n] {
			n++
		}
		b = binary.AppendUvarint(b, uint64(n))
		b = binary.AppendUvarint(b, uint64(len(k)-n))
		b = append(b, k[n:]...)
	}
	if len(ts.posts) > 0 {
		exact := strings.HasSuffix(s, "=")
		limit := ix.MaxPostings
		if !exact && strings.IndexByte(s, ' ') >= 0 {
			limit = ix.MaxPairPostings
		}
		ps := capPostings(ts.posts, limit, exact)
		data := make([]byte, 0, 3*len(ps))
		prev := uint32(0)
		for _, p := range ps {
			data = binary.AppendUvarint(data, uint64(p.art-prev))
			prev = p.art
		}
		for _, p := range ps {
			data = binary.AppendUvarint(data, uint64(p.unit))
		}
		if !exact {
			for _, p := range ps {
				data = append(data, p.q)
			}
		}
		b = binary.AppendUvarint(b, uint64(len(ts.posts)))
		b = binary.AppendUvarint(b, uint64(len(ps)))
		b = binary.AppendUvarint(b, uint64(len(data)))
		b = append(b, data...)
	}
	return b
}

// capPostings keeps the n postings of highest impact, earlier articles
// first among equals, in their original order.
func capPostings(ps []tpost, n int, exact bool) []tpost {
	if len(ps) <= n {
		return ps
	}
	rank := func(p tpost) int {
		if exact {
			if p.unit == 0 {
				return 2
			}
			return 1
		}
		return int(p.q)
	}
	var hist [256]int
	for _, p := range ps {
		hist[rank(p)]++
	}
	t, above := 255, 0
	for ; t > 0 && above+hist[t] < n; t-- {
		above += hist[t]
	}
	ties := n - above
	out := make([]tpost, 0, n)
	for _, p := range ps {
		r := rank(p)
		if r > t || r == t && ties > 0 {
			if r == t {
				ties--
			}
			out = append(out, p)
		}
	}
	return out
}

// encodeShard writes a term shard, t-<hash>.bin:
//
//	"LDS2", count                    then count entries, sorted by string:
//	shared, len, suffix, entry       the string is the previous one's first
//	                                 shared bytes + suffix; entry as
//	                                 encodeTerm writes it
func (ix *Indexer) encodeShard(terms []uint32) []byte {
	strs := ix.dict.strs
	n := 0
	for _, t := range terms {
		n += len(strs[t]) + len(ix.st.terms[t].blob) + 4
	}
	b := make([]byte, 0, n+8)
	b = append(b, shardMagic...)
	b = binary.AppendUvarint(b, uint64(len(terms)))
	prev := ""
	for _, t := range terms {
		s := strs[t]
		c := 0
		for c < len(s) && c < len(prev) && s[c] == prev[c] {
			c++
		}
		b = binary.AppendUvarint(b, uint64(c))
		b = binary.AppendUvarint(b, uint64(len(s)-c))
		b = append(b, s[c:]...)
		b = append(b, ix.st.terms[t].blob...)
		prev = s
	}
	return b
}

const shardMagic = "LDS2"

const (
	formatVersion = 2
	blockSize     = 64
)

// entry is search/index.json.
type entry struct {
	Version    int      `json:"v"`
	Articles   int      `json:"n"`
	Units      int      `json:"u"`
	Stop       []string `json:"stop"`
	LeafStarts []string `json:"ls"` // sorted; a key lives in the last leaf whose start ≤ key
	Leaves     []string `json:"lh"` // hash of t-<hash>.bin per leaf
	BlockSize  int      `json:"bs"`
	Blocks     []string `json:"bh"` // hash of b-<hash>.json per block of articles
}

// fragment is search/f-<hash>.json: what results show for one article.
type fragment struct {
	Title  string     `json:"t"`
	URL    string     `json:"u"`
	Parent string     `json:"p"`
	Units  []fragUnit `json:"s"`
}

type fragUnit struct {
	Anchor  string      `json:"a,omitempty"`
	Heading string      `json:"h,omitempty"`
	Text    string      `json:"x"`
	Steps   [][2]string `json:"st,omitempty"` // [anchor, text]
}

// appendJSON encodes f as encoding/json would, faster.
func (f *fragment) appendJSON(b []byte) []byte {
	b = append(b, `{"t":`...)
	b = appendJSONString(b, f.Title)
	b = append(b, `,"u":`...)
	b = appendJSONString(b, f.URL)
	b = append(b, `,"p":`...)
	b = appendJSONString(b, f.Parent)
	b = append(b, `,"s":[`...)
	for i, u := range f.Units {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		if u.Anchor != "" {
			b = append(b, `"a":`...)
			b = appendJSONString(b, u.Anchor)
			b = append(b, ',')
		}
		if u.Heading != "" {
			b = append(b, `"h":`...)
			b = appendJSONString(b, u.Heading)
			b = append(b, ',')
		}
		b = append(b, `"x":`...)
		b = appendJSONString(b, u.Text)
		if len(u.Steps) > 0 {
			b = append(b, `,"st":[`...)
			for j, s := range u.Steps {
				if j > 0 {
					b = append(b, ',')
				}
				b = append(b, '[')
				b = appendJSONString(b, s[0])
				b = append(b, ',')
				b = appendJSONString(b, s[1])
				b = append(b, ']')
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

// appendJSONString appends s as a JSON string, as encoding/json writes
// it; invalid UTF-8 becomes U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	mark := len(b)
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\t':
				b = append(b, '\\', 't')
			case '\r':
				b = append(b, '\\', 'r')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return appendJSONString(b[:mark], strings.ToValidUTF8(s, "\uFFFD"))
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, `\u202`...)
			b = append(b, hexDigits[r&0xf])
			start = i + size
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

type group struct {
	prefix string
	terms  []uint32 // terms[lo:hi] of packGroups' terms
	lo, hi int
	size   int
}

// packGroups cuts sorted terms into shards at prefix boundaries: terms
// that share their first depth characters stay together unless that group
// is too big, in which case it is cut one character deeper. Neighbouring
// small groups are merged up to target bytes.
//
// lcp[i] is how many characters terms i-1 and i share: two terms have the
// same first d characters exactly when every lcp between them is at least
// d. sizes[i] is the bytes of term i.
func packGroups(terms []uint32, strs []string, lcp, sizes []int, depth, target int) []group {
	var raw []group
	var split func(lo, hi, depth int)
	split = func(lo, hi, depth int) {
		for i := lo; i < hi; {
			j, n := i+1, sizes[i]
			for j < hi && lcp[j] >= depth {
				n += sizes[j]
				j++
			}
			p := prefixOf(strs[terms[i]], depth)
			if n > target && j-i > 1 {
				first := len(raw)
				split(i, j, depth+1)
				raw[first].prefix = p // the first subgroup also takes the short strings
			} else {
				raw = append(raw, group{prefix: p, terms: terms[i:j], lo: i, hi: j, size: n})
			}
			i = j
		}
	}
	split(0, len(terms), depth)
	var out []group
	for _, g := range raw {
		if len(out) > 0 && out[len(out)-1].size+g.size <= target {
			last := &out[len(out)-1]
			last.terms = terms[last.lo:g.hi]
			last.hi = g.hi
			last.size += g.size
			continue
		}
		out = append(out, g)
	}
	return out
}

// prefix8 is the first eight bytes of s, big-endian, zero-padded: it
// orders strings as their first eight bytes do.
func prefix8(s string) uint64 {
	var b [8]byte
	copy(b[:], s)
	return binary.BigEndian.Uint64(b[:])
}

// commonChars counts the characters a and b start with alike.
func commonChars(a, b string) int {
	n := 0
	for i := 0; i < len(a) && i < len(b); {
		if a[i] < utf8.RuneSelf {
			if a[i] != b[i] {
				break
			}
			i++
		} else {
			_, w := utf8.DecodeRuneInString(a[i:])
			if len(b) < i+w || a[i:i+w] != b[i:i+w] {
				break
			}
			i += w
		}
		n++
	}
	return n
}

// prefixOf returns the first n characters of s.
func prefixOf(s string, n int) string {
	i := 0
	for k := range s {
		if i == n {
			return s[:k]
		}
		i++
	}
	return s
}

func contentHash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:6])
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encode search index: %v", err)) // only plain data is encoded
	}
	return b
}

func isStop(w string) bool {
	i := sort.SearchStrings(stopWords, w)
	return i < len(stopWords) && stopWords[i] == w
}
