package rtctest_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/rtctest"
)

// Issue 26 item 5: an after-class report. A class with a teacher and three
// pupils: one leaves and comes back, one is kicked, one is banned, then the
// teacher dismisses the room. ListRoomInfo and ListUserInfo report exactly
// those users and times, from the fake's own state.
func TestAfterClassReport(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 2, 0, 0, 0, time.UTC) // 10:00 in +08:00
	var now atomic.Int64
	now.Store(t0.UnixNano())
	at := func(d time.Duration) { now.Store(t0.Add(d).UnixNano()) }
	clock := func() time.Time { return time.Unix(0, now.Load()).UTC() }
	srv := rtctest.NewServer(rtctest.WithClock(clock))
	defer srv.Close()
	c := newClient(t, srv, rtc.WithClock(clock))
	ctx := context.Background()
	const app = "app-class"
	ts := func(d time.Duration) string { return t0.Add(d).Format(time.RFC3339) }

	require.NoError(t, srv.Join(app, "class1", "teacher"))
	at(time.Minute)
	require.NoError(t, srv.Join(app, "class1", "ann"))
	require.NoError(t, srv.Join(app, "class1", "bob"))
	require.NoError(t, srv.Join(app, "class1", "cat"))
	at(10 * time.Minute)
	srv.Leave(app, "class1", "ann")
	at(12 * time.Minute)
	require.NoError(t, srv.Join(app, "class1", "ann"))
	at(20 * time.Minute)
	_, err := c.KickUser(ctx, &rtc.KickUserRequest{AppID: app, RoomID: "class1", UserID: "bob"})
	require.NoError(t, err)
	at(30 * time.Minute)
	_, err = c.BanRoomUser(ctx, &rtc.BanRoomUserRequest{AppID: app, RoomID: "class1", UserID: "cat", ForbiddenInterval: rtc.Ptr[int32](3600)})
	require.NoError(t, err)

	// While the class goes on: no DestroyTime, not finished.
	at(40 * time.Minute)
	window := func() (string, string) { return ts(-time.Hour), ts(2 * time.Hour) }
	start, end := window()
	live, err := c.ListRoomInfo(ctx, &rtc.ListRoomInfoRequest{AppID: app, StartTime: start, EndTime: end})
	require.NoError(t, err)
	require.Len(t, live.RoomList, 1)
	require.Equal(t, "", live.RoomList[0].DestroyTime)
	require.False(t, live.RoomList[0].IsFinished)
	require.EqualValues(t, 2, live.RoomList[0].ActiveUserNum, "teacher and ann")

	at(45 * time.Minute)
	_, err = c.DismissRoom(ctx, &rtc.DismissRoomRequest{AppID: app, RoomID: "class1"})
	require.NoError(t, err)

	at(50 * time.Minute)
	rooms, err := c.ListRoomInfo(ctx, &rtc.ListRoomInfoRequest{AppID: app, StartTime: start, EndTime: end, RoomID: "class1"})
	require.NoError(t, err)
	require.EqualValues(t, 1, rooms.Total)
	r := rooms.RoomList[0]
	require.Equal(t, "class1", r.RoomID)
	require.Equal(t, ts(0), r.CreatedTime)
	require.Equal(t, ts(45*time.Minute), r.DestroyTime)
	require.True(t, r.IsFinished)
	require.Zero(t, r.ActiveUserNum)

	users, err := c.ListUserInfo(ctx, &rtc.ListUserInfoRequest{AppID: app, StartTime: start, EndTime: end, RoomID: "class1"})
	require.NoError(t, err)
	type row struct {
		created, left string
		duration      int64
		records       []string
	}
	got := map[string]row{}
	for _, u := range users.UserList {
		require.Equal(t, r.CallID, u.CallID)
		require.True(t, u.Finished)
		var recs []string
		for _, rec := range u.Record {
			recs = append(recs, rec.Type+"@"+rec.Time)
		}
		got[u.UserID] = row{u.CreatedAt, u.LeaveAt, u.Duration, recs}
	}
	require.Equal(t, map[string]row{
		"teacher": {ts(0), ts(45 * time.Minute), 45 * 60, []string{"joinroom@" + ts(0), "leaveroom@" + ts(45*time.Minute)}},
		"ann": {ts(time.Minute), ts(45 * time.Minute), (9 + 33) * 60, []string{"joinroom@" + ts(time.Minute), "leaveroom@" + ts(10*time.Minute),
			"joinroom@" + ts(12*time.Minute), "leaveroom@" + ts(45*time.Minute)}},
		"bob": {ts(time.Minute), ts(20 * time.Minute), 19 * 60, []string{"joinroom@" + ts(time.Minute), "leaveroom@" + ts(20*time.Minute)}},
		"cat": {ts(time.Minute), ts(30 * time.Minute), 29 * 60, []string{"joinroom@" + ts(time.Minute), "leaveroom@" + ts(30*time.Minute)}},
	}, got)
	require.EqualValues(t, 4, users.Total)

	// One user, and a window before the class: nothing.
	one, err := c.ListUserInfo(ctx, &rtc.ListUserInfoRequest{AppID: app, StartTime: start, EndTime: end, UserID: "bob"})
	require.NoError(t, err)
	require.Len(t, one.UserList, 1)
	require.Equal(t, "bob", one.UserList[0].UserID)
	before, err := c.ListRoomInfo(ctx, &rtc.ListRoomInfoRequest{AppID: app, StartTime: ts(-3 * time.Hour), EndTime: ts(-2 * time.Hour)})
	require.NoError(t, err)
	require.Empty(t, before.RoomList)

	// Usage counts the minutes spent in the class: 45 + 42 + 19 + 29.
	usage, err := c.ListUsages(ctx, &rtc.ListUsagesRequest{AppID: app, StartTime: ts(-2 * time.Hour), EndTime: ts(50 * time.Minute)})
	require.NoError(t, err)
	var minutes int64
	for _, u := range usage.Usages {
		minutes += u.Audio
	}
	require.EqualValues(t, 45+42+19+29, minutes)

	// A quality series has points only while someone was in the class.
	q, err := c.ListQuality(ctx, &rtc.ListQualityRequest{AppID: app, StartTime: ts(-time.Hour), EndTime: ts(50 * time.Minute),
		AggregateGranularity: "5min", RoomID: "class1", Indicator: []rtc.QualityIndicator{rtc.QualityStallRate}})
	require.NoError(t, err)
	require.Len(t, q.Indicators, 1)
	require.NotEmpty(t, q.Indicators[0].Data)
	for _, p := range q.Indicators[0].Data {
		pt, err := time.Parse(time.RFC3339, p.TimeStamp)
		require.NoError(t, err)
		require.True(t, !pt.Before(t0.Add(-5*time.Minute)) && pt.Before(t0.Add(45*time.Minute)), "point at %s is outside the class", p.TimeStamp)
	}
	empty, err := c.ListQuality(ctx, &rtc.ListQualityRequest{AppID: app, StartTime: ts(-time.Hour), EndTime: ts(50 * time.Minute),
		AggregateGranularity: "5min", RoomID: "no-such-room", Indicator: []rtc.QualityIndicator{rtc.QualityStallRate}})
	require.NoError(t, err)
	require.Empty(t, empty.Indicators[0].Data, "no class, no data")

	// The next class in the same room is a new call.
	at(60 * time.Minute)
	require.NoError(t, srv.Join(app, "class1", "teacher"))
	again, err := c.ListRoomInfo(ctx, &rtc.ListRoomInfoRequest{AppID: app, StartTime: start, EndTime: end, RoomID: "class1"})
	require.NoError(t, err)
	require.Len(t, again.RoomList, 2)
	require.NotEqual(t, again.RoomList[0].CallID, again.RoomList[1].CallID)
	require.Equal(t, "", again.RoomList[1].DestroyTime)
}

