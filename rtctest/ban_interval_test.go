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

// TestNegativeBanIntervalBansForTenSeconds follows the vendor's words on
// BanRoomUser.ForbiddenInterval (model BanRoomUserBody.ForbiddenInterval:
// a value below 10 becomes 10; only 0 or leaving it out lets the user back
// in): -600 bans for 10 s, it does not lift the ban.
func TestNegativeBanIntervalBansForTenSeconds(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC).UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()).UTC() }
	srv := rtctest.NewServer(rtctest.WithClock(clock))
	defer srv.Close()
	c := newClient(t, srv, rtc.WithClock(clock))
	ctx := context.Background()
	const app = "app-ban"

	require.NoError(t, srv.Join(app, "class1", "pupil"))
	_, err := c.BanRoomUser(ctx, &rtc.BanRoomUserRequest{AppID: app, RoomID: "class1", UserID: "pupil",
		ForbiddenInterval: rtc.Ptr[int32](-600)})
	require.NoError(t, err, "the service adjusts the value, it does not refuse it")
	require.NotContains(t, srv.OnlineUsers(app, "class1"), "pupil")
	require.ErrorIs(t, srv.Join(app, "class1", "pupil"), rtctest.ErrBanned, "a negative interval must not lift the ban")
	now.Add(int64(9 * time.Second))
	require.ErrorIs(t, srv.Join(app, "class1", "pupil"), rtctest.ErrBanned)
	now.Add(int64(time.Second))
	require.NoError(t, srv.Join(app, "class1", "pupil"), "the ban lasted 10 s")

	// UpdateBanRoomUserRule reads the value the same way; 0 lifts.
	_, err = c.BanRoomUser(ctx, &rtc.BanRoomUserRequest{AppID: app, RoomID: "class1", UserID: "pupil", ForbiddenInterval: rtc.Ptr[int32](600)})
	require.NoError(t, err)
	_, err = c.UpdateBanRoomUserRule(ctx, &rtc.UpdateBanRoomUserRuleRequest{AppID: app, RoomID: "class1", UserID: "pupil", ForbiddenInterval: rtc.Ptr[int32](-1)})
	require.NoError(t, err)
	require.ErrorIs(t, srv.Join(app, "class1", "pupil"), rtctest.ErrBanned)
	now.Add(int64(10 * time.Second))
	require.NoError(t, srv.Join(app, "class1", "pupil"))
	_, err = c.UpdateBanRoomUserRule(ctx, &rtc.UpdateBanRoomUserRuleRequest{AppID: app, RoomID: "class1", UserID: "pupil", ForbiddenInterval: rtc.Ptr[int32](0)})
	require.NoError(t, err)
	require.NoError(t, srv.Join(app, "class1", "pupil"))
}
