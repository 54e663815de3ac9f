// Command voicechat follows a conversational AI agent from a backend: it
// starts an agent with StartVoiceChat, prints the agent's state changes
// (conv messages), both sides' subtitles (subv messages) and the VoiceChat
// events as they arrive, interrupts the agent once and stops it.
//
// With no credentials it runs against the in-process fake server
// (rtctest), whose scripted agent plays two rounds of conversation:
//
//	go run ./examples/voicechat
//
// With credentials (VOLCENGINE_ACCESS_KEY / VOLCENGINE_SECRET_KEY, or the
// other sources of rtc.DefaultCredentials) and RTC_APP_ID set, it runs
// against the real service. The agent must reach this program, so it also
// needs:
//
//   - RTC_PUBLIC_URL: the public http(s) base URL that forwards to the
//     address this program listens on (RTC_LISTEN, default :8080); the
//     agent posts to <RTC_PUBLIC_URL>/rtc/agent, and the console's
//     VoiceChat callback should point at <RTC_PUBLIC_URL>/rtc/callback;
//   - RTC_CALLBACK_SECRET: the console callback's secret;
//   - RTC_VOICECHAT_CONFIG: a file with the JSON of StartVoiceChat's Config
//     (ASRConfig, LLMConfig, TTSConfig in the vendor's format);
//   - RTC_ROOM_ID and RTC_TARGET_USER: the room and the user to talk with.
//
// It then talks for RTC_CHAT_SECONDS (default 60), interrupts, and stops.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/rtctest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "voicechat:", err)
		os.Exit(1)
	}
}

// printer writes one line per message, whichever handler it comes from.
type printer struct{ mu sync.Mutex }

func (p *printer) say(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Printf(format+"\n", args...)
}

