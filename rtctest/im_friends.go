package rtctest

// IM friends and black lists. The state and the
// helpers they share are in im.go.

import ()

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
