package otelrtc_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/otelrtc"
	"github.com/volcrtc/rtc/rtctest"
)

// The test account's key pair, accepted by the fake server.
const (
	testAccessKeyID     = "AKOTEL"
	testSecretAccessKey = "otel-secret"
)

// unavailable is one 503 answer: with nothing injected after it, the next
// attempt succeeds.
var unavailable = rtctest.Fault{Status: http.StatusServiceUnavailable, Code: "ServiceUnavailableTemp"}

// newServer starts the fake RTC OpenAPI server with faults injected for
// action, in order. When the test ends it checks that every request the
// server saw was signed correctly.
func newServer(t *testing.T, action string, faults ...rtctest.Fault) *rtctest.Server {
	t.Helper()
	srv := rtctest.NewServer(rtctest.WithCredentials(testAccessKeyID, testSecretAccessKey))
	for _, f := range faults {
		srv.InjectFault(action, f)
	}
	t.Cleanup(func() {
		srv.Close()
		for _, r := range srv.Requests() {
			require.True(t, r.SignatureVerified, "%s %s: signature", r.Action, r.RequestID)
		}
	})
	return srv
}

// requestIDs returns the request ids the server answered with, in arrival
// order.
func requestIDs(srv *rtctest.Server) []string {
	var ids []string
	for _, r := range srv.Requests() {
		ids = append(ids, r.RequestID)
	}
	return ids
}

// startRecord is a valid StartRecord input for task.
func startRecord(task string) map[string]any {
	return map[string]any{"AppId": "app", "RoomId": "r1", "TaskId": task, "StorageConfig": map[string]any{"Type": 0, "TosConfig": map[string]any{"AccountId": "acc", "Bucket": "b"}}}
}

// onlineUsers is a valid GetRoomOnlineUsers input (query parameters, so
// Call sends a GET); the fake needs no state to answer it.
var onlineUsers = url.Values{"AppId": {"app"}, "RoomId": {"r1"}}

// telemetry is an in-memory tracer and meter provider pair.
type telemetry struct {
	spans  *tracetest.SpanRecorder
	tp     *sdktrace.TracerProvider
	reader *sdkmetric.ManualReader
	mp     *sdkmetric.MeterProvider
}

func newTelemetry(t *testing.T) *telemetry {
	t.Helper()
	tel := &telemetry{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	tel.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tel.spans))
	tel.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(tel.reader))
	t.Cleanup(func() {
		_ = tel.tp.Shutdown(context.Background())
		_ = tel.mp.Shutdown(context.Background())
	})
	return tel
}

func (tel *telemetry) observer() rtc.Observer {
	return otelrtc.NewObserver(otelrtc.WithTracerProvider(tel.tp), otelrtc.WithMeterProvider(tel.mp))
}

func newClient(t *testing.T, url string, opts ...rtc.Option) *rtc.Client {
	t.Helper()
	base := []rtc.Option{
		rtc.WithEndpoint(url),
		rtc.WithCredentials(rtc.Credentials{AccessKeyID: testAccessKeyID, SecretAccessKey: testSecretAccessKey}),
		rtc.WithRetry(rtc.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}),
	}
	c, err := rtc.New(append(base, opts...)...)
	require.NoError(t, err)
	return c
}

// attrs turns a span's attributes into a map.
func attrs(kvs []attribute.KeyValue) map[string]any {
	m := make(map[string]any, len(kvs))
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.AsInterface()
	}
	return m
}

// find returns the one ended span named name.
func find(t *testing.T, spans []sdktrace.ReadOnlySpan, name string) sdktrace.ReadOnlySpan {
	t.Helper()
	var found sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.Name() == name {
			require.Nil(t, found, "two spans named %q", name)
			found = s
		}
	}
	require.NotNil(t, found, "no span named %q", name)
	return found
}

// attempts returns the attempt spans in attempt order.
func attemptSpans(spans []sdktrace.ReadOnlySpan, action string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.Name() == action+" attempt" {
			out = append(out, s)
		}
	}
	return out
}

