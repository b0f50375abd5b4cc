package content

import (
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"livedocs/internal/markdown"
)

// Options configure loading.
type Options struct {
	Dir         string // content folder inside the fs.FS, e.g. "content"
	Drafts      bool   // include drafts
	StrictLinks bool   // broken links and images are errors, not warnings
	// KnownCheck reports whether a check ID exists; nil accepts none.
	KnownCheck func(id string) bool
	// IgnoreKeys are front-matter keys (path.Match patterns) to drop
	// without error, for imported documentation.
	IgnoreKeys []string
}

// Loader loads sites, reusing parsed files whose bytes did not change.
// A Loader is not safe for concurrent use.
type Loader struct {
	parser *markdown.Parser
	cache  map[string]*parsed // by source path
	images map[string]imageInfo
	now    func() time.Time
}

// imageInfo caches an image's pixel size by its file's size and mtime.
type imageInfo struct {
	size  int64
	mtime time.Time
	w, h  int
}

// parsed is the part of an article that depends only on its own bytes.
type parsed struct {
	hash     uint64
	size     int64
	mtime    time.Time
	trusted  bool // mtime was old enough when cached to vouch for the bytes
	fm       FrontMatter
	fmSrc    []byte
	fmLine   int
	hasFM    bool
	doc      *markdown.Doc
	problems Errors
	anchors  uint64 // hash of doc.Anchors()

	// The last resolution of this file's links and images, valid while
	// the site's shape and the link strictness stay the same.
	resolved    bool
	shape       uint64
	strict      bool
	bodyKey     uint64
	resolveErrs Errors
}

// NewLoader returns a Loader that parses with p.
func NewLoader(p *markdown.Parser) *Loader {
	return &Loader{parser: p, cache: map[string]*parsed{}, images: map[string]imageInfo{}, now: time.Now}
}

