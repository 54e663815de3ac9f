package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/internal/servermsg"
)

// Server messages: the binary messages a voice chat agent or a subtitle
// task posts to your server (rtc.ParseServerMessage). "callback send
// subt|subv|conv" builds one with the encoder the SDK and rtctest share.

// serverMessageFixture is the example payload of one server message kind.
type serverMessageFixture struct {
	kind    string
	about   string
	fixture func(now time.Time) any // a pointer to the payload's wire type
}

var serverMessageFixtures = []serverMessageFixture{
	{servermsg.MagicSubtitle, "subtitles of a real-time subtitle task (StartSubtitle)", func(time.Time) any {
		return &servermsg.SubtitlePayload{Type: "subtitle", Data: []servermsg.Subtitle{
			{Text: "Welcome to the meeting", Language: "en", UserID: "user1", Sequence: 1, Definite: true, Paragraph: true},
		}}
	}},
	{servermsg.MagicVoiceSubtitle, "subtitles of a voice chat: the user's speech and the agent's answer", func(time.Time) any {
		return &servermsg.SubtitlePayload{Type: "subtitle", Data: []servermsg.Subtitle{
			{Text: "What is the weather today?", Language: "en", UserID: "user1", Sequence: 1, Definite: true, Paragraph: true},
			{Text: "It is sunny in Beijing today.", Language: "en", UserID: "voice_agent", Sequence: 2, Definite: true, Paragraph: true},
		}}
	}},
	{servermsg.MagicState, "a voice chat agent's state", func(now time.Time) any {
		return &servermsg.StatePayload{TaskID: "task1", UserID: "user1", RoundID: 0, EventTime: now.UnixMilli(),
			Stage: servermsg.Stage{Code: int(rtc.AgentThinking), Description: rtc.AgentThinking.String()}}
	}},
}

func findServerMessageFixture(kind string) *serverMessageFixture {
	for i := range serverMessageFixtures {
		if serverMessageFixtures[i].kind == kind {
			return &serverMessageFixtures[i]
		}
	}
	return nil
}

func (a *app) listServerMessageFixtures() {
	fmt.Fprintln(a.stdout, "\nServer messages (signed with RTC_SERVER_MESSAGE_SIGNATURE or --signature-file):")
	for _, f := range serverMessageFixtures {
		b, _ := json.Marshal(f.fixture(time.Now()))
		fmt.Fprintf(a.stdout, "%-28s %s\n  %s\n", f.kind, f.about, b)
	}
}

// sendServerMessage is "callback send subt|subv|conv".
func (a *app) sendServerMessage(o *cmdOpts, f *serverMessageFixture) error {
	v := f.fixture(time.Now())
	raw, err := a.readEventData(o.data)
	if err != nil {
		return err
	}
	if raw != nil {
		if err := decodeOver(v, raw); err != nil {
			return usageErr("--data does not fit the %s payload (%s): %s\nRun \"rtcctl callback send --list\" for its fields; nothing was sent.",
				f.kind, strings.TrimPrefix(reflect.TypeOf(v).String(), "*"), err)
		}
	}
	payload, err := json.Marshal(v)
	if err != nil {
		return usageErr("encoding the payload: %v", err)
	}
	target, err := a.checkTarget("--to", o.to)
	if err != nil {
		return err
	}
	sig, err := a.secret(secretSource{flag: "--signature", file: "--signature-file", fileVal: o.signatureFile, env: "RTC_SERVER_MESSAGE_SIGNATURE"})
	if err != nil {
		return err
	}
	if sig == "" {
		return usageErr("no server message signature: set RTC_SERVER_MESSAGE_SIGNATURE or pass --signature-file FILE (the ServerMessageSignatureForRTS, or the subtitle task's signature, the receiver checks)")
	}
	body := servermsg.Body(f.kind, payload, sig)
	fmt.Fprintf(a.stdout, "sending a %s server message (%d payload bytes) to %s\n", f.kind, len(payload), target)
	ans, err := a.post(target, body, http.Header{"Content-Type": {"application/json"}})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "answer: %s in %s%s\n", statusText(ans.status), ans.took.Round(time.Millisecond), answerBody(ans))
	if ans.status != http.StatusOK {
		hint := answerBody(ans)
		if ans.status == http.StatusUnauthorized {
			hint = ": it does not accept the signature; check that it is the one the receiver was given"
		}
		return failErr(exitAPI, "the receiver answered %s%s", statusText(ans.status), hint)
	}
	return nil
}

// decodeOver decodes the JSON object raw over v (a pointer to a struct),
// refusing keys the struct does not have (names are case-sensitive) and
// values of the wrong kind.
func decodeOver(v any, raw []byte) error {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return fmt.Errorf("not a JSON object: %s", jsonProblem(err))
	}
	known := jsonFieldNames(reflect.TypeOf(v).Elem())
	for k := range keys {
		if !known[k] {
			hint := ""
			for name := range known {
				if strings.EqualFold(name, k) {
					hint = fmt.Sprintf(" (field names are case-sensitive: %s)", name)
				}
			}
			return fmt.Errorf("unknown field %q%s", cleanText(k), hint)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s", jsonProblem(err))
	}
	return nil
}
