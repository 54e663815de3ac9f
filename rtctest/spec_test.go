package rtctest

import (
	"encoding/json"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/volcrtc/rtc/internal/spec"
)

// prerequisite is the action whose success makes another's minimal input
// meaningful (a task to update, an app to modify, ...).
func prerequisite(action string) string {
	if op, ok := taskOps[action]; ok && op.op != opStart && op.op != opList {
		for a, o := range taskOps {
			if o.kind == op.kind && o.op == opStart && (op.sub == "" && o.sub != "mixed" || o.sub == op.sub) {
				return a
			}
		}
	}
	return map[string]string{
		"ModifyAppStatus":          "CreateApp",
		"DeleteBusinessID":         "AddBusinessID",
		"ModifyBusinessRemarks":    "AddBusinessID",
		"UpdateCallback":           "CreateCallback",
		"UpdateFailRecoveryPolicy": "CreateFailRecoveryPolicy",
		"DeleteFailRecoveryPolicy": "CreateFailRecoveryPolicy",
		"UpdateVendorPolicy":       "CreateVendorPolicy",
		"WbTranscodeGet":           "WbTranscodeCreate",
		"WbTranscodeQuery":         "WbTranscodeCreate",
	}[action]
}

// prepare adapts a minimal input of action a and creates what the action
// needs to exist first (its task, app, business ID, policy, IM users and
// conversation), so that the action succeeds.
func prepare(t *testing.T, srv *Server, sp *spec.Spec, a *spec.Action, in map[string]any) {
	t.Helper()
	if a.Action == "BanRoomUser" || a.Action == "UpdateBanRoomUserRule" {
		in["RoomId"] = "room_1" // the service needs RoomId, UserId or both
	}
	if a.Category == "im" { // IM actions need users, a conversation, a message
		imInput(a.Action, in, seedIM(srv), srv.now())
	}
	if pre := prerequisite(a.Action); pre != "" {
		preIn := minimal(sp.Find(pre))
		for k, v := range in { // same IDs as the action under test
			if _, ok := preIn[k]; ok {
				preIn[k] = v
			}
			if k == "BusinessID" {
				preIn["BusinessId"] = v
			}
		}
		r := mustOK(t, srv, pre, preIn)
		switch pre {
		case "CreateApp":
			in["AppId"] = r.result(t)["AppId"]
		case "WbTranscodeCreate":
			in["TaskId"] = r.result(t)["TaskId"]
		}
	}
}

var requestIDPattern = regexp.MustCompile(`^\d{14}[0-9A-F]{18}$`)

func TestEveryActionAnswersWithAWellFormedEnvelope(t *testing.T) {
	sp := spec.MustLoad()
	srv := NewServer(WithRegion("cn-north-1"))
	defer srv.Close()
	seen := map[string]bool{}
	for i := range sp.Actions {
		a := &sp.Actions[i]
		t.Run(a.Action, func(t *testing.T) {
			srv.Reset()
			in := minimal(a)
			prepare(t, srv, sp, a, in)
			r := mustOK(t, srv, a.Action, in)
			md := r.env.ResponseMetadata
			require.Regexp(t, requestIDPattern, md.RequestID)
			require.False(t, seen[md.RequestID], "RequestId reused")
			seen[md.RequestID] = true
			require.Equal(t, a.Action, md.Action)
			require.Equal(t, a.Version, md.Version)
			require.Equal(t, "rtc", md.Service)
			require.Equal(t, "cn-north-1", md.Region)
			require.NotEmpty(t, r.header.Get("Date"))
			switch a.ResultType {
			case "string", "any":
				var s string
				require.NoError(t, json.Unmarshal(r.env.Result, &s), "%s", r.env.Result)
				require.Equal(t, "success", s)
			case "int32", "array":
				var v any
				require.NoError(t, json.Unmarshal(r.env.Result, &v), "%s", r.env.Result)
				checkValueShape(t, a.Action, &spec.Field{Type: a.ResultType, Elem: a.ResultElem}, v)
			default:
				checkShape(t, a.Action, a.Result, r.result(t))
			}
		})
	}
}

// checkShape requires every key of m to be a field of the shape, and every
// required field to be present, recursively.
func checkShape(t *testing.T, path string, fields []spec.Field, m map[string]any) {
	t.Helper()
	byName := map[string]*spec.Field{}
	for i := range fields {
		byName[fields[i].Name] = &fields[i]
		if fields[i].Required && fields[i].Type != "any" {
			require.Contains(t, m, fields[i].Name, "%s: required result field missing", path)
		}
	}
	for k, v := range m {
		f := byName[k]
		require.NotNil(t, f, "%s.%s is not in the spec's result shape", path, k)
		checkValueShape(t, path+"."+k, f, v)
	}
}

