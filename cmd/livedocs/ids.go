package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"livedocs/internal/config"
	"livedocs/internal/content"
)

// idsCmd is `livedocs ids`: list articles without an ID, or --assign fresh ones.
type idsCmd struct{}

var idLineRE = regexp.MustCompile(`(?m)^id:\s*["']?([^"'\s#]+)`)

func (c *idsCmd) Run(ctx context.Context, args []string) error {
	fset := flag.NewFlagSet("ids", flag.ContinueOnError)
	var pf projectFlags
	pf.register(fset)
	assign := fset.Bool("assign", false, "write a fresh unique id into every article that lacks one")
	if err := fset.Parse(args); err != nil {
		return usageError("%v", err)
	}
	cfg, err := config.Load(filepath.Join(pf.root, pf.config))
	if err != nil {
		return err
	}
	root := os.DirFS(pf.root)
	var used, missing []string
	err = fs.WalkDir(root, cfg.ContentDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".md") || filepath.Base(p) == "_index.md" {
			return err
		}
		src, err := fs.ReadFile(root, p)
		if err != nil {
			return err
		}
		fm := frontMatterOf(src)
		if m := idLineRE.FindSubmatch(fm); m != nil {
			used = append(used, string(m[1]))
		} else {
			missing = append(missing, p)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("scan content: %w", err)
	}
	sort.Strings(missing)
	if !*assign {
		for _, p := range missing {
			fmt.Println(p)
		}
		if len(missing) > 0 {
			return &exitError{code: 1, err: fmt.Errorf("%d article(s) have no id; run with --assign to add them", len(missing))}
		}
		return nil
	}
	for _, p := range missing {
		id := content.NextNumericID(used)
		used = append(used, id)
		full := filepath.Join(pf.root, filepath.FromSlash(p))
		src, err := os.ReadFile(full)
		if err != nil {
			return err
		}
		info, err := os.Stat(full)
		if err != nil {
			return err
		}
		if err := os.WriteFile(full, insertID(src, id), info.Mode().Perm()); err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
		fmt.Printf("%s: id %s\n", p, id)
	}
	return nil
}

// frontMatterOf returns the YAML between the leading --- lines, if any.
func frontMatterOf(src []byte) []byte {
	if !bytes.HasPrefix(src, []byte("---\n")) && !bytes.HasPrefix(src, []byte("---\r\n")) {
		return nil
	}
	rest := src[bytes.IndexByte(src, '\n')+1:]
	if i := bytes.Index(rest, []byte("\n---")); i >= 0 {
		return rest[:i+1]
	}
	return nil
}

// insertID adds `id: "N"` as the first front-matter line, creating front
// matter when the file has none; nothing else in the file changes.
func insertID(src []byte, id string) []byte {
	line := fmt.Sprintf("id: %q", id)
	if frontMatterOf(src) != nil {
		nl := bytes.IndexByte(src, '\n') + 1
		eol := "\n"
		if nl >= 2 && src[nl-2] == '\r' {
			eol = "\r\n"
		}
		return append(append(append([]byte{}, src[:nl]...), line+eol...), src[nl:]...)
	}
	return append([]byte("---\n"+line+"\n---\n"), src...)
}
