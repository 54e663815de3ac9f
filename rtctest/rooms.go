package rtctest

import (
	"fmt"
	"slices"
	"sort"
	"time"
)

// state is everything the server remembers. It is guarded by Server.mu.
type state struct {
	apps      map[string]*appState // per AppId, created on first use
	created   []*appRecord         // apps made with CreateApp, in order
	policyID  int
	failover  map[int]map[string]any
	vendorPol map[int]map[string]any
	im        map[int64]*imApp // IM server API state per AppId (im.go)
	// notify sends a room or user event callback (events.go).
	notify func(appID, eventType, roomID, userID string)
}

func newState(notify func(appID, eventType, roomID, userID string)) *state {
	return &state{
		notify:    notify,
		apps:      make(map[string]*appState),
		failover:  make(map[int]map[string]any),
		vendorPol: make(map[int]map[string]any),
	}
}

// appState is one AppId's rooms, bans, tasks and settings.
type appState struct {
	rooms        map[string]*room
	roomBans     map[string]time.Time // room -> banned until
	userBans     map[string]time.Time // user, app-wide -> banned until
	roomUserBans map[[2]string]time.Time
	streamBans   map[[2]string]StreamBan
	tasks        map[taskKey]*task
	business     []*businessRecord
	callbacks    []map[string]any
	transcodes   map[string]map[string]any
	id           string
	notify       func(appID, eventType, roomID, userID string)
	calls        []*callRecord // every life of every room, oldest first (calls.go)
	callSeq      int
}

type room struct {
	created time.Time
	members map[string]bool // user -> visible
	call    *callRecord     // this life of the room in the history
}

func (st *state) app(id string) *appState {
	a := st.apps[id]
	if a == nil {
		a = &appState{
			rooms:        make(map[string]*room),
			roomBans:     make(map[string]time.Time),
			userBans:     make(map[string]time.Time),
			roomUserBans: make(map[[2]string]time.Time),
			streamBans:   make(map[[2]string]StreamBan),
			tasks:        make(map[taskKey]*task),
			transcodes:   make(map[string]map[string]any),
			id:           id,
			notify:       st.notify,
		}
		st.apps[id] = a
	}
	return a
}

// StreamBan is the stream ban state of one user in one room.
type StreamBan struct {
	Audio, Video bool
	// Until is when the ban ends; zero means until UnbanUserStream.
	Until time.Time
}

// Join adds a user to a room, as a client SDK joining with a valid token
// would. The room is created if needed. It returns an error wrapping
// ErrBanned while the room, the user (app-wide) or the user in that room is
// banned.
func (s *Server) Join(appID, roomID, userID string) error {
	return s.join(appID, roomID, userID, true)
}

// JoinInvisible is Join for an invisible user (listed in
// InvisibleUserList by GetRoomOnlineUsers).
func (s *Server) JoinInvisible(appID, roomID, userID string) error {
	return s.join(appID, roomID, userID, false)
}

func (s *Server) join(appID, roomID, userID string, visible bool) error {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.app(appID)
	if until, ok := a.roomBans[roomID]; ok && now.Before(until) {
		return fmt.Errorf("%w: room %q is banned until %s", ErrBanned, roomID, until.Format(time.RFC3339))
	}
	if until, ok := a.userBans[userID]; ok && now.Before(until) {
		return fmt.Errorf("%w: user %q is banned from every room until %s", ErrBanned, userID, until.Format(time.RFC3339))
	}
	if until, ok := a.roomUserBans[[2]string{roomID, userID}]; ok && now.Before(until) {
		return fmt.Errorf("%w: user %q is banned from room %q until %s", ErrBanned, userID, roomID, until.Format(time.RFC3339))
	}
	r := a.rooms[roomID]
	if r == nil {
		r = &room{created: now, members: make(map[string]bool), call: a.newCall(roomID, now)}
		a.rooms[roomID] = r
		a.notify(appID, "RoomCreate", roomID, "")
	}
	if was, ok := r.members[userID]; !ok || was != visible {
		if ok {
			a.notify(appID, map[bool]string{true: "RoleChangeInvisible2Visible", false: "RoleChangeVisible2Invisible"}[visible], roomID, userID)
		} else {
			a.notify(appID, map[bool]string{true: "UserJoinRoom", false: "InvisibleUserJoinRoom"}[visible], roomID, userID)
			r.call.move(userID, now, true)
		}
	}
	r.members[userID] = visible
	return nil
}

