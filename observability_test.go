package rtc_test

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

	"github.com/volcrtc/rtc"
)

// Secrets the observability tests hunt for in every log line.
const (
	obsAccessKey    = "AKOBSERVE"
	obsSecretKey    = "obs-SECRET-key-must-never-appear"
	obsSessionToken = "obs-SESSION-token-must-never-appear"
)

// obsRecord is one slog record as the memory handler kept it.
type obsRecord struct {
	Level   slog.Level
	Message string
	Attrs   map[string]slog.Value
}

// obsLog is a slog handler that keeps every record in memory and also
// renders it with the standard text and JSON handlers into one buffer, so a
// test can search the whole output for secrets.
type obsLog struct {
	level slog.Level
	attrs []slog.Attr

	mu      *sync.Mutex
	records *[]obsRecord
	out     *bytes.Buffer
	text    slog.Handler
	json    slog.Handler
}

func newObsLog(level slog.Level) *obsLog {
	out := new(bytes.Buffer)
	hopts := &slog.HandlerOptions{Level: slog.Level(-100)}
	return &obsLog{
		level:   level,
		mu:      new(sync.Mutex),
		records: new([]obsRecord),
		out:     out,
		text:    slog.NewTextHandler(out, hopts),
		json:    slog.NewJSONHandler(out, hopts),
	}
}

func (h *obsLog) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }

func (h *obsLog) Handle(ctx context.Context, r slog.Record) error {
	rec := obsRecord{Level: r.Level, Message: r.Message, Attrs: map[string]slog.Value{}}
	for _, a := range h.attrs {
		rec.Attrs[a.Key] = a.Value.Resolve()
	}
	r.Attrs(func(a slog.Attr) bool {
		rec.Attrs[a.Key] = a.Value.Resolve()
		return true
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	*h.records = append(*h.records, rec)
	if err := h.text.WithAttrs(h.attrs).Handle(ctx, r); err != nil {
		return err
	}
	return h.json.WithAttrs(h.attrs).Handle(ctx, r)
}

func (h *obsLog) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr{}, h.attrs...), as...)
	return &c
}

// WithGroup is not used by the SDK; groups are flattened.
func (h *obsLog) WithGroup(string) slog.Handler { return h }

func (h *obsLog) all() []obsRecord {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]obsRecord{}, *h.records...)
}

func (h *obsLog) output() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.out.String()
}

// byMessage returns the records with message msg.
func (h *obsLog) byMessage(msg string) []obsRecord {
	var rs []obsRecord
	for _, r := range h.all() {
		if r.Message == msg {
			rs = append(rs, r)
		}
	}
	return rs
}

type obsAnswer struct {
	status int
	code   string // "" for success
}

// newObsServer is the shared stub server answering attempt n with
// answers[n-1] (the last one repeats), request id "req-<n>".
func newObsServer(t *testing.T, answers ...obsAnswer) *rtc.StubServer {
	t.Helper()
	return rtc.NewStubServer(t, func(r rtc.StubRequest) rtc.StubAnswer {
		a := answers[min(r.N, len(answers))-1]
		return rtc.StubAnswer{Status: a.status, Code: a.code, Message: "try again later", RequestID: fmt.Sprintf("req-%d", r.N), Result: map[string]any{}}
	})
}

// obsAuthorizations returns every Authorization header the server saw.
func obsAuthorizations(s *rtc.StubServer) []string {
	var out []string
	for _, r := range s.Requests() {
		out = append(out, r.Header.Get("Authorization"))
	}
	return out
}

// unavailableThenOK is the standard script: a retryable 503, then success.
var unavailableThenOK = []obsAnswer{{503, "ServiceUnavailableTemp"}, {200, ""}}

// obsCreds are the credentials the observability tests sign with; the
// secret parts are hunted for in every log line.
var obsCreds = rtc.Credentials{AccessKeyID: obsAccessKey, SecretAccessKey: obsSecretKey, SessionToken: obsSessionToken}

func newObsClient(t *testing.T, url string, opts ...rtc.Option) *rtc.Client {
	t.Helper()
	return rtc.NewStubClient(t, url, append([]rtc.Option{rtc.WithCredentials(obsCreds),
		rtc.WithRetry(rtc.RetryPolicy{BaseDelay: 2 * time.Millisecond, MaxDelay: 4 * time.Millisecond})}, opts...)...)
}

