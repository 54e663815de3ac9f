package rtcredis

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/volcrtc/rtc"
)

// The store's rules, replica against replica: first outcome wins, one
// claim at a time, a lease ends, release hands over, done is final, and
// the status order holds.
func TestTaskStoreSemantics(t *testing.T) {
	addr := sharedRedis(t)
	prefix := uniquePrefix(t)
	a := NewTaskStore(newClient(t, addr), WithTaskKeyPrefix(prefix))
	b := NewTaskStore(newClient(t, addr), WithTaskKeyPrefix(prefix))
	ctx := context.Background()
	ref := rtc.TaskRef{Family: rtc.TaskFamilyRecord, AppID: "app", RoomID: "room", TaskID: "t1"}
	t0 := time.UnixMilli(1_700_000_000_000)

	require.NoError(t, a.Track(ctx, ref, t0))
	require.NoError(t, b.RequestStop(ctx, ref, t0.Add(time.Minute)))
	recs, err := b.Pending(ctx)
	require.NoError(t, err)
	require.Len(t, recs, 1)
	assert.Equal(t, ref, recs[0].Ref)
	assert.True(t, recs[0].Tracked.Equal(t0))
	assert.True(t, recs[0].StopRequested.Equal(t0.Add(time.Minute)))
	assert.False(t, recs[0].Settled)

	r, err := a.Observe(ctx, ref, rtc.TaskStatusRunning, t0.Add(time.Second))
	require.NoError(t, err)
	assert.Equal(t, rtc.ObserveApplied, r)
	r, err = b.Observe(ctx, ref, rtc.TaskStatusRunning, t0)
	require.NoError(t, err)
	assert.Equal(t, rtc.ObserveStale, r, "older time, same status")
	r, err = b.Observe(ctx, ref, rtc.TaskStatusNotStarted, t0.Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, rtc.ObserveStale, r, "earlier status")

	ok, err := a.Settle(ctx, &rtc.TaskOutcome{Task: ref, Status: rtc.TaskStatusEnded, StopReason: rtc.StopReasonStopByAPI, Source: rtc.OutcomeFromCallback})
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = b.Settle(ctx, &rtc.TaskOutcome{Task: ref, Status: rtc.TaskStatusFailed, Source: rtc.OutcomeFromPoll})
	require.NoError(t, err)
	assert.False(t, ok, "the first outcome wins")
	r, err = b.Observe(ctx, ref, rtc.TaskStatusRunning, t0.Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, rtc.ObserveAfterEnd, r)

	o, err := a.Claim(ctx, ref, "a", time.Time{}, 150*time.Millisecond)
	require.NoError(t, err)
	require.NotNil(t, o)
	assert.Equal(t, rtc.StopReasonStopByAPI, o.StopReason)
	o, err = b.Claim(ctx, ref, "b", time.Time{}, time.Minute)
	require.NoError(t, err)
	assert.Nil(t, o, "a holds the lease")
	require.NoError(t, a.Release(ctx, ref, "a"))
	o, err = b.Claim(ctx, ref, "b", time.Time{}, 100*time.Millisecond)
	require.NoError(t, err)
	require.NotNil(t, o, "released")
	// b dies: its lease ends on Redis's clock (a real wait, there is no other clock).
	require.Eventually(t, func() bool {
		o, err := a.Claim(ctx, ref, "a", time.Time{}, time.Minute)
		return err == nil && o != nil
	}, 5*time.Second, 20*time.Millisecond)
	require.NoError(t, a.Done(ctx, ref, "a"))
	o, err = b.Claim(ctx, ref, "b", time.Time{}, time.Minute)
	require.NoError(t, err)
	assert.Nil(t, o, "delivered")
	recs, err = b.Pending(ctx)
	require.NoError(t, err)
	assert.Empty(t, recs)
	require.NoError(t, b.Track(ctx, ref, t0))
	recs, err = b.Pending(ctx)
	require.NoError(t, err)
	assert.Empty(t, recs, "a delivered task is not tracked again")
}

// While Redis is unreachable every call fails (nothing is claimed, so
// nothing is delivered twice), and the tracker passes the error on so the
// callback handler answers with an error and RTC redelivers.
func TestTaskStoreOutage(t *testing.T) {
	s := NewTaskStore(newClient(t, closedAddr(t)), WithTaskOpTimeout(200*time.Millisecond))
	ctx := context.Background()
	ref := rtc.TaskRef{Family: rtc.TaskFamilyRecord, AppID: "app", RoomID: "room", TaskID: "t1"}
	require.Error(t, s.Track(ctx, ref, time.Now()))
	_, err := s.Settle(ctx, &rtc.TaskOutcome{Task: ref, Status: rtc.TaskStatusEnded})
	require.Error(t, err)
	o, err := s.Claim(ctx, ref, "a", time.Time{}, time.Second)
	require.Error(t, err)
	assert.Nil(t, o)
	_, err = s.Pending(ctx)
	require.Error(t, err)
	require.Error(t, NewTaskStore(nil).Track(ctx, ref, time.Now()))

	tr, err := rtc.NewTaskTracker(nil, s, func(context.Context, *rtc.TaskOutcome) error {
		t.Error("delivered during an outage")
		return nil
	})
	require.NoError(t, err)
	ev, err := rtc.NewCallbackEvent("app", rtc.EventRecordStopped, map[string]any{"AppId": "app", "RoomId": "room", "TaskId": "t1"})
	require.NoError(t, err)
	require.Error(t, tr.HandleEvent(ctx, ev))
	require.Error(t, tr.Tick(ctx))
}
