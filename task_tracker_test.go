package rtc_test

import (
	"context"
	"encoding/json"
	"errors"
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

// oneTracker is a fake with one tracker on a memory store behind a
// callback handler.
type oneTracker struct {
	srv   *rtctest.Server
	c     *rtc.Client
	clock *fakeClock
	out   *outcomes
	tr    *rtc.TaskTracker
}

func newOneTracker(t *testing.T, opts ...rtc.TaskTrackerOption) *oneTracker {
	t.Helper()
	e := &oneTracker{clock: newFakeClock(), out: newOutcomes()}
	var h http.Handler
	e.srv = rtctest.NewServer(rtctest.WithEventHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
	}), trackSecret))
	t.Cleanup(e.srv.Close)
	e.c = trackerClient(t, e.srv)
	var err error
	e.tr, err = rtc.NewTaskTracker(e.c, rtc.NewMemoryTaskStore(), e.out.fn,
		append([]rtc.TaskTrackerOption{rtc.WithTaskClock(e.clock.Now), rtc.WithTaskPollAfter(10 * time.Second)}, opts...)...)
	require.NoError(t, err)
	h, err = rtc.NewCallbackHandler(trackSecret, e.tr.CallbackFunc(nil), rtc.WithoutCallbackDedup())
	require.NoError(t, err)
	return e
}

func TestTaskTrackerCallbackOutcome(t *testing.T) {
	e := newOneTracker(t)
	ctx := context.Background()
	ref := startRecord(t, e.c, "r1")
	require.NoError(t, e.tr.Track(ctx, ref))
	stopRecord(t, e.c, "r1")
	flushEvents(t, e.srv)

	got := e.out.of("r1")
	require.Len(t, got, 1)
	o := got[0]
	assert.Equal(t, ref, o.Task)
	assert.Equal(t, rtc.TaskStatusEnded, o.Status)
	assert.Equal(t, rtc.StopReasonStopByAPI, o.StopReason)
	assert.Equal(t, rtc.OutcomeFromCallback, o.Source)
	require.Len(t, o.Files, 1)
	assert.Contains(t, o.Files[0].ObjectKey, "r1")
	assert.False(t, o.EventTime.IsZero())
	assert.Equal(t, e.clock.Now(), o.SettledAt)
	require.NoError(t, e.tr.Tick(ctx))
	assert.Len(t, e.out.of("r1"), 1, "a delivered outcome is not delivered again")
	assert.EqualValues(t, 1, e.tr.Stats().FromCallback)
	assert.Zero(t, e.tr.Stats().Polls)
}

// The stop callback is lost: no poll before the delay, then a poll settles it.
func TestTaskTrackerPollsAfterStopWhenCallbackDropped(t *testing.T) {
	e := newOneTracker(t)
	ctx := context.Background()
	e.srv.DropEvents(func(ev rtctest.Event) bool { return ev.Type == rtc.EventRecordStopped })
	ref := startRecord(t, e.c, "r1")
	require.NoError(t, e.tr.Track(ctx, ref))
	stopRecord(t, e.c, "r1")
	require.NoError(t, e.tr.StopRequested(ctx, ref))
	flushEvents(t, e.srv)

	e.clock.Add(9 * time.Second)
	require.NoError(t, e.tr.Tick(ctx))
	assert.Zero(t, e.tr.Stats().Polls, "not yet due")
	assert.Zero(t, e.out.total())

	e.clock.Add(time.Second)
	require.NoError(t, e.tr.Tick(ctx))
	got := e.out.of("r1")
	require.Len(t, got, 1)
	assert.Equal(t, rtc.OutcomeFromPoll, got[0].Source)
	assert.Equal(t, rtc.TaskStatusEnded, got[0].Status)
	assert.Equal(t, rtc.StopReasonStopByAPI, got[0].StopReason)
	require.Len(t, got[0].Files, 1)
	assert.False(t, got[0].EndedAt.IsZero())
	assert.EqualValues(t, 1, e.tr.Stats().Polls)
}

