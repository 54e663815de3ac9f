// This file holds the Limiter: one RTC OpenAPI call quota per account,
// shared by every process through Redis. See doc.go for the package.

package rtcredis

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/volcrtc/rtc"
)

// ErrMalformedReply is the error recorded when Redis answers the rate
// limiting script with a reply of the wrong shape. The Limiter treats it like
// an unreachable Redis: it logs a warning and applies its FailureMode.
var ErrMalformedReply = errors.New("rtcredis: malformed reply from redis")

// Limiter is what the rtc client's WithRateLimiter option takes.
var _ rtc.RateLimiter = (*Limiter)(nil)

// LimiterFailureMode says what a Limiter does while Redis is unreachable.
type LimiterFailureMode int

const (
	// LimiterFallbackLocal limits each process on its own with an in-memory
	// rtc.LocalLimiter using the same limits. With N replicas the account
	// may then see up to N times the rate, but no single process floods it.
	LimiterFallbackLocal LimiterFailureMode = iota
	// LimiterFailOpen lets every call through unthrottled; the server's own
	// limit (HTTP 429, retried by the client with backoff) is the only guard.
	LimiterFailOpen
)

// String names the mode for logs.
func (m LimiterFailureMode) String() string {
	switch m {
	case LimiterFallbackLocal:
		return "fallback-local"
	case LimiterFailOpen:
		return "fail-open"
	}
	return fmt.Sprintf("LimiterFailureMode(%d)", int(m))
}

// Defaults for the options.
const (
	DefaultLimiterKeyPrefix = "rtc:ratelimit:"
	DefaultOpTimeout        = 200 * time.Millisecond
	DefaultRetryInterval    = time.Second
	DefaultWarnInterval     = 30 * time.Second
	// maxSleep caps one sleep between two Redis attempts, so that a limit
	// changed by another process, or a long RetryAfter, is re-read soon.
	maxSleep = time.Second
)

// LimiterOption configures a Limiter (NewLimiter).
type LimiterOption func(*Limiter)

// WithLimits replaces the limits (by default rtc.DefaultLimit() and
// rtc.DefaultActionLimits()). Every process sharing an account must use the
// same limits, or the smallest wins at times and the largest at others.
func WithLimits(defaultLimit rtc.Limit, perAction map[string]rtc.Limit) LimiterOption {
	return func(l *Limiter) { l.table = rtc.NewLimitTable(defaultLimit, perAction) }
}

// WithLimiterKeyPrefix sets the prefix of the Limiter's Redis keys (default
// DefaultLimiterKeyPrefix). Keys are <prefix><hash of access key
// id>:<bucket>, and redis_rate stores each under an extra "rate:" prefix.
func WithLimiterKeyPrefix(prefix string) LimiterOption {
	return func(l *Limiter) { l.prefix = prefix }
}

// WithLimiterFailureMode chooses what the Limiter does while Redis is
// unreachable (default LimiterFallbackLocal).
func WithLimiterFailureMode(m LimiterFailureMode) LimiterOption {
	return func(l *Limiter) { l.mode = m }
}

// WithLimiterOpTimeout bounds every Redis call of the Limiter (default
// DefaultOpTimeout). A non-positive value keeps the default.
func WithLimiterOpTimeout(d time.Duration) LimiterOption {
	return func(l *Limiter) {
		if d > 0 {
			l.opTimeout = d
		}
	}
}

// WithLimiterRetryInterval sets how long the Limiter stays on its failure
// mode after Redis fails before it asks Redis again (default
// DefaultRetryInterval). A non-positive value keeps the default.
func WithLimiterRetryInterval(d time.Duration) LimiterOption {
	return func(l *Limiter) {
		if d > 0 {
			l.retryInterval = d
		}
	}
}

// WithLimiterLogger sets where the Limiter's warnings go (default
// slog.Default()).
func WithLimiterLogger(logger *slog.Logger) LimiterOption {
	return func(l *Limiter) {
		if logger != nil {
			l.logger = logger
		}
	}
}

