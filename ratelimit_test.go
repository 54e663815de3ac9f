package rtc

import (
	"context"
	"errors"
	"net/http"
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

// spacing runs n sequential Waits and returns the elapsed time.
func spacing(t *testing.T, l *LocalLimiter, action string, n int) time.Duration {
	t.Helper()
	start := time.Now()
	for range n {
		require.NoError(t, l.Wait(context.Background(), action))
	}
	return time.Since(start)
}

func TestLocalLimiterSpacesCalls(t *testing.T) {
	l := NewLocalLimiter(Limit{QPS: 100, Burst: 1}, map[string]Limit{
		"Fast": {QPS: 200, Burst: 1},
		"Free": {},
	})
	tests := []struct {
		action string
		n      int
		min    time.Duration
		max    time.Duration
	}{
		// burst 1: the first call is free, the next n-1 are spaced 1/QPS apart
		{"Fast", 41, 190 * time.Millisecond, time.Second},
		{"Unlisted", 21, 190 * time.Millisecond, time.Second},
		{"Free", 10000, 0, 500 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.action, func(t *testing.T) {
			d := spacing(t, l, tc.action, tc.n)
			require.GreaterOrEqual(t, d, tc.min)
			require.LessOrEqual(t, d, tc.max)
		})
	}
}

func TestLocalLimiterBuckets(t *testing.T) {
	// Two actions of one group share a bucket; separate actions do not.
	l := NewLocalLimiter(Limit{}, map[string]Limit{
		"A": {QPS: 100, Burst: 1, Group: "g"},
		"B": {QPS: 100, Burst: 1, Group: "g"},
		"C": {QPS: 100, Burst: 1},
		"D": {QPS: 100, Burst: 1},
	})
	run := func(actions ...string) time.Duration {
		start := time.Now()
		var wg sync.WaitGroup
		for _, a := range actions {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 10 {
					assert.NoError(t, l.Wait(context.Background(), a))
				}
			}()
		}
		wg.Wait()
		return time.Since(start)
	}
	shared := run("A", "B")   // 20 calls through one 100 QPS bucket: >= 190ms
	separate := run("C", "D") // 10 calls through each of two buckets: ~90ms
	require.GreaterOrEqual(t, shared, 180*time.Millisecond)
	require.Less(t, separate, shared)
}

func TestLocalLimiterContext(t *testing.T) {
	slow := Limit{QPS: 1, Burst: 1}
	tests := []struct {
		name    string
		ctx     func() (context.Context, context.CancelFunc)
		wantIs  error
		maxWait time.Duration
	}{
		{
			name: "cancelled while waiting",
			ctx: func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				time.AfterFunc(50*time.Millisecond, cancel)
				return ctx, cancel
			},
			wantIs:  context.Canceled,
			maxWait: 500 * time.Millisecond,
		},
		{
			name: "already cancelled",
			ctx: func() (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return ctx, cancel
			},
			wantIs:  context.Canceled,
			maxWait: 50 * time.Millisecond,
		},
		{
			name: "deadline too short fails fast",
			ctx: func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 300*time.Millisecond)
			},
			wantIs:  context.DeadlineExceeded,
			maxWait: 100 * time.Millisecond,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := NewLocalLimiter(slow, nil)
			require.NoError(t, l.Wait(context.Background(), "X")) // takes the only token
			ctx, cancel := tc.ctx()
			defer cancel()
			start := time.Now()
			err := l.Wait(ctx, "X")
			require.ErrorIs(t, err, tc.wantIs)
			require.Less(t, time.Since(start), tc.maxWait)
		})
	}
}

func TestLocalLimiterCancelReturnsToken(t *testing.T) {
	l := NewLocalLimiter(Limit{QPS: 10, Burst: 1}, nil)
	require.NoError(t, l.Wait(context.Background(), "X"))
	// Many callers give up; their reservations must not push later callers back.
	for range 20 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
		err := l.Wait(ctx, "X")
		cancel()
		require.True(t, errors.Is(err, context.DeadlineExceeded))
	}
	start := time.Now()
	require.NoError(t, l.Wait(context.Background(), "X"))
	require.Less(t, time.Since(start), 150*time.Millisecond)
}

func TestLocalLimiterConcurrentRate(t *testing.T) {
	const qps = 200.0
	l := NewLocalLimiter(Limit{QPS: qps, Burst: 1}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	var n atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for l.Wait(ctx, "X") == nil {
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	observed := float64(n.Load()) / time.Since(start).Seconds()
	t.Logf("observed_qps=%.1f limit=%.0f", observed, qps)
	require.LessOrEqual(t, observed, qps*1.10)
	require.GreaterOrEqual(t, observed, qps*0.5)
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

// rlGaps returns the time between consecutive requests' arrivals.
func rlGaps(s *StubServer) []time.Duration {
	reqs := s.Requests()
	var g []time.Duration
	for i := 1; i < len(reqs); i++ {
		g = append(g, reqs[i].Time.Sub(reqs[i-1].Time))
	}
	return g
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
	lim := &countingLimiter{RateLimiter: NewLocalLimiter(Limit{}, map[string]Limit{"KickUser": {QPS: qps, Burst: 1}})}
	c := newRLClient(t, srv.URL, lim)

	const calls = 26
	start := time.Now()
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
	elapsed := time.Since(start)
	observed := float64(calls) / elapsed.Seconds()
	t.Logf("observed_qps=%.1f limit=%.0f", observed, qps)
	require.Equal(t, int64(calls), lim.waits.Load())
	require.GreaterOrEqual(t, elapsed, time.Duration(calls-1)*time.Second/time.Duration(qps)-10*time.Millisecond)
	require.LessOrEqual(t, observed, qps*1.10)
	var short int
	for _, g := range rlGaps(srv) {
		if g < 10*time.Millisecond { // half the 20ms spacing
			short++
		}
	}
	require.LessOrEqual(t, short, 2, "requests must arrive spaced out: %v", rlGaps(srv))
}

func TestClientWaitsBeforeEveryAttempt(t *testing.T) {
	srv := newRLServer(t, 2) // two 503s, then success: three attempts
	lim := &countingLimiter{RateLimiter: NewLocalLimiter(Limit{QPS: 20, Burst: 1}, nil)}
	c := newRLClient(t, srv.URL, lim)
	start := time.Now()
	require.NoError(t, kick(context.Background(), c))
	require.Equal(t, int64(3), lim.waits.Load(), "retries wait for the limiter too")
	require.GreaterOrEqual(t, time.Since(start), 90*time.Millisecond, "three attempts at 20 QPS take two intervals")
}

func TestClientLimiterContextError(t *testing.T) {
	srv := newRLServer(t, 0)
	c := newRLClient(t, srv.URL, NewLocalLimiter(Limit{QPS: 1, Burst: 1}, nil))
	require.NoError(t, kick(context.Background(), c))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := kick(ctx, c)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 500*time.Millisecond)
	require.Len(t, srv.Requests(), 1, "a call the limiter refused is never sent")
}
