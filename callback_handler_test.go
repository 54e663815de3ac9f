package rtc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const testCallbackSecret = "handler-secret-value"

func signedBody(t testing.TB, id string) []byte {
	t.Helper()
	ev := CallbackEvent{
		EventType: EventUserJoinRoom, EventData: `{"RoomId":"r","UserId":"u","Timestamp":1}`,
		EventTime: time.Now().Format(time.RFC3339), EventID: id, AppID: "app", Version: CallbackVersion, Nonce: "1234",
	}
	ev.Sign(testCallbackSecret)
	return mustJSON(t, ev)
}

func mustCallbackHandler(t testing.TB, fn func(context.Context, *CallbackEvent) error, opts ...CallbackOption) http.Handler {
	t.Helper()
	h, err := NewCallbackHandler(testCallbackSecret, fn, opts...)
	require.NoError(t, err)
	return h
}

func post(t testing.TB, h http.Handler, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/rtc/callback", bytes.NewReader(body)))
	return rec
}

func TestCallbackHandlerRejects(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	fn := func(context.Context, *CallbackEvent) error { calls.Add(1); return nil }
	var logs bytes.Buffer
	h := mustCallbackHandler(t, fn, WithCallbackMaxBody(512),
		WithCallbackLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))

	tests := []struct {
		name   string
		method string
		body   []byte
		status int
	}{
		{"GET", http.MethodGet, nil, http.StatusMethodNotAllowed},
		{"PUT", http.MethodPut, signedBody(t, "e1"), http.StatusMethodNotAllowed},
		{"too large", http.MethodPost, bytes.Repeat([]byte("x"), 513), http.StatusRequestEntityTooLarge},
		{"not json", http.MethodPost, []byte("hello"), http.StatusBadRequest},
		{"missing signature", http.MethodPost, []byte(`{"EventType":"X"}`), http.StatusBadRequest},
		{"bad signature", http.MethodPost, bytes.Replace(signedBody(t, "e1"), []byte(`"app"`), []byte(`"ap2"`), 1), http.StatusUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tc.method, "/", bytes.NewReader(tc.body)))
			require.Equal(t, tc.status, rec.Code, rec.Body.String())
			if tc.status == http.StatusMethodNotAllowed {
				require.Equal(t, http.MethodPost, rec.Header().Get("Allow"))
			}
		})
	}
	require.Zero(t, calls.Load(), "fn never called for a rejected request")
	require.Contains(t, logs.String(), "rtc callback rejected")
	require.NotContains(t, logs.String(), testCallbackSecret)

	// The limit itself is fine: a valid body well under 512 bytes passes.
	require.Equal(t, http.StatusOK, post(t, h, signedBody(t, "e1")).Code)
	require.EqualValues(t, 1, calls.Load())
}

func TestCallbackHandlerDeliversOnce(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	var got *CallbackEvent
	h := mustCallbackHandler(t, func(_ context.Context, ev *CallbackEvent) error {
		calls.Add(1)
		got = ev
		return nil
	})
	srv := httptest.NewServer(h)
	defer srv.Close()

	for i := 0; i < 3; i++ {
		resp, err := srv.Client().Post(srv.URL, "application/json", bytes.NewReader(signedBody(t, "dup-1")))
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.JSONEq(t, `{"code":0}`, string(b))
	}
	require.EqualValues(t, 1, calls.Load())
	require.Equal(t, "dup-1", got.EventID)
}

func TestCallbackHandlerFailureIsRetried(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	fail := atomic.Bool{}
	fail.Store(true)
	h := mustCallbackHandler(t, func(context.Context, *CallbackEvent) error {
		calls.Add(1)
		if fail.Load() {
			return errors.New("database unavailable")
		}
		return nil
	})
	body := signedBody(t, "retry-1")
	require.Equal(t, http.StatusInternalServerError, post(t, h, body).Code)
	require.Equal(t, http.StatusInternalServerError, post(t, h, body).Code, "a failed event is not remembered")
	fail.Store(false)
	require.Equal(t, http.StatusOK, post(t, h, body).Code, "redelivery processed")
	require.Equal(t, http.StatusOK, post(t, h, body).Code, "later duplicate acknowledged")
	require.EqualValues(t, 3, calls.Load())
}