func TestLogOneDebugRecordPerAttempt(t *testing.T) {
	t.Parallel()
	srv := newObsServer(t, unavailableThenOK...)
	logs := newObsLog(slog.LevelDebug)
	var ends []rtc.AttemptResult
	c := newObsClient(t, srv.URL, rtc.WithLogger(slog.New(logs)), rtc.WithObserver(rtc.ObserverFuncs{
		OnAttemptEnd: func(_ context.Context, _ rtc.AttemptInfo, r rtc.AttemptResult) { ends = append(ends, r) },
	}))

	meta, err := c.Call(context.Background(), "StartRecord", "2023-11-01", map[string]string{"RoomId": "r1"}, nil)
	require.NoError(t, err)
	require.Equal(t, "req-2", meta.RequestID)

	recs := logs.byMessage("rtc: attempt")
	require.Len(t, recs, 2, "one record per attempt")
	require.Len(t, logs.all(), 2, "nothing but the attempt records")
	require.Len(t, ends, 2)

	tests := []struct {
		name      string
		rec       obsRecord
		attempt   int64
		status    int64
		errorCode string // "" means the attribute is absent
		requestID string // "" means the attribute is absent
		retry     bool   // also: retry_in present
		failed    bool   // error and retry attributes present
	}{
		{"503 then retried", recs[0], 1, 503, "ServiceUnavailableTemp", "", true, true},
		{"200", recs[1], 2, 200, "", "req-2", false, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.rec.Attrs
			require.Equal(t, slog.LevelDebug, tt.rec.Level)
			require.Equal(t, "StartRecord", a["action"].String())
			require.Equal(t, "2023-11-01", a["version"].String())
			require.Equal(t, tt.attempt, a["attempt"].Int64())
			require.Equal(t, tt.status, a["status"].Int64())
			require.Equal(t, slog.KindDuration, a["latency"].Kind())
			require.Positive(t, a["latency"].Duration())
			require.Equal(t, ends[i].Duration, a["latency"].Duration(), "the log and the observer agree on latency")

			if tt.errorCode == "" {
				require.NotContains(t, a, "error_code")
			} else {
				require.Equal(t, tt.errorCode, a["error_code"].String())
			}
			if tt.requestID == "" {
				// The failed attempt's request id is only inside the error
				// text (see the report: the core could add it as request_id).
				require.Contains(t, a["error"].String(), "request id req-1")
			} else {
				require.Equal(t, tt.requestID, a["request_id"].String())
			}
			if !tt.failed {
				require.NotContains(t, a, "error")
				require.NotContains(t, a, "retry")
				require.NotContains(t, a, "retry_in")
				return
			}
			require.Equal(t, tt.retry, a["retry"].Bool())
			require.Contains(t, a, "retry_in")
			d := a["retry_in"].Duration()
			require.GreaterOrEqual(t, d, time.Duration(0))
			require.Less(t, d, 2*time.Millisecond, "full jitter below the first ceiling")
			require.Equal(t, ends[i].RetryDelay, d, "the log and the observer agree on the delay")
		})
	}
}

func TestLogFinalFailureSaysNoRetry(t *testing.T) {
	t.Parallel()
	srv := newObsServer(t, obsAnswer{400, "InvalidParameter.RoomIdInvalid"})
	logs := newObsLog(slog.LevelDebug)
	c := newObsClient(t, srv.URL, rtc.WithLogger(slog.New(logs)))

	_, err := c.Call(context.Background(), "StartRecord", "2023-11-01", nil, nil)
	require.ErrorIs(t, err, rtc.ErrInvalidParameter)

	recs := logs.byMessage("rtc: attempt")
	require.Len(t, recs, 1)
	a := recs[0].Attrs
	require.Equal(t, int64(400), a["status"].Int64())
	require.Equal(t, "InvalidParameter.RoomIdInvalid", a["error_code"].String())
	require.False(t, a["retry"].Bool())
	require.NotContains(t, a, "retry_in")
}

