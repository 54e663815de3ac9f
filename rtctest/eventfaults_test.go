package rtctest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/rtctest"
)

// A dropped event never reaches the handler; the others do.
func TestDropEvents(t *testing.T) {
	sink := &eventSink{}
	srv := rtctest.NewServer(rtctest.WithEventHandler(sink.handler(t), cbSecret))
	defer srv.Close()
	c := newClient(t, srv)
	ctx := context.Background()
	srv.DropEvents(func(e rtctest.Event) bool { return e.Type == rtc.EventRecordStopped })

	_, err := c.StartRecord(ctx, recordReq("rec1"))
	require.NoError(t, err)
	_, err = c.StopRecord(ctx, &rtc.StopRecordRequest{AppID: "app", RoomID: "room1", TaskID: "rec1"})
	require.NoError(t, err)
	flush(t, srv)

	assert.Equal(t, []string{rtc.EventRecordStarted, rtc.EventRecordUploadDone}, sink.types())
	dropped := srv.DroppedEvents()
	require.Len(t, dropped, 1)
	assert.Equal(t, rtc.EventRecordStopped, dropped[0].Type)
	for _, e := range srv.Events() {
		assert.True(t, e.Done, e.Type)
		if e.Type == rtc.EventRecordStopped {
			assert.False(t, e.Delivered)
			assert.Zero(t, e.Attempts)
		}
	}
}

// A held event is delivered after the later ones once released: reordered.
func TestHoldAndReleaseEvents(t *testing.T) {
	sink := &eventSink{}
	srv := rtctest.NewServer(rtctest.WithEventHandler(sink.handler(t), cbSecret))
	defer srv.Close()
	c := newClient(t, srv)
	ctx := context.Background()
	srv.HoldEvents(func(e rtctest.Event) bool { return e.Type == rtc.EventRecordStarted })

	_, err := c.StartRecord(ctx, recordReq("rec1"))
	require.NoError(t, err)
	_, err = c.StopRecord(ctx, &rtc.StopRecordRequest{AppID: "app", RoomID: "room1", TaskID: "rec1"})
	require.NoError(t, err)
	flush(t, srv)
	assert.Equal(t, []string{rtc.EventRecordStopped, rtc.EventRecordUploadDone}, sink.types(), "held back")

	assert.Equal(t, 1, srv.ReleaseEvents())
	flush(t, srv)
	assert.Equal(t, []string{rtc.EventRecordStopped, rtc.EventRecordUploadDone, rtc.EventRecordStarted}, sink.types(),
		"the start arrives last, and is not held a second time")
	assert.Zero(t, srv.ReleaseEvents())
}