// A task nobody stopped is polled after the maximum age; a running answer
// schedules the next poll later (backoff), and EndTask's end settles it.
func TestTaskTrackerPollsAfterMaxAge(t *testing.T) {
	e := newOneTracker(t, rtc.WithTaskMaxAge(time.Hour), rtc.WithTaskPollInterval(time.Minute))
	ctx := context.Background()
	e.srv.DropEvents(func(ev rtctest.Event) bool { return ev.Type == rtc.EventRecordStopped })
	ref := startRecord(t, e.c, "r1")
	require.NoError(t, e.tr.Track(ctx, ref))
	e.clock.Add(time.Hour)
	require.NoError(t, e.tr.Tick(ctx))
	assert.EqualValues(t, 1, e.tr.Stats().Polls)
	assert.Zero(t, e.out.total(), "still running")

	require.NoError(t, e.srv.EndTask("app", "record", "room", "r1", "IdleTimeOut", false))
	require.NoError(t, e.tr.Tick(ctx))
	assert.EqualValues(t, 1, e.tr.Stats().Polls, "the next poll waits its interval")
	e.clock.Add(73 * time.Second) // interval plus the largest jitter (a fifth)
	require.NoError(t, e.tr.Tick(ctx))
	got := e.out.of("r1")
	require.Len(t, got, 1)
	assert.Equal(t, rtc.StopReasonIdleTimeOut, got[0].StopReason)
	assert.Equal(t, rtc.OutcomeFromPoll, got[0].Source)
}

// Polls per second are capped.
func TestTaskTrackerPollRateCap(t *testing.T) {
	e := newOneTracker(t, rtc.WithTaskPollRate(3))
	ctx := context.Background()
	e.srv.DropEvents(func(ev rtctest.Event) bool { return ev.Type == rtc.EventRecordStopped })
	for i := range 7 {
		id := fmt.Sprintf("r%d", i)
		ref := startRecord(t, e.c, id)
		require.NoError(t, e.tr.Track(ctx, ref))
		stopRecord(t, e.c, id)
		require.NoError(t, e.tr.StopRequested(ctx, ref))
	}
	e.clock.Add(10 * time.Second)
	require.NoError(t, e.tr.Tick(ctx))
	assert.EqualValues(t, 3, e.tr.Stats().Polls)
	require.NoError(t, e.tr.Tick(ctx))
	assert.EqualValues(t, 3, e.tr.Stats().Polls, "same second: no more")
	e.clock.Add(time.Second)
	require.NoError(t, e.tr.Tick(ctx))
	assert.EqualValues(t, 6, e.tr.Stats().Polls)
	e.clock.Add(time.Second)
	require.NoError(t, e.tr.Tick(ctx))
	assert.Equal(t, 7, e.out.total())
}

