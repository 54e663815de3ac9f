package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/volcrtc/rtc"
)

const testAppKey = "0123456789abcdef0123456789abcdef"

// lastLine returns the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestTokenRoundTrip(t *testing.T) {
	tests := []struct {
		name      string
		env       map[string]string
		args      []string
		wantPrivs []rtc.Privilege
		lifetime  time.Duration
	}{
		{
			name:      "both privileges by default, key from the environment",
			env:       map[string]string{"RTC_APP_KEY": testAppKey},
			args:      []string{"token", "--app-id", testAppID, "--room-id", "room1", "--user-id", "alice"},
			wantPrivs: []rtc.Privilege{rtc.PrivPublishStream, rtc.PrivPublishAudioStream, rtc.PrivPublishVideoStream, rtc.PrivPublishDataStream, rtc.PrivSubscribeStream},
			lifetime:  24 * time.Hour,
		},
		{
			name:      "subscribe only, any room, key from the flag",
			env:       map[string]string{},
			args:      []string{"token", "--app-id", testAppID, "--app-key", testAppKey, "--room-id", "*", "--user-id", "bob", "--expire", "2h", "--subscribe"},
			wantPrivs: []rtc.Privilege{rtc.PrivSubscribeStream},
			lifetime:  2 * time.Hour,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runTool(t, tc.env, "", tc.args...)
			require.Equal(t, 0, r.code, r.stderr)
			tok := lastLine(r.stdout)
			require.Equal(t, tok+"\n", r.stdout, "stdout holds the token alone")
			requireNoSecret(t, r, testAppKey)

			parsed, err := rtc.ParseAccessToken(tok)
			require.NoError(t, err)
			require.True(t, parsed.Verify(testAppKey))
			require.Equal(t, tc.lifetime, parsed.ExpireAt.Sub(parsed.IssuedAt))
			var got []rtc.Privilege
			for p, exp := range parsed.Privileges {
				got = append(got, p)
				require.Equal(t, parsed.ExpireAt, exp)
			}
			require.ElementsMatch(t, tc.wantPrivs, got)

			// token parse with the key verifies.
			p := runTool(t, map[string]string{}, "", "token", "parse", tok, "--app-key", testAppKey)
			require.Equal(t, 0, p.code, p.stderr)
			require.Contains(t, p.stdout, "signature:  verified")
			require.Contains(t, p.stdout, "user id:    "+parsed.UserID)
			requireNoSecret(t, p, testAppKey)

			// From stdin, key from the environment.
			p = runTool(t, map[string]string{"RTC_APP_KEY": testAppKey}, tok+"\n", "token", "parse", "-")
			require.Equal(t, 0, p.code, p.stderr)
			require.Contains(t, p.stdout, "signature:  verified")

			// A wrong key does not.
			p = runTool(t, map[string]string{}, "", "token", "parse", "--app-key", "wrong-key", tok)
			require.Equal(t, 1, p.code)
			require.Contains(t, p.stdout, "DOES NOT VERIFY")
			require.Contains(t, p.stderr, "does not match the App Key")

			// No key: decoded, not checked.
			p = runTool(t, map[string]string{}, "", "token", "parse", tok)
			require.Equal(t, 0, p.code)
			require.Contains(t, p.stdout, "signature:  not checked")
		})
	}
}

func TestTokenErrors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"missing flags", map[string]string{}, []string{"token", "--app-id", testAppID}, "token needs --room-id, --user-id, --app-key (or RTC_APP_KEY)"},
		{"short app id", map[string]string{"RTC_APP_KEY": "k"}, []string{"token", "--app-id", "short", "--room-id", "r", "--user-id", "u"}, "App ID"},
		{"too long", map[string]string{"RTC_APP_KEY": "k"}, []string{"token", "--app-id", testAppID, "--room-id", "r", "--user-id", "u", "--expire", "200h"}, "7 days"},
		{"negative expiry", map[string]string{"RTC_APP_KEY": "k"}, []string{"token", "--app-id", testAppID, "--room-id", "r", "--user-id", "u", "--expire", "-1h"}, "--expire must be positive"},
		{"parse in the wrong place", map[string]string{}, []string{"token", "--app-key", "k", "parse", "x"}, "put parse right after token"},
		{"not a token", map[string]string{}, []string{"token", "parse", "hello"}, "not a valid access token"},
		{"damaged token", map[string]string{}, []string{"token", "parse", "001" + testAppID + "AAAA"}, "not a valid access token"},
		{"parse without a token", map[string]string{}, []string{"token", "parse"}, "token parse takes one TOKEN"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runTool(t, tc.env, "", tc.args...)
			require.Equal(t, 2, r.code, r.stderr)
			require.Contains(t, r.stderr, tc.want)
			require.Empty(t, r.stdout)
		})
	}
}

