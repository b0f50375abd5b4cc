// Package render turns a resolved content.Site and a theme into the pages
// of the help center, as an in-memory set of files keyed by URL path.
//
// A theme is a folder with templates/ (html/template files) and static/
// (CSS, JS, images). A site theme overrides the default theme file by file;
// Theme takes both as fs.FS values, the site's first.
//
// Templates (each parsed under its file path, so errors name the file):
//
//	templates/layout.html    "layout", "breadcrumbs", "article-list": the page frame and partials
//	templates/home.html      home page: "title", "bodyclass", "main"
//	templates/list.html      category and section pages
//	templates/article.html   article pages
//	templates/search.html    the /search/ page
//	templates/404.html       the not-found page
//	templates/redirect.html  "redirect": short links and aliases
//
// Template functions: url (prefixes the site's base path), asset (versioned
// static file URL), icon (inline SVG by name), top (first n of a list), join.
//
// Output: /index.html, /<cat>/index.html, /<cat>/<sec>/index.html,
// /<article URL>/index.html, /a/<id>/index.html, alias redirect pages,
// /search/index.html, /404.html, /sitemap.xml, /robots.txt, /assets/* and
// the content assets. Article bodies are cached by Article.BodyKey, so a
// Renderer kept between builds re-renders only changed bodies.
package render

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"html/template"
	"io/fs"
	"runtime"
	"sort"
	"strings"
	"sync"

	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/styles"

	"livedocs/internal/config"
	"livedocs/internal/content"
	"livedocs/internal/markdown"
)

// Files is a rendered site: URL path (e.g. "/a/b/index.html") → bytes.
type Files map[string][]byte

// CheckInfo describes a live check for the "what this page reads" panel.
type CheckInfo struct {
	ID, Title   string
	Permissions []string
}

// Options configure a Renderer.
type Options struct {
	Config config.Config
	Theme  []fs.FS // site theme first, default theme last
	Parser *markdown.Parser
	// CheckInfo describes a check ID for the article panel; nil disables it.
	CheckInfo func(id string) (CheckInfo, bool)
	// CacheBodies keeps rendered article bodies between calls to Render
	// (the watch server); a one-off build leaves it off to save memory.
	CacheBodies bool
}

// Renderer renders sites. It caches article bodies between calls to Render;
// calls must not overlap.
type Renderer struct {
	opts   Options
	pages  map[string]*template.Template // by page template path
	static Files                         // theme static files under /assets/
	prefix string                        // base path, "" or "/help"
	// assetURLs maps a static file name to its versioned URL.
	assetURLs map[string]string

	mu     sync.Mutex
	bodies map[string]bodyEntry // by article path
}

type bodyEntry struct {
	key  uint64
	html template.HTML
}

// New loads the theme and parses its templates.
func New(opts Options) (*Renderer, error) {
	r := &Renderer{opts: opts, bodies: map[string]bodyEntry{}, static: Files{}}
	if u := opts.Config.BaseURL; u != "" {
		if i := strings.Index(u, "://"); i >= 0 {
			if j := strings.Index(u[i+3:], "/"); j >= 0 {
				r.prefix = strings.TrimRight(u[i+3+j:], "/")
			}
		}
	}
	if err := r.loadStatic(); err != nil {
		return nil, err
	}
	r.assetURLs = map[string]string{}
	for p, b := range r.static {
		name := strings.TrimPrefix(p, "/assets/")
		r.assetURLs[name] = r.url(p) + "?v=" + AssetVersion(b)
	}
	if err := r.loadTemplates(); err != nil {
		return nil, err
	}
	return r, nil
}

// readTheme returns the first theme's copy of name.
func (r *Renderer) readTheme(name string) ([]byte, string, error) {
	for _, t := range r.opts.Theme {
		b, err := fs.ReadFile(t, name)
		if err == nil {
			return b, name, nil
		}
	}
	return nil, "", fmt.Errorf("theme file %s not found", name)
}

func (r *Renderer) loadStatic() error {
	seen := map[string]bool{}
	for _, t := range r.opts.Theme {
		err := fs.WalkDir(t, "static", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || seen[p] {
				return err
			}
			seen[p] = true
			b, err := fs.ReadFile(t, p)
			if err != nil {
				return err
			}
			r.static["/assets/"+strings.TrimPrefix(p, "static/")] = b
			return nil
		})
		if err != nil && !isNotExist(err) {
			return fmt.Errorf("read theme static files: %w", err)
		}
	}
	r.static["/assets/chroma.css"] = chromaCSS()
	return nil
}

