package build

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"livedocs/internal/content"
	"livedocs/internal/render"
)

// Ledger is the committed list of every article URL and anchor the site
// has published. A build that would drop one fails, unless the article
// still exists under a new URL (then a redirect is generated), an alias
// covers it, or — for an anchor — a heading or step names it with "was:".
//
// File format: one entry a line, "URL<TAB>article ID<TAB>source path",
// where URL may end in "#anchor"; lines starting with # are comments.
// Deleting a line retires that URL on purpose.
type Ledger struct {
	name    string
	entries map[string]ledgerEntry
}

type ledgerEntry struct {
	id, path string
	line     int
}

// ReadLedger reads the ledger file name from fsys. A missing file gives an
// empty ledger and an error wrapping fs.ErrNotExist.
func ReadLedger(fsys fs.FS, name string) (*Ledger, error) {
	l := &Ledger{name: name, entries: map[string]ledgerEntry{}}
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return l, err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			return l, fmt.Errorf("%s:%d:1: want URL, article ID and path separated by tabs", name, n)
		}
		l.entries[f[0]] = ledgerEntry{id: f[1], path: f[2], line: n}
	}
	return l, sc.Err()
}

// Check reports every ledger entry the site no longer publishes.
func (l *Ledger) Check(site *content.Site) content.Errors {
	var errs content.Errors
	aliases := map[string]bool{}
	for _, a := range site.Articles {
		for _, al := range a.Aliases {
			aliases[al] = true
		}
	}
	for _, key := range sortedKeys(l.entries) {
		e := l.entries[key]
		pos := content.Pos{Path: l.name, Line: e.line, Col: 1}
		u, frag, isAnchor := strings.Cut(key, "#")
		a := site.ByID[e.id]
		if a == nil {
			a = site.ByURL[u]
		}
		if !isAnchor {
			if a != nil || aliases[u] {
				continue
			}
			errs = append(errs, content.Error{Pos: pos, Msg: fmt.Sprintf(
				"%s (article %s, %s) is no longer published: add it to another article's aliases, or delete this line to retire it on purpose",
				u, e.id, e.path)})
			continue
		}
		if a == nil {
			continue // the page itself is reported
		}
		if !hasAnchor(a, frag) {
			errs = append(errs, content.Error{Pos: pos, Msg: fmt.Sprintf(
				"%s#%s is gone from %s: mark the heading or step that replaces it with <!-- was: %s -->, or delete this line",
				u, frag, a.Path, frag)})
		}
	}
	return errs
}

func hasAnchor(a *content.Article, frag string) bool { return a.Doc.HasAnchor(frag) }

// Record adds what site publishes: each article's URL and anchors.
func (l *Ledger) Record(site *content.Site) {
	for _, a := range site.Articles {
		if a.Draft {
			continue
		}
		l.entries[a.URL] = ledgerEntry{id: a.ID, path: a.Path}
		for _, anc := range a.Doc.Anchors() {
			l.entries[a.URL+"#"+anc] = ledgerEntry{id: a.ID, path: a.Path}
		}
	}
}

// Bytes renders the ledger file.
func (l *Ledger) Bytes() []byte {
	var b bytes.Buffer
	b.WriteString("# livedocs URL ledger: every URL and anchor this help center has published.\n")
	b.WriteString("# Commit it. A build fails when one of these would break; delete a line to retire a URL on purpose.\n")
	for _, k := range sortedKeys(l.entries) {
		e := l.entries[k]
		fmt.Fprintf(&b, "%s\t%s\t%s\n", k, e.id, e.path)
	}
	return b.Bytes()
}

// Write saves the ledger under root, replacing the file atomically.
func (l *Ledger) Write(root string) error {
	p := filepath.Join(root, filepath.FromSlash(l.name))
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, l.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write ledger: %w", err)
	}
	if err := os.Rename(tmp, p); err != nil {
		return fmt.Errorf("write ledger: %w", err)
	}
	return nil
}

// addMoved adds redirect pages for ledger URLs whose article moved.
func addMoved(files render.Files, l *Ledger, site *content.Site, r *render.Renderer) error {
	if l == nil {
		return nil
	}
	for _, key := range sortedKeys(l.entries) {
		if strings.Contains(key, "#") {
			continue
		}
		p := key
		if strings.HasSuffix(p, "/") {
			p += "index.html"
		}
		if _, ok := files[p]; ok {
			continue
		}
		a := site.ByID[l.entries[key].id]
		if a == nil || a.URL == key {
			continue
		}
		b, err := r.Redirect(a)
		if err != nil {
			return err
		}
		files[p] = b
	}
	return nil
}
