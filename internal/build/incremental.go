package build

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"livedocs/internal/config"
	"livedocs/internal/content"
	"livedocs/internal/render"
	"livedocs/themes"
)

// Incremental rebuilds a site for the preview server, rendering only the
// pages whose inputs changed since its previous build. Its results are
// byte-for-byte those of a fresh Builder.Build on the same files.
//
// Every build still loads and checks the whole site (Loader.Load re-parses
// only files whose bytes changed), so an error anywhere is reported at
// once. Rendering then works from a plan of every page the renderer would
// write, each with a fingerprint of the data its template reads:
//
//	article page   the article's file (hash) and resolved links (BodyKey);
//	               its category and section; the title, URL, summary, ID,
//	               weight, draft flag and date of every article in its
//	               navigation list (which covers previous and next) and
//	               of its related articles
//	list page      the category or section and the same fields of every
//	               article it lists
//	home page      every category and section, and the first three
//	               articles of each list (home.html shows `top .Articles 3`)
//	short link,    the article's title and URL
//	alias
//	search, 404    nothing but the site title and description
//
// Every fingerprint also covers the templates, the site title and
// description from content/_index.md, and the names of the theme's static
// files. The model is what the built-in templates read: a template that
// a site theme replaces is not trusted to read so little, so pages drawn
// with it get a fingerprint of the whole site (any content change
// re-renders them).
//
// Pages whose fingerprint changed (or that are new) are rendered by
// calling Renderer.Render on a site value holding only them; all others
// keep their previous bytes (the same slice, so callers can compare with
// pointer equality before comparing bytes). The home page is rendered from
// copies of the categories whose lists are cut to three articles, so
// that the list pages the renderer draws along with it cost little; those
// drafts are discarded. When two pages would share a path, or no previous
// build exists, the whole site is rendered as Builder.Build does.
//
// A change to a theme's static files changes only the ?v= version of
// their URLs in pages (the renderer's asset function): ReloadTheme with
// unchanged templates swaps the new static files in and rewrites the
// version strings in the previous pages instead of rendering them again.
type Incremental struct {
	b      *Builder
	seed   maphash.Seed
	theme  themeInfo
	prev   *incState
	forced bool // next Build renders everything
}

// IncrementalStats describes what one build did.
type IncrementalStats struct {
	Full     bool          // every page was rendered
	Rendered int           // pages rendered
	Reused   int           // pages kept from the previous build
	Patched  int           // pages whose asset versions were rewritten
	Load     time.Duration // loading and checking
	Render   time.Duration // rendering and assembling
}

type incState struct {
	res   *Result
	pages map[string]uint64 // page path → fingerprint
	theme themeInfo
}

// themeInfo is what Incremental knows of the theme in effect.
type themeInfo struct {
	templates uint64            // fingerprint of every effective template file and static name
	custom    map[string]bool   // template base name → differs from the built-in default
	versions  map[string]string // static file name → ?v= version
}

// NewIncremental returns an Incremental building with a new Builder.
func NewIncremental(opts Options) (*Incremental, error) {
	opts.Cache = true
	b, err := New(opts)
	if err != nil {
		return nil, err
	}
	in := &Incremental{b: b, seed: maphash.MakeSeed()}
	if in.theme, err = in.readTheme(); err != nil {
		return nil, err
	}
	return in, nil
}

// Builder returns the Builder in use.
func (in *Incremental) Builder() *Builder { return in.b }

// Invalidate makes the next Build render every page.
func (in *Incremental) Invalidate() { in.forced = true }

