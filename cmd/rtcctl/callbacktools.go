package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/volcrtc/rtc"
)

// callbackSubcommands are the words that may follow "callback".
var callbackSubcommands = map[string]bool{"verify": true, "send": true, "listen": true, "replay": true}

// defaultCallbackAppID is the AppId events carry unless --app-id says
// otherwise: the one the examples use against "rtcctl fake".
const defaultCallbackAppID = "661e0f6e07c1ac0123456789"

// callbackSecretSource is where the callback secret comes from, for every
// callback command.
func callbackSecretSource(o *cmdOpts) secretSource {
	return secretSource{flag: "--secret", flagVal: o.secret, file: "--secret-file", fileVal: o.secretFile, env: "RTC_CALLBACK_SECRET"}
}

func callbackSecretFlags(fs *flag.FlagSet, o *cmdOpts) {
	fs.StringVar(&o.secret, "secret", "", "the callback `SECRET`, visible in the process list (a warning says so); prefer RTC_CALLBACK_SECRET or --secret-file")
	fs.StringVar(&o.secretFile, "secret-file", "", "read the callback secret from `FILE` (- for stdin)")
}

// requireCallbackSecret resolves the callback secret and fails when none
// was given.
func (a *app) requireCallbackSecret(o *cmdOpts, why string) (string, error) {
	secret, err := a.secret(callbackSecretSource(o))
	if err != nil {
		return "", err
	}
	if secret == "" {
		return "", usageErr("no callback secret: set RTC_CALLBACK_SECRET or pass --secret-file FILE (%s)", why)
	}
	return secret, nil
}

// eventFixture is the example EventData of one typed event.
type eventFixture struct {
	eventType string
	fixture   func(appID string, now time.Time) any // a pointer to the type ParseData returns
}

// eventFixtures has one fixture per event type the SDK types (see the
// Event constants and CallbackEvent.ParseData), in the order of
// callback_events.go.
var eventFixtures = func() []eventFixture {
	task := func(appID string, _ time.Time) any {
		return &rtc.TaskEventData{AppID: appID, RoomID: "room1", TaskID: "task1", Code: 0}
	}
	user := func(_ string, now time.Time) any {
		return &rtc.UserEventData{RoomID: "room1", UserID: "user1", Timestamp: now.UnixMilli()}
	}
	room := func(_ string, now time.Time) any {
		return &rtc.RoomEventData{RoomID: "room1", Timestamp: now.UnixMilli()}
	}
	stopped := func(appID string, _ time.Time) any {
		return &rtc.RecordStoppedData{
			TaskEventData: rtc.TaskEventData{AppID: appID, RoomID: "room1", TaskID: "task1", Code: 0},
			RecordFileList: []json.RawMessage{json.RawMessage(
				`{"Vid":"v0123456789","ObjectKey":"record/room1/task1.mp4","Duration":61000,"Size":1048576,"StartTime":1700000000000,"StreamList":[{"UserId":"user1","StreamType":0}]}`)},
			StopReason: rtc.StopReasonStopByAPI,
		}
	}
	fs := []eventFixture{
		{rtc.EventRecordStarted, task},
		{rtc.EventRecordStopped, stopped},
		{rtc.EventRecordUploadDone, task},
	}
	for _, t := range []string{
		rtc.EventUserJoinRoom, rtc.EventUserLeaveRoom, rtc.EventInvisibleUserJoinRoom, rtc.EventInvisibleUserLeaveRoom,
		rtc.EventRoleChangeInvisible2Visible, rtc.EventRoleChangeVisible2Invisible,
	} {
		fs = append(fs, eventFixture{t, user})
	}
	fs = append(fs, eventFixture{rtc.EventRoomCreate, room}, eventFixture{rtc.EventRoomDestroy, room})
	for _, t := range []string{
		rtc.EventUserAudioStreamStart, rtc.EventUserAudioStreamStop, rtc.EventUserVideoStreamStart, rtc.EventUserVideoStreamStop,
		rtc.EventUserScreenAudioStreamStart, rtc.EventUserScreenAudioStreamStop,
		rtc.EventUserScreenVideoStreamStart, rtc.EventUserScreenVideoStreamStop,
	} {
		fs = append(fs, eventFixture{t, user})
	}
	for _, t := range []string{
		rtc.EventTranscodeStarted, rtc.EventTranscodeStopped, rtc.EventTranscodeUpdated, rtc.EventTranscodeStateChanged,
		rtc.EventSegmentRealTimeData, rtc.EventSnapshotRealTimeData,
	} {
		fs = append(fs, eventFixture{t, task})
	}
	fs = append(fs, eventFixture{rtc.EventVoiceChat, func(appID string, now time.Time) any {
		return &rtc.VoiceChatEventData{AppID: appID, RoomID: "room1", TaskID: "task1", UserID: "user1", RoundID: 0,
			EventTime: now.UnixMilli(), EventType: rtc.VoiceChatStateChanged, RunStage: rtc.RunStageAnswerStart}
	}}, eventFixture{rtc.EventMachineReviewResult, func(string, time.Time) any {
		return &rtc.MachineReviewResultData{RoomID: "room1", UserID: "user1", MediaType: 1,
			Images:  []string{"https://example.com/detection/room1/user1/0001.jpg"},
			RiskALL: []rtc.ReviewRisk{{Name: "porn_general_image_v4", Score: 0.02}}, Suggest: rtc.SuggestPass}
	}})
	return fs
}()

