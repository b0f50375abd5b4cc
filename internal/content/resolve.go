package content

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"image"
	_ "image/gif" // image sizes
	_ "image/jpeg"
	_ "image/png"
	"io/fs"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// reservedURLs are generated pages no article or alias may take.
var reservedURLs = []string{"/", "/search/", "/404.html", "/sitemap.xml", "/robots.txt"}

// resolve checks IDs, URLs, aliases, links, images and check IDs, and
// rewrites link and image destinations to published URLs.
func resolve(fsys fs.FS, site *Site, opts Options, sizeOf func(fs.FS, string) (int, int)) Errors {
	var errs Errors
	report := func(p Pos, warnable bool, format string, args ...any) {
		errs = append(errs, Error{Pos: p, Msg: fmt.Sprintf(format, args...), Warning: warnable && !opts.StrictLinks})
	}

	// IDs and URLs.
	taken := map[string]string{} // URL → what took it
	for _, u := range reservedURLs {
		taken[u] = "a generated page"
	}
	for _, c := range site.Categories {
		taken[c.URL] = c.Pos.Path
		for _, s := range c.Sections {
			taken[s.URL] = s.Pos.Path
		}
	}
	for _, a := range site.Articles {
		if a.ID == "" {
			// reported as a missing id
		} else if prev, ok := site.ByID[a.ID]; ok {
			report(Pos{Path: a.Path, Line: keyLine(a.fmSrc(), 2, "id"), Col: 1}, false, "duplicate id %q: %s has it too", a.ID, prev.Path)
		} else {
			site.ByID[a.ID] = a
		}
		if who, ok := taken[a.URL]; ok {
			report(Pos{Path: a.Path, Line: 1, Col: 1}, false, "URL %s is already taken by %s: set a different slug", a.URL, who)
		} else {
			taken[a.URL] = a.Path
			site.ByURL[a.URL] = a
		}
	}
	for _, a := range site.Articles {
		short := "/a/" + a.ID + "/"
		if _, ok := taken[short]; !ok {
			taken[short] = a.Path
		}
	}
	assets := map[string]*Asset{}  // by source path
	assetURLs := map[string]bool{} // published URLs, for site-path links
	for i := range site.Assets {
		as := &site.Assets[i]
		assets[as.Path] = as
		assetURLs[as.URL] = true
		taken[as.URL] = as.Path
	}
	for _, a := range site.Articles {
		for i, al := range a.Aliases {
			u, ok := NormalizeURL(al)
			line := aliasLine(a, i)
			if !ok {
				report(Pos{Path: a.Path, Line: line, Col: 1}, false, "alias %q is not a site path (want /old/path/)", al)
				continue
			}
			if who, ok := taken[u]; ok {
				report(Pos{Path: a.Path, Line: line, Col: 1}, false, "alias %s collides with %s", u, who)
				continue
			}
			taken[u] = a.Path
			a.Aliases[i] = u
		}
	}

	// Links, images and checks, article by article. An article whose file
	// is unchanged keeps its previous resolution while the site's shape —
	// every URL, anchor, ID, alias and asset a link could reach — holds:
	// that is what makes a watch-server rebuild after one edit cheap.
	site.Shape = shape(fsys, site)
	for _, a := range site.Articles {
		if c := a.src; c != nil && c.resolved && c.shape == site.Shape && c.strict == opts.StrictLinks {
			a.BodyKey = c.bodyKey
			errs = append(errs, c.resolveErrs...)
			continue
		}
		before := len(errs)
		h := fnv.New64a()
		var buf [8]byte
		binary.LittleEndian.PutUint64(buf[:], a.Hash)
		h.Write(buf[:])
		for _, l := range a.Doc.Links {
			dest, msg := resolveLink(site, a, assets, assetURLs, l.Dest)
			if msg != "" {
				report(a.Pos(l.Offset), true, "%s", msg)
				dest = l.Dest
			}
			l.Node.Destination = []byte(dest)
			h.Write([]byte(dest))
			h.Write([]byte{0})
		}
		for _, im := range a.Doc.Images {
			dest, w, ht, msg := resolveImage(fsys, a, assets, im.Dest, sizeOf)
			if msg != "" {
				report(a.Pos(im.Offset), true, "%s", msg)
			}
			im.Node.Destination = []byte(dest)
			if w > 0 && ht > 0 {
				im.Node.SetAttributeString("width", []byte(strconv.Itoa(w)))
				im.Node.SetAttributeString("height", []byte(strconv.Itoa(ht)))
			}
			im.Node.SetAttributeString("loading", []byte("lazy"))
			im.Node.SetAttributeString("decoding", []byte("async"))
			fmt.Fprintf(h, "%s|%d|%d\x00", dest, w, ht)
		}
		a.BodyKey = h.Sum64()
		for _, hd := range a.Doc.Headings {
			checkKnown(a, hd.Check, hd.Offset, opts, report)
		}
		for _, s := range a.Doc.Steps {
			checkKnown(a, s.Check, s.Offset, opts, report)
		}
		if c := a.src; c != nil {
			c.resolved, c.shape, c.strict, c.bodyKey = true, site.Shape, opts.StrictLinks, a.BodyKey
			c.resolveErrs = append(Errors(nil), errs[before:]...)
		}
	}
	return errs
}

