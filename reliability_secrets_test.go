package rtc_test

// No secret, anywhere: every public type that holds or touches one, every
// error path, and every log record (at LevelTrace, the most verbose) is
// searched for the secret access key, the session token, the App Key, the
// callback secret and the Authorization values the client sent.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/internal/spec"
	"github.com/volcrtc/rtc/rtctest"
)

const (
	secKeyID    = "AKLTsecretsTestKeyID0001"
	secSecret   = "SK9f86d081884c7d659a2feaa0c55ad015a3bf"
	secToken    = "ST2c26b46b68ffc68ff99b453c1d304134e7d"
	secAppKey   = "APPKEYfcde2b2edba56bf408601fb721fe9b5c"
	secCallback = "CBSECRETb5bb9d8014a0f9b1d61e21e796d78dcc"
)

// secRecorder sits in front of a handler and keeps every Authorization
// value it sees.
type secRecorder struct {
	mu    sync.Mutex
	auths []string
	next  http.Handler
}

func (r *secRecorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if a := req.Header.Get("Authorization"); a != "" {
		r.mu.Lock()
		r.auths = append(r.auths, a)
		r.mu.Unlock()
	}
	r.next.ServeHTTP(w, req)
}

// secrets returns every string that must never be shown: the fixed
// secrets, and each Authorization value with its signature.
func (r *secRecorder) secrets() []string {
	out := []string{secSecret, secToken, secAppKey, secCallback}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, a := range r.auths {
		out = append(out, a)
		if _, sig, ok := strings.Cut(a, "Signature="); ok && sig != "" {
			out = append(out, sig)
		}
	}
	return out
}

// secEcho answers like a broken proxy that echoes the request: a page
// quoting the X-Security-Token and Authorization headers, with the given
// status and content type, padded to at least pad bytes.
func secEcho(status int, contentType string, envelope bool, pad int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		echo := "X-Security-Token: " + r.Header.Get("X-Security-Token") + " Authorization: " + r.Header.Get("Authorization")
		var body string
		if envelope {
			b, _ := json.Marshal(map[string]any{"ResponseMetadata": map[string]any{
				"RequestId": "echo-1", "Error": map[string]any{"Code": "InvalidParameter", "Message": "cannot parse request: " + echo},
			}})
			body = string(b)
		} else {
			body = "<html><pre>" + echo + "</pre><h1>502 Bad Gateway</h1></html>"
		}
		if len(body) < pad {
			body += strings.Repeat(" ", pad-len(body))
		}
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	})
}

// secOutput is everything a scenario produced that a person could see.
type secOutput struct {
	values []any   // formatted with every verb
	errs   []error // their messages and formatted forms
}

