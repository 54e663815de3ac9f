package main

import "testing"

// TestDemo runs the loopback demo: deliver, redeliver (deduplicated) and
// tamper (refused); run returns an error if any answer is not as expected.
func TestDemo(t *testing.T) {
	t.Setenv("RTC_CALLBACK_SECRET", "")
	if err := run(nil); err != nil {
		t.Fatal(err)
	}
}
