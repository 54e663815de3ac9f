// Package rtctest runs a fake RTC OpenAPI server for tests, the way
// net/http/httptest runs a fake HTTP server: start one with NewServer, point
// a client at its URL, and inspect what it received.
//
// The fake speaks the service's wire protocol closely enough that a client
// cannot tell the difference: it verifies HMAC-SHA256 signatures (the
// vendor's "V4" scheme), answers every action of the embedded OpenAPI
// description with a well-formed envelope, validates inputs the way the
// service does, keeps state where it matters (rooms, users and bans; tasks;
// apps, business IDs, callbacks and failover policies; messages; the IM
// server API's users, conversations, messages, friends and black lists),
// and can
// inject faults on demand (error codes, latency, dropped connections, bodies
// that are not JSON, huge bodies, throttling, clock skew, answers lost after
// the action ran). Given WithEventCallback or WithEventHandler, it also
// posts signed event callbacks for what happens in it, as RTC does; a
// started voice chat runs a scripted agent that also posts its state and
// subtitles as server messages (agent.go, RunAgentRound).
//
// # Checks, in order
//
//  1. Action and Version in the query: missing → 400 MissingParameter.
//  2. Authorization header: absent → 401 MissingAuthenticationToken; not
//     parsable → 401 MissingSignature (no signature) or 400
//     MissingRequestInfo (credential scope incomplete).
//  3. Access key unknown → 401 InvalidClientTokenId.
//  4. X-Date missing, unparsable or more than 15 minutes from the server
//     clock → 403 InvalidTimestamp (CodeN 100006). Every response carries a
//     Date header from the server clock so that clients can correct skew.
//  5. Signature recomputed over exactly the headers listed in SignedHeaders,
//     with the region and service of the credential scope → 401
//     SignatureDoesNotMatch (CodeN 100010); the same code when
//     X-Content-Sha256 does not match the body. A scope whose service is not
//     "rtc" → 404 ServiceNotFound.
//  6. Action unknown, or version not offered for it → 404
//     InvalidActionOrVersion.
//  7. HTTP method other than the one the description gives for the action →
//     405 MethodNotAllowed. (The real gateway is believed to be strict too;
//     the fake always is, so that a client sending a GET action as POST is
//     caught in tests.)
//  8. Rate limits set with WithQPSLimit → 429 FlowLimitExceeded.QPSOverLimit.
//  9. Input: a JSON object body for body actions (empty → 400
//     InvalidParameter.BodyIsEmpty, not JSON → 400 InvalidParameter.Unmarshal),
//     query parameters for query actions; a value of the wrong type → 400
//     InvalidParameter; a required field missing (absent, null, "" or an
//     empty list) → 400 InvalidParameter with a message naming the field path
//     (the fake chooses InvalidParameter over MissingParameter because
//     field checks happen in the RTC service, behind the gateway).
//  10. The ID rule on every BusinessId, TaskId, RoomId and UserId at any depth
//     (also spelled BusinessID, RoomID, ...): at most 128 characters of
//     a-z A-Z 0-9 @ . _ - → 400 InvalidParameter.IllegalRoomID for room IDs,
//     400 InvalidParameter for the others, naming the field path.
//  11. Action-specific checks: message size (MaxMessageSize, 400
//     InvalidParameter.SizeOverLimit), batch receivers (MaxBatchReceivers,
//     400 InvalidParameter.UserCountOverLimit), sender and receiver IDs
//     (InvalidParameter.IllegalFrom / IllegalTo), query time windows (400
//     InvalidParameter.StartTimeAfterEndTime, or .OutofTimeRange for a
//     window longer than MaxQueryWindow), enumerations.
//
// # State
//
// AppIds need not be created first: every AppId has its own rooms, tasks,
// business IDs and callbacks. See Join, OnlineUsers, RoomExists and the
// documentation of each family in docs/rtctest.md.
package rtctest

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/volcrtc/rtc/internal/spec"
)

// DemoAccessKeyID and DemoSecretAccessKey are the credentials a Server
// accepts when it is given none with WithCredentials. They are not real
// credentials and open nothing outside rtctest.
const (
	DemoAccessKeyID     = "AKLTrtctestDemoAccessKeyID"
	DemoSecretAccessKey = "cnRjdGVzdC1kZW1vLXNlY3JldC1ub3QtcmVhbA=="
)

// DefaultRegion is the region a Server reports in its envelopes unless
// WithRegion says otherwise.
const DefaultRegion = "cn-north-1"

// Limits the fake enforces. The vendor does not document a message size
// limit in the material this package was written from; 64 KiB is this
// package's choice.
const (
	MaxMessageSize    = 64 << 10            // bytes of Message in the Send* actions
	MaxBatchReceivers = 100                 // entries of To in BatchSendRoomUnicast
	MaxQueryWindow    = 93 * 24 * time.Hour // EndTime - StartTime of data queries
	MaxBodySize       = 8 << 20             // request body bytes read
	// MaxRecorded bounds each history the server keeps for inspection:
	// Requests, Messages, Events and ServerMessages return at most this
	// many, the most recent, so a long-running fake (rtcctl fake) holds
	// bounded memory. Older entries are forgotten; events still to be
	// delivered are delivered all the same.
	MaxRecorded    = 10000
	ClockTolerance = 15 * time.Minute // allowed X-Date distance from the server clock
)