// ReloadTheme reads the theme again after its files changed: a new
// renderer, keeping the parsed content. If the templates are unchanged
// and a previous build exists, it returns a result made from that build
// with the new static files and asset versions, without loading the
// content again; otherwise it returns nil and the next Build renders
// every page.
func (in *Incremental) ReloadTheme() (*Result, IncrementalStats, error) {
	start := time.Now()
	themeFS, err := themeLayers(in.b.fsys, in.b.opts.Config)
	if err != nil {
		return nil, IncrementalStats{}, err
	}
	r, err := render.New(render.Options{Config: in.b.opts.Config, Theme: themeFS, Parser: in.b.parser, CheckInfo: in.b.opts.CheckInfo})
	if err != nil {
		return nil, IncrementalStats{}, err
	}
	in.b.renderer = r
	th, err := in.readTheme()
	if err != nil {
		return nil, IncrementalStats{}, err
	}
	in.theme = th
	p := in.prev
	if p == nil || in.forced || p.theme.templates != th.templates {
		in.forced = true
		return nil, IncrementalStats{}, nil
	}
	// Static files only: new /assets/ files, new versions in the pages.
	static, err := r.Render(&content.Site{Title: p.res.Site.Title, Description: p.res.Site.Description})
	if err != nil {
		return nil, IncrementalStats{}, err
	}
	files := make(render.Files, len(p.res.Files))
	for k, v := range p.res.Files {
		files[k] = v
	}
	for k, v := range static {
		if strings.HasPrefix(k, "/assets/") {
			files[k] = v
		}
	}
	var from, to [][]byte
	for name, v := range th.versions {
		if ov := p.theme.versions[name]; ov != v {
			from = append(from, []byte("/assets/"+name+"?v="+ov))
			to = append(to, []byte("/assets/"+name+"?v="+v))
		}
	}
	st := IncrementalStats{Reused: len(files)}
	if len(from) > 0 {
		for k, v := range files {
			if !strings.HasSuffix(k, ".html") {
				continue
			}
			nv := v
			for i := range from {
				if bytes.Contains(nv, from[i]) {
					nv = bytes.ReplaceAll(nv, from[i], to[i])
				}
			}
			if len(nv) != len(v) || (len(v) > 0 && &nv[0] != &v[0]) {
				files[k] = nv
				st.Patched++
			}
		}
	}
	res := &Result{Site: p.res.Site, Files: files, Warnings: p.res.Warnings}
	in.prev = &incState{res: res, pages: p.pages, theme: th}
	st.Render = time.Since(start)
	return res, st, nil
}

// Build loads and checks the site and renders what changed.
func (in *Incremental) Build() (*Result, IncrementalStats, error) {
	var st IncrementalStats
	b := in.b
	start := time.Now()
	site, ledger, warnings, err := b.check()
	if err != nil {
		return nil, st, err
	}
	st.Load = time.Since(start)
	start = time.Now()

	plan := in.plan(site)
	var files render.Files
	if p := in.prev; p == nil || in.forced || plan.collide || p.theme.templates != in.theme.templates {
		st.Full = true
		if files, err = b.renderer.Render(site); err != nil {
			return nil, st, err
		}
		st.Rendered = len(plan.pages)
	} else if files, err = in.renderChanged(site, plan, &st); err != nil {
		return nil, st, err
	}
	res, err := b.finish(site, ledger, files, warnings)
	if err != nil {
		return nil, st, err
	}
	keys := make(map[string]uint64, len(plan.pages))
	for _, pg := range plan.pages {
		keys[pg.path] = pg.key
	}
	in.prev = &incState{res: res, pages: keys, theme: in.theme}
	in.forced = false
	st.Render = time.Since(start)
	return res, st, nil
}

