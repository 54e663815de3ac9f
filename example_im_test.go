package rtc_test

import (
	"context"
	"fmt"

	"github.com/volcrtc/rtc"
)

// The IM server API hangs off client.IM(): register users, open a
// conversation, send a message and read the conversation back.
func ExampleIMClient_SendMessage() {
	client, srv := exampleClient()
	defer srv.Close()
	ctx := context.Background()
	im := client.IM()
	const app = int32(3000001) // IM app ids are numbers

	if _, err := im.RegisterUsers(ctx, &rtc.IMRegisterUsersRequest{AppID: app,
		Users: []rtc.IMNewUser{{UserID: 1, NickName: "Ann"}, {UserID: 2, NickName: "Bo"}}}); err != nil {
		fmt.Println(err)
		return
	}
	conv, err := im.CreateConversation(ctx, &rtc.IMCreateConversationRequest{AppID: app, OwnerUserID: 1,
		OtherUserID: rtc.Ptr[int64](2), ConversationCoreInfo: &rtc.IMNewConversation{ConversationType: rtc.IMOneToOne}})
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := im.SendMessage(ctx, &rtc.IMSendMessageRequest{AppID: app, ConversationShortID: conv.ConversationShortID,
		Sender: 1, MsgType: rtc.IMMsgText, Content: `{"text":"hi"}`}); err != nil {
		fmt.Println(err)
		return
	}
	for m, err := range im.GetConversationMessagesAll(ctx, &rtc.IMGetConversationMessagesRequest{
		AppID: app, ConversationShortID: conv.ConversationShortID, Limit: 20}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(m.Sender, m.Content)
	}

	// A sender who is not registered, or does not take part, is refused.
	_, err = im.SendMessage(ctx, &rtc.IMSendMessageRequest{AppID: app, ConversationShortID: conv.ConversationShortID,
		Sender: 3, MsgType: rtc.IMMsgText, Content: `{"text":"?"}`})
	fmt.Println(err != nil)
	// Output:
	// 1 {"text":"hi"}
	// true
}