// WithLimiterWarnInterval sets the least time between two of the Limiter's
// "Redis unavailable" warnings (default DefaultWarnInterval); failures in between are counted
// and reported with the next warning. A non-positive value keeps the
// default.
func WithLimiterWarnInterval(d time.Duration) LimiterOption {
	return func(l *Limiter) {
		if d > 0 {
			l.warnInterval = d
		}
	}
}

// Limiter is an rtc.RateLimiter whose buckets live in Redis, shared by every
// process that uses the same Redis, key prefix and access key id. It is safe
// for concurrent use.
type Limiter struct {
	rdb           redis.UniversalClient
	rl            *redis_rate.Limiter
	table         *rtc.LimitTable
	prefix        string
	account       string // hash of the access key id
	mode          LimiterFailureMode
	opTimeout     time.Duration
	retryInterval time.Duration
	warnInterval  time.Duration
	logger        *slog.Logger

	localOnce sync.Once
	local     *rtc.LocalLimiter

	downUntil  atomic.Int64 // unix nanos: skip Redis until then
	down       atomic.Bool  // Redis is considered unreachable
	probing    atomic.Bool  // one caller is checking whether Redis is back
	warnMu     sync.Mutex
	lastWarn   time.Time
	suppressed int64
	failures   atomic.Int64
}

// NewLimiter returns a Limiter that keeps the budget of the account identified by
// accessKeyID in rdb. Only a hash of the access key id appears in Redis
// keys; pass the id, never the secret key. A nil rdb is treated as a Redis
// that is always unreachable.
func NewLimiter(rdb redis.UniversalClient, accessKeyID string, opts ...LimiterOption) *Limiter {
	sum := sha256.Sum256([]byte("rtc-ratelimit\x00" + accessKeyID))
	l := &Limiter{
		rdb:           rdb,
		table:         rtc.NewLimitTable(rtc.DefaultLimit(), rtc.DefaultActionLimits()),
		prefix:        DefaultLimiterKeyPrefix,
		account:       hex.EncodeToString(sum[:8]),
		mode:          LimiterFallbackLocal,
		opTimeout:     DefaultOpTimeout,
		retryInterval: DefaultRetryInterval,
		warnInterval:  DefaultWarnInterval,
		logger:        slog.Default(),
	}
	if rdb != nil {
		GuardClient(rdb)
		l.rl = redis_rate.NewLimiter(rdb)
	}
	for _, o := range opts {
		if o != nil {
			o(l)
		}
	}
	return l
}

// Key returns the Redis key (before redis_rate's "rate:" prefix) that holds
// the bucket of action. Useful for inspection and tests.
func (l *Limiter) Key(action string) string {
	bucket, _ := l.table.Lookup(action)
	return l.prefix + l.account + ":" + bucket
}

// Failures returns how many Redis calls have failed so far.
func (l *Limiter) Failures() int64 { return l.failures.Load() }

// Degraded reports whether the Limiter currently treats Redis as
// unreachable and applies its failure mode.
func (l *Limiter) Degraded() bool { return l.down.Load() }

// toRedisLimit expresses a QPS as one event per emission interval, which
// represents fractional rates (10 per minute) exactly.
func toRedisLimit(lim rtc.Limit) redis_rate.Limit {
	burst := lim.Burst
	if burst < 1 {
		burst = 1
	}
	return redis_rate.Limit{Rate: 1, Period: lim.Interval(), Burst: burst}
}

