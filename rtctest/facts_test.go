package rtctest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/volcrtc/rtc/internal/spec"
)

// recordIn is a valid StartRecord input with extra fields merged in.
func recordIn(task string, extra map[string]any) map[string]any {
	in := map[string]any{"AppId": "a", "RoomId": "r", "TaskId": task,
		"StorageConfig": map[string]any{"TosConfig": map[string]any{"AccountId": "acc", "Bucket": "b"}}}
	for k, v := range extra {
		in[k] = v
	}
	return in
}

// TestFactsRefuseLikeTheService sends each rule family at and past its
// edges: the fake refuses with HTTP 400, InvalidParameter and a message
// naming the field, the value and what is allowed, and accepts the edges.
func TestFactsRefuseLikeTheService(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	n := 0
	task := func() string { n++; return fmt.Sprintf("t%d", n) }
	cases := []struct {
		name   string
		action string
		in     map[string]any
		want   string // "" accepts; otherwise a substring of the message
	}{
		{"range below", "StartRecord", recordIn(task(), map[string]any{"Control": map[string]any{"MaxIdleTime": 9}}),
			"Control.MaxIdleTime must be from 10 to 86400 seconds (got 9)"},
		{"range low edge", "StartRecord", recordIn(task(), map[string]any{"Control": map[string]any{"MaxIdleTime": 10}}), ""},
		{"range high edge", "StartRecord", recordIn(task(), map[string]any{"Control": map[string]any{"MaxIdleTime": 86400}}), ""},
		{"range above", "StartRecord", recordIn(task(), map[string]any{"Control": map[string]any{"MaxIdleTime": 86401}}),
			"Control.MaxIdleTime must be from 10 to 86400 seconds (got 86401)"},
		{"open end", "StartRecord", recordIn(task(), map[string]any{"Layout": map[string]any{"CustomLayout": map[string]any{
			"Regions": []any{map[string]any{"StreamIndex": 0, "Width": 10, "Height": 10, "Alpha": 0}}}}}),
			"Layout.CustomLayout.Regions[0].Alpha must be greater than 0 and at most 1 (got 0)"},
		{"allowed value", "StartRecord", recordIn(task(), map[string]any{"RecordMode": 2}),
			"RecordMode must be one of 0 (RecordModeMixed), 1 (RecordModeSingleStream) (got 2)"},
		{"allowed value accepted", "StartRecord", recordIn(task(), map[string]any{"RecordMode": 1}), ""},
		{"allowed string values", "StartRecord", recordIn(task(), map[string]any{"FileFormatConfig": map[string]any{"FileFormat": []any{"MP4", "AVI"}}}),
			"FileFormatConfig.FileFormat[1] must be one of MP4 (FileFormatMP4)"},
		{"quantity set", "StartRecord", recordIn(task(), map[string]any{"Encode": map[string]any{"AudioSampleRate": 16000}}),
			"Encode.AudioSampleRate must be one of 32000, 44100, 48000 Hz (got 16000)"},
		{"even", "StartRecord", recordIn(task(), map[string]any{"Encode": map[string]any{"VideoWidth": 641}}),
			"Encode.VideoWidth must be even (got 641)"},
		{"even accepted", "StartRecord", recordIn(task(), map[string]any{"Encode": map[string]any{"VideoWidth": 640}}), ""},
		{"length", "StartPushMixedStreamToCDN", map[string]any{"AppId": "a", "RoomId": "r", "TaskId": task(), "PushURL": "rtmp://x/y",
			"Control": map[string]any{"SEIConfig": map[string]any{"SEIPayloadUUID": strings.Repeat("a", 31)}}},
			"Control.SEIConfig.SEIPayloadUUID must be exactly 32 characters (got 31 characters)"},
		{"length accepted", "StartPushMixedStreamToCDN", map[string]any{"AppId": "a", "RoomId": "r", "TaskId": task(), "PushURL": "rtmp://x/y",
			"Control": map[string]any{"SEIConfig": map[string]any{"SEIPayloadUUID": strings.Repeat("a", 32)}}}, ""},
		{"items", "StartRecord", recordIn(task(), map[string]any{"Layout": map[string]any{"CustomLayout": map[string]any{
			"Regions": []any{map[string]any{"StreamIndex": 0, "Width": 10, "Height": 10, "SpatialPosition": []any{1, 2}}}}}}),
			"Layout.CustomLayout.Regions[0].SpatialPosition must have exactly 3 elements (got 2 elements)"},
		{"color", "StartRecord", recordIn(task(), map[string]any{"Layout": map[string]any{"CustomLayout": map[string]any{
			"Canvas": map[string]any{"Background": "black"}}}}),
			`Layout.CustomLayout.Canvas.Background must be a color written #RRGGBB (got "black")`},
		{"conditional", "UpdateVoiceChat", map[string]any{"AppId": "a", "RoomId": "r", "TaskId": task(), "Command": "ExternalTextToSpeech"},
			"Message is required for the function and External commands"},
		{"either field", "GetPushMixedStreamToCDNTask", map[string]any{"AppId": "a", "RoomId": "r"}, "TaskId or UserId is required"},
		// Inferred rules are not checked (issue #23): storage configured
		// in the console, a ban by the caller's IP address.
		{"inferred conditional", "StartSegment", map[string]any{"AppId": "a", "RoomId": "r", "TaskId": task(),
			"StorageConfig": map[string]any{"Type": 1}}, ""},
		{"inferred conditional by default", "StartSegment", map[string]any{"AppId": "a", "RoomId": "r", "TaskId": task(),
			"StorageConfig": map[string]any{}}, ""},
		{"inferred either field", "BanRoomUser", map[string]any{"AppId": "a"}, ""},
		{"partial update resends LayoutMode 2", "UpdatePushMixedStreamToCDN", map[string]any{"AppId": "a", "RoomId": "r", "TaskId": "mix",
			"IsUpdatePartialParam": true, "Layout": map[string]any{"LayoutMode": 2}}, "!InvalidParameter"},
		{"remuxed public stream ignores Layout", "StartPushPublicStream", map[string]any{"AppId": "a", "PublicStreamId": "p1",
			"TranscodeMode": 1, "TargetStreams": []any{map[string]any{"RoomId": "r", "UserId": "u"}}, "Layout": map[string]any{"LayoutMode": 2}}, ""},
		{"scan participants Limit 50", "ScanConversationParticipantList", map[string]any{"AppId": 1, "ConversationShortId": 2, "Cursor": 0, "Limit": 50}, "!InvalidParameter"},
		{"two language codes", "StartSubtitle", map[string]any{"AppId": "a", "RoomId": "r", "TaskId": task(),
			"LanguageConfig": map[string]any{"SourceLanguages": []any{map[string]any{"UserId": "u", "LanguageCode": []any{"zh", "en"}}}}}, ""},
		{"voice chat image type", "UpdateVoiceChat", map[string]any{"AppId": "a", "RoomId": "r", "TaskId": "vc", "Command": "interrupt",
			"ImageConfig": map[string]any{"Action": "insert", "GroupID": 1, "ImageType": "base64", "Images": []any{"x"}}}, "!InvalidParameter"},
		{"voice chat command the SDK does not list", "UpdateVoiceChat", map[string]any{"AppId": "a", "RoomId": "r", "TaskId": "vc", "Command": "SomethingNew"}, "!InvalidParameter"},
		{"voice chat subtitle mode 2", "StartVoiceChat", map[string]any{"AppId": "a", "RoomId": "r", "TaskId": task(),
			"AgentConfig": map[string]any{"TargetUserId": []any{"u"}, "UserId": "bot"}, "Config": map[string]any{"SubtitleConfig": map[string]any{"SubtitleMode": 2}}}, ""},
		{"IM Reverse the service resets", "GetConversationMessages", map[string]any{"AppId": 1, "ConversationShortId": 2, "Cursor": 0, "Limit": 10, "Reverse": 5}, "!InvalidParameter"},
		{"stated limit at its edge", "GetBlackList", map[string]any{"AppId": 1, "UserId": 2, "Cursor": 0, "Limit": 20}, "!InvalidParameter"},
		{"stated limit past its edge", "GetBlackList", map[string]any{"AppId": 1, "UserId": 2, "Cursor": 0, "Limit": 21}, "Limit must be at most 20 (got 21)"},
		{"clamped below accepted", "BanRoomUser", map[string]any{"AppId": "a", "RoomId": "r", "ForbiddenInterval": 5}, ""},
		{"clamped above accepted", "BanRoomUser", map[string]any{"AppId": "a", "RoomId": "r", "ForbiddenInterval": 700000}, ""},
		{"secret not echoed", "StartSegment", map[string]any{"AppId": "a", "RoomId": "r", "TaskId": task(),
			"StorageConfig": map[string]any{"Type": 2, "CustomConfig": map[string]any{"AccessKey": "ak", "SecretKey": "sk-very-secret", "Bucket": "b", "Vendor": 9}}},
			"StorageConfig.CustomConfig.Vendor must be one of"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want == "" {
				mustOK(t, srv, tc.action, tc.in)
				return
			}
			if tc.want == "!InvalidParameter" {
				// Past the facts, the handler may still answer with an
				// error of its own (no such task or conversation): not
				// the facts' InvalidParameter.
				r := callAction(t, srv, tc.action, tc.in)
				require.NotEqual(t, "InvalidParameter", r.code(), "%s", r.body)
				return
			}
			r := mustFail(t, srv, tc.action, tc.in, http.StatusBadRequest, "InvalidParameter")
			msg := r.env.ResponseMetadata.Error.Message
			require.Contains(t, msg, tc.want)
			require.NotContains(t, msg, "sk-very-secret")
		})
	}
}

