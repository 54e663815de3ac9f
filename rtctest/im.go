package rtctest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
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

func init() {
	for name, h := range imHandlers {
		handlers[name] = imHandler(h)
	}
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

// Users.

func imRegisterUsers(c *call, a *imApp) (any, *apiError) {
	fails := []any{}
	for _, u := range objects(c.in["Users"]) {
		id := mapInt(u, "UserId")
		if id <= 0 {
			fails = append(fails, failed(id, "InvalidParameter", "UserId must be a positive number"))
			continue
		}
		old := a.users[id]
		nu := &imUser{id: id, nick: mapStr(u, "NickName"), portrait: mapStr(u, "Portrait"), ext: rawJSON(u["Ext"]),
			tags: strs(u["Tags"]), created: c.now, modified: c.now}
		nu.robot, _ = u["IsRobot"].(bool)
		if old != nil { // registering again updates the profile
			nu.created = old.created
		}
		a.users[id] = nu
	}
	return map[string]any{"FailedInfos": fails}, nil
}

func imUnRegisterUsers(c *call, a *imApp) (any, *apiError) {
	fails := []any{}
	for _, id := range ids(c.in["UserIds"]) {
		if a.users[id] == nil {
			fails = append(fails, failed(id, "UserNotRegistered", "the user is not registered"))
			continue
		}
		delete(a.users, id)
		delete(a.online, id)
	}
	return map[string]any{"FailedInfos": fails}, nil
}

func imBatchUpdateUser(c *call, a *imApp) (any, *apiError) {
	fails := []any{}
	for _, u := range objects(c.in["Users"]) {
		id := mapInt(u, "UserId")
		usr := a.users[id]
		if usr == nil {
			fails = append(fails, failed(id, "UserNotRegistered", "the user is not registered"))
			continue
		}
		if v, ok := u["NickName"].(string); ok {
			usr.nick = v
		}
		if v, ok := u["Portrait"].(string); ok {
			usr.portrait = v
		}
		if v, ok := u["Ext"]; ok {
			usr.ext = rawJSON(v)
		}
		usr.modified = c.now
	}
	return map[string]any{"FailedInfos": fails}, nil
}

func imBatchGetUser(c *call, a *imApp) (any, *apiError) {
	users, missing := []any{}, []any{}
	app := c.i32("AppId")
	for _, id := range ids(c.in["UserIds"]) {
		u := a.users[id]
		if u == nil {
			missing = append(missing, id)
			continue
		}
		tags := u.tags
		if tags == nil {
			tags = []string{}
		}
		users = append(users, map[string]any{"AppId": app, "UserId": u.id, "NickName": u.nick, "Portrait": u.portrait,
			"Ext": extOrEmpty(u.ext), "Tags": tags, "IsRobot": u.robot, "CreateTime": ms(u.created), "ModifyTime": ms(u.modified)})
	}
	return map[string]any{"Users": users, "NotFoundUsers": missing}, nil
}

// BatchUpdateUserTags: Op 0 adds the tags (a tag "key:value" replaces
// the tag with the same key), Op 1 deletes them.
func imBatchUpdateUserTags(c *call, a *imApp) (any, *apiError) {
	op := c.i64("Op")
	if op != 0 && op != 1 {
		return nil, invalid("InvalidParameter", "Op must be 0 (add or overwrite) or 1 (delete), not %d", op)
	}
	tags := strs(c.in["Tags"])
	key := func(t string) string { k, _, _ := strings.Cut(t, ":"); return k }
	fails := []any{}
	for _, id := range ids(c.in["UserIds"]) {
		u := a.users[id]
		if u == nil {
			fails = append(fails, failed(id, "UserNotRegistered", "the user is not registered"))
			continue
		}
		for _, t := range tags {
			u.tags = slices.DeleteFunc(u.tags, func(o string) bool { return key(o) == key(t) })
			if op == 0 {
				u.tags = append(u.tags, t)
			}
		}
		u.modified = c.now
	}
	return map[string]any{"FailedInfos": fails}, nil
}

func imQueryOnlineStatus(c *call, a *imApp) (any, *apiError) {
	res := []any{}
	for _, id := range ids(c.in["UserIds"]) {
		res = append(res, map[string]any{"UserId": id, "IsOnline": a.online[id] && a.users[id] != nil})
	}
	return map[string]any{"AppId": c.i32("AppId"), "QueryOnlineResults": res}, nil
}

// GetAppToken answers a token made of the user, the expiry and an HMAC,
// so that tests can tell tokens apart; it is not a real IM token.
func imGetAppToken(c *call, a *imApp) (any, *apiError) {
	u := c.i64("UserId")
	exp := c.i64("ExpireTime")
	if exp <= ms(c.now) {
		return nil, invalid("InvalidParameter", "ExpireTime must be a future time in unix milliseconds")
	}
	mac := hmac.New(sha256.New, []byte("rtctest-im"))
	fmt.Fprintf(mac, "%d/%d/%d", c.i64("AppId"), u, exp)
	tok := "rtctest-im." + strconv.FormatInt(u, 10) + "." + strconv.FormatInt(exp, 10) + "." +
		base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:12])
	return map[string]any{"AppId": c.i32("AppId"), "UserId": u, "UserIdStr": c.str("UserIdStr"), "Token": tok}, nil
}

func imUserBroadcast(c *call, a *imApp) (any, *apiError) {
	sender := c.i64("Sender")
	if a.users[sender] == nil {
		return nil, imNotRegistered("Sender", sender)
	}
	if ttl := c.i64("MsgTTL"); ttl < 1 || ttl > 604800 {
		return nil, invalid("InvalidParameter", "MsgTTL must be from 1 to 604800 seconds, not %d", ttl)
	}
	content := c.str("Content")
	if len(content) > MaxIMContent {
		return nil, invalid("InvalidParameter.SizeOverLimit", "Content is larger than %d bytes", MaxIMContent)
	}
	a.nextMsg++
	a.broadcast = append(a.broadcast, IMMessage{AppID: c.i32("AppId"), MessageID: a.nextMsg, Sender: sender,
		Content: content, MsgType: c.i32("MsgType"), Time: c.now})
	return "success", nil
}

// Conversations.

