package rtctest

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The call history behind ListRoomInfo and ListUserInfo: every life of a
// room (a call, from its first user joining to its last user leaving) and
// every join and leave of each user in it, with the server clock's times,
// whatever made them (Join, Leave, KickUser, BanRoomUser, DismissRoom).

// callRecord is one life of a room.
type callRecord struct {
	id        string
	room      string
	created   time.Time
	destroyed time.Time // zero while the room lives
	users     []*callUser
	byUser    map[string]*callUser
}

// callUser is one user's joins and leaves within a call.
type callUser struct {
	id    string
	moves []callMove
}

type callMove struct {
	at   time.Time
	join bool
}

// maxCalls bounds the calls an app remembers (the oldest ended ones go
// first), so a long-running fake holds bounded memory.
const maxCalls = 10000

func (a *appState) newCall(roomID string, now time.Time) *callRecord {
	a.callSeq++
	c := &callRecord{id: fmt.Sprintf("call-%s-%d", roomID, a.callSeq), room: roomID, created: now, byUser: map[string]*callUser{}}
	a.calls = append(a.calls, c)
	if len(a.calls) > maxCalls {
		a.calls = slices.Delete(a.calls, 0, len(a.calls)-maxCalls)
	}
	return c
}

func (c *callRecord) move(userID string, now time.Time, join bool) {
	u := c.byUser[userID]
	if u == nil {
		if !join {
			return
		}
		u = &callUser{id: userID}
		c.byUser[userID] = u
		c.users = append(c.users, u)
	}
	u.moves = append(u.moves, callMove{at: now, join: join})
}

func (u *callUser) online() bool { return len(u.moves) > 0 && u.moves[len(u.moves)-1].join }

// duration is the time the user was in the call, up to now for a user
// still in it, in whole seconds.
func (u *callUser) duration(now time.Time) int64 {
	var d time.Duration
	for _, iv := range u.intervals(now) {
		d += iv[1].Sub(iv[0])
	}
	return int64(d / time.Second)
}

// overlaps reports whether the call was alive at some time of [start, end].
func (c *callRecord) overlaps(start, end time.Time) bool {
	return !c.created.After(end) && (c.destroyed.IsZero() || !c.destroyed.Before(start))
}

// page returns the items of a 1-based page, the page number and size used.
func page[T any](c *call, items []T) ([]T, int64, int64) {
	num, ok := c.num("PageNum")
	if !ok || num < 1 {
		num = 1
	}
	size, ok := c.num("PageSize")
	if !ok || size < 1 {
		size = 20
	}
	size = min(size, 100)
	lo := (num - 1) * size
	if lo >= int64(len(items)) {
		return []T{}, num, size
	}
	return items[lo:min(lo+size, int64(len(items)))], num, size
}

