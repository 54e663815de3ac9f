package rtctest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/internal/spec"
	"github.com/volcrtc/rtc/rtctest"
)

// Issue 26 item 4: the docs say what the client and the fake do.

// A time field documented as RFC 3339 takes exactly that: a zone-less
// "2006-01-02 15:04:05" (which a service could read in another zone, 8
// hours off) is refused by the client before sending and by the fake.
func TestTimeFieldsTakeRFC3339WithAZone(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	srv := rtctest.NewServer(rtctest.WithClock(clock))
	defer srv.Close()
	c := newClient(t, srv, rtc.WithClock(clock))
	ctx := context.Background()
	req := func(start, end string) *rtc.ListRoomInfoRequest {
		return &rtc.ListRoomInfoRequest{AppID: "app", StartTime: start, EndTime: end}
	}

	for _, bad := range []string{"2026-05-01 08:00:00", "2026-05-01T08:00:00", "yesterday"} {
		_, err := c.ListRoomInfo(ctx, req(bad, "2026-05-01T10:00:00+08:00"))
		var ve *rtc.ValidationError
		require.True(t, errors.As(err, &ve), "%q: %v", bad, err)
		require.ErrorContains(t, err, "StartTime must be an RFC 3339 time with its zone")
		n := len(srv.Requests())
		_, err = c.ListRoomInfo(ctx, req(bad, "2026-05-01T10:00:00+08:00"), rtc.WithCallLenientValidation())
		var ae *rtc.APIError
		require.True(t, errors.As(err, &ae), "the fake refuses %q too: %v", bad, err)
		require.Equal(t, "InvalidParameter", ae.Code)
		require.Equal(t, n+1, len(srv.Requests()))
	}
	for _, good := range []string{"2026-05-01T08:00:00+08:00", "2026-05-01T00:00:00Z", "2026-05-01T00:00:00.5Z"} {
		_, err := c.ListRoomInfo(ctx, req(good, "2026-05-01T10:00:00+08:00"))
		require.NoError(t, err, good)
	}
}

// FileNameConfig.Prefix holds letters and digits only, as the vendor says;
// its doc says so and the check refuses anything else.
func TestRecordPrefixLettersAndDigits(t *testing.T) {
	srv := rtctest.NewServer()
	defer srv.Close()
	c := newClient(t, srv)
	start := func(prefix ...string) error {
		r := recordReq("rec" + strings.Map(func(r rune) rune {
			if r == '/' || r == '-' {
				return 'x'
			}
			return r
		}, strings.Join(prefix, "")))
		r.FileNameConfig = &rtc.FileNameConfig{Prefix: prefix}
		_, err := c.StartRecord(context.Background(), r)
		return err
	}
	require.NoError(t, start("class1", "2026"))
	err := start("class-1")
	var ve *rtc.ValidationError
	require.True(t, errors.As(err, &ve), "%v", err)
	require.ErrorContains(t, err, "FileNameConfig.Prefix[0] must hold only letters and digits")
	require.Error(t, start("ok", "a/b"))
}

// StartRecordRequest.TaskID says a running TaskId cannot be started again;
// the fake answers InvalidParameter.TaskAlreadyExists and leaves the
// running task alone.
func TestStartingARunningTaskFails(t *testing.T) {
	srv := rtctest.NewServer()
	defer srv.Close()
	c := newClient(t, srv)
	ctx := context.Background()
	_, err := c.StartRecord(ctx, recordReq("rec1"))
	require.NoError(t, err)
	_, err = c.StartRecord(ctx, recordReq("rec1"))
	var ae *rtc.APIError
	require.True(t, errors.As(err, &ae), "%v", err)
	require.Equal(t, "InvalidParameter.TaskAlreadyExists", ae.Code)
	task, err := c.GetRecordTask(ctx, &rtc.GetRecordTaskRequest{AppID: "app", RoomID: "room1", TaskID: "rec1"})
	require.NoError(t, err)
	require.Equal(t, rtc.TaskStatusRunning, task.RecordTask.Status, "the running task is left as it is")

	// And the field's doc (from the facts, as godoc and rtcctl describe
	// show it) says so.
	doc := spec.MustLoadFacts().Actions["StartRecord"].In["TaskId"].Doc
	require.Contains(t, doc, "TaskAlreadyExists")
	require.NotContains(t, doc, "does not fail")
}
