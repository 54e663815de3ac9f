package rtc_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/volcrtc/rtc"
)

const testSig = "sig-Xq7-very-secret"

// rawMessage builds a server message byte by byte, as the vendor pages
// describe it, without the SDK's encoder: magic, big-endian length, JSON.
func rawMessage(magic string, length uint32, payload string) []byte {
	b := []byte(magic)
	b = append(b, byte(length>>24), byte(length>>16), byte(length>>8), byte(length))
	return append(b, payload...)
}

func envelope(msg []byte, sig string) []byte {
	return []byte(`{"message":"` + base64.StdEncoding.EncodeToString(msg) + `","signature":"` + sig + `"}`)
}

func whole(magic, payload string) []byte {
	return envelope(rawMessage(magic, uint32(len(payload)), payload), testSig)
}

func TestParseServerMessageVendorFormat(t *testing.T) {
	subt := `{"type":"subtitle","data":[{"text":"hello wor","language":"en","userId":"u1","sequence":3,"definite":false,"paragraph":false}]}`
	m, err := rtc.ParseServerMessage(whole("subt", subt), testSig)
	require.NoError(t, err)
	assert.Equal(t, rtc.ServerMessageSubtitle, m.Kind)
	lines, err := m.Subtitles()
	require.NoError(t, err)
	assert.Equal(t, []rtc.SubtitleLine{{Text: "hello wor", Language: "en", UserID: "u1", Sequence: 3}}, lines)
	_, err = m.AgentState()
	assert.Error(t, err, "a subt message has no agent state")

	subv := `{"type":"subtitle","data":[{"text":"Hello world.","language":"zh","userId":"agent","sequence":4,"definite":true,"paragraph":true}]}`
	m, err = rtc.ParseServerMessage(whole("subv", subv), testSig)
	require.NoError(t, err)
	assert.Equal(t, rtc.ServerMessageVoiceSubtitle, m.Kind)
	lines, err = m.Subtitles()
	require.NoError(t, err)
	require.Len(t, lines, 1)
	assert.True(t, lines[0].Definite)
	assert.True(t, lines[0].Paragraph)

	conv := `{"TaskId":"t1","UserID":"agent","RoundID":2,"EventTime":1611736812853,"Stage":{"Code":3,"Description":"speaking"}}`
	m, err = rtc.ParseServerMessage(whole("conv", conv), testSig)
	require.NoError(t, err)
	st, err := m.AgentState()
	require.NoError(t, err)
	assert.Equal(t, "t1", st.TaskID)
	assert.Equal(t, int64(2), st.RoundID)
	assert.Equal(t, rtc.AgentSpeaking, st.Stage.Code)
	assert.Equal(t, "speaking", st.Stage.Code.String())
	assert.Equal(t, int64(1611736812853), st.Time().UnixMilli())
	_, err = m.Subtitles()
	assert.Error(t, err)

	// An unknown magic: an error that still hands the message over.
	m, err = rtc.ParseServerMessage(whole("tool", `{"x":1}`), testSig)
	require.ErrorIs(t, err, rtc.ErrServerMessageUnknownKind)
	require.NotNil(t, m)
	assert.Equal(t, rtc.ServerMessageKind("tool"), m.Kind)
	assert.JSONEq(t, `{"x":1}`, string(m.Data))
}

func TestParseServerMessageRejects(t *testing.T) {
	conv := `{"TaskId":"t1","Stage":{"Code":1}}`
	cases := []struct {
		name string
		body []byte
		want error
	}{
		{"wrong signature", envelope(rawMessage("conv", uint32(len(conv)), conv), "sig-guess"), rtc.ErrServerMessageSignature},
		{"empty signature in body", envelope(rawMessage("conv", uint32(len(conv)), conv), ""), rtc.ErrServerMessageSignature},
		{"length beyond the payload (truncated)", envelope(rawMessage("conv", uint32(len(conv))+10, conv), testSig), rtc.ErrServerMessageFormat},
		{"length short of the payload", envelope(rawMessage("conv", 3, conv), testSig), rtc.ErrServerMessageFormat},
		{"header cut", envelope([]byte("con"), testSig), rtc.ErrServerMessageFormat},
		{"bad base64", []byte(`{"message":"@@not base64@@","signature":"` + testSig + `"}`), rtc.ErrServerMessageFormat},
		{"not the envelope", []byte(`not json`), rtc.ErrServerMessageFormat},
		{"payload not JSON", whole("subv", `{"type":`), rtc.ErrServerMessageFormat},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := rtc.ParseServerMessage(c.body, testSig)
			require.ErrorIs(t, err, c.want)
			assert.Nil(t, m)
			assert.NotContains(t, err.Error(), testSig)
		})
	}
	_, err := rtc.ParseServerMessage(whole("conv", conv), "")
	assert.Error(t, err, "an empty expected signature is refused")
}