// Issue 26 item 5: with WithStrictRegion the fake refuses a request signed
// for another region, as an endpoint would; without it any region passes.
func TestStrictSigningRegion(t *testing.T) {
	ctx := context.Background()
	req := &rtc.GetRoomOnlineUsersRequest{AppID: "app", RoomID: "r"}

	strict := rtctest.NewServer(rtctest.WithStrictRegion())
	defer strict.Close()
	_, err := newClient(t, strict, rtc.WithRegion(rtc.RegionCNNorth1)).GetRoomOnlineUsers(ctx, req)
	require.NoError(t, err, "signed for the server's region")
	_, err = newClient(t, strict, rtc.WithRegion(rtc.RegionAPSoutheast1)).GetRoomOnlineUsers(ctx, req)
	var ae *rtc.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, "SignatureDoesNotMatch", ae.Code)
	require.Contains(t, ae.Message, `signed for region "ap-southeast-1"`)

	sg := rtctest.NewServer(rtctest.WithStrictRegion(), rtctest.WithRegion(rtc.RegionAPSoutheast1))
	defer sg.Close()
	_, err = newClient(t, sg, rtc.WithRegion(rtc.RegionAPSoutheast1)).GetRoomOnlineUsers(ctx, req)
	require.NoError(t, err)

	lax := rtctest.NewServer()
	defer lax.Close()
	_, err = newClient(t, lax, rtc.WithRegion(rtc.RegionAPSoutheast1)).GetRoomOnlineUsers(ctx, req)
	require.NoError(t, err, "without the option any region is accepted")
}
