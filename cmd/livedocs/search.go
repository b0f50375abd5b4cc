package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"livedocs/internal/config"
	"livedocs/internal/content"
	"livedocs/internal/markdown"
	"livedocs/internal/render"
	"livedocs/internal/search"
)

// searchCmd is `livedocs search`: query the search index from the command
// line with the ranking the browser uses, for pasting links into tickets.
type searchCmd struct {
	out io.Writer // nil means os.Stdout
}

func (c *searchCmd) Run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	var pf projectFlags
	pf.register(fs)
	asJSON := fs.Bool("json", false, `print {"query": …, "results": [{"url", "title", "section", "snippet", "score"}]}`)
	limit := fs.Int("limit", 10, "maximum number of results")
	site := fs.String("site", "", "built site folder to read search/ from (default: index content/ on the fly)")
	base := fs.String("base-url", "", "prefix for result URLs (default: base_url from config.yaml)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: livedocs search [--json] [--limit N] [--site DIR] QUERY...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return usageError("%v", err)
	}
	query := strings.Join(fs.Args(), " ")
	if strings.TrimSpace(query) == "" {
		return usageError("missing QUERY")
	}
	if *limit < 1 {
		return usageError("--limit must be at least 1")
	}
	cfg, cfgErr := config.Load(filepath.Join(pf.root, pf.config))
	prefix := *base
	if prefix == "" && cfgErr == nil {
		prefix = cfg.BaseURL
	}
	prefix = strings.TrimRight(prefix, "/")

	var load func(name string) ([]byte, error)
	if *site != "" {
		dir := filepath.Join(*site, "search")
		load = func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, name)) }
	} else {
		if cfgErr != nil {
			return cfgErr
		}
		files, err := indexContent(pf, cfg)
		if err != nil {
			return err
		}
		load = func(name string) ([]byte, error) {
			b, ok := files["/search/"+name]
			if !ok {
				return nil, fmt.Errorf("open %s: file does not exist", name)
			}
			return b, nil
		}
	}
	ix, err := search.Open(load)
	if err != nil {
		return err
	}
	results, err := ix.Search(query, *limit)
	if err != nil {
		return err
	}
	w := c.out
	if w == nil {
		w = os.Stdout
	}
	return printResults(w, query, prefix, results, *asJSON)
}

// indexContent loads content/ and indexes it without rendering pages.
func indexContent(pf projectFlags, cfg config.Config) (render.Files, error) {
	opts, err := pf.options()
	if err != nil {
		return nil, err
	}
	site, errs := content.NewLoader(markdown.New()).Load(os.DirFS(pf.root), content.Options{
		Dir: cfg.ContentDir, Drafts: pf.drafts, StrictLinks: cfg.StrictLinks(), KnownCheck: opts.KnownCheck,
	})
	if site == nil {
		return nil, reportBuildError(os.Stderr, errs)
	}
	if fatal := errs.Fatal(); len(fatal) > 0 {
		return nil, reportBuildError(os.Stderr, fatal)
	}
	files := render.Files{}
	if err := search.NewIndexer().Add(site, files); err != nil {
		return nil, err
	}
	return files, nil
}

type jsonResult struct {
	URL     string  `json:"url"`
	Title   string  `json:"title"`
	Section string  `json:"section"`
	Snippet string  `json:"snippet"`
	Score   float64 `json:"score"`
}

func printResults(w io.Writer, query, prefix string, results []search.Result, asJSON bool) error {
	if asJSON {
		out := struct {
			Query   string       `json:"query"`
			Results []jsonResult `json:"results"`
		}{Query: query, Results: []jsonResult{}}
		for _, r := range results {
			out.Results = append(out.Results, jsonResult{URL: prefix + r.URL, Title: r.Title, Section: r.Section, Snippet: r.Snippet, Score: r.Score})
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(out)
	}
	if len(results) == 0 {
		fmt.Fprintf(w, "no results for %q\n", query)
		return &exitError{code: 1}
	}
	for i, r := range results {
		if i > 0 {
			fmt.Fprintln(w)
		}
		title := r.Title
		if r.Section != "" {
			title += " › " + r.Section
		}
		fmt.Fprintf(w, "%s\n%s\n%s\n", title, prefix+r.URL, r.Snippet)
	}
	return nil
}
