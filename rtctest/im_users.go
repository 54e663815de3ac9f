package rtctest

// IM users: registration, profiles, tags, online status, app tokens and broadcasts. The state and the
// helpers they share are in im.go.

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

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