func TestServerMessageHandler(t *testing.T) {
	var got []*rtc.ServerMessage
	var fail error
	var logs bytes.Buffer
	h, err := rtc.NewServerMessageHandler(testSig, func(_ context.Context, m *rtc.ServerMessage) error {
		if fail != nil {
			return fail
		}
		if m.Kind == "boom" {
			panic("boom")
		}
		got = append(got, m)
		return nil
	}, rtc.WithServerMessageMaxBody(1024), rtc.WithServerMessageLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	require.NoError(t, err)
	post := func(h http.Handler, body []byte) int {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/msg", bytes.NewReader(body)))
		return rec.Code
	}
	conv := `{"TaskId":"t1","Stage":{"Code":1}}`
	assert.Equal(t, 200, post(h, whole("conv", conv)))
	require.Len(t, got, 1)
	assert.Equal(t, 401, post(h, envelope(rawMessage("conv", uint32(len(conv)), conv), "nope")))
	assert.Equal(t, 400, post(h, whole("conv", `{`)))
	assert.Equal(t, 400, post(h, envelope(rawMessage("conv", 99, conv), testSig)))
	assert.Equal(t, 413, post(h, whole("subv", `{"type":"subtitle","data":[{"text":"`+strings.Repeat("a", 2000)+`"}]}`)))
	assert.Equal(t, 200, post(h, whole("tool", `{}`)), "unknown kinds are acknowledged")
	assert.Len(t, got, 1, "and not handed over without WithUnknownServerMessages")
	assert.Equal(t, 200, post(h, whole("boom", `{}`)), "unknown kinds never reach fn")
	fail = errors.New("db down")
	assert.Equal(t, 500, post(h, whole("conv", conv)))
	fail = nil

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/msg", nil))
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	assert.NotContains(t, logs.String(), testSig)

	hu, err := rtc.NewServerMessageHandler(testSig, func(_ context.Context, m *rtc.ServerMessage) error {
		got = append(got, m)
		if m.Kind == "boom" {
			panic("boom")
		}
		return nil
	}, rtc.WithUnknownServerMessages())
	require.NoError(t, err)
	got = nil
	assert.Equal(t, 200, post(hu, whole("tool", `{"a":1}`)))
	require.Len(t, got, 1)
	assert.Equal(t, rtc.ServerMessageKind("tool"), got[0].Kind)
	assert.Equal(t, 500, post(hu, whole("boom", `{}`)), "a panic answers 500")

	_, err = rtc.NewServerMessageHandler("", nil, rtc.WithServerMessageMaxBody(0), nil)
	require.Error(t, err)
	for _, s := range []string{"empty signature", "nil function", "WithServerMessageMaxBody", "option 2 is nil"} {
		assert.Contains(t, err.Error(), s)
	}
}

// A body that stops arriving is cut off after the read timeout with 408.
func TestServerMessageHandlerSlowBody(t *testing.T) {
	called := make(chan struct{}, 1)
	h, err := rtc.NewServerMessageHandler(testSig, func(context.Context, *rtc.ServerMessage) error {
		called <- struct{}{}
		return nil
	}, rtc.WithServerMessageReadTimeout(150*time.Millisecond))
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	body := whole("conv", `{"TaskId":"t1","Stage":{"Code":1}}`)
	_, err = conn.Write([]byte("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"))
	require.NoError(t, err)
	_, err = conn.Write(body[:10]) // and nothing more
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(3*time.Second)))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, "the handler must answer instead of waiting for the body")
	defer resp.Body.Close()
	assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode)
	assert.Empty(t, called)
}

// fn gets a context bounded by WithServerMessageTimeout.
func TestServerMessageHandlerDeadline(t *testing.T) {
	var left time.Duration
	h, err := rtc.NewServerMessageHandler(testSig, func(ctx context.Context, _ *rtc.ServerMessage) error {
		dl, ok := ctx.Deadline()
		require.True(t, ok)
		left = time.Until(dl)
		return nil
	}, rtc.WithServerMessageTimeout(time.Second))
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(whole("conv", `{}`))))
	require.Equal(t, 200, rec.Code)
	assert.LessOrEqual(t, left, time.Second)
	assert.Greater(t, left, 500*time.Millisecond)
	assert.Equal(t, "rtc.ServerMessageHandler", fmt.Sprint(h))
	assert.NotContains(t, fmt.Sprintf("%#v", h), testSig)

	_, err = rtc.NewServerMessageHandler(testSig, func(context.Context, *rtc.ServerMessage) error { return nil },
		rtc.WithServerMessageReadTimeout(0), rtc.WithServerMessageTimeout(-1), rtc.WithServerMessageLogger(nil))
	require.Error(t, err)
	for _, s := range []string{"WithServerMessageReadTimeout(0s)", "WithServerMessageTimeout(-1ns)", "WithServerMessageLogger: nil logger"} {
		assert.Contains(t, err.Error(), s)
	}
}

func TestServerMessageAccessorsRefuseBadPayload(t *testing.T) {
	_, err := (&rtc.ServerMessage{Kind: rtc.ServerMessageVoiceSubtitle, Data: []byte(`{"data":"x"}`)}).Subtitles()
	assert.ErrorIs(t, err, rtc.ErrServerMessageFormat)
	_, err = (&rtc.ServerMessage{Kind: rtc.ServerMessageAgentState, Data: []byte(`{"RoundID":"x"}`)}).AgentState()
	assert.ErrorIs(t, err, rtc.ErrServerMessageFormat)
	assert.Equal(t, "AgentStage(9)", rtc.AgentStage(9).String())
	assert.False(t, rtc.ServerMessageKind("tool").Known())
	assert.True(t, rtc.ServerMessageSubtitle.Known())
}

func FuzzParseServerMessage(f *testing.F) {
	f.Add(whole("subv", `{"type":"subtitle","data":[{"text":"hi"}]}`))
	f.Add(whole("conv", `{"Stage":{"Code":1}}`))
	f.Add(envelope(rawMessage("conv", 99, `{}`), testSig))
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := rtc.ParseServerMessage(body, testSig)
		if err != nil {
			if strings.Contains(err.Error(), testSig) {
				t.Fatal("the signature leaked into an error")
			}
			if m != nil && !errors.Is(err, rtc.ErrServerMessageUnknownKind) {
				t.Fatal("a message with an error other than an unknown kind")
			}
			return
		}
		if !m.Kind.Known() {
			t.Fatalf("unknown kind %q without an error", m.Kind)
		}
	})
}