// renderChanged renders the pages whose fingerprint changed and takes the
// others from the previous build.
func (in *Incremental) renderChanged(site *content.Site, plan *pagePlan, st *IncrementalStats) (render.Files, error) {
	prev := in.prev
	files := make(render.Files, len(prev.res.Files)+16)
	sub := &content.Site{Title: site.Title, Description: site.Description, Drafts: site.Drafts,
		ByID: site.ByID, ByURL: site.ByURL, ByPath: site.ByPath}
	var home bool
	seenArt := map[*content.Article]bool{}
	cats := map[*content.Category][]*content.Section{}
	wholeCat := map[*content.Category]bool{}
	var catOrder []*content.Category
	addCat := func(c *content.Category) {
		if _, ok := cats[c]; !ok && !wholeCat[c] {
			catOrder = append(catOrder, c)
			cats[c] = nil
		}
	}
	var dirty []page
	for _, pg := range plan.pages {
		old, ok := prev.pages[pg.path]
		data, had := prev.res.Files[pg.path]
		if ok && had && old == pg.key {
			files[pg.path] = data
			st.Reused++
			continue
		}
		dirty = append(dirty, pg)
		switch pg.kind {
		case kindArticle, kindShort, kindAlias:
			if !seenArt[pg.art] {
				seenArt[pg.art] = true
				sub.Articles = append(sub.Articles, pg.art)
			}
		case kindCategory:
			addCat(pg.cat)
			wholeCat[pg.cat] = true
		case kindSection:
			addCat(pg.sec.Category)
			cats[pg.sec.Category] = append(cats[pg.sec.Category], pg.sec)
		case kindHome:
			home = true
		}
	}
	st.Rendered = len(dirty)
	files["/sitemap.xml"] = render.Sitemap(in.b.opts.Config.BaseURL, site)
	if len(dirty) == 0 {
		// The theme's static files and robots.txt, as before.
		for k, v := range prev.res.Files {
			if !plan.taken[k] && (strings.HasPrefix(k, "/assets/") || k == "/robots.txt") {
				files[k] = v
			}
		}
		return files, nil
	}
	// Keep the navigation order the full render uses.
	sort.SliceStable(sub.Articles, func(i, j int) bool { return plan.order[sub.Articles[i]] < plan.order[sub.Articles[j]] })
	for _, c := range catOrder {
		if wholeCat[c] {
			sub.Categories = append(sub.Categories, c)
			continue
		}
		cp := *c
		cp.Sections = cats[c]
		sub.Categories = append(sub.Categories, &cp)
	}
	out, err := in.b.renderer.Render(sub)
	if err != nil {
		return nil, err
	}
	if home {
		homeSite := &content.Site{Title: site.Title, Description: site.Description, Drafts: site.Drafts}
		if in.theme.custom["home.html"] || in.theme.custom["layout.html"] {
			homeSite.Categories = site.Categories
		} else {
			homeSite.Categories = topCategories(site.Categories, 3)
		}
		h, err := in.b.renderer.Render(homeSite)
		if err != nil {
			return nil, err
		}
		out["/index.html"] = h["/index.html"]
	}
	for _, pg := range dirty {
		data, ok := out[pg.path]
		if !ok {
			return nil, fmt.Errorf("render %s: page missing from partial render", pg.path)
		}
		files[pg.path] = data
	}
	// The theme's static files: whatever else the renderer always writes.
	for k, v := range out {
		if !plan.taken[k] && strings.HasPrefix(k, "/assets/") {
			files[k] = v
		}
	}
	files["/robots.txt"] = out["/robots.txt"]
	return files, nil
}

// topCategories copies cats with every article list cut to n entries.
func topCategories(cats []*content.Category, n int) []*content.Category {
	cut := func(as []*content.Article) []*content.Article {
		if len(as) > n {
			return as[:n]
		}
		return as
	}
	out := make([]*content.Category, len(cats))
	for i, c := range cats {
		cp := *c
		cp.Articles = cut(c.Articles)
		cp.Sections = make([]*content.Section, len(c.Sections))
		for j, s := range c.Sections {
			sc := *s
			sc.Articles = cut(s.Articles)
			sc.Category = &cp
			cp.Sections[j] = &sc
		}
		out[i] = &cp
	}
	return out
}

type pageKind uint8

const (
	kindArticle pageKind = iota + 1
	kindHome
	kindCategory
	kindSection
	kindSearch
	kind404
	kindShort
	kindAlias
)

// page is one page the renderer writes, with the fingerprint of its inputs.
type page struct {
	path string
	kind pageKind
	key  uint64
	art  *content.Article
	cat  *content.Category
	sec  *content.Section
}

type pagePlan struct {
	pages   []page
	order   map[*content.Article]int
	taken   map[string]bool
	collide bool // two pages share a path: render everything
}

