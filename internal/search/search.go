// Package search builds the static search index from the content model and
// answers queries from it. The same ranking runs in Go (the `livedocs
// search` command, tests) and in the browser (themes/default/static/
// search.js); a parity test runs both over the relevance sets.
//
// # Units
//
// Every article is split into units: the article itself (title, summary,
// keywords, tags, the list of its headings and the text before the first
// h2/h3) and one unit per h2/h3 section (its heading, the article title
// and parent h2 as context, and its text, steps included). Steps keep their
// anchors so a result can point at the step holding the matched words.
// Nothing of the site chrome is indexed: the index is built from the model,
// never from rendered HTML. DocFX markup of imported documents (:::image:::
// keeps its alt text; [!INCLUDE], [!div], ::: zone and tab markers go).
//
// # Analysis
//
// See analyze.go: runs of letters and digits, compounds joined by - _ . / \
// : @ kept whole as well as split, case and letter/digit parts, folding of
// case and diacritics, Snowball English stems for a–z words.
//
// # Files (all under /search/)
//
//	index.json      the entry (stable name): format version, stop words,
//	                the first key of every term shard and its hash, and the
//	                hash of every block of 64 articles.
//	t-<hash>.json   a term shard: {"w": {surface: key}, "p": {key: postings}}.
//	                Keys are stems, compounds, "a b" word pairs and
//	                "a b c=" whole titles and headings. Postings are
//	                [Δarticle, unit, impact, …]; the impact is a BM25F score
//	                (title > heading > keywords/tags > summary > body) × 10,
//	                at most Indexer.MaxPostings per key, best first kept.
//	b-<hash>.json   a block: the fragment hashes of 64 consecutive articles.
//	f-<hash>.json   a fragment: one article's title, URL, path and, per
//	                unit, anchor, heading, text and steps, for result lists.
//
// Shards hold whole key prefixes (two characters, more for crowded
// prefixes), so completions and typo corrections of a word are found in
// the shard the word itself falls in. Every file but index.json is named by
// its content hash and can be cached forever. Output is deterministic.
//
// # Ranking
//
// A query's words are looked up by key; stop words count only when the
// query has nothing else. The last word, while being typed, also matches
// completions (×0.8); an unknown word of 5+ letters matches words one edit
// away (×0.7), of 9+ letters two edits (×0.5); an unknown compound falls
// back to its parts. A unit scores the sum over words of its best impact,
// times the square of the share of words it matched, plus half the impact
// of each adjacent word pair found adjacent, plus a large bonus when the
// whole query is its title or heading. An article scores its best unit plus
// a fifth of its second; the best unit gives the result's anchor and
// snippet, further units are sub-results.
package search
