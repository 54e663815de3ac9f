package rtc

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"sync"
	"unicode/utf8"
)

// This file holds the pieces the generated appendJSON methods are built
// from. Together they write exactly the bytes encoding/json's Marshal
// writes for the same value (HTML-safe string escaping included), without
// reflection, so that a typed call encodes its body in one pass over the
// request and one allocation.

// jsonAppender is implemented by every generated request whose parameters
// go in a JSON body, and by every nested type such a request reaches.
// appendJSON appends the value's JSON encoding to b, byte for byte what
// json.Marshal returns; when json.Marshal would fail (a NaN or infinite
// float, an invalid json.RawMessage) it returns nil and the error
// json.Marshal would return.
type jsonAppender interface {
	appendJSON(b []byte) ([]byte, error)
}

// encodeBody encodes a request body: through appendJSON when the request
// has it, through json.Marshal otherwise. The body is encoded into a
// pooled scratch buffer and copied out at its exact size: the copy is what
// the call keeps (for retries and GetBody), the scratch buffer goes back
// to the pool at once.
func encodeBody(in any) ([]byte, error) {
	ja, ok := in.(jsonAppender)
	if !ok {
		return json.Marshal(in)
	}
	bp := encodePool.Get().(*[]byte)
	b, err := ja.appendJSON((*bp)[:0])
	var out []byte
	if err == nil {
		out = make([]byte, len(b))
		copy(out, b)
	}
	if cap(b) <= 64<<10 {
		if b != nil {
			*bp = b[:0]
		}
		encodePool.Put(bp)
	}
	return out, err
}

// encodePool recycles encodeBody's scratch buffers up to 64 KiB.
var encodePool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// jsonHex are the digits of \u00XX escapes.
const jsonHex = "0123456789abcdef"

// jsonPlainByte[c] is true for the ASCII bytes encoding/json copies into a
// string unchanged: everything printable except the quote, the backslash
// and the three HTML-significant bytes <, > and &. Bytes of 0x80 and up are
// false here; they are looked at as UTF-8.
var jsonPlainByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = true
	}
	for _, c := range `"\<>&` {
		t[c] = false
	}
	return t
}()

// appendJSONString appends s as a JSON string the way json.Marshal writes
// it: quote and backslash escaped with a backslash; \b, \f, \n, \r and \t
// short escapes; other control bytes and <, >, & as \u00XX; U+2028 and
// U+2029 as \u2028 and \u2029; each byte of invalid UTF-8 as \ufffd.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	done := 0 // s[:done] is already in b
	i := 0
	for i < len(s) {
		c := s[i]
		if jsonPlainByte[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[done:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', jsonHex[c>>4], jsonHex[c&0xF])
			}
			i++
			done = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[done:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[done:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', jsonHex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		done = i
	}
	b = append(b, s[done:]...)
	return append(b, '"')
}

// appendJSONFloat64 appends f as json.Marshal writes a float64: the
// shortest representation that reads back as f, in plain decimal notation
// unless |f| is below 1e-6 or at least 1e21, where it uses an exponent
// without a leading zero (1e-7, not 1e-07). NaN and infinities are refused
// with the *json.UnsupportedValueError json.Marshal returns.
func appendJSONFloat64(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, &json.UnsupportedValueError{Value: reflect.ValueOf(f), Str: strconv.FormatFloat(f, 'g', -1, 64)}
	}
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	return trimExponent(strconv.AppendFloat(b, f, format, -1, 64), format), nil
}

// appendJSONFloat32 is appendJSONFloat64 for a float32: the shortest
// representation that reads back as the same float32, with the notation
// thresholds compared in float32 as json.Marshal does.
func appendJSONFloat32(b []byte, f float32) ([]byte, error) {
	f64 := float64(f)
	if math.IsNaN(f64) || math.IsInf(f64, 0) {
		return nil, &json.UnsupportedValueError{Value: reflect.ValueOf(f), Str: strconv.FormatFloat(f64, 'g', -1, 32)}
	}
	format := byte('f')
	if a := float32(math.Abs(f64)); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	return trimExponent(strconv.AppendFloat(b, f64, format, -1, 32), format), nil
}

// trimExponent turns a two-digit negative exponent with a leading zero
// (e-07), as strconv writes it, into one digit (e-7).
func trimExponent(b []byte, format byte) []byte {
	if format != 'e' {
		return b
	}
	n := len(b)
	if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
		b[n-2] = b[n-1]
		b = b[:n-1]
	}
	return b
}

// rawMessageType is the type json.Marshal names when a RawMessage is bad.
var rawMessageType = reflect.TypeFor[json.RawMessage]()

// appendJSONRaw appends a json.RawMessage as json.Marshal does: nil as
// null, anything else compacted (whitespace between tokens dropped) with
// <, >, &, U+2028 and U+2029 inside strings escaped. Text that is not
// valid JSON (an empty, non-nil message included) is refused with the
// *json.MarshalerError json.Marshal returns.
func appendJSONRaw(b []byte, raw json.RawMessage) ([]byte, error) {
	if raw == nil {
		return append(b, "null"...), nil
	}
	if !json.Valid(raw) {
		// Only the error is wanted: Compact finds the same syntax error
		// json.Marshal reports.
		err := json.Compact(new(bytes.Buffer), raw)
		if err == nil { // cannot happen: Valid and Compact share a scanner
			err = &json.SyntaxError{}
		}
		return nil, &json.MarshalerError{Type: rawMessageType, Err: err}
	}
	inString, escaped := false, false
	done := 0 // raw[:done] is already in b
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if !inString {
			switch c {
			case ' ', '\t', '\n', '\r':
				b = append(b, raw[done:i]...)
				done = i + 1
			case '"':
				inString = true
			}
			continue
		}
		switch {
		case escaped:
			escaped = false
		case c == '\\':
			escaped = true
		case c == '"':
			inString = false
		case c == '<' || c == '>' || c == '&':
			b = append(b, raw[done:i]...)
			b = append(b, '\\', 'u', '0', '0', jsonHex[c>>4], jsonHex[c&0xF])
			done = i + 1
		case c == 0xE2 && i+2 < len(raw) && raw[i+1] == 0x80 && (raw[i+2] == 0xA8 || raw[i+2] == 0xA9):
			b = append(b, raw[done:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', jsonHex[raw[i+2]&0xF])
			i += 2
			done = i + 1
		}
	}
	return append(b, raw[done:]...), nil
}