// Wait blocks until action may be called under the shared budget. It returns
// ctx.Err() when the context ends first and, when the next slot lies past the
// context's deadline, returns at once with an error matching
// context.DeadlineExceeded.
func (l *Limiter) Wait(ctx context.Context, action string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	_, lim := l.table.Lookup(action)
	if lim.Interval() == 0 { // unlimited
		return nil
	}
	key := l.Key(action)
	rlim := toRedisLimit(lim)
	for {
		skip, release := l.skipRedis()
		if skip {
			return l.degradedWait(ctx, action)
		}
		res, err := l.allow(ctx, key, rlim)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil { // the caller gave up, Redis did not fail
				release()
				return ctxErr
			}
			l.markDown(err)
			release()
			return l.degradedWait(ctx, action)
		}
		l.markUp()
		release()
		if res.Allowed > 0 {
			return nil
		}
		d := res.RetryAfter
		if d <= 0 {
			d = time.Millisecond
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
			return fmt.Errorf("rtcredis: waiting %v for the %s rate limit (%v) would pass the context deadline: %w",
				d.Round(time.Millisecond), action, lim, context.DeadlineExceeded)
		}
		if d > maxSleep {
			d = maxSleep
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
}

// allow asks Redis for one token, never taking longer than opTimeout even
// when the client was built without ContextTimeoutEnabled or the server
// hangs: the call runs in its own goroutine, which ends when go-redis gives
// up by its own read timeout.
func (l *Limiter) allow(ctx context.Context, key string, lim redis_rate.Limit) (*redis_rate.Result, error) {
	if l.rl == nil {
		return nil, errors.New("no redis client configured")
	}
	opCtx, cancel := context.WithTimeout(ctx, l.opTimeout)
	defer cancel()
	type answer struct {
		res *redis_rate.Result
		err error
	}
	ch := make(chan answer, 1)
	go func() {
		// redis_rate asserts the types of the script's reply; a reply of
		// another shape (a hostile or broken server, a proxy in between)
		// panics inside it. The panic would end the process, since it
		// happens in this goroutine: turn it into an error instead, which
		// switches the Limiter to its failure mode with a warning.
		defer func() {
			if p := recover(); p != nil {
				ch <- answer{nil, fmt.Errorf("%w (%v)", ErrMalformedReply, p)}
			}
		}()
		res, err := l.rl.Allow(opCtx, key, lim)
		ch <- answer{res, err}
	}()
	select {
	case a := <-ch:
		return a.res, a.err
	case <-opCtx.Done():
		return nil, fmt.Errorf("redis did not answer within %v: %w", l.opTimeout, opCtx.Err())
	}
}

// skipRedis reports whether this call should bypass Redis. While Redis is
// down, one caller per retry interval is let through to probe it; the others
// go straight to the failure mode instead of queueing behind the probe.
// release must be called once the probe has been recorded.
func (l *Limiter) skipRedis() (skip bool, release func()) {
	if !l.down.Load() {
		return false, func() {}
	}
	if time.Now().UnixNano() < l.downUntil.Load() || !l.probing.CompareAndSwap(false, true) {
		return true, nil
	}
	return false, func() { l.probing.Store(false) }
}

func (l *Limiter) markDown(err error) {
	l.failures.Add(1)
	l.downUntil.Store(time.Now().Add(l.retryInterval).UnixNano())
	l.down.Store(true)
	l.warn(err)
}

func (l *Limiter) markUp() {
	if l.down.CompareAndSwap(true, false) {
		l.logger.Info("rtcredis: redis reachable again; shared rate limiting resumed",
			slog.String("account", l.account))
	}
}

// warn logs a failure at most once per warnInterval, counting the rest.
func (l *Limiter) warn(err error) {
	l.warnMu.Lock()
	now := time.Now()
	if !l.lastWarn.IsZero() && now.Sub(l.lastWarn) < l.warnInterval {
		l.suppressed++
		l.warnMu.Unlock()
		return
	}
	suppressed := l.suppressed
	l.suppressed = 0
	l.lastWarn = now
	l.warnMu.Unlock()
	l.logger.Warn("rtcredis: redis unavailable; rate limits are no longer shared across processes",
		slog.String("mode", l.mode.String()),
		slog.String("account", l.account),
		slog.Duration("retry_in", l.retryInterval),
		slog.Int64("suppressed_warnings", suppressed),
		slog.String("error", err.Error()))
}

func (l *Limiter) degradedWait(ctx context.Context, action string) error {
	if l.mode == LimiterFailOpen {
		return nil
	}
	l.localOnce.Do(func() { l.local = rtc.NewLocalLimiterFromTable(l.table) })
	return l.local.Wait(ctx, action)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
