package rtc_test

// Fuzz targets for request validation and for the signer's query
// canonicalisation. Seed corpora live in testdata/fuzz/<FuzzName>/; `make
// fuzz` runs every target for FUZZTIME.

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/internal/sigv4"
)

// relMemTransport answers every request in memory with a successful
// bare-string envelope and counts the requests; nothing touches the network.
type relMemTransport struct{ n atomic.Int64 }

func (m *relMemTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	m.n.Add(1)
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	const body = `{"ResponseMetadata":{"RequestId":"r1","Action":"StartRecord","Version":"2023-11-01","Service":"rtc","Region":"cn-north-1"},"Result":"success"}`
	return &http.Response{
		StatusCode: 200, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       r,
	}, nil
}

// FuzzValidate builds a StartRecordRequest with nested streams from fuzzed
// IDs and checks that validation never panics, is deterministic, reports a
// problem exactly for each ID that breaks rtc.ValidID (and for missing
// required fields), names it by its wire path, keeps its rule short, and
// sends nothing when it finds a problem.
func FuzzValidate(f *testing.F) {
	f.Add("app1", "room1", "task1", "", "u1", "u2", "u3", "", uint8(3))
	f.Add("", "", "", "", "", "", "", "", uint8(0))
	f.Add("app1", "room 1", "task/1", "biz#", "u 1", "", "ü", "main user", uint8(3))
	f.Add("app1", strings.Repeat("r", 129), strings.Repeat("t", 128), "@._-", "a@b.c", "-", "_", "m", uint8(2))
	f.Add("app1", "room1", "task1", "b", "\x00", "\xff", "ok", "ok", uint8(7))

	mem := &relMemTransport{}
	client, err := rtc.New(rtc.WithEndpoint("http://127.0.0.1:1"), rtc.WithHTTPClient(&http.Client{Transport: mem}),
		rtc.WithCredentials(rtc.Credentials{AccessKeyID: "AK", SecretAccessKey: "SK"}))
	require.NoError(f, err)

	f.Fuzz(func(t *testing.T, appID, roomID, taskID, businessID, user0, user1, user2, mainUser string, n uint8) {
		users := []string{user0, user1, user2}
		req := &rtc.StartRecordRequest{
			AppID: appID, RoomID: roomID, TaskID: taskID, BusinessID: businessID,
			StorageConfig: &rtc.RecordStorageConfig{TosConfig: &rtc.TosConfig{AccountID: "acc", Bucket: "b"}},
		}
		var want []string // paths expected to be reported
		if appID == "" {
			want = append(want, "AppId")
		}
		if !rtc.ValidID(roomID) {
			want = append(want, "RoomId")
		}
		if !rtc.ValidID(taskID) {
			want = append(want, "TaskId")
		}
		if businessID != "" && !rtc.ValidID(businessID) {
			want = append(want, "BusinessId")
		}
		if k := int(n % 4); k > 0 {
			req.TargetStreams = &rtc.Streams{}
			for i := 0; i < k; i++ {
				req.TargetStreams.StreamList = append(req.TargetStreams.StreamList, rtc.Stream{UserID: users[i], Index: rtc.Ptr(int32(i))})
				if !rtc.ValidID(users[i]) {
					want = append(want, "TargetStreams.StreamList["+string(rune('0'+i))+"].UserId")
				}
			}
		}
		if n&4 != 0 {
			req.Layout = &rtc.Layout{MainVideoStream: &rtc.Stream{UserID: mainUser}}
			if !rtc.ValidID(mainUser) {
				want = append(want, "Layout.MainVideoStream.UserId")
			}
		}

		before := mem.n.Load()
		_, err1 := client.StartRecord(context.Background(), req)
		_, err2 := client.StartRecord(context.Background(), req)
		sent := mem.n.Load() - before

		if len(want) == 0 {
			require.NoError(t, err1)
			require.NoError(t, err2)
			require.Equal(t, int64(2), sent)
			return
		}
		require.Equal(t, int64(0), sent, "nothing is sent when validation fails")
		var ve1, ve2 *rtc.ValidationError
		require.True(t, errors.As(err1, &ve1), "want a *ValidationError, got %v", err1)
		require.True(t, errors.As(err2, &ve2))
		require.Equal(t, ve1.Error(), ve2.Error(), "validation is deterministic")
		require.ErrorIs(t, err1, rtc.ErrInvalidParameter)
		require.Equal(t, "StartRecord", ve1.Action)
		var got []string
		for _, p := range ve1.Problems {
			got = append(got, p.Path)
			require.LessOrEqual(t, len(p.Rule), 120, "a rule stays short whatever the input: %q", p.Rule)
		}
		sort.Strings(got)
		sort.Strings(want)
		require.Equal(t, want, got)
	})
}

