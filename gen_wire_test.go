package rtc

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/volcrtc/rtc/internal/sigv4"
	"github.com/volcrtc/rtc/internal/spec"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/golden/<Action>.json from the requests the generated methods send")

// genCreds are the credentials the generated-code tests sign with.
var genCreds = StubCreds

// newGenClient builds a client for the generated-code tests on the shared
// harness: one attempt, fixed clock.
func newGenClient(t *testing.T, url string) *Client {
	t.Helper()
	now := time.Date(2026, 11, 25, 10, 40, 27, 0, time.UTC)
	return NewStubClient(t, url, WithRetry(RetryPolicy{MaxAttempts: 1}), WithClock(func() time.Time { return now }))
}

// verifyGenSignature recomputes the signature of a recorded request from
// its Authorization header's signed headers and the known secret.
func verifyGenSignature(t *testing.T, r StubRequest) {
	t.Helper()
	auth := r.Header.Get("Authorization")
	require.True(t, strings.HasPrefix(auth, sigv4.Algorithm+" "), "Authorization: %q", auth)
	parts := map[string]string{}
	for _, p := range strings.Split(strings.TrimPrefix(auth, sigv4.Algorithm+" "), ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		require.True(t, ok, p)
		parts[k] = v
	}
	ak, scope, ok := strings.Cut(parts["Credential"], "/")
	require.True(t, ok)
	require.Equal(t, genCreds.AccessKeyID, ak)
	sc := strings.Split(scope, "/")
	require.Len(t, sc, 4)
	require.Equal(t, []string{"cn-north-1", "rtc", "request"}, sc[1:])

	bodyHash := sigv4.HashHex(r.Body)
	require.Equal(t, string(bodyHash[:]), r.Header.Get("X-Content-Sha256"))
	var headers []sigv4.Header
	for _, name := range strings.Split(parts["SignedHeaders"], ";") {
		v := r.Header.Get(name)
		if name == "host" {
			v = sigv4.HostValue(r.Host)
		}
		headers = append(headers, sigv4.Header{Name: name, Value: strings.TrimSpace(v)})
	}
	require.Contains(t, parts["SignedHeaders"], "x-security-token")
	key := sigv4.DeriveKey(genCreds.SecretAccessKey, sc[0], sc[1], sc[2])
	path := r.Path
	if path == "" {
		path = "/"
	}
	sig, _ := sigv4.Signature(nil, &key, r.Method, path, sigv4.AppendCanonicalQuery(nil, r.RawQuery), headers, bodyHash[:], r.Header.Get("X-Date"), scope)
	require.Equal(t, string(sig[:]), parts["Signature"], "signature does not verify")
}

// goldenWire is what testdata/golden/<Action>.json holds.
type goldenWire struct {
	Method      string              `json:"Method"`
	Query       map[string][]string `json:"Query"`
	ContentType string              `json:"ContentType,omitempty"`
	Body        json.RawMessage     `json:"Body,omitempty"`
}

// TestWire sends every action's sample request through the typed method
// and a real client, and checks method, Action, Version, the parameters
// (against testdata/golden) and the signature.
func TestWire(t *testing.T) {
	t.Parallel()
	s := NewStubServer(t, func(r StubRequest) StubAnswer {
		for _, sc := range sampleCalls {
			if sc.Action == r.Query.Get("Action") {
				return StubAnswer{Result: json.RawMessage(sc.Result)}
			}
		}
		return StubAnswer{Status: 404, Code: "InvalidActionOrVersion"}
	})
	c := newGenClient(t, s.URL)
	sp := spec.MustLoad()
	require.Len(t, sampleCalls, len(sp.Actions), "one sample per action in the spec")
	for i, sc := range sampleCalls {
		t.Run(sc.Action, func(t *testing.T) {
			a := sp.Find(sc.Action)
			require.NotNil(t, a)
			_, err := sc.Call(context.Background(), c)
			require.NoError(t, err)
			reqs := s.Requests()
			require.Len(t, reqs, i+1)
			r := reqs[i]

			require.Equal(t, a.Method, r.Method)
			require.Equal(t, "/", r.Path)
			require.Equal(t, []string{a.Action}, r.Query["Action"])
			require.Equal(t, []string{a.Version}, r.Query["Version"])
			if a.InputIn == "query" {
				require.Empty(t, r.Body, "query actions send no body")
				require.Greater(t, len(r.Query), 2, "parameters are in the query")
			} else {
				require.Equal(t, "application/json", r.Header.Get("Content-Type"))
				require.True(t, json.Valid(r.Body))
				require.Len(t, r.Query, 2, "body actions carry only Action and Version in the query")
			}
			verifyGenSignature(t, r)

			got := goldenWire{Method: r.Method, Query: r.Query}
			if len(r.Body) > 0 {
				got.ContentType = r.Header.Get("Content-Type")
				var buf bytes.Buffer
				require.NoError(t, json.Indent(&buf, r.Body, "", "  "))
				got.Body = buf.Bytes()
			}
			checkGolden(t, sc.Action, got)
		})
	}
}

func checkGolden(t *testing.T, action string, got goldenWire) {
	t.Helper()
	b, err := json.MarshalIndent(got, "", "  ")
	require.NoError(t, err)
	b = append(b, '\n')
	path := filepath.Join("testdata", "golden", action+".json")
	if *updateGolden {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, b, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file; run go test -run TestWire -update")
	require.JSONEq(t, string(want), string(b), fmt.Sprintf("%s differs from the request sent", path))
}

// TestOperationTable checks the generated operation table against the
// spec, and the retry classification of representative actions.
func TestOperationTable(t *testing.T) {
	t.Parallel()
	sp := spec.MustLoad()
	require.Len(t, operations, len(sp.Actions))
	byName := map[string]*operation{}
	for _, op := range operations {
		a := sp.Find(op.Action)
		require.NotNil(t, a, op.Action)
		require.Equal(t, a.Version, op.Version, op.Action)
		require.Equal(t, a.Method, op.Method, op.Action)
		require.Equal(t, a.InputIn == "query", op.InQuery, op.Action)
		byName[op.Action] = op
	}
	require.True(t, byName["DeleteCallback"].InQuery, "DeleteCallback is a POST with a query")
	require.Equal(t, resultString, byName["StartRecord"].Result)
	require.Equal(t, resultAny, byName["StartWebcast"].Result)
	require.Equal(t, resultObject, byName["BanRoomUser"].Result)
	safety := []struct {
		action string
		want   retrySafety
	}{
		{"GetRecordTask", safeToRepeat},
		{"ListRoomInfo", safeToRepeat},
		{"WbTranscodeQuery", safeToRepeat},
		{"BanRoomUser", safeToRepeat},
		{"KickUser", safeToRepeat},
		{"StopPushStreamToCDN", safeToRepeat},
		{"UpdateBanRoomUserRule", safeToRepeat},
		{"StartRecord", safeWithTaskID},
		{"StartVoiceChat", safeWithTaskID},
		{"StartDetection", unsafeToRepeat},
		{"SendBroadcast", unsafeToRepeat},
		{"BatchSendRoomUnicast", unsafeToRepeat},
		{"CreateApp", unsafeToRepeat},
		{"DeleteBusinessID", unsafeToRepeat},
		{"WbTranscodeCreate", unsafeToRepeat},
	}
	for _, s := range safety {
		require.Equal(t, s.want, byName[s.action].Safety, s.action)
	}
}
