package conformance_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/volcengine/volc-sdk-golang/base"
	"github.com/volcrtc/rtc"
)

// signedHeaders are the headers a signer sets and the comparison covers.
var signedHeaders = []string{"Authorization", "X-Date", "X-Content-Sha256", "X-Security-Token"}

const signCases = 1000

// TestSignerMatchesVendorSign signs the same randomized http.Request with the
// vendor's base.Credentials.Sign and with rtc.Signer.Sign. The vendor's
// signer reads the clock itself (an unexported package variable), so our
// side signs at the time the vendor wrote into X-Date.
func TestSignerMatchesVendorSign(t *testing.T) {
	g := newCaseGen(20261125)
	compared := 0
	for i := 0; i < signCases; i++ {
		c := g.next()

		vreq := c.request()
		vreq.Body = io.NopCloser(bytes.NewReader(c.body))
		vreq = c.vendorCreds().Sign(vreq)

		when, err := time.Parse("20060102T150405Z", vreq.Header.Get("X-Date"))
		require.NoError(t, err, "case %d: vendor X-Date", i)

		oreq := c.request()
		require.NoError(t, rtc.NewSigner(c.region, "rtc").Sign(oreq, c.body, c.creds, when), "case %d", i)

		for _, h := range signedHeaders {
			require.Equal(t, vreq.Header.Get(h), oreq.Header.Get(h), "case %d, header %s: %s", i, h, c.describe())
		}
		// The vendor's Sign rewrote the query into its canonical form; the
		// canonical forms of both spellings must be the same request.
		require.Equal(t, c.request().URL.Query(), vreq.URL.Query(), "case %d", i)
		compared++
	}
	require.Equal(t, signCases, compared)
	t.Logf("compared %d requests signed by base.Credentials.Sign and rtc.Signer.Sign", compared)
}

// TestSignerMatchesVendorGetSignRequest drives the vendor's signing core,
// base.GetSignRequest, with an explicit time (any second of 2000-2099), so
// the derived key and scope are exercised across dates, and compares every
// header with rtc.Signer.Sign at the same time.
func TestSignerMatchesVendorGetSignRequest(t *testing.T) {
	g := newCaseGen(7)
	compared := 0
	for i := 0; i < signCases; i++ {
		c := g.next()

		vreq := c.request()
		vs := base.GetSignRequest(base.RequestParam{
			Body:      c.body,
			Host:      vreq.Host,
			Path:      "/",
			Method:    c.method,
			Date:      c.when,
			QueryList: vreq.URL.Query(),
			Headers:   vreq.Header,
		}, c.vendorCreds())
		vendor := map[string]string{
			"Authorization":    vs.Authorization,
			"X-Date":           vs.XDate,
			"X-Content-Sha256": vs.XContentSha256,
			"X-Security-Token": vs.XSecurityToken,
		}

		oreq := c.request()
		require.NoError(t, rtc.NewSigner(c.region, "rtc").Sign(oreq, c.body, c.creds, c.when), "case %d", i)
		for _, h := range signedHeaders {
			require.Equal(t, vendor[h], oreq.Header.Get(h), "case %d, header %s: %s", i, h, c.describe())
		}
		require.Equal(t, c.ctype, vs.ContentType, "case %d: the vendor must sign the request's own Content-Type", i)
		compared++
	}
	require.Equal(t, signCases, compared)
	t.Logf("compared %d requests signed by base.GetSignRequest and rtc.Signer.Sign", compared)
}

// TestSignerReusedAcrossCases signs many cases with one Signer per region,
// so the cached signing key must follow changes of secret and date.
func TestSignerReusedAcrossCases(t *testing.T) {
	signers := map[string]*rtc.Signer{}
	for _, rh := range regionHosts {
		signers[rh.region] = rtc.NewSigner(rh.region, "rtc")
	}
	g := newCaseGen(99)
	for i := 0; i < 300; i++ {
		c := g.next()
		if i%3 == 0 && i > 0 {
			// Same secret, next day: the key must be derived again.
			c.when = c.when.Add(24 * time.Hour)
		}
		vreq := c.request()
		vs := base.GetSignRequest(base.RequestParam{
			Body: c.body, Host: vreq.Host, Path: "/", Method: c.method, Date: c.when,
			QueryList: vreq.URL.Query(), Headers: vreq.Header,
		}, c.vendorCreds())
		oreq := c.request()
		require.NoError(t, signers[c.region].Sign(oreq, c.body, c.creds, c.when))
		require.Equal(t, vs.Authorization, oreq.Header.Get("Authorization"), "case %d: %s", i, c.describe())
	}
}

// TestSignerVendorRoundTripHeaders checks the header set the vendor puts on a
// request against ours for a fixed, BanRoomUser-like request, so a change in
// which headers are signed shows up plainly.
func TestSignerVendorRoundTripHeaders(t *testing.T) {
	tests := []struct {
		name  string
		token string
		want  string
	}{
		{"no session token", "", "content-type;host;x-content-sha256;x-date"},
		{"session token", "STS2token", "content-type;host;x-content-sha256;x-date;x-security-token"},
	}
	body := []byte(`{"AppId":"661e2f2a543cf","RoomId":"room1","UserId":"user1","ForbiddenInterval":600}`)
	when := time.Date(2026, 11, 25, 10, 40, 27, 0, time.UTC)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &signCase{
				region: "cn-north-1", host: "rtc.volcengineapi.com", method: http.MethodPost,
				rawQuery: "Action=BanRoomUser&Version=2023-11-01", ctype: contentTypeJSON, body: body,
				creds: rtc.Credentials{AccessKeyID: "AKLTexample", SecretAccessKey: "c2VjcmV0", SessionToken: tt.token},
				when:  when,
			}
			oreq := c.request()
			require.NoError(t, rtc.NewSigner(c.region, "rtc").Sign(oreq, body, c.creds, when))
			require.Contains(t, oreq.Header.Get("Authorization"), "SignedHeaders="+tt.want+", ")
			vreq := c.request()
			vs := base.GetSignRequest(base.RequestParam{
				Body: body, Host: vreq.Host, Path: "/", Method: c.method, Date: when,
				QueryList: vreq.URL.Query(), Headers: vreq.Header,
			}, c.vendorCreds())
			require.Equal(t, vs.Authorization, oreq.Header.Get("Authorization"))
		})
	}
}
