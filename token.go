package rtc

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Privilege is one right an RTC access token can grant to the user who joins
// a room with it. The numeric values are the keys used on the wire.
type Privilege uint16

// The privileges an access token can carry.
const (
	// PrivPublishStream lets the user publish any stream. Granting it with
	// AddPrivilege also grants the audio, video and data publish privileges.
	PrivPublishStream Privilege = 0
	// PrivPublishAudioStream lets the user publish audio.
	PrivPublishAudioStream Privilege = 1
	// PrivPublishVideoStream lets the user publish video.
	PrivPublishVideoStream Privilege = 2
	// PrivPublishDataStream lets the user publish data messages.
	PrivPublishDataStream Privilege = 3
	// PrivSubscribeStream lets the user subscribe to other users' streams.
	PrivSubscribeStream Privilege = 4
)

// String returns the privilege's name, or "Privilege(n)" for a key this
// package does not know.
func (p Privilege) String() string {
	switch p {
	case PrivPublishStream:
		return "PublishStream"
	case PrivPublishAudioStream:
		return "PublishAudioStream"
	case PrivPublishVideoStream:
		return "PublishVideoStream"
	case PrivPublishDataStream:
		return "PublishDataStream"
	case PrivSubscribeStream:
		return "SubscribeStream"
	}
	return "Privilege(" + strconv.FormatUint(uint64(p), 10) + ")"
}

// Limits of the access token format.
const (
	tokenVersion  = "001"
	tokenAppIDLen = 24
	tokenSigLen   = sha256.Size
	tokenMaxField = math.MaxUint16
)

// AccessToken describes an RTC access token: the credential a client app
// presents to join one room (or any room, with RoomID "*") as one user, with
// the given privileges until the given times.
//
// A zero time.Time in a privilege's expiry means "until the token
// expires" and is written as 0 on the wire; the token format also allows a
// zero ExpireAt ("no expiry"), which Serialize refuses, as the service
// accepts tokens that expire at most seven days after they were issued. The App Key that signs the token is
// never stored in the value: it is passed to Serialize and Verify.
type AccessToken struct {
	AppID  string // the 24-character App ID of the RTC application
	RoomID string // the room the token admits to; "*" admits to any room
	UserID string // the user the token is for

	Nonce    uint32    // random value that makes each token distinct
	IssuedAt time.Time // when the token was issued (whole seconds)
	ExpireAt time.Time // when the token stops being accepted; zero = never

	// Privileges maps each granted privilege to its expiry (zero = never).
	Privileges map[Privilege]time.Time

	// Set by ParseAccessToken: the signed message and its signature exactly
	// as they appeared in the text, so Verify checks what was received.
	msg []byte
	sig []byte
}

// DefaultTokenLifetime is how long a token from NewAccessToken stays
// valid unless ExpireAt is changed: a day. The service accepts at most
// seven days (MaxTokenLifetime).
const DefaultTokenLifetime = 24 * time.Hour

// MaxTokenLifetime is the longest validity the service accepts for a
// token: seven days. Serialize counts it both from IssuedAt and from now.
const MaxTokenLifetime = 7 * 24 * time.Hour

// tokenClockSkew is how far IssuedAt may lie ahead of the local clock
// when Serialize counts MaxTokenLifetime from now.
const tokenClockSkew = time.Minute

// NewAccessToken returns a token for userID in roomID of the application
// appID, with a random nonce, issued now (truncated to whole seconds),
// expiring DefaultTokenLifetime (a day) later, and with no privileges. Set
// ExpireAt to change the expiry and call AddPrivilege before Serialize.
func NewAccessToken(appID, roomID, userID string) *AccessToken {
	var b [4]byte
	// crypto/rand.Read never returns an error on supported platforms.
	_, _ = rand.Read(b[:])
	issued := time.Now().UTC().Truncate(time.Second)
	return &AccessToken{
		AppID:      appID,
		RoomID:     roomID,
		UserID:     userID,
		Nonce:      binary.LittleEndian.Uint32(b[:]),
		IssuedAt:   issued,
		ExpireAt:   issued.Add(DefaultTokenLifetime),
		Privileges: make(map[Privilege]time.Time),
	}
}

// AddPrivilege grants p until expireAt (zero = as long as the token). Granting
// PrivPublishStream also grants PrivPublishAudioStream,
// PrivPublishVideoStream and PrivPublishDataStream with the same expiry, as
// the service expects.
func (t *AccessToken) AddPrivilege(p Privilege, expireAt time.Time) {
	if t.Privileges == nil {
		t.Privileges = make(map[Privilege]time.Time)
	}
	t.Privileges[p] = expireAt
	if p == PrivPublishStream {
		t.Privileges[PrivPublishAudioStream] = expireAt
		t.Privileges[PrivPublishVideoStream] = expireAt
		t.Privileges[PrivPublishDataStream] = expireAt
	}
}