func findFixture(eventType string) *eventFixture {
	for i := range eventFixtures {
		if eventFixtures[i].eventType == eventType {
			return &eventFixtures[i]
		}
	}
	return nil
}

func eventTypeNames() []string {
	var out []string
	for _, f := range eventFixtures {
		out = append(out, f.eventType)
	}
	return out
}

// ---- callback send ----

func cmdCallbackSend() *command {
	return &command{
		name:    "callback send",
		summary: "post a signed event callback (a fixture, editable) to a URL",
		help: helpText{
			usage: "rtcctl callback send EVENT_TYPE --to URL [--data JSON|@FILE] [--app-id ID] [--secret-file FILE]\nrtcctl callback send subt|subv|conv --to URL [--data JSON|@FILE] [--signature-file FILE]\nrtcctl callback send --list",
			description: `Builds an event of EVENT_TYPE with a fresh EventId, EventTime (now) and
Nonce, signs it with the callback secret (RTC_CALLBACK_SECRET or
--secret-file FILE) the way RTC does, posts it to --to URL and prints the
answer's status and how long it took.

Each event type the SDK types has a realistic fixture as its EventData
(--list shows them). --data overrides its fields: the JSON object given
(or read from a file with @FILE) is decoded over the fixture and checked
against the event's Go type first, so an unknown field, a value of the
wrong kind or JSON that does not parse is refused (exit 2) before
anything is sent. An event type the SDK does not type is sent with --data
as its EventData, unchecked.

subt, subv and conv send a server message instead (the binary messages a
subtitle task or a voice chat agent posts, read by rtc.ParseServerMessage):
a fixture payload, edited and checked the same way, carried with the
signature from RTC_SERVER_MESSAGE_SIGNATURE or --signature-file FILE.

Exit code 0 when the receiver answers 200, 1 when it answers anything
else (401: it does not accept the signature, check the secret), 2 for bad
usage or --data, 3 when the URL cannot be reached. A plain http:// URL must
be on loopback unless --insecure-http is given.`,
			examples: []string{
				`rtcctl callback send --list`,
				`export RTC_CALLBACK_SECRET=...`,
				`rtcctl callback send RecordStarted --to http://127.0.0.1:8000/rtc/callback`,
				`rtcctl callback send UserJoinRoom --to http://127.0.0.1:8000/rtc/callback --data '{"UserId":"alice"}'`,
				`RTC_SERVER_MESSAGE_SIGNATURE=... rtcctl callback send conv --to http://127.0.0.1:8000/rtc/agent`,
			},
		},
		flags: func(fs *flag.FlagSet, o *cmdOpts) {
			fs.StringVar(&o.to, "to", "", "the receiver's `URL` (your backend, or \"rtcctl callback listen\")")
			fs.StringVar(&o.data, "data", "", "EventData fields as a JSON object, or @FILE: decoded over the fixture and checked against the event's type")
			fs.StringVar(&o.appID, "app-id", defaultCallbackAppID, "the event's AppId")
			fs.BoolVar(&o.list, "list", false, "list the event types and their fixtures, and send nothing")
			callbackSecretFlags(fs, o)
			fs.StringVar(&o.signatureFile, "signature-file", "", "for subt, subv and conv: read the server message signature from `FILE` (- for stdin); or RTC_SERVER_MESSAGE_SIGNATURE")
		},
		run: runCallbackSend,
	}
}

