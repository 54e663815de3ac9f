package rtcredis

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/volcrtc/rtc"
)

func TestKeys(t *testing.T) {
	const ak = "AKLTexampleAccessKeyID"
	a := NewLimiter(nil, ak)
	b := NewLimiter(nil, ak)
	other := NewLimiter(nil, "AKLTanotherAccessKeyID")
	prefixed := NewLimiter(nil, ak, WithLimiterKeyPrefix("app1:"))

	tests := []struct {
		name string
		got  string
		want func(t *testing.T, key string)
	}{
		{"no access key id in key", a.Key("KickUser"), func(t *testing.T, k string) {
			require.NotContains(t, k, ak)
			require.True(t, strings.HasPrefix(k, DefaultLimiterKeyPrefix), k)
			require.True(t, strings.HasSuffix(k, ":action:KickUser"), k)
		}},
		{"same account same key", b.Key("KickUser"), func(t *testing.T, k string) { require.Equal(t, a.Key("KickUser"), k) }},
		{"other account other key", other.Key("KickUser"), func(t *testing.T, k string) { require.NotEqual(t, a.Key("KickUser"), k) }},
		{"actions differ", a.Key("BanRoomUser"), func(t *testing.T, k string) { require.NotEqual(t, a.Key("KickUser"), k) }},
		{"message group shared", a.Key("SendUnicast"), func(t *testing.T, k string) {
			require.Equal(t, a.Key("SendBroadcast"), k)
			require.True(t, strings.HasSuffix(k, ":group:message"), k)
		}},
		{"custom prefix", prefixed.Key("KickUser"), func(t *testing.T, k string) { require.True(t, strings.HasPrefix(k, "app1:"), k) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.want(t, tc.got) })
	}
}

func TestToRedisLimit(t *testing.T) {
	tests := []struct {
		in     rtc.Limit
		period time.Duration
		burst  int
	}{
		{rtc.Limit{QPS: 20}, 50 * time.Millisecond, 1},
		{rtc.Limit{QPS: 40, Burst: 5}, 25 * time.Millisecond, 5},
		{rtc.Limit{QPS: 10.0 / 60}, 6 * time.Second, 1},
	}
	for _, tc := range tests {
		got := toRedisLimit(tc.in)
		require.Equal(t, 1, got.Rate)
		require.Equal(t, tc.period, got.Period)
		require.Equal(t, tc.burst, got.Burst)
	}
}

func TestFailureModeString(t *testing.T) {
	require.Equal(t, "fallback-local", LimiterFallbackLocal.String())
	require.Equal(t, "fail-open", LimiterFailOpen.String())
	require.Equal(t, "LimiterFailureMode(7)", LimiterFailureMode(7).String())
}

// With Redis unreachable (nothing listens on the port), the default mode
// limits locally, at the same rate, and warns once.
func TestUnreachableRedis(t *testing.T) {
	const qps = 50.0
	tests := []struct {
		name    string
		mode    LimiterFailureMode
		rdb     func(t *testing.T) redis.UniversalClient
		checkFn func(t *testing.T, r hammerResult)
	}{
		{
			name: "fallback local keeps limiting",
			mode: LimiterFallbackLocal,
			rdb:  func(t *testing.T) redis.UniversalClient { return newClient(t, closedAddr(t)) },
			checkFn: func(t *testing.T, r hammerResult) {
				require.LessOrEqual(t, r.qps(), qps*1.10)
				require.GreaterOrEqual(t, r.qps(), qps*0.5, "the fallback still lets calls through")
			},
		},
		{
			name: "nil client falls back too",
			mode: LimiterFallbackLocal,
			rdb:  func(t *testing.T) redis.UniversalClient { return nil },
			checkFn: func(t *testing.T, r hammerResult) {
				require.LessOrEqual(t, r.qps(), qps*1.10)
			},
		},
		{
			name: "fail open lets everything through",
			mode: LimiterFailOpen,
			rdb:  func(t *testing.T) redis.UniversalClient { return newClient(t, closedAddr(t)) },
			checkFn: func(t *testing.T, r hammerResult) {
				require.Greater(t, r.qps(), qps*20)
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logger, logs := newLogger()
			rdb := tc.rdb(t)
			l := NewLimiter(rdb, "AKLTtest", WithLimiterFailureMode(tc.mode), WithLimiterLogger(logger),
				WithLimits(rtc.Limit{QPS: qps, Burst: 1}, nil),
				WithLimiterOpTimeout(100*time.Millisecond), WithLimiterRetryInterval(100*time.Millisecond))
			r := hammer(600*time.Millisecond, 4, func(ctx context.Context) (time.Duration, error) {
				start := time.Now()
				err := l.Wait(ctx, "KickUser")
				return time.Since(start), err
			})
			report(t, tc.name, r, qps)
			require.Zero(t, r.errs)
			tc.checkFn(t, r)
			// Bounded by the op timeout, far below go-redis's own 3s read and 5s dial
			// timeouts; the slack is for loaded CI machines.
			require.Less(t, r.maxWait, time.Second, "a Wait must never hang on Redis")
			require.True(t, l.Degraded())
			if rdb != nil {
				require.GreaterOrEqual(t, l.Failures(), int64(2), "Redis is re-probed every retry interval")
			}
			require.Equal(t, 1, logs.count("redis unavailable"), "warnings are rate-limited:\n%s", logs)
			require.Contains(t, logs.String(), "mode="+tc.mode.String())
			require.NotContains(t, logs.String(), "AKLTtest", "the access key id stays out of logs")
		})
	}
}

