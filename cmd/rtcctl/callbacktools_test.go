package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/rtctest"
)

// These tests run the built rtcctl binary, as a user would, against each
// other and against receivers built on rtc.NewCallbackHandler.

// waitFor bounds how long a test waits for a line or an event that should
// come at once; it is a safety net, not a delay.
const waitFor = 20 * time.Second

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// rtcctlBinary builds rtcctl once per test binary and returns its path.
func rtcctlBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "rtcctl-bin-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "rtcctl")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = &buildError{out: string(out), err: err}
		}
	})
	require.NoError(t, binErr)
	return binPath
}

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + ": " + e.out }

// binEnv is the environment of a run: PATH, an empty HOME and extra.
func binEnv(t *testing.T, extra ...string) []string {
	return append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, extra...)
}

// runBin runs the binary to completion.
func runBin(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(rtcctlBinary(t), args...)
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		require.True(t, ok, "running rtcctl: %v", err)
		code = ee.ExitCode()
	}
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// proc is a long-running rtcctl (listen, fake) whose output lines arrive on
// channels.
type proc struct {
	cmd            *exec.Cmd
	stdout, stderr chan string
	outAll, errAll *syncBuffer
	done           chan struct{}
}

func startBin(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(rtcctlBinary(t), args...)
	cmd.Env = env
	so, err := cmd.StdoutPipe()
	require.NoError(t, err)
	se, err := cmd.StderrPipe()
	require.NoError(t, err)
	p := &proc{cmd: cmd, stdout: make(chan string, 1000), stderr: make(chan string, 1000),
		outAll: &syncBuffer{}, errAll: &syncBuffer{}, done: make(chan struct{})}
	require.NoError(t, cmd.Start())
	var wg sync.WaitGroup
	pump := func(r io.Reader, ch chan string, all *syncBuffer) {
		defer wg.Done()
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			all.Write([]byte(sc.Text() + "\n"))
			ch <- sc.Text()
		}
	}
	wg.Add(2)
	go pump(so, p.stdout, p.outAll)
	go pump(se, p.stderr, p.errAll)
	go func() {
		wg.Wait()
		_ = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() { p.stop(t) })
	return p
}

// stop interrupts the process (as Ctrl-C does) and waits for it.
func (p *proc) stop(t *testing.T) {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-p.done:
	case <-time.After(waitFor):
		_ = p.cmd.Process.Kill()
		t.Errorf("rtcctl %v did not stop on SIGINT", p.cmd.Args[1:])
	}
}

// waitLine returns the first line from ch that matches re.
func waitLine(t *testing.T, ch chan string, re string, what string) []string {
	t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.After(waitFor)
	for {
		select {
		case l := <-ch:
			if m := rx.FindStringSubmatch(l); m != nil {
				return m
			}
		case <-deadline:
			t.Fatalf("no line matching %q from %s", re, what)
		}
	}
}

// receiver is a backend built on rtc.NewCallbackHandler that counts the
// events it processes and keeps the raw bodies it was sent.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	byID   map[string]int
	bodies [][]byte
	events chan *rtc.CallbackEvent
}

func newReceiver(t *testing.T, secret string) *receiver {
	t.Helper()
	r := &receiver{byID: map[string]int{}, events: make(chan *rtc.CallbackEvent, 100)}
	h, err := rtc.NewCallbackHandler(secret, func(_ context.Context, ev *rtc.CallbackEvent) error {
		r.mu.Lock()
		r.byID[ev.EventID]++
		r.mu.Unlock()
		r.events <- ev
		return nil
	})
	require.NoError(t, err)
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, b)
		r.mu.Unlock()
		req.Body = io.NopCloser(bytes.NewReader(b))
		h.ServeHTTP(w, req)
	}))
	t.Cleanup(r.Close)
	return r
}

// next returns the next event the receiver processed.
func (r *receiver) next(t *testing.T) *rtc.CallbackEvent {
	t.Helper()
	select {
	case ev := <-r.events:
		return ev
	case <-time.After(waitFor):
		t.Fatal("the receiver got no event")
		return nil
	}
}

func (r *receiver) count(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.byID[id]
}

func (r *receiver) received() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.bodies...)
}

func (r *receiver) processed() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.byID {
		n += c
	}
	return n
}