func runCallbackSend(a *app, o *cmdOpts, args []string) error {
	if o.list {
		if len(args) > 0 {
			return usageErr("callback send --list takes no arguments (got %s)", argCount(args))
		}
		return a.listFixtures(o.appID)
	}
	if len(args) != 1 {
		return usageErr("callback send needs one EVENT_TYPE (got %s); \"rtcctl callback send --list\" shows them", argCount(args))
	}
	eventType := args[0]
	if f := findServerMessageFixture(eventType); f != nil {
		return a.sendServerMessage(o, f)
	}
	if !plainWord(eventType) {
		return usageErr("EVENT_TYPE must be a word of letters and digits, like RecordStarted (got %d characters, not shown)", len(eventType))
	}
	data, err := a.eventData(eventType, o.data, o.appID)
	if err != nil {
		return err
	}
	target, err := a.checkTarget("--to", o.to)
	if err != nil {
		return err
	}
	secret, err := a.requireCallbackSecret(o, "the secret the receiver checks")
	if err != nil {
		return err
	}
	ev, err := rtc.NewCallbackEvent(o.appID, eventType, data)
	if err != nil {
		return usageErr("%s", strings.TrimPrefix(err.Error(), "rtc: "))
	}
	ev.Sign(secret)
	body, err := json.Marshal(ev)
	if err != nil {
		return usageErr("encoding the event: %v", err)
	}
	fmt.Fprintf(a.stdout, "sending %s (event id %s) to %s\n", eventType, ev.EventID, target)
	hdr := http.Header{"Content-Type": {"application/json"}}
	ans, err := a.post(target, body, hdr)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "answer: %s in %s%s\n", statusText(ans.status), ans.took.Round(time.Millisecond), answerBody(ans))
	if ans.status != http.StatusOK {
		return failErr(exitAPI, "the receiver answered %s%s", statusText(ans.status), refusalHint(ans))
	}
	return nil
}

// plainWord reports whether s is a short word of ASCII letters, digits and _.
func plainWord(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// eventTypeShown quotes an event type the SDK does not know only when it
// looks like one (a CamelCase word): a secret that lost its flag may land
// in EVENT_TYPE.
func eventTypeShown(s string) string {
	if len(s) <= 40 && s != "" && s[0] >= 'A' && s[0] <= 'Z' {
		letters := true
		for _, c := range s {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
				letters = false
				break
			}
		}
		if letters {
			return s
		}
	}
	return fmt.Sprintf("EVENT_TYPE (%d characters, not shown)", len(s))
}

func (a *app) listFixtures(appID string) error {
	now := time.Now()
	for _, f := range eventFixtures {
		v := f.fixture(appID, now)
		b, err := json.Marshal(v)
		if err != nil {
			return usageErr("encoding the fixture of %s: %v", f.eventType, err)
		}
		fmt.Fprintf(a.stdout, "%-28s %s\n", f.eventType, strings.TrimPrefix(reflect.TypeOf(v).String(), "*"))
		fmt.Fprintf(a.stdout, "  %s\n", b)
	}
	fmt.Fprintln(a.stdout, "\nAny other event type is sent with --data as its EventData, unchecked.")
	a.listServerMessageFixtures()
	return nil
}

// eventData returns the EventData to send: the fixture with --data decoded
// over it, checked against the event's type.
func (a *app) eventData(eventType, dataFlag, appID string) (any, error) {
	raw, err := a.readEventData(dataFlag)
	if err != nil {
		return nil, err
	}
	f := findFixture(eventType)
	if f == nil {
		if raw == nil {
			msg := fmt.Sprintf("%s is not an event type the SDK types, so it has no fixture: give its EventData with --data JSON.", eventTypeShown(eventType))
			if s := suggest(eventType, eventTypeNames(), 3); len(s) > 0 {
				msg += " Did you mean " + orList(s) + "?"
			}
			return nil, usageErr("%s", msg)
		}
		var obj map[string]any
		if err := json.Unmarshal(raw, &obj); err != nil {
			return nil, usageErr("--data: not a JSON object: %s", jsonProblem(err))
		}
		fmt.Fprintf(a.stderr, "rtcctl: note: %s is not typed by the SDK; --data is sent as its EventData unchecked\n", eventTypeShown(eventType))
		return json.RawMessage(raw), nil
	}
	v := f.fixture(appID, time.Now())
	if raw == nil {
		return v, nil
	}
	typeName := strings.TrimPrefix(reflect.TypeOf(v).String(), "*")
	// encoding/json matches field names case-insensitively; RTC's names
	// are exact, so a key that differs only in case is refused here.
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return nil, usageErr("--data is not a JSON object: %s; nothing was sent", jsonProblem(err))
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
			return nil, usageErr("--data does not fit the EventData of %s (%s): unknown field %q%s\nRun \"rtcctl callback send --list\" for its fields; nothing was sent.", eventType, typeName, cleanText(k), hint)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return nil, usageErr("--data does not fit the EventData of %s (%s): %s\nRun \"rtcctl callback send --list\" for its fields; nothing was sent.", eventType, typeName, jsonProblem(err))
	}
	if dec.More() {
		return nil, usageErr("--data: more than one JSON value; give one object")
	}
	return v, nil
}

// readEventData reads --data: inline JSON or @FILE; nil when not given.
func (a *app) readEventData(dataFlag string) ([]byte, error) {
	if dataFlag == "" {
		return nil, nil
	}
	if !strings.HasPrefix(dataFlag, "@") {
		return []byte(dataFlag), nil
	}
	path := dataFlag[1:]
	b, err := readSmallFile(path, maxCallbackBody)
	if err != nil {
		return nil, usageErr("--data @%s: %v", path, err)
	}
	return b, nil
}

