package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/volcrtc/rtc/rtctest"
)

const testAppID = "661e0f6e07c1ac0123456789"

// result is what one run of the tool produced.
type result struct {
	code           int
	stdout, stderr string
}

// syncBuffer is a bytes.Buffer safe for concurrent writers (the fake
// server logs from its handler goroutines).
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// envFunc turns a map into the env function run takes. HOME always points
// to an empty temporary directory unless the map sets it, so that no real
// ~/.volc/config is read.
func envFunc(t *testing.T, m map[string]string) func(string) string {
	t.Helper()
	if _, ok := m["HOME"]; !ok {
		m["HOME"] = t.TempDir()
	}
	return func(k string) string { return m[k] }
}

// runTool runs the tool with args, stdin and env.
func runTool(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	if env == nil {
		env = map[string]string{}
	}
	var out, errb syncBuffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb, envFunc(t, env))
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// newFake starts an rtctest server for the test and returns it with the
// environment that points rtcctl at it.
func newFake(t *testing.T, opts ...rtctest.Option) (*rtctest.Server, map[string]string) {
	t.Helper()
	srv := rtctest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv, map[string]string{
		"RTC_ENDPOINT":          srv.URL,
		"VOLCENGINE_ACCESS_KEY": rtctest.DemoAccessKeyID,
		"VOLCENGINE_SECRET_KEY": rtctest.DemoSecretAccessKey,
	}
}

// requireNoSecret fails if any of the secrets appears in the output.
func requireNoSecret(t *testing.T, r result, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		require.NotContains(t, r.stdout, s)
		require.NotContains(t, r.stderr, s)
	}
}
