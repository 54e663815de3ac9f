package rtc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const bodySecret = "cb/secret=value+42"

func createCallbackReq() *CreateCallbackRequest {
	return &CreateCallbackRequest{AppID: "661e2f2a543cf0012345abcd", BusinessID: "biz", EventList: []string{"RecordStarted"},
		SecretKey: bodySecret, URL: "https://example.com/cb"}
}

// Forms in which a gateway may echo a secret: plain, JSON-escaped by
// various encoders, URL-encoded, escaped twice.
func echoForms(s string) map[string]string {
	gson := strings.NewReplacer("=", `\u003d`, "/", `\/`, "+", `\u002b`).Replace(s)
	return map[string]string{
		"plain":          s,
		"slash escaped":  strings.ReplaceAll(s, "/", `\/`),
		"u003d":          strings.ReplaceAll(s, "=", `\u003d`),
		"gson":           gson,
		"url query":      url.QueryEscape(s),
		"url path upper": strings.ReplaceAll(url.PathEscape(s), "%3D", "%3d"),
		"double escaped": strings.ReplaceAll(s, "/", `\\\/`),
	}
}

func requireNoBodySecret(t *testing.T, text string) {
	t.Helper()
	for name, form := range echoForms(bodySecret) {
		require.NotContains(t, text, form, "secret leaked (%s form)", name)
	}
	for _, part := range []string{"cb/secret", "secret=value", "value+42", "value%2B42"} {
		require.NotContains(t, text, part, "part of the secret leaked")
	}
}

// A gateway that echoes the request body, in any encoding, into an error
// message or a non-envelope body never makes the callback secret appear in
// the error or the logs.
func TestBodySecretsRedactedFromEchoes(t *testing.T) {
	for name, form := range echoForms(bodySecret) {
		for _, shape := range []string{"api error", "html page", "long page", "straddling"} {
			t.Run(name+"/"+shape, func(t *testing.T) {
				s := NewRawStub(t, func(w http.ResponseWriter, r *http.Request) {
					echo := `{"SecretKey":"` + form + `"}`
					switch shape {
					case "api error":
						w.WriteHeader(http.StatusBadRequest)
						fmt.Fprint(w, StubEnvelope("req-CreateCallback", "CreateCallback", "InvalidParameter", "bad request body: "+echo, nil))
					case "html page":
						w.WriteHeader(http.StatusBadGateway)
						fmt.Fprint(w, "<html>upstream said: "+echo+"</html>")
					case "long page": // the echo sits past the first 512 bytes
						w.WriteHeader(http.StatusBadGateway)
						fmt.Fprint(w, strings.Repeat("x", 600)+echo)
					case "straddling": // the secret straddles the old 512-byte window
						w.WriteHeader(http.StatusBadGateway)
						fmt.Fprint(w, strings.Repeat("x", 512-len(`{"SecretKey":"`)-5)+echo)
					}
				})
				var logs bytes.Buffer
				c := NewStubClient(t, s.URL, WithRetry(RetryPolicy{MaxAttempts: 1}),
					WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: LevelTrace}))))
				_, err := c.CreateCallback(context.Background(), createCallbackReq())
				require.Error(t, err)
				requireNoBodySecret(t, err.Error())
				requireNoBodySecret(t, fmt.Sprintf("%+v %#v", err, err))
				requireNoBodySecret(t, logs.String())
				var re *ResponseError
				if errors.As(err, &re) {
					requireNoBodySecret(t, re.Excerpt)
				}
				var ae *APIError
				if errors.As(err, &ae) {
					require.Contains(t, ae.Message, "[redacted]")
				}
			})
		}
	}
}

// The redactor on its own: whole text, every form, nothing else touched.
func TestRedactEncodedForms(t *testing.T) {
	set := &secretSet{creds: Credentials{SecretAccessKey: "SK/abc=def"}, extra: []string{"ünï/côdé key"}}
	for _, secret := range []string{"SK/abc=def", "ünï/côdé key"} {
		for name, form := range echoForms(secret) {
			in := []byte("before " + form + " after")
			got := string(redactAll(in, set))
			require.Equal(t, "before [redacted] after", got, name)
		}
		esc, _ := jsonString(secret)
		require.Equal(t, "x[redacted]y", string(redactAll([]byte("x"+esc+"y"), set)))
	}
	require.Equal(t, "nothing here", string(redactAll([]byte("nothing here"), set)))
	// A truncated text ending in the start of a secret loses that part.
	require.Equal(t, "head [redacted]", string(redactTruncated([]byte("head SK/abc"), set)))
}