func TestSpansForRetriedCall(t *testing.T) {
	tel := newTelemetry(t)
	srv := newServer(t, "StartRecord", unavailable)
	c := newClient(t, srv.URL, rtc.WithObserver(tel.observer()))

	ctx, parent := tel.tp.Tracer("test").Start(context.Background(), "handler")
	meta, err := c.Call(ctx, "StartRecord", "2023-11-01", startRecord("t1"), nil)
	parent.End()
	require.NoError(t, err)
	ids := requestIDs(srv)
	require.Len(t, ids, 2)
	require.Equal(t, ids[1], meta.RequestID)

	ended := tel.spans.Ended()
	require.Len(t, ended, 4, "handler, call, two attempts")
	call := find(t, ended, "StartRecord")
	handler := find(t, ended, "handler")

	require.Equal(t, trace.SpanKindClient, call.SpanKind())
	require.Equal(t, handler.SpanContext().SpanID(), call.Parent().SpanID(), "the call span is a child of the caller's span")
	require.Equal(t, handler.SpanContext().TraceID(), call.SpanContext().TraceID())
	require.Equal(t, otelrtc.ScopeName, call.InstrumentationScope().Name)
	host, port := splitURL(t, srv.URL)
	require.Equal(t, map[string]any{
		"rpc.system":      "volcrtc",
		"rpc.service":     "rtc",
		"rpc.method":      "StartRecord",
		"rtc.region":      "cn-north-1",
		"rtc.api_version": "2023-11-01",
		"server.address":  host,
		"server.port":     port,
		"rtc.request_id":  ids[1],
		"rtc.attempts":    int64(2),
	}, attrs(call.Attributes()))
	require.Equal(t, codes.Unset, call.Status().Code)
	require.Empty(t, call.Events())

	atts := attemptSpans(ended, "StartRecord")
	require.Len(t, atts, 2)
	tests := []struct {
		name   string
		want   map[string]any
		status codes.Code
	}{
		{"attempt 1: 503, retried", map[string]any{
			"rtc.attempt": int64(1), "http.request.method": "POST", "http.response.status_code": int64(503),
			"rtc.error_code": "ServiceUnavailableTemp", "rtc.request_id": ids[0], "rtc.retry": true,
			"error.type": "ServiceUnavailableTemp",
		}, codes.Error},
		{"attempt 2: 200", map[string]any{
			"rtc.attempt": int64(2), "http.request.method": "POST", "http.response.status_code": int64(200),
			"rtc.request_id": ids[1],
		}, codes.Unset},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := atts[i]
			require.Equal(t, call.SpanContext().SpanID(), s.Parent().SpanID(), "attempts are children of the call")
			require.Equal(t, call.SpanContext().TraceID(), s.SpanContext().TraceID())
			require.Equal(t, trace.SpanKindInternal, s.SpanKind())
			got := attrs(s.Attributes())
			if tt.want["rtc.retry"] == true {
				d, ok := got["rtc.retry_delay_seconds"].(float64)
				require.True(t, ok, "retry delay recorded")
				require.GreaterOrEqual(t, d, 0.0)
				require.Less(t, d, 0.001, "full jitter below the first ceiling")
				delete(got, "rtc.retry_delay_seconds")
			}
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.status, s.Status().Code)
			require.False(t, s.StartTime().Before(call.StartTime()))
			require.False(t, s.EndTime().After(call.EndTime()))
		})
	}
	require.False(t, atts[1].StartTime().Before(atts[0].EndTime()), "attempts do not overlap")
}

func splitURL(t *testing.T, u string) (string, int64) {
	t.Helper()
	hostport := strings.TrimPrefix(u, "http://")
	i := strings.LastIndexByte(hostport, ':')
	require.Positive(t, i)
	var port int64
	_, err := fmt.Sscan(hostport[i+1:], &port)
	require.NoError(t, err)
	return hostport[:i], port
}

