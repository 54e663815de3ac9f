package rtc

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultActionLimits(t *testing.T) {
	a := DefaultActionLimits()
	b := DefaultActionLimits()
	a["BanRoomUser"] = Limit{QPS: 1}
	require.Equal(t, 40.0, b["BanRoomUser"].QPS, "each call must return a fresh map")

	tests := []struct {
		action string
		qps    float64
	}{
		{"BanRoomUser", 40},
		{"KickUser", 60},
		{"UpdateBanRoomUserRule", 20},
		{"StartRecord", 60},
		{"StartPushMixedStreamToCDN", 150},
		{"ListRoomInfo", 10},
		{"SendRoomUnicast", 500},
		{"StartSubtitle", 60},
		{"UpdateVoiceChat", 60},
	}
	for _, tc := range tests {
		t.Run(tc.action, func(t *testing.T) {
			l, ok := b[tc.action]
			require.True(t, ok)
			require.InDelta(t, tc.qps, l.QPS, 1e-9)
			require.Equal(t, 1, l.Burst)
		})
	}
	require.InDelta(t, 10.0/60.0, b["ListCallDetail"].QPS, 1e-9)
	for _, act := range []string{"SendUnicast", "SendRoomUnicast", "SendBroadcast", "BatchSendRoomUnicast"} {
		require.Equal(t, "message", b[act].Group, act)
	}
	// The IM server API publishes no per-action figure: IM actions keep the
	// default.
	for _, act := range []string{"SendMessage", "RegisterUsers", "GetConversationMessages"} {
		_, listed := b[act]
		require.False(t, listed, act)
	}
	for act, l := range b {
		require.Greater(t, l.QPS, 0.0, act)
		require.LessOrEqual(t, DefaultLimit().QPS, l.QPS*60, act)
	}
}

func TestLimitTableLookup(t *testing.T) {
	table := NewLimitTable(Limit{QPS: 5, Burst: 2, Group: "ignored"}, map[string]Limit{
		"A":  {QPS: 20, Burst: 3},
		"M1": {QPS: 100, Burst: 4, Group: "msg"},
		"M2": {QPS: 50, Burst: 6, Group: "msg"},
		"M3": {QPS: 0, Burst: 1, Group: "msg"}, // unlimited member must not loosen the group
		"U":  {},
	})
	tests := []struct {
		action string
		bucket string
		want   Limit
	}{
		{"A", "action:A", Limit{QPS: 20, Burst: 3}},
		{"M1", "group:msg", Limit{QPS: 50, Burst: 1, Group: "msg"}},
		{"M2", "group:msg", Limit{QPS: 50, Burst: 1, Group: "msg"}},
		{"M3", "group:msg", Limit{QPS: 50, Burst: 1, Group: "msg"}},
		{"U", "action:U", Limit{}},
		{"Other", "action:Other", Limit{QPS: 5, Burst: 2}},
		{"msg", "action:msg", Limit{QPS: 5, Burst: 2}}, // an action named like a group does not share it
	}
	for _, tc := range tests {
		t.Run(tc.action, func(t *testing.T) {
			bucket, l := table.Lookup(tc.action)
			require.Equal(t, tc.bucket, bucket)
			require.Equal(t, tc.want, l)
		})
	}
}

func TestLimitString(t *testing.T) {
	tests := []struct {
		l    Limit
		want string
		iv   time.Duration
	}{
		{Limit{}, "unlimited", 0},
		{Limit{QPS: 40}, "40 QPS (burst 1)", 25 * time.Millisecond},
		{Limit{QPS: 500, Burst: 1, Group: "message"}, "500 QPS (burst 1) shared as message", 2 * time.Millisecond},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, tc.l.String())
		require.Equal(t, tc.iv, tc.l.Interval())
	}
}

