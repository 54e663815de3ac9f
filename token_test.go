package rtc

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type tokenVector struct {
	Name          string            `json:"name"`
	AppID         string            `json:"app_id"`
	AppKey        string            `json:"app_key"`
	Room          string            `json:"room"`
	User          string            `json:"user"`
	Nonce         uint32            `json:"nonce"`
	Issued        uint32            `json:"issued"`
	Expire        uint32            `json:"expire"`
	Privs         map[string]uint32 `json:"privs"`
	ExpandedPrivs map[string]uint32 `json:"expanded_privs"`
	Token         string            `json:"token"`
}

func loadTokenVectors(t *testing.T) []tokenVector {
	t.Helper()
	raw, err := os.ReadFile("testdata/token.json")
	require.NoError(t, err)
	var vs []tokenVector
	require.NoError(t, json.Unmarshal(raw, &vs))
	require.NotEmpty(t, vs)
	return vs
}

func privMap(t *testing.T, m map[string]uint32) map[Privilege]time.Time {
	t.Helper()
	out := make(map[Privilege]time.Time, len(m))
	for k, v := range m {
		n, err := strconv.ParseUint(k, 10, 16)
		require.NoError(t, err)
		out[Privilege(n)] = wireTime(v)
	}
	return out
}

// vectorToken builds the token of a vector the way a user would: fixed
// fields, then AddPrivilege for each listed privilege.
func vectorToken(t *testing.T, v tokenVector) *AccessToken {
	t.Helper()
	tok := NewAccessToken(v.AppID, v.Room, v.User)
	tok.Nonce = v.Nonce
	tok.IssuedAt = wireTime(v.Issued)
	tok.ExpireAt = wireTime(v.Expire)
	// Add the publish privilege first so explicit entries for 1-3 would win,
	// as in the vector's expanded list.
	privs := privMap(t, v.Privs)
	for _, p := range sortedPrivileges(privs) {
		tok.AddPrivilege(p, privs[p])
	}
	return tok
}

func TestAccessTokenVectors(t *testing.T) {
	t.Parallel()
	for _, v := range loadTokenVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			tok := vectorToken(t, v)
			require.Equal(t, privMap(t, v.ExpandedPrivs), tok.Privileges, "AddPrivilege expansion")

			// The vectors check the wire format, which carries any bytes
			// (SerializeAnyID); Serialize adds the ID rule on top and
			// refuses the UTF-8 vector.
			// Their fixed times are long past, and one has no expiry:
			// the wire format is checked without the lifetime policy
			// (TestAccessTokenLifetimeFromNow checks that).
			got, err := tok.sign(v.AppKey, false, time.Time{})
			require.NoError(t, err)
			require.Equal(t, v.Token, got)
			got, err = tok.sign(v.AppKey, true, time.Time{})
			if ValidID(v.Room) && ValidID(v.User) {
				require.NoError(t, err)
				require.Equal(t, v.Token, got)
			} else {
				require.ErrorContains(t, err, "SerializeAnyID")
			}

			parsed, err := ParseAccessToken(v.Token)
			require.NoError(t, err)
			require.Equal(t, v.AppID, parsed.AppID)
			require.Equal(t, v.Room, parsed.RoomID)
			require.Equal(t, v.User, parsed.UserID)
			require.Equal(t, v.Nonce, parsed.Nonce)
			require.Equal(t, wireTime(v.Issued), parsed.IssuedAt)
			require.Equal(t, wireTime(v.Expire), parsed.ExpireAt)
			require.Equal(t, privMap(t, v.ExpandedPrivs), parsed.Privileges)

			require.True(t, parsed.Verify(v.AppKey), "right key")
			require.False(t, parsed.Verify(v.AppKey+"x"), "wrong key")
			require.False(t, parsed.Verify(""), "empty key")
			require.False(t, tok.Verify(v.AppKey), "a token that was not parsed has nothing to verify")
		})
	}
}

