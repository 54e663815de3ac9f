package rtc

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/volcrtc/rtc/internal/servermsg"
)

// Server messages. Besides the signed event callbacks (CallbackEvent), RTC
// posts a second kind of message to a URL of your server: the binary
// messages of a conversational AI agent (StartVoiceChat with
// AgentConfig.ServerMessageURLForRTS) and of a real-time subtitle task.
// Each POST body is the JSON object {"message": <base64>, "signature":
// <string>}. The decoded message is a 4-byte magic that says what it is, a
// 4-byte big-endian length, then that many bytes of JSON (vendor pages
// 6348/1415216 and 6348/1337284). The signature is not a hash: it is the
// very string you passed when starting the task, sent back for you to
// compare, so treat it as a secret and serve the URL over HTTPS.
//
// When an agent sends both its state and its subtitles to your server,
// both go to the one ServerMessageURLForRTS with the one signature; tell
// them apart by ServerMessage.Kind.

// ServerMessageKind is the magic of a server message.
type ServerMessageKind string

// The kinds of server message the vendor documents.
const (
	// ServerMessageSubtitle ("subt"): lines of a real-time subtitle task
	// (StartSubtitle, page 6348/1402679); read them with
	// ServerMessage.Subtitles.
	ServerMessageSubtitle ServerMessageKind = servermsg.MagicSubtitle
	// ServerMessageVoiceSubtitle ("subv"): the subtitles of a voice chat,
	// the user's recognised speech and the agent's answer (page
	// 6348/1337284); read them with ServerMessage.Subtitles.
	ServerMessageVoiceSubtitle ServerMessageKind = servermsg.MagicVoiceSubtitle
	// ServerMessageAgentState ("conv"): a change of the agent's state
	// (page 6348/1415216), sent when AgentConfig.EnableConversationStateCallback
	// is true; read it with ServerMessage.AgentState.
	ServerMessageAgentState ServerMessageKind = servermsg.MagicState
)

// Known reports whether k is one of the documented kinds.
func (k ServerMessageKind) Known() bool {
	return k == ServerMessageSubtitle || k == ServerMessageVoiceSubtitle || k == ServerMessageAgentState
}

// Errors of ParseServerMessage, matched with errors.Is. None of them, nor
// the errors that wrap them, ever contains a signature.
var (
	// ErrServerMessageSignature: the message's signature is not the one
	// configured.
	ErrServerMessageSignature = errors.New("rtc: server message signature mismatch")
	// ErrServerMessageFormat: the body is not a server message (not the
	// JSON envelope, message not base64, a header or length that does not
	// fit, a payload that is not the documented JSON).
	ErrServerMessageFormat = errors.New("rtc: malformed server message")
	// ErrServerMessageUnknownKind: the message is well-formed and signed
	// but its magic is not a documented kind. ParseServerMessage returns
	// the message with this error, so a caller can still read it.
	ErrServerMessageUnknownKind = errors.New("rtc: unknown server message kind")
)

// ServerMessage is one decoded server message.
type ServerMessage struct {
	// Kind is the message's magic: one of the ServerMessage* constants,
	// or, for a message of a kind this package does not know, its four
	// bytes as they came.
	Kind ServerMessageKind
	// Data is the payload after the 8-byte header: JSON for the
	// documented kinds, whatever was sent for the others.
	Data json.RawMessage
}

// SubtitleLine is one subtitle of a subt or subv message (pages
// 6348/1337284 and 6348/1402679).
type SubtitleLine struct {
	// Text is the recognised or spoken text.
	Text string `json:"text"`
	// Language is the subtitle's language.
	Language string `json:"language"`
	// UserID is who speaks: a user of the room, or the agent's UserId.
	UserID string `json:"userId"`
	// Sequence numbers the subtitles.
	Sequence int64 `json:"sequence"`
	// Definite reports a whole sentence; false marks a part that later
	// messages revise and complete.
	Definite bool `json:"definite"`
	// Paragraph reports a whole paragraph (a complete utterance).
	Paragraph bool `json:"paragraph"`
}

// AgentStage is the state code of a conv message (page 6348/1415216).
type AgentStage int

