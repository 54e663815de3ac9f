package rtc

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Tests that the transport under the SDK (net/http, HTTP/1.1 and HTTP/2)
// never repeats on its own a request the SDK would not repeat, against
// loopback servers that run the request and then fail the exchange in the
// ways that make Go's transport resend it.

// resetH2Server is a minimal HTTP/2 server over TLS: it counts every
// request it receives in full (the action "runs"), then resets the stream
// with PROTOCOL_ERROR, which Go's HTTP/2 transport takes as a cue to resend
// the request on a fresh stream. With closeConn it also closes the
// connection, so the transport dials a new one for each resend.
type resetH2Server struct {
	ln        net.Listener
	closeConn bool
	runs      atomic.Int64
	wg        sync.WaitGroup
}

func startResetH2Server(t *testing.T, closeConn bool) (*resetH2Server, *http.Client) {
	t.Helper()
	// httptest's TLS server gives a certificate and a client trusting it.
	hs := httptest.NewUnstartedServer(http.NotFoundHandler())
	hs.EnableHTTP2 = true
	hs.StartTLS()
	cert := hs.TLS.Certificates[0]
	client := hs.Client()
	hs.Close()

	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2"}})
	require.NoError(t, err)
	s := &resetH2Server{ln: ln, closeConn: closeConn}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() { defer s.wg.Done(); s.serve(c) }()
		}
	}()
	t.Cleanup(func() { _ = ln.Close(); client.CloseIdleConnections(); s.wg.Wait() })
	return s, client
}

func (s *resetH2Server) url() string { return "https://" + s.ln.Addr().String() }

// writeFrame writes one HTTP/2 frame.
func writeFrame(w io.Writer, typ, flags byte, stream uint32, payload []byte) error {
	var h [9]byte
	h[0], h[1], h[2] = byte(len(payload)>>16), byte(len(payload)>>8), byte(len(payload))
	h[3], h[4] = typ, flags
	binary.BigEndian.PutUint32(h[5:], stream)
	if _, err := w.Write(h[:]); err != nil {
		return err
	}
	_, err := w.Write(payload)
	return err
}

func (s *resetH2Server) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(c)
	preface := make([]byte, 24)
	if _, err := io.ReadFull(r, preface); err != nil {
		return
	}
	const (
		frameData, frameHeaders, frameRST, frameSettings, framePing = 0, 1, 3, 4, 6
		flagEndStream, flagAck                                      = 1, 1
	)
	if writeFrame(c, frameSettings, 0, 0, nil) != nil {
		return
	}
	for {
		var h [9]byte
		if _, err := io.ReadFull(r, h[:]); err != nil {
			return
		}
		n := int(h[0])<<16 | int(h[1])<<8 | int(h[2])
		typ, flags := h[3], h[4]
		stream := binary.BigEndian.Uint32(h[5:]) & 0x7fffffff
		payload := make([]byte, n)
		if _, err := io.ReadFull(r, payload); err != nil {
			return
		}
		switch {
		case typ == frameSettings && flags&flagAck == 0:
			if writeFrame(c, frameSettings, flagAck, 0, nil) != nil {
				return
			}
		case typ == framePing && flags&flagAck == 0:
			if writeFrame(c, framePing, flagAck, 0, payload) != nil {
				return
			}
		case (typ == frameHeaders || typ == frameData) && flags&flagEndStream != 0:
			// The whole request arrived: the action runs, and the answer is
			// a stream reset instead of a response.
			s.runs.Add(1)
			if writeFrame(c, frameRST, 0, stream, []byte{0, 0, 0, 1}) != nil { // PROTOCOL_ERROR
				return
			}
			if s.closeConn {
				return
			}
		}
	}
}

// TestHTTP2ResetDoesNotRepeatUnsafeSend: SendUnicast, not safe to repeat,
// runs once when the server resets the stream after running it, and the
// call returns, with context.Background() too. Before the fix the transport
// resent it on its own (GetBody was set for every action): hundreds of runs
// in a few seconds, and a call that never returned.
func TestHTTP2ResetDoesNotRepeatUnsafeSend(t *testing.T) {
	for _, closeConn := range []bool{false, true} {
		srv, hc := startResetH2Server(t, closeConn)
		c := NewStubClient(t, srv.url(), WithHTTPClient(hc))
		RecordSleeps(c)
		done := make(chan error, 1)
		go func() {
			_, err := c.SendUnicast(context.Background(), &SendUnicastRequest{AppID: "app1", From: "server", To: "user1", Message: "hello"})
			done <- err
		}()
		var err error
		select {
		case err = <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("closeConn=%v: the call did not return; the server ran it %d times", closeConn, srv.runs.Load())
		}
		require.Error(t, err)
		require.EqualValues(t, 1, srv.runs.Load(), "closeConn=%v: executions of SendUnicast: %v", closeConn, err)
		require.ErrorIs(t, err, ErrOutcomeUnknown)

	}
}

// TestHTTP2ResetBoundsSafeAction: an action safe to repeat may be resent,
// but a bounded number of times, and the call returns without a deadline.
func TestHTTP2ResetBoundsSafeAction(t *testing.T) {
	srv, hc := startResetH2Server(t, true)
	c := NewStubClient(t, srv.url(), WithHTTPClient(hc))
	RecordSleeps(c)
	done := make(chan error, 1)
	go func() {
		_, err := c.BanRoomUser(context.Background(), &BanRoomUserRequest{AppID: "app1", RoomID: "room1", UserID: "user1"})
		done <- err
	}()
	select {
	case err := <-done:
		require.Error(t, err)
	case <-time.After(20 * time.Second):
		t.Fatalf("the call did not return; the server ran it %d times", srv.runs.Load())
	}
	t.Logf("BanRoomUser runs: %d", srv.runs.Load())
	// 3 attempts of the SDK, each sent at most 1+maxTransportResends times.
	require.LessOrEqual(t, srv.runs.Load(), int64(3*(1+maxTransportResends)))
	require.GreaterOrEqual(t, srv.runs.Load(), int64(3))
}

// TestHTTP1DropDoesNotRepeatGenericGet: Client.Call with url.Values goes out
// as a GET, which net/http's HTTP/1.1 transport resends on its own when a
// reused connection drops after the request was written. The server here
// runs the action, then drops the connection without answering; before the
// fix the transport resent it, the action ran twice and the call reported
// success.
func TestHTTP1DropDoesNotRepeatGenericGet(t *testing.T) {
	var runs atomic.Int64
	srv := NewRawStub(t, func(w http.ResponseWriter, r *http.Request) {
		action := r.URL.Query().Get("Action")
		if action == "DoSomethingNew" {
			if runs.Add(1) == 1 {
				conn, _, err := http.NewResponseController(w).Hijack()
				if err == nil {
					_ = conn.Close() // ran, and the answer is lost
				}
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, StubEnvelope("req-1", action, "", "", map[string]any{"Message": "success"}))
	})
	c := NewStubClient(t, srv.URL)
	RecordSleeps(c)
	ctx := context.Background()
	// The first call leaves a kept-alive connection, which the second reuses.
	_, err := c.Call(ctx, "GetSomething", "2023-11-01", url.Values{"RoomId": {"r1"}}, nil)
	require.NoError(t, err)
	_, err = c.Call(ctx, "DoSomethingNew", "2023-11-01", url.Values{"RoomId": {"r1"}}, nil)
	require.Error(t, err, "the answer was lost: the call cannot report success")
	require.EqualValues(t, 1, runs.Load(), "executions of DoSomethingNew: %v", err)
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	t.Log(err)
}
