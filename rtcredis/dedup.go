// This file holds the DedupStore: which RTC callback events were processed,
// shared by every replica of a backend through Redis. See doc.go.

package rtcredis

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/volcrtc/rtc"
)

// DedupStore is what rtc.WithCallbackDedup takes.
var _ rtc.DedupStore = (*DedupStore)(nil)

// DedupFailureMode says what a DedupStore does while Redis is unreachable.
type DedupFailureMode int

const (
	// DedupFailClosed makes Begin return an error, so that
	// rtc.CallbackHandler answers 503 without running its function and RTC
	// delivers the event again later. No event is lost and none is processed
	// twice; events wait until Redis is back.
	DedupFailClosed DedupFailureMode = iota
	// DedupFailOpen makes Begin hand every event to the caller: events are
	// processed without deduplication, so an event RTC delivers more than
	// once during the outage may be processed more than once.
	DedupFailOpen
)

// String names the mode for logs.
func (m DedupFailureMode) String() string {
	switch m {
	case DedupFailClosed:
		return "fail-closed"
	case DedupFailOpen:
		return "fail-open"
	}
	return fmt.Sprintf("DedupFailureMode(%d)", int(m))
}

// Defaults of a DedupStore.
const (
	DefaultDedupKeyPrefix = "rtc:dedup:"
	// DefaultDedupLease is how long a claim made by Begin lasts when Finish
	// never comes (the replica died): the handler's timeout plus the
	// second it gives Finish, plus a margin.
	DefaultDedupLease = rtc.DefaultCallbackTimeout + 2*time.Second
	// DefaultDedupRetention is how long a processed event is remembered.
	DefaultDedupRetention = 24 * time.Hour
	// DefaultDedupOpTimeout bounds each Redis call of a DedupStore. It is
	// longer than the Limiter's: a callback may wait a little, and a
	// timeout costs a redelivery (or, under DedupFailOpen, risks a
	// duplicate).
	DefaultDedupOpTimeout = 500 * time.Millisecond
	// MaxDedupRawKey is the longest event key (in bytes) that appears in a
	// Redis key as it is; longer keys, and keys with bytes outside printable
	// ASCII, appear as their SHA-256.
	MaxDedupRawKey = 128
	// maxDedupClaims bounds the claims one store remembers between Begin and
	// Finish; past it a claim is not remembered and, if it fails, is released
	// by its lease instead of by Finish.
	maxDedupClaims = 100000
	// maxDedupPending bounds the outcomes kept for Redis while it is down.
	maxDedupPending = 10000
)

// DedupOption configures a DedupStore (NewDedupStore).
type DedupOption func(*DedupStore)

// WithDedupKeyPrefix sets the prefix of the DedupStore's Redis keys (default
// DefaultDedupKeyPrefix). Every replica that shares events must use the same
// prefix; separate environments that share a Redis with different ones.
func WithDedupKeyPrefix(prefix string) DedupOption {
	return func(s *DedupStore) { s.prefix = prefix }
}

// WithDedupLease sets how long a claim lasts without Finish (default
// DefaultDedupLease). Keep it above the handler's timeout
// (rtc.WithCallbackTimeout) plus a second: a function still running when
// its lease ends may see the event processed again by another delivery. A
// non-positive value keeps the default.
func WithDedupLease(d time.Duration) DedupOption {
	return func(s *DedupStore) {
		if d > 0 {
			s.lease = d
		}
	}
}

// WithDedupRetention sets how long a processed event is remembered (default
// DefaultDedupRetention). RTC's redeliveries end well within a day. A
// non-positive value keeps the default.
func WithDedupRetention(d time.Duration) DedupOption {
	return func(s *DedupStore) {
		if d > 0 {
			s.retention = d
		}
	}
}

// WithDedupFailureMode chooses what the DedupStore does while Redis is
// unreachable (default DedupFailClosed).
func WithDedupFailureMode(m DedupFailureMode) DedupOption {
	return func(s *DedupStore) { s.mode = m }
}

// WithDedupOpTimeout bounds every Redis call of the DedupStore (default
// DefaultDedupOpTimeout). A non-positive value keeps the default.
func WithDedupOpTimeout(d time.Duration) DedupOption {
	return func(s *DedupStore) {
		if d > 0 {
			s.opTimeout = d
		}
	}
}

// WithDedupRetryInterval sets how often the DedupStore tries again to record
// outcomes that Redis could not take (default DefaultRetryInterval). A
// non-positive value keeps the default.
func WithDedupRetryInterval(d time.Duration) DedupOption {
	return func(s *DedupStore) {
		if d > 0 {
			s.retryInterval = d
		}
	}
}

