package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/volcrtc/rtc/rtctest"
)

func TestCallSuccess(t *testing.T) {
	srv, env := newFake(t)
	require.NoError(t, srv.Join(testAppID, "room1", "alice"))
	require.NoError(t, srv.Join(testAppID, "room1", "bob"))

	dir := t.TempDir()
	banFile := filepath.Join(dir, "ban.json")
	require.NoError(t, os.WriteFile(banFile, []byte(`{"AppId":"`+testAppID+`","RoomId":"room1","UserId":"bob","ForbiddenInterval":600}`), 0o600))

	tests := []struct {
		name       string
		args       []string
		stdin      string
		method     string
		version    string
		wantResult string // JSON the printed Result must equal
		check      func(t *testing.T, r result, req rtctest.Request)
	}{
		{
			name:       "GET with query parameters",
			args:       []string{"call", "GetRoomOnlineUsers", "--data", `{"AppId":"` + testAppID + `","RoomId":"room1"}`},
			method:     "GET",
			version:    "2023-11-01",
			wantResult: `{"RoomExists":true,"TotalUser":2,"TotalInvisibleUser":0,"VisibleUserList":["alice","bob"],"InvisibleUserList":[]}`,
			check: func(t *testing.T, _ result, req rtctest.Request) {
				require.Equal(t, "room1", req.Query.Get("RoomId"))
			},
		},
		{
			name:       "GET with an older version and a key in another case",
			args:       []string{"call", "GetRoomOnlineUsers", "--version", "2023-08-01", "--data", `{"appid":"` + testAppID + `","RoomId":"nobody-here"}`},
			method:     "GET",
			version:    "2023-08-01",
			wantResult: `{"RoomExists":false}`,
			check: func(t *testing.T, r result, req rtctest.Request) {
				require.Equal(t, testAppID, req.Query.Get("AppId"), "the key is sent as the spec spells it")
				require.Contains(t, r.stderr, "appid: spelt AppId")
			},
		},
		{
			name:       "POST body from a file",
			args:       []string{"call", "BanRoomUser", "--data", "@" + banFile},
			method:     "POST",
			version:    "2023-11-01",
			wantResult: `{"Message":"success"}`,
			check: func(t *testing.T, _ result, req rtctest.Request) {
				require.Equal(t, "bob", req.Input["UserId"])
				require.Equal(t, []string{"alice"}, srv.OnlineUsers(testAppID, "room1"), "the ban kicked bob")
			},
		},
		{
			name:       "POST body from stdin, flags after the action",
			args:       []string{"call", "KickUser", "--data", "-"},
			stdin:      `{"AppId":"` + testAppID + `","RoomId":"room1","UserId":"alice"}`,
			method:     "POST",
			version:    "2020-12-01",
			wantResult: `{"message":"success"}`,
		},
		{
			name:       "POST with the input in the query (DeleteCallback)",
			args:       []string{"call", "DeleteCallback", "--data", `{"AppId":"` + testAppID + `"}`},
			method:     "POST",
			version:    "2020-12-01",
			wantResult: `"success"`,
			check: func(t *testing.T, _ result, req rtctest.Request) {
				require.Equal(t, testAppID, req.Query.Get("AppId"))
			},
		},
		{
			name:    "raw envelope, global flag after the command",
			args:    []string{"call", "DismissRoom", "--raw", "--data", `{"AppId":"` + testAppID + `","RoomId":"room2"}`, "--timeout", "10s"},
			method:  "POST",
			version: "2020-12-01",
			check: func(t *testing.T, r result, req rtctest.Request) {
				var env struct {
					ResponseMetadata map[string]string
					Result           json.RawMessage
				}
				require.NoError(t, json.Unmarshal([]byte(r.stdout), &env))
				require.Equal(t, req.RequestID, env.ResponseMetadata["RequestId"])
				require.Equal(t, "DismissRoom", env.ResponseMetadata["Action"])
				require.Equal(t, "2020-12-01", env.ResponseMetadata["Version"])
				require.Equal(t, "rtc", env.ResponseMetadata["Service"])
				require.NotEmpty(t, env.Result)
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv.Reset()
			require.NoError(t, srv.Join(testAppID, "room1", "alice"))
			require.NoError(t, srv.Join(testAppID, "room1", "bob"))
			r := runTool(t, env, tc.stdin, tc.args...)
			require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
			reqs := srv.Requests()
			require.Len(t, reqs, 1)
			req := reqs[0]
			require.Equal(t, tc.method, req.Method)
			require.Equal(t, tc.version, req.Version)
			require.True(t, req.SignatureVerified)
			require.Empty(t, req.ErrorCode)
			if tc.wantResult != "" {
				require.JSONEq(t, tc.wantResult, r.stdout)
				require.True(t, strings.HasSuffix(r.stdout, "\n"))
			}
			if tc.check != nil {
				tc.check(t, r, req)
			}
			requireNoSecret(t, r, rtctest.DemoSecretAccessKey)
		})
	}
}

