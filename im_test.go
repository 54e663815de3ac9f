package rtc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/volcrtc/rtc/rtctest"
)

// TestIMRetrySafety: after an ambiguous failure (500 InternalError) a read
// is repeated and a send is not, so a message is never sent twice.
func TestIMRetrySafety(t *testing.T) {
	srv := NewFake(t)
	c := NewStubClient(t, srv.URL)
	RecordSleeps(c)
	im := c.IM()
	ctx := context.Background()
	const app = int32(11)
	_, err := im.RegisterUsers(ctx, &IMRegisterUsersRequest{AppID: app, Users: []IMNewUser{{UserID: 1}}})
	require.NoError(t, err)
	cr, err := im.CreateConversation(ctx, &IMCreateConversationRequest{AppID: app, OwnerUserID: 1,
		ConversationCoreInfo: &IMNewConversation{ConversationType: IMGroup}})
	require.NoError(t, err)

	// The send runs on the server, then the answer is lost as a 500.
	srv.InjectFault("SendMessage", rtctest.Fault{Status: http.StatusInternalServerError, Code: "InternalError", AfterAction: true})
	_, err = im.SendMessage(ctx, &IMSendMessageRequest{AppID: app, ConversationShortID: cr.ConversationShortID,
		Sender: 1, MsgType: IMMsgText, Content: "once"})
	require.ErrorIs(t, err, ErrServer)
	require.Len(t, srv.IMMessages(app, cr.ConversationShortID), 1, "the send ran once and was not repeated")

	// A read is repeated and succeeds.
	srv.InjectFault("GetConversationMessages", rtctest.Fault{Status: http.StatusInternalServerError, Code: "InternalError"})
	res, err := im.GetConversationMessages(ctx, &IMGetConversationMessagesRequest{AppID: app, ConversationShortID: cr.ConversationShortID, Limit: 10})
	require.NoError(t, err)
	require.Len(t, res.Messages, 1)

	var sends, reads int
	for _, r := range srv.Requests() {
		switch r.Action {
		case "SendMessage":
			sends++
		case "GetConversationMessages":
			reads++
		}
	}
	require.Equal(t, 1, sends)
	require.Equal(t, 2, reads)
}

// TestIMValidation: IM ids are integers, outside the string ID rule; the
// field facts still apply (batch sizes, page sizes, allowed values), all
// problems in one error, before anything is sent.
func TestIMValidation(t *testing.T) {
	srv := NewFake(t)
	c := NewStubClient(t, srv.URL)
	users := make([]IMNewUser, 21)
	for i := range users {
		users[i].UserID = int64(i + 1)
	}
	_, err := c.IM().RegisterUsers(context.Background(), &IMRegisterUsersRequest{AppID: 1, Users: users})
	var ve *ValidationError
	require.True(t, errors.As(err, &ve), "%v", err)
	require.Contains(t, err.Error(), "Users")

	_, err = c.IM().CreateConversation(context.Background(), &IMCreateConversationRequest{AppID: 1, OwnerUserID: 1,
		ConversationCoreInfo: &IMNewConversation{ConversationType: 3}})
	require.True(t, errors.As(err, &ve), "%v", err)
	require.Contains(t, err.Error(), "ConversationType")

	_, err = c.IM().GetBlackList(context.Background(), &IMGetBlackListRequest{AppID: 1, UserID: 5, Limit: 50})
	require.True(t, errors.As(err, &ve), "%v", err)
	require.Contains(t, err.Error(), "Limit")
	require.Empty(t, srv.Requests(), "nothing was sent")

	// A string twin of a user id is not an ID-rule field: any text passes.
	_, err = c.IM().GetAppToken(context.Background(), &IMGetAppTokenRequest{AppID: 1, UserID: 7, UserIDStr: "not an ID!", ExpireTime: 1 << 50})
	require.NoError(t, err)
}

