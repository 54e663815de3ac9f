package rtcredis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/volcrtc/rtc"
)

func TestDedupKey(t *testing.T) {
	s := NewDedupStore(nil)
	long := strings.Repeat("x", 10000)
	tests := []struct {
		name, eventKey, want string
	}{
		{"raw id", "evt-123", DefaultDedupKeyPrefix + "e:evt-123"},
		{"longest raw", strings.Repeat("a", MaxDedupRawKey), DefaultDedupKeyPrefix + "e:" + strings.Repeat("a", MaxDedupRawKey)},
		{"long id hashed", long, ""},
		{"space hashed", "a b", ""},
		{"control byte hashed", "a\nb", ""},
		{"non-ASCII hashed", "événement", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := s.Key(tc.eventKey)
			if tc.want != "" {
				require.Equal(t, tc.want, k)
				return
			}
			require.True(t, strings.HasPrefix(k, DefaultDedupKeyPrefix+"h:"), k)
			require.Len(t, k, len(DefaultDedupKeyPrefix)+2+64)
		})
	}
	require.NotEqual(t, s.Key(long), s.Key(long+"y"), "different long keys, different hashes")
	require.NotEqual(t, s.Key(strings.Repeat("a", MaxDedupRawKey+1)), s.Key(strings.Repeat("a", MaxDedupRawKey)))
	// A raw key that spells a hash cannot meet the hashed key itself.
	h := strings.TrimPrefix(s.Key(long), DefaultDedupKeyPrefix)
	require.NotEqual(t, s.Key(long), s.Key(h))
	require.Equal(t, "app1:e:x", NewDedupStore(nil, WithDedupKeyPrefix("app1:")).Key("x"))
}

func TestDedupFailureModeString(t *testing.T) {
	require.Equal(t, "fail-closed", DedupFailClosed.String())
	require.Equal(t, "fail-open", DedupFailOpen.String())
	require.Equal(t, "DedupFailureMode(9)", DedupFailureMode(9).String())
}

func TestDedupDefaults(t *testing.T) {
	s := NewDedupStore(nil, WithDedupLease(0), WithDedupRetention(-1), WithDedupOpTimeout(0),
		WithDedupRetryInterval(0), WithDedupWarnInterval(0), WithDedupLogger(nil), nil)
	require.Equal(t, DefaultDedupLease, s.lease)
	require.Greater(t, s.lease, rtc.DefaultCallbackTimeout+time.Second, "the lease outlasts the handler's timeout and Finish")
	require.Equal(t, 24*time.Hour, s.retention)
	require.Equal(t, DefaultDedupOpTimeout, s.opTimeout)
	require.Equal(t, DedupFailClosed, s.mode)
	require.NotNil(t, s.logger)
}

