package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/volcrtc/rtc"
)

// hostile holds what a terminal would act on: an OSC title change ended by
// BEL, a CSI clear-screen, a C1 CSI (U+009B) and DEL.
const hostile = "\x1b]0;owned\x07\x1b[2J\u009b31m\x7f"

// requireNoTerminalControl fails when out holds any byte or rune a terminal
// treats as a control, other than the line breaks of the output itself.
func requireNoTerminalControl(t *testing.T, out string) {
	t.Helper()
	for i, r := range out {
		if r == '\n' {
			continue
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			t.Fatalf("control character %U at byte %d reaches the terminal in:\n%q", r, i, out)
		}
	}
}

func TestCallbackVerifyEscapesUntrustedFields(t *testing.T) {
	const secret = "callback-secret-for-tests"
	ev, err := rtc.NewCallbackEvent(testAppID, rtc.EventRecordStarted, map[string]any{
		"AppId": testAppID, "RoomId": "room" + hostile, "TaskId": "task" + hostile, "Code": 0,
	})
	require.NoError(t, err)
	ev.EventID = "id" + hostile
	ev.Nonce = "n" + hostile
	ev.Sign(secret)
	signed, err := json.Marshal(ev)
	require.NoError(t, err)

	// The same body with a bad signature is shown too, as unverified; and
	// an EventData that does not decode is shown raw.
	bad := *ev
	bad.EventType = "Record" + hostile
	bad.EventData = `{"TaskId":` + hostile
	unsigned, err := json.Marshal(&bad)
	require.NoError(t, err)

	for name, body := range map[string][]byte{"verified": signed, "unverified": unsigned} {
		t.Run(name, func(t *testing.T) {
			r := runTool(t, nil, string(body), "callback", "verify", "--secret", secret)
			require.NotEmpty(t, r.stdout)
			require.Contains(t, r.stdout, `\x1b]0;owned\a`, "the sequence is shown escaped")
			requireNoTerminalControl(t, r.stdout)
			requireNoTerminalControl(t, r.stderr)
		})
	}
}

func TestTokenParseEscapesUntrustedFields(t *testing.T) {
	tok := rtc.NewAccessToken(testAppID, "room"+hostile, "user"+hostile)
	tok.ExpireAt = time.Now().Add(time.Hour)
	tok.AddPrivilege(rtc.PrivSubscribeStream, tok.ExpireAt)
	// SerializeAnyID signs IDs the service would refuse, as anyone holding
	// a key (or none) can.
	text, err := tok.SerializeAnyID(testAppKey)
	require.NoError(t, err)

	for name, env := range map[string]map[string]string{
		"verified":     {"RTC_APP_KEY": testAppKey},
		"wrong key":    {"RTC_APP_KEY": strings.Repeat("f", 32)},
		"not verified": {},
	} {
		t.Run(name, func(t *testing.T) {
			r := runTool(t, env, "", "token", "parse", text)
			require.Contains(t, r.stdout, `room\x1b]0;owned\a`)
			requireNoTerminalControl(t, r.stdout)
			requireNoTerminalControl(t, r.stderr)
		})
	}
}