// TestFactsEveryProblemAtOnce: one answer names every broken rule.
func TestFactsEveryProblemAtOnce(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	r := mustFail(t, srv, "StartRecord", recordIn("t", map[string]any{"RecordMode": 7,
		"Control": map[string]any{"MaxIdleTime": 1}, "Encode": map[string]any{"VideoHeight": 3}}),
		http.StatusBadRequest, "InvalidParameter")
	msg := r.env.ResponseMetadata.Error.Message
	for _, want := range []string{"RecordMode must be one of", "Control.MaxIdleTime must be from 10", "Encode.VideoHeight must be even"} {
		require.Contains(t, msg, want)
	}
}

// TestMadeUpResultsRespectTheFacts fills the result of every action and
// checks every value the facts constrain: enumerated fields hold one of
// their values, numbers lie in their ranges (even where they must be),
// times are times.
func TestMadeUpResultsRespectTheFacts(t *testing.T) {
	sp := spec.MustLoad()
	fs := spec.MustLoadFacts()
	now := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	checked := 0
	for i := range sp.Actions {
		a := &sp.Actions[i]
		if a.ResultType != "object" {
			continue
		}
		c := &call{action: a, in: map[string]any{}, now: now}
		f := c.filler()
		out := f.object(a.Result, 0, "")
		b, err := json.Marshal(out)
		require.NoError(t, err)
		var m map[string]any
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.UseNumber()
		require.NoError(t, dec.Decode(&m))
		var walk func(fields []spec.Field, path string, v map[string]any)
		walk = func(fields []spec.Field, path string, v map[string]any) {
			for j := range fields {
				fd := &fields[j]
				p := joinPath(path, fd.Name)
				val := v[fd.Name]
				if sub, ok := val.(map[string]any); ok {
					walk(fd.Fields, p, sub)
					continue
				}
				x := fs.Field(a.Action, "out", p)
				if l, ok := val.([]any); ok {
					for _, e := range l {
						if em, ok := e.(map[string]any); ok && fd.Elem != nil {
							walk(fd.Elem.Fields, p, em)
						} else if x != nil {
							checked += checkOut(t, fs, x, fd, a.Action+"."+p, e)
						}
					}
					continue
				}
				if x != nil {
					checked += checkOut(t, fs, x, fd, a.Action+"."+p, val)
				}
			}
		}
		walk(a.Result, "", m)
	}
	require.Greater(t, checked, 50, "values checked against the facts")
}

