package graph

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"livedocs/checks"
)

// benchSetup returns an evaluator for a page with all seven checks against
// a fake Graph answering each $batch after latency. The partial scenario is
// the most expensive: it needs the dependent second batch, assignments
// included.
func benchSetup(b *testing.B, latency time.Duration) (*checks.Evaluator, checks.Request) {
	b.Helper()
	f := newFake(b, "partial", DemoApp{})
	f.latency = latency
	ev := &checks.Evaluator{Source: f.source(b), Timeout: 5 * time.Second}
	app := DefaultDemoApp()
	req := checks.Request{TenantID: "contoso.example", AppID: app.AppID, Scopes: app.Scopes, User: app.User, CheckIDs: checks.IDs()}
	rep, err := ev.Evaluate(context.Background(), req) // warm up connections
	if err != nil {
		b.Fatal(err)
	}
	for i, id := range checks.IDs() {
		if got := states(rep)[id]; got != wantStates["partial"][i] {
			b.Fatalf("%s: %s, want %s", id, got, wantStates["partial"][i])
		}
	}
	return ev, req
}

type growth struct {
	goroutines int
	heap       uint64
}

func measure() growth {
	runtime.GC()
	time.Sleep(50 * time.Millisecond) // let finished handlers exit
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return growth{runtime.NumGoroutine(), m.HeapAlloc}
}

func report(b *testing.B, lat []time.Duration, elapsed time.Duration, before growth) {
	after := measure()
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		i := int(float64(len(lat))*p+0.5) - 1
		return lat[max(0, min(i, len(lat)-1))]
	}
	b.ReportMetric(float64(pct(0.50))/1e6, "p50-ms")
	b.ReportMetric(float64(pct(0.95))/1e6, "p95-ms")
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "evals/s")
	b.ReportMetric(float64(after.goroutines-before.goroutines), "goroutine-growth")
	b.ReportMetric(float64(int64(after.heap)-int64(before.heap))/1024, "heap-growth-KiB")
	b.ReportMetric(0, "ns/op")
}

func runBench(b *testing.B, latency time.Duration) {
	ev, req := benchSetup(b, latency)
	ctx := context.Background()
	before := measure()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		rep, err := ev.Evaluate(ctx, req)
		lat = append(lat, time.Since(t0))
		if err != nil || rep.Checks[1].State != checks.Done {
			b.Fatalf("evaluation %d: %v %+v", i, err, rep.Checks[1])
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	report(b, lat, elapsed, before)
}

// BenchmarkPageAllChecks: one page, seven checks, Graph 50 ms away.
// Targets: p50 < 130 ms, p95 < 250 ms.
func BenchmarkPageAllChecks(b *testing.B) { runBench(b, 50*time.Millisecond) }

// BenchmarkPageAllChecksNoLatency measures the client's own cost and, run
// with -benchtime=10000x, goroutine and heap growth over 10,000 evaluations.
func BenchmarkPageAllChecksNoLatency(b *testing.B) { runBench(b, 0) }

// BenchmarkPageAllChecksParallel: 16 readers at once, Graph 50 ms away.
func BenchmarkPageAllChecksParallel(b *testing.B) {
	ev, req := benchSetup(b, 50*time.Millisecond)
	before := measure()
	var mu sync.Mutex
	lat := make([]time.Duration, 0, b.N)
	b.SetParallelism(8) // × GOMAXPROCS goroutines
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			t0 := time.Now()
			_, err := ev.Evaluate(context.Background(), req)
			d := time.Since(t0)
			if err != nil {
				b.Error(err)
			}
			mu.Lock()
			lat = append(lat, d)
			mu.Unlock()
		}
	})
	elapsed := time.Since(start)
	b.StopTimer()
	report(b, lat, elapsed, before)
}
