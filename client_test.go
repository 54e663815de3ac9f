package rtc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var testCreds = Credentials{AccessKeyID: "AKTEST", SecretAccessKey: "SECRETKEY-never-shown", SessionToken: "SESSION-never-shown"}

// envelopeJSON renders a response envelope.
func envelopeJSON(action, code, msg string, result any) string {
	meta := map[string]any{"RequestId": "req-" + action, "Action": action, "Version": "2023-11-01", "Service": "rtc", "Region": "cn-north-1"}
	if code != "" {
		meta["Error"] = map[string]any{"Code": code, "Message": msg}
	}
	env := map[string]any{"ResponseMetadata": meta}
	if result != nil {
		env["Result"] = result
	}
	b, _ := json.Marshal(env)
	return string(b)
}

// stub is an httptest server answering from a function, counting requests.
type stub struct {
	*httptest.Server
	n atomic.Int32
}

func newStub(t *testing.T, h func(n int, w http.ResponseWriter, r *http.Request)) *stub {
	t.Helper()
	s := &stub{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(s.n.Add(1))
		h(n, w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func newTestClient(t *testing.T, url string, opts ...Option) *Client {
	t.Helper()
	base := []Option{WithEndpoint(url), WithCredentials(testCreds), WithRetry(RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond})}
	c, err := New(append(base, opts...)...)
	require.NoError(t, err)
	return c
}

func TestCallSuccessAndWireShape(t *testing.T) {
	var got *http.Request
	var gotBody []byte
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		got = r
		gotBody, _ = io.ReadAll(r.Body)
		fmt.Fprint(w, envelopeJSON("KickUser", "", "", map[string]any{"Message": "success"}))
	})
	c := newTestClient(t, s.URL)
	var out struct{ Message string }
	meta, err := c.Call(context.Background(), "KickUser", "2020-12-01", map[string]string{"AppId": "a", "RoomId": "r"}, &out)
	require.NoError(t, err)
	require.Equal(t, "req-KickUser", meta.RequestID)
	require.Equal(t, "success", out.Message)
	require.Equal(t, http.MethodPost, got.Method)
	require.Equal(t, "Action=KickUser&Version=2020-12-01", got.URL.RawQuery)
	require.Equal(t, "application/json", got.Header.Get("Content-Type"))
	require.JSONEq(t, `{"AppId":"a","RoomId":"r"}`, string(gotBody))
	require.Contains(t, got.Header.Get("Authorization"), "Credential=AKTEST/")
	require.Equal(t, testCreds.SessionToken, got.Header.Get("X-Security-Token"))
	require.Contains(t, got.Header.Get("User-Agent"), "volcrtc-go/")

	// url.Values makes a GET with a canonical query.
	_, err = c.Call(context.Background(), "GetRoomOnlineUsers", "2023-11-01", url.Values{"RoomId": {"a b"}, "AppId": {"x"}}, nil)
	require.NoError(t, err)
	require.Equal(t, http.MethodGet, got.Method)
	require.Equal(t, "Action=GetRoomOnlineUsers&AppId=x&RoomId=a%20b&Version=2023-11-01", got.URL.RawQuery)
}

func TestBareStringResult(t *testing.T) {
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, envelopeJSON("StartRecord", "", "", "success"))
	})
	c := newTestClient(t, s.URL)
	var msg string
	_, err := c.Call(context.Background(), "StartRecord", "2023-11-01", nil, &msg)
	require.NoError(t, err)
	require.Equal(t, "success", msg)
}

