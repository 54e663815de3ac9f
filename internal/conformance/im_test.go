package conformance_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/volcengine/volc-sdk-golang/service/im"
	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/rtctest"
)

// TestVendorIMClientAgainstFake runs the vendor's own IM client (service/im)
// against rtctest: register users, create a group, add a participant, send
// messages and fetch them, each step checked in the fake's state; then the
// same client with a wrong secret is refused with SignatureDoesNotMatch.
func TestVendorIMClientAgainstFake(t *testing.T) {
	srv := rtctest.NewServer(rtctest.WithCredentials(fakeAK, fakeSK))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	const app = int32(3000001)

	c := im.NewInstance()
	pointVendor(t, c.Client, srv.URL, fakeAK, fakeSK)

	_, err := c.RegisterUsers(ctx, &im.RegisterUsersBody{AppID: app, Users: []im.RegisterUsersBodyUsersItem{
		{UserID: 11, NickName: rtc.Ptr("ann"), Ext: map[string]string{"team": "a"}}, {UserID: 12}, {UserID: 13},
	}})
	require.NoError(t, err)
	for _, u := range []int64{11, 12, 13} {
		require.True(t, srv.IMRegistered(app, u), "user %d", u)
	}

	cr, err := c.CreateConversation(ctx, &im.CreateConversationBody{AppID: app, OwnerUserID: 11,
		ConversationCoreInfo: im.CreateConversationBodyConversationCoreInfo{ConversationType: rtctest.IMGroup, Name: rtc.Ptr("vendor group")}})
	require.NoError(t, err)
	require.NotNil(t, cr.Result)
	conv := cr.Result.ConversationShortID
	require.NotZero(t, conv)
	require.False(t, cr.Result.Exist)
	require.Equal(t, "vendor group", *cr.Result.ConversationInfo.Name)

	add, err := c.BatchAddConversationParticipant(ctx, &im.BatchAddConversationParticipantBody{AppID: app, ConversationShortID: conv,
		Operator: 11, ParticipantInfos: []im.BatchAddConversationParticipantBodyParticipantInfosItem{{ParticipantUserID: 12}}})
	require.NoError(t, err)
	require.Empty(t, add.Result.FailedUserIDs)
	info, ok := srv.IMConversation(app, conv)
	require.True(t, ok)
	require.Equal(t, []int64{11, 12}, info.Participants)

	var ids []int64
	for _, text := range []string{`{"text":"one"}`, `{"text":"two"}`} {
		sent, err := c.SendMessage(ctx, &im.SendMessageBody{AppID: app, ConversationShortID: conv, Sender: 12, MsgType: 10001, Content: text,
			Ext: map[string]string{"k": "v"}})
		require.NoError(t, err)
		require.NotNil(t, sent.Result)
		ids = append(ids, sent.Result.MessageID)
	}
	require.Len(t, srv.IMMessages(app, conv), 2)

	// A user outside the conversation is refused; the vendor client sees
	// the error in the envelope.
	refused, err := c.SendMessage(ctx, &im.SendMessageBody{AppID: app, ConversationShortID: conv, Sender: 13, MsgType: 10001, Content: "x"})
	if err == nil {
		require.NotNil(t, refused.ResponseMetadata.Error)
		require.Equal(t, "InvalidParameter.NotParticipant", refused.ResponseMetadata.Error.Code)
	} else {
		require.Contains(t, err.Error(), "NotParticipant")
	}
	require.Len(t, srv.IMMessages(app, conv), 2, "nothing was stored")

	list, err := c.GetConversationMessages(ctx, &im.GetConversationMessagesBody{AppID: app, ConversationShortID: conv, Cursor: 0, Limit: 20})
	require.NoError(t, err)
	require.NotNil(t, list.Result)
	require.Len(t, list.Result.Messages, 2)
	require.Equal(t, ids[0], list.Result.Messages[0].MessageID)
	require.Equal(t, `{"text":"one"}`, list.Result.Messages[0].Content)
	require.Equal(t, int64(12), list.Result.Messages[1].Sender)
	require.Equal(t, map[string]string{"k": "v"}, list.Result.Messages[1].Ext)
	require.False(t, list.Result.HasMore)

	got, err := c.GetMessages(ctx, &im.GetMessagesBody{AppID: app, ConversationShortID: conv, MessageIDs: []int64{ids[1]}})
	require.NoError(t, err)
	require.Len(t, got.Result.Messages, 1)
	require.Equal(t, `{"text":"two"}`, got.Result.Messages[0].Content)

	// The vendor's client leaves the string twin ParticipantUserIdStr out
	// (its model marks it required but sends it with omitempty); the fake
	// takes the call, as the service does.
	convs, err := c.GetUserConversations(ctx, &im.GetUserConversationsBody{AppID: app, ParticipantUserID: 12, Cursor: 0, Limit: 10})
	require.NoError(t, err)
	require.NotNil(t, convs.Result)
	require.Len(t, convs.Result.ConversationInfos, 1)
	require.Equal(t, conv, convs.Result.ConversationInfos[0].ConversationShortID)

	// The same client with a wrong secret is refused.
	bad := im.NewInstance()
	pointVendor(t, bad.Client, srv.URL, fakeAK, "d3JvbmdTZWNyZXQ=")
	_, err = bad.RegisterUsers(ctx, &im.RegisterUsersBody{AppID: app, Users: []im.RegisterUsersBodyUsersItem{{UserID: 99}}})
	require.Error(t, err)
	require.Contains(t, err.Error(), "SignatureDoesNotMatch")
	reqs := srv.Requests()
	last := reqs[len(reqs)-1]
	require.Equal(t, "RegisterUsers", last.Action)
	require.Equal(t, "SignatureDoesNotMatch", last.ErrorCode)
	require.False(t, srv.IMRegistered(app, 99))
}

