package rtc

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/volcrtc/rtc/rtctest"
)

func TestTLSSettingsOfUserClientRespected(t *testing.T) {
	t.Parallel()
	// rtctest listens on plain HTTP only: httptest serves its handler over
	// TLS.
	fake := rtctest.NewUnstartedServer(rtctest.WithCredentials(StubCreds.AccessKeyID, StubCreds.SecretAccessKey))
	defer fake.Close()
	srv := httptest.NewTLSServer(fake.Handler())
	defer srv.Close()

	// The server's certificate is trusted only by srv.Client(): with it the
	// call works, so its TLS settings are used.
	c, err := New(WithEndpoint(srv.URL), WithCredentials(StubCreds), WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	_, err = c.Call(context.Background(), "KickUser", "2020-12-01", kickInput, nil)
	require.NoError(t, err)
	require.Len(t, fake.Requests(), 1)

	// The default client does not trust it: a certificate error, not retried,
	// and nothing reached the handler.
	c, err = New(WithEndpoint(srv.URL), WithCredentials(StubCreds))
	require.NoError(t, err)
	_, err = c.Call(context.Background(), "KickUser", "2020-12-01", kickInput, nil)
	require.ErrorContains(t, err, "certificate")
	require.False(t, IsRetryable(err))
	require.Len(t, fake.Requests(), 1)
}

func TestHTTPSByDefault(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
	// The other host is a fake that would record any request reaching it.
	other := NewFake(t)
	for _, code := range []int{301, 302, 307, 308} {
		// A stub: rtctest never redirects.
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/?"+r.URL.RawQuery, code)
		}))
		// Also with a user client whose CheckRedirect would follow anything.
		follow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
		for _, hc := range []*http.Client{nil, follow} {
			opts := []Option{WithEndpoint(srv.URL), WithCredentials(StubCreds)}
			if hc != nil {
				opts = append(opts, WithHTTPClient(hc))
			}
			c, err := New(opts...)
			require.NoError(t, err)
			_, err = c.Call(context.Background(), "KickUser", "2020-12-01", kickInput, nil)
			var re *ResponseError
			require.ErrorAs(t, err, &re)
			require.Equal(t, code, re.HTTPStatus)
			require.Empty(t, other.Requests(), "redirect %d was followed", code)
		}
		srv.Close()
	}
}
