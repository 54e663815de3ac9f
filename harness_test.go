package rtc

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/volcrtc/rtc/rtctest"
)

// The shared test harness: one envelope builder, one recording stub server
// and one client constructor, used by the tests of package rtc and, since
// these names are exported, by those of package rtc_test too. Tests that
// need the service's behaviour use rtctest instead; a stub is for what
// rtctest cannot show or produce (the exact request on the wire, scripted
// answers, redirects, a proxy echoing the request).

// StubCreds are the credentials NewStubClient signs with. The secret parts
// must never appear in an error or a log line.
var StubCreds = Credentials{AccessKeyID: "AKTEST", SecretAccessKey: "SECRETKEY-never-shown", SessionToken: "SESSION-never-shown"}

// StubEnvelope renders a response envelope: an Error when code is not
// empty, else result (omitted when nil; a json.RawMessage is used as it is).
func StubEnvelope(requestID, action, code, msg string, result any) string {
	return stubEnvelope(requestID, action, "2023-11-01", code, msg, result)
}

func stubEnvelope(requestID, action, version, code, msg string, result any) string {
	if b, ok := result.([]byte); ok {
		result = json.RawMessage(b)
	}
	meta := map[string]any{"RequestId": requestID, "Action": action, "Version": version, "Service": "rtc", "Region": "cn-north-1"}
	env := map[string]any{"ResponseMetadata": meta}
	if code != "" {
		meta["Error"] = map[string]any{"Code": code, "Message": msg}
	} else if result != nil {
		env["Result"] = result
	}
	b, err := json.Marshal(env)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// StubRequest is one request as a StubServer saw it.
type StubRequest struct {
	N        int // 1 for the first request
	Time     time.Time
	Method   string
	Path     string
	RawQuery string
	Query    url.Values
	Header   http.Header
	Host     string
	Body     []byte
}

// StubAnswer is what a StubServer answers.
type StubAnswer struct {
	Status    int    // default 200
	RequestID string // default "req-<Action>"
	Code      string // an Error in the envelope when set
	Message   string
	Result    any         // the Result when Code is empty
	Raw       []byte      // when not nil, the whole body instead of an envelope
	Header    http.Header // extra response headers
}

// StubScript answers request n with answers[n-1]; the last one repeats.
func StubScript(answers ...StubAnswer) func(StubRequest) StubAnswer {
	return func(r StubRequest) StubAnswer { return answers[min(r.N, len(answers))-1] }
}

// StubServer is an httptest server that records every request and answers
// as its function says.
type StubServer struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []StubRequest
}

// NewStubServer starts a StubServer, closed when the test ends.
func NewStubServer(t testing.TB, answer func(StubRequest) StubAnswer) *StubServer {
	t.Helper()
	s := &StubServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		rec := StubRequest{N: len(s.reqs) + 1, Time: time.Now(), Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
			Query: r.URL.Query(), Header: r.Header.Clone(), Host: r.Host, Body: body}
		s.reqs = append(s.reqs, rec)
		s.mu.Unlock()
		a := answer(rec)
		for k, vs := range a.Header {
			w.Header()[k] = vs
		}
		out := a.Raw
		if out == nil {
			w.Header().Set("Content-Type", "application/json")
			rid := a.RequestID
			if rid == "" {
				rid = "req-" + rec.Query.Get("Action")
			}
			msg := a.Message
			if a.Code != "" && msg == "" {
				msg = "stub failure"
			}
			out = []byte(stubEnvelope(rid, rec.Query.Get("Action"), rec.Query.Get("Version"), a.Code, msg, a.Result))
		}
		if a.Status != 0 {
			w.WriteHeader(a.Status)
		}
		_, _ = w.Write(out)
	}))
	t.Cleanup(s.Close)
	return s
}

// Requests returns what the server has recorded so far.
func (s *StubServer) Requests() []StubRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]StubRequest(nil), s.reqs...)
}

// NewRawStub starts a plain httptest server running h, closed when the
// test ends, for answers a StubServer cannot give (redirects, hijacked
// connections).
func NewRawStub(t testing.TB, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

// NewFake starts rtctest's fake RTC OpenAPI server accepting StubCreds,
// closed when the test ends.
func NewFake(t testing.TB, opts ...rtctest.Option) *rtctest.Server {
	t.Helper()
	srv := rtctest.NewServer(append([]rtctest.Option{rtctest.WithCredentials(StubCreds.AccessKeyID, StubCreds.SecretAccessKey)}, opts...)...)
	t.Cleanup(srv.Close)
	return srv
}

// NewStubClient builds a client for url that signs with StubCreds and
// retries fast (1-5 ms backoff); opts come after those and can override
// them.
func NewStubClient(t testing.TB, url string, opts ...Option) *Client {
	t.Helper()
	base := []Option{WithEndpoint(url), WithCredentials(StubCreds), WithRetry(RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond})}
	c, err := New(append(base, opts...)...)
	require.NoError(t, err)
	return c
}

// SleepRecorder replaces a client's wait between attempts (the injected
// clock of the retry loop): it records each wait and returns at once, or
// with the context's error, so no test sleeps for real.
type SleepRecorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

// RecordSleeps installs a SleepRecorder on c.
func RecordSleeps(c *Client) *SleepRecorder {
	r := &SleepRecorder{}
	c.sleep = func(ctx context.Context, d time.Duration) error {
		r.mu.Lock()
		r.waits = append(r.waits, d)
		r.mu.Unlock()
		return ctx.Err()
	}
	return r
}

// Waits returns the waits recorded so far.
func (r *SleepRecorder) Waits() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.waits...)
}