func (a *imApp) newConv(c *call, typ int32, owner int64) *imConv {
	a.nextConv++
	cv := &imConv{shortID: a.nextConv, id: "conv_" + strconv.FormatInt(a.nextConv, 36), typ: typ, owner: owner, creator: owner,
		inbox: c.i32("InboxType"), created: c.now, modified: c.now, parts: map[int64]*imPart{},
		whitelist: map[int64]time.Time{}, blocks: map[int64]imBlock{}, settings: map[int64]map[string]any{}}
	a.convs[cv.shortID] = cv
	return cv
}

func (cv *imConv) join(u, role, operator int64, now time.Time) *imPart {
	if p := cv.parts[u]; p != nil {
		return p
	}
	p := &imPart{user: u, role: role, operator: operator, joined: now}
	cv.parts[u] = p
	cv.order = append(cv.order, u)
	return p
}

func (cv *imConv) leave(u int64) {
	delete(cv.parts, u)
	cv.order = slices.DeleteFunc(cv.order, func(x int64) bool { return x == u })
}

func (cv *imConv) info(app int32, skipCount bool) map[string]any {
	m := map[string]any{
		"AppId": app, "ConversationShortId": cv.shortID, "ConversationId": cv.id, "ConversationType": cv.typ,
		"InboxType": cv.inbox, "AvatarUrl": cv.avatar, "CreateTime": ms(cv.created), "CreatorUserId": cv.creator,
		"Description": cv.desc, "Ext": extOrEmpty(cv.ext), "ModifyTime": ms(cv.modified), "Name": cv.name,
		"Notice": cv.notice, "OwnerUserId": cv.owner, "Status": 0, "OnlineCount": 0,
	}
	if !skipCount {
		m["MemberCount"] = len(cv.parts)
	}
	if cv.typ == IMOneToOne {
		m["OtherUserId"] = cv.other
	}
	return m
}

// CreateConversation: the owner (and for a one-to-one conversation the
// other user) must be registered. A repeat with the same IdempotentId, or a
// one-to-one conversation between the same two users, answers with the
// existing conversation and Exist true.
func imCreateConversation(c *call, a *imApp) (any, *apiError) {
	core, _ := c.in["ConversationCoreInfo"].(map[string]any)
	typ := int32(mapInt(core, "ConversationType"))
	owner := c.i64("OwnerUserId")
	app := c.i32("AppId")
	answer := func(cv *imConv, exist bool) map[string]any {
		return map[string]any{"ConversationShortId": cv.shortID, "ConversationId": cv.id, "Exist": exist, "ConversationInfo": cv.info(app, false)}
	}
	if k := c.str("IdempotentId"); k != "" {
		if id, ok := a.idem[k]; ok && a.convs[id] != nil && !a.convs[id].destroyed {
			return answer(a.convs[id], true), nil
		}
	}
	switch typ {
	case IMOneToOne, IMGroup, IMLiveGroup:
	default:
		return nil, invalid("InvalidParameter", "ConversationCoreInfo.ConversationType must be 1 (one-to-one), 2 (group) or 100 (live group), not %d", typ)
	}
	if a.users[owner] == nil {
		return nil, imNotRegistered("OwnerUserId", owner)
	}
	other := c.i64("OtherUserId")
	if typ == IMOneToOne {
		if other == 0 {
			return nil, invalid("InvalidParameter", "OtherUserId is required for a one-to-one conversation")
		}
		if a.users[other] == nil {
			return nil, imNotRegistered("OtherUserId", other)
		}
		for _, cv := range a.convs {
			if !cv.destroyed && cv.typ == IMOneToOne && (cv.owner == owner && cv.other == other || cv.owner == other && cv.other == owner) {
				return answer(cv, true), nil
			}
		}
	}
	cv := a.newConv(c, typ, owner)
	cv.other = other
	cv.name, cv.avatar = mapStr(core, "Name"), mapStr(core, "AvatarUrl")
	cv.desc, cv.notice = mapStr(core, "Description"), mapStr(core, "Notice")
	cv.ext = rawJSON(core["Ext"])
	cv.join(owner, imRoleOwner, owner, c.now)
	if typ == IMOneToOne {
		cv.join(other, imRoleMember, owner, c.now)
	}
	if k := c.str("IdempotentId"); k != "" {
		a.idem[k] = cv.shortID
	}
	return answer(cv, false), nil
}

func imDestroyConversation(c *call, a *imApp) (any, *apiError) {
	cv, e := a.conv(c.i64("ConversationShortId"))
	if e != nil {
		return nil, e
	}
	if u := c.i64("OwnerUserId"); u != cv.owner {
		return nil, imNoPermission("OwnerUserId: user %d does not own conversation %d", u, cv.shortID)
	}
	cv.destroyed = true
	return "success", nil
}

func imModifyConversation(c *call, a *imApp) (any, *apiError) {
	core, _ := c.in["ConversationCoreInfo"].(map[string]any)
	cv, e := a.conv(mapInt(core, "ConversationShortId"))
	if e != nil {
		return nil, e
	}
	for k, p := range map[string]*string{"Name": &cv.name, "AvatarUrl": &cv.avatar, "Description": &cv.desc, "Notice": &cv.notice} {
		if v, ok := core[k].(string); ok {
			*p = v
		}
	}
	if v, ok := core["Ext"]; ok {
		cv.ext = rawJSON(v)
	}
	cv.modified = c.now
	return "success", nil
}

func imBatchGetConversations(c *call, a *imApp) (any, *apiError) {
	skip, given := c.boolean("SkipMemberCount")
	if !given {
		skip = true // the vendor's default for this action (im model comment)
	}
	out := []any{}
	for _, id := range ids(c.in["ConversationShortId"]) {
		if cv := a.convs[id]; cv != nil && !cv.destroyed {
			out = append(out, cv.info(c.i32("AppId"), skip))
		}
	}
	return map[string]any{"ConversationCoreInfos": out}, nil
}

func imGetUserConversations(c *call, a *imApp) (any, *apiError) {
	u := c.i64("ParticipantUserId")
	if a.users[u] == nil {
		return nil, imNotRegistered("ParticipantUserId", u)
	}
	var mine []*imConv
	for _, cv := range a.convs {
		if !cv.destroyed && cv.parts[u] != nil {
			mine = append(mine, cv)
		}
	}
	sort.Slice(mine, func(i, j int) bool { return mine[i].shortID < mine[j].shortID })
	skip, _ := c.boolean("SkipMemberCount")
	lo, hi, next, more := cursorPage(c, len(mine))
	out := make([]any, 0, hi-lo)
	for _, cv := range mine[lo:hi] {
		out = append(out, cv.info(c.i32("AppId"), skip))
	}
	return map[string]any{"ConversationInfos": out, "HasMore": more, "NextCursor": next}, nil
}

