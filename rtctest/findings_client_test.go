package rtctest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/rtctest"
)

// TestFactsFindingsEndToEnd drives the corrected facts of issue #23
// through the typed client and the fake together: the client sends what
// the vendor accepts, and the fake answers as the vendor says it does.
func TestFactsFindingsEndToEnd(t *testing.T) {
	srv := rtctest.NewServer()
	defer srv.Close()
	im := newClient(t, srv).IM()
	ctx := context.Background()
	const app = int32(2323)
	users := make([]rtc.IMNewUser, 3)
	for i := range users {
		users[i].UserID = int64(i + 1)
	}
	_, err := im.RegisterUsers(ctx, &rtc.IMRegisterUsersRequest{AppID: app, Users: users})
	require.NoError(t, err)
	live, err := im.CreateConversation(ctx, &rtc.IMCreateConversationRequest{AppID: app, OwnerUserID: 1,
		ConversationCoreInfo: &rtc.IMNewConversation{ConversationType: rtctest.IMLiveGroup}})
	require.NoError(t, err)
	conv := live.ConversationShortID

	// Page 6348/1051348: up to 200 ids; of a longer list the first 200
	// are answered, the call is not refused.
	ids := make([]int64, 201)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	st, err := im.QueryLiveParticipantStatus(ctx, &rtc.IMQueryLiveParticipantStatusRequest{AppID: app, ConversationShortID: conv, ParticipantUserIDs: ids[:200]})
	require.NoError(t, err)
	require.Equal(t, 200, len(st.Status))
	st, err = im.QueryLiveParticipantStatus(ctx, &rtc.IMQueryLiveParticipantStatusRequest{AppID: app, ConversationShortID: conv, ParticipantUserIDs: ids})
	require.NoError(t, err)
	require.Equal(t, 200, len(st.Status), "the 201st id is not answered")

	// A group to add members to, with a role the service resets.
	grp, err := im.CreateConversation(ctx, &rtc.IMCreateConversationRequest{AppID: app, OwnerUserID: 1,
		ConversationCoreInfo: &rtc.IMNewConversation{ConversationType: rtctest.IMGroup}})
	require.NoError(t, err)
	_, err = im.BatchAddConversationParticipant(ctx, &rtc.IMBatchAddConversationParticipantRequest{AppID: app, ConversationShortID: grp.ConversationShortID,
		Operator: 1, ParticipantInfos: []rtc.IMNewParticipant{{ParticipantUserID: 2, Role: rtc.Ptr(rtc.IMParticipantRole(9))},
			{ParticipantUserID: 3, Role: rtc.Ptr(rtc.IMRoleManager)}}})
	require.NoError(t, err, "an unknown role is adjusted to the default, not refused")
	parts, err := im.BatchGetConversationParticipant(ctx, &rtc.IMBatchGetConversationParticipantRequest{AppID: app,
		ConversationShortID: grp.ConversationShortID, ParticipantUserIDs: []int64{2, 3}})
	require.NoError(t, err)
	roles := map[int64]rtc.IMParticipantRole{}
	for _, p := range parts.Participants {
		roles[p.ParticipantUserID] = p.Role
	}
	require.Equal(t, map[int64]rtc.IMParticipantRole{2: rtc.IMRoleMember, 3: rtc.IMRoleManager}, roles, "role 9 became the default")

	// The model says only "查询人数": a page of 50 is asked for, not refused.
	_, err = im.ScanConversationParticipantList(ctx, &rtc.IMScanConversationParticipantListRequest{AppID: app, ConversationShortID: conv, Limit: 50})
	require.NoError(t, err)

	// Reverse outside its values is reset to the default (forwards).
	_, err = im.GetConversationMessages(ctx, &rtc.IMGetConversationMessagesRequest{AppID: app, ConversationShortID: grp.ConversationShortID,
		Limit: 10, Reverse: rtc.Ptr(rtc.IMPageDirection(5))})
	require.NoError(t, err)

	// BatchGetConversations leaves the member count out by default (im
	// model: 默认值为 true); asked for, it is there.
	bg, err := im.BatchGetConversations(ctx, &rtc.IMBatchGetConversationsRequest{AppID: app, ConversationShortID: []int64{grp.ConversationShortID}})
	require.NoError(t, err)
	require.Len(t, bg.ConversationCoreInfos, 1)
	require.Zero(t, bg.ConversationCoreInfos[0].MemberCount)
	bg, err = im.BatchGetConversations(ctx, &rtc.IMBatchGetConversationsRequest{AppID: app, ConversationShortID: []int64{grp.ConversationShortID},
		SkipMemberCount: rtc.Ptr(false)})
	require.NoError(t, err)
	require.Equal(t, 3, int(bg.ConversationCoreInfos[0].MemberCount))
}

// TestFactsInferredRulesEndToEnd: requests our old inferred rules refused
// reach the fake and succeed.
func TestFactsInferredRulesEndToEnd(t *testing.T) {
	srv := rtctest.NewServer()
	defer srv.Close()
	c := newClient(t, srv)
	ctx := context.Background()
	// A ban by the caller's IP address names neither room nor user.
	_, err := c.BanRoomUser(ctx, &rtc.BanRoomUserRequest{AppID: "a", ForbiddenInterval: rtc.Ptr[int32](60)})
	require.NoError(t, err)
	// Storage configured in the console: no TosConfig for Type 0.
	_, err = c.StartRecord(ctx, &rtc.StartRecordRequest{AppID: "a", RoomID: "r", TaskID: "t", StorageConfig: &rtc.RecordStorageConfig{Type: rtc.Ptr(rtc.StorageTOS)}})
	require.NoError(t, err)
	// Remuxing ignores Layout, so a custom layout without CustomLayout.
	_, err = c.StartPushPublicStream(ctx, &rtc.StartPushPublicStreamRequest{AppID: "a", PublicStreamID: "p",
		TargetStreams: []rtc.RoomStream{{RoomID: "r", UserID: "u"}}, TranscodeMode: rtc.Ptr(rtc.PublicStreamTranscodeMode(1)),
		Layout: &rtc.PublicStreamLayout{LayoutMode: rtc.LayoutCustom}})
	require.NoError(t, err)
	// Subtitles with two spoken languages for one user.
	_, err = c.StartSubtitle(ctx, &rtc.StartSubtitleRequest{AppID: "a", RoomID: "r", TaskID: "s",
		LanguageConfig: &rtc.LanguageConfig{SourceLanguages: []rtc.SourceLanguage{{UserID: "u", LanguageCode: []string{"zh", "en"}}}}})
	require.NoError(t, err)
	// A voice chat with subtitle mode 2, then a command and an image type
	// the SDK does not list as the only ones.
	_, err = c.StartVoiceChat(ctx, &rtc.StartVoiceChatRequest{AppID: "a", RoomID: "r", TaskID: "v",
		AgentConfig: &rtc.AgentConfig{TargetUserID: []string{"u"}, UserID: "bot"},
		Config:      &rtc.VoiceChatConfig{SubtitleConfig: &rtc.SubtitleConfig{SubtitleMode: rtc.Ptr(rtc.VoiceChatSubtitleMode(2))}}})
	require.NoError(t, err)
	_, err = c.UpdateVoiceChat(ctx, &rtc.UpdateVoiceChatRequest{AppID: "a", RoomID: "r", TaskID: "v", Command: "UpdateParameters",
		ImageConfig: &rtc.VoiceChatImageConfig{Action: "insert", GroupID: 1, ImageType: "base64", Images: []string{"aGk="}}})
	require.NoError(t, err)
}