func TestReliabilityNoSecrets(t *testing.T) {
	var logs relLogBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: rtc.LevelTrace}))
	creds := rtc.Credentials{AccessKeyID: secKeyID, SecretAccessKey: secSecret, SessionToken: secToken}

	// serve starts handler behind a recorder and returns a client for it.
	serve := func(t *testing.T, h http.Handler, opts ...rtc.Option) (*rtc.Client, *secRecorder) {
		rec := &secRecorder{next: h}
		hs := httptest.NewServer(rec)
		t.Cleanup(hs.Close)
		tr := &http.Transport{}
		t.Cleanup(tr.CloseIdleConnections)
		base := []rtc.Option{rtc.WithEndpoint(hs.URL), rtc.WithCredentials(creds), rtc.WithLogger(logger),
			rtc.WithHTTPClient(&http.Client{Transport: tr}), rtc.WithRetry(relFast)}
		c, err := rtc.New(append(base, opts...)...)
		require.NoError(t, err)
		return c, rec
	}
	fake := func(t *testing.T, serverSecret string) http.Handler {
		srv := rtctest.NewUnstartedServer(rtctest.WithCredentials(secKeyID, serverSecret))
		t.Cleanup(srv.Close)
		return srv.Handler()
	}
	read := func(c *rtc.Client) (*rtc.GetRoomOnlineUsersResult, error) {
		return c.GetRoomOnlineUsers(context.Background(), &rtc.GetRoomOnlineUsersRequest{AppID: relAppID, RoomID: "room1"})
	}
	send := func(c *rtc.Client) (*rtc.SendUnicastResult, error) {
		return c.SendUnicast(context.Background(), &rtc.SendUnicastRequest{AppID: relAppID, From: "a", To: "b", Message: "hi"})
	}

	cases := []struct {
		name string
		run  func(t *testing.T) (secOutput, *secRecorder)
	}{
		{name: "successful call", run: func(t *testing.T) (secOutput, *secRecorder) {
			c, rec := serve(t, fake(t, secSecret))
			res, err := read(c)
			require.NoError(t, err)
			signer := rtc.NewSigner(rtc.RegionCNNorth1, rtc.ServiceName)
			req := httptest.NewRequest(http.MethodGet, "https://rtc.volcengineapi.com/?Action=A&Version=2023-11-01", nil)
			require.NoError(t, signer.Sign(req, nil, creds, time.Now()))
			rec.auths = append(rec.auths, req.Header.Get("Authorization"))
			return secOutput{values: []any{c, res, res.Metadata, creds, &creds, rtc.StaticCredentials(creds),
				rtc.ChainCredentials(rtc.StaticCredentials(creds)), signer, relFast, rtc.RetryPolicy{RetryableCodes: []string{"X"}}}}, rec
		}},
		{name: "SignatureDoesNotMatch with trace logging", run: func(t *testing.T) (secOutput, *secRecorder) {
			c, rec := serve(t, fake(t, "the-server-knows-another-secret"))
			_, err := send(c)
			var ae *rtc.APIError
			require.ErrorAs(t, err, &ae)
			require.Equal(t, "SignatureDoesNotMatch", ae.Code)
			return secOutput{values: []any{ae, *ae}, errs: []error{err}}, rec
		}},
		{name: "502 HTML page echoing the request", run: func(t *testing.T) (secOutput, *secRecorder) {
			c, rec := serve(t, secEcho(http.StatusBadGateway, "text/html", false, 0))
			_, err := read(c) // retried: three echoes
			var re *rtc.ResponseError
			require.ErrorAs(t, err, &re)
			require.Contains(t, re.Excerpt, "[redacted]", "the echoed token was found and replaced")
			require.Len(t, rec.auths, 3)
			return secOutput{values: []any{re, *re}, errs: []error{err}}, rec
		}},
		{name: "502 HTML echo larger than WithMaxResponseBytes", run: func(t *testing.T) (secOutput, *secRecorder) {
			c, rec := serve(t, secEcho(http.StatusBadGateway, "text/html", false, 4096), rtc.WithMaxResponseBytes(1024))
			_, err := send(c)
			var re *rtc.ResponseError
			require.ErrorAs(t, err, &re)
			require.Contains(t, re.Reason, "too large")
			return secOutput{values: []any{re}, errs: []error{err}}, rec
		}},
		{name: "error envelope whose message echoes the request", run: func(t *testing.T) (secOutput, *secRecorder) {
			c, rec := serve(t, secEcho(http.StatusBadRequest, "application/json", true, 0))
			_, err := send(c)
			var ae *rtc.APIError
			require.ErrorAs(t, err, &ae)
			return secOutput{values: []any{ae}, errs: []error{err}}, rec
		}},
		{name: "credentials provider errors", run: func(t *testing.T) (secOutput, *secRecorder) {
			dir := t.TempDir()
			broken := filepath.Join(dir, "broken")
			require.NoError(t, os.WriteFile(broken, []byte(`{"ak":"`+secKeyID+`","sk":"`+secSecret+`"`), 0o600))
			noKey := filepath.Join(dir, "nokey")
			require.NoError(t, os.WriteFile(noKey, []byte(`{"sk":"`+secSecret+`"}`), 0o600))
			wrongType := filepath.Join(dir, "wrongtype")
			require.NoError(t, os.WriteFile(wrongType, []byte(`{"ak":["`+secKeyID+`"],"sk":"`+secSecret+`"}`), 0o600))
			t.Setenv(rtc.EnvAccessKey, "")
			t.Setenv(rtc.EnvSecretKey, secSecret)
			t.Setenv(rtc.EnvSessionToken, secToken)
			var errs []error
			providers := []rtc.CredentialsProvider{
				rtc.FileCredentials(broken), rtc.FileCredentials(noKey), rtc.FileCredentials(wrongType),
				rtc.EnvCredentials(),
				rtc.ChainCredentials(rtc.EnvCredentials(), rtc.FileCredentials(broken)),
				rtc.StaticCredentials(rtc.Credentials{SecretAccessKey: secSecret, SessionToken: secToken}),
			}
			for _, p := range providers {
				_, err := p.Retrieve(context.Background())
				require.Error(t, err)
				errs = append(errs, err)
			}
			// A provider failing during a call.
			hs := httptest.NewServer(http.NotFoundHandler())
			t.Cleanup(hs.Close)
			c, err := rtc.New(rtc.WithEndpoint(hs.URL), rtc.WithLogger(logger), rtc.WithCredentialsProvider(
				rtc.CredentialsProviderFunc(func(ctx context.Context) (rtc.Credentials, error) {
					return rtc.Credentials{}, errors.New("sts: refresh failed")
				})))
			require.NoError(t, err)
			_, err = read(c)
			require.Error(t, err)
			errs = append(errs, err)
			c2, err := rtc.New(rtc.WithEndpoint(hs.URL), rtc.WithLogger(logger), rtc.WithCredentialsProvider(rtc.FileCredentials(broken)))
			require.NoError(t, err)
			_, err = read(c2)
			require.Error(t, err)
			errs = append(errs, err)
			values := make([]any, 0, len(providers))
			for _, p := range providers {
				values = append(values, p)
			}
			return secOutput{values: append(values, c, c2), errs: errs}, &secRecorder{}
		}},
		{name: "access token errors", run: func(t *testing.T) (secOutput, *secRecorder) {
			var errs []error
			bad := rtc.NewAccessToken("short-app-id", "room1", "user1")
			_, err := bad.Serialize(secAppKey)
			require.Error(t, err)
			errs = append(errs, err)
			late := rtc.NewAccessToken("123456781234567812345678", "room1", "user1")
			late.ExpireAt = late.IssuedAt.Add(30 * 24 * time.Hour)
			_, err = late.Serialize(secAppKey)
			require.Error(t, err)
			errs = append(errs, err)
			good := rtc.NewAccessToken("123456781234567812345678", "room1", "user1")
			good.AddPrivilege(rtc.PrivPublishStream, time.Time{})
			s, err := good.Serialize(secAppKey)
			require.NoError(t, err)
			require.NotContains(t, s, secAppKey)
			parsed, err := rtc.ParseAccessToken(s)
			require.NoError(t, err)
			require.True(t, parsed.Verify(secAppKey))
			require.False(t, parsed.Verify("not-the-app-key"))
			for _, broken := range []string{s[:len(s)/2], s + "x", "001" + strings.Repeat("A", 40), ""} {
				_, err := rtc.ParseAccessToken(broken)
				require.Error(t, err)
				errs = append(errs, err)
			}
			return secOutput{values: []any{bad, late, good, parsed, *parsed}, errs: errs}, &secRecorder{}
		}},
		{name: "callback parsing with the wrong secret", run: func(t *testing.T) (secOutput, *secRecorder) {
			ev, err := rtc.NewCallbackEvent(relAppID, "RecordStarted", map[string]any{"RoomId": "room1"})
			require.NoError(t, err)
			ev.Sign(secCallback)
			body, err := json.Marshal(ev)
			require.NoError(t, err)
			var errs []error
			_, err = rtc.ParseCallback(body, "another-callback-secret")
			require.ErrorIs(t, err, rtc.ErrCallbackSignature)
			errs = append(errs, err)
			_, err = rtc.ParseCallback(body[:len(body)/2], secCallback)
			require.ErrorIs(t, err, rtc.ErrCallbackMalformed)
			errs = append(errs, err)
			_, err = rtc.ParseCallback(body, "")
			require.Error(t, err)
			errs = append(errs, err)
			got, err := rtc.ParseCallback(body, secCallback)
			require.NoError(t, err)
			errs = append(errs, got.Verify("wrong"))
			return secOutput{values: []any{ev, got, *got}, errs: errs}, &secRecorder{}
		}},
		{name: "CallbackHandler logging and formatting", run: func(t *testing.T) (secOutput, *secRecorder) {
			h, err := rtc.NewCallbackHandler(secCallback, func(ctx context.Context, ev *rtc.CallbackEvent) error {
				return errors.New("business logic failed for " + ev.EventID)
			}, rtc.WithCallbackLogger(logger))
			require.NoError(t, err)
			good, err := rtc.NewCallbackEvent(relAppID, "RecordStarted", `{"RoomId":"room1"}`)
			require.NoError(t, err)
			good.Sign(secCallback)
			forged := *good
			forged.Sign("forger-secret")
			for _, ev := range []*rtc.CallbackEvent{good, &forged} {
				b, err := json.Marshal(ev)
				require.NoError(t, err)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/cb", bytes.NewReader(b)))
				require.NotEqual(t, http.StatusOK, w.Code)
				require.NotContains(t, w.Body.String(), secCallback)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/cb", strings.NewReader("not json")))
			require.Equal(t, http.StatusBadRequest, w.Code)
			_, herr := rtc.NewCallbackHandler(secCallback, nil)
			require.Error(t, herr)
			return secOutput{values: []any{h}, errs: []error{herr}}, &secRecorder{}
		}},
		{name: "Credentials logged by a JSON slog handler", run: func(t *testing.T) (secOutput, *secRecorder) {
			jl := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: rtc.LevelTrace}))
			jl.Info("configured", "creds", creds, "provider", rtc.StaticCredentials(creds), "retry", relFast)
			return secOutput{values: []any{creds}}, &secRecorder{}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			logs.mu.Lock()
			logs.b.Reset()
			logs.mu.Unlock()
			out, rec := tc.run(t)
			secrets := rec.secrets()

			var leaks []string
			check := func(where, text string) {
				for _, s := range secrets {
					if strings.Contains(text, s) {
						leaks = append(leaks, fmt.Sprintf("%s shows %s", where, secName(s)))
					}
				}
			}
			for i, v := range out.values {
				for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
					check(fmt.Sprintf("value %d (%T) as %s", i, v, verb), fmt.Sprintf(verb, v))
				}
				var sb strings.Builder
				slog.New(slog.NewTextHandler(&sb, nil)).Info("value", "v", v)
				check(fmt.Sprintf("value %d (%T) in a slog text record", i, v), sb.String())
			}
			for i, err := range out.errs {
				require.Error(t, err)
				check(fmt.Sprintf("error %d", i), err.Error())
				for _, verb := range []string{"%v", "%+v", "%#v"} {
					check(fmt.Sprintf("error %d as %s", i, verb), fmt.Sprintf(verb, err))
				}
			}
			check("the logs", logs.String())
			if len(leaks) > 0 {
				t.Errorf("secrets leaked: %s", strings.Join(leaks, "; "))
			}
		})
	}
}