func isNotExist(err error) bool {
	return err != nil && strings.Contains(err.Error(), "file does not exist")
}

// chromaCSS writes the light and dark highlighting styles once.
func chromaCSS() []byte {
	var b bytes.Buffer
	f := chromahtml.New(chromahtml.WithClasses(true))
	write := func(name string) {
		st := styles.Get(name)
		if st == nil {
			st = styles.Fallback
		}
		_ = f.WriteCSS(&b, st)
	}
	// Each scheme in its own block, so no light-only rule (such as a
	// colour for punctuation) leaks into the dark one.
	b.WriteString("/* code highlighting: light */\n@media not all and (prefers-color-scheme: dark) {\n")
	write("github")
	b.WriteString("}\n/* code highlighting: dark */\n@media (prefers-color-scheme: dark) {\n")
	write("github-dark")
	b.WriteString("}\n")
	return b.Bytes()
}

var pageTemplates = []string{"home", "list", "article", "search", "404", "redirect"}

func (r *Renderer) loadTemplates() error {
	base := template.New("").Funcs(r.funcs())
	src, name, err := r.readTheme("templates/layout.html")
	if err != nil {
		return err
	}
	if _, err := base.New(name).Parse(string(src)); err != nil {
		return fmt.Errorf("parse template: %w", err)
	}
	r.pages = map[string]*template.Template{}
	for _, p := range pageTemplates {
		t, err := base.Clone()
		if err != nil {
			return err
		}
		src, name, err := r.readTheme("templates/" + p + ".html")
		if err != nil {
			return err
		}
		if _, err := t.New(name).Parse(string(src)); err != nil {
			return fmt.Errorf("parse template: %w", err)
		}
		r.pages[p] = t
	}
	return nil
}

func (r *Renderer) url(u string) string {
	if strings.HasPrefix(u, "/") {
		return r.prefix + u
	}
	return u
}

func (r *Renderer) asset(name string) string {
	if u, ok := r.assetURLs[name]; ok {
		return u
	}
	return r.url("/assets/" + name)
}

