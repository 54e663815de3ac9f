package rtctest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/rtctest"
)

// TestIMEndToEnd drives the IM state through the typed client: register
// users, create a group, add a participant, send, list, recall and delete
// messages, and destroy the group; and checks what the fake refuses.
func TestIMEndToEnd(t *testing.T) {
	srv := rtctest.NewServer()
	defer srv.Close()
	im := newClient(t, srv).IM()
	ctx := context.Background()
	const app = int32(4242)

	reg, err := im.RegisterUsers(ctx, &rtc.IMRegisterUsersRequest{AppID: app, Users: []rtc.IMNewUser{
		{UserID: 1001, NickName: "ann"}, {UserID: 1002, NickName: "bob"}, {UserID: 1003},
	}})
	require.NoError(t, err)
	require.Empty(t, reg.FailedInfos)
	require.True(t, srv.IMRegistered(app, 1002))

	// An owner who is not registered is refused.
	_, err = im.CreateConversation(ctx, &rtc.IMCreateConversationRequest{AppID: app, OwnerUserID: 9,
		ConversationCoreInfo: &rtc.IMNewConversation{ConversationType: rtctest.IMGroup}})
	requireCode(t, err, "InvalidParameter.UserNotRegistered")

	cr, err := im.CreateConversation(ctx, &rtc.IMCreateConversationRequest{AppID: app, OwnerUserID: 1001, IdempotentID: "k1",
		ConversationCoreInfo: &rtc.IMNewConversation{ConversationType: rtctest.IMGroup, Name: "team"}})
	require.NoError(t, err)
	require.False(t, cr.Exist)
	conv := cr.ConversationShortID
	require.Equal(t, "team", cr.ConversationInfo.Name)
	again, err := im.CreateConversation(ctx, &rtc.IMCreateConversationRequest{AppID: app, OwnerUserID: 1001, IdempotentID: "k1",
		ConversationCoreInfo: &rtc.IMNewConversation{ConversationType: rtctest.IMGroup}})
	require.NoError(t, err)
	require.True(t, again.Exist, "the same IdempotentId answers the same conversation")
	require.Equal(t, conv, again.ConversationShortID)

	// A sender who does not take part is refused.
	_, err = im.SendMessage(ctx, &rtc.IMSendMessageRequest{AppID: app, ConversationShortID: conv, Sender: 1002, MsgType: 10001, Content: `{"text":"hi"}`})
	requireCode(t, err, "InvalidParameter.NotParticipant")

	add, err := im.BatchAddConversationParticipant(ctx, &rtc.IMBatchAddConversationParticipantRequest{AppID: app, ConversationShortID: conv,
		Operator: 1001, ParticipantInfos: []rtc.IMNewParticipant{{ParticipantUserID: 1002}, {ParticipantUserID: 77}}})
	require.NoError(t, err)
	require.Equal(t, []int64{77}, add.FailedUserIDs, "an unregistered user fails, the call succeeds")

	var sent []int64
	for i := range 3 {
		r, err := im.SendMessage(ctx, &rtc.IMSendMessageRequest{AppID: app, ConversationShortID: conv, Sender: 1002, MsgType: 10001,
			Content: fmt.Sprintf(`{"text":"m%d"}`, i)})
		require.NoError(t, err)
		sent = append(sent, r.MessageID)
	}
	// An unknown conversation is refused.
	_, err = im.SendMessage(ctx, &rtc.IMSendMessageRequest{AppID: app, ConversationShortID: 5, Sender: 1002, MsgType: 10001, Content: "x"})
	requireCode(t, err, "InvalidParameter.ConversationNotExist")

	// Recall: not by another member, yes by the sender, not twice.
	_, err = im.RecallMessage(ctx, &rtc.IMRecallMessageRequest{AppID: app, ConversationShortID: conv, MessageID: sent[0], ParticipantUserID: 1001})
	requireCode(t, err, "InvalidParameter.NoPermission")
	_, err = im.RecallMessage(ctx, &rtc.IMRecallMessageRequest{AppID: app, ConversationShortID: conv, MessageID: sent[0], ParticipantUserID: 1002})
	require.NoError(t, err)
	_, err = im.RecallMessage(ctx, &rtc.IMRecallMessageRequest{AppID: app, ConversationShortID: conv, MessageID: sent[0], ParticipantUserID: 1002})
	requireCode(t, err, "InvalidParameter.MessageRecalled")
	// Delete for everyone.
	_, err = im.DeleteConversationMessage(ctx, &rtc.IMDeleteConversationMessageRequest{AppID: app, ConversationShortID: conv, MessageID: sent[1]})
	require.NoError(t, err)

	var got []rtc.IMMessage
	for m, err := range im.GetConversationMessagesAll(ctx, &rtc.IMGetConversationMessagesRequest{AppID: app, ConversationShortID: conv, Limit: 1}) {
		require.NoError(t, err)
		got = append(got, m)
	}
	require.Len(t, got, 2, "the deleted message is gone, the recalled one stays")
	require.Equal(t, sent[0], got[0].MessageID)
	require.Equal(t, rtc.IMMessageRecalled, got[0].Status)
	require.Equal(t, sent[2], got[1].MessageID)
	require.Equal(t, `{"text":"m2"}`, got[1].Content)

	_, err = im.DestroyConversation(ctx, &rtc.IMDestroyConversationRequest{AppID: app, ConversationShortID: conv, OwnerUserID: 1002})
	requireCode(t, err, "InvalidParameter.NoPermission")
	_, err = im.DestroyConversation(ctx, &rtc.IMDestroyConversationRequest{AppID: app, ConversationShortID: conv, OwnerUserID: 1001})
	require.NoError(t, err)
	_, ok := srv.IMConversation(app, conv)
	require.False(t, ok)
	_, err = im.GetConversationMessages(ctx, &rtc.IMGetConversationMessagesRequest{AppID: app, ConversationShortID: conv, Limit: 10})
	requireCode(t, err, "InvalidParameter.ConversationNotExist")

	un, err := im.UnRegisterUsers(ctx, &rtc.IMUnRegisterUsersRequest{AppID: app, UserIDs: []int64{1003, 55}})
	require.NoError(t, err)
	require.Len(t, un.FailedInfos, 1)
	require.Equal(t, int64(55), un.FailedInfos[0].UserID)
	require.False(t, srv.IMRegistered(app, 1003))
}