// A panicking function answers 500, is logged with its stack, and the event
// is not marked done: RTC's next delivery runs the function again.
func TestCallbackHandlerPanicAnswers500(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	var logs bytes.Buffer
	h := mustCallbackHandler(t, func(context.Context, *CallbackEvent) error {
		if calls.Add(1) == 1 {
			panic("boom")
		}
		return nil
	}, WithCallbackLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	body := signedBody(t, "panic-1")
	var rec *httptest.ResponseRecorder
	require.NotPanics(t, func() { rec = post(t, h, body) })
	require.Equal(t, http.StatusInternalServerError, rec.Code)
	require.Contains(t, logs.String(), "handler panicked")
	require.Contains(t, logs.String(), "boom")
	require.Contains(t, logs.String(), "callback_handler_test.go", "the log carries the panic's stack")
	require.Equal(t, http.StatusOK, post(t, h, body).Code, "the event was not marked done")
	require.Equal(t, http.StatusOK, post(t, h, body).Code, "now it is")
	require.EqualValues(t, 2, calls.Load())

	// Over a real server the client gets the 500 too (an escaped panic
	// would drop the connection instead).
	srv := httptest.NewServer(mustCallbackHandler(t, func(context.Context, *CallbackEvent) error { panic("again") },
		WithCallbackLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))))
	defer srv.Close()
	resp, err := srv.Client().Post(srv.URL, "application/json", bytes.NewReader(signedBody(t, "panic-2")))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusInternalServerError, resp.StatusCode)
}

func TestCallbackHandlerInProgress(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	release := make(chan struct{})
	h := mustCallbackHandler(t, func(context.Context, *CallbackEvent) error {
		close(started)
		<-release
		return nil
	})
	body := signedBody(t, "slow-1")
	first := make(chan int)
	go func() { first <- post(t, h, body).Code }()
	<-started
	require.Equal(t, http.StatusConflict, post(t, h, body).Code, "a concurrent duplicate is told to retry")
	close(release)
	require.Equal(t, http.StatusOK, <-first)
	require.Equal(t, http.StatusOK, post(t, h, body).Code)
}

func TestCallbackHandlerTimeout(t *testing.T) {
	t.Parallel()
	h := mustCallbackHandler(t, func(ctx context.Context, _ *CallbackEvent) error {
		dl, ok := ctx.Deadline()
		if !ok || time.Until(dl) > 50*time.Millisecond {
			return fmt.Errorf("deadline %v (set %v) not within 50ms", dl, ok)
		}
		<-ctx.Done()
		return ctx.Err()
	}, WithCallbackTimeout(50*time.Millisecond))
	start := time.Now()
	require.Equal(t, http.StatusInternalServerError, post(t, h, signedBody(t, "t-1")).Code)
	require.Less(t, time.Since(start), 2*time.Second)

	// The default deadline is DefaultCallbackTimeout.
	h = mustCallbackHandler(t, func(ctx context.Context, _ *CallbackEvent) error {
		dl, ok := ctx.Deadline()
		if !ok || time.Until(dl) > DefaultCallbackTimeout || time.Until(dl) < DefaultCallbackTimeout-time.Second {
			return errors.New("unexpected deadline")
		}
		return nil
	})
	require.Equal(t, http.StatusOK, post(t, h, signedBody(t, "t-2")).Code)
}

