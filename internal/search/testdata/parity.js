// Runs search.js over an index folder for TestParity: reads
// {"words": [...], "queries": [...], "limit": N} on stdin, writes
// {"stems": [...], "results": [[...], ...]} on stdout.
'use strict';
const fs = require('fs');
const path = require('path');
const [, , script, dir] = process.argv;
const s = require(path.resolve(script));
const input = JSON.parse(fs.readFileSync(0, 'utf8'));
const load = (name) => fs.promises.readFile(path.join(dir, name));
(async () => {
  const out = { stems: input.words.map(s.stem), folds: input.texts.map(s.fold), results: [] };
  const ix = await new s.Index(load).open();
  for (const q of input.queries) {
    const rs = await ix.search(q, input.limit);
    out.results.push(rs.map((r) => Object.assign(r, { marks: r.highlights.map(([a, b]) => r.snippet.slice(a, b)) })));
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