// WithDedupLogger sets where the DedupStore's warnings go (default
// slog.Default()).
func WithDedupLogger(logger *slog.Logger) DedupOption {
	return func(s *DedupStore) {
		if logger != nil {
			s.logger = logger
		}
	}
}

// WithDedupWarnInterval sets the least time between two of the DedupStore's
// "Redis unavailable" warnings (default DefaultWarnInterval); failures in
// between are counted and reported with the next warning. A non-positive
// value keeps the default.
func WithDedupWarnInterval(d time.Duration) DedupOption {
	return func(s *DedupStore) {
		if d > 0 {
			s.warnInterval = d
		}
	}
}

// DedupStore is an rtc.DedupStore kept in Redis, shared by every replica
// that uses the same Redis and key prefix, so that an event RTC delivers
// more than once, to any replica, is processed once. It is safe for
// concurrent use.
//
// Begin claims an event atomically for a lease; Finish(success) records it
// as done for the retention, or releases the claim so that a later delivery
// is processed. A claim whose replica died ends with its lease. What the
// store is given as an event key (the event id, or anything else the
// handler derives) is opaque to it.
type DedupStore struct {
	rdb           redis.UniversalClient
	prefix        string
	lease         time.Duration
	retention     time.Duration
	mode          DedupFailureMode
	opTimeout     time.Duration
	retryInterval time.Duration
	warnInterval  time.Duration
	logger        *slog.Logger

	mu       sync.Mutex
	claims   map[string]string    // Redis key -> claim value this store set
	pending  map[string]time.Time // Redis key -> when it was processed, not yet recorded
	flushing bool                 // a goroutine is recording pending

	down       atomic.Bool
	failures   atomic.Int64
	warnMu     sync.Mutex
	lastWarn   time.Time
	suppressed int64
}

// NewDedupStore returns a DedupStore keeping its records in rdb. A nil rdb
// is treated as a Redis that is always unreachable.
//
//	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379"})
//	h, err := rtc.NewCallbackHandler(secret, fn, rtc.WithCallbackDedup(rtcredis.NewDedupStore(rdb)))
func NewDedupStore(rdb redis.UniversalClient, opts ...DedupOption) *DedupStore {
	s := &DedupStore{
		rdb:           rdb,
		prefix:        DefaultDedupKeyPrefix,
		lease:         DefaultDedupLease,
		retention:     DefaultDedupRetention,
		mode:          DedupFailClosed,
		opTimeout:     DefaultDedupOpTimeout,
		retryInterval: DefaultRetryInterval,
		warnInterval:  DefaultWarnInterval,
		logger:        slog.Default(),
		claims:        make(map[string]string),
		pending:       make(map[string]time.Time),
	}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	if rdb != nil {
		GuardClient(rdb)
	}
	if min := rtc.DefaultCallbackTimeout + time.Second; s.lease < min {
		s.logger.Warn("rtcredis: dedup lease is shorter than rtc.DefaultCallbackTimeout plus a second; "+
			"rtc.NewCallbackHandler refuses it with the default timeout, and a function still running when its lease ends may see the event run again elsewhere",
			slog.Duration("lease", s.lease), slog.Duration("want_at_least", min))
	}
	return s
}

// DedupLease returns how long a claim lasts without Finish.
// rtc.NewCallbackHandler refuses a callback timeout that is not shorter.
func (s *DedupStore) DedupLease() time.Duration { return s.lease }

// DedupRetention returns how long a processed event is remembered.
// rtc.NewCallbackHandler refuses a maximum age longer than it.
func (s *DedupStore) DedupRetention() time.Duration { return s.retention }

// Key returns the Redis key that holds eventKey's record: the prefix, then
// "e:" and the event key itself when it is at most MaxDedupRawKey bytes of
// printable ASCII, or "h:" and the hex SHA-256 of the event key otherwise.
// Its length is thus bounded whatever the event key.
func (s *DedupStore) Key(eventKey string) string {
	if len(eventKey) <= MaxDedupRawKey && printableASCII(eventKey) {
		return s.prefix + "e:" + eventKey
	}
	sum := sha256.Sum256([]byte(eventKey))
	return s.prefix + "h:" + hex.EncodeToString(sum[:])
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// Failures returns how many Redis calls have failed so far.
func (s *DedupStore) Failures() int64 { return s.failures.Load() }

// Degraded reports whether the last Redis call failed, so that the store
// currently applies its failure mode.
func (s *DedupStore) Degraded() bool { return s.down.Load() }

// Pending returns how many outcomes the store still has to record in Redis
// (events processed while Redis did not answer).
func (s *DedupStore) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending)
}

