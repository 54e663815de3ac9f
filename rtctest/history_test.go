package rtctest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/volcrtc/rtc/rtctest"
)

// L11: RTC follows no redirect, and neither does the fake. An event or a
// server message answered with a 3xx is a failed attempt (retried, then
// given up), and the Location never sees it.
func TestEventsAndServerMessagesFollowNoRedirect(t *testing.T) {
	var redirected, target atomic.Int32
	dest := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { target.Add(1) }))
	defer dest.Close()
	for _, code := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			redirected.Add(1)
			http.Redirect(w, r, dest.URL+"/elsewhere", code)
		}))
		srv := rtctest.NewServer(rtctest.WithEventCallback(redirect.URL, cbSecret), rtctest.WithEventTimeout(2*time.Second))
		require.NoError(t, srv.EmitEvent("app", "RecordStarted", map[string]any{"AppId": "app", "RoomId": "r", "TaskId": "t"}))
		require.NoError(t, srv.EmitServerMessage("app", redirect.URL, "sig", "conv", map[string]any{"TaskId": "t"}))
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		require.NoError(t, srv.FlushEvents(ctx))
		cancel()
		evs, msgs := srv.Events(), srv.ServerMessages()
		srv.Close()
		redirect.Close()
		require.Len(t, evs, 1)
		require.Len(t, msgs, 1)
		for _, e := range []rtctest.Event{evs[0], msgs[0]} {
			require.False(t, e.Delivered, "%d counts as delivered", code)
			require.True(t, e.Done)
			require.Equal(t, 1+rtctest.EventRetries, e.Attempts)
			require.Equal(t, code, e.Status)
		}
	}
	require.EqualValues(t, 3*2*(1+rtctest.EventRetries), redirected.Load())
	require.Zero(t, target.Load(), "the redirect target got a delivery")
}

// L11: the histories are bounded: a fake that sent more than MaxRecorded
// events keeps the MaxRecorded most recent, and each one it forgot was
// still delivered.
func TestEventHistoryIsBounded(t *testing.T) {
	var delivered atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { delivered.Add(1) })
	srv := rtctest.NewServer(rtctest.WithEventHandler(h, cbSecret))
	defer srv.Close()
	n := 2*rtctest.MaxRecorded + 7
	for i := 0; i < n; i++ {
		require.NoError(t, srv.EmitEvent("app", "RecordStarted", map[string]any{"AppId": "app", "RoomId": "r", "TaskId": i}))
	}
	flush(t, srv)
	require.EqualValues(t, n, delivered.Load())
	evs := srv.Events()
	require.Equal(t, rtctest.MaxRecorded, len(evs))
	require.JSONEq(t, `{"AppId":"app","RoomId":"r","TaskId":`+strconv.Itoa(n-1)+`}`, evs[len(evs)-1].Data, "the newest is kept")
	require.JSONEq(t, `{"AppId":"app","RoomId":"r","TaskId":`+strconv.Itoa(n-rtctest.MaxRecorded)+`}`, evs[0].Data, "the oldest kept")
}
