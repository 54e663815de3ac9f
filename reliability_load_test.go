package rtc_test

// Load and soak: hundreds of goroutines share one client against rtctest
// while about one call in ten meets an injected fault. Nothing may hang,
// panic, leak a goroutine, grow the heap without bound, deliver a message
// twice, or return an error of no known type.

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/rtctest"
)

// relOutcome names the class of a call's result.
func relOutcome(err error) string {
	if err == nil {
		return "ok"
	}
	var ae *rtc.APIError
	var re *rtc.ResponseError
	var ve *rtc.ValidationError
	var ue *url.Error
	var ne net.Error
	switch {
	case errors.As(err, &ae):
		switch {
		case errors.Is(err, rtc.ErrThrottled):
			return "api:throttled"
		case errors.Is(err, rtc.ErrServer):
			return "api:server"
		}
		return "api:" + ae.Code
	case errors.As(err, &re):
		return "response"
	case errors.As(err, &ve):
		return "validation"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "transport:context"
	case errors.As(err, &ue), errors.As(err, &ne):
		return "transport"
	}
	return "untyped"
}

// relLoadFaults is the mix of injected faults, picked uniformly.
var relLoadFaults = []struct {
	name  string
	fault rtctest.Fault
}{
	{"429", rtctest.Fault{Code: "FlowLimitExceeded.QPSOverLimit"}},
	{"503", rtctest.Fault{Status: 503}},
	{"500", rtctest.Fault{Status: 500}},
	{"drop", rtctest.Fault{Drop: rtctest.DropAfterBody}},
}

type relSoakStats struct {
	mu        sync.Mutex
	calls     int
	outcomes  map[string]int // class -> count
	byAction  map[string]map[string]int
	injected  map[string]int
	sentOK    map[string]bool // message text -> its SendUnicast call succeeded
	startedOK []string        // TaskIds whose StartRecord succeeded
}

func (s *relSoakStats) add(action, outcome string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	s.outcomes[outcome]++
	if s.byAction[action] == nil {
		s.byAction[action] = make(map[string]int)
	}
	s.byAction[action][outcome]++
}

func relSorted(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, m[k])
	}
	return strings.Join(parts, " ")
}