func TestLogLevels(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		level      slog.Level
		answers    []obsAnswer
		wantDebug  int  // "rtc: attempt" records
		wantTrace  bool // the canonical request record
		wantErrIs  error
		wantNoLogs bool
	}{
		{"info: a normal call with a retry logs nothing", slog.LevelInfo, unavailableThenOK, 0, false, nil, true},
		{"debug: attempts only", slog.LevelDebug, unavailableThenOK, 2, false, nil, false},
		{"debug: rejected signature has no canonical request", slog.LevelDebug, []obsAnswer{{401, "SignatureDoesNotMatch"}}, 1, false, rtc.ErrAuth, false},
		{"trace: rejected signature logs the canonical request", rtc.LevelTrace, []obsAnswer{{401, "SignatureDoesNotMatch"}}, 1, true, rtc.ErrAuth, false},
		{"trace: a normal call has no canonical request", rtc.LevelTrace, unavailableThenOK, 2, false, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newObsServer(t, tt.answers...)
			logs := newObsLog(tt.level)
			// No session token here: see TestLogNeverShowsSecrets for why.
			c, err := rtc.New(rtc.WithEndpoint(srv.URL), rtc.WithLogger(slog.New(logs)),
				rtc.WithCredentials(rtc.Credentials{AccessKeyID: obsAccessKey, SecretAccessKey: obsSecretKey}),
				rtc.WithRetry(rtc.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}))
			require.NoError(t, err)

			_, err = c.Call(context.Background(), "StartRecord", "2023-11-01", map[string]string{"RoomId": "r1"}, nil)
			if tt.wantErrIs != nil {
				require.ErrorIs(t, err, tt.wantErrIs)
			} else {
				require.NoError(t, err)
			}
			if tt.wantNoLogs {
				require.Empty(t, logs.all())
				require.Empty(t, logs.output())
				return
			}
			require.Len(t, logs.byMessage("rtc: attempt"), tt.wantDebug)
			var traces []obsRecord
			for _, r := range logs.all() {
				if r.Level < slog.LevelDebug {
					traces = append(traces, r)
				}
			}
			if !tt.wantTrace {
				require.Empty(t, traces)
				require.NotContains(t, logs.output(), "canonical_request")
				return
			}
			require.Len(t, traces, 1)
			tr := traces[0]
			require.Equal(t, rtc.LevelTrace, tr.Level)
			cr := tr.Attrs["canonical_request"].String()
			require.True(t, strings.HasPrefix(cr, "POST\n/\nAction=StartRecord&Version=2023-11-01\n"), "canonical request: %q", cr)
			require.Contains(t, cr, "x-date")
			sts := tr.Attrs["string_to_sign"].String()
			require.True(t, strings.HasPrefix(sts, "HMAC-SHA256\n"), "string to sign: %q", sts)
			require.Contains(t, sts, "/cn-north-1/rtc/request\n")
		})
	}
}

func TestLogNeverShowsSecrets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		level   slog.Level
		token   string
		answers []obsAnswer
	}{
		{"debug, retried call, session token", slog.LevelDebug, obsSessionToken, unavailableThenOK},
		{"debug, rejected signature, session token", slog.LevelDebug, obsSessionToken, []obsAnswer{{401, "SignatureDoesNotMatch"}}},
		{"trace, retried call, session token", rtc.LevelTrace, obsSessionToken, unavailableThenOK},
		{"trace, rejected signature, no session token", rtc.LevelTrace, "", []obsAnswer{{401, "SignatureDoesNotMatch"}}},
		{"trace, rejected signature, session token", rtc.LevelTrace, obsSessionToken, []obsAnswer{{401, "SignatureDoesNotMatch"}}},
		{"trace, throttled until exhausted, session token", rtc.LevelTrace, obsSessionToken, []obsAnswer{{429, "FlowLimitExceeded"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newObsServer(t, tt.answers...)
			logs := newObsLog(tt.level)
			c, err := rtc.New(rtc.WithEndpoint(srv.URL), rtc.WithLogger(slog.New(logs)),
				rtc.WithCredentials(rtc.Credentials{AccessKeyID: obsAccessKey, SecretAccessKey: obsSecretKey, SessionToken: tt.token}),
				rtc.WithRetry(rtc.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}))
			require.NoError(t, err)
			_, _ = c.Call(context.Background(), "StartRecord", "2023-11-01", map[string]string{"RoomId": "r1"}, nil)

			out := logs.output()
			require.NotEmpty(t, out, "the test must have logged something to be meaningful")
			require.NotContains(t, out, obsSecretKey)
			require.NotContains(t, out, obsSessionToken)
			require.NotContains(t, out, "Authorization")
			auths := obsAuthorizations(srv)
			require.NotEmpty(t, auths)
			for _, auth := range auths {
				require.NotEmpty(t, auth)
				require.NotContains(t, out, auth)
				_, sig, ok := strings.Cut(auth, "Signature=")
				require.True(t, ok, "authorization %q", auth)
				require.Len(t, sig, 64)
				require.NotContains(t, out, sig)
			}
		})
	}
}

type obsCtxKey string

