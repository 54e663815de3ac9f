package rtc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// The response envelope is decoded by a small hand-written scanner: it
// reads ResponseMetadata field by field, finds the Result value's bytes, and
// hands only those to encoding/json (or takes a bare string itself). This
// avoids decoding the whole body through reflection, and it tells a
// truncated body from one that is not JSON at all.

// errTruncated and errNotJSON classify envelope syntax errors.
var (
	errTruncated = errors.New("truncated JSON")
	errNotJSON   = errors.New("not JSON")
)

// rawEnvelope is what decodeEnvelope finds.
type rawEnvelope struct {
	hasMeta   bool
	meta      ResponseMetadata
	hasError  bool
	code      string
	codeN     int
	message   string
	result    []byte // the Result value's bytes, nil when absent
	resultStr bool   // Result is a JSON string
}

const hexDigits = "0123456789abcdefABCDEF"

type scanner struct {
	b   []byte
	pos int
	// spans note where the metadata's strings are (see metaString), so
	// that all of them cost one allocation. A fixed array: a slice into the
	// scanner itself would make it escape to the heap.
	spans  [8]strSpan
	nspans int
}

// strSpan is a string value waiting for its destination field: b[a:b] is
// the text between the quotes.
type strSpan struct {
	field metaField
	a, b  int
	esc   bool
}

// metaField names the envelope's string fields.
type metaField uint8

const (
	fieldRequestID metaField = iota
	fieldAction
	fieldVersion
	fieldService
	fieldRegion
	fieldCode
	fieldMessage
)

// dst returns the string a field is stored in.
func (env *rawEnvelope) dst(f metaField) *string {
	switch f {
	case fieldRequestID:
		return &env.meta.RequestID
	case fieldAction:
		return &env.meta.Action
	case fieldVersion:
		return &env.meta.Version
	case fieldService:
		return &env.meta.Service
	case fieldRegion:
		return &env.meta.Region
	case fieldCode:
		return &env.code
	}
	return &env.message
}

func (s *scanner) ws() {
	for s.pos < len(s.b) {
		switch s.b[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.pos >= len(s.b) {
		return 0
	}
	return s.b[s.pos]
}

func (s *scanner) eof() error {
	if s.pos >= len(s.b) {
		return errTruncated
	}
	return errNotJSON
}

func (s *scanner) expect(c byte) error {
	if s.peek() != c {
		return s.eof()
	}
	s.pos++
	return nil
}

// stringSpan scans a JSON string starting at the quote and returns the
// bytes between the quotes and whether they need decoding (escapes or
// non-ASCII bytes).
func (s *scanner) stringSpan() (raw []byte, escaped bool, err error) {
	if s.peek() != '"' {
		return nil, false, s.eof()
	}
	start := s.pos + 1
	for i := start; i < len(s.b); i++ {
		switch c := s.b[i]; {
		case c == '"':
			s.pos = i + 1
			return s.b[start:i], escaped, nil
		case c == '\\':
			escaped = true
			if i+1 >= len(s.b) {
				s.pos = len(s.b)
				return nil, false, errTruncated
			}
			i++
			switch s.b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				for j := 1; j <= 4; j++ {
					if i+j >= len(s.b) {
						s.pos = len(s.b)
						return nil, false, errTruncated
					}
					if strings.IndexByte(hexDigits, s.b[i+j]) < 0 {
						return nil, false, errNotJSON
					}
				}
				i += 4
			default:
				return nil, false, errNotJSON
			}
		case c < 0x20:
			return nil, false, errNotJSON
		case c >= 0x80:
			escaped = true // let encoding/json apply its UTF-8 rules
		}
	}
	s.pos = len(s.b)
	return nil, false, errTruncated
}

// skip scans over one JSON value of any kind.
func (s *scanner) skip() error {
	return s.skipDepth(0)
}

func (s *scanner) skipDepth(depth int) error {
	if depth > 512 {
		return errNotJSON
	}
	switch c := s.peek(); c {
	case 0:
		return s.eof()
	case '"':
		_, _, err := s.stringSpan()
		return err
	case '{', '[':
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		s.pos++
		if s.peek() == closer {
			s.pos++
			return nil
		}
		for {
			if c == '{' {
				if _, _, err := s.stringSpan(); err != nil {
					return err
				}
				if err := s.expect(':'); err != nil {
					return err
				}
			}
			if err := s.skipDepth(depth + 1); err != nil {
				return err
			}
			switch s.peek() {
			case ',':
				s.pos++
			case closer:
				s.pos++
				return nil
			default:
				return s.eof()
			}
		}
	default:
		return s.literal()
	}
}

// literal scans a number, true, false or null.
func (s *scanner) literal() error {
	start := s.pos
	for s.pos < len(s.b) {
		c := s.b[s.pos]
		if c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			break
		}
		s.pos++
	}
	lit := s.b[start:s.pos]
	if len(lit) == 0 {
		return s.eof()
	}
	switch string(lit) {
	case "true", "false", "null":
		return nil
	}
	if !validNumber(lit) {
		if s.pos >= len(s.b) && isLiteralPrefix(lit) {
			return errTruncated
		}
		return errNotJSON
	}
	if s.pos >= len(s.b) {
		return errTruncated // a top-level document never ends in a bare number here
	}
	return nil
}