func imGetConversationUserCount(c *call, a *imApp) (any, *apiError) {
	cv, e := a.conv(c.i64("ConversationShortId"))
	if e != nil {
		return nil, e
	}
	return map[string]any{"Count": len(cv.parts)}, nil
}

func imIsUserInConversation(c *call, a *imApp) (any, *apiError) {
	cv, e := a.conv(c.i64("ConversationShortId"))
	if e != nil {
		return nil, e
	}
	return map[string]any{"IsUserInConversation": cv.parts[c.i64("ParticipantUserId")] != nil}, nil
}

// MarkConversation: MarkAction 1 (the default) adds the marks, 2 removes
// them.
func imMarkConversation(c *call, a *imApp) (any, *apiError) {
	cv, e := a.conv(c.i64("ConversationShortId"))
	if e != nil {
		return nil, e
	}
	act, ok := c.num("MarkAction")
	if !ok {
		act = 1
	}
	for _, m := range strs(c.in["MarkTypes"]) {
		cv.marks = slices.DeleteFunc(cv.marks, func(x string) bool { return x == m })
		switch act {
		case 1:
			cv.marks = append(cv.marks, m)
		case 2:
		default:
			return nil, invalid("InvalidParameter", "MarkAction must be 1 (add) or 2 (remove), not %d", act)
		}
	}
	return "success", nil
}

func imGetConversationMarks(c *call, a *imApp) (any, *apiError) {
	cv, e := a.conv(c.i64("ConversationShortId"))
	if e != nil {
		return nil, e
	}
	marks := slices.Clone(cv.marks)
	if marks == nil {
		marks = []string{}
	}
	return map[string]any{"MarkTypes": marks}, nil
}

func imGetConversationSetting(c *call, a *imApp) (any, *apiError) {
	cv, e := a.conv(c.i64("ConversationShortId"))
	if e != nil {
		return nil, e
	}
	u := c.i64("ParticipantUserId")
	p := cv.parts[u]
	if p == nil {
		return nil, imNotParticipant("ParticipantUserId", u, cv.shortID)
	}
	m := map[string]any{"AppId": c.i32("AppId"), "ConversationShortId": cv.shortID, "ConversationId": cv.id,
		"ConversationType": cv.typ, "InboxType": cv.inbox, "ParticipantUserId": u, "ReadIndex": p.readIndex,
		"StickTopTime": 0, "IsMute": false, "IsSetFavorite": false, "IsStickTop": false, "SetFavoriteTime": 0}
	for k, v := range cv.settings[u] {
		m[k] = v
	}
	return map[string]any{"ConversationSettingInfo": m}, nil
}

func imModifyConversationSetting(c *call, a *imApp) (any, *apiError) {
	info, _ := c.in["ConversationSettingInfo"].(map[string]any)
	cv, e := a.conv(mapInt(info, "ConversationShortId"))
	if e != nil {
		return nil, e
	}
	u := mapInt(info, "ParticipantUserId")
	if cv.parts[u] == nil {
		return nil, imNotParticipant("ConversationSettingInfo.ParticipantUserId", u, cv.shortID)
	}
	set := cv.settings[u]
	if set == nil {
		set = map[string]any{}
		cv.settings[u] = set
	}
	for _, k := range []string{"Ext", "IsMute", "IsSetFavorite", "IsStickTop", "SetFavoriteTime", "StickTopTime"} {
		if v, ok := info[k]; ok {
			set[k] = v
		}
	}
	return "success", nil
}

// Participants.

// operatorMay checks that the operator may manage the conversation's
// participants: the owner or a manager (for a one-to-one conversation no
// one may).
func (cv *imConv) operatorMay(op int64) *apiError {
	if cv.typ == IMOneToOne {
		return imNoPermission("the participants of one-to-one conversation %d cannot change", cv.shortID)
	}
	p := cv.parts[op]
	if p == nil || p.role != imRoleOwner && p.role != imRoleManager {
		return imNoPermission("Operator: user %d is neither the owner nor a manager of conversation %d", op, cv.shortID)
	}
	return nil
}

func imBatchAddParticipants(c *call, a *imApp) (any, *apiError) {
	cv, e := a.conv(c.i64("ConversationShortId"))
	if e != nil {
		return nil, e
	}
	op := c.i64("Operator")
	if e := cv.operatorMay(op); e != nil {
		return nil, e
	}
	fails := []any{}
	for _, pi := range objects(c.in["ParticipantInfos"]) {
		u := mapInt(pi, "ParticipantUserId")
		if a.users[u] == nil {
			fails = append(fails, u)
			continue
		}
		if b, ok := cv.blocks[u]; ok && b.action == 1 && c.now.Before(b.until) {
			fails = append(fails, u) // blocked from joining
			continue
		}
		p := cv.join(u, imRoleMember, op, c.now)
		p.nick = mapStr(pi, "NickName")
		p.level = int32(mapInt(pi, "Level"))
		p.ext = rawJSON(pi["Ext"])
		if r, ok := toInt(pi["Role"]); ok && r != imRoleOwner {
			p.role = r
		}
	}
	return map[string]any{"FailedUserIds": fails}, nil
}

func imBatchDeleteParticipants(c *call, a *imApp) (any, *apiError) {
	cv, e := a.conv(c.i64("ConversationShortId"))
	if e != nil {
		return nil, e
	}
	op := c.i64("Operator")
	if e := cv.operatorMay(op); e != nil {
		return nil, e
	}
	fails := []any{}
	for _, u := range ids(c.in["ParticipantUserIds"]) {
		if cv.parts[u] == nil || u == cv.owner {
			fails = append(fails, u) // not a participant, or the owner
			continue
		}
		cv.leave(u)
	}
	return map[string]any{"FailedUserIds": fails}, nil
}