// TestCursorIteratorRefusesARepeatedCursor: a service that says HasMore but
// answers the same cursor ends the walk with ErrPageNotAdvancing.
func TestCursorIteratorRefusesARepeatedCursor(t *testing.T) {
	s := NewStubServer(t, func(StubRequest) StubAnswer {
		return StubAnswer{Result: json.RawMessage(`{"FriendInfos":[{"FriendUserId":2}],"HasMore":true,"NextCursor":0,"TotalCount":9}`)}
	})
	c := NewStubClient(t, s.URL)
	n := 0
	var last error
	for _, err := range c.IM().ListFriendAll(context.Background(), &IMListFriendRequest{AppID: 1, UserID: 1}) {
		if err != nil {
			last = err
			break
		}
		n++
	}
	require.Equal(t, 1, n)
	require.ErrorIs(t, last, ErrPageNotAdvancing)
	require.Len(t, s.Requests(), 1)
}

// A service that says HasMore forever with empty pages and a new cursor
// each time, or that cycles between cursors, ends the walk at once with
// ErrPageNotAdvancing instead of looping (finding L9: 24,000 requests in
// 2 s before).
func TestCursorIteratorStopsOnEmptyPagesAndCycles(t *testing.T) {
	var calls int
	empty := NewStubServer(t, func(StubRequest) StubAnswer {
		calls++
		return StubAnswer{Result: json.RawMessage(fmt.Sprintf(`{"FriendInfos":[],"HasMore":true,"NextCursor":%d}`, calls+100))}
	})
	c := NewStubClient(t, empty.URL)
	var errs []error
	for _, err := range c.IM().ListFriendAll(context.Background(), &IMListFriendRequest{AppID: 1, UserID: 1}) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	require.ErrorIs(t, errs[0], ErrPageNotAdvancing)
	require.ErrorContains(t, errs[0], "empty page")
	require.Len(t, empty.Requests(), 1)

	// Cursors 0 -> 5 -> 9 -> 5: the third answer points back.
	next := map[string]string{"0": "5", "5": "9", "9": "5"}
	cycle := NewStubServer(t, func(r StubRequest) StubAnswer {
		var in struct{ Cursor int64 }
		_ = json.Unmarshal(r.Body, &in)
		return StubAnswer{Result: json.RawMessage(`{"FriendInfos":[{"FriendUserId":2}],"HasMore":true,"NextCursor":` + next[strconv.FormatInt(in.Cursor, 10)] + `}`)}
	})
	c = NewStubClient(t, cycle.URL)
	n := 0
	var last error
	for _, err := range c.IM().ListFriendAll(context.Background(), &IMListFriendRequest{AppID: 1, UserID: 1}) {
		if err != nil {
			last = err
			continue
		}
		n++
	}
	require.Equal(t, 3, n, "the three pages' items are yielded")
	require.ErrorIs(t, last, ErrPageNotAdvancing)
	require.ErrorContains(t, last, "cursor 5, which the walk has asked for already")
	require.Len(t, cycle.Requests(), 3)
}

// TestNoInputActions: an action without input takes a nil request; its bare
// result lands in the named field.
func TestNoInputActions(t *testing.T) {
	s := NewStubServer(t, func(r StubRequest) StubAnswer {
		switch r.Query.Get("Action") {
		case "GetResourcePackNum":
			return StubAnswer{Result: json.RawMessage(`4`)}
		default:
			return StubAnswer{Result: json.RawMessage(`[{"ConfigurationCode":"c1","PackageType":1,"Price":100,"ZhName":"n"}]`)}
		}
	})
	c := NewStubClient(t, s.URL)
	n, err := c.GetResourcePackNum(context.Background(), nil)
	require.NoError(t, err)
	require.Equal(t, int32(4), n.Count)
	require.Equal(t, "GetResourcePackNum", n.Metadata.Action)
	l, err := c.ListResourcePackages(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, l.Packages, 1)
	require.Equal(t, "c1", l.Packages[0].ConfigurationCode)
	for _, r := range s.Requests() {
		require.JSONEq(t, `{}`, string(r.Body))
	}
}

func TestIMNilRequestNamesTheType(t *testing.T) {
	c := NewStubClient(t, "http://127.0.0.1:1")
	_, err := c.IM().SendMessage(context.Background(), nil)
	require.ErrorContains(t, err, "pass &rtc.IMSendMessageRequest{...}")
}