// obsEvent is one observer callback as a test saw it.
type obsEvent struct {
	kind    string // call-start, attempt-start, attempt-end, call-end
	call    rtc.CallInfo
	attempt rtc.AttemptInfo
	ares    rtc.AttemptResult
	cres    rtc.CallResult
	callCtx any // the ctx value set by CallStart, as seen here
	attCtx  any // the ctx value set by AttemptStart, as seen here
}

// obsRecorder is an Observer that records callbacks and marks the contexts.
type obsRecorder struct {
	name   string
	mu     sync.Mutex
	events []obsEvent
}

func (o *obsRecorder) add(e obsEvent) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.events = append(o.events, e)
}

func (o *obsRecorder) observer() rtc.Observer {
	callKey, attKey := obsCtxKey(o.name+"-call"), obsCtxKey(o.name+"-attempt")
	return rtc.ObserverFuncs{
		OnCallStart: func(ctx context.Context, c rtc.CallInfo) context.Context {
			o.add(obsEvent{kind: "call-start", call: c, callCtx: ctx.Value(callKey), attCtx: ctx.Value(attKey)})
			return context.WithValue(ctx, callKey, o.name+":"+c.Action)
		},
		OnAttemptStart: func(ctx context.Context, a rtc.AttemptInfo) context.Context {
			o.add(obsEvent{kind: "attempt-start", attempt: a, callCtx: ctx.Value(callKey), attCtx: ctx.Value(attKey)})
			return context.WithValue(ctx, attKey, a.Attempt)
		},
		OnAttemptEnd: func(ctx context.Context, a rtc.AttemptInfo, r rtc.AttemptResult) {
			o.add(obsEvent{kind: "attempt-end", attempt: a, ares: r, callCtx: ctx.Value(callKey), attCtx: ctx.Value(attKey)})
		},
		OnCallEnd: func(ctx context.Context, c rtc.CallInfo, r rtc.CallResult) {
			o.add(obsEvent{kind: "call-end", call: c, cres: r, callCtx: ctx.Value(callKey), attCtx: ctx.Value(attKey)})
		},
	}
}

// ctxSpy is a RoundTripper that records the context values each HTTP
// request carries.
type ctxSpy struct {
	keys []obsCtxKey
	mu   sync.Mutex
	seen [][]any
}

func (s *ctxSpy) RoundTrip(r *http.Request) (*http.Response, error) {
	vals := make([]any, len(s.keys))
	for i, k := range s.keys {
		vals[i] = r.Context().Value(k)
	}
	s.mu.Lock()
	s.seen = append(s.seen, vals)
	s.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

func TestObserverCallbacksOrderAndContents(t *testing.T) {
	t.Parallel()
	srv := newObsServer(t, unavailableThenOK...)
	rec := &obsRecorder{name: "o1"}
	spy := &ctxSpy{keys: []obsCtxKey{"o1-call", "o1-attempt"}}
	c := newObsClient(t, srv.URL, rtc.WithObserver(rec.observer()), rtc.WithHTTPClient(&http.Client{Transport: spy}))

	meta, err := c.Call(context.Background(), "StartRecord", "2023-11-01", map[string]string{"RoomId": "r1"}, nil)
	require.NoError(t, err)
	require.Equal(t, "req-2", meta.RequestID)

	host := strings.TrimPrefix(srv.URL, "http://")
	info := rtc.CallInfo{Action: "StartRecord", Version: "2023-11-01", Method: http.MethodPost, Region: rtc.RegionCNNorth1, Host: host}
	ev := rec.events
	kinds := make([]string, len(ev))
	for i, e := range ev {
		kinds[i] = e.kind
	}
	require.Equal(t, []string{"call-start", "attempt-start", "attempt-end", "attempt-start", "attempt-end", "call-end"}, kinds)

	tests := []struct {
		name    string
		ev      obsEvent
		callCtx any
		attCtx  any
		attempt int
	}{
		{"call start sees a bare ctx", ev[0], nil, nil, 0},
		{"attempt 1 start sees the call ctx", ev[1], "o1:StartRecord", nil, 1},
		{"attempt 1 end sees its attempt ctx", ev[2], "o1:StartRecord", 1, 1},
		{"attempt 2 start sees the call ctx, not attempt 1's", ev[3], "o1:StartRecord", nil, 2},
		{"attempt 2 end sees its attempt ctx", ev[4], "o1:StartRecord", 2, 2},
		{"call end sees the call ctx", ev[5], "o1:StartRecord", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.callCtx, tt.ev.callCtx)
			require.Equal(t, tt.attCtx, tt.ev.attCtx)
			if tt.attempt == 0 {
				require.Equal(t, info, tt.ev.call)
			} else {
				require.Equal(t, rtc.AttemptInfo{CallInfo: info, Attempt: tt.attempt}, tt.ev.attempt)
			}
		})
	}

	first := ev[2].ares
	require.Equal(t, 503, first.HTTPStatus)
	require.Equal(t, "ServiceUnavailableTemp", first.ErrorCode)
	require.ErrorIs(t, first.Err, rtc.ErrServer)
	var ae *rtc.APIError
	require.True(t, errors.As(first.Err, &ae))
	require.Equal(t, "req-1", ae.RequestID)
	require.True(t, first.Retry)
	require.GreaterOrEqual(t, first.RetryDelay, time.Duration(0))
	require.Less(t, first.RetryDelay, 2*time.Millisecond)
	require.Positive(t, first.Duration)

	second := ev[4].ares
	require.Equal(t, rtc.AttemptResult{HTTPStatus: 200, RequestID: "req-2", Duration: second.Duration}, second)
	require.Positive(t, second.Duration)

	end := ev[5].cres
	require.Equal(t, rtc.CallResult{Attempts: 2, RequestID: "req-2", Duration: end.Duration}, end)
	require.GreaterOrEqual(t, end.Duration, first.Duration+second.Duration)

	// Both HTTP requests carried the call's value and their own attempt's.
	require.Equal(t, [][]any{{"o1:StartRecord", 1}, {"o1:StartRecord", 2}}, spy.seen)
}

