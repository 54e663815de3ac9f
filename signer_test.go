package rtc

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type signVector struct {
	Name            string            `json:"name"`
	AccessKeyID     string            `json:"access_key_id"`
	SecretAccessKey string            `json:"secret_access_key"`
	SessionToken    string            `json:"session_token"`
	Region          string            `json:"region"`
	Service         string            `json:"service"`
	Method          string            `json:"method"`
	Host            string            `json:"host"`
	Path            string            `json:"path"`
	Query           [][2]string       `json:"query"`
	ContentType     string            `json:"content_type"`
	Body            string            `json:"body"`
	Time            time.Time         `json:"time"`
	Expect          map[string]string `json:"expect_headers"`
}

func loadSignVectors(t testing.TB) []signVector {
	b, err := os.ReadFile("testdata/sign.json")
	require.NoError(t, err)
	var vs []signVector
	require.NoError(t, json.Unmarshal(b, &vs))
	require.NotEmpty(t, vs)
	return vs
}

func (v signVector) request(t testing.TB) *http.Request {
	q := make([]string, 0, len(v.Query))
	for _, kv := range v.Query {
		q = append(q, url.QueryEscape(kv[0])+"="+url.QueryEscape(kv[1]))
	}
	u := "https://" + v.Host + v.Path + "?" + strings.Join(q, "&")
	req, err := http.NewRequest(v.Method, u, strings.NewReader(v.Body))
	require.NoError(t, err)
	ct := v.ContentType
	if ct == "" {
		ct = v.Expect["Content-Type"]
	}
	req.Header.Set("Content-Type", ct)
	return req
}

func TestSignerVectors(t *testing.T) {
	t.Parallel()
	for _, v := range loadSignVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			s := NewSigner(v.Region, v.Service)
			creds := Credentials{AccessKeyID: v.AccessKeyID, SecretAccessKey: v.SecretAccessKey, SessionToken: v.SessionToken}
			for i := 0; i < 2; i++ { // the second round uses the cached key
				req := v.request(t)
				require.NoError(t, s.Sign(req, []byte(v.Body), creds, v.Time))
				for k, want := range v.Expect {
					require.Equal(t, want, req.Header.Get(k), k)
				}
				if v.SessionToken == "" {
					require.Empty(t, req.Header.Get("X-Security-Token"))
				}
			}
		})
	}
}

func TestSignerErrors(t *testing.T) {
	t.Parallel()
	req, _ := http.NewRequest("GET", "https://rtc.volcengineapi.com/?Action=A&Version=B", nil)
	good := Credentials{AccessKeyID: "ak", SecretAccessKey: "sk"}
	require.ErrorContains(t, NewSigner("cn-north-1", "rtc").Sign(nil, nil, good, time.Now()), "nil")
	require.ErrorContains(t, NewSigner("cn-north-1", "rtc").Sign(req, nil, Credentials{AccessKeyID: "ak"}, time.Now()), "secret access key")
	require.ErrorContains(t, NewSigner("", "rtc").Sign(req, nil, good, time.Now()), "region")
}

func TestSignerKeyCacheFollowsDateAndSecret(t *testing.T) {
	t.Parallel()
	v := loadSignVectors(t)[0]
	s := NewSigner(v.Region, v.Service)
	creds := Credentials{AccessKeyID: v.AccessKeyID, SecretAccessKey: v.SecretAccessKey}
	// Prime the cache with another secret and another day, then sign the vector.
	req := v.request(t)
	require.NoError(t, s.Sign(req, []byte(v.Body), Credentials{AccessKeyID: "x", SecretAccessKey: "other"}, v.Time.AddDate(0, 0, -1)))
	req = v.request(t)
	require.NoError(t, s.Sign(req, []byte(v.Body), creds, v.Time))
	require.Equal(t, v.Expect["Authorization"], req.Header.Get("Authorization"))
}

func TestSignerDebugMatchesSignature(t *testing.T) {
	t.Parallel()
	v := loadSignVectors(t)[1]
	s := NewSigner(v.Region, v.Service)
	req := v.request(t)
	require.NoError(t, s.Sign(req, []byte(v.Body), Credentials{AccessKeyID: v.AccessKeyID, SecretAccessKey: v.SecretAccessKey}, v.Time))
	cr, sts := s.debugSigning(req, []byte(v.Body))
	require.True(t, strings.HasPrefix(cr, "GET\n/\nAction=GetRecordTask&AppId="), cr)
	require.True(t, strings.HasPrefix(sts, "HMAC-SHA256\n20260101T000000Z\n20260101/cn-north-1/rtc/request\n"), sts)
	require.NotContains(t, cr+sts, v.SecretAccessKey)
}

func BenchmarkSign(b *testing.B) {
	v := loadSignVectors(b)[0]
	s := NewSigner(v.Region, v.Service)
	creds := Credentials{AccessKeyID: v.AccessKeyID, SecretAccessKey: v.SecretAccessKey}
	req := v.request(b)
	body := []byte(v.Body)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := s.Sign(req, body, creds, v.Time); err != nil {
			b.Fatal(err)
		}
	}
}
