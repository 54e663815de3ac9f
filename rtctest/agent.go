package rtctest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/volcrtc/rtc/internal/servermsg"
)

// A scripted AI agent. StartVoiceChat starts one per task; it talks the
// way the vendor's agent reports a conversation (pages 6348/1928198,
// 6348/1415216, 6348/1337284):
//
//   - VoiceChat events (EventType 0, or 1 for errors) through the event
//     callback of WithEventCallback or WithEventHandler, signed and retried
//     like every event;
//   - conv messages (the agent's state) to AgentConfig.ServerMessageURLForRTS
//     when AgentConfig.EnableConversationStateCallback is true, and subv
//     messages (both sides' subtitles) to that URL whenever it is set, each
//     with ServerMessageSignatureForRTS, retried by the same rules.
//
// Everything goes through one queue, so a receiver sees it in the order
// below. At StartVoiceChat: taskStart, conv listening; then, when
// AgentConfig.WelcomeMessage is set, the agent speaks it as round 0. Each
// round of RunAgentRound: beginAsking, subv of the user (a part, then the
// whole sentence), asrFinish, conv thinking, llmOutput, answerStart, conv
// speaking, subv of the agent, answerFinish, conv finished, conv
// listening. UpdateVoiceChat with Command "interrupt" while the agent
// speaks: interrupted, conv interrupted, conv listening. Command
// "ExternalTextToSpeech": the agent speaks Message as a round of its own.
// StopVoiceChat: taskStop.

// AgentRound scripts one round of a voice chat for RunAgentRound.
type AgentRound struct {
	// User is what the user says, as speech recognition hears it. Empty:
	// the round has no user turn and the agent just speaks.
	User string
	// Answer is what the agent says back.
	Answer string
	// Hold leaves the agent speaking: the round stops after answerStart and
	// the first part of the answer's subtitle. An interrupt
	// (UpdateVoiceChat), the next round (the user speaking over it) or
	// StopVoiceChat ends it with interrupted.
	Hold bool
}

// Agent stage codes of conv messages (page 6348/1415216), as the SDK's
// rtc.AgentListening and the others.
const (
	agentListening   = 1
	agentThinking    = 2
	agentSpeaking    = 3
	agentInterrupted = 4
	agentFinished    = 5
)

var agentStageNames = map[int]string{agentListening: "listening", agentThinking: "thinking",
	agentSpeaking: "speaking", agentInterrupted: "interrupted", agentFinished: "finished"}

// voiceAgent is the state of the agent of one voicechat task.
type voiceAgent struct {
	appID, room, task, business string
	agentUser, targetUser       string
	url, signature              string
	states                      bool  // send conv messages
	round                       int64 // the current round
	seq                         int64 // the last subtitle sequence number
	speaking                    bool  // an answer is being spoken (Hold)
}

var serverMessageClient = newPostClient()

// newVoiceAgent reads the agent's configuration from the StartVoiceChat input.
func newVoiceAgent(appID string, k taskKey, in map[string]any) *voiceAgent {
	ag := &voiceAgent{appID: appID, room: k.room, task: k.id}
	ag.business, _ = in["BusinessId"].(string)
	ac, _ := in["AgentConfig"].(map[string]any)
	ag.agentUser, _ = ac["UserId"].(string)
	if l, ok := ac["TargetUserId"].([]any); ok && len(l) > 0 {
		ag.targetUser, _ = l[0].(string)
	}
	ag.url, _ = ac["ServerMessageURLForRTS"].(string)
	ag.signature, _ = ac["ServerMessageSignatureForRTS"].(string)
	ag.states, _ = ac["EnableConversationStateCallback"].(bool)
	return ag
}

// voiceEvent sends a VoiceChat event.
func (s *Server) voiceEvent(ag *voiceAgent, eventType int, stage, user string, errInfo map[string]any) {
	data := map[string]any{"AppId": ag.appID, "RoomId": ag.room, "TaskId": ag.task, "UserID": user,
		"RoundID": ag.round, "EventTime": s.now().UnixMilli(), "EventType": eventType, "RunStage": stage}
	if ag.business != "" {
		data["BusinessId"] = ag.business
	}
	if errInfo != nil {
		data["ErrorInfo"] = errInfo
	}
	b, _ := json.Marshal(data)
	s.emit(ag.appID, "VoiceChat", string(b))
}

// agentState sends a conv message.
func (s *Server) agentState(ag *voiceAgent, code int) {
	if ag.url == "" || !ag.states {
		return
	}
	p, _ := json.Marshal(servermsg.StatePayload{TaskID: ag.task, UserID: ag.agentUser, RoundID: ag.round,
		EventTime: s.now().UnixMilli(), Stage: servermsg.Stage{Code: code, Description: agentStageNames[code]}})
	s.postServerMessage(ag.appID, ag.url, ag.signature, servermsg.MagicState, p)
}

