package otelrtc_test

import (
	"context"
	"fmt"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/otelrtc"
	"github.com/volcrtc/rtc/rtctest"
)

// A client traced with an SDK tracer provider. Most programs install their
// providers globally (otel.SetTracerProvider, otel.SetMeterProvider) and
// call otelrtc.NewObserver() with no options.
func ExampleNewObserver() {
	// The SDK's fake RTC OpenAPI server stands in for the service.
	fake := rtctest.NewServer()
	defer fake.Close()

	spans := tracetest.NewSpanRecorder() // in a real program: an OTLP exporter
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	defer func() { _ = tp.Shutdown(context.Background()) }()

	client, err := rtc.New(
		rtc.WithEndpoint(fake.URL),
		rtc.WithCredentials(rtc.Credentials{AccessKeyID: rtctest.DemoAccessKeyID, SecretAccessKey: rtctest.DemoSecretAccessKey}),
		rtc.WithObserver(otelrtc.NewObserver(otelrtc.WithTracerProvider(tp))),
	)
	if err != nil {
		panic(err)
	}
	_, err = client.GetRoomOnlineUsers(context.Background(), &rtc.GetRoomOnlineUsersRequest{AppID: "my-app", RoomID: "room1"})
	if err != nil {
		panic(err)
	}
	for _, s := range spans.Ended() {
		fmt.Println(s.Name())
	}
	// Output:
	// GetRoomOnlineUsers attempt
	// GetRoomOnlineUsers
}
