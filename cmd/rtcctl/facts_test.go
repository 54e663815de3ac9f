package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// recordData is a valid StartRecord input with extra JSON members.
func recordData(extra string) string {
	return `{"AppId":"` + testAppID + `","RoomId":"room1","TaskId":"t1",` +
		`"StorageConfig":{"TosConfig":{"AccountId":"1","Bucket":"b"}}` + extra + `}`
}

// TestCallChecksTheFacts: call refuses what the client refuses, with the
// path, the value and what is allowed, sends nothing, and accepts the
// edges, clamped values and, with --lenient, values the facts refuse.
func TestCallChecksTheFacts(t *testing.T) {
	srv, env := newFake(t)
	refused := []struct {
		name, action, data string
		want               []string
	}{
		{"range", "StartRecord", recordData(`,"Control":{"MaxIdleTime":86401}`),
			[]string{"Control.MaxIdleTime: must be from 10 to 86400 seconds (got 86401)"}},
		{"allowed values", "StartRecord", recordData(`,"RecordMode":3`),
			[]string{"RecordMode: must be one of 0 (RecordModeMixed), 1 (RecordModeSingleStream) (got 3)"}},
		{"even", "StartRecord", recordData(`,"Encode":{"VideoHeight":481}`),
			[]string{"Encode.VideoHeight: must be even (got 481)"}},
		{"length", "StartPushMixedStreamToCDN", `{"AppId":"` + testAppID + `","RoomId":"r","TaskId":"t","PushURL":"rtmp://x/y",` +
			`"Control":{"SEIConfig":{"SEIPayloadUUID":"abc"}}}`,
			[]string{"Control.SEIConfig.SEIPayloadUUID: must be exactly 32 characters (got 3 characters)"}},
		{"conditional", "UpdateVoiceChat", `{"AppId":"` + testAppID + `","RoomId":"room1","TaskId":"t1","Command":"function"}`,
			[]string{"Message is required for the function and External commands"}},
		{"items", "StartRecord", recordData(`,"Layout":{"CustomLayout":{"Regions":[{"StreamIndex":0,"Width":2,"Height":2,"SpatialPosition":[1]}]}}`),
			[]string{"Layout.CustomLayout.Regions[0].SpatialPosition: must have exactly 3 elements (got 1 element)"}},
		{"color", "StartRecord", recordData(`,"Layout":{"CustomLayout":{"Canvas":{"Background":"#12"}}}`),
			[]string{`Layout.CustomLayout.Canvas.Background: must be a color written #RRGGBB (got "#12")`}},
		{"query window", "ListQuality", `{"AppId":"` + testAppID + `","StartTime":"2026-03-01T00:00:00Z","EndTime":"2026-03-09T00:00:00Z","Indicator":["stall_rate"],"AggregateGranularity":"1d"}`,
			[]string{"EndTime: must be at most 7 days after StartTime (got 192h0m0s after StartTime)"}},
		{"either field", "GetPushMixedStreamToCDNTask", `{"AppId":"` + testAppID + `","RoomId":"r"}`, []string{"TaskId or UserId is required"}},
		{"every problem at once", "StartRecord", recordData(`,"RecordMode":3,"Encode":{"VideoFps":0}`),
			[]string{"RecordMode: must be one of", "Encode.VideoFps: must be from 1 to 60 fps (got 0)"}},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			before := len(srv.Requests())
			r := runTool(t, env, "", "call", tc.action, "--data", tc.data)
			require.Equal(t, 2, r.code, r.stderr)
			require.Contains(t, r.stderr, "nothing was sent")
			for _, w := range tc.want {
				require.Contains(t, r.stderr, w)
			}
			require.Len(t, srv.Requests(), before, "nothing reached the server")
		})
	}
	accepted := []struct{ name, action, data string }{
		{"range edge", "StartRecord", recordData(`,"Control":{"MaxIdleTime":86400}`)},
		{"clamped", "BanRoomUser", `{"AppId":"` + testAppID + `","RoomId":"r","ForbiddenInterval":1}`},
		// Inferred rules are not checked: storage set in the console, a
		// ban by the caller's IP, a command the SDK does not list.
		{"inferred conditional", "StartRecord", `{"AppId":"` + testAppID + `","RoomId":"room1","TaskId":"t9","StorageConfig":{"Type":2}}`},
		{"inferred either field", "BanRoomUser", `{"AppId":"` + testAppID + `"}`},
		{"inferred values", "StartVoiceChat", `{"AppId":"` + testAppID + `","RoomId":"room1","TaskId":"v1","AgentConfig":{"TargetUserId":["u"],"UserId":"bot"},` +
			`"Config":{"SubtitleConfig":{"SubtitleMode":7}}}`},
	}
	for _, tc := range accepted {
		t.Run(tc.name, func(t *testing.T) {
			r := runTool(t, env, "", "call", tc.action, "--data", tc.data)
			require.Equal(t, 0, r.code, r.stderr)
		})
	}
	t.Run("an inferred rule broken is a note, and the call is sent", func(t *testing.T) {
		before := len(srv.Requests())
		r := runTool(t, env, "", "call", "StartRecord", "--strict", "--data",
			`{"AppId":"`+testAppID+`","RoomId":"room1","TaskId":"t8","StorageConfig":{"Type":1}}`)
		require.Equal(t, 0, r.code, r.stderr)
		require.Contains(t, r.stderr, "rtcctl: note: StartRecord: StorageConfig: VodConfig is required when Type is 1 (VOD); a rule the vendor does not state, so it is sent")
		require.Len(t, srv.Requests(), before+1)
	})
	t.Run("lenient sends and the service decides", func(t *testing.T) {
		r := runTool(t, env, "", "call", "StartRecord", "--lenient", "--data", recordData(`,"RecordMode":3`))
		require.Equal(t, 1, r.code, r.stderr)
		require.Contains(t, r.stderr, "InvalidParameter")
		require.Contains(t, r.stderr, "RecordMode must be one of")
	})
	t.Run("secrets are not echoed", func(t *testing.T) {
		r := runTool(t, env, "", "call", "StartSegment", "--data", `{"AppId":"`+testAppID+`","RoomId":"r","TaskId":"t",`+
			`"StorageConfig":{"Type":2,"CustomConfig":{"AccessKey":"ak","SecretKey":"sk-top-secret","Bucket":"b","Vendor":8}}}`)
		require.Equal(t, 2, r.code, r.stderr)
		require.Contains(t, r.stderr, "StorageConfig.CustomConfig.Vendor: must be one of")
		requireNoSecret(t, r, "sk-top-secret")
	})
}

// TestDescribeShowsTheFacts: describe says what each field means, its
// unit, default, allowed values with meanings, ranges and the rules.
func TestDescribeShowsTheFacts(t *testing.T) {
	r := runTool(t, nil, "", "describe", "StartRecord")
	require.Equal(t, 0, r.code, r.stderr)
	for _, want := range []string{
		"RecordMode", "(RecordMode)", "RecordModeMixed", "mixes every stream into one file.",
		"MaxIdleTime", "Range: from 10 to 86400 seconds. Default: 180 seconds.",
		"VideoWidth", "Must be even.",
		"SecretKey", "required, secret",
		"Rules between fields:", "StorageConfig: TosConfig is required when Type is 0 (TOS)",
	} {
		require.Contains(t, r.stdout, want)
	}
	r = runTool(t, nil, "", "describe", "BanRoomUser")
	require.Contains(t, r.stdout, "Values outside it are moved to the nearest end by the service.")
	require.True(t, strings.Contains(r.stdout, "RoomId or UserId is required"))
}
