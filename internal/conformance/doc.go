// Package conformance checks the SDK against the vendor's own Go SDK
// (github.com/volcengine/volc-sdk-golang), which it uses as a test-time
// oracle only: the signer must produce the same headers as the vendor's
// signer, the vendor's RTC client must work against rtctest, and the
// benchmarks put both SDKs side by side.
//
// The package holds no code of its own outside its tests; it is a separate
// Go module so that the vendor SDK and its dependencies never reach the
// root module's go.mod.
package conformance
