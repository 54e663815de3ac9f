package main

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/volcrtc/rtc"
)

// TestCallbackSendServerMessages: "send subt|subv|conv" builds server
// messages that rtc.NewServerMessageHandler accepts and decodes; a wrong
// signature and a malformed --data give clear messages and exit codes.
func TestCallbackSendServerMessages(t *testing.T) {
	const sig = "server-message-signature-42"
	got := make(chan *rtc.ServerMessage, 10)
	h, err := rtc.NewServerMessageHandler(sig, func(_ context.Context, m *rtc.ServerMessage) error {
		got <- m
		return nil
	})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	next := func() *rtc.ServerMessage {
		select {
		case m := <-got:
			return m
		case <-time.After(waitFor):
			t.Fatal("no server message")
			return nil
		}
	}
	env := binEnv(t, "RTC_SERVER_MESSAGE_SIGNATURE="+sig)

	list := runBin(t, env, "callback", "send", "--list")
	require.Equal(t, 0, list.code, list.stderr)
	for _, k := range []string{"subt", "subv", "conv"} {
		require.Contains(t, list.stdout, "\n"+k+" ")
	}

	r := runBin(t, env, "callback", "send", "subt", "--to", srv.URL)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	m := next()
	require.Equal(t, rtc.ServerMessageSubtitle, m.Kind)
	lines, err := m.Subtitles()
	require.NoError(t, err)
	require.Equal(t, "Welcome to the meeting", lines[0].Text)
	requireNoSecret(t, r, sig)

	r = runBin(t, env, "callback", "send", "subv", "--to", srv.URL)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	m = next()
	require.Equal(t, rtc.ServerMessageVoiceSubtitle, m.Kind)
	lines, err = m.Subtitles()
	require.NoError(t, err)
	require.Len(t, lines, 2)

	sigFile := writeSecret(t, sig)
	r = runBin(t, binEnv(t), "callback", "send", "conv", "--to", srv.URL, "--signature-file", sigFile, "--data", `{"RoundID":3,"Stage":{"Code":3,"Description":"speaking"}}`)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	m = next()
	require.Equal(t, rtc.ServerMessageAgentState, m.Kind)
	st, err := m.AgentState()
	require.NoError(t, err)
	require.Equal(t, rtc.AgentSpeaking, st.Stage.Code)
	require.EqualValues(t, 3, st.RoundID)
	require.Equal(t, "task1", st.TaskID)

	r = runBin(t, binEnv(t, "RTC_SERVER_MESSAGE_SIGNATURE=not-the-signature"), "callback", "send", "conv", "--to", srv.URL)
	require.Equal(t, exitAPI, r.code, r.stdout+r.stderr)
	require.Contains(t, r.stderr, "401 Unauthorized: it does not accept the signature")
	requireNoSecret(t, r, "not-the-signature")

	r = runBin(t, env, "callback", "send", "conv", "--to", srv.URL, "--data", `{"roundid":1}`)
	require.Equal(t, exitUsage, r.code)
	require.Contains(t, r.stderr, `--data does not fit the conv payload (servermsg.StatePayload): unknown field "roundid" (field names are case-sensitive: RoundID)`)
	r = runBin(t, env, "callback", "send", "subt", "--to", srv.URL, "--data", `{"data":[{"text":5}]}`)
	require.Equal(t, exitUsage, r.code)
	require.Contains(t, r.stderr, "wants a string, got a JSON number")
	r = runBin(t, binEnv(t), "callback", "send", "subt", "--to", srv.URL)
	require.Equal(t, exitUsage, r.code)
	require.Contains(t, r.stderr, "no server message signature: set RTC_SERVER_MESSAGE_SIGNATURE or pass --signature-file FILE")
	select {
	case m := <-got:
		t.Fatalf("a refused send reached the receiver: %s", m.Kind)
	default:
	}
}