// Begin, Finish and the lease, on a real Redis, by two stores with their own
// clients (two replicas).
func TestDedupStoreSemantics(t *testing.T) {
	addr := sharedRedis(t)
	ctx := context.Background()
	prefix := uniquePrefix(t)
	const lease = 400 * time.Millisecond
	opts := []DedupOption{WithDedupKeyPrefix(prefix), WithDedupLease(lease), WithDedupRetention(time.Hour),
		WithDedupOpTimeout(2 * time.Second)} // generous: the test machine may be slow
	a := NewDedupStore(newClient(t, addr), opts...)
	b := NewDedupStore(newClient(t, addr), opts...)
	rdb := newClient(t, addr)

	begin := func(s *DedupStore, id string) rtc.DedupStatus {
		t.Helper()
		st, err := s.Begin(ctx, id)
		require.NoError(t, err)
		return st
	}

	// A claim excludes other deliveries; a failure releases it.
	require.Equal(t, rtc.DedupNew, begin(a, "e1"))
	require.Equal(t, rtc.DedupInProgress, begin(b, "e1"))
	require.Equal(t, rtc.DedupInProgress, begin(a, "e1"))
	require.NoError(t, a.Finish(ctx, "e1", false))
	require.Equal(t, rtc.DedupNew, begin(b, "e1"), "released: the redelivery is processed")

	// Success is remembered for the retention, by every replica.
	require.NoError(t, b.Finish(ctx, "e1", true))
	require.Equal(t, rtc.DedupDone, begin(a, "e1"))
	require.Equal(t, rtc.DedupDone, begin(b, "e1"))
	ttl, err := rdb.PTTL(ctx, a.Key("e1")).Result()
	require.NoError(t, err)
	require.InDelta(t, time.Hour.Seconds(), ttl.Seconds(), 5)

	// A claim that is never finished ends with its lease.
	require.Equal(t, rtc.DedupNew, begin(a, "e2"))
	ttl, err = rdb.PTTL(ctx, a.Key("e2")).Result()
	require.NoError(t, err)
	require.LessOrEqual(t, ttl, lease)
	require.Greater(t, ttl, time.Duration(0))
	time.Sleep(lease + 100*time.Millisecond)
	require.Equal(t, rtc.DedupNew, begin(b, "e2"), "the lease is over")
	// The late first claimant's failure does not release b's claim.
	require.NoError(t, a.Finish(ctx, "e2", false))
	require.Equal(t, rtc.DedupInProgress, begin(a, "e2"))
	require.NoError(t, b.Finish(ctx, "e2", true))
	require.Equal(t, rtc.DedupDone, begin(a, "e2"))

	// An event key of any length takes a bounded Redis key.
	long := strings.Repeat("k", 1<<16)
	require.Equal(t, rtc.DedupNew, begin(a, long))
	require.Equal(t, rtc.DedupInProgress, begin(b, long))
	n, err := rdb.Exists(ctx, a.Key(long)).Result()
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	require.Less(t, len(a.Key(long)), len(prefix)+70)
	require.NoError(t, a.Finish(ctx, long, true))
	require.Equal(t, rtc.DedupDone, begin(b, long))

	// The stores never saw Redis fail.
	require.Zero(t, a.Failures()+b.Failures())
	require.False(t, a.Degraded())
}

// Three replicas with their own Redis clients; 200 events, each delivered
// three times at once to different replicas (and delivered again, as RTC
// does, while another delivery holds it): each is processed exactly once.
func TestDedupReplicas(t *testing.T) {
	addr := sharedRedis(t)
	const replicas, events, copies = 3, 200, 3
	rig := newDedupRig(t, addr, replicas, WithDedupKeyPrefix(uniquePrefix(t)))
	ids, bodies := newEvents(t, events)

	rig.deliverAll(bodies, copies, 30*time.Second)

	processed, dups := rig.summary(ids)
	line := dedupLine(events, int(rig.deliveries.Load()), processed, dups)
	t.Log(line)
	fmt.Println(line)
	t.Logf("answers: 200=%d 409=%d 500=%d 503=%d", rig.status(200), rig.status(409), rig.status(500), rig.status(503))
	rig.requireEachProcessedOnce(ids)
	require.Equal(t, events, processed)
	require.Zero(t, dups)
	require.GreaterOrEqual(t, rig.deliveries.Load(), int64(events*copies))
	require.Zero(t, rig.status(http.StatusInternalServerError), "the function never fails here")
	// A 503 (a Redis call that timed out on an overloaded machine) is the
	// fail-closed answer and is redelivered; it is counted above, not failed.
}

// A function that fails the first time: the claim is released and the
// redelivery, to another replica, runs it again; later deliveries do not.
func TestDedupFailedEventProcessedOnRedelivery(t *testing.T) {
	addr := sharedRedis(t)
	rig := newDedupRig(t, addr, 3, WithDedupKeyPrefix(uniquePrefix(t)))
	rig.failOnce = true
	ids, bodies := newEvents(t, 20)
	for i, b := range bodies {
		require.Equal(t, http.StatusInternalServerError, rig.deliver(i, b), "first attempt fails: 500")
		require.Equal(t, http.StatusOK, rig.deliver(i+1, b), "redelivery to another replica is processed")
		require.Equal(t, http.StatusOK, rig.deliver(i+2, b), "later delivery acknowledged")
		calls, processed := rig.counts(ids[i])
		require.Equal(t, 2, calls)
		require.Equal(t, 1, processed)
	}
}