// agentSubtitle sends a subv message with one line.
func (s *Server) agentSubtitle(ag *voiceAgent, user, text string, definite bool) {
	if ag.url == "" {
		return
	}
	ag.seq++
	p, _ := json.Marshal(servermsg.SubtitlePayload{Type: "subtitle", Data: []servermsg.Subtitle{{
		Text: text, Language: "zh", UserID: user, Sequence: ag.seq, Definite: definite, Paragraph: definite}}})
	s.postServerMessage(ag.appID, ag.url, ag.signature, servermsg.MagicVoiceSubtitle, p)
}

// postServerMessage queues a server message for url.
func (s *Server) postServerMessage(appID, url, signature, magic string, payload []byte) {
	ev := &Event{Type: magic, AppID: appID, Time: s.now(), Data: string(payload),
		Body: servermsg.Body(magic, payload, signature), sink: s.serverMessageSink(url)}
	s.enqueue(ev, true)
}

// firstPart returns about the first half of a sentence, by words (by
// runes for text without spaces), as a partial subtitle shows it.
func firstPart(text string) string {
	if w := strings.Fields(text); len(w) > 1 {
		return strings.Join(w[:(len(w)+1)/2], " ")
	}
	r := []rune(text)
	if len(r) < 2 {
		return text
	}
	return string(r[:(len(r)+1)/2])
}

func (s *Server) agentStart(ag *voiceAgent, welcome string) {
	s.voiceEvent(ag, 0, "taskStart", ag.agentUser, nil)
	s.agentState(ag, agentListening)
	if welcome != "" {
		s.agentSpeak(ag, welcome, false)
		ag.round++
	}
}

// agentSpeak runs the agent's side of a round.
func (s *Server) agentSpeak(ag *voiceAgent, answer string, hold bool) {
	s.voiceEvent(ag, 0, "answerStart", ag.agentUser, nil)
	s.agentState(ag, agentSpeaking)
	if hold {
		s.agentSubtitle(ag, ag.agentUser, firstPart(answer), false)
		ag.speaking = true
		return
	}
	s.agentSubtitle(ag, ag.agentUser, answer, true)
	s.voiceEvent(ag, 0, "answerFinish", ag.agentUser, nil)
	s.agentState(ag, agentFinished)
	s.agentState(ag, agentListening)
}

// agentInterrupt ends an answer being spoken.
func (s *Server) agentInterrupt(ag *voiceAgent) {
	if !ag.speaking {
		return
	}
	ag.speaking = false
	s.voiceEvent(ag, 0, "interrupted", ag.agentUser, nil)
	s.agentState(ag, agentInterrupted)
	s.agentState(ag, agentListening)
	ag.round++
}

// agentUpdate reacts to UpdateVoiceChat.
func (s *Server) agentUpdate(ag *voiceAgent, in map[string]any) {
	cmd, _ := in["Command"].(string)
	switch cmd {
	case "interrupt":
		s.agentInterrupt(ag)
	case "ExternalTextToSpeech":
		msg, _ := in["Message"].(string)
		s.agentInterrupt(ag)
		s.agentSpeak(ag, msg, false)
		ag.round++
	}
}

func (s *Server) agentStop(ag *voiceAgent) {
	s.agentInterrupt(ag)
	s.voiceEvent(ag, 0, "taskStop", ag.agentUser, nil)
}

// voiceAgentOf returns the agent of a running voicechat task.
func (s *Server) voiceAgentOf(appID, roomID, taskID string) (*voiceAgent, error) {
	t := s.st.app(appID).tasks[taskKey{"voicechat", roomID, taskID}]
	if t == nil || !t.running || t.agent == nil {
		return nil, fmt.Errorf("rtctest: no voice chat task %q running in room %q of app %q", taskID, roomID, appID)
	}
	return t.agent, nil
}

// RunAgentRound plays one round of the voice chat task's conversation:
// the user says r.User and the agent answers r.Answer, with the events and
// server messages in the order described above. An answer still being
// spoken (Hold) is interrupted first, as when the user speaks over it. It
// returns an error when the task does not run.
func (s *Server) RunAgentRound(appID, roomID, taskID string, r AgentRound) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ag, err := s.voiceAgentOf(appID, roomID, taskID)
	if err != nil {
		return err
	}
	s.agentInterrupt(ag)
	if r.User != "" {
		s.voiceEvent(ag, 0, "beginAsking", ag.targetUser, nil)
		if part := firstPart(r.User); part != r.User {
			s.agentSubtitle(ag, ag.targetUser, part, false)
		}
		s.agentSubtitle(ag, ag.targetUser, r.User, true)
		s.voiceEvent(ag, 0, "asrFinish", ag.targetUser, nil)
		s.agentState(ag, agentThinking)
		s.voiceEvent(ag, 0, "llmOutput", ag.agentUser, nil)
	}
	s.agentSpeak(ag, r.Answer, r.Hold)
	if !r.Hold {
		ag.round++
	}
	return nil
}

