// Package rtc is a Go client for the RTC (real-time audio and video) OpenAPI:
// room and user management (ban, kick, dismiss), cloud recording, CDN push,
// snapshots, messaging, quality data and more, plus RTC access tokens for
// your app's clients and verification of the event callbacks RTC sends.
//
// Build one Client at start-up and share it across goroutines:
//
//	client, err := rtc.New(rtc.WithRegion(rtc.RegionCNNorth1)) // credentials from the environment
//	res, err := client.BanRoomUser(ctx, &rtc.BanRoomUserRequest{
//		AppID: appID, RoomID: "room1", UserID: "user1", ForbiddenInterval: rtc.Ptr[int32](600),
//	})
//	var apiErr *rtc.APIError
//	if errors.As(err, &apiErr) { log.Printf("%s %s (request %s)", apiErr.Code, apiErr.Message, apiErr.RequestID) }
//
// Every action goes through one pipeline: validate, encode, sign, send (with
// retries, backoff and an optional rate limiter), read through a size bound,
// decode the envelope, and return a typed result or a typed error. The
// package rtctest provides a fake server for tests.
package rtc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"time"
)

// Version is this SDK's version, sent in the User-Agent header.
const Version = "0.1.0"

// Client calls the RTC OpenAPI. It is safe for concurrent use; build one and
// share it.
type Client struct {
	creds     CredentialsProvider
	region    string
	ep        endpoint
	baseURL   string // scheme://host/?
	signer    *Signer
	http      *http.Client
	rt        http.RoundTripper // set when requests can skip http.Client (see send)
	retry     RetryPolicy
	budget    *retryBudget
	timeout   time.Duration
	logger    *slog.Logger // nil: no logging
	userAgent string
	clock     func() time.Time
	clockFix  atomic.Pointer[clockCorrection] // learnt from an InvalidTimestamp answer
	limiter   RateLimiter
	observers []Observer
	maxBody   int64
	sleep     func(context.Context, time.Duration) error // waits between attempts (tests replace it)
	lenient   bool                                       // WithLenientValidation
	// bodyTimeout is DefaultBodyTimeout (shortened by tests).
	bodyTimeout time.Duration
}

// Defaults.
const (
	// DefaultResponseHeaderTimeout is how long the default transport waits
	// for a response's headers once the request is sent. Connecting and the
	// TLS handshake are bounded at 10 s each; the body by DefaultBodyTimeout
	// and by size. Use WithTimeout to bound each whole attempt, or a context
	// deadline.
	DefaultResponseHeaderTimeout = 15 * time.Second
	// DefaultBodyTimeout bounds the time from a response's headers to the
	// end of its body when no other bound applies (neither WithTimeout nor
	// a context deadline within it): a server that stalls or trickles the
	// body ends the attempt with an error matching
	// context.DeadlineExceeded, retried like any timeout.
	DefaultBodyTimeout = 30 * time.Second
	// DefaultMaxResponseBytes bounds how much of a response body is read.
	DefaultMaxResponseBytes = 16 << 20
)

// Option configures a Client. Options check their input: New returns the
// problems of all options at once.
type Option func(*config) error

type config struct {
	creds         CredentialsProvider
	region        string
	endpoint      string
	insecure      bool
	httpClient    *http.Client
	retry         RetryPolicy
	timeout       time.Duration
	logger        *slog.Logger
	userAgent     string
	clock         func() time.Time
	limiter       RateLimiter
	observers     []Observer
	maxBody       int64
	credsSet      bool
	timeoutSet    bool
	regionSet     bool
	bytePlus      bool
	bytePlusClash bool
	lenient       bool
}

// WithCredentials uses a fixed access key pair (and optional session token).
func WithCredentials(c Credentials) Option {
	return func(cfg *config) error {
		if c.AccessKeyID == "" || c.SecretAccessKey == "" {
			return errors.New("rtc: WithCredentials: both AccessKeyID and SecretAccessKey are required")
		}
		cfg.creds, cfg.credsSet = StaticCredentials(c), true
		return nil
	}
}

// WithCredentialsProvider gets credentials from p for every attempt (for
// example rotating STS credentials). Without this option or WithCredentials
// the client uses DefaultCredentials: the VOLCENGINE_* environment, then
// VOLC_*, then ~/.volc/config.
func WithCredentialsProvider(p CredentialsProvider) Option {
	return func(cfg *config) error {
		if p == nil {
			return errors.New("rtc: WithCredentialsProvider: nil provider")
		}
		cfg.creds, cfg.credsSet = p, true
		return nil
	}
}

// WithRegion sets the signing region and, unless WithEndpoint is given, the
// host: RegionCNNorth1 (the default), RegionAPSoutheast1, or its alias
// RegionAPSingapore1. Any other region needs WithEndpoint.
func WithRegion(region string) Option {
	return func(cfg *config) error {
		region = strings.TrimSpace(region)
		if region == "" {
			return errors.New("rtc: WithRegion: empty region; use rtc.RegionCNNorth1 or rtc.RegionAPSoutheast1")
		}
		cfg.region, cfg.regionSet = region, true
		return nil
	}
}

