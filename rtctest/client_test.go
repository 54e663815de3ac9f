package rtctest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/internal/spec"
	"github.com/volcrtc/rtc/rtctest"
)

// newClient returns an SDK client pointed at srv with the demo key pair.
func newClient(t *testing.T, srv *rtctest.Server, opts ...rtc.Option) *rtc.Client {
	t.Helper()
	base := []rtc.Option{
		rtc.WithEndpoint(srv.URL),
		rtc.WithCredentials(rtc.Credentials{AccessKeyID: rtctest.DemoAccessKeyID, SecretAccessKey: rtctest.DemoSecretAccessKey}),
		rtc.WithRetry(rtc.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}),
	}
	c, err := rtc.New(append(base, opts...)...)
	require.NoError(t, err)
	return c
}

func TestClientRoomsEndToEnd(t *testing.T) {
	srv := rtctest.NewServer()
	defer srv.Close()
	c := newClient(t, srv)
	ctx := context.Background()

	require.NoError(t, srv.Join("app", "room1", "alice"))
	require.NoError(t, srv.Join("app", "room1", "bob"))
	users, err := c.GetRoomOnlineUsers(ctx, &rtc.GetRoomOnlineUsersRequest{AppID: "app", RoomID: "room1"})
	require.NoError(t, err)
	require.True(t, users.RoomExists)
	require.Equal(t, []string{"alice", "bob"}, users.VisibleUserList)
	require.EqualValues(t, 2, users.TotalUser)
	require.NotEmpty(t, users.Metadata.RequestID)

	ban, err := c.BanRoomUser(ctx, &rtc.BanRoomUserRequest{AppID: "app", RoomID: "room1", UserID: "bob", ForbiddenInterval: rtc.Ptr[int32](600)})
	require.NoError(t, err)
	require.Equal(t, "success", ban.Message)
	require.ErrorIs(t, srv.Join("app", "room1", "bob"), rtctest.ErrBanned)

	kick, err := c.KickUser(ctx, &rtc.KickUserRequest{AppID: "app", RoomID: "room1", UserID: "alice"})
	require.NoError(t, err)
	require.NotEmpty(t, kick.Metadata.RequestID)
	require.False(t, srv.RoomExists("app", "room1"))

	_, err = c.DeleteCallback(ctx, &rtc.DeleteCallbackRequest{AppID: "app"})
	require.NoError(t, err, "a POST whose parameters go in the query")
	reqs := srv.Requests()
	last := reqs[len(reqs)-1]
	require.Equal(t, "DeleteCallback", last.Action)
	require.Equal(t, http.MethodPost, last.Method)
	require.True(t, last.SignatureVerified)
}

func TestClientTasksAndErrors(t *testing.T) {
	srv := rtctest.NewServer()
	defer srv.Close()
	c := newClient(t, srv)
	ctx := context.Background()
	start := &rtc.StartRecordRequest{AppID: "app", RoomID: "r", TaskID: "t1", StorageConfig: &rtc.RecordStorageConfig{TosConfig: &rtc.TosConfig{AccountID: "acc", Bucket: "b"}}}
	_, err := c.StartRecord(ctx, start)
	require.NoError(t, err)
	_, err = c.StartRecord(ctx, start)
	require.ErrorIs(t, err, rtc.ErrTaskExists)
	var apiErr *rtc.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, "InvalidParameter.TaskAlreadyExists", apiErr.Code)
	require.Equal(t, http.StatusBadRequest, apiErr.HTTPStatus)
	require.NotEmpty(t, apiErr.RequestID)

	_, err = c.StopRecord(ctx, &rtc.StopRecordRequest{AppID: "app", RoomID: "r", TaskID: "t1"})
	require.NoError(t, err)
	got, err := c.GetRecordTask(ctx, &rtc.GetRecordTaskRequest{AppID: "app", RoomID: "r", TaskID: "t1"})
	require.NoError(t, err)
	require.EqualValues(t, rtctest.TaskStatusStopped, got.RecordTask.Status)
	require.Len(t, got.RecordTask.RecordFileList, 1)
}

func TestClientRetriesInjectedFaults(t *testing.T) {
	srv := rtctest.NewServer()
	defer srv.Close()
	c := newClient(t, srv)
	ctx := context.Background()
	in := &rtc.GetRoomOnlineUsersRequest{AppID: "app", RoomID: "r"}

	srv.InjectFault("GetRoomOnlineUsers", rtctest.Fault{Times: 2, Status: http.StatusServiceUnavailable})
	_, err := c.GetRoomOnlineUsers(ctx, in)
	require.NoError(t, err, "two 503s, then success on the third attempt")
	require.Len(t, srv.Requests(), 3)

	srv.InjectFault("GetRoomOnlineUsers", rtctest.Fault{Times: rtctest.Always, Code: "FlowLimitExceeded"})
	_, err = c.GetRoomOnlineUsers(ctx, in)
	require.ErrorIs(t, err, rtc.ErrThrottled)
	srv.ClearFaults()

	srv.InjectFault("GetRoomOnlineUsers", rtctest.Fault{Status: http.StatusBadGateway, Body: rtctest.GatewayHTML()})
	_, err = c.GetRoomOnlineUsers(ctx, in, rtc.WithCallRetry(rtc.RetryPolicy{MaxAttempts: 1}))
	var respErr *rtc.ResponseError
	require.ErrorAs(t, err, &respErr)
	require.Equal(t, http.StatusBadGateway, respErr.HTTPStatus)

	srv.InjectFault("GetRoomOnlineUsers", rtctest.Fault{Status: http.StatusOK, Code: "InvalidParameter.AccountIdMismatch"})
	_, err = c.GetRoomOnlineUsers(ctx, in)
	require.ErrorIs(t, err, rtc.ErrInvalidParameter, "an Error inside HTTP 200 is a failure")
}