// Leave removes a user from a room, as a client leaving would. The room
// disappears with its last user.
func (s *Server) Leave(appID, roomID, userID string) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.app(appID).removeUser(roomID, userID, now)
}

// RoomExists reports whether the room has at least one user.
func (s *Server) RoomExists(appID, roomID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.st.app(appID).rooms[roomID]
	return ok
}

// OnlineUsers returns the users in a room, visible and invisible, sorted.
func (s *Server) OnlineUsers(appID, roomID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.st.app(appID).rooms[roomID]
	if r == nil {
		return nil
	}
	out := make([]string, 0, len(r.members))
	for u := range r.members {
		out = append(out, u)
	}
	sort.Strings(out)
	return out
}

// StreamBanState returns the stream ban on a user in a room, and whether
// one is in force.
func (s *Server) StreamBanState(appID, roomID, userID string) (StreamBan, bool) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.st.app(appID).streamBans[[2]string{roomID, userID}]
	if !ok || (!b.Until.IsZero() && !now.Before(b.Until)) || (!b.Audio && !b.Video) {
		return StreamBan{}, false
	}
	return b, true
}

func (a *appState) removeUser(roomID, userID string, now time.Time) {
	r := a.rooms[roomID]
	if r == nil {
		return
	}
	if visible, ok := r.members[userID]; ok {
		a.notify(a.id, map[bool]string{true: "UserLeaveRoom", false: "InvisibleUserLeaveRoom"}[visible], roomID, userID)
		r.call.move(userID, now, false)
	}
	delete(r.members, userID)
	if len(r.members) == 0 {
		delete(a.rooms, roomID)
		r.call.destroyed = now
		a.notify(a.id, "RoomDestroy", roomID, "")
	}
}

// dismissRoom removes every user of a room, and so the room.
func (a *appState) dismissRoom(roomID string, now time.Time) {
	r := a.rooms[roomID]
	if r == nil {
		return
	}
	users := make([]string, 0, len(r.members))
	for u := range r.members {
		users = append(users, u)
	}
	slices.Sort(users)
	for _, u := range users {
		a.removeUser(roomID, u, now)
	}
}

// Vendor limits for ban durations, in seconds.
const (
	banMin, banMax               = 10, 604800
	streamBanMin, streamBanMax   = 10, 259200
	tokenLimitMin, tokenLimitMax = 60, 259200
)

func clamp(v, lo, hi int64) int64 {
	return max(lo, min(hi, v))
}

// handleBanRoomUser implements BanRoomUser: with RoomId and UserId it bans
// the user from the room; with RoomId alone, the whole room; with UserId
// alone, the user from every room of the app. Those users leave at once.
// With neither, the vendor bans by the caller's IP address, which the fake
// does not model: it answers success and bans nobody.
// ForbiddenInterval is clamped to [10, 604800] seconds, as the vendor
// documents (model BanRoomUserBody.ForbiddenInterval: below 10 becomes 10,
// so a negative value bans for 10 s); only absent or 0 means no ban (the
// users are removed but may join again).
func handleBanRoomUser(c *call) (any, *apiError) { return banRoomUser(c, true) }

// handleUpdateBanRoomUserRule sets the end of a ban to now plus
// ForbiddenInterval (same clamping); absent or 0 lifts it. Nobody is
// removed from a room.
func handleUpdateBanRoomUserRule(c *call) (any, *apiError) { return banRoomUser(c, false) }

func banRoomUser(c *call, kick bool) (any, *apiError) {
	roomID, userID := c.str("RoomId"), c.str("UserId")
	if roomID == "" && userID == "" {
		return map[string]any{"Message": "success"}, nil
	}
	secs, _ := c.num("ForbiddenInterval")
	var until time.Time
	if secs != 0 { // a negative value is below 10: it bans, it never lifts
		until = c.now.Add(time.Duration(clamp(secs, banMin, banMax)) * time.Second)
	}
	s := c.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.app(c.appID())
	switch {
	case roomID != "" && userID != "":
		setBan(a.roomUserBans, [2]string{roomID, userID}, until)
		if kick {
			a.removeUser(roomID, userID, c.now)
		}
	case roomID != "":
		setBan(a.roomBans, roomID, until)
		if kick {
			a.dismissRoom(roomID, c.now)
		}
	default:
		setBan(a.userBans, userID, until)
		if kick {
			for id := range a.rooms {
				a.removeUser(id, userID, c.now)
			}
		}
	}
	return map[string]any{"Message": "success"}, nil
}

