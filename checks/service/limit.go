package service

import (
	"context"
	"math"
	"sync"
	"time"

	"livedocs/checks"
)

// Rate is a token bucket: Burst requests at once, refilled at PerMinute.
type Rate struct {
	PerMinute float64
	Burst     float64
}

// limiter holds one token bucket per key (a session ID or a client IP).
// Buckets idle for long are dropped, so its size follows the active
// readers, and it never holds more than max buckets.
type limiter struct {
	rate Rate
	max  int
	mu   sync.Mutex
	b    map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(r Rate, max int) *limiter {
	return &limiter{rate: r, max: max, b: map[string]*bucket{}}
}

// take spends cost tokens of key's bucket. When there are not enough it
// returns false and how long until there will be.
func (l *limiter) take(key string, cost float64, now time.Time) (bool, time.Duration) {
	if l == nil || l.rate.PerMinute <= 0 {
		return true, 0
	}
	perSec := l.rate.PerMinute / 60
	l.mu.Lock()
	defer l.mu.Unlock()
	bk, ok := l.b[key]
	if !ok {
		if len(l.b) >= l.max {
			l.sweep(now)
		}
		if len(l.b) >= l.max {
			// Still full of active keys: refuse newcomers rather than grow.
			return false, time.Second
		}
		bk = &bucket{tokens: l.rate.Burst, last: now}
		l.b[key] = bk
	}
	bk.tokens = math.Min(l.rate.Burst, bk.tokens+now.Sub(bk.last).Seconds()*perSec)
	bk.last = now
	if bk.tokens >= cost {
		bk.tokens -= cost
		return true, 0
	}
	wait := time.Duration((cost - bk.tokens) / perSec * float64(time.Second))
	return false, wait
}

// sweep drops buckets that have refilled completely (idle keys).
func (l *limiter) sweep(now time.Time) {
	full := time.Duration(l.rate.Burst / (l.rate.PerMinute / 60) * float64(time.Second))
	for k, bk := range l.b {
		if now.Sub(bk.last) >= full {
			delete(l.b, k)
		}
	}
}

// cache holds recent reports by key (kind, tenant, user, app, scopes,
// checks), for a short time, and shares one evaluation among concurrent
// requests for the same key.
type cache struct {
	ttl time.Duration
	max int

	mu       sync.Mutex
	entries  map[string]cacheEntry
	inflight map[string]*call
}

type cacheEntry struct {
	rep     checks.Report
	expires time.Time
}

type call struct {
	done chan struct{}
	rep  checks.Report
	err  error
}

func newCache(ttl time.Duration, max int) *cache {
	return &cache{ttl: ttl, max: max, entries: map[string]cacheEntry{}, inflight: map[string]*call{}}
}

// get returns the cached report for key if it is fresh, else runs eval
// (once for all concurrent callers of the same key) and caches a success.
// fresh skips the cached report (refresh).
func (c *cache) get(ctx context.Context, key string, fresh bool, now func() time.Time, eval func(context.Context) (checks.Report, error)) (checks.Report, bool, error) {
	c.mu.Lock()
	if e, ok := c.entries[key]; ok && !fresh && now().Before(e.expires) {
		c.mu.Unlock()
		return e.rep, true, nil
	}
	if cl, ok := c.inflight[key]; ok {
		c.mu.Unlock()
		select {
		case <-cl.done:
			return cl.rep, false, cl.err
		case <-ctx.Done():
			return checks.Report{}, false, ctx.Err()
		}
	}
	cl := &call{done: make(chan struct{})}
	c.inflight[key] = cl
	c.mu.Unlock()

	// The evaluation is shared, so it must not die with the first caller's
	// request; the evaluator bounds it with its own deadline.
	cl.rep, cl.err = eval(context.WithoutCancel(ctx))

	c.mu.Lock()
	delete(c.inflight, key)
	if cl.err == nil && c.ttl > 0 {
		if len(c.entries) >= c.max {
			c.evict(now())
		}
		c.entries[key] = cacheEntry{rep: cl.rep, expires: now().Add(c.ttl)}
	}
	c.mu.Unlock()
	close(cl.done)
	return cl.rep, false, cl.err
}

// forget drops every entry whose key starts with prefix (sign-out).
func (c *cache) forget(prefix string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.entries {
		if len(k) >= len(prefix) && k[:len(prefix)] == prefix {
			delete(c.entries, k)
		}
	}
}

// evict drops expired entries, then, if still full, about a quarter of the
// rest (map order is random enough for a cache this short-lived).
func (c *cache) evict(now time.Time) {
	for k, e := range c.entries {
		if !now.Before(e.expires) {
			delete(c.entries, k)
		}
	}
	n := len(c.entries) - c.max*3/4
	for k := range c.entries {
		if n <= 0 {
			break
		}
		delete(c.entries, k)
		n--
	}
}

func (c *cache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
