package rtc

import (
	"context"
	"errors"
	"strconv"
	"time"
)

// retryReason says why the pipeline did or did not retry a failed attempt.
// Its text is printed in the debug log ("decision") of every attempt.
type retryReason uint8

const (
	reasonNone              retryReason = iota // the attempt succeeded
	reasonBackoff                              // retried after the policy's backoff
	reasonRetryAfter                           // retried after the server's Retry-After
	reasonClockCorrected                       // retried at once with the corrected clock
	reasonContextDone                          // not retried: the context is done
	reasonNotRetryable                         // not retried: the error class is never retried
	reasonUnsafeAmbiguous                      // not retried: unsafe to repeat after an ambiguous failure
	reasonNoDate                               // not retried: InvalidTimestamp without a usable Date, or again after a correction
	reasonAttemptsUsed                         // not retried: MaxAttempts reached
	reasonRetryAfterTooLong                    // not retried: Retry-After over RetryPolicy.MaxRetryAfter
	reasonPastDeadline                         // not retried: the wait would pass the context's deadline
	reasonBudgetSpent                          // not retried: the client's retry budget is spent
	reasonRateLimiter                          // not retried: the rate limiter refused to wait
)

var retryReasonText = [...]string{
	reasonNone:              "succeeded",
	reasonBackoff:           "retried after backoff: the failure is safe to retry",
	reasonRetryAfter:        "retried after the wait the server asked for (Retry-After)",
	reasonClockCorrected:    "retried at once: the local clock was corrected from the response's Date header",
	reasonContextDone:       "not retried: the context is done",
	reasonNotRetryable:      "not retried: this kind of error does not go away by retrying",
	reasonUnsafeAmbiguous:   "not retried: the action is not safe to repeat after an ambiguous failure",
	reasonNoDate:            "not retried: the timestamp was refused and the clock cannot be corrected (no usable Date header, or already corrected once)",
	reasonAttemptsUsed:      "not retried: all attempts of the retry policy are used",
	reasonRetryAfterTooLong: "not retried: the server asked to wait longer than RetryPolicy.MaxRetryAfter; the wait is on the error (rtc.RetryAfter)",
	reasonPastDeadline:      "not retried: the wait before the next attempt would pass the context's deadline",
	reasonBudgetSpent:       "not retried: the client's retry budget is spent (the service keeps failing)",
	reasonRateLimiter:       "not retried: the rate limiter gave up waiting",
}

func (r retryReason) String() string {
	if int(r) < len(retryReasonText) {
		return retryReasonText[r]
	}
	return "retry reason " + strconv.Itoa(int(r))
}

// retryDecision is what the pipeline does after an attempt.
type retryDecision struct {
	retry  bool
	delay  time.Duration // the wait before the next attempt
	reason retryReason
}

func stop(r retryReason) retryDecision { return retryDecision{reason: r} }

// decide says whether to retry after an attempt, and after how long: the
// one place that decides (by the error table's classify, the action's retry
// safety, the policy and the client's retry budget); the loop in
// pipeline.go carries it out. st carries what earlier attempts learnt.
func (c *Client) decide(ctx context.Context, cl *call, p *RetryPolicy, out *attemptOutcome, attempt int, st *retryState) retryDecision {
	if out.err == nil {
		c.budget.refund(1)
		return stop(reasonNone)
	}
	d := c.decideFailure(ctx, cl, p, out, attempt, st)
	if d.retry {
		cost := retryCost
		if errors.Is(out.err, context.DeadlineExceeded) || ambiguousTransport(out.err) {
			cost = timeoutRetryCost
		}
		if !c.budget.take(cost) {
			d = stop(reasonBudgetSpent)
		}
	}
	if !d.retry && cl.op.Safety == unsafeToRepeat && classify(out.err, p) == failAmbiguous {
		// Sent, maybe carried out, and not repeated: say so.
		out.err = &OutcomeUnknownError{Action: cl.op.Action, Err: out.err}
	}
	return d
}

// settleTaskExists turns a TaskAlreadyExists answer into the success it
// is when an earlier, ambiguous attempt of a Start keyed by its TaskId
// (safeWithTaskID) created the task.
func (c *Client) settleTaskExists(cl *call, out *attemptOutcome, st *retryState) {
	if out.err == nil || !st.ambiguous || cl.op.Safety != safeWithTaskID || !errors.Is(out.err, ErrTaskExists) {
		return
	}
	var ae *APIError
	errors.As(out.err, &ae)
	out.meta = &ResponseMetadata{RequestID: ae.RequestID, Action: cl.op.Action, Version: cl.version, Service: ServiceName, Region: c.region}
	out.err = nil
	if ms, ok := cl.out.(messageSetter); ok {
		ms.setMessage("success")
	}
}

// decideFailure decides after a failed attempt, before the budget.
func (c *Client) decideFailure(ctx context.Context, cl *call, p *RetryPolicy, out *attemptOutcome, attempt int, st *retryState) retryDecision {
	if ctx.Err() != nil {
		return stop(reasonContextDone)
	}
	switch classify(out.err, p) {
	case failRetryable:
	case failAmbiguous:
		st.ambiguous = true
		if cl.op.Safety == unsafeToRepeat {
			return stop(reasonUnsafeAmbiguous)
		}
	case failTimestamp:
		if st.clockFixed || !c.correctClock(out.header) {
			return stop(reasonNoDate)
		}
		st.clockFixed = true
		st.maxAttempts++ // the corrected retry does not count
		return retryDecision{retry: true, reason: reasonClockCorrected}
	default:
		return stop(reasonNotRetryable)
	}
	ra, hasRA := RetryAfter(out.err)
	if hasRA && ra > p.MaxRetryAfter {
		return stop(reasonRetryAfterTooLong)
	}
	if attempt >= st.maxAttempts {
		return stop(reasonAttemptsUsed)
	}
	d := retryDecision{retry: true, delay: p.backoff(attempt), reason: reasonBackoff}
	if hasRA && ra > d.delay {
		d.delay, d.reason = ra, reasonRetryAfter
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= d.delay {
		return stop(reasonPastDeadline)
	}
	return d
}

// retryState is what the retry loop carries from attempt to attempt.
type retryState struct {
	maxAttempts int
	ambiguous   bool // an earlier attempt may have been carried out
	clockFixed  bool // the clock was corrected once already
}
