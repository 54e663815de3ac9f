package rtctest

// IM messages: send, list, modify, recall, delete, read receipts and read indexes. The state and the
// helpers they share are in im.go.

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

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