// secName says which secret s is, without printing it.
func secName(s string) string {
	switch s {
	case secSecret:
		return "the secret access key"
	case secToken:
		return "the session token"
	case secAppKey:
		return "the App Key"
	case secCallback:
		return "the callback secret"
	}
	if strings.HasPrefix(s, "HMAC-SHA256") {
		return "an Authorization header"
	}
	return "an Authorization signature"
}

// secBody is a secret put in request bodies: its '/', '=' and '+' have
// escaped and URL-encoded forms an echo may use.
const secBody = "BODYSECRET/9c56cc51=b374c3ba+189210d5"

// secBodyForms are the ways a gateway may echo secBody.
func secBodyForms() map[string]string {
	return map[string]string{
		"plain":          secBody,
		"slash escaped":  strings.ReplaceAll(secBody, "/", `\/`),
		"u003d":          strings.NewReplacer("=", `\u003d`, "+", `\u002b`).Replace(secBody),
		"url encoded":    url.QueryEscape(secBody),
		"double escaped": strings.ReplaceAll(secBody, "/", `\\\/`),
	}
}

// secBodyEcho answers like a gateway that echoes the request body, in the
// given form and shape.
func secBodyEcho(form, shape string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		echo := strings.ReplaceAll(string(b), secBody, secBodyForms()[form])
		switch shape {
		case "envelope":
			env, _ := json.Marshal(map[string]any{"ResponseMetadata": map[string]any{
				"RequestId": "echo-1", "Error": map[string]any{"Code": "InvalidParameter", "Message": "cannot parse " + echo},
			}})
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write(env)
		case "html":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, strings.Repeat("<!-- padding -->", 30)+"<pre>"+echo+"</pre>")
		case "too large":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, strings.Repeat("x", 200)+echo+strings.Repeat(" ", 4096))
		}
	})
}

