package rtc

// The typed requests, results and methods of every action (the api_*.go
// files, listed in docs/generated.md) are generated from the OpenAPI
// description and the rules per action (actions.json) in internal/spec.
//go:generate go run ./internal/gen
