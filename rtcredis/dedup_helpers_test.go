package rtcredis

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/volcrtc/rtc"
)

const dedupTestSecret = "dedup-test-callback-secret"

// tcpProxy forwards loopback connections to a Redis server and can cut them,
// as a network failure would, without the server losing its data.
type tcpProxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

func startProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &tcpProxy{ln: ln, target: target, conns: make(map[net.Conn]struct{})}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(p.Close)
	return p
}

func (p *tcpProxy) Addr() string { return p.ln.Addr().String() }

func (p *tcpProxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.cut {
			p.mu.Unlock()
			_ = c.Close()
			continue
		}
		up, err := net.DialTimeout("tcp", p.target, time.Second)
		if err != nil {
			p.mu.Unlock()
			_ = c.Close()
			continue
		}
		p.conns[c] = struct{}{}
		p.conns[up] = struct{}{}
		p.wg.Add(2)
		p.mu.Unlock()
		pipe := func(dst, src net.Conn) {
			defer p.wg.Done()
			_, _ = io.Copy(dst, src)
			_ = dst.Close()
			_ = src.Close()
			p.mu.Lock()
			delete(p.conns, dst)
			delete(p.conns, src)
			p.mu.Unlock()
		}
		go pipe(up, c)
		go pipe(c, up)
	}
}

// Cut closes every open connection and refuses new ones until Restore.
func (p *tcpProxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	for c := range p.conns {
		_ = c.Close()
	}
}

// Restore lets connections through again.
func (p *tcpProxy) Restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = false
}

func (p *tcpProxy) Close() {
	_ = p.ln.Close()
	p.Cut()
	p.wg.Wait()
}

// dedupRig is a set of callback handler replicas, each with its own Redis
// client, DedupStore and HTTP server, all calling one counting function.
type dedupRig struct {
	t        *testing.T
	stores   []*DedupStore
	servers  []*httptest.Server
	client   *http.Client
	failOnce bool // the function fails on the first call for each event
	// during, when set, runs inside the function before it succeeds.
	during func(ev *rtc.CallbackEvent)

	mu        sync.Mutex
	calls     map[string]int // function calls per event id
	processed map[string]int // successful calls per event id

	deliveries atomic.Int64
	statuses   sync.Map // status code -> *atomic.Int64
}

// newDedupRig starts n replicas whose stores talk to redisAddr, all with
// the same key prefix and the given options.
func newDedupRig(t *testing.T, redisAddr string, n int, opts ...DedupOption) *dedupRig {
	t.Helper()
	r := &dedupRig{
		t:         t,
		client:    &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}},
		calls:     make(map[string]int),
		processed: make(map[string]int),
	}
	t.Cleanup(r.client.CloseIdleConnections)
	// The stores' Redis calls get a generous timeout: these tests check
	// deduplication, and the machine may be slow (race detector, shared
	// cores). A test that checks timeouts passes its own.
	opts = append([]DedupOption{WithDedupOpTimeout(2 * time.Second)}, opts...)
	for range n {
		rdb := redis.NewClient(&redis.Options{
			Addr:        redisAddr,
			DialTimeout: 2 * time.Second, // a loaded machine may be slow to accept
			MaxRetries:  -1,
		})
		t.Cleanup(func() { _ = rdb.Close() })
		store := NewDedupStore(rdb, opts...)
		hopts := []rtc.CallbackOption{rtc.WithCallbackDedup(store)}
		if store.DedupLease() <= rtc.DefaultCallbackTimeout { // the handler refuses a timeout not shorter than the lease
			hopts = append(hopts, rtc.WithCallbackTimeout(store.DedupLease()/2))
		}
		h, err := rtc.NewCallbackHandler(dedupTestSecret, r.handle, hopts...)
		require.NoError(t, err)
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		r.stores = append(r.stores, store)
		r.servers = append(r.servers, srv)
	}
	return r
}

func (r *dedupRig) handle(_ context.Context, ev *rtc.CallbackEvent) error {
	r.mu.Lock()
	r.calls[ev.EventID]++
	first := r.calls[ev.EventID] == 1
	r.mu.Unlock()
	// A little work, so that concurrent deliveries overlap.
	time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
	if r.failOnce && first {
		return errors.New("first attempt fails")
	}
	if r.during != nil {
		r.during(ev)
	}
	r.mu.Lock()
	r.processed[ev.EventID]++
	r.mu.Unlock()
	return nil
}

