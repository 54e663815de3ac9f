package rtc_test

import (
	"fmt"
	"time"

	"github.com/volcrtc/rtc"
)

// Mint a token that lets user1 join room1, publish for a day and subscribe
// for as long as the token lasts. The token text changes with the time and
// the random nonce, so this prints what a client app would read from it.
func ExampleAccessToken_Serialize() {
	tok := rtc.NewAccessToken("123456781234567812345678", "room1", "user1")
	tok.ExpireAt = tok.IssuedAt.Add(24 * time.Hour)
	tok.AddPrivilege(rtc.PrivPublishStream, tok.ExpireAt)
	tok.AddPrivilege(rtc.PrivSubscribeStream, time.Time{})

	s, err := tok.Serialize("app key")
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	back, err := rtc.ParseAccessToken(s)
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(s[:27], back.RoomID, back.UserID, back.ExpireAt.Sub(back.IssuedAt), back.Verify("app key"))
	// Output:
	// 001123456781234567812345678 room1 user1 24h0m0s true
}

// Read a token back and check who signed it.
func ExampleParseAccessToken() {
	tok, err := rtc.ParseAccessToken("001123456781234567812345678OgABAAAAAIEkaYDSJWkFAHJvb20xBQB1c2VyMQUAAACA0iVpAQCA0iVpAgCA0iVpAwCA0iVpBAAAAAAAIADLNI8ru6pSuKRv94Su+sbYNGvIHwU89A80fchzxH0IXw==")
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(tok.RoomID, tok.UserID, tok.ExpireAt.Format(time.RFC3339))
	fmt.Println("subscribe never expires:", tok.Privileges[rtc.PrivSubscribeStream].IsZero())
	fmt.Println("signed with app key:", tok.Verify("app key"))
	fmt.Println("signed with other key:", tok.Verify("other key"))
	// Output:
	// room1 user1 2025-11-25T16:00:00Z
	// subscribe never expires: true
	// signed with app key: true
	// signed with other key: false
}

// Serialize says what to fix when the service would refuse the token.
func ExampleAccessToken_Serialize_error() {
	tok := rtc.NewAccessToken("123456781234567812345678", "room1", "user1")
	tok.ExpireAt = tok.IssuedAt.Add(30 * 24 * time.Hour)
	_, err := tok.Serialize("app key")
	fmt.Println(err)
	// Output:
	// rtc: access token: ExpireAt is 720h0m0s after IssuedAt; the service accepts at most 7 days (168h0m0s)
}
