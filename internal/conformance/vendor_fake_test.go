package conformance_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/volcengine/volc-sdk-golang/base"
	v20201201 "github.com/volcengine/volc-sdk-golang/service/rtc/v20201201"
	v20231101 "github.com/volcengine/volc-sdk-golang/service/rtc/v20231101"
	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/rtctest"
)

const (
	fakeAK    = "AKLTconformanceAccessKey"
	fakeSK    = "Y29uZm9ybWFuY2VTZWNyZXRLZXk="
	fakeAppID = "661e2f2a543cf0012345abcd"
)

// pointVendor points a vendor client at a loopback server: host, plain
// HTTP, the given key pair, and an http.Client of its own (the vendor's
// shared default client honours VOLC_HTTP_PROXY, which a test must not).
func pointVendor(t *testing.T, c *base.Client, serverURL, ak, sk string) {
	t.Helper()
	u, err := url.Parse(serverURL)
	require.NoError(t, err)
	require.Contains(t, []string{"127.0.0.1", "::1", "localhost"}, u.Hostname(), "the vendor client must only talk to loopback")
	c.SetHost(u.Host)
	c.SetScheme("http")
	c.SetAccessKey(ak)
	c.SetSecretKey(sk)
	tr := &http.Transport{Proxy: nil}
	t.Cleanup(tr.CloseIdleConnections)
	c.Client = &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

// vendorOutcome is what one vendor call reported: the HTTP status, the
// error code of the envelope, its request ID, and the Go error.
type vendorOutcome struct {
	status    int
	code      string
	requestID string
	err       error
}

type vendorCall func(ctx context.Context, t *testing.T, serverURL, ak, sk, roomID string) vendorOutcome

// The vendor's result types differ per action and version; each call below
// unpacks the common fields.
var vendorCalls = map[string]vendorCall{
	"v20201201.BanRoomUser": func(ctx context.Context, t *testing.T, u, ak, sk, room string) vendorOutcome {
		c := v20201201.NewInstance()
		pointVendor(t, c.Client, u, ak, sk)
		res, status, err := c.BanRoomUser(ctx, &v20201201.BanRoomUserBody{
			AppID: fakeAppID, RoomID: &room, UserID: rtc.Ptr("user1"), ForbiddenInterval: rtc.Ptr[int32](600),
		})
		out := vendorOutcome{status: status, err: err}
		if res != nil {
			out.requestID = res.ResponseMetadata.RequestID
			if e := res.ResponseMetadata.Error; e != nil {
				out.code = e.Code
			}
		}
		return out
	},
	"v20201201.KickUser": func(ctx context.Context, t *testing.T, u, ak, sk, room string) vendorOutcome {
		c := v20201201.NewInstance()
		pointVendor(t, c.Client, u, ak, sk)
		res, status, err := c.KickUser(ctx, &v20201201.KickUserBody{AppID: fakeAppID, RoomID: room, UserID: "user1"})
		out := vendorOutcome{status: status, err: err}
		if res != nil {
			out.requestID = res.ResponseMetadata.RequestID
			if e := res.ResponseMetadata.Error; e != nil {
				out.code = e.Code
			}
		}
		return out
	},
	"v20231101.BanRoomUser": func(ctx context.Context, t *testing.T, u, ak, sk, room string) vendorOutcome {
		c := v20231101.NewInstance()
		pointVendor(t, c.Client, u, ak, sk)
		res, status, err := c.BanRoomUser(ctx, &v20231101.BanRoomUserBody{
			AppID: fakeAppID, RoomID: &room, UserID: rtc.Ptr("user1"), ForbiddenInterval: rtc.Ptr[int32](600),
		})
		out := vendorOutcome{status: status, err: err}
		if res != nil {
			out.requestID = res.ResponseMetadata.RequestID
			if e := res.ResponseMetadata.Error; e != nil {
				out.code = e.Code
			}
		}
		return out
	},
	"v20231101.BanUserStream": func(ctx context.Context, t *testing.T, u, ak, sk, room string) vendorOutcome {
		c := v20231101.NewInstance()
		pointVendor(t, c.Client, u, ak, sk)
		res, status, err := c.BanUserStream(ctx, &v20231101.BanUserStreamBody{
			AppID: fakeAppID, RoomID: room, UserID: "user1", Audio: rtc.Ptr(true), ForbiddenInterval: rtc.Ptr[int64](600),
		})
		out := vendorOutcome{status: status, err: err}
		if res != nil {
			out.requestID = res.ResponseMetadata.RequestID
			if e := res.ResponseMetadata.Error; e != nil {
				out.code = e.Code
			}
		}
		return out
	},
	"v20231101.GetRoomOnlineUsers": func(ctx context.Context, t *testing.T, u, ak, sk, room string) vendorOutcome {
		c := v20231101.NewInstance()
		pointVendor(t, c.Client, u, ak, sk)
		res, status, err := c.GetRoomOnlineUsers(ctx, &v20231101.GetRoomOnlineUsersQuery{AppID: fakeAppID, RoomID: room})
		out := vendorOutcome{status: status, err: err}
		if res != nil {
			out.requestID = res.ResponseMetadata.RequestID
			if e := res.ResponseMetadata.Error; e != nil {
				out.code = e.Code
			}
		}
		return out
	},
}

// TestVendorClientAgainstFake runs the vendor's own RTC clients against
// rtctest: the fake must accept what the vendor signs, and fail the way the
// service does for a wrong secret and for a bad RoomId.
func TestVendorClientAgainstFake(t *testing.T) {
	srv := rtctest.NewServer(rtctest.WithCredentials(fakeAK, fakeSK))
	t.Cleanup(srv.Close)

	tests := []struct {
		name       string
		sk         string
		room       string
		wantStatus int
		wantCode   string // "" for success; a prefix otherwise
	}{
		{"right secret", fakeSK, "room1", http.StatusOK, ""},
		{"wrong secret", "d3JvbmdTZWNyZXQ=", "room1", http.StatusUnauthorized, "SignatureDoesNotMatch"},
		{"bad RoomId", fakeSK, "room 1!", http.StatusBadRequest, "InvalidParameter"},
	}
	for name, call := range vendorCalls {
		for _, tt := range tests {
			t.Run(name+"/"+tt.name, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				out := call(ctx, t, srv.URL, fakeAK, tt.sk, tt.room)
				require.Equal(t, tt.wantStatus, out.status)
				require.NotEmpty(t, out.requestID, "the envelope carries a RequestId")
				if tt.wantCode == "" {
					require.NoError(t, out.err)
					require.Empty(t, out.code)
					return
				}
				require.Error(t, out.err)
				require.Contains(t, out.code, tt.wantCode)
				// The vendor surfaces the body in its error text.
				require.Contains(t, out.err.Error(), tt.wantCode)
			})
		}
	}
}

