package rtctest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/rtctest"
)

// Start a fake server, point a client at it, and check what happened.
func Example() {
	srv := rtctest.NewServer()
	defer srv.Close()

	client, err := rtc.New(
		rtc.WithEndpoint(srv.URL),
		rtc.WithCredentials(rtc.Credentials{
			AccessKeyID:     rtctest.DemoAccessKeyID,
			SecretAccessKey: rtctest.DemoSecretAccessKey,
		}),
	)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()

	// A user joins, as a client SDK would; the code under test bans them.
	_ = srv.Join("my-app", "room1", "alice")
	_, err = client.BanRoomUser(ctx, &rtc.BanRoomUserRequest{
		AppID: "my-app", RoomID: "room1", UserID: "alice", ForbiddenInterval: rtc.Ptr[int32](600),
	})
	fmt.Println("ban:", err)
	fmt.Println("online:", srv.OnlineUsers("my-app", "room1"))
	fmt.Println("rejoin banned:", errors.Is(srv.Join("my-app", "room1", "alice"), rtctest.ErrBanned))
	fmt.Println("requests:", len(srv.Requests()), srv.Requests()[0].Action)
	// Output:
	// ban: <nil>
	// online: []
	// rejoin banned: true
	// requests: 1 BanRoomUser
}

// Make the next call fail the way an overloaded service does.
func ExampleServer_InjectFault() {
	srv := rtctest.NewServer()
	defer srv.Close()
	client, _ := rtc.New(
		rtc.WithEndpoint(srv.URL),
		rtc.WithCredentials(rtc.Credentials{AccessKeyID: rtctest.DemoAccessKeyID, SecretAccessKey: rtctest.DemoSecretAccessKey}),
		rtc.WithRetry(rtc.RetryPolicy{MaxAttempts: 1}),
	)
	srv.InjectFault("KickUser", rtctest.Fault{Status: http.StatusTooManyRequests, Code: "FlowLimitExceeded"})

	_, err := client.KickUser(context.Background(), &rtc.KickUserRequest{AppID: "my-app", RoomID: "room1", UserID: "bob"})
	fmt.Println(errors.Is(err, rtc.ErrThrottled))
	// Output: true
}
