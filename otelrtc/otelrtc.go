// Package otelrtc traces and measures RTC OpenAPI calls with OpenTelemetry.
// It plugs into the client through rtc.WithObserver, so the rtc module
// itself does not depend on OpenTelemetry:
//
//	client, err := rtc.New(rtc.WithObserver(otelrtc.NewObserver()))
//
// Every call becomes a client span named after the action (a child of the
// span in the caller's context), with one child span per attempt. The
// observer also records four metrics: the call duration histogram
// (rtc.client.call.duration) and counters of attempts, retries and
// throttled attempts. See the package's Attribute and metric name constants
// for what is recorded.
package otelrtc

import (
	"context"
	"errors"
	"net"
	"strconv"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/volcrtc/rtc"
)

// ScopeName is the instrumentation scope of the tracer and the meter.
const ScopeName = "github.com/volcrtc/rtc/otelrtc"

// Metric names.
const (
	// MetricCallDuration is a histogram of whole-call durations in seconds,
	// retries and waits included, by rpc.method and rtc.outcome.
	MetricCallDuration = "rtc.client.call.duration"
	// MetricAttempts counts attempts (HTTP requests tried), by rpc.method and
	// rtc.outcome of the attempt.
	MetricAttempts = "rtc.client.attempts"
	// MetricRetries counts attempts that were followed by a retry, by
	// rpc.method and rtc.outcome of the failed attempt.
	MetricRetries = "rtc.client.retries"
	// MetricThrottles counts attempts refused for exceeding the call rate
	// (errors.Is(err, rtc.ErrThrottled)), by rpc.method and rtc.outcome.
	MetricThrottles = "rtc.client.throttles"
)

// Attribute keys set on spans and metric points, besides the standard
// rpc.system, rpc.service, rpc.method, server.address, server.port,
// http.request.method and http.response.status_code.
const (
	// AttrRegion is the signing region (e.g. cn-north-1).
	AttrRegion = attribute.Key("rtc.region")
	// AttrAPIVersion is the action's API version (e.g. 2023-11-01).
	AttrAPIVersion = attribute.Key("rtc.api_version")
	// AttrRequestID is the request id the service answered with.
	AttrRequestID = attribute.Key("rtc.request_id")
	// AttrErrorCode is the service's error code (e.g. FlowLimitExceeded).
	AttrErrorCode = attribute.Key("rtc.error_code")
	// AttrAttempts is the number of attempts a call took (call spans).
	AttrAttempts = attribute.Key("rtc.attempts")
	// AttrAttempt is an attempt's 1-based number (attempt spans).
	AttrAttempt = attribute.Key("rtc.attempt")
	// AttrRetry says whether another attempt followed (attempt spans).
	AttrRetry = attribute.Key("rtc.retry")
	// AttrRetryDelay is the wait in seconds before the next attempt (attempt
	// spans, only when AttrRetry is true).
	AttrRetryDelay = attribute.Key("rtc.retry_delay_seconds")
	// AttrOutcome is a metric attribute: "ok", the service's error code, or
	// for failures without one "timeout", "canceled", "bad_response"
	// (an answer that was not a valid envelope) or "error".
	AttrOutcome = attribute.Key("rtc.outcome")
	// AttrOutcomeUnknown is true on the call span, and on its last attempt
	// span, of a call that failed with rtc.ErrOutcomeUnknown: the request
	// was sent, may have taken effect, and was not repeated. It is absent
	// otherwise.
	AttrOutcomeUnknown = attribute.Key("rtc.outcome_unknown")
)

const (
	keyRPCSystem  = attribute.Key("rpc.system")
	keyRPCService = attribute.Key("rpc.service")
	keyRPCMethod  = attribute.Key("rpc.method")
	keyAddress    = attribute.Key("server.address")
	keyPort       = attribute.Key("server.port")
	keyMethod     = attribute.Key("http.request.method")
	keyStatus     = attribute.Key("http.response.status_code")
	keyErrorType  = attribute.Key("error.type")
)

// Option configures NewObserver.
type Option func(*config)

type config struct {
	tp trace.TracerProvider
	mp metric.MeterProvider
}

