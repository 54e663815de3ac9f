package rtc

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

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