func isLiteralPrefix(b []byte) bool {
	for _, w := range []string{"true", "false", "null"} {
		if len(b) < len(w) && w[:len(b)] == string(b) {
			return true
		}
	}
	return validNumber(b) || string(b) == "-"
}

// validNumber checks the JSON number grammar.
func validNumber(b []byte) bool {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i >= len(b) {
		return false
	}
	if b[i] == '0' {
		i++
	} else if b[i] >= '1' && b[i] <= '9' {
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	} else {
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	return i == len(b)
}

// metaString notes where the string value of field is (a null or another
// type is skipped: the field reads as empty). Past the capacity of spans,
// the rest are skipped too: the envelope has seven such fields.
func (s *scanner) metaString(field metaField) error {
	if s.peek() != '"' {
		return s.skip()
	}
	start := s.pos + 1
	raw, esc, err := s.stringSpan()
	if err == nil && s.nspans < len(s.spans) {
		s.spans[s.nspans] = strSpan{field: field, a: start, b: start + len(raw), esc: esc}
		s.nspans++
	}
	return err
}

// member advances to the next member of the object being read, whose
// opening brace was consumed; first must be true for the first call. It
// returns the key, or done at the closing brace. (A loop over member needs
// no closure, so the scanner can stay on the stack.)
func (s *scanner) member(first *bool) (key []byte, done bool, err error) {
	if *first {
		*first = false
		if s.peek() == '}' {
			s.pos++
			return nil, true, nil
		}
	} else {
		switch s.peek() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return nil, true, nil
		default:
			return nil, false, s.eof()
		}
	}
	if key, _, err = s.stringSpan(); err != nil {
		return nil, false, err
	}
	return key, false, s.expect(':')
}

// decodeEnvelope scans body. It returns errTruncated or errNotJSON for
// syntax problems.
func decodeEnvelope(body []byte) (rawEnvelope, error) {
	var env rawEnvelope
	s := scanner{b: body}
	if err := s.expect('{'); err != nil {
		return env, err
	}
	for first := true; ; {
		key, done, err := s.member(&first)
		if err != nil {
			return env, err
		}
		if done {
			break
		}
		switch string(key) {
		case "ResponseMetadata":
			if s.peek() != '{' {
				err = s.skip()
				break
			}
			env.hasMeta = true
			err = s.metadata(&env)
		case "Result":
			s.ws()
			start := s.pos
			env.resultStr = s.peek() == '"'
			if err = s.skip(); err == nil {
				env.result = body[start:s.pos]
			}
		default:
			err = s.skip()
		}
		if err != nil {
			return env, err
		}
	}
	if s.ws(); s.pos != len(s.b) {
		return env, errNotJSON
	}
	return env, nil
}