// TestOurIMClientAgreesWithVendor sends the same SendMessage through our
// client and the vendor's, against rtctest, and compares the bodies the
// fake received.
func TestOurIMClientAgreesWithVendor(t *testing.T) {
	srv := rtctest.NewServer(rtctest.WithCredentials(fakeAK, fakeSK))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	const app = int32(3000002)
	ours, err := rtc.New(rtc.WithEndpoint(srv.URL), rtc.WithCredentials(rtc.Credentials{AccessKeyID: fakeAK, SecretAccessKey: fakeSK}))
	require.NoError(t, err)
	_, err = ours.IM().RegisterUsers(ctx, &rtc.IMRegisterUsersRequest{AppID: app, Users: []rtc.IMNewUser{{UserID: 1}, {UserID: 2}}})
	require.NoError(t, err)
	cr, err := ours.IM().CreateConversation(ctx, &rtc.IMCreateConversationRequest{AppID: app, OwnerUserID: 1, OtherUserID: rtc.Ptr[int64](2),
		ConversationCoreInfo: &rtc.IMNewConversation{ConversationType: rtctest.IMOneToOne}})
	require.NoError(t, err)

	v := im.NewInstance()
	pointVendor(t, v.Client, srv.URL, fakeAK, fakeSK)
	_, err = v.SendMessage(ctx, &im.SendMessageBody{AppID: app, ConversationShortID: cr.ConversationShortID, Sender: 1, MsgType: 10001,
		Content: "same", Priority: rtc.Ptr[int32](1)})
	require.NoError(t, err)
	_, err = ours.IM().SendMessage(ctx, &rtc.IMSendMessageRequest{AppID: app, ConversationShortID: cr.ConversationShortID, Sender: 1,
		MsgType: 10001, Content: "same", Priority: rtc.Ptr(rtc.IMPriorityNormal)})
	require.NoError(t, err)
	reqs := srv.Requests()
	require.GreaterOrEqual(t, len(reqs), 2)
	vendorIn, ourIn := reqs[len(reqs)-2].Input, reqs[len(reqs)-1].Input
	require.Equal(t, vendorIn, ourIn, "both clients send the same parameters")
	require.Len(t, srv.IMMessages(app, cr.ConversationShortID), 2)
}
