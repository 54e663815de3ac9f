package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/volcrtc/rtc"
)

// Secrets come from the environment, a file or stdin; the old flags still
// work, with a warning.
func TestSecretSources(t *testing.T) {
	base := []string{"token", "--app-id", testAppID, "--room-id", "r1", "--user-id", "u1"}
	keyFile := filepath.Join(t.TempDir(), "app-key")
	require.NoError(t, os.WriteFile(keyFile, []byte(testAppKey+"\n"), 0o600))

	verify := func(t *testing.T, p result) {
		t.Helper()
		require.Equal(t, exitOK, p.code, p.stderr)
		tok, err := rtc.ParseAccessToken(strings.TrimSpace(p.stdout))
		require.NoError(t, err)
		require.True(t, tok.Verify(testAppKey))
		requireNoSecret(t, p, testAppKey)
	}
	t.Run("env", func(t *testing.T) {
		p := runTool(t, map[string]string{"RTC_APP_KEY": testAppKey}, "", base...)
		verify(t, p)
		require.NotContains(t, p.stderr, "warning")
	})
	t.Run("file", func(t *testing.T) {
		p := runTool(t, nil, "", append(base, "--app-key-file", keyFile)...)
		verify(t, p)
		require.NotContains(t, p.stderr, "warning")
	})
	t.Run("stdin", func(t *testing.T) {
		p := runTool(t, nil, testAppKey+"\n", append(base, "--app-key-file", "-")...)
		verify(t, p)
	})
	t.Run("flag warns", func(t *testing.T) {
		p := runTool(t, nil, "", append(base, "--app-key", testAppKey)...)
		verify(t, p)
		require.Contains(t, p.stderr, "warning: --app-key exposes the secret to other local users")
	})
	t.Run("secret key flag warns", func(t *testing.T) {
		_, env := newFake(t)
		ak, sk := env["VOLCENGINE_ACCESS_KEY"], env["VOLCENGINE_SECRET_KEY"]
		delete(env, "VOLCENGINE_ACCESS_KEY")
		delete(env, "VOLCENGINE_SECRET_KEY")
		p := runTool(t, env, "", "--access-key", ak, "--secret-key", sk, "call", "GetRoomOnlineUsers", "--data", `{"AppId":"`+testAppID+`","RoomId":"r"}`)
		require.Equal(t, exitOK, p.code, p.stderr)
		require.Contains(t, p.stderr, "warning: --secret-key exposes")
		p = runTool(t, env, sk, "--access-key", ak, "--secret-key-file", "-", "call", "GetRoomOnlineUsers", "--data", `{"AppId":"`+testAppID+`","RoomId":"r"}`)
		require.Equal(t, exitOK, p.code, p.stderr)
		require.NotContains(t, p.stderr, "warning")
	})
	t.Run("callback secret file", func(t *testing.T) {
		secretFile := filepath.Join(t.TempDir(), "cb")
		require.NoError(t, os.WriteFile(secretFile, []byte("cb-secret-value"), 0o600))
		ev, err := rtc.NewCallbackEvent(testAppID, rtc.EventUserJoinRoom, `{"RoomId":"r","UserId":"u"}`)
		require.NoError(t, err)
		ev.Sign("cb-secret-value")
		p := runTool(t, nil, string(mustMarshal(t, ev)), "callback", "verify", "--secret-file", secretFile)
		require.Equal(t, exitOK, p.code, p.stderr)
		require.Contains(t, p.stdout, "signature:  verified")
		requireNoSecret(t, p, "cb-secret-value")
	})
	t.Run("stdin used twice", func(t *testing.T) {
		p := runTool(t, nil, "x", "token", "parse", "-", "--app-key-file", "-")
		require.Equal(t, exitUsage, p.code)
		require.Contains(t, p.stderr, "cannot both come from stdin")
	})
	t.Run("empty file", func(t *testing.T) {
		empty := filepath.Join(t.TempDir(), "empty")
		require.NoError(t, os.WriteFile(empty, nil, 0o600))
		p := runTool(t, nil, "", append(base, "--app-key-file", empty)...)
		require.Equal(t, exitUsage, p.code)
		require.Contains(t, p.stderr, "the file is empty")
	})
}

// A secret that lost its flag (or sits next to a bad flag value) is never
// repeated in an error.
func TestErrorsNeverEchoSecrets(t *testing.T) {
	const secret = "Zsecret-value-42"
	cases := map[string][]string{
		"token positional":    {"token", "--app-id", testAppID, "--room-id", "r", "--user-id", "u", "--publish", secret},
		"fake positional":     {"fake", "--listen", "127.0.0.1:0", secret},
		"call positional":     {"call", "KickUser", secret},
		"actions positional":  {"actions", secret},
		"callback positional": {"callback", "verify", secret},
		"unknown command":     {secret},
		"bad flag after key":  {"token", "--app-key", secret, "--expire", secret},
		"bad global flag":     {"--secret-key", secret, "--timeout", secret, "version"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			p := runTool(t, nil, "", args...)
			require.NotEqual(t, exitOK, p.code)
			requireNoSecret(t, p, secret)
		})
	}
}

