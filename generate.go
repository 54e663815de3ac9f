package rtc

// The typed requests, results and methods of every action (room.go,
// record.go, ... and operations.go) are generated from the OpenAPI
// description and the rules per action (actions.json) in internal/spec.
//go:generate go run ./internal/gen
