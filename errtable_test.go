package rtc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/volcrtc/rtc/rtctest"
)

var allClasses = []error{ErrInvalidParameter, ErrThrottled, ErrAuth, ErrAccessDenied, ErrNotFound, ErrTaskExists, ErrServer}

// The one table: every row gives the classes errors.Is matches and the
// retry kind, and APIError.Is, ResponseError.Is, classify and IsRetryable
// all agree with it.
func TestErrorTable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code   string
		status int
		is     []error
		kind   failureKind
	}{
		{"FlowLimitExceeded", 429, []error{ErrThrottled}, failRetryable},
		{"FlowLimitExceeded.Room", 200, []error{ErrThrottled}, failRetryable},
		{"AccountFlowLimitExceeded", 200, []error{ErrThrottled}, failRetryable},
		{"SomethingNew", 429, []error{ErrThrottled}, failRetryable},
		{"ServiceUnavailableTemp", 503, []error{ErrServer}, failRetryable},
		{"SomethingNew", 503, []error{ErrServer}, failRetryable},
		{"InternalError", 500, []error{ErrServer}, failAmbiguous},
		{"InternalError.Timeout", 200, []error{ErrServer}, failAmbiguous},
		{"InternalServiceTimeout", 504, []error{ErrServer}, failAmbiguous},
		{"FailToConnect", 502, []error{ErrServer}, failAmbiguous},
		{"SomethingNew", 502, []error{ErrServer}, failAmbiguous},
		{"SomethingNew", 501, []error{ErrServer}, failFatal},
		{"InvalidParameter", 400, []error{ErrInvalidParameter}, failFatal},
		{"InvalidParameter.AccountIdMismatch", 200, []error{ErrInvalidParameter}, failFatal},
		{"InvalidParameter", 500, []error{ErrInvalidParameter, ErrServer}, failAmbiguous},
		{"MissingParameter", 400, []error{ErrInvalidParameter}, failFatal},
		{"InvalidParameter.TaskAlreadyExists", 400, []error{ErrInvalidParameter, ErrTaskExists}, failFatal},
		{"InvalidParameter.ErrorActiveTaskNotFound", 400, []error{ErrInvalidParameter, ErrNotFound}, failFatal},
		{"InvalidParameter.NotExistAppId", 400, []error{ErrInvalidParameter, ErrNotFound}, failFatal},
		{"SignatureDoesNotMatch", 401, []error{ErrAuth}, failFatal},
		{"InvalidTimestamp", 403, []error{ErrAuth}, failTimestamp}, // not ErrAccessDenied: the code decides
		{"InvalidAccessKey", 401, []error{ErrAuth}, failFatal},
		{"AccessDenied.RecordNotEnabled", 403, []error{ErrAccessDenied}, failFatal},
		{"LackPolicy", 403, []error{ErrAccessDenied}, failFatal},
		{"InvalidActionOrVersion", 404, []error{ErrNotFound}, failFatal},
		{"RoomNotFound", 400, []error{ErrNotFound}, failFatal},
		{"SomethingNew", 404, []error{ErrNotFound}, failFatal},
		{"SomethingNew", 401, []error{ErrAuth}, failFatal},
		{"SomethingNew", 400, nil, failFatal},
	}
	for _, tt := range tests {
		e := &APIError{Code: tt.code, HTTPStatus: tt.status}
		name := fmt.Sprintf("%s/%d", tt.code, tt.status)
		for _, class := range allClasses {
			require.Equal(t, contains(tt.is, class), errors.Is(e, class), "%s: errors.Is(%v)", name, class)
		}
		require.Equal(t, tt.kind, classify(fmt.Errorf("wrapped: %w", e), nil), name)
		require.Equal(t, tt.kind == failRetryable, IsRetryable(e), name)
	}

	// Extra retryable codes turn any kind into retryable, by code or class.
	p := RetryPolicy{RetryableCodes: []string{"SomethingNew", "Quota"}}
	require.Equal(t, failRetryable, classify(&APIError{Code: "SomethingNew", HTTPStatus: 400}, &p))
	require.Equal(t, failRetryable, classify(&APIError{Code: "Quota.Exceeded", HTTPStatus: 400}, &p))
	require.Equal(t, failFatal, classify(&APIError{Code: "QuotaX", HTTPStatus: 400}, &p))
}

