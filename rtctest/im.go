package rtctest

import (
	"encoding/json"
	"slices"
	"time"
)

// The IM server API keeps its own state per AppId (a number on this API):
// registered users, conversations with their participants, managers, allow
// list, mutes and blocks, messages with their read positions, friends and
// black lists. The fake refuses what the service refuses: a conversation
// it does not know (InvalidParameter.ConversationNotExist), a user who is
// not registered (InvalidParameter.UserNotRegistered), a sender who does
// not take part in the conversation or is muted in it
// (InvalidParameter.NotParticipant, InvalidParameter.UserMuted), a message
// it does not know (InvalidParameter.MessageNotExist) and an operator
// without the role an action needs (InvalidParameter.NoPermission). Batch
// actions answer per item, as the service does: the call succeeds and the
// items that failed are listed in the result. The error codes are this
// package's choice in the service's InvalidParameter class; the vendor
// does not publish the IM ones.

// Conversation types, as the IM API numbers them.
const (
	IMOneToOne  = 1   // a conversation between two users
	IMGroup     = 2   // a group chat
	IMLiveGroup = 100 // a live group: large, members come and go
)

// IM participant roles.
const (
	imRoleMember  = 0
	imRoleOwner   = 1
	imRoleManager = 2
)

// imMsgRecalled is the Status of a recalled message (0 is visible).
const imMsgRecalled = 3

// MaxIMContent is the largest message Content the fake accepts, in bytes.
// The vendor does not publish the limit; 64 KiB matches MaxMessageSize.
const MaxIMContent = 64 << 10

type imApp struct {
	users     map[int64]*imUser
	online    map[int64]bool
	convs     map[int64]*imConv
	nextConv  int64
	nextMsg   int64
	idem      map[string]int64 // CreateConversation IdempotentId -> conversation
	friends   map[int64]map[int64]*imFriend
	blacklist map[int64]map[int64]*imBlack
	broadcast []IMMessage
}

type imUser struct {
	id                int64
	nick, portrait    string
	ext               json.RawMessage
	tags              []string
	robot             bool
	created, modified time.Time
}

type imConv struct {
	shortID           int64
	id                string
	typ               int32
	inbox             int32
	owner, creator    int64
	other             int64 // one-to-one: the second user
	name, avatar      string
	desc, notice      string
	ext               json.RawMessage
	created, modified time.Time
	parts             map[int64]*imPart
	order             []int64 // participants in joining order
	whitelist         map[int64]time.Time
	blocks            map[int64]imBlock
	marks             []string
	msgs              []*imMsg
	settings          map[int64]map[string]any
	destroyed         bool
}

type imPart struct {
	user      int64
	role      int64
	nick      string
	level     int32
	ext       json.RawMessage
	operator  int64
	joined    time.Time
	readIndex int64
	marks     []string
}

type imBlock struct {
	action int32 // 0 mute, 1 block
	until  time.Time
	since  time.Time
}

type imMsg struct {
	id        int64
	index     int64
	sender    int64
	content   string
	msgType   int32
	ext       json.RawMessage
	created   time.Time
	recalled  bool
	deleted   bool           // deleted for everyone
	hiddenFor map[int64]bool // deleted for these participants only
	ref       *imMsgRef      // the message this one quotes
	visible   map[int64]bool // only these may see it, when set
	invisible map[int64]bool // these may not see it
	mentioned []int64
}

type imMsgRef struct {
	hint string
	id   int64
}

type imFriend struct {
	alias             string
	ext               json.RawMessage
	created, modified time.Time
}

type imBlack struct {
	ext               json.RawMessage
	created, modified time.Time
}

// IMMessage is one message the IM state holds, as returned by
// Server.IMMessages and Server.IMBroadcasts.
type IMMessage struct {
	AppID               int32
	ConversationShortID int64 // 0 for a UserBroadcast
	MessageID           int64
	Index               int64 // position in the conversation, from 1
	Sender              int64
	Content             string
	MsgType             int32
	Recalled, Deleted   bool
	Time                time.Time
}

// IMConversation describes a conversation of the IM state, for tests.
type IMConversation struct {
	ShortID      int64
	ID           string
	Type         int32
	Owner        int64
	Name         string
	Participants []int64 // in joining order
	Managers     []int64
	Messages     int
}

func (st *state) imApp(appID int64) *imApp {
	if st.im == nil {
		st.im = make(map[int64]*imApp)
	}
	a := st.im[appID]
	if a == nil {
		a = &imApp{
			users: make(map[int64]*imUser), online: make(map[int64]bool),
			convs: make(map[int64]*imConv), nextConv: 7000000000000000000, nextMsg: 7100000000000000000,
			idem: make(map[string]int64), friends: make(map[int64]map[int64]*imFriend),
			blacklist: make(map[int64]map[int64]*imBlack),
		}
		st.im[appID] = a
	}
	return a
}