// jsonFieldNames returns the JSON names of a struct type's fields,
// those of embedded structs included.
func jsonFieldNames(t reflect.Type) map[string]bool {
	out := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			for k := range jsonFieldNames(f.Type) {
				out[k] = true
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		if name != "-" && f.IsExported() {
			out[name] = true
		}
	}
	return out
}

// jsonProblem describes a JSON decoding error in plain words.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "the value"
		}
		return fmt.Sprintf("field %s wants %s, got a JSON %s", field, goKind(te.Type), te.Value)
	case errors.As(err, &se):
		return fmt.Sprintf("not valid JSON at byte %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON ends early"
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if strings.HasPrefix(msg, "unknown field ") {
		return msg + " (the type has no such field)"
	}
	return msg
}

func goKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return t.String()
}

// checkTarget checks a URL the command posts to: http or https, and plain
// http only to loopback unless --insecure-http.
func (a *app) checkTarget(flagName, raw string) (string, error) {
	if raw == "" {
		return "", usageErr("%s URL is required (your backend's callback URL, or the one \"rtcctl callback listen\" prints)", flagName)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", usageErr("%s: want an http:// or https:// URL with a host", flagName)
	}
	if u.Scheme == "http" && !a.g.insecure && !loopbackHost(u.Hostname()) {
		return "", usageErr("%s: plain http:// to %s, which is not loopback: use https://, or add --insecure-http", flagName, cleanText(u.Hostname()))
	}
	return u.String(), nil
}

func loopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// answer is a receiver's answer to one post.
type answer struct {
	status int
	body   []byte
	took   time.Duration
}

// httpClient posts callbacks: no redirects followed (a callback is not
// re-posted elsewhere), bounded by the global timeout.
func (a *app) httpClient() *http.Client {
	return &http.Client{
		Timeout:       a.g.timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// post sends body with hdr to target.
func (a *app) post(target string, body []byte, hdr http.Header) (*answer, error) {
	req, err := http.NewRequestWithContext(a.ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, usageErr("%v", err)
	}
	copyHeaders(req.Header, hdr)
	start := time.Now()
	resp, err := a.httpClient().Do(req)
	if err != nil {
		return nil, failErr(exitTransport, "posting to %s: %v", target, errors.Unwrap(err))
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	return &answer{status: resp.StatusCode, body: b, took: time.Since(start)}, nil
}

// hopHeaders are not passed on when a delivery is forwarded or replayed.
var hopHeaders = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Connection": true, "Transfer-Encoding": true,
	"Te": true, "Trailer": true, "Upgrade": true, "Content-Length": true, "Host": true, "Accept-Encoding": true,
}

// secretHeaders are never recorded, printed or passed on.
var secretHeaders = map[string]bool{"Authorization": true, "Proxy-Authorization": true, "Cookie": true, "Set-Cookie": true}

func copyHeaders(dst, src http.Header) {
	for k, vs := range src {
		k = http.CanonicalHeaderKey(k)
		if hopHeaders[k] || secretHeaders[k] {
			continue
		}
		for _, v := range vs {
			dst.Add(k, v)
		}
	}
}

func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("%d %s", code, t)
	}
	return fmt.Sprint(code)
}

// answerBody shows a short answer body, cleaned for the terminal.
func answerBody(ans *answer) string {
	b := strings.TrimSpace(string(ans.body))
	if b == "" {
		return ""
	}
	if len(b) > 200 {
		b = b[:200] + "..."
	}
	return ": " + cleanText(b)
}

// refusalHint says what a refusal of a signed event usually means.
func refusalHint(ans *answer) string {
	switch {
	case ans.status == http.StatusUnauthorized:
		return ": it does not accept the signature; check that the callback secret is the receiver's"
	case ans.status == http.StatusBadRequest && bytes.Contains(ans.body, []byte("not fresh")):
		return ": the event's EventTime is outside what it accepts" + answerBody(ans)
	}
	return answerBody(ans)
}

// cleanText makes an untrusted string safe to print on a terminal: control
// characters (escape sequences included) and invalid UTF-8 are shown
// escaped, Go-style.
func cleanText(s string) string {
	ok := utf8.ValidString(s)
	if ok {
		for _, r := range s {
			if unicode.IsControl(r) || r == utf8.RuneError || unicode.Is(unicode.Cf, r) {
				ok = false
				break
			}
		}
	}
	if ok {
		return s
	}
	q := fmt.Sprintf("%+q", s)
	return q[1 : len(q)-1]
}

// ---- callback listen ----