func TestWaitContext(t *testing.T) {
	// Local fallback with a slow limit: context handling is the Limiter's own.
	l := NewLimiter(nil, "AK", WithLimits(rtc.Limit{QPS: 1, Burst: 1}, nil))
	require.NoError(t, l.Wait(context.Background(), "X"))

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, l.Wait(ctx, "X"), context.Canceled)

	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	require.ErrorIs(t, l.Wait(ctx, "X"), context.DeadlineExceeded)
	require.Less(t, time.Since(start), 200*time.Millisecond)

	unlimited := NewLimiter(nil, "AK", WithLimits(rtc.Limit{}, nil))
	for range 1000 {
		require.NoError(t, unlimited.Wait(context.Background(), "X"))
	}
}

// TestSharedQuotaAcrossClients is the point of the package: four limiters
// with their own Redis connections and HTTP clients, as four processes
// would have, keep one 20 QPS budget between them.
func TestSharedQuotaAcrossClients(t *testing.T) {
	addr := sharedRedis(t)
	const (
		qps      = 20.0
		clients  = 4
		duration = 3 * time.Second
	)
	srv := newFakeRTC(t)
	prefix := uniquePrefix(t)
	limits := map[string]rtc.Limit{"KickUser": {QPS: qps, Burst: 1}}

	var calls []func(ctx context.Context) (time.Duration, error)
	var limiters []*Limiter
	for range clients {
		// A generous per-call timeout: this test is about sharing, and a
		// loaded machine must not make a slow Redis look like a dead one.
		lim := NewLimiter(newClient(t, addr), sharedAccessKeyID, WithLimiterKeyPrefix(prefix),
			WithLimits(rtc.DefaultLimit(), limits), WithLimiterOpTimeout(2*time.Second))
		limiters = append(limiters, lim)
		calls = append(calls, newCaller(t, srv.URL, lim))
	}
	r := hammer(duration, 3, calls...)
	reached := served(srv, "KickUser")
	report(t, "shared quota, 4 clients", r, qps)
	for i, lim := range limiters {
		require.Zero(t, lim.Failures(), "limiter %d lost Redis and fell back to local limiting", i)
	}
	require.Zero(t, r.errs)
	require.Equal(t, r.calls, reached, "every admitted call reached the server, signed correctly")
	require.LessOrEqual(t, r.qps(), qps*1.10)
	require.GreaterOrEqual(t, r.qps(), qps*0.7)
}

// newCaller returns a function that makes one KickUser call through an
// rtc.Client of its own whose rate limiter is lim, and reports how long the
// limiter held it (measured around the limiter, not the request).
func newCaller(t *testing.T, base string, lim *Limiter) func(ctx context.Context) (time.Duration, error) {
	t.Helper()
	timed := &timedLimiter{inner: lim}
	c, err := rtc.New(rtc.WithEndpoint(base),
		rtc.WithCredentials(rtc.Credentials{AccessKeyID: sharedAccessKeyID, SecretAccessKey: sharedSecretAccessKey}),
		rtc.WithRetry(rtc.RetryPolicy{MaxAttempts: 1}),
		rtc.WithRateLimiter(timed))
	require.NoError(t, err)
	in := map[string]string{"AppId": "app", "RoomId": "room", "UserId": "user"}
	return func(ctx context.Context) (time.Duration, error) {
		var out struct{ Message string }
		_, err := c.Call(ctx, "KickUser", "2020-12-01", in, &out)
		if err == nil && out.Message != "success" {
			err = fmt.Errorf("unexpected result %q", out.Message)
		}
		return time.Duration(timed.last.Load()), err
	}
}

// timedLimiter measures the wait of the limiter it wraps.
type timedLimiter struct {
	inner *Limiter
	last  atomic.Int64
}

func (l *timedLimiter) Wait(ctx context.Context, action string) error {
	start := time.Now()
	err := l.inner.Wait(ctx, action)
	l.last.Store(int64(time.Since(start)))
	return err
}

