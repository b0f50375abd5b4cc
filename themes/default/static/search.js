// livedocs search: the browser half of internal/search. Analysis and
// ranking mirror internal/search/analyze.go and query.go step for step;
// TestParity runs both over the relevance sets. Text from the index is
// always inserted as text, never as HTML.
(function () {
  'use strict';

  // ---------------------------------------------------------------- analysis

  const WORD = /[\p{L}\p{Nd}\p{M}]/u;
  const DIGIT = /\p{Nd}/u;
  const UPPER = /\p{Lu}/u;
  const LOWER = /\p{Ll}/u;
  const MN = /\p{Mn}/u;
  const JOINERS = '-_./\\:@';
  const MAX_RUN = 64;
  const FOLD = { 'ß': 'ss', 'æ': 'ae', 'œ': 'oe', 'ø': 'o', 'đ': 'd', 'ł': 'l', 'ħ': 'h', 'þ': 'th', 'ð': 'd', 'ı': 'i', 'ς': 'σ' };

  const isWord = (c) => c !== undefined && WORD.test(c);
  const isApostrophe = (c) => c === "'" || c === '\u2019';

  function fold(s) {
    if (/^[\x00-\x7f]*$/.test(s)) return s.toLowerCase();
    let out = '';
    for (const ch of s.toLowerCase().normalize('NFKD')) {
      if (MN.test(ch)) continue;
      const c = ch.toLowerCase();
      out += Object.prototype.hasOwnProperty.call(FOLD, c) ? FOLD[c] : c;
    }
    return out;
  }

  function splitParts(cps) {
    const out = [];
    let start = 0;
    for (let i = 1; i < cps.length; i++) {
      const a = cps[i - 1], b = cps[i];
      let cut = false;
      if (DIGIT.test(a) !== DIGIT.test(b)) cut = true;
      else if (LOWER.test(a) && UPPER.test(b)) cut = true;
      else if (UPPER.test(a) && UPPER.test(b) && i + 1 < cps.length && LOWER.test(cps[i + 1])) cut = true;
      if (cut) { out.push(cps.slice(start, i).join('')); start = i; }
    }
    out.push(cps.slice(start).join(''));
    return out;
  }

  // tokenize returns runs {text, parts, compound, start, end, compEnd};
  // offsets are UTF-16 indexes into s.
  function tokenize(s) {
    const cps = Array.from(s);
    const offs = new Array(cps.length + 1);
    let o = 0;
    for (let i = 0; i < cps.length; i++) { offs[i] = o; o += cps[i].length; }
    offs[cps.length] = o;
    const raws = [];
    for (let i = 0; i < cps.length;) {
      if (!isWord(cps[i])) { i++; continue; }
      let j = i;
      const text = [];
      while (j < cps.length) {
        if (isWord(cps[j])) { text.push(cps[j]); j++; }
        else if (isApostrophe(cps[j]) && j + 1 < cps.length && isWord(cps[j + 1])) j++;
        else break;
      }
      const rw = { start: offs[i], end: offs[j], text, join: '' };
      if (j + 1 < cps.length && JOINERS.includes(cps[j]) && isWord(cps[j + 1])) { rw.join = cps[j]; j++; }
      raws.push(rw);
      i = j;
    }
    const out = [];
    for (let i = 0; i < raws.length; i++) {
      let j = i;
      while (j < raws.length - 1 && raws[j].join !== '') j++;
      let ok = j > i;
      let whole = '';
      for (let k = i; k <= j && ok; k++) {
        if (raws[k].text.length > MAX_RUN) { ok = false; break; }
        whole += fold(raws[k].text.join(''));
        if (k < j) whole += raws[k].join;
      }
      for (let k = i; k <= j; k++) {
        if (raws[k].text.length > MAX_RUN) continue;
        const rn = { text: fold(raws[k].text.join('')), parts: null, compound: '', start: raws[k].start, end: raws[k].end, compEnd: 0 };
        const ps = splitParts(raws[k].text);
        if (ps.length > 1) rn.parts = ps.map(fold);
        if (k === i && ok) { rn.compound = whole; rn.compEnd = raws[j].end; }
        out.push(rn);
      }
      i = j;
    }
    return out;
  }

  // The Snowball English (Porter2) stemmer, as github.com/kljensen/snowball
  // v0.10.0 implements it, for words of a–z only.
  const SPECIAL = new Map(Object.entries({
    skis: 'ski', skies: 'sky', dying: 'die', lying: 'lie', tying: 'tie', idly: 'idl', gently: 'gentl',
    ugly: 'ugli', early: 'earli', only: 'onli', singly: 'singl', sky: 'sky', news: 'news', howe: 'howe',
    atlas: 'atlas', cosmos: 'cosmos', bias: 'bias', andes: 'andes', inning: 'inning', innings: 'inning',
    outing: 'outing', outings: 'outing', canning: 'canning', cannings: 'canning', herring: 'herring',
    herrings: 'herring', earring: 'earring', earrings: 'earring', proceed: 'proceed', proceeds: 'proceed',
    proceeded: 'proceed', proceeding: 'proceed', exceed: 'exceed', exceeds: 'exceed', exceeded: 'exceed',
    exceeding: 'exceed', succeed: 'succeed', succeeds: 'succeed', succeeded: 'succeed', succeeding: 'succeed',
  }));
  const vowel = (c) => c === 'a' || c === 'e' || c === 'i' || c === 'o' || c === 'u' || c === 'y';
  const STEP2 = ['ational', 'fulness', 'iveness', 'ization', 'ousness', 'biliti', 'lessli', 'tional', 'alism', 'aliti',
    'ation', 'entli', 'fulli', 'iviti', 'ousli', 'anci', 'abli', 'alli', 'ator', 'enci', 'izer', 'bli', 'ogi', 'li'];
  const STEP2R = { tional: 'tion', enci: 'ence', anci: 'ance', abli: 'able', entli: 'ent', izer: 'ize', ization: 'ize',
    ational: 'ate', ation: 'ate', ator: 'ate', alism: 'al', aliti: 'al', alli: 'al', fulness: 'ful', ousli: 'ous',
    ousness: 'ous', iveness: 'ive', iviti: 'ive', biliti: 'ble', bli: 'ble', fulli: 'ful', lessli: 'less' };
  const STEP3 = ['ational', 'tional', 'alize', 'icate', 'ative', 'iciti', 'ical', 'ful', 'ness'];
  const STEP3R = { ational: 'ate', tional: 'tion', alize: 'al', icate: 'ic', iciti: 'ic', ical: 'ic', ful: '', ness: '' };
  const STEP4 = ['ement', 'ance', 'ence', 'able', 'ible', 'ment', 'ent', 'ant', 'ism', 'ate', 'iti', 'ous', 'ive', 'ize', 'ion', 'al', 'er', 'ic'];

  function stem(word) {
    if (word.length <= 2) return word;
    if (SPECIAL.has(word)) return SPECIAL.get(word);
    const w = { rs: word.split(''), r1: 0, r2: 0 };
    const clamp = () => { const n = w.rs.length; if (w.r1 > n) w.r1 = n; if (w.r2 > n) w.r2 = n; };
    const ends = (suf) => {
      const n = w.rs.length, m = suf.length;
      if (m > n) return false;
      for (let i = 0; i < m; i++) if (w.rs[n - m + i] !== suf[i]) return false;
      return true;
    };
    const first = (list) => { for (const s of list) if (ends(s)) return s; return ''; };
    const removeLast = (n) => { w.rs.length -= n; clamp(); };
    const replace = (n, repl) => { w.rs.length -= n; w.rs.push(...repl.split('')); clamp(); };
    const vnv = (start) => {
      for (let i = 1; i < w.rs.length - start; i++) {
        const j = start + i;
        if (vowel(w.rs[j - 1]) && !vowel(w.rs[j])) return j + 1;
      }
      return w.rs.length;
    };
    const endsShort = (i) => {
      if (i === 2) return vowel(w.rs[0]) && !vowel(w.rs[1]);
      if (i >= 3) {
        const s1 = w.rs[i - 1], s2 = w.rs[i - 2], s3 = w.rs[i - 3];
        return !vowel(s1) && s1 !== 'w' && s1 !== 'x' && s1 !== 'Y' && vowel(s2) && !vowel(s3);
      }
      return false;
    };
    // preprocess
    for (let i = 0; i < w.rs.length; i++) {
      if (w.rs[i] === 'y' && (i === 0 || vowel(w.rs[i - 1]))) w.rs[i] = 'Y';
    }
    let pre = '';
    for (const p of ['gener', 'commun', 'arsen']) if (word.startsWith(p)) { pre = p; break; }
    w.r1 = pre ? pre.length : vnv(0);
    w.r2 = vnv(w.r1);
    // step 1a
    let suf = first(['sses', 'ied', 'ies', 'us', 'ss', 's']);
    if (suf === 'sses') replace(4, 'ss');
    else if (suf === 'ied' || suf === 'ies') replace(3, w.rs.length > 4 ? 'i' : 'ie');
    else if (suf === 's') {
      for (let i = 0; i < w.rs.length - 2; i++) if (vowel(w.rs[i])) { removeLast(1); break; }
    }
    // step 1b
    suf = first(['eedly', 'ingly', 'edly', 'ing', 'eed', 'ed']);
    if (suf === 'eed' || suf === 'eedly') {
      if (suf.length <= w.rs.length - w.r1) replace(suf.length, 'ee');
    } else if (suf !== '') {
      let has = false;
      for (let i = 0; i < w.rs.length - suf.length; i++) if (vowel(w.rs[i])) { has = true; break; }
      if (has) {
        const o1 = w.r1, o2 = w.r2;
        removeLast(suf.length);
        const ns = first(['at', 'bl', 'iz', 'bb', 'dd', 'ff', 'gg', 'mm', 'nn', 'pp', 'rr', 'tt']);
        let done = false;
        if (ns === '') {
          if (w.r1 >= w.rs.length && endsShort(w.rs.length)) {
            w.rs.push('e');
            w.r1 = w.r2 = w.rs.length;
            done = true;
          }
        } else if (ns === 'at' || ns === 'bl' || ns === 'iz') replace(2, ns + 'e');
        else removeLast(1);
        if (!done) {
          const n = w.rs.length;
          w.r1 = o1 < n ? o1 : n;
          w.r2 = o2 < n ? o2 : n;
        }
      }
    }
    // step 1c
    {
      const n = w.rs.length;
      if (n > 2 && (w.rs[n - 1] === 'y' || w.rs[n - 1] === 'Y') && !vowel(w.rs[n - 2])) w.rs[n - 1] = 'i';
    }
    // step 2
    suf = first(STEP2);
    if (suf !== '' && suf.length <= w.rs.length - w.r1) {
      const n = w.rs.length;
      if (suf === 'li') {
        if (n >= 3 && 'cdeghkmnrt'.includes(w.rs[n - 3])) removeLast(2);
      } else if (suf === 'ogi') {
        if (n >= 4 && w.rs[n - 4] === 'l') replace(3, 'og');
      } else replace(suf.length, STEP2R[suf]);
    }
    // step 3
    suf = first(STEP3);
    if (suf !== '' && suf.length <= w.rs.length - w.r1) {
      if (suf === 'ative') {
        if (w.rs.length - w.r2 >= 5) removeLast(5);
      } else replace(suf.length, STEP3R[suf]);
    }
    // step 4
    suf = first(STEP4);
    if (suf !== '' && suf.length <= w.rs.length - w.r2) {
      if (suf === 'ion') {
        const n = w.rs.length;
        if (n >= 4 && (w.rs[n - 4] === 's' || w.rs[n - 4] === 't')) removeLast(3);
      } else removeLast(suf.length);
    }
    // step 5
    {
      const lri = w.rs.length - 1;
      if (w.r1 <= lri) {
        if (w.rs[lri] === 'e') {
          if (w.r2 <= lri || !endsShort(lri)) removeLast(1);
        } else if (w.r2 <= lri && w.rs[lri] === 'l' && lri - 1 >= 0 && w.rs[lri - 1] === 'l') removeLast(1);
      }
    }
    return w.rs.join('').replace(/Y/g, 'y');
  }

  const stemMemo = new Map();
  function keyOf(t) {
    if (!/^[a-z]+$/.test(t)) return t;
    let k = stemMemo.get(t);
    if (k === undefined) { k = stem(t); stemMemo.set(t, k); }
    return k;
  }

  function exactKeyOf(runs) {
    if (runs.length === 0) return '';
    return runs.map((r) => keyOf(r.text)).join(' ') + '=';
  }

  // ------------------------------------------------------------------ ranking

  const PREFIX = 0.8, FUZZY1 = 0.7, FUZZY2 = 0.5, MAX_EXP = 8, BIGRAM = 0.5, SECOND = 0.2,
    SUB_MIN = 0.5, MAX_SUBS = 3, SNIPPET_RUNS = 24, DEEP_LINK = 0.4;
  const FORMAT = 2, TITLE_EXACT = 1000, HEADING_EXACT = 600, IMPACT_DIV = 25;
  const F_SURFACE = 1, F_POSTINGS = 2;

  const cpLen = (s) => { let n = 0; for (const _ of s) n++; return n; };
  const firstCp = (s) => { for (const c of s) return c; return ''; };
  // cmp orders strings by code points, as Go orders them (byte-wise UTF-8);
  // JavaScript's < compares UTF-16 units, which differs past U+FFFF.
  const cmp = (a, b) => {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const x = a.charCodeAt(i), y = b.charCodeAt(i);
      if (x === y) continue;
      const sx = x >= 0xd800 && x <= 0xdfff, sy = y >= 0xd800 && y <= 0xdfff;
      if (sx !== sy) return sx ? 1 : -1;
      return x < y ? -1 : 1;
    }
    return a.length - b.length;
  };

  // ln is the natural logarithm of x >= 1 with + - * / alone, as query.go
  // computes it, so that both get the same bits.
  function ln(x) {
    let e = 0;
    while (x >= 2) { x /= 2; e++; }
    const z = (x - 1) / (x + 1), z2 = z * z;
    let sum = 0, term = z;
    for (let k = 1; k < 60; k += 2) { sum += term / k; term *= z2; }
    return 2 * sum + e * Math.LN2;
  }

  const decoder = typeof TextDecoder !== 'undefined' ? new TextDecoder() : null;
  function utf8(b) {
    let ascii = true;
    for (let i = 0; i < b.length; i++) if (b[i] > 127) { ascii = false; break; }
    if (ascii && b.length < 4096) return String.fromCharCode.apply(null, b);
    return decoder.decode(b);
  }
  const parseJSON = (b) => JSON.parse(utf8(b));

  // uvarint reads an unsigned LEB128 number at r.i of r.b.
  function uvarint(r) {
    let v = 0, mul = 1, c;
    do {
      c = r.b[r.i++];
      if (c === undefined) throw new Error('decode search shard: truncated');
      v += (c & 127) * mul;
      mul *= 128;
    } while (c & 128);
    return v;
  }

  // decodeShard reads a t-<hash>.bin file (see index.go encodeShard).
  function decodeShard(b) {
    if (b.length < 4 || String.fromCharCode(b[0], b[1], b[2], b[3]) !== 'LDS2') throw new Error('decode search shard: not a shard');
    const r = { b, i: 4 };
    const count = uvarint(r);
    const w = new Map(), raw = new Map();
    let prev = new Uint8Array(0);
    for (let n = 0; n < count; n++) {
      const shared = uvarint(r), len = uvarint(r);
      const bytes = new Uint8Array(shared + len);
      bytes.set(prev.subarray(0, shared));
      bytes.set(b.subarray(r.i, r.i + len), shared);
      r.i += len;
      const s = utf8(bytes);
      const flags = b[r.i++];
      if (flags & F_SURFACE) {
        const kp = uvarint(r), kl = uvarint(r);
        const kb = new Uint8Array(kp + kl);
        kb.set(bytes.subarray(0, kp));
        kb.set(b.subarray(r.i, r.i + kl), kp);
        r.i += kl;
        w.set(s, utf8(kb));
      }
      if (flags & F_POSTINGS) {
        const df = uvarint(r), cnt = uvarint(r), bl = uvarint(r);
        raw.set(s, { df, n: cnt, off: r.i });
        r.i += bl;
      }
      prev = bytes;
    }
    if (r.i !== b.length) throw new Error('decode search shard: trailing bytes');
    return { w, raw, p: new Map(), b };
  }
  const round6 = (f) => Math.round(f * 1e6) / 1e6;

  function osa(a, b, max) {
    const ra = Array.from(a), rb = Array.from(b);
    const d = ra.length - rb.length;
    if (d > max || -d > max) return max + 1;
    let prev2 = new Array(rb.length + 1).fill(0);
    let prev = new Array(rb.length + 1);
    let cur = new Array(rb.length + 1).fill(0);
    for (let j = 0; j <= rb.length; j++) prev[j] = j;
    for (let i = 1; i <= ra.length; i++) {
      cur[0] = i;
      let rowMin = cur[0];
      for (let j = 1; j <= rb.length; j++) {
        const cost = ra[i - 1] === rb[j - 1] ? 0 : 1;
        let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
        if (i > 1 && j > 1 && ra[i - 1] === rb[j - 2] && ra[i - 2] === rb[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
        cur[j] = v;
        rowMin = Math.min(rowMin, v);
      }
      if (rowMin > max) return max + 1;
      const t = prev2; prev2 = prev; prev = cur; cur = t;
    }
    return prev[rb.length];
  }

  // Index mirrors search.Index: load(name) returns a promise of the bytes
  // (a Uint8Array) of a file in the search folder.
  class Index {
    constructor(load) {
      this.load = load;
      this.leaves = new Map();
      this.blocks = new Map();
      this.frags = new Map();
      this.loaded = [];
    }

    async open() {
      this.ent = parseJSON(await this.read('index.json'));
      if (this.ent.v !== FORMAT) throw new Error('search index format ' + this.ent.v + ', want ' + FORMAT + ': rebuild the site');
      this.stop = new Set(this.ent.stop);
      return this;
    }

    read(name) { this.loaded.push(name); return this.load(name); }

    leafIndex(s) {
      const st = this.ent.ls;
      let lo = 0, hi = st.length;
      while (lo < hi) { const m = (lo + hi) >> 1; if (cmp(st[m], s) > 0) hi = m; else lo = m + 1; }
      return Math.max(lo - 1, 0);
    }

    // fuzzyLeaves mirrors query.go: the shards of s and of its first n-1
    // and n-2 characters (at least 3).
    fuzzyLeaves(s) {
      const out = [this.leafIndex(s)];
      const cps = Array.from(s);
      for (let cut = cps.length - 1; cut >= Math.max(3, cps.length - 2); cut--) {
        const i = this.leafIndex(cps.slice(0, cut).join(''));
        if (!out.includes(i)) out.push(i);
      }
      return out.sort((a, b) => a - b);
    }

    leaf(s) { return this.leafAt(this.leafIndex(s)); }

    leafAt(i) {
      let l = this.leaves.get(i);
      if (!l) {
        l = this.read('t-' + this.ent.lh[i] + '.bin').then(decodeShard);
        this.leaves.set(i, l);
      }
      return l;
    }

    async postings(key) {
      const l = await this.leaf(key);
      let ps = l.p.get(key);
      if (ps) return ps;
      const raw = l.raw.get(key);
      if (!raw) return null;
      const exact = key.endsWith('=');
      const idf = this.idf(raw.df);
      const r = { b: l.b, i: raw.off };
      ps = new Array(raw.n);
      let art = 0;
      for (let n = 0; n < raw.n; n++) {
        art += uvarint(r);
        ps[n] = { art, unit: 0, imp: 0 };
      }
      for (let n = 0; n < raw.n; n++) ps[n].unit = uvarint(r);
      for (let n = 0; n < raw.n; n++) {
        const p = ps[n];
        if (!exact) p.imp = idf * l.b[r.i++] / IMPACT_DIV;
        else p.imp = p.unit === 0 ? TITLE_EXACT : HEADING_EXACT;
      }
      l.p.set(key, ps);
      return ps;
    }

    idf(df) {
      const n = this.ent.u;
      return ln(1 + (n - df + 0.5) / (df + 0.5));
    }

    isStop(w) { return this.stop.has(w); }

    simpleWord(r, i) { return { surface: r.text, key: keyOf(r.text), stop: this.isStop(r.text), first: i, last: i + 1, parts: null, cands: [] }; }

    queryWords(runs) {
      const out = [];
      for (let i = 0; i < runs.length; i++) {
        const r = runs[i];
        if (r.compound !== '') {
          let j = i;
          while (j < runs.length && runs[j].start < r.compEnd) j++;
          const w = { surface: r.compound, key: r.compound, stop: false, first: i, last: j, parts: [], cands: [] };
          for (let k = i; k < j; k++) w.parts.push(this.simpleWord(runs[k], k));
          out.push(w);
          i = j - 1;
          continue;
        }
        out.push(this.simpleWord(r, i));
      }
      return out;
    }

    async expand(w, typing) {
      const ps = await this.postings(w.key);
      const have = new Set();
      if (ps && ps.length > 0) { w.cands.push({ key: w.key, factor: 1 }); have.add(w.key); }
      const n = cpLen(w.surface);
      if (typing && n >= 2) {
        const l = await this.leaf(w.surface);
        const comps = [];
        for (const s of l.w.keys()) if (s !== w.surface && s.startsWith(w.surface)) comps.push(s);
        comps.sort((a, b) => (cpLen(a) - cpLen(b)) || cmp(a, b));
        let added = 0;
        for (const s of comps) {
          if (added === MAX_EXP) break;
          const k = l.w.get(s) || s;
          if (have.has(k)) continue;
          have.add(k);
          w.cands.push({ key: k, factor: PREFIX });
          added++;
        }
      }
      if (!(ps && ps.length > 0) && n >= 5) {
        const maxD = n >= 9 ? 2 : 1;
        const f0 = firstCp(w.surface);
        const fs = [];
        for (const i of this.fuzzyLeaves(w.surface)) {
          const l = await this.leafAt(i);
          for (const s of l.w.keys()) {
            if (firstCp(s) !== f0 || s === w.surface) continue;
            const d = osa(w.surface, s, maxD);
            if (d <= maxD) fs.push({ s, d, l });
          }
        }
        fs.sort((a, b) => (a.d - b.d) || cmp(a.s, b.s));
        let added = 0;
        for (const f of fs) {
          if (added === MAX_EXP) break;
          const k = f.l.w.get(f.s) || f.s;
          if (have.has(k)) continue;
          have.add(k);
          w.cands.push({ key: k, factor: f.d === 2 ? FUZZY2 : FUZZY1 });
          added++;
        }
      }
      const kept = [];
      for (const c of w.cands) {
        const cp = await this.postings(c.key);
        if (cp && cp.length > 0) kept.push(c);
      }
      w.cands = kept;
    }

    async search(q, limit) {
      const runs = tokenize(q);
      const words = this.queryWords(runs);
      if (words.length === 0) return [];
      // Fetch the shards every word needs at once.
      await Promise.all(words.flatMap((w) => [this.leaf(w.key), this.leaf(w.surface)]));
      const lastCh = q.length > 0 ? q[q.length - 1] : ' ';
      const typing = lastCh !== ' ' && lastCh !== '\t';
      const allStop = words.every((w) => w.stop);
      const active = words.filter((w) => !w.stop || allStop);
      const final = [];
      for (let wi = 0; wi < active.length; wi++) {
        const w = active[wi];
        const last = wi === active.length - 1 && w.last === runs.length && typing;
        await this.expand(w, last);
        if (w.cands.length === 0 && w.parts && w.parts.length > 0) {
          for (let pi = 0; pi < w.parts.length; pi++) {
            const p = w.parts[pi];
            if (p.stop) continue;
            await this.expand(p, last && pi === w.parts.length - 1);
            final.push(p);
          }
          continue;
        }
        final.push(w);
      }
      if (final.length === 0) return [];

      const units = new Map();
      for (let wi = 0; wi < final.length; wi++) {
        for (const c of final[wi].cands) {
          const ps = (await this.postings(c.key)) || [];
          for (const p of ps) {
            const id = p.art * 1048576 + p.unit;
            let a = units.get(id);
            if (!a) { a = new Array(final.length).fill(0); units.set(id, a); }
            const v = p.imp * c.factor;
            if (v > a[wi]) a[wi] = v;
          }
        }
      }
      const scores = new Map();
      for (const [id, best] of units) {
        let raw = 0, matched = 0;
        for (const v of best) { raw += v; if (v > 0) matched++; }
        const cov = matched / final.length;
        scores.set(id, raw * cov * cov);
      }
      for (let i = 0; i + 1 < final.length; i++) {
        const a = final[i], b = final[i + 1];
        if (a.last !== b.first || a.cands.length === 0 || b.cands.length === 0 || a.parts || b.parts) continue;
        const ps = (await this.postings(a.cands[0].key + ' ' + b.cands[0].key)) || [];
        for (const p of ps) {
          const id = p.art * 1048576 + p.unit;
          if (scores.has(id)) scores.set(id, scores.get(id) + BIGRAM * p.imp);
        }
      }
      const exactUnits = new Set();
      const ek = exactKeyOf(runs);
      if (ek !== '') {
        const ps = (await this.postings(ek)) || [];
        for (const p of ps) {
          const id = p.art * 1048576 + p.unit;
          scores.set(id, (scores.get(id) || 0) + p.imp);
          exactUnits.add(id);
        }
      }

      const byArt = new Map();
      for (const [id, s] of scores) {
        if (s <= 0) continue;
        const h = { art: Math.floor(id / 1048576), unit: id % 1048576, score: s };
        if (!byArt.has(h.art)) byArt.set(h.art, []);
        byArt.get(h.art).push(h);
      }
      let rs = [];
      for (const [art, hs] of byArt) {
        hs.sort((x, y) => (y.score - x.score) || (x.unit - y.unit));
        let s = hs[0].score;
        if (hs.length > 1) s += SECOND * hs[1].score;
        rs.push({ art, score: s, hits: hs });
      }
      rs.sort((x, y) => (y.score - x.score) || (x.art - y.art));
      rs = rs.slice(0, limit);

      const hitKeys = new Set();
      for (const w of final) for (const c of w.cands) hitKeys.add(c.key);
      const frags = await Promise.all(rs.map((r) => this.fragment(r.art)));
      const out = [];
      rs.forEach((r, i) => {
        const fr = frags[i];
        const best = r.hits[0];
        let shown = best;
        if (best.unit === 0 && !exactUnits.has(best.art * 1048576)) {
          if (r.hits.length > 1 && r.hits[1].score >= DEEP_LINK * best.score) shown = r.hits[1];
        }
        const d = this.describe(fr, shown.unit, hitKeys, final.length);
        const res = { url: d.url, title: fr.t, section: d.section, path: fr.p, snippet: d.snippet, highlights: d.hl, score: round6(r.score), sub: [] };
        for (const h of r.hits.slice(1)) {
          if (res.sub.length === MAX_SUBS || h.score < SUB_MIN * best.score) break;
          if (h.unit >= fr.s.length || h.unit === 0 || h.unit === shown.unit) continue;
          const u = fr.s[h.unit];
          res.sub.push({ url: fr.u + '#' + u.a, section: u.h, score: round6(h.score) });
        }
        out.push(res);
      });
      return out;
    }

    fragment(art) {
      let f = this.frags.get(art);
      if (!f) {
        const bi = Math.floor(art / this.ent.bs);
        let blk = this.blocks.get(bi);
        if (!blk) {
          if (bi >= this.ent.bh.length) return Promise.reject(new Error('article ' + art + ' out of range'));
          blk = this.read('b-' + this.ent.bh[bi] + '.json').then(parseJSON);
          this.blocks.set(bi, blk);
        }
        f = blk.then((names) => this.read('f-' + names[art % this.ent.bs] + '.json')).then(parseJSON);
        this.frags.set(art, f);
      }
      return f;
    }

    runMatches(r, hitKeys) {
      const ks = [];
      const k = keyOf(r.text);
      if (hitKeys.has(k)) ks.push(k);
      if (r.compound !== '' && hitKeys.has(r.compound)) ks.push(r.compound);
      if (r.parts) for (const p of r.parts) { const pk = keyOf(p); if (hitKeys.has(pk)) ks.push(pk); }
      return ks;
    }

    countKeys(text, hitKeys) {
      const seen = new Set();
      for (const r of tokenize(text)) for (const k of this.runMatches(r, hitKeys)) seen.add(k);
      return seen.size;
    }

    describe(fr, unit, hitKeys, nWords) {
      if (unit >= fr.s.length) return { url: fr.u, section: '', snippet: '', hl: [] };
      const u = fr.s[unit];
      let url = fr.u;
      const section = u.h || '';
      if (unit > 0) url += '#' + u.a;
      let text = u.x;
      let bestStep = -1, bestCount = 0;
      (u.st || []).forEach((s, i) => {
        const c = this.countKeys(s[1], hitKeys);
        if (c > bestCount) { bestStep = i; bestCount = c; }
      });
      if (bestStep >= 0 && bestCount > this.countKeys(u.h || '', hitKeys) && bestCount * 2 >= nWords) {
        url = fr.u + '#' + u.st[bestStep][0];
        text = u.st[bestStep][1];
      }
      const sn = this.snippet(text, hitKeys);
      return { url, section, snippet: sn.text, hl: sn.hl };
    }

    snippet(text, hitKeys) {
      const runs = tokenize(text);
      if (runs.length === 0) return { text: '', hl: [] };
      const m = new Array(runs.length).fill(0);
      runs.forEach((r, i) => {
        if (this.runMatches(r, hitKeys).length > 0) {
          m[i] = 1;
          for (let j = i + 1; r.compound !== '' && j < runs.length && runs[j].start < r.compEnd; j++) m[j] = 1;
        }
      });
      const count = (s) => { let c = 0; for (let i = s; i < Math.min(s + SNIPPET_RUNS, runs.length); i++) c += m[i]; return c; };
      let best = 0;
      for (let s = 0; s === 0 || s + SNIPPET_RUNS <= runs.length; s++) best = Math.max(best, count(s));
      let ws = 0;
      for (let f = 0; f < runs.length; f++) {
        if (m[f] === 0) continue;
        let s = Math.max(0, f - 4);
        if (s + SNIPPET_RUNS > runs.length) s = Math.max(0, runs.length - SNIPPET_RUNS);
        if (count(s) === best) { ws = s; break; }
      }
      let begin = 0, end = text.length;
      if (ws > 0) begin = runs[ws].start;
      const we = ws + SNIPPET_RUNS;
      if (we < runs.length) end = runs[we - 1].end;
      let out = ws > 0 ? '\u2026' : '';
      const shift = out.length - begin;
      out += text.slice(begin, end);
      if (we < runs.length) out += '\u2026';
      const hl = [];
      for (let i = ws; i < Math.min(we, runs.length); i++) if (m[i] === 1) hl.push([runs[i].start + shift, runs[i].end + shift]);
      return { text: out, hl };
    }
  }

  const api = { fold, tokenize, stem, keyOf, Index };
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
  if (typeof document === 'undefined') return;
  // site.js leaves "/" and Ctrl-K to us when this is set.
  window.livedocsSearch = api;

  // ----------------------------------------------------------------------- UI

  const script = document.currentScript;
  const base = (() => {
    const src = script && script.src ? new URL(script.src, location.href) : null;
    if (!src) return '';
    const i = src.pathname.lastIndexOf('/assets/');
    return i >= 0 ? src.pathname.slice(0, i) : '';
  })();

  let indexPromise = null;
  function getIndex() {
    if (!indexPromise) {
      const load = (name) => fetch(base + '/search/' + name).then((r) => {
        if (!r.ok) throw new Error('load search index: ' + name + ': HTTP ' + r.status);
        return r.arrayBuffer();
      }).then((b) => new Uint8Array(b));
      indexPromise = new Index(load).open().catch((e) => { indexPromise = null; throw e; });
    }
    return indexPromise;
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // marked appends text with its highlight ranges as text nodes and <mark>s.
  function marked(parent, text, hl) {
    let at = 0;
    for (const [s, e] of hl || []) {
      if (s > at) parent.appendChild(document.createTextNode(text.slice(at, s)));
      parent.appendChild(el('mark', '', text.slice(s, e)));
      at = e;
    }
    if (at < text.length) parent.appendChild(document.createTextNode(text.slice(at)));
    return parent;
  }

  const href = (u) => base + u;

  let comboCount = 0;

  // Combobox turns a search input into an ARIA combobox with a listbox of
  // results as you type.
  function combobox(input) {
    const form = input.form;
    const id = 'search-listbox-' + (++comboCount);
    const box = el('div', 'search-popup');
    box.hidden = true;
    const list = el('ul', 'search-options');
    list.id = id;
    list.setAttribute('role', 'listbox');
    list.setAttribute('aria-label', 'Search results');
    const status = el('p', 'search-status');
    status.setAttribute('role', 'status');
    box.append(status, list);
    (form || input.parentNode).appendChild(box);
    if (form) form.classList.add('search-combobox');
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', id);

    let results = [], active = -1, seq = 0;
    const open = (yes) => { box.hidden = !yes; input.setAttribute('aria-expanded', yes ? 'true' : 'false'); };
    const setActive = (i) => {
      const opts = list.querySelectorAll('[role=option]');
      opts.forEach((o, j) => o.setAttribute('aria-selected', j === i ? 'true' : 'false'));
      active = i;
      if (i >= 0 && opts[i]) {
        input.setAttribute('aria-activedescendant', opts[i].id);
        opts[i].scrollIntoView({ block: 'nearest' });
      } else input.removeAttribute('aria-activedescendant');
    };
    const render = (q) => {
      list.textContent = '';
      results.forEach((r, i) => {
        const li = el('li', 'search-option');
        li.id = id + '-' + i;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        const a = el('a');
        a.href = href(r.url);
        a.tabIndex = -1;
        a.appendChild(el('span', 'search-option-title', r.title));
        const path = r.section ? r.path + ' › ' + r.title : r.path;
        a.appendChild(el('span', 'search-option-path', r.section ? path + ' › ' + r.section : path));
        a.appendChild(marked(el('span', 'search-option-snippet'), r.snippet, r.highlights));
        li.appendChild(a);
        li.addEventListener('mousedown', (e) => e.preventDefault());
        list.appendChild(li);
      });
      const all = el('li', 'search-option search-all');
      all.id = id + '-all';
      all.setAttribute('role', 'option');
      all.setAttribute('aria-selected', 'false');
      const a = el('a', '', results.length ? 'See all results for “' + q.trim() + '”' : 'No results for “' + q.trim() + '”. Search anyway');
      a.href = href('/search/?q=' + encodeURIComponent(q.trim()));
      a.tabIndex = -1;
      all.appendChild(a);
      all.addEventListener('mousedown', (e) => e.preventDefault());
      list.appendChild(all);
      status.textContent = results.length ? results.length + ' result' + (results.length === 1 ? '' : 's') + ', use the arrow keys to choose' : 'No results';
      setActive(-1);
      open(true);
    };
    const run = async () => {
      const q = input.value;
      const my = ++seq;
      if (q.trim() === '') { results = []; list.textContent = ''; status.textContent = ''; open(false); return; }
      try {
        const ix = await getIndex();
        const rs = await ix.search(q, 6);
        if (my !== seq) return;
        results = rs;
        render(q);
      } catch (e) {
        if (my !== seq) return;
        status.textContent = 'Search is unavailable right now.';
        list.textContent = '';
        open(true);
        console.warn(e);
      }
    };
    let timer = 0;
    input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(run, 60); });
    input.addEventListener('focus', () => { getIndex().catch(() => {}); if (input.value.trim() !== '' && results.length) open(true); });
    input.addEventListener('blur', () => setTimeout(() => open(false), 100));
    input.addEventListener('keydown', (e) => {
      const n = list.querySelectorAll('[role=option]').length;
      if (e.key === 'ArrowDown' && n > 0) {
        e.preventDefault();
        if (box.hidden) open(true);
        setActive((active + 1) % n);
      } else if (e.key === 'ArrowUp' && n > 0) {
        e.preventDefault();
        setActive(active <= 0 ? n - 1 : active - 1);
      } else if (e.key === 'Enter') {
        const opt = active >= 0 ? list.querySelectorAll('[role=option]')[active] : null;
        const a = opt && opt.querySelector('a');
        if (a) { e.preventDefault(); location.href = a.href; }
      } else if (e.key === 'Escape') {
        if (!box.hidden) { e.preventDefault(); open(false); setActive(-1); } else if (input.value) { input.value = ''; }
      }
    });
  }

  function resultList(container, results) {
    container.textContent = '';
    const ol = el('ol', 'search-result-list');
    for (const r of results) {
      const li = el('li', 'search-result');
      const h = el('h2', 'search-result-title');
      const a = el('a', '', r.title);
      a.href = href(r.url);
      h.appendChild(a);
      li.appendChild(h);
      li.appendChild(el('p', 'search-result-path', r.section ? r.path + ' › ' + r.section : r.path));
      li.appendChild(marked(el('p', 'search-result-snippet'), r.snippet, r.highlights));
      if (r.sub.length) {
        const ul = el('ul', 'search-result-sub');
        for (const s of r.sub) {
          const sl = el('li');
          const sa = el('a', '', s.section);
          sa.href = href(s.url);
          sl.appendChild(sa);
          ul.appendChild(sl);
        }
        li.appendChild(ul);
      }
      ol.appendChild(li);
    }
    container.appendChild(ol);
  }

  async function resultsPage(container, input) {
    const q = new URLSearchParams(location.search).get('q') || '';
    if (input) input.value = q;
    if (q.trim() === '') return;
    document.title = q.trim() + ' · ' + document.title;
    const msg = el('p', 'search-status', 'Searching…');
    container.replaceChildren(msg);
    try {
      const ix = await getIndex();
      const rs = await ix.search(q, 20);
      if (rs.length === 0) {
        container.replaceChildren(el('p', 'search-status', 'No results for “' + q.trim() + '”. Try fewer or different words, or an error code.'));
        return;
      }
      resultList(container, rs);
      container.prepend(el('p', 'search-status', rs.length + (rs.length === 20 ? '+' : '') + ' results for “' + q.trim() + '”'));
    } catch (e) {
      container.replaceChildren(el('p', 'search-status', 'Search is unavailable right now.'));
      console.warn(e);
    }
  }

  async function notFound(container) {
    const words = decodeURIComponent(location.pathname.slice(base.length))
      .split(/[\/\-_.]+/).filter((w) => w && !/^(index|html?|a)$/i.test(w));
    if (words.length === 0) return;
    try {
      const ix = await getIndex();
      let rs = await ix.search(words.join(' '), 5);
      if (rs.length === 0 && words.length > 1) {
        // Old URLs carry words no page has any more: try each word alone.
        for (const w of words) { rs = await ix.search(w, 5); if (rs.length) break; }
      }
      if (rs.length === 0) return;
      container.textContent = '';
      container.appendChild(el('h2', '', 'Were you looking for one of these?'));
      resultList(container, rs);
    } catch (e) {
      console.warn(e);
    }
  }

  function init() {
    const page = document.querySelector('[data-search-results]');
    document.querySelectorAll('input.search-input').forEach((input) => {
      if (input.id === 'page-search') return;
      combobox(input);
    });
    if (page) resultsPage(page, document.getElementById('page-search'));
    const nf = document.querySelector('[data-notfound-suggestions]');
    if (nf) notFound(nf);
    document.addEventListener('keydown', (e) => {
      const t = e.target;
      const typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
      const slash = e.key === '/' && !typing && !e.ctrlKey && !e.metaKey && !e.altKey;
      const ctrlK = (e.ctrlKey || e.metaKey) && (e.key === 'k' || e.key === 'K');
      if (!slash && !ctrlK) return;
      const input = document.querySelector('#home-search, #page-search, #site-search, input.search-input');
      if (!input) return;
      e.preventDefault();
      input.focus();
      input.select();
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
