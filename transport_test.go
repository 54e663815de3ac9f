package rtc

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTLSSettingsOfUserClientRespected(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		fmt.Fprint(w, envelopeJSON("X", "", "", map[string]any{}))
	}))
	defer srv.Close()

	// The server's certificate is trusted only by srv.Client(): with it the
	// call works, so its TLS settings are used.
	c, err := New(WithEndpoint(srv.URL), WithCredentials(testCreds), WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	_, err = c.Call(context.Background(), "X", "2023-11-01", nil, nil)
	require.NoError(t, err)
	require.EqualValues(t, 1, n.Load())

	// The default client does not trust it: a certificate error, not retried,
	// and nothing reached the handler.
	c, err = New(WithEndpoint(srv.URL), WithCredentials(testCreds))
	require.NoError(t, err)
	_, err = c.Call(context.Background(), "X", "2023-11-01", nil, nil)
	require.ErrorContains(t, err, "certificate")
	require.False(t, IsRetryable(err))
	require.EqualValues(t, 1, n.Load())
}

func TestHTTPSByDefault(t *testing.T) {
	for _, opts := range [][]Option{nil, {WithRegion(RegionAPSoutheast1)}, {WithBytePlus()}} {
		c, err := New(opts...)
		require.NoError(t, err)
		require.Regexp(t, `^https://`, c.Endpoint())
	}
	_, err := New(WithEndpoint("http://rtc.volcengineapi.com"))
	require.ErrorContains(t, err, "unencrypted")
	_, err = New(WithEndpoint("http://[::1]:8080"))
	require.NoError(t, err)
	_, err = New(WithEndpoint("http://127.0.0.2:8080"))
	require.NoError(t, err)
}

func TestRedirectToOtherHostGetsNoCredentials(t *testing.T) {
	var leaked atomic.Value
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked.Store(r.Header.Get("Authorization") + r.Header.Get("X-Security-Token"))
		fmt.Fprint(w, envelopeJSON("X", "", "", map[string]any{}))
	}))
	defer other.Close()
	for _, code := range []int{301, 302, 307, 308} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/", code)
		}))
		// Also with a user client whose CheckRedirect would follow anything.
		follow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
		for _, hc := range []*http.Client{nil, follow} {
			opts := []Option{WithEndpoint(srv.URL), WithCredentials(testCreds)}
			if hc != nil {
				opts = append(opts, WithHTTPClient(hc))
			}
			c, err := New(opts...)
			require.NoError(t, err)
			_, err = c.Call(context.Background(), "X", "2023-11-01", nil, nil)
			var re *ResponseError
			require.ErrorAs(t, err, &re)
			require.Equal(t, code, re.HTTPStatus)
			require.Nil(t, leaked.Load(), "redirect %d was followed", code)
		}
		srv.Close()
	}
}