// A non-envelope answer (a gateway page) has only its status: the same
// table's status rows decide.
func TestResponseErrorTable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status int
		is     []error
		kind   failureKind
	}{
		{429, []error{ErrThrottled}, failRetryable},
		{503, []error{ErrServer}, failRetryable},
		{500, []error{ErrServer}, failAmbiguous},
		{502, []error{ErrServer}, failAmbiguous},
		{504, []error{ErrServer}, failAmbiguous},
		{501, []error{ErrServer}, failFatal},
		{401, []error{ErrAuth}, failFatal},
		{403, []error{ErrAccessDenied}, failFatal},
		{404, []error{ErrNotFound}, failFatal},
		{400, nil, failFatal},
		{200, nil, failFatal},
	}
	for _, tt := range tests {
		e := &ResponseError{HTTPStatus: tt.status}
		for _, class := range allClasses {
			require.Equal(t, contains(tt.is, class), errors.Is(e, class), "%d: errors.Is(%v)", tt.status, class)
		}
		require.Equal(t, tt.kind, classify(e, nil), "%d", tt.status)
	}
	// A damaged body under 200 may hide a carried-out action.
	require.Equal(t, failAmbiguous, classify(&ResponseError{HTTPStatus: 200, kind: kindForStatus(200, true)}, nil))
	require.Equal(t, failAmbiguous, classify(&ResponseError{HTTPStatus: 502, kind: kindForStatus(502, true)}, nil))
}

func contains(list []error, e error) bool {
	for _, x := range list {
		if x == e {
			return true
		}
	}
	return false
}

// Every decision has a reason, and the debug log prints it.
func TestRetryDecisionReasonLogged(t *testing.T) {
	t.Parallel()
	for i := retryReason(0); int(i) < len(retryReasonText); i++ {
		require.NotEmpty(t, i.String(), "reason %d has no text", i)
	}
	require.Contains(t, retryReason(200).String(), "200")

	tests := []struct {
		name   string
		action string
		fault  rtctest.Fault
		want   []string
	}{
		{"unsafe after ambiguous", "SendUnicast", rtctest.Fault{Times: rtctest.Always, Code: "InternalError"},
			[]string{"not retried: the action is not safe to repeat after an ambiguous failure"}},
		{"safe after ambiguous", "KickUser", rtctest.Fault{Times: 1, Code: "InternalError"},
			[]string{"retried after backoff"}},
		{"fatal", "KickUser", rtctest.Fault{Times: rtctest.Always, Code: "InvalidParameter.Foo"},
			[]string{"not retried: this kind of error does not go away by retrying"}},
		{"attempts", "KickUser", rtctest.Fault{Times: rtctest.Always, Code: "FlowLimitExceeded"},
			[]string{"retried after backoff", "not retried: all attempts of the retry policy are used"}},
		{"retry after", "KickUser", rtctest.Fault{Times: 1, Code: "FlowLimitExceeded", RetryAfter: time.Second},
			[]string{"retried after the wait the server asked for (Retry-After)"}},
		{"retry after too long", "KickUser", rtctest.Fault{Times: rtctest.Always, Code: "FlowLimitExceeded", RetryAfter: time.Hour},
			[]string{"longer than RetryPolicy.MaxRetryAfter"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := NewFake(t)
			s.InjectFault(tt.action, tt.fault)
			var logs bytes.Buffer
			var mu sync.Mutex
			var decisions []string
			c := NewStubClient(t, s.URL, WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
				WithObserver(ObserverFuncs{OnAttemptEnd: func(_ context.Context, _ AttemptInfo, r AttemptResult) {
					mu.Lock()
					decisions = append(decisions, r.Decision)
					mu.Unlock()
				}}))
			waits := RecordSleeps(c)
			var err error
			if tt.action == "SendUnicast" {
				_, err = c.SendUnicast(context.Background(), &SendUnicastRequest{AppID: "a", From: "f", To: "u", Message: "m"})
			} else {
				_, err = c.KickUser(context.Background(), &KickUserRequest{AppID: "a", RoomID: "r", UserID: "u"})
			}
			for _, w := range tt.want {
				require.Contains(t, logs.String(), w)
				mu.Lock()
				require.Contains(t, strings.Join(decisions, "\n"), w, "observers see the decision too")
				mu.Unlock()
			}
			if tt.name == "retry after" {
				require.NoError(t, err)
				require.Equal(t, []time.Duration{time.Second}, waits.Waits())
			}
		})
	}
}