func TestCallGlobalFlagsBeforeTheCommand(t *testing.T) {
	srv, _ := newFake(t)
	r := runTool(t, map[string]string{}, "",
		"--endpoint", srv.URL, "--access-key", rtctest.DemoAccessKeyID, "--secret-key", rtctest.DemoSecretAccessKey, "--region", "ap-southeast-1",
		"call", "GetRoomOnlineUsers", "--data", `{"AppId":"`+testAppID+`","RoomId":"r"}`)
	require.Equal(t, 0, r.code, r.stderr)
	require.JSONEq(t, `{"RoomExists":false}`, r.stdout)
	require.Len(t, srv.Requests(), 1)
	requireNoSecret(t, r, rtctest.DemoSecretAccessKey)
}

func TestCallValidationSendsNothing(t *testing.T) {
	srv, env := newFake(t)
	tests := []struct {
		name string
		args []string
		want []string // each must appear in stderr
	}{
		{
			name: "missing required fields",
			args: []string{"call", "KickUser", "--data", `{"AppId":"` + testAppID + `","UserId":""}`},
			want: []string{"nothing was sent", "RoomId: is required (string)", "UserId: is required (string)", "rtcctl describe KickUser"},
		},
		{
			name: "no data at all",
			args: []string{"call", "GetRoomOnlineUsers"},
			want: []string{"AppId: is required", "RoomId: is required"},
		},
		{
			name: "ID rule at depth, in a list",
			args: []string{"call", "StartRecord", "--data", `{"AppId":"` + testAppID + `","RoomId":"room1","TaskId":"t1",
				"StorageConfig":{"Type":0,"TosConfig":{"AccountId":"1","Bucket":"b"}},
				"TargetStreams":{"StreamList":[{"UserId":"ok"},{"UserId":"bad user"}]}}`},
			want: []string{`TargetStreams.StreamList[1].UserId: must be 1 to 128 characters of a-z A-Z 0-9 @ . _ - (got ' ' at byte 3)`},
		},
		{
			name: "nested required field",
			args: []string{"call", "StartRecord", "--data", `{"AppId":"` + testAppID + `","RoomId":"room1","TaskId":"t1",
				"StorageConfig":{"TosConfig":{"Bucket":"b"}},"TargetStreams":{"StreamList":[{"Index":1}]}}`},
			want: []string{"StorageConfig.TosConfig.AccountId: is required", "TargetStreams.StreamList[0].UserId: is required"},
		},
		{
			name: "ID too long",
			args: []string{"call", "KickUser", "--data", `{"AppId":"` + testAppID + `","RoomId":"` + strings.Repeat("r", 129) + `","UserId":"u"}`},
			want: []string{"RoomId: must be 1 to 128 characters of a-z A-Z 0-9 @ . _ - (got 129 characters)"},
		},
		{
			name: "type mismatches",
			args: []string{"call", "BanRoomUser", "--data", `{"AppId":"` + testAppID + `","RoomId":"r","UserId":7,"ForbiddenInterval":"600"}`},
			want: []string{`UserId: must be a string, not the number 7; quote it: "7"`, `ForbiddenInterval: must be an integer (int32), not the string "600"; drop the quotes: 600`},
		},
		{
			name: "number out of range and not whole",
			args: []string{"call", "BanRoomUser", "--data", `{"AppId":"` + testAppID + `","RoomId":"r","UserId":"u","ForbiddenInterval":1e3}`},
			want: []string{"ForbiddenInterval: must be a whole number (int32), not 1e3"},
		},
		{
			name: "not an object",
			args: []string{"call", "BanRoomUser", "--data", `["AppId"]`},
			want: []string{"the input must be a JSON object ({...}), not an array"},
		},
		{
			name: "not JSON",
			args: []string{"call", "BanRoomUser", "--data", `{"AppId":`},
			want: []string{"not valid JSON"},
		},
		{
			name: "two values",
			args: []string{"call", "BanRoomUser", "--data", `{} {}`},
			want: []string{"more than one JSON value"},
		},
		{
			name: "unknown field with --strict",
			args: []string{"call", "KickUser", "--strict", "--data", `{"AppId":"` + testAppID + `","RoomId":"r","UserId":"u","UserID2":"x"}`},
			want: []string{"UserID2: not a field of this input"},
		},
		{
			name: "unknown field of DeleteCallback, which cannot carry it",
			args: []string{"call", "DeleteCallback", "--data", `{"AppId":"` + testAppID + `","EventType":"RecordStarted"}`},
			want: []string{"EventType: not a field of this input; DeleteCallback sends only the fields the API description lists"},
		},
		{
			name: "enumeration",
			args: []string{"call", "ModifyAppStatus", "--data", `{"AppId":"` + testAppID + `","Status":3}`},
			want: []string{`Status: must be one of 1 (AppEnable), 2 (AppDisable) (got 3)`},
		},
		{
			name: "unknown version",
			args: []string{"call", "BanRoomUser", "--version", "2021-01-01"},
			want: []string{`BanRoomUser has no version "2021-01-01"; supported: 2023-11-01 (newest), 2020-12-01`},
		},
		{
			name: "unknown action",
			args: []string{"call", "BanRomUser"},
			want: []string{`unknown action "BanRomUser". Did you mean BanRoomUser?`, "rtcctl actions"},
		},
		{
			name: "action in the wrong case",
			args: []string{"call", "getroomonlineusers"},
			want: []string{"Did you mean GetRoomOnlineUsers?"},
		},
		{
			name: "no action",
			args: []string{"call"},
			want: []string{"call needs an ACTION"},
		},
		{
			name: "unreadable file",
			args: []string{"call", "KickUser", "--data", "@/nonexistent/input.json"},
			want: []string{"--data @/nonexistent/input.json"},
		},
		{
			name: "unknown flag",
			args: []string{"call", "KickUser", "--dta", "{}"},
			want: []string{"flag provided but not defined: -dta", `rtcctl call --help`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv.Reset()
			r := runTool(t, env, "", tc.args...)
			require.Equal(t, 2, r.code, "stderr: %s", r.stderr)
			for _, w := range tc.want {
				require.Contains(t, r.stderr, w)
			}
			require.Empty(t, r.stdout)
			require.Empty(t, srv.Requests(), "nothing may be sent")
		})
	}
}