// plan lists the pages Renderer.Render writes for site, in its order.
func (in *Incremental) plan(site *content.Site) *pagePlan {
	th := in.theme
	var h maphash.Hash
	h.SetSeed(in.seed)
	str := func(s string) {
		h.WriteString(s)
		h.WriteByte(0)
	}
	num := func(n uint64) {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], n)
		h.Write(b[:])
	}
	sum := func() uint64 { v := h.Sum64(); h.Reset(); return v }

	// The site-wide inputs of every page.
	num(th.templates)
	str(site.Title)
	str(site.Description)
	if site.Drafts {
		h.WriteByte(1)
	}
	siteKey := sum()

	brief := make(map[*content.Article]uint64, len(site.Articles))
	for _, a := range site.Articles {
		str(a.Path)
		str(a.URL)
		str(a.Title)
		str(a.Summary)
		str(a.ID)
		str(a.Slug)
		num(uint64(a.Weight))
		if a.Draft {
			h.WriteByte(1)
		}
		num(uint64(a.Updated.Unix()))
		brief[a] = sum()
	}
	catKey := func(c *content.Category) {
		str(c.Dir)
		str(c.URL)
		str(c.Slug)
		str(c.Title)
		str(c.Description)
		str(c.Icon)
		num(uint64(c.Weight))
	}
	secKey := func(s *content.Section) {
		str(s.Dir)
		str(s.URL)
		str(s.Slug)
		str(s.Title)
		str(s.Description)
		str(s.Icon)
		num(uint64(s.Weight))
	}
	list := func(as []*content.Article, n int) {
		num(uint64(len(as)))
		for i, a := range as {
			if i == n {
				break
			}
			num(brief[a])
		}
	}
	full := func(a *content.Article) {
		num(brief[a])
		num(a.Hash)
		num(a.BodyKey)
	}

	// A page drawn by a replaced template depends on everything.
	var wholeKey uint64
	if len(th.custom) > 0 {
		num(siteKey)
		for _, c := range site.Categories {
			catKey(c)
			list(c.Articles, -1)
			for _, s := range c.Sections {
				secKey(s)
				list(s.Articles, -1)
			}
		}
		for _, a := range site.Articles {
			full(a)
			list(a.Related, -1)
		}
		wholeKey = sum()
	}
	custom := func(tmpl string) bool { return th.custom[tmpl] || th.custom["layout.html"] }

	plan := &pagePlan{order: make(map[*content.Article]int, len(site.Articles))}
	taken := map[string]bool{}
	plan.taken = taken
	add := func(pg page) {
		if taken[pg.path] {
			plan.collide = true
		}
		taken[pg.path] = true
		plan.pages = append(plan.pages, pg)
	}

	// Container fingerprints, once per category and section.
	contKey := map[any]uint64{}
	for _, c := range site.Categories {
		num(kindCategoryNav)
		catKey(c)
		list(c.Articles, -1)
		contKey[c] = sum()
		for _, s := range c.Sections {
			num(kindSectionNav)
			catKey(c)
			secKey(s)
			list(s.Articles, -1)
			contKey[s] = sum()
		}
	}
	for i, a := range site.Articles {
		plan.order[a] = i
		key := wholeKey
		if !custom("article.html") {
			num(uint64(kindArticle))
			num(siteKey)
			full(a)
			if a.Section != nil {
				num(contKey[a.Section])
			} else {
				num(contKey[a.Category])
			}
			list(a.Related, -1)
			key = sum()
		}
		add(page{path: a.URL + "index.html", kind: kindArticle, key: key, art: a})
	}

	key := wholeKey
	if !custom("home.html") {
		num(uint64(kindHome))
		num(siteKey)
		for _, c := range site.Categories {
			catKey(c)
			list(c.Articles, 3)
			for _, s := range c.Sections {
				secKey(s)
				list(s.Articles, 3)
			}
		}
		key = sum()
	}
	add(page{path: "/index.html", kind: kindHome, key: key})
	for _, c := range site.Categories {
		key := wholeKey
		if !custom("list.html") {
			num(uint64(kindCategory))
			num(siteKey)
			catKey(c)
			list(c.Articles, -1)
			for _, s := range c.Sections {
				secKey(s)
				list(s.Articles, -1)
			}
			key = sum()
		}
		add(page{path: c.URL + "index.html", kind: kindCategory, key: key, cat: c})
		for _, s := range c.Sections {
			key := wholeKey
			if !custom("list.html") {
				num(uint64(kindSection))
				num(siteKey)
				num(contKey[s])
				key = sum()
			}
			add(page{path: s.URL + "index.html", kind: kindSection, key: key, sec: s, cat: c})
		}
	}
	for _, p := range []struct {
		path, tmpl string
		kind       pageKind
	}{{"/search/index.html", "search.html", kindSearch}, {"/404.html", "404.html", kind404}} {
		key := wholeKey
		if !custom(p.tmpl) {
			num(uint64(p.kind))
			num(siteKey)
			key = sum()
		}
		add(page{path: p.path, kind: p.kind, key: key})
	}
	redirectKey := func(kind pageKind, a *content.Article) uint64 {
		if th.custom["redirect.html"] {
			return wholeKey
		}
		num(uint64(kind))
		num(th.templates)
		str(a.Title)
		str(a.URL)
		return sum()
	}
	for _, a := range site.Articles {
		short := "/a/" + a.ID + "/index.html"
		if !taken[short] {
			add(page{path: short, kind: kindShort, key: redirectKey(kindShort, a), art: a})
		}
		for _, al := range a.Aliases {
			p := al
			if strings.HasSuffix(p, "/") {
				p += "index.html"
			}
			add(page{path: p, kind: kindAlias, key: redirectKey(kindAlias, a), art: a})
		}
	}
	for _, as := range site.Assets {
		if taken[as.URL] {
			plan.collide = true
		}
	}
	for name := range th.versions {
		if taken["/assets/"+name] {
			plan.collide = true
		}
	}
	for _, p := range []string{"/sitemap.xml", "/robots.txt"} {
		if taken[p] {
			plan.collide = true
		}
	}
	return plan
}