// WithEndpoint overrides the scheme and host, e.g. a fake server
// ("http://127.0.0.1:8080") or a proxy. Plain http is accepted only for
// loopback hosts ("localhost" and literal loopback addresses such as
// 127.0.0.1 and [::1]; not other names like "app.localhost") unless
// WithInsecureHTTP is also given. The default transport never sends a
// request for a loopback host through a proxy (HTTP_PROXY is ignored for
// it); a client given with WithHTTPClient keeps its own proxy settings. The
// region still comes from WithRegion (default cn-north-1). An empty URL is
// an error: leave the option out to use the region's production host.
func WithEndpoint(rawURL string) Option {
	return func(cfg *config) error {
		cfg.endpoint = strings.TrimSpace(rawURL)
		if cfg.endpoint == "" {
			return errors.New("rtc: WithEndpoint: empty URL; leave the option out for the region's production host, or pass one such as http://127.0.0.1:8080")
		}
		if cfg.bytePlus {
			cfg.bytePlusClash = true
		}
		return nil
	}
}

// WithBytePlus selects the BytePlus endpoint (EndpointBytePlus) and its
// region (RegionAPSingapore1).
func WithBytePlus() Option {
	return func(cfg *config) error {
		if cfg.endpoint != "" {
			cfg.bytePlusClash = true
		}
		cfg.bytePlus = true
		cfg.endpoint = EndpointBytePlus
		if !cfg.regionSet {
			cfg.region = RegionAPSingapore1
		}
		return nil
	}
}

// WithInsecureHTTP allows a plain http:// endpoint on a host that is not
// loopback. Signed requests then travel unencrypted; never use it across an
// untrusted network.
func WithInsecureHTTP() Option {
	return func(cfg *config) error { cfg.insecure = true; return nil }
}

// WithHTTPClient sends requests with hc (its Transport, TLS settings, proxy
// and Jar are used). The client never follows redirects, whatever hc's
// CheckRedirect says: the API does not redirect, and following one could
// send signed headers to another host. hc.Timeout, when set, bounds each
// attempt too.
func WithHTTPClient(hc *http.Client) Option {
	return func(cfg *config) error {
		if hc == nil {
			return errors.New("rtc: WithHTTPClient: nil *http.Client")
		}
		cfg.httpClient = hc
		return nil
	}
}

// WithRetry sets the client's retry policy (see RetryPolicy). MaxAttempts 1
// turns retries off.
func WithRetry(p RetryPolicy) Option {
	return func(cfg *config) error {
		if err := p.check(); err != nil {
			return err
		}
		cfg.retry = p
		return nil
	}
}

// WithTimeout bounds each attempt as a whole: connecting, sending and
// reading the whole response. By default there is no such bound beyond the
// transport's (see DefaultResponseHeaderTimeout), DefaultBodyTimeout for
// the body, and the context's; 0 removes it again.
func WithTimeout(d time.Duration) Option {
	return func(cfg *config) error {
		if d < 0 {
			return fmt.Errorf("rtc: WithTimeout(%v): must not be negative", d)
		}
		cfg.timeout, cfg.timeoutSet = d, true
		return nil
	}
}

// WithLogger logs through l: one debug record per attempt (action, version,
// attempt, HTTP status, error code, latency, request id, the retry decision
// and its delay); warnings only for what needs a person (a clock correction,
// an exhausted retry budget). At LevelTrace a rejected signature also logs
// the canonical request and string to sign. Secrets are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(cfg *config) error {
		if l == nil {
			return errors.New("rtc: WithLogger: nil logger (leave the option out to disable logging)")
		}
		cfg.logger = l
		return nil
	}
}

// LevelTrace is the slog level below debug at which a rejected signature's
// canonical request and string to sign are logged.
const LevelTrace = slog.LevelDebug - 4

// WithUserAgent puts product (e.g. "myservice/1.2") in front of the SDK's
// own User-Agent.
func WithUserAgent(product string) Option {
	return func(cfg *config) error {
		if strings.ContainsAny(product, "\r\n") {
			return errors.New("rtc: WithUserAgent: must not contain line breaks")
		}
		cfg.userAgent = strings.TrimSpace(product)
		return nil
	}
}

// WithClock replaces time.Now for signing (for tests).
func WithClock(now func() time.Time) Option {
	return func(cfg *config) error {
		if now == nil {
			return errors.New("rtc: WithClock: nil clock")
		}
		cfg.clock = now
		return nil
	}
}

