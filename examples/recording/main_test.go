package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestRecording runs the whole story against the in-process fake server:
// the events it prints were posted by the fake and verified by the
// program's own callback handler.
func TestRecording(t *testing.T) {
	for _, k := range []string{"RTC_APP_ID", "RTC_TOS_ACCOUNT_ID", "RTC_TOS_BUCKET", "RTC_CALLBACK_SECRET",
		"VOLCENGINE_ACCESS_KEY", "VOLCENGINE_SECRET_KEY", "VOLC_ACCESSKEY", "VOLC_SECRETKEY"} {
		t.Setenv(k, "")
	}
	t.Setenv("HOME", t.TempDir())
	var buf bytes.Buffer
	if err := run(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"2. Running since",
		"3. Status Ended, stop reason StopByAPI",
		"4. Received RecordStopped for task",
		"reason StopByAPI, 1 file(s)",
		"5. Received RecordUploadDone:",
		"Done.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