func cmdCallbackListen() *command {
	return &command{
		name:    "callback listen",
		summary: "receive event callbacks locally: verify, print, record, forward",
		help: helpText{
			usage: "rtcctl callback listen [--addr 127.0.0.1:PORT] [--secret-file FILE] [--forward-to URL] [--record FILE.jsonl]",
			description: `Runs a receiver for event callbacks until Ctrl-C. Each delivery is checked
by the SDK's own rtc.NewCallbackHandler (signature against the callback
secret, EventTime within the allowed age, duplicates) and printed on one
line: time, event type, EventId, AppId, the verdict and the typed fields of
EventData. Text from the delivery is printed with control characters
escaped.

With --forward-to URL, every delivery that verifies (and is not a
duplicate) is passed on to your backend with its original body and
headers; the line shows the backend's answer, and that answer goes back to
the sender, so a backend failure makes RTC (or "rtcctl fake") retry.
Refused deliveries are answered by rtcctl and not forwarded.

With --record FILE.jsonl, every delivery, verified or not, is appended as
one JSON line: time, method, path, headers (Authorization and Cookie
left out), body and verdict; "rtcctl callback replay" sends them again.

It listens on loopback unless --addr names another host, or --allow-remote
is given for an address without one. The first line on stdout is the URL
to give to the sender.`,
			examples: []string{
				`export RTC_CALLBACK_SECRET=...`,
				`rtcctl callback listen --addr 127.0.0.1:8787 --forward-to http://127.0.0.1:8000/rtc/callback`,
				`rtcctl callback listen --record deliveries.jsonl`,
			},
		},
		flags: func(fs *flag.FlagSet, o *cmdOpts) {
			fs.StringVar(&o.listen, "addr", "127.0.0.1:8787", "`ADDR` to listen on (host:port; port 0 picks a free one). Without a host, or with 0.0.0.0 or ::, it binds 127.0.0.1 unless --allow-remote is given")
			fs.BoolVar(&o.allowRemote, "allow-remote", false, "let --addr bind every interface")
			fs.StringVar(&o.forwardTo, "forward-to", "", "pass each verified delivery on to `URL` (your backend) and answer with its answer")
			fs.StringVar(&o.record, "record", "", "append every delivery to `FILE` as JSON lines")
			callbackSecretFlags(fs, o)
		},
		run: runCallbackListen,
	}
}

// delivery is one recorded delivery: a line of a --record file.
type delivery struct {
	Time    string      `json:"time"` // when it arrived, RFC 3339 with nanoseconds
	Method  string      `json:"method"`
	Path    string      `json:"path"`
	Headers http.Header `json:"headers"`
	// Body is the body as received when it is valid UTF-8; otherwise
	// BodyBase64 holds it.
	Body       string `json:"body"`
	BodyBase64 []byte `json:"body_base64,omitempty"`
	Verified   bool   `json:"verified"`
	Verdict    string `json:"verdict"`
	Status     int    `json:"status"` // the answer given to the sender
}

func (d *delivery) bytes() []byte {
	if d.BodyBase64 != nil {
		return d.BodyBase64
	}
	return []byte(d.Body)
}

