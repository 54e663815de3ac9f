package rtc_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/rtctest"
)

// exampleClient returns a client for a fake server, as in users' tests.
func exampleClient() (*rtc.Client, *rtctest.Server) {
	srv := rtctest.NewServer()
	client, err := rtc.New(
		rtc.WithEndpoint(srv.URL),
		rtc.WithCredentials(rtc.Credentials{AccessKeyID: rtctest.DemoAccessKeyID, SecretAccessKey: rtctest.DemoSecretAccessKey}),
	)
	if err != nil {
		panic(err)
	}
	return client, srv
}

const exampleAppID = "661e2f2a543cf0123456789a"

func ExampleClient_BanRoomUser() {
	client, srv := exampleClient()
	defer srv.Close()
	_ = srv.Join(exampleAppID, "room1", "troll")

	res, err := client.BanRoomUser(context.Background(), &rtc.BanRoomUserRequest{
		AppID: exampleAppID, RoomID: "room1", UserID: "troll", ForbiddenInterval: rtc.Ptr[int32](600),
	})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(res.Message, res.Metadata.Action, res.Metadata.RequestID != "")
	fmt.Println("online:", srv.OnlineUsers(exampleAppID, "room1"))
	// Output:
	// success BanRoomUser true
	// online: []
}

func ExampleValidationError() {
	client, srv := exampleClient()
	defer srv.Close()

	_, err := client.KickUser(context.Background(), &rtc.KickUserRequest{AppID: exampleAppID, RoomID: "lobby #1"})
	var verr *rtc.ValidationError
	if errors.As(err, &verr) {
		for _, p := range verr.Problems {
			fmt.Println(p.Path, "-", p.Rule)
		}
	}
	fmt.Println("requests sent:", len(srv.Requests()))
	// Output:
	// RoomId - must be 1 to 128 characters of a-z A-Z 0-9 @ . _ - (got ' ' at byte 5)
	// UserId - is required
	// requests sent: 0
}

func ExampleAPIError() {
	client, srv := exampleClient()
	defer srv.Close()

	_, err := client.StopRecord(context.Background(), &rtc.StopRecordRequest{AppID: exampleAppID, RoomID: "room1", TaskID: "missing"})
	var apiErr *rtc.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.Code, apiErr.HTTPStatus)
	}
	fmt.Println("not found:", errors.Is(err, rtc.ErrNotFound), "retryable:", rtc.IsRetryable(err))
	// Output:
	// InvalidParameter.ErrorActiveTaskNotFound 400
	// not found: true retryable: false
}

func ExampleClient_Call() {
	client, srv := exampleClient()
	defer srv.Close()
	_ = srv.Join(exampleAppID, "room1", "alice")

	// A url.Values input makes a GET; out receives the Result.
	var out struct {
		TotalUser       int
		VisibleUserList []string
	}
	meta, err := client.Call(context.Background(), "GetRoomOnlineUsers", "2023-11-01",
		url.Values{"AppId": {exampleAppID}, "RoomId": {"room1"}}, &out)
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(meta.Action, out.TotalUser, out.VisibleUserList)
	// Output:
	// GetRoomOnlineUsers 1 [alice]
}

// NewTaskID makes a fresh TaskId for a Start* call: 32 hex characters, which
// satisfy the ID rule; a retry of the same request reuses it, so the service
// recognises the task.
func ExampleNewTaskID() {
	id := rtc.NewTaskID()
	fmt.Println(len(id), rtc.ValidID(id))
	// Output: 32 true
}
