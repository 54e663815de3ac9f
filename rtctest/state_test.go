package rtctest

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func onlineUsers(t *testing.T, srv *Server, app, room string) map[string]any {
	t.Helper()
	return mustOK(t, srv, "GetRoomOnlineUsers", map[string]any{"AppId": app, "RoomId": room}).result(t)
}

func TestRoomStateMachine(t *testing.T) {
	clk := newClock(t0)
	srv := NewServer(WithClock(clk.now))
	defer srv.Close()
	const app = "app1"

	// An empty room does not exist.
	require.Equal(t, map[string]any{"RoomExists": false}, onlineUsers(t, srv, app, "r1"))

	require.NoError(t, srv.Join(app, "r1", "alice"))
	require.NoError(t, srv.Join(app, "r1", "bob"))
	require.NoError(t, srv.JoinInvisible(app, "r1", "ghost"))
	require.True(t, srv.RoomExists(app, "r1"))
	require.False(t, srv.RoomExists("other-app", "r1"), "rooms are per AppId")
	res := onlineUsers(t, srv, app, "r1")
	require.Equal(t, true, res["RoomExists"])
	require.Equal(t, []any{"alice", "bob"}, res["VisibleUserList"])
	require.Equal(t, []any{"ghost"}, res["InvisibleUserList"])
	require.EqualValues(t, 3, res["TotalUser"])
	require.EqualValues(t, 1, res["TotalInvisibleUser"])

	// Kick: bob leaves and may come back.
	mustOK(t, srv, "KickUser", map[string]any{"AppId": app, "RoomId": "r1", "UserId": "bob"})
	require.Equal(t, []string{"alice", "ghost"}, srv.OnlineUsers(app, "r1"))
	require.NoError(t, srv.Join(app, "r1", "bob"))

	// Ban bob from r1 for 60 s: he leaves and cannot come back until it ends.
	mustOK(t, srv, "BanRoomUser", map[string]any{"AppId": app, "RoomId": "r1", "UserId": "bob", "ForbiddenInterval": 60})
	require.Equal(t, []string{"alice", "ghost"}, srv.OnlineUsers(app, "r1"))
	err := srv.Join(app, "r1", "bob")
	require.ErrorIs(t, err, ErrBanned)
	require.NoError(t, srv.Join(app, "r2", "bob"), "the ban is for r1 only")
	clk.advance(59 * time.Second)
	require.ErrorIs(t, srv.Join(app, "r1", "bob"), ErrBanned)
	clk.advance(time.Second)
	require.NoError(t, srv.Join(app, "r1", "bob"), "the ban expired on the server clock")

	// UpdateBanRoomUserRule: extend, then lift with 0.
	mustOK(t, srv, "BanRoomUser", map[string]any{"AppId": app, "RoomId": "r1", "UserId": "bob", "ForbiddenInterval": 3}) // clamped to 10 s
	clk.advance(9 * time.Second)
	require.ErrorIs(t, srv.Join(app, "r1", "bob"), ErrBanned)
	mustOK(t, srv, "UpdateBanRoomUserRule", map[string]any{"AppId": app, "RoomId": "r1", "UserId": "bob", "ForbiddenInterval": 600})
	clk.advance(300 * time.Second)
	require.ErrorIs(t, srv.Join(app, "r1", "bob"), ErrBanned)
	mustOK(t, srv, "UpdateBanRoomUserRule", map[string]any{"AppId": app, "RoomId": "r1", "UserId": "bob", "ForbiddenInterval": 0})
	require.NoError(t, srv.Join(app, "r1", "bob"))

	// App-wide user ban (UserId only).
	mustOK(t, srv, "BanRoomUser", map[string]any{"AppId": app, "UserId": "bob", "ForbiddenInterval": 100})
	require.NotContains(t, srv.OnlineUsers(app, "r1"), "bob")
	require.False(t, srv.RoomExists(app, "r2"), "bob was r2's only user")
	require.ErrorIs(t, srv.Join(app, "r3", "bob"), ErrBanned)
	clk.advance(100 * time.Second)
	require.NoError(t, srv.Join(app, "r3", "bob"))

	// Room ban (RoomId only): everyone leaves, nobody may join.
	mustOK(t, srv, "BanRoomUser", map[string]any{"AppId": app, "RoomId": "r1", "ForbiddenInterval": 30})
	require.False(t, srv.RoomExists(app, "r1"))
	require.ErrorIs(t, srv.Join(app, "r1", "carol"), ErrBanned)
	clk.advance(30 * time.Second)
	require.NoError(t, srv.Join(app, "r1", "carol"))

	// Dismiss: the room is emptied and gone; joining again recreates it.
	require.NoError(t, srv.Join(app, "r1", "dave"))
	mustOK(t, srv, "DismissRoom", map[string]any{"AppId": app, "RoomId": "r1"})
	require.False(t, srv.RoomExists(app, "r1"))
	require.Nil(t, srv.OnlineUsers(app, "r1"))
	require.Equal(t, map[string]any{"RoomExists": false}, onlineUsers(t, srv, app, "r1"))
	require.NoError(t, srv.Join(app, "r1", "dave"))
	// With a ForbiddenInterval the room stays banned for that long.
	mustOK(t, srv, "DismissRoom", map[string]any{"AppId": app, "RoomId": "r1", "ForbiddenInterval": 20})
	require.ErrorIs(t, srv.Join(app, "r1", "dave"), ErrBanned)
	clk.advance(20 * time.Second)
	require.NoError(t, srv.Join(app, "r1", "dave"))

	// A ban of 0 kicks without banning.
	mustOK(t, srv, "BanRoomUser", map[string]any{"AppId": app, "RoomId": "r1", "UserId": "dave"})
	require.False(t, srv.RoomExists(app, "r1"))
	require.NoError(t, srv.Join(app, "r1", "dave"))
}

