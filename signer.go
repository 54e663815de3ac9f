package rtc

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"hash"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/volcrtc/rtc/internal/sigv4"
)

// ServiceName is the service name in the signing scope.
const ServiceName = "rtc"

// Signer signs HTTP requests with the vendor's "V4" HMAC-SHA256 scheme. It
// is safe for concurrent use and caches the derived signing key, which
// changes only with the secret and the date. A Signer is usable on its own,
// for example to sign requests sent by another HTTP stack.
type Signer struct {
	region, service string
	cache           atomic.Pointer[signingKey]
	lastDate        atomic.Pointer[xdateCache]
}

// signingKey is the cached derived key for one secret and one day.
type signingKey struct {
	secret string // compared, never printed: fmt shows this struct only as an address
	date   string // YYYYMMDD
	scope  string // date/region/service/request
	key    [32]byte
	macs   sync.Pool // of hash.Hash: HMAC-SHA256 keyed with key
}

// NewSigner returns a signer for the given region and service (for this
// API the service is "rtc", see ServiceName).
func NewSigner(region, service string) *Signer {
	return &Signer{region: region, service: service}
}

// Region returns the region the signer puts in the credential scope.
func (s *Signer) Region() string { return s.region }

var scratchPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// Sign signs req, whose body is body (nil or empty for none), with creds at
// time now. It sets X-Date, X-Content-Sha256, Authorization, and
// X-Security-Token when creds has a session token. The headers that take part
// are host, x-date, x-content-sha256, content-type when req has one, and
// x-security-token; the query is canonicalised from req.URL.RawQuery. Set the
// request's Content-Type before signing.
//
// The canonical query sorts pairs by key and then by value, as the
// reference describes. The vendor's signer keeps the order of a repeated
// key's values and drops pairs with a malformed escape; for requests whose
// query has neither (every request this SDK builds sends repeated values
// already sorted), both give the same signature.
func (s *Signer) Sign(req *http.Request, body []byte, creds Credentials, now time.Time) error {
	return s.sign(req, body, creds, now, new([4]string))
}

// sign is Sign with the storage for the header values supplied by the
// caller (the pipeline keeps it in the attempt's one allocation).
func (s *Signer) sign(req *http.Request, body []byte, creds Credentials, now time.Time, vals *[4]string) error {
	if req == nil || req.URL == nil {
		return errors.New("rtc: Sign: request or its URL is nil")
	}
	if creds.AccessKeyID == "" || creds.SecretAccessKey == "" {
		return errors.New("rtc: Sign: credentials need both an access key ID and a secret access key")
	}
	if s.region == "" || s.service == "" {
		return errors.New("rtc: Sign: the signer has no region or service (use NewSigner(region, service))")
	}
	if req.Header == nil {
		req.Header = make(http.Header, 6)
	}

	xd := s.xdate(now)
	xdate := xd.text[:]
	bodyHash := sigv4.HashHex(body)
	k := s.key(creds.SecretAccessKey, xdate[:8])

	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	// Filled by index, not append: an append could move the array (and the
	// hash it points to) to the heap.
	var hs [5]sigv4.Header
	n := 0
	if ct := req.Header["Content-Type"]; len(ct) > 0 {
		hs[n] = sigv4.Header{Name: "content-type", Value: ct[0]}
		n++
	}
	hs[n] = sigv4.Header{Name: "host", Value: sigv4.HostValue(host)}
	hs[n+1] = sigv4.Header{Name: "x-content-sha256", B: bodyHash[:]}
	hs[n+2] = sigv4.Header{Name: "x-date", B: xdate}
	n += 3
	tok := creds.SessionToken
	if tok != "" {
		hs[n] = sigv4.Header{Name: "x-security-token", Value: tok}
		n++
	}
	headers := hs[:n]

	bp := scratchPool.Get().(*[]byte)
	buf := *bp
	buf = sigv4.AppendCanonicalQuery(buf[:0], req.URL.RawQuery)
	qlen := len(buf)
	mac := k.macs.Get().(hash.Hash)
	sig, grown := sigv4.SignatureMAC(buf[qlen:], mac, req.Method, pathOf(req), buf[:qlen], headers, bodyHash[:], xdate, k.scope)
	k.macs.Put(mac)
	if cap(grown) > cap(buf) && cap(grown) <= 64<<10 {
		buf = grown
	}

	// X-Date, X-Content-Sha256 and Authorization, built in one buffer and
	// turned into one string whose parts are the three header values.
	out := append(buf[:0], xdate...)
	out = append(out, bodyHash[:]...)
	out = append(out, sigv4.Algorithm+" Credential="...)
	out = append(out, creds.AccessKeyID...)
	out = append(out, '/')
	out = append(out, k.scope...)
	out = append(out, ", SignedHeaders="...)
	out = sigv4.AppendSignedHeaders(out, headers)
	out = append(out, ", Signature="...)
	out = append(out, sig[:]...)
	all := string(out)
	*bp = out[:0]
	scratchPool.Put(bp)

	vals[0], vals[1], vals[2] = all[:16], all[16:80], all[80:]
	req.Header["X-Date"] = vals[0:1:1]
	req.Header["X-Content-Sha256"] = vals[1:2:2]
	req.Header["Authorization"] = vals[2:3:3]
	if tok != "" {
		vals[3] = tok
		req.Header["X-Security-Token"] = vals[3:4:4]
	} else {
		delete(req.Header, "X-Security-Token")
	}
	return nil
}

