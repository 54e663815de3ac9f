// Command token mints an RTC access token, prints it, then parses it back and
// verifies its signature.
//
//	go run ./examples/token                      # demo App ID and key
//	RTC_APP_ID=... RTC_APP_KEY=... go run ./examples/token -room room1 -user user1 -ttl 2h
//
// The App ID and App Key come from the flags, else from RTC_APP_ID and
// RTC_APP_KEY, else demo values are used (the token then only shows the
// format: the service will not accept it).
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/volcrtc/rtc"
)

const (
	demoAppID  = "123456781234567812345678"
	demoAppKey = "demo app key"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "token:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	appID := fs.String("app-id", os.Getenv("RTC_APP_ID"), "24-character App ID (default $RTC_APP_ID)")
	appKey := fs.String("app-key", "", "App Key (default $RTC_APP_KEY; prefer the environment over a flag)")
	room := fs.String("room", "room1", `room ID ("*" for any room)`)
	user := fs.String("user", "user1", "user ID")
	ttl := fs.Duration("ttl", 24*time.Hour, "how long the token and its privileges last (at most 168h)")
	subscribeOnly := fs.Bool("subscribe-only", false, "grant subscribe only, not publish")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *appKey == "" {
		*appKey = os.Getenv("RTC_APP_KEY")
	}
	if *appID == "" && *appKey == "" {
		fmt.Println("RTC_APP_ID and RTC_APP_KEY are not set: using demo values.")
		*appID, *appKey = demoAppID, demoAppKey
	}

	tok := rtc.NewAccessToken(*appID, *room, *user)
	tok.ExpireAt = tok.IssuedAt.Add(*ttl)
	tok.AddPrivilege(rtc.PrivSubscribeStream, tok.ExpireAt)
	if !*subscribeOnly {
		tok.AddPrivilege(rtc.PrivPublishStream, tok.ExpireAt)
	}
	s, err := tok.Serialize(*appKey)
	if err != nil {
		return err
	}
	fmt.Println("token:", s)

	back, err := rtc.ParseAccessToken(s)
	if err != nil {
		return err
	}
	fmt.Println("parsed:", back)
	if !back.Verify(*appKey) {
		return fmt.Errorf("the token does not verify with the key it was signed with")
	}
	fmt.Println("signature verified")
	return nil
}
