package main

import (
	"strings"
	"testing"
)

// TestIM runs the whole story against the in-process fake server.
func TestIM(t *testing.T) {
	for _, k := range []string{"RTC_IM_APP_ID", "VOLCENGINE_ACCESS_KEY", "VOLCENGINE_SECRET_KEY", "VOLC_ACCESSKEY", "VOLC_SECRETKEY"} {
		t.Setenv(k, "")
	}
	t.Setenv("HOME", t.TempDir())
	var out strings.Builder
	if err := run(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Registered users 10001 and 10002.", "existed already: false", `from 10001: {"text":"Hello, Bob!"}`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
