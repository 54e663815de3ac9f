package rtc

import (
	"encoding/json"
	"errors"
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

type scanner struct {
	b   []byte
	pos int
	// deferred makes strField note where a string is (in spans) instead of
	// converting it, so that several fields cost one allocation.
	deferred bool
	spans    []strSpan
	spanBuf  [8]strSpan
}

// strSpan is a string value waiting for its destination: b[a:b] is the text
// between the quotes.
type strSpan struct {
	dst  *string
	a, b int
	esc  bool
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
					if _, ok := unhexByte(s.b[i+j]); !ok {
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

// str scans a JSON string and returns its value.
func (s *scanner) str() (string, error) {
	start := s.pos
	raw, escaped, err := s.stringSpan()
	if err != nil {
		return "", err
	}
	if !escaped {
		return string(raw), nil
	}
	var v string
	if err := json.Unmarshal(s.b[start:s.pos], &v); err != nil {
		return "", errNotJSON
	}
	return v, nil
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

// object scans an object, calling field for each key with the scanner
// positioned at the value; field must consume the value.
func (s *scanner) object(field func(key []byte) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	if s.peek() == '}' {
		s.pos++
		return nil
	}
	for {
		key, _, err := s.stringSpan()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := field(key); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return nil
		default:
			return s.eof()
		}
	}
}

// strField reads a string value into dst; a null or another type is
// skipped (the field reads as empty).
func (s *scanner) strField(dst *string) error {
	if s.peek() != '"' {
		return s.skip()
	}
	if s.deferred {
		start := s.pos + 1
		raw, esc, err := s.stringSpan()
		if err == nil {
			s.spans = append(s.spans, strSpan{dst: dst, a: start, b: start + len(raw), esc: esc})
		}
		return err
	}
	v, err := s.str()
	*dst = v
	return err
}

// decodeEnvelope scans body. It returns errTruncated or errNotJSON for
// syntax problems.
func decodeEnvelope(body []byte) (rawEnvelope, error) {
	var env rawEnvelope
	s := scanner{b: body}
	if s.peek() != '{' {
		return env, s.eof()
	}
	err := s.object(func(key []byte) error {
		switch string(key) {
		case "ResponseMetadata":
			if s.peek() != '{' {
				return s.skip()
			}
			env.hasMeta = true
			// Read the object once, noting where each string is; then copy
			// the object to one string and take the values as substrings.
			start := s.pos
			s.deferred, s.spans = true, s.spanBuf[:0]
			err := s.object(func(k []byte) error {
				m := &env.meta
				switch string(k) {
				case "RequestId":
					return s.strField(&m.RequestID)
				case "Action":
					return s.strField(&m.Action)
				case "Version":
					return s.strField(&m.Version)
				case "Service":
					return s.strField(&m.Service)
				case "Region":
					return s.strField(&m.Region)
				case "Error":
					if s.peek() != '{' {
						return s.skip()
					}
					env.hasError = true
					return s.object(func(k []byte) error {
						switch string(k) {
						case "Code":
							if s.peek() != '"' { // some gateways send a number
								return s.numberInto(&env.codeN)
							}
							return s.strField(&env.code)
						case "CodeN":
							return s.numberInto(&env.codeN)
						case "Message":
							return s.strField(&env.message)
						}
						return s.skip()
					})
				}
				return s.skip()
			})
			s.deferred = false
			if err != nil {
				return err
			}
			base := string(body[start:s.pos])
			for _, sp := range s.spans {
				if !sp.esc {
					*sp.dst = base[sp.a-start : sp.b-start]
					continue
				}
				if err := json.Unmarshal(body[sp.a-1:sp.b+1], sp.dst); err != nil {
					return errNotJSON
				}
			}
			return nil
		case "Result":
			s.ws()
			start := s.pos
			env.resultStr = s.peek() == '"'
			if err := s.skip(); err != nil {
				return err
			}
			env.result = body[start:s.pos]
			return nil
		}
		return s.skip()
	})
	if err != nil {
		return env, err
	}
	if s.ws(); s.pos != len(s.b) {
		return env, errNotJSON
	}
	return env, nil
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

func unhexByte(c byte) (byte, bool) {
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
