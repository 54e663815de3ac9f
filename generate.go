package rtc

// The typed requests, results and methods of every action (room.go,
// record.go, ... and operations.go) are generated from the OpenAPI
// description in internal/spec and the documentation in
// internal/gen/docs.json.
//go:generate go run ./internal/gen
