package otelrtc_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/volcrtc/rtc"
)

// A gateway that echoes the request body into its error answer must not
// put the callback secret of CreateCallback, or a storage secret key of
// StartRecord, into a span's status, events or attributes.
func TestSpansNeverShowBodySecrets(t *testing.T) {
	const secret = "CB/secret=value+in-a-span"
	forms := []string{secret, strings.ReplaceAll(secret, "/", `\/`), strings.ReplaceAll(secret, "=", `\u003d`)}
	for _, form := range forms {
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			echo := strings.ReplaceAll(string(b), secret, form)
			env, _ := json.Marshal(map[string]any{"ResponseMetadata": map[string]any{
				"RequestId": "echo-1", "Error": map[string]any{"Code": "InvalidParameter", "Message": "bad body " + echo}}})
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write(env)
		}))
		tel := newTelemetry(t)
		c := newClient(t, hs.URL, rtc.WithObserver(tel.observer()), rtc.WithRetry(rtc.RetryPolicy{MaxAttempts: 1}))
		_, err := c.CreateCallback(context.Background(), &rtc.CreateCallbackRequest{AppID: "661e2f2a543cf0012345abcd",
			BusinessID: "b", EventList: []string{"RecordStarted"}, SecretKey: secret, URL: "https://example.com/cb"})
		require.Error(t, err)
		_, err = c.StartRecord(context.Background(), &rtc.StartRecordRequest{AppID: "661e2f2a543cf0012345abcd", RoomID: "r", TaskID: "t",
			StorageConfig: &rtc.RecordStorageConfig{Type: rtc.Ptr(rtc.StorageS3Compatible),
				CustomConfig: &rtc.RecordCustomConfig{AccessKey: "AK", SecretKey: secret, Bucket: "b"}}})
		require.Error(t, err)
		hs.Close()

		spans := tel.spans.Ended()
		require.NotEmpty(t, spans)
		var all strings.Builder
		for _, s := range spans {
			fmt.Fprintf(&all, "%s %s %v\n", s.Name(), s.Status().Description, s.Attributes())
			for _, e := range s.Events() {
				fmt.Fprintf(&all, "event %s %v\n", e.Name, e.Attributes)
			}
		}
		require.Contains(t, all.String(), "[redacted]", "the echo reached the spans, redacted")
		for _, f := range forms {
			require.NotContains(t, all.String(), f)
		}
		require.NotContains(t, all.String(), testSecretAccessKey)
	}
}
