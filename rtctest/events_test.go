package rtctest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/rtctest"
)

const cbSecret = "test-callback-secret"

// eventSink collects the events an rtc.CallbackHandler accepted.
type eventSink struct {
	mu     sync.Mutex
	events []*rtc.CallbackEvent
}

func (s *eventSink) handler(t *testing.T) http.Handler {
	t.Helper()
	h, err := rtc.NewCallbackHandler(cbSecret, func(_ context.Context, ev *rtc.CallbackEvent) error {
		s.mu.Lock()
		s.events = append(s.events, ev)
		s.mu.Unlock()
		return nil
	})
	require.NoError(t, err)
	return h
}

func (s *eventSink) types() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.events))
	for i, e := range s.events {
		out[i] = e.EventType
	}
	return out
}

func (s *eventSink) find(typ string) *rtc.CallbackEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.events {
		if e.EventType == typ {
			return e
		}
	}
	return nil
}

func flush(t *testing.T, srv *rtctest.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, srv.FlushEvents(ctx))
}

func recordReq(taskID string) *rtc.StartRecordRequest {
	return &rtc.StartRecordRequest{
		AppID: "app", RoomID: "room1", TaskID: taskID, BusinessID: "classroom",
		StorageConfig:    &rtc.RecordStorageConfig{TosConfig: &rtc.TosConfig{AccountID: "acc", Bucket: "bkt"}},
		FileFormatConfig: &rtc.FileFormatConfig{FileFormat: []rtc.FileFormat{rtc.FileFormatMP4, rtc.FileFormatHLS}},
		TargetStreams:    &rtc.Streams{StreamList: []rtc.Stream{{UserID: "teacher"}}},
	}
}

// The whole recording story of a backend: start, wait, stop, and the
// signed callbacks verified by the SDK's own CallbackHandler.
func TestEventCallbackRecordingStory(t *testing.T) {
	sink := &eventSink{}
	srv := rtctest.NewServer(rtctest.WithEventHandler(sink.handler(t), cbSecret))
	defer srv.Close()
	c := newClient(t, srv)
	ctx := context.Background()

	_, err := c.StartRecord(ctx, recordReq("rec1"))
	require.NoError(t, err)
	get := &rtc.GetRecordTaskRequest{AppID: "app", RoomID: "room1", TaskID: "rec1"}
	res, err := c.WaitRecordTask(ctx, get, rtc.WaitFor(rtc.TaskStatusRunning), rtc.WaitInterval(time.Millisecond, 5*time.Millisecond))
	require.NoError(t, err)
	require.True(t, res.RecordTask.Status.Running())

	_, err = c.StopRecord(ctx, &rtc.StopRecordRequest{AppID: "app", RoomID: "room1", TaskID: "rec1"})
	require.NoError(t, err)
	res, err = c.WaitRecordTask(ctx, get, rtc.WaitInterval(time.Millisecond, 5*time.Millisecond))
	require.NoError(t, err)
	require.Equal(t, rtc.TaskStatusEnded, res.RecordTask.Status)
	require.Equal(t, rtc.StopReasonStopByAPI, res.RecordTask.StopReason)

	flush(t, srv)
	assert.Equal(t, []string{rtc.EventRecordStarted, rtc.EventRecordStopped, rtc.EventRecordUploadDone}, sink.types())

	started, err := sink.find(rtc.EventRecordStarted).ParseData()
	require.NoError(t, err)
	sd := started.(*rtc.TaskEventData)
	assert.Equal(t, "rec1", sd.TaskID)
	assert.Equal(t, "room1", sd.RoomID)
	assert.Equal(t, "classroom", sd.BusinessID)
	assert.False(t, sd.Failed())

	stoppedEv := sink.find(rtc.EventRecordStopped)
	require.NoError(t, stoppedEv.Verify(cbSecret))
	assert.Equal(t, "app", stoppedEv.AppID)
	stopped, err := stoppedEv.ParseData()
	require.NoError(t, err)
	st := stopped.(*rtc.RecordStoppedData)
	assert.Equal(t, rtc.StopReasonStopByAPI, st.StopReason)
	require.Len(t, st.RecordFileList, 2, "one file per requested format")

	// The files in the event are the files GetRecordTask reports.
	var up rtc.RecordStoppedData
	require.NoError(t, sink.find(rtc.EventRecordUploadDone).DecodeData(&up))
	require.Len(t, up.RecordFileList, 2)
	for i, raw := range up.RecordFileList {
		var f rtc.RecordFile
		require.NoError(t, jsonUnmarshal(raw, &f))
		assert.Equal(t, res.RecordTask.RecordFileList[i].ObjectKey, f.ObjectKey)
		assert.NotEmpty(t, f.ObjectKey)
		assert.Equal(t, "teacher", f.StreamList[0].UserID)
	}
	for _, e := range srv.Events() {
		assert.True(t, e.Delivered, e.Type)
		assert.Equal(t, 1, e.Attempts, e.Type)
	}
}