// A terminal event delivered twice gives one outcome; a late start after
// the stop is ignored and counted; an older running event is stale.
func TestTaskTrackerDuplicatesAndOrder(t *testing.T) {
	e := newOneTracker(t)
	ctx := context.Background()
	e.srv.HoldEvents(func(ev rtctest.Event) bool { return ev.Type == rtc.EventRecordStarted })
	ref := startRecord(t, e.c, "r1")
	require.NoError(t, e.tr.Track(ctx, ref))
	stopRecord(t, e.c, "r1")
	flushEvents(t, e.srv)
	require.Equal(t, 1, e.srv.ReleaseEvents())
	flushEvents(t, e.srv)
	assert.EqualValues(t, 1, e.tr.Stats().LateStarts)

	var stopped *rtc.CallbackEvent
	for _, ev := range e.srv.Events() {
		if ev.Type == rtc.EventRecordStopped {
			var err error
			stopped, err = rtc.ParseCallback(ev.Body, trackSecret)
			require.NoError(t, err)
		}
	}
	require.NoError(t, e.tr.HandleEvent(ctx, stopped))
	assert.EqualValues(t, 1, e.tr.Stats().Duplicates)
	assert.Len(t, e.out.of("r1"), 1)

	// Ordering of non-terminal events by EventTime within a status.
	mk := func(typ string, at time.Time, id string) *rtc.CallbackEvent {
		ev, err := rtc.NewCallbackEvent("app", typ, map[string]any{"AppId": "app", "RoomId": "room", "TaskId": id})
		require.NoError(t, err)
		ev.EventTime = at.Format(time.RFC3339)
		return ev
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	require.NoError(t, e.tr.HandleEvent(ctx, mk(rtc.EventTranscodeUpdated, t0.Add(time.Minute), "m1")))
	require.NoError(t, e.tr.HandleEvent(ctx, mk(rtc.EventTranscodeStarted, t0, "m1")))
	assert.EqualValues(t, 1, e.tr.Stats().Stale)
}

// A failing delivery is released and delivered by a later Tick; a
// cancelled context releases at once so another tracker delivers.
func TestTaskTrackerRedeliversAfterFailure(t *testing.T) {
	clock := newFakeClock()
	store := rtc.NewMemoryTaskStore()
	out := newOutcomes()
	var fail atomic.Bool
	fail.Store(true)
	a, err := rtc.NewTaskTracker(nil, store, func(ctx context.Context, o *rtc.TaskOutcome) error {
		if fail.Load() {
			return errors.New("database down")
		}
		return out.fn(ctx, o)
	}, rtc.WithTaskClock(clock.Now))
	require.NoError(t, err)
	ctx := context.Background()
	ref := rtc.TaskRef{Family: rtc.TaskFamilyVoiceChat, AppID: "app", RoomID: "room", TaskID: "v1"}
	require.NoError(t, a.Track(ctx, ref))
	ev, err := rtc.NewCallbackEvent("app", "VoiceChatStopped", map[string]any{"AppId": "app", "RoomId": "room", "TaskId": "v1"})
	require.NoError(t, err)
	require.NoError(t, a.HandleEvent(ctx, ev))
	assert.Zero(t, a.Stats().FromCallback, "an unmapped event type is ignored")

	a, err = rtc.NewTaskTracker(nil, store, func(ctx context.Context, o *rtc.TaskOutcome) error {
		if fail.Load() {
			return errors.New("database down")
		}
		return out.fn(ctx, o)
	}, rtc.WithTaskClock(clock.Now), rtc.WithTaskEvent("VoiceChatStopped", rtc.TaskFamilyVoiceChat, rtc.TaskStatusEnded))
	require.NoError(t, err)
	require.NoError(t, a.HandleEvent(ctx, ev))
	assert.EqualValues(t, 1, a.Stats().DeliveryErrors)
	assert.Zero(t, out.total())
	fail.Store(false)
	require.NoError(t, a.Tick(ctx), "no client: a callback-only family is never polled")
	assert.Equal(t, 1, out.total())
	assert.Zero(t, a.Stats().Polls)

	// A cancelled context mid-delivery: the outcome goes to another tracker.
	ref2 := rtc.TaskRef{Family: rtc.TaskFamilyRecord, AppID: "app", RoomID: "room", TaskID: "r2"}
	kctx, kill := context.WithCancel(ctx)
	dying, err := rtc.NewTaskTracker(nil, store, func(context.Context, *rtc.TaskOutcome) error {
		kill()
		return nil // returned after the context ended: not a delivery
	}, rtc.WithTaskClock(clock.Now))
	require.NoError(t, err)
	ev2, err := rtc.NewCallbackEvent("app", rtc.EventRecordStopped, map[string]any{"AppId": "app", "RoomId": "room", "TaskId": "r2"})
	require.NoError(t, err)
	require.NoError(t, dying.Track(kctx, ref2))
	require.NoError(t, dying.HandleEvent(kctx, ev2))
	assert.Zero(t, dying.Stats().Delivered)
	require.NoError(t, a.Tick(ctx))
	assert.Len(t, out.of("r2"), 1, "released, not left to the lease")
}

// The memory-store variant of the acceptance scenario (see runFleet).
func TestTaskTrackerFleetMemoryStore(t *testing.T) {
	store := rtc.NewMemoryTaskStore()
	runFleet(t, func(int) rtc.TaskStore { return store }, false)
}

func TestTaskTrackerFleetKilledReplica(t *testing.T) {
	store := rtc.NewMemoryTaskStore()
	runFleet(t, func(int) rtc.TaskStore { return store }, true)
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
