package rtc

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func signedEventAt(t *testing.T, id string, at time.Time) []byte {
	t.Helper()
	ev := CallbackEvent{
		EventType: EventUserJoinRoom, EventData: `{"RoomId":"r","UserId":"u","Timestamp":1}`,
		EventTime: at.Format(time.RFC3339), EventID: id, AppID: "app", Version: CallbackVersion, Nonce: "1234",
	}
	ev.Sign(testCallbackSecret)
	return mustJSON(t, ev)
}

func withCallbackClock(now func() time.Time) CallbackOption {
	return func(c *callbackConfig) error { c.now = now; return nil }
}

// An event stamped long ago (or far ahead) is refused with 400 and a body
// that says why; within the limits it is processed.
func TestCallbackHandlerRefusesStaleEvents(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	var calls atomic.Int32
	fn := func(context.Context, *CallbackEvent) error { calls.Add(1); return nil }
	h := mustCallbackHandler(t, fn, withCallbackClock(func() time.Time { return now }))

	rec := post(t, h, signedEventAt(t, "old-1", time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)))
	require.Equal(t, http.StatusBadRequest, rec.Code)
	require.Contains(t, rec.Body.String(), "EventTime 2001-01-01T00:00:00Z is")
	require.Contains(t, rec.Body.String(), "more than the allowed 1h0m0s")

	rec = post(t, h, signedEventAt(t, "old-2", now.Add(-DefaultCallbackMaxAge-time.Second)))
	require.Equal(t, http.StatusBadRequest, rec.Code, "just past the maximum age")

	rec = post(t, h, signedEventAt(t, "future-1", now.Add(DefaultCallbackClockSkew+time.Second)))
	require.Equal(t, http.StatusBadRequest, rec.Code)
	require.Contains(t, rec.Body.String(), "after this receiver's clock")
	require.Contains(t, rec.Body.String(), "skew of 5m0s")
	require.Zero(t, calls.Load())

	require.Equal(t, http.StatusOK, post(t, h, signedEventAt(t, "ok-1", now.Add(-DefaultCallbackMaxAge+time.Second))).Code)
	require.Equal(t, http.StatusOK, post(t, h, signedEventAt(t, "ok-2", now.Add(DefaultCallbackClockSkew-time.Second))).Code)
	require.EqualValues(t, 2, calls.Load())

	// Configurable; a shorter dedup retention shortens the default age.
	h = mustCallbackHandler(t, fn, withCallbackClock(func() time.Time { return now }),
		WithCallbackMaxAge(time.Minute), WithCallbackClockSkew(0))
	require.Equal(t, http.StatusBadRequest, post(t, h, signedEventAt(t, "c-1", now.Add(-2*time.Minute))).Code)
	require.Equal(t, http.StatusBadRequest, post(t, h, signedEventAt(t, "c-2", now.Add(time.Second))).Code)
	require.Equal(t, http.StatusOK, post(t, h, signedEventAt(t, "c-3", now)).Code)

	h = mustCallbackHandler(t, fn, withCallbackClock(func() time.Time { return now }),
		WithCallbackDedup(NewMemoryDedupStore(10*time.Minute, 10)))
	rec = post(t, h, signedEventAt(t, "r-1", now.Add(-11*time.Minute)))
	require.Equal(t, http.StatusBadRequest, rec.Code)
	require.Contains(t, rec.Body.String(), "allowed 10m0s")
}

// EventTime must be RFC 3339 and EventId must have the shape of an ID.
func TestCallbackHandlerFieldFormats(t *testing.T) {
	var calls atomic.Int32
	h := mustCallbackHandler(t, func(context.Context, *CallbackEvent) error { calls.Add(1); return nil })
	sign := func(mod func(*CallbackEvent)) []byte {
		ev := CallbackEvent{EventType: EventUserJoinRoom, EventData: `{}`, EventTime: time.Now().Format(time.RFC3339),
			EventID: "fmt-1", AppID: "app", Version: CallbackVersion, Nonce: "1234"}
		mod(&ev)
		ev.Sign(testCallbackSecret)
		return mustJSON(t, ev)
	}
	for name, tc := range map[string]struct {
		mod  func(*CallbackEvent)
		want string
	}{
		"time not RFC 3339": {func(e *CallbackEvent) { e.EventTime = "2026-11-29 12:00:00" }, "EventTime is not an RFC 3339 time"},
		"time missing":      {func(e *CallbackEvent) { e.EventTime = "" }, "EventTime is missing"},
		"id with space":     {func(e *CallbackEvent) { e.EventID = "a b" }, "EventId must be"},
		"id too long":       {func(e *CallbackEvent) { e.EventID = strings.Repeat("a", 129) }, "EventId must be"},
		"id with slash":     {func(e *CallbackEvent) { e.EventID = "sig/abc" }, "EventId must be"},
	} {
		t.Run(name, func(t *testing.T) {
			rec := post(t, h, sign(tc.mod))
			require.Equal(t, http.StatusBadRequest, rec.Code)
			require.Contains(t, rec.Body.String(), tc.want)
		})
	}
	require.Zero(t, calls.Load())
}