func TestSpanForFailedCall(t *testing.T) {
	tests := []struct {
		name     string
		fault    rtctest.Fault
		code     string
		attempts int
		is       error
	}{
		{"fatal", rtctest.Fault{Status: http.StatusForbidden, Code: "AccessDenied"}, "AccessDenied", 1, rtc.ErrAccessDenied},
		{"throttled until attempts run out", rtctest.Fault{Times: rtctest.Always, Status: http.StatusTooManyRequests, Code: "FlowLimitExceeded"},
			"FlowLimitExceeded", 3, rtc.ErrThrottled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tel := newTelemetry(t)
			srv := newServer(t, "StopRecord", tt.fault)
			c := newClient(t, srv.URL, rtc.WithObserver(tel.observer()))
			stop := map[string]string{"AppId": "app", "RoomId": "r1", "TaskId": "t1"}
			_, err := c.Call(context.Background(), "StopRecord", "2023-11-01", stop, nil)
			require.ErrorIs(t, err, tt.is)
			ids := requestIDs(srv)
			require.Len(t, ids, tt.attempts)

			ended := tel.spans.Ended()
			call := ended[len(ended)-1]
			require.Equal(t, "StopRecord", call.Name(), "the call span ends last")
			require.False(t, call.Parent().IsValid(), "no caller span: the call span is a root")
			got := attrs(call.Attributes())
			require.Equal(t, tt.code, got["rtc.error_code"])
			require.Equal(t, tt.code, got["error.type"])
			require.Equal(t, int64(tt.attempts), got["rtc.attempts"])
			require.Equal(t, ids[tt.attempts-1], got["rtc.request_id"], "the last attempt's request id, from the error")
			require.Equal(t, codes.Error, call.Status().Code)
			require.Equal(t, err.Error(), call.Status().Description)
			require.Len(t, call.Events(), 1)
			ev := call.Events()[0]
			require.Equal(t, "exception", ev.Name)
			require.Equal(t, err.Error(), attrs(ev.Attributes)["exception.message"])

			atts := attemptSpans(ended, "StopRecord")
			require.Len(t, atts, tt.attempts)
			for i, s := range atts {
				a := attrs(s.Attributes())
				require.Equal(t, int64(i+1), a["rtc.attempt"])
				require.Equal(t, i < tt.attempts-1, a["rtc.retry"], "attempt %d", i+1)
				require.Equal(t, tt.code, a["rtc.error_code"])
				require.Equal(t, ids[i], a["rtc.request_id"])
				require.Equal(t, codes.Error, s.Status().Code)
				require.Equal(t, call.SpanContext().SpanID(), s.Parent().SpanID())
			}
		})
	}
}

// collected reads every metric once.
func collected(t *testing.T, tel *telemetry) map[string]metricdata.Aggregation {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, tel.reader.Collect(context.Background(), &rm))
	out := map[string]metricdata.Aggregation{}
	for _, sm := range rm.ScopeMetrics {
		require.Equal(t, otelrtc.ScopeName, sm.Scope.Name)
		for _, m := range sm.Metrics {
			out[m.Name] = m.Data
		}
	}
	return out
}

// counts maps "method/outcome" to a counter's value.
func counts(t *testing.T, data metricdata.Aggregation) map[string]int64 {
	t.Helper()
	if data == nil {
		return map[string]int64{}
	}
	sum, ok := data.(metricdata.Sum[int64])
	require.True(t, ok, "an int64 sum, got %T", data)
	require.True(t, sum.IsMonotonic)
	out := map[string]int64{}
	for _, dp := range sum.DataPoints {
		require.Equal(t, 2, dp.Attributes.Len(), "only rpc.method and rtc.outcome")
		out[key(dp.Attributes)] += dp.Value
	}
	return out
}

func key(set attribute.Set) string {
	m, _ := set.Value("rpc.method")
	o, _ := set.Value("rtc.outcome")
	return m.AsString() + "/" + o.AsString()
}

func TestMetrics(t *testing.T) {
	tests := []struct {
		name      string
		faults    []rtctest.Fault
		calls     int
		attempts  map[string]int64
		retries   map[string]int64
		throttles map[string]int64
		durations map[string]uint64 // histogram counts
	}{
		{
			name: "503 then 200", faults: []rtctest.Fault{unavailable}, calls: 1,
			attempts:  map[string]int64{"StartRecord/ServiceUnavailableTemp": 1, "StartRecord/ok": 1},
			retries:   map[string]int64{"StartRecord/ServiceUnavailableTemp": 1},
			throttles: map[string]int64{},
			durations: map[string]uint64{"StartRecord/ok": 1},
		},
		{
			name: "throttled, then ok, then fine", faults: []rtctest.Fault{{Status: http.StatusTooManyRequests, Code: "FlowLimitExceeded"}}, calls: 2,
			attempts:  map[string]int64{"StartRecord/FlowLimitExceeded": 1, "StartRecord/ok": 2},
			retries:   map[string]int64{"StartRecord/FlowLimitExceeded": 1},
			throttles: map[string]int64{"StartRecord/FlowLimitExceeded": 1},
			durations: map[string]uint64{"StartRecord/ok": 2},
		},
		{
			name: "always throttled", faults: []rtctest.Fault{{Times: rtctest.Always, Status: http.StatusTooManyRequests, Code: "AccountFlowLimitExceeded"}}, calls: 1,
			attempts:  map[string]int64{"StartRecord/AccountFlowLimitExceeded": 3},
			retries:   map[string]int64{"StartRecord/AccountFlowLimitExceeded": 2},
			throttles: map[string]int64{"StartRecord/AccountFlowLimitExceeded": 3},
			durations: map[string]uint64{"StartRecord/AccountFlowLimitExceeded": 1},
		},
		{
			name: "not an envelope", faults: []rtctest.Fault{{Status: http.StatusBadRequest, Body: []byte("<html><body>400 Bad Request</body></html>")}}, calls: 1,
			attempts:  map[string]int64{"StartRecord/bad_response": 1},
			retries:   map[string]int64{},
			throttles: map[string]int64{},
			durations: map[string]uint64{"StartRecord/bad_response": 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tel := newTelemetry(t)
			srv := newServer(t, "StartRecord", tt.faults...)
			c := newClient(t, srv.URL, rtc.WithObserver(tel.observer()))
			start := time.Now()
			for i := range tt.calls {
				_, _ = c.Call(context.Background(), "StartRecord", "2023-11-01", startRecord(fmt.Sprintf("t%d", i)), nil)
			}
			elapsed := time.Since(start).Seconds()

			got := collected(t, tel)
			require.Equal(t, tt.attempts, counts(t, got[otelrtc.MetricAttempts]))
			require.Equal(t, tt.retries, counts(t, got[otelrtc.MetricRetries]))
			require.Equal(t, tt.throttles, counts(t, got[otelrtc.MetricThrottles]))

			hist, ok := got[otelrtc.MetricCallDuration].(metricdata.Histogram[float64])
			require.True(t, ok, "a float64 histogram, got %T", got[otelrtc.MetricCallDuration])
			durations := map[string]uint64{}
			var sum float64
			for _, dp := range hist.DataPoints {
				durations[key(dp.Attributes)] += dp.Count
				sum += dp.Sum
				require.Equal(t, 0.005, dp.Bounds[0], "second-scale buckets")
			}
			require.Equal(t, tt.durations, durations)
			require.Positive(t, sum)
			require.LessOrEqual(t, sum, elapsed, "durations are in seconds")
		})
	}
}

