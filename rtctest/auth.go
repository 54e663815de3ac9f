package rtctest

import (
	"crypto/hmac"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/volcrtc/rtc/internal/sigv4"
)

// authHeader is a parsed Authorization header.
type authHeader struct {
	accessKey, date, region, service string
	signedHeaders                    []string
	signature                        string
}

// parseAuthorization parses
// "HMAC-SHA256 Credential=AK/date/region/service/request, SignedHeaders=a;b, Signature=hex".
func parseAuthorization(v string) (authHeader, *apiError) {
	var a authHeader
	rest, ok := strings.CutPrefix(v, sigv4.Algorithm+" ")
	if !ok {
		return a, errorf(http.StatusUnauthorized, "MissingAuthenticationToken",
			"the Authorization header must start with %s", sigv4.Algorithm)
	}
	var cred, signed string
	for _, part := range strings.Split(rest, ",") {
		k, val, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			cred = val
		case "SignedHeaders":
			signed = val
		case "Signature":
			a.signature = val
		}
	}
	if a.signature == "" {
		return a, errorf(http.StatusUnauthorized, "MissingSignature", "the Authorization header has no Signature")
	}
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[0] == "" || parts[1] == "" || parts[2] == "" || parts[3] == "" || parts[4] != "request" {
		return a, invalid("MissingRequestInfo",
			"the Credential must be AccessKeyId/YYYYMMDD/region/service/request")
	}
	a.accessKey, a.date, a.region, a.service = parts[0], parts[1], parts[2], parts[3]
	if signed == "" {
		return a, errorf(http.StatusUnauthorized, "MissingSignature", "the Authorization header has no SignedHeaders")
	}
	a.signedHeaders = strings.Split(signed, ";")
	return a, nil
}

// authenticate runs checks 2 to 5 of the package documentation. It sets
// c.ak and c.sigOK.
func (c *call) authenticate() *apiError {
	r := c.r
	av := r.Header.Get("Authorization")
	if av == "" {
		return errorf(http.StatusUnauthorized, "MissingAuthenticationToken", "the request carries no Authorization header")
	}
	a, e := parseAuthorization(av)
	if e != nil {
		return e
	}
	c.ak = a.accessKey
	secret, ok := c.srv.cfg.creds[a.accessKey]
	if !ok {
		return errorf(http.StatusUnauthorized, "InvalidClientTokenId", "the access key ID is not valid")
	}
	xdate := r.Header.Get("X-Date")
	t, err := time.Parse(sigv4.TimeFormat, xdate)
	if err != nil {
		return &apiError{status: http.StatusForbidden, code: "InvalidTimestamp", codeN: 100006,
			msg: "X-Date is missing or not in the form YYYYMMDDThhmmssZ"}
	}
	if d := t.Sub(c.now); d > ClockTolerance || d < -ClockTolerance {
		return &apiError{status: http.StatusForbidden, code: "InvalidTimestamp", codeN: 100006,
			msg: "X-Date " + xdate + " is more than 15 minutes from the server time " + c.now.UTC().Format(sigv4.TimeFormat)}
	}
	mismatch := func(msg string) *apiError {
		return &apiError{status: http.StatusUnauthorized, code: "SignatureDoesNotMatch", codeN: 100010, msg: msg}
	}
	if a.date != xdate[:8] {
		return mismatch("the credential scope date does not match X-Date")
	}
	if c.srv.cfg.strictRgn && a.region != c.srv.cfg.region {
		return mismatch("The request was signed for region " + strconv.Quote(a.region) + ", but this endpoint serves " +
			strconv.Quote(c.srv.cfg.region) + ": set the client's region to match the endpoint.")
	}
	names := append([]string(nil), a.signedHeaders...)
	sort.Strings(names)
	headers := make([]sigv4.Header, 0, len(names))
	for _, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		var v string
		if n == "host" {
			v = sigv4.HostValue(r.Host)
		} else {
			v = strings.Join(r.Header.Values(n), ",")
		}
		headers = append(headers, sigv4.Header{Name: n, Value: strings.TrimSpace(v)})
	}
	bodyHash := sigv4.HashHex(c.body)
	signedHash := r.Header.Get("X-Content-Sha256")
	if signedHash == "" {
		signedHash = string(bodyHash[:])
	}
	key := c.srv.signingKey(secret, a.date, a.region, a.service)
	canon := sigv4.AppendCanonicalQuery(nil, r.URL.RawQuery)
	path := r.URL.EscapedPath()
	sig, _ := sigv4.Signature(nil, &key, r.Method, path, canon, headers, []byte(signedHash), xdate,
		sigv4.Scope(a.date, a.region, a.service))
	if !hmac.Equal(sig[:], []byte(a.signature)) {
		return mismatch("The request signature we calculated does not match the signature you provided. " +
			"Check your access key pair, the region in the credential scope and the signing method.")
	}
	if signedHash != string(bodyHash[:]) {
		return mismatch("X-Content-Sha256 does not match the SHA-256 of the request body")
	}
	if a.service != "rtc" {
		return errorf(http.StatusNotFound, "ServiceNotFound", "service %q is not served here", a.service)
	}
	c.sigOK = true
	return nil
}

// signingKey returns the derived key, cached per secret, date, region and
// service.
func (s *Server) signingKey(secret, date, region, service string) [32]byte {
	ck := secret + "\x00" + date + "\x00" + region + "\x00" + service
	if k, ok := s.keys.Load(ck); ok {
		return k.([32]byte)
	}
	k := sigv4.DeriveKey(secret, date, region, service)
	s.keys.Store(ck, k)
	return k
}
