package search

import "unicode/utf8"

// scanRuns is tokenize for the indexer: it calls emit with each run of s,
// in order, exactly as tokenize returns them (TestScanMatchesTokenize holds
// the two together), without building rune slices for ASCII text.
//
// Runs, compounds and apostrophes never span ASCII white space (it is not
// a word character, an apostrophe or a joiner), so s is cut at white space
// and each piece is analysed alone: pure-ASCII pieces byte by byte, others
// by tokenize. raw is the run's text before folding (apostrophes removed),
// valid only during the call; compound is the folded whole compound on the
// first run of a compound and "" elsewhere.
type runSink func(raw []byte, r *run)

// scanner holds the scratch buffers of scanRuns; one per goroutine.
type scanner struct {
	raws []asciiRun
	text []byte // apostrophe-free run texts, back to back
	buf  []byte
	comp []byte
	r    run
}

type asciiRun struct {
	from, to int  // in scanner.text
	join     byte // joiner to the next run, 0 if none
}

func isASCIIWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isJoinerByte(c byte) bool {
	switch c {
	case '-', '_', '.', '/', '\\', ':', '@':
		return true
	}
	return false
}

func isASCIISpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v'
}

// scanRuns calls emit for every run of s.
func (sc *scanner) scanRuns(s string, emit runSink) {
	for i := 0; i < len(s); {
		for i < len(s) && isASCIISpace(s[i]) {
			i++
		}
		j, ascii := i, true
		for j < len(s) && !isASCIISpace(s[j]) {
			if s[j] >= 0x80 {
				ascii = false
			}
			j++
		}
		if i == j {
			break
		}
		switch {
		case ascii:
			asciiPiece(sc, s[i:j], emit)
		case sc.asciiOnly(s[i:j]):
			asciiPiece(sc, sc.buf, emit)
		default:
			for _, r := range tokenize(s[i:j]) {
				sc.r = r
				emit([]byte(r.text), &sc.r)
			}
		}
		i = j
	}
}

// asciiOnly reports whether every non-ASCII character of p is neither a
// word character nor an apostrophe, and so separates words as a space
// does; if so it leaves p in sc.buf with those characters as spaces and
// ’ as '.
func (sc *scanner) asciiOnly(p string) bool {
	sc.buf = sc.buf[:0]
	for _, r := range p {
		switch {
		case r < utf8.RuneSelf:
			sc.buf = append(sc.buf, byte(r))
		case r == '’':
			sc.buf = append(sc.buf, '\'')
		case isWordRune(r) || isApostrophe(r):
			return false
		default:
			sc.buf = append(sc.buf, ' ')
		}
	}
	return true
}

// asciiPiece analyses a piece of ASCII text.
func asciiPiece[T string | []byte](sc *scanner, p T, emit runSink) {
	sc.raws = sc.raws[:0]
	sc.text = sc.text[:0]
	for i := 0; i < len(p); {
		if !isASCIIWordByte(p[i]) {
			i++
			continue
		}
		from := len(sc.text)
		j := i
		for j < len(p) {
			k := j
			for k < len(p) && isASCIIWordByte(p[k]) {
				k++
			}
			sc.text = append(sc.text, p[j:k]...)
			j = k
			if j+1 < len(p) && p[j] == '\'' && isASCIIWordByte(p[j+1]) {
				j++
			} else {
				break
			}
		}
		rw := asciiRun{from: from, to: len(sc.text)}
		if j+1 < len(p) && isJoinerByte(p[j]) && isASCIIWordByte(p[j+1]) {
			rw.join = p[j]
			j++
		}
		sc.raws = append(sc.raws, rw)
		i = j
	}
	for i := 0; i < len(sc.raws); i++ {
		j := i
		for j < len(sc.raws)-1 && sc.raws[j].join != 0 {
			j++
		}
		ok := j > i
		sc.comp = sc.comp[:0]
		for k := i; k <= j && ok; k++ {
			rw := sc.raws[k]
			if rw.to-rw.from > maxRun {
				ok = false
				break
			}
			for _, c := range sc.text[rw.from:rw.to] {
				sc.comp = append(sc.comp, lowerASCII(c))
			}
			if k < j {
				sc.comp = append(sc.comp, rw.join)
			}
		}
		for k := i; k <= j; k++ {
			rw := sc.raws[k]
			if rw.to-rw.from > maxRun {
				continue
			}
			sc.r = run{}
			if k == i && ok {
				sc.r.compound = string(sc.comp)
			}
			emit(sc.text[rw.from:rw.to], &sc.r)
		}
		i = j
	}
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// asciiParts splits an ASCII run as splitParts does; nil when it is one part.
func asciiParts(rs []byte) []string {
	kind := func(c byte) int { // 0 digit, 1 lower, 2 upper
		switch {
		case c >= '0' && c <= '9':
			return 0
		case c >= 'a' && c <= 'z':
			return 1
		}
		return 2
	}
	var out []string
	start := 0
	for i := 1; i < len(rs); i++ {
		a, b := kind(rs[i-1]), kind(rs[i])
		cut := (a == 0) != (b == 0) || a == 1 && b == 2 ||
			a == 2 && b == 2 && i+1 < len(rs) && kind(rs[i+1]) == 1
		if cut {
			out = append(out, lowerString(rs[start:i]))
			start = i
		}
	}
	if out == nil {
		return nil
	}
	return append(out, lowerString(rs[start:]))
}

func lowerString(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = lowerASCII(c)
	}
	return string(out)
}
