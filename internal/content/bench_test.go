package content

import (
	"os"
	"testing"

	"livedocs/internal/markdown"
)

// BenchmarkReload measures a reload with nothing changed: the fixed cost
// every watch-server rebuild pays. LIVEDOCS_BENCH_SITE names a project
// folder (e.g. one written by `livedocs corpus`).
func BenchmarkReload(b *testing.B) {
	dir := os.Getenv("LIVEDOCS_BENCH_SITE")
	if dir == "" {
		b.Skip("set LIVEDOCS_BENCH_SITE to a project folder")
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
