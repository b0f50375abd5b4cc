package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// memFS is an in-memory copy of the project files the preview watches
// (the content folder, the theme folders, the ledger), kept up to date from
// the watcher's batches. Builds read it instead of the disk: a rebuild after
// one save reads one file from disk, and every build sees one consistent
// set of files even while an editor is still writing.
//
// Symbolic links are followed only when they point at a regular file inside
// the project folder; links to folders or to anything outside the project
// are left out (and reported through logf), so no file outside the tree can
// be published.
type memFS struct {
	root  string // absolute project folder, symlinks resolved
	logf  func(format string, args ...any)
	mu    sync.RWMutex
	nodes map[string]*memNode // by slash path relative to root; "." is root
}

type memNode struct {
	name    string
	dir     bool
	data    []byte
	modTime time.Time
	kids    []string // sorted names, folders only
}

func newMemFS(root string, logf func(string, ...any)) (*memFS, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("open project folder: %w", err)
	}
	if abs, err = filepath.EvalSymlinks(abs); err != nil {
		return nil, fmt.Errorf("open project folder: %w", err)
	}
	m := &memFS{root: abs, logf: logf, nodes: map[string]*memNode{}}
	m.nodes["."] = &memNode{name: ".", dir: true}
	return m, nil
}

// refresh makes rel (slash-separated, relative to the root) match the disk:
// read it, walk it, or drop it.
func (m *memFS) refresh(rel string) {
	rel = path.Clean(rel)
	if rel == "." || !fs.ValidPath(rel) {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.remove(rel)
	m.load(rel)
}

// rescan drops everything and reads rels again.
func (m *memFS) rescan(rels []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.nodes = map[string]*memNode{".": {name: ".", dir: true}}
	for _, rel := range rels {
		m.load(path.Clean(rel))
	}
}

func (m *memFS) load(rel string) {
	full := filepath.Join(m.root, filepath.FromSlash(rel))
	fi, err := os.Lstat(full)
	if err != nil {
		return // gone: nothing to add
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		target, err := filepath.EvalSymlinks(full)
		if err == nil {
			fi, err = os.Stat(target)
		}
		if err != nil || !within(m.root, target) || !fi.Mode().IsRegular() {
			m.logf("livedocs: leaving out %s: a symbolic link to a folder or to something outside the project", rel)
			return
		}
	}
	switch {
	case fi.IsDir():
		m.put(rel, &memNode{name: path.Base(rel), dir: true, modTime: fi.ModTime()})
		ents, err := os.ReadDir(full)
		if err != nil {
			m.logf("livedocs: read %s: %v", rel, err)
			return
		}
		for _, e := range ents {
			m.load(rel + "/" + e.Name())
		}
	case fi.Mode().IsRegular():
		data, err := os.ReadFile(full)
		if err != nil {
			return // removed meanwhile; its own event follows
		}
		m.put(rel, &memNode{name: path.Base(rel), data: data, modTime: fi.ModTime()})
	}
}

func within(root, p string) bool {
	r, err := filepath.Rel(root, p)
	return err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator)) && !filepath.IsAbs(r)
}

// put adds n at rel, creating parent folders as needed.
func (m *memFS) put(rel string, n *memNode) {
	if old := m.nodes[rel]; old != nil && old.dir && n.dir {
		n.kids = old.kids
	}
	m.nodes[rel] = n
	parent := path.Dir(rel)
	p := m.nodes[parent]
	if p == nil || !p.dir {
		m.put(parent, &memNode{name: path.Base(parent), dir: true})
		p = m.nodes[parent]
	}
	i := sort.SearchStrings(p.kids, n.name)
	if i < len(p.kids) && p.kids[i] == n.name {
		return
	}
	p.kids = append(p.kids, "")
	copy(p.kids[i+1:], p.kids[i:])
	p.kids[i] = n.name
}

func (m *memFS) remove(rel string) {
	n := m.nodes[rel]
	if n == nil {
		return
	}
	for _, k := range n.kids {
		m.remove(rel + "/" + k)
	}
	delete(m.nodes, rel)
	if p := m.nodes[path.Dir(rel)]; p != nil {
		i := sort.SearchStrings(p.kids, n.name)
		if i < len(p.kids) && p.kids[i] == n.name {
			p.kids = append(p.kids[:i], p.kids[i+1:]...)
		}
	}
}

func (m *memFS) lookup(op, name string) (*memNode, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	n := m.nodes[name]
	if n == nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
	}
	return n, nil
}

func (m *memFS) Open(name string) (fs.File, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	n, err := m.lookup("open", name)
	if err != nil {
		return nil, err
	}
	if !n.dir {
		return &memFile{info: memInfo{n}, r: bytes.NewReader(n.data)}, nil
	}
	ents, err := m.readDir(name, n)
	if err != nil {
		return nil, err
	}
	return &memDir{info: memInfo{n}, ents: ents}, nil
}

func (m *memFS) ReadFile(name string) ([]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	n, err := m.lookup("read", name)
	if err != nil {
		return nil, err
	}
	if n.dir {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errors.New("is a directory")}
	}
	return bytes.Clone(n.data), nil
}

func (m *memFS) ReadDir(name string) ([]fs.DirEntry, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	n, err := m.lookup("readdir", name)
	if err != nil {
		return nil, err
	}
	if !n.dir {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
	}
	return m.readDir(name, n)
}

func (m *memFS) readDir(name string, n *memNode) ([]fs.DirEntry, error) {
	out := make([]fs.DirEntry, 0, len(n.kids))
	for _, k := range n.kids {
		p := k
		if name != "." {
			p = name + "/" + k
		}
		if c := m.nodes[p]; c != nil {
			out = append(out, fs.FileInfoToDirEntry(memInfo{c}))
		}
	}
	return out, nil
}

func (m *memFS) Stat(name string) (fs.FileInfo, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	n, err := m.lookup("stat", name)
	if err != nil {
		return nil, err
	}
	return memInfo{n}, nil
}

// bytesOf returns a file's bytes without copying, for error context.
func (m *memFS) bytesOf(name string) ([]byte, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	n := m.nodes[name]
	if n == nil || n.dir {
		return nil, false
	}
	return n.data, true
}

type memInfo struct{ n *memNode }

func (i memInfo) Name() string       { return i.n.name }
func (i memInfo) Size() int64        { return int64(len(i.n.data)) }
func (i memInfo) ModTime() time.Time { return i.n.modTime }
func (i memInfo) IsDir() bool        { return i.n.dir }
func (i memInfo) Sys() any           { return nil }
func (i memInfo) Mode() fs.FileMode {
	if i.n.dir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}

type memFile struct {
	info memInfo
	r    *bytes.Reader
}

func (f *memFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *memFile) Read(b []byte) (int, error) { return f.r.Read(b) }
func (f *memFile) Close() error               { return nil }

type memDir struct {
	info memInfo
	ents []fs.DirEntry
	off  int
}

func (d *memDir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *memDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.Name(), Err: errors.New("is a directory")}
}
func (d *memDir) Close() error { return nil }
func (d *memDir) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.ents[d.off:]
	if n <= 0 {
		d.off = len(d.ents)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	if n > len(rest) {
		n = len(rest)
	}
	d.off += n
	return rest[:n], nil
}