func TestCallUnknownFieldWarns(t *testing.T) {
	srv, env := newFake(t)
	r := runTool(t, env, "", "call", "KickUser", "--data", `{"AppId":"`+testAppID+`","RoomId":"r","UserId":"u","Usrid":"x"}`)
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stderr, "warning: KickUser: Usrid: not a field of this input (did you mean UserId?)")
	require.Len(t, srv.Requests(), 1)
	require.Equal(t, "x", srv.Requests()[0].Input["Usrid"], "unknown fields are sent as given")
}

func TestCallAPIErrors(t *testing.T) {
	srv, env := newFake(t)
	wrongSecret := map[string]string{
		"RTC_ENDPOINT":          srv.URL,
		"VOLCENGINE_ACCESS_KEY": rtctest.DemoAccessKeyID,
		"VOLCENGINE_SECRET_KEY": "not-the-secret",
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code string
	}{
		{
			name: "task not found",
			env:  env,
			args: []string{"call", "StopRecord", "--data", `{"AppId":"` + testAppID + `","RoomId":"room1","TaskId":"missing"}`},
			code: "InvalidParameter.ErrorActiveTaskNotFound",
		},
		{
			name: "wrong secret",
			env:  wrongSecret,
			args: []string{"call", "GetRoomOnlineUsers", "--data", `{"AppId":"` + testAppID + `","RoomId":"room1"}`},
			code: "SignatureDoesNotMatch",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv.Reset()
			r := runTool(t, tc.env, "", tc.args...)
			require.Equal(t, 1, r.code, r.stderr)
			require.Empty(t, r.stdout)
			reqs := srv.Requests()
			require.Len(t, reqs, 1)
			require.Equal(t, tc.code, reqs[0].ErrorCode)
			line := strings.TrimSuffix(r.stderr, "\n")
			require.NotContains(t, line, "\n", "one line")
			require.Contains(t, line, tc.code)
			require.Contains(t, line, "request id "+reqs[0].RequestID)
			requireNoSecret(t, r, "not-the-secret", rtctest.DemoSecretAccessKey)
		})
	}
}

