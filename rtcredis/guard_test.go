package rtcredis

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/volcrtc/rtc"
)

// scriptConn is a net.Conn whose reads return the given chunks in turn.
type scriptConn struct {
	net.Conn
	chunks []string
	closed bool
}

func (c *scriptConn) Read(p []byte) (int, error) {
	if len(c.chunks) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.chunks[0])
	c.chunks[0] = c.chunks[0][n:]
	if c.chunks[0] == "" {
		c.chunks = c.chunks[1:]
	}
	return n, nil
}

func (c *scriptConn) Close() error { c.closed = true; return nil }

func readAllGuarded(chunks ...string) (*replyGuard, *scriptConn, error) {
	sc := &scriptConn{chunks: chunks}
	g := guardConn(sc).(*replyGuard)
	_, err := io.ReadAll(g)
	return g, sc, err
}

// Well-formed replies of every RESP2 and RESP3 type pass unchanged, split
// anywhere across reads, and leave nothing pending.
func TestReplyGuardPassesWellFormedReplies(t *testing.T) {
	stream := "+OK\r\n-ERR no\r\n:42\r\n$5\r\nhe\r\nl\r\n$-1\r\n*-1\r\n*0\r\n" +
		"*4\r\n:1\r\n:0\r\n:5\r\n:5\r\n" +
		"*2\r\n*2\r\n$1\r\na\r\n_\r\n%1\r\n+k\r\n~2\r\n,1.5\r\n#t\r\n" +
		"|1\r\n+ttl\r\n:3\r\n$3\r\nabc\r\n" +
		">2\r\n+message\r\n(12345678901234567890\r\n=7\r\ntxt:abc\r\n!3\r\nbad\r\n"
	for _, size := range []int{1, 3, 7, len(stream)} {
		var chunks []string
		for i := 0; i < len(stream); i += size {
			chunks = append(chunks, stream[i:min(i+size, len(stream))])
		}
		g, sc, err := readAllGuarded(chunks...)
		require.NoError(t, err, "chunk size %d", size)
		require.False(t, sc.closed)
		require.Zero(t, g.pending, "chunk size %d", size)
		require.Empty(t, g.stack, "chunk size %d", size)
	}
}

// Headers that announce more than the limits, or that are not RESP, fail
// the connection before go-redis sees them.
func TestReplyGuardRefusesHostileHeaders(t *testing.T) {
	hostile := map[string][]string{
		"huge array":                {"*2147483648\r\n"},
		"huge array split":          {"*21474", "83648\r\n"},
		"huge map":                  {"%1073741824\r\n"},
		"huge bulk":                 {"$2147483647\r\n"},
		"huge verbatim":             {"=999999999\r\n"},
		"nested arrays add up":      {"*1000\r\n" + "*1048000\r\n"},
		"overflowing length":        {"*99999999999999999999999\r\n"},
		"negative length":           {"*-2\r\n"},
		"not a number":              {"$abc\r\n"},
		"not RESP":                  {"HTTP/1.1 200 OK\r\n"},
		"endless line":              {"+" + string(bytes.Repeat([]byte("a"), maxReplyLine+1))},
		"after a good reply":        {"+OK\r\n", "*2147483648\r\n"},
		"inside a good reply":       {"*2\r\n:1\r\n", "*2147483648\r\n"},
		"elements beyond the limit": {"*1048576\r\n", "*1\r\n"},
	}
	for name, chunks := range hostile {
		t.Run(name, func(t *testing.T) {
			_, sc, err := readAllGuarded(chunks...)
			require.ErrorIs(t, err, ErrHostileReply)
			require.True(t, sc.closed, "the connection is closed")
		})
	}
}

// M3: a fake Redis on loopback answers the stores' scripts with a 14-byte
// header announcing 2^31 elements (or a 2 GiB string). Without the guard
// go-redis allocates for it and the process dies; with it the command fails
// and each store applies its documented fallback: the DedupStore refuses
// the event (fail-closed, the handler answers 503) or hands it over
// (fail-open), the Limiter limits locally.
func TestStoresSurviveHostileRedis(t *testing.T) {
	for name, reply := range map[string]string{
		"array of 2^31": "*2147483648\r\n",
		"2 GiB string":  "$2147483647\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			addr := fakeRedis(t, reply)
			newClient := func() *redis.Client {
				c := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true, MaxRetries: -1})
				t.Cleanup(func() { c.Close() })
				return c
			}
			var logs bytes.Buffer
			var mu sync.Mutex
			logger := slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil))
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()

			closed := NewDedupStore(newClient(), WithDedupLogger(logger), WithDedupOpTimeout(2*time.Second))
			_, err := closed.Begin(ctx, "ev-1")
			require.ErrorIs(t, err, ErrHostileReply)
			require.True(t, closed.Degraded())

			open := NewDedupStore(newClient(), WithDedupLogger(logger), WithDedupOpTimeout(2*time.Second), WithDedupFailureMode(DedupFailOpen))
			st, err := open.Begin(ctx, "ev-1")
			require.NoError(t, err)
			require.Equal(t, rtc.DedupNew, st)

			lim := NewLimiter(newClient(), "AKLTexample", WithLimiterLogger(logger), WithLimiterOpTimeout(2*time.Second))
			require.NoError(t, lim.Wait(ctx, "KickUser"), "falls back to the local limiter")
			require.True(t, lim.Degraded())

			// Behind a handler the fail-closed store answers 503.
			ran := false
			h, err := rtc.NewCallbackHandler(dedupTestSecret, func(context.Context, *rtc.CallbackEvent) error { ran = true; return nil }, rtc.WithCallbackDedup(closed))
			require.NoError(t, err)
			_, bodies := newEvents(t, 1)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/cb", bytes.NewReader(bodies[0])))
			require.Equal(t, http.StatusServiceUnavailable, rec.Code)
			require.False(t, ran)
			mu.Lock()
			defer mu.Unlock()
			require.Contains(t, logs.String(), "redis reply refused by the guard")
		})
	}
}