// AssetVersion is the ?v= value that versions a static file's URL.
func AssetVersion(b []byte) string {
	h := fnv.New32a()
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

func (r *Renderer) funcs() template.FuncMap {
	return template.FuncMap{
		"url":   r.url,
		"asset": r.asset,
		"icon":  icon,
		"join":  strings.Join,
		"top": func(as []*content.Article, n int) []*content.Article {
			if len(as) > n {
				return as[:n]
			}
			return as
		},
	}
}

// siteData is what every page sees as .Site.
type siteData struct {
	Title, Description, Intro string
	Language, RequestURL      string
	ChecksURL                 string // live-checks service, "" when none
}

type crumb struct{ Title, URL string }

// page is the data of one page template.
type page struct {
	Site        siteData
	IsHome      bool
	Description string
	Canonical   string
	PageData    template.HTMLAttr

	Categories []*content.Category

	// list pages
	Title, Icon string
	Crumbs      []crumb
	Sections    []*content.Section
	Articles    []*content.Article

	// article pages
	Article   *content.Article
	Body      template.HTML
	TOC       []*markdown.Heading
	Nav       template.HTML // section navigation, current article marked
	ShortURL  string
	Checks    string
	CheckList []CheckInfo
}

// Render renders every page of site into a new file set.
func (r *Renderer) Render(site *content.Site) (Files, error) {
	cfg := r.opts.Config
	sd := siteData{Title: cfg.Title, Description: cfg.Description, Language: cfg.Language, RequestURL: cfg.SubmitRequestURL}
	if u := cfg.Checks.ServiceURL; u != "" {
		sd.ChecksURL = r.url(u)
	}
	if site.Title != "" {
		sd.Intro = site.Title
	}
	if site.Description != "" {
		sd.Description = site.Description
	}
	out := Files{}
	for k, v := range r.static {
		out[k] = v
	}
	var mu sync.Mutex
	put := func(p string, b []byte) {
		mu.Lock()
		out[p] = b
		mu.Unlock()
	}
	exec := func(tmpl string, data any) ([]byte, error) {
		b := bufPool.Get().(*bytes.Buffer)
		defer bufPool.Put(b)
		b.Reset()
		name := "layout"
		if tmpl == "redirect" {
			name = "redirect"
		}
		if err := r.pages[tmpl].ExecuteTemplate(b, name, data); err != nil {
			return nil, fmt.Errorf("render %s: %w", tmpl, err)
		}
		return bytes.Clone(b.Bytes()), nil // exact size: pages stay in memory
	}
	canon := func(u string) string {
		if cfg.BaseURL == "" {
			return ""
		}
		return strings.TrimRight(cfg.BaseURL, "/") + u
	}

	// Articles, in parallel.
	navs := &navCache{r: r, done: map[any]*navEntry{}}
	errs := make([]error, len(site.Articles))
	var wg sync.WaitGroup
	next := make(chan int, len(site.Articles))
	for i := range site.Articles {
		next <- i
	}
	close(next)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				a := site.Articles[i]
				data, err := r.articlePage(site, sd, a, canon(a.URL), navs)
				if err == nil {
					var b []byte
					b, err = exec("article", data)
					put(a.URL+"index.html", b)
				}
				if err == nil {
					err = r.redirects(a, exec, put)
				}
				errs[i] = err
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}

	// Home, lists, search, 404.
	b, err := exec("home", &page{Site: sd, IsHome: true, Categories: site.Categories, Description: sd.Description, Canonical: canon("/")})
	if err != nil {
		return nil, err
	}
	out["/index.html"] = b
	for _, c := range site.Categories {
		p := &page{Site: sd, Title: c.Title, Icon: c.Icon, Description: c.Description, Canonical: canon(c.URL),
			Crumbs: []crumb{{Title: c.Title}}, Sections: c.Sections, Articles: c.Articles}
		if out[c.URL+"index.html"], err = exec("list", p); err != nil {
			return nil, err
		}
		for _, s := range c.Sections {
			p := &page{Site: sd, Title: s.Title, Icon: s.Icon, Description: s.Description, Canonical: canon(s.URL),
				Crumbs: []crumb{{Title: c.Title, URL: c.URL}, {Title: s.Title}}, Articles: s.Articles}
			if out[s.URL+"index.html"], err = exec("list", p); err != nil {
				return nil, err
			}
		}
	}
	if out["/search/index.html"], err = exec("search", &page{Site: sd}); err != nil {
		return nil, err
	}
	if out["/404.html"], err = exec("404", &page{Site: sd}); err != nil {
		return nil, err
	}

	for _, as := range site.Assets {
		out[as.URL] = nil // filled by the caller from the content fs
	}
	out["/sitemap.xml"] = Sitemap(cfg.BaseURL, site)
	robots := "User-agent: *\nAllow: /\n"
	if cfg.BaseURL != "" {
		robots += "Sitemap: " + cfg.BaseURL + "/sitemap.xml\n"
	}
	out["/robots.txt"] = []byte(robots)
	return out, nil
}

type redirectData struct{ Lang, Title, Target, Canonical string }