// AgentError makes the voice chat task's agent report an error: a
// VoiceChat event with EventType 1, RunStage stage (asr, llm, tts,
// preParamCheck, ...) and ErrorInfo{Errorcode: code, Reason: reason}, as
// the vendor's error table has them (rtc.VoiceChatErrASRRequest and the
// others). The task keeps running; stop it to model a fatal error.
func (s *Server) AgentError(appID, roomID, taskID, stage string, code int, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ag, err := s.voiceAgentOf(appID, roomID, taskID)
	if err != nil {
		return err
	}
	s.voiceEvent(ag, 1, stage, ag.agentUser, map[string]any{"Errorcode": code, "Reason": reason})
	return nil
}

// EmitServerMessage posts a server message of any kind (magic, 4 bytes:
// "subt", "subv", "conv" or another) with payload (a JSON-encodable value)
// to url with signature, through the server's delivery queue and its
// retry rules, the way the agent posts its own. Use it for messages the
// fake does not produce by itself, such as a subtitle task's subt lines.
func (s *Server) EmitServerMessage(appID, url, signature, magic string, payload any) error {
	if len(magic) != 4 {
		return fmt.Errorf("rtctest: EmitServerMessage: magic %q is not 4 bytes", magic)
	}
	b, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	s.postServerMessage(appID, url, signature, magic, b)
	return nil
}

// ServerMessages returns a copy of the server messages the server has
// posted so far (agent states, subtitles, EmitServerMessage; at most the
// MaxRecorded most recent), oldest first, with their delivery state. Type
// is the magic; Data the JSON payload; Body the posted envelope; ID is
// empty.
func (s *Server) ServerMessages() []Event {
	q := &s.events
	q.mu.Lock()
	defer q.mu.Unlock()
	msgs := recent(q.msgs)
	out := make([]Event, len(msgs))
	for i, e := range msgs {
		out[i] = *e
		out[i].Body = slices.Clone(e.Body)
		out[i].sink = nil
	}
	return out
}

// ReviewRisk is one moderation model's score in a MachineReviewResult.
type ReviewRisk struct {
	Name  string
	Score float64
}

// EmitReviewResult makes the running detection of userID in roomID post
// a MachineReviewResult to its Callback URL (page 6348/104534): Suggest is
// PASS, REVIEW or REJECT; hits are the models that found a violation. It
// is signed with the secret of WithEventCallback or WithEventHandler and
// retried like every event; without one it returns an error.
func (s *Server) EmitReviewResult(appID, roomID, userID, suggest string, hits ...ReviewRisk) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.st.app(appID).tasks[taskKey{"detection", roomID, userID}]
	if t == nil || !t.running {
		return fmt.Errorf("rtctest: no detection of user %q running in room %q of app %q", userID, roomID, appID)
	}
	if !s.reviewResult(appID, t, suggest, hits) {
		return fmt.Errorf("rtctest: EmitReviewResult: the detection has no Callback URL, or the server no event secret (WithEventCallback)")
	}
	return nil
}

// reviewResult posts a MachineReviewResult for a detection task; false
// when there is nowhere to post it.
func (s *Server) reviewResult(appID string, t *task, suggest string, hits []ReviewRisk) bool {
	url, _ := t.input["Callback"].(string)
	if url == "" || s.cfg.events == nil {
		return false
	}
	mt, _ := toInt(t.input["MediaType"])
	if mt != 2 {
		mt = 1
	}
	risk := func(l []ReviewRisk) []map[string]any {
		out := make([]map[string]any, 0, len(l))
		for _, r := range l {
			out = append(out, map[string]any{"Name": r.Name, "Score": r.Score})
		}
		return out
	}
	data := map[string]any{"RoomId": t.room, "UserId": t.id, "MediaType": mt, "Suggest": suggest,
		"HitReasons": []string{}, "RiskALL": risk(append([]ReviewRisk{{Name: "porn"}, {Name: "politics"}}, hits...)),
		"AIResultOrigin": "{}"}
	if len(hits) > 0 {
		data["RiskHit"] = risk(hits)
		data["HitReasons"] = []string{hits[0].Name}
	}
	if mt == 2 {
		data["Audio"] = "https://example.com/rtctest/review/" + t.id + ".wav"
		data["AudioText"] = ""
	} else {
		data["Images"] = []string{"https://example.com/rtctest/review/" + t.id + ".jpg"}
	}
	b, _ := json.Marshal(data)
	s.emitTo(&eventSink{url: url, client: serverMessageClient, secret: s.cfg.events.secret}, appID, "MachineReviewResult", string(b))
	return true
}
