package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"livedocs/internal/corpus"
)

// corpusCmd is `livedocs corpus`: write a synthetic help center of N
// articles for benchmarks. The same --seed always writes the same bytes.
type corpusCmd struct{}

func (c *corpusCmd) Run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("corpus", flag.ContinueOnError)
	n := fs.Int("articles", 1000, "number of articles")
	out := fs.String("out", "", "folder to write the project into (must be missing or empty)")
	seed := fs.Uint64("seed", 1, "random seed; the same seed gives a byte-identical tree")
	if err := fs.Parse(args); err != nil {
		return usageError("%v", err)
	}
	if fs.NArg() > 0 {
		return usageError("unexpected arguments: %v", fs.Args())
	}
	if *out == "" {
		return usageError("--out is required")
	}
	if *n < 1 {
		return usageError("--articles must be at least 1")
	}
	cp, err := corpus.Write(*out, corpus.Options{Articles: *n, Seed: *seed})
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %d articles in %d sections, %d categories (%d files, %.1f MB) to %s\n",
		cp.Articles, cp.Sections, cp.Categories, len(cp.Files), float64(cp.Size())/1e6, *out)
	return nil
}