// handlers returns the backend's two receivers: the agent's server
// messages and the console's event callbacks.
func handlers(p *printer, signature, secret string) (agent, events http.Handler, err error) {
	agent, err = rtc.NewServerMessageHandler(signature, func(_ context.Context, m *rtc.ServerMessage) error {
		switch m.Kind {
		case rtc.ServerMessageAgentState:
			st, err := m.AgentState()
			if err != nil {
				return err
			}
			p.say("  state     round %d: %s", st.RoundID, st.Stage.Code)
		case rtc.ServerMessageVoiceSubtitle:
			lines, err := m.Subtitles()
			if err != nil {
				return err
			}
			for _, l := range lines {
				mark := "…"
				if l.Definite {
					mark = ""
				}
				p.say("  subtitle  %-8s %s%s", l.UserID+":", l.Text, mark)
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	events, err = rtc.NewCallbackHandler(secret, func(_ context.Context, ev *rtc.CallbackEvent) error {
		v, err := ev.ParseData()
		if err != nil {
			return err
		}
		if d, ok := v.(*rtc.VoiceChatEventData); ok {
			if d.Failed() {
				p.say("  event     round %d: error at %s: %s %s", d.RoundID, d.RunStage, d.ErrorInfo.Errorcode, d.ErrorInfo.Reason)
			} else {
				p.say("  event     round %d: %s", d.RoundID, d.RunStage)
			}
		}
		return nil
	})
	return agent, events, err
}

func run() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	p := &printer{}
	appID := os.Getenv("RTC_APP_ID")
	_, credErr := rtc.DefaultCredentials().Retrieve(ctx)
	if credErr == nil && appID != "" {
		return runReal(ctx, p, appID)
	}
	return runFake(ctx, p)
}

// serve listens on addr and serves the two handlers until the returned
// function is called.
func serve(addr string, agent, events http.Handler) (base string, stop func(), err error) {
	mux := http.NewServeMux()
	mux.Handle("/rtc/agent", agent)
	mux.Handle("/rtc/callback", events)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

func randomSecret() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func runFake(ctx context.Context, p *printer) error {
	fmt.Println("No credentials and RTC_APP_ID set: using the in-process fake server (rtctest) and its scripted agent.")
	const appID, roomID, taskID = "661e2f2a543cf0123456789a", "voicechat-room", "chat-1"
	// The signature is a secret of your choice: a fresh random one per task.
	signature, secret := randomSecret(), randomSecret()
	agent, events, err := handlers(p, signature, secret)
	if err != nil {
		return err
	}
	base, stop, err := serve("127.0.0.1:0", agent, events)
	if err != nil {
		return err
	}
	defer stop()
	srv := rtctest.NewServer(rtctest.WithEventCallback(base+"/rtc/callback", secret))
	defer srv.Close()
	client, err := rtc.New(rtc.WithEndpoint(srv.URL),
		rtc.WithCredentials(rtc.Credentials{AccessKeyID: rtctest.DemoAccessKeyID, SecretAccessKey: rtctest.DemoSecretAccessKey}))
	if err != nil {
		return err
	}
	cfg := &rtc.VoiceChatConfig{
		ASRConfig: json.RawMessage(`{"Provider":"volcano"}`),
		LLMConfig: json.RawMessage(`{"Mode":"ArkV3"}`),
		TTSConfig: json.RawMessage(`{"Provider":"volcano"}`),
	}
	flush := func() error {
		fctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return srv.FlushEvents(fctx)
	}

	fmt.Println("1. Start the agent")
	if err := start(ctx, client, appID, roomID, taskID, "alice", base+"/rtc/agent", signature, cfg); err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	fmt.Println("2. Alice asks; the agent answers")
	if err := srv.RunAgentRound(appID, roomID, taskID, rtctest.AgentRound{User: "What is the weather today?", Answer: "Sunny, around 25 degrees."}); err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	fmt.Println("3. Alice asks for a story; the agent starts telling it")
	if err := srv.RunAgentRound(appID, roomID, taskID, rtctest.AgentRound{User: "Tell me a long story.", Answer: "Once upon a time, far away, there lived a dragon.", Hold: true}); err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	fmt.Println("4. The backend interrupts the agent")
	if err := interrupt(ctx, client, appID, roomID, taskID); err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	fmt.Println("5. Stop the agent")
	if err := stopAgent(ctx, client, appID, roomID, taskID); err != nil {
		return err
	}
	return flush()
}

func start(ctx context.Context, c *rtc.Client, appID, roomID, taskID, user, url, signature string, cfg *rtc.VoiceChatConfig) error {
	res, err := c.StartVoiceChat(ctx, &rtc.StartVoiceChatRequest{
		AppID: appID, RoomID: roomID, TaskID: taskID,
		AgentConfig: &rtc.AgentConfig{
			TargetUserID: []string{user},
			// The agent's UserId must be unique in the AppId: one per task.
			UserID:                          "agent-" + taskID,
			EnableConversationStateCallback: rtc.Ptr(true),
			ServerMessageURLForRTS:          url,
			ServerMessageSignatureForRTS:    signature,
		},
		Config: cfg,
	})
	if err != nil {
		return fmt.Errorf("StartVoiceChat: %w", err)
	}
	fmt.Printf("  started (request %s)\n", res.Metadata.RequestID)
	return nil
}

func interrupt(ctx context.Context, c *rtc.Client, appID, roomID, taskID string) error {
	_, err := c.UpdateVoiceChat(ctx, &rtc.UpdateVoiceChatRequest{AppID: appID, RoomID: roomID, TaskID: taskID, Command: rtc.VoiceChatInterrupt})
	if err != nil {
		return fmt.Errorf("UpdateVoiceChat interrupt: %w", err)
	}
	return nil
}

func stopAgent(ctx context.Context, c *rtc.Client, appID, roomID, taskID string) error {
	if _, err := c.StopVoiceChat(ctx, &rtc.StopVoiceChatRequest{AppID: appID, RoomID: roomID, TaskID: taskID}); err != nil {
		return fmt.Errorf("StopVoiceChat: %w", err)
	}
	return nil
}

func runReal(ctx context.Context, p *printer, appID string) error {
	fmt.Println("Using the real RTC OpenAPI with your credentials.")
	public, secret, cfgPath := strings.TrimSuffix(os.Getenv("RTC_PUBLIC_URL"), "/"), os.Getenv("RTC_CALLBACK_SECRET"), os.Getenv("RTC_VOICECHAT_CONFIG")
	roomID, user := os.Getenv("RTC_ROOM_ID"), os.Getenv("RTC_TARGET_USER")
	if public == "" || secret == "" || cfgPath == "" || roomID == "" || user == "" {
		return errors.New("against the real service set RTC_PUBLIC_URL, RTC_CALLBACK_SECRET, RTC_VOICECHAT_CONFIG, RTC_ROOM_ID and RTC_TARGET_USER (see the package comment)")
	}
	raw, err := os.ReadFile(cfgPath)
	if err != nil {
		return err
	}
	cfg := new(rtc.VoiceChatConfig)
	if err := json.Unmarshal(raw, cfg); err != nil {
		return fmt.Errorf("%s: %w", cfgPath, err)
	}
	seconds, _ := strconv.Atoi(os.Getenv("RTC_CHAT_SECONDS"))
	if seconds <= 0 {
		seconds = 60
	}
	signature := randomSecret()
	agent, events, err := handlers(p, signature, secret)
	if err != nil {
		return err
	}
	addr := os.Getenv("RTC_LISTEN")
	if addr == "" {
		addr = ":8080"
	}
	_, stop, err := serve(addr, agent, events)
	if err != nil {
		return err
	}
	defer stop()
	client, err := rtc.New(rtc.WithUserAgent("rtc-voicechat-example"))
	if err != nil {
		return err
	}
	taskID := "voicechat-" + randomSecret()[:8]
	if err := start(ctx, client, appID, roomID, taskID, user, public+"/rtc/agent", signature, cfg); err != nil {
		return err
	}
	// Stop the agent whatever happens: it is billed while it runs.
	defer func() { _ = stopAgent(context.WithoutCancel(ctx), client, appID, roomID, taskID) }()
	fmt.Printf("Talk to the agent in room %s as %s for %d s.\n", roomID, user, seconds)
	select {
	case <-time.After(time.Duration(seconds) * time.Second):
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := interrupt(ctx, client, appID, roomID, taskID); err != nil {
		return err
	}
	time.Sleep(2 * time.Second) // let the interruption's messages arrive
	return nil
}
