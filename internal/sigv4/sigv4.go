// Package sigv4 holds the vendor's "V4" HMAC-SHA256 request signing
// algorithm as plain functions over bytes: canonical query, canonical
// request, string to sign, derived key and signature. The public rtc.Signer
// wraps it for http.Request values, and the fake server uses it to verify
// what clients send. Everything here is allocation-lean: callers pass in the
// buffers to append to.
package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strings"
)

// Algorithm is the name that opens the Authorization header and the string
// to sign.
const Algorithm = "HMAC-SHA256"

// TimeFormat is the layout of the X-Date header.
const TimeFormat = "20060102T150405Z"

// Header is one signed header: a lower-case name and its value. When B is
// not nil it is the value, as given (callers use it to avoid building a
// string they do not have yet); otherwise Value, trimmed.
type Header struct {
	Name, Value string
	B           []byte
}

// HostValue returns the host as it is signed: a default port (:80, :443) is
// dropped.
func HostValue(host string) string {
	if strings.HasSuffix(host, ":80") {
		return host[:len(host)-3]
	}
	if strings.HasSuffix(host, ":443") {
		return host[:len(host)-4]
	}
	return host
}

// Pair is one decoded query parameter.
type Pair struct{ K, V string }

// AppendCanonicalQuery appends the canonical form of rawQuery to dst: every
// pair decoded (a '+' is a space, as in HTML forms), then percent-encoded per
// RFC 3986 with upper-case hex, sorted by key and then value, and joined with
// '&'. Undecodable escapes are kept literally, so any input canonicalises.
func AppendCanonicalQuery(dst []byte, rawQuery string) []byte {
	if isCanonical(rawQuery) {
		return append(dst, rawQuery...)
	}
	var stack [16]Pair
	pairs := stack[:0]
	for rawQuery != "" {
		var part string
		part, rawQuery, _ = strings.Cut(rawQuery, "&")
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		pairs = append(pairs, Pair{unescape(k), unescape(v)})
	}
	return AppendCanonicalPairs(dst, pairs)
}

// AppendCanonicalPairs appends the canonical query of decoded pairs to dst:
// sorted by key and then value (pairs is sorted in place), each
// percent-encoded per RFC 3986, joined with '&'. It is the one canonical
// form: AppendCanonicalQuery and the SDK's query encoder both end here.
func AppendCanonicalPairs(dst []byte, pairs []Pair) []byte {
	// Insertion sort: queries are short, and this needs no allocation.
	for i := 1; i < len(pairs); i++ {
		for j := i; j > 0 && less(pairs[j], pairs[j-1]); j-- {
			pairs[j], pairs[j-1] = pairs[j-1], pairs[j]
		}
	}
	for i, p := range pairs {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = AppendEscape(dst, p.K)
		dst = append(dst, '=')
		dst = AppendEscape(dst, p.V)
	}
	return dst
}

// isCanonical reports whether q is already in canonical form: pairs of
// unreserved characters only (so nothing to decode or encode), each with
// '=', sorted by key then value. This is what the SDK's own requests look
// like, and checking is cheaper than rebuilding.
func isCanonical(q string) bool {
	var prevK, prevV string
	first := true
	for q != "" {
		part, rest, more := strings.Cut(q, "&")
		if part == "" || (more && rest == "") {
			return false
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return false
		}
		for i := 0; i < len(part); i++ {
			if c := part[i]; !unreserved(c) && c != '=' {
				return false
			}
		}
		if strings.IndexByte(v, '=') >= 0 {
			return false
		}
		if !first && less(Pair{k, v}, Pair{prevK, prevV}) {
			return false
		}
		prevK, prevV, first = k, v, false
		q = rest
	}
	return true
}