// The values a key holds, and the answers of beginScript.
const (
	doneValue   = "done"
	claimPrefix = "claim:"
)

// beginScript claims KEYS[1] with ARGV[1] for ARGV[2] milliseconds unless it
// is claimed or done: 0 claimed now, 1 claimed by someone else, 2 done.
var beginScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if not v then
	redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
	return 0
end
if v == 'done' then
	return 2
end
return 1
`)

// releaseScript deletes KEYS[1] only while it still holds the claim ARGV[1],
// so a claim that expired and was taken by another delivery is left alone.
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
	return redis.call('DEL', KEYS[1])
end
return 0
`)

// Begin implements rtc.DedupStore: it claims eventKey for the lease unless
// another delivery holds it (rtc.DedupInProgress) or it was processed
// (rtc.DedupDone, also for an event this store processed but could not
// record yet). When Redis fails, Begin returns an error under
// DedupFailClosed and rtc.DedupNew under DedupFailOpen.
func (s *DedupStore) Begin(ctx context.Context, eventKey string) (rtc.DedupStatus, error) {
	key := s.Key(eventKey)
	s.mu.Lock()
	_, processed := s.pending[key]
	s.mu.Unlock()
	if processed { // processed here, not yet recorded in Redis
		return rtc.DedupDone, nil
	}
	claim := claimPrefix + newToken()
	res, err := redisCall(ctx, s.opTimeout, func(ctx context.Context) (int64, error) {
		if s.rdb == nil {
			return 0, errNoClient
		}
		return beginScript.Run(ctx, s.rdb, []string{key}, claim, s.lease.Milliseconds()).Int64()
	})
	if err == nil && (res < 0 || res > 2) {
		err = fmt.Errorf("unexpected answer %d to the claim script", res)
	}
	if err != nil {
		if ctx.Err() != nil { // the caller gave up; Redis did not fail
			return rtc.DedupNew, ctx.Err()
		}
		s.markDown(err)
		if s.mode == DedupFailOpen {
			return rtc.DedupNew, nil
		}
		return rtc.DedupNew, fmt.Errorf("rtcredis: dedup store unavailable, event not claimed (deliver it again later): %w", err)
	}
	s.markUp()
	switch res {
	case 1:
		return rtc.DedupInProgress, nil
	case 2:
		return rtc.DedupDone, nil
	}
	s.mu.Lock()
	if len(s.claims) < maxDedupClaims {
		s.claims[key] = claim
	}
	s.mu.Unlock()
	return rtc.DedupNew, nil
}

// Finish implements rtc.DedupStore. With success it records eventKey as done
// for the retention; otherwise it releases the claim this store made, so a
// later delivery is processed.
//
// When Redis does not take a success, the store keeps it in memory (at most
// 10 000 events) and records it as soon as Redis answers, trying every retry
// interval; meanwhile a delivery to another replica may process the event
// again once the claim's lease is over. A failed release needs nothing: the
// claim ends with its lease. Under DedupFailClosed Finish then returns the
// error; under DedupFailOpen it returns nil (the store has warned already).
//
// A store remembers one claim per key: should it claim a key again while a
// first delivery still runs past its lease, the first Finish ends the newer
// claim and the second has none left to release (it ends with its lease).
func (s *DedupStore) Finish(ctx context.Context, eventKey string, success bool) error {
	key := s.Key(eventKey)
	s.mu.Lock()
	claim, held := s.claims[key]
	delete(s.claims, key)
	s.mu.Unlock()

	var err error
	if success {
		_, err = redisCall(ctx, s.opTimeout, func(ctx context.Context) (struct{}, error) {
			if s.rdb == nil {
				return struct{}{}, errNoClient
			}
			return struct{}{}, s.rdb.Set(ctx, key, doneValue, s.retention).Err()
		})
	} else {
		if !held { // nothing claimed here (a Begin under DedupFailOpen)
			return nil
		}
		_, err = redisCall(ctx, s.opTimeout, func(ctx context.Context) (int64, error) {
			if s.rdb == nil {
				return 0, errNoClient
			}
			return releaseScript.Run(ctx, s.rdb, []string{key}, claim).Int64()
		})
	}
	if err == nil {
		s.markUp()
		return nil
	}
	if ctx.Err() == nil {
		s.markDown(err)
	}
	if success {
		s.keepPending(key)
	}
	if s.mode == DedupFailOpen {
		return nil
	}
	if success {
		return fmt.Errorf("rtcredis: dedup store could not record the event as processed (kept to record when redis answers): %w", err)
	}
	return fmt.Errorf("rtcredis: dedup store could not release the claim (it ends with its lease): %w", err)
}

