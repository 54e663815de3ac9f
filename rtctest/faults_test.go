package rtctest

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var kick = map[string]any{"AppId": "a", "RoomId": "r", "UserId": "u"}

func TestFaultErrorAnswers(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	cases := []struct {
		name   string
		f      Fault
		status int
		code   string
	}{
		{"code gives status", Fault{Code: "FlowLimitExceeded"}, 429, "FlowLimitExceeded"},
		{"status gives code", Fault{Status: 503}, 503, "ServiceUnavailableTemp"},
		{"internal error", Fault{Status: 500, Code: "InternalError", Message: "boom"}, 500, "InternalError"},
		{"error inside HTTP 200", Fault{Status: 200, Code: "InvalidParameter.AccountIdMismatch"}, 200, "InvalidParameter.AccountIdMismatch"},
		{"gateway timeout", Fault{Status: 504}, 504, "InternalServiceTimeout"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv.InjectFault("KickUser", tc.f)
			r := mustFail(t, srv, "KickUser", kick, tc.status, tc.code)
			require.Equal(t, "KickUser", r.env.ResponseMetadata.Action)
			require.Regexp(t, requestIDPattern, r.env.ResponseMetadata.RequestID)
			mustOK(t, srv, "KickUser", kick) // Times 0 means once
		})
	}
	t.Run("CodeN and message", func(t *testing.T) {
		srv.InjectFault("", Fault{Code: "InvalidTimestamp", CodeN: 100006, Message: "too old"})
		r := mustFail(t, srv, "KickUser", kick, 403, "InvalidTimestamp")
		require.Equal(t, 100006, r.env.ResponseMetadata.Error.CodeN)
		require.Equal(t, "too old", r.env.ResponseMetadata.Error.Message)
	})
}

func TestFaultTimesAndScope(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	srv.InjectFault("KickUser", Fault{Times: 2, Status: 503})
	srv.InjectFault("", Fault{Times: 1, Status: 500})
	require.Equal(t, 2, srv.PendingFaults())

	// The all-actions fault fires for another action; the KickUser one waits.
	mustFail(t, srv, "DismissRoom", map[string]any{"AppId": "a", "RoomId": "r"}, 500, "InternalError")
	mustFail(t, srv, "KickUser", kick, 503, "ServiceUnavailableTemp")
	mustFail(t, srv, "KickUser", kick, 503, "ServiceUnavailableTemp")
	mustOK(t, srv, "KickUser", kick)
	require.Equal(t, 0, srv.PendingFaults())

	srv.InjectFault("", Fault{Times: Always, Status: 503})
	for range 3 {
		mustFail(t, srv, "KickUser", kick, 503, "ServiceUnavailableTemp")
	}
	srv.ClearFaults()
	mustOK(t, srv, "KickUser", kick)

	reqs := srv.Requests()
	require.True(t, reqs[0].Faulted)
	require.True(t, reqs[0].SignatureVerified, "faulted requests still have their signature checked")
	require.False(t, reqs[len(reqs)-1].Faulted)
}

func TestFaultRetryAfterAndDelay(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	srv.InjectFault("KickUser", Fault{Code: "FlowLimitExceeded", RetryAfter: 1500 * time.Millisecond})
	r := mustFail(t, srv, "KickUser", kick, 429, "FlowLimitExceeded")
	require.Equal(t, "2", r.header.Get("Retry-After"))

	srv.InjectFault("KickUser", Fault{Delay: 100 * time.Millisecond})
	start := time.Now()
	mustOK(t, srv, "KickUser", kick) // a delay alone answers normally
	require.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)

	// A client that gives up does not hold the handler.
	srv.InjectFault("KickUser", Fault{Delay: time.Hour})
	hr := signedKick(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := http.DefaultClient.Do(hr.WithContext(ctx))
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

func signedKick(t *testing.T, srv *Server) *http.Request {
	t.Helper()
	body := []byte(`{"AppId":"a","RoomId":"r","UserId":"u"}`)
	hr, err := http.NewRequest("POST", srv.URL+"/?Action=KickUser&Version=2020-12-01", bytes.NewReader(body))
	require.NoError(t, err)
	hr.Header.Set("Content-Type", "application/json")
	require.NoError(t, newSigner().Sign(hr, body, creds(DemoAccessKeyID, DemoSecretAccessKey), srv.now()))
	return hr
}

func TestFaultDrops(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	for _, mode := range []DropMode{DropBeforeBody, DropAfterBody} {
		srv.InjectFault("KickUser", Fault{Drop: mode})
		tr := &http.Transport{}
		_, err := (&http.Client{Transport: tr}).Do(signedKick(t, srv))
		tr.CloseIdleConnections()
		require.Error(t, err, "mode %d", mode)
		reqs := srv.Requests()
		require.Equal(t, "Dropped", reqs[len(reqs)-1].ErrorCode)
	}
	mustOK(t, srv, "KickUser", kick)
}

func TestFaultBodies(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	cases := []struct {
		name   string
		f      Fault
		status int
		ct     string
		body   []byte
	}{
		{"html gateway page", Fault{Status: 502, Body: GatewayHTML()}, 502, "text/html; charset=utf-8", GatewayHTML()},
		{"empty", Fault{Status: 200, Body: []byte{}}, 200, "text/html; charset=utf-8", []byte{}},
		{"truncated json", Fault{Body: TruncatedJSON(), ContentType: "application/json"}, 200, "application/json", TruncatedJSON()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv.InjectFault("KickUser", tc.f)
			r := callAction(t, srv, "KickUser", kick)
			require.Equal(t, tc.status, r.status)
			require.Equal(t, tc.ct, r.header.Get("Content-Type"))
			require.Equal(t, tc.body, r.body)
		})
	}
	t.Run("huge body streamed", func(t *testing.T) {
		const size = 20 << 20
		srv.InjectFault("KickUser", Fault{HugeBody: size})
		resp, err := http.DefaultClient.Do(signedKick(t, srv))
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, int64(size), resp.ContentLength)
		n, err := io.Copy(io.Discard, resp.Body)
		require.NoError(t, err)
		require.Equal(t, int64(size), n)
	})
	t.Run("huge body abandoned by the client", func(t *testing.T) {
		srv.InjectFault("KickUser", Fault{HugeBody: 1 << 40})
		tr := &http.Transport{}
		resp, err := (&http.Client{Transport: tr}).Do(signedKick(t, srv))
		require.NoError(t, err)
		head := make([]byte, 20)
		_, err = io.ReadFull(resp.Body, head)
		require.NoError(t, err)
		require.Equal(t, `{"ResponseMetadata":`, string(head))
		resp.Body.Close()
		tr.CloseIdleConnections()
	})
}