func imBatchModifyParticipants(c *call, a *imApp) (any, *apiError) {
	cv, e := a.conv(c.i64("ConversationShortId"))
	if e != nil {
		return nil, e
	}
	if e := cv.operatorMay(c.i64("Operator")); e != nil {
		return nil, e
	}
	fails := []any{}
	for _, pi := range objects(c.in["ParticipantInfos"]) {
		u := mapInt(pi, "ParticipantUserId")
		p := cv.parts[u]
		if p == nil {
			fails = append(fails, u)
			continue
		}
		if v, ok := pi["NickName"].(string); ok {
			p.nick = v
		}
		if v, ok := toInt(pi["Level"]); ok {
			p.level = int32(v)
		}
		if v, ok := pi["Ext"]; ok {
			p.ext = rawJSON(v)
		}
		if v, ok := toInt(pi["Role"]); ok && p.role != imRoleOwner && v != imRoleOwner {
			p.role = v
		}
	}
	return map[string]any{"FailedUserIds": fails}, nil
}

func (cv *imConv) partInfo(p *imPart) map[string]any {
	m := map[string]any{"ConversationShortId": cv.shortID, "Operator": p.operator, "ParticipantUserId": p.user,
		"Role": p.role, "NickName": p.nick, "Level": p.level, "Ext": extOrEmpty(p.ext), "CreateTime": ms(p.joined),
		"Status": 0, "AvatarUrl": "", "Marks": nonNil(p.marks)}
	if b, ok := cv.blocks[p.user]; ok {
		m["BlockTime"] = b.until.Unix()
	} else {
		m["BlockTime"] = 0
	}
	return m
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// only keeps the keys of m that the action's result element has.
func only(m map[string]any, keys ...string) map[string]any {
	out := make(map[string]any, len(keys))
	for _, k := range keys {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	return out
}

func imBatchGetParticipants(c *call, a *imApp) (any, *apiError) {
	cv, e := a.conv(c.i64("ConversationShortId"))
	if e != nil {
		return nil, e
	}
	out := []any{}
	for _, u := range ids(c.in["ParticipantUserIds"]) {
		if p := cv.parts[u]; p != nil {
			out = append(out, only(cv.partInfo(p), "ConversationShortId", "Operator", "ParticipantUserId", "Role",
				"BlockTime", "CreateTime", "Ext", "Level", "NickName", "Status"))
		}
	}
	return map[string]any{"Participants": out}, nil
}

func imScanParticipants(c *call, a *imApp) (any, *apiError) {
	cv, e := a.conv(c.i64("ConversationShortId"))
	if e != nil {
		return nil, e
	}
	order := slices.Clone(cv.order)
	if rev, _ := c.boolean("Reverse"); rev {
		slices.Reverse(order)
	}
	lo, hi, next, more := cursorPage(c, len(order))
	out := make([]any, 0, hi-lo)
	for _, u := range order[lo:hi] {
		out = append(out, cv.partInfo(cv.parts[u]))
	}
	return map[string]any{"Participants": out, "HasMore": more, "NextCursor": next}, nil
}

// setManagers promotes or demotes participants; only the owner may.
func setManagers(c *call, a *imApp, field string, role int64) (any, *apiError) {
	cv, e := a.conv(c.i64("ConversationShortId"))
	if e != nil {
		return nil, e
	}
	if op := c.i64("Operator"); op != cv.owner {
		return nil, imNoPermission("Operator: only the owner (%d) of conversation %d manages its managers", cv.owner, cv.shortID)
	}
	fails := []any{}
	for _, u := range ids(c.in[field]) {
		p := cv.parts[u]
		if p == nil || p.role == imRoleOwner {
			fails = append(fails, u)
			continue
		}
		p.role = role
	}
	return map[string]any{"FailedManagerUserIds": fails}, nil
}

func imBatchAddManager(c *call, a *imApp) (any, *apiError) {
	return setManagers(c, a, "ManagerUserIds", imRoleManager)
}

func imBatchRemoveManager(c *call, a *imApp) (any, *apiError) {
	return setManagers(c, a, "RemoveManagerUserIds", imRoleMember)
}

// liveGroup finds a live group (allow lists, mutes and blocks exist only
// there).
func (a *imApp) liveGroup(id int64) (*imConv, *apiError) {
	cv, e := a.conv(id)
	if e != nil {
		return nil, e
	}
	if cv.typ != IMLiveGroup {
		return nil, invalid("InvalidParameter", "ConversationShortId: conversation %d is not a live group", id)
	}
	return cv, nil
}

func imBatchAddWhitelist(c *call, a *imApp) (any, *apiError) {
	cv, e := a.liveGroup(c.i64("ConversationShortId"))
	if e != nil {
		return nil, e
	}
	if e := cv.operatorMay(c.i64("Operator")); e != nil {
		return nil, e
	}
	fails := []any{}
	for _, u := range ids(c.in["ParticipantUserIds"]) {
		if a.users[u] == nil {
			fails = append(fails, u)
			continue
		}
		cv.whitelist[u] = c.now
	}
	return map[string]any{"FailedUserIds": fails}, nil
}

func imBatchRemoveWhitelist(c *call, a *imApp) (any, *apiError) {
	cv, e := a.liveGroup(c.i64("ConversationShortId"))
	if e != nil {
		return nil, e
	}
	if e := cv.operatorMay(c.i64("Operator")); e != nil {
		return nil, e
	}
	fails := []any{}
	for _, u := range ids(c.in["ParticipantUserIds"]) {
		if _, ok := cv.whitelist[u]; !ok {
			fails = append(fails, u)
			continue
		}
		delete(cv.whitelist, u)
	}
	return map[string]any{"FailedUserIds": fails}, nil
}

func sortedKeys[V any](m map[int64]V) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func imBatchGetWhitelist(c *call, a *imApp) (any, *apiError) {
	cv, e := a.liveGroup(c.i64("ConversationShortId"))
	if e != nil {
		return nil, e
	}
	users := sortedKeys(cv.whitelist)
	lo, hi, next, more := cursorPage(c, len(users))
	out := make([]any, 0, hi-lo)
	for _, u := range users[lo:hi] {
		m := map[string]any{"ParticipantUserId": u, "CreateTime": ms(cv.whitelist[u]), "Operator": cv.owner,
			"AvatarUrl": "", "NickName": "", "Ext": map[string]any{}, "Marks": []string{}}
		if p := cv.parts[u]; p != nil {
			m["NickName"], m["Ext"] = p.nick, extOrEmpty(p.ext)
		}
		out = append(out, m)
	}
	return map[string]any{"Participants": out, "HasMore": more, "NextCursor": next}, nil
}

// blockInfos reads ParticipantBlockInfos: an object from user id (as a
// string) to the block's length in seconds.
func blockInfos(v any) (map[int64]int64, *apiError) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, invalid("InvalidParameter", "ParticipantBlockInfos must be an object from user id to block length in seconds")
	}
	out := make(map[int64]int64, len(m))
	for k, sec := range m {
		u, err := strconv.ParseInt(k, 10, 64)
		n, ok := toInt(sec)
		if err != nil || !ok || n <= 0 {
			return nil, invalid("InvalidParameter", "ParticipantBlockInfos[%q] must map a user id to a positive number of seconds", k)
		}
		out[u] = n
	}
	return out, nil
}

