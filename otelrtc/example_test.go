package otelrtc_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/otelrtc"
)

// A client traced with an SDK tracer provider. Most programs install their
// providers globally (otel.SetTracerProvider, otel.SetMeterProvider) and
// call otelrtc.NewObserver() with no options.
func ExampleNewObserver() {
	// A stand-in for the RTC OpenAPI.
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"ResponseMetadata":{"RequestId":"req-1","Action":"GetRecordTask","Version":"2023-11-01","Service":"rtc","Region":"cn-north-1"},"Result":{}}`)
	}))
	defer fake.Close()

	spans := tracetest.NewSpanRecorder() // in a real program: an OTLP exporter
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	defer func() { _ = tp.Shutdown(context.Background()) }()

	client, err := rtc.New(
		rtc.WithEndpoint(fake.URL),
		rtc.WithCredentials(rtc.Credentials{AccessKeyID: "AK", SecretAccessKey: "SK"}),
		rtc.WithObserver(otelrtc.NewObserver(otelrtc.WithTracerProvider(tp))),
	)
	if err != nil {
		panic(err)
	}
	if _, err := client.Call(context.Background(), "GetRecordTask", "2023-11-01", nil, nil); err != nil {
		panic(err)
	}
	for _, s := range spans.Ended() {
		fmt.Println(s.Name())
	}
	// Output:
	// GetRecordTask attempt
	// GetRecordTask
}
