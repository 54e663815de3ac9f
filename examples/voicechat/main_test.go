package main

import "testing"

// TestVoiceChat runs the whole story against the in-process fake server.
func TestVoiceChat(t *testing.T) {
	for _, k := range []string{"RTC_APP_ID", "VOLCENGINE_ACCESS_KEY", "VOLCENGINE_SECRET_KEY", "VOLC_ACCESSKEY", "VOLC_SECRETKEY"} {
		t.Setenv(k, "")
	}
	t.Setenv("HOME", t.TempDir())
	if err := run(); err != nil {
		t.Fatal(err)
	}
}