func TestClockOffsetMakesClientsLookSkewed(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	srv.SetClockOffset(20 * time.Minute)
	r := send(t, srv, req{method: "POST", action: "KickUser", version: "2020-12-01",
		body: []byte(`{"AppId":"a","RoomId":"r","UserId":"u"}`), at: time.Now()})
	require.Equal(t, 403, r.status)
	require.Equal(t, "InvalidTimestamp", r.code())
	d, err := http.ParseTime(r.header.Get("Date"))
	require.NoError(t, err)
	require.WithinDuration(t, time.Now().Add(20*time.Minute), d, 5*time.Second)
	srv.SetClockOffset(0)
	mustOK(t, srv, "KickUser", kick)
}

func TestQPSLimit(t *testing.T) {
	clk := newClock(t0)
	srv := NewServer(WithClock(clk.now), WithQPSLimit("KickUser", 3), WithQPSLimit("", 5),
		WithCredentials("AK1", "s1"), WithCredentials("AK2", "s2"))
	defer srv.Close()
	kickAs := func(ak, sk string) response {
		return send(t, srv, req{method: "POST", action: "KickUser", version: "2020-12-01",
			body: []byte(`{"AppId":"a","RoomId":"r","UserId":"u"}`), ak: ak, sk: sk})
	}
	for range 3 {
		require.Equal(t, 200, kickAs("AK1", "s1").status)
	}
	r := kickAs("AK1", "s1")
	require.Equal(t, 429, r.status)
	require.Equal(t, "FlowLimitExceeded.QPSOverLimit", r.code())
	require.Equal(t, 200, kickAs("AK2", "s2").status, "counted per access key")

	// The account-wide limit of 5 counts every action.
	dismiss := req{method: "POST", action: "DismissRoom", version: "2020-12-01",
		body: []byte(`{"AppId":"a","RoomId":"r"}`), ak: "AK1", sk: "s1"}
	require.Equal(t, 200, send(t, srv, dismiss).status)
	require.Equal(t, 200, send(t, srv, dismiss).status)
	require.Equal(t, 429, send(t, srv, dismiss).status)

	clk.advance(time.Second)
	require.Equal(t, 200, kickAs("AK1", "s1").status, "a new second, a new window")
}

func TestLoggerWritesOneLinePerRequestWithoutSecrets(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(lockedWriter{&buf, &mu}, nil))
	srv := NewServer(WithLogger(logger), WithCredentials("AKLOG", "very-secret-value"))
	defer srv.Close()
	body := []byte(`{"AppID":"a","BusinessId":"b","EventList":["x"],"SecretKey":"callback-secret","URL":"https://example.com"}`)
	r := send(t, srv, req{method: "POST", action: "CreateCallback", version: "2020-12-01", body: body, ak: "AKLOG", sk: "very-secret-value"})
	require.Equal(t, 200, r.status)
	r = send(t, srv, req{method: "POST", action: "CreateCallback", version: "2020-12-01", body: body, ak: "AKLOG", sk: "wrong"})
	require.Equal(t, 401, r.status)
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	require.Equal(t, 2, strings.Count(out, "\n"), out)
	require.Contains(t, out, "action=CreateCallback")
	require.Contains(t, out, "code=SignatureDoesNotMatch")
	for _, secret := range []string{"very-secret-value", "callback-secret", "Signature=", "wrong"} {
		require.NotContains(t, out, secret)
	}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestConcurrentUse(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			user := "u" + itoa(i)
			for range 20 {
				require.NoError(t, srv.Join("a", "r", user))
				callAction(t, srv, "GetRoomOnlineUsers", map[string]any{"AppId": "a", "RoomId": "r"})
				callAction(t, srv, "KickUser", map[string]any{"AppId": "a", "RoomId": "r", "UserId": user})
				srv.InjectFault("ListApps", Fault{Status: 503})
				_ = srv.Requests()
			}
		}()
	}
	wg.Wait()
	require.Len(t, srv.Requests(), 8*20*2)
	require.False(t, srv.RoomExists("a", "r"))
}
