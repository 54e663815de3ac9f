package rtctest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/internal/spec"
)

// envelope is a decoded answer.
type envelope struct {
	ResponseMetadata struct {
		RequestID string `json:"RequestId"`
		Action    string
		Version   string
		Service   string
		Region    string
		Error     *struct {
			Code    string
			CodeN   int
			Message string
		}
	}
	Result json.RawMessage
}

type response struct {
	status int
	header http.Header
	env    envelope
	body   []byte
}

func (r response) code() string {
	if r.env.ResponseMetadata.Error == nil {
		return ""
	}
	return r.env.ResponseMetadata.Error.Code
}

func (r response) result(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.env.Result, &m), "result: %s", r.env.Result)
	return m
}

// req describes one signed request.
type req struct {
	method, action, version string
	query                   url.Values
	body                    []byte
	ak, sk                  string
	region                  string
	at                      time.Time // signing time; zero: the server clock
}

// clock is a settable clock for WithClock.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock {
	c := &clock{}
	c.ns.Store(t.UnixNano())
	return c
}
func (c *clock) now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) advance(d time.Duration) { c.ns.Add(int64(d)) }

var client = &http.Client{Timeout: 10 * time.Second}

// send signs and sends r with rtc.NewSigner.
func send(t testing.TB, srv *Server, r req) response {
	t.Helper()
	q := url.Values{}
	if r.action != "" {
		q.Set("Action", r.action)
	}
	if r.version != "" {
		q.Set("Version", r.version)
	}
	for k, v := range r.query {
		q[k] = v
	}
	hr, err := http.NewRequest(r.method, srv.URL+"/?"+q.Encode(), bytes.NewReader(r.body))
	require.NoError(t, err)
	if r.method == http.MethodGet {
		hr.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	} else {
		hr.Header.Set("Content-Type", "application/json")
	}
	if r.ak == "" {
		r.ak, r.sk = DemoAccessKeyID, DemoSecretAccessKey
	}
	if r.region == "" {
		r.region = DefaultRegion
	}
	at := r.at
	if at.IsZero() {
		at = srv.now()
	}
	require.NoError(t, rtc.NewSigner(r.region, "rtc").Sign(hr, r.body, rtc.Credentials{AccessKeyID: r.ak, SecretAccessKey: r.sk}, at))
	return do(t, hr)
}

func do(t testing.TB, hr *http.Request) response {
	t.Helper()
	resp, err := client.Do(hr)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	out := response{status: resp.StatusCode, header: resp.Header, body: body}
	_ = json.Unmarshal(body, &out.env)
	return out
}

// callAction sends an action of the spec with its method, version and
// input placement.
func callAction(t testing.TB, srv *Server, action string, in map[string]any) response {
	t.Helper()
	a := spec.MustLoad().Find(action)
	require.NotNil(t, a, action)
	r := req{method: a.Method, action: action, version: a.Version}
	if a.InputIn == "query" {
		r.query = url.Values{}
		for k, v := range in {
			switch x := v.(type) {
			case string:
				r.query.Set(k, x)
			default:
				b, _ := json.Marshal(x)
				r.query.Set(k, string(b))
			}
		}
	} else {
		b, err := json.Marshal(in)
		require.NoError(t, err)
		r.body = b
	}
	return send(t, srv, r)
}

// mustOK calls an action and requires a success.
func mustOK(t testing.TB, srv *Server, action string, in map[string]any) response {
	t.Helper()
	r := callAction(t, srv, action, in)
	require.Equal(t, http.StatusOK, r.status, "%s: %s", action, r.body)
	require.Nil(t, r.env.ResponseMetadata.Error, "%s: %s", action, r.body)
	return r
}

// mustFail calls an action and requires the given status and code.
func mustFail(t testing.TB, srv *Server, action string, in map[string]any, status int, code string) response {
	t.Helper()
	r := callAction(t, srv, action, in)
	require.Equal(t, status, r.status, "%s: %s", action, r.body)
	require.Equal(t, code, r.code(), "%s: %s", action, r.body)
	require.Equal(t, "null", string(nullIfEmpty(r.env.Result)), "error answers carry no Result")
	return r
}

func nullIfEmpty(b json.RawMessage) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage("null")
	}
	return b
}

// minimal builds a minimal valid input from the required fields of a
// shape.
func minimal(a *spec.Action) map[string]any {
	return minimalObject(a, a.Input, "")
}

// minimalObject sets the required fields of the object at path, and those
// the facts' rules between fields require for it.
func minimalObject(a *spec.Action, fields []spec.Field, path string) map[string]any {
	m := map[string]any{}
	for i := range fields {
		f := &fields[i]
		if f.Required {
			m[f.Name] = minimalValue(a, f, path)
		}
	}
	for _, r := range spec.MustLoadFacts().Rules(a.Action, path) {
		names := r.Require
		if len(r.AnyOf) > 0 {
			names = r.AnyOf[:1]
		} else if _, set := m[r.When.Field]; set {
			continue // the condition holds only for the field's default
		}
		for _, n := range names {
			for i := range fields {
				if fields[i].Name == n {
					m[n] = minimalValue(a, &fields[i], path)
				}
			}
		}
	}
	return m
}

func minimalValue(a *spec.Action, f *spec.Field, path string) any {
	p := joinPath(path, f.Name)
	fs := spec.MustLoadFacts()
	if x := fs.Field(a.Action, "in", p); x != nil && f.Type != "object" && f.Type != "array" {
		if e := fs.Enum(x); e != nil {
			var v any
			_ = json.Unmarshal(e.Values[0].Value, &v)
			return v
		}
		if len(x.OneOf) > 0 {
			var v any
			_ = json.Unmarshal(x.OneOf[0], &v)
			return v
		}
		if x.Min != nil && !x.MinOpen {
			return *x.Min
		}
	}
	switch f.Type {
	case "object":
		return minimalObject(a, f.Fields, p)
	case "array":
		e := *f.Elem
		e.Name = f.Name
		return []any{minimalValue(a, &e, path)}
	case "int32", "int64":
		return 1
	case "float32", "float64":
		return 1.5
	case "bool":
		return f.Name != "Binary" // a binary message would need base64
	case "any":
		return map[string]any{}
	}
	if enum := a.Enums[f.Name]; len(enum) > 0 {
		return enum[0]
	}
	switch f.Name {
	case "StartTime":
		// A recent window fits every query's look-back and span.
		return time.Now().Add(-40 * time.Minute).Format(time.RFC3339)
	case "EndTime":
		return time.Now().Add(-10 * time.Minute).Format(time.RFC3339)
	case "PushURL":
		return "rtmp://example.com/live/stream"
	}
	return "v_" + f.Name
}

func itoa(i int) string { return strconv.Itoa(i) }

func jsonNumber(i int) json.Number { return json.Number(strconv.Itoa(i)) }

func newSigner() *rtc.Signer { return rtc.NewSigner(DefaultRegion, "rtc") }

func creds(ak, sk string) rtc.Credentials {
	return rtc.Credentials{AccessKeyID: ak, SecretAccessKey: sk}
}

func ioNop(b []byte) io.ReadCloser { return io.NopCloser(bytes.NewReader(b)) }