func TestMetricUnits(t *testing.T) {
	tel := newTelemetry(t)
	srv := newServer(t, "")
	c := newClient(t, srv.URL, rtc.WithObserver(tel.observer()))
	_, err := c.Call(context.Background(), "GetRoomOnlineUsers", "2023-11-01", onlineUsers, nil)
	require.NoError(t, err)

	var rm metricdata.ResourceMetrics
	require.NoError(t, tel.reader.Collect(context.Background(), &rm))
	units := map[string]string{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			units[m.Name] = m.Unit
			require.NotEmpty(t, m.Description, m.Name)
		}
	}
	// Retries and throttles saw no data, so only these two are exported.
	require.Equal(t, map[string]string{otelrtc.MetricCallDuration: "s", otelrtc.MetricAttempts: "{attempt}"}, units)
}

func TestGlobalProvidersByDefault(t *testing.T) {
	tel := newTelemetry(t)
	prevT, prevM := otel.GetTracerProvider(), otel.GetMeterProvider()
	t.Cleanup(func() { otel.SetTracerProvider(prevT); otel.SetMeterProvider(prevM) })
	otel.SetTracerProvider(tel.tp)
	otel.SetMeterProvider(tel.mp)

	srv := newServer(t, "")
	c := newClient(t, srv.URL, rtc.WithObserver(otelrtc.NewObserver(nil)))
	_, err := c.Call(context.Background(), "GetRoomOnlineUsers", "2023-11-01", onlineUsers, nil)
	require.NoError(t, err)

	names := map[string]bool{}
	for _, s := range tel.spans.Ended() {
		names[s.Name()] = true
	}
	require.Equal(t, map[string]bool{"GetRoomOnlineUsers": true, "GetRoomOnlineUsers attempt": true}, names)
	require.Equal(t, map[string]int64{"GetRoomOnlineUsers/ok": 1}, counts(t, collected(t, tel)[otelrtc.MetricAttempts]))
}

func TestTwoObserversKeepTheirOwnSpans(t *testing.T) {
	a, b := newTelemetry(t), newTelemetry(t)
	srv := newServer(t, "StartRecord", unavailable)
	c := newClient(t, srv.URL, rtc.WithObserver(a.observer()), rtc.WithObserver(b.observer()))
	_, err := c.Call(context.Background(), "StartRecord", "2023-11-01", startRecord("t1"), nil)
	require.NoError(t, err)

	for name, tel := range map[string]*telemetry{"a": a, "b": b} {
		t.Run(name, func(t *testing.T) {
			ended := tel.spans.Ended()
			require.Len(t, ended, 3)
			call := ended[2]
			require.Equal(t, "StartRecord", call.Name())
			require.Equal(t, int64(2), attrs(call.Attributes())["rtc.attempts"])
			for i, s := range attemptSpans(ended, "StartRecord") {
				require.Equal(t, int64(i+1), attrs(s.Attributes())["rtc.attempt"])
				require.Equal(t, call.SpanContext().SpanID(), s.Parent().SpanID())
			}
		})
	}
	// b's call span sits under a's (b started inside a's context).
	aCall, bCall := a.spans.Ended()[2], b.spans.Ended()[2]
	require.False(t, aCall.Parent().IsValid())
	require.Equal(t, aCall.SpanContext().SpanID(), bCall.Parent().SpanID())
	require.Equal(t, aCall.SpanContext().TraceID(), bCall.SpanContext().TraceID())
}