// Swapping the values of signed fields keeps the signature valid (it covers
// the sorted values) and makes a new EventId. Each such replay, and a change
// of the signature's hex case, is recognised as the event already processed.
func TestCallbackHandlerPermutedReplay(t *testing.T) {
	var calls atomic.Int32
	h := mustCallbackHandler(t, func(context.Context, *CallbackEvent) error { calls.Add(1); return nil })
	orig := CallbackEvent{EventType: EventUserJoinRoom, EventData: `{}`, EventTime: time.Now().UTC().Format(time.RFC3339),
		EventID: "e7b6a3c0-1f2d-4e5a-9b8c-0123456789ab", AppID: "661e2f2a543cf", Version: CallbackVersion, Nonce: "a1b2"}
	orig.Sign(testCallbackSecret)
	require.Equal(t, http.StatusOK, post(t, h, mustJSON(t, orig)).Code)

	replays := map[string]func(*CallbackEvent){
		"EventId<->Nonce":   func(e *CallbackEvent) { e.EventID, e.Nonce = e.Nonce, e.EventID },
		"EventId<->AppId":   func(e *CallbackEvent) { e.EventID, e.AppID = e.AppID, e.EventID },
		"EventId<->Version": func(e *CallbackEvent) { e.EventID, e.Version = e.Version, e.EventID },
		"EventId<->EventType": func(e *CallbackEvent) {
			e.EventID, e.EventType = e.EventType, e.EventID
		},
		"upper-case signature": func(e *CallbackEvent) { e.Signature = strings.ToUpper(e.Signature) },
	}
	for name, mod := range replays {
		t.Run(name, func(t *testing.T) {
			ev := orig
			mod(&ev)
			body := mustJSON(t, ev)
			_, err := ParseCallback(body, testCallbackSecret)
			require.NoError(t, err, "the replay carries a valid signature")
			rec := post(t, h, body)
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		})
	}
	require.EqualValues(t, 1, calls.Load(), "the event is processed once")

	// A permuted replay racing the original in flight is told to retry.
	started, release := make(chan struct{}), make(chan struct{})
	h = mustCallbackHandler(t, func(context.Context, *CallbackEvent) error {
		close(started)
		<-release
		return nil
	})
	done := make(chan int)
	go func() { done <- post(t, h, mustJSON(t, orig)).Code }()
	<-started
	swapped := orig
	swapped.EventID, swapped.Nonce = orig.Nonce, orig.EventID
	require.Equal(t, http.StatusConflict, post(t, h, mustJSON(t, swapped)).Code)
	close(release)
	require.Equal(t, http.StatusOK, <-done)
}

