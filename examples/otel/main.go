// Command otel traces a few RTC OpenAPI calls with OpenTelemetry and prints
// the spans (pretty JSON) and a summary of the metrics:
//
//	cd examples/otel && go run .
//
// The calls go to the SDK's fake server (package rtctest) on the loopback
// interface, never to the real service, and the fake is told to misbehave:
// StopRecord first answers 503 (so its call span gets two attempt spans) and
// BanRoomUser is always throttled (so it fails after three attempts).
//
// In a real program you would install your exporter (OTLP, for example) in
// the tracer and meter providers, or set them globally with
// otel.SetTracerProvider and otel.SetMeterProvider and call
// otelrtc.NewObserver() without options.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/otelrtc"
	"github.com/volcrtc/rtc/rtctest"
)

func main() {
	if err := run(os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "otel:", err)
		os.Exit(1)
	}
}

// run makes the calls, writing spans and metrics to out and one line per
// call to log.
func run(out, log io.Writer) error {
	ctx := context.Background()

	// Spans are written as soon as they end; metrics are read at the end.
	exp, err := stdouttrace.New(stdouttrace.WithWriter(out), stdouttrace.WithPrettyPrint())
	if err != nil {
		return err
	}
	res := resource.NewSchemaless(attribute.String("service.name", "rtc-otel-example"))
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp), sdktrace.WithResource(res))
	defer func() { _ = tp.Shutdown(ctx) }()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader), sdkmetric.WithResource(res))
	defer func() { _ = mp.Shutdown(ctx) }()

	fake := newFake()
	defer fake.Close()

	client, err := rtc.New(
		rtc.WithEndpoint(fake.URL), // plain http is fine on loopback
		rtc.WithCredentials(rtc.Credentials{AccessKeyID: exampleAccessKeyID, SecretAccessKey: exampleSecretAccessKey}),
		rtc.WithRetry(rtc.RetryPolicy{BaseDelay: 20 * time.Millisecond}),
		rtc.WithObserver(otelrtc.NewObserver(otelrtc.WithTracerProvider(tp), otelrtc.WithMeterProvider(mp))),
	)
	if err != nil {
		return err
	}

	// The calls run inside one span of ours: their spans become its children.
	jobCtx, job := tp.Tracer("example").Start(ctx, "moderate-room")
	err = moderate(jobCtx, client, log)
	job.End()
	if err != nil {
		return err
	}

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		return err
	}
	fmt.Fprintln(out, "metrics:")
	for _, line := range summarize(rm) {
		fmt.Fprintln(out, "  "+line)
	}
	return nil
}

// moderate starts a recording task, then makes three calls about it: one
// that works, one that works after a retry, and one that stays throttled.
func moderate(ctx context.Context, client *rtc.Client, log io.Writer) error {
	const appID, room = "661e4b1f0a1b2c3d4e5f6a7b", "room1"

	started, err := client.StartRecord(ctx, &rtc.StartRecordRequest{AppID: appID, RoomID: room, TaskID: "task1", StorageConfig: &rtc.RecordStorageConfig{TosConfig: &rtc.TosConfig{AccountID: "demo-account", Bucket: "demo-bucket"}}})
	if err != nil {
		return err
	}
	fmt.Fprintf(log, "StartRecord: ok, request id %s\n", started.Metadata.RequestID)

	task, err := client.GetRecordTask(ctx, &rtc.GetRecordTaskRequest{AppID: appID, RoomID: room, TaskID: "task1"})
	if err != nil {
		return err
	}
	fmt.Fprintf(log, "GetRecordTask: ok, request id %s\n", task.Metadata.RequestID)

	stop, err := client.StopRecord(ctx, &rtc.StopRecordRequest{AppID: appID, RoomID: room, TaskID: "task1"})
	if err != nil {
		return err
	}
	fmt.Fprintf(log, "StopRecord: ok after a retry, request id %s\n", stop.Metadata.RequestID)

	_, err = client.BanRoomUser(ctx, &rtc.BanRoomUserRequest{AppID: appID, RoomID: room, UserID: "user1", ForbiddenInterval: rtc.Ptr[int32](600)})
	if !errors.Is(err, rtc.ErrThrottled) {
		return fmt.Errorf("BanRoomUser: want a throttling error from the fake, got %v", err)
	}
	fmt.Fprintf(log, "BanRoomUser: %v\n", err)
	return nil
}

// The example's made-up key pair: the fake accepts it and nothing else does.
const (
	exampleAccessKeyID     = "AKEXAMPLE"
	exampleSecretAccessKey = "example-secret"
)

// newFake starts the SDK's fake RTC OpenAPI server on a loopback port and
// makes it misbehave: StopRecord fails once with 503, BanRoomUser is always
// throttled; everything else is answered as the service would.
func newFake() *rtctest.Server {
	fake := rtctest.NewServer(rtctest.WithCredentials(exampleAccessKeyID, exampleSecretAccessKey))
	fake.InjectFault("StopRecord", rtctest.Fault{Status: http.StatusServiceUnavailable, Code: "ServiceUnavailableTemp"})
	fake.InjectFault("BanRoomUser", rtctest.Fault{Times: rtctest.Always, Status: http.StatusTooManyRequests,
		Code: "FlowLimitExceeded", Message: "the fake says no"})
	return fake
}

// summarize prints one line per metric point, sorted.
func summarize(rm metricdata.ResourceMetrics) []string {
	var lines []string
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, dp := range d.DataPoints {
					lines = append(lines, fmt.Sprintf("%s{%s} = %d", m.Name, labels(dp.Attributes), dp.Value))
				}
			case metricdata.Histogram[float64]:
				for _, dp := range d.DataPoints {
					lines = append(lines, fmt.Sprintf("%s{%s} count=%d sum=%.3f%s", m.Name, labels(dp.Attributes), dp.Count, dp.Sum, m.Unit))
				}
			}
		}
	}
	sort.Strings(lines)
	return lines
}

func labels(set attribute.Set) string {
	parts := make([]string, 0, set.Len())
	for _, kv := range set.ToSlice() {
		parts = append(parts, string(kv.Key)+"="+kv.Value.Emit())
	}
	return strings.Join(parts, ",")
}