// WithMaxResponseBytes bounds how much of a response body is read (default
// DefaultMaxResponseBytes). A larger body is an error, not a partial result.
func WithMaxResponseBytes(n int64) Option {
	return func(cfg *config) error {
		if n < 1024 {
			return fmt.Errorf("rtc: WithMaxResponseBytes(%d): must be at least 1024", n)
		}
		cfg.maxBody = n
		return nil
	}
}

// RateLimiter paces calls on the client side. Wait is called before every
// attempt, retries included, with the action's name; it returns when the
// attempt may go, or an error (the context's, when it ends first).
type RateLimiter interface {
	Wait(ctx context.Context, action string) error
}

// WithRateLimiter makes every attempt wait for l first.
func WithRateLimiter(l RateLimiter) Option {
	return func(cfg *config) error {
		if l == nil {
			return errors.New("rtc: WithRateLimiter: nil limiter")
		}
		cfg.limiter = l
		return nil
	}
}

// WithObserver adds an instrumentation hook (see Observer). Several
// observers are called in the order they were added.
func WithObserver(o Observer) Option {
	return func(cfg *config) error {
		if o == nil {
			return errors.New("rtc: WithObserver: nil observer")
		}
		cfg.observers = append(cfg.observers, o)
		return nil
	}
}

// New returns a client. With no options it signs for cn-north-1, sends to
// rtc.volcengineapi.com over HTTPS, and takes credentials from
// DefaultCredentials at the first call.
func New(opts ...Option) (*Client, error) {
	cfg := config{region: RegionCNNorth1, maxBody: DefaultMaxResponseBytes}
	var errs []error
	for _, o := range opts {
		if o == nil {
			errs = append(errs, errors.New("rtc: New: nil Option"))
			continue
		}
		if err := o(&cfg); err != nil {
			errs = append(errs, err)
		}
	}
	if cfg.bytePlusClash {
		errs = append(errs, errors.New("rtc: WithBytePlus and WithEndpoint both set the endpoint; use one"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	ep, err := resolveEndpoint(cfg.region, cfg.endpoint, cfg.insecure)
	if err != nil {
		return nil, err
	}
	if cfg.creds == nil {
		cfg.creds = DefaultCredentials()
	}
	c := &Client{
		creds:       cfg.creds,
		region:      cfg.region,
		ep:          ep,
		baseURL:     ep.scheme + "://" + ep.host + "/?",
		signer:      NewSigner(cfg.region, ServiceName),
		retry:       cfg.retry.withDefaults(),
		timeout:     cfg.timeout,
		bodyTimeout: DefaultBodyTimeout,
		logger:      cfg.logger,
		clock:       cfg.clock,
		limiter:     cfg.limiter,
		maxBody:     cfg.maxBody,
		lenient:     cfg.lenient,
	}
	c.observers = cfg.observers
	c.sleep = sleepCtx
	c.budget = newRetryBudget(c.retry.Budget)
	if c.clock == nil {
		c.clock = time.Now
	}
	c.userAgent = "volcrtc-go/" + Version + " (" + runtime.Version() + "; " + runtime.GOOS + "/" + runtime.GOARCH + ")"
	if cfg.userAgent != "" {
		c.userAgent = cfg.userAgent + " " + c.userAgent
	}
	c.http = newHTTPClient(cfg.httpClient)
	if c.http.Jar == nil && c.http.Timeout == 0 {
		c.rt = c.http.Transport
		if c.rt == nil {
			c.rt = http.DefaultTransport
		}
	}
	return c, nil
}

// GoString is String, so that %#v shows no internals (and no secrets).
func (c *Client) GoString() string { return c.String() }

// Format implements fmt.Formatter: every verb prints String.
func (c *Client) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// Region returns the signing region.
func (c *Client) Region() string { return c.region }

// Endpoint returns the scheme and host requests go to, e.g.
// "https://rtc.volcengineapi.com".
func (c *Client) Endpoint() string { return c.ep.scheme + "://" + c.ep.host }

// String describes the client without secrets.
func (c *Client) String() string {
	return "rtc.Client{endpoint: " + c.Endpoint() + ", region: " + c.region + "}"
}

func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// newHTTPClient returns the client the SDK sends with: user's settings kept,
// redirects never followed.
func newHTTPClient(user *http.Client) *http.Client {
	if user != nil {
		hc := *user
		hc.CheckRedirect = refuseRedirect
		return &hc
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = proxyUnlessLoopback // HTTP_PROXY, HTTPS_PROXY, NO_PROXY; never for loopback
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 128
	t.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = 10 * time.Second
	t.ResponseHeaderTimeout = DefaultResponseHeaderTimeout
	return &http.Client{Transport: t, CheckRedirect: refuseRedirect}
}

// now returns the signing time: the clock corrected by the offset learnt
// from an InvalidTimestamp answer of the client's endpoint.
func (c *Client) now() time.Time {
	t := c.clock()
	if fix := c.clockFix.Load(); fix != nil && fix.host == c.ep.host {
		t = t.Add(fix.offset)
	}
	return t
}