func runCallbackListen(a *app, o *cmdOpts, args []string) error {
	if len(args) > 0 {
		return usageErr("callback listen takes no arguments (got %s)", argCount(args))
	}
	var forward string
	if o.forwardTo != "" {
		var err error
		if forward, err = a.checkTarget("--forward-to", o.forwardTo); err != nil {
			return err
		}
	}
	secret, err := a.requireCallbackSecret(o, "the secret the sender signs with")
	if err != nil {
		return err
	}
	addr, err := fakeListenAddr(o.listen, o.allowRemote)
	if err != nil {
		return usageErr("%s", strings.Replace(err.Error(), "--listen", "--addr", 1))
	}
	var rec *recorder
	if o.record != "" {
		if rec, err = openRecorder(o.record); err != nil {
			return usageErr("--record %s: %v", o.record, err)
		}
		defer rec.close()
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return failErr(exitTransport, "cannot listen on %s: %v; pick another address with --addr (port 0 picks a free one)", addr, err)
	}
	l := &listener{a: a, forward: forward, rec: rec}
	l.verify, err = rtc.NewCallbackHandler(secret, l.process)
	if err != nil {
		ln.Close()
		return usageErr("%s", strings.TrimPrefix(err.Error(), "rtc: "))
	}
	hs := &http.Server{Handler: l, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	fmt.Fprintf(a.stdout, "rtcctl callback listen: receiving event callbacks on http://%s\n", clientAddr(ln.Addr()))
	switch {
	case forward != "":
		fmt.Fprintf(a.stdout, "forwarding verified deliveries to %s\n", forward)
	default:
		fmt.Fprintln(a.stdout, "answering 200 to every delivery that verifies (no --forward-to)")
	}
	if rec != nil {
		fmt.Fprintf(a.stdout, "recording every delivery to %s\n", o.record)
	}
	select {
	case err := <-served:
		return failErr(exitTransport, "the receiver stopped: %v", err)
	case <-a.ctx.Done():
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(a.ctx), shutdownGrace)
	defer cancel()
	_ = hs.Shutdown(ctx)
	fmt.Fprintln(a.stderr, "rtcctl callback listen: stopped")
	return nil
}

// listener is the receiver of "callback listen".
type listener struct {
	a       *app
	verify  http.Handler // rtc.NewCallbackHandler calling process
	forward string
	rec     *recorder
	outMu   sync.Mutex
}

type forwardKey struct{}

// forwardState carries a delivery's data through the SDK's handler to
// process, and process's result back.
type forwardState struct {
	header http.Header
	body   []byte
	ev     *rtc.CallbackEvent
	ans    *answer
	err    error
}

func (l *listener) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, rtc.DefaultCallbackMaxBody))
	if err != nil {
		status := http.StatusBadRequest
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			status = http.StatusRequestEntityTooLarge
		}
		http.Error(w, "reading body failed", status)
		verdict := fmt.Sprintf("REFUSED %s: reading the body failed: %v", statusText(status), err)
		l.line(at, nil, body, verdict, "")
		l.record(at, r, body, false, verdict, status)
		return
	}
	st := &forwardState{header: r.Header.Clone(), body: body}
	inner := r.Clone(context.WithValue(r.Context(), forwardKey{}, st))
	inner.Body = io.NopCloser(bytes.NewReader(body))
	inner.ContentLength = int64(len(body))
	cw := &captureWriter{header: http.Header{}}
	l.verify.ServeHTTP(cw, inner)
	if cw.status == 0 {
		cw.status = http.StatusOK
	}
	// The answer to the sender: the backend's when forwarded, else the
	// SDK handler's.
	status, ansBody, ansType := cw.status, cw.buf.Bytes(), cw.header.Get("Content-Type")
	verified := st.ev != nil
	var verdict, extra string
	switch {
	case st.ev != nil && st.err != nil:
		status, ansBody, ansType = http.StatusBadGateway, []byte("forwarding failed\n"), "text/plain; charset=utf-8"
		verdict = "verified"
		extra = fmt.Sprintf("-> backend unreachable: %v (answered %d)", st.err, status)
	case st.ev != nil && st.ans != nil:
		status, ansBody, ansType = st.ans.status, st.ans.body, "" // the backend's
		verdict = "verified"
		extra = fmt.Sprintf("-> backend %s in %s%s", statusText(st.ans.status), st.ans.took.Round(time.Millisecond), answerBody(st.ans))
	case st.ev != nil:
		verdict = "verified"
	case cw.status == http.StatusOK:
		verdict = "verified, duplicate: already processed (answered 200, not forwarded)"
		verified = true
	default:
		verdict = fmt.Sprintf("REFUSED %s: %s", statusText(cw.status), strings.TrimSpace(cw.buf.String()))
		if cw.status == http.StatusUnauthorized {
			verdict += " (the signature does not match this callback secret)"
		}
	}
	if ansType != "" {
		w.Header().Set("Content-Type", ansType)
	}
	w.WriteHeader(status)
	_, _ = w.Write(ansBody)
	l.line(at, st.ev, body, verdict, extra)
	l.record(at, r, body, verified, verdict, status)
}

// record appends a delivery to the --record file, if any.
func (l *listener) record(at time.Time, r *http.Request, body []byte, verified bool, verdict string, status int) {
	if l.rec == nil {
		return
	}
	d := delivery{Time: at.UTC().Format(time.RFC3339Nano), Method: r.Method, Path: r.URL.RequestURI(),
		Headers: http.Header{}, Verified: verified, Verdict: verdict, Status: status}
	copyHeaders(d.Headers, r.Header)
	if utf8.Valid(body) {
		d.Body = string(body)
	} else {
		d.BodyBase64 = body
	}
	if err := l.rec.write(&d); err != nil {
		l.outMu.Lock()
		fmt.Fprintf(l.a.stderr, "rtcctl callback listen: recording failed: %v\n", err)
		l.outMu.Unlock()
	}
}

