package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/internal/servermsg"
	"github.com/volcrtc/rtc/rtctest"
)

// shutdownGrace is how long the fake server waits for requests in flight
// when it is stopped.
const shutdownGrace = 5 * time.Second

func cmdFake() *command {
	return &command{
		name:    "fake",
		summary: "run a local fake RTC OpenAPI server (rtctest) until Ctrl-C",
		help: helpText{
			usage: "rtcctl fake [--listen ADDR] [--access-key AK --secret-key SK] [--callback-url URL --callback-secret-file FILE] [--server-message-url URL]",
			description: `Runs the fake server of package rtctest on ADDR: it checks signatures,
answers every action of the API description with a well-formed envelope and
keeps state (rooms, bans, tasks, apps, callbacks). It accepts the access key
pair given with --access-key and --secret-key, or else the rtctest demo keys,
and prints at start the settings a client needs. Each request is logged on
one line to stderr. SIGINT (Ctrl-C) or SIGTERM stops it gracefully. It
listens on loopback unless --listen names another host, or --allow-remote
is given for an address without one (:8080, 0.0.0.0:8080).

With --callback-url URL the fake posts its event callbacks (task started,
stopped, uploaded, ...) to URL, signed with the callback secret from
--callback-secret-file FILE (- for stdin) or RTC_CALLBACK_SECRET, retrying
as RTC does, and logs each delivery and its answer on stderr. Point it at
your backend, or at "rtcctl callback listen --forward-to".

A voice chat started on the fake (StartVoiceChat) runs a scripted agent
that posts its server messages (conv, the agent's state; subv, both sides'
subtitles) to AgentConfig.ServerMessageURLForRTS, signed with
ServerMessageSignatureForRTS. With --server-message-url URL they go to URL
instead, whatever URL the StartVoiceChat names (it still has to name one,
as the service needs), and each delivery and its answer is logged on
stderr.`,
			examples: []string{
				`rtcctl fake`,
				`rtcctl fake --listen 127.0.0.1:9000 --access-key AKtest --secret-key s3cret`,
				`rtcctl fake --callback-url http://127.0.0.1:8787/ --callback-secret-file ~/.rtc-callback-secret`,
				`rtcctl fake --server-message-url http://127.0.0.1:8787/rtc/agent`,
			},
		},
		flags: func(fs *flag.FlagSet, o *cmdOpts) {
			fs.StringVar(&o.listen, "listen", "127.0.0.1:8080", "`ADDR` to listen on (host:port; port 0 picks a free one). Without a host, or with 0.0.0.0 or ::, it binds 127.0.0.1 unless --allow-remote is given")
			fs.BoolVar(&o.allowRemote, "allow-remote", false, "let --listen bind every interface (the fake accepts signed requests from anyone who can reach it)")
			fs.StringVar(&o.callbackURL, "callback-url", "", "post the fake's event callbacks to `URL`")
			fs.StringVar(&o.callbackSecretFile, "callback-secret-file", "", "read the secret that signs them from `FILE` (- for stdin); or RTC_CALLBACK_SECRET")
			fs.StringVar(&o.serverMessageURL, "server-message-url", "", "post the agents' server messages (conv, subv) to `URL` instead of the URL of each StartVoiceChat")
		},
		run: runFake,
	}
}

