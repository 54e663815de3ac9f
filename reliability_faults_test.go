package rtc_test

// The fault suite: every way the service, a gateway or the network can
// misbehave that rtctest can act out, each with the outcome the client must
// produce, written next to it. Counts come from two sides: the client's own
// attempts (through an Observer) and what the fake server recorded.

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/rtctest"
)

// relAppID is the application every reliability test uses.
const relAppID = "661e9d1fbc6ae3013e2f0b71"

// relFast is a retry policy with the default attempts and budget but
// millisecond backoff, so that retried cases do not wait for nothing.
var relFast = rtc.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}

// relAfter is a failure the proxy acts out after the fake server has
// carried the request out: the client cannot tell that it worked.
type relAfter struct {
	drop   bool   // close the connection without an answer
	status int    // otherwise answer this status...
	body   []byte // ...with this body (an HTML page)
}

// relProxy forwards requests to the fake server unchanged (the Host header
// too, so signatures still verify) and, for actions with a pending
// relAfter, replaces the answer once the server has processed the request.
type relProxy struct {
	upstream string
	hc       *http.Client
	mu       sync.Mutex
	after    map[string][]relAfter
}

func (p *relProxy) inject(action string, a relAfter) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.after == nil {
		p.after = make(map[string][]relAfter)
	}
	p.after[action] = append(p.after[action], a)
}

func (p *relProxy) take(action string) (relAfter, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	q := p.after[action]
	if len(q) == 0 {
		return relAfter{}, false
	}
	p.after[action] = q[1:]
	return q[0], true
}