// specFieldType returns the spec type of the input field at path, or "".
func specFieldType(fields []spec.Field, path []string) string {
	for _, f := range fields {
		if f.Name != path[0] {
			continue
		}
		if len(path) == 1 {
			return f.Type
		}
		return specFieldType(f.Fields, path[1:])
	}
	return ""
}

// secretInputs returns, from the field facts, every action whose input holds
// a field marked secret, with a body that puts secBody in each such field.
func secretInputs(t *testing.T) map[string]map[string]any {
	t.Helper()
	facts, err := spec.LoadFacts()
	sp := spec.MustLoad()
	require.NoError(t, err)
	out := map[string]map[string]any{}
	for action, af := range facts.Actions {
		for path, f := range af.In {
			if f == nil || !f.Secret {
				continue
			}
			body := out[action]
			if body == nil {
				body = map[string]any{"AppId": relAppID, "RoomId": "room1", "TaskId": "task1"}
				out[action] = body
			}
			parts := strings.Split(path, ".")
			m := body
			for _, p := range parts[:len(parts)-1] {
				next, ok := m[p].(map[string]any)
				if !ok {
					next = map[string]any{}
					m[p] = next
				}
				m = next
			}
			if specFieldType(sp.Find(action).Input, parts) == "any" {
				// A raw provider configuration: the secret sits under a
				// key that names a credential.
				m[parts[len(parts)-1]] = map[string]any{"Provider": "p", "ProviderParams": map[string]any{"api_key": secBody}}
				continue
			}
			m[parts[len(parts)-1]] = secBody
		}
	}
	require.NotEmpty(t, out)
	return out
}