func TestClientCorrectsClockSkewFromTheDateHeader(t *testing.T) {
	srv := rtctest.NewServer()
	defer srv.Close()
	srv.SetClockOffset(30 * time.Minute)
	c := newClient(t, srv)
	_, err := c.KickUser(context.Background(), &rtc.KickUserRequest{AppID: "a", RoomID: "r", UserID: "u"})
	require.NoError(t, err)
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	require.Equal(t, "InvalidTimestamp", reqs[0].ErrorCode)
	require.Equal(t, "", reqs[1].ErrorCode)
}

func TestClientAuthFailures(t *testing.T) {
	srv := rtctest.NewServer(rtctest.WithCredentials("AK", "right"))
	defer srv.Close()
	c, err := rtc.New(rtc.WithEndpoint(srv.URL), rtc.WithCredentials(rtc.Credentials{AccessKeyID: "AK", SecretAccessKey: "wrong"}))
	require.NoError(t, err)
	_, err = c.KickUser(context.Background(), &rtc.KickUserRequest{AppID: "a", RoomID: "r", UserID: "u"})
	require.ErrorIs(t, err, rtc.ErrAuth)
	var apiErr *rtc.APIError
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, "SignatureDoesNotMatch", apiErr.Code)
	require.Equal(t, 100010, apiErr.CodeN)
	require.NotContains(t, err.Error(), "wrong")
}

// TestClientCallEveryAction sends every action of the spec through the
// generic Client.Call with a minimal input (and what the action needs to
// exist first) and requires a decoded success from each: the client
// accepts every envelope the fake writes.
func TestClientCallEveryAction(t *testing.T) {
	srv := rtctest.NewServer()
	defer srv.Close()
	c := newClient(t, srv)
	sp := spec.MustLoad()
	succeeded := 0
	for i := range sp.Actions {
		a := &sp.Actions[i]
		t.Run(a.Action, func(t *testing.T) {
			srv.Reset()
			in := minimalInput(a)
			rtctest.Prepare(t, srv, a, in)
			var out json.RawMessage
			var err error
			if a.InputIn == "query" {
				q := url.Values{}
				for k, v := range in {
					b, _ := json.Marshal(v)
					if s, ok := v.(string); ok {
						q.Set(k, s)
					} else {
						q.Set(k, string(b))
					}
				}
				_, err = c.Call(context.Background(), a.Action, a.Version, q, &out)
			} else {
				_, err = c.Call(context.Background(), a.Action, a.Version, in, &out)
			}
			require.NoError(t, err)
			succeeded++
		})
	}
	require.Equal(t, len(sp.Actions), succeeded, "every action answers")
}

func minimalInput(a *spec.Action) map[string]any {
	return minimalObject(a, a.Input, "")
}

// minimalObject sets the required fields of an object at path, and the
// fields the facts' rules between fields require (RoomId or UserId for
// BanRoomUser, TosConfig for a storage of the default type).
func minimalObject(a *spec.Action, fields []spec.Field, path string) map[string]any {
	m := map[string]any{}
	for _, f := range fields {
		if f.Required {
			m[f.Name] = minimalValue(a, f, path)
		}
	}
	for _, r := range spec.MustLoadFacts().Rules(a.Action, path) {
		names := r.Require
		if len(r.AnyOf) > 0 {
			names = r.AnyOf[:1]
		} else if _, set := m[r.When.Field]; set {
			continue // the condition holds only for the field's default
		}
		for _, n := range names {
			for _, f := range fields {
				if f.Name == n {
					m[n] = minimalValue(a, f, path)
				}
			}
		}
	}
	return m
}

func minimalValue(a *spec.Action, f spec.Field, path string) any {
	p := f.Name
	if path != "" {
		p = path + "." + f.Name
	}
	fs := spec.MustLoadFacts()
	if x := fs.Field(a.Action, "in", p); x != nil && f.Type != "object" && f.Type != "array" {
		if e := fs.Enum(x); e != nil {
			var v any
			_ = json.Unmarshal(e.Values[0].Value, &v)
			return v
		}
		if len(x.OneOf) > 0 {
			var v any
			_ = json.Unmarshal(x.OneOf[0], &v)
			return v
		}
		if x.Min != nil && !x.MinOpen {
			return *x.Min
		}
	}
	switch f.Type {
	case "object":
		return minimalObject(a, f.Fields, p)
	case "array":
		e := *f.Elem
		e.Name = f.Name
		return []any{minimalValue(a, e, path)}
	case "int32", "int64", "float32", "float64":
		return 1
	case "bool":
		return f.Name != "Binary" // a binary message would need base64
	case "any":
		return map[string]any{}
	}
	if enum := a.Enums[f.Name]; len(enum) > 0 {
		return enum[0]
	}
	switch f.Name {
	case "StartTime":
		// A recent window fits every query's look-back and span.
		return time.Now().Add(-40 * time.Minute).Format(time.RFC3339)
	case "EndTime":
		return time.Now().Add(-10 * time.Minute).Format(time.RFC3339)
	}
	return "v_" + f.Name
}