func TestReliabilitySoak(t *testing.T) {
	if testing.Short() {
		t.Skip("soak test skipped in -short mode")
	}
	ignore := goleak.IgnoreCurrent()

	const (
		workers     = 300
		callsEach   = 10 // per worker and half
		faultChance = 0.10
	)
	srv := rtctest.NewServer()
	tr := &http.Transport{MaxIdleConns: workers, MaxIdleConnsPerHost: workers}
	client, err := rtc.New(
		rtc.WithEndpoint(srv.URL),
		rtc.WithCredentials(rtc.Credentials{AccessKeyID: rtctest.DemoAccessKeyID, SecretAccessKey: rtctest.DemoSecretAccessKey}),
		rtc.WithHTTPClient(&http.Client{Transport: tr}),
		rtc.WithRetry(relFast),
		rtc.WithTimeout(5*time.Second),
	)
	require.NoError(t, err)

	st := &relSoakStats{outcomes: map[string]int{}, byAction: map[string]map[string]int{}, injected: map[string]int{}, sentOK: map[string]bool{}}
	var served, faulted, messagesDelivered, requests int
	var messageSeen = map[string]int{}

	actions := []string{"GetRoomOnlineUsers", "BanRoomUser", "KickUser", "SendUnicast", "StartRecord"}
	runHalf := func(half int) {
		var wg sync.WaitGroup
		var inflight atomic.Int64
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(half), uint64(w)))
				for i := 0; i < callsEach; i++ {
					if rng.Float64() < faultChance {
						f := relLoadFaults[rng.IntN(len(relLoadFaults))]
						srv.InjectFault("", f.fault)
						st.mu.Lock()
						st.injected[f.name]++
						st.mu.Unlock()
					}
					action := actions[(w+i)%len(actions)]
					id := fmt.Sprintf("h%dw%di%d", half, w, i)
					inflight.Add(1)
					err := relSoakCall(client, action, id)
					inflight.Add(-1)
					outcome := relOutcome(err)
					st.add(action, outcome)
					if err == nil {
						st.mu.Lock()
						switch action {
						case "SendUnicast":
							st.sentOK[id] = true
						case "StartRecord":
							st.startedOK = append(st.startedOK, id)
						}
						st.mu.Unlock()
					}
				}
			}(w)
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(45 * time.Second):
			t.Fatalf("soak half %d: %d calls never returned", half, inflight.Load())
		}
		// Let leftover faults go (a fault injected by a worker's last call
		// may not have been consumed), then collect the server's view and
		// forget its state so that the heap measures the client only.
		srv.ClearFaults()
		for _, r := range srv.Requests() {
			requests++
			if r.Faulted {
				faulted++
			} else if r.ErrorCode == "" {
				served++
			}
		}
		for _, m := range srv.Messages() {
			messagesDelivered++
			messageSeen[m.Message]++
		}
		for _, id := range st.startedOK {
			ti, ok := srv.Task(relAppID, "record", "room-"+id, id)
			require.True(t, ok && ti.Running, "StartRecord %s succeeded but the task is not running", id)
		}
		st.startedOK = st.startedOK[:0]
		srv.Reset()
	}

	start := time.Now()
	heap := make([]uint64, 2)
	goroutines := make([]int, 2)
	for half := 0; half < 2; half++ {
		runHalf(half)
		tr.CloseIdleConnections()
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heap[half], goroutines[half] = ms.HeapInuse, runtime.NumGoroutine()
	}
	took := time.Since(start)

	// Every call returned exactly once, with a result or a typed error.
	require.Equal(t, 2*workers*callsEach, st.calls)
	require.Zero(t, st.outcomes["untyped"], "untyped errors: %s", relSorted(st.outcomes))
	require.Zero(t, st.outcomes["validation"])
	require.NotZero(t, st.outcomes["ok"])
	// No message was delivered twice, and each one whose call succeeded was
	// delivered (the fake runs no action it answers with a fault).
	for text, n := range messageSeen {
		require.Equal(t, 1, n, "message %s delivered %d times", text, n)
	}
	for text := range st.sentOK {
		require.Equal(t, 1, messageSeen[text], "message %s reported sent but not delivered", text)
	}
	require.Equal(t, len(st.sentOK), messagesDelivered, "delivered messages = successful SendUnicast calls")
	// Memory steady: the second half does not hold much more than the first.
	const slack = 8 << 20
	require.Less(t, heap[1], heap[0]+slack, "HeapInuse after GC: first half %d, second half %d", heap[0], heap[1])

	// Shut down, then no goroutine of the client or the server may remain.
	srv.Close()
	tr.CloseIdleConnections()
	goleak.VerifyNone(t, ignore)

	injected := 0
	for _, n := range st.injected {
		injected += n
	}
	msg := fmt.Sprintf("reliability soak: %d goroutines, %d calls in %v (%.0f calls/s); %d requests, %d faults injected (%s), %d faulted answers; outcomes: %s; messages delivered %d, none twice; HeapInuse after GC %.1f MiB then %.1f MiB; goroutines %d then %d, none leaked",
		workers, st.calls, took.Round(time.Millisecond), float64(st.calls)/took.Seconds(), requests,
		injected, relSorted(st.injected), faulted, relSorted(st.outcomes), messagesDelivered,
		float64(heap[0])/(1<<20), float64(heap[1])/(1<<20), goroutines[0], goroutines[1])
	t.Log(msg)
	for _, a := range actions {
		t.Logf("  %-18s %s", a, relSorted(st.byAction[a]))
	}
	fmt.Println(msg)
}

// relSoakCall makes one call of action; id makes its input unique.
func relSoakCall(c *rtc.Client, action, id string) error {
	ctx := context.Background()
	var err error
	switch action {
	case "GetRoomOnlineUsers":
		_, err = c.GetRoomOnlineUsers(ctx, &rtc.GetRoomOnlineUsersRequest{AppID: relAppID, RoomID: "room-" + id})
	case "BanRoomUser":
		_, err = c.BanRoomUser(ctx, &rtc.BanRoomUserRequest{AppID: relAppID, RoomID: "room-" + id, UserID: "user", ForbiddenInterval: rtc.Ptr[int32](60)})
	case "KickUser":
		_, err = c.KickUser(ctx, &rtc.KickUserRequest{AppID: relAppID, RoomID: "room-" + id, UserID: "user"})
	case "SendUnicast":
		_, err = c.SendUnicast(ctx, &rtc.SendUnicastRequest{AppID: relAppID, From: "server", To: "user", Message: id})
	case "StartRecord":
		r := relStartRecord()
		r.RoomID, r.TaskID = "room-"+id, id
		_, err = c.StartRecord(ctx, r)
	default:
		err = errors.New("unknown action " + action)
	}
	return err
}