// shape hashes everything another article's links and images can resolve
// to: category and section folders and URLs, each article's path, URL, ID,
// aliases and anchors, and each asset with its size and time. Articles are
// combined order-independently, so a title or weight change keeps it.
func shape(fsys fs.FS, site *Site) uint64 {
	var sum uint64
	mix := func(parts ...string) {
		h := fnv.New64a()
		for _, p := range parts {
			h.Write([]byte(p))
			h.Write([]byte{0})
		}
		sum += h.Sum64() * 0x9E3779B97F4A7C15
	}
	for _, c := range site.Categories {
		mix("c", c.Dir, c.URL)
		for _, s := range c.Sections {
			mix("s", s.Dir, s.URL)
		}
	}
	for _, a := range site.Articles {
		var anchors uint64
		if a.src != nil {
			anchors = a.src.anchors
		} else {
			anchors = hashStrings(a.Doc.Anchors())
		}
		mix("a", a.Path, a.URL, a.ID, strings.Join(a.Aliases, " "), strconv.FormatUint(anchors, 16))
	}
	for _, as := range site.Assets {
		size, mod := "", ""
		if info, err := fs.Stat(fsys, as.Path); err == nil {
			size, mod = strconv.FormatInt(info.Size(), 10), info.ModTime().String()
		}
		mix("f", as.Path, as.URL, size, mod)
	}
	return sum
}

func hashStrings(ss []string) uint64 {
	h := fnv.New64a()
	for _, s := range ss {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

func checkKnown(a *Article, id string, off int, opts Options, report func(Pos, bool, string, ...any)) {
	if id == "" {
		return
	}
	if opts.KnownCheck == nil || !opts.KnownCheck(id) {
		report(a.Pos(off), false, "unknown check %q (run `livedocs checks` for the list)", id)
	}
}

func aliasLine(a *Article, i int) int {
	fm := a.fmSrc()
	start := keyLine(fm, 2, "aliases")
	lines := bytes.Split(fm, []byte("\n"))
	n := -1
	for j := start - 1; j < len(lines) && j >= 0; j++ {
		t := bytes.TrimSpace(lines[j])
		if bytes.HasPrefix(t, []byte("- ")) {
			n++
			if n == i {
				return j + 2
			}
		}
	}
	return start
}

// hasScheme reports whether u starts with a URL scheme such as "https:".
func hasScheme(u string) bool {
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '.' || c == '-'):
		case c == ':':
			return i > 0
		default:
			return false
		}
	}
	return false
}

// NormalizeURL turns a site path into its canonical form: a leading slash,
// and a trailing slash unless the last segment has a file extension.
func NormalizeURL(p string) (string, bool) {
	p = strings.TrimSpace(p)
	if p == "" || hasScheme(p) || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "#? ") {
		return "", false
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	p = path.Clean(p)
	if p != "/" && path.Ext(p) == "" {
		p += "/"
	}
	return p, true
}