func TestStreamBans(t *testing.T) {
	clk := newClock(t0)
	srv := NewServer(WithClock(clk.now))
	defer srv.Close()
	in := map[string]any{"AppId": "a", "RoomId": "r", "UserId": "u"}
	_, banned := srv.StreamBanState("a", "r", "u")
	require.False(t, banned)

	mustOK(t, srv, "BanUserStream", merge(in, map[string]any{"Audio": true, "Video": false, "ForbiddenInterval": 60}))
	b, banned := srv.StreamBanState("a", "r", "u")
	require.True(t, banned)
	require.Equal(t, StreamBan{Audio: true, Until: t0.Add(60 * time.Second)}, b)
	clk.advance(time.Minute)
	_, banned = srv.StreamBanState("a", "r", "u")
	require.False(t, banned, "expired")

	mustOK(t, srv, "BanUserStream", in) // both, until unbanned
	b, _ = srv.StreamBanState("a", "r", "u")
	require.Equal(t, StreamBan{Audio: true, Video: true}, b)
	mustOK(t, srv, "UnbanUserStream", merge(in, map[string]any{"Audio": false}))
	b, _ = srv.StreamBanState("a", "r", "u")
	require.Equal(t, StreamBan{Audio: true}, b, "Video lifted, Audio kept")
	mustOK(t, srv, "UnbanUserStream", in)
	_, banned = srv.StreamBanState("a", "r", "u")
	require.False(t, banned)

	res := mustOK(t, srv, "LimitTokenPrivilege", merge(in, map[string]any{"Token": "tok", "ForbiddenInterval": 5})).result(t)
	require.EqualValues(t, t0.Add(time.Minute+60*time.Second).Unix(), res["EndTime"], "clamped to 60 s")
}