// A replica that claims an event and dies (never finishes): other replicas
// answer 409 until the lease ends, then process the event once.
func TestDedupAbandonedClaim(t *testing.T) {
	addr := sharedRedis(t)
	prefix := uniquePrefix(t)
	const lease = 2 * time.Second // long enough for the 409s below on a slow machine
	rig := newDedupRig(t, addr, 2, WithDedupKeyPrefix(prefix), WithDedupLease(lease))
	dead := NewDedupStore(newClient(t, addr), WithDedupKeyPrefix(prefix), WithDedupLease(lease), WithDedupOpTimeout(2*time.Second))
	ids, bodies := newEvents(t, 5)

	start := time.Now()
	for _, id := range ids {
		st, err := dead.Begin(context.Background(), id)
		require.NoError(t, err)
		require.Equal(t, rtc.DedupNew, st)
	}
	for i, b := range bodies {
		require.Equal(t, http.StatusConflict, rig.deliver(i, b), "held by the dead replica")
	}
	rig.deliverAll(bodies, 2, 10*time.Second)
	require.GreaterOrEqual(t, time.Since(start), lease)
	rig.requireEachProcessedOnce(ids)
	require.Positive(t, rig.status(http.StatusConflict))
}

// Redis unreachable mid-run (the connections cut, the data kept): the chosen
// failure mode, one warning per store, and once Redis is back no event is
// processed twice.
func TestDedupRedisOutage(t *testing.T) {
	addr := sharedRedis(t)

	t.Run("fail closed", func(t *testing.T) {
		proxy := startProxy(t, addr)
		logger, logs := newLogger()
		rig := newDedupRig(t, proxy.Addr(), 3, WithDedupKeyPrefix(uniquePrefix(t)),
			WithDedupLogger(logger), WithDedupWarnInterval(time.Minute))
		before, beforeBodies := newEvents(t, 30)
		rig.deliverAll(beforeBodies, 3, 20*time.Second)
		rig.requireEachProcessedOnce(before)

		proxy.Cut()
		during, duringBodies := newEvents(t, 30)
		for i, b := range append(duringBodies, beforeBodies...) {
			require.Equal(t, http.StatusServiceUnavailable, rig.deliver(i, b), "no claim possible: 503")
		}
		for _, id := range during {
			calls, _ := rig.counts(id)
			require.Zero(t, calls, "nothing is processed while Redis is down")
		}
		require.Equal(t, 3, logs.count("rtcredis: redis unavailable"), "one warning per store")
		require.Contains(t, logs.String(), "answers 503")

		proxy.Restore()
		all := append(append([]string{}, before...), during...)
		rig.deliverAll(append(beforeBodies, duringBodies...), 3, 20*time.Second)
		rig.requireEachProcessedOnce(all)
		require.Positive(t, logs.count("redis reachable again"))
		for _, s := range rig.stores {
			require.False(t, s.Degraded())
			require.Positive(t, s.Failures())
		}
		processed, dups := rig.summary(all)
		t.Logf("fail closed: %s", dedupLine(len(all), int(rig.deliveries.Load()), processed, dups))
	})

	t.Run("fail open", func(t *testing.T) {
		proxy := startProxy(t, addr)
		logger, logs := newLogger()
		rig := newDedupRig(t, proxy.Addr(), 3, WithDedupKeyPrefix(uniquePrefix(t)), WithDedupFailureMode(DedupFailOpen),
			WithDedupLogger(logger), WithDedupWarnInterval(time.Minute),
			WithDedupRetryInterval(100*time.Millisecond))
		before, beforeBodies := newEvents(t, 30)
		rig.deliverAll(beforeBodies, 3, 20*time.Second)
		rig.requireEachProcessedOnce(before)

		proxy.Cut()
		during, duringBodies := newEvents(t, 30)
		for i, b := range duringBodies {
			require.Equal(t, http.StatusOK, rig.deliver(i, b), "processed without deduplication")
		}
		rig.requireEachProcessedOnce(during)
		// A second delivery to the same replica is still caught by what the
		// replica itself processed.
		for i, b := range duringBodies {
			require.Equal(t, http.StatusOK, rig.deliver(i, b))
		}
		rig.requireEachProcessedOnce(during)
		require.Equal(t, 3, logs.count("rtcredis: redis unavailable"), "one warning per store")
		require.Contains(t, logs.String(), "without deduplication")
		pending := 0
		for _, s := range rig.stores {
			pending += s.Pending()
		}
		// (The handler may record more than one key per event.)
		require.GreaterOrEqual(t, pending, len(during), "outcomes kept to record later")

		proxy.Restore()
		require.Eventually(t, func() bool {
			for _, s := range rig.stores {
				if s.Pending() != 0 {
					return false
				}
			}
			return true
		}, 5*time.Second, 20*time.Millisecond, "outcomes recorded once Redis answers")
		all := append(append([]string{}, before...), during...)
		rig.deliverAll(append(beforeBodies, duringBodies...), 3, 20*time.Second)
		rig.requireEachProcessedOnce(all)
		processed, dups := rig.summary(all)
		t.Logf("fail open: %s", dedupLine(len(all), int(rig.deliveries.Load()), processed, dups))
	})
}