// IMRegistered reports whether a user is registered with the IM service.
func (s *Server) IMRegistered(appID int32, userID int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.imApp(int64(appID)).users[userID] != nil
}

// IMConversation returns what the server knows of a conversation.
func (s *Server) IMConversation(appID int32, shortID int64) (IMConversation, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cv := s.st.imApp(int64(appID)).convs[shortID]
	if cv == nil || cv.destroyed {
		return IMConversation{}, false
	}
	out := IMConversation{ShortID: cv.shortID, ID: cv.id, Type: cv.typ, Owner: cv.owner, Name: cv.name,
		Participants: slices.Clone(cv.order), Messages: len(cv.msgs)}
	for _, u := range cv.order {
		if cv.parts[u].role == imRoleManager {
			out.Managers = append(out.Managers, u)
		}
	}
	return out, true
}

// IMMessages returns the messages of a conversation, oldest first,
// recalled and deleted ones included (marked).
func (s *Server) IMMessages(appID int32, shortID int64) []IMMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	cv := s.st.imApp(int64(appID)).convs[shortID]
	if cv == nil {
		return nil
	}
	out := make([]IMMessage, 0, len(cv.msgs))
	for _, m := range cv.msgs {
		out = append(out, IMMessage{AppID: appID, ConversationShortID: shortID, MessageID: m.id, Index: m.index,
			Sender: m.sender, Content: m.content, MsgType: m.msgType, Recalled: m.recalled, Deleted: m.deleted, Time: m.created})
	}
	return out
}

// IMBroadcasts returns the messages sent with UserBroadcast, oldest first.
func (s *Server) IMBroadcasts(appID int32) []IMMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.st.imApp(int64(appID)).broadcast)
}

// SetIMOnline marks a registered user online or offline, as an IM client
// logging in or out would; QueryOnlineStatus reports it.
func (s *Server) SetIMOnline(appID int32, userID int64, online bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.imApp(int64(appID)).online[userID] = online
}

// imHandlers are the IM actions with behaviour of their own.
var imHandlers = map[string]func(c *call, a *imApp) (any, *apiError){
	"RegisterUsers":       imRegisterUsers,
	"UnRegisterUsers":     imUnRegisterUsers,
	"BatchUpdateUser":     imBatchUpdateUser,
	"BatchGetUser":        imBatchGetUser,
	"BatchUpdateUserTags": imBatchUpdateUserTags,
	"QueryOnlineStatus":   imQueryOnlineStatus,
	"GetAppToken":         imGetAppToken,
	"UserBroadcast":       imUserBroadcast,

	"CreateConversation":        imCreateConversation,
	"DestroyConversation":       imDestroyConversation,
	"ModifyConversation":        imModifyConversation,
	"BatchGetConversations":     imBatchGetConversations,
	"GetUserConversations":      imGetUserConversations,
	"GetConversationUserCount":  imGetConversationUserCount,
	"IsUserInConversation":      imIsUserInConversation,
	"MarkConversation":          imMarkConversation,
	"GetConversationMarks":      imGetConversationMarks,
	"GetConversationSetting":    imGetConversationSetting,
	"ModifyConversationSetting": imModifyConversationSetting,

	"BatchAddConversationParticipant":    imBatchAddParticipants,
	"BatchDeleteConversationParticipant": imBatchDeleteParticipants,
	"BatchModifyConversationParticipant": imBatchModifyParticipants,
	"BatchGetConversationParticipant":    imBatchGetParticipants,
	"ScanConversationParticipantList":    imScanParticipants,
	"BatchAddManager":                    imBatchAddManager,
	"BatchRemoveManager":                 imBatchRemoveManager,
	"BatchAddWhitelistParticipant":       imBatchAddWhitelist,
	"BatchRemoveWhitelistParticipant":    imBatchRemoveWhitelist,
	"BatchGetWhitelistParticipant":       imBatchGetWhitelist,
	"BatchAddBlockParticipants":          imBatchAddBlock,
	"BatchDeleteBlockParticipants":       imBatchDeleteBlock,
	"BatchGetBlockParticipants":          imBatchGetBlock,
	"BatchUpdateLiveParticipants":        imBatchUpdateLiveParticipants,
	"QueryLiveParticipantStatus":         imQueryLiveParticipantStatus,

	"SendMessage":                imSendMessage,
	"BatchSendMessage":           imBatchSendMessage,
	"GetConversationMessages":    imGetConversationMessages,
	"GetMessages":                imGetMessages,
	"ModifyMessage":              imModifyMessage,
	"RecallMessage":              imRecallMessage,
	"DeleteMessage":              imDeleteMessage,
	"DeleteConversationMessage":  imDeleteConversationMessage,
	"GetMessagesReadReceipt":     imGetMessagesReadReceipt,
	"GetParticipantReadIndex":    imGetParticipantReadIndex,
	"ModifyParticipantReadIndex": imModifyParticipantReadIndex,

	"AddFriend":       imAddFriend,
	"DeleteFriend":    imDeleteFriend,
	"UpdateFriend":    imUpdateFriend,
	"ListFriend":      imListFriend,
	"IsFriend":        imIsFriend,
	"AddBlackList":    imAddBlackList,
	"RemoveBlackList": imRemoveBlackList,
	"UpdateBlackList": imUpdateBlackList,
	"GetBlackList":    imGetBlackList,
	"IsInBlackList":   imIsInBlackList,
}

