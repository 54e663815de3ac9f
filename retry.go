package rtc

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// RetryPolicy says how failed attempts are retried. The zero value of a
// field means its default.
//
// What is retried:
//   - always: throttling (HTTP 429, FlowLimitExceeded*, AccountFlowLimitExceeded*),
//     503 / ServiceUnavailableTemp, failures before the request was sent
//     (DNS, connection refused), and codes listed in RetryableCodes;
//   - only for actions safe to repeat (reads, bans, kicks, stops, updates, and
//     Start actions keyed by a TaskId): ambiguous failures, where the request
//     may have been carried out: 500/502/504 and their codes, a timeout or a
//     dropped connection after the request was sent;
//   - InvalidTimestamp: once, after correcting the clock offset from the
//     response's Date header;
//   - never: anything else (bad parameters, authentication, permissions).
type RetryPolicy struct {
	// MaxAttempts is the total number of attempts, the first included.
	// 1 means no retry. 0 means the default, 3.
	MaxAttempts int
	// BaseDelay is the first backoff ceiling (default 100ms); it doubles on
	// each retry up to MaxDelay (default 5s). The actual wait is drawn
	// uniformly from [0, ceiling) ("full jitter"), and is at least the
	// server's Retry-After when it sends one.
	BaseDelay, MaxDelay time.Duration
	// RetryableCodes are extra error codes to retry always; an entry without
	// a dot matches the whole class ("InternalError" matches
	// "InternalError.Timeout").
	RetryableCodes []string
	// MaxRetryAfter is the longest Retry-After the client waits for (default
	// DefaultMaxRetryAfter). When the service asks for a longer wait the call
	// is not retried: it fails at once with an error that matches
	// ErrThrottled and carries the requested wait (RetryAfter(err)), so the
	// caller can schedule it. No wait ever goes past the context's deadline
	// either: a retry that could not start before it is not waited for.
	MaxRetryAfter time.Duration
	// Budget is the client-wide retry budget in tokens (default 100; a
	// negative value disables the budget). A retry spends 5 tokens (10 after a
	// timeout or dropped connection), a successful call refunds 1; with the
	// budget spent, failures are returned at once instead of retried, so a
	// failing service is not hammered. Only the client's policy sets it.
	Budget int
}

// DefaultMaxRetryAfter is the longest Retry-After a client waits for unless
// RetryPolicy.MaxRetryAfter says otherwise.
const DefaultMaxRetryAfter = 10 * time.Second

const (
	defaultMaxAttempts = 3
	defaultBaseDelay   = 100 * time.Millisecond
	defaultMaxDelay    = 5 * time.Second
	defaultBudget      = 100
	retryCost          = 5
	timeoutRetryCost   = 10
)

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = defaultMaxAttempts
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = defaultBaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = defaultMaxDelay
	}
	if p.MaxDelay < p.BaseDelay {
		p.MaxDelay = p.BaseDelay
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if p.Budget == 0 {
		p.Budget = defaultBudget
	}
	return p
}

func (p RetryPolicy) check() error {
	if p.MaxAttempts < 0 || p.BaseDelay < 0 || p.MaxDelay < 0 || p.MaxRetryAfter < 0 {
		return errors.New("rtc: RetryPolicy: MaxAttempts, BaseDelay, MaxDelay and MaxRetryAfter must not be negative (0 means the default; MaxAttempts 1 means no retry)")
	}
	if p.MaxAttempts > 20 {
		return errors.New("rtc: RetryPolicy: MaxAttempts over 20 would hammer the service; use a larger MaxDelay instead")
	}
	return nil
}

// backoff returns the full-jitter wait before retry number n (1-based).
func (p RetryPolicy) backoff(n int) time.Duration {
	ceil := p.BaseDelay
	for i := 1; i < n && ceil < p.MaxDelay; i++ {
		ceil *= 2
	}
	if ceil > p.MaxDelay {
		ceil = p.MaxDelay
	}
	if ceil <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(ceil)))
}

func (p RetryPolicy) codeListed(code string) bool {
	for _, c := range p.RetryableCodes {
		if c == code || (!strings.Contains(c, ".") && strings.HasPrefix(code, c+".")) {
			return true
		}
	}
	return false
}

// retryBudget is a token bucket shared by a client's calls.
type retryBudget struct {
	mu     sync.Mutex
	tokens int
	max    int
}

func newRetryBudget(n int) *retryBudget {
	if n < 0 {
		return nil
	}
	return &retryBudget{tokens: n, max: n}
}

// take spends cost tokens; false when the budget cannot pay.
func (b *retryBudget) take(cost int) bool {
	if b == nil {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tokens < cost {
		return false
	}
	b.tokens -= cost
	return true
}

func (b *retryBudget) refund(n int) {
	if b == nil {
		return
	}
	b.mu.Lock()
	b.tokens = min(b.max, b.tokens+n)
	b.mu.Unlock()
}

// transportError wraps a failure of the HTTP exchange (no response).
type transportError struct {
	action string
	err    error
}

func (e *transportError) Error() string {
	return "rtc: " + e.action + ": " + e.err.Error()
}
func (e *transportError) Unwrap() error { return e.err }

// notSent reports whether err happened before the request could reach the
// server: a failed DNS lookup or a refused connection.
func notSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// badCertificate reports whether err is a TLS certificate verification
// failure.
func badCertificate(err error) bool {
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	return errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &hn) || errors.As(err, &ci)
}

// IsRetryable reports whether err is a failure that is always safe to retry
// later: throttling, a temporarily unavailable service, or a request that
// was never sent. Ambiguous failures (the action may have been carried out)
// are not included.
func IsRetryable(err error) bool {
	return err != nil && classify(err, nil) == failRetryable
}

const maxRetryAfterSeconds = 365 * 24 * 3600

// retryAfter parses a Retry-After header (seconds or an HTTP date).
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	v = strings.TrimSpace(v)
	s, err := strconv.Atoi(v)
	if ne := (*strconv.NumError)(nil); errors.As(err, &ne) && ne.Err == strconv.ErrRange && v[0] != '-' {
		// More seconds than an int holds: the longest wait, not none
		// (which would retry at once).
		s, err = maxRetryAfterSeconds, nil
	}
	if err == nil {
		if s < 0 {
			return 0
		}
		if s > maxRetryAfterSeconds {
			s = maxRetryAfterSeconds // no overflow: a year is as good as forever
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