// Redis goes away while an event is being processed: the handler still
// answers 200 (the event was processed), the store keeps the outcome and
// records it once Redis answers, so redeliveries after the claim's lease
// are not processed again, on any replica.
func TestDedupOutageDuringProcessing(t *testing.T) {
	addr := sharedRedis(t)
	proxy := startProxy(t, addr)
	logger, _ := newLogger()
	const lease = 300 * time.Millisecond
	rig := newDedupRig(t, proxy.Addr(), 3, WithDedupKeyPrefix(uniquePrefix(t)), WithDedupLease(lease),
		WithDedupLogger(logger), WithDedupRetryInterval(50*time.Millisecond))
	ids, bodies := newEvents(t, 1)
	started, release := make(chan struct{}), make(chan struct{})
	rig.during = func(*rtc.CallbackEvent) { close(started); <-release }

	answer := make(chan int, 1)
	go func() { answer <- rig.deliver(0, bodies[0]) }()
	<-started
	proxy.Cut()
	close(release)
	require.Equal(t, http.StatusOK, <-answer, "processed: 200 although Redis did not take the outcome")
	require.Positive(t, rig.stores[0].Pending())
	rig.during = nil

	time.Sleep(lease + 100*time.Millisecond) // the claim has expired
	proxy.Restore()
	require.Eventually(t, func() bool { return rig.stores[0].Pending() == 0 }, 5*time.Second, 10*time.Millisecond)
	rig.deliverAll(bodies, 3, 10*time.Second)
	rig.requireEachProcessedOnce(ids)
}

// A server that accepts connections and never answers: every call returns
// within the store's timeout, whatever the client's own timeouts.
func TestDedupHangingRedis(t *testing.T) {
	addr := hangingListener(t)
	rdb := redis.NewClient(&redis.Options{Addr: addr, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, MaxRetries: -1})
	t.Cleanup(func() { _ = rdb.Close() })
	logger, logs := newLogger()
	s := NewDedupStore(rdb, WithDedupOpTimeout(100*time.Millisecond), WithDedupLogger(logger))

	start := time.Now()
	_, err := s.Begin(context.Background(), "h1")
	require.Error(t, err)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), time.Second)
	require.True(t, s.Degraded())

	start = time.Now()
	require.Error(t, s.Finish(context.Background(), "h1", true))
	require.Less(t, time.Since(start), time.Second)
	require.Equal(t, 1, logs.count("rtcredis: redis unavailable"), "rate-limited warning")
}