func TestCallTransportErrors(t *testing.T) {
	srv, env := newFake(t)
	srv.InjectFault("KickUser", rtctest.Fault{Times: rtctest.Always, Status: 400, Body: rtctest.GatewayHTML()})
	r := runTool(t, env, "", "call", "KickUser", "--data", `{"AppId":"`+testAppID+`","RoomId":"r","UserId":"u"}`)
	require.Equal(t, 3, r.code, r.stderr)
	require.Contains(t, r.stderr, "not a JSON envelope")

	// A server that is gone.
	gone := rtctest.NewServer()
	url := gone.URL
	gone.Close()
	env["RTC_ENDPOINT"] = url
	r = runTool(t, env, "", "--timeout", "2s", "call", "KickUser", "--data", `{"AppId":"`+testAppID+`","RoomId":"r","UserId":"u"}`)
	require.Equal(t, 3, r.code, r.stderr)
}

func TestCallSettingsErrors(t *testing.T) {
	home := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(home, ".volc"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(home, ".volc", "config"),
		[]byte(`{"ak":"`+rtctest.DemoAccessKeyID+`","sk":"`+rtctest.DemoSecretAccessKey+`"}`), 0o600))
	srv, _ := newFake(t)
	data := `{"AppId":"` + testAppID + `","RoomId":"r"}`

	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want string
	}{
		{
			name: "no credentials anywhere",
			env:  map[string]string{"RTC_ENDPOINT": srv.URL},
			code: 2,
			want: "no credentials found (looked for --access-key/--secret-key, VOLCENGINE_ACCESS_KEY/VOLCENGINE_SECRET_KEY, VOLC_ACCESSKEY/VOLC_SECRETKEY,",
		},
		{
			name: "half the environment",
			env:  map[string]string{"RTC_ENDPOINT": srv.URL, "VOLCENGINE_ACCESS_KEY": "AK"},
			code: 2,
			want: "VOLCENGINE_ACCESS_KEY is set but VOLCENGINE_SECRET_KEY is not",
		},
		{
			name: "half the flags",
			env:  map[string]string{"RTC_ENDPOINT": srv.URL},
			args: []string{"--access-key", "AK"},
			code: 2,
			want: "--access-key is set but --secret-key is not",
		},
		{
			name: "legacy environment names",
			env:  map[string]string{"RTC_ENDPOINT": srv.URL, "VOLC_ACCESSKEY": rtctest.DemoAccessKeyID, "VOLC_SECRETKEY": rtctest.DemoSecretAccessKey},
			code: 0,
		},
		{
			name: "~/.volc/config",
			env:  map[string]string{"RTC_ENDPOINT": srv.URL, "HOME": home},
			code: 0,
		},
		{
			name: "plain http to a remote host",
			env:  map[string]string{"RTC_ENDPOINT": "http://example.com", "HOME": home},
			code: 2,
			want: "plain http to a non-loopback host",
		},
		{
			name: "unknown region without endpoint",
			env:  map[string]string{"RTC_REGION": "mars-1", "HOME": home},
			code: 2,
			want: `unknown region "mars-1"`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append(append([]string{}, tc.args...), "call", "GetRoomOnlineUsers", "--data", data)
			r := runTool(t, tc.env, "", args...)
			require.Equal(t, tc.code, r.code, r.stderr)
			require.Contains(t, r.stderr, tc.want)
			requireNoSecret(t, r, rtctest.DemoSecretAccessKey)
		})
	}
}

func TestCallVerboseLogsNoSecret(t *testing.T) {
	_, env := newFake(t)
	r := runTool(t, env, "", "call", "--verbose", "GetRoomOnlineUsers", "--data", `{"AppId":"`+testAppID+`","RoomId":"r"}`)
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stderr, "level=DEBUG")
	require.Contains(t, r.stderr, "action=GetRoomOnlineUsers")
	requireNoSecret(t, r, rtctest.DemoSecretAccessKey)
}
