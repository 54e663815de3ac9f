package rtctest

// IM conversations: create, destroy, modify, list, marks and settings. The state and the
// helpers they share are in im.go.

import (
	"slices"
	"sort"
	"strconv"
	"time"
)

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
