package rtctest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSignatureChecks(t *testing.T) {
	clk := newClock(t0)
	srv := NewServer(WithClock(clk.now), WithCredentials("AK1", "secret-one"), WithCredentials("AK2", "secret-two"))
	defer srv.Close()
	body := []byte(`{"AppId":"a","RoomId":"r","UserId":"u"}`)
	base := req{method: "POST", action: "KickUser", version: "2020-12-01", body: body, ak: "AK1", sk: "secret-one"}

	cases := []struct {
		name   string
		mod    func(r *req)
		status int
		code   string
		codeN  int
	}{
		{"valid", func(r *req) {}, 200, "", 0},
		{"second key", func(r *req) { r.ak, r.sk = "AK2", "secret-two" }, 200, "", 0},
		{"wrong secret", func(r *req) { r.sk = "secret-two" }, 401, "SignatureDoesNotMatch", 100010},
		{"unknown key", func(r *req) { r.ak = "AK3" }, 401, "InvalidClientTokenId", 0},
		{"demo key not accepted when others are set", func(r *req) { r.ak, r.sk = DemoAccessKeyID, DemoSecretAccessKey }, 401, "InvalidClientTokenId", 0},
		{"clock 20 minutes behind", func(r *req) { r.at = t0.Add(-20 * time.Minute) }, 403, "InvalidTimestamp", 100006},
		{"clock 20 minutes ahead", func(r *req) { r.at = t0.Add(20 * time.Minute) }, 403, "InvalidTimestamp", 100006},
		{"clock 14 minutes ahead", func(r *req) { r.at = t0.Add(14 * time.Minute) }, 200, "", 0},
		{"other region in the scope", func(r *req) { r.region = "ap-singapore-1" }, 200, "", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := base
			tc.mod(&r)
			resp := send(t, srv, r)
			require.Equal(t, tc.status, resp.status, "%s", resp.body)
			require.Equal(t, tc.code, resp.code())
			if tc.code != "" {
				require.Equal(t, tc.codeN, resp.env.ResponseMetadata.Error.CodeN)
				require.NotContains(t, string(resp.body), "secret-")
			}
			d, err := http.ParseTime(resp.header.Get("Date"))
			require.NoError(t, err)
			require.Equal(t, t0, d.UTC(), "Date is the server clock")
		})
	}

	sign := func(t *testing.T) *http.Request {
		hr, err := http.NewRequest("POST", srv.URL+"/?Action=KickUser&Version=2020-12-01", bytes.NewReader(body))
		require.NoError(t, err)
		hr.Header.Set("Content-Type", "application/json")
		require.NoError(t, newSigner().Sign(hr, body, creds("AK1", "secret-one"), t0))
		return hr
	}
	tamper := []struct {
		name   string
		mod    func(hr *http.Request)
		status int
		code   string
	}{
		{"no Authorization", func(hr *http.Request) { hr.Header.Del("Authorization") }, 401, "MissingAuthenticationToken"},
		{"other scheme", func(hr *http.Request) { hr.Header.Set("Authorization", "Bearer x") }, 401, "MissingAuthenticationToken"},
		{"no signature", func(hr *http.Request) {
			a := hr.Header.Get("Authorization")
			hr.Header.Set("Authorization", a[:strings.Index(a, ", Signature=")])
		}, 401, "MissingSignature"},
		{"short scope", func(hr *http.Request) {
			hr.Header.Set("Authorization", "HMAC-SHA256 Credential=AK1/20260501, SignedHeaders=host, Signature=00")
		}, 400, "MissingRequestInfo"},
		{"body changed", func(hr *http.Request) {
			b := []byte(`{"AppId":"a","RoomId":"r","UserId":"v"}`)
			hr.Body, hr.ContentLength = ioNop(b), int64(len(b))
		}, 401, "SignatureDoesNotMatch"},
		{"query changed", func(hr *http.Request) { hr.URL.RawQuery += "&Extra=1" }, 401, "SignatureDoesNotMatch"},
		{"signed header changed", func(hr *http.Request) { hr.Header.Set("Content-Type", "text/plain") }, 401, "SignatureDoesNotMatch"},
		{"no X-Date", func(hr *http.Request) { hr.Header.Del("X-Date") }, 403, "InvalidTimestamp"},
		{"unsigned header added", func(hr *http.Request) { hr.Header.Set("X-Extra", "1") }, 200, ""},
	}
	for _, tc := range tamper {
		t.Run(tc.name, func(t *testing.T) {
			hr := sign(t)
			tc.mod(hr)
			resp := do(t, hr)
			require.Equal(t, tc.status, resp.status, "%s", resp.body)
			require.Equal(t, tc.code, resp.code())
		})
	}

	t.Run("recorded", func(t *testing.T) {
		reqs := srv.Requests()
		require.NotEmpty(t, reqs)
		require.True(t, reqs[0].SignatureVerified)
		require.Equal(t, "AK1", reqs[0].AccessKeyID)
		require.Equal(t, map[string]any{"AppId": "a", "RoomId": "r", "UserId": "u"}, reqs[0].Input)
		require.False(t, reqs[2].SignatureVerified)
		require.Equal(t, "SignatureDoesNotMatch", reqs[2].ErrorCode)
	})
}

func TestWithoutSignatureCheck(t *testing.T) {
	srv := NewServer(WithoutSignatureCheck())
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/?Action=KickUser&Version=2020-12-01", "application/json",
		strings.NewReader(`{"AppId":"a","RoomId":"r","UserId":"u"}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	require.False(t, srv.Requests()[0].SignatureVerified)
}

// TestVendorSignedVectors replays requests signed by the vendor's own Go
// signer (testdata/sign.json) and requires the fake to accept their
// signatures, host header included.
func TestVendorSignedVectors(t *testing.T) {
	raw, err := os.ReadFile("../testdata/sign.json")
	require.NoError(t, err)
	var vectors []struct {
		Name          string
		AccessKeyID   string `json:"access_key_id"`
		Secret        string `json:"secret_access_key"`
		Method, Host  string
		Path          string
		Query         [][2]string
		ContentType   string `json:"content_type"`
		Body          string
		Time          time.Time
		ExpectHeaders map[string]string `json:"expect_headers"`
	}
	require.NoError(t, json.Unmarshal(raw, &vectors))
	require.NotEmpty(t, vectors)
	for _, v := range vectors {
		t.Run(v.Name, func(t *testing.T) {
			srv := NewServer(WithCredentials(v.AccessKeyID, v.Secret), WithClock(func() time.Time { return v.Time }))
			defer srv.Close()
			q := make([]string, 0, len(v.Query))
			for _, p := range v.Query {
				q = append(q, url.QueryEscape(p[0])+"="+strings.ReplaceAll(url.QueryEscape(p[1]), "+", "%20"))
			}
			hr, err := http.NewRequest(v.Method, srv.URL+v.Path+"?"+strings.Join(q, "&"), strings.NewReader(v.Body))
			require.NoError(t, err)
			hr.Host = v.Host
			for k, val := range v.ExpectHeaders {
				hr.Header.Set(k, val)
			}
			resp := do(t, hr)
			require.NotContains(t, []int{401, 403}, resp.status, "%s", resp.body)
			reqs := srv.Requests()
			require.Len(t, reqs, 1)
			require.True(t, reqs[0].SignatureVerified, "%s", resp.body)
		})
	}
}
