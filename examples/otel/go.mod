module github.com/volcrtc/rtc/examples/otel

go 1.23.0

require (
	github.com/stretchr/testify v1.12.1
	github.com/volcrtc/rtc v0.1.0
	github.com/volcrtc/rtc/otelrtc v0.1.0
	go.opentelemetry.io/otel v1.38.0
	go.opentelemetry.io/otel/exporters/stdout/stdouttrace v1.38.0
	go.opentelemetry.io/otel/sdk v1.38.0
	go.opentelemetry.io/otel/sdk/metric v1.38.0
)

require (
	github.com/go-logr/logr v1.4.3 // indirect
	github.com/go-logr/stdr v1.2.2 // indirect
	github.com/google/uuid v1.6.0 // indirect
	go.opentelemetry.io/auto/sdk v1.1.0 // indirect
	go.opentelemetry.io/otel/metric v1.38.0 // indirect
	go.opentelemetry.io/otel/trace v1.38.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/sys v0.35.0 // indirect
	golang.org/x/time v0.10.0 // indirect
)

replace (
	github.com/volcrtc/rtc => ../../
	github.com/volcrtc/rtc/otelrtc => ../../otelrtc
)