func setBan[K comparable](m map[K]time.Time, k K, until time.Time) {
	if until.IsZero() {
		delete(m, k)
		return
	}
	m[k] = until
}

// handleKickUser removes a user from a room; the user may join again.
func handleKickUser(c *call) (any, *apiError) {
	s := c.srv
	s.mu.Lock()
	s.st.app(c.appID()).removeUser(c.str("RoomId"), c.str("UserId"), c.now)
	s.mu.Unlock()
	return map[string]any{"message": "success"}, nil
}

// handleDismissRoom empties a room. An extra ForbiddenInterval (not in the
// spec, accepted if sent) bans the room for that many seconds.
func handleDismissRoom(c *call) (any, *apiError) {
	roomID := c.str("RoomId")
	s := c.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.app(c.appID())
	a.dismissRoom(roomID, c.now)
	if secs, ok := c.num("ForbiddenInterval"); ok && secs > 0 {
		a.roomBans[roomID] = c.now.Add(time.Duration(clamp(secs, banMin, banMax)) * time.Second)
	}
	return map[string]any{"message": "success"}, nil
}

func handleGetRoomOnlineUsers(c *call) (any, *apiError) {
	s := c.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.st.app(c.appID()).rooms[c.str("RoomId")]
	if r == nil {
		return map[string]any{"RoomExists": false}, nil
	}
	visible, invisible := []string{}, []string{}
	for u, v := range r.members {
		if v {
			visible = append(visible, u)
		} else {
			invisible = append(invisible, u)
		}
	}
	slices.Sort(visible)
	slices.Sort(invisible)
	return map[string]any{
		"RoomExists":         true,
		"TotalUser":          len(visible) + len(invisible),
		"TotalInvisibleUser": len(invisible),
		"VisibleUserList":    visible,
		"InvisibleUserList":  invisible,
	}, nil
}

// flagDefaultTrue reads a bool that the vendor documents as "default true".
func (c *call) flagDefaultTrue(name string) bool {
	v, ok := c.boolean(name)
	return !ok || v
}

// handleBanUserStream bans a user's audio and/or video in a room: Audio
// and Video default to true (ban), false leaves that kind alone.
// ForbiddenInterval is clamped to [10, 259200] seconds; absent or 0 bans
// until UnbanUserStream.
func handleBanUserStream(c *call) (any, *apiError) {
	audio, video := c.flagDefaultTrue("Audio"), c.flagDefaultTrue("Video")
	secs, _ := c.num("ForbiddenInterval")
	var until time.Time
	if secs > 0 {
		until = c.now.Add(time.Duration(clamp(secs, streamBanMin, streamBanMax)) * time.Second)
	}
	s := c.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.app(c.appID())
	k := [2]string{c.str("RoomId"), c.str("UserId")}
	b := a.streamBans[k]
	if !b.Until.IsZero() && !c.now.Before(b.Until) {
		b = StreamBan{}
	}
	b.Audio = b.Audio || audio
	b.Video = b.Video || video
	b.Until = until
	a.streamBans[k] = b
	return map[string]any{"Message": "success"}, nil
}

// handleUnbanUserStream lifts a stream ban: Audio and Video default to
// true (lift), false keeps that kind banned.
func handleUnbanUserStream(c *call) (any, *apiError) {
	audio, video := c.flagDefaultTrue("Audio"), c.flagDefaultTrue("Video")
	s := c.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.app(c.appID())
	k := [2]string{c.str("RoomId"), c.str("UserId")}
	b := a.streamBans[k]
	if audio {
		b.Audio = false
	}
	if video {
		b.Video = false
	}
	if !b.Audio && !b.Video {
		delete(a.streamBans, k)
	} else {
		a.streamBans[k] = b
	}
	return map[string]any{"Message": "success"}, nil
}

// handleLimitTokenPrivilege answers with the end of the limit:
// ForbiddenInterval clamped to [60, 259200] seconds.
func handleLimitTokenPrivilege(c *call) (any, *apiError) {
	secs, _ := c.num("ForbiddenInterval")
	end := c.now.Add(time.Duration(clamp(secs, tokenLimitMin, tokenLimitMax)) * time.Second)
	return map[string]any{"Message": "success", "EndTime": end.Unix()}, nil
}