// newEvents returns n signed events as RTC would send them.
func newEvents(t *testing.T, n int) (ids []string, bodies [][]byte) {
	t.Helper()
	for range n {
		ev, err := rtc.NewCallbackEvent("app-dedup", rtc.EventUserJoinRoom, `{"RoomId":"r","UserId":"u","Timestamp":1}`)
		require.NoError(t, err)
		ev.Sign(dedupTestSecret)
		b, err := json.Marshal(ev)
		require.NoError(t, err)
		ids = append(ids, ev.EventID)
		bodies = append(bodies, b)
	}
	return ids, bodies
}

// deliver posts body to replica i once and returns the status.
func (r *dedupRig) deliver(i int, body []byte) int {
	r.deliveries.Add(1)
	resp, err := r.client.Post(r.servers[i%len(r.servers)].URL, "application/json", bytes.NewReader(body))
	if err != nil {
		r.t.Errorf("delivery to replica %d: %v", i, err)
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	v, _ := r.statuses.LoadOrStore(resp.StatusCode, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
	return resp.StatusCode
}

// deliverUntilOK delivers body as RTC does: to replica start, then, after
// each answer other than 200, again after a short pause to the next
// replica, until 200 or the deadline.
func (r *dedupRig) deliverUntilOK(start int, body []byte, deadline time.Time) int {
	for i := start; ; i++ {
		st := r.deliver(i, body)
		if st == http.StatusOK || time.Now().After(deadline) {
			return st
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// eventsInFlight bounds how many events deliverAll delivers at once (each
// with all its copies), so that the replicas on a small, shared test
// machine under the race detector answer in time.
const eventsInFlight = 50

// deliverAll delivers each body copies times concurrently, copy k starting
// at replica k, each until it is answered 200; it fails the test for a
// delivery never answered 200.
func (r *dedupRig) deliverAll(bodies [][]byte, copies int, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	sem := make(chan struct{}, eventsInFlight)
	var wg sync.WaitGroup
	for _, b := range bodies {
		sem <- struct{}{}
		var event sync.WaitGroup
		for k := range copies {
			wg.Add(1)
			event.Add(1)
			go func() {
				defer wg.Done()
				defer event.Done()
				if st := r.deliverUntilOK(k, b, deadline); st != http.StatusOK {
					r.t.Errorf("a delivery was still answered %d at the deadline", st)
				}
			}()
		}
		go func() { event.Wait(); <-sem }()
	}
	wg.Wait()
}

// counts returns the function's calls and successes for id.
func (r *dedupRig) counts(id string) (calls, processed int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[id], r.processed[id]
}

// summary returns processed events in total and duplicates (successful
// calls beyond the first per event).
func (r *dedupRig) summary(ids []string) (processed, duplicates int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range ids {
		n := r.processed[id]
		processed += n
		if n > 1 {
			duplicates += n - 1
		}
	}
	return processed, duplicates
}

func (r *dedupRig) status(code int) int64 {
	v, ok := r.statuses.Load(code)
	if !ok {
		return 0
	}
	return v.(*atomic.Int64).Load()
}

// requireEachProcessedOnce fails the test for every event not processed
// exactly once.
func (r *dedupRig) requireEachProcessedOnce(ids []string) {
	r.t.Helper()
	bad := 0
	for _, id := range ids {
		if _, p := r.counts(id); p != 1 {
			if bad < 5 {
				r.t.Errorf("event %s processed %d times", id, p)
			}
			bad++
		}
	}
	require.Zero(r.t, bad, "events not processed exactly once")
}

// panicHook makes every command of a go-redis client panic, as a bug in
// the client or a hook would.
type panicHook struct{}

func (panicHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (panicHook) ProcessHook(redis.ProcessHook) redis.ProcessHook {
	return func(context.Context, redis.Cmder) error { panic("hook exploded") }
}
func (panicHook) ProcessPipelineHook(redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(context.Context, []redis.Cmder) error { panic("hook exploded") }
}

// hangingListener accepts connections and never answers, as a frozen
// server would.
func hangingListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return ln.Addr().String()
}

func dedupLine(events, deliveries, processed, duplicates int) string {
	return fmt.Sprintf("dedup: events=%d deliveries=%d processed=%d duplicates=%d", events, deliveries, processed, duplicates)
}