func checkValueShape(t *testing.T, path string, f *spec.Field, v any) {
	t.Helper()
	switch f.Type {
	case "object":
		m, ok := v.(map[string]any)
		require.True(t, ok, "%s must be an object, is %T", path, v)
		checkShape(t, path, f.Fields, m)
	case "array":
		l, ok := v.([]any)
		require.True(t, ok, "%s must be a list, is %T", path, v)
		for _, e := range l {
			checkValueShape(t, path+"[]", f.Elem, e)
		}
	case "string":
		require.IsType(t, "", v, path)
	case "int32", "int64", "float32", "float64":
		require.IsType(t, float64(0), v, path)
	case "bool":
		require.IsType(t, true, v, path)
	}
}

func TestUnknownActionVersionMethod(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	cases := []struct {
		name   string
		r      req
		status int
		code   string
	}{
		{"unknown action", req{method: "POST", action: "NoSuchAction", version: "2023-11-01", body: []byte(`{}`)}, 404, "InvalidActionOrVersion"},
		{"unsupported version", req{method: "POST", action: "BanRoomUser", version: "2019-01-01", body: []byte(`{}`)}, 404, "InvalidActionOrVersion"},
		{"missing action", req{method: "POST", version: "2023-11-01", body: []byte(`{}`)}, 400, "MissingParameter"},
		{"missing version", req{method: "POST", action: "BanRoomUser", body: []byte(`{}`)}, 400, "MissingParameter"},
		{"GET for a POST action", req{method: "GET", action: "BanRoomUser", version: "2023-11-01"}, 405, "MethodNotAllowed"},
		{"POST for a GET action", req{method: "POST", action: "GetRoomOnlineUsers", version: "2023-11-01", body: []byte(`{}`)}, 405, "MethodNotAllowed"},
		{"older version accepted", req{method: "POST", action: "BanRoomUser", version: "2020-12-01", body: []byte(`{"AppId":"a","RoomId":"r"}`)}, 200, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := send(t, srv, tc.r)
			require.Equal(t, tc.status, r.status, "%s", r.body)
			require.Equal(t, tc.code, r.code())
			require.Equal(t, tc.r.action, r.env.ResponseMetadata.Action)
			require.Regexp(t, requestIDPattern, r.env.ResponseMetadata.RequestID)
		})
	}
}

