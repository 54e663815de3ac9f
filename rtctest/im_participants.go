package rtctest

// IM participants: members, managers, allow lists, mutes and blocks, live-group marks. The state and the
// helpers they share are in im.go.

import (
	"slices"
	"strconv"
	"time"
)

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