// A peer that sends the headers and then trickles the body is cut off after
// the read timeout, even on a server without ReadTimeout.
func TestCallbackHandlerSlowBody(t *testing.T) {
	var calls atomic.Int32
	h := mustCallbackHandler(t, func(context.Context, *CallbackEvent) error { calls.Add(1); return nil },
		WithCallbackReadTimeout(200*time.Millisecond))
	srv := httptest.NewServer(h) // no ReadTimeout, like a server configured with ReadHeaderTimeout only
	defer srv.Close()

	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	body := signedBody(t, "slow-body")
	_, err = conn.Write([]byte("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
		itoa(len(body)) + "\r\n\r\n"))
	require.NoError(t, err)
	stop := make(chan struct{})
	defer close(stop)
	go func() { // one byte every 50 ms: the whole body would take many seconds
		for i := 0; i < len(body)-1; i++ {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			if _, err := conn.Write(body[i : i+1]); err != nil {
				return
			}
		}
	}()
	start := time.Now()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(3*time.Second)))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, "the handler must answer instead of waiting for the body")
	defer resp.Body.Close()
	require.Equal(t, http.StatusRequestTimeout, resp.StatusCode)
	require.Less(t, time.Since(start), 2*time.Second)
	require.Zero(t, calls.Load())
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestCallbackGuardOptionsRefuseBadValues(t *testing.T) {
	fn := func(context.Context, *CallbackEvent) error { return nil }
	_, err := NewCallbackHandler(testCallbackSecret, fn, WithCallbackMaxAge(0), WithCallbackClockSkew(-time.Second), WithCallbackReadTimeout(-1))
	require.ErrorContains(t, err, "WithCallbackMaxAge(0s): must be positive")
	require.ErrorContains(t, err, "WithCallbackClockSkew(-1s): must not be negative")
	require.ErrorContains(t, err, "WithCallbackReadTimeout(-1ns): must be positive")
}

// The body's read deadline does not outlive the read: a function that runs
// longer than the read timeout keeps a live context.
func TestCallbackReadDeadlineDoesNotCancelTheFunction(t *testing.T) {
	var fnErr error
	h := mustCallbackHandler(t, func(ctx context.Context, _ *CallbackEvent) error {
		select {
		case <-ctx.Done():
			fnErr = ctx.Err()
		case <-time.After(400 * time.Millisecond):
		}
		return fnErr
	}, WithCallbackReadTimeout(100*time.Millisecond), WithCallbackTimeout(2*time.Second))
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := srv.Client().Post(srv.URL, "application/json", strings.NewReader(string(signedBody(t, "long-fn"))))
	require.NoError(t, err)
	resp.Body.Close()
	require.NoError(t, fnErr, "the function's context was cancelled by the expired read deadline")
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

// The dedup store sees the event id and a hash of the signature, never the
// signature itself.
func TestCallbackDedupKeysHideTheSignature(t *testing.T) {
	store := &keyRecorder{DedupStore: NewMemoryDedupStore(time.Hour, 100)}
	h := mustCallbackHandler(t, func(context.Context, *CallbackEvent) error { return nil }, WithCallbackDedup(store))
	body := signedBody(t, "keys-1")
	ev, err := ParseCallback(body, testCallbackSecret)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, post(t, h, body).Code)
	require.Len(t, store.keys, 2)
	require.Equal(t, "keys-1", store.keys[0])
	require.True(t, strings.HasPrefix(store.keys[1], "sig/"), store.keys[1])
	require.NotContains(t, strings.ToLower(store.keys[1]), strings.ToLower(ev.Signature))
}

type keyRecorder struct {
	DedupStore
	keys []string
}

func (r *keyRecorder) Begin(ctx context.Context, key string) (DedupStatus, error) {
	r.keys = append(r.keys, key)
	return r.DedupStore.Begin(ctx, key)
}

// hidingWriter wraps a ResponseWriter without an Unwrap method, as many
// logging middlewares do: http.ResponseController cannot reach the
// connection's read deadline through it.
type hidingWriter struct{ w http.ResponseWriter }

func (h hidingWriter) Header() http.Header         { return h.w.Header() }
func (h hidingWriter) Write(b []byte) (int, error) { return h.w.Write(b) }
func (h hidingWriter) WriteHeader(code int)        { h.w.WriteHeader(code) }

// L5: behind a wrapper that hides the connection, a trickled body still
// gets 408 in time (a timer stands in for the read deadline), the fallback
// is logged once, and a body that arrives in time is processed.
func TestCallbackHandlerSlowBodyBehindWrapper(t *testing.T) {
	var calls atomic.Int32
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(&lockedBuffer{mu: &mu, b: &logs}, nil))
	h := mustCallbackHandler(t, func(context.Context, *CallbackEvent) error { calls.Add(1); return nil },
		WithCallbackReadTimeout(200*time.Millisecond), WithCallbackLogger(logger))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(hidingWriter{w}, r)
	}))
	defer srv.Close()

	trickle := func(id string) (*http.Response, time.Duration, func()) {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		require.NoError(t, err)
		body := signedBody(t, id)
		_, err = conn.Write([]byte("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
			itoa(len(body)) + "\r\n\r\n" + string(body[:10])))
		require.NoError(t, err)
		start := time.Now()
		require.NoError(t, conn.SetReadDeadline(time.Now().Add(3*time.Second)))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		require.NoError(t, err, "the handler must answer instead of waiting for the body")
		return resp, time.Since(start), func() { resp.Body.Close(); conn.Close() }
	}
	for _, id := range []string{"wrapped-1", "wrapped-2"} {
		resp, took, done := trickle(id)
		require.Equal(t, http.StatusRequestTimeout, resp.StatusCode)
		require.True(t, resp.Close, "the connection is closed after a 408")
		require.Less(t, took, 2*time.Second)
		done()
	}
	require.Zero(t, calls.Load())

	resp, err := srv.Client().Post(srv.URL, "application/json", bytes.NewReader(signedBody(t, "wrapped-ok")))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.EqualValues(t, 1, calls.Load())

	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, 1, strings.Count(logs.String(), "does not expose the connection's read deadline"), logs.String())
}

