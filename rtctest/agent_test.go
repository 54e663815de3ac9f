package rtctest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/rtctest"
)

const agentSig = "agent-signature-9f"

// backend is what an application runs to follow its agents: the SDK's
// callback handler for VoiceChat events and its server message handler for
// the agent's states and subtitles, writing one log in arrival order.
type backend struct {
	mu     sync.Mutex
	log    []string
	events []*rtc.VoiceChatEventData
	lines  []rtc.SubtitleLine
	states []*rtc.AgentState
}

func (b *backend) add(s string) { b.mu.Lock(); b.log = append(b.log, s); b.mu.Unlock() }

func (b *backend) callbacks(t *testing.T) http.Handler {
	h, err := rtc.NewCallbackHandler(cbSecret, func(_ context.Context, ev *rtc.CallbackEvent) error {
		v, err := ev.ParseData()
		if err != nil {
			return err
		}
		switch d := v.(type) {
		case *rtc.VoiceChatEventData:
			b.mu.Lock()
			b.events = append(b.events, d)
			b.mu.Unlock()
			if d.Failed() {
				b.add(fmt.Sprintf("error %s %s r%d", d.RunStage, d.ErrorInfo.Errorcode, d.RoundID))
			} else {
				b.add(fmt.Sprintf("event %s r%d", d.RunStage, d.RoundID))
			}
		case *rtc.MachineReviewResultData:
			b.add(fmt.Sprintf("review %s %s", d.UserID, d.Suggest))
		default:
			b.add("other " + ev.EventType)
		}
		return nil
	})
	require.NoError(t, err)
	return h
}