// Events carry the fake clock's time, so a receiver checking freshness
// against the same clock accepts them.
func TestEventsUseServerClock(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	// A receiver with its own (real) clock would reject events this old;
	// parse them directly.
	var mu sync.Mutex
	var got []*rtc.CallbackEvent
	parse := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ev, err := rtc.ParseCallback(body, cbSecret)
		if err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		mu.Lock()
		got = append(got, ev)
		mu.Unlock()
	})
	srv := rtctest.NewServer(rtctest.WithClock(func() time.Time { return now }), rtctest.WithEventHandler(parse, cbSecret))
	defer srv.Close()
	require.NoError(t, srv.Join("app", "room9", "alice"))
	flush(t, srv)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 2)
	ev := got[1]
	require.Equal(t, rtc.EventUserJoinRoom, ev.EventType)
	et, err := time.Parse(time.RFC3339, ev.EventTime)
	require.NoError(t, err)
	assert.True(t, et.Equal(now), "EventTime %s", ev.EventTime)
	d, err := ev.ParseData()
	require.NoError(t, err)
	assert.True(t, d.(*rtc.UserEventData).Time().Equal(now))
}

func TestRoomAndUserEvents(t *testing.T) {
	sink := &eventSink{}
	srv := rtctest.NewServer(rtctest.WithEventHandler(sink.handler(t), cbSecret))
	defer srv.Close()
	c := newClient(t, srv)
	require.NoError(t, srv.Join("app", "r", "alice"))
	require.NoError(t, srv.JoinInvisible("app", "r", "bob"))
	srv.Leave("app", "r", "bob")
	_, err := c.KickUser(context.Background(), &rtc.KickUserRequest{AppID: "app", RoomID: "r", UserID: "alice"})
	require.NoError(t, err)
	flush(t, srv)
	assert.Equal(t, []string{
		rtc.EventRoomCreate, rtc.EventUserJoinRoom, rtc.EventInvisibleUserJoinRoom,
		rtc.EventInvisibleUserLeaveRoom, rtc.EventUserLeaveRoom, rtc.EventRoomDestroy,
	}, sink.types())
	d, err := sink.find(rtc.EventUserLeaveRoom).ParseData()
	require.NoError(t, err)
	assert.Equal(t, "alice", d.(*rtc.UserEventData).UserID)
	rd, err := sink.find(rtc.EventRoomDestroy).ParseData()
	require.NoError(t, err)
	assert.Equal(t, "r", rd.(*rtc.RoomEventData).RoomID)
}

// A delivery that gets no 200 is retried up to two more times; the same
// event (same EventId and body) arrives each time.
func TestEventCallbackRetries(t *testing.T) {
	var calls atomic.Int32
	var refuse atomic.Bool // answer 503 to everything
	var mu sync.Mutex
	var types []string
	verifier := &eventSink{}
	h := verifier.handler(t)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		if refuse.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if n <= 2 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		h.ServeHTTP(w, r)
		mu.Lock()
		types = append(types, r.Header.Get("Content-Type"))
		mu.Unlock()
	}))
	defer recv.Close()
	srv := rtctest.NewServer(rtctest.WithEventCallback(recv.URL, cbSecret))
	defer srv.Close()
	require.NoError(t, srv.EmitEvent("app", "Custom", map[string]any{"x": 1}))
	flush(t, srv)
	evs := srv.Events()
	require.Len(t, evs, 1)
	assert.Equal(t, 3, evs[0].Attempts)
	assert.True(t, evs[0].Delivered)
	assert.True(t, evs[0].Done)
	assert.Equal(t, []string{"Custom"}, verifier.types(), "the handler verified the third delivery")
	assert.Equal(t, []string{"application/json"}, types)

	// Never answered with 200: three attempts, then given up.
	refuse.Store(true)
	calls.Store(0)
	require.NoError(t, srv.EmitEvent("app", "Custom", map[string]any{"x": 2}))
	flush(t, srv)
	evs = srv.Events()
	require.Len(t, evs, 2)
	assert.Equal(t, 1+rtctest.EventRetries, evs[1].Attempts)
	assert.False(t, evs[1].Delivered)
	assert.True(t, evs[1].Done)
	assert.Equal(t, http.StatusServiceUnavailable, evs[1].Status)
	assert.EqualValues(t, 3, calls.Load())
}

// A receiver slower than the delivery timeout gets the event again.
func TestEventCallbackTimeout(t *testing.T) {
	var calls atomic.Int32
	release := make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
		w.WriteHeader(http.StatusOK)
	})
	// The first delivery outlasts the timeout; the others answer at once,
	// well inside it even on a loaded machine.
	srv := rtctest.NewServer(rtctest.WithEventHandler(slow, cbSecret), rtctest.WithEventTimeout(250*time.Millisecond))
	defer srv.Close()
	defer close(release)
	require.NoError(t, srv.Join("app", "r", "u"))
	flush(t, srv)
	evs := srv.Events()
	require.Len(t, evs, 2) // RoomCreate, UserJoinRoom
	assert.Equal(t, 2, evs[0].Attempts, "the first attempt timed out")
	assert.True(t, evs[0].Delivered)
	assert.Equal(t, 1, evs[1].Attempts)
}

