package build

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"livedocs/internal/render"
)

// Write writes files into dir atomically: everything goes to a staging
// folder beside dir, which is then exchanged with dir in one rename. A
// build that fails or is killed part-way leaves dir as it was.
//
// Creating and deleting files and folders is the dearest part of a write
// (on ext4 one create or unlink costs as much as rendering a small page),
// so the previous output is not deleted: after the exchange it stays
// beside dir as ".<name>.prev", and the next Write claims it (by renaming
// it to its own staging name, so two concurrent writes never share it) and
// brings it up to date: files that exist are overwritten in place, only
// new files and folders are created and only vanished ones are deleted.
// Rebuilding unchanged content thus creates and deletes nothing.
func Write(dir string, files render.Files) error {
	dir = filepath.Clean(dir)
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	// Folders left by a build that was killed part-way.
	stale, _ := filepath.Glob(filepath.Join(parent, "."+filepath.Base(dir)+".tmp-*"))
	for _, s := range stale {
		os.RemoveAll(s)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	prev := filepath.Join(parent, "."+filepath.Base(dir)+".prev")
	// rename(2) replaces the empty tmp (os.Rename refuses to); it fails when
	// there is no previous output, and then tmp stays empty.
	_ = unix.Rename(prev, tmp)
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("write output: %w", err)
	}
	if err := syncTree(tmp, files); err != nil {
		if os.Rename(tmp, prev) != nil {
			os.RemoveAll(tmp)
		}
		return err
	}
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		if err := os.Rename(tmp, dir); err != nil {
			os.RemoveAll(tmp)
			return fmt.Errorf("write output: %w", err)
		}
		return nil
	}
	// Swap the two folders in one step; keep the old output for next time.
	if err := unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, dir, unix.RENAME_EXCHANGE); err != nil {
		// File systems without RENAME_EXCHANGE: move aside, then in.
		old := tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			os.RemoveAll(tmp)
			return fmt.Errorf("write output: %w", err)
		}
		if err := os.Rename(tmp, dir); err != nil {
			os.Rename(old, dir)
			return fmt.Errorf("write output: %w", err)
		}
		tmp = old
	}
	if err := os.Rename(tmp, prev); err != nil {
		// Another write left its previous output there first.
		return os.RemoveAll(tmp)
	}
	return nil
}

// syncTree makes the folder root hold exactly files. root is empty or a
// previous output (possibly half-updated by a killed build).
func syncTree(root string, files render.Files) error {
	paths := files.Paths()
	for _, p := range paths {
		if strings.Contains(p, "..") || !strings.HasPrefix(p, "/") || p == "/" {
			return fmt.Errorf("write output: bad path %q", p)
		}
	}
	// What is there: slash paths relative to root.
	local := func(rel string) string { return filepath.Join(root, filepath.FromSlash(rel)) }
	oldFiles := map[string]bool{} // regular files
	oldDirs := map[string]bool{}
	var odd []string // symlinks and the like, never written through
	err := fs.WalkDir(os.DirFS(root), ".", func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case p == ".":
		case d.IsDir():
			oldDirs[p] = true
		case d.Type().IsRegular():
			oldFiles[p] = true
		default:
			odd = append(odd, p)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	for _, o := range odd {
		if err := os.Remove(local(o)); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
	}

	// What must be there.
	rels := make([]string, len(paths))
	needDirs := map[string]bool{}
	for i, p := range paths {
		rels[i] = p[1:]
		for d := path.Dir(rels[i]); d != "." && !needDirs[d]; d = path.Dir(d) {
			needDirs[d] = true
		}
	}
	// A file where a folder must go, or a folder where a file must go.
	for d := range needDirs {
		if oldFiles[d] {
			if err := os.Remove(local(d)); err != nil {
				return fmt.Errorf("write output: %w", err)
			}
			delete(oldFiles, d)
		}
	}
	for _, r := range rels {
		if oldDirs[r] {
			if err := os.RemoveAll(local(r)); err != nil {
				return fmt.Errorf("write output: %w", err)
			}
			for o := range oldDirs {
				if o == r || strings.HasPrefix(o, r+"/") {
					delete(oldDirs, o)
				}
			}
			for o := range oldFiles {
				if strings.HasPrefix(o, r+"/") {
					delete(oldFiles, o)
				}
			}
		}
	}

	// New folders, a level at a time so parents come first.
	var mk []string
	for d := range needDirs {
		if !oldDirs[d] {
			mk = append(mk, d)
		}
	}
	depth := func(p string) int { return strings.Count(p, "/") }
	slices.SortFunc(mk, func(a, b string) int {
		if c := depth(a) - depth(b); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	if err := byLevel(mk, depth, func(rel string) error { return os.Mkdir(local(rel), 0o755) }); err != nil {
		return err
	}

	// Files: overwrite in place, create only what is new.
	err = parallel(len(rels), func(i int) error {
		existed := oldFiles[rels[i]]
		f, err := os.OpenFile(local(rels[i]), os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			return err
		}
		data := files[paths[i]]
		_, err = f.Write(data)
		if err == nil && existed {
			err = f.Truncate(int64(len(data)))
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("write output: %w", err)
	}

	// Whatever is gone: files, then folders deepest first.
	var gone []string
	for o := range oldFiles {
		if _, keep := files["/"+o]; !keep {
			gone = append(gone, o)
		}
	}
	if err := parallel(len(gone), func(i int) error { return os.Remove(local(gone[i])) }); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	gone = gone[:0]
	for o := range oldDirs {
		if !needDirs[o] {
			gone = append(gone, o)
		}
	}
	slices.SortFunc(gone, func(a, b string) int {
		if c := depth(b) - depth(a); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return byLevel(gone, depth, func(rel string) error { return os.Remove(local(rel)) })
}

// byLevel calls f on every path of ps, which are sorted by depth, one
// depth at a time and in parallel within a depth.
func byLevel(ps []string, depth func(string) int, f func(string) error) error {
	for len(ps) > 0 {
		n := 1
		for n < len(ps) && depth(ps[n]) == depth(ps[0]) {
			n++
		}
		level := ps[:n]
		if err := parallel(n, func(i int) error { return f(level[i]) }); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
		ps = ps[n:]
	}
	return nil
}

// parallel calls f(0) … f(n-1) on a few goroutines (file system calls
// block, so twice the cores) and returns the errors it met.
func parallel(n int, f func(i int) error) error {
	workers := min(n, 2*runtime.GOMAXPROCS(0))
	errs := make([]error, workers)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := f(i); err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