func TestAccessTokenNew(t *testing.T) {
	t.Parallel()
	before := time.Now().Add(-time.Second)
	a := NewAccessToken("123456781234567812345678", "room", "user")
	b := NewAccessToken("123456781234567812345678", "room", "user")
	require.Equal(t, time.Duration(0), a.IssuedAt.Sub(a.IssuedAt.Truncate(time.Second)), "whole seconds")
	require.True(t, a.IssuedAt.After(before) && !a.IssuedAt.After(time.Now()), "issued now")
	require.Equal(t, a.IssuedAt.Add(DefaultTokenLifetime), a.ExpireAt, "a day by default")
	require.Empty(t, a.Privileges)
	// Two random 32-bit nonces collide with negligible probability.
	require.NotEqual(t, a.Nonce, b.Nonce)

	var z AccessToken
	z.AddPrivilege(PrivSubscribeStream, time.Time{})
	require.Equal(t, map[Privilege]time.Time{PrivSubscribeStream: {}}, z.Privileges, "AddPrivilege on a nil map")
}

func TestAccessTokenRoundTripNow(t *testing.T) {
	t.Parallel()
	tok := NewAccessToken("661e2f2a543cf0123456789a", "*", "user-1")
	tok.ExpireAt = tok.IssuedAt.Add(24 * time.Hour)
	tok.AddPrivilege(PrivPublishStream, tok.IssuedAt.Add(time.Hour))
	tok.AddPrivilege(PrivSubscribeStream, time.Time{})
	s, err := tok.Serialize("key")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(s, "001661e2f2a543cf0123456789a"))

	got, err := ParseAccessToken(s)
	require.NoError(t, err)
	require.True(t, got.Verify("key"))
	requireSameToken(t, tok, got)
}

func requireSameToken(t *testing.T, want, got *AccessToken) {
	t.Helper()
	require.Equal(t, want.AppID, got.AppID)
	require.Equal(t, want.RoomID, got.RoomID)
	require.Equal(t, want.UserID, got.UserID)
	require.Equal(t, want.Nonce, got.Nonce)
	require.True(t, want.IssuedAt.Equal(got.IssuedAt), "IssuedAt %v vs %v", want.IssuedAt, got.IssuedAt)
	require.True(t, want.ExpireAt.Equal(got.ExpireAt), "ExpireAt %v vs %v", want.ExpireAt, got.ExpireAt)
	require.Len(t, got.Privileges, len(want.Privileges))
	for p, exp := range want.Privileges {
		g, ok := got.Privileges[p]
		require.True(t, ok, "privilege %s missing", p)
		require.True(t, exp.Equal(g), "privilege %s expiry %v vs %v", p, exp, g)
	}
}

