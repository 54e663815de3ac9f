package rtc

import (
	"context"
	"time"
)

// Observer is an instrumentation hook around the pipeline, for metrics and
// tracing (the otelrtc module builds on it). Its methods are called
// synchronously on the calling goroutine and must be quick and safe for
// concurrent use. The contexts they return replace the call's and the
// attempt's context, so an observer can carry a span (a nil context is
// ignored).
type Observer interface {
	// CallStart is called once per call, after the request was validated
	// and encoded (a request that fails validation is never sent and not
	// observed).
	CallStart(ctx context.Context, call CallInfo) context.Context
	// AttemptStart is called before each attempt is sent; the returned
	// context is the HTTP request's.
	AttemptStart(ctx context.Context, attempt AttemptInfo) context.Context
	// AttemptEnd is called after each attempt with its outcome and the retry
	// decision.
	AttemptEnd(ctx context.Context, attempt AttemptInfo, result AttemptResult)
	// CallEnd is called once per call with its outcome.
	CallEnd(ctx context.Context, call CallInfo, result CallResult)
}

// CallInfo describes a call.
type CallInfo struct {
	Action  string
	Version string
	Method  string // GET or POST
	Region  string
	Host    string
}

// AttemptInfo describes one attempt of a call.
type AttemptInfo struct {
	CallInfo
	Attempt int // 1-based
}

// AttemptResult is what one attempt came to.
type AttemptResult struct {
	HTTPStatus int    // 0 when no response arrived
	RequestID  string // from the envelope, when there was one
	ErrorCode  string // the APIError code, when there was one
	Err        error
	Duration   time.Duration
	Retry      bool          // whether another attempt follows
	RetryDelay time.Duration // the wait before it
	// Decision says, on a failed attempt, why it was or was not retried
	// (the debug log's "decision"), e.g. "not retried: the action is not
	// safe to repeat after an ambiguous failure". Empty on success.
	Decision string
	// OutcomeUnknown is true on the last attempt of a call that failed with
	// ErrOutcomeUnknown: the request was sent, may have taken effect, and
	// is not repeated.
	OutcomeUnknown bool
}

// CallResult is what a whole call came to.
type CallResult struct {
	Attempts  int
	RequestID string
	ErrorCode string
	Err       error
	Duration  time.Duration
	// OutcomeUnknown is true when the call failed with ErrOutcomeUnknown:
	// its request was sent and may have taken effect.
	OutcomeUnknown bool
}

// ObserverFuncs is an Observer from optional functions; nil ones do nothing.
type ObserverFuncs struct {
	OnCallStart    func(ctx context.Context, call CallInfo) context.Context
	OnAttemptStart func(ctx context.Context, attempt AttemptInfo) context.Context
	OnAttemptEnd   func(ctx context.Context, attempt AttemptInfo, result AttemptResult)
	OnCallEnd      func(ctx context.Context, call CallInfo, result CallResult)
}

// CallStart calls OnCallStart.
func (o ObserverFuncs) CallStart(ctx context.Context, c CallInfo) context.Context {
	if o.OnCallStart != nil {
		if nc := o.OnCallStart(ctx, c); nc != nil {
			return nc
		}
	}
	return ctx
}

// AttemptStart calls OnAttemptStart.
func (o ObserverFuncs) AttemptStart(ctx context.Context, a AttemptInfo) context.Context {
	if o.OnAttemptStart != nil {
		if nc := o.OnAttemptStart(ctx, a); nc != nil {
			return nc
		}
	}
	return ctx
}

// AttemptEnd calls OnAttemptEnd.
func (o ObserverFuncs) AttemptEnd(ctx context.Context, a AttemptInfo, r AttemptResult) {
	if o.OnAttemptEnd != nil {
		o.OnAttemptEnd(ctx, a, r)
	}
}

// CallEnd calls OnCallEnd.
func (o ObserverFuncs) CallEnd(ctx context.Context, c CallInfo, r CallResult) {
	if o.OnCallEnd != nil {
		o.OnCallEnd(ctx, c, r)
	}
}
