// Command im shows a backend using the IM (instant messaging) server API:
// register two users, open a one-to-one conversation between them, send a
// message as one of them, and read the conversation back.
//
// With no credentials it runs against the in-process fake server
// (rtctest), which keeps IM state (users, conversations, messages) like
// the service:
//
//	go run ./examples/im
//
// With credentials (VOLCENGINE_ACCESS_KEY / VOLCENGINE_SECRET_KEY, or the
// other sources of rtc.DefaultCredentials) and RTC_IM_APP_ID (the numeric
// AppId of an app with IM enabled) set, it does the same on the real
// service, with users RTC_IM_USER_A and RTC_IM_USER_B (default 10001 and
// 10002).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/rtctest"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "im:", err)
		os.Exit(1)
	}
}

func run(out io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }

	b, appID, err := newClient(ctx, p)
	if err != nil {
		return err
	}
	defer b.Close()
	im := b.rtc().IM()
	alice, bob := envInt64("RTC_IM_USER_A", 10001), envInt64("RTC_IM_USER_B", 10002)

	// 1. Register both users. A batch call succeeds as a whole even when
	// some users fail: look at FailedInfos.
	reg, err := im.RegisterUsers(ctx, &rtc.IMRegisterUsersRequest{AppID: appID, Users: []rtc.IMNewUser{
		{UserID: alice, NickName: "Alice"}, {UserID: bob, NickName: "Bob"},
	}})
	if err != nil {
		return fmt.Errorf("register: %w", err)
	}
	if len(reg.FailedInfos) > 0 {
		f := reg.FailedInfos[0]
		return fmt.Errorf("register: %d users failed, user %d with %s %s", len(reg.FailedInfos), f.UserID, f.Code, f.Message)
	}
	p("Registered users %d and %d.", alice, bob)

	// 2. A one-to-one conversation. Asking again for the same two users
	// answers the same conversation with Exist true, so this is safe to
	// run twice.
	conv, err := im.CreateConversation(ctx, &rtc.IMCreateConversationRequest{
		AppID: appID, OwnerUserID: alice, OtherUserID: rtc.Ptr(bob),
		ConversationCoreInfo: &rtc.IMNewConversation{ConversationType: rtc.IMOneToOne},
	})
	if err != nil {
		return fmt.Errorf("create conversation: %w", err)
	}
	p("Conversation %d (existed already: %v).", conv.ConversationShortID, conv.Exist)

	// 3. Send a text message as Alice. The content is what IM clients
	// expect for a text message. Sends are never retried after an
	// ambiguous failure, so a message is not sent twice by the SDK.
	content, _ := json.Marshal(map[string]string{"text": "Hello, Bob!"})
	sent, err := im.SendMessage(ctx, &rtc.IMSendMessageRequest{
		AppID: appID, ConversationShortID: conv.ConversationShortID, Sender: alice,
		MsgType: rtc.IMMsgText, Content: string(content),
	})
	if err != nil {
		return fmt.Errorf("send: %w", err)
	}
	p("Sent message %d.", sent.MessageID)

	// 4. Read the conversation back, page by page.
	n := 0
	for m, err := range im.GetConversationMessagesAll(ctx, &rtc.IMGetConversationMessagesRequest{
		AppID: appID, ConversationShortID: conv.ConversationShortID, Limit: 20,
	}) {
		if err != nil {
			return fmt.Errorf("list messages: %w", err)
		}
		n++
		p("  #%d from %d: %s", m.IndexInConversation, m.Sender, m.Content)
	}
	if n == 0 {
		return errors.New("the conversation has no messages")
	}
	return nil
}

// backend is the client and, with the fake, the server behind it.
type backend struct {
	c   *rtc.Client
	srv *rtctest.Server
}

func (b backend) rtc() *rtc.Client { return b.c }

func (b backend) Close() {
	if b.srv != nil {
		b.srv.Close()
	}
}

func newClient(ctx context.Context, p func(string, ...any)) (backend, int32, error) {
	if id, err := strconv.ParseInt(os.Getenv("RTC_IM_APP_ID"), 10, 32); err == nil {
		if _, credErr := rtc.DefaultCredentials().Retrieve(ctx); credErr == nil {
			p("Using the real RTC OpenAPI with your credentials.")
			c, err := rtc.New(rtc.WithRegion(envOr("RTC_REGION", rtc.RegionCNNorth1)), rtc.WithUserAgent("rtc-im-example"))
			return backend{c: c}, int32(id), err
		}
	}
	p("No credentials and RTC_IM_APP_ID set: using the in-process fake server (rtctest).")
	srv := rtctest.NewServer()
	c, err := rtc.New(rtc.WithEndpoint(srv.URL),
		rtc.WithCredentials(rtc.Credentials{AccessKeyID: rtctest.DemoAccessKeyID, SecretAccessKey: rtctest.DemoSecretAccessKey}))
	if err != nil {
		srv.Close()
		return backend{}, 0, err
	}
	return backend{c: c, srv: srv}, 3000001, nil
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func envInt64(k string, def int64) int64 {
	if v, err := strconv.ParseInt(os.Getenv(k), 10, 64); err == nil {
		return v
	}
	return def
}