func imBatchAddBlock(c *call, a *imApp) (any, *apiError) {
	cv, e := a.liveGroup(c.i64("ConversationShortId"))
	if e != nil {
		return nil, e
	}
	infos, e := blockInfos(c.in["ParticipantBlockInfos"])
	if e != nil {
		return nil, e
	}
	action := c.i32("BlockAction")
	if action != 0 && action != 1 {
		return nil, invalid("InvalidParameter", "BlockAction must be 0 (mute) or 1 (block from joining), not %d", action)
	}
	fails := []any{}
	for _, u := range sortedKeys(infos) {
		if a.users[u] == nil || u == cv.owner {
			fails = append(fails, u)
			continue
		}
		cv.blocks[u] = imBlock{action: action, since: c.now, until: c.now.Add(time.Duration(infos[u]) * time.Second)}
		if action == 1 {
			cv.leave(u)
		}
	}
	return map[string]any{"FailedParticipantUserIds": fails, "FailedParticipantUserIdsStr": []string{}}, nil
}

func imBatchDeleteBlock(c *call, a *imApp) (any, *apiError) {
	cv, e := a.liveGroup(c.i64("ConversationShortId"))
	if e != nil {
		return nil, e
	}
	action := c.i32("BlockAction")
	fails := []any{}
	for _, u := range ids(c.in["ParticipantUserIds"]) {
		if b, ok := cv.blocks[u]; !ok || b.action != action {
			fails = append(fails, u)
			continue
		}
		delete(cv.blocks, u)
	}
	return map[string]any{"FailedParticipantUserIds": fails, "FailedParticipantUserIdsStr": []string{}}, nil
}

func imBatchGetBlock(c *call, a *imApp) (any, *apiError) {
	cv, e := a.liveGroup(c.i64("ConversationShortId"))
	if e != nil {
		return nil, e
	}
	action := c.i32("BlockAction")
	var users []int64
	for _, u := range sortedKeys(cv.blocks) {
		if b := cv.blocks[u]; b.action == action && c.now.Before(b.until) {
			users = append(users, u)
		}
	}
	lo, hi, next, more := cursorPage(c, len(users))
	out := make([]any, 0, hi-lo)
	for _, u := range users[lo:hi] {
		b := cv.blocks[u]
		out = append(out, map[string]any{"ParticipantUserId": u, "BlockTime": b.until.Unix(), "CreateTime": ms(b.since),
			"AvatarUrl": "", "NickName": "", "Ext": map[string]any{}, "Marks": []string{}})
	}
	return map[string]any{"Participants": out, "HasMore": more, "NextCursor": next}, nil
}

// BatchUpdateLiveParticipants: MarkAction 1 (the default) adds the marks
// to each participant, 2 removes them.
func imBatchUpdateLiveParticipants(c *call, a *imApp) (any, *apiError) {
	cv, e := a.liveGroup(c.i64("ConversationShortId"))
	if e != nil {
		return nil, e
	}
	act, ok := c.num("MarkAction")
	if !ok {
		act = 1
	}
	if act != 1 && act != 2 {
		return nil, invalid("InvalidParameter", "MarkAction must be 1 (add) or 2 (remove), not %d", act)
	}
	fails := []any{}
	for _, pi := range objects(c.in["ParticipantInfos"]) {
		u := mapInt(pi, "UserId")
		p := cv.parts[u]
		if p == nil {
			fails = append(fails, failed(u, "NotParticipant", "the user is not in the live group"))
			continue
		}
		for _, m := range strs(pi["Marks"]) {
			p.marks = slices.DeleteFunc(p.marks, func(x string) bool { return x == m })
			if act == 1 {
				p.marks = append(p.marks, m)
			}
		}
		if v, ok := pi["NickName"].(string); ok {
			p.nick = v
		}
	}
	return map[string]any{"FailedInfos": fails}, nil
}

func imQueryLiveParticipantStatus(c *call, a *imApp) (any, *apiError) {
	cv, e := a.liveGroup(c.i64("ConversationShortId"))
	if e != nil {
		return nil, e
	}
	out := []any{}
	for _, u := range ids(c.in["ParticipantUserIds"]) {
		m := map[string]any{"AppId": c.i32("AppId"), "ConversationShortId": cv.shortID, "ParticipantUserId": u,
			"IsInConversation": cv.parts[u] != nil, "CreateTime": 0}
		if p := cv.parts[u]; p != nil {
			m["CreateTime"] = ms(p.joined)
		}
		out = append(out, m)
	}
	return map[string]any{"Status": out}, nil
}

// Messages.

// canSend checks that a user may send to a conversation: registered,
// taking part, not muted (a live group's allow list overrides a mute).
func (a *imApp) canSend(cv *imConv, path string, u int64, now time.Time) *apiError {
	if a.users[u] == nil {
		return imNotRegistered(path, u)
	}
	if cv.parts[u] == nil {
		return imNotParticipant(path, u, cv.shortID)
	}
	if b, ok := cv.blocks[u]; ok && b.action == 0 && now.Before(b.until) {
		if _, allowed := cv.whitelist[u]; !allowed {
			return invalid("InvalidParameter.UserMuted", "%s: user %d is muted in conversation %d until %s", path, u, cv.shortID, b.until.UTC().Format(time.RFC3339))
		}
	}
	return nil
}

func checkContent(content string) *apiError {
	if len(content) > MaxIMContent {
		return invalid("InvalidParameter.SizeOverLimit", "Content is larger than %d bytes", MaxIMContent)
	}
	if !utf8.ValidString(content) {
		return invalid("InvalidParameter", "Content must be UTF-8 text")
	}
	return nil
}