// relCanonicalQuery is an independent reference for the canonical query:
// pairs split on '&' (empty parts dropped) and the first '=', decoded ('+'
// is a space, %XX a byte, anything else literal), sorted by key then value,
// and re-encoded per RFC 3986 with upper-case hex.
func relCanonicalQuery(raw string) string {
	decode := func(s string) string {
		var b []byte
		for i := 0; i < len(s); i++ {
			switch c := s[i]; {
			case c == '+':
				b = append(b, ' ')
			case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
				v, _ := hex.DecodeString(s[i+1 : i+3])
				b = append(b, v[0])
				i += 2
			default:
				b = append(b, c)
			}
		}
		return string(b)
	}
	encode := func(s string) string {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			c := s[i]
			if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
				b.WriteByte(c)
			} else {
				b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
			}
		}
		return b.String()
	}
	type kv struct{ k, v string }
	var pairs []kv
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		pairs = append(pairs, kv{decode(k), decode(v)})
	}
	slices.SortFunc(pairs, func(a, b kv) int {
		if a.k != b.k {
			return strings.Compare(a.k, b.k)
		}
		return strings.Compare(a.v, b.v)
	})
	out := make([]string, len(pairs))
	for i, p := range pairs {
		out[i] = encode(p.k) + "=" + encode(p.v)
	}
	return strings.Join(out, "&")
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// relReencode writes a canonical query another, equivalent way: bits of
// mask choose, character by character, to percent-encode an unreserved
// character (in lower-case hex), to write %20 as '+', and to add empty
// '&&' parts. Every choice decodes to the same pairs.
func relReencode(canon string, mask uint64) string {
	var b strings.Builder
	bit := func(i int) bool { return mask>>(uint(i)%64)&1 == 1 }
	for i := 0; i < len(canon); i++ {
		c := canon[i]
		switch {
		case c == '%' && i+2 < len(canon):
			if canon[i+1:i+3] == "20" && bit(i) {
				b.WriteByte('+')
			} else {
				b.WriteString("%" + strings.ToLower(canon[i+1:i+3]))
			}
			i += 2
		case c == '&':
			b.WriteByte('&')
			if bit(i) {
				b.WriteByte('&')
			}
		case c == '=':
			b.WriteByte('=')
		default:
			if bit(i) {
				b.WriteString("%" + hex.EncodeToString([]byte{c}))
			} else {
				b.WriteByte(c)
			}
		}
	}
	return b.String()
}

// relShuffle reorders the '&'-separated parts of raw, driven by mask.
func relShuffle(raw string, mask uint64) string {
	parts := strings.Split(raw, "&")
	for i := len(parts) - 1; i > 0; i-- {
		j := int((mask >> (uint(i) % 64)) % uint64(i+1))
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, "&")
}

// FuzzSignerCanonical signs requests with any query string and body: Sign
// never panics and is deterministic; the canonical query equals an
// independent reference; the signature equals one recomputed with
// crypto/hmac; and it does not change when the query's pairs are reordered
// or written with equivalent encodings (%41 for A, + for %20, lower-case
// hex, empty parts).
func FuzzSignerCanonical(f *testing.F) {
	f.Add("Action=StartRecord&Version=2023-11-01", []byte(`{"AppId":"a"}`), uint64(0))
	f.Add("b=2&a=1&a=0&c", []byte{}, uint64(0xdeadbeef))
	f.Add("%41ction=x+y&Version=%zz&&=&%", []byte("body"), uint64(1<<63|5))
	f.Add("k=%E4%BD%A0%E5%A5%BD&k=~&k=%7e&sp=a b", []byte(nil), uint64(42))
	f.Add("a=%2B&a=+&a=%20&a=%25", []byte("\x00\xff"), uint64(0xffffffffffffffff))

	signer := rtc.NewSigner("cn-north-1", rtc.ServiceName)
	creds := rtc.Credentials{AccessKeyID: "AKFUZZ", SecretAccessKey: "fuzz-secret", SessionToken: "fuzz-token"}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	key := func() []byte {
		k := []byte("fuzz-secret")
		for _, m := range []string{"20260102", "cn-north-1", rtc.ServiceName, "request"} {
			h := hmac.New(sha256.New, k)
			h.Write([]byte(m))
			k = h.Sum(nil)
		}
		return k
	}()

	sign := func(t *testing.T, rawQuery string, body []byte) string {
		req := &http.Request{
			Method: http.MethodPost,
			URL:    &url.URL{Scheme: "https", Host: "rtc.volcengineapi.com", Path: "/", RawQuery: rawQuery},
			Host:   "rtc.volcengineapi.com",
			Header: http.Header{"Content-Type": {"application/json"}},
		}
		require.NoError(t, signer.Sign(req, body, creds, now))
		auth := req.Header.Get("Authorization")
		require.NotContains(t, auth, creds.SecretAccessKey)
		return auth
	}

	f.Fuzz(func(t *testing.T, rawQuery string, body []byte, mask uint64) {
		auth := sign(t, rawQuery, body)
		require.Equal(t, auth, sign(t, rawQuery, body), "deterministic")

		canon := relCanonicalQuery(rawQuery)
		require.Equal(t, canon, string(sigv4.AppendCanonicalQuery(nil, rawQuery)), "canonical query of %q", rawQuery)

		// Recompute the signature with the standard library.
		sum := sha256.Sum256(body)
		bodyHash := hex.EncodeToString(sum[:])
		cr := "POST\n/\n" + canon + "\n" +
			"content-type:application/json\nhost:rtc.volcengineapi.com\n" +
			"x-content-sha256:" + bodyHash + "\nx-date:20260102T030405Z\nx-security-token:fuzz-token\n\n" +
			"content-type;host;x-content-sha256;x-date;x-security-token\n" + bodyHash
		crSum := sha256.Sum256([]byte(cr))
		sts := "HMAC-SHA256\n20260102T030405Z\n20260102/cn-north-1/rtc/request\n" + hex.EncodeToString(crSum[:])
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(sts))
		wantSig := hex.EncodeToString(mac.Sum(nil))
		require.True(t, strings.HasSuffix(auth, "Signature="+wantSig), "signature of %q: %s", rawQuery, auth)

		// Equivalent queries sign the same.
		for _, alt := range []string{relShuffle(rawQuery, mask), canon, relReencode(canon, mask), relShuffle(relReencode(canon, ^mask), mask)} {
			require.Equal(t, auth, sign(t, alt, body), "query %q vs equivalent %q", rawQuery, alt)
		}
		// A different body signs differently.
		require.NotEqual(t, auth, sign(t, rawQuery, append(bytes.Clone(body), '!')))
	})
}