// process is the function the SDK's handler calls for each event that
// verified and is not a duplicate.
func (l *listener) process(ctx context.Context, ev *rtc.CallbackEvent) error {
	st, _ := ctx.Value(forwardKey{}).(*forwardState)
	if st == nil {
		return errors.New("no delivery state")
	}
	st.ev = ev
	if l.forward == "" {
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.forward, bytes.NewReader(st.body))
	if err != nil {
		st.err = err
		return err
	}
	copyHeaders(req.Header, st.header)
	start := time.Now()
	resp, err := l.a.httpClient().Do(req)
	if err != nil {
		st.err = errors.Unwrap(err)
		if st.err == nil {
			st.err = err
		}
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	st.ans = &answer{status: resp.StatusCode, body: b, took: time.Since(start)}
	if resp.StatusCode != http.StatusOK {
		// Not processed: the SDK's handler forgets the event, so the
		// sender's retry is forwarded again.
		return fmt.Errorf("backend answered %d", resp.StatusCode)
	}
	return nil
}

// line prints one delivery. Everything taken from the delivery is
// cleaned for the terminal.
func (l *listener) line(at time.Time, ev *rtc.CallbackEvent, body []byte, verdict, extra string) {
	var b strings.Builder
	b.WriteString(at.Format("15:04:05.000"))
	shown := ev
	if shown == nil {
		var unverified rtc.CallbackEvent
		if json.Unmarshal(body, &unverified) == nil && unverified.EventType != "" {
			shown = &unverified
		}
	}
	if shown != nil {
		fmt.Fprintf(&b, " %s id=%s app=%s", cleanText(shown.EventType), cleanText(shown.EventID), cleanText(shown.AppID))
	} else {
		fmt.Fprintf(&b, " (not an event: %d bytes)", len(body))
	}
	b.WriteString(" " + cleanText(verdict))
	if extra != "" {
		b.WriteString(" " + cleanText(extra))
	}
	if shown != nil {
		if data, err := shown.ParseData(); err == nil {
			if js, err := json.Marshal(data); err == nil {
				fmt.Fprintf(&b, " %s%s", strings.TrimPrefix(reflect.TypeOf(data).String(), "*rtc."), cleanText(string(js)))
			}
		} else {
			b.WriteString(" EventData does not decode: " + cleanText(strings.TrimPrefix(err.Error(), "rtc: ")))
		}
	}
	l.outMu.Lock()
	defer l.outMu.Unlock()
	fmt.Fprintln(l.a.stdout, l.a.redact(b.String()))
}

// captureWriter records what the SDK's handler answers.
type captureWriter struct {
	header http.Header
	status int
	buf    bytes.Buffer
}

func (c *captureWriter) Header() http.Header { return c.header }
func (c *captureWriter) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
}
func (c *captureWriter) Write(p []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return c.buf.Write(p)
}

// ---- callback replay ----

func cmdCallbackReplay() *command {
	return &command{
		name:    "callback replay",
		summary: "send deliveries recorded by \"callback listen --record\" again",
		help: helpText{
			usage: "rtcctl callback replay FILE.jsonl --to URL [--keep-time] [--keep-id] [--type T] [--event-id ID] [--secret-file FILE]",
			description: `Posts the deliveries recorded in FILE.jsonl (by "rtcctl callback listen
--record") to --to URL again, one at a time, in the file's order, and
prints each answer.

By default each event is rebuilt with a fresh EventTime, Nonce and
EventId and signed again with the callback secret (RTC_CALLBACK_SECRET or
--secret-file FILE), so the receiver's age and duplicate checks accept it;
its type, AppId, Version and EventData are kept. Deliveries that did not
verify when recorded are skipped (re-signing would vouch for them); with
--keep-time they are sent as recorded. --keep-id keeps the
recorded EventId (a receiver that processed it already acknowledges it
without running again). --keep-time sends the recorded bodies
byte-identical, with their recorded headers, and needs no secret; a
receiver refuses those older than its maximum age (one hour for the SDK's
handler).

--type and --event-id pick deliveries by EventType and EventId.

Exit code 0 when every delivery is answered 200, 1 when one is answered
otherwise, 2 for bad usage or a file with no matching delivery, 3 when the
URL cannot be reached.`,
			examples: []string{
				`rtcctl callback replay deliveries.jsonl --to http://127.0.0.1:8000/rtc/callback`,
				`rtcctl callback replay deliveries.jsonl --to http://127.0.0.1:8000/rtc/callback --type RecordStopped`,
				`rtcctl callback replay deliveries.jsonl --to http://127.0.0.1:8000/rtc/callback --keep-time`,
			},
		},
		flags: func(fs *flag.FlagSet, o *cmdOpts) {
			fs.StringVar(&o.to, "to", "", "the receiver's `URL`")
			fs.BoolVar(&o.keepTime, "keep-time", false, "send the recorded bodies and headers byte-identical, not re-signed")
			fs.BoolVar(&o.keepID, "keep-id", false, "keep the recorded EventId when re-signing")
			fs.StringVar(&o.eventType, "type", "", "replay only events of `TYPE`")
			fs.StringVar(&o.eventID, "event-id", "", "replay only the event with this `ID`")
			callbackSecretFlags(fs, o)
		},
		run: runCallbackReplay,
	}
}