// Option configures a Server.
type Option func(*config)

type config struct {
	creds       map[string]string // access key id -> secret
	clock       func() time.Time
	region      string
	strictRgn   bool
	logger      *slog.Logger
	qps         map[string]int
	noSignature bool

	events       *eventSink    // where event callbacks go (events.go)
	eventTimeout time.Duration // per delivery attempt
	serverMsgs   http.Handler  // where server messages go instead (servermsg_sink.go)
}

// WithCredentials adds an access key pair the server accepts. Give it more
// than once to accept several keys. Without it the server accepts only
// DemoAccessKeyID / DemoSecretAccessKey.
func WithCredentials(accessKeyID, secretAccessKey string) Option {
	return func(c *config) {
		if c.creds == nil {
			c.creds = make(map[string]string)
		}
		c.creds[accessKeyID] = secretAccessKey
	}
}

// WithClock sets the server clock, used for the X-Date check, the Date
// header, ban expiry, task times and rate-limit windows. Default time.Now.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.clock = now
		}
	}
}

// WithRegion sets the region reported in ResponseMetadata. Signatures are
// verified with whatever region the client put in its credential scope,
// unless WithStrictRegion is given.
func WithRegion(region string) Option {
	return func(c *config) {
		if region != "" {
			c.region = region
		}
	}
}

// WithStrictRegion makes the server refuse a request signed for another
// region than its own (WithRegion, DefaultRegion by default) with 401
// SignatureDoesNotMatch, as an endpoint does: the signing key derives from
// the region, so a client configured for the wrong region fails here as it
// would against the service. Without it any region in the credential scope
// is accepted, so tests need not care which one the client uses.
func WithStrictRegion() Option {
	return func(c *config) { c.strictRgn = true }
}

// WithLogger makes the server log one line per request (action, version,
// HTTP status, error code, request ID, duration). No secret, signature or
// request body is ever logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// WithQPSLimit throttles an action to qps calls per second of the server
// clock, counted per access key (the service counts per account). An empty
// action limits all actions together. Calls over the limit get HTTP 429
// FlowLimitExceeded.QPSOverLimit. With a fixed clock (WithClock) every call
// falls in the same second, which makes throttling deterministic in tests.
func WithQPSLimit(action string, qps int) Option {
	return func(c *config) {
		if c.qps == nil {
			c.qps = make(map[string]int)
		}
		c.qps[action] = qps
	}
}

// WithoutSignatureCheck accepts requests whatever their Authorization
// header says (still recording whether the signature verified). Useful when
// driving the fake with curl.
func WithoutSignatureCheck() Option {
	return func(c *config) { c.noSignature = true }
}

// Server is a fake RTC OpenAPI server. Its methods are safe for concurrent
// use.
type Server struct {
	// URL is the base URL of the server, "http://127.0.0.1:port", once
	// started.
	URL string

	cfg  config
	spec *spec.Spec

	listener  net.Listener
	httpSrv   *http.Server
	serveDone chan struct{}
	closing   chan struct{}
	// onSleep, when set (by tests, before the first request), is called
	// when a request starts waiting out a fault's Delay.
	onSleep   func()
	closeOnce sync.Once
	activeMu  sync.Mutex // guards closed and the transition of active from 0
	closed    bool
	active    sync.WaitGroup

	reqPrefix uint32
	reqSeq    atomic.Uint64
	offset    atomic.Int64 // server clock offset, nanoseconds
	keys      sync.Map     // derived signing keys

	recMu    sync.Mutex
	requests []Request
	messages []Message

	faultMu sync.Mutex
	faults  []*pendingFault

	qpsMu  sync.Mutex
	qpsWin map[string]*qpsWindow

	mu sync.Mutex // guards st
	st *state

	events   eventQueue     // event callbacks (events.go)
	eventsWG sync.WaitGroup // the delivery goroutine
	evFaults eventFaults    // dropped and held events (eventfaults.go)
}

// Request is one request the server received, as recorded by Requests.
type Request struct {
	Action, Version, Method string
	// Input is the decoded input: the JSON body for body actions, the query
	// parameters (other than Action and Version) for query actions. Nil when
	// the request failed before decoding. Do not modify it.
	Input map[string]any
	Query url.Values
	// AccessKeyID is the key from the Authorization header, if any.
	AccessKeyID string
	// SignatureVerified reports whether the signature checked out.
	SignatureVerified bool
	// Status and ErrorCode are what the server answered (ErrorCode empty on
	// success). A dropped connection has Status 0 and ErrorCode "Dropped".
	Status    int
	ErrorCode string
	RequestID string
	// Faulted reports whether an injected fault shaped the answer.
	Faulted bool
	Time    time.Time
}

