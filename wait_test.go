package rtc_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/rtctest"
)

func waitClient(t *testing.T, srv *rtctest.Server, opts ...rtc.Option) *rtc.Client {
	t.Helper()
	c, err := rtc.New(append([]rtc.Option{
		rtc.WithEndpoint(srv.URL),
		rtc.WithCredentials(rtc.Credentials{AccessKeyID: rtctest.DemoAccessKeyID, SecretAccessKey: rtctest.DemoSecretAccessKey}),
	}, opts...)...)
	require.NoError(t, err)
	return c
}

func startTestRecording(t *testing.T, c *rtc.Client, taskID string) *rtc.GetRecordTaskRequest {
	t.Helper()
	_, err := c.StartRecord(context.Background(), &rtc.StartRecordRequest{
		AppID: "app1", RoomID: "room1", TaskID: taskID,
		StorageConfig: &rtc.RecordStorageConfig{TosConfig: &rtc.TosConfig{AccountID: "acc", Bucket: "bucket"}},
	})
	require.NoError(t, err)
	return &rtc.GetRecordTaskRequest{AppID: "app1", RoomID: "room1", TaskID: taskID}
}

// countGets counts the GetRecordTask calls the server has seen.
func countGets(srv *rtctest.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Action == "GetRecordTask" {
			n++
		}
	}
	return n
}

func TestTaskStatus(t *testing.T) {
	t.Parallel()
	cases := []struct {
		s                      rtc.TaskStatus
		running, ended, failed bool
		name                   string
	}{
		{rtc.TaskStatusUnknown, false, false, false, "Unknown"},
		{rtc.TaskStatusNotStarted, false, false, false, "NotStarted"},
		{rtc.TaskStatusRunning, true, false, false, "Running"},
		{rtc.TaskStatusEnded, false, true, false, "Ended"},
		{rtc.TaskStatusFailed, false, true, true, "Failed"},
		{rtc.TaskStatus(9), false, false, false, "TaskStatus(9)"},
	}
	for _, c := range cases {
		assert.Equal(t, c.running, c.s.Running(), c.name)
		assert.Equal(t, c.ended, c.s.Ended(), c.name)
		assert.Equal(t, c.failed, c.s.Failed(), c.name)
		assert.Equal(t, c.name, c.s.String())
	}
	// The wire values are the vendor's: 0..4.
	for i, s := range []rtc.TaskStatus{rtc.TaskStatusUnknown, rtc.TaskStatusNotStarted,
		rtc.TaskStatusRunning, rtc.TaskStatusEnded, rtc.TaskStatusFailed} {
		assert.Equal(t, int64(i), int64(s))
	}
	assert.Equal(t, rtc.StopReason("StopByAPI"), rtc.StopReasonStopByAPI)
	assert.Equal(t, rtc.StopReason("IdleTimeOut"), rtc.StopReasonIdleTimeOut)
	assert.Equal(t, rtc.StopReason("StartTaskFailed"), rtc.StopReasonStartTaskFailed)

	// Task results carry them typed, with the times as time.Time.
	var res rtc.GetRecordTaskResult
	require.NoError(t, json.Unmarshal([]byte(`{"RecordTask":{"Status":3,"StopReason":"IdleTimeOut","StartTime":1700000000123,"EndTime":1700000060456}}`), &res))
	assert.True(t, res.RecordTask.Status.Ended())
	assert.Equal(t, rtc.StopReasonIdleTimeOut, res.RecordTask.StopReason)
	assert.Equal(t, time.UnixMilli(1700000000123), res.RecordTask.StartedAt())
	assert.Equal(t, time.UnixMilli(1700000060456), res.RecordTask.EndedAt())
	var running rtc.GetPushMixedStreamToCDNTaskResult
	require.NoError(t, json.Unmarshal([]byte(`{"PushMixedStreamToCDNTask":{"Status":2,"StartTime":1700000000000,"EndTime":0}}`), &running))
	assert.True(t, running.PushMixedStreamToCDNTask.Status.Running())
	assert.True(t, running.PushMixedStreamToCDNTask.EndedAt().IsZero())
	var wc rtc.GetWebCastTaskResult
	require.NoError(t, json.Unmarshal([]byte(`{"WebCastTask":{"Status":3,"StopReason":"ExceedMaxRunningTime"}}`), &wc))
	assert.Equal(t, rtc.StopReasonExceedMaxRunningTime, wc.WebCastTask.StopReason)
}