// Separate fingerprint domains for navigation lists.
const (
	kindCategoryNav = 100 + iota
	kindSectionNav
)

// readTheme fingerprints the effective templates and versions the
// effective static files, the way the renderer picks them: the first
// theme layer holding a name wins.
func (in *Incremental) readTheme() (themeInfo, error) {
	layers, err := themeLayers(in.b.fsys, in.b.opts.Config)
	if err != nil {
		return themeInfo{}, err
	}
	eff := func(layers []fs.FS, dir string) (map[string][]byte, error) {
		out := map[string][]byte{}
		for _, t := range layers {
			err := fs.WalkDir(t, dir, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				if _, ok := out[p]; ok {
					return nil
				}
				b, err := fs.ReadFile(t, p)
				if err != nil {
					return err
				}
				out[p] = b
				return nil
			})
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("read theme: %w", err)
			}
		}
		return out, nil
	}
	tmpls, err := eff(layers, "templates")
	if err != nil {
		return themeInfo{}, err
	}
	defaults, err := eff([]fs.FS{themes.Default()}, "templates")
	if err != nil {
		return themeInfo{}, err
	}
	static, err := eff(layers, "static")
	if err != nil {
		return themeInfo{}, err
	}
	th := themeInfo{custom: map[string]bool{}, versions: map[string]string{}}
	var h maphash.Hash
	h.SetSeed(in.seed)
	for _, name := range sortedKeys(tmpls) {
		h.WriteString(name)
		h.WriteByte(0)
		h.Write(tmpls[name])
		h.WriteByte(0)
		if d, ok := defaults[name]; !ok || !bytes.Equal(d, tmpls[name]) {
			th.custom[path.Base(name)] = true
		}
	}
	h.WriteString("static")
	for _, name := range sortedKeys(static) {
		n := strings.TrimPrefix(name, "static/")
		h.WriteString(n)
		h.WriteByte(0)
		th.versions[n] = render.AssetVersion(static[name])
	}
	th.templates = h.Sum64()
	return th, nil
}

// themeLayers returns the theme folders as New picks them, site theme first.
func themeLayers(fsys fs.FS, cfg config.Config) ([]fs.FS, error) {
	var theme []fs.FS
	if t := cfg.Theme; t != "" {
		sub, err := fs.Sub(fsys, strings.Trim(filepath.ToSlash(t), "/"))
		if err != nil {
			return nil, fmt.Errorf("open theme %s: %w", t, err)
		}
		if _, err := fs.Stat(sub, "."); err != nil {
			return nil, fmt.Errorf("open theme %s: %w", t, err)
		}
		theme = append(theme, sub)
	}
	if _, err := fs.Stat(fsys, "themes/default/templates/layout.html"); err == nil {
		sub, _ := fs.Sub(fsys, "themes/default")
		theme = append(theme, sub)
	} else {
		theme = append(theme, themes.Default())
	}
	return theme, nil
}