// Retry-After is honoured up to RetryPolicy.MaxRetryAfter; a longer wait
// fails at once with ErrThrottled and the requested wait on the error; no
// wait goes past the context's deadline. The clock is injected: nothing
// here sleeps for real.
func TestRetryAfterBounded(t *testing.T) {
	t.Parallel()
	kick := func(t *testing.T, c *Client, ctx context.Context) error {
		_, err := c.Call(ctx, "KickUser", "2020-12-01", kickInput, nil)
		return err
	}
	t.Run("waited within the bound", func(t *testing.T) {
		t.Parallel()
		s := NewFake(t)
		s.InjectFault("KickUser", rtctest.Fault{Code: "FlowLimitExceeded", RetryAfter: 3 * time.Second})
		c := NewStubClient(t, s.URL)
		waits := RecordSleeps(c)
		require.NoError(t, kick(t, c, context.Background()))
		require.Equal(t, []time.Duration{3 * time.Second}, waits.Waits())
		require.Len(t, s.Requests(), 2)
	})
	t.Run("beyond the bound fails at once", func(t *testing.T) {
		t.Parallel()
		s := NewFake(t)
		s.InjectFault("KickUser", rtctest.Fault{Times: rtctest.Always, Code: "FlowLimitExceeded", RetryAfter: time.Hour})
		c := NewStubClient(t, s.URL)
		waits := RecordSleeps(c)
		start := time.Now()
		err := kick(t, c, context.Background()) // no deadline at all
		require.ErrorIs(t, err, ErrThrottled)
		require.Less(t, time.Since(start), 5*time.Second)
		require.Empty(t, waits.Waits(), "no wait at all")
		require.Len(t, s.Requests(), 1)
		d, ok := RetryAfter(err)
		require.True(t, ok)
		require.Equal(t, time.Hour, d, "the server's requested wait is on the error")
		var ae *APIError
		require.ErrorAs(t, err, &ae)
		require.Equal(t, time.Hour, ae.RetryAfter)
		require.Contains(t, err.Error(), "retry after 1h0m0s")
	})
	t.Run("a 503 asking for a long wait is throttling too", func(t *testing.T) {
		t.Parallel()
		s := NewFake(t)
		s.InjectFault("KickUser", rtctest.Fault{Times: rtctest.Always, Status: 503, RetryAfter: time.Hour})
		c := NewStubClient(t, s.URL)
		waits := RecordSleeps(c)
		err := kick(t, c, context.Background())
		require.ErrorIs(t, err, ErrThrottled)
		require.ErrorIs(t, err, ErrServer)
		require.Empty(t, waits.Waits())
		d, ok := RetryAfter(err)
		require.True(t, ok)
		require.Equal(t, time.Hour, d)
	})
	t.Run("a gateway page asking for a long wait", func(t *testing.T) {
		t.Parallel()
		s := NewStubServer(t, StubScript(StubAnswer{Status: 502, Raw: []byte("<html>bad gateway</html>"), Header: http.Header{"Retry-After": []string{"3600"}}}))
		c := NewStubClient(t, s.URL)
		waits := RecordSleeps(c)
		_, err := c.KickUser(context.Background(), &KickUserRequest{AppID: "a", RoomID: "r", UserID: "u"})
		var re *ResponseError
		require.ErrorAs(t, err, &re)
		require.Equal(t, time.Hour, re.RetryAfter)
		require.ErrorIs(t, err, ErrThrottled)
		require.ErrorIs(t, err, ErrServer)
		require.Empty(t, waits.Waits())
		require.Len(t, s.Requests(), 1)
	})
	t.Run("a wait too large for an int is the longest wait", func(t *testing.T) {
		t.Parallel()
		s := NewStubServer(t, StubScript(StubAnswer{Status: 429, Code: "FlowLimitExceeded", Header: http.Header{"Retry-After": []string{"99999999999999999999999"}}}))
		c := NewStubClient(t, s.URL)
		waits := RecordSleeps(c)
		_, err := c.KickUser(context.Background(), &KickUserRequest{AppID: "a", RoomID: "r", UserID: "u"})
		require.ErrorIs(t, err, ErrThrottled)
		d, ok := RetryAfter(err)
		require.True(t, ok)
		require.Equal(t, time.Duration(maxRetryAfterSeconds)*time.Second, d)
		require.Empty(t, waits.Waits(), "not retried at once")
		require.Len(t, s.Requests(), 1)
	})
	t.Run("the bound is the policy's", func(t *testing.T) {
		t.Parallel()
		s := NewFake(t)
		s.InjectFault("KickUser", rtctest.Fault{Code: "FlowLimitExceeded", RetryAfter: time.Hour})
		c := NewStubClient(t, s.URL, WithRetry(RetryPolicy{MaxRetryAfter: 2 * time.Hour}))
		waits := RecordSleeps(c)
		require.NoError(t, kick(t, c, context.Background()))
		require.Equal(t, []time.Duration{time.Hour}, waits.Waits())
		require.Equal(t, DefaultMaxRetryAfter, NewStubClient(t, s.URL).retry.MaxRetryAfter, "the default")
		_, err := New(WithRetry(RetryPolicy{MaxRetryAfter: -1}))
		require.ErrorContains(t, err, "MaxRetryAfter must not be negative")
	})
	t.Run("never past the context deadline", func(t *testing.T) {
		t.Parallel()
		s := NewFake(t)
		s.InjectFault("KickUser", rtctest.Fault{Times: rtctest.Always, Code: "FlowLimitExceeded", RetryAfter: 5 * time.Second})
		c := NewStubClient(t, s.URL)
		waits := RecordSleeps(c)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		err := kick(t, c, ctx)
		require.ErrorIs(t, err, ErrThrottled)
		require.Empty(t, waits.Waits(), "a wait past the deadline is not started")
		require.Len(t, s.Requests(), 1)
		d, _ := RetryAfter(err)
		require.Equal(t, 5*time.Second, d)
	})
	t.Run("HTTP date form", func(t *testing.T) {
		t.Parallel()
		now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
		h := http.Header{"Retry-After": []string{now.Add(90 * time.Second).Format(http.TimeFormat)}}
		require.Equal(t, 90*time.Second, retryAfter(h, now))
		require.Equal(t, time.Duration(maxRetryAfterSeconds)*time.Second, retryAfter(http.Header{"Retry-After": []string{"99999999999999999"}}, now), "no overflow")
		require.Zero(t, retryAfter(http.Header{"Retry-After": []string{"-5"}}, now))
		// Too large for an int: the cap, not "no wait" (L12).
		require.Equal(t, time.Duration(maxRetryAfterSeconds)*time.Second, retryAfter(http.Header{"Retry-After": []string{"99999999999999999999999"}}, now), "overflow is the cap")
		require.Zero(t, retryAfter(http.Header{"Retry-After": []string{"-99999999999999999999999"}}, now))
	})
}

