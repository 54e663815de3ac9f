package rtc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/volcrtc/rtc/rtctest"
)

// kickInput is a valid KickUser input.
var kickInput = map[string]string{"AppId": "a", "RoomId": "r", "UserId": "u"}

func TestCallSuccessAndWireShape(t *testing.T) {
	t.Parallel()
	// A stub: the test inspects the exact query, body and headers sent.
	var got *http.Request
	var gotBody []byte
	s := NewRawStub(t, func(w http.ResponseWriter, r *http.Request) {
		got = r
		gotBody, _ = io.ReadAll(r.Body)
		fmt.Fprint(w, StubEnvelope("req-KickUser", "KickUser", "", "", map[string]any{"Message": "success"}))
	})
	c := NewStubClient(t, s.URL)
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
	require.Equal(t, StubCreds.SessionToken, got.Header.Get("X-Security-Token"))
	require.Contains(t, got.Header.Get("User-Agent"), "volcrtc-go/")

	// url.Values makes a GET with a canonical query.
	_, err = c.Call(context.Background(), "GetRoomOnlineUsers", "2023-11-01", url.Values{"RoomId": {"a b"}, "AppId": {"x"}}, nil)
	require.NoError(t, err)
	require.Equal(t, http.MethodGet, got.Method)
	require.Equal(t, "Action=GetRoomOnlineUsers&AppId=x&RoomId=a%20b&Version=2023-11-01", got.URL.RawQuery)
}

func TestBareStringResult(t *testing.T) {
	t.Parallel()
	s := NewFake(t) // StartRecord's Result is the bare string "success"
	c := NewStubClient(t, s.URL)
	var msg string
	in := map[string]any{"AppId": "a", "RoomId": "r", "TaskId": "t", "StorageConfig": map[string]any{"Type": 0, "TosConfig": map[string]any{"AccountId": "acc", "Bucket": "b"}}}
	_, err := c.Call(context.Background(), "StartRecord", "2023-11-01", in, &msg)
	require.NoError(t, err)
	require.Equal(t, "success", msg)
}

func TestErrorsTyped(t *testing.T) {
	t.Parallel()
	jsonBody := func(body []byte) *rtctest.Fault {
		return &rtctest.Fault{Body: body, ContentType: "application/json"}
	}
	tests := []struct {
		name     string
		action   string         // default KickUser
		fault    *rtctest.Fault // nil: the fake's own answer
		secret   string         // the fake's secret for StubCreds' key, if not the same
		is       []error
		contains string
		attempts int
	}{
		{"error inside 200", "", &rtctest.Fault{Status: 200, Code: "InvalidParameter.AccountIdMismatch", Message: "Check owner failed"},
			"", []error{ErrInvalidParameter}, "InvalidParameter.AccountIdMismatch: Check owner failed (HTTP 200, request id ", 1},
		{"signature", "", nil, "another-secret", []error{ErrAuth}, "signing region (cn-north-1)", 1},
		{"task exists", "", &rtctest.Fault{Code: "InvalidParameter.TaskAlreadyExists", Message: "dup"}, "",
			[]error{ErrTaskExists, ErrInvalidParameter}, "TaskAlreadyExists", 1},
		{"not found", "NoSuchAction", nil, "", []error{ErrNotFound}, "InvalidActionOrVersion", 1},
		{"denied", "", &rtctest.Fault{Code: "AccessDenied.RecordNotEnabled", Message: "off"}, "", []error{ErrAccessDenied}, "RecordNotEnabled", 1},
		{"throttled retried then exhausted", "", &rtctest.Fault{Times: rtctest.Always, Code: "FlowLimitExceeded", Message: "slow down"}, "",
			[]error{ErrThrottled}, "FlowLimitExceeded", 3},
		{"503 retried", "", &rtctest.Fault{Times: rtctest.Always, Status: 503}, "", []error{ErrServer}, "ServiceUnavailableTemp", 3},
		{"500 not retried for Call", "", &rtctest.Fault{Times: rtctest.Always, Code: "InternalError", Message: "boom"}, "",
			[]error{ErrServer}, "InternalError", 1},
		{"html gateway page", "", &rtctest.Fault{Times: rtctest.Always, Status: 502, Body: rtctest.GatewayHTML()}, "",
			[]error{ErrServer}, "not a JSON envelope", 1},
		{"empty 200", "", jsonBody([]byte{}), "", nil, "empty body", 1},
		{"truncated", "", jsonBody(rtctest.TruncatedJSON()), "", nil, "truncated JSON envelope", 1},
		{"no metadata", "", jsonBody([]byte(`{"foo":1}`)), "", nil, "without ResponseMetadata", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []rtctest.Option
			if tt.secret != "" {
				opts = append(opts, rtctest.WithCredentials(StubCreds.AccessKeyID, tt.secret))
			}
			s := NewFake(t, opts...)
			action, version := "KickUser", "2020-12-01"
			if tt.action != "" {
				action = tt.action
			}
			if tt.fault != nil {
				s.InjectFault(action, *tt.fault)
			}
			c := NewStubClient(t, s.URL)
			_, err := c.Call(context.Background(), action, version, kickInput, nil)
			require.Error(t, err)
			for _, target := range tt.is {
				require.ErrorIs(t, err, target)
			}
			require.Contains(t, err.Error(), tt.contains)
			require.NotContains(t, err.Error(), "\n")
			reqs := s.Requests()
			require.Len(t, reqs, tt.attempts)
			var ae *APIError
			var re *ResponseError
			require.True(t, errors.As(err, &ae) || errors.As(err, &re), "typed error, got %T", err)
			if ae != nil {
				require.Equal(t, reqs[len(reqs)-1].RequestID, ae.RequestID, "the last attempt's request id")
				require.Contains(t, err.Error(), "request id "+ae.RequestID)
			}
		})
	}
}

