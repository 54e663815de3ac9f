// Command sharedquota shows why replicas of one service need what rtcredis
// shares through Redis: the account's rate limit, and which callback events
// were processed.
//
// The vendor counts each action's QPS quota per account. Several replicas
// that each limit themselves to the quota send several times the quota
// together; limiters that keep one budget in Redis do not.
//
// RTC delivers an event callback again when the answer is slow or not 200,
// and a load balancer sends the deliveries to different replicas. Replicas
// that each remember the events they processed process redeliveries again;
// handlers that share an rtcredis.DedupStore process each event once. Both
// pieces use the same Redis client in each replica.
//
//	cd examples/sharedquota && go run .                         # no Redis: in-memory demonstration
//	REDIS_ADDR=127.0.0.1:6379 go run .                          # replicas share a budget in Redis
//	../../scripts/with-redis.sh go run .                        # same, with a throw-away Redis
//
// Every replica is an rtc.Client with its own limiter and a callback
// handler on a loopback port; every request goes to the SDK's fake RTC
// OpenAPI server (package rtctest) running in-process, which records what it
// receives; nothing leaves the machine.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/rtcredis"
	"github.com/volcrtc/rtc/rtctest"
)

// limiter is what the rtc client asks before every attempt.
type limiter = rtc.RateLimiter