func writeSecret(t *testing.T, secret string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "callback-secret")
	require.NoError(t, os.WriteFile(p, []byte(secret+"\n"), 0o600))
	return p
}

const loopSecret = "local-callback-secret-1234"

// TestCallbackLoop: "rtcctl fake --callback-url" posts to "rtcctl callback
// listen --forward-to" a backend on rtc.NewCallbackHandler, which gets each
// event exactly once, verified; the recording replays into fresh
// receivers, re-signed and byte-identical.
func TestCallbackLoop(t *testing.T) {
	secretFile := writeSecret(t, loopSecret)
	backend := newReceiver(t, loopSecret)
	recFile := filepath.Join(t.TempDir(), "deliveries.jsonl")

	listen := startBin(t, binEnv(t), "callback", "listen", "--addr", "127.0.0.1:0", "--secret-file", secretFile,
		"--forward-to", backend.URL+"/rtc/callback", "--record", recFile)
	listenURL := waitLine(t, listen.stdout, `receiving event callbacks on (http://127\.0\.0\.1:\d+)`, "listen")[1]

	fake := startBin(t, binEnv(t), "fake", "--listen", "127.0.0.1:0", "--callback-url", listenURL+"/rtc/callback", "--callback-secret-file", secretFile)
	fakeURL := waitLine(t, fake.stdout, `listening on (http://127\.0\.0\.1:\d+)`, "fake")[1]

	api := binEnv(t, "RTC_ENDPOINT="+fakeURL, "VOLCENGINE_ACCESS_KEY="+rtctest.DemoAccessKeyID, "VOLCENGINE_SECRET_KEY="+rtctest.DemoSecretAccessKey)
	r := runBin(t, api, "call", "StartRecord", "--data", recordData(""))
	require.Equal(t, 0, r.code, r.stderr)
	r = runBin(t, api, "call", "StopRecord", "--data", `{"AppId":"`+testAppID+`","RoomId":"room1","TaskId":"t1"}`)
	require.Equal(t, 0, r.code, r.stderr)

	want := []struct {
		typ  string
		data any
	}{
		{rtc.EventRecordStarted, &rtc.TaskEventData{}},
		{rtc.EventRecordStopped, &rtc.RecordStoppedData{}},
		{rtc.EventRecordUploadDone, &rtc.TaskEventData{}},
	}
	ids := map[string]string{}
	for _, w := range want {
		ev := backend.next(t)
		require.Equal(t, w.typ, ev.EventType)
		data, err := ev.ParseData()
		require.NoError(t, err)
		require.IsType(t, w.data, data)
		ids[ev.EventType] = ev.EventID
		// listen shows the event, its verdict and the backend's answer; the
		// fake logs the delivery and its answer.
		waitLine(t, listen.stdout, regexp.QuoteMeta(w.typ+" id="+ev.EventID)+` app=`+testAppID+` verified -> backend 200 OK .*RoomId":"room1"`, "listen")
		waitLine(t, fake.stderr, `rtcctl fake: event `+w.typ+` id=`+regexp.QuoteMeta(ev.EventID)+` -> .*: 200 OK in .* \(delivered\)`, "fake")
	}

	// A delivery signed with another secret: refused by listen (and
	// recorded), never forwarded.
	r = runBin(t, binEnv(t, "RTC_CALLBACK_SECRET=not-the-right-secret"), "callback", "send", "UserJoinRoom", "--to", listenURL+"/rtc/callback")
	require.Equal(t, exitAPI, r.code, r.stdout+r.stderr)
	require.Contains(t, r.stderr, "401 Unauthorized: it does not accept the signature; check that the callback secret")
	waitLine(t, listen.stdout, `UserJoinRoom id=\S+ app=\S+ REFUSED 401 Unauthorized: .*does not match this callback secret`, "listen")

	listen.stop(t)
	fake.stop(t)
	require.Equal(t, 3, backend.processed())
	for typ, id := range ids {
		require.Equal(t, 1, backend.count(id), typ)
	}
	requireNoSecret(t, result{stdout: listen.outAll.String(), stderr: listen.errAll.String() + fake.errAll.String() + fake.outAll.String()}, loopSecret)

	rec, err := os.ReadFile(recFile)
	require.NoError(t, err)
	require.NotContains(t, string(rec), loopSecret)
	lines := strings.Split(strings.TrimSpace(string(rec)), "\n")
	require.Len(t, lines, 4)
	var last delivery
	require.NoError(t, json.Unmarshal([]byte(lines[3]), &last))
	require.False(t, last.Verified)
	require.Equal(t, http.StatusUnauthorized, last.Status)

	// Replayed, re-signed: a fresh receiver processes the three verified
	// events; the refused one is skipped with a note.
	fresh := newReceiver(t, loopSecret)
	r = runBin(t, binEnv(t, "RTC_CALLBACK_SECRET="+loopSecret), "callback", "replay", recFile, "--to", fresh.URL)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	require.Contains(t, r.stdout, "3 deliveries accepted")
	require.Contains(t, r.stderr, "did not verify when it was recorded")
	for _, w := range want {
		ev := fresh.next(t)
		require.Equal(t, w.typ, ev.EventType)
		require.NotEqual(t, ids[w.typ], ev.EventID, "a fresh EventId by default")
	}
	requireNoSecret(t, r, loopSecret)

	// --keep-id keeps the EventId.
	keep := newReceiver(t, loopSecret)
	r = runBin(t, binEnv(t, "RTC_CALLBACK_SECRET="+loopSecret), "callback", "replay", recFile, "--to", keep.URL, "--keep-id", "--event-id", ids[rtc.EventRecordStarted])
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	require.Equal(t, ids[rtc.EventRecordStarted], keep.next(t).EventID)

	// --keep-time, filtered by type: the recorded body, byte-identical,
	// no secret needed.
	same := newReceiver(t, loopSecret)
	r = runBin(t, binEnv(t), "callback", "replay", recFile, "--to", same.URL, "--keep-time", "--type", rtc.EventRecordStopped)
	require.Equal(t, 0, r.code, r.stdout+r.stderr)
	require.Contains(t, r.stdout, "1 deliveries accepted")
	ev := same.next(t)
	require.Equal(t, ids[rtc.EventRecordStopped], ev.EventID)
	var recorded delivery
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &recorded))
	bodies := same.received()
	require.Len(t, bodies, 1)
	require.Equal(t, recorded.Body, string(bodies[0]))
}