func requireCode(t *testing.T, err error, code string) {
	t.Helper()
	var apiErr *rtc.APIError
	require.True(t, errors.As(err, &apiErr), "want %s, got %v", code, err)
	require.Equal(t, code, apiErr.Code, apiErr.Message)
	require.ErrorIs(t, err, rtc.ErrInvalidParameter)
}

// TestIMFriendsPaging walks a friend list of 45 through the cursor
// iterator (pages of at most 20), and checks black lists.
func TestIMFriendsPaging(t *testing.T) {
	srv := rtctest.NewServer()
	defer srv.Close()
	im := newClient(t, srv).IM()
	ctx := context.Background()
	const app = int32(7)
	var users []rtc.IMNewUser
	for u := int64(1); u <= 46; u++ {
		users = append(users, rtc.IMNewUser{UserID: u})
	}
	for i := 0; i < len(users); i += 20 { // the service takes 20 users a call
		_, err := im.RegisterUsers(ctx, &rtc.IMRegisterUsersRequest{AppID: app, Users: users[i:min(i+20, len(users))]})
		require.NoError(t, err)
	}
	for f := int64(2); f <= 46; f += 10 {
		var ids []int64
		for x := f; x < f+10 && x <= 46; x++ {
			ids = append(ids, x)
		}
		r, err := im.AddFriend(ctx, &rtc.IMAddFriendRequest{AppID: app, UserID: 1, FriendUserIDs: ids})
		require.NoError(t, err)
		require.Empty(t, r.FailedInfos)
	}
	var friends []int64
	for f, err := range im.ListFriendAll(ctx, &rtc.IMListFriendRequest{AppID: app, UserID: 1}) {
		require.NoError(t, err)
		friends = append(friends, f.FriendUserID)
	}
	require.Len(t, friends, 45)
	require.Equal(t, int64(2), friends[0])
	require.Equal(t, int64(46), friends[44])
	isf, err := im.IsFriend(ctx, &rtc.IMIsFriendRequest{AppID: app, UserID: 2, FriendUserIDs: []int64{1, 3}})
	require.NoError(t, err)
	require.True(t, isf.Infos[0].IsFriend, "friendship goes both ways")
	require.False(t, isf.Infos[1].IsFriend)

	// A user on the black list cannot be befriended by the one blocked.
	bl, err := im.AddBlackList(ctx, &rtc.IMAddBlackListRequest{AppID: app, UserID: 3, BlackListInfos: []rtc.IMBlackListItem{{BlackListUserID: 4}}})
	require.NoError(t, err)
	require.Empty(t, bl.FailedInfos)
	af, err := im.AddFriend(ctx, &rtc.IMAddFriendRequest{AppID: app, UserID: 4, FriendUserIDs: []int64{3}})
	require.NoError(t, err)
	require.Len(t, af.FailedInfos, 1)
	require.Equal(t, "InBlackList", af.FailedInfos[0].Code)
	var blocked []int64
	for e, err := range im.GetBlackListAll(ctx, &rtc.IMGetBlackListRequest{AppID: app, UserID: 3, Limit: 5}) {
		require.NoError(t, err)
		blocked = append(blocked, e.BlackListUserID)
	}
	require.Equal(t, []int64{4}, blocked)
	_, err = im.RemoveBlackList(ctx, &rtc.IMRemoveBlackListRequest{AppID: app, UserID: 3, BlackListUserIDs: []int64{4}})
	require.NoError(t, err)
	af, err = im.AddFriend(ctx, &rtc.IMAddFriendRequest{AppID: app, UserID: 4, FriendUserIDs: []int64{3}})
	require.NoError(t, err)
	require.Empty(t, af.FailedInfos)
	_, err = im.ListFriend(ctx, &rtc.IMListFriendRequest{AppID: app, UserID: 999})
	requireCode(t, err, "InvalidParameter.UserNotRegistered")
}