// Bad configuration is an error from the constructor that says what to fix,
// never a handler that fails every request.
func TestNewCallbackHandlerRefusesBadConfig(t *testing.T) {
	t.Parallel()
	fn := func(context.Context, *CallbackEvent) error { return nil }
	tests := []struct {
		name   string
		secret string
		fn     func(context.Context, *CallbackEvent) error
		opts   []CallbackOption
		want   []string
	}{
		{"empty secret", "", fn, nil, []string{"empty callback secret", "SecretKey"}},
		{"nil function", testCallbackSecret, nil, nil, []string{"nil function"}},
		{"nil logger", testCallbackSecret, fn, []CallbackOption{WithCallbackLogger(nil)}, []string{"WithCallbackLogger", "leave the option out"}},
		{"nil store", testCallbackSecret, fn, []CallbackOption{WithCallbackDedup(nil)}, []string{"WithCallbackDedup", "WithoutCallbackDedup"}},
		{"zero timeout", testCallbackSecret, fn, []CallbackOption{WithCallbackTimeout(0)}, []string{"WithCallbackTimeout(0s)", "must be positive"}},
		{"negative body", testCallbackSecret, fn, []CallbackOption{WithCallbackMaxBody(-1)}, []string{"WithCallbackMaxBody(-1)", "must be positive"}},
		{"nil option", testCallbackSecret, fn, []CallbackOption{nil}, []string{"option 1 is nil"}},
		{"all at once", "", nil, []CallbackOption{WithCallbackLogger(nil), WithCallbackTimeout(-time.Second)},
			[]string{"empty callback secret", "nil function", "WithCallbackLogger", "WithCallbackTimeout(-1s)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := NewCallbackHandler(tc.secret, tc.fn, tc.opts...)
			require.Error(t, err)
			require.Nil(t, h)
			for _, w := range tc.want {
				require.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestCallbackHandlerWithoutDedup(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	h := mustCallbackHandler(t, func(context.Context, *CallbackEvent) error { calls.Add(1); return nil },
		WithoutCallbackDedup())
	body := signedBody(t, "nodedup")
	require.Equal(t, http.StatusOK, post(t, h, body).Code)
	require.Equal(t, http.StatusOK, post(t, h, body).Code)
	require.EqualValues(t, 2, calls.Load())

	// An event without EventId is refused: there is nothing to deduplicate on.
	calls.Store(0)
	h = mustCallbackHandler(t, func(context.Context, *CallbackEvent) error { calls.Add(1); return nil })
	rec := post(t, h, signedBody(t, ""))
	require.Equal(t, http.StatusBadRequest, rec.Code)
	require.Contains(t, rec.Body.String(), "EventId is missing")
	require.Zero(t, calls.Load())
}

type failingStore struct{ beginErr, finishErr error }

func (s failingStore) Begin(context.Context, string) (DedupStatus, error) {
	return DedupNew, s.beginErr
}
func (s failingStore) Finish(context.Context, string, bool) error { return s.finishErr }

func TestCallbackHandlerStoreErrors(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	var calls atomic.Int32
	fn := func(context.Context, *CallbackEvent) error { calls.Add(1); return nil }

	h := mustCallbackHandler(t, fn, WithCallbackDedup(failingStore{beginErr: errors.New("redis down")}), WithCallbackLogger(logger))
	require.Equal(t, http.StatusServiceUnavailable, post(t, h, signedBody(t, "s-1")).Code, "a store that cannot claim: 503, RTC redelivers")
	require.Zero(t, calls.Load())

	h = mustCallbackHandler(t, fn, WithCallbackDedup(failingStore{finishErr: errors.New("redis down")}), WithCallbackLogger(logger))
	require.Equal(t, http.StatusOK, post(t, h, signedBody(t, "s-2")).Code, "the event was processed")
	require.EqualValues(t, 1, calls.Load())
	require.Contains(t, logs.String(), "failed to record the outcome")
}

// Many deliveries of many events, concurrently, with duplicates: each event
// is processed exactly once. Run with -race.
func TestCallbackHandlerConcurrent(t *testing.T) {
	t.Parallel()
	const events, senders = 40, 6
	var mu sync.Mutex
	seen := map[string]int{}
	h := mustCallbackHandler(t, func(_ context.Context, ev *CallbackEvent) error {
		mu.Lock()
		seen[ev.EventID]++
		mu.Unlock()
		return nil
	})
	srv := httptest.NewServer(h)
	defer srv.Close()

	bodies := make([][]byte, events)
	for i := range bodies {
		bodies[i] = signedBody(t, fmt.Sprintf("c-%d", i))
	}
	var wg sync.WaitGroup
	errs := make(chan error, senders)
	for s := 0; s < senders; s++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, b := range bodies {
				for {
					resp, err := srv.Client().Post(srv.URL, "application/json", bytes.NewReader(b))
					if err != nil {
						errs <- err
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode == http.StatusOK {
						break
					}
					if resp.StatusCode != http.StatusConflict {
						errs <- fmt.Errorf("status %d", resp.StatusCode)
						return
					}
					time.Sleep(time.Millisecond) // another delivery holds it: retry, like RTC
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Len(t, seen, events)
	for id, n := range seen {
		require.Equal(t, 1, n, "event %s", id)
	}
}

func TestMemoryDedupStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Unix(1000, 0)
	s := NewMemoryDedupStore(time.Hour, 3)
	s.now = func() time.Time { return now }

	begin := func(id string) DedupStatus {
		st, err := s.Begin(ctx, id)
		require.NoError(t, err)
		return st
	}
	require.Equal(t, DedupNew, begin("a"))
	require.Equal(t, DedupInProgress, begin("a"))
	require.NoError(t, s.Finish(ctx, "a", true))
	require.Equal(t, DedupDone, begin("a"))

	// A failed claim is forgotten.
	require.Equal(t, DedupNew, begin("b"))
	require.NoError(t, s.Finish(ctx, "b", false))
	require.Equal(t, DedupNew, begin("b"))

	// An abandoned claim expires after the lease.
	now = now.Add(time.Minute + time.Second)
	require.Equal(t, DedupNew, begin("b"), "lease expired")
	require.NoError(t, s.Finish(ctx, "b", true))

	// Finished events expire after the retention.
	now = now.Add(time.Hour + time.Second)
	require.Equal(t, DedupNew, begin("a"), "retention expired")
	require.NoError(t, s.Finish(ctx, "a", true))
	require.Equal(t, 1, s.Len(), "expired entries pruned")

	// Bounded without forgetting a live entry: a full store refuses new
	// events and still knows every one it holds.
	for _, id := range []string{"c", "d"} {
		require.Equal(t, DedupNew, begin(id))
		require.NoError(t, s.Finish(ctx, id, true))
	}
	require.Equal(t, 3, s.Len())
	_, err := s.Begin(ctx, "e")
	require.ErrorIs(t, err, ErrDedupFull)
	require.Equal(t, DedupDone, begin("a"), "a is still remembered")
	require.Equal(t, DedupDone, begin("c"))
	// An expired entry anywhere in the list makes room: a claim whose lease
	// ended behind finished events still within their retention.
	now = now.Add(time.Minute)
	require.NoError(t, s.Finish(ctx, "d", false))
	require.Equal(t, DedupNew, begin("x"))
	now = now.Add(2 * time.Minute) // x's lease is over; a, c live on
	require.Equal(t, DedupNew, begin("e"), "the expired claim made room")
	require.Equal(t, DedupDone, begin("a"))

	// Finishing an unknown event is harmless.
	require.NoError(t, s.Finish(ctx, "zzz", true))
	require.NoError(t, s.Finish(ctx, "zzz", false))

	d := NewMemoryDedupStore(0, 0)
	require.Equal(t, time.Hour, d.retention)
	require.Equal(t, DefaultMemoryDedupEntries, d.maxEntries)
}

func TestCallbackHandlerLogsNoSecret(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	h := mustCallbackHandler(t, func(context.Context, *CallbackEvent) error { return errors.New("nope") },
		WithCallbackLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	post(t, h, signedBody(t, "l-1"))
	post(t, h, []byte(strings.Replace(string(signedBody(t, "l-2")), "1234", "9999", 1)))
	require.Contains(t, logs.String(), "handler failed")
	require.Contains(t, logs.String(), "signature does not match")
	require.NotContains(t, logs.String(), testCallbackSecret)
}

// The default store never forgets an event younger than the maximum age:
// more than 10 000 events within the hour (the old bound) are all still
// recognised, and a full store answers 503 instead of forgetting one.
func TestCallbackDefaultDedupHoldsWithinMaxAge(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := NewMemoryDedupStore(0, 0)
	for i := 0; i < 15000; i++ {
		id := fmt.Sprintf("ev-%d", i)
		st, err := s.Begin(ctx, id)
		require.NoError(t, err)
		require.Equal(t, DedupNew, st)
		require.NoError(t, s.Finish(ctx, id, true))
	}
	st, err := s.Begin(ctx, "ev-0")
	require.NoError(t, err)
	require.Equal(t, DedupDone, st, "the first event is still remembered")

	var calls atomic.Int32
	small := NewMemoryDedupStore(time.Hour, 2)
	h := mustCallbackHandler(t, func(context.Context, *CallbackEvent) error { calls.Add(1); return nil }, WithCallbackDedup(small))
	require.Equal(t, http.StatusOK, post(t, h, signedBody(t, "full-1")).Code)
	rec := post(t, h, signedBody(t, "full-2"))
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	require.Contains(t, rec.Body.String(), "dedup store full")
	require.Equal(t, http.StatusOK, post(t, h, signedBody(t, "full-1")).Code, "duplicate still acknowledged")
	require.EqualValues(t, 1, calls.Load())
}

type leaseStore struct {
	DedupStore
	lease, retention time.Duration
}

func (s leaseStore) DedupLease() time.Duration     { return s.lease }
func (s leaseStore) DedupRetention() time.Duration { return s.retention }

// Option combinations that could process an event twice are refused at
// construction; a thin lease margin is logged.
func TestCallbackHandlerRefusesRiskyStoreOptions(t *testing.T) {
	t.Parallel()
	fn := func(context.Context, *CallbackEvent) error { return nil }
	base := NewMemoryDedupStore(time.Hour, 10)

	// L6: a maximum age longer than the store's retention.
	_, err := NewCallbackHandler(testCallbackSecret, fn, WithCallbackDedup(NewMemoryDedupStore(10*time.Minute, 10)), WithCallbackMaxAge(time.Hour))
	require.ErrorContains(t, err, "longer than the dedup store's retention")
	_, err = NewCallbackHandler(testCallbackSecret, fn, WithCallbackDedup(leaseStore{base, 6 * time.Second, time.Minute}), WithCallbackMaxAge(2*time.Minute))
	require.ErrorContains(t, err, "retention 1m0s")

	// M4 / issue 26: a callback timeout not shorter than the lease.
	_, err = NewCallbackHandler(testCallbackSecret, fn, WithCallbackDedup(leaseStore{base, 6 * time.Second, 24 * time.Hour}), WithCallbackTimeout(10*time.Second))
	require.ErrorContains(t, err, "not shorter than the dedup store's lease 6s")
	_, err = NewCallbackHandler(testCallbackSecret, fn, WithCallbackTimeout(2*time.Minute))
	require.ErrorContains(t, err, "lease 1m0s", "the default store's lease")

	// A lease inside the timeout plus Finish's second is accepted with a warning.
	var logs bytes.Buffer
	_, err = NewCallbackHandler(testCallbackSecret, fn, WithCallbackDedup(leaseStore{base, 4500 * time.Millisecond, 24 * time.Hour}),
		WithCallbackLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	require.NoError(t, err)
	require.Contains(t, logs.String(), "lease is shorter than the callback timeout plus")

	// Safe combinations pass silently.
	logs.Reset()
	_, err = NewCallbackHandler(testCallbackSecret, fn, WithCallbackDedup(leaseStore{base, 6 * time.Second, 24 * time.Hour}),
		WithCallbackLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	require.NoError(t, err)
	require.Empty(t, logs.String())
}