func less(a, b Pair) bool {
	if a.K != b.K {
		return a.K < b.K
	}
	return a.V < b.V
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// unescape decodes %XX escapes and '+'. It returns s itself (no allocation)
// when there is nothing to decode. A malformed escape is kept as it is.
func unescape(s string) string {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+2 < len(s) {
				hi, ok1 := unhex(s[i+1])
				lo, ok2 := unhex(s[i+2])
				if ok1 && ok2 {
					b = append(b, hi<<4|lo)
					i += 2
					continue
				}
			}
			b = append(b, c)
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

const upperHex = "0123456789ABCDEF"

// AppendEscape appends s percent-encoded per RFC 3986: only A-Z a-z 0-9
// - _ . ~ stay as they are; every other byte becomes %XX (space is %20).
func AppendEscape(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return dst
}

// DeriveKey computes the signing key for a date (YYYYMMDD), region and
// service: HMAC chains over the secret. It changes only with those inputs,
// so callers cache it.
func DeriveKey(secret, shortDate, region, service string) [32]byte {
	var scratch [256]byte
	k := HMAC(scratch[:0], []byte(secret), []byte(shortDate))
	k = HMAC(scratch[:0], k[:], []byte(region))
	k = HMAC(scratch[:0], k[:], []byte(service))
	return HMAC(scratch[:0], k[:], []byte("request"))
}

// HMAC computes HMAC-SHA256(key, msg) without allocating when scratch has
// room for 64+len(msg) bytes (it is used as the inner hash's input buffer).
func HMAC(scratch, key, msg []byte) [32]byte {
	var k [64]byte
	if len(key) > 64 {
		sum := sha256.Sum256(key)
		copy(k[:], sum[:])
	} else {
		copy(k[:], key)
	}
	buf := scratch[:0]
	for _, c := range k {
		buf = append(buf, c^0x36)
	}
	buf = append(buf, msg...)
	inner := sha256.Sum256(buf)
	var outer [96]byte
	for i, c := range k {
		outer[i] = c ^ 0x5c
	}
	copy(outer[64:], inner[:])
	return sha256.Sum256(outer[:])
}

// HashHex returns hex(sha256(b)).
func HashHex(b []byte) [64]byte {
	sum := sha256.Sum256(b)
	var out [64]byte
	hex.Encode(out[:], sum[:])
	return out
}

// Scope returns "shortDate/region/service/request".
func Scope(shortDate, region, service string) string {
	return shortDate + "/" + region + "/" + service + "/request"
}

// AppendSignedHeaders appends the header names joined with ';'.
func AppendSignedHeaders(dst []byte, headers []Header) []byte {
	for i, h := range headers {
		if i > 0 {
			dst = append(dst, ';')
		}
		dst = append(dst, h.Name...)
	}
	return dst
}

// AppendCanonicalRequest appends
// Method\nPath\nCanonicalQuery\nCanonicalHeaders\nSignedHeaders\nBodyHash.
// headers must already be sorted by name.
func AppendCanonicalRequest(dst []byte, method, path string, canonQuery []byte, headers []Header, bodyHash []byte) []byte {
	if path == "" {
		path = "/"
	}
	dst = append(dst, method...)
	dst = append(dst, '\n')
	dst = append(dst, path...)
	dst = append(dst, '\n')
	dst = append(dst, canonQuery...)
	dst = append(dst, '\n')
	for _, h := range headers {
		dst = append(dst, h.Name...)
		dst = append(dst, ':')
		if h.B != nil {
			dst = append(dst, h.B...)
		} else {
			dst = append(dst, strings.TrimSpace(h.Value)...)
		}
		dst = append(dst, '\n')
	}
	dst = append(dst, '\n')
	dst = AppendSignedHeaders(dst, headers)
	dst = append(dst, '\n')
	dst = append(dst, bodyHash...)
	return dst
}

// AppendStringToSign appends "HMAC-SHA256\nXDate\nScope\nhex(sha256(canonicalRequest))".
func AppendStringToSign(dst []byte, xdate, scope string, canonicalRequest []byte) []byte {
	return appendStringToSign(dst, []byte(xdate), scope, canonicalRequest)
}

func appendStringToSign(dst, xdate []byte, scope string, canonicalRequest []byte) []byte {
	h := HashHex(canonicalRequest)
	dst = append(dst, Algorithm...)
	dst = append(dst, '\n')
	dst = append(dst, xdate...)
	dst = append(dst, '\n')
	dst = append(dst, scope...)
	dst = append(dst, '\n')
	return append(dst, h[:]...)
}

// Signature computes the hex signature. buf is scratch space (reused, may be
// nil); the returned buffer is buf grown, for the caller to keep.
func Signature(buf []byte, key *[32]byte, method, path string, canonQuery []byte, headers []Header, bodyHash []byte, xdate, scope string) ([64]byte, []byte) {
	return SignatureMAC(buf, hmac.New(sha256.New, key[:]), method, path, canonQuery, headers, bodyHash, []byte(xdate), scope)
}

// SignatureMAC is Signature with mac, an HMAC-SHA256 keyed with the signing
// key (it is Reset before use). Keeping one such MAC per key saves hashing
// the key's pads on every signature.
func SignatureMAC(buf []byte, mac hash.Hash, method, path string, canonQuery []byte, headers []Header, bodyHash, xdate []byte, scope string) ([64]byte, []byte) {
	buf = AppendCanonicalRequest(buf[:0], method, path, canonQuery, headers, bodyHash)
	crLen := len(buf)
	buf = appendStringToSign(buf, xdate, scope, buf[:crLen])
	mac.Reset()
	mac.Write(buf[crLen:])
	// Sum into buf's spare room: a local array would escape through the
	// interface call and cost an allocation.
	n := len(buf)
	buf = mac.Sum(buf)
	var out [64]byte
	hex.Encode(out[:], buf[n:n+32])
	return out, buf[:n]
}

// AppendXDate appends a UTC date and time in the X-Date layout
// (YYYYMMDDTHHMMSSZ) without going through time.Format.
func AppendXDate(dst []byte, year int, month, day, hour, min, sec int) []byte {
	dst = appendInt(dst, year, 4)
	dst = appendInt(dst, month, 2)
	dst = appendInt(dst, day, 2)
	dst = append(dst, 'T')
	dst = appendInt(dst, hour, 2)
	dst = appendInt(dst, min, 2)
	dst = appendInt(dst, sec, 2)
	return append(dst, 'Z')
}

func appendInt(dst []byte, v, width int) []byte {
	var b [8]byte
	i := len(b)
	for ; width > 0 || v > 0; width-- {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return append(dst, b[i:]...)
}