// fakeClock is a LocalLimiter's clock in tests: a sleep moves the time to
// its end at once and records it, so spacing is checked exactly and no
// test waits on real time. It starts at the real time, so that contexts
// with deadlines set from it do not end while a test runs.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	slept []time.Time // the end of every sleep, in the order they began
	// during, when set, runs at the start of every sleep (a test cancels
	// its context there, as if the caller gave up while waiting).
	during func()
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) sleepUntil(ctx context.Context, t time.Time) error {
	if c.during != nil {
		c.during()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slept = append(c.slept, t)
	if t.After(c.t) {
		c.t = t
	}
	return nil
}

// sleeps returns the end of every sleep so far, sorted.
func (c *fakeClock) sleeps() []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := append([]time.Time(nil), c.slept...)
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// fakeLimiter is NewLocalLimiter on a fake clock.
func fakeLimiter(def Limit, perAction map[string]Limit) (*LocalLimiter, *fakeClock) {
	l := NewLocalLimiter(def, perAction)
	c := &fakeClock{t: time.Now()}
	l.now, l.sleepUntil = c.now, c.sleepUntil
	return l, c
}

// requireSpaced checks that sorted times are at least gap apart.
func requireSpaced(t *testing.T, ts []time.Time, gap time.Duration) {
	t.Helper()
	for i := 1; i < len(ts); i++ {
		require.GreaterOrEqual(t, ts[i].Sub(ts[i-1]), gap-time.Microsecond, "sleeps %d and %d", i-1, i)
	}
}

func TestLocalLimiterSpacesCalls(t *testing.T) {
	tests := []struct {
		action  string
		n       int
		elapsed time.Duration // burst 1: the first call is free, the next n-1 are spaced 1/QPS apart
	}{
		{"Fast", 41, 40 * 5 * time.Millisecond},
		{"Unlisted", 21, 20 * 10 * time.Millisecond},
		{"Free", 10000, 0},
	}
	for _, tc := range tests {
		t.Run(tc.action, func(t *testing.T) {
			l, clk := fakeLimiter(Limit{QPS: 100, Burst: 1}, map[string]Limit{
				"Fast": {QPS: 200, Burst: 1},
				"Free": {},
			})
			start := clk.now()
			for range tc.n {
				require.NoError(t, l.Wait(context.Background(), tc.action))
			}
			require.InDelta(t, tc.elapsed, clk.now().Sub(start), float64(time.Microsecond))
			if tc.elapsed == 0 {
				require.Empty(t, clk.sleeps())
			} else {
				require.Len(t, clk.sleeps(), tc.n-1)
			}
		})
	}
}

func TestLocalLimiterBuckets(t *testing.T) {
	// Two actions of one group share a bucket; separate actions do not.
	l, clk := fakeLimiter(Limit{}, map[string]Limit{
		"A": {QPS: 100, Burst: 1, Group: "g"},
		"B": {QPS: 100, Burst: 1, Group: "g"},
		"C": {QPS: 100, Burst: 1},
		"D": {QPS: 100, Burst: 1},
	})
	run := func(x, y string) time.Duration {
		start := clk.now()
		for range 10 {
			require.NoError(t, l.Wait(context.Background(), x))
			require.NoError(t, l.Wait(context.Background(), y))
		}
		return clk.now().Sub(start)
	}
	// 20 calls through one 100 QPS bucket: 19 intervals.
	require.InDelta(t, 190*time.Millisecond, run("A", "B"), float64(time.Microsecond))
	// 10 calls through each of two buckets: 9 intervals.
	require.InDelta(t, 90*time.Millisecond, run("C", "D"), float64(time.Microsecond))
}

func TestLocalLimiterContext(t *testing.T) {
	hourly := Limit{QPS: 1.0 / 3600, Burst: 1} // the second call waits an hour
	t.Run("cancelled while waiting", func(t *testing.T) {
		l, clk := fakeLimiter(hourly, nil)
		require.NoError(t, l.Wait(context.Background(), "X")) // takes the only token
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		clk.during = cancel
		require.ErrorIs(t, l.Wait(ctx, "X"), context.Canceled)
		// The token went back: the next caller waits one interval, not two.
		clk.during = nil
		start := clk.now()
		require.NoError(t, l.Wait(context.Background(), "X"))
		require.InDelta(t, time.Hour, clk.now().Sub(start), float64(time.Millisecond))
	})
	t.Run("already cancelled", func(t *testing.T) {
		l, clk := fakeLimiter(hourly, nil)
		require.NoError(t, l.Wait(context.Background(), "X"))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		require.ErrorIs(t, l.Wait(ctx, "X"), context.Canceled)
		require.Empty(t, clk.sleeps())
	})
	t.Run("deadline too short fails fast", func(t *testing.T) {
		l, clk := fakeLimiter(hourly, nil)
		require.NoError(t, l.Wait(context.Background(), "X"))
		ctx, cancel := context.WithDeadline(context.Background(), clk.now().Add(time.Minute))
		defer cancel()
		err := l.Wait(ctx, "X")
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.ErrorContains(t, err, "would pass the context deadline")
		require.Empty(t, clk.sleeps(), "a wait that cannot finish in time does not start")
	})
}

func TestLocalLimiterCancelReturnsToken(t *testing.T) {
	l, clk := fakeLimiter(Limit{QPS: 10, Burst: 1}, nil)
	require.NoError(t, l.Wait(context.Background(), "X"))
	// Many callers give up; their reservations must not push later callers back.
	for range 20 {
		ctx, cancel := context.WithDeadline(context.Background(), clk.now().Add(5*time.Millisecond))
		err := l.Wait(ctx, "X")
		cancel()
		require.True(t, errors.Is(err, context.DeadlineExceeded))
	}
	start := clk.now()
	require.NoError(t, l.Wait(context.Background(), "X"))
	require.InDelta(t, 100*time.Millisecond, clk.now().Sub(start), float64(time.Microsecond),
		"one interval after the first call, not 21")
}

func TestLocalLimiterConcurrentRate(t *testing.T) {
	// Eight goroutines share one 200 QPS bucket: every admitted call after
	// the first ends a sleep, and no two sleeps end closer than 1/QPS.
	const qps, calls = 200.0, 400
	l, clk := fakeLimiter(Limit{QPS: qps, Burst: 1}, nil)
	var n atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n.Add(1) <= calls {
				assert.NoError(t, l.Wait(context.Background(), "X"))
			}
		}()
	}
	wg.Wait()
	s := clk.sleeps()
	require.Len(t, s, calls-1)
	requireSpaced(t, s, time.Second/qps)
}