// resolveLink returns the published URL for a link, or a problem message.
func resolveLink(site *Site, a *Article, assets map[string]*Asset, assetURLs map[string]bool, dest string) (string, string) {
	if dest == "" {
		return "", "empty link"
	}
	if hasScheme(dest) || strings.HasPrefix(dest, "//") {
		return dest, ""
	}
	p, frag, _ := strings.Cut(dest, "#")
	p, _, _ = strings.Cut(p, "?")
	if up, err := url.PathUnescape(p); err == nil {
		p = up
	}
	var target *Article
	var out string
	switch {
	case p == "":
		target, out = a, ""
	case strings.HasPrefix(p, "/"):
		u, _ := NormalizeURL(p)
		switch {
		case site.ByURL[u] != nil:
			target = site.ByURL[u]
			out = u
		case strings.HasPrefix(u, "/a/") && site.ByID[strings.Trim(strings.TrimPrefix(u, "/a/"), "/")] != nil:
			target = site.ByID[strings.Trim(strings.TrimPrefix(u, "/a/"), "/")]
			out = u
		case folderURLByURL(site, u) || u == "/" || u == "/search/":
			out = u
		case assetURLs[strings.TrimSuffix(u, "/")]:
			out = strings.TrimSuffix(u, "/")
		default:
			return "", fmt.Sprintf("broken link %q: no page at %s", dest, u)
		}
	default:
		full := path.Join(path.Dir(a.Path), p)
		switch {
		case site.ByPath[full] != nil:
			target = site.ByPath[full]
			out = target.URL
		case path.Base(full) == "_index.md" || !strings.Contains(path.Base(full), "."):
			d := strings.TrimSuffix(full, "/_index.md")
			if u := folderURL(site, d); u != "" {
				out = u
			} else {
				return "", fmt.Sprintf("broken link %q: no category or section at %s", dest, d)
			}
		case assets[full] != nil:
			out = assets[full].URL
		default:
			if strings.HasSuffix(full, ".md") {
				return "", fmt.Sprintf("broken link %q: no article at %s", dest, full)
			}
			return "", fmt.Sprintf("broken link %q: no file at %s", dest, full)
		}
	}
	if frag != "" {
		if target != nil && !hasAnchor(target, frag) {
			return "", fmt.Sprintf("broken link %q: %s has no anchor #%s", dest, target.Path, frag)
		}
		out += "#" + frag
	}
	return out, ""
}

func hasAnchor(a *Article, frag string) bool { return a.Doc.HasAnchor(frag) }

func folderURLByURL(site *Site, u string) bool {
	for _, c := range site.Categories {
		if c.URL == u {
			return true
		}
		for _, s := range c.Sections {
			if s.URL == u {
				return true
			}
		}
	}
	return false
}

func folderURL(site *Site, dir string) string {
	for _, c := range site.Categories {
		if c.Dir == dir {
			return c.URL
		}
		for _, s := range c.Sections {
			if s.Dir == dir {
				return s.URL
			}
		}
	}
	return ""
}

// resolveImage returns an image's published URL and pixel size.
func resolveImage(fsys fs.FS, a *Article, assets map[string]*Asset, dest string, sizeOf func(fs.FS, string) (int, int)) (string, int, int, string) {
	if dest == "" {
		return "", 0, 0, "image has no source"
	}
	if hasScheme(dest) || strings.HasPrefix(dest, "//") {
		if strings.HasPrefix(dest, "data:") {
			return dest, 0, 0, ""
		}
		return dest, 0, 0, fmt.Sprintf("image %q is loaded from another site: copy it beside the article", dest)
	}
	p := dest
	if up, err := url.PathUnescape(p); err == nil {
		p = up
	}
	full := path.Join(path.Dir(a.Path), p)
	as := assets[full]
	if as == nil {
		return dest, 0, 0, fmt.Sprintf("image %q not found at %s", dest, full)
	}
	w, h := sizeOf(fsys, full)
	return as.URL, w, h, ""
}

var svgSizeRE = regexp.MustCompile(`(?s)<svg\b[^>]*>`)
var svgAttrRE = regexp.MustCompile(`\b(width|height|viewBox)\s*=\s*["']([^"']*)["']`)

func imageSize(fsys fs.FS, p string) (int, int) {
	f, err := fsys.Open(p)
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	if strings.EqualFold(path.Ext(p), ".svg") {
		head := make([]byte, 4096)
		n, _ := f.Read(head)
		tag := svgSizeRE.Find(head[:n])
		var w, h float64
		var vb []string
		for _, m := range svgAttrRE.FindAllSubmatch(tag, -1) {
			v := strings.TrimSuffix(string(m[2]), "px")
			switch string(m[1]) {
			case "width":
				w, _ = strconv.ParseFloat(v, 64)
			case "height":
				h, _ = strconv.ParseFloat(v, 64)
			case "viewBox":
				vb = strings.Fields(strings.ReplaceAll(v, ",", " "))
			}
		}
		if (w == 0 || h == 0) && len(vb) == 4 {
			w, _ = strconv.ParseFloat(vb[2], 64)
			h, _ = strconv.ParseFloat(vb[3], 64)
		}
		return int(w + 0.5), int(h + 0.5)
	}
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return 0, 0
	}
	return cfg.Width, cfg.Height
}