func (a *imApp) post(cv *imConv, sender int64, content string, typ int32, ext json.RawMessage, now time.Time) *imMsg {
	a.nextMsg++
	m := &imMsg{id: a.nextMsg, index: int64(len(cv.msgs) + 1), sender: sender, content: content, msgType: typ, ext: ext, created: now}
	cv.msgs = append(cv.msgs, m)
	cv.modified = now
	if p := cv.parts[sender]; p != nil {
		p.readIndex = m.index // the sender has read what it sent
	}
	return m
}

func imSendMessage(c *call, a *imApp) (any, *apiError) {
	cv, e := a.conv(c.i64("ConversationShortId"))
	if e != nil {
		return nil, e
	}
	sender := c.i64("Sender")
	if e := a.canSend(cv, "Sender", sender, c.now); e != nil {
		return nil, e
	}
	content := c.str("Content")
	if e := checkContent(content); e != nil {
		return nil, e
	}
	var ref *imMsgRef
	if r, ok := c.in["RefMsgInfo"].(map[string]any); ok {
		id := mapInt(r, "ReferencedMessageId")
		if cv.find(id) == nil {
			return nil, invalid("InvalidParameter.MessageNotExist", "RefMsgInfo.ReferencedMessageId: message %d is not in conversation %d", id, cv.shortID)
		}
		ref = &imMsgRef{hint: mapStr(r, "Hint"), id: id}
	}
	m := a.post(cv, sender, content, c.i32("MsgType"), rawJSON(c.in["Ext"]), c.now)
	m.ref = ref
	m.mentioned = ids(c.in["MentionedUsers"])
	if v := ids(c.in["VisibleUsers"]); len(v) > 0 {
		m.visible = map[int64]bool{sender: true}
		for _, u := range v {
			m.visible[u] = true
		}
	}
	if v := ids(c.in["InvisibleUsers"]); len(v) > 0 {
		m.invisible = map[int64]bool{}
		for _, u := range v {
			m.invisible[u] = true
		}
	}
	return map[string]any{"MessageId": m.id}, nil
}

// BatchSendMessage sends a one-to-one message from Sender to each
// receiver, creating the one-to-one conversations that do not exist yet.
// Every receiver must be registered.
func imBatchSendMessage(c *call, a *imApp) (any, *apiError) {
	sender := c.i64("Sender")
	if a.users[sender] == nil {
		return nil, imNotRegistered("Sender", sender)
	}
	content := c.str("Content")
	if e := checkContent(content); e != nil {
		return nil, e
	}
	recv := ids(c.in["Receiver"])
	for i, u := range recv {
		if a.users[u] == nil {
			return nil, imNotRegistered("Receiver["+strconv.Itoa(i)+"]", u)
		}
	}
	a.nextMsg++
	batchID := a.nextMsg
	for _, u := range recv {
		var cv *imConv
		for _, x := range a.convs {
			if !x.destroyed && x.typ == IMOneToOne && (x.owner == sender && x.other == u || x.owner == u && x.other == sender) {
				cv = x
				break
			}
		}
		if cv == nil {
			cv = a.newConv(c, IMOneToOne, sender)
			cv.other = u
			cv.join(sender, imRoleOwner, sender, c.now)
			cv.join(u, imRoleMember, sender, c.now)
		}
		a.post(cv, sender, content, c.i32("MsgType"), rawJSON(c.in["Ext"]), c.now)
	}
	return map[string]any{"UserMessageId": batchID}, nil
}

func (cv *imConv) find(id int64) *imMsg {
	for _, m := range cv.msgs {
		if m.id == id {
			return m
		}
	}
	return nil
}

func (cv *imConv) msgInfo(app int32, m *imMsg) map[string]any {
	out := map[string]any{"AppId": app, "ConversationShortId": cv.shortID, "ConversationType": cv.typ,
		"MessageId": m.id, "IndexInConversation": m.index, "Sender": m.sender, "Content": m.content,
		"MsgType": m.msgType, "Ext": extOrEmpty(m.ext), "CreateTime": ms(m.created), "Status": 0}
	if m.recalled {
		out["Status"] = imMsgRecalled
		out["Content"] = ""
	}
	if m.ref != nil {
		st := 0
		if r := cv.find(m.ref.id); r != nil && r.recalled {
			st = imMsgRecalled
		}
		rt := int32(0)
		if r := cv.find(m.ref.id); r != nil {
			rt = r.msgType
		}
		out["RefMsgInfo"] = map[string]any{"Hint": m.ref.hint, "ReferencedMessageId": m.ref.id, "ReferencedMessageType": rt, "Status": st}
	}
	return out
}

// GetConversationMessages pages through the messages by their index:
// Cursor is an index (0 with Reverse 1 means the newest), NewCursor the
// index to continue from. Messages deleted for everyone are left out.
func imGetConversationMessages(c *call, a *imApp) (any, *apiError) {
	cv, e := a.conv(c.i64("ConversationShortId"))
	if e != nil {
		return nil, e
	}
	var live []*imMsg
	for _, m := range cv.msgs {
		if !m.deleted {
			live = append(live, m)
		}
	}
	cur := c.i64("Cursor")
	lim := c.i64("Limit")
	if lim <= 0 || lim > 20 {
		lim = 20
	}
	reverse := c.i64("Reverse") == 1
	var page []*imMsg
	var next int64
	more := false
	if reverse {
		if cur <= 0 {
			cur = int64(len(cv.msgs)) + 1
		}
		for i := len(live) - 1; i >= 0 && int64(len(page)) < lim; i-- {
			if live[i].index < cur {
				page = append(page, live[i])
			}
		}
		if len(page) > 0 {
			next = page[len(page)-1].index
			more = live[0].index < next
		}
	} else {
		for _, m := range live {
			if m.index > cur && int64(len(page)) < lim {
				page = append(page, m)
			}
		}
		if len(page) > 0 {
			next = page[len(page)-1].index
			more = live[len(live)-1].index > next
		}
	}
	if len(page) == 0 {
		next = cur
	}
	out := make([]any, 0, len(page))
	for _, m := range page {
		out = append(out, cv.msgInfo(c.i32("AppId"), m))
	}
	return map[string]any{"Messages": out, "HasMore": more, "NewCursor": next}, nil
}

func imGetMessages(c *call, a *imApp) (any, *apiError) {
	cv, e := a.conv(c.i64("ConversationShortId"))
	if e != nil {
		return nil, e
	}
	out := []any{}
	for _, id := range ids(c.in["MessageIds"]) {
		if m := cv.find(id); m != nil && !m.deleted {
			out = append(out, cv.msgInfo(c.i32("AppId"), m))
		}
	}
	return map[string]any{"Messages": out}, nil
}