func (p *relProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "proxy: read request", http.StatusBadGateway)
		return
	}
	out, err := http.NewRequestWithContext(r.Context(), r.Method, p.upstream+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, "proxy: build request", http.StatusBadGateway)
		return
	}
	out.Header = r.Header.Clone()
	out.Host = r.Host
	resp, err := p.hc.Do(out)
	if err != nil {
		http.Error(w, "proxy: upstream failed", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(resp.Body)
	if err != nil {
		http.Error(w, "proxy: read upstream", http.StatusBadGateway)
		return
	}
	if a, ok := p.take(r.URL.Query().Get("Action")); ok {
		if a.drop {
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					_ = conn.Close()
				}
			}
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(a.status)
		_, _ = w.Write(a.body)
		return
	}
	for _, k := range []string{"Content-Type", "Date", "Retry-After"} {
		if v := resp.Header.Get(k); v != "" {
			w.Header().Set(k, v)
		}
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(rb)
}

// relEnv is a fake server, optionally a proxy in front of it, and a client
// pointed at whichever is in front.
type relEnv struct {
	srv      *rtctest.Server
	proxy    *relProxy
	client   *rtc.Client
	tr       *http.Transport
	attempts atomic.Int64       // attempts the client made, from its Observer
	sleeps   *rtc.SleepRecorder // the client's waits between attempts (injected: none is real)
}

type relSetup struct {
	proxy      bool
	serverOpts []rtctest.Option
	clientOpts []rtc.Option
	creds      rtc.Credentials // default: the fake's demo key pair
}

func newRelEnv(t testing.TB, s relSetup) *relEnv {
	t.Helper()
	e := &relEnv{srv: rtctest.NewServer(s.serverOpts...)}
	t.Cleanup(e.srv.Close)
	url := e.srv.URL
	if s.proxy {
		ptr := &http.Transport{}
		e.proxy = &relProxy{upstream: e.srv.URL, hc: &http.Client{Transport: ptr}}
		ps := httptest.NewServer(e.proxy)
		t.Cleanup(func() { ps.Close(); ptr.CloseIdleConnections() })
		url = ps.URL
	}
	creds := s.creds
	if creds.AccessKeyID == "" {
		creds = rtc.Credentials{AccessKeyID: rtctest.DemoAccessKeyID, SecretAccessKey: rtctest.DemoSecretAccessKey}
	}
	e.tr = &http.Transport{MaxIdleConnsPerHost: 64}
	t.Cleanup(e.tr.CloseIdleConnections)
	opts := []rtc.Option{
		rtc.WithCredentials(creds),
		rtc.WithHTTPClient(&http.Client{Transport: e.tr}),
		rtc.WithRetry(relFast),
		rtc.WithObserver(rtc.ObserverFuncs{OnAttemptStart: func(ctx context.Context, _ rtc.AttemptInfo) context.Context {
			e.attempts.Add(1)
			return ctx
		}}),
	}
	e.client = rtc.NewStubClient(t, url, append(opts, s.clientOpts...)...)
	e.sleeps = rtc.RecordSleeps(e.client)
	return e
}

// served counts the requests for action the fake server recorded.
func (e *relEnv) served(action string) int {
	n := 0
	for _, r := range e.srv.Requests() {
		if r.Action == action {
			n++
		}
	}
	return n
}

// relCalls are the actions the suite drives, one of each retry class:
// a GET read and a POST ban (safe to repeat), two messages (never
// repeated after an ambiguous failure), and a Start keyed by a TaskId.
var relCalls = map[string]func(ctx context.Context, c *rtc.Client, opts ...rtc.CallOption) error{
	"GetRoomOnlineUsers": func(ctx context.Context, c *rtc.Client, opts ...rtc.CallOption) error {
		_, err := c.GetRoomOnlineUsers(ctx, &rtc.GetRoomOnlineUsersRequest{AppID: relAppID, RoomID: "room1"}, opts...)
		return err
	},
	"BanRoomUser": func(ctx context.Context, c *rtc.Client, opts ...rtc.CallOption) error {
		_, err := c.BanRoomUser(ctx, &rtc.BanRoomUserRequest{AppID: relAppID, RoomID: "room1", UserID: "user1", ForbiddenInterval: rtc.Ptr[int32](60)}, opts...)
		return err
	},
	"SendUnicast": func(ctx context.Context, c *rtc.Client, opts ...rtc.CallOption) error {
		_, err := c.SendUnicast(ctx, &rtc.SendUnicastRequest{AppID: relAppID, From: "server", To: "user1", Message: "hello"}, opts...)
		return err
	},
	"SendBroadcast": func(ctx context.Context, c *rtc.Client, opts ...rtc.CallOption) error {
		_, err := c.SendBroadcast(ctx, &rtc.SendBroadcastRequest{AppID: relAppID, RoomID: "room1", From: "server", Message: "hello all"}, opts...)
		return err
	},
	"StartRecord": func(ctx context.Context, c *rtc.Client, opts ...rtc.CallOption) error {
		res, err := c.StartRecord(ctx, relStartRecord(), opts...)
		if err == nil && res.Message != "success" {
			return errors.New("StartRecord: unexpected message " + res.Message)
		}
		return err
	},
}

func relStartRecord() *rtc.StartRecordRequest {
	return &rtc.StartRecordRequest{
		AppID: relAppID, RoomID: "room1", TaskID: "task-0001",
		StorageConfig: &rtc.RecordStorageConfig{TosConfig: &rtc.TosConfig{AccountID: "acc1", Bucket: "bucket1"}},
	}
}

// Error shapes a case can expect.
const (
	relOK         = ""
	relAPI        = "api"       // *rtc.APIError
	relResponse   = "response"  // *rtc.ResponseError
	relTransport  = "transport" // no response: a dropped connection or a timeout
	relValidation = "validation"
)

// relCheckShape checks err against an expected shape and, for API and
// response errors, a code or reason.
func relCheckShape(t *testing.T, err error, shape, code string) {
	t.Helper()
	switch shape {
	case relOK:
		require.NoError(t, err)
	case relAPI:
		var ae *rtc.APIError
		require.ErrorAs(t, err, &ae)
		require.Equal(t, code, ae.Code)
		require.NotEmpty(t, ae.RequestID, "an API error carries the request id")
	case relResponse:
		var re *rtc.ResponseError
		require.ErrorAs(t, err, &re)
		require.Contains(t, re.Reason, code)
		require.NotZero(t, re.HTTPStatus)
	case relTransport:
		require.Error(t, err)
		var ae *rtc.APIError
		var re *rtc.ResponseError
		require.False(t, errors.As(err, &ae) || errors.As(err, &re), "a failure without an answer is neither an API nor a response error: %v", err)
	case relValidation:
		var ve *rtc.ValidationError
		require.ErrorAs(t, err, &ve)
	default:
		t.Fatalf("unknown shape %q", shape)
	}
}

func TestReliabilityFaults(t *testing.T) {
	huge := func(s string) []byte { return []byte(s) }
	type want struct {
		shape    string
		code     string  // APIError.Code, or a part of ResponseError.Reason
		is       []error // errors.Is targets
		attempts int     // attempts the client made
		served   int     // requests the fake recorded for the action
		messages int     // messages the fake delivered
		min, max time.Duration
		waited   time.Duration // at least this much waited between attempts, in all
	}
	cases := []struct {
		name     string
		action   string
		proxy    bool
		faults   []rtctest.Fault
		after    []relAfter
		setup    func(t *testing.T, e *relEnv)
		client   []rtc.Option
		callOpts []rtc.CallOption
		ctxLimit time.Duration
		want     want
	}{
		// Throttling: always safe to retry, whatever the action.
		{name: "throttled twice then served", action: "GetRoomOnlineUsers",
			faults: []rtctest.Fault{{Code: "FlowLimitExceeded.QPSOverLimit", Times: 2}},
			want:   want{attempts: 3, served: 3}},
		{name: "throttled message is sent once when let through", action: "SendUnicast",
			faults: []rtctest.Fault{{Status: 429, Times: 2}},
			want:   want{attempts: 3, served: 3, messages: 1}},
		{name: "Retry-After is waited", action: "BanRoomUser",
			faults: []rtctest.Fault{{Code: "FlowLimitExceeded", RetryAfter: time.Second}},
			want:   want{attempts: 2, served: 2, waited: time.Second}},
		{name: "Retry-After past the deadline fails at once", action: "BanRoomUser", ctxLimit: 400 * time.Millisecond,
			faults: []rtctest.Fault{{Code: "FlowLimitExceeded", RetryAfter: 5 * time.Second}},
			want:   want{shape: relAPI, code: "FlowLimitExceeded", is: []error{rtc.ErrThrottled}, attempts: 1, served: 1, max: 300 * time.Millisecond}},
		{name: "throttled beyond the attempts is ErrThrottled", action: "GetRoomOnlineUsers",
			faults: []rtctest.Fault{{Code: "FlowLimitExceeded.QPSOverLimit", Times: rtctest.Always}},
			want:   want{shape: relAPI, code: "FlowLimitExceeded.QPSOverLimit", is: []error{rtc.ErrThrottled}, attempts: 3, served: 3}},
		{name: "account throttling with five attempts", action: "SendBroadcast",
			client: []rtc.Option{rtc.WithRetry(rtc.RetryPolicy{MaxAttempts: 5, BaseDelay: time.Millisecond})},
			faults: []rtctest.Fault{{Code: "AccountFlowLimitExceeded", Times: rtctest.Always}},
			want:   want{shape: relAPI, code: "AccountFlowLimitExceeded", is: []error{rtc.ErrThrottled}, attempts: 5, served: 5}},
		{name: "per-call retry policy overrides the client's", action: "GetRoomOnlineUsers",
			callOpts: []rtc.CallOption{rtc.WithCallRetry(rtc.RetryPolicy{MaxAttempts: 1})},
			faults:   []rtctest.Fault{{Status: 429, Times: rtctest.Always}},
			want:     want{shape: relAPI, code: "FlowLimitExceeded", is: []error{rtc.ErrThrottled}, attempts: 1, served: 1}},

		// 503: the service did not take the request; always retried.
		{name: "503 retried for a read", action: "GetRoomOnlineUsers",
			faults: []rtctest.Fault{{Status: 503, Times: 2}},
			want:   want{attempts: 3, served: 3}},
		{name: "503 retried for a message, delivered once", action: "SendUnicast",
			faults: []rtctest.Fault{{Status: 503}},
			want:   want{attempts: 2, served: 2, messages: 1}},
		{name: "503 throughout is ErrServer", action: "BanRoomUser",
			faults: []rtctest.Fault{{Status: 503, Times: rtctest.Always}},
			want:   want{shape: relAPI, code: "ServiceUnavailableTemp", is: []error{rtc.ErrServer}, attempts: 3, served: 3}},
		{name: "503 HTML page from a gateway retried", action: "SendBroadcast",
			faults: []rtctest.Fault{{Status: 503, Body: huge("<html><body>Service Unavailable</body></html>")}},
			want:   want{attempts: 2, served: 2, messages: 1}},

		// 500/502/504: ambiguous; retried only when safe to repeat.
		{name: "500 retried for a read", action: "GetRoomOnlineUsers",
			faults: []rtctest.Fault{{Status: 500}},
			want:   want{attempts: 2, served: 2}},
		{name: "502 retried for a ban", action: "BanRoomUser",
			faults: []rtctest.Fault{{Status: 502, Times: 2}},
			want:   want{attempts: 3, served: 3}},
		{name: "504 retried for a Start with a TaskId", action: "StartRecord",
			faults: []rtctest.Fault{{Status: 504}},
			want:   want{attempts: 2, served: 2}},
		{name: "500 for a message is not retried", action: "SendUnicast",
			faults: []rtctest.Fault{{Status: 500}},
			want:   want{shape: relAPI, code: "InternalError", is: []error{rtc.ErrServer}, attempts: 1, served: 1}},
		{name: "502 for a broadcast is not retried", action: "SendBroadcast",
			faults: []rtctest.Fault{{Status: 502}},
			want:   want{shape: relAPI, code: "InternalServiceError", is: []error{rtc.ErrServer}, attempts: 1, served: 1}},
		{name: "504 for a message is not retried", action: "SendUnicast",
			faults: []rtctest.Fault{{Status: 504}},
			want:   want{shape: relAPI, code: "InternalServiceTimeout", is: []error{rtc.ErrServer}, attempts: 1, served: 1}},
		{name: "500 code inside HTTP 200 for a read is retried", action: "GetRoomOnlineUsers",
			faults: []rtctest.Fault{{Status: 200, Code: "InternalError"}},
			want:   want{attempts: 2, served: 2}},
		{name: "500 throughout for a read is ErrServer after 3", action: "GetRoomOnlineUsers",
			faults: []rtctest.Fault{{Status: 500, Times: rtctest.Always}},
			want:   want{shape: relAPI, code: "InternalError", is: []error{rtc.ErrServer}, attempts: 3, served: 3}},

		// The server carried the request out, then the answer was lost or
		// replaced: the message must still be delivered exactly once.
		{name: "message processed then 500: not sent again", action: "SendUnicast", proxy: true,
			after: []relAfter{{status: 500, body: rtctest.GatewayHTML()}},
			want:  want{shape: relResponse, code: "not a JSON envelope", is: []error{rtc.ErrServer}, attempts: 1, served: 1, messages: 1}},
		{name: "message processed then 502: not sent again", action: "SendBroadcast", proxy: true,
			after: []relAfter{{status: 502, body: rtctest.GatewayHTML()}},
			want:  want{shape: relResponse, code: "not a JSON envelope", is: []error{rtc.ErrServer}, attempts: 1, served: 1, messages: 1}},
		{name: "message processed then 504: not sent again", action: "SendUnicast", proxy: true,
			after: []relAfter{{status: 504, body: []byte("<html>504 Gateway Time-out</html>")}},
			want:  want{shape: relResponse, code: "not a JSON envelope", is: []error{rtc.ErrServer}, attempts: 1, served: 1, messages: 1}},
		{name: "message processed then connection dropped: not sent again", action: "SendUnicast", proxy: true,
			after: []relAfter{{drop: true}},
			want:  want{shape: relTransport, attempts: 1, served: 1, messages: 1}},
		{name: "ban processed then dropped: repeated safely", action: "BanRoomUser", proxy: true,
			after: []relAfter{{drop: true}},
			want:  want{attempts: 2, served: 2}},
		{name: "Start with TaskId processed then dropped: TaskAlreadyExists is success", action: "StartRecord", proxy: true,
			after: []relAfter{{drop: true}},
			want:  want{attempts: 2, served: 2}},
		{name: "Start with TaskId processed then 502 page: TaskAlreadyExists is success", action: "StartRecord", proxy: true,
			after: []relAfter{{status: 502, body: rtctest.GatewayHTML()}},
			want:  want{attempts: 2, served: 2}},
		{name: "Start with TaskId already running (no ambiguity) is ErrTaskExists", action: "StartRecord",
			setup: func(t *testing.T, e *relEnv) {
				require.NoError(t, relCalls["StartRecord"](context.Background(), e.client))
			},
			want: want{shape: relAPI, code: "InvalidParameter.TaskAlreadyExists", is: []error{rtc.ErrTaskExists, rtc.ErrInvalidParameter}, attempts: 1, served: 1}},

		// Dropped connections injected by the fake (the action does not run).
		{name: "dropped after the body, read retried", action: "GetRoomOnlineUsers",
			faults: []rtctest.Fault{{Drop: rtctest.DropAfterBody}},
			want:   want{attempts: 2, served: 2}},
		{name: "dropped before the body, ban retried", action: "BanRoomUser",
			faults: []rtctest.Fault{{Drop: rtctest.DropBeforeBody, Times: 2}},
			want:   want{attempts: 3, served: 3}},
		{name: "dropped after the body, message not retried", action: "SendUnicast",
			faults: []rtctest.Fault{{Drop: rtctest.DropAfterBody}},
			want:   want{shape: relTransport, attempts: 1, served: 1}},
		{name: "dropped before the body, broadcast not retried", action: "SendBroadcast",
			faults: []rtctest.Fault{{Drop: rtctest.DropBeforeBody}},
			want:   want{shape: relTransport, attempts: 1, served: 1}},
		{name: "dropped throughout, read gives up after 3", action: "GetRoomOnlineUsers",
			faults: []rtctest.Fault{{Drop: rtctest.DropAfterBody, Times: rtctest.Always}},
			want:   want{shape: relTransport, attempts: 3, served: 3}},

		// Slow answers: the per-attempt timeout and the context bound the wait.
		{name: "per-attempt timeout, no retry", action: "GetRoomOnlineUsers",
			client: []rtc.Option{rtc.WithTimeout(200 * time.Millisecond), rtc.WithRetry(rtc.RetryPolicy{MaxAttempts: 1})},
			faults: []rtctest.Fault{{Delay: 5 * time.Second, Times: rtctest.Always}},
			want:   want{shape: relTransport, is: []error{context.DeadlineExceeded}, attempts: 1, served: 1, min: 200 * time.Millisecond, max: 400 * time.Millisecond}},
		{name: "per-attempt timeout, read retried and served", action: "GetRoomOnlineUsers",
			client: []rtc.Option{rtc.WithTimeout(150 * time.Millisecond)},
			faults: []rtctest.Fault{{Delay: 5 * time.Second, Times: 2}},
			want:   want{attempts: 3, served: 3, min: 300 * time.Millisecond, max: 2 * (3*150 + 20) * time.Millisecond}},
		{name: "per-attempt timeout, message not retried", action: "SendUnicast",
			client: []rtc.Option{rtc.WithTimeout(150 * time.Millisecond)},
			faults: []rtctest.Fault{{Delay: 5 * time.Second}},
			want:   want{shape: relTransport, is: []error{context.DeadlineExceeded}, attempts: 1, served: 1, min: 150 * time.Millisecond, max: 300 * time.Millisecond}},
		{name: "context deadline ends the call", action: "BanRoomUser", ctxLimit: 250 * time.Millisecond,
			faults: []rtctest.Fault{{Delay: 5 * time.Second, Times: rtctest.Always}},
			want:   want{shape: relTransport, is: []error{context.DeadlineExceeded}, attempts: 1, served: 1, min: 250 * time.Millisecond, max: 500 * time.Millisecond}},
		{name: "WithCallTimeout bounds retries too", action: "GetRoomOnlineUsers",
			client:   []rtc.Option{rtc.WithTimeout(100 * time.Millisecond), rtc.WithRetry(rtc.RetryPolicy{MaxAttempts: 10, BaseDelay: time.Millisecond})},
			callOpts: []rtc.CallOption{rtc.WithCallTimeout(250 * time.Millisecond)},
			faults:   []rtctest.Fault{{Delay: 5 * time.Second, Times: rtctest.Always}},
			want:     want{shape: relTransport, is: []error{context.DeadlineExceeded}, attempts: 3, served: 3, min: 250 * time.Millisecond, max: 500 * time.Millisecond}},
		{name: "slow but within the timeout succeeds", action: "SendUnicast",
			client: []rtc.Option{rtc.WithTimeout(2 * time.Second)},
			faults: []rtctest.Fault{{Delay: 100 * time.Millisecond}},
			want:   want{attempts: 1, served: 1, messages: 1, min: 100 * time.Millisecond, max: time.Second}},

		// Bodies that are not the envelope.
		{name: "HTML gateway page once, read retried", action: "GetRoomOnlineUsers",
			faults: []rtctest.Fault{{Status: 502, Body: rtctest.GatewayHTML()}},
			want:   want{attempts: 2, served: 2}},
		{name: "HTML gateway page throughout", action: "GetRoomOnlineUsers",
			faults: []rtctest.Fault{{Status: 502, Body: rtctest.GatewayHTML(), Times: rtctest.Always}},
			want:   want{shape: relResponse, code: "not a JSON envelope", is: []error{rtc.ErrServer}, attempts: 3, served: 3}},
		{name: "HTML gateway page for a message, not retried", action: "SendUnicast",
			faults: []rtctest.Fault{{Status: 502, Body: rtctest.GatewayHTML()}},
			want:   want{shape: relResponse, code: "not a JSON envelope", is: []error{rtc.ErrServer}, attempts: 1, served: 1}},
		{name: "HTML with 200 (captive portal) is final", action: "GetRoomOnlineUsers",
			faults: []rtctest.Fault{{Status: 200, Body: huge("<html><body>Please log in</body></html>"), Times: rtctest.Always}},
			want:   want{shape: relResponse, code: "not a JSON envelope", attempts: 1, served: 1}},
		{name: "HTML 429 from a gateway is throttling", action: "SendUnicast",
			faults: []rtctest.Fault{{Status: 429, Body: huge("<html>Too Many Requests</html>"), Times: rtctest.Always}},
			want:   want{shape: relResponse, code: "not a JSON envelope", is: []error{rtc.ErrThrottled}, attempts: 3, served: 3}},
		{name: "empty 200 body for a read, retried then typed", action: "GetRoomOnlineUsers",
			faults: []rtctest.Fault{{Status: 200, Body: []byte{}, ContentType: "application/json", Times: rtctest.Always}},
			want:   want{shape: relResponse, code: "empty body", attempts: 3, served: 3}},
		{name: "empty 200 body for a message, not retried", action: "SendUnicast",
			faults: []rtctest.Fault{{Status: 200, Body: []byte{}, ContentType: "application/json"}},
			want:   want{shape: relResponse, code: "empty body", attempts: 1, served: 1}},
		{name: "empty 500 body for a ban, retried", action: "BanRoomUser",
			faults: []rtctest.Fault{{Status: 500, Body: []byte{}}},
			want:   want{attempts: 2, served: 2}},
		{name: "truncated JSON for a read, retried", action: "GetRoomOnlineUsers",
			faults: []rtctest.Fault{{Status: 200, Body: rtctest.TruncatedJSON(), ContentType: "application/json"}},
			want:   want{attempts: 2, served: 2}},
		{name: "truncated JSON for a message, not retried", action: "SendBroadcast",
			faults: []rtctest.Fault{{Status: 200, Body: rtctest.TruncatedJSON(), ContentType: "application/json"}},
			want:   want{shape: relResponse, code: "truncated JSON envelope", attempts: 1, served: 1}},
		{name: "JSON without ResponseMetadata is final", action: "BanRoomUser",
			faults: []rtctest.Fault{{Status: 200, Body: huge(`{"Result":{"Message":"success"}}`), ContentType: "application/json", Times: rtctest.Always}},
			want:   want{shape: relResponse, code: "without ResponseMetadata", attempts: 1, served: 1}},
		{name: "binary garbage is typed, not a panic", action: "GetRoomOnlineUsers",
			faults: []rtctest.Fault{{Status: 200, Body: []byte{0xff, 0xfe, 0, 1, '{', '"'}, ContentType: "application/octet-stream", Times: rtctest.Always}},
			want:   want{shape: relResponse, code: "not a JSON envelope", attempts: 1, served: 1}},

		// Clock skew: corrected once from the Date header.
		{name: "server clock 2h ahead: corrected once", action: "GetRoomOnlineUsers",
			setup: func(t *testing.T, e *relEnv) { e.srv.SetClockOffset(2 * time.Hour) },
			want:  want{attempts: 2, served: 2}},
		{name: "server clock 3h behind: message corrected and sent once", action: "SendUnicast",
			setup: func(t *testing.T, e *relEnv) { e.srv.SetClockOffset(-3 * time.Hour) },
			want:  want{attempts: 2, served: 2, messages: 1}},
		{name: "clock correction does not use up an attempt", action: "BanRoomUser",
			client: []rtc.Option{rtc.WithRetry(rtc.RetryPolicy{MaxAttempts: 1})},
			setup:  func(t *testing.T, e *relEnv) { e.srv.SetClockOffset(2 * time.Hour) },
			want:   want{attempts: 2, served: 2}},
		{name: "InvalidTimestamp again after correcting is final", action: "BanRoomUser",
			faults: []rtctest.Fault{{Code: "InvalidTimestamp", Times: rtctest.Always}},
			want:   want{shape: relAPI, code: "InvalidTimestamp", is: []error{rtc.ErrAuth}, attempts: 2, served: 2}},

		// Never retried.
		{name: "bad parameter is final", action: "SendUnicast",
			faults: []rtctest.Fault{{Code: "InvalidParameter"}},
			want:   want{shape: relAPI, code: "InvalidParameter", is: []error{rtc.ErrInvalidParameter}, attempts: 1, served: 1}},
		{name: "access denied is final", action: "GetRoomOnlineUsers",
			faults: []rtctest.Fault{{Code: "AccessDenied"}},
			want:   want{shape: relAPI, code: "AccessDenied", is: []error{rtc.ErrAccessDenied}, attempts: 1, served: 1}},
		{name: "wrong secret is final and explained", action: "BanRoomUser",
			client: []rtc.Option{rtc.WithCredentials(rtc.Credentials{AccessKeyID: rtctest.DemoAccessKeyID, SecretAccessKey: "not-the-secret"})},
			want:   want{shape: relAPI, code: "SignatureDoesNotMatch", is: []error{rtc.ErrAuth}, attempts: 1, served: 1}},
		{name: "extra retryable code from the policy", action: "SendUnicast",
			client: []rtc.Option{rtc.WithRetry(rtc.RetryPolicy{BaseDelay: time.Millisecond, RetryableCodes: []string{"InvalidParameter.Busy"}})},
			faults: []rtctest.Fault{{Code: "InvalidParameter.Busy", Status: 400}},
			want:   want{attempts: 2, served: 2, messages: 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newRelEnv(t, relSetup{proxy: tc.proxy, clientOpts: tc.client})
			call := relCalls[tc.action]
			require.NotNil(t, call, tc.action)
			if tc.setup != nil {
				tc.setup(t, e)
			}
			served0, attempts0 := e.served(tc.action), e.attempts.Load()
			for _, f := range tc.faults {
				e.srv.InjectFault(tc.action, f)
			}
			for _, a := range tc.after {
				e.proxy.inject(tc.action, a)
			}
			ctx := context.Background()
			if tc.ctxLimit > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.ctxLimit)
				defer cancel()
			}
			start := time.Now()
			err := call(ctx, e.client, tc.callOpts...)
			took := time.Since(start)
			// Close the server before counting: it releases requests still
			// held by an injected delay (they are recorded, not carried
			// out) and waits for every handler to finish.
			e.srv.Close()

			w := tc.want
			relCheckShape(t, err, w.shape, w.code)
			for _, target := range w.is {
				require.ErrorIs(t, err, target)
			}
			require.Equal(t, w.attempts, int(e.attempts.Load()-attempts0), "client attempts")
			require.Equal(t, w.served, e.served(tc.action)-served0, "requests the server recorded")
			require.Len(t, e.srv.Messages(), w.messages, "messages delivered")
			require.GreaterOrEqual(t, took, w.min, "elapsed")
			maxTook := w.max
			if maxTook == 0 {
				maxTook = 5 * time.Second
			}
			require.Less(t, took, maxTook, "elapsed")
			var waited time.Duration
			for _, d := range e.sleeps.Waits() {
				waited += d
			}
			require.GreaterOrEqual(t, waited, w.waited, "waits between attempts")
			if err != nil {
				require.NotContains(t, err.Error(), rtctest.DemoSecretAccessKey)
			}
		})
	}
}

