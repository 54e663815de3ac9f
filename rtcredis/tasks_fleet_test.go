package rtcredis

// The acceptance scenario of rtc.TaskTracker against a real Redis: three
// replicas, each with a tracker on its own go-redis client and a TaskStore
// sharing one prefix. The scenario is the root module's runFleet, copied
// (a nested module cannot import the root's tests).

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/rtctest"
)

func TestTaskStoreFleet(t *testing.T) {
	addr := sharedRedis(t)
	prefix := uniquePrefix(t)
	runFleet(t, func(int) rtc.TaskStore { return NewTaskStore(newClient(t, addr), WithTaskKeyPrefix(prefix)) }, false)
}

func TestTaskStoreFleetKilledReplica(t *testing.T) {
	addr := sharedRedis(t)
	prefix := uniquePrefix(t)
	runFleet(t, func(int) rtc.TaskStore { return NewTaskStore(newClient(t, addr), WithTaskKeyPrefix(prefix)) }, true)
}

const trackSecret = "tracker-callback-secret"

// fakeClock is the trackers' injected clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *fakeClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// outcomes collects delivered outcomes by task.
type outcomes struct {
	mu  sync.Mutex
	got map[string][]rtc.TaskOutcome
}

func newOutcomes() *outcomes { return &outcomes{got: make(map[string][]rtc.TaskOutcome)} }

func (o *outcomes) fn(_ context.Context, x *rtc.TaskOutcome) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.got[x.Task.TaskID] = append(o.got[x.Task.TaskID], *x)
	return nil
}

func (o *outcomes) total() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, l := range o.got {
		n += len(l)
	}
	return n
}

func (o *outcomes) of(id string) []rtc.TaskOutcome {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]rtc.TaskOutcome(nil), o.got[id]...)
}

func trackerClient(t *testing.T, srv *rtctest.Server) *rtc.Client {
	t.Helper()
	c, err := rtc.New(rtc.WithEndpoint(srv.URL),
		rtc.WithCredentials(rtc.Credentials{AccessKeyID: rtctest.DemoAccessKeyID, SecretAccessKey: rtctest.DemoSecretAccessKey}),
		rtc.WithRetry(rtc.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}))
	require.NoError(t, err)
	return c
}

func startRecord(t *testing.T, c *rtc.Client, id string) rtc.TaskRef {
	t.Helper()
	_, err := c.StartRecord(context.Background(), &rtc.StartRecordRequest{
		AppID: "app", RoomID: "room", TaskID: id,
		StorageConfig: &rtc.RecordStorageConfig{TosConfig: &rtc.TosConfig{AccountID: "acc", Bucket: "bkt"}},
	})
	require.NoError(t, err)
	return rtc.TaskRef{Family: rtc.TaskFamilyRecord, AppID: "app", RoomID: "room", TaskID: id}
}

func stopRecord(t *testing.T, c *rtc.Client, id string) {
	t.Helper()
	_, err := c.StopRecord(context.Background(), &rtc.StopRecordRequest{AppID: "app", RoomID: "room", TaskID: id})
	require.NoError(t, err)
}

func flushEvents(t *testing.T, srv *rtctest.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	require.NoError(t, srv.FlushEvents(ctx))
}

// eventTask returns the TaskId in an event's data.
func eventTask(data string) string {
	var d struct{ TaskId string }
	_ = json.Unmarshal([]byte(data), &d)
	return d.TaskId
}