func pathOf(req *http.Request) string {
	if p := req.URL.EscapedPath(); p != "" {
		return p
	}
	return "/"
}

// xdateCache is the X-Date text of one second.
type xdateCache struct {
	unix int64
	text [16]byte
}

// xdate formats now as X-Date, reusing the last result within the same
// second (calls come in bursts; formatting a date is not free).
func (s *Signer) xdate(now time.Time) *xdateCache {
	u := now.Unix()
	if c := s.lastDate.Load(); c != nil && c.unix == u {
		return c
	}
	t := now.UTC()
	y, mo, d := t.Date()
	h, mi, sec := t.Clock()
	c := &xdateCache{unix: u}
	sigv4.AppendXDate(c.text[:0], y, int(mo), d, h, mi, sec)
	s.lastDate.Store(c)
	return c
}

// key returns the cached derived key for secret and date, deriving and
// caching it when either changed.
func (s *Signer) key(secret string, date []byte) *signingKey {
	if k := s.cache.Load(); k != nil && k.secret == secret && k.date == string(date) {
		return k
	}
	d := string(date)
	k := &signingKey{
		secret: secret,
		date:   d,
		scope:  sigv4.Scope(d, s.region, s.service),
		key:    sigv4.DeriveKey(secret, d, s.region, s.service),
	}
	k.macs.New = func() any { return hmac.New(sha256.New, k.key[:]) }
	s.cache.Store(k)
	return k
}

// debugSigning returns the canonical request and the string to sign that
// Sign computes for req, for debug logs. It never includes the secret, and
// the session token is redacted from the canonical request.
func (s *Signer) debugSigning(req *http.Request, body []byte) (canonical, stringToSign string) {
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	var headers []sigv4.Header
	if ct := req.Header.Get("Content-Type"); ct != "" {
		headers = append(headers, sigv4.Header{Name: "content-type", Value: ct})
	}
	bodyHash := sigv4.HashHex(body)
	xdate := req.Header.Get("X-Date")
	headers = append(headers,
		sigv4.Header{Name: "host", Value: sigv4.HostValue(host)},
		sigv4.Header{Name: "x-content-sha256", Value: string(bodyHash[:])},
		sigv4.Header{Name: "x-date", Value: xdate},
	)
	if tok := req.Header.Get("X-Security-Token"); tok != "" {
		headers = append(headers, sigv4.Header{Name: "x-security-token", Value: tok})
	}
	q := sigv4.AppendCanonicalQuery(nil, req.URL.RawQuery)
	cr := sigv4.AppendCanonicalRequest(nil, req.Method, pathOf(req), q, headers, bodyHash[:])
	short := xdate
	if len(short) > 8 {
		short = short[:8]
	}
	sts := sigv4.AppendStringToSign(nil, xdate, sigv4.Scope(short, s.region, s.service), cr)
	canonical = string(cr)
	// The string to sign was computed from the real value; the logged
	// canonical request must not carry the session token. The whole header
	// line is replaced: its value is canonicalised (trimmed, spaces folded),
	// so it need not equal the header as given.
	canonical = redactHeaderLine(canonical, "x-security-token:")
	return canonical, strings.TrimSpace(string(sts))
}

// redactHeaderLine replaces the value of every line of s that starts with
// prefix (a canonical header name and colon).
func redactHeaderLine(s, prefix string) string {
	var b strings.Builder
	for len(s) > 0 {
		line, rest, found := strings.Cut(s, "\n")
		if strings.HasPrefix(line, prefix) {
			line = prefix + redactMark
		}
		b.WriteString(line)
		if found {
			b.WriteByte('\n')
		}
		s = rest
	}
	return b.String()
}
