package rtc

import (
	"context"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Half a key pair in the environment is an error naming the missing
// variable, and a chain stops there instead of reading a config file that
// may belong to another account.
func TestEnvCredentialsIncompletePair(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	require.NoError(t, os.WriteFile(cfg, []byte(`{"ak":"other-account","sk":"other-secret"}`), 0o600))
	for name, tc := range map[string]struct {
		env     map[string]string
		missing string
	}{
		"access key only":        {map[string]string{EnvAccessKey: "AK"}, EnvSecretKey},
		"secret only":            {map[string]string{EnvSecretKey: "SK-value"}, EnvAccessKey},
		"legacy access key only": {map[string]string{EnvLegacyAccessKey: "AK"}, EnvLegacySecretKey},
		"legacy secret only":     {map[string]string{EnvLegacySecretKey: "SK-value"}, EnvLegacyAccessKey},
		"session token only":     {map[string]string{EnvSessionToken: "TOKEN-value"}, EnvAccessKey},
	} {
		t.Run(name, func(t *testing.T) {
			env := EnvCredentialsFrom(func(k string) string { return tc.env[k] })
			_, err := env.Retrieve(context.Background())
			require.ErrorIs(t, err, ErrIncompleteCredentials)
			require.NotErrorIs(t, err, ErrNoCredentials)
			require.Contains(t, err.Error(), tc.missing+" is not")
			require.NotContains(t, err.Error(), "SK-value")
			require.NotContains(t, err.Error(), "TOKEN-value")

			c, err := ChainCredentials(env, FileCredentials(cfg)).Retrieve(context.Background())
			require.ErrorIs(t, err, ErrIncompleteCredentials, "the chain must not fall through to the file")
			require.Empty(t, c.AccessKeyID)
		})
	}
}

// The config file: only regular files of bounded size are read; a FIFO or a
// link to /dev/zero neither blocks nor grows memory; a file others can read
// draws a warning.
func TestFileCredentialsHostileFiles(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("FIFOs and permission bits are unix concepts")
	}
	dir := t.TempDir()
	ctx := context.Background()

	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	done := make(chan error, 1)
	go func() { _, err := FileCredentials(fifo).Retrieve(ctx); done <- err }()
	select {
	case err := <-done:
		require.ErrorContains(t, err, "not a regular file")
	case <-time.After(3 * time.Second):
		t.Fatal("reading a FIFO blocked")
	}

	zero := filepath.Join(dir, "zero")
	require.NoError(t, os.Symlink("/dev/zero", zero))
	_, err := FileCredentials(zero).Retrieve(ctx)
	require.ErrorContains(t, err, "not a regular file")

	_, err = FileCredentials(dir).Retrieve(ctx)
	require.ErrorContains(t, err, "not a regular file")

	big := filepath.Join(dir, "big")
	require.NoError(t, os.WriteFile(big, []byte(`{"ak":"a","sk":"b"}`+strings.Repeat(" ", MaxConfigFileSize)), 0o600))
	_, err = FileCredentials(big).Retrieve(ctx)
	require.ErrorContains(t, err, "more than the 65536")

	// Permissions: 0600 is quiet, 0644 warns (and still works).
	good := filepath.Join(dir, "good")
	require.NoError(t, os.WriteFile(good, []byte(`{"ak":"a","sk":"b"}`), 0o600))
	var warned []string
	warn := func(p string, m fs.FileMode) { warned = append(warned, p+" "+m.Perm().String()) }
	c, err := fileProvider{path: good, warn: warn}.Retrieve(ctx)
	require.NoError(t, err)
	require.Equal(t, "a", c.AccessKeyID)
	require.Empty(t, warned)
	require.NoError(t, os.Chmod(good, 0o644))
	_, err = fileProvider{path: good, warn: warn}.Retrieve(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{good + " -rw-r--r--"}, warned)

	// A cancelled context is honoured before the file is touched.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = FileCredentials(fifo).Retrieve(cctx)
	require.ErrorIs(t, err, context.Canceled)
}

// Only "localhost" and literal loopback addresses count as loopback; other
// names could resolve (or be proxied) anywhere.
func TestLoopbackIsLiteral(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST": true, "127.0.0.1": true, "127.9.9.9": true, "::1": true, "[::1]": true,
		"app.localhost": false, "evil.localhost": false, "localhost.example.com": false, "10.0.0.1": false, "example.com": false,
	} {
		require.Equal(t, want, isLoopback(host), host)
	}
	_, err := parseEndpoint("http://api.localhost:8080", false)
	require.ErrorContains(t, err, "non-loopback")
	_, err = parseEndpoint("http://[::1]:8080", false)
	require.NoError(t, err)

	// The default transport never proxies a loopback endpoint.
	hc := newHTTPClient(nil)
	tr := hc.Transport.(*http.Transport)
	for _, u := range []string{"http://localhost:8080/", "http://127.0.0.1:1/", "http://[::1]:1/"} {
		req, _ := http.NewRequest(http.MethodPost, u, nil)
		p, err := tr.Proxy(req)
		require.NoError(t, err)
		require.Nil(t, p, u)
	}
}
