module github.com/volcrtc/rtc/internal/conformance

go 1.23

require (
	github.com/stretchr/testify v1.12.1
	github.com/volcengine/volc-sdk-golang v1.0.254
	github.com/volcrtc/rtc v0.1.0
)

require (
	github.com/cenkalti/backoff/v4 v4.1.2 // indirect
	github.com/google/uuid v1.6.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/net v0.12.0 // indirect
	golang.org/x/text v0.11.0 // indirect
	golang.org/x/time v0.10.0 // indirect
)

replace github.com/volcrtc/rtc => ../..
