package main

import (
	"bufio"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/volcrtc/rtc/rtctest"
)

// startFake runs "rtcctl fake" with args in the background and returns the
// URL it printed, its stderr and a stop function that cancels it and
// returns its exit code and full stdout.
func startFake(t *testing.T, args ...string) (url string, stderr *syncBuffer, stop func() (int, string)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	stderr = &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		code := run(ctx, append([]string{"fake"}, args...), strings.NewReader(""), pw, stderr, envFunc(t, map[string]string{}))
		pw.Close()
		done <- code
	}()
	br := bufio.NewReader(pr)
	first, err := br.ReadString('\n')
	require.NoError(t, err, "stderr: %s", stderr.String())
	m := regexp.MustCompile(`listening on (http://\S+)`).FindStringSubmatch(first)
	require.NotNil(t, m, first)
	var out strings.Builder
	out.WriteString(first)
	copied := make(chan struct{})
	go func() {
		_, _ = io.Copy(&out, br)
		close(copied)
	}()
	stopped := false
	stop = func() (int, string) {
		stopped = true
		cancel()
		select {
		case code := <-done:
			<-copied
			return code, out.String()
		case <-time.After(10 * time.Second):
			t.Fatal("rtcctl fake did not stop after its context was cancelled")
			return -1, ""
		}
	}
	t.Cleanup(func() {
		if !stopped {
			stop()
		}
	})
	return m[1], stderr, stop
}

func TestFakeServesAndStops(t *testing.T) {
	url, stderr, stop := startFake(t, "--listen", "127.0.0.1:0")

	env := map[string]string{
		"RTC_ENDPOINT":          url,
		"VOLCENGINE_ACCESS_KEY": rtctest.DemoAccessKeyID,
		"VOLCENGINE_SECRET_KEY": rtctest.DemoSecretAccessKey,
	}
	r := runTool(t, env, "", "call", "GetRoomOnlineUsers", "--data", `{"AppId":"`+testAppID+`","RoomId":"room1"}`)
	require.Equal(t, 0, r.code, r.stderr)
	require.JSONEq(t, `{"RoomExists":false}`, r.stdout)

	code, out := stop()
	require.Equal(t, 0, code, stderr.String())
	require.Contains(t, out, "export RTC_ENDPOINT="+url)
	require.Contains(t, out, "export VOLCENGINE_ACCESS_KEY="+rtctest.DemoAccessKeyID)
	require.Contains(t, out, "export VOLCENGINE_SECRET_KEY="+rtctest.DemoSecretAccessKey)
	logs := stderr.String()
	require.Contains(t, logs, "action=GetRoomOnlineUsers")
	require.Contains(t, logs, "status=200")
	require.Equal(t, 1, strings.Count(logs, "rtctest request"), "one line per request")
	require.Contains(t, logs, "rtcctl fake: stopped")
}

func TestFakeWithOwnKeys(t *testing.T) {
	url, _, stop := startFake(t, "--listen", "127.0.0.1:0", "--access-key", "AKmine", "--secret-key", "my-fake-secret")
	good := runTool(t, map[string]string{}, "", "--endpoint", url, "--access-key", "AKmine", "--secret-key", "my-fake-secret",
		"call", "DismissRoom", "--data", `{"AppId":"`+testAppID+`","RoomId":"r"}`)
	require.Equal(t, 0, good.code, good.stderr)
	demo := runTool(t, map[string]string{"RTC_ENDPOINT": url, "VOLCENGINE_ACCESS_KEY": rtctest.DemoAccessKeyID, "VOLCENGINE_SECRET_KEY": rtctest.DemoSecretAccessKey}, "",
		"call", "DismissRoom", "--data", `{"AppId":"`+testAppID+`","RoomId":"r"}`)
	require.Equal(t, 1, demo.code)
	require.Contains(t, demo.stderr, "InvalidClientTokenId")
	code, out := stop()
	require.Equal(t, 0, code)
	require.NotContains(t, out, "my-fake-secret", "a secret the user chose is not echoed")
}

func TestFakeErrors(t *testing.T) {
	url, _, _ := startFake(t, "--listen", "127.0.0.1:0")
	addr := strings.TrimPrefix(url, "http://")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"address in use", []string{"fake", "--listen", addr}, 3, "cannot listen on " + addr},
		{"half the keys", []string{"fake", "--listen", "127.0.0.1:0", "--access-key", "AK"}, 2, "give both --access-key and --secret-key"},
		{"stray argument", []string{"fake", "now"}, 2, "fake takes no arguments"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runTool(t, nil, "", tc.args...)
			require.Equal(t, tc.code, r.code, r.stderr)
			require.Contains(t, r.stderr, tc.want)
		})
	}
}