// token parse exits 1 for an expired token, or one with an expired
// privilege, even when the signature verifies.
func TestTokenParseExpired(t *testing.T) {
	// Serialize refuses to sign an expired token, so these are built by
	// the format of REFERENCE.md: "001" + AppID + base64(bytes(msg) ||
	// bytes(HMAC-SHA256(AppKey, msg))), little-endian.
	mint := func(expire, privExpire time.Time) string {
		le := binary.LittleEndian
		var msg []byte
		msg = le.AppendUint32(msg, 7)                                            // nonce
		msg = le.AppendUint32(msg, uint32(time.Now().Add(-48*time.Hour).Unix())) // issued
		msg = le.AppendUint32(msg, uint32(expire.Unix()))
		for _, id := range []string{"r", "u"} {
			msg = le.AppendUint16(msg, uint16(len(id)))
			msg = append(msg, id...)
		}
		msg = le.AppendUint16(msg, 1)
		msg = le.AppendUint16(msg, uint16(rtc.PrivSubscribeStream))
		var pe uint32
		if !privExpire.IsZero() {
			pe = uint32(privExpire.Unix())
		}
		msg = le.AppendUint32(msg, pe)
		m := hmac.New(sha256.New, []byte(testAppKey))
		m.Write(msg)
		var content []byte
		content = le.AppendUint16(content, uint16(len(msg)))
		content = append(content, msg...)
		content = le.AppendUint16(content, sha256.Size)
		content = append(content, m.Sum(nil)...)
		s := "001" + testAppID + base64.StdEncoding.EncodeToString(content)
		tok, err := rtc.ParseAccessToken(s)
		require.NoError(t, err)
		require.True(t, tok.Verify(testAppKey))
		return s
	}
	env := map[string]string{"RTC_APP_KEY": testAppKey}
	now := time.Now()

	p := runTool(t, env, "", "token", "parse", mint(now.Add(-time.Hour), time.Time{}))
	require.Equal(t, exitAPI, p.code, p.stderr)
	require.Contains(t, p.stdout, "status:     expired")
	require.Contains(t, p.stderr, "the token expired at")

	p = runTool(t, env, "", "token", "parse", mint(now.Add(time.Hour), now.Add(-time.Hour)))
	require.Equal(t, exitAPI, p.code, p.stderr)
	require.Contains(t, p.stderr, "privileges of the token expired: SubscribeStream")

	p = runTool(t, env, "", "token", "parse", mint(now.Add(time.Hour), now.Add(time.Hour)))
	require.Equal(t, exitOK, p.code, p.stderr)
	require.Contains(t, p.stdout, "status:     valid")
}

// The fake server binds loopback unless told otherwise.
func TestFakeListenAddr(t *testing.T) {
	for in, want := range map[string]string{
		":0":              "127.0.0.1:0",
		"0.0.0.0:8080":    "127.0.0.1:8080",
		"[::]:8080":       "127.0.0.1:8080",
		"127.0.0.1:9000":  "127.0.0.1:9000",
		"192.0.2.10:9000": "192.0.2.10:9000",
	} {
		got, err := fakeListenAddr(in, false)
		require.NoError(t, err)
		require.Equal(t, want, got, in)
	}
	got, err := fakeListenAddr(":0", true)
	require.NoError(t, err)
	require.Equal(t, ":0", got)
	_, err = fakeListenAddr("8080", false)
	require.Error(t, err)

	url, stderr, stop := startFake(t, "--listen", ":0")
	require.True(t, strings.HasPrefix(url, "http://127.0.0.1:"), url)
	require.Contains(t, stderr.String(), "listening on loopback 127.0.0.1:0 only")
	code, _ := stop()
	require.Equal(t, exitOK, code)
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// A gateway echoing the request body into its error answer: rtcctl's stderr
// (the error and the --verbose log) never shows the secret of the input.
func TestCallStderrNeverShowsBodySecrets(t *testing.T) {
	const secret = "CB/rtcctl=secret+value"
	for _, form := range []string{secret, strings.ReplaceAll(secret, "/", `\/`), strings.ReplaceAll(secret, "=", `\u003d`)} {
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			echo := strings.ReplaceAll(string(b), secret, form)
			env, _ := json.Marshal(map[string]any{"ResponseMetadata": map[string]any{
				"RequestId": "echo-1", "Error": map[string]any{"Code": "InvalidParameter", "Message": "bad body " + echo}}})
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write(env)
		}))
		env := map[string]string{"RTC_ENDPOINT": hs.URL, "VOLCENGINE_ACCESS_KEY": "AK", "VOLCENGINE_SECRET_KEY": "SK-rtcctl-secret"}
		data := `{"AppId":"` + testAppID + `","BusinessId":"b","EventList":["RecordStarted"],"SecretKey":"` + secret + `","URL":"https://example.com/cb"}`
		p := runTool(t, env, "", "--verbose", "call", "CreateCallback", "--data", data)
		hs.Close()
		require.Equal(t, exitAPI, p.code, p.stderr)
		require.Contains(t, p.stderr, "[redacted]")
		requireNoSecret(t, p, form, "SK-rtcctl-secret")
	}
}

// A secret field given with the wrong JSON type is reported without its
// value.
func TestCallCheckNeverEchoesSecretFields(t *testing.T) {
	p := runTool(t, map[string]string{"RTC_ENDPOINT": "http://127.0.0.1:1", "VOLCENGINE_ACCESS_KEY": "AK", "VOLCENGINE_SECRET_KEY": "SK-value"}, "",
		"call", "CreateCallback", "--data", `{"AppId":"`+testAppID+`","SecretKey":987654321,"EventList":["x"],"URL":"https://a.b/c","BusinessId":"b"}`)
	require.Equal(t, exitUsage, p.code, p.stderr)
	require.Contains(t, p.stderr, "SecretKey: must be a string, not a number")
	requireNoSecret(t, p, "987654321")
}
