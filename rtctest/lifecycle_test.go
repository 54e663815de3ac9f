package rtctest_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/rtctest"
)

// A Get returns the task as started and updated, plus the service's
// fields; what the caller never set reads as zero, not as invented values.
func TestFaithfulGet(t *testing.T) {
	srv := rtctest.NewServer()
	defer srv.Close()
	c := newClient(t, srv)
	ctx := context.Background()
	_, err := c.StartPushMixedStreamToCDN(ctx, &rtc.StartPushMixedStreamToCDNRequest{
		AppID: "app", RoomID: "r", TaskID: "cdn1", PushURL: "rtmp://example.com/live/x",
		Control: &rtc.MixedPushControl{MaxIdleTime: rtc.Ptr[int32](30)},
		Encode:  &rtc.Encode{VideoWidth: rtc.Ptr[int32](1280)},
	})
	require.NoError(t, err)
	get := &rtc.GetPushMixedStreamToCDNTaskRequest{AppID: "app", RoomID: "r", TaskID: "cdn1"}
	res, err := c.GetPushMixedStreamToCDNTask(ctx, get)
	require.NoError(t, err)
	task := res.PushMixedStreamToCDNTask
	assert.Equal(t, "rtmp://example.com/live/x", task.PushURL)
	assert.EqualValues(t, 30, task.Control.MaxIdleTime)
	assert.EqualValues(t, 1280, task.Encode.VideoWidth)
	// Never set: zero.
	assert.EqualValues(t, 0, task.Control.MediaType)
	assert.EqualValues(t, 0, task.Layout.LayoutMode)
	assert.EqualValues(t, 0, task.Encode.VideoHeight)
	assert.EqualValues(t, 0, task.Control.PushStreamMode)
	// Service fields.
	assert.True(t, task.Status.Running())
	assert.False(t, task.StartedAt().IsZero())
	assert.True(t, task.EndedAt().IsZero())

	_, err = c.UpdatePushMixedStreamToCDN(ctx, &rtc.UpdatePushMixedStreamToCDNRequest{
		AppID: "app", RoomID: "r", TaskID: "cdn1", Encode: &rtc.Encode{VideoHeight: rtc.Ptr[int32](720)},
	})
	require.NoError(t, err)
	res, err = c.GetPushMixedStreamToCDNTask(ctx, get)
	require.NoError(t, err)
	assert.EqualValues(t, 720, res.PushMixedStreamToCDNTask.Encode.VideoHeight)
	assert.EqualValues(t, 30, res.PushMixedStreamToCDNTask.Control.MaxIdleTime, "an update keeps what it does not change")

	// Asking twice gives the same answer.
	again, err := c.GetPushMixedStreamToCDNTask(ctx, get)
	require.NoError(t, err)
	assert.Equal(t, res.PushMixedStreamToCDNTask, again.PushMixedStreamToCDNTask)
}

// Recorded inputs decode into the SDK's request types.
func TestRequestDecode(t *testing.T) {
	srv := rtctest.NewServer()
	defer srv.Close()
	c := newClient(t, srv)
	ctx := context.Background()
	sent := recordReq("dec1")
	sent.RecordMode = rtc.Ptr(rtc.RecordModeSingleStream)
	_, err := c.StartRecord(ctx, sent)
	require.NoError(t, err)
	_, err = c.GetRecordTask(ctx, &rtc.GetRecordTaskRequest{AppID: "app", RoomID: "room1", TaskID: "dec1"})
	require.NoError(t, err)

	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	var got rtc.StartRecordRequest
	require.NoError(t, reqs[0].Decode(&got))
	assert.Equal(t, *sent, got)

	gets := srv.RequestsFor("GetRecordTask") // a query action
	require.Len(t, gets, 1)
	var g rtc.GetRecordTaskRequest
	require.NoError(t, gets[0].Decode(&g))
	assert.Equal(t, rtc.GetRecordTaskRequest{AppID: "app", RoomID: "room1", TaskID: "dec1"}, g)

	var wrong struct{ AppID int }
	err = reqs[0].Decode(&wrong)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "StartRecord")
	assert.Error(t, rtctest.Request{Action: "X"}.Decode(&got), "no input")
}

// AfterAction: the action runs, then the answer is lost or replaced.
func TestAmbiguousFailureFaults(t *testing.T) {
	srv := rtctest.NewServer()
	defer srv.Close()
	ctx := context.Background()
	once := newClient(t, srv, rtc.WithRetry(rtc.RetryPolicy{MaxAttempts: 1}))

	// Dropped after the action: the client sees a failure, the task runs.
	srv.InjectFault("StartRecord", rtctest.Fault{Drop: rtctest.DropAfterBody, AfterAction: true})
	_, err := once.StartRecord(ctx, recordReq("amb1"))
	require.Error(t, err)
	info, ok := srv.Task("app", "record", "room1", "amb1")
	require.True(t, ok, "the action ran before the connection was dropped")
	assert.True(t, info.Running)
	rs := srv.RequestsFor("StartRecord")
	require.Len(t, rs, 1)
	assert.True(t, rs[0].Faulted)
	assert.Equal(t, "Dropped", rs[0].ErrorCode)

	// 500 after the action.
	srv.InjectFault("StartRecord", rtctest.Fault{Status: http.StatusInternalServerError, AfterAction: true})
	_, err = once.StartRecord(ctx, recordReq("amb2"))
	require.True(t, errors.Is(err, rtc.ErrServer), "%v", err)
	_, ok = srv.Task("app", "record", "room1", "amb2")
	assert.True(t, ok)

	// Without AfterAction the action does not run.
	srv.InjectFault("StartRecord", rtctest.Fault{Drop: rtctest.DropAfterBody})
	_, err = once.StartRecord(ctx, recordReq("amb3"))
	require.Error(t, err)
	_, ok = srv.Task("app", "record", "room1", "amb3")
	assert.False(t, ok)

	// A client that retries a Start keyed by TaskId sees TaskAlreadyExists
	// on the retry and counts it as success: one task, no error.
	retrying := newClient(t, srv)
	srv.InjectFault("StartRecord", rtctest.Fault{Drop: rtctest.DropAfterBody, AfterAction: true})
	_, err = retrying.StartRecord(ctx, recordReq("amb4"))
	require.NoError(t, err)
	_, ok = srv.Task("app", "record", "room1", "amb4")
	assert.True(t, ok)
}