func imModifyMessage(c *call, a *imApp) (any, *apiError) {
	_, m, e := a.message(c)
	if e != nil {
		return nil, e
	}
	if m.recalled {
		return nil, invalid("InvalidParameter", "MessageId: message %d was recalled and cannot change", m.id)
	}
	if v, ok := c.in["Content"].(string); ok && v != "" {
		if e := checkContent(v); e != nil {
			return nil, e
		}
		m.content = v
	}
	if v, ok := c.in["Ext"]; ok {
		m.ext = rawJSON(v)
	}
	return "success", nil
}

// RecallMessage: the sender recalls its own message (RecallRole 0); the
// owner (1) or a manager (2) recalls anyone's. A message recalled already
// is refused.
func imRecallMessage(c *call, a *imApp) (any, *apiError) {
	cv, m, e := a.message(c)
	if e != nil {
		return nil, e
	}
	u := c.i64("ParticipantUserId")
	p := cv.parts[u]
	if p == nil {
		return nil, imNotParticipant("ParticipantUserId", u, cv.shortID)
	}
	role := c.i64("RecallRole")
	switch {
	case role == 0 && m.sender != u:
		return nil, imNoPermission("ParticipantUserId: user %d did not send message %d; only the owner or a manager recalls another's message", u, m.id)
	case role == 1 && p.role != imRoleOwner, role == 2 && p.role != imRoleManager && p.role != imRoleOwner:
		return nil, imNoPermission("RecallRole: user %d does not have role %d in conversation %d", u, role, cv.shortID)
	case role < 0 || role > 2:
		return nil, invalid("InvalidParameter", "RecallRole must be 0 (member), 1 (owner) or 2 (manager), not %d", role)
	}
	if m.recalled {
		return nil, invalid("InvalidParameter.MessageRecalled", "MessageId: message %d was recalled already", m.id)
	}
	m.recalled = true
	return "success", nil
}

// DeleteMessage hides a message from one participant only.
func imDeleteMessage(c *call, a *imApp) (any, *apiError) {
	cv, m, e := a.message(c)
	if e != nil {
		return nil, e
	}
	u := c.i64("ParticipantUserId")
	if cv.parts[u] == nil {
		return nil, imNotParticipant("ParticipantUserId", u, cv.shortID)
	}
	if m.hiddenFor == nil {
		m.hiddenFor = map[int64]bool{}
	}
	m.hiddenFor[u] = true
	return "success", nil
}

// DeleteConversationMessage: DeleteType 0 deletes the message for every
// participant, 1 for its sender only (a live group takes 0 only).
func imDeleteConversationMessage(c *call, a *imApp) (any, *apiError) {
	cv, m, e := a.message(c)
	if e != nil {
		return nil, e
	}
	switch dt := c.i64("DeleteType"); {
	case dt == 0:
		m.deleted = true
	case dt == 1 && cv.typ != IMLiveGroup:
		if m.hiddenFor == nil {
			m.hiddenFor = map[int64]bool{}
		}
		m.hiddenFor[m.sender] = true
	case dt == 1:
		return nil, invalid("InvalidParameter", "DeleteType must be 0 in a live group")
	default:
		return nil, invalid("InvalidParameter", "DeleteType must be 0 (for everyone) or 1 (for the sender only), not %d", dt)
	}
	return "success", nil
}

func imGetMessagesReadReceipt(c *call, a *imApp) (any, *apiError) {
	cv, e := a.conv(c.i64("ConversationShortId"))
	if e != nil {
		return nil, e
	}
	out := []any{}
	for _, id := range ids(c.in["MessageIds"]) {
		m := cv.find(id)
		if m == nil {
			continue
		}
		read, unread := []int64{}, []int64{}
		for _, u := range cv.order {
			if u == m.sender {
				continue
			}
			if cv.parts[u].readIndex >= m.index {
				read = append(read, u)
			} else {
				unread = append(unread, u)
			}
		}
		out = append(out, map[string]any{"ConversationShortId": cv.shortID, "MessageId": id, "ReadUserIds": read,
			"UnReadUserIds": unread, "ReceiverIsRead": len(unread) == 0 && len(read) > 0})
	}
	return map[string]any{"ReadReceipt": out}, nil
}

func imGetParticipantReadIndex(c *call, a *imApp) (any, *apiError) {
	cv, e := a.conv(c.i64("ConversationShortId"))
	if e != nil {
		return nil, e
	}
	out := make([]any, 0, len(cv.order))
	for _, u := range cv.order {
		out = append(out, map[string]any{"ParticipantUserId": u, "ReadIndex": cv.parts[u].readIndex})
	}
	return map[string]any{"ReadIndexes": out}, nil
}

func imModifyParticipantReadIndex(c *call, a *imApp) (any, *apiError) {
	cv, e := a.conv(c.i64("ConversationShortId"))
	if e != nil {
		return nil, e
	}
	u := c.i64("ParticipantUserId")
	p := cv.parts[u]
	if p == nil {
		return nil, imNotParticipant("ParticipantUserId", u, cv.shortID)
	}
	idx := c.i64("ReadIndex")
	if idx < 0 || idx > int64(len(cv.msgs)) {
		return nil, invalid("InvalidParameter", "ReadIndex must be from 0 to %d, the conversation's last index", len(cv.msgs))
	}
	p.readIndex = idx
	return "success", nil
}

// Friends and black lists.

func (a *imApp) friendsOf(u int64) map[int64]*imFriend {
	m := a.friends[u]
	if m == nil {
		m = map[int64]*imFriend{}
		a.friends[u] = m
	}
	return m
}

func (a *imApp) blackOf(u int64) map[int64]*imBlack {
	m := a.blacklist[u]
	if m == nil {
		m = map[int64]*imBlack{}
		a.blacklist[u] = m
	}
	return m
}