// The agent states of a conv message.
const (
	AgentListening   AgentStage = 1 // listening to the user
	AgentThinking    AgentStage = 2 // the language model is working on an answer
	AgentSpeaking    AgentStage = 3 // speaking its answer
	AgentInterrupted AgentStage = 4 // its answer was interrupted
	AgentFinished    AgentStage = 5 // finished speaking its answer
)

// String returns the state's name ("listening", ...), or its number for
// one not documented.
func (s AgentStage) String() string {
	switch s {
	case AgentListening:
		return "listening"
	case AgentThinking:
		return "thinking"
	case AgentSpeaking:
		return "speaking"
	case AgentInterrupted:
		return "interrupted"
	case AgentFinished:
		return "finished"
	}
	return fmt.Sprintf("AgentStage(%d)", int(s))
}

// AgentState is the payload of a conv message: what the agent of a voice
// chat is doing now.
//
// conv messages and the console's VoiceChat event (EventVoiceChat,
// VoiceChatEventData) describe the same conversation from two sides: conv
// gives the agent's state as a client shows it (listening, thinking,
// speaking, interrupted) and reaches the ServerMessageURLForRTS of the
// task; VoiceChat gives the task's stages (taskStart, asrFinish,
// answerStart, ..., taskStop) and its errors, reaches the callback URL
// configured in the console, and is signed like every event. TaskId,
// UserID and RoundID are common to both, so the two can be joined per
// round; only VoiceChat reports errors and the task's start and stop.
type AgentState struct {
	TaskID  string `json:"TaskId"`
	UserID  string `json:"UserID"`  // the speaker's UserId
	RoundID int64  `json:"RoundID"` // conversation round, from 0
	// EventTime is when it happened on the RTC server, in Unix
	// milliseconds; see Time.
	EventTime int64 `json:"EventTime"`
	Stage     struct {
		Code        AgentStage `json:"Code"`
		Description string     `json:"Description"`
	} `json:"Stage"`
}

// Time returns EventTime as a time.Time (the zero time when absent).
func (s *AgentState) Time() time.Time { return unixMilli(s.EventTime) }

// Subtitles decodes the lines of a subt or subv message.
func (m *ServerMessage) Subtitles() ([]SubtitleLine, error) {
	if m.Kind != ServerMessageSubtitle && m.Kind != ServerMessageVoiceSubtitle {
		return nil, fmt.Errorf("rtc: ServerMessage.Subtitles: a %q message carries no subtitles", m.Kind)
	}
	var p struct {
		Data []SubtitleLine `json:"data"`
	}
	if err := json.Unmarshal(m.Data, &p); err != nil {
		return nil, fmt.Errorf("%w: %s payload: %v", ErrServerMessageFormat, m.Kind, err)
	}
	return p.Data, nil
}

// AgentState decodes a conv message.
func (m *ServerMessage) AgentState() (*AgentState, error) {
	if m.Kind != ServerMessageAgentState {
		return nil, fmt.Errorf("rtc: ServerMessage.AgentState: a %q message carries no agent state", m.Kind)
	}
	s := new(AgentState)
	if err := json.Unmarshal(m.Data, s); err != nil {
		return nil, fmt.Errorf("%w: conv payload: %v", ErrServerMessageFormat, err)
	}
	return s, nil
}

// ParseServerMessage decodes a server message body and checks its
// signature against signature (the ServerMessageSignatureForRTS, or the
// subtitle task's signature, you chose), in constant time. The errors
// match ErrServerMessageSignature, ErrServerMessageFormat or, for a
// well-formed message of an unknown kind, ErrServerMessageUnknownKind: then
// the message is returned too. The signature is checked before the message
// is decoded, so an unsigned body learns nothing of the format.
func ParseServerMessage(body []byte, signature string) (*ServerMessage, error) {
	if signature == "" {
		return nil, errors.New("rtc: ParseServerMessage: empty signature; pass the signature given when the task was started")
	}
	var env servermsg.Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("%w: body is not the JSON envelope {\"message\",\"signature\"}: %v", ErrServerMessageFormat, err)
	}
	// Hashing first makes the comparison independent of the lengths too.
	got, want := sha256.Sum256([]byte(env.Signature)), sha256.Sum256([]byte(signature))
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return nil, ErrServerMessageSignature
	}
	raw, err := base64.StdEncoding.DecodeString(env.Message)
	if err != nil {
		return nil, fmt.Errorf("%w: message is not base64: %v", ErrServerMessageFormat, err)
	}
	magic, payload, err := servermsg.Decode(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrServerMessageFormat, err)
	}
	m := &ServerMessage{Kind: ServerMessageKind(magic), Data: payload}
	if !m.Kind.Known() {
		return m, fmt.Errorf("%w %q (%d payload bytes)", ErrServerMessageUnknownKind, magic, len(payload))
	}
	if !json.Valid(payload) {
		return nil, fmt.Errorf("%w: %s payload is not JSON", ErrServerMessageFormat, magic)
	}
	return m, nil
}