// A panic anywhere in the go-redis call path becomes an error, handled as
// Redis being down; the handler answers 503 and the process lives on.
func TestDedupPanickingClient(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: closedAddr(t), MaxRetries: -1})
	rdb.AddHook(panicHook{})
	t.Cleanup(func() { _ = rdb.Close() })
	logger, _ := newLogger()

	s := NewDedupStore(rdb, WithDedupLogger(logger))
	_, err := s.Begin(context.Background(), "p1")
	require.ErrorIs(t, err, errPanicked)
	require.Contains(t, err.Error(), "hook exploded")
	require.ErrorIs(t, s.Finish(context.Background(), "p1", true), errPanicked)

	h, err := rtc.NewCallbackHandler(dedupTestSecret, func(context.Context, *rtc.CallbackEvent) error {
		t.Error("the function ran although nothing was claimed")
		return nil
	}, rtc.WithCallbackDedup(s))
	require.NoError(t, err)
	rig := &dedupRig{t: t, client: http.DefaultClient}
	_, bodies := newEvents(t, 1)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	rig.servers = append(rig.servers, srv)
	require.Equal(t, http.StatusServiceUnavailable, rig.deliver(0, bodies[0]))

	open := NewDedupStore(rdb, WithDedupLogger(logger), WithDedupFailureMode(DedupFailOpen))
	st, err := open.Begin(context.Background(), "p2")
	require.NoError(t, err)
	require.Equal(t, rtc.DedupNew, st, "fail open: processed without deduplication")
}

// No client at all counts as Redis down.
func TestDedupNilClient(t *testing.T) {
	logger, logs := newLogger()
	s := NewDedupStore(nil, WithDedupLogger(logger))
	_, err := s.Begin(context.Background(), "n1")
	require.Error(t, err)
	require.True(t, errors.Is(err, errNoClient))
	require.Equal(t, 1, logs.count("rtcredis: redis unavailable"))
}

// A caller that gives up is not Redis failing: no failure counted, no
// failure mode applied.
func TestDedupCallerGivesUp(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: hangingListener(t), MaxRetries: -1})
	t.Cleanup(func() { _ = rdb.Close() })
	logger, logs := newLogger()
	s := NewDedupStore(rdb, WithDedupOpTimeout(time.Second), WithDedupLogger(logger), WithDedupFailureMode(DedupFailOpen))

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := s.Begin(ctx, "gone")
	require.ErrorIs(t, err, context.DeadlineExceeded, "fail open does not hand out an event whose caller left")
	require.Less(t, time.Since(start), 500*time.Millisecond)
	require.Zero(t, s.Failures())
	require.False(t, s.Degraded())
	require.Zero(t, logs.count("redis unavailable"))
}

// The cost a deduplicated delivery adds: one Begin and one Finish, two
// round trips to Redis.
func BenchmarkDedupBeginFinish(b *testing.B) {
	addr := os.Getenv("REDIS_ADDR")
	if addr == "" {
		b.Skip("REDIS_ADDR is not set (run with scripts/with-redis.sh)")
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	var p [6]byte
	_, _ = rand.Read(p[:])
	s := NewDedupStore(rdb, WithDedupKeyPrefix("rtc:bench:"+hex.EncodeToString(p[:])+":"), WithDedupRetention(time.Minute))
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		key := strconv.Itoa(i)
		if st, err := s.Begin(ctx, key); err != nil || st != rtc.DedupNew {
			b.Fatal(st, err)
		}
		if err := s.Finish(ctx, key, true); err != nil {
			b.Fatal(err)
		}
	}
}
