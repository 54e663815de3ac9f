package rtctest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/rtctest"
)

// TestQualityIndicatorNames: the indicator names come from page
// 6348/1167931; a misspelt one is refused before sending with the list of
// valid names, and the fake answers for exactly the names asked for.
func TestQualityIndicatorNames(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	srv := rtctest.NewServer(rtctest.WithClock(clock))
	defer srv.Close()
	c := newClient(t, srv, rtc.WithClock(clock))
	ctx := context.Background()
	req := &rtc.ListQualityRequest{AppID: "app", StartTime: "2026-04-30T00:00:00Z", EndTime: "2026-05-01T00:00:00Z",
		AggregateGranularity: "1d", Indicator: []rtc.QualityIndicator{rtc.QualityStallRate, "stal_rate"}}
	_, err := c.ListQuality(ctx, req)
	var ve *rtc.ValidationError
	require.True(t, errors.As(err, &ve), "%v", err)
	require.Contains(t, err.Error(), "stal_rate")
	for _, name := range []string{"join_room_success_rate", "stall_rate", "first_frame_send_success_rate", "first_frame_recv_success_rate", "network_trans_delay"} {
		require.Contains(t, err.Error(), name, "the error lists the valid names")
	}
	require.Empty(t, srv.Requests(), "refused before sending")

	req.Indicator = []rtc.QualityIndicator{rtc.QualityNetworkTransDelay, rtc.QualityJoinRoomSuccessRate}
	res, err := c.ListQuality(ctx, req)
	require.NoError(t, err)
	var names []string
	for _, ind := range res.Indicators {
		names = append(names, ind.Name)
		require.Equal(t, "%", ind.Unit)
		require.NotEmpty(t, ind.Data)
		for _, p := range ind.Data {
			require.GreaterOrEqual(t, p.Value, 0.0)
			require.LessOrEqual(t, p.Value, 100.0)
		}
	}
	require.Equal(t, []string{"network_trans_delay", "join_room_success_rate"}, names)

	rt, err := c.ListRealTimeQuality(ctx, &rtc.ListRealTimeQualityRequest{AppID: "app", RoomID: "class1",
		StartTime: now.Add(-30 * time.Minute).Format(time.RFC3339), EndTime: now.Format(time.RFC3339),
		Indicator: []rtc.QualityIndicator{rtc.QualityStallRate}})
	require.NoError(t, err)
	require.Len(t, rt.Indicators, 1)
	require.Equal(t, "stall_rate", rt.Indicators[0].Name)
	require.Equal(t, "class1", rt.RoomID)

	// The fake refuses a wrong name sent past the client's checks, as the
	// service would.
	_, err = c.ListQuality(ctx, &rtc.ListQualityRequest{AppID: "app", StartTime: "2026-04-30T00:00:00Z", EndTime: "2026-05-01T00:00:00Z",
		AggregateGranularity: "1d", Indicator: []rtc.QualityIndicator{"name-1"}}, rtc.WithCallLenientValidation())
	var ae *rtc.APIError
	require.True(t, errors.As(err, &ae), "%v", err)
	require.Equal(t, "InvalidParameter", ae.Code)
}