// AddFriend makes the users friends both ways. A user who is not
// registered, is the user itself, is a friend already, or has the user on
// its black list fails.
func imAddFriend(c *call, a *imApp) (any, *apiError) {
	u := c.i64("UserId")
	if a.users[u] == nil {
		return nil, imNotRegistered("UserId", u)
	}
	fails := []any{}
	for _, f := range ids(c.in["FriendUserIds"]) {
		switch {
		case a.users[f] == nil:
			fails = append(fails, failed(f, "UserNotRegistered", "the user is not registered"))
		case f == u:
			fails = append(fails, failed(f, "InvalidParameter", "a user cannot befriend itself"))
		case a.friendsOf(u)[f] != nil:
			fails = append(fails, failed(f, "AlreadyFriend", "the users are friends already"))
		case a.blackOf(f)[u] != nil:
			fails = append(fails, failed(f, "InBlackList", "the user has blocked this user"))
		default:
			a.friendsOf(u)[f] = &imFriend{ext: rawJSON(c.in["Ext"]), created: c.now, modified: c.now}
			a.friendsOf(f)[u] = &imFriend{created: c.now, modified: c.now}
		}
	}
	return map[string]any{"FailedInfos": fails}, nil
}

func imDeleteFriend(c *call, a *imApp) (any, *apiError) {
	u := c.i64("UserId")
	fails := []any{}
	for _, f := range ids(c.in["DeleteUserIds"]) {
		if a.friendsOf(u)[f] == nil {
			fails = append(fails, failed(f, "NotFriend", "the users are not friends"))
			continue
		}
		delete(a.friendsOf(u), f)
		delete(a.friendsOf(f), u)
	}
	return map[string]any{"FailedInfos": fails}, nil
}

func imUpdateFriend(c *call, a *imApp) (any, *apiError) {
	u := c.i64("UserId")
	fails := []any{}
	for _, fi := range objects(c.in["FriendInfos"]) {
		f := mapInt(fi, "FriendUserId")
		fr := a.friendsOf(u)[f]
		if fr == nil {
			fails = append(fails, failed(f, "NotFriend", "the users are not friends"))
			continue
		}
		if v, ok := fi["Alias"].(string); ok {
			fr.alias = v
		}
		if v, ok := fi["Ext"]; ok {
			fr.ext = rawJSON(v)
		}
		fr.modified = c.now
	}
	return map[string]any{"FailedInfos": fails}, nil
}

func friendInfo(f int64, fr *imFriend) map[string]any {
	return map[string]any{"FriendUserId": f, "Alias": fr.alias, "Ext": extOrEmpty(fr.ext), "ApplyTime": ms(fr.created),
		"CreateTime": ms(fr.created), "ModifyTime": ms(fr.modified)}
}

func imListFriend(c *call, a *imApp) (any, *apiError) {
	u := c.i64("UserId")
	if a.users[u] == nil {
		return nil, imNotRegistered("UserId", u)
	}
	fs := a.friendsOf(u)
	all := sortedKeys(fs)
	lo, hi, next, more := cursorPage(c, len(all))
	out := make([]any, 0, hi-lo)
	for _, f := range all[lo:hi] {
		out = append(out, friendInfo(f, fs[f]))
	}
	return map[string]any{"FriendInfos": out, "HasMore": more, "NextCursor": next, "TotalCount": len(all)}, nil
}

func imIsFriend(c *call, a *imApp) (any, *apiError) {
	u := c.i64("UserId")
	out := []any{}
	for _, f := range ids(c.in["FriendUserIds"]) {
		out = append(out, map[string]any{"FriendUserId": f, "IsFriend": a.friendsOf(u)[f] != nil})
	}
	return map[string]any{"Infos": out}, nil
}

// AddBlackList blocks users for one user; blocking a friend ends the
// friendship.
func imAddBlackList(c *call, a *imApp) (any, *apiError) {
	u := c.i64("UserId")
	if a.users[u] == nil {
		return nil, imNotRegistered("UserId", u)
	}
	fails := []any{}
	for _, bi := range objects(c.in["BlackListInfos"]) {
		b := mapInt(bi, "BlackListUserId")
		switch {
		case a.users[b] == nil:
			fails = append(fails, failed(b, "UserNotRegistered", "the user is not registered"))
		case b == u:
			fails = append(fails, failed(b, "InvalidParameter", "a user cannot block itself"))
		case a.blackOf(u)[b] != nil:
			fails = append(fails, failed(b, "AlreadyInBlackList", "the user is on the black list already"))
		default:
			a.blackOf(u)[b] = &imBlack{ext: rawJSON(bi["BlackListUserExt"]), created: c.now, modified: c.now}
		}
	}
	return map[string]any{"FailedInfos": fails}, nil
}

func imRemoveBlackList(c *call, a *imApp) (any, *apiError) {
	u := c.i64("UserId")
	if a.users[u] == nil {
		return nil, imNotRegistered("UserId", u)
	}
	for _, b := range ids(c.in["BlackListUserIds"]) {
		delete(a.blackOf(u), b)
	}
	return "success", nil
}

func imUpdateBlackList(c *call, a *imApp) (any, *apiError) {
	u := c.i64("UserId")
	fails := []any{}
	for _, bi := range objects(c.in["BlackListInfos"]) {
		b := mapInt(bi, "BlackListUserId")
		e := a.blackOf(u)[b]
		if e == nil {
			fails = append(fails, failed(b, "NotInBlackList", "the user is not on the black list"))
			continue
		}
		e.ext = rawJSON(bi["BlackListUserExt"])
		e.modified = c.now
	}
	return map[string]any{"FailedInfos": fails}, nil
}

func imGetBlackList(c *call, a *imApp) (any, *apiError) {
	u := c.i64("UserId")
	if a.users[u] == nil {
		return nil, imNotRegistered("UserId", u)
	}
	bl := a.blackOf(u)
	all := sortedKeys(bl)
	lo, hi, next, more := cursorPage(c, len(all))
	out := make([]any, 0, hi-lo)
	for _, b := range all[lo:hi] {
		e := bl[b]
		m := map[string]any{"BlackListUserId": b, "BlackListUserExt": extOrEmpty(e.ext), "CreateTime": ms(e.created), "ModifyTime": ms(e.modified)}
		out = append(out, m)
	}
	return map[string]any{"BlackListInfos": out, "HasMore": more, "NextCursor": next, "TotalCount": len(all)}, nil
}

func imIsInBlackList(c *call, a *imApp) (any, *apiError) {
	u := c.i64("UserId")
	out := []any{}
	for _, b := range ids(c.in["BlackListUserIds"]) {
		out = append(out, map[string]any{"BlackListUserId": b, "IsInBlackList": a.blackOf(u)[b] != nil})
	}
	return map[string]any{"IsInBlackListInfos": out}, nil
}