// Load reads the content folder of fsys into a Site. The Site is usable
// even when problems are returned (for previews of broken content).
func (l *Loader) Load(fsys fs.FS, opts Options) (*Site, Errors) {
	var errs Errors
	entries, err := listContent(fsys, opts.Dir)
	if err != nil {
		return nil, Errors{{Pos: Pos{Path: opts.Dir}, Msg: fmt.Sprintf("read content folder: %v", err)}}
	}
	site := &Site{ByID: map[string]*Article{}, ByURL: map[string]*Article{}, ByPath: map[string]*Article{}, Drafts: opts.Drafts}

	// Folders and _index.md files first.
	cats := map[string]*Category{}
	secs := map[string]*Section{}
	var mdFiles []string
	for _, e := range entries {
		r := rel(opts.Dir, e.path)
		switch {
		case e.isDir && depth(r) == 1:
			c := &Category{Dir: e.path, Slug: Slugify(path.Base(r)), Title: titleFromName(path.Base(r)), Pos: Pos{Path: e.path}}
			cats[e.path] = c
			site.Categories = append(site.Categories, c)
		case e.isDir && depth(r) > 1:
			catDir := opts.Dir + "/" + strings.SplitN(r, "/", 2)[0]
			s := &Section{Dir: e.path, Slug: Slugify(path.Base(r)), Title: titleFromName(path.Base(r)), Pos: Pos{Path: e.path}}
			s.Category = cats[catDir]
			secs[e.path] = s
		case !e.isDir && path.Base(e.path) == "_index.md":
		case !e.isDir && strings.HasSuffix(strings.ToLower(e.path), ".md"):
			if depth(r) == 1 {
				errs = append(errs, Error{Pos: Pos{Path: e.path, Line: 1, Col: 1},
					Msg: "article is not in a category folder: move it into a folder under " + opts.Dir})
				continue
			}
			mdFiles = append(mdFiles, e.path)
		case !e.isDir:
			if depth(r) > 1 {
				site.Assets = append(site.Assets, Asset{Path: e.path})
			}
		}
	}

	// _index.md metadata.
	for _, e := range entries {
		if e.isDir || path.Base(e.path) != "_index.md" {
			continue
		}
		dir := path.Dir(e.path)
		var meta IndexMeta
		src, err := fs.ReadFile(fsys, e.path)
		if err != nil {
			errs = append(errs, Error{Pos: Pos{Path: e.path}, Msg: err.Error()})
			continue
		}
		fm, fmLine, _, ok, ferr := splitFrontMatter(src)
		if ferr != nil {
			errs = append(errs, Error{Pos: Pos{Path: e.path, Line: 1, Col: 1}, Msg: ferr.Error()})
			continue
		}
		if ok {
			errs = append(errs, decodeStrict(e.path, fm, fmLine, &meta, opts.IgnoreKeys)...)
		}
		apply := func(title, desc, icon, slug *string, weight *int) {
			if meta.Title != "" {
				*title = meta.Title
			}
			*desc, *icon, *weight = meta.Description, meta.Icon, meta.Weight
			if meta.Slug != "" {
				*slug = Slugify(meta.Slug)
			}
		}
		switch {
		case dir == opts.Dir:
			site.Title, site.Description = meta.Title, meta.Description
		case cats[dir] != nil:
			c := cats[dir]
			apply(&c.Title, &c.Description, &c.Icon, &c.Slug, &c.Weight)
			c.Pos = Pos{Path: e.path, Line: 1, Col: 1}
		case secs[dir] != nil:
			s := secs[dir]
			apply(&s.Title, &s.Description, &s.Icon, &s.Slug, &s.Weight)
			s.Pos = Pos{Path: e.path, Line: 1, Col: 1}
		}
	}

	// Section URLs and order.
	var secList []*Section
	for _, s := range secs {
		secList = append(secList, s)
	}
	sort.Slice(secList, func(i, j int) bool { return secList[i].Dir < secList[j].Dir })
	for _, s := range secList {
		segs := []string{s.Category.Slug}
		r := rel(s.Category.Dir, s.Dir)
		parts := strings.Split(r, "/")
		for i := range parts {
			sub := s.Category.Dir + "/" + strings.Join(parts[:i+1], "/")
			segs = append(segs, secs[sub].Slug)
		}
		s.URL = "/" + strings.Join(segs, "/") + "/"
		s.Category.Sections = append(s.Category.Sections, s)
	}
	for _, c := range site.Categories {
		c.URL = "/" + c.Slug + "/"
	}

	// Articles: parse what changed, in parallel.
	arts := l.parseAll(fsys, mdFiles, opts.IgnoreKeys)
	for i, p := range mdFiles {
		pr := arts[i]
		errs = append(errs, pr.problems...)
		if pr.doc == nil {
			continue
		}
		a := newArticle(p, pr)
		if a.Draft && !opts.Drafts {
			continue
		}
		dir := path.Dir(p)
		if s := secs[dir]; s != nil {
			a.Section, a.Category = s, s.Category
			s.Articles = append(s.Articles, a)
			a.URL = s.URL + a.Slug + "/"
		} else {
			a.Category = cats[dir]
			a.Category.Articles = append(a.Category.Articles, a)
			a.URL = a.Category.URL + a.Slug + "/"
		}
		site.ByPath[a.Path] = a
	}
	for i := range site.Assets {
		as := &site.Assets[i]
		as.URL = assetURL(opts.Dir, as.Path, cats, secs)
	}

	order(site)
	errs = append(errs, resolve(fsys, site, opts, l.imageSize)...)
	errs.Sort()
	return site, errs
}

func (l *Loader) parseAll(fsys fs.FS, files []string, ignore []string) []*parsed {
	out := make([]*parsed, len(files))
	loadStart := l.now()
	var wg sync.WaitGroup
	next := make(chan int)
	var mu sync.Mutex
	workers := runtime.GOMAXPROCS(0)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				p := files[i]
				mu.Lock()
				c := l.cache[p]
				mu.Unlock()
				info, statErr := fs.Stat(fsys, p)
				if statErr == nil && c != nil && c.trusted && info.Size() == c.size && info.ModTime().Equal(c.mtime) {
					out[i] = c // unchanged since a load that could vouch for it
					continue
				}
				src, err := fs.ReadFile(fsys, p)
				if err != nil {
					out[i] = &parsed{problems: Errors{{Pos: Pos{Path: p}, Msg: err.Error()}}}
					continue
				}
				h := hashBytes(src)
				if c != nil && c.hash == h {
					if statErr == nil {
						c.size, c.mtime = info.Size(), info.ModTime()
						c.trusted = !c.mtime.IsZero() && loadStart.Sub(c.mtime) > time.Second
					}
					out[i] = c
					continue
				}
				pr := l.parse(p, src, ignore)
				pr.hash = h
				if statErr == nil {
					// A file written within the last second could change
					// again without its mtime moving: re-read it next time.
					pr.size, pr.mtime = info.Size(), info.ModTime()
					pr.trusted = !pr.mtime.IsZero() && loadStart.Sub(pr.mtime) > time.Second
				}
				mu.Lock()
				l.cache[p] = pr
				mu.Unlock()
				out[i] = pr
			}
		}()
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	// Forget files that are gone.
	live := make(map[string]bool, len(files))
	for _, f := range files {
		live[f] = true
	}
	for p := range l.cache {
		if !live[p] {
			delete(l.cache, p)
		}
	}
	return out
}