type lockedBuffer struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// L4: ParseCallback checks the signature only. The exported CheckFresh and
// DedupKeys give a receiver of its own the handler's freshness and replay
// rules, with the handler's limits at the edges.
func TestCheckFreshAndDedupKeysOutsideTheHandler(t *testing.T) {
	const secret = "s3cret"
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	ev, err := NewCallbackEvent("app", EventUserJoinRoom, map[string]any{"RoomId": "r", "UserId": "u"})
	require.NoError(t, err)
	ev.EventID, ev.Nonce, ev.EventTime = "id-a", "id-b", at.Format(time.RFC3339)
	ev.Sign(secret)

	// What the signature alone lets through.
	permuted := *ev
	permuted.EventID, permuted.Nonce = ev.Nonce, ev.EventID
	require.NoError(t, permuted.Verify(secret), "a permuted replay verifies")
	require.NotEqual(t, ev.EventID, permuted.EventID)
	require.Equal(t, ev.DedupKeys()[1], permuted.DedupKeys()[1], "but has the same signature key")
	require.NotEqual(t, ev.DedupKeys()[0], permuted.DedupKeys()[0])
	upper := *ev
	upper.Signature = strings.ToUpper(ev.Signature)
	require.Equal(t, ev.DedupKeys(), upper.DedupKeys(), "hex case makes no new key")
	require.NotContains(t, ev.DedupKeys()[1], ev.Signature)
	require.True(t, strings.HasPrefix(ev.DedupKeys()[1], "sig/"))

	for _, tc := range []struct {
		name string
		now  time.Time
		want error
	}{
		{"now", at, nil},
		{"at the max age", at.Add(time.Hour), nil},
		{"past the max age", at.Add(time.Hour + time.Second), ErrCallbackStale},
		{"a month old", at.Add(30 * 24 * time.Hour), ErrCallbackStale},
		{"ahead by the skew", at.Add(-5 * time.Minute), nil},
		{"ahead by more", at.Add(-5*time.Minute - time.Second), ErrCallbackStale},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ev.CheckFresh(tc.now, DefaultCallbackMaxAge, DefaultCallbackClockSkew)
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.want)
			require.NotErrorIs(t, err, ErrCallbackMalformed)
		})
	}
	for name, mutate := range map[string]func(*CallbackEvent){
		"no EventId":      func(e *CallbackEvent) { e.EventID = "" },
		"EventId shape":   func(e *CallbackEvent) { e.EventID = "a b" },
		"no EventTime":    func(e *CallbackEvent) { e.EventTime = "" },
		"EventTime shape": func(e *CallbackEvent) { e.EventTime = "yesterday" },
	} {
		bad := *ev
		mutate(&bad)
		err := bad.CheckFresh(at, DefaultCallbackMaxAge, DefaultCallbackClockSkew)
		require.ErrorIs(t, err, ErrCallbackMalformed, name)
		require.NotErrorIs(t, err, ErrCallbackStale, name)
	}

	// The handler answers a stale event the same way, with the same rule.
	h, err := NewCallbackHandler(secret, func(context.Context, *CallbackEvent) error { return nil },
		withCallbackClock(func() time.Time { return at.Add(30 * 24 * time.Hour) }))
	require.NoError(t, err)
	body, err := json.Marshal(ev)
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/cb", bytes.NewReader(body)))
	require.Equal(t, http.StatusBadRequest, rec.Code)
	require.Contains(t, rec.Body.String(), "not fresh")
}