// TestRedisOutageAndRecovery kills the Redis server mid-run: the Limiter
// must keep limiting through its local fallback, warn once, never hang, and
// go back to Redis when the server returns.
func TestRedisOutageAndRecovery(t *testing.T) {
	rp := startRedisProcess(t)
	const qps = 50.0
	logger, logs := newLogger()
	rdb := newClient(t, rp.Addr())
	l := NewLimiter(rdb, "AKLToutage", WithLimiterKeyPrefix(uniquePrefix(t)), WithLimiterLogger(logger),
		WithLimits(rtc.Limit{QPS: qps, Burst: 1}, nil),
		WithLimiterOpTimeout(250*time.Millisecond), WithLimiterRetryInterval(150*time.Millisecond),
		WithLimiterWarnInterval(time.Minute))
	wait := func(ctx context.Context) (time.Duration, error) {
		start := time.Now()
		err := l.Wait(ctx, "KickUser")
		return time.Since(start), err
	}
	probe := newClient(t, rp.Addr())
	keyExists := func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		n, err := probe.Exists(ctx, "rate:"+l.Key("KickUser")).Result()
		return err == nil && n == 1
	}

	// Phase 1: Redis up, shared limiting.
	r := hammer(time.Second, 4, wait)
	report(t, "redis up", r, qps)
	require.Zero(t, r.errs)
	require.False(t, l.Degraded())
	require.True(t, keyExists(), "the bucket lives in Redis")
	require.LessOrEqual(t, r.qps(), qps*1.10)

	// Phase 2: Redis crashes; the local fallback keeps the rate.
	rp.Stop()
	r = hammer(time.Second, 4, wait)
	report(t, "redis down, local fallback", r, qps)
	require.Zero(t, r.errs)
	require.True(t, l.Degraded())
	require.LessOrEqual(t, r.qps(), qps*1.10)
	require.GreaterOrEqual(t, r.qps(), qps*0.5, "the fallback still lets calls through")
	require.Less(t, r.maxWait, time.Second, "no Wait may hang on a dead Redis")
	require.Equal(t, 1, logs.count("redis unavailable"), "one warning, not one per call:\n%s", logs)
	failuresWhileDown := l.Failures()
	require.GreaterOrEqual(t, failuresWhileDown, int64(2), "Redis is re-probed every retry interval")

	// Phase 3: Redis returns (empty, as after a crash without persistence).
	rp.Start()
	r = hammer(time.Second, 4, wait)
	report(t, "redis back", r, qps)
	require.Zero(t, r.errs)
	require.False(t, l.Degraded(), "the limiter uses Redis again")
	require.True(t, keyExists(), "the bucket is back in Redis")
	require.Contains(t, logs.String(), "redis reachable again")
	require.LessOrEqual(t, r.qps(), qps*1.10)
}

// TestRedisHangs freezes the server: connections stay open but nothing
// answers. Waits must still return within the per-call timeout.
func TestRedisHangs(t *testing.T) {
	rp := startRedisProcess(t)
	logger, logs := newLogger()
	l := NewLimiter(newClient(t, rp.Addr()), "AKLThang", WithLimiterKeyPrefix(uniquePrefix(t)), WithLimiterLogger(logger),
		WithLimits(rtc.Limit{QPS: 100, Burst: 1}, nil),
		WithLimiterOpTimeout(100*time.Millisecond), WithLimiterRetryInterval(time.Minute))
	require.NoError(t, l.Wait(context.Background(), "X"))
	require.False(t, l.Degraded())

	rp.Pause()
	defer rp.Resume()
	start := time.Now()
	require.NoError(t, l.Wait(context.Background(), "X"))
	require.Less(t, time.Since(start), time.Second, "bounded by the 100ms op timeout, not the client's 3s read timeout")
	require.True(t, l.Degraded())
	require.Contains(t, logs.String(), "did not answer within 100ms")

	// While degraded, calls go straight to the local limiter.
	start = time.Now()
	for range 10 {
		require.NoError(t, l.Wait(context.Background(), "X"))
	}
	require.Less(t, time.Since(start), time.Second, "ten calls at 100 QPS, without touching Redis")
}

// TestRetryAfterIsHonoured checks the wait loop against a real server: with
// a slow limit, the second call waits about one interval, and a context
// deadline shorter than the wait fails fast.
func TestRetryAfterIsHonoured(t *testing.T) {
	addr := sharedRedis(t)
	l := NewLimiter(newClient(t, addr), "AKLTretry", WithLimiterKeyPrefix(uniquePrefix(t)),
		WithLimits(rtc.Limit{QPS: 5, Burst: 1}, nil))
	require.NoError(t, l.Wait(context.Background(), "X"))
	start := time.Now()
	require.NoError(t, l.Wait(context.Background(), "X"))
	waited := time.Since(start)
	require.GreaterOrEqual(t, waited, 150*time.Millisecond)
	require.Less(t, waited, 800*time.Millisecond)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	start = time.Now()
	require.ErrorIs(t, l.Wait(ctx, "X"), context.DeadlineExceeded)
	require.Less(t, time.Since(start), 100*time.Millisecond)
	require.False(t, l.Degraded())
}