// TestReliabilityHugeBody answers with a 300 MiB body: the client reads no
// more than DefaultMaxResponseBytes, returns a typed error quickly, does not
// retry, and allocates far less than the body's size. A body whose
// Content-Length already says it is too large should cost next to nothing;
// one of unknown length (chunked) at most a small multiple of the limit.
func TestReliabilityHugeBody(t *testing.T) {
	const size = 300 << 20
	limit := uint64(rtc.DefaultMaxResponseBytes)
	cases := []struct {
		name     string
		action   string
		status   int
		chunked  bool   // stream without Content-Length (a plain httptest server)
		maxAlloc uint64 // bound on TotalAlloc growth during the call
	}{
		{name: "declared 300 MiB, 200, read", action: "GetRoomOnlineUsers", status: 200, maxAlloc: limit / 2},
		{name: "declared 300 MiB, 500, message", action: "SendUnicast", status: 500, maxAlloc: limit / 2},
		{name: "chunked 300 MiB, 200, read", action: "GetRoomOnlineUsers", status: 200, chunked: true, maxAlloc: 3 * limit},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newRelEnv(t, relSetup{})
			client := e.client
			if tc.chunked {
				hs := httptest.NewServer(relChunkedHuge(size))
				t.Cleanup(hs.Close)
				tr := &http.Transport{}
				t.Cleanup(tr.CloseIdleConnections)
				var err error
				client, err = rtc.New(rtc.WithEndpoint(hs.URL), rtc.WithHTTPClient(&http.Client{Transport: tr}),
					rtc.WithCredentials(rtc.Credentials{AccessKeyID: "AK", SecretAccessKey: "SK"}), rtc.WithRetry(relFast))
				require.NoError(t, err)
			} else {
				e.srv.InjectFault(tc.action, rtctest.Fault{HugeBody: size, Status: tc.status, Times: rtctest.Always})
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			err := relCalls[tc.action](context.Background(), client)
			took := time.Since(start)
			runtime.ReadMemStats(&after)

			var re *rtc.ResponseError
			require.ErrorAs(t, err, &re)
			require.Contains(t, re.Reason, "too large")
			require.Equal(t, tc.status, re.HTTPStatus)
			require.LessOrEqual(t, len(re.Excerpt), 200, "the excerpt is short")
			if !tc.chunked {
				require.Equal(t, int64(1), e.attempts.Load(), "a body over the limit is not retried")
			}
			require.Less(t, took, 5*time.Second)
			grew := after.TotalAlloc - before.TotalAlloc
			t.Logf("%s: %v, TotalAlloc grew %.1f MiB (limit %d MiB, body %d MiB)", tc.name, took.Round(time.Millisecond),
				float64(grew)/(1<<20), limit>>20, size>>20)
			require.Less(t, grew, tc.maxAlloc, "refusing a too-large body allocated %.1f MiB (bound %.1f MiB)",
				float64(grew)/(1<<20), float64(tc.maxAlloc)/(1<<20))
		})
	}
}