func TestAccessTokenSerializeErrors(t *testing.T) {
	t.Parallel()
	issued := time.Unix(1764000000, 0)
	valid := func() *AccessToken {
		return &AccessToken{
			AppID: "123456781234567812345678", RoomID: "r", UserID: "u",
			IssuedAt: issued, ExpireAt: issued.Add(time.Hour),
			Privileges: map[Privilege]time.Time{PrivSubscribeStream: {}},
		}
	}
	long := strings.Repeat("x", math.MaxUint16+1)
	tests := []struct {
		name   string
		key    string
		modify func(*AccessToken)
		want   string
	}{
		{"empty key", "", func(*AccessToken) {}, "App Key is empty"},
		{"short app id", "k", func(t *AccessToken) { t.AppID = "abc" }, "AppID must be exactly 24 characters"},
		{"long app id", "k", func(t *AccessToken) { t.AppID += "0" }, "got 25"},
		{"empty room", "k", func(t *AccessToken) { t.RoomID = "" }, "RoomID is empty"},
		{"empty user", "k", func(t *AccessToken) { t.UserID = "" }, "UserID is empty"},
		{"long room", "k", func(t *AccessToken) { t.RoomID = long }, "RoomID must be 1 to 128 characters of a-z A-Z 0-9 @ . _ - (got 65536 characters)"},
		{"long user", "k", func(t *AccessToken) { t.UserID = long }, "UserID must be 1 to 128 characters of a-z A-Z 0-9 @ . _ - (got 65536 characters)"},
		{"room outside the ID rule", "k", func(t *AccessToken) { t.RoomID = "math 101 (room #2)" }, "RoomID must be 1 to 128 characters of a-z A-Z 0-9 @ . _ - (got ' ' at byte 4)"},
		{"user outside the ID rule", "k", func(t *AccessToken) { t.UserID = "用户" }, "UserID must be 1 to 128 characters of a-z A-Z 0-9 @ . _ - (got '用' at byte 0)"},
		{"user star", "k", func(t *AccessToken) { t.UserID = "*" }, "UserID must be"},
		{"no issue time", "k", func(t *AccessToken) { t.IssuedAt = time.Time{} }, "IssuedAt is not set"},
		{"issued before 1970", "k", func(t *AccessToken) { t.IssuedAt = time.Unix(-5, 0) }, "IssuedAt 1969-12-31T23:59:55Z is outside"},
		{"expiry beyond uint32", "k", func(t *AccessToken) { t.ExpireAt = time.Unix(math.MaxUint32+1, 0) }, "ExpireAt 2106-02-07T06:28:16Z is outside"},
		{"expiry before issue", "k", func(t *AccessToken) { t.ExpireAt = issued.Add(-time.Second) }, "ExpireAt (2025-11-24T15:59:59Z) is before IssuedAt"},
		{"expiry over 7 days", "k", func(t *AccessToken) { t.ExpireAt = issued.Add(7*24*time.Hour + time.Second) }, "at most 7 days"},
		{"privilege expiry over 7 days", "k", func(t *AccessToken) {
			t.AddPrivilege(PrivPublishStream, issued.Add(8*24*time.Hour))
		}, "privilege PublishStream is 192h0m0s after IssuedAt"},
		{"privilege expiry before issue", "k", func(t *AccessToken) {
			t.AddPrivilege(PrivSubscribeStream, issued.Add(-time.Hour))
		}, "privilege SubscribeStream (2025-11-24T15:00:00Z) is before IssuedAt"},
		{"privilege expiry beyond uint32", "k", func(t *AccessToken) {
			t.AddPrivilege(PrivSubscribeStream, time.Unix(math.MaxUint32+1, 0))
		}, "is outside the range"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok := valid()
			tc.modify(tok)
			s, err := tok.sign(tc.key, true, issued)
			require.Error(t, err)
			require.Empty(t, s)
			require.Contains(t, err.Error(), tc.want)
		})
	}

	// The format's own size limits, below the ID rule.
	for name, tc := range map[string]struct {
		room, user, want string
	}{
		"long room":             {long, "u", "RoomID is 65536 bytes"},
		"long user":             {"r", long, "UserID is 65536 bytes"},
		"ids too long together": {long[:40000], long[:40000], "use shorter IDs"},
	} {
		tok := valid()
		tok.RoomID, tok.UserID = tc.room, tc.user
		_, err := tok.sign("k", false, issued)
		require.ErrorContains(t, err, tc.want, name)
	}

	// The limits themselves are accepted.
	tok := valid()
	tok.ExpireAt = issued.Add(7 * 24 * time.Hour)
	tok.AddPrivilege(PrivPublishStream, tok.ExpireAt)
	tok.RoomID = "*"
	_, err := tok.sign("k", true, issued)
	require.NoError(t, err)
	tok.RoomID, tok.UserID = strings.Repeat("a", MaxIDLength), "user.name@example-1_x"
	_, err = tok.sign("k", true, issued)
	require.NoError(t, err)
}

// Serialize applies the seven days from now too (L8): a token must
// expire, not be past already, and an IssuedAt set in the future cannot
// stretch its life beyond seven days from now.
func TestAccessTokenLifetimeFromNow(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC().Truncate(time.Second)
	mk := func(issued, expire time.Time) *AccessToken {
		tok := NewAccessToken("123456781234567812345678", "room1", "user1")
		tok.IssuedAt, tok.ExpireAt = issued, expire
		tok.AddPrivilege(PrivSubscribeStream, time.Time{})
		return tok
	}
	refused := []struct {
		name string
		tok  *AccessToken
		want string
	}{
		{"no expiry", mk(now, time.Time{}), "ExpireAt is not set, so the token would never expire"},
		{"already past", mk(now.Add(-2*time.Hour), now.Add(-time.Hour)), "is already past"},
		{"issued in the future", mk(now.Add(30*24*time.Hour), now.Add(31*24*time.Hour)), "counted from now as well as from IssuedAt"},
		{"8 days from now, 7 after IssuedAt", mk(now.Add(24*time.Hour), now.Add(8*24*time.Hour)), "at most 7 days"},
	}
	for _, tc := range refused {
		for name, ser := range map[string]func(string) (string, error){"Serialize": tc.tok.Serialize, "SerializeAnyID": tc.tok.SerializeAnyID} {
			s, err := ser("k")
			require.ErrorContains(t, err, tc.want, tc.name+" "+name)
			require.Empty(t, s)
		}
	}
	accepted := []*AccessToken{
		NewAccessToken("123456781234567812345678", "room1", "user1"), // a day
		mk(now, now.Add(7*24*time.Hour)),
		mk(now.Add(-24*time.Hour), now.Add(time.Hour)),
	}
	for i, tok := range accepted {
		_, err := tok.Serialize("k")
		require.NoError(t, err, "accepted %d", i)
	}
}