// TestCallbackSendEveryTypedEvent: every typed event's fixture is accepted
// by the SDK's handler and decodes into its type; --data edits it.
func TestCallbackSendEveryTypedEvent(t *testing.T) {
	const secret = "send-secret-5678"
	recv := newReceiver(t, secret)
	env := binEnv(t, "RTC_CALLBACK_SECRET="+secret)

	list := runBin(t, env, "callback", "send", "--list")
	require.Equal(t, 0, list.code, list.stderr)
	require.NotEmpty(t, eventFixtures)
	for _, f := range eventFixtures {
		want := reflect.TypeOf(f.fixture(testAppID, time.Now()))
		require.Contains(t, list.stdout, f.eventType)
		r := runBin(t, env, "callback", "send", f.eventType, "--to", recv.URL+"/cb", "--app-id", testAppID)
		require.Equal(t, 0, r.code, r.stdout+r.stderr)
		require.Regexp(t, `answer: 200 OK in \S+`, r.stdout)
		ev := recv.next(t)
		require.Equal(t, f.eventType, ev.EventType)
		require.Equal(t, testAppID, ev.AppID)
		require.Contains(t, r.stdout, ev.EventID)
		data, err := ev.ParseData()
		require.NoError(t, err)
		require.Equal(t, want, reflect.TypeOf(data), f.eventType)
		requireNoSecret(t, r, secret)
	}

	// --data, inline or from a file, overrides the fixture's fields.
	r := runBin(t, env, "callback", "send", "UserJoinRoom", "--to", recv.URL, "--data", `{"UserId":"alice"}`)
	require.Equal(t, 0, r.code, r.stderr)
	data, err := recv.next(t).ParseData()
	require.NoError(t, err)
	require.Equal(t, "alice", data.(*rtc.UserEventData).UserID)
	require.Equal(t, "room1", data.(*rtc.UserEventData).RoomID)
	df := filepath.Join(t.TempDir(), "data.json")
	require.NoError(t, os.WriteFile(df, []byte(`{"Code":1,"ErrorMessage":"disk full"}`), 0o600))
	r = runBin(t, env, "callback", "send", "RecordStarted", "--to", recv.URL, "--data", "@"+df)
	require.Equal(t, 0, r.code, r.stderr)
	data, err = recv.next(t).ParseData()
	require.NoError(t, err)
	require.True(t, data.(*rtc.TaskEventData).Failed())

	// Fresh EventId, EventTime and Nonce each time: the same event type
	// twice is two events.
	before := recv.processed()
	for i := 0; i < 2; i++ {
		r = runBin(t, env, "callback", "send", "RoomCreate", "--to", recv.URL)
		require.Equal(t, 0, r.code, r.stderr)
		recv.next(t)
	}
	require.Equal(t, before+2, recv.processed())
}