// Serialize signs the token with the application's App Key and returns its
// text form, ready to hand to a client app. It checks the token first and
// returns an error saying what to fix when a field cannot be encoded or the
// service would refuse it: a wrong App ID length; no ExpireAt (a token that
// never expires is more than the seven days the service accepts); an
// ExpireAt before IssuedAt, already past, or more than MaxTokenLifetime
// after IssuedAt or after now (so an IssuedAt set in the future cannot
// stretch the seven days); or a RoomID or UserID outside the ID rule of
// ValidID: 1 to 128 characters of a-z A-Z 0-9 @ . _ -, the IDs every API
// call accepts. RoomID "*" (any room) is allowed; SerializeAnyID skips the
// ID rule for IDs that only client SDKs use.
func (t *AccessToken) Serialize(appKey string) (string, error) {
	return t.sign(appKey, true, time.Now())
}

// SerializeAnyID is Serialize without the OpenAPI ID rule on RoomID and
// UserID. The token format carries any bytes, and the service that admits
// clients to rooms does not apply the OpenAPI's character rule to tokens, so
// an app whose client SDK joins rooms named, say, "数学 101" needs tokens for
// them. Such rooms and users cannot be named in OpenAPI calls (bans, kicks,
// recording): prefer Serialize unless you know the IDs come from elsewhere.
// Every other check of Serialize still applies.
func (t *AccessToken) SerializeAnyID(appKey string) (string, error) {
	return t.sign(appKey, false, time.Now())
}

// sign checks the token (the ID rule when checkIDs, the lifetime as seen
// from now unless now is zero, which only the wire-format tests use),
// encodes and signs it.
func (t *AccessToken) sign(appKey string, checkIDs bool, now time.Time) (string, error) {
	if appKey == "" {
		return "", errors.New("rtc: access token: the App Key is empty; pass the App Key of the RTC application from the console")
	}
	if checkIDs {
		if t.RoomID != "*" && t.RoomID != "" && !ValidID(t.RoomID) {
			return "", fmt.Errorf("rtc: access token: RoomID %s; a token for it would admit to a room no API call can address (\"*\" admits to any room; SerializeAnyID signs IDs that only client SDKs use)", idRule+" (got "+describeID(t.RoomID)+")")
		}
		if t.UserID != "" && !ValidID(t.UserID) {
			return "", fmt.Errorf("rtc: access token: UserID %s; SerializeAnyID signs IDs that only client SDKs use", idRule+" (got "+describeID(t.UserID)+")")
		}
	}
	msg, err := t.encodeMsg()
	if err != nil {
		return "", err
	}
	if !now.IsZero() {
		if err := t.checkLifetime(now); err != nil {
			return "", err
		}
	}
	return encodeToken(t.AppID, msg, tokenSignature(appKey, msg)), nil
}