func TestAccessTokenExpired(t *testing.T) {
	t.Parallel()
	issued := time.Unix(1764000000, 0)
	tok := &AccessToken{AppID: "123456781234567812345678", RoomID: "r", UserID: "u", IssuedAt: issued}
	require.False(t, tok.Expired(issued.Add(1000*time.Hour)), "no ExpireAt: never expires")
	tok.ExpireAt = issued.Add(time.Hour)
	require.False(t, tok.Expired(issued.Add(time.Hour-time.Second)))
	require.True(t, tok.Expired(issued.Add(time.Hour)), "expired at ExpireAt")
	require.True(t, tok.Expired(issued.Add(2*time.Hour)))

	tok.AddPrivilege(PrivSubscribeStream, time.Time{})
	tok.AddPrivilege(PrivPublishStream, issued.Add(30*time.Minute))
	require.Empty(t, tok.ExpiredPrivileges(issued.Add(29*time.Minute)))
	require.Equal(t, []Privilege{PrivPublishStream, PrivPublishAudioStream, PrivPublishVideoStream, PrivPublishDataStream},
		tok.ExpiredPrivileges(issued.Add(30*time.Minute)))
}

func TestAccessTokenSerializeKeepsKeyOut(t *testing.T) {
	t.Parallel()
	const key = "super-secret-app-key"
	tok := &AccessToken{AppID: "short", RoomID: "r", UserID: "u", IssuedAt: time.Unix(1, 0)}
	_, err := tok.Serialize(key)
	require.Error(t, err)
	require.NotContains(t, err.Error(), key)
	require.NotContains(t, fmt.Sprintf("%v %+v %s", tok, tok, tok), key)
}

func TestParseAccessTokenErrors(t *testing.T) {
	t.Parallel()
	const appID = "123456781234567812345678"
	enc := func(b []byte) string { return "001" + appID + base64.StdEncoding.EncodeToString(b) }
	sig := make([]byte, 32)
	withSig := func(msg []byte) []byte {
		out := appendTokenBytes(nil, string(msg))
		return appendTokenBytes(out, string(sig))
	}
	goodMsg := func() []byte {
		tok := &AccessToken{AppID: appID, RoomID: "r", UserID: "u", IssuedAt: time.Unix(10, 0),
			Privileges: map[Privilege]time.Time{1: {}, 4: {}}}
		m, err := tok.encodeMsg()
		require.NoError(t, err)
		return m
	}
	unsorted := goodMsg()
	// swap the two privilege keys (1 and 4) in place
	n := len(unsorted)
	unsorted[n-12], unsorted[n-6] = unsorted[n-6], unsorted[n-12]

	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "unsupported version"},
		{"other version", "002" + appID + "AAAA", "unsupported version"},
		{"short app id", "001abc", "too short"},
		{"not base64", "001" + appID + "!!!!", "not valid padded base64"},
		{"unpadded", "001" + appID + "AAA", "not valid padded base64"},
		{"empty content", "001" + appID, "truncated (reading message length)"},
		{"no signature", enc(appendTokenBytes(nil, "abc")), "truncated (reading signature length)"},
		{"short signature", enc(append(appendTokenBytes(nil, "abc"), appendTokenBytes(nil, "sig")...)), "signature is 3 bytes"},
		{"trailing bytes", enc(append(withSig(goodMsg()), 0)), "1 unexpected bytes after the signature"},
		{"message too short", enc(withSig([]byte{1, 2, 3})), "message is truncated (reading nonce)"},
		{"room length past end", enc(withSig(append(make([]byte, 12), 0xff, 0xff))), "message is truncated (reading room ID)"},
		{"privilege count too big", enc(withSig(goodMsg()[:len(goodMsg())-12])), "2 privileges announced"},
		{"message trailing bytes", enc(withSig(append(goodMsg(), 9))), "1 unexpected bytes after the privileges"},
		{"unsorted privileges", enc(withSig(unsorted)), "out of order or repeated"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := ParseAccessToken(tc.in)
			require.Error(t, err)
			require.Nil(t, tok)
			require.Contains(t, err.Error(), tc.want)
		})
	}

	// The well-formed message used above parses.
	tok, err := ParseAccessToken(enc(withSig(goodMsg())))
	require.NoError(t, err)
	require.Equal(t, "r", tok.RoomID)
	require.False(t, tok.Verify("k"), "all-zero signature")
}