// TestCallbackErrors: a wrong secret, a stale recorded event replayed with
// --keep-time and a malformed --data give clear messages and the
// documented exit codes.
func TestCallbackErrors(t *testing.T) {
	const secret = "errors-secret-9012"
	recv := newReceiver(t, secret)
	env := binEnv(t, "RTC_CALLBACK_SECRET="+secret)

	t.Run("wrong secret", func(t *testing.T) {
		wrong := writeSecret(t, "some-other-secret")
		r := runBin(t, binEnv(t), "callback", "send", "RecordStarted", "--to", recv.URL, "--secret-file", wrong)
		require.Equal(t, exitAPI, r.code, r.stdout+r.stderr)
		require.Contains(t, r.stdout, "answer: 401 Unauthorized")
		require.Contains(t, r.stderr, "rtcctl: the receiver answered 401 Unauthorized: it does not accept the signature; check that the callback secret is the receiver's")
		requireNoSecret(t, r, "some-other-secret", secret)
	})

	t.Run("no secret", func(t *testing.T) {
		r := runBin(t, binEnv(t), "callback", "send", "RecordStarted", "--to", recv.URL)
		require.Equal(t, exitUsage, r.code)
		require.Contains(t, r.stderr, "no callback secret: set RTC_CALLBACK_SECRET or pass --secret-file FILE")
	})

	t.Run("malformed data", func(t *testing.T) {
		before := len(recv.received())
		for _, tc := range []struct{ data, want string }{
			{`{"UserId":"alice","Colour":"red"}`, `--data does not fit the EventData of UserJoinRoom (rtc.UserEventData): unknown field "Colour"`},
			{`{"userid":"alice"}`, `unknown field "userid" (field names are case-sensitive: UserId)`},
			{`{"Timestamp":"yesterday"}`, `field Timestamp wants an integer, got a JSON string`},
			{`{"UserId":`, `--data is not a JSON object: not valid JSON at byte 10`},
			{`[1,2]`, `--data is not a JSON object`},
		} {
			r := runBin(t, env, "callback", "send", "UserJoinRoom", "--to", recv.URL, "--data", tc.data)
			require.Equal(t, exitUsage, r.code, tc.data)
			require.Contains(t, r.stderr, tc.want, tc.data)
			require.NotContains(t, r.stdout, "sending")
		}
		r := runBin(t, env, "callback", "send", "NoSuchEvent", "--to", recv.URL)
		require.Equal(t, exitUsage, r.code)
		require.Contains(t, r.stderr, "NoSuchEvent is not an event type the SDK types, so it has no fixture: give its EventData with --data JSON")
		r = runBin(t, env, "callback", "send", "s3cr3tValueX9abc", "--to", recv.URL)
		require.Equal(t, exitUsage, r.code)
		require.Contains(t, r.stderr, "EVENT_TYPE (16 characters, not shown) is not an event type")
		requireNoSecret(t, r, "s3cr3tValueX9abc")
		require.Equal(t, before, len(recv.received()), "nothing was sent")
	})

	t.Run("stale recorded event with --keep-time", func(t *testing.T) {
		ev, err := rtc.NewCallbackEvent(testAppID, rtc.EventRoomDestroy, `{"RoomId":"room1"}`)
		require.NoError(t, err)
		ev.EventTime = time.Now().Add(-2 * time.Hour).UTC().Format(time.RFC3339)
		ev.Sign(secret)
		body, err := json.Marshal(ev)
		require.NoError(t, err)
		line, err := json.Marshal(delivery{Time: ev.EventTime, Method: "POST", Path: "/", Headers: http.Header{"Content-Type": {"application/json"}},
			Body: string(body), Verified: true, Verdict: "verified", Status: 200})
		require.NoError(t, err)
		rec := filepath.Join(t.TempDir(), "old.jsonl")
		require.NoError(t, os.WriteFile(rec, append(line, '\n'), 0o600))

		r := runBin(t, binEnv(t), "callback", "replay", rec, "--to", recv.URL, "--keep-time")
		require.Equal(t, exitAPI, r.code, r.stdout+r.stderr)
		require.Contains(t, r.stdout, "400 Bad Request")
		require.Contains(t, r.stderr, "1 of 1 deliveries refused; the first: 400 Bad Request: the event's EventTime is outside what it accepts")
		require.Contains(t, r.stderr, "replay without --keep-time to re-sign it with a fresh time")

		// Re-signed, the same recording is accepted.
		r = runBin(t, env, "callback", "replay", rec, "--to", recv.URL)
		require.Equal(t, 0, r.code, r.stdout+r.stderr)
		require.Equal(t, rtc.EventRoomDestroy, recv.next(t).EventType)
	})

	t.Run("nothing to replay", func(t *testing.T) {
		rec := filepath.Join(t.TempDir(), "empty.jsonl")
		require.NoError(t, os.WriteFile(rec, nil, 0o600))
		r := runBin(t, env, "callback", "replay", rec, "--to", recv.URL)
		require.Equal(t, exitUsage, r.code)
		require.Contains(t, r.stderr, "no recorded event matches")
	})

	t.Run("unreachable", func(t *testing.T) {
		dead := httptest.NewServer(http.NotFoundHandler())
		url := dead.URL
		dead.Close()
		r := runBin(t, env, "callback", "send", "RoomCreate", "--to", url)
		require.Equal(t, exitTransport, r.code, r.stdout+r.stderr)
		require.Contains(t, r.stderr, "posting to "+url)
	})

	t.Run("plain http beyond loopback", func(t *testing.T) {
		r := runBin(t, env, "callback", "send", "RoomCreate", "--to", "http://example.com/cb")
		require.Equal(t, exitUsage, r.code)
		require.Contains(t, r.stderr, "not loopback: use https://, or add --insecure-http")
	})
}