func TestWaitRecordTaskUntilEnded(t *testing.T) {
	t.Parallel()
	srv := rtctest.NewServer()
	defer srv.Close()
	c := waitClient(t, srv)
	get := startTestRecording(t, c, "wait1")

	type answer struct {
		res *rtc.GetRecordTaskResult
		err error
	}
	done := make(chan answer, 1)
	go func() {
		res, err := c.WaitRecordTask(context.Background(), get, rtc.WaitInterval(time.Millisecond, 4*time.Millisecond))
		done <- answer{res, err}
	}()
	// Stop the task once the waiter has seen it running a few times.
	require.Eventually(t, func() bool { return countGets(srv) >= 3 }, 5*time.Second, time.Millisecond)
	select {
	case a := <-done:
		t.Fatalf("the waiter returned while the task was running: %+v, %v", a.res, a.err)
	default:
	}
	_, err := c.StopRecord(context.Background(), &rtc.StopRecordRequest{AppID: "app1", RoomID: "room1", TaskID: "wait1"})
	require.NoError(t, err)
	a := <-done
	require.NoError(t, a.err)
	assert.Equal(t, rtc.TaskStatusEnded, a.res.RecordTask.Status)
	assert.Equal(t, rtc.StopReasonStopByAPI, a.res.RecordTask.StopReason)
	assert.False(t, a.res.RecordTask.EndedAt().IsZero())
	assert.NotEmpty(t, a.res.Metadata.RequestID)
}

func TestWaitForNamedState(t *testing.T) {
	t.Parallel()
	srv := rtctest.NewServer()
	defer srv.Close()
	c := waitClient(t, srv)
	get := startTestRecording(t, c, "wait2")
	res, err := c.WaitRecordTask(context.Background(), get, rtc.WaitFor(rtc.TaskStatusRunning))
	require.NoError(t, err)
	assert.True(t, res.RecordTask.Status.Running())
	assert.Equal(t, 1, countGets(srv), "a task already in the named state needs one poll")

	_, err = c.WaitRecordTask(context.Background(), get, rtc.WaitFor())
	require.Error(t, err)
	_, err = c.WaitRecordTask(context.Background(), get, rtc.WaitInterval(time.Second, time.Millisecond))
	require.ErrorContains(t, err, "WaitInterval")
	_, err = c.WaitRecordTask(context.Background(), nil)
	require.ErrorContains(t, err, "nil")
	// Every bad option is reported at once, a nil one included.
	_, err = c.WaitRecordTask(context.Background(), get, rtc.WaitFor(), nil, rtc.WaitInterval(0, 0))
	require.ErrorContains(t, err, "WaitFor: name at least one TaskStatus")
	require.ErrorContains(t, err, "wait option 2 is nil")
	require.ErrorContains(t, err, "WaitInterval(0s, 0s)")
}

func TestWaitBoundedByContextReturnsLastResult(t *testing.T) {
	t.Parallel()
	srv := rtctest.NewServer()
	defer srv.Close()
	c := waitClient(t, srv)
	get := startTestRecording(t, c, "wait3")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	res, err := c.WaitRecordTask(ctx, get, rtc.WaitInterval(time.Millisecond, 5*time.Millisecond))
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorContains(t, err, "Running")
	require.NotNil(t, res, "the last result comes back with the error")
	assert.True(t, res.RecordTask.Status.Running())
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.GreaterOrEqual(t, countGets(srv), 2)
}

func TestWaitKeepsPollingThroughThrottling(t *testing.T) {
	t.Parallel()
	srv := rtctest.NewServer()
	defer srv.Close()
	c := waitClient(t, srv, rtc.WithRetry(rtc.RetryPolicy{MaxAttempts: 1}))
	get := startTestRecording(t, c, "wait4")
	_, err := c.StopRecord(context.Background(), &rtc.StopRecordRequest{AppID: "app1", RoomID: "room1", TaskID: "wait4"})
	require.NoError(t, err)
	srv.InjectFault("GetRecordTask", rtctest.Fault{Times: 3, Status: http.StatusTooManyRequests, Code: "FlowLimitExceeded"})
	res, err := c.WaitRecordTask(context.Background(), get, rtc.WaitInterval(time.Millisecond, 2*time.Millisecond))
	require.NoError(t, err)
	assert.True(t, res.RecordTask.Status.Ended())
	assert.Equal(t, 4, countGets(srv), "three throttled polls, then the answer")
}

func TestWaitHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	srv := rtctest.NewServer()
	defer srv.Close()
	c := waitClient(t, srv, rtc.WithRetry(rtc.RetryPolicy{MaxAttempts: 1}))
	get := startTestRecording(t, c, "wait6")
	srv.InjectFault("GetRecordTask", rtctest.Fault{Status: http.StatusTooManyRequests, Code: "FlowLimitExceeded", RetryAfter: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.WaitRecordTask(ctx, get, rtc.WaitInterval(time.Millisecond, time.Millisecond))
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, 1, countGets(srv), "the waiter waits as long as the service asked, not its own interval")
}

func TestWaitToleratesTransientFailures(t *testing.T) {
	t.Parallel()
	srv := rtctest.NewServer()
	defer srv.Close()
	c := waitClient(t, srv, rtc.WithRetry(rtc.RetryPolicy{MaxAttempts: 1}))
	get := startTestRecording(t, c, "wait7")
	_, err := c.StopRecord(context.Background(), &rtc.StopRecordRequest{AppID: "app1", RoomID: "room1", TaskID: "wait7"})
	require.NoError(t, err)
	fast := rtc.WaitInterval(time.Millisecond, time.Millisecond)

	srv.InjectFault("GetRecordTask", rtctest.Fault{Times: 3, Status: http.StatusServiceUnavailable})
	res, err := c.WaitRecordTask(context.Background(), get, fast)
	require.NoError(t, err)
	assert.True(t, res.RecordTask.Status.Ended())

	// Four in a row is one too many.
	srv.InjectFault("GetRecordTask", rtctest.Fault{Times: 4, Status: http.StatusServiceUnavailable})
	before := countGets(srv)
	_, err = c.WaitRecordTask(context.Background(), get, fast)
	require.ErrorIs(t, err, rtc.ErrServer)
	assert.Equal(t, 4, countGets(srv)-before)
	srv.ClearFaults()
}

func TestWaitStopsAtOtherErrors(t *testing.T) {
	t.Parallel()
	srv := rtctest.NewServer()
	defer srv.Close()
	c := waitClient(t, srv)
	res, err := c.WaitRecordTask(context.Background(), &rtc.GetRecordTaskRequest{AppID: "app1", RoomID: "room1", TaskID: "nope"},
		rtc.WaitInterval(time.Millisecond, time.Millisecond))
	var apiErr *rtc.APIError
	require.True(t, errors.As(err, &apiErr), "%v", err)
	assert.Nil(t, res)
	assert.Contains(t, err.Error(), "GetRecordTask")
	assert.Equal(t, 1, countGets(srv))
}

func TestWaitersForEveryTaskFamily(t *testing.T) {
	t.Parallel()
	srv := rtctest.NewServer()
	defer srv.Close()
	c := waitClient(t, srv)
	// Every family has a waiter of the fixed shape; the generator test
	// TestTaskFamilies checks that none is missed.
	var (
		_ func(context.Context, *rtc.GetSnapshotTaskRequest, ...rtc.WaitOption) (*rtc.GetSnapshotTaskResult, error)                           = c.WaitSnapshotTask
		_ func(context.Context, *rtc.GetWebCastTaskRequest, ...rtc.WaitOption) (*rtc.GetWebCastTaskResult, error)                             = c.WaitWebCastTask
		_ func(context.Context, *rtc.GetPushMixedStreamToCDNTaskRequest, ...rtc.WaitOption) (*rtc.GetPushMixedStreamToCDNTaskResult, error)   = c.WaitPushMixedStreamToCDNTask
		_ func(context.Context, *rtc.GetPushSingleStreamToCDNTaskRequest, ...rtc.WaitOption) (*rtc.GetPushSingleStreamToCDNTaskResult, error) = c.WaitPushSingleStreamToCDNTask
	)
}

// WaitCallOptions hands its call options to every poll: here an older
// version of GetRecordTask, which the fake records per request.
func TestWaitCallOptionsReachEveryPoll(t *testing.T) {
	t.Parallel()
	srv := rtctest.NewServer()
	defer srv.Close()
	c := waitClient(t, srv)
	get := startTestRecording(t, c, "wait-callopts")
	_, err := c.WaitRecordTask(context.Background(), get, rtc.WaitFor(rtc.TaskStatusRunning),
		rtc.WaitCallOptions(rtc.WithAPIVersion("2022-06-01")))
	require.NoError(t, err)
	polls := 0
	for _, r := range srv.Requests() {
		if r.Action == "GetRecordTask" {
			polls++
			assert.Equal(t, "2022-06-01", r.Version)
		}
	}
	assert.Equal(t, 1, polls)
}
