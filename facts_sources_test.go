package rtc

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/volcrtc/rtc/internal/spec"
)

// wantProblem is one problem a request is expected to have.
type wantProblem struct{ path, value, rule string }

// requireProblems checks the generated validator of req and the facts as
// rtctest and rtcctl apply them (spec.CheckInput on the JSON body): both
// find exactly the problems want lists (none: the request is accepted),
// in the same words.
func requireProblems(t *testing.T, req request, want []wantProblem) {
	t.Helper()
	ps := genProblems(req)
	require.Len(t, ps, len(want), "%+v", ps)
	for i, w := range want {
		require.Equal(t, w.path, ps[i].Path)
		require.Equal(t, w.value, ps[i].Value)
		require.Contains(t, ps[i].Rule, w.rule)
	}
	b, err := json.Marshal(req)
	require.NoError(t, err)
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&m))
	action := strings.TrimSuffix(strings.TrimPrefix(reflect.TypeOf(req).Elem().Name(), "IM"), "Request")
	sp := spec.MustLoadFacts().CheckInput(action, m)
	// A required number left at zero is the client's own finding: JSON
	// carries the 0, which the facts then refuse as a value.
	if len(want) == 1 && want[0].rule == "is required" {
		require.Len(t, sp, 1, "%+v", sp)
		require.Equal(t, want[0].path, sp[0].Path)
		return
	}
	require.Len(t, sp, len(ps), "%+v", sp)
	for i := range sp {
		require.Equal(t, ps[i].Path, sp[i].Path)
		require.Equal(t, ps[i].Rule, sp[i].Rule)
		require.Equal(t, ps[i].Value, sp[i].Value)
	}
}

func int64s(n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(i + 1)
	}
	return out
}

