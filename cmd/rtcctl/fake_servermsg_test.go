package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/rtctest"
)

// TestFakeServerMessageURL: with --server-message-url the fake's agent
// posts its conv and subv messages to a backend on this machine, not to
// the URL the StartVoiceChat names, and logs each delivery.
func TestFakeServerMessageURL(t *testing.T) {
	const sig = "agent-signature-local-7"
	got := make(chan *rtc.ServerMessage, 32)
	h, err := rtc.NewServerMessageHandler(sig, func(_ context.Context, m *rtc.ServerMessage) error {
		got <- m
		return nil
	})
	require.NoError(t, err)
	backend := httptest.NewServer(h)
	t.Cleanup(backend.Close)
	var named atomic.Int32 // hits on the URL the StartVoiceChat names
	production := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { named.Add(1) }))
	t.Cleanup(production.Close)

	fake := startBin(t, binEnv(t), "fake", "--listen", "127.0.0.1:0", "--server-message-url", backend.URL+"/rtc/agent")
	fakeURL := waitLine(t, fake.stdout, `listening on (http://127\.0\.0\.1:\d+)`, "fake")[1]
	waitLine(t, fake.stdout, regexp.QuoteMeta("Agents' server messages are posted to "+backend.URL+"/rtc/agent"), "fake")

	api := binEnv(t, "RTC_ENDPOINT="+fakeURL, "VOLCENGINE_ACCESS_KEY="+rtctest.DemoAccessKeyID, "VOLCENGINE_SECRET_KEY="+rtctest.DemoSecretAccessKey)
	r := runBin(t, api, "call", "StartVoiceChat", "--data", `{"AppId":"`+testAppID+`","RoomId":"room1","TaskId":"v1",`+
		`"AgentConfig":{"TargetUserId":["alice"],"UserId":"bot","WelcomeMessage":"Hello there","EnableConversationStateCallback":true,`+
		`"ServerMessageURLForRTS":"`+production.URL+`/agent","ServerMessageSignatureForRTS":"`+sig+`"},`+
		`"Config":{"ASRConfig":{"Provider":"volcano"},"LLMConfig":{"Mode":"ArkV3"},"TTSConfig":{"Provider":"volcano"}}}`)
	require.Equal(t, 0, r.code, r.stderr)

	next := func() *rtc.ServerMessage {
		select {
		case m := <-got:
			return m
		case <-time.After(waitFor):
			t.Fatal("no server message reached the backend")
			return nil
		}
	}
	m := next()
	require.Equal(t, rtc.ServerMessageAgentState, m.Kind)
	st, err := m.AgentState()
	require.NoError(t, err)
	require.Equal(t, "v1", st.TaskID)
	require.Equal(t, rtc.AgentListening, st.Stage.Code)
	waitLine(t, fake.stderr, `rtcctl fake: server message conv -> `+regexp.QuoteMeta(backend.URL)+`/rtc/agent: 200 OK in .* \(delivered\)`, "fake")

	// The welcome message is spoken: the agent's subtitle arrives too.
	var spoken string
	for spoken == "" {
		m = next()
		if m.Kind != rtc.ServerMessageVoiceSubtitle {
			continue
		}
		lines, err := m.Subtitles()
		require.NoError(t, err)
		for _, l := range lines {
			if l.UserID == "bot" && l.Definite {
				spoken = l.Text
			}
		}
	}
	require.Equal(t, "Hello there", spoken)
	waitLine(t, fake.stderr, `rtcctl fake: server message subv -> .*: 200 OK`, "fake")
	fake.stop(t)
	require.Zero(t, named.Load(), "the URL in StartVoiceChat must not be used with --server-message-url")
	require.NotContains(t, fake.errAll.String(), sig)
}