// metadata reads the ResponseMetadata object once, noting where each
// string is (metaString); then it copies the object to one string and takes the values
// as substrings of it, so all fields cost one allocation.
func (s *scanner) metadata(env *rawEnvelope) error {
	start := s.pos
	s.nspans = 0
	s.pos++ // '{'
	for first := true; ; {
		key, done, err := s.member(&first)
		if err != nil {
			return err
		}
		if done {
			break
		}
		switch string(key) {
		case "RequestId":
			err = s.metaString(fieldRequestID)
		case "Action":
			err = s.metaString(fieldAction)
		case "Version":
			err = s.metaString(fieldVersion)
		case "Service":
			err = s.metaString(fieldService)
		case "Region":
			err = s.metaString(fieldRegion)
		case "Error":
			if s.peek() != '{' {
				err = s.skip()
				break
			}
			env.hasError = true
			err = s.errorObject(env)
		default:
			err = s.skip()
		}
		if err != nil {
			return err
		}
	}
	base := string(s.b[start:s.pos])
	for _, sp := range s.spans[:s.nspans] {
		if !sp.esc {
			*env.dst(sp.field) = base[sp.a-start : sp.b-start]
			continue
		}
		var v string // a local, so that env itself stays on the stack
		if err := json.Unmarshal(s.b[sp.a-1:sp.b+1], &v); err != nil {
			return errNotJSON
		}
		*env.dst(sp.field) = v
	}
	return nil
}

// errorObject reads ResponseMetadata.Error.
func (s *scanner) errorObject(env *rawEnvelope) error {
	s.pos++ // '{'
	for first := true; ; {
		key, done, err := s.member(&first)
		if err != nil || done {
			return err
		}
		switch string(key) {
		case "Code":
			if s.peek() != '"' { // some gateways send a number
				err = s.numberInto(&env.codeN)
			} else {
				err = s.metaString(fieldCode)
			}
		case "CodeN":
			err = s.numberInto(&env.codeN)
		case "Message":
			err = s.metaString(fieldMessage)
		default:
			err = s.skip()
		}
		if err != nil {
			return err
		}
	}
}

// numberInto reads an integer (or skips anything else).
func (s *scanner) numberInto(dst *int) error {
	s.ws()
	start := s.pos
	if err := s.skip(); err != nil {
		return err
	}
	n := 0
	lit := s.b[start:s.pos]
	neg := len(lit) > 0 && lit[0] == '-'
	if neg {
		lit = lit[1:]
	}
	for _, c := range lit {
		if c < '0' || c > '9' || n > 1<<40 {
			return nil
		}
		n = n*10 + int(c-'0')
	}
	if neg {
		n = -n
	}
	*dst = n
	return nil
}

const reasonTooLarge = "response body too large"

// decodeResult decodes a Result value into out, accepting a bare string
// for any result type (it goes to a Message field, a *string or a *any).
func decodeResult(out any, raw []byte, isString bool) error {
	if out == nil || len(raw) == 0 || raw[0] == 'n' {
		return nil
	}
	if rm, ok := out.(*json.RawMessage); ok {
		*rm = append((*rm)[:0], raw...)
		return nil
	}
	if ms, ok := out.(messageSetter); ok && !isString {
		if m, ok := messageOnly(raw); ok {
			ms.setMessage(m)
			return nil
		}
	}
	if isString {
		var s string
		if bytes.IndexByte(raw, '\\') < 0 {
			s = string(raw[1 : len(raw)-1])
		} else if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		switch o := out.(type) {
		case messageSetter:
			o.setMessage(s)
		case *string:
			*o = s
		case *any:
			*o = s
		}
		return nil
	}
	return json.Unmarshal(raw, out)
}

// messageOnly reads a Result object whose only member is a string
// "Message" (or the older "message"), the common answer of Start, Stop and
// moderation actions, without going through reflection.
func messageOnly(raw []byte) (string, bool) {
	s := scanner{b: raw}
	if s.expect('{') != nil {
		return "", false
	}
	var msg string
	for first := true; ; {
		key, done, err := s.member(&first)
		if err != nil {
			return "", false
		}
		if done {
			return msg, true
		}
		if (string(key) != "Message" && string(key) != "message") || s.peek() != '"' {
			return "", false
		}
		start := s.pos
		raw, esc, err := s.stringSpan()
		switch {
		case err != nil:
			return "", false
		case esc:
			var v string // a local: msg must not move to the heap for this rare case
			if json.Unmarshal(s.b[start:s.pos], &v) != nil {
				return "", false
			}
			msg = v
		case string(raw) == "success":
			msg = "success" // the usual answer, without an allocation
		default:
			msg = string(raw)
		}
	}
}

