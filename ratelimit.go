package rtc

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limit is a client-side call budget: a token bucket refilled at QPS tokens
// per second that holds at most Burst tokens. Every call takes one token.
//
// A QPS of zero or less means "no limit". A Burst below 1 counts as 1, which
// spaces calls evenly at 1/QPS apart: the safest choice against a server that
// counts calls in one-second windows, since at most QPS+Burst calls can then
// land in any one second.
//
// Actions whose Limit names the same non-empty Group draw from one shared
// bucket; the vendor documents such shared budgets, for example one quota for
// all the message-sending actions.
type Limit struct {
	QPS   float64
	Burst int
	Group string
}

// burst returns the effective bucket size (at least 1).
func (l Limit) burst() int {
	if l.Burst < 1 {
		return 1
	}
	return l.Burst
}

// unlimited reports whether the limit lets every call through at once.
func (l Limit) unlimited() bool {
	return !(l.QPS > 0) || math.IsInf(l.QPS, 1)
}

// Interval returns the steady-state spacing between two calls, 1/QPS, or 0
// when the limit is unlimited.
func (l Limit) Interval() time.Duration {
	if l.unlimited() {
		return 0
	}
	return time.Duration(float64(time.Second) / l.QPS)
}

// String renders the limit for logs, such as "40 QPS (burst 1)".
func (l Limit) String() string {
	if l.unlimited() {
		return "unlimited"
	}
	s := fmt.Sprintf("%g QPS (burst %d)", l.QPS, l.burst())
	if l.Group != "" {
		s += " shared as " + l.Group
	}
	return s
}

// DefaultLimit returns the budget the SDK assumes for an action whose limit
// the vendor does not document: 10 calls per second, evenly spaced. Ten is
// the lowest per-second figure the vendor publishes for any RTC OpenAPI
// action (the data queries), so it stays under every documented quota.
func DefaultLimit() Limit { return Limit{QPS: 10, Burst: 1} }

// DefaultActionLimits is generated into api_operations.go from the limits of
// internal/spec/actions.json.

// LimitTable maps actions to the bucket they draw from and that bucket's
// limit. It is the shared vocabulary of LocalLimiter and the distributed
// limiters built on it (see the rtcredis module). A LimitTable is
// immutable and safe for concurrent use.
type LimitTable struct {
	def     Limit
	actions map[string]Limit // action -> limit, with group limits already merged
}

// NewLimitTable builds a table from a default limit, used for actions not
// listed, and per-action limits. The map is copied. When several actions
// share a Group with different numbers, the whole group gets the smallest
// QPS and the smallest Burst found among them, so the table never allows
// more than any of its entries says.
func NewLimitTable(defaultLimit Limit, perAction map[string]Limit) *LimitTable {
	defaultLimit.Group = "" // the default applies per action, never shared
	groups := make(map[string]Limit)
	for _, l := range perAction {
		if l.Group == "" {
			continue
		}
		g, seen := groups[l.Group]
		if !seen {
			groups[l.Group] = l
			continue
		}
		if g.unlimited() || (!l.unlimited() && l.QPS < g.QPS) {
			g.QPS = l.QPS
		}
		if l.burst() < g.burst() {
			g.Burst = l.burst()
		}
		groups[l.Group] = g
	}
	actions := make(map[string]Limit, len(perAction))
	for a, l := range perAction {
		if l.Group != "" {
			l = groups[l.Group]
		}
		actions[a] = l
	}
	return &LimitTable{def: defaultLimit, actions: actions}
}

// Lookup returns the bucket an action draws from (its Group, or else the
// action name itself, prefixed so the two never collide) and the limit of
// that bucket.
func (t *LimitTable) Lookup(action string) (bucket string, l Limit) {
	l, ok := t.actions[action]
	if !ok {
		l = t.def
	}
	if l.Group != "" {
		return "group:" + l.Group, l
	}
	return "action:" + action, l
}

// LocalLimiter is a RateLimiter for one process: one token bucket per action
// (or per group of actions), held in memory. Use it when a single process
// owns the account's quota; when several replicas share one account, use a
// distributed limiter such as the rtcredis module, which falls back to a
// LocalLimiter when its store is unreachable.
//
// A LocalLimiter is safe for concurrent use.
type LocalLimiter struct {
	table *LimitTable
	// now and sleepUntil are the limiter's clock: real time, or a fake
	// one in tests.
	now        func() time.Time
	sleepUntil func(ctx context.Context, t time.Time) error

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

// NewLocalLimiter returns a limiter that applies perAction limits, and
// defaultLimit to every action not listed. Pass DefaultLimit() and
// DefaultActionLimits() for the vendor's documented quotas.
func NewLocalLimiter(defaultLimit Limit, perAction map[string]Limit) *LocalLimiter {
	return NewLocalLimiterFromTable(NewLimitTable(defaultLimit, perAction))
}

// NewLocalLimiterFromTable returns a limiter applying the limits of t.
func NewLocalLimiterFromTable(t *LimitTable) *LocalLimiter {
	return &LocalLimiter{table: t, buckets: make(map[string]*rate.Limiter), now: time.Now, sleepUntil: sleepUntil}
}

// sleepUntil waits until t or until ctx ends, whichever comes first.
func sleepUntil(ctx context.Context, t time.Time) error {
	tm := time.NewTimer(time.Until(t))
	defer tm.Stop()
	select {
	case <-tm.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Table returns the limits the limiter applies.
func (l *LocalLimiter) Table() *LimitTable { return l.table }

// reserve takes a token from the action's bucket, reading the clock under
// the limiter's lock so that the bucket sees time move forward only. It
// returns a nil reservation for an unlimited action.
func (l *LocalLimiter) reserve(action string) (*rate.Reservation, time.Time, Limit) {
	key, lim := l.table.Lookup(action)
	if lim.unlimited() {
		return nil, time.Time{}, lim
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		b = rate.NewLimiter(rate.Limit(lim.QPS), lim.burst())
		l.buckets[key] = b
	}
	now := l.now()
	return b.ReserveN(now, 1), now, lim
}

// cancel gives back the token of a reservation its caller will not use.
func (l *LocalLimiter) cancel(r *rate.Reservation) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r.CancelAt(l.now())
}

// Wait blocks until the action may be called. It returns ctx.Err() if the
// context ends first, and returns at once, with an error that matches
// context.DeadlineExceeded under errors.Is, when the wait would outlast the
// context's deadline. A call that gives up returns its token.
func (l *LocalLimiter) Wait(ctx context.Context, action string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r, now, lim := l.reserve(action)
	if r == nil {
		return nil
	}
	if !r.OK() { // cannot happen with burst >= 1; stay safe anyway
		return fmt.Errorf("rtc: rate limiter cannot admit %s", action)
	}
	d := r.DelayFrom(now)
	if d <= 0 {
		return nil
	}
	if dl, ok := ctx.Deadline(); ok && dl.Sub(now) < d {
		l.cancel(r)
		return fmt.Errorf("rtc: waiting %v for the %s rate limit (%v) would pass the context deadline: %w",
			d.Round(time.Millisecond), action, lim, context.DeadlineExceeded)
	}
	if err := l.sleepUntil(ctx, now.Add(d)); err != nil {
		l.cancel(r)
		return err
	}
	return nil
}

// LocalLimiter is what the client's WithRateLimiter option takes.
var _ RateLimiter = (*LocalLimiter)(nil)