func TestCleanText(t *testing.T) {
	require.Equal(t, "room1", cleanText("room1"))
	require.Equal(t, `r\x1b[31mx`, cleanText("r\x1b[31mx"))
	require.Equal(t, `a\nb`, cleanText("a\nb"))
	require.Equal(t, `\xff`, cleanText("\xff"))
	require.Equal(t, `\u202e`, cleanText("\u202e"))
}

// TestCallbackListenForwardsRetries: when the backend fails a delivery,
// listen answers the sender with the backend's status, the fake retries,
// and listen forwards the retry: the backend processes each event once.
// Headers are passed on, and recorded, without Authorization or Cookie.
func TestCallbackListenForwardsRetries(t *testing.T) {
	secretFile := writeSecret(t, loopSecret)
	backend := newReceiver(t, loopSecret)
	var mu sync.Mutex
	seen := map[string]int{}   // deliveries per EventId
	var forwardedAuth []string // Authorization headers that reached the backend
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var ev rtc.CallbackEvent
		_ = json.Unmarshal(b, &ev)
		mu.Lock()
		seen[ev.EventID]++
		first := seen[ev.EventID] == 1
		forwardedAuth = append(forwardedAuth, r.Header.Values("Authorization")...)
		mu.Unlock()
		if first {
			http.Error(w, "backend not ready", http.StatusInternalServerError)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		backend.Config.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(failing.Close)
	recFile := filepath.Join(t.TempDir(), "deliveries.jsonl")

	listen := startBin(t, binEnv(t), "callback", "listen", "--addr", "127.0.0.1:0", "--secret-file", secretFile,
		"--forward-to", failing.URL, "--record", recFile)
	listenURL := waitLine(t, listen.stdout, `receiving event callbacks on (http://127\.0\.0\.1:\d+)`, "listen")[1]
	fake := startBin(t, binEnv(t), "fake", "--listen", "127.0.0.1:0", "--callback-url", listenURL, "--callback-secret-file", secretFile)
	fakeURL := waitLine(t, fake.stdout, `listening on (http://127\.0\.0\.1:\d+)`, "fake")[1]

	api := binEnv(t, "RTC_ENDPOINT="+fakeURL, "VOLCENGINE_ACCESS_KEY="+rtctest.DemoAccessKeyID, "VOLCENGINE_SECRET_KEY="+rtctest.DemoSecretAccessKey)
	r := runBin(t, api, "call", "StartRecord", "--data", recordData(""))
	require.Equal(t, 0, r.code, r.stderr)
	ev := backend.next(t)
	require.Equal(t, rtc.EventRecordStarted, ev.EventType)
	id := regexp.QuoteMeta(ev.EventID)
	waitLine(t, listen.stdout, `RecordStarted id=`+id+` .* verified -> backend 500 Internal Server Error .*backend not ready`, "listen")
	waitLine(t, listen.stdout, `RecordStarted id=`+id+` .* verified -> backend 200 OK`, "listen")
	waitLine(t, fake.stderr, `event RecordStarted id=`+id+` -> .*: 500 Internal Server Error .*not delivered`, "fake")
	waitLine(t, fake.stderr, `event RecordStarted id=`+id+` -> .*: 200 OK .*\(delivered\)`, "fake")

	// A delivery with credentials-like headers, straight from a client.
	signed, err := rtc.NewCallbackEvent(testAppID, rtc.EventRoomCreate, `{"RoomId":"room9"}`)
	require.NoError(t, err)
	signed.Sign(loopSecret)
	body, err := json.Marshal(signed)
	require.NoError(t, err)
	for i := 0; i < 2; i++ { // the backend fails the first
		req, err := http.NewRequest(http.MethodPost, listenURL, bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer token-not-to-record")
		req.Header.Set("X-Trace", "trace-1")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, []int{500, 200}[i], resp.StatusCode)
	}
	require.Equal(t, signed.EventID, backend.next(t).EventID)

	// A body over the SDK's limit: refused with 413, recorded, not forwarded.
	resp, err := http.Post(listenURL, "application/json", bytes.NewReader(make([]byte, rtc.DefaultCallbackMaxBody+1)))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	waitLine(t, listen.stdout, `\(not an event: \d+ bytes\) REFUSED 413 Request Entity Too Large: reading the body failed`, "listen")

	listen.stop(t)
	fake.stop(t)
	require.Equal(t, 1, backend.count(ev.EventID))
	require.Equal(t, 1, backend.count(signed.EventID))
	mu.Lock()
	require.Equal(t, 2, seen[ev.EventID])
	require.Empty(t, forwardedAuth)
	mu.Unlock()
	rec, err := os.ReadFile(recFile)
	require.NoError(t, err)
	require.NotContains(t, string(rec), "token-not-to-record")
	require.Contains(t, string(rec), "trace-1")
	require.Contains(t, string(rec), `"status":413`)
}

// TestEveryTypedEventHasAFixture: each Event constant of the SDK whose
// EventData ParseData types has a fixture here of that type, so "send"
// covers every typed event as the SDK grows.
func TestEveryTypedEventHasAFixture(t *testing.T) {
	files, err := filepath.Glob("../../callback_events*.go")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	constRE := regexp.MustCompile(`(?m)^\s+Event[A-Z]\w*\s*=\s*"(\w+)"`)
	typed := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, m := range constRE.FindAllStringSubmatch(string(src), -1) {
			ev := &rtc.CallbackEvent{EventType: m[1], EventData: "{}"}
			data, err := ev.ParseData()
			require.NoError(t, err, m[1])
			if _, untyped := data.(map[string]any); untyped {
				continue
			}
			typed++
			fx := findFixture(m[1])
			require.NotNil(t, fx, "no fixture for the typed event %s", m[1])
			require.Equal(t, reflect.TypeOf(data), reflect.TypeOf(fx.fixture(testAppID, time.Now())), m[1])
		}
	}
	require.Equal(t, len(eventFixtures), typed, "a fixture for an event the SDK does not type")
}