func TestPrivilegeString(t *testing.T) {
	t.Parallel()
	tests := map[Privilege]string{
		PrivPublishStream:      "PublishStream",
		PrivPublishAudioStream: "PublishAudioStream",
		PrivPublishVideoStream: "PublishVideoStream",
		PrivPublishDataStream:  "PublishDataStream",
		PrivSubscribeStream:    "SubscribeStream",
		Privilege(77):          "Privilege(77)",
	}
	for p, want := range tests {
		require.Equal(t, want, p.String())
	}
}

func TestAccessTokenString(t *testing.T) {
	t.Parallel()
	tok := &AccessToken{AppID: "a", RoomID: "r", UserID: "u", Nonce: 7, IssuedAt: time.Unix(1764000000, 0),
		Privileges: map[Privilege]time.Time{PrivSubscribeStream: {}, PrivPublishAudioStream: time.Unix(1764086400, 0)}}
	require.Equal(t,
		`AccessToken{AppID:"a" RoomID:"r" UserID:"u" Nonce:7 IssuedAt:2025-11-24T16:00:00Z ExpireAt:never Privileges:[PublishAudioStream=2025-11-25T16:00:00Z SubscribeStream=never]}`,
		tok.String())
	require.Equal(t, "AccessToken(nil)", (*AccessToken)(nil).String())
}

// FuzzParseAccessToken feeds arbitrary text to ParseAccessToken. Whatever
// parses must re-encode to exactly the same text (the format is canonical),
// and when its fields pass Serialize's checks, serialising and parsing again
// must give the same token back.
func FuzzParseAccessToken(f *testing.F) {
	for _, v := range []string{
		"001123456781234567812345678OgABAAAAAIEkaYDSJWkFAHJvb20xBQB1c2VyMQUAAACA0iVpAQCA0iVpAgCA0iVpAwCA0iVpBAAAAAAAIADLNI8ru6pSuKRv94Su+sbYNGvIHwU89A80fchzxH0IXw==",
		"",
		"001",
		"001ffffffffffffffffffffffffAAAA",
	} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := ParseAccessToken(s)
		if err != nil {
			require.Nil(t, tok)
			return
		}
		msg, err := tok.encodeMsgUnchecked()
		require.NoError(t, err)
		require.Equal(t, tok.msg, msg, "message re-encodes identically")
		require.Equal(t, s, encodeToken(tok.AppID, tok.msg, tok.sig), "token re-encodes identically")
		_ = tok.Verify("key")

		out, err := tok.Serialize("key")
		if err != nil {
			return // fields the service would refuse (e.g. a 10-day expiry)
		}
		back, err := ParseAccessToken(out)
		require.NoError(t, err)
		require.True(t, back.Verify("key"))
		requireSameToken(t, tok, back)
	})
}