// parse handles everything that depends only on one file's bytes.
func (l *Loader) parse(p string, src []byte, ignore []string) *parsed {
	pr := &parsed{}
	fm, fmLine, body, ok, err := splitFrontMatter(src)
	if err != nil {
		pr.problems = append(pr.problems, Error{Pos: Pos{Path: p, Line: 1, Col: 1}, Msg: err.Error()})
		return pr
	}
	pr.fmSrc, pr.fmLine, pr.hasFM = fm, fmLine, ok
	if ok {
		pr.problems = append(pr.problems, decodeStrict(p, fm, fmLine, &pr.fm, ignore)...)
	}
	f := &pr.fm
	if strings.TrimSpace(f.Title) == "" {
		pr.problems = append(pr.problems, Error{Pos: Pos{Path: p, Line: max(keyLine(fm, fmLine, "title"), 1), Col: 1},
			Msg: "missing title: add a title: line to the front matter"})
	}
	if f.ID == "" {
		pr.problems = append(pr.problems, Error{Pos: Pos{Path: p, Line: 1, Col: 1},
			Msg: "missing id: add a unique id (e.g. id: \"1042\") to the front matter, or run `livedocs ids --assign` to give every article without one a fresh ID"})
	} else if !idRE.MatchString(string(f.ID)) {
		pr.problems = append(pr.problems, Error{Pos: Pos{Path: p, Line: keyLine(fm, fmLine, "id"), Col: 1},
			Msg: fmt.Sprintf("id %q must be 1–40 letters, digits, - or _", f.ID)})
	}
	pr.doc = l.parser.Parse(body)
	pr.anchors = hashStrings(pr.doc.Anchors())
	for _, prob := range pr.doc.Problems {
		line, col := pr.doc.Position(prob.Offset)
		pr.problems = append(pr.problems, Error{Pos: Pos{Path: p, Line: line, Col: col}, Msg: prob.Msg, Warning: prob.Warning})
	}
	return pr
}

func newArticle(p string, pr *parsed) *Article {
	f := pr.fm
	a := &Article{
		Path: p, Hash: pr.hash, Doc: pr.doc, fm: pr.fmSrc, src: pr,
		ID: string(f.ID), Title: strings.TrimSpace(f.Title), Summary: f.Summary, Weight: f.Weight, Draft: f.Draft,
		Tags: f.Tags, Keywords: f.Keywords, Aliases: f.Aliases, Checks: f.Checks,
	}
	if a.Summary == "" {
		a.Summary = f.Description
	}
	switch {
	case !f.Updated.IsZero():
		a.Updated = f.Updated.Time
	case !f.Lastmod.IsZero():
		a.Updated = f.Lastmod.Time
	case !f.Date.IsZero():
		a.Updated = f.Date.Time
	}
	a.Slug = Slugify(strings.TrimSuffix(path.Base(p), path.Ext(p)))
	if f.Slug != "" {
		a.Slug = Slugify(f.Slug)
	}
	return a
}

func assetURL(dir, p string, cats map[string]*Category, secs map[string]*Section) string {
	d := path.Dir(p)
	base := path.Base(p)
	if s := secs[d]; s != nil {
		return s.URL + base
	}
	if c := cats[d]; c != nil {
		return c.URL + base
	}
	return "/" + rel(dir, p)
}