// jsonString is s as encoding/json writes it inside a string (with its
// HTML escapes), without the quotes.
func jsonString(s string) (string, error) {
	b, err := json.Marshal(s)
	return string(b[1 : len(b)-1]), err
}

// A session token given with surrounding spaces is trimmed in the canonical
// request; the trace log must not show it either way.
func TestTraceLogRedactsTrimmedSessionToken(t *testing.T) {
	const token = "session-token-value-1234"
	s := NewRawStub(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, StubEnvelope("req-KickUser", "KickUser", "SignatureDoesNotMatch", "signature mismatch", nil))
	})
	var logs bytes.Buffer
	c := NewStubClient(t, s.URL, WithRetry(RetryPolicy{MaxAttempts: 1}),
		WithCredentials(Credentials{AccessKeyID: "AK", SecretAccessKey: "SK-secret-value", SessionToken: "  " + token + "  "}),
		WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: LevelTrace}))))
	_, err := c.Call(context.Background(), "KickUser", "2020-12-01", kickInput, nil)
	require.Error(t, err)
	require.Contains(t, logs.String(), "canonical_request")
	require.Contains(t, logs.String(), "x-security-token:[redacted]")
	require.NotContains(t, logs.String(), token)
}

// A response whose body stalls after the headers, or trickles, ends the
// attempt after the body bound even without a context deadline.
func TestStalledBodyIsBounded(t *testing.T) {
	for _, mode := range []string{"stall", "trickle"} {
		t.Run(mode, func(t *testing.T) {
			release := make(chan struct{})
			s := NewRawStub(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Length", "1000")
				w.WriteHeader(http.StatusOK)
				w.(http.Flusher).Flush()
				for i := 0; ; i++ {
					select {
					case <-release:
						return
					case <-r.Context().Done():
						return
					case <-time.After(20 * time.Millisecond):
					}
					if mode == "trickle" {
						_, _ = w.Write([]byte(" "))
						w.(http.Flusher).Flush()
					}
				}
			})
			defer close(release)
			c := NewStubClient(t, s.URL, WithRetry(RetryPolicy{MaxAttempts: 1}))
			c.bodyTimeout = 300 * time.Millisecond
			start := time.Now()
			_, err := c.Call(context.Background(), "KickUser", "2020-12-01", kickInput, nil)
			require.Error(t, err)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			require.Contains(t, err.Error(), "did not arrive in full within 300ms")
			require.Less(t, time.Since(start), 3*time.Second)
		})
	}
	// The default bound is documented and set.
	c := NewStubClient(t, "http://127.0.0.1:1")
	require.Equal(t, DefaultBodyTimeout, c.bodyTimeout)
}

// A Date header that would move the signing clock by more than
// MaxClockCorrection is ignored: the call fails with InvalidTimestamp and
// later calls still sign with the local clock.
func TestClockCorrectionIsBounded(t *testing.T) {
	s := NewFake(t)
	s.SetClockOffset(10 * 365 * 24 * time.Hour) // a Date in 2036
	var logs bytes.Buffer
	c := NewStubClient(t, s.URL, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	_, err := c.Call(context.Background(), "KickUser", "2020-12-01", kickInput, nil)
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, "InvalidTimestamp", ae.Code)
	require.Len(t, s.Requests(), 1, "no retry with a clock moved by years")
	require.Nil(t, c.clockFix.Load())
	require.Contains(t, logs.String(), "ignoring a Date header")
	require.WithinDuration(t, time.Now(), c.now(), time.Minute)

	// Within the limit the correction applies, to the endpoint's host only.
	s2 := NewFake(t)
	s2.SetClockOffset(3 * time.Hour)
	c2 := NewStubClient(t, s2.URL)
	_, err = c2.Call(context.Background(), "KickUser", "2020-12-01", kickInput, nil)
	require.NoError(t, err)
	require.WithinDuration(t, time.Now().Add(3*time.Hour), c2.now(), time.Minute)
	c2.clockFix.Store(&clockCorrection{host: "other.example.com", offset: 3 * time.Hour})
	require.WithinDuration(t, time.Now(), c2.now(), time.Minute, "a correction learnt from another host does not apply")
}