// checkOut checks one made-up value against a fact's checks and formats.
func checkOut(t *testing.T, fs *spec.Facts, x *spec.Fact, fd *spec.Field, where string, v any) int {
	t.Helper()
	n := 0
	for _, c := range fs.Checks(x, fd) {
		switch c.Kind {
		case spec.CheckEnum:
			ok := false
			for _, lit := range c.Values {
				var want any
				dec := json.NewDecoder(strings.NewReader(lit))
				dec.UseNumber()
				require.NoError(t, dec.Decode(&want))
				ok = ok || fmt.Sprint(want) == fmt.Sprint(v)
			}
			require.True(t, ok, "%s = %v: %s", where, v, c.Rule)
			n++
		case spec.CheckRange:
			num, ok := v.(json.Number)
			require.True(t, ok, "%s = %v is not a number", where, v)
			fv, _ := num.Float64()
			require.True(t, spec.InRange(c, fv), "%s = %v: %s", where, v, c.Rule)
			n++
		case spec.CheckEven:
			num, _ := v.(json.Number)
			iv, err := num.Int64()
			require.NoError(t, err, where)
			require.Zero(t, iv%2, "%s = %v must be even", where, v)
			n++
		}
	}
	if x.Format == "unix_ms" {
		num, _ := v.(json.Number)
		iv, err := num.Int64()
		require.NoError(t, err, where)
		require.Greater(t, iv, int64(1e12), "%s = %v is not a time in milliseconds", where, v)
		n++
	}
	return n
}

