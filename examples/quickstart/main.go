// Command quickstart tells a short moderation story with the SDK: list who
// is in a room, ban a disruptive user, kick another, and show the typed
// errors bad input and missing tasks get.
//
// With no credentials it starts the in-process fake server (rtctest) and
// runs against it:
//
//	go run ./examples/quickstart
//
// With credentials (VOLCENGINE_ACCESS_KEY / VOLCENGINE_SECRET_KEY, or the
// other sources of rtc.DefaultCredentials) and RTC_APP_ID set, it runs the
// same story against the real service, in RTC_REGION (default cn-north-1)
// and room RTC_ROOM_ID (default "quickstart-room"). It bans and kicks the
// made-up users "quickstart-troll" and "quickstart-guest" only.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/rtctest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	appID, roomID := os.Getenv("RTC_APP_ID"), envOr("RTC_ROOM_ID", "quickstart-room")
	troll, guest := "quickstart-troll", "quickstart-guest"
	var client *rtc.Client
	var err error
	if _, credErr := rtc.DefaultCredentials().Retrieve(ctx); credErr == nil && appID != "" {
		fmt.Println("Using the real RTC OpenAPI with your credentials.")
		client, err = rtc.New(rtc.WithRegion(envOr("RTC_REGION", rtc.RegionCNNorth1)), rtc.WithUserAgent("rtc-quickstart"))
		if err != nil {
			return err
		}
	} else {
		fmt.Println("No credentials and RTC_APP_ID set: using the in-process fake server (rtctest).")
		srv := rtctest.NewServer()
		defer srv.Close()
		appID = "661e2f2a543cf0123456789a"
		for _, u := range []string{"alice", "bob", troll, guest} {
			if err := srv.Join(appID, roomID, u); err != nil {
				return err
			}
		}
		client, err = rtc.New(
			rtc.WithEndpoint(srv.URL),
			rtc.WithCredentials(rtc.Credentials{AccessKeyID: rtctest.DemoAccessKeyID, SecretAccessKey: rtctest.DemoSecretAccessKey}),
		)
		if err != nil {
			return err
		}
	}
	fmt.Printf("Endpoint %s, app %s, room %s\n\n", client.Endpoint(), appID, roomID)

	listUsers := func(step string) error {
		res, err := client.GetRoomOnlineUsers(ctx, &rtc.GetRoomOnlineUsersRequest{AppID: appID, RoomID: roomID})
		if err != nil {
			return fmt.Errorf("%s: %w", step, err)
		}
		fmt.Printf("%s: %d online %v (request %s)\n", step, res.TotalUser, res.VisibleUserList, res.Metadata.RequestID)
		return nil
	}

	if err := listUsers("1. Who is in the room"); err != nil {
		return err
	}

	ban, err := client.BanRoomUser(ctx, &rtc.BanRoomUserRequest{
		AppID: appID, RoomID: roomID, UserID: troll, ForbiddenInterval: rtc.Ptr[int32](600),
	})
	if err != nil {
		return fmt.Errorf("ban: %w", err)
	}
	fmt.Printf("2. Banned %s for 10 minutes (request %s)\n", troll, ban.Metadata.RequestID)

	kick, err := client.KickUser(ctx, &rtc.KickUserRequest{AppID: appID, RoomID: roomID, UserID: guest})
	if err != nil {
		return fmt.Errorf("kick: %w", err)
	}
	fmt.Printf("3. Kicked %s (request %s)\n", guest, kick.Metadata.RequestID)

	if err := listUsers("4. Who is left"); err != nil {
		return err
	}

	// A RoomId with a character outside the ID rule never leaves the process.
	_, err = client.KickUser(ctx, &rtc.KickUserRequest{AppID: appID, RoomID: "lobby #1", UserID: "bob"})
	var verr *rtc.ValidationError
	if !errors.As(err, &verr) {
		return fmt.Errorf("expected a validation error for a bad RoomId, got %v", err)
	}
	fmt.Printf("5. Bad RoomId, caught before sending:\n   %v\n", err)

	// The service's own errors are typed too.
	_, err = client.StopRecord(ctx, &rtc.StopRecordRequest{AppID: appID, RoomID: roomID, TaskID: "no-such-task"})
	var apiErr *rtc.APIError
	if !errors.As(err, &apiErr) {
		return fmt.Errorf("expected an API error for a missing task, got %v", err)
	}
	fmt.Printf("6. Stopping a task that does not exist:\n   code %s, not found: %v, request %s\n   %v\n",
		apiErr.Code, errors.Is(err, rtc.ErrNotFound), apiErr.RequestID, err)
	fmt.Println("\nDone. Next: README.md (tokens, callbacks, retries, rtctest in your own tests).")
	return nil
}

func envOr(k, def string) string {
	if v := strings.TrimSpace(os.Getenv(k)); v != "" {
		return v
	}
	return def
}