func TestObserverFailedCall(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		answers  []obsAnswer
		attempts int
		code     string
		is       error
		retries  []bool
	}{
		{"fatal, not retried", []obsAnswer{{403, "AccessDenied"}}, 1, "AccessDenied", rtc.ErrAccessDenied, []bool{false}},
		{"throttled until attempts run out", []obsAnswer{{429, "FlowLimitExceeded"}}, 3, "FlowLimitExceeded", rtc.ErrThrottled, []bool{true, true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newObsServer(t, tt.answers...)
			rec := &obsRecorder{name: "o"}
			c := newObsClient(t, srv.URL, rtc.WithObserver(rec.observer()))
			_, err := c.Call(context.Background(), "StartRecord", "2023-11-01", nil, nil)
			require.ErrorIs(t, err, tt.is)

			var retries []bool
			var end *rtc.CallResult
			for _, e := range rec.events {
				switch e.kind {
				case "attempt-end":
					retries = append(retries, e.ares.Retry)
					require.Equal(t, tt.code, e.ares.ErrorCode)
					require.ErrorIs(t, e.ares.Err, tt.is)
					if !e.ares.Retry {
						require.Zero(t, e.ares.RetryDelay)
					}
				case "call-end":
					end = &e.cres
				}
			}
			require.Equal(t, tt.retries, retries)
			require.NotNil(t, end)
			require.Equal(t, tt.attempts, end.Attempts)
			require.Equal(t, tt.code, end.ErrorCode)
			require.Same(t, err, end.Err, "CallEnd gets the error the caller gets")
		})
	}
}

func TestObserversChainInOrder(t *testing.T) {
	t.Parallel()
	srv := newObsServer(t, obsAnswer{200, ""})
	a, b := &obsRecorder{name: "a"}, &obsRecorder{name: "b"}
	spy := &ctxSpy{keys: []obsCtxKey{"a-call", "a-attempt", "b-call", "b-attempt"}}
	var order []string
	first := rtc.ObserverFuncs{OnCallStart: func(ctx context.Context, _ rtc.CallInfo) context.Context {
		order = append(order, "first")
		return ctx
	}}
	second := rtc.ObserverFuncs{OnCallStart: func(ctx context.Context, _ rtc.CallInfo) context.Context {
		order = append(order, "second")
		return nil // nil means "keep ctx"
	}}
	c := newObsClient(t, srv.URL, rtc.WithObserver(first), rtc.WithObserver(a.observer()), rtc.WithObserver(b.observer()),
		rtc.WithObserver(second), rtc.WithHTTPClient(&http.Client{Transport: spy}))
	_, err := c.Call(context.Background(), "StartRecord", "2023-11-01", nil, nil)
	require.NoError(t, err)

	require.Equal(t, []string{"first", "second"}, order)
	require.Len(t, a.events, 4)
	require.Len(t, b.events, 4)
	// Each observer's contexts derive from the previous one's, so the HTTP
	// request carries all of them.
	require.Equal(t, [][]any{{"a:StartRecord", 1, "b:StartRecord", 1}}, spy.seen)
}