// checkLifetime applies the service's seven-day limit as seen from now:
// a token must expire, not yet have expired, and expire at most
// MaxTokenLifetime from now (the limit from IssuedAt is encodeMsg's).
func (t *AccessToken) checkLifetime(now time.Time) error {
	if t.ExpireAt.IsZero() {
		return errors.New("rtc: access token: ExpireAt is not set, so the token would never expire; the service accepts at most 7 days: set ExpireAt (NewAccessToken sets a day)")
	}
	if !t.ExpireAt.After(now) {
		return fmt.Errorf("rtc: access token: ExpireAt (%s) is already past (now %s); set an expiry in the future, at most 7 days away",
			t.ExpireAt.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if d := t.ExpireAt.Sub(now); d > MaxTokenLifetime+tokenClockSkew {
		return fmt.Errorf("rtc: access token: ExpireAt is %s from now; the service accepts at most 7 days (168h0m0s), counted from now as well as from IssuedAt (is IssuedAt in the future?)",
			d.Round(time.Second))
	}
	return nil
}

// Expired reports whether the token has expired at now: its ExpireAt is set
// and not after now. A token with a zero ExpireAt never expires.
func (t *AccessToken) Expired(now time.Time) bool {
	return !t.ExpireAt.IsZero() && !now.Before(t.ExpireAt)
}

// ExpiredPrivileges returns, in ascending order, the privileges whose expiry
// is set and not after now. A client holding the token can no longer use
// them even while the token itself is valid.
func (t *AccessToken) ExpiredPrivileges(now time.Time) []Privilege {
	var out []Privilege
	for _, p := range sortedPrivileges(t.Privileges) {
		if exp := t.Privileges[p]; !exp.IsZero() && !now.Before(exp) {
			out = append(out, p)
		}
	}
	return out
}

// Verify reports whether a token read by ParseAccessToken was signed with
// appKey. It checks the signature only, in constant time; it does not look at
// the expiry times (use Expired and ExpiredPrivileges for that). The App ID in
// the text is not covered by the signature. Verify returns false for a token
// that was not parsed and for an empty key.
func (t *AccessToken) Verify(appKey string) bool {
	if appKey == "" || t.msg == nil || len(t.sig) != tokenSigLen {
		return false
	}
	return hmac.Equal(tokenSignature(appKey, t.msg), t.sig)
}

// String describes the token for logs: its IDs, times and privileges. A token
// holds no secret, so nothing is redacted.
func (t *AccessToken) String() string {
	if t == nil {
		return "AccessToken(nil)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "AccessToken{AppID:%q RoomID:%q UserID:%q Nonce:%d IssuedAt:%s ExpireAt:%s Privileges:[",
		t.AppID, t.RoomID, t.UserID, t.Nonce, formatTokenTime(t.IssuedAt), formatTokenTime(t.ExpireAt))
	for i, p := range sortedPrivileges(t.Privileges) {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p.String())
		b.WriteByte('=')
		b.WriteString(formatTokenTime(t.Privileges[p]))
	}
	b.WriteString("]}")
	return b.String()
}

// Format prints the token as String does, under every verb (%q quotes it,
// %#v is GoString). A parsed token keeps its signed message and signature,
// which together with the App ID are the token itself, a credential: no
// verb prints them.
func (t AccessToken) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		_, _ = io.WriteString(f, t.GoString())
	case verb == 'q':
		_, _ = io.WriteString(f, strconv.Quote(t.String()))
	default:
		_, _ = io.WriteString(f, t.String())
	}
}

// GoString prints the token's fields as a Go composite literal, for %#v;
// the signed message and signature of a parsed token are left out.
func (t AccessToken) GoString() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rtc.AccessToken{AppID:%q, RoomID:%q, UserID:%q, Nonce:0x%x, IssuedAt:%s, ExpireAt:%s, Privileges:map[rtc.Privilege]time.Time{",
		t.AppID, t.RoomID, t.UserID, t.Nonce, goTokenTime(t.IssuedAt), goTokenTime(t.ExpireAt))
	for i, p := range sortedPrivileges(t.Privileges) {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%d:%s", uint16(p), goTokenTime(t.Privileges[p]))
	}
	b.WriteString("}}")
	return b.String()
}

func goTokenTime(tm time.Time) string {
	if tm.IsZero() {
		return "time.Time{}"
	}
	return "time.Unix(" + strconv.FormatInt(tm.Unix(), 10) + ", 0)"
}

// LogValue makes log/slog show the token's IDs, times and privileges, as
// String does, and never its signed message or signature.
func (t AccessToken) LogValue() slog.Value {
	privs := make([]string, 0, len(t.Privileges))
	for _, p := range sortedPrivileges(t.Privileges) {
		privs = append(privs, p.String()+"="+formatTokenTime(t.Privileges[p]))
	}
	return slog.GroupValue(
		slog.String("app_id", t.AppID), slog.String("room_id", t.RoomID), slog.String("user_id", t.UserID),
		slog.Uint64("nonce", uint64(t.Nonce)),
		slog.String("issued_at", formatTokenTime(t.IssuedAt)), slog.String("expire_at", formatTokenTime(t.ExpireAt)),
		slog.String("privileges", strings.Join(privs, " ")))
}

func formatTokenTime(tm time.Time) string {
	if tm.IsZero() {
		return "never"
	}
	return tm.UTC().Format(time.RFC3339)
}

func sortedPrivileges(m map[Privilege]time.Time) []Privilege {
	keys := make([]Privilege, 0, len(m))
	for p := range m {
		keys = append(keys, p)
	}
	slices.Sort(keys)
	return keys
}

// tokenTime converts t to the wire's uint32 unix seconds (0 for the zero time).
func tokenTime(field string, t time.Time) (uint32, error) {
	if t.IsZero() {
		return 0, nil
	}
	s := t.Unix()
	if s < 0 || s > math.MaxUint32 {
		return 0, fmt.Errorf("rtc: access token: %s %s is outside the range a token can encode (1970-01-01 to 2106-02-07 UTC)",
			field, t.UTC().Format(time.RFC3339))
	}
	return uint32(s), nil
}

// checkExpiry enforces "not before issue, at most seven days after it".
func checkExpiry(field string, issued, expire uint32) error {
	if expire == 0 {
		return nil
	}
	if expire < issued {
		return fmt.Errorf("rtc: access token: %s (%s) is before IssuedAt (%s); set an expiry after the issue time",
			field, time.Unix(int64(expire), 0).UTC().Format(time.RFC3339), time.Unix(int64(issued), 0).UTC().Format(time.RFC3339))
	}
	if time.Duration(expire-issued)*time.Second > MaxTokenLifetime {
		return fmt.Errorf("rtc: access token: %s is %s after IssuedAt; the service accepts at most 7 days (168h0m0s)",
			field, time.Duration(expire-issued)*time.Second)
	}
	return nil
}

// encodeMsg checks the token and builds the signed message.
func (t *AccessToken) encodeMsg() ([]byte, error) {
	if len(t.AppID) != tokenAppIDLen {
		return nil, fmt.Errorf("rtc: access token: AppID must be exactly %d characters (the App ID from the RTC console), got %d",
			tokenAppIDLen, len(t.AppID))
	}
	if err := checkTokenID("RoomID", t.RoomID); err != nil {
		return nil, err
	}
	if err := checkTokenID("UserID", t.UserID); err != nil {
		return nil, err
	}
	if t.IssuedAt.IsZero() {
		return nil, errors.New("rtc: access token: IssuedAt is not set; create the token with NewAccessToken or set IssuedAt")
	}
	issued, err := tokenTime("IssuedAt", t.IssuedAt)
	if err != nil {
		return nil, err
	}
	expire, err := tokenTime("ExpireAt", t.ExpireAt)
	if err != nil {
		return nil, err
	}
	if err := checkExpiry("ExpireAt", issued, expire); err != nil {
		return nil, err
	}
	if len(t.Privileges) > math.MaxUint16 {
		return nil, fmt.Errorf("rtc: access token: %d privileges is more than a token can hold (%d)", len(t.Privileges), math.MaxUint16)
	}
	keys := sortedPrivileges(t.Privileges)
	size := 4 + 4 + 4 + 2 + len(t.RoomID) + 2 + len(t.UserID) + 2 + len(keys)*6
	if size > tokenMaxField {
		return nil, fmt.Errorf("rtc: access token: room ID, user ID and privileges take %d bytes together, more than a token can hold (%d); use shorter IDs",
			size, tokenMaxField)
	}
	msg := make([]byte, 0, size)
	msg = binary.LittleEndian.AppendUint32(msg, t.Nonce)
	msg = binary.LittleEndian.AppendUint32(msg, issued)
	msg = binary.LittleEndian.AppendUint32(msg, expire)
	msg = appendTokenBytes(msg, t.RoomID)
	msg = appendTokenBytes(msg, t.UserID)
	msg = binary.LittleEndian.AppendUint16(msg, uint16(len(keys)))
	for _, p := range keys {
		field := "the expiry of privilege " + p.String()
		exp, err := tokenTime(field, t.Privileges[p])
		if err != nil {
			return nil, err
		}
		if err := checkExpiry(field, issued, exp); err != nil {
			return nil, err
		}
		msg = binary.LittleEndian.AppendUint16(msg, uint16(p))
		msg = binary.LittleEndian.AppendUint32(msg, exp)
	}
	return msg, nil
}

func checkTokenID(field, v string) error {
	if v == "" {
		return fmt.Errorf("rtc: access token: %s is empty; set it (RoomID \"*\" admits to any room)", field)
	}
	if len(v) > tokenMaxField {
		return fmt.Errorf("rtc: access token: %s is %d bytes, more than a token can hold (%d)", field, len(v), tokenMaxField)
	}
	return nil
}

func appendTokenBytes(dst []byte, s string) []byte {
	dst = binary.LittleEndian.AppendUint16(dst, uint16(len(s)))
	return append(dst, s...)
}

func tokenSignature(appKey string, msg []byte) []byte {
	m := hmac.New(sha256.New, []byte(appKey))
	m.Write(msg)
	return m.Sum(nil)
}

// encodeToken builds "001" + AppID + base64(bytes(msg) || bytes(sig)).
func encodeToken(appID string, msg, sig []byte) string {
	content := make([]byte, 0, 2+len(msg)+2+len(sig))
	content = binary.LittleEndian.AppendUint16(content, uint16(len(msg)))
	content = append(content, msg...)
	content = binary.LittleEndian.AppendUint16(content, uint16(len(sig)))
	content = append(content, sig...)
	var b strings.Builder
	b.Grow(len(tokenVersion) + len(appID) + base64.StdEncoding.EncodedLen(len(content)))
	b.WriteString(tokenVersion)
	b.WriteString(appID)
	b.WriteString(base64.StdEncoding.EncodeToString(content))
	return b.String()
}

// tokenReader reads little-endian fields and remembers the first failure.
type tokenReader struct {
	b    []byte
	what string // the part being read, for error messages
	err  error
}

func (r *tokenReader) fail(field string) {
	if r.err == nil {
		r.err = fmt.Errorf("rtc: access token: %s is truncated (reading %s)", r.what, field)
	}
}

func (r *tokenReader) u16(field string) uint16 {
	if r.err != nil || len(r.b) < 2 {
		r.fail(field)
		return 0
	}
	v := binary.LittleEndian.Uint16(r.b)
	r.b = r.b[2:]
	return v
}

func (r *tokenReader) u32(field string) uint32 {
	if r.err != nil || len(r.b) < 4 {
		r.fail(field)
		return 0
	}
	v := binary.LittleEndian.Uint32(r.b)
	r.b = r.b[4:]
	return v
}

func (r *tokenReader) bytes(field string) []byte {
	n := int(r.u16(field + " length"))
	if r.err != nil || len(r.b) < n {
		r.fail(field)
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

func wireTime(v uint32) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.Unix(int64(v), 0).UTC()
}

// ParseAccessToken reads the text form of an access token. It decodes every
// field but does not check the signature: call Verify with the App Key for
// that. Times are returned in UTC; 0 on the wire becomes the zero time.
// Malformed input of any kind yields an error, never a panic.
func ParseAccessToken(s string) (*AccessToken, error) {
	if len(s) < len(tokenVersion) || s[:len(tokenVersion)] != tokenVersion {
		return nil, errors.New("rtc: access token: unsupported version; a token starts with \"001\"")
	}
	if len(s) < len(tokenVersion)+tokenAppIDLen {
		return nil, fmt.Errorf("rtc: access token: too short (%d characters) to hold the version and a %d-character App ID", len(s), tokenAppIDLen)
	}
	appID := s[len(tokenVersion) : len(tokenVersion)+tokenAppIDLen]
	content, err := base64.StdEncoding.Strict().DecodeString(s[len(tokenVersion)+tokenAppIDLen:])
	if err != nil {
		return nil, fmt.Errorf("rtc: access token: the part after the App ID is not valid padded base64: %w", err)
	}
	outer := tokenReader{b: content, what: "token"}
	msg := outer.bytes("message")
	sig := outer.bytes("signature")
	if outer.err != nil {
		return nil, outer.err
	}
	if len(outer.b) != 0 {
		return nil, fmt.Errorf("rtc: access token: %d unexpected bytes after the signature", len(outer.b))
	}
	if len(sig) != tokenSigLen {
		return nil, fmt.Errorf("rtc: access token: signature is %d bytes, want %d (HMAC-SHA256)", len(sig), tokenSigLen)
	}

	r := tokenReader{b: msg, what: "message"}
	t := &AccessToken{AppID: appID}
	t.Nonce = r.u32("nonce")
	t.IssuedAt = wireTime(r.u32("issued-at"))
	t.ExpireAt = wireTime(r.u32("expire-at"))
	t.RoomID = string(r.bytes("room ID"))
	t.UserID = string(r.bytes("user ID"))
	n := int(r.u16("privilege count"))
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) < n*6 {
		return nil, fmt.Errorf("rtc: access token: message is truncated (%d privileges announced, room for %d)", n, len(r.b)/6)
	}
	t.Privileges = make(map[Privilege]time.Time, n)
	var prev Privilege
	for i := 0; i < n; i++ {
		p := Privilege(r.u16("privilege key"))
		exp := r.u32("privilege expiry")
		if i > 0 && p <= prev {
			// The format lists each privilege once, in ascending key order.
			return nil, fmt.Errorf("rtc: access token: privilege %s is out of order or repeated; privileges must be sorted by key", p)
		}
		prev = p
		t.Privileges[p] = wireTime(exp)
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("rtc: access token: %d unexpected bytes after the privileges", len(r.b))
	}
	t.msg = msg
	t.sig = sig
	return t, nil
}
