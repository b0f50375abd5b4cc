package search

import (
	"reflect"
	"testing"
)

// TestShardRoundTrip encodes a shard and reads it back, and rejects every
// truncation of it.
func TestShardRoundTrip(t *testing.T) {
	ix := NewIndexer()
	ix.MaxPostings, ix.MaxPairPostings = 3, 1
	strs := []string{"mailbox", "mailboxes", "mailbox permiss", "mailbox=", "ünïcode"}
	ids := make([]uint32, len(strs))
	for i, s := range strs {
		ids[i] = ix.dict.id(s)
	}
	ix.st.terms = make([]termState, len(strs))
	posts := []tpost{{1, 0, 200}, {1, 2, 10}, {7, 1, 250}, {300, 4, 9}, {70000, 1, 250}}
	ix.st.terms[ids[0]] = termState{posts: posts, surfs: 1, key: ids[0]}
	ix.st.terms[ids[1]] = termState{surfs: 2, key: ids[0]}
	ix.st.terms[ids[2]] = termState{posts: posts[:2]}
	ix.st.terms[ids[3]] = termState{posts: []tpost{{2, 0, 0}, {5, 3, 0}, {9, 0, 0}, {11, 0, 0}}}
	ix.st.terms[ids[4]] = termState{posts: posts[4:], surfs: 1, key: ids[4]}
	order := []uint32{ids[0], ids[3], ids[2], ids[1], ids[4]} // sorted by string
	for _, id := range order {
		ix.st.terms[id].blob = ix.encodeTerm(strs[id], &ix.st.terms[id])
	}
	data := ix.encodeShard(order)
	l, err := decodeShard(data)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"mailbox": "mailbox", "mailboxes": "mailbox", "ünïcode": "ünïcode"}; !reflect.DeepEqual(l.w, want) {
		t.Errorf("surfaces %v, want %v", l.w, want)
	}
	type got struct {
		df, n int
	}
	for key, want := range map[string]got{"mailbox": {5, 3}, "mailbox permiss": {2, 1}, "mailbox=": {4, 3}, "ünïcode": {1, 1}} {
		raw, ok := l.raw[key]
		if !ok || raw.df != want.df || raw.n != want.n {
			t.Errorf("%q: df %d n %d, want %+v", key, raw.df, raw.n, want)
		}
	}
	// The cap keeps the highest impacts, earliest first among equals, in
	// article order; exact keys keep titles before headings.
	x := &Index{ent: entry{Units: 1000, LeafStarts: []string{""}, Leaves: []string{"x"}}, leaves: map[int]*leaf{0: l}}
	ps, err := x.postings("mailbox")
	if err != nil {
		t.Fatal(err)
	}
	var arts []int32
	for _, p := range ps {
		arts = append(arts, p.art)
	}
	if !reflect.DeepEqual(arts, []int32{1, 7, 70000}) {
		t.Errorf("mailbox postings of articles %v, want [1 7 70000]", arts)
	}
	if ps[1].imp != ps[2].imp || ps[0].imp >= ps[1].imp {
		t.Errorf("impacts %v", ps)
	}
	ps, _ = x.postings("mailbox=")
	if len(ps) != 3 || ps[0].imp != titleExact || ps[1].unit != 0 || ps[2].imp != titleExact {
		t.Errorf("exact postings %+v, want the three titles", ps)
	}
	for n := range len(data) {
		if _, err := decodeShard(data[:n]); err == nil {
			t.Errorf("a shard cut to %d of %d bytes decoded without error", n, len(data))
		}
	}
}