func TestEndTaskWithReason(t *testing.T) {
	sink := &eventSink{}
	srv := rtctest.NewServer(rtctest.WithEventHandler(sink.handler(t), cbSecret))
	defer srv.Close()
	c := newClient(t, srv)
	ctx := context.Background()
	_, err := c.StartRecord(ctx, recordReq("idle"))
	require.NoError(t, err)
	require.NoError(t, srv.EndTask("app", "record", "room1", "idle", "IdleTimeOut", false))
	require.Error(t, srv.EndTask("app", "record", "room1", "idle", "IdleTimeOut", false), "no longer running")
	res, err := c.WaitRecordTask(ctx, &rtc.GetRecordTaskRequest{AppID: "app", RoomID: "room1", TaskID: "idle"})
	require.NoError(t, err)
	assert.Equal(t, rtc.TaskStatusEnded, res.RecordTask.Status)
	assert.Equal(t, rtc.StopReasonIdleTimeOut, res.RecordTask.StopReason)
	info, ok := srv.Task("app", "record", "room1", "idle")
	require.True(t, ok)
	assert.Equal(t, "IdleTimeOut", info.StopReason)
	assert.False(t, info.Running || info.Failed)

	_, err = c.StartRecord(ctx, recordReq("broken"))
	require.NoError(t, err)
	require.NoError(t, srv.EndTask("app", "record", "room1", "broken", "StartTaskFailed", true))
	res, err = c.WaitRecordTask(ctx, &rtc.GetRecordTaskRequest{AppID: "app", RoomID: "room1", TaskID: "broken"})
	require.NoError(t, err)
	assert.True(t, res.RecordTask.Status.Failed())
	flush(t, srv)

	var reasons []rtc.StopReason
	var failed []bool
	sink.mu.Lock()
	evs := append([]*rtc.CallbackEvent(nil), sink.events...)
	sink.mu.Unlock()
	uploads := 0
	for _, ev := range evs {
		switch ev.EventType {
		case rtc.EventRecordStopped:
			d, err := ev.ParseData()
			require.NoError(t, err)
			reasons = append(reasons, d.(*rtc.RecordStoppedData).StopReason)
			failed = append(failed, d.(*rtc.RecordStoppedData).Failed())
		case rtc.EventRecordUploadDone:
			uploads++
		}
	}
	assert.Equal(t, []rtc.StopReason{rtc.StopReasonIdleTimeOut, rtc.StopReasonStartTaskFailed}, reasons)
	assert.Equal(t, []bool{false, true}, failed)
	assert.Equal(t, 1, uploads, "a failed task uploads nothing")
}

// Without a callback the server sends nothing and FlushEvents returns.
func TestNoEventsWithoutCallback(t *testing.T) {
	srv := rtctest.NewServer()
	defer srv.Close()
	require.NoError(t, srv.Join("app", "r", "u"))
	require.NoError(t, srv.EmitEvent("app", "X", 1))
	flush(t, srv)
	assert.Empty(t, srv.Events())
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// After Close nothing is sent, and no delivery goroutine outlives it
// (TestMain checks for leaks).
func TestNoEventsAfterClose(t *testing.T) {
	sink := &eventSink{}
	srv := rtctest.NewServer(rtctest.WithEventHandler(sink.handler(t), cbSecret))
	require.NoError(t, srv.Join("app", "r", "u"))
	flush(t, srv)
	srv.Close()
	n := len(srv.Events())
	require.NoError(t, srv.Join("app", "r", "v"))
	assert.Len(t, srv.Events(), n)
	require.NoError(t, srv.FlushEvents(context.Background()), "everything was delivered before Close")

	// A receiver that never answers: Close cuts the delivery short and
	// FlushEvents reports the event as undelivered.
	stuck := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	srv2 := rtctest.NewServer(rtctest.WithEventHandler(stuck, cbSecret))
	require.NoError(t, srv2.Join("app", "r", "u"))
	srv2.Close()
	require.Error(t, srv2.FlushEvents(context.Background()))
	for _, e := range srv2.Events() {
		assert.False(t, e.Delivered)
	}
}

// BenchmarkEventDelivery measures signing and delivering one event to an
// in-process rtc.CallbackHandler (which verifies and deduplicates it).
func BenchmarkEventDelivery(b *testing.B) {
	h, err := rtc.NewCallbackHandler(cbSecret, func(context.Context, *rtc.CallbackEvent) error { return nil })
	if err != nil {
		b.Fatal(err)
	}
	srv := rtctest.NewServer(rtctest.WithEventHandler(h, cbSecret))
	defer srv.Close()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = srv.EmitEvent("app", "Custom", map[string]int{"i": i})
	}
	if err := srv.FlushEvents(context.Background()); err != nil {
		b.Fatal(err)
	}
	for _, e := range srv.Events() {
		if !e.Delivered {
			b.Fatalf("event %s not delivered: status %d", e.ID, e.Status)
		}
	}
}
