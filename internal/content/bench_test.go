package content

import (
	"os"
	"path/filepath"
	"testing"

	"livedocs/internal/corpus"
	"livedocs/internal/markdown"
)

// BenchmarkReload measures a reload with nothing changed: the fixed cost
// every watch-server rebuild pays. LIVEDOCS_BENCH_SITE names a project
// folder; without it a 1,000-article corpus is generated.
func BenchmarkReload(b *testing.B) {
	dir := os.Getenv("LIVEDOCS_BENCH_SITE")
	if dir == "" {
		dir = filepath.Join(b.TempDir(), "site")
		if _, err := corpus.Write(dir, corpus.Options{Articles: 1000, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	fsys := os.DirFS(dir)
	l := NewLoader(markdown.New())
	opts := Options{Dir: "content", StrictLinks: true}
	if _, errs := l.Load(fsys, opts); len(errs.Fatal()) > 0 {
		b.Fatal(errs[0])
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		l.Load(fsys, opts)
	}
}