// queryCalls returns the calls of the input's app alive in its window,
// narrowed to its RoomId, oldest first.
func (c *call) queryCalls() []*callRecord {
	start, _ := parseWindowTime(c.str("StartTime"))
	end, _ := parseWindowTime(c.str("EndTime"))
	room := c.str("RoomId")
	var out []*callRecord
	for _, cr := range c.srv.st.app(c.appID()).calls {
		if (room == "" || cr.room == room) && cr.overlaps(start, end) {
			out = append(out, cr)
		}
	}
	return out
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

// handleListRoomInfo lists the calls alive in the window: a room that
// still lives has no DestroyTime and IsFinished false.
func handleListRoomInfo(c *call) (any, *apiError) {
	s := c.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	calls := c.queryCalls()
	rooms := make([]any, 0, len(calls))
	for _, cr := range calls {
		active := 0
		for _, u := range cr.users {
			if u.online() {
				active++
			}
		}
		rooms = append(rooms, map[string]any{
			"RoomId": cr.room, "CallId": cr.id, "ActiveUserNum": active,
			"CreatedTime": rfc3339(cr.created), "DestroyTime": rfc3339(cr.destroyed),
			"IsFinished": !cr.destroyed.IsZero(),
		})
	}
	list, num, size := page(c, rooms)
	return map[string]any{"RoomList": list, "Total": len(rooms), "PageNum": num, "PageSize": size,
		"HasMore": num*size < int64(len(rooms))}, nil
}

// handleListUserInfo lists each user's part in the calls alive in the
// window: first join, last leave (empty while in the room), the time in
// the call and every join and leave. The fake does not model devices:
// Access and OS are "unknown", DeviceType and SdkVersion empty, Pub false.
func handleListUserInfo(c *call) (any, *apiError) {
	want := map[string]bool{}
	for _, id := range strings.Split(c.str("UserId"), ",") {
		if id = strings.TrimSpace(id); id != "" {
			want[id] = true
		}
	}
	s := c.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	var users []any
	for _, cr := range c.queryCalls() {
		for _, u := range cr.users {
			if len(want) > 0 && !want[u.id] {
				continue
			}
			records := make([]any, len(u.moves))
			var leave time.Time
			for i, m := range u.moves {
				typ := "joinroom"
				if !m.join {
					typ, leave = "leaveroom", m.at
				}
				records[i] = map[string]any{"Time": rfc3339(m.at), "Type": typ}
			}
			if u.online() {
				leave = time.Time{}
			}
			users = append(users, map[string]any{
				"UserId": u.id, "RoomId": cr.room, "CallId": cr.id,
				"CreatedAt": rfc3339(u.moves[0].at), "LeaveAt": rfc3339(leave),
				"Finished": !u.online(), "Duration": u.duration(c.now), "Record": records,
				"Access": "unknown", "OS": "unknown", "DeviceType": "", "SdkVersion": "", "Pub": false,
			})
		}
	}
	if users == nil {
		users = []any{}
	}
	list, num, size := page(c, users)
	return map[string]any{"UserList": list, "Total": len(users), "PageNum": num, "PageSize": size}, nil
}

func init() {
	handlers["ListRoomInfo"] = handleListRoomInfo
	handlers["ListUserInfo"] = handleListUserInfo
	handlers["ListUsages"] = handleListUsages
}

// intervals returns the spans the user was in the call, the last one up to
// now for a user still in it.
func (u *callUser) intervals(now time.Time) [][2]time.Time {
	var out [][2]time.Time
	var in time.Time
	for _, m := range u.moves {
		if m.join {
			in = m.at
		} else if !in.IsZero() {
			out = append(out, [2]time.Time{in, m.at})
			in = time.Time{}
		}
	}
	if !in.IsZero() {
		out = append(out, [2]time.Time{in, now})
	}
	return out
}

// hasHistory reports whether the input's app had any room in the fake:
// the data queries then answer from that history instead of sample data.
func (c *call) hasHistory() bool { return len(c.srv.st.app(c.appID()).calls) > 0 }

// occupied reports whether a call of the input's app (in its RoomId, if
// given) had a user in [from, to).
func (c *call) occupied(from, to time.Time) bool {
	room := c.str("RoomId")
	for _, cr := range c.srv.st.app(c.appID()).calls {
		if room != "" && cr.room != room {
			continue
		}
		for _, u := range cr.users {
			for _, iv := range u.intervals(c.now) {
				if iv[0].Before(to) && iv[1].After(from) {
					return true
				}
			}
		}
	}
	return false
}

// handleListUsages counts the minutes users spent in the app's calls, per
// day from StartTime's day (in its zone), once the app had rooms in the
// fake; before that it answers sample data. The fake does not model video:
// every minute is an audio minute.
func handleListUsages(c *call) (any, *apiError) {
	s := c.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	if !c.hasHistory() {
		return c.genericResult(), nil
	}
	start, _ := parseWindowTime(c.str("StartTime"))
	end, _ := parseWindowTime(c.str("EndTime"))
	day := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, start.Location())
	var usages []any
	for ; day.Before(end); day = day.AddDate(0, 0, 1) {
		// The part of the day inside the window.
		from, to := day, day.AddDate(0, 0, 1)
		if start.After(from) {
			from = start
		}
		if end.Before(to) {
			to = end
		}
		var secs time.Duration
		for _, cr := range s.st.app(c.appID()).calls {
			for _, u := range cr.users {
				for _, iv := range u.intervals(c.now) {
					secs += overlap(iv[0], iv[1], from, to)
				}
			}
		}
		minutes := int64((secs + time.Minute - 1) / time.Minute)
		usages = append(usages, map[string]any{"TimeStamp": rfc3339(day), "Audio": minutes, "VideoSD": 0, "VideoHD": 0, "VideoSDM": 0})
	}
	if usages == nil {
		usages = []any{}
	}
	return map[string]any{"Usages": usages}, nil
}

// overlap is how much of [a0, a1) lies in [b0, b1).
func overlap(a0, a1, b0, b1 time.Time) time.Duration {
	lo, hi := a0, a1
	if b0.After(lo) {
		lo = b0
	}
	if b1.Before(hi) {
		hi = b1
	}
	return max(hi.Sub(lo), 0)
}