// TestIMLiveGroupMute: a muted user cannot send until allowed or unmuted.
func TestIMLiveGroupMute(t *testing.T) {
	srv := rtctest.NewServer()
	defer srv.Close()
	im := newClient(t, srv).IM()
	ctx := context.Background()
	const app = int32(8)
	_, err := im.RegisterUsers(ctx, &rtc.IMRegisterUsersRequest{AppID: app, Users: []rtc.IMNewUser{{UserID: 1}, {UserID: 2}}})
	require.NoError(t, err)
	cr, err := im.CreateConversation(ctx, &rtc.IMCreateConversationRequest{AppID: app, OwnerUserID: 1,
		ConversationCoreInfo: &rtc.IMNewConversation{ConversationType: rtctest.IMLiveGroup}})
	require.NoError(t, err)
	conv := cr.ConversationShortID
	_, err = im.BatchAddConversationParticipant(ctx, &rtc.IMBatchAddConversationParticipantRequest{AppID: app, ConversationShortID: conv,
		Operator: 1, ParticipantInfos: []rtc.IMNewParticipant{{ParticipantUserID: 2}}})
	require.NoError(t, err)
	send := func() error {
		_, err := im.SendMessage(ctx, &rtc.IMSendMessageRequest{AppID: app, ConversationShortID: conv, Sender: 2, MsgType: 10001, Content: "x"})
		return err
	}
	require.NoError(t, send())
	_, err = im.BatchAddBlockParticipants(ctx, &rtc.IMBatchAddBlockParticipantsRequest{AppID: app, ConversationShortID: conv,
		ParticipantBlockInfos: []byte(`{"2":600}`)})
	require.NoError(t, err)
	requireCode(t, send(), "InvalidParameter.UserMuted")
	_, err = im.BatchAddWhitelistParticipant(ctx, &rtc.IMBatchAddWhitelistParticipantRequest{AppID: app, ConversationShortID: conv,
		Operator: 1, ParticipantUserIDs: []int64{2}})
	require.NoError(t, err)
	require.NoError(t, send(), "the allow list overrides a mute")
	_, err = im.BatchRemoveWhitelistParticipant(ctx, &rtc.IMBatchRemoveWhitelistParticipantRequest{AppID: app, ConversationShortID: conv,
		Operator: 1, ParticipantUserIDs: []int64{2}})
	require.NoError(t, err)
	requireCode(t, send(), "InvalidParameter.UserMuted")
	_, err = im.BatchDeleteBlockParticipants(ctx, &rtc.IMBatchDeleteBlockParticipantsRequest{AppID: app, ConversationShortID: conv,
		ParticipantUserIDs: []int64{2}})
	require.NoError(t, err)
	require.NoError(t, send())
	require.Len(t, srv.IMMessages(app, conv), 3)
}