// decode turns a response body into metadata or a typed error.
// The metadata is written to *meta, storage the caller already has.
func (c *Client) decode(cl *call, resp *http.Response, body []byte, secrets *secretSet, meta *ResponseMetadata) (*ResponseMetadata, error) {
	status := resp.StatusCode
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, c.responseError(cl, resp, nil, "empty body", kindForStatus(status, true))
	}
	env, err := decodeEnvelope(body)
	if err != nil {
		if err == errTruncated {
			return nil, c.responseError(cl, resp, redact(body, secrets), "truncated JSON envelope", kindForStatus(status, true))
		}
		return nil, c.responseError(cl, resp, redact(body, secrets), "not a JSON envelope", kindForStatus(status, false))
	}
	if !env.hasMeta {
		return nil, c.responseError(cl, resp, redact(body, secrets), "JSON without ResponseMetadata", kindForStatus(status, false))
	}
	if env.hasError && (env.code != "" || env.message != "" || env.codeN != 0) {
		// The code and request id are the answer's, unchecked: each is cut
		// to one short printable line, as the message is when printed, so
		// a hostile answer cannot forge log lines or grow Error() without
		// bound.
		code := oneLine(env.code, maxCodeLen)
		if code == "" {
			code = "Error" + strconv.Itoa(env.codeN)
		}
		msg := redactString(env.message, secrets) // a gateway may echo the request
		rid := oneLine(env.meta.RequestID, maxRequestIDLen)
		if rid == "" {
			rid = headerRequestID(resp.Header)
		}
		return nil, &APIError{Code: code, CodeN: env.codeN, Message: msg, RequestID: rid,
			HTTPStatus: status, Action: cl.op.Action, Version: cl.version, region: c.region}
	}
	if status/100 != 2 {
		return nil, c.responseError(cl, resp, redact(body, secrets), "error status without an Error in the envelope", kindForStatus(status, false))
	}
	if err := decodeResult(cl.out, env.result, env.resultStr); err != nil {
		return nil, c.responseError(cl, resp, nil, "Result does not match the expected shape: "+jsonErrorKind(err), failFatal)
	}
	*meta = env.meta
	return meta, nil
}

// kindForStatus is the retry kind of a non-envelope answer: a damaged
// (empty or truncated) body under a 2xx status may hide a carried-out
// action, so it is ambiguous; otherwise the status decides (failNone: see
// statusRule).
func kindForStatus(status int, damaged bool) failureKind {
	if status/100 == 2 && damaged {
		return failAmbiguous
	}
	return failNone
}

// responseError builds a ResponseError with a short, printable excerpt.
func (c *Client) responseError(cl *call, resp *http.Response, body []byte, reason string, kind failureKind) *ResponseError {
	ex := body
	if len(ex) > 160 {
		ex = ex[:160]
	}
	return &ResponseError{
		HTTPStatus: resp.StatusCode, Action: cl.op.Action, Version: cl.version, RequestID: headerRequestID(resp.Header),
		ContentType: oneLine(resp.Header.Get("Content-Type"), 80),
		Reason:      reason, Excerpt: oneLine(string(bytes.ToValidUTF8(ex, []byte("?"))), 160),
		kind: kind,
	}
}

// Bounds of what an error quotes from an answer's envelope.
const (
	maxCodeLen      = 128
	maxRequestIDLen = 128
)

// headerRequestID is the request id a gateway or the service put in the
// response headers: X-Tt-Logid, else X-Request-Id. It is cut to one short
// printable line.
func headerRequestID(h http.Header) string {
	id := h.Get("X-Tt-Logid")
	if id == "" {
		id = h.Get("X-Request-Id")
	}
	if id == "" {
		return ""
	}
	return oneLine(id, maxRequestIDLen)
}

// tooLarge is the error for a body over the read bound.
func (c *Client) tooLarge(cl *call, resp *http.Response, head []byte, secrets *secretSet) *ResponseError {
	return c.responseError(cl, resp, redactTruncated(head, secrets),
		fmt.Sprintf("%s (over %d bytes; raise WithMaxResponseBytes if this is expected)", reasonTooLarge, c.maxBody), failFatal)
}