func (b *backend) messages(t *testing.T) *httptest.Server {
	h, err := rtc.NewServerMessageHandler(agentSig, func(_ context.Context, m *rtc.ServerMessage) error {
		switch m.Kind {
		case rtc.ServerMessageAgentState:
			st, err := m.AgentState()
			if err != nil {
				return err
			}
			b.mu.Lock()
			b.states = append(b.states, st)
			b.mu.Unlock()
			b.add(fmt.Sprintf("state %s r%d", st.Stage.Code, st.RoundID))
		case rtc.ServerMessageVoiceSubtitle, rtc.ServerMessageSubtitle:
			lines, err := m.Subtitles()
			if err != nil {
				return err
			}
			for _, l := range lines {
				b.mu.Lock()
				b.lines = append(b.lines, l)
				b.mu.Unlock()
				b.add(fmt.Sprintf("%s %s %q %v", m.Kind, l.UserID, l.Text, l.Definite))
			}
		}
		return nil
	})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func voiceChatReq(url string) *rtc.StartVoiceChatRequest {
	return &rtc.StartVoiceChatRequest{
		AppID: "app", RoomID: "room1", TaskID: "agent1",
		AgentConfig: &rtc.AgentConfig{
			TargetUserID: []string{"alice"}, UserID: "bot",
			EnableConversationStateCallback: rtc.Ptr(true),
			ServerMessageURLForRTS:          url, ServerMessageSignatureForRTS: agentSig,
		},
		Config: &rtc.VoiceChatConfig{
			ASRConfig: json.RawMessage(`{"Provider":"volcano"}`),
			LLMConfig: json.RawMessage(`{"Mode":"ArkV3"}`),
			TTSConfig: json.RawMessage(`{"Provider":"volcano"}`),
		},
	}
}

// A backend's whole voice chat story against the fake: start an agent,
// two rounds, an interrupt, stop; the state, both sides' subtitles and the
// VoiceChat events arrive on the backend's own handlers, in order.
func TestVoiceChatStory(t *testing.T) {
	b := &backend{}
	srv := rtctest.NewServer(rtctest.WithEventHandler(b.callbacks(t), cbSecret))
	defer srv.Close()
	msgs := b.messages(t)
	c := newClient(t, srv)
	ctx := context.Background()

	_, err := c.StartVoiceChat(ctx, voiceChatReq(msgs.URL))
	require.NoError(t, err)
	require.NoError(t, srv.RunAgentRound("app", "room1", "agent1", rtctest.AgentRound{User: "what is the weather", Answer: "It is sunny."}))
	require.NoError(t, srv.RunAgentRound("app", "room1", "agent1", rtctest.AgentRound{User: "tell me a story", Answer: "Once upon a time", Hold: true}))
	_, err = c.UpdateVoiceChat(ctx, &rtc.UpdateVoiceChatRequest{AppID: "app", RoomID: "room1", TaskID: "agent1", Command: rtc.VoiceChatInterrupt})
	require.NoError(t, err)
	_, err = c.StopVoiceChat(ctx, &rtc.StopVoiceChatRequest{AppID: "app", RoomID: "room1", TaskID: "agent1"})
	require.NoError(t, err)
	flush(t, srv)

	assert.Equal(t, []string{
		"event taskStart r0",
		"state listening r0",
		// round 0
		"event beginAsking r0",
		`subv alice "what is" false`,
		`subv alice "what is the weather" true`,
		"event asrFinish r0",
		"state thinking r0",
		"event llmOutput r0",
		"event answerStart r0",
		"state speaking r0",
		`subv bot "It is sunny." true`,
		"event answerFinish r0",
		"state finished r0",
		"state listening r0",
		// round 1, interrupted
		"event beginAsking r1",
		`subv alice "tell me" false`,
		`subv alice "tell me a story" true`,
		"event asrFinish r1",
		"state thinking r1",
		"event llmOutput r1",
		"event answerStart r1",
		"state speaking r1",
		`subv bot "Once upon" false`,
		"event interrupted r1",
		"state interrupted r1",
		"state listening r1",
		"event taskStop r2",
	}, b.log)

	for _, e := range b.events {
		assert.Equal(t, "agent1", e.TaskID)
		assert.Equal(t, "room1", e.RoomID)
		assert.Equal(t, rtc.VoiceChatStateChanged, e.EventType)
	}
	assert.Equal(t, "alice", b.events[2].UserID, "the user speaks in beginAsking")
	assert.Equal(t, "bot", b.events[0].UserID)
	for _, s := range b.states {
		assert.Equal(t, "agent1", s.TaskID)
		assert.NotZero(t, s.EventTime)
	}
	for i := 1; i < len(b.lines); i++ {
		assert.Greater(t, b.lines[i].Sequence, b.lines[i-1].Sequence)
	}
	for _, m := range srv.ServerMessages() {
		assert.True(t, m.Delivered, m.Type)
		assert.Equal(t, 1, m.Attempts)
	}
	// After the stop the agent is gone.
	assert.Error(t, srv.RunAgentRound("app", "room1", "agent1", rtctest.AgentRound{Answer: "x"}))
}

func TestAgentWelcomeSpeakTextErrorsAndNoStates(t *testing.T) {
	b := &backend{}
	srv := rtctest.NewServer(rtctest.WithEventHandler(b.callbacks(t), cbSecret))
	defer srv.Close()
	msgs := b.messages(t)
	c := newClient(t, srv)
	ctx := context.Background()

	req := voiceChatReq(msgs.URL)
	req.AgentConfig.WelcomeMessage = "Hi"
	req.AgentConfig.EnableConversationStateCallback = nil // no conv messages, subtitles still
	_, err := c.StartVoiceChat(ctx, req)
	require.NoError(t, err)
	_, err = c.UpdateVoiceChat(ctx, &rtc.UpdateVoiceChatRequest{AppID: "app", RoomID: "room1", TaskID: "agent1", Command: rtc.VoiceChatSpeakText, Message: "Your order shipped."})
	require.NoError(t, err)
	// An interrupt while the agent is silent changes nothing.
	_, err = c.UpdateVoiceChat(ctx, &rtc.UpdateVoiceChatRequest{AppID: "app", RoomID: "room1", TaskID: "agent1", Command: rtc.VoiceChatInterrupt})
	require.NoError(t, err)
	require.NoError(t, srv.AgentError("app", "room1", "agent1", string(rtc.RunStageASR), int(rtc.VoiceChatErrASRRequest), "asr unreachable"))
	require.Error(t, srv.AgentError("app", "room1", "nope", "asr", 1, "x"))
	flush(t, srv)

	assert.Equal(t, []string{
		"event taskStart r0",
		"event answerStart r0",
		`subv bot "Hi" true`,
		"event answerFinish r0",
		"event answerStart r1",
		`subv bot "Your order shipped." true`,
		"event answerFinish r1",
		"error asr 1003002 (request to speech recognition failed) r2",
	}, b.log)
	last := b.events[len(b.events)-1]
	assert.Equal(t, rtc.VoiceChatFailed, last.EventType)
	assert.Equal(t, "asr unreachable", last.ErrorInfo.Reason)

	// An agent that ends on its own (EndTask: idle timeout) reports taskStop.
	require.NoError(t, srv.EndTask("app", "voicechat", "room1", "agent1", "IdleTimeOut", false))
	flush(t, srv)
	assert.Equal(t, "event taskStop r2", b.log[len(b.log)-1])
}

// A receiver that fails gets the server message again, like an event.
func TestServerMessagesRetry(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	h, err := rtc.NewServerMessageHandler(agentSig, func(context.Context, *rtc.ServerMessage) error {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 1 {
			return fmt.Errorf("busy")
		}
		return nil
	})
	require.NoError(t, err)
	msgs := httptest.NewServer(h)
	defer msgs.Close()
	srv := rtctest.NewServer()
	defer srv.Close()
	require.NoError(t, srv.EmitServerMessage("app", msgs.URL, agentSig, "subt",
		map[string]any{"type": "subtitle", "data": []any{map[string]any{"text": "hi", "userId": "u1", "definite": true}}}))
	require.Error(t, srv.EmitServerMessage("app", msgs.URL, agentSig, "toolong", nil))
	flush(t, srv)
	got := srv.ServerMessages()
	require.Len(t, got, 1)
	assert.Equal(t, "subt", got[0].Type)
	assert.Equal(t, 2, got[0].Attempts)
	assert.True(t, got[0].Delivered)
	m, err := rtc.ParseServerMessage(got[0].Body, agentSig)
	require.NoError(t, err)
	lines, err := m.Subtitles()
	require.NoError(t, err)
	assert.Equal(t, "hi", lines[0].Text)
	assert.Empty(t, srv.Events(), "server messages are not event callbacks")
}

func TestDetectionPostsMachineReviewResult(t *testing.T) {
	b := &backend{}
	cb := httptest.NewServer(b.callbacks(t))
	defer cb.Close()
	srv := rtctest.NewServer(rtctest.WithEventCallback(cb.URL, cbSecret))
	defer srv.Close()
	c := newClient(t, srv)
	ctx := context.Background()

	_, err := c.StartDetection(ctx, &rtc.StartDetectionRequest{AppID: "app", RoomID: "room1", UserID: "carol", Callback: cb.URL, CallbackType: rtc.Ptr(rtc.DetectCallbackAll)})
	require.NoError(t, err)
	require.NoError(t, srv.EmitReviewResult("app", "room1", "carol", "REJECT", rtctest.ReviewRisk{Name: "gun", Score: 0.93}))
	require.Error(t, srv.EmitReviewResult("app", "room1", "dave", "PASS"), "no detection of dave")
	// Violations only (CallbackType 0): no PASS at the start.
	_, err = c.StartDetection(ctx, &rtc.StartDetectionRequest{AppID: "app", RoomID: "room1", UserID: "erin", Callback: cb.URL})
	require.NoError(t, err)
	// No Callback: nowhere to post.
	_, err = c.StartDetection(ctx, &rtc.StartDetectionRequest{AppID: "app", RoomID: "room1", UserID: "frank"})
	require.NoError(t, err)
	require.ErrorContains(t, srv.EmitReviewResult("app", "room1", "frank", "REJECT"), "no Callback URL")
	flush(t, srv)
	assert.Equal(t, []string{"review carol PASS", "review carol REJECT"}, b.log)

	ev := srv.Events()
	require.Len(t, ev, 2)
	parsed, err := rtc.ParseCallback(ev[1].Body, cbSecret)
	require.NoError(t, err)
	v, err := parsed.ParseData()
	require.NoError(t, err)
	d := v.(*rtc.MachineReviewResultData)
	assert.Equal(t, rtc.SuggestReject, d.Suggest)
	assert.Equal(t, []rtc.ReviewRisk{{Name: "gun", Score: 0.93}}, d.RiskHit)
	assert.Equal(t, 1, d.MediaType)
	assert.NotEmpty(t, d.Images)
}

func TestSingleStreamPushReportsTranscodeEvents(t *testing.T) {
	sink := &eventSink{}
	srv := rtctest.NewServer(rtctest.WithEventHandler(sink.handler(t), cbSecret))
	defer srv.Close()
	c := newClient(t, srv)
	ctx := context.Background()
	_, err := c.StartPushSingleStreamToCDN(ctx, &rtc.StartPushSingleStreamToCDNRequest{AppID: "app", RoomID: "room1", TaskID: "push1",
		PushURL: "rtmp://example.com/live/x", Stream: &rtc.CDNPushStream{UserID: "alice"}, Control: &rtc.SinglePushControl{}})
	require.NoError(t, err)
	_, err = c.StopPushStreamToCDN(ctx, &rtc.StopPushStreamToCDNRequest{AppID: "app", RoomID: "room1", TaskID: "push1"})
	require.NoError(t, err)
	flush(t, srv)
	assert.Equal(t, []string{rtc.EventTranscodeStarted, rtc.EventTranscodeStopped}, sink.types())
	v, err := sink.find(rtc.EventTranscodeStopped).ParseData()
	require.NoError(t, err)
	assert.Equal(t, "push1", v.(*rtc.TaskEventData).TaskID)
}