// TestFactsFollowTheVendor: each finding of the review of the facts
// against the vendor's models and pages (issue #23), at its edges. What
// the vendor states is refused past the edge; what it adjusts, or what we
// only inferred, is accepted.
func TestFactsFollowTheVendor(t *testing.T) {
	layout2 := &Layout{LayoutMode: Ptr(LayoutCustom)}
	cases := []struct {
		name string
		req  request
		want []wantProblem
	}{
		// Page 6348/1051348: at most 200 ids; of more, the first 200 are answered.
		{"live participant status: 200 ids", &IMQueryLiveParticipantStatusRequest{AppID: 1, ConversationShortID: 2, ParticipantUserIDs: int64s(200)}, nil},
		{"live participant status: 201 ids are cut, not refused", &IMQueryLiveParticipantStatusRequest{AppID: 1, ConversationShortID: 2, ParticipantUserIDs: int64s(201)}, nil},
		// The model says only "查询人数": no maximum.
		{"scan participants: Limit 50", &IMScanConversationParticipantListRequest{AppID: 1, ConversationShortID: 2, Limit: 50}, nil},
		// No source for one language code per user.
		{"subtitle: two language codes", &StartSubtitleRequest{AppID: "a", RoomID: "r", TaskID: "t",
			LanguageConfig: &LanguageConfig{SourceLanguages: []SourceLanguage{{UserID: "u", LanguageCode: []string{"zh", "en"}}}}}, nil},
		// Voice chat values we could not find the vendor listing as the only ones.
		{"voice chat: image type other than url", &UpdateVoiceChatRequest{AppID: "a", RoomID: "r", TaskID: "t", Command: "UpdateParameters",
			ImageConfig: &VoiceChatImageConfig{Action: "insert", ImageType: "base64", Images: []string{"x"}}}, nil},
		{"voice chat: subtitle mode 2", &StartVoiceChatRequest{AppID: "a", RoomID: "r", TaskID: "t",
			AgentConfig: &AgentConfig{TargetUserID: []string{"u"}, UserID: "bot"},
			Config:      &VoiceChatConfig{SubtitleConfig: &SubtitleConfig{SubtitleMode: Ptr(VoiceChatSubtitleMode(2))}}}, nil},
		{"voice chat: a command the SDK does not know", &UpdateVoiceChatRequest{AppID: "a", RoomID: "r", TaskID: "t", Command: "SomethingNew"}, nil},
		// Page 6348/1404671 states this one: it still refuses.
		{"voice chat: function without Message", &UpdateVoiceChatRequest{AppID: "a", RoomID: "r", TaskID: "t", Command: VoiceChatFunctionResult},
			[]wantProblem{{"", "", "Message is required for the function and External commands"}}},
		{"voice chat: function with Message", &UpdateVoiceChatRequest{AppID: "a", RoomID: "r", TaskID: "t", Command: VoiceChatFunctionResult, Message: "{}"}, nil},
		// The im model: an unknown value is set to the default.
		{"IM role outside the values", &IMBatchAddConversationParticipantRequest{AppID: 1, ConversationShortID: 2, Operator: 3,
			ParticipantInfos: []IMNewParticipant{{ParticipantUserID: 4, Role: Ptr(IMParticipantRole(7))}}}, nil},
		{"IM Reverse outside the values", &IMGetConversationMessagesRequest{AppID: 1, ConversationShortID: 2, Limit: 10, Reverse: Ptr(IMPageDirection(5))}, nil},
		// Inferred rules between fields no longer refuse.
		{"ban with neither room nor user (by IP)", &BanRoomUserRequest{AppID: "a"}, nil},
		{"partial update resends only LayoutMode 2", &UpdatePushMixedStreamToCDNRequest{AppID: "a", RoomID: "r", TaskID: "t",
			IsUpdatePartialParam: Ptr(true), Layout: layout2}, nil},
		{"public stream remuxed, Layout ignored", &StartPushPublicStreamRequest{AppID: "a", PublicStreamID: "p",
			TargetStreams: []RoomStream{{RoomID: "r", UserID: "u"}}, TranscodeMode: Ptr(PublicStreamTranscodeMode(1)),
			Layout: &PublicStreamLayout{LayoutMode: LayoutCustom}}, nil},
		{"storage configured in the console", &StartRecordRequest{AppID: "a", RoomID: "r", TaskID: "t", StorageConfig: &RecordStorageConfig{Type: Ptr(StorageTOS)}}, nil},
		// The cdn_push model states this one: it still refuses.
		{"push task query names neither task nor user", &GetPushMixedStreamToCDNTaskRequest{AppID: "a", RoomID: "r"},
			[]wantProblem{{"", "", "TaskId or UserId is required"}}},
		// Stated limits at their edges.
		{"black list page of 20", &IMGetBlackListRequest{AppID: 1, UserID: 2, Limit: 20}, nil},
		{"black list page of 21", &IMGetBlackListRequest{AppID: 1, UserID: 2, Limit: 21},
			[]wantProblem{{"Limit", "21", "must be at most 20"}}},
		// A required enumeration left unset reads as required (issue #26).
		{"message type left unset", &IMSendMessageRequest{AppID: 1, ConversationShortID: 2, Sender: 3, Content: "{}"},
			[]wantProblem{{"MsgType", "", "is required"}}},
		{"message type not a value", &IMSendMessageRequest{AppID: 1, ConversationShortID: 2, Sender: 3, Content: "{}", MsgType: 7},
			[]wantProblem{{"MsgType", "7", "must be one of 10001 (IMMsgText)"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { requireProblems(t, tc.req, tc.want) })
	}
}

// TestCountWording: item counts and lengths read as English.
func TestCountWording(t *testing.T) {
	ps := genProblems(&StartPushPublicStreamRequest{AppID: "a", PublicStreamID: "p", TargetStreams: make([]RoomStream, 18)})
	var rules []string
	for _, p := range ps {
		rules = append(rules, p.Rule)
	}
	require.Contains(t, rules, "must have at most 17 elements")
	fs := spec.MustLoadFacts()
	one := 1
	x := &spec.Fact{Doc: "d", MinItems: &one, Source: &spec.Source{Ref: "page:6348/1"}}
	require.Equal(t, "must have at least one element", fs.Checks(x, &spec.Field{Type: "array"})[0].Rule)
	x = &spec.Fact{Doc: "d", MaxLen: &one, Source: &spec.Source{Ref: "page:6348/1"}}
	require.Equal(t, "must be at most one character", fs.Checks(x, &spec.Field{Type: "string"})[0].Rule)
	x = &spec.Fact{Doc: "d", MinItems: &one, MaxItems: &one, Source: &spec.Source{Ref: "page:6348/1"}}
	require.Equal(t, "must have exactly one element", fs.Checks(x, &spec.Field{Type: "array"})[0].Rule)
}

// TestInferredRulesAreLoggedNotRefused: with a logger at debug level, a
// request that breaks a rule the vendor does not state is sent, and one
// debug line names the rule; a stated rule still refuses; without debug
// logging the inferred checks do not run.
func TestInferredRulesAreLoggedNotRefused(t *testing.T) {
	srv := NewFake(t)
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := NewStubClient(t, srv.URL, WithLogger(logger))
	ctx := context.Background()

	_, err := c.StartRecord(ctx, &StartRecordRequest{AppID: "a", RoomID: "r", TaskID: "t", StorageConfig: &RecordStorageConfig{Type: Ptr(StorageVOD)}})
	require.NoError(t, err)
	require.Len(t, srv.Requests(), 1, "sent")
	require.Contains(t, buf.String(), "breaks a rule the vendor does not state")
	require.Contains(t, buf.String(), "VodConfig is required when Type is 1 (VOD)")
	require.Contains(t, buf.String(), "path=StorageConfig")

	buf.Reset()
	_, err = c.BanRoomUser(ctx, &BanRoomUserRequest{AppID: "a", RoomID: "r"})
	require.NoError(t, err)
	require.NotContains(t, buf.String(), "does not state", "nothing broken, nothing noted")

	_, err = c.GetPushMixedStreamToCDNTask(ctx, &GetPushMixedStreamToCDNTaskRequest{AppID: "a", RoomID: "r"})
	var ve *ValidationError
	require.ErrorAs(t, err, &ve, "a stated rule still refuses")

	// The notes never become problems, whatever the logger.
	v := &validator{notes: true}
	(&StartRecordRequest{AppID: "a", RoomID: "r", TaskID: "t", StorageConfig: &RecordStorageConfig{Type: Ptr(StorageVOD)}}).validate(v)
	require.Empty(t, v.problems)
	require.Len(t, v.inferred, 1)
	v = &validator{}
	(&StartRecordRequest{AppID: "a", RoomID: "r", TaskID: "t", StorageConfig: &RecordStorageConfig{Type: Ptr(StorageVOD)}}).validate(v)
	require.Empty(t, v.inferred, "without notes the inferred checks do not run")
}