// ResponseError.RequestID comes from the X-Tt-Logid header, or X-Request-Id;
// an APIError whose envelope has no RequestId takes it from there too.
func TestRequestIDFromHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		header map[string]string
		body   string
		want   string
	}{
		{"X-Tt-Logid on a gateway page", map[string]string{"X-Tt-Logid": "2026112510402701"}, "<html>bad gateway</html>", "2026112510402701"},
		{"X-Request-Id on a gateway page", map[string]string{"X-Request-Id": "req-abc"}, "<html>bad gateway</html>", "req-abc"},
		{"X-Tt-Logid wins", map[string]string{"X-Tt-Logid": "logid-1", "X-Request-Id": "req-2"}, "<html>bad gateway</html>", "logid-1"},
		{"none", nil, "<html>bad gateway</html>", ""},
		{"envelope without RequestId", map[string]string{"X-Tt-Logid": "logid-3"},
			`{"ResponseMetadata":{"Error":{"Code":"InternalError","Message":"x"}}}`, "logid-3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := NewRawStub(t, func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(http.StatusBadGateway)
				_, _ = w.Write([]byte(tt.body))
			})
			var observed string
			c := NewStubClient(t, s.URL, WithRetry(RetryPolicy{MaxAttempts: 1}), WithObserver(ObserverFuncs{
				OnCallEnd: func(_ context.Context, _ CallInfo, r CallResult) { observed = r.RequestID },
			}))
			_, err := c.KickUser(context.Background(), &KickUserRequest{AppID: "a", RoomID: "r", UserID: "u"})
			require.Equal(t, tt.want, observed, "observers see the request id too")
			var re *ResponseError
			var ae *APIError
			switch {
			case errors.As(err, &re):
				require.Equal(t, tt.want, re.RequestID)
			case errors.As(err, &ae):
				require.Equal(t, tt.want, ae.RequestID)
			default:
				t.Fatalf("unexpected error %T %v", err, err)
			}
			if tt.want != "" {
				require.Contains(t, err.Error(), "request id "+tt.want)
			}
		})
	}
}