func TestErrorsTyped(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		is       []error
		contains string
		attempts int32
	}{
		{"error inside 200", 200, envelopeJSON("X", "InvalidParameter.AccountIdMismatch", "Check owner failed", nil), []error{ErrInvalidParameter}, "InvalidParameter.AccountIdMismatch: Check owner failed (HTTP 200, request id req-X)", 1},
		{"signature", 401, envelopeJSON("X", "SignatureDoesNotMatch", "bad", nil), []error{ErrAuth}, "signing region (cn-north-1)", 1},
		{"task exists", 400, envelopeJSON("X", "InvalidParameter.TaskAlreadyExists", "dup", nil), []error{ErrTaskExists, ErrInvalidParameter}, "TaskAlreadyExists", 1},
		{"not found", 404, envelopeJSON("X", "InvalidActionOrVersion", "no", nil), []error{ErrNotFound}, "InvalidActionOrVersion", 1},
		{"denied", 403, envelopeJSON("X", "AccessDenied.RecordNotEnabled", "off", nil), []error{ErrAccessDenied}, "RecordNotEnabled", 1},
		{"throttled retried then exhausted", 429, envelopeJSON("X", "FlowLimitExceeded", "slow down", nil), []error{ErrThrottled}, "FlowLimitExceeded", 3},
		{"503 retried", 503, envelopeJSON("X", "ServiceUnavailableTemp", "later", nil), []error{ErrServer}, "ServiceUnavailableTemp", 3},
		{"500 not retried for Call", 500, envelopeJSON("X", "InternalError", "boom", nil), []error{ErrServer}, "InternalError", 1},
		{"html gateway page", 502, "<html><body>Bad Gateway</body></html>", []error{ErrServer}, "not a JSON envelope", 1},
		{"empty 200", 200, "", nil, "empty body", 1},
		{"truncated", 200, `{"ResponseMetadata":{"RequestId":"x"`, nil, "truncated JSON envelope", 1},
		{"no metadata", 200, `{"foo":1}`, nil, "without ResponseMetadata", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				fmt.Fprint(w, tt.body)
			})
			c := newTestClient(t, s.URL)
			_, err := c.Call(context.Background(), "X", "2023-11-01", nil, nil)
			require.Error(t, err)
			for _, target := range tt.is {
				require.ErrorIs(t, err, target)
			}
			require.Contains(t, err.Error(), tt.contains)
			require.NotContains(t, err.Error(), "\n")
			require.Equal(t, tt.attempts, s.n.Load())
			var ae *APIError
			var re *ResponseError
			require.True(t, errors.As(err, &ae) || errors.As(err, &re), "typed error, got %T", err)
		})
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	var first time.Time
	var gap time.Duration
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			first = time.Now()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(429)
			fmt.Fprint(w, envelopeJSON("X", "FlowLimitExceeded", "", nil))
			return
		}
		gap = time.Since(first)
		fmt.Fprint(w, envelopeJSON("X", "", "", map[string]any{}))
	})
	c := newTestClient(t, s.URL)
	_, err := c.Call(context.Background(), "X", "2023-11-01", nil, nil)
	require.NoError(t, err)
	require.GreaterOrEqual(t, gap, 900*time.Millisecond)

	// A Retry-After beyond the context deadline fails at once.
	s2 := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(429)
		fmt.Fprint(w, envelopeJSON("X", "FlowLimitExceeded", "", nil))
	})
	c2 := newTestClient(t, s2.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err = c2.Call(ctx, "X", "2023-11-01", nil, nil)
	require.ErrorIs(t, err, ErrThrottled)
	require.Less(t, time.Since(start), time.Second)
	require.EqualValues(t, 1, s2.n.Load())
}