func TestConcurrentCalls(t *testing.T) {
	tel := newTelemetry(t)
	srv := newServer(t, "")
	c := newClient(t, srv.URL, rtc.WithObserver(tel.observer()))
	const n = 16
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, parent := tel.tp.Tracer("test").Start(context.Background(), fmt.Sprintf("job-%d", i))
			defer parent.End()
			_, err := c.Call(ctx, "GetRoomOnlineUsers", "2023-11-01", onlineUsers, nil)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	ended := tel.spans.Ended()
	require.Len(t, ended, 3*n)
	bySpanID := map[trace.SpanID]sdktrace.ReadOnlySpan{}
	for _, s := range ended {
		bySpanID[s.SpanContext().SpanID()] = s
	}
	for _, s := range attemptSpans(ended, "GetRoomOnlineUsers") {
		call := bySpanID[s.Parent().SpanID()]
		require.Equal(t, "GetRoomOnlineUsers", call.Name())
		job := bySpanID[call.Parent().SpanID()]
		require.True(t, strings.HasPrefix(job.Name(), "job-"))
		require.Equal(t, job.SpanContext().TraceID(), s.SpanContext().TraceID())
	}
	require.Equal(t, map[string]int64{"GetRoomOnlineUsers/ok": n}, counts(t, collected(t, tel)[otelrtc.MetricAttempts]))
}

// spanSpy records the span each HTTP request's context carries.
type spanSpy struct {
	mu  sync.Mutex
	ids []trace.SpanID
}

func (s *spanSpy) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	s.ids = append(s.ids, trace.SpanContextFromContext(r.Context()).SpanID())
	s.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

func TestHTTPRequestCarriesTheAttemptSpan(t *testing.T) {
	tel := newTelemetry(t)
	srv := newServer(t, "StartRecord", unavailable)
	spy := &spanSpy{}
	c := newClient(t, srv.URL, rtc.WithObserver(tel.observer()), rtc.WithHTTPClient(&http.Client{Transport: spy}))
	_, err := c.Call(context.Background(), "StartRecord", "2023-11-01", startRecord("t1"), nil)
	require.NoError(t, err)

	atts := attemptSpans(tel.spans.Ended(), "StartRecord")
	require.Len(t, atts, 2)
	// An instrumented transport (otelhttp) would nest its span under the attempt.
	require.Equal(t, []trace.SpanID{atts[0].SpanContext().SpanID(), atts[1].SpanContext().SpanID()}, spy.ids)
}

// TestSpanMarksUnknownOutcome: a call whose action may have taken effect and
// was not repeated (a 500 for an action called through Call, which the SDK
// never repeats) carries rtc.outcome_unknown on its call span and its
// attempt span; a refused call does not.
func TestSpanMarksUnknownOutcome(t *testing.T) {
	tel := newTelemetry(t)
	srv := newServer(t, "StopRecord", rtctest.Fault{Status: http.StatusInternalServerError, Code: "InternalError"},
		rtctest.Fault{Status: http.StatusForbidden, Code: "AccessDenied"})
	c := newClient(t, srv.URL, rtc.WithObserver(tel.observer()))
	stop := map[string]string{"AppId": "app", "RoomId": "r1", "TaskId": "t1"}
	_, err := c.Call(context.Background(), "StopRecord", "2023-11-01", stop, nil)
	require.ErrorIs(t, err, rtc.ErrOutcomeUnknown)
	ended := tel.spans.Ended()
	require.Len(t, ended, 2, "one attempt, not repeated")
	for _, s := range ended {
		require.Equal(t, true, attrs(s.Attributes())[string(otelrtc.AttrOutcomeUnknown)], s.Name())
	}

	_, err = c.Call(context.Background(), "StopRecord", "2023-11-01", stop, nil)
	require.ErrorIs(t, err, rtc.ErrAccessDenied)
	ended = tel.spans.Ended()[2:]
	require.Len(t, ended, 2)
	for _, s := range ended {
		require.NotContains(t, attrs(s.Attributes()), string(otelrtc.AttrOutcomeUnknown), s.Name())
	}
}