func merge(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func TestTaskStateMachine(t *testing.T) {
	clk := newClock(t0)
	srv := NewServer(WithClock(clk.now))
	defer srv.Close()
	key := map[string]any{"AppId": "a", "RoomId": "r", "TaskId": "rec1"}
	start := merge(key, map[string]any{
		"StorageConfig":    map[string]any{"Type": 2, "CustomConfig": map[string]any{"AccessKey": "ak", "SecretKey": "sk-secret", "Bucket": "b"}},
		"FileFormatConfig": map[string]any{"FileFormat": []any{"MP4", "HLS"}},
		"Encode":           map[string]any{"VideoWidth": 1920, "VideoHeight": 1080},
		"TargetStreams":    map[string]any{"StreamList": []any{map[string]any{"UserId": "alice"}}},
	})

	mustFail(t, srv, "GetRecordTask", key, http.StatusBadRequest, "InvalidParameter.ErrorActiveTaskNotFound")
	mustFail(t, srv, "UpdateRecord", key, http.StatusBadRequest, "InvalidParameter.ErrorActiveTaskNotFound")
	mustFail(t, srv, "StopRecord", key, http.StatusBadRequest, "InvalidParameter.ErrorActiveTaskNotFound")

	r := mustOK(t, srv, "StartRecord", start)
	require.JSONEq(t, `"success"`, string(r.env.Result))
	mustFail(t, srv, "StartRecord", start, http.StatusBadRequest, "InvalidParameter.TaskAlreadyExists")
	mustOK(t, srv, "StartRecord", merge(start, map[string]any{"RoomId": "r2"})) // same TaskId, other room: another task

	got := mustOK(t, srv, "GetRecordTask", key).result(t)["RecordTask"].(map[string]any)
	require.EqualValues(t, TaskStatusRunning, got["Status"])
	require.EqualValues(t, t0.UnixMilli(), got["StartTime"])
	require.EqualValues(t, 0, got["EndTime"])
	require.Equal(t, "", got["StopReason"])
	require.Empty(t, got["RecordFileList"])

	layout := map[string]any{"LayoutMode": 1}
	mustOK(t, srv, "UpdateRecord", merge(key, map[string]any{"Layout": layout}))
	info, ok := srv.Task("a", "record", "r", "rec1")
	require.True(t, ok)
	require.Equal(t, map[string]any{"LayoutMode": jsonNumber(1)}, info.Input["Layout"])
	require.NotNil(t, info.Input["Encode"], "update merges over the start input")

	clk.advance(90 * time.Second)
	mustOK(t, srv, "StopRecord", key)
	mustFail(t, srv, "StopRecord", key, http.StatusBadRequest, "InvalidParameter.ErrorActiveTaskNotFound")
	mustFail(t, srv, "UpdateRecord", key, http.StatusBadRequest, "InvalidParameter.ErrorActiveTaskNotFound")

	r = mustOK(t, srv, "GetRecordTask", key)
	require.NotContains(t, string(r.body), "sk-secret", "secrets are masked")
	got = r.result(t)["RecordTask"].(map[string]any)
	require.EqualValues(t, TaskStatusStopped, got["Status"])
	require.EqualValues(t, t0.Add(90*time.Second).UnixMilli(), got["EndTime"])
	require.Equal(t, "StopByAPI", got["StopReason"])
	files := got["RecordFileList"].([]any)
	require.Len(t, files, 2)
	f0 := files[0].(map[string]any)
	require.EqualValues(t, 90000, f0["Duration"])
	require.EqualValues(t, 1920, f0["VideoWidth"])
	require.Contains(t, f0["ObjectKey"], "rec1")
	require.Contains(t, files[1].(map[string]any)["ObjectKey"], ".m3u8")
	require.Equal(t, []any{map[string]any{"UserId": "alice"}}, f0["StreamList"])

	// A stopped task may be started again.
	mustOK(t, srv, "StartRecord", start)
}

func TestTaskFamilies(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	room := map[string]any{"AppId": "a", "RoomId": "r"}

	// CDN push: single and mixed share StopPushStreamToCDN; Get finds by
	// TaskId or, without it, the latest of its variant.
	single := merge(room, map[string]any{"TaskId": "s1", "PushURL": "rtmp://x/y", "Control": map[string]any{}, "Stream": map[string]any{"UserId": "u1"}})
	mustOK(t, srv, "StartPushSingleStreamToCDN", single)
	mustOK(t, srv, "StartPushMixedStreamToCDN", merge(room, map[string]any{"TaskId": "m1", "PushURL": "rtmp://x/z"}))
	mustFail(t, srv, "UpdatePushMixedStreamToCDN", merge(room, map[string]any{"TaskId": "s1"}), 400, "InvalidParameter.ErrorActiveTaskNotFound")
	mustOK(t, srv, "UpdatePushMixedStreamToCDN", merge(room, map[string]any{"TaskId": "m1", "Encode": map[string]any{"VideoFps": 30}}))
	got := mustOK(t, srv, "GetPushSingleStreamToCDNTask", merge(room, map[string]any{"UserId": "u1"})).result(t)["PushSingleStreamToCDNTask"].(map[string]any)
	require.Equal(t, "rtmp://x/y", got["PushURL"])
	mustOK(t, srv, "StopPushStreamToCDN", merge(room, map[string]any{"TaskId": "m1"}))
	got = mustOK(t, srv, "GetPushMixedStreamToCDNTask", merge(room, map[string]any{"TaskId": "m1"})).result(t)["PushMixedStreamToCDNTask"].(map[string]any)
	require.EqualValues(t, TaskStatusStopped, got["Status"])

	// Public streams are keyed by PublicStreamId, without a room.
	ps := map[string]any{"AppId": "a", "PublicStreamId": "p1", "TargetStreams": []any{map[string]any{"RoomId": "r"}}}
	mustOK(t, srv, "StartPushPublicStream", ps)
	mustFail(t, srv, "StartPushPublicStream", ps, 400, "InvalidParameter.TaskAlreadyExists")
	mustOK(t, srv, "UpdatePublicStreamParam", ps)
	mustOK(t, srv, "StopPushPublicStream", map[string]any{"AppId": "a", "PublicStreamId": "p1"})

	// Relay streams list with paging.
	for _, id := range []string{"t1", "t2", "t3"} {
		mustOK(t, srv, "StartRelayStream", merge(room, map[string]any{"TaskId": id, "UserId": "relay", "Token": "tok",
			"Control": map[string]any{"StreamUrl": "https://example.com/" + id + ".mp4"}}))
	}
	mustOK(t, srv, "StopRelayStream", merge(room, map[string]any{"TaskId": "t2"}))
	list := mustOK(t, srv, "ListRelayStream", merge(room, map[string]any{"Offset": "1", "Limit": "5"})).result(t)
	require.EqualValues(t, 3, list["Total"])
	tasks := list["Task"].([]any)
	require.Len(t, tasks, 2)
	require.Equal(t, "t2", tasks[0].(map[string]any)["TaskId"])
	require.EqualValues(t, TaskStatusStopped, tasks[0].(map[string]any)["Status"])

	// Detection is keyed by user.
	mustOK(t, srv, "StartDetection", merge(room, map[string]any{"UserId": "u1", "MediaType": 1}))
	mustFail(t, srv, "StartDetection", merge(room, map[string]any{"UserId": "u1"}), 400, "InvalidParameter.TaskAlreadyExists")
	ev := mustOK(t, srv, "ListDetectionTask", room).result(t)["EventData"].([]any)
	require.Len(t, ev, 1)
	mustOK(t, srv, "StopDetection", merge(room, map[string]any{"UserId": "u1"}))
	require.Empty(t, mustOK(t, srv, "ListDetectionTask", room).result(t)["EventData"])

	// Webcast, whiteboard recording, voice chat, segments, snapshots.
	seq := []struct{ start, update, stop, get string }{
		{"StartWebcast", "", "StopWebcast", "GetWebCastTask"},
		{"StartWBRecord", "", "StopWBRecord", ""},
		{"StartVoiceChat", "UpdateVoiceChat", "StopVoiceChat", ""},
		{"StartSegment", "UpdateSegment", "StopSegment", "GetSegmentTask"},
		{"StartSnapshot", "UpdateSnapshot", "StopSnapshot", "GetSnapshotTask"},
	}
	for _, s := range seq {
		in := merge(room, map[string]any{"TaskId": "x1", "UserId": "u", "SourceURL": "https://example.com", "Command": "interrupt",
			"StorageConfig": map[string]any{"Type": 0, "TosConfig": map[string]any{"AccountId": "acc", "Bucket": "b"}},
			"AgentConfig":   map[string]any{"TargetUserId": []any{"u"}, "UserId": "bot"}, "Config": map[string]any{}})
		mustOK(t, srv, s.start, in)
		mustFail(t, srv, s.start, in, 400, "InvalidParameter.TaskAlreadyExists")
		if s.update != "" {
			mustOK(t, srv, s.update, in)
		}
		mustOK(t, srv, s.stop, in)
		mustFail(t, srv, s.stop, in, 400, "InvalidParameter.ErrorActiveTaskNotFound")
		if s.update != "" {
			mustFail(t, srv, s.update, in, 400, "InvalidParameter.ErrorActiveTaskNotFound")
		}
		if s.get != "" {
			mustOK(t, srv, s.get, in)
		}
	}

	// Whiteboard transcoding finishes at once.
	id := mustOK(t, srv, "WbTranscodeCreate", map[string]any{"AppId": "a", "Operator": "op", "Priority": 1, "Resource": "https://example.com/doc.pptx", "TranscodeMode": 1}).result(t)["TaskId"]
	q := mustOK(t, srv, "WbTranscodeQuery", map[string]any{"AppId": "a", "TaskId": id}).result(t)
	require.EqualValues(t, 100, q["Progress"])
	g := mustOK(t, srv, "WbTranscodeGet", map[string]any{"AppId": "a", "TaskId": id}).result(t)
	require.Equal(t, "doc.pptx", g["FileName"])
	mustFail(t, srv, "WbTranscodeQuery", map[string]any{"AppId": "a", "TaskId": "nope"}, 400, "InvalidParameter.ErrorActiveTaskNotFound")
}

func TestAppsBusinessCallbacksPolicies(t *testing.T) {
	srv := NewServer()
	defer srv.Close()

	var ids []string
	for _, n := range []string{"one", "two", "three"} {
		res := mustOK(t, srv, "CreateApp", map[string]any{"AppName": n}).result(t)
		require.Len(t, res["AppId"], 24)
		require.Equal(t, n, res["Name"])
		ids = append(ids, res["AppId"].(string))
	}
	page := mustOK(t, srv, "ListApps", map[string]any{"Offset": "1", "Limit": "1"}).result(t)
	require.EqualValues(t, 3, page["Total"])
	require.Len(t, page["AppList"], 1)
	require.Equal(t, ids[1], page["AppList"].([]any)[0].(map[string]any)["AppId"])
	mustOK(t, srv, "ModifyAppStatus", map[string]any{"AppId": ids[0], "Status": 2})
	one := mustOK(t, srv, "ListApps", map[string]any{"AppId": ids[0]}).result(t)["AppList"].([]any)
	require.EqualValues(t, 98, one[0].(map[string]any)["Status"], "disabled")
	mustFail(t, srv, "ModifyAppStatus", map[string]any{"AppId": ids[0], "Status": 0}, 400, "InvalidParameter")
	mustFail(t, srv, "ModifyAppStatus", map[string]any{"AppId": "nope", "Status": 1}, 400, "InvalidParameter.NotExistAppId")

	mustOK(t, srv, "AddBusinessID", map[string]any{"AppId": "a", "BusinessId": "b1", "Remarks": "first"})
	mustOK(t, srv, "AddBusinessID", map[string]any{"AppId": "a", "BusinessId": "b2", "Remarks": "second"})
	mustFail(t, srv, "AddBusinessID", map[string]any{"AppId": "a", "BusinessId": "b1", "Remarks": "again"}, 400, "InvalidParameter")
	mustOK(t, srv, "ModifyBusinessRemarks", map[string]any{"AppId": "a", "BusinessId": "b2", "Remarks": "changed"})
	all := mustOK(t, srv, "GetAllBusinessID", map[string]any{"AppID": "a"}).result(t)
	require.EqualValues(t, 2, all["TotalSize"])
	require.Equal(t, "changed", all["BusinessRecords"].([]any)[1].(map[string]any)["Remarks"])
	mustOK(t, srv, "DeleteBusinessID", map[string]any{"AppId": "a", "BusinessId": "b1"})
	mustFail(t, srv, "DeleteBusinessID", map[string]any{"AppId": "a", "BusinessId": "b1"}, 400, "InvalidParameter")

	cb := map[string]any{"AppID": "a", "BusinessId": "b2", "EventList": []any{"RecordStarted", "RecordStopped"}, "SecretKey": "cbsecret", "URL": "https://example.com/cb"}
	mustOK(t, srv, "CreateCallback", cb)
	mustFail(t, srv, "CreateCallback", cb, 400, "InvalidParameter")
	got := mustOK(t, srv, "GetCallback", map[string]any{"AppId": "a"}).result(t)
	require.Equal(t, "RecordStarted,RecordStopped", got["EventList"])
	require.Len(t, got["Callbacks"], 1)
	mustOK(t, srv, "UpdateCallback", map[string]any{"AppID": "a", "BusinessID": "b2", "EventList": []any{"RecordStarted"}, "SecretKey": "s2", "URL": "https://example.com/cb2"})
	require.Equal(t, "https://example.com/cb2", mustOK(t, srv, "GetCallback", map[string]any{"AppId": "a"}).result(t)["URL"])
	mustOK(t, srv, "DeleteCallback", map[string]any{"AppId": "a", "BusinessId": "b2"})
	require.Empty(t, mustOK(t, srv, "GetCallback", map[string]any{"AppId": "a"}).result(t)["Callbacks"])

	p := mustOK(t, srv, "CreateFailRecoveryPolicy", map[string]any{"AppID": "a", "RoomID": "r", "FromVendor": "v1", "ToVendor": "v2"}).result(t)["Policy"].(map[string]any)
	id := p["ID"]
	second := mustOK(t, srv, "CreateFailRecoveryPolicy", map[string]any{"AppID": "a", "RoomID": "r", "FromVendor": "v1", "ToVendor": "v2"}).result(t)["Policy"].(map[string]any)
	mustOK(t, srv, "CreateFailRecoveryPolicy", map[string]any{"AppID": "a", "RoomID": "r9", "FromVendor": "v1", "ToVendor": "v2"})
	up := mustOK(t, srv, "UpdateFailRecoveryPolicy", map[string]any{"ID": id, "RecoveryPercentage": 40}).result(t)["Policy"].(map[string]any)
	require.EqualValues(t, 40, up["RecoveryPercentage"])
	list := mustOK(t, srv, "GetFailRecoveryPolicies", map[string]any{"AppID": "a", "RoomID": "r", "FromVendor": "v1", "ToVendor": "v2", "OrderBy": "updateTime"}).result(t)["Policies"].([]any)
	require.Len(t, list, 2)
	require.Equal(t, second["ID"], list[0].(map[string]any)["ID"])
	list = mustOK(t, srv, "GetFailRecoveryPolicies", map[string]any{"AppID": "a", "RoomID": "r", "FromVendor": "v1", "ToVendor": "v2", "OrderBy": "createTime"}).result(t)["Policies"].([]any)
	require.EqualValues(t, id, list[0].(map[string]any)["ID"])
	mustFail(t, srv, "GetFailRecoveryPolicies", map[string]any{"AppID": "a", "RoomID": "r", "FromVendor": "v1", "ToVendor": "v2", "OrderBy": "-ID"}, 400, "InvalidParameter")
	mustOK(t, srv, "DeleteFailRecoveryPolicy", map[string]any{"ID": id})
	mustFail(t, srv, "DeleteFailRecoveryPolicy", map[string]any{"ID": id}, 400, "InvalidParameter")
	vp := mustOK(t, srv, "CreateVendorPolicy", map[string]any{"AppID": "a", "BusinessID": "b", "RoomID": "r", "VendorProportion": "50:50"}).result(t)["Policy"].(map[string]any)
	up = mustOK(t, srv, "UpdateVendorPolicy", map[string]any{"ID": vp["ID"], "VendorProportion": "70:30"}).result(t)["Policy"].(map[string]any)
	require.Equal(t, "70:30", up["VendorProportion"])
}

func TestMessagesAreRecorded(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	base := map[string]any{"AppId": "a", "From": "server", "Binary": false, "Message": "hello"}
	mustOK(t, srv, "SendUnicast", merge(base, map[string]any{"To": "u1"}))
	mustOK(t, srv, "SendRoomUnicast", merge(base, map[string]any{"RoomId": "r", "To": "u2"}))
	mustOK(t, srv, "SendBroadcast", merge(base, map[string]any{"RoomId": "r", "Binary": true, "Message": "aGk="}))
	r := mustOK(t, srv, "BatchSendRoomUnicast", merge(base, map[string]any{"RoomId": "r", "To": []any{"u3", "u4"}}))
	require.JSONEq(t, `{"Message":"success"}`, string(r.env.Result))

	msgs := srv.Messages()
	require.Len(t, msgs, 4)
	require.Equal(t, Unicast, msgs[0].Kind)
	require.Equal(t, []string{"u1"}, msgs[0].To)
	require.Equal(t, "", msgs[0].RoomID)
	require.Equal(t, RoomUnicast, msgs[1].Kind)
	require.Equal(t, Broadcast, msgs[2].Kind)
	require.True(t, msgs[2].Binary)
	require.Empty(t, msgs[2].To)
	require.Equal(t, BatchRoomUnicast, msgs[3].Kind)
	require.Equal(t, []string{"u3", "u4"}, msgs[3].To)
	require.Equal(t, r.env.ResponseMetadata.RequestID, msgs[3].RequestID)

	srv.Reset()
	require.Empty(t, srv.Messages())
	require.Empty(t, srv.Requests())
}

func TestJoinErrorsWrapErrBanned(t *testing.T) {
	srv := NewUnstartedServer()
	srv.mu.Lock()
	srv.st.app("a").roomBans["r"] = srv.now().Add(time.Hour)
	srv.mu.Unlock()
	err := srv.Join("a", "r", "u")
	require.True(t, errors.Is(err, ErrBanned))
	require.Contains(t, err.Error(), `room "r"`)
}