// relChunkedHuge streams n bytes of an envelope that never closes, with no
// Content-Length (chunked), flushing as it goes.
func relChunkedHuge(n int64) http.Handler {
	chunk := bytes.Repeat([]byte("x"), 32<<10)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"ResponseMetadata":{"RequestId":"r1"},"Result":{"Data":"`)
		fl, _ := w.(http.Flusher)
		for left := n; left > 0 && r.Context().Err() == nil; left -= int64(len(chunk)) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
			if fl != nil {
				fl.Flush()
			}
		}
	})
}

// TestReliabilityBudget drives a client with a small retry budget against a
// service that always answers 503: the first call retries until the budget
// is spent, later calls fail after one attempt, and successes refill it.
func TestReliabilityBudget(t *testing.T) {
	var logs relLogBuffer
	e := newRelEnv(t, relSetup{clientOpts: []rtc.Option{
		rtc.WithRetry(rtc.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, Budget: 10}),
		rtc.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))),
	}})
	const action = "GetRoomOnlineUsers"
	steps := []struct {
		name     string
		failing  bool // the service answers 503 to every call
		calls    int
		attempts int // per call
		ok       bool
	}{
		{name: "first failing call spends the budget (2 retries of 5 tokens)", failing: true, calls: 1, attempts: 3},
		{name: "budget empty: fail fast", failing: true, calls: 5, attempts: 1},
		{name: "service back: successes refund one token each", failing: false, calls: 5, attempts: 1, ok: true},
		{name: "one retry affordable again", failing: true, calls: 1, attempts: 2},
		{name: "and spent again", failing: true, calls: 2, attempts: 1},
	}
	for _, st := range steps {
		e.srv.ClearFaults()
		if st.failing {
			e.srv.InjectFault(action, rtctest.Fault{Status: 503, Times: rtctest.Always})
		}
		for i := 0; i < st.calls; i++ {
			a0, s0 := e.attempts.Load(), e.served(action)
			err := relCalls[action](context.Background(), e.client)
			if st.ok {
				require.NoError(t, err, st.name)
			} else {
				require.ErrorIs(t, err, rtc.ErrServer, st.name)
				require.True(t, rtc.IsRetryable(err), st.name)
			}
			require.Equal(t, st.attempts, int(e.attempts.Load()-a0), "%s: attempts of call %d", st.name, i+1)
			require.Equal(t, st.attempts, e.served(action)-s0, "%s: requests served for call %d", st.name, i+1)
		}
	}
	require.Contains(t, logs.String(), "retry budget exhausted", "running dry is logged as a warning")
}