func main() {
	replicas := flag.Int("replicas", 4, "number of simulated service replicas")
	qps := flag.Float64("qps", 20, "account quota for the action, calls per second")
	duration := flag.Duration("duration", 3*time.Second, "how long each scenario runs")
	action := flag.String("action", "KickUser", "action every replica calls")
	events := flag.Int("events", 30, "callback events to deliver, each several times")
	flag.Parse()

	if err := run(os.Stdout, *replicas, *qps, *duration, *action, *events, os.Getenv("REDIS_ADDR")); err != nil {
		fmt.Fprintln(os.Stderr, "sharedquota:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, replicas int, qps float64, d time.Duration, action string, events int, redisAddr string) error {
	if replicas < 1 || qps <= 0 || d <= 0 || events < 1 {
		return fmt.Errorf("replicas, qps, duration and events must be positive")
	}
	// The fake server keeps the rtctest.MaxRecorded most recent requests;
	// a scenario sends at most about replicas × (qps × duration + 1).
	if float64(replicas)*(qps*d.Seconds()+1) > rtctest.MaxRecorded {
		return fmt.Errorf("replicas × qps × duration must stay under %d calls, the fake server's record", rtctest.MaxRecorded)
	}
	srv := rtctest.NewServer(rtctest.WithCredentials(accessKeyID, secretAccessKey))
	defer srv.Close()
	limits := map[string]rtc.Limit{action: {QPS: qps, Burst: 1}}

	fmt.Fprintf(w, "%d replicas call %s; the account quota is %g QPS.\n\n", replicas, action, qps)

	// 1. Each replica limits itself: together they exceed the quota.
	perReplica := make([]limiter, replicas)
	for i := range perReplica {
		perReplica[i] = rtc.NewLocalLimiter(rtc.DefaultLimit(), limits)
	}
	if err := observe(w, "a LocalLimiter in each replica", srv, perReplica, d, action, qps); err != nil {
		return err
	}

	if redisAddr == "" {
		fmt.Fprintln(w, "\nREDIS_ADDR is not set, so the replicas cannot share a budget across processes.")
		fmt.Fprintln(w, "Inside one process a single LocalLimiter is enough; across processes, set REDIS_ADDR")
		fmt.Fprintln(w, "(or run ../../scripts/with-redis.sh go run .) to see rtcredis do the same.")
		shared := rtc.NewLocalLimiter(rtc.DefaultLimit(), limits)
		same := make([]limiter, replicas)
		for i := range same {
			same[i] = shared
		}
		if err := observe(w, "one LocalLimiter shared in-process", srv, same, d, action, qps); err != nil {
			return err
		}

		// The same for callbacks: a store per replica processes redelivered
		// events again; in one process, one store is enough.
		fmt.Fprintf(w, "\nEach of %d callback events is delivered %d times at once to different replicas.\n\n", events, copiesPerEvent)
		if _, err := observeCallbacks(w, "a MemoryDedupStore in each replica", srv, same, memoryStores(replicas, false), events, action); err != nil {
			return err
		}
		_, err := observeCallbacks(w, "one MemoryDedupStore shared in-process", srv, same, memoryStores(replicas, true), events, action)
		return err
	}

	// 2. Each replica has its own Redis connection, as separate processes do,
	// and they share one budget keyed by the account's access key id.
	prefix := fmt.Sprintf("rtc:example:%d:", time.Now().UnixNano())
	shared := make([]limiter, replicas)
	stores := make([]rtc.DedupStore, replicas)
	for i := range shared {
		rdb := redis.NewClient(&redis.Options{Addr: redisAddr, ContextTimeoutEnabled: true})
		defer rdb.Close()
		shared[i] = rtcredis.NewLimiter(rdb, accessKeyID,
			rtcredis.WithLimiterKeyPrefix(prefix+"quota:"),
			rtcredis.WithLimits(rtc.DefaultLimit(), limits))
		// The same Redis client also keeps which callback events were
		// processed, so any replica skips an event another one handled.
		stores[i] = rtcredis.NewDedupStore(rdb, rtcredis.WithDedupKeyPrefix(prefix+"dedup:"))
	}
	if err := observe(w, "rtcredis, budget shared in Redis "+redisAddr, srv, shared, d, action, qps); err != nil {
		return err
	}

	// 3. Callbacks: each replica's handler deduplicates in the same Redis
	// and acts on the event under the shared quota.
	fmt.Fprintf(w, "\nEach of %d callback events is delivered %d times at once to different replicas.\n\n", events, copiesPerEvent)
	if _, err := observeCallbacks(w, "a MemoryDedupStore in each replica", srv, shared, memoryStores(replicas, false), events, action); err != nil {
		return err
	}
	_, err := observeCallbacks(w, "rtcredis.DedupStore shared in Redis", srv, shared, stores, events, action)
	return err
}

// memoryStores returns one in-memory store per replica, or the same one for
// all when shared.
func memoryStores(replicas int, shared bool) []rtc.DedupStore {
	stores := make([]rtc.DedupStore, replicas)
	one := rtc.NewMemoryDedupStore(time.Hour, 10000)
	for i := range stores {
		if !shared {
			one = rtc.NewMemoryDedupStore(time.Hour, 10000)
		}
		stores[i] = one
	}
	return stores
}

// The example account's made-up key pair: the fake server accepts it and
// nothing else does.
const (
	accessKeyID     = "AKLTexampleAccount"
	secretAccessKey = "ZXhhbXBsZQ=="
)

// observe runs every replica for d, two workers each, and prints the rate
// the fake server saw in total and per replica.
func observe(w io.Writer, label string, srv *rtctest.Server, replicas []limiter, d time.Duration, action string, qps float64) error {
	srv.Reset() // count only this scenario's requests
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	counts := make([]atomic.Int64, len(replicas))
	clients := make([]*rtc.Client, len(replicas))
	for i, lim := range replicas {
		c, err := rtc.New(rtc.WithEndpoint(srv.URL),
			rtc.WithCredentials(rtc.Credentials{AccessKeyID: accessKeyID, SecretAccessKey: secretAccessKey}),
			rtc.WithRateLimiter(lim))
		if err != nil {
			return err
		}
		clients[i] = c
	}
	start := time.Now()
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	for i, c := range clients {
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				in := map[string]string{"AppId": "app", "RoomId": "room", "UserId": "user"}
				for ctx.Err() == nil {
					if _, err := c.Call(ctx, action, "2020-12-01", in, nil); err != nil {
						// The limiter refuses a wait that would pass the
						// deadline: that is the end of the run, not a failure.
						if !errors.Is(err, context.DeadlineExceeded) {
							errOnce.Do(func() { firstErr = err })
						}
						return
					}
					counts[i].Add(1)
				}
			}()
		}
	}
	wg.Wait()
	if firstErr != nil {
		return fmt.Errorf("%s: %w", label, firstErr)
	}
	secs := time.Since(start).Seconds()
	seen := 0
	for _, r := range srv.Requests() {
		if r.Action == action {
			seen++
		}
	}
	total := float64(seen) / secs
	fmt.Fprintf(w, "%-45s observed_qps=%6.2f limit=%g (%.1fx)\n", label+":", total, qps, total/qps)
	parts := make([]string, len(replicas))
	for i := range counts {
		parts[i] = fmt.Sprintf("%.1f", float64(counts[i].Load())/secs)
	}
	fmt.Fprintf(w, "%-45s per replica: %s\n", "", strings.Join(parts, " "))
	return nil
}