// WithTracerProvider makes spans with tp instead of the global tracer
// provider (otel.GetTracerProvider).
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) {
		if tp != nil {
			c.tp = tp
		}
	}
}

// WithMeterProvider records metrics with mp instead of the global meter
// provider (otel.GetMeterProvider).
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) {
		if mp != nil {
			c.mp = mp
		}
	}
}

// durationBuckets are the call duration histogram's bucket boundaries in
// seconds: from a fast answer to a call that retried for a long time.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// observer is the rtc.Observer NewObserver returns.
type observer struct {
	tracer    trace.Tracer
	duration  metric.Float64Histogram
	attempts  metric.Int64Counter
	retries   metric.Int64Counter
	throttles metric.Int64Counter
}

// NewObserver returns an rtc.Observer that traces calls and attempts and
// records call metrics. Without options it uses the global tracer and meter
// providers, so it follows whatever otel.SetTracerProvider and
// otel.SetMeterProvider install, even later. It is safe for concurrent use;
// one observer may serve several clients.
func NewObserver(opts ...Option) rtc.Observer {
	cfg := config{}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.tp == nil {
		cfg.tp = otel.GetTracerProvider()
	}
	if cfg.mp == nil {
		cfg.mp = otel.GetMeterProvider()
	}
	ver := trace.WithInstrumentationVersion(rtc.Version)
	meter := cfg.mp.Meter(ScopeName, metric.WithInstrumentationVersion(rtc.Version))
	o := &observer{tracer: cfg.tp.Tracer(ScopeName, ver)}

	// An instrument that fails to build is still usable (it records
	// nothing); the error goes to the global OpenTelemetry error handler.
	var err error
	o.duration, err = meter.Float64Histogram(MetricCallDuration, metric.WithUnit("s"),
		metric.WithDescription("Duration of RTC OpenAPI calls, retries and waits included."),
		metric.WithExplicitBucketBoundaries(durationBuckets...))
	handle(err)
	o.attempts, err = meter.Int64Counter(MetricAttempts, metric.WithUnit("{attempt}"),
		metric.WithDescription("RTC OpenAPI attempts (HTTP requests tried)."))
	handle(err)
	o.retries, err = meter.Int64Counter(MetricRetries, metric.WithUnit("{retry}"),
		metric.WithDescription("RTC OpenAPI attempts that were retried."))
	handle(err)
	o.throttles, err = meter.Int64Counter(MetricThrottles, metric.WithUnit("{attempt}"),
		metric.WithDescription("RTC OpenAPI attempts refused for exceeding the call rate."))
	handle(err)
	return o
}

func handle(err error) {
	if err != nil {
		otel.Handle(err)
	}
}

// Private context keys: each observer finds its own spans, whatever other
// observers put in the context after it.
type (
	callSpanKey    struct{ o *observer }
	attemptSpanKey struct{ o *observer }
)