// newRLServer is the shared stub server failing the first failFirst
// requests with a retryable 503.
func newRLServer(t *testing.T, failFirst int) *StubServer {
	t.Helper()
	return NewStubServer(t, func(r StubRequest) StubAnswer {
		if r.N <= failFirst {
			return StubAnswer{Status: http.StatusServiceUnavailable, Code: "ServiceUnavailableTemp", Message: "try again"}
		}
		return StubAnswer{Result: map[string]any{"message": "success"}}
	})
}

// countingLimiter records how often the client asked it.
type countingLimiter struct {
	RateLimiter
	waits atomic.Int64
}

func (c *countingLimiter) Wait(ctx context.Context, action string) error {
	c.waits.Add(1)
	return c.RateLimiter.Wait(ctx, action)
}

func newRLClient(t *testing.T, url string, lim RateLimiter) *Client {
	t.Helper()
	return NewStubClient(t, url, WithRetry(RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}),
		WithRateLimiter(lim))
}

func kick(ctx context.Context, c *Client) error {
	_, err := c.Call(ctx, "KickUser", "2020-12-01",
		map[string]string{"AppId": "app", "RoomId": "room", "UserId": "user"}, nil)
	return err
}

func TestClientWithLocalLimiterSpacesCalls(t *testing.T) {
	const qps = 50.0
	srv := newRLServer(t, 0)
	ll, clk := fakeLimiter(Limit{}, map[string]Limit{"KickUser": {QPS: qps, Burst: 1}})
	lim := &countingLimiter{RateLimiter: ll}
	c := newRLClient(t, srv.URL, lim)

	const calls = 26
	var wg sync.WaitGroup
	var next atomic.Int64
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= calls {
				assert.NoError(t, kick(context.Background(), c))
			}
		}()
	}
	wg.Wait()
	require.Equal(t, int64(calls), lim.waits.Load())
	require.Len(t, srv.Requests(), calls)
	s := clk.sleeps()
	require.Len(t, s, calls-1, "every call after the first waits for the limiter")
	requireSpaced(t, s, time.Second/qps)
}

func TestClientWaitsBeforeEveryAttempt(t *testing.T) {
	srv := newRLServer(t, 2) // two 503s, then success: three attempts
	ll, clk := fakeLimiter(Limit{QPS: 20, Burst: 1}, nil)
	lim := &countingLimiter{RateLimiter: ll}
	c := newRLClient(t, srv.URL, lim)
	start := clk.now()
	require.NoError(t, kick(context.Background(), c))
	require.Equal(t, int64(3), lim.waits.Load(), "retries wait for the limiter too")
	require.Equal(t, []time.Time{start.Add(50 * time.Millisecond), start.Add(100 * time.Millisecond)}, clk.sleeps(),
		"three attempts at 20 QPS take two intervals")
}

func TestClientLimiterContextError(t *testing.T) {
	srv := newRLServer(t, 0)
	ll, clk := fakeLimiter(Limit{QPS: 1.0 / 3600, Burst: 1}, nil)
	c := newRLClient(t, srv.URL, ll)
	require.NoError(t, kick(context.Background(), c))
	ctx, cancel := context.WithDeadline(context.Background(), clk.now().Add(time.Minute))
	defer cancel()
	err := kick(ctx, c)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Empty(t, clk.sleeps())
	require.Len(t, srv.Requests(), 1, "a call the limiter refused is never sent")
}