// Every action whose input holds a secret, called against a gateway that
// echoes the request body (in an error envelope, an HTML page, a page over
// the read bound; plain, JSON-escaped or URL-encoded): the secret appears in
// no error, excerpt or log record. Typed calls are covered as well as Call.
func TestReliabilityNoSecretsInEchoedBodies(t *testing.T) {
	var logs relLogBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: rtc.LevelTrace}))
	creds := rtc.Credentials{AccessKeyID: secKeyID, SecretAccessKey: secSecret, SessionToken: secToken}
	sp := spec.MustLoad()
	inputs := secretInputs(t)
	for _, want := range []string{"CreateCallback", "UpdateCallback", "StartRecord"} {
		require.Contains(t, inputs, want, "the facts mark the secret of %s", want)
	}
	typed := map[string]func(*rtc.Client) error{
		"CreateCallback": func(c *rtc.Client) error {
			_, err := c.CreateCallback(context.Background(), &rtc.CreateCallbackRequest{AppID: relAppID, BusinessID: "b",
				EventList: []string{"RecordStarted"}, SecretKey: secBody, URL: "https://example.com/cb"})
			return err
		},
		"StartRecord": func(c *rtc.Client) error {
			_, err := c.StartRecord(context.Background(), &rtc.StartRecordRequest{AppID: relAppID, RoomID: "room1", TaskID: "task1",
				StorageConfig: &rtc.RecordStorageConfig{Type: rtc.Ptr(rtc.StorageS3Compatible),
					CustomConfig: &rtc.RecordCustomConfig{AccessKey: "AK", SecretKey: secBody, Bucket: "b"}}})
			return err
		},
		// Third-party keys inside raw provider configurations (M5).
		"StartVoiceChat": func(c *rtc.Client) error {
			_, err := c.StartVoiceChat(context.Background(), &rtc.StartVoiceChatRequest{AppID: relAppID, RoomID: "room1", TaskID: "task1",
				AgentConfig: &rtc.AgentConfig{UserID: "bot", TargetUserID: []string{"u1"}},
				Config: &rtc.VoiceChatConfig{LLMConfig: json.RawMessage(`{"Mode":"CustomLLM","URL":"https://llm.example.com","APIKey":"` + secBody + `"}`),
					TTSConfig: json.RawMessage(`{"Provider":"volcano","ProviderParams":{"app":{"appid":"1","token":"` + secBody + `"}}}`)}})
			return err
		},
		"UpdateVoiceChat": func(c *rtc.Client) error {
			params, _ := json.Marshal(`{"LLMConfig":{"api_key":"` + secBody + `"}}`)
			_, err := c.UpdateVoiceChat(context.Background(), &rtc.UpdateVoiceChatRequest{AppID: relAppID, RoomID: "room1", TaskID: "task1",
				Command: rtc.VoiceChatUpdateParameters, Parameters: params})
			return err
		},
	}
	check := func(t *testing.T, where, text string) {
		t.Helper()
		for name, form := range secBodyForms() {
			if strings.Contains(text, form) {
				t.Errorf("%s shows the body secret (%s form)", where, name)
			}
		}
		for _, s := range []string{secSecret, secToken} {
			if strings.Contains(text, s) {
				t.Errorf("%s shows %s", where, secName(s))
			}
		}
	}
	for _, shape := range []string{"envelope", "html", "too large"} {
		for form := range secBodyForms() {
			t.Run(shape+"/"+form, func(t *testing.T) {
				logs.mu.Lock()
				logs.b.Reset()
				logs.mu.Unlock()
				hs := httptest.NewServer(secBodyEcho(form, shape))
				defer hs.Close()
				c, err := rtc.New(rtc.WithEndpoint(hs.URL), rtc.WithCredentials(creds), rtc.WithLogger(logger),
					rtc.WithRetry(rtc.RetryPolicy{MaxAttempts: 1}), rtc.WithMaxResponseBytes(1024), rtc.WithLenientValidation())
				require.NoError(t, err)
				var errs []error
				for action, body := range inputs {
					a := sp.Find(action)
					require.NotNil(t, a, action)
					_, err := c.Call(context.Background(), action, a.Version, body, nil)
					require.Error(t, err, action)
					errs = append(errs, err)
				}
				for action, call := range typed {
					err := call(c)
					require.Error(t, err, action)
					errs = append(errs, err)
				}
				for i, err := range errs {
					for _, verb := range []string{"%v", "%+v", "%#v"} {
						check(t, fmt.Sprintf("error %d as %s", i, verb), fmt.Sprintf(verb, err))
					}
					var re *rtc.ResponseError
					if errors.As(err, &re) {
						check(t, fmt.Sprintf("error %d's excerpt", i), re.Excerpt)
					}
					var ae *rtc.APIError
					if errors.As(err, &ae) {
						check(t, fmt.Sprintf("error %d's message", i), ae.Message)
						require.Contains(t, ae.Message, "[redacted]", "the echo was found and replaced")
					}
				}
				check(t, "the logs", logs.String())
			})
		}
	}
}