// runFleet: 3 replicas, 50 recordings, a third of the stop callbacks
// dropped, a fifth delivered twice to two replicas, some starts delivered
// after the stops; with kill, replica 0 dies during its second delivery.
func runFleet(t *testing.T, store func(int) rtc.TaskStore, kill bool) {
	const n, replicas = 50, 3
	clock := newFakeClock()
	out := newOutcomes()
	idx := func(id string) int { var i int; _, _ = fmt.Sscanf(id, "t%d", &i); return i }
	dropped := func(i int) bool { return i%3 == 0 }
	dup := func(i int) bool { return i%3 == 1 && i < 30 }
	late := func(i int) bool { return i%7 == 2 && !dropped(i) }

	killCtx, killNow := context.WithCancel(context.Background())
	defer killNow()
	var calls0 atomic.Int32
	trackers := make([]*rtc.TaskTracker, replicas)
	handlers := make([]http.Handler, replicas)
	var srv *rtctest.Server
	var route atomic.Int64
	var dupSent atomic.Int64
	srv = rtctest.NewServer(rtctest.WithEventHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var ev rtc.CallbackEvent
		_ = json.Unmarshal(body, &ev)
		k := int(route.Add(1))
		pick := func(j int) int {
			if kill && killCtx.Err() != nil && j%replicas == 0 {
				j++ // a dead replica gets no traffic
			}
			return j % replicas
		}
		first := pick(k)
		send := func(to int) *httptest.ResponseRecorder {
			rec := httptest.NewRecorder()
			handlers[to].ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/cb", strings.NewReader(string(body))).WithContext(r.Context()))
			return rec
		}
		rec := send(first)
		if ev.EventType == rtc.EventRecordStopped && dup(idx(eventTask(ev.EventData))) {
			dupSent.Add(1)
			send(pick(first + 1))
		}
		w.WriteHeader(rec.Code)
	}), trackSecret))
	defer srv.Close()
	c := trackerClient(t, srv)
	for i := range replicas {
		fn := out.fn
		if kill && i == 0 {
			fn = func(ctx context.Context, o *rtc.TaskOutcome) error {
				if calls0.Add(1) == 2 {
					killNow() // the replica dies mid-delivery: the outcome is not stored
					<-ctx.Done()
					return ctx.Err()
				}
				return out.fn(ctx, o)
			}
		}
		tr, err := rtc.NewTaskTracker(c, store(i), fn, rtc.WithTaskClock(clock.Now),
			rtc.WithTaskPollAfter(30*time.Second), rtc.WithTaskOwner(fmt.Sprintf("replica-%d", i)))
		require.NoError(t, err)
		trackers[i] = tr
		cb := tr.CallbackFunc(nil)
		if kill && i == 0 {
			cb = func(ctx context.Context, ev *rtc.CallbackEvent) error {
				ctx, cancel := context.WithCancel(ctx)
				defer cancel()
				stop := context.AfterFunc(killCtx, cancel)
				defer stop()
				return tr.HandleEvent(ctx, ev)
			}
		}
		h, err := rtc.NewCallbackHandler(trackSecret, cb, rtc.WithoutCallbackDedup())
		require.NoError(t, err)
		handlers[i] = h
	}
	srv.DropEvents(func(e rtctest.Event) bool {
		return e.Type == rtc.EventRecordStopped && dropped(idx(eventTask(e.Data)))
	})
	srv.HoldEvents(func(e rtctest.Event) bool {
		return e.Type == rtc.EventRecordStarted && late(idx(eventTask(e.Data)))
	})

	ctx := context.Background()
	for i := range n {
		id := fmt.Sprintf("t%02d", i)
		ref := startRecord(t, c, id)
		require.NoError(t, trackers[i%replicas].Track(ctx, ref))
	}
	for i := range n {
		id := fmt.Sprintf("t%02d", i)
		stopRecord(t, c, id)
		require.NoError(t, trackers[(i+1)%replicas].StopRequested(ctx, rtc.TaskRef{Family: rtc.TaskFamilyRecord, AppID: "app", RoomID: "room", TaskID: id}))
	}
	flushEvents(t, srv)
	held := srv.ReleaseEvents()
	flushEvents(t, srv)
	fromCallbacks := out.total()

	alive := trackers
	if kill {
		require.Error(t, killCtx.Err(), "replica 0 was killed")
		alive = trackers[1:]
	}
	clock.Add(30 * time.Second)
	for step := 0; out.total() < n && step < 60; step++ {
		for _, tr := range alive {
			require.NoError(t, tr.Tick(ctx))
		}
		clock.Add(time.Second)
	}

	for i := range n {
		if id := fmt.Sprintf("t%02d", i); len(out.of(id)) != 1 {
			t.Logf("%s: %d outcomes", id, len(out.of(id)))
		}
	}
	require.Equal(t, n, out.total(), "one outcome per task")
	var sum rtc.TaskTrackerStats
	for _, tr := range trackers {
		s := tr.Stats()
		sum.Delivered += s.Delivered
		sum.FromCallback += s.FromCallback
		sum.FromPoll += s.FromPoll
		sum.Polls += s.Polls
		sum.Duplicates += s.Duplicates
		sum.LateStarts += s.LateStarts
		sum.Stale += s.Stale
	}
	sources := map[rtc.OutcomeSource]int{}
	for i := range n {
		id := fmt.Sprintf("t%02d", i)
		got := out.of(id)
		require.Len(t, got, 1, id)
		o := got[0]
		sources[o.Source]++
		assert.Equal(t, rtc.TaskStatusEnded, o.Status, id)
		assert.Equal(t, rtc.StopReasonStopByAPI, o.StopReason, id)
		require.Len(t, o.Files, 1, id)
		assert.Contains(t, o.Files[0].ObjectKey, id)
		if dropped(i) {
			assert.Equal(t, rtc.OutcomeFromPoll, o.Source, id)
		} else {
			assert.Equal(t, rtc.OutcomeFromCallback, o.Source, id)
		}
	}
	nDropped := len(srv.DroppedEvents())
	assert.Equal(t, 17, nDropped)
	assert.EqualValues(t, 10, dupSent.Load())
	assert.EqualValues(t, n, sum.Delivered)
	assert.EqualValues(t, 10, sum.Duplicates)
	assert.EqualValues(t, held, sum.LateStarts)
	assert.Equal(t, n-nDropped, sources[rtc.OutcomeFromCallback])
	assert.Equal(t, nDropped, sources[rtc.OutcomeFromPoll])
	t.Logf("fleet (kill=%v): %d tasks, %d outcomes (%d before polling); callbacks %d, polls %d (Get calls %d); "+
		"stop callbacks dropped %d, delivered twice %d, duplicates ignored %d; starts reordered %d, late starts ignored %d",
		kill, n, out.total(), fromCallbacks, sources[rtc.OutcomeFromCallback], sources[rtc.OutcomeFromPoll], sum.Polls,
		nDropped, dupSent.Load(), sum.Duplicates, held, sum.LateStarts)
}