func TestInvalidTimestampCorrectsClockOnce(t *testing.T) {
	serverNow := time.Now().Add(2 * time.Hour)
	var dates []string
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		dates = append(dates, r.Header.Get("X-Date"))
		w.Header().Set("Date", serverNow.UTC().Format(http.TimeFormat))
		xd, _ := time.Parse("20060102T150405Z", r.Header.Get("X-Date"))
		if d := xd.Sub(serverNow); d < -15*time.Minute || d > 15*time.Minute {
			w.WriteHeader(403)
			fmt.Fprint(w, envelopeJSON("X", "InvalidTimestamp", "expired", nil))
			return
		}
		fmt.Fprint(w, envelopeJSON("X", "", "", map[string]any{}))
	})
	c := newTestClient(t, s.URL, WithRetry(RetryPolicy{MaxAttempts: 1}))
	_, err := c.Call(context.Background(), "X", "2023-11-01", nil, nil)
	require.NoError(t, err)
	require.Len(t, dates, 2)
	require.NotEqual(t, dates[0], dates[1])
	// Later calls use the corrected clock straight away.
	_, err = c.Call(context.Background(), "X", "2023-11-01", nil, nil)
	require.NoError(t, err)
	require.Len(t, dates, 3)
}

func TestContextDeadlineUnwrappable(t *testing.T) {
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	})
	c := newTestClient(t, s.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Call(ctx, "KickUser", "2020-12-01", nil, nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), time.Second)
}

func TestNewOptionErrors(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		want string
	}{
		{"unknown region", []Option{WithRegion("mars-1")}, `unknown region "mars-1"`},
		{"http to remote", []Option{WithEndpoint("http://example.com")}, "WithInsecureHTTP"},
		{"no scheme", []Option{WithEndpoint("rtc.example.com")}, "missing scheme"},
		{"userinfo", []Option{WithEndpoint("https://ak:sk@rtc.example.com")}, "user information"},
		{"path", []Option{WithEndpoint("https://rtc.example.com/v1")}, "path /"},
		{"bad creds", []Option{WithCredentials(Credentials{AccessKeyID: "x"})}, "SecretAccessKey"},
		{"negative timeout", []Option{WithTimeout(-1)}, "negative"},
		{"bad retry", []Option{WithRetry(RetryPolicy{MaxAttempts: -1})}, "negative"},
		{"nil http client", []Option{WithHTTPClient(nil)}, "nil"},
		{"two problems at once", []Option{WithTimeout(-1), WithHTTPClient(nil)}, "nil *http.Client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.opts...)
			require.Nil(t, c)
			require.ErrorContains(t, err, tt.want)
			require.NotContains(t, err.Error(), ":sk@")
		})
	}
	// Accepted forms.
	for _, opts := range [][]Option{
		{WithRegion(RegionAPSingapore1)},
		{WithRegion("eu-west-9"), WithEndpoint("https://proxy.example.com")},
		{WithEndpoint("http://localhost:8080")},
		{WithEndpoint("http://10.0.0.1:8080"), WithInsecureHTTP()},
		{WithBytePlus()},
	} {
		c, err := New(opts...)
		require.NoError(t, err)
		require.NotEmpty(t, c.Endpoint())
	}
	c, _ := New(WithRegion(RegionAPSingapore1))
	require.Equal(t, "https://open-ap-singapore-1.volcengineapi.com", c.Endpoint())
	require.Equal(t, "ap-singapore-1", c.Region())
	c, _ = New(WithBytePlus())
	require.Equal(t, EndpointBytePlus, c.Endpoint())
	require.Equal(t, RegionAPSingapore1, c.Region())
}

func TestMissingCredentialsSayWhatWasLookedFor(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	for _, k := range []string{EnvAccessKey, EnvSecretKey, EnvLegacyAccessKey, EnvLegacySecretKey} {
		t.Setenv(k, "")
	}
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {})
	c, err := New(WithEndpoint(s.URL))
	require.NoError(t, err)
	_, err = c.Call(context.Background(), "KickUser", "2020-12-01", nil, nil)
	require.ErrorIs(t, err, ErrNoCredentials)
	require.Contains(t, err.Error(), "VOLCENGINE_ACCESS_KEY")
	require.Contains(t, err.Error(), ".volc/config")
	require.EqualValues(t, 0, s.n.Load())
}