// GuardClient hooks a client once however many stores share it, and
// GuardOptions guards a client from its first connection.
func TestGuardClientOnceAndGuardOptions(t *testing.T) {
	addr := fakeRedis(t, "*2147483648\r\n")
	rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true, MaxRetries: -1})
	defer rdb.Close()
	GuardClient(rdb)
	GuardClient(rdb)
	n := 0
	guarded.Range(func(k, _ any) bool {
		if k == any(rdb) {
			n++
		}
		return true
	})
	require.Equal(t, 1, n)

	opt := &redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true, MaxRetries: -1}
	GuardOptions(opt)
	plain := redis.NewClient(opt)
	defer plain.Close()
	err := plain.Eval(context.Background(), "return 1", nil).Err()
	require.ErrorIs(t, err, ErrHostileReply)
}

// Issue 26 item 6: a lease shorter than the callback timeout plus a second
// is reported when the store is built, and the handler refuses a timeout
// that is not shorter than the store's lease.
func TestDedupLeaseShorterThanTimeoutWarned(t *testing.T) {
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil))
	short := NewDedupStore(nil, WithDedupLogger(logger), WithDedupLease(3*time.Second))
	mu.Lock()
	require.Contains(t, logs.String(), "dedup lease is shorter than rtc.DefaultCallbackTimeout")
	logs.Reset()
	mu.Unlock()
	_, err := rtc.NewCallbackHandler(dedupTestSecret, func(context.Context, *rtc.CallbackEvent) error { return nil }, rtc.WithCallbackDedup(short))
	require.ErrorContains(t, err, "not shorter than the dedup store's lease 3s")

	def := NewDedupStore(nil, WithDedupLogger(logger))
	mu.Lock()
	require.Empty(t, logs.String(), "the default lease is long enough")
	mu.Unlock()
	_, err = rtc.NewCallbackHandler(dedupTestSecret, func(context.Context, *rtc.CallbackEvent) error { return nil }, rtc.WithCallbackDedup(def),
		rtc.WithCallbackTimeout(10*time.Second))
	require.ErrorContains(t, err, "not shorter than the dedup store's lease 6s")
	_, err = rtc.NewCallbackHandler(dedupTestSecret, func(context.Context, *rtc.CallbackEvent) error { return nil }, rtc.WithCallbackDedup(def),
		rtc.WithCallbackMaxAge(48*time.Hour))
	require.ErrorContains(t, err, "longer than the dedup store's retention 24h0m0s")
}

// The TaskStore guards its client like the other stores: a hostile reply to
// a script or to the pending-set read fails the call with ErrHostileReply
// (the process lives), and the tracker in front of it reports the error,
// so the callback handler answers 500 and RTC delivers the event again.
func TestTaskStoreSurvivesHostileRedis(t *testing.T) {
	for name, reply := range map[string]string{
		"array of 2^31": "*2147483648\r\n",
		"2 GiB string":  "$2147483647\r\n",
		"map of 2^30":   "%1073741824\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			addr := fakeRedis(t, reply)
			rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true, MaxRetries: -1})
			t.Cleanup(func() { rdb.Close() })
			store := NewTaskStore(rdb, WithTaskOpTimeout(2*time.Second))
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			ref := rtc.TaskRef{Family: rtc.TaskFamilyRecord, AppID: "app", RoomID: "room", TaskID: "t1"}

			require.ErrorIs(t, store.Track(ctx, ref, time.Now()), ErrHostileReply)
			_, err := store.Observe(ctx, ref, rtc.TaskStatusRunning, time.Now())
			require.ErrorIs(t, err, ErrHostileReply)
			_, err = store.Claim(ctx, ref, "a", time.Now(), time.Minute)
			require.ErrorIs(t, err, ErrHostileReply)
			_, err = store.Pending(ctx)
			require.ErrorIs(t, err, ErrHostileReply)

			client, err := rtc.New(rtc.WithCredentials(rtc.Credentials{AccessKeyID: "AKLTexample", SecretAccessKey: "c2VjcmV0"}), rtc.WithEndpoint("http://127.0.0.1:1"))
			require.NoError(t, err)
			delivered := 0
			tr, err := rtc.NewTaskTracker(client, store, func(context.Context, *rtc.TaskOutcome) error { delivered++; return nil })
			require.NoError(t, err)
			h, err := rtc.NewCallbackHandler(dedupTestSecret, tr.HandleEvent)
			require.NoError(t, err)
			ev, err := rtc.NewCallbackEvent("app", rtc.EventRecordStopped, map[string]any{"AppId": "app", "RoomId": "room", "TaskId": "t1"})
			require.NoError(t, err)
			ev.Sign(dedupTestSecret)
			body, err := json.Marshal(ev)
			require.NoError(t, err)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/cb", bytes.NewReader(body)))
			require.Equal(t, http.StatusInternalServerError, rec.Code, rec.Body.String())
			require.Zero(t, delivered)
		})
	}
}