// TestBinaryMessagesAreBase64: a binary message must be base64, as the
// field facts say.
func TestBinaryMessagesAreBase64(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	in := map[string]any{"AppId": "a", "RoomId": "r", "From": "srv", "Binary": true, "Message": "not base64!"}
	r := mustFail(t, srv, "SendBroadcast", in, http.StatusBadRequest, "InvalidParameter")
	require.Contains(t, r.env.ResponseMetadata.Error.Message, "base64")
	in["Message"] = "aGVsbG8="
	mustOK(t, srv, "SendBroadcast", in)
	in["Binary"], in["Message"] = false, "not base64!"
	mustOK(t, srv, "SendBroadcast", in)
}

// TestQueryWindows: each data query's span and look-back, from the facts.
func TestQueryWindows(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	srv := NewServer(WithClock(func() time.Time { return now }))
	defer srv.Close()
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	in := func(start, end string) map[string]any {
		return map[string]any{"AppId": "a", "StartTime": start, "EndTime": end, "Indicator": []any{"stall_rate"}}
	}
	// Real-time quality: one hour, within the last hour.
	mustOK(t, srv, "ListRealTimeQuality", in(at(-time.Hour), at(0)))
	r := mustFail(t, srv, "ListRealTimeQuality", in(at(-61*time.Minute), at(-time.Minute)), http.StatusBadRequest, "InvalidParameter.OutofTimeRange")
	require.Contains(t, r.env.ResponseMetadata.Error.Message, "looks back at most 1 hour")
	r = mustFail(t, srv, "ListRealTimeQuality", in(at(-30*time.Minute), at(31*time.Minute)), http.StatusBadRequest, "InvalidParameter.OutofTimeRange")
	require.Contains(t, r.env.ResponseMetadata.Error.Message, "at most 1 hour from StartTime to EndTime")
	// Offline quality: seven days, within the last 30.
	q := in(at(-30*24*time.Hour), at(-23*24*time.Hour))
	q["AggregateGranularity"] = "1d"
	mustOK(t, srv, "ListQuality", q)
	q["StartTime"] = at(-31 * 24 * time.Hour)
	mustFail(t, srv, "ListQuality", q, http.StatusBadRequest, "InvalidParameter.OutofTimeRange")
}
