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
//	index.json      the entry (stable name): format version, article and
//	                unit counts, stop words, the first key of every term
//	                shard and its hash, and the hash of every block of 64
//	                articles.
//	t-<hash>.bin    a term shard (binary, see encodeShard and encodeTerm):
//	                its strings sorted and front-coded; a string that is a
//	                word of the text carries its key, a key carries its
//	                document frequency and postings. Keys are stems,
//	                compounds, "a b" word pairs and "a b c=" whole titles
//	                and headings. Postings are (Δarticle, unit, q) in
//	                columns of LEB128 varints; q in 1…250 is the unit's
//	                BM25F saturation of the key, tf·w/(k1+tf·w) with field
//	                weights title > heading > keywords/tags > summary >
//	                body, scaled by 250. At most Indexer.MaxPostings per key
//	                (MaxPairPostings per word pair), highest q first kept.
//	b-<hash>.json   a block: the fragment hashes of 64 consecutive articles.
//	f-<hash>.json   a fragment: one article's title, URL, path and, per
//	                unit, anchor, heading, text and steps, for result lists.
//
// Word pairs come from the title, headings, keywords, summary and heading
// context, and from the UI labels of the body (bold text and UI paths):
// pairs of running text would be most of the index for little gain.
//
// Shards hold whole key prefixes (two characters, more for crowded
// prefixes), so completions of a word are found in the shard the word
// itself falls in; typo corrections are looked for there and in the shards
// of the word without its last one or two characters. Every file but index.json is named by
// its content hash and can be cached forever. Output is deterministic.
//
// # Incremental builds
//
// A posting depends only on its own unit and on the average field lengths,
// rounded to a quarter octave (they move only when many articles change);
// the inverse document frequency is applied at query time from the key's
// document frequency and the unit count in index.json. So after an edit an
// Indexer re-analyses the edited article, splices its postings into the
// keys it had or has, and re-encodes only the shards holding those keys,
// writing exactly what a fresh Indexer would.
//
// # Ranking
//
// A query's words are looked up by key; stop words count only when the
// query has nothing else. The last word, while being typed, also matches
// completions (×0.8); an unknown word of 5+ letters matches words one edit
// away (×0.7), of 9+ letters two edits (×0.5); an unknown compound falls
// back to its parts. A key's impact in a unit is idf × q / 25, with
// idf = ln(1 + (N − df + 0.5)/(df + 0.5)) over N units (ln computed with
// arithmetic alone, so Go and JavaScript agree to the bit); a whole title
// scores 1000 and a whole heading 600. A unit scores the sum over words of
// its best impact, times the square of the share of words it matched, plus
// half the impact of each adjacent word pair found adjacent, plus those
// title or heading bonuses when the whole query is its title or heading.
// An article scores its best unit plus a fifth of its second; the best
// unit gives the result's anchor and snippet, further units are
// sub-results.
package search