func runFake(a *app, o *cmdOpts, args []string) error {
	if len(args) > 0 {
		return usageErr("fake takes no arguments (got %s)", argCount(args))
	}
	ak, sk := a.g.accessKey, a.g.secretKey
	demo := ak == "" && sk == ""
	switch {
	case demo:
		ak, sk = rtctest.DemoAccessKeyID, rtctest.DemoSecretAccessKey
	case ak == "" || sk == "":
		return usageErr("give both --access-key and --secret-key for the fake server, or neither for the demo keys")
	}
	addr, err := fakeListenAddr(o.listen, o.allowRemote)
	if err != nil {
		return err
	}
	if addr != o.listen {
		fmt.Fprintf(a.stderr, "rtcctl fake: listening on loopback %s only; add --allow-remote to listen on every interface\n", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return failErr(exitTransport, "cannot listen on %s: %v; pick another address with --listen (port 0 picks a free one)", o.listen, err)
	}
	opts, err := a.fakeCallbackOptions(o)
	if err != nil {
		ln.Close()
		return err
	}
	smOpts, err := a.fakeServerMessageOptions(o)
	if err != nil {
		ln.Close()
		return err
	}
	opts = append(opts, smOpts...)
	logger := slog.New(slog.NewTextHandler(a.stderr, nil))
	fake := rtctest.NewUnstartedServer(append(opts, rtctest.WithCredentials(ak, sk), rtctest.WithLogger(logger))...)
	hs := &http.Server{
		Handler:           fake.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

	url := "http://" + clientAddr(ln.Addr())
	secretShown := sk
	if !demo {
		secretShown = "<the --secret-key you gave>"
	}
	fmt.Fprintf(a.stdout, `rtcctl fake: a fake RTC OpenAPI server is listening on %s
It accepts the access key %s%s. Point rtcctl at it:

  export RTC_ENDPOINT=%s
  export VOLCENGINE_ACCESS_KEY=%s
  export VOLCENGINE_SECRET_KEY=%s
  rtcctl call GetRoomOnlineUsers --data '{"AppId":"661e0f6e07c1ac0123456789","RoomId":"room1"}'

or give the settings per command:

  rtcctl --endpoint %s --access-key %s --secret-key %s call ...

In Go: rtc.New(rtc.WithEndpoint(%q), rtc.WithCredentials(...)).
Each request is logged on stderr. Stop with Ctrl-C.
%s`, url, ak, map[bool]string{true: " (the rtctest demo keys)", false: ""}[demo],
		url, ak, secretShown, url, ak, shellWord(secretShown), url, callbackNote(o))

	select {
	case err := <-served:
		fake.Close()
		return failErr(exitTransport, "the fake server stopped: %v", err)
	case <-a.ctx.Done():
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(a.ctx), shutdownGrace)
	defer cancel()
	err = hs.Shutdown(ctx)
	fake.Close()
	if serr := <-served; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	if err != nil {
		return failErr(exitTransport, "stopping the fake server: %v", err)
	}
	fmt.Fprintln(a.stderr, "rtcctl fake: stopped")
	return nil
}

// clientAddr is the address a local client dials for a listener's address:
// an unspecified IP (0.0.0.0, ::) becomes loopback.
func clientAddr(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return addr.String()
	}
	ip := "127.0.0.1"
	if tcp.IP.To4() == nil {
		ip = "::1"
	}
	return net.JoinHostPort(ip, fmt.Sprint(tcp.Port))
}

// shellWord quotes s for a POSIX shell when it needs it.
func shellWord(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`<>|&;()*?[]#~!{}") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func cmdVersion() *command {
	return &command{
		name:    "version",
		summary: "print the version of rtcctl and the SDK",
		help: helpText{
			usage:       "rtcctl version",
			description: "Prints the version of the SDK rtcctl is built from, and the Go version.",
		},
		run: func(a *app, _ *cmdOpts, _ []string) error {
			fmt.Fprintf(a.stdout, "rtcctl %s (%s %s/%s)\n", rtc.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
}

// fakeListenAddr keeps the fake server on loopback unless told otherwise: an
// address without a host, or with an unspecified one (0.0.0.0, ::), binds
// 127.0.0.1 instead, unless allowRemote. An explicit host is used as given.
func fakeListenAddr(listen string, allowRemote bool) (string, error) {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "", usageErr("--listen %q: want host:port or :port (%v)", listen, err)
	}
	if allowRemote {
		return listen, nil
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		return net.JoinHostPort("127.0.0.1", port), nil
	}
	return listen, nil
}

// fakeCallbackOptions are the fake's options for --callback-url: its
// events go through a handler of this process, which posts each one to
// the URL and logs the delivery and its answer.
func (a *app) fakeCallbackOptions(o *cmdOpts) ([]rtctest.Option, error) {
	if o.callbackURL == "" {
		if o.callbackSecretFile != "" {
			return nil, usageErr("--callback-secret-file needs --callback-url URL (where the fake posts its events)")
		}
		return nil, nil
	}
	target, err := a.checkTarget("--callback-url", o.callbackURL)
	if err != nil {
		return nil, err
	}
	secret, err := a.secret(secretSource{flag: "--callback-secret", file: "--callback-secret-file", fileVal: o.callbackSecretFile, env: "RTC_CALLBACK_SECRET"})
	if err != nil {
		return nil, err
	}
	if secret == "" {
		return nil, usageErr("--callback-url needs the callback secret: --callback-secret-file FILE or RTC_CALLBACK_SECRET")
	}
	p := newPoster(a, target, "event")
	return []rtctest.Option{rtctest.WithEventHandler(p, secret)}, nil
}

// fakeServerMessageOptions are the fake's options for --server-message-url.
func (a *app) fakeServerMessageOptions(o *cmdOpts) ([]rtctest.Option, error) {
	if o.serverMessageURL == "" {
		return nil, nil
	}
	target, err := a.checkTarget("--server-message-url", o.serverMessageURL)
	if err != nil {
		return nil, err
	}
	return []rtctest.Option{rtctest.WithServerMessageHandler(newPoster(a, target, "server message"))}, nil
}

func newPoster(a *app, url, what string) *callbackPoster {
	return &callbackPoster{a: a, url: url, what: what, client: &http.Client{
		Transport:     &http.Transport{DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func callbackNote(o *cmdOpts) string {
	var s string
	if o.callbackURL != "" {
		s += "Event callbacks are posted to " + o.callbackURL + "; each delivery is logged on stderr.\n"
	}
	if o.serverMessageURL != "" {
		s += "Agents' server messages are posted to " + o.serverMessageURL + "; each delivery is logged on stderr.\n"
	}
	return s
}

// callbackPoster is the fake's handler for --callback-url (events) and
// --server-message-url (server messages): it posts each delivery to the
// URL and answers with the URL's status.
type callbackPoster struct {
	a      *app
	url    string
	what   string // "event" or "server message", for the log line
	client *http.Client
	mu     sync.Mutex
}

// describe names a delivery in a log line: an event's type and id, or a
// server message's magic (decoded from its base64 message; no signature).
func (p *callbackPoster) describe(body []byte) string {
	if p.what == "event" {
		var ev struct{ EventType, EventId string }
		_ = json.Unmarshal(body, &ev)
		return "event " + cleanText(ev.EventType) + " id=" + cleanText(ev.EventId)
	}
	var m struct{ Message string }
	_ = json.Unmarshal(body, &m)
	raw, _ := base64.StdEncoding.DecodeString(m.Message)
	magic, _, err := servermsg.Decode(raw)
	if err != nil {
		magic = "?"
	}
	return "server message " + cleanText(magic)
}

func (p *callbackPoster) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	maxBody := int64(rtc.DefaultCallbackMaxBody)
	if p.what != "event" {
		maxBody = rtc.DefaultServerMessageMaxBody
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	name := p.describe(body)
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, p.url, bytes.NewReader(body))
	if err != nil {
		http.Error(w, "bad callback URL", http.StatusBadGateway)
		return
	}
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	resp, err := p.client.Do(req)
	took := time.Since(start).Round(time.Millisecond)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		fmt.Fprintf(p.a.stderr, "rtcctl fake: %s -> %s: no answer after %s: %v\n", name, p.url, took, errors.Unwrap(err))
		http.Error(w, "no answer", http.StatusBadGateway)
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	verdict := "delivered"
	if resp.StatusCode != http.StatusOK {
		verdict = "not delivered; the fake tries each at most 3 times, as RTC does"
	}
	fmt.Fprintf(p.a.stderr, "rtcctl fake: %s -> %s: %s in %s (%s)\n", name, p.url, statusText(resp.StatusCode), took, verdict)
	w.WriteHeader(resp.StatusCode)
}