// relLogBuffer is a concurrency-safe log sink.
type relLogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *relLogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *relLogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestReliabilityValidationSendsNothing: a request that breaks the ID rule
// is refused before anything reaches the server, even under faults.
func TestReliabilityValidationSendsNothing(t *testing.T) {
	cases := []struct {
		name string
		call func(ctx context.Context, c *rtc.Client) error
		path string
	}{
		{name: "room id with a space", path: "RoomId", call: func(ctx context.Context, c *rtc.Client) error {
			_, err := c.GetRoomOnlineUsers(ctx, &rtc.GetRoomOnlineUsersRequest{AppID: relAppID, RoomID: "room 1"})
			return err
		}},
		{name: "nested stream user id too long", path: "TargetStreams.StreamList[1].UserId", call: func(ctx context.Context, c *rtc.Client) error {
			r := relStartRecord()
			r.TargetStreams = &rtc.Streams{StreamList: []rtc.Stream{{UserID: "ok"}, {UserID: strings.Repeat("u", 129)}}}
			_, err := c.StartRecord(ctx, r)
			return err
		}},
		{name: "nil request", path: "", call: func(ctx context.Context, c *rtc.Client) error {
			_, err := c.SendUnicast(ctx, nil)
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newRelEnv(t, relSetup{})
			e.srv.InjectFault("", rtctest.Fault{Status: 503, Times: rtctest.Always})
			err := tc.call(context.Background(), e.client)
			relCheckShape(t, err, relValidation, "")
			require.ErrorIs(t, err, rtc.ErrInvalidParameter)
			var ve *rtc.ValidationError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, tc.path, ve.Problems[0].Path)
			require.Zero(t, e.attempts.Load())
			require.Empty(t, e.srv.Requests())
		})
	}
}
