package rtc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// attemptOutcome is what one attempt returned.
type attemptOutcome struct {
	meta    *ResponseMetadata
	status  int
	header  http.Header
	err     error
	took    time.Duration
	errCode string
}

// requestID is the attempt's request id, from the envelope or its error.
func (o *attemptOutcome) requestID() string {
	if o.meta != nil {
		return o.meta.RequestID
	}
	var ae *APIError
	if errors.As(o.err, &ae) {
		return ae.RequestID
	}
	var re *ResponseError
	if errors.As(o.err, &re) {
		return re.RequestID // from the X-Tt-Logid (or X-Request-Id) header
	}
	return ""
}

// do sends a prepared call, retrying as the policy allows.
func (c *Client) do(ctx context.Context, cl *call) (*ResponseMetadata, error) {
	if ctx == nil {
		return nil, errors.New("rtc: " + cl.op.Action + ": nil context; pass context.Background() or a request's context")
	}
	policy := &c.retry
	if cl.cfg.retry != nil {
		policy = cl.cfg.retry
	}
	if cl.cfg.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cl.cfg.timeout)
		defer cancel()
	}
	if len(c.observers) == 0 {
		out, _ := c.attempts(ctx, cl, policy, CallInfo{}, false)
		return out.meta, out.err
	}
	start := time.Now()
	info := CallInfo{Action: cl.op.Action, Version: cl.version, Method: cl.op.Method, Region: c.region, Host: c.ep.host}
	for _, o := range c.observers {
		if nc := o.CallStart(ctx, info); nc != nil {
			ctx = nc
		}
	}
	out, attempts := c.attempts(ctx, cl, policy, info, true)
	r := CallResult{Attempts: attempts, ErrorCode: out.errCode, Err: out.err, Duration: time.Since(start), RequestID: out.requestID(),
		OutcomeUnknown: errors.Is(out.err, ErrOutcomeUnknown)}
	for _, o := range c.observers {
		o.CallEnd(ctx, info, r)
	}
	return out.meta, out.err
}

// attempts is the retry loop: it makes attempts and carries out what
// decide says after each (retryDecision), and returns the last outcome and
// the number of attempts made.
func (c *Client) attempts(ctx context.Context, cl *call, policy *RetryPolicy, info CallInfo, observed bool) (attemptOutcome, int) {
	var (
		out     attemptOutcome
		attempt int
		d       retryDecision
		st      = retryState{maxAttempts: policy.MaxAttempts}
	)
	for {
		attempt++
		actx := ctx
		if observed {
			ai := AttemptInfo{CallInfo: info, Attempt: attempt}
			for _, o := range c.observers {
				if nc := o.AttemptStart(actx, ai); nc != nil {
					actx = nc
				}
			}
		}
		if c.limiter != nil {
			if err := c.limiter.Wait(actx, cl.op.Action); err != nil {
				out = attemptOutcome{err: fmt.Errorf("rtc: %s: rate limiter: %w", cl.op.Action, err)}
				d = stop(reasonRateLimiter)
				c.endAttempt(actx, cl, info, attempt, &out, d)
				break
			}
		}
		out = c.attempt(actx, cl, attempt)
		c.settleTaskExists(cl, &out, &st)
		d = c.decide(ctx, cl, policy, &out, attempt, &st)
		c.endAttempt(actx, cl, info, attempt, &out, d)
		if !d.retry {
			break
		}
		if err := c.sleep(ctx, d.delay); err != nil {
			out.err = fmt.Errorf("rtc: %s: waiting %v to retry after %v: %w", cl.op.Action, d.delay.Round(time.Millisecond), out.err, err)
			break
		}
	}
	if d.reason == reasonBudgetSpent && c.logger != nil {
		c.logger.LogAttrs(ctx, slog.LevelWarn, "rtc: retry budget exhausted; failing fast", slog.String("action", cl.op.Action), slog.String("error_code", out.errCode))
	}
	return out, attempt
}

func ambiguousTransport(err error) bool {
	var te *transportError
	return errors.As(err, &te) && !notSent(err)
}

// MaxClockCorrection bounds the clock correction learnt from a Date header
// after an InvalidTimestamp answer: a Date further than this from the local
// clock is ignored (with a warning), and the call fails with the
// InvalidTimestamp error. Sync the clock (NTP) instead.
const MaxClockCorrection = 24 * time.Hour

// clockCorrection is the offset between a host's clock and ours.
type clockCorrection struct {
	host   string
	offset time.Duration
}

// correctClock learns the offset between the server's clock (the Date
// header) and ours, for the client's endpoint only. It reports whether there
// was a usable Date within MaxClockCorrection.
func (c *Client) correctClock(h http.Header) bool {
	if h == nil {
		return false
	}
	t, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		return false
	}
	off := t.Sub(c.clock())
	if off > MaxClockCorrection || off < -MaxClockCorrection {
		if c.logger != nil {
			c.logger.LogAttrs(context.Background(), slog.LevelWarn, "rtc: ignoring a Date header that would move the signing clock too far; sync the local clock with NTP",
				slog.Duration("offset", off.Round(time.Second)), slog.Duration("limit", MaxClockCorrection))
		}
		return false
	}
	c.clockFix.Store(&clockCorrection{host: c.ep.host, offset: off})
	if c.logger != nil {
		c.logger.LogAttrs(context.Background(), slog.LevelWarn, "rtc: the local clock differs from the service's; correcting signatures (sync the clock with NTP)", slog.Duration("offset", off.Round(time.Second)))
	}
	return true
}

// endAttempt logs the attempt and tells observers.
func (c *Client) endAttempt(ctx context.Context, cl *call, info CallInfo, attempt int, out *attemptOutcome, d retryDecision) {
	if c.logger != nil && c.logger.Enabled(ctx, slog.LevelDebug) {
		attrs := []slog.Attr{
			slog.String("action", cl.op.Action), slog.String("version", cl.version),
			slog.Int("attempt", attempt), slog.Int("status", out.status),
			slog.Duration("latency", out.took),
		}
		if id := out.requestID(); id != "" {
			attrs = append(attrs, slog.String("request_id", id))
		}
		if out.errCode != "" {
			attrs = append(attrs, slog.String("error_code", out.errCode))
		}
		if out.err != nil {
			attrs = append(attrs, slog.String("error", out.err.Error()), slog.Bool("retry", d.retry))
			if d.retry {
				attrs = append(attrs, slog.Duration("retry_in", d.delay))
			}
			attrs = append(attrs, slog.String("decision", d.reason.String()))
			if errors.Is(out.err, ErrOutcomeUnknown) {
				attrs = append(attrs, slog.Bool("outcome_unknown", true))
			}
		}
		c.logger.LogAttrs(ctx, slog.LevelDebug, "rtc: attempt", attrs...)
	}
	if len(c.observers) > 0 {
		r := AttemptResult{HTTPStatus: out.status, ErrorCode: out.errCode, Err: out.err, Duration: out.took, Retry: d.retry, RetryDelay: d.delay, RequestID: out.requestID()}
		if out.err != nil {
			r.Decision = d.reason.String()
			r.OutcomeUnknown = errors.Is(out.err, ErrOutcomeUnknown)
		}
		ai := AttemptInfo{CallInfo: info, Attempt: attempt}
		for _, o := range c.observers {
			o.AttemptEnd(ctx, ai, r)
		}
	}
}