func TestCallValidation(t *testing.T) {
	c := newTestClient(t, "http://127.0.0.1:1")
	_, err := c.Call(context.Background(), "", "latest", nil, nil)
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	require.Len(t, ve.Problems, 2)
	require.ErrorIs(t, err, ErrInvalidParameter)
	_, err = c.Call(context.Background(), "KickUser", "2020-12-01", nil, nil, WithAPIVersion("v2"))
	require.ErrorContains(t, err, "WithAPIVersion")
}

func TestDialFailureRetriedAndReported(t *testing.T) {
	c := newTestClient(t, "http://127.0.0.1:1")
	_, err := c.Call(context.Background(), "SendUnicast", "2023-07-20", nil, nil)
	require.Error(t, err)
	require.True(t, IsRetryable(err))
	require.Contains(t, err.Error(), "SendUnicast")
}

func TestNoRedirectFollowed(t *testing.T) {
	var other atomic.Int32
	target := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) { other.Add(1) })
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/?Action=X", http.StatusTemporaryRedirect)
	})
	c := newTestClient(t, s.URL)
	_, err := c.Call(context.Background(), "X", "2023-11-01", nil, nil)
	var re *ResponseError
	require.ErrorAs(t, err, &re)
	require.Equal(t, 307, re.HTTPStatus)
	require.EqualValues(t, 0, other.Load())
}

func TestSecretsNeverFormatted(t *testing.T) {
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(verb, testCreds)
		require.NotContains(t, out, testCreds.SecretAccessKey)
		require.NotContains(t, out, testCreds.SessionToken)
		require.Contains(t, out, testCreds.AccessKeyID)
		c := newTestClient(t, "http://127.0.0.1:1")
		out = fmt.Sprintf(verb, c)
		require.NotContains(t, out, testCreds.SecretAccessKey)
		require.NotContains(t, out, testCreds.SessionToken)
	}
	// A proxy echoing the request back does not leak it into the error.
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(502)
		fmt.Fprintf(w, "<html>bad gateway %s %s</html>", r.Header.Get("X-Security-Token"), r.Header.Get("Authorization"))
	})
	c := newTestClient(t, s.URL)
	_, err := c.Call(context.Background(), "X", "2023-11-01", nil, nil)
	require.Error(t, err)
	require.NotContains(t, err.Error(), testCreds.SessionToken)
	require.False(t, strings.Contains(err.Error(), "Signature=") && !strings.Contains(err.Error(), "Signature=[redacted]"))
}

func TestCallQueryPostForDeleteCallback(t *testing.T) {
	var method, query string
	s := newStub(t, func(n int, w http.ResponseWriter, r *http.Request) {
		method, query = r.Method, r.URL.RawQuery
		fmt.Fprint(w, envelopeJSON("DeleteCallback", "", "", "success"))
	})
	c := newTestClient(t, s.URL)
	_, err := c.Call(context.Background(), "DeleteCallback", "2020-12-01", url.Values{"AppId": {"a"}, "EventType": {"RecordUploadDone"}}, nil)
	require.NoError(t, err)
	require.Equal(t, http.MethodPost, method)
	require.Equal(t, "Action=DeleteCallback&AppId=a&EventType=RecordUploadDone&Version=2020-12-01", query)
}

func TestEnvCredentialsFrom(t *testing.T) {
	env := map[string]string{EnvLegacyAccessKey: "old", EnvLegacySecretKey: "oldsk"}
	c, err := EnvCredentialsFrom(func(k string) string { return env[k] }).Retrieve(context.Background())
	require.NoError(t, err)
	require.Equal(t, "old", c.AccessKeyID)
	env[EnvAccessKey], env[EnvSecretKey] = "new", "newsk"
	c, err = EnvCredentialsFrom(func(k string) string { return env[k] }).Retrieve(context.Background())
	require.NoError(t, err)
	require.Equal(t, "new", c.AccessKeyID)
	delete(env, EnvSecretKey)
	_, err = EnvCredentialsFrom(func(k string) string { return env[k] }).Retrieve(context.Background())
	require.ErrorContains(t, err, "set both")
}