// NewServer starts a fake server on a loopback port. Close it when done.
func NewServer(opts ...Option) *Server {
	s := NewUnstartedServer(opts...)
	s.Start()
	return s
}

// NewUnstartedServer returns a server that is not listening yet: call
// Start, or use Handler to serve it some other way.
func NewUnstartedServer(opts ...Option) *Server {
	cfg := config{clock: time.Now, region: DefaultRegion, eventTimeout: EventTimeout}
	for _, o := range opts {
		o(&cfg)
	}
	if len(cfg.creds) == 0 {
		cfg.creds = map[string]string{DemoAccessKeyID: DemoSecretAccessKey}
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	s := &Server{
		cfg:       cfg,
		spec:      spec.MustLoad(),
		closing:   make(chan struct{}),
		reqPrefix: binary.BigEndian.Uint32(b[:]),
		qpsWin:    make(map[string]*qpsWindow),
	}
	s.st = newState(s.roomEvent)
	return s
}

// Start starts listening on a loopback port and sets URL. It panics if no
// port can be opened, as httptest does.
func (s *Server) Start() {
	if s.listener != nil {
		panic("rtctest: Server started twice")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		if ln, err = net.Listen("tcp6", "[::1]:0"); err != nil {
			panic("rtctest: cannot listen on a loopback port: " + err.Error())
		}
	}
	s.listener = ln
	s.URL = "http://" + ln.Addr().String()
	s.httpSrv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.serveDone = make(chan struct{})
	go func() {
		defer close(s.serveDone)
		_ = s.httpSrv.Serve(ln)
	}()
}

// Handler returns the server as a plain http.Handler, for callers that run
// it themselves (an http.Server of their own, a CLI). It is the Server
// itself.
func (s *Server) Handler() http.Handler { return s }

// Close stops the server: it stops listening, closes every connection,
// releases requests waiting on an injected delay, and waits for handlers to
// return. Close is idempotent.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closing)
		if s.httpSrv != nil {
			_ = s.httpSrv.Close()
			<-s.serveDone
		}
		s.activeMu.Lock()
		s.closed = true
		s.activeMu.Unlock()
		s.active.Wait()
		s.eventsWG.Wait()
	})
}

// Reset forgets all state: rooms, bans, tasks, apps, business IDs,
// callbacks, policies, recorded requests and messages, the list of sent
// events (deliveries under way go on), pending faults, rate-limit windows
// and the clock offset. Credentials and options stay.
func (s *Server) Reset() {
	s.mu.Lock()
	s.st = newState(s.roomEvent)
	s.mu.Unlock()
	s.events.mu.Lock()
	s.events.all = nil
	s.events.mu.Unlock()
	s.recMu.Lock()
	s.requests, s.messages = nil, nil
	s.recMu.Unlock()
	s.ClearFaults()
	s.qpsMu.Lock()
	s.qpsWin = make(map[string]*qpsWindow)
	s.qpsMu.Unlock()
	s.offset.Store(0)
}

// Requests returns a copy of the requests received so far (at most the
// MaxRecorded most recent), oldest first.
func (s *Server) Requests() []Request {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	return append([]Request(nil), recent(s.requests)...)
}

// Messages returns a copy of the messages sent so far through SendUnicast,
// SendRoomUnicast, SendBroadcast and BatchSendRoomUnicast (at most the
// MaxRecorded most recent), oldest first.
func (s *Server) Messages() []Message {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	msgs := recent(s.messages)
	out := make([]Message, len(msgs))
	for i, m := range msgs {
		m.To = append([]string(nil), m.To...)
		out[i] = m
	}
	return out
}

func (s *Server) record(r Request) {
	s.recMu.Lock()
	s.requests = trimHistory(append(s.requests, r))
	s.recMu.Unlock()
}

func (s *Server) recordMessage(m Message) {
	s.recMu.Lock()
	s.messages = trimHistory(append(s.messages, m))
	s.recMu.Unlock()
}

// trimHistory keeps a history from growing past twice MaxRecorded: at that
// length it drops all but the MaxRecorded most recent entries (amortized,
// one copy per MaxRecorded appends).
func trimHistory[T any](h []T) []T {
	if len(h) < 2*MaxRecorded {
		return h
	}
	n := copy(h, h[len(h)-MaxRecorded:])
	clear(h[n:])
	return h[:n]
}

// recent returns the MaxRecorded most recent entries of a history.
func recent[T any](h []T) []T {
	if len(h) > MaxRecorded {
		return h[len(h)-MaxRecorded:]
	}
	return h
}

// now is the server clock: the configured clock plus the injected offset.
func (s *Server) now() time.Time {
	return s.cfg.clock().Add(time.Duration(s.offset.Load()))
}

// sleep waits for d, or until the request is cancelled or the server
// closes. It reports whether the full delay passed.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	if s.onSleep != nil {
		s.onSleep()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.closing:
		return false
	}
}

// ErrBanned is returned by Join when the user or the room is banned.
var ErrBanned = errors.New("rtctest: banned from the room")