// CallStart starts the call span, a child of the span in ctx.
func (o *observer) CallStart(ctx context.Context, c rtc.CallInfo) context.Context {
	attrs := make([]attribute.KeyValue, 0, 8)
	attrs = append(attrs,
		keyRPCSystem.String("volcrtc"),
		keyRPCService.String(rtc.ServiceName),
		keyRPCMethod.String(c.Action),
		AttrRegion.String(c.Region),
		AttrAPIVersion.String(c.Version),
	)
	attrs = appendServer(attrs, c.Host)
	ctx, span := o.tracer.Start(ctx, c.Action, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	return context.WithValue(ctx, callSpanKey{o}, span)
}

// appendServer adds server.address and, when host has one, server.port.
func appendServer(attrs []attribute.KeyValue, host string) []attribute.KeyValue {
	if host == "" {
		return attrs
	}
	h, p, err := net.SplitHostPort(host)
	if err != nil {
		return append(attrs, keyAddress.String(host))
	}
	attrs = append(attrs, keyAddress.String(h))
	if n, err := strconv.Atoi(p); err == nil {
		attrs = append(attrs, keyPort.Int(n))
	}
	return attrs
}

// AttemptStart starts an attempt span, a child of this observer's call span
// (even when another observer put its own span in ctx since).
func (o *observer) AttemptStart(ctx context.Context, a rtc.AttemptInfo) context.Context {
	parent := ctx
	if call, ok := ctx.Value(callSpanKey{o}).(trace.Span); ok {
		parent = trace.ContextWithSpan(ctx, call)
	}
	_, span := o.tracer.Start(parent, a.Action+" attempt", trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(AttrAttempt.Int(a.Attempt), keyMethod.String(a.Method)))
	return context.WithValue(trace.ContextWithSpan(ctx, span), attemptSpanKey{o}, span)
}

// AttemptEnd ends the attempt span and counts the attempt.
func (o *observer) AttemptEnd(ctx context.Context, a rtc.AttemptInfo, r rtc.AttemptResult) {
	code, reqID := details(r.Err, r.ErrorCode, r.RequestID)
	if span, ok := ctx.Value(attemptSpanKey{o}).(trace.Span); ok {
		attrs := make([]attribute.KeyValue, 0, 6)
		if r.HTTPStatus != 0 {
			attrs = append(attrs, keyStatus.Int(r.HTTPStatus))
		}
		if reqID != "" {
			attrs = append(attrs, AttrRequestID.String(reqID))
		}
		if code != "" {
			attrs = append(attrs, AttrErrorCode.String(code))
		}
		if r.Err != nil {
			attrs = append(attrs, AttrRetry.Bool(r.Retry))
			if r.Retry {
				attrs = append(attrs, AttrRetryDelay.Float64(r.RetryDelay.Seconds()))
			}
			if r.OutcomeUnknown {
				attrs = append(attrs, AttrOutcomeUnknown.Bool(true))
			}
		}
		span.SetAttributes(attrs...)
		endWithError(span, r.Err, code)
	}

	outcome := outcomeOf(r.Err, code)
	set := metric.WithAttributeSet(attribute.NewSet(keyRPCMethod.String(a.Action), AttrOutcome.String(outcome)))
	o.attempts.Add(ctx, 1, set)
	if r.Retry {
		o.retries.Add(ctx, 1, set)
	}
	if errors.Is(r.Err, rtc.ErrThrottled) {
		o.throttles.Add(ctx, 1, set)
	}
}

// CallEnd ends the call span and records the call's duration.
func (o *observer) CallEnd(ctx context.Context, c rtc.CallInfo, r rtc.CallResult) {
	code, reqID := details(r.Err, r.ErrorCode, r.RequestID)
	if span, ok := ctx.Value(callSpanKey{o}).(trace.Span); ok {
		attrs := make([]attribute.KeyValue, 0, 4)
		attrs = append(attrs, AttrAttempts.Int(r.Attempts))
		if reqID != "" {
			attrs = append(attrs, AttrRequestID.String(reqID))
		}
		if code != "" {
			attrs = append(attrs, AttrErrorCode.String(code))
		}
		if r.OutcomeUnknown {
			attrs = append(attrs, AttrOutcomeUnknown.Bool(true))
		}
		span.SetAttributes(attrs...)
		endWithError(span, r.Err, code)
	}
	o.duration.Record(ctx, r.Duration.Seconds(), metric.WithAttributeSet(attribute.NewSet(
		keyRPCMethod.String(c.Action), AttrOutcome.String(outcomeOf(r.Err, code)))))
}

// details fills in the error code and request id from an *rtc.APIError when
// the pipeline left them empty.
func details(err error, code, reqID string) (string, string) {
	var ae *rtc.APIError
	if (code == "" || reqID == "") && errors.As(err, &ae) {
		if code == "" {
			code = ae.Code
		}
		if reqID == "" {
			reqID = ae.RequestID
		}
	}
	return code, reqID
}

// endWithError marks span as failed when err is not nil, then ends it.
func endWithError(span trace.Span, err error, code string) {
	if err != nil {
		span.SetAttributes(keyErrorType.String(outcomeOf(err, code)))
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}

// outcomeOf is the low-cardinality outcome of a call or attempt: "ok", the
// service's error code, or a class for failures without one.
func outcomeOf(err error, code string) string {
	var re *rtc.ResponseError
	switch {
	case err == nil:
		return "ok"
	case code != "":
		return code
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.As(err, &re):
		return "bad_response"
	}
	return "error"
}
