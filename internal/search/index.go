package search

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

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
)

// fieldB is BM25's length normalisation per field.
var fieldB = [nFields]float64{0.3, 0.3, 0.3, 0.5, 0.5, 0.75}

// Indexer derives the search index from a site; it caches per article so a
// rebuild after one edit re-analyses only that article. The zero value is
// not usable; call NewIndexer. Add must not be called concurrently.
type Indexer struct {
	// MaxPostings caps the postings kept per key (the highest impacts win),
	// bounding what a query on a common word downloads.
	MaxPostings int
	// LeafBytes is the target size of a term shard before compression.
	LeafBytes int

	mu    sync.Mutex
	stem  *stemmer
	cache map[string]*docEntry // by article path
}

// NewIndexer returns an Indexer with the default limits.
func NewIndexer() *Indexer {
	return &Indexer{MaxPostings: 1000, LeafBytes: 24 << 10, stem: newStemmer(), cache: map[string]*docEntry{}}
}

// docKey is everything an article's index entry depends on.
type docKey struct {
	hash, body  uint64
	url, parent string
}

// docEntry is one analysed article.
type docEntry struct {
	key      docKey
	units    []unitStats
	surfaces map[string]string // folded surface form → key
	frag     []byte            // fragment file
	fragName string
}

// unitStats is one analysed unit.
type unitStats struct {
	terms []termFreq
	lens  [nFields]int
	exact string // key of the whole title or heading, "" if none
	isSec bool
	nav   bool
}

type termFreq struct {
	key string
	tf  [nFields]uint16
}

// Add analyses site and writes the index files under /search/ into files:
// search/index.json (the entry, stable name) and content-hashed shards.
func (ix *Indexer) Add(site *content.Site, files render.Files) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	docs := make([]*docEntry, len(site.Articles))
	var wg sync.WaitGroup
	next := make(chan int, len(site.Articles))
	for i := range site.Articles {
		next <- i
	}
	close(next)
	var cmu sync.Mutex
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				a := site.Articles[i]
				k := docKey{hash: a.Hash, body: a.BodyKey, url: a.URL, parent: a.Parent()}
				cmu.Lock()
				e := ix.cache[a.Path]
				cmu.Unlock()
				if e == nil || e.key != k {
					e = ix.analyse(a)
					e.key = k
					cmu.Lock()
					ix.cache[a.Path] = e
					cmu.Unlock()
				}
				docs[i] = e
			}
		}()
	}
	wg.Wait()
	for p := range ix.cache {
		if site.ByPath[p] == nil {
			delete(ix.cache, p)
		}
	}
	return ix.write(docs, files)
}