func TestInputValidation(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	long := make([]byte, 129)
	for i := range long {
		long[i] = 'a'
	}
	cases := []struct {
		name, action string
		in           map[string]any
		code, inMsg  string
	}{
		{"required field", "KickUser", map[string]any{"AppId": "a", "RoomId": "r"}, "InvalidParameter", "UserId is required"},
		{"empty required string", "KickUser", map[string]any{"AppId": "a", "RoomId": "r", "UserId": ""}, "InvalidParameter", "UserId is required"},
		{"nested required field", "StartPushSingleStreamToCDN", map[string]any{"AppId": "a", "RoomId": "r", "TaskId": "t", "PushURL": "rtmp://x/y", "Control": map[string]any{}, "Stream": map[string]any{"StreamType": 0}}, "InvalidParameter", "Stream.UserId is required"},
		{"wrong type", "BanRoomUser", map[string]any{"AppId": "a", "RoomId": "r", "ForbiddenInterval": "ten"}, "InvalidParameter", "ForbiddenInterval must be an integer"},
		{"illegal room id", "KickUser", map[string]any{"AppId": "a", "RoomId": "room 1", "UserId": "u"}, "InvalidParameter.IllegalRoomID", "RoomId"},
		{"illegal user id", "KickUser", map[string]any{"AppId": "a", "RoomId": "r", "UserId": "u/1"}, "InvalidParameter", "UserId"},
		{"too long task id", "StopRecord", map[string]any{"AppId": "a", "RoomId": "r", "TaskId": string(long)}, "InvalidParameter", "TaskId"},
		{"nested illegal id", "StartRecord", map[string]any{"AppId": "a", "RoomId": "r", "TaskId": "t", "StorageConfig": map[string]any{"Type": 0},
			"TargetStreams": map[string]any{"StreamList": []any{map[string]any{"UserId": "ok"}, map[string]any{"UserId": "bad!"}}}},
			"InvalidParameter", "TargetStreams.StreamList[1].UserId"},
		{"start after end", "ListUsages", map[string]any{"AppId": "a", "StartTime": "2026-01-02T00:00:00Z", "EndTime": "2026-01-01T00:00:00Z"}, "InvalidParameter.StartTimeAfterEndTime", "StartTime"},
		{"window too long", "ListUsages", map[string]any{"AppId": "a", "StartTime": "2025-01-01T00:00:00Z", "EndTime": "2026-01-01T00:00:00Z"}, "InvalidParameter.OutofTimeRange", "days"},
		{"bad time", "ListUsages", map[string]any{"AppId": "a", "StartTime": "yesterday", "EndTime": "2026-01-01T00:00:00Z"}, "InvalidParameter", "StartTime"},
		{"enum", "ModifyAppStatus", map[string]any{"AppId": "a", "Status": 3}, "InvalidParameter", "Status"},
		{"message too large", "SendBroadcast", map[string]any{"AppId": "a", "RoomId": "r", "From": "srv", "Binary": false, "Message": string(make([]byte, MaxMessageSize+1))}, "InvalidParameter.SizeOverLimit", "64 KiB"},
		{"illegal from", "SendUnicast", map[string]any{"AppId": "a", "From": "s r v", "To": "u", "Binary": false, "Message": "hi"}, "InvalidParameter.IllegalFrom", "From must be 1 to 128 characters of a-z A-Z 0-9 @ . _ - (got"},
		{"illegal to", "SendUnicast", map[string]any{"AppId": "a", "From": "srv", "To": "u?", "Binary": false, "Message": "hi"}, "InvalidParameter.IllegalTo", "To[0] must be 1 to 128 characters of a-z A-Z 0-9 @ . _ - (got"},
		{"too many receivers", "BatchSendRoomUnicast", map[string]any{"AppId": "a", "RoomId": "r", "From": "srv", "Binary": false, "Message": "hi", "To": manyUsers(MaxBatchReceivers + 1)}, "InvalidParameter.UserCountOverLimit", "To"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := mustFail(t, srv, tc.action, tc.in, http.StatusBadRequest, tc.code)
			require.Contains(t, r.env.ResponseMetadata.Error.Message, tc.inMsg)
		})
	}

	t.Run("body not JSON", func(t *testing.T) {
		r := send(t, srv, req{method: "POST", action: "KickUser", version: "2020-12-01", body: []byte(`AppId=a`)})
		require.Equal(t, 400, r.status)
		require.Equal(t, "InvalidParameter.Unmarshal", r.code())
	})
	t.Run("body empty", func(t *testing.T) {
		r := send(t, srv, req{method: "POST", action: "KickUser", version: "2020-12-01"})
		require.Equal(t, 400, r.status)
		require.Equal(t, "InvalidParameter.BodyIsEmpty", r.code())
	})
	t.Run("keys match case-insensitively", func(t *testing.T) {
		mustOK(t, srv, "KickUser", map[string]any{"appid": "a", "roomID": "r", "USERID": "u"})
	})
	t.Run("query input typed", func(t *testing.T) {
		r := send(t, srv, req{method: "GET", action: "ListRoomInfo", version: "2023-11-01", query: map[string][]string{
			"AppId": {"a"}, "StartTime": {"2026-01-01T00:00:00Z"}, "EndTime": {"2026-01-01T01:00:00Z"}, "PageNum": {"x"}}})
		require.Equal(t, 400, r.status)
		require.Contains(t, r.env.ResponseMetadata.Error.Message, "PageNum")
	})
}

func manyUsers(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = "u" + itoa(i)
	}
	return out
}

func TestGenericResultsAreDeterministicAndInsideTheWindow(t *testing.T) {
	// ListQuality looks back at most 30 days.
	srv := NewServer(WithClock(func() time.Time { return time.Date(2026, 3, 1, 7, 0, 0, 0, time.UTC) }))
	defer srv.Close()
	in := map[string]any{"AppId": "a", "StartTime": "2026-03-01T00:00:00Z", "EndTime": "2026-03-01T06:00:00Z",
		"Indicator": []any{"network_trans_delay"}, "AggregateGranularity": "5min"}
	r1 := mustOK(t, srv, "ListQuality", in)
	r2 := mustOK(t, srv, "ListQuality", in)
	require.JSONEq(t, string(r1.env.Result), string(r2.env.Result))
	res := r1.result(t)
	inds := res["Indicators"].([]any)
	require.NotEmpty(t, inds)
	for _, ind := range inds {
		for _, p := range ind.(map[string]any)["Data"].([]any) {
			ts := p.(map[string]any)["TimeStamp"].(string)
			require.GreaterOrEqual(t, ts, "2026-03-01T00:00:00Z")
			require.LessOrEqual(t, ts, "2026-03-01T06:00:00Z")
		}
	}
	in["AppId"] = "b"
	r3 := mustOK(t, srv, "ListQuality", in)
	require.NotEqual(t, string(r1.env.Result), string(r3.env.Result), "another input, other sample data")
}