// signedEvent returns a callback body signed with secret, and the event.
func signedEvent(t *testing.T, secret string) ([]byte, *rtc.CallbackEvent) {
	t.Helper()
	ev, err := rtc.NewCallbackEvent(testAppID, rtc.EventRecordStarted, map[string]any{
		"AppId": testAppID, "RoomId": "room1", "TaskId": "task1", "Code": 0,
	})
	require.NoError(t, err)
	ev.Sign(secret)
	body, err := json.Marshal(ev)
	require.NoError(t, err)
	return body, ev
}

func TestCallbackVerify(t *testing.T) {
	const secret = "callback-secret-for-tests"
	good, ev := signedEvent(t, secret)

	tampered := *ev
	tampered.EventData = strings.Replace(tampered.EventData, "task1", "task2", 1)
	bad, err := json.Marshal(&tampered)
	require.NoError(t, err)

	legacy := strings.Replace(string(good), `"Nonce"`, `"Noce"`, 1)

	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		body    string
		code    int
		stdout  []string
		stderr  string
		noEvent bool
	}{
		{
			name:   "verifies, secret from the flag",
			args:   []string{"callback", "verify", "--secret", secret},
			body:   string(good),
			stdout: []string{"signature:  verified", "event type: RecordStarted", "event id:   " + ev.EventID, "data (*rtc.TaskEventData):", `"TaskId": "task1"`},
		},
		{
			name:   "verifies, secret from the environment, old Noce spelling",
			env:    map[string]string{"RTC_CALLBACK_SECRET": secret},
			args:   []string{"callback", "verify"},
			body:   legacy,
			stdout: []string{"signature:  verified", "nonce:      " + ev.Nonce},
		},
		{
			name:   "tampered",
			args:   []string{"callback", "verify", "--secret", secret},
			body:   string(bad),
			code:   1,
			stdout: []string{"DOES NOT VERIFY", `"TaskId": "task2"`},
			stderr: "callback signature does not match",
		},
		{
			name:   "wrong secret",
			args:   []string{"callback", "verify", "--secret", "another-secret"},
			body:   string(good),
			code:   1,
			stdout: []string{"DOES NOT VERIFY"},
			stderr: "callback signature does not match",
		},
		{
			name:    "not JSON",
			args:    []string{"callback", "verify", "--secret", secret},
			body:    "<html>",
			code:    2,
			stderr:  "malformed callback body",
			noEvent: true,
		},
		{
			name:    "no signature",
			args:    []string{"callback", "verify", "--secret", secret},
			body:    `{"EventType":"RecordStarted"}`,
			code:    2,
			stderr:  "Signature is missing",
			noEvent: true,
		},
		{
			name:    "no secret",
			args:    []string{"callback", "verify"},
			body:    string(good),
			code:    2,
			stderr:  "set RTC_CALLBACK_SECRET or pass --secret-file FILE",
			noEvent: true,
		},
		{
			name:    "no subcommand",
			args:    []string{"callback"},
			code:    2,
			stderr:  "rtcctl callback verify",
			noEvent: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := tc.env
			if env == nil {
				env = map[string]string{}
			}
			r := runTool(t, env, tc.body, tc.args...)
			require.Equal(t, tc.code, r.code, r.stderr)
			for _, s := range tc.stdout {
				require.Contains(t, r.stdout, s)
			}
			require.Contains(t, r.stderr, tc.stderr)
			if tc.noEvent {
				require.Empty(t, r.stdout)
			}
			requireNoSecret(t, r, secret)
		})
	}
}