// analyse turns one article into unit statistics and its fragment file.
func (ix *Indexer) analyse(a *content.Article) *docEntry {
	e := &docEntry{surfaces: map[string]string{}}
	texts := extract(a)
	frag := fragment{Title: a.Title, URL: a.URL, Parent: a.Parent()}
	for ui, ut := range texts {
		us := unitStats{isSec: ui > 0, nav: ut.nav}
		counts := map[string]*[nFields]uint16{}
		add := func(k string, f int) {
			c := counts[k]
			if c == nil {
				c = new([nFields]uint16)
				counts[k] = c
			}
			if c[f] < math.MaxUint16 {
				c[f]++
			}
		}
		for f := 0; f < nFields; f++ {
			runs := tokenize(ut.fields[f])
			us.lens[f] = len(runs)
			prevKey := ""
			for ri, r := range runs {
				k := ix.stem.key(r.text)
				e.surfaces[r.text] = k
				add(k, f)
				for _, p := range r.parts {
					pk := ix.stem.key(p)
					e.surfaces[p] = pk
					if pk != k {
						add(pk, f)
					}
				}
				if r.compound != "" {
					e.surfaces[r.compound] = r.compound
					add(r.compound, f)
				}
				stop := isStop(r.text)
				if prevKey != "" && !stop && ri > 0 {
					add(prevKey+" "+k, f)
				}
				prevKey = ""
				if !stop {
					prevKey = k
				}
			}
		}
		switch {
		case ui == 0:
			us.exact = ix.exactKey(a.Title)
		default:
			us.exact = ix.exactKey(ut.heading)
		}
		us.terms = make([]termFreq, 0, len(counts))
		for k, c := range counts {
			us.terms = append(us.terms, termFreq{key: k, tf: *c})
		}
		e.units = append(e.units, us)

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
	e.frag = mustJSON(frag)
	e.fragName = "f-" + contentHash(e.frag) + ".json"
	return e
}

// exactKey is the key of a whole title or heading: every word's key,
// stop words included, joined by spaces, with "=" appended.
func (ix *Indexer) exactKey(s string) string { return exactKeyOf(tokenize(s), ix.stem) }

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

// posting is one (article, unit, impact) triple.
type posting struct {
	art, unit int32
	imp       int32
}

// write aggregates the analysed articles into the index files.
func (ix *Indexer) write(docs []*docEntry, files render.Files) error {
	// Collection statistics.
	df := map[string]int32{}
	var sumLen [nFields]float64
	nUnits := 0
	for _, d := range docs {
		for _, u := range d.units {
			nUnits++
			for f := 0; f < nFields; f++ {
				sumLen[f] += float64(u.lens[f])
			}
			for _, t := range u.terms {
				df[t.key]++
			}
		}
	}
	var avg [nFields]float64
	for f := range avg {
		avg[f] = math.Max(sumLen[f]/math.Max(float64(nUnits), 1), 1)
	}
	idf := make(map[string]float64, len(df))
	for k, n := range df {
		idf[k] = math.Log(1 + (float64(nUnits)-float64(n)+0.5)/(float64(n)+0.5))
	}

	// Postings, in (article, unit) order.
	postings := make(map[string][]posting, len(df))
	surfaces := map[string]string{}
	for ai, d := range docs {
		for s, k := range d.surfaces {
			surfaces[s] = k
		}
		for ui, u := range d.units {
			var norm [nFields]float64
			for f := 0; f < nFields; f++ {
				norm[f] = fieldWeights[f] / (1 - fieldB[f] + fieldB[f]*float64(u.lens[f])/avg[f])
			}
			for _, t := range u.terms {
				var w float64
				for f := 0; f < nFields; f++ {
					if t.tf[f] > 0 {
						w += float64(t.tf[f]) * norm[f]
					}
				}
				sc := 10 * idf[t.key] * w / (k1 + w)
				if u.nav {
					sc *= navFactor
				}
				imp := int32(math.Round(sc))
				if imp < 1 {
					imp = 1
				}
				postings[t.key] = append(postings[t.key], posting{int32(ai), int32(ui), imp})
			}
			if u.exact != "" {
				imp := int32(titleExact)
				if u.isSec {
					imp = headingExact
				}
				postings[u.exact] = append(postings[u.exact], posting{int32(ai), int32(ui), imp})
			}
		}
	}
	for k, ps := range postings {
		if len(ps) > ix.MaxPostings {
			sort.SliceStable(ps, func(i, j int) bool { return ps[i].imp > ps[j].imp })
			ps = ps[:ix.MaxPostings]
			sort.Slice(ps, func(i, j int) bool {
				if ps[i].art != ps[j].art {
					return ps[i].art < ps[j].art
				}
				return ps[i].unit < ps[j].unit
			})
			postings[k] = ps
		}
	}

	// Term shards.
	all := make([]string, 0, len(postings)+len(surfaces))
	seen := make(map[string]bool, len(postings)+len(surfaces))
	for k := range postings {
		all = append(all, k)
		seen[k] = true
	}
	for s := range surfaces {
		if !seen[s] {
			all = append(all, s)
		}
	}
	sort.Strings(all)
	size := func(k string) int {
		n := len(k)*2 + 8
		if ps, ok := postings[k]; ok {
			n += len(ps) * 10
		}
		return n
	}
	groups := packGroups(all, 2, ix.LeafBytes, size)
	ent := entry{Version: formatVersion, Stop: stopWords, BlockSize: blockSize}
	for gi, g := range groups {
		lf := leafFile{W: map[string]string{}, P: map[string]json.RawMessage{}}
		for _, k := range g.keys {
			if s, ok := surfaces[k]; ok {
				if s == k {
					s = ""
				}
				lf.W[k] = s
			}
			if ps, ok := postings[k]; ok {
				lf.P[k] = encodePostings(ps)
			}
		}
		b := mustJSON(lf)
		name := "t-" + contentHash(b) + ".json"
		files["/search/"+name] = b
		start := g.prefix
		if gi == 0 {
			start = ""
		}
		ent.LeafStarts = append(ent.LeafStarts, start)
		ent.Leaves = append(ent.Leaves, strings.TrimSuffix(strings.TrimPrefix(name, "t-"), ".json"))
	}

	// Fragments and the blocks that name them.
	for b := 0; b < len(docs); b += blockSize {
		var names []string
		for _, d := range docs[b:min(b+blockSize, len(docs))] {
			files["/search/"+d.fragName] = d.frag
			names = append(names, strings.TrimSuffix(strings.TrimPrefix(d.fragName, "f-"), ".json"))
		}
		bb := mustJSON(names)
		name := "b-" + contentHash(bb) + ".json"
		files["/search/"+name] = bb
		ent.Blocks = append(ent.Blocks, strings.TrimSuffix(strings.TrimPrefix(name, "b-"), ".json"))
	}
	ent.Articles = len(docs)
	files["/search/index.json"] = mustJSON(ent)
	return nil
}

const (
	formatVersion = 1
	blockSize     = 64
)

// entry is search/index.json.
type entry struct {
	Version    int      `json:"v"`
	Articles   int      `json:"n"`
	Stop       []string `json:"stop"`
	LeafStarts []string `json:"ls"` // sorted; a key lives in the last leaf whose start ≤ key
	Leaves     []string `json:"lh"` // hash of t-<hash>.json per leaf
	BlockSize  int      `json:"bs"`
	Blocks     []string `json:"bh"` // hash of b-<hash>.json per block of articles
}

// leafFile is search/t-<hash>.json.
type leafFile struct {
	W map[string]string          `json:"w"` // surface → key ("" when the same)
	P map[string]json.RawMessage `json:"p"` // key → postings
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

// encodePostings writes [Δarticle, unit, impact, …].
func encodePostings(ps []posting) json.RawMessage {
	b := make([]byte, 0, len(ps)*8+2)
	b = append(b, '[')
	prev := int32(0)
	for i, p := range ps {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(p.art-prev), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(p.unit), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(p.imp), 10)
		prev = p.art
	}
	return append(b, ']')
}

type group struct {
	prefix string
	keys   []string
	size   int
}

// packGroups cuts sorted keys into shards at prefix boundaries: keys that
// share their first depth characters stay together unless that group is
// too big, in which case it is cut one character deeper. Neighbouring
// small groups are merged up to target bytes.
func packGroups(keys []string, depth, target int, size func(string) int) []group {
	var raw []group
	for i := 0; i < len(keys); {
		p := prefixOf(keys[i], depth)
		j, n := i, 0
		for j < len(keys) && prefixOf(keys[j], depth) == p {
			n += size(keys[j])
			j++
		}
		if n > target && depth < 6 && j-i > 1 {
			sub := packGroups(keys[i:j], depth+1, target, size)
			sub[0].prefix = p // the first subgroup also takes the short keys
			raw = append(raw, sub...)
		} else {
			raw = append(raw, group{prefix: p, keys: keys[i:j], size: n})
		}
		i = j
	}
	var out []group
	for _, g := range raw {
		if len(out) > 0 && out[len(out)-1].size+g.size <= target {
			last := &out[len(out)-1]
			last.keys = append(last.keys[:len(last.keys):len(last.keys)], g.keys...)
			last.size += g.size
			continue
		}
		out = append(out, g)
	}
	return out
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