func TestInvalidTimestampCorrectsClockOnce(t *testing.T) {
	t.Parallel()
	s := NewFake(t)
	s.SetClockOffset(2 * time.Hour) // the server's clock is two hours ahead of ours
	c := NewStubClient(t, s.URL, WithRetry(RetryPolicy{MaxAttempts: 1}))
	_, err := c.Call(context.Background(), "KickUser", "2020-12-01", kickInput, nil)
	require.NoError(t, err)
	codes := func() []string {
		var out []string
		for _, r := range s.Requests() {
			out = append(out, fmt.Sprint(r.Status, r.ErrorCode))
		}
		return out
	}
	require.Equal(t, []string{"403InvalidTimestamp", "200"}, codes(), "rejected, then signed again with the server's clock")
	// Later calls use the corrected clock straight away.
	_, err = c.Call(context.Background(), "KickUser", "2020-12-01", kickInput, nil)
	require.NoError(t, err)
	require.Equal(t, []string{"403InvalidTimestamp", "200", "200"}, codes())
}

func TestContextDeadlineUnwrappable(t *testing.T) {
	t.Parallel()
	s := NewFake(t)
	s.InjectFault("KickUser", rtctest.Fault{Times: rtctest.Always, Delay: 2 * time.Second})
	c := NewStubClient(t, s.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Call(ctx, "KickUser", "2020-12-01", kickInput, nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), time.Second)
}

func TestNewOptionErrors(t *testing.T) {
	t.Parallel()
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
		{"empty endpoint", []Option{WithEndpoint("")}, "WithEndpoint: empty URL; leave the option out"},
		{"blank endpoint", []Option{WithEndpoint("  ")}, "WithEndpoint: empty URL"},
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
	s := NewFake(t)
	c, err := New(WithEndpoint(s.URL))
	require.NoError(t, err)
	_, err = c.Call(context.Background(), "KickUser", "2020-12-01", kickInput, nil)
	require.ErrorIs(t, err, ErrNoCredentials)
	require.Contains(t, err.Error(), "VOLCENGINE_ACCESS_KEY")
	require.Contains(t, err.Error(), ".volc/config")
	require.Empty(t, s.Requests())
}