func runCallbackReplay(a *app, o *cmdOpts, args []string) error {
	if len(args) != 1 {
		return usageErr("callback replay needs one FILE.jsonl (got %s)", argCount(args))
	}
	if o.keepTime && o.keepID {
		return usageErr("--keep-id is for re-signed events; --keep-time already keeps the whole body")
	}
	target, err := a.checkTarget("--to", o.to)
	if err != nil {
		return err
	}
	raw, err := readSmallFile(args[0], 256<<20)
	if err != nil {
		return usageErr("%s: %v", args[0], err)
	}
	type item struct {
		d  delivery
		ev rtc.CallbackEvent
	}
	var items []item
	for i, ln := range bytes.Split(raw, []byte("\n")) {
		if len(bytes.TrimSpace(ln)) == 0 {
			continue
		}
		var it item
		if err := json.Unmarshal(ln, &it.d); err != nil {
			return usageErr("%s line %d: not a recorded delivery: %s", args[0], i+1, jsonProblem(err))
		}
		if json.Unmarshal(it.d.bytes(), &it.ev) != nil || it.ev.EventType == "" {
			fmt.Fprintf(a.stderr, "rtcctl: %s line %d: the body is not an event; skipped\n", args[0], i+1)
			continue
		}
		if o.eventType != "" && it.ev.EventType != o.eventType || o.eventID != "" && it.ev.EventID != o.eventID {
			continue
		}
		if !o.keepTime && !it.d.Verified {
			fmt.Fprintf(a.stderr, "rtcctl: %s line %d: %s id=%s did not verify when it was recorded; re-signing it would vouch for it: skipped (--keep-time sends it as recorded)\n",
				args[0], i+1, cleanText(it.ev.EventType), cleanText(it.ev.EventID))
			continue
		}
		items = append(items, it)
	}
	if len(items) == 0 {
		return usageErr("%s: no recorded event matches (--type %q, --event-id %q)", args[0], o.eventType, o.eventID)
	}
	var secret string
	if !o.keepTime {
		if secret, err = a.requireCallbackSecret(o, "replay re-signs each event with a fresh time; --keep-time sends them unchanged"); err != nil {
			return err
		}
	}
	refused := 0
	var firstRefusal string
	for _, it := range items {
		body, hdr := it.d.bytes(), it.d.Headers
		desc := fmt.Sprintf("%s id=%s", cleanText(it.ev.EventType), cleanText(it.ev.EventID))
		if !o.keepTime {
			ev, err := rtc.NewCallbackEvent(it.ev.AppID, it.ev.EventType, it.ev.EventData)
			if err != nil {
				return usageErr("%s", strings.TrimPrefix(err.Error(), "rtc: "))
			}
			if it.ev.Version != "" {
				ev.Version = it.ev.Version
			}
			if o.keepID {
				ev.EventID = it.ev.EventID
			}
			ev.Sign(secret)
			if body, err = json.Marshal(ev); err != nil {
				return usageErr("encoding the event: %v", err)
			}
			hdr = http.Header{"Content-Type": {"application/json"}}
			if ev.EventID != it.ev.EventID {
				desc += " as id=" + ev.EventID
			}
			desc += " (re-signed)"
		} else {
			desc += " (as recorded)"
		}
		ans, err := a.post(target, body, hdr)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "%s -> %s in %s%s\n", desc, statusText(ans.status), ans.took.Round(time.Millisecond), answerBody(ans))
		if ans.status != http.StatusOK {
			refused++
			if firstRefusal == "" {
				firstRefusal = statusText(ans.status) + refusalHint(ans)
				if o.keepTime && ans.status == http.StatusBadRequest && bytes.Contains(ans.body, []byte("not fresh")) {
					firstRefusal += "\nThe recorded EventTime is too old for the receiver: replay without --keep-time to re-sign it with a fresh time."
				}
			}
		}
	}
	if refused > 0 {
		return failErr(exitAPI, "%d of %d deliveries refused; the first: %s", refused, len(items), firstRefusal)
	}
	fmt.Fprintf(a.stdout, "%d deliveries accepted\n", len(items))
	return nil
}

// ---- shared ----

// readSmallFile reads a regular file of at most limit bytes; errors leave
// out the path (the caller prints it).
func readSmallFile(path string, limit int64) ([]byte, error) {
	f, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("larger than %d KiB", limit>>10)
	}
	return b, nil
}

// openRegular opens path for reading when it is a regular file.
func openRegular(path string) (*os.File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, errWithoutPath(err)
	}
	if !st.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, errWithoutPath(err)
	}
	return f, nil
}

// recorder appends deliveries to a JSON-lines file.
type recorder struct {
	mu sync.Mutex
	f  *os.File
}

func openRecorder(path string) (*recorder, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, errWithoutPath(err)
	}
	return &recorder{f: f}, nil
}

func (r *recorder) write(d *delivery) error {
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	_, err = r.f.Write(append(b, '\n'))
	return err
}

func (r *recorder) close() { _ = r.f.Close() }