// encodeMsgUnchecked builds the message without Serialize's policy checks
// (lifetime, empty IDs), for the fuzz test's re-encoding property.
func (t *AccessToken) encodeMsgUnchecked() ([]byte, error) {
	issued, err := tokenTime("IssuedAt", t.IssuedAt)
	if err != nil {
		return nil, err
	}
	expire, err := tokenTime("ExpireAt", t.ExpireAt)
	if err != nil {
		return nil, err
	}
	msg := make([]byte, 0, 64)
	msg = appendU32(msg, t.Nonce, issued, expire)
	msg = appendTokenBytes(msg, t.RoomID)
	msg = appendTokenBytes(msg, t.UserID)
	keys := sortedPrivileges(t.Privileges)
	msg = append(msg, byte(len(keys)), byte(len(keys)>>8))
	for _, p := range keys {
		exp, err := tokenTime("privilege", t.Privileges[p])
		if err != nil {
			return nil, err
		}
		msg = append(msg, byte(p), byte(p>>8))
		msg = appendU32(msg, exp)
	}
	return msg, nil
}

func appendU32(dst []byte, vs ...uint32) []byte {
	for _, v := range vs {
		dst = append(dst, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
	}
	return dst
}

func BenchmarkAccessTokenSerialize(b *testing.B) {
	issued := time.Now().Truncate(time.Second)
	tok := &AccessToken{AppID: "123456781234567812345678", RoomID: "room1", UserID: "user1", Nonce: 1,
		IssuedAt: issued, ExpireAt: issued.Add(24 * time.Hour)}
	tok.AddPrivilege(PrivPublishStream, tok.ExpireAt)
	tok.AddPrivilege(PrivSubscribeStream, time.Time{})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := tok.Serialize("app key"); err != nil {
			b.Fatal(err)
		}
	}
}

// A parsed token keeps the signed message and signature that, with the
// App ID, are the token text: no fmt verb and no slog handler prints them,
// for the token or a pointer to it (L2).
func TestAccessTokenPrintsNoCredential(t *testing.T) {
	t.Parallel()
	tok := NewAccessToken("123456781234567812345678", "room1", "user1")
	tok.ExpireAt = tok.IssuedAt.Add(time.Hour)
	tok.AddPrivilege(PrivSubscribeStream, time.Time{})
	text, err := tok.Serialize("app-key-for-format-test")
	require.NoError(t, err)
	parsed, err := ParseAccessToken(text)
	require.NoError(t, err)
	forbidden := []string{
		text, text[len(tokenVersion)+tokenAppIDLen:],
		base64.StdEncoding.EncodeToString(parsed.sig), fmt.Sprintf("%x", parsed.sig),
		fmt.Sprintf("%v", parsed.sig), fmt.Sprintf("%#v", parsed.sig),
		fmt.Sprintf("%v", parsed.msg), fmt.Sprintf("%#v", parsed.msg),
	}
	var texts []string
	for _, v := range []any{parsed, *parsed, []any{parsed}, map[string]any{"t": *parsed}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
			texts = append(texts, fmt.Sprintf(verb, v))
		}
	}
	var logs strings.Builder
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "tok", parsed, "val", *parsed)
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "tok", parsed, "val", *parsed)
	texts = append(texts, logs.String())
	for _, s := range texts {
		for _, f := range forbidden {
			require.NotContains(t, s, f)
		}
		require.Contains(t, s, "user1", "the token's fields still print")
	}
	require.Equal(t, parsed.String(), fmt.Sprintf("%v", parsed))
	require.Equal(t, parsed.String(), fmt.Sprintf("%+v", *parsed))
	require.Equal(t, strconv.Quote(parsed.String()), fmt.Sprintf("%q", parsed))
	require.Equal(t, fmt.Sprintf(`rtc.AccessToken{AppID:"123456781234567812345678", RoomID:"room1", UserID:"user1", Nonce:0x%x, IssuedAt:time.Unix(%d, 0), ExpireAt:time.Unix(%d, 0), Privileges:map[rtc.Privilege]time.Time{4:time.Time{}}}`,
		parsed.Nonce, parsed.IssuedAt.Unix(), parsed.ExpireAt.Unix()), fmt.Sprintf("%#v", parsed))
	require.Contains(t, logs.String(), `"user_id":"user1"`)
	require.Contains(t, logs.String(), `tok.privileges="SubscribeStream=never"`)
	require.True(t, parsed.Verify("app-key-for-format-test"), "printing leaves the token intact")
}
