package build

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"livedocs/internal/render"
)

// Write writes files into dir atomically: everything goes to a temporary
// folder beside dir, which is then exchanged with dir in one rename. A
// build that fails or is killed part-way leaves dir as it was.
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
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if err := writeAll(tmp, files); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		if err := os.Rename(tmp, dir); err != nil {
			os.RemoveAll(tmp)
			return fmt.Errorf("write output: %w", err)
		}
		return nil
	}
	// Swap the two folders in one step, then remove the old output.
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
		return os.RemoveAll(old)
	}
	return os.RemoveAll(tmp) // now holds the previous output
}

func writeAll(root string, files render.Files) error {
	paths := files.Paths()
	dirs := map[string]bool{}
	for _, p := range paths {
		dirs[filepath.Dir(filepath.Join(root, filepath.FromSlash(p)))] = true
	}
	for d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, runtime.GOMAXPROCS(0)*2)
	for w := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(paths); i += len(errs) {
				p := paths[i]
				if strings.Contains(p, "..") {
					errs[w] = fmt.Errorf("write output: bad path %q", p)
					return
				}
				if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(p)), files[p], 0o644); err != nil {
					errs[w] = fmt.Errorf("write output: %w", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
