package main

import "testing"

func TestRunWithDemoValues(t *testing.T) {
	t.Setenv("RTC_APP_ID", "")
	t.Setenv("RTC_APP_KEY", "")
	if err := run(nil); err != nil {
		t.Fatal(err)
	}
	// A TTL the service would refuse is an error, not a token.
	if err := run([]string{"-ttl", "200h"}); err == nil {
		t.Fatal("a 200h token was accepted")
	}
}