// TestVendorClientStateThroughFake checks that the fake understood what the
// vendor's clients sent, not only that it accepted the signature: a user
// joined on the fake shows up in the vendor's GetRoomOnlineUsers result,
// and the vendor's KickUser removes them.
func TestVendorClientStateThroughFake(t *testing.T) {
	srv := rtctest.NewServer(rtctest.WithCredentials(fakeAK, fakeSK))
	t.Cleanup(srv.Close)
	require.NoError(t, srv.Join(fakeAppID, "room-state", "alice"))
	require.NoError(t, srv.Join(fakeAppID, "room-state", "bob"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	v23 := v20231101.NewInstance()
	pointVendor(t, v23.Client, srv.URL, fakeAK, fakeSK)
	online, status, err := v23.GetRoomOnlineUsers(ctx, &v20231101.GetRoomOnlineUsersQuery{AppID: fakeAppID, RoomID: "room-state"})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status)
	require.NotNil(t, online.Result)
	require.NotNil(t, online.Result.RoomExists)
	require.True(t, *online.Result.RoomExists)
	var visible []string
	for _, u := range online.Result.VisibleUserList {
		require.NotNil(t, u)
		visible = append(visible, *u)
	}
	require.ElementsMatch(t, []string{"alice", "bob"}, visible)

	v20 := v20201201.NewInstance()
	pointVendor(t, v20.Client, srv.URL, fakeAK, fakeSK)
	_, status, err = v20.KickUser(ctx, &v20201201.KickUserBody{AppID: fakeAppID, RoomID: "room-state", UserID: "alice"})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, []string{"bob"}, srv.OnlineUsers(fakeAppID, "room-state"))
}