// DefaultServerMessageMaxBody is the largest body NewServerMessageHandler
// reads by default (256 KiB). The vendor caps a message at 48 KB before
// base64 (page 6348/1415216), about 64 KiB after.
const DefaultServerMessageMaxBody = 256 << 10

// ServerMessageOption configures NewServerMessageHandler. An option given a
// bad value makes NewServerMessageHandler return an error that says what to
// fix.
type ServerMessageOption func(*serverMessageConfig) error

type serverMessageConfig struct {
	maxBody     int64
	readTimeout time.Duration
	timeout     time.Duration
	logger      *slog.Logger
	unknown     bool
}

// WithServerMessageMaxBody sets the largest body accepted, in bytes
// (default DefaultServerMessageMaxBody); larger ones get 413.
func WithServerMessageMaxBody(n int64) ServerMessageOption {
	return func(c *serverMessageConfig) error {
		if n <= 0 {
			return fmt.Errorf("rtc: WithServerMessageMaxBody(%d): must be positive (leave the option out for the default, %d bytes)", n, DefaultServerMessageMaxBody)
		}
		c.maxBody = n
		return nil
	}
}

// WithServerMessageReadTimeout sets how long the handler waits for the
// body (default DefaultCallbackReadTimeout); a slower body gets 408.
func WithServerMessageReadTimeout(d time.Duration) ServerMessageOption {
	return func(c *serverMessageConfig) error {
		if d <= 0 {
			return fmt.Errorf("rtc: WithServerMessageReadTimeout(%v): must be positive (leave the option out for the default, %v)", d, DefaultCallbackReadTimeout)
		}
		c.readTimeout = d
		return nil
	}
}

// WithServerMessageTimeout sets the deadline of the context given to the
// handler's function (default DefaultCallbackTimeout).
func WithServerMessageTimeout(d time.Duration) ServerMessageOption {
	return func(c *serverMessageConfig) error {
		if d <= 0 {
			return fmt.Errorf("rtc: WithServerMessageTimeout(%v): must be positive (leave the option out for the default, %v)", d, DefaultCallbackTimeout)
		}
		c.timeout = d
		return nil
	}
}

// WithServerMessageLogger sets where the handler logs rejected and failed
// messages (by default nowhere). Signatures are never logged.
func WithServerMessageLogger(l *slog.Logger) ServerMessageOption {
	return func(c *serverMessageConfig) error {
		if l == nil {
			return errors.New("rtc: WithServerMessageLogger: nil logger (leave the option out to disable logging)")
		}
		c.logger = l
		return nil
	}
}

// WithUnknownServerMessages hands messages of a kind this package does not
// know to the handler's function too, with their Kind and raw Data, so a
// kind the vendor adds later can be handled before the SDK models it.
// Without it such messages are acknowledged (200) and dropped.
func WithUnknownServerMessages() ServerMessageOption {
	return func(c *serverMessageConfig) error { c.unknown = true; return nil }
}