// imHandler runs an IM handler under the server lock with the app's state.
func imHandler(h func(c *call, a *imApp) (any, *apiError)) handlerFunc {
	return func(c *call) (any, *apiError) {
		id, _ := c.num("AppId")
		s := c.srv
		s.mu.Lock()
		defer s.mu.Unlock()
		return h(c, s.st.imApp(id))
	}
}

// Errors.

func imNotRegistered(path string, u int64) *apiError {
	return invalid("InvalidParameter.UserNotRegistered", "%s: user %d is not registered; call RegisterUsers first", path, u)
}

func imNoConversation(id int64) *apiError {
	return invalid("InvalidParameter.ConversationNotExist", "ConversationShortId: conversation %d does not exist", id)
}

func imNotParticipant(path string, u, conv int64) *apiError {
	return invalid("InvalidParameter.NotParticipant", "%s: user %d does not take part in conversation %d", path, u, conv)
}

func imNoPermission(format string, args ...any) *apiError {
	return invalid("InvalidParameter.NoPermission", format, args...)
}

func imNoMessage(id, conv int64) *apiError {
	return invalid("InvalidParameter.MessageNotExist", "MessageId: message %d is not in conversation %d", id, conv)
}

// failed is one entry of a FailedInfos list.
func failed(u int64, code, msg string) map[string]any {
	return map[string]any{"UserId": u, "Code": code, "Message": msg}
}

// Input helpers.

func (c *call) i64(name string) int64 {
	n, _ := c.num(name)
	return n
}

func (c *call) i32(name string) int32 { return int32(c.i64(name)) }

// ids reads a list of integer ids.
func ids(v any) []int64 {
	l, _ := v.([]any)
	out := make([]int64, 0, len(l))
	for _, e := range l {
		if n, ok := toInt(e); ok {
			out = append(out, n)
		}
	}
	return out
}

func objects(v any) []map[string]any {
	l, _ := v.([]any)
	out := make([]map[string]any, 0, len(l))
	for _, e := range l {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func rawJSON(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}

func strs(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, e := range l {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func mapInt(m map[string]any, k string) int64 {
	n, _ := toInt(m[k])
	return n
}

func mapStr(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func extOrEmpty(r json.RawMessage) any {
	if len(r) == 0 {
		return map[string]any{}
	}
	return r
}

// conv finds a live conversation.
// message finds the conversation (ConversationShortId) and the message in
// it (MessageId) a message action names; a deleted message is not found.
func (a *imApp) message(c *call) (*imConv, *imMsg, *apiError) {
	cv, e := a.conv(c.i64("ConversationShortId"))
	if e != nil {
		return nil, nil, e
	}
	m := cv.find(c.i64("MessageId"))
	if m == nil || m.deleted {
		return nil, nil, imNoMessage(c.i64("MessageId"), cv.shortID)
	}
	return cv, m, nil
}

func (a *imApp) conv(id int64) (*imConv, *apiError) {
	cv := a.convs[id]
	if cv == nil || cv.destroyed {
		return nil, imNoConversation(id)
	}
	return cv, nil
}

// cursorPage cuts a page out of n items from cursor with limit (at most
// 20, the service's page size limit; 20 when unset).
func cursorPage(c *call, n int) (lo, hi int, next int64, more bool) {
	cur, _ := c.num("Cursor")
	lim, ok := c.num("Limit")
	if !ok || lim <= 0 || lim > 20 {
		lim = 20
	}
	lo = int(min(max(cur, 0), int64(n)))
	hi = min(lo+int(lim), n)
	return lo, hi, int64(hi), hi < n
}