// redirects renders the short link /a/<id>/ and the alias pages of a.
// Content resolution has made sure no two articles claim the same one.
func (r *Renderer) redirects(a *content.Article, exec func(string, any) ([]byte, error), put func(string, []byte)) error {
	page, err := exec("redirect", r.redirectTo(a))
	if err != nil {
		return err
	}
	put("/a/"+a.ID+"/index.html", page)
	for _, al := range a.Aliases {
		p := al
		if strings.HasSuffix(p, "/") {
			p += "index.html"
		}
		put(p, page)
	}
	return nil
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func (r *Renderer) redirectTo(a *content.Article) redirectData {
	cfg := r.opts.Config
	rd := redirectData{Lang: cfg.Language, Title: a.Title, Target: r.url(a.URL), Canonical: r.url(a.URL)}
	if cfg.BaseURL != "" {
		rd.Canonical = cfg.BaseURL + a.URL
	}
	return rd
}

// Redirect renders a page that sends readers to a, keeping the #anchor.
func (r *Renderer) Redirect(a *content.Article) ([]byte, error) {
	var b bytes.Buffer
	if err := r.pages["redirect"].ExecuteTemplate(&b, "redirect", r.redirectTo(a)); err != nil {
		return nil, fmt.Errorf("render redirect: %w", err)
	}
	return b.Bytes(), nil
}

// navCache renders each section's navigation once per Render.
type navCache struct {
	r    *Renderer
	mu   sync.Mutex
	done map[any]*navEntry
}

type navEntry struct {
	once sync.Once
	html template.HTML
	err  error
}

func (c *navCache) get(a *content.Article) (template.HTML, error) {
	var key any = a.Category
	data := struct {
		Title    string
		Articles []*content.Article
	}{a.Category.Title, a.Category.Articles}
	if a.Section != nil {
		key = a.Section
		data.Title, data.Articles = a.Section.Title, a.Section.Articles
	}
	c.mu.Lock()
	e := c.done[key]
	if e == nil {
		e = &navEntry{}
		c.done[key] = e
	}
	c.mu.Unlock()
	e.once.Do(func() {
		var b bytes.Buffer
		e.err = c.r.pages["article"].ExecuteTemplate(&b, "section-nav", data)
		e.html = template.HTML(b.String())
	})
	return e.html, e.err
}

func (r *Renderer) articlePage(site *content.Site, sd siteData, a *content.Article, canonical string, navs *navCache) (*page, error) {
	body, err := r.body(a)
	if err != nil {
		return nil, err
	}
	p := &page{Site: sd, Article: a, Body: body, Description: a.Summary, Canonical: canonical, ShortURL: "/a/" + a.ID + "/"}
	p.Crumbs = []crumb{{Title: a.Category.Title, URL: a.Category.URL}}
	if a.Section != nil {
		p.Crumbs = append(p.Crumbs, crumb{Title: a.Section.Title, URL: a.Section.URL})
	}
	nav, err := navs.get(a)
	if err != nil {
		return nil, err
	}
	// Mark the current article: the one link whose href is its URL.
	href := `href="` + template.HTMLEscapeString(r.url(a.URL)) + `"`
	p.Nav = template.HTML(strings.Replace(string(nav), href, href+` aria-current="page"`, 1))
	var toc []*markdown.Heading
	for _, h := range a.Doc.Headings {
		if h.Level == 2 || h.Level == 3 {
			toc = append(toc, h)
		}
	}
	if len(toc) >= max(r.opts.Config.TOCMinHeadings, 1) {
		p.TOC = toc
	}
	ids := a.CheckIDs()
	if len(ids) > 0 {
		p.Checks = strings.Join(ids, " ")
		if r.opts.CheckInfo != nil {
			for _, id := range ids {
				if ci, ok := r.opts.CheckInfo(id); ok {
					p.CheckList = append(p.CheckList, ci)
				}
			}
		}
	}
	return p, nil
}

// body renders an article body, reusing the cached HTML when its key holds.
func (r *Renderer) body(a *content.Article) (template.HTML, error) {
	r.mu.Lock()
	e, ok := r.bodies[a.Path]
	r.mu.Unlock()
	if ok && e.key == a.BodyKey {
		return e.html, nil
	}
	var b bytes.Buffer
	b.Grow(len(a.Doc.Source) * 2)
	if err := r.opts.Parser.Render(&b, a.Doc); err != nil {
		return "", fmt.Errorf("render %s: %w", a.Path, err)
	}
	h := template.HTML(b.String())
	if r.opts.CacheBodies {
		r.mu.Lock()
		r.bodies[a.Path] = bodyEntry{key: a.BodyKey, html: h}
		r.mu.Unlock()
	}
	return h, nil
}

// Forget drops cached bodies of articles no longer in site.
func (r *Renderer) Forget(site *content.Site) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for p := range r.bodies {
		if site.ByPath[p] == nil {
			delete(r.bodies, p)
		}
	}
}

// Sitemap renders sitemap.xml for every published page of site.
func Sitemap(base string, site *content.Site) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	urls := []string{"/"}
	for _, c := range site.Categories {
		urls = append(urls, c.URL)
		for _, s := range c.Sections {
			urls = append(urls, s.URL)
		}
	}
	lastmod := map[string]string{}
	for _, a := range site.Articles {
		if a.Draft {
			continue
		}
		urls = append(urls, a.URL)
		if !a.Updated.IsZero() {
			lastmod[a.URL] = a.Updated.Format("2006-01-02")
		}
	}
	sort.Strings(urls[1:])
	for _, u := range urls {
		b.WriteString("  <url><loc>")
		template.HTMLEscape(&b, []byte(base+u))
		b.WriteString("</loc>")
		if lm := lastmod[u]; lm != "" {
			b.WriteString("<lastmod>" + lm + "</lastmod>")
		}
		b.WriteString("</url>\n")
	}
	b.WriteString("</urlset>\n")
	return b.Bytes()
}

// Paths returns the file set's paths, sorted.
func (f Files) Paths() []string {
	out := make([]string, 0, len(f))
	for p := range f {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