// The default transport's wait for response headers has the name that says so.
func TestDefaultResponseHeaderTimeout(t *testing.T) {
	t.Parallel()
	tr := newHTTPClient(nil).Transport.(*http.Transport)
	require.Equal(t, DefaultResponseHeaderTimeout, tr.ResponseHeaderTimeout)
}

// Per-call options follow the rule of every option family: a bad value is
// an error saying what to fix, returned before anything is sent.
func TestCallOptionErrors(t *testing.T) {
	t.Parallel()
	s := NewFake(t)
	c := NewStubClient(t, s.URL)
	tests := []struct {
		name string
		opts []CallOption
		want []string
	}{
		{"zero timeout", []CallOption{WithCallTimeout(0)}, []string{"WithCallTimeout(0s): must be positive"}},
		{"bad retry", []CallOption{WithCallRetry(RetryPolicy{MaxAttempts: -1})}, []string{"WithCallRetry: RetryPolicy", "must not be negative"}},
		{"bad version", []CallOption{WithAPIVersion("v2")}, []string{`WithAPIVersion("v2"): must be a version such as 2023-11-01`}},
		{"nil option", []CallOption{nil}, []string{"call option 1 is nil"}},
		{"all at once", []CallOption{WithCallTimeout(-1), nil, WithAPIVersion("")}, []string{"WithCallTimeout(-1ns)", "call option 2 is nil", `WithAPIVersion("")`}},
	}
	for _, tt := range tests {
		_, err := c.KickUser(context.Background(), &KickUserRequest{AppID: "a", RoomID: "r", UserID: "u"}, tt.opts...)
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, tt.name)
		for _, w := range tt.want {
			require.Contains(t, err.Error(), w, tt.name)
		}
	}
	require.Empty(t, s.Requests(), "nothing was sent")
}

// Only answers the loop may retry (throttling, server failures) carry the
// wait: a Retry-After on a refused parameter does not make it throttling.
func TestRetryAfterOnlyOnComeBackLater(t *testing.T) {
	t.Parallel()
	s := NewStubServer(t, StubScript(StubAnswer{Status: 400, Code: "InvalidParameter", Header: http.Header{"Retry-After": []string{"30"}}}))
	c := NewStubClient(t, s.URL)
	_, err := c.KickUser(context.Background(), &KickUserRequest{AppID: "a", RoomID: "r", UserID: "u"})
	require.ErrorIs(t, err, ErrInvalidParameter)
	require.NotErrorIs(t, err, ErrThrottled)
	_, ok := RetryAfter(err)
	require.False(t, ok)
}