func TestCallValidation(t *testing.T) {
	t.Parallel()
	c := NewStubClient(t, "http://127.0.0.1:1")
	_, err := c.Call(context.Background(), "", "latest", nil, nil)
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	require.Len(t, ve.Problems, 2)
	require.ErrorIs(t, err, ErrInvalidParameter)
	_, err = c.Call(context.Background(), "KickUser", "2020-12-01", nil, nil, WithAPIVersion("v2"))
	require.ErrorContains(t, err, "WithAPIVersion")
}

func TestDialFailureRetriedAndReported(t *testing.T) {
	t.Parallel()
	c := NewStubClient(t, "http://127.0.0.1:1")
	_, err := c.Call(context.Background(), "SendUnicast", "2023-07-20", nil, nil)
	require.Error(t, err)
	require.True(t, IsRetryable(err))
	require.Contains(t, err.Error(), "SendUnicast")
}

func TestNoRedirectFollowed(t *testing.T) {
	t.Parallel()
	target := NewFake(t)
	// A stub: rtctest never redirects.
	s := NewRawStub(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/?"+r.URL.RawQuery, http.StatusTemporaryRedirect)
	})
	c := NewStubClient(t, s.URL)
	_, err := c.Call(context.Background(), "KickUser", "2020-12-01", kickInput, nil)
	var re *ResponseError
	require.ErrorAs(t, err, &re)
	require.Equal(t, 307, re.HTTPStatus)
	require.Empty(t, target.Requests())
}

func TestSecretsNeverFormatted(t *testing.T) {
	t.Parallel()
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(verb, StubCreds)
		require.NotContains(t, out, StubCreds.SecretAccessKey)
		require.NotContains(t, out, StubCreds.SessionToken)
		require.Contains(t, out, StubCreds.AccessKeyID)
		c := NewStubClient(t, "http://127.0.0.1:1")
		out = fmt.Sprintf(verb, c)
		require.NotContains(t, out, StubCreds.SecretAccessKey)
		require.NotContains(t, out, StubCreds.SessionToken)
	}
	// A proxy echoing the request back does not leak it into the error. (A
	// stub: rtctest never echoes request headers.)
	s := NewRawStub(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(502)
		fmt.Fprintf(w, "<html>bad gateway %s %s</html>", r.Header.Get("X-Security-Token"), r.Header.Get("Authorization"))
	})
	c := NewStubClient(t, s.URL)
	_, err := c.Call(context.Background(), "X", "2023-11-01", nil, nil)
	require.Error(t, err)
	require.NotContains(t, err.Error(), StubCreds.SessionToken)
	require.False(t, strings.Contains(err.Error(), "Signature=") && !strings.Contains(err.Error(), "Signature=[redacted]"))
}

func TestCallQueryPostForDeleteCallback(t *testing.T) {
	t.Parallel()
	// A stub: the test inspects the exact query sent.
	var method, query string
	s := NewRawStub(t, func(w http.ResponseWriter, r *http.Request) {
		method, query = r.Method, r.URL.RawQuery
		fmt.Fprint(w, StubEnvelope("req-DeleteCallback", "DeleteCallback", "", "", "success"))
	})
	c := NewStubClient(t, s.URL)
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

func TestNilContextIsAnError(t *testing.T) {
	t.Parallel()
	c := NewStubClient(t, "http://127.0.0.1:1")
	//lint:ignore SA1012 the point is to pass nil
	_, err := c.Call(nil, "KickUser", "2020-12-01", nil, nil) //nolint:staticcheck
	require.ErrorContains(t, err, "nil context")
}

type nilCtxObserver struct{ ObserverFuncs }

func (nilCtxObserver) CallStart(context.Context, CallInfo) context.Context       { return nil }
func (nilCtxObserver) AttemptStart(context.Context, AttemptInfo) context.Context { return nil }

func TestObserverReturningNilContextIsIgnored(t *testing.T) {
	t.Parallel()
	srv := NewFake(t)
	c := NewStubClient(t, srv.URL, WithObserver(nilCtxObserver{}))
	_, err := c.Call(context.Background(), "GetRoomOnlineUsers", "2023-11-01", url.Values{"AppId": {"app"}, "RoomId": {"r"}}, nil)
	require.NoError(t, err)
}