// keepPending remembers a processed event Redis did not take and makes sure
// a goroutine is recording them.
func (s *DedupStore) keepPending(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.pending[key]; !ok && len(s.pending) >= maxDedupPending {
		return // bounded: this outcome is lost, its claim ends with its lease
	}
	s.pending[key] = time.Now()
	if !s.flushing {
		s.flushing = true
		go s.flushPending()
	}
}

// flushPending records the pending outcomes, trying every retry interval,
// and ends when none is left (outcomes older than the retention are
// dropped: they would have expired anyway).
func (s *DedupStore) flushPending() {
	for {
		time.Sleep(s.retryInterval)
		s.mu.Lock()
		keys := make([]string, 0, len(s.pending))
		for k, at := range s.pending {
			if time.Since(at) >= s.retention {
				delete(s.pending, k)
				continue
			}
			keys = append(keys, k)
		}
		if len(keys) == 0 {
			s.flushing = false
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		for _, k := range keys {
			_, err := redisCall(context.Background(), s.opTimeout, func(ctx context.Context) (struct{}, error) {
				if s.rdb == nil {
					return struct{}{}, errNoClient
				}
				return struct{}{}, s.rdb.Set(ctx, k, doneValue, s.retention).Err()
			})
			if err != nil {
				s.markDown(err)
				break // try the rest after the next interval
			}
			s.markUp()
			s.mu.Lock()
			delete(s.pending, k)
			s.mu.Unlock()
		}
	}
}

var errNoClient = errors.New("no redis client configured")

// errPanicked marks an error made from a panic in the Redis client.
var errPanicked = errors.New("the redis client panicked")

// redisCall runs f with a context bounded by timeout and returns within
// that time even when the client was built without ContextTimeoutEnabled or
// the server hangs: f runs in its own goroutine, which ends when go-redis
// gives up by its own read timeout. A panic in f (in go-redis, a hook, or
// the answer's decoding) becomes an error, so that a misbehaving client or
// server counts as Redis being down instead of crashing the process.
func redisCall[T any](ctx context.Context, timeout time.Duration, f func(context.Context) (T, error)) (T, error) {
	opCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	type answer struct {
		v   T
		err error
	}
	ch := make(chan answer, 1)
	go func() {
		var a answer
		defer func() {
			if p := recover(); p != nil {
				a = answer{err: fmt.Errorf("%w: %s", errPanicked, describePanic(p))}
			}
			ch <- a
		}()
		a.v, a.err = f(opCtx)
	}()
	select {
	case a := <-ch:
		return a.v, a.err
	case <-opCtx.Done():
		var zero T
		if err := ctx.Err(); err != nil {
			return zero, err
		}
		return zero, fmt.Errorf("redis did not answer within %v: %w", timeout, opCtx.Err())
	}
}

// describePanic names a panic value briefly: its type and at most 120 bytes
// of its text.
func describePanic(p any) string {
	msg := fmt.Sprint(p)
	if len(msg) > 120 {
		msg = msg[:120] + "..."
	}
	return fmt.Sprintf("%T: %s", p, msg)
}

func newToken() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (s *DedupStore) markDown(err error) {
	s.failures.Add(1)
	s.down.Store(true)
	s.warn(err)
}

func (s *DedupStore) markUp() {
	if s.down.CompareAndSwap(true, false) {
		s.logger.Info("rtcredis: redis reachable again; callback deduplication resumed",
			slog.String("prefix", s.prefix))
	}
}

// warn logs a failure at most once per warnInterval, counting the rest.
func (s *DedupStore) warn(err error) {
	s.warnMu.Lock()
	now := time.Now()
	if !s.lastWarn.IsZero() && now.Sub(s.lastWarn) < s.warnInterval {
		s.suppressed++
		s.warnMu.Unlock()
		return
	}
	suppressed := s.suppressed
	s.suppressed = 0
	s.lastWarn = now
	s.warnMu.Unlock()
	what := "callback events are refused (rtc.CallbackHandler answers 503) so that RTC delivers them again later"
	if s.mode == DedupFailOpen {
		what = "callback events are processed without deduplication"
	}
	s.logger.Warn("rtcredis: redis unavailable; "+what,
		slog.String("mode", s.mode.String()),
		slog.String("prefix", s.prefix),
		slog.Int64("suppressed_warnings", suppressed),
		slog.String("error", err.Error()))
}
