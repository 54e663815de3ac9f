package rtctest

import (
	"time"
)

// imSeed is the IM state seedIM sets up for tests that call every action:
// users 1, 2 and 3 registered in app 1; a live group owned by 1 with 2 and
// 3 taking part; one message from 1; 1 and 2 friends; 3 on 1's black list.
type imSeed struct {
	App          int32
	Conversation int64
	Message      int64
}

// seedIM sets up the imSeed state directly (no request is recorded).
func seedIM(s *Server) imSeed {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	a := s.st.imApp(1)
	for u := int64(1); u <= 3; u++ {
		a.users[u] = &imUser{id: u, nick: "user", created: now, modified: now}
	}
	a.nextConv++
	cv := &imConv{shortID: a.nextConv, id: "conv_seed", typ: IMLiveGroup, owner: 1, creator: 1, created: now, modified: now,
		parts: map[int64]*imPart{}, whitelist: map[int64]time.Time{}, blocks: map[int64]imBlock{}, settings: map[int64]map[string]any{}}
	a.convs[cv.shortID] = cv
	cv.join(1, imRoleOwner, 1, now)
	cv.join(2, imRoleMember, 1, now)
	cv.join(3, imRoleMember, 1, now)
	m := a.post(cv, 1, "hello", 1, nil, now)
	a.friendsOf(1)[2] = &imFriend{created: now, modified: now}
	a.friendsOf(2)[1] = &imFriend{created: now, modified: now}
	a.blackOf(1)[3] = &imBlack{created: now, modified: now}
	return imSeed{App: 1, Conversation: cv.shortID, Message: m.id}
}

// imInput adapts a minimal input (every required field, numbers 1) to the
// seeded state so that the action succeeds.
func imInput(action string, in map[string]any, sd imSeed, now time.Time) {
	var walk func(m map[string]any)
	walk = func(m map[string]any) {
		for k, v := range m {
			switch k {
			case "ConversationShortId":
				if _, ok := v.([]any); ok {
					m[k] = []any{sd.Conversation}
				} else {
					m[k] = sd.Conversation
				}
			case "MessageId", "ReferencedMessageId":
				m[k] = sd.Message
			case "MessageIds":
				m[k] = []any{sd.Message}
			}
			switch x := v.(type) {
			case map[string]any:
				walk(x)
			case []any:
				for _, e := range x {
					if em, ok := e.(map[string]any); ok {
						walk(em)
					}
				}
			}
		}
	}
	walk(in)
	switch action {
	case "CreateConversation":
		in["ConversationCoreInfo"] = map[string]any{"ConversationType": IMGroup}
	case "GetAppToken":
		in["ExpireTime"] = now.Add(time.Hour).UnixMilli()
	case "BatchAddBlockParticipants":
		in["ParticipantBlockInfos"] = map[string]any{"2": 60}
	case "BatchSendMessage":
		in["Receiver"] = []any{2}
	}
}