func titleFromName(name string) string {
	s := strings.NewReplacer("-", " ", "_", " ").Replace(name)
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// order sorts categories, sections and articles by weight then title, and
// fills Site.Articles, prev/next and related articles.
func order(site *Site) {
	less := func(wa, wb int, ta, tb string) bool {
		if wa != wb {
			return wa < wb
		}
		return strings.ToLower(ta) < strings.ToLower(tb)
	}
	sortArts := func(as []*Article) {
		sort.SliceStable(as, func(i, j int) bool {
			if as[i].Weight == as[j].Weight && strings.EqualFold(as[i].Title, as[j].Title) {
				return as[i].Path < as[j].Path
			}
			return less(as[i].Weight, as[j].Weight, as[i].Title, as[j].Title)
		})
		for i, a := range as {
			a.Prev, a.Next = nil, nil
			if i > 0 {
				a.Prev = as[i-1]
			}
			if i+1 < len(as) {
				a.Next = as[i+1]
			}
		}
	}
	sort.SliceStable(site.Categories, func(i, j int) bool {
		a, b := site.Categories[i], site.Categories[j]
		return less(a.Weight, b.Weight, a.Title, b.Title)
	})
	for _, c := range site.Categories {
		sort.SliceStable(c.Sections, func(i, j int) bool {
			a, b := c.Sections[i], c.Sections[j]
			return less(a.Weight, b.Weight, a.Title, b.Title)
		})
		sortArts(c.Articles)
		site.Articles = append(site.Articles, c.Articles...)
		for _, s := range c.Sections {
			sortArts(s.Articles)
			site.Articles = append(site.Articles, s.Articles...)
		}
	}
	related(site)
}

// related picks up to five articles sharing the most tags and keywords,
// ties broken by navigation order. A term on more than 200 articles relates
// nothing. Scores are counted in a reused array per worker, so the cost is
// the number of (article, related candidate) pairs, not n².
func related(site *Site) {
	arts := site.Articles
	terms := make([][]int32, len(arts)) // term IDs per article
	termID := map[string]int32{}
	var lists [][]int32 // article indexes per term
	for i, a := range arts {
		seen := map[int32]bool{}
		for _, t := range a.Tags {
			terms[i] = addTerm(terms[i], t, termID, &lists, seen, int32(i))
		}
		for _, t := range a.Keywords {
			terms[i] = addTerm(terms[i], t, termID, &lists, seen, int32(i))
		}
	}
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			score := make([]int32, len(arts))
			var touched []int32
			for i := w; i < len(arts); i += workers {
				touched = touched[:0]
				for _, t := range terms[i] {
					list := lists[t]
					if len(list) > 200 {
						continue
					}
					for _, j := range list {
						if int(j) == i {
							continue
						}
						if score[j] == 0 {
							touched = append(touched, j)
						}
						score[j]++
					}
				}
				var top [5]int32
				n := 0
				for _, j := range touched {
					// Insert j into top if it beats the weakest kept.
					k := n
					if n < len(top) {
						n++
					} else if !better(score, j, top[n-1]) {
						continue
					} else {
						k = n - 1
					}
					for k > 0 && better(score, j, top[k-1]) {
						top[k] = top[k-1]
						k--
					}
					top[k] = j
				}
				rel := make([]*Article, n)
				for k := 0; k < n; k++ {
					rel[k] = arts[top[k]]
				}
				arts[i].Related = rel
				for _, j := range touched {
					score[j] = 0
				}
			}
		}(w)
	}
	wg.Wait()
}

// better reports whether article a outranks b: a higher score, then the
// earlier place in navigation order.
func better(score []int32, a, b int32) bool {
	if score[a] != score[b] {
		return score[a] > score[b]
	}
	return a < b
}

func addTerm(ids []int32, t string, termID map[string]int32, lists *[][]int32, seen map[int32]bool, art int32) []int32 {
	t = strings.ToLower(strings.TrimSpace(t))
	if t == "" {
		return ids
	}
	id, ok := termID[t]
	if !ok {
		id = int32(len(*lists))
		termID[t] = id
		*lists = append(*lists, nil)
	}
	if seen[id] {
		return ids
	}
	seen[id] = true
	(*lists)[id] = append((*lists)[id], art)
	return append(ids, id)
}

// imageSize returns an image's pixel size, from the cache while the file's
// size and mtime hold. Only the resolve stage calls it, from one goroutine.
func (l *Loader) imageSize(fsys fs.FS, p string) (int, int) {
	info, err := fs.Stat(fsys, p)
	if err != nil {
		return 0, 0
	}
	if c, ok := l.images[p]; ok && !c.mtime.IsZero() && c.size == info.Size() && c.mtime.Equal(info.ModTime()) && l.now().Sub(c.mtime) > time.Second {
		return c.w, c.h
	}
	w, h := imageSize(fsys, p)
	l.images[p] = imageInfo{size: info.Size(), mtime: info.ModTime(), w: w, h: h}
	return w, h
}