// NewServerMessageHandler returns an http.Handler that receives server
// messages: it accepts POST only (405 otherwise), reads at most
// DefaultServerMessageMaxBody bytes (413 beyond) within
// DefaultCallbackReadTimeout (408 beyond), checks the signature in
// constant time (401 when it does not match), refuses a body that is not a
// server message (400), and calls fn with a context that expires after
// DefaultCallbackTimeout. fn returning nil answers 200; an error or a
// panic answers 500 (logged, the panic with its stack), so the sender may
// try again. A message of an unknown kind is answered 200 without calling
// fn, unless WithUnknownServerMessages is given.
//
// Server messages carry no event ID and are not deduplicated: a retried
// delivery calls fn again. Subtitles carry a Sequence and states a RoundID
// and EventTime for a function that must not count one twice.
//
// An empty signature, a nil fn or an option given a bad value is an error
// that says what to fix; all problems are reported at once.
func NewServerMessageHandler(signature string, fn func(context.Context, *ServerMessage) error, opts ...ServerMessageOption) (http.Handler, error) {
	cfg := serverMessageConfig{maxBody: DefaultServerMessageMaxBody, readTimeout: DefaultCallbackReadTimeout, timeout: DefaultCallbackTimeout}
	var errs []error
	if signature == "" {
		errs = append(errs, errors.New("rtc: NewServerMessageHandler: empty signature; pass the ServerMessageSignatureForRTS (or subtitle signature) given when starting the task"))
	}
	if fn == nil {
		errs = append(errs, errors.New("rtc: NewServerMessageHandler: nil function; pass the func that processes each message"))
	}
	for i, o := range opts {
		if o == nil {
			errs = append(errs, fmt.Errorf("rtc: NewServerMessageHandler: option %d is nil", i+1))
			continue
		}
		if err := o(&cfg); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &serverMessageHandler{signature: signature, fn: fn, cfg: cfg, body: &bodyLimits{maxBody: cfg.maxBody, timeout: cfg.readTimeout}}, nil
}

type serverMessageHandler struct {
	signature string
	fn        func(context.Context, *ServerMessage) error
	cfg       serverMessageConfig
	body      *bodyLimits
}

// Format prints the handler without its signature, for every verb.
func (h *serverMessageHandler) Format(f fmt.State, _ rune) {
	_, _ = f.Write([]byte("rtc.ServerMessageHandler"))
}

func (h *serverMessageHandler) log(ctx context.Context, level slog.Level, msg string, args ...any) {
	if h.cfg.logger != nil {
		h.cfg.logger.Log(ctx, level, msg, args...)
	}
}

func (h *serverMessageHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "RTC server messages must be POST", http.StatusMethodNotAllowed)
		return
	}
	// The same body bounds as the callback handler's (body.go).
	body, ok := readBody(w, r, h.body, "rtc server message", h.log)
	if !ok {
		return
	}
	m, err := ParseServerMessage(body, h.signature)
	if err != nil {
		switch {
		case errors.Is(err, ErrServerMessageUnknownKind) && m != nil:
			if !h.cfg.unknown {
				h.log(ctx, slog.LevelInfo, "rtc server message of an unknown kind dropped", "kind", string(m.Kind))
				writeCallbackOK(w)
				return
			}
		case errors.Is(err, ErrServerMessageSignature):
			h.log(ctx, slog.LevelWarn, "rtc server message rejected", "status", http.StatusUnauthorized, "error", err)
			http.Error(w, http.StatusText(http.StatusUnauthorized), http.StatusUnauthorized)
			return
		default:
			h.log(ctx, slog.LevelWarn, "rtc server message rejected", "status", http.StatusBadRequest, "error", err)
			http.Error(w, http.StatusText(http.StatusBadRequest), http.StatusBadRequest)
			return
		}
	}
	fctx, cancel := context.WithTimeout(ctx, h.cfg.timeout)
	defer cancel()
	if stack, err := h.run(fctx, m); err != nil {
		if stack != "" {
			h.log(ctx, slog.LevelError, "rtc server message: handler panicked", "kind", string(m.Kind), "panic", err.Error(), "stack", stack)
		} else {
			h.log(ctx, slog.LevelError, "rtc server message: handler failed", "kind", string(m.Kind), "error", err)
		}
		http.Error(w, "message handler failed", http.StatusInternalServerError)
		return
	}
	writeCallbackOK(w)
}

func (h *serverMessageHandler) run(ctx context.Context, m *ServerMessage) (stack string, err error) {
	defer func() {
		if v := recover(); v != nil {
			stack, err = string(debug.Stack()), fmt.Errorf("panic: %v", v)
		}
	}()
	return "", h.fn(ctx, m)
}
