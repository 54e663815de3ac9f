package rtc

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"
)

// Redaction. Whatever the SDK quotes from a response (an error's message, a
// body excerpt) may be the request echoed back by a gateway or proxy, so it
// goes through redact first. The secrets of a call are the credentials'
// secret key and session token, and the values of the secret-bearing fields
// of its request (bodySecrets). Each is matched in the whole text, before an
// excerpt is cut, and in its common encoded forms: JSON escapes (\/, \u003d,
// \", at any depth of escaping) and URL encoding (%3D, + for a space), in any
// mix. The attempt's request signature is one of them, and everything after
// "Signature=" is cut as well.

// minSecretLen is the shortest value treated as a secret: shorter values
// would redact ordinary words and numbers.
const minSecretLen = 4

// redactMark replaces a secret.
const redactMark = "[redacted]"

// secretFields names the request fields whose values are secrets, wherever
// they appear in a request body: the callback secret of CreateCallback and
// UpdateCallback, the keys and tokens of third-party storage (CustomConfig
// and its kin: AccessKey, SecretKey, SecurityToken), access tokens
// (LimitTokenPrivilege, StartRelayStream), App Keys. The field facts in internal/spec mark these fields "secret";
// TestSecretFieldsCoverFacts keeps this list a superset of them.
var secretFields = [...]string{"SecretKey", "SecretAccessKey", "SecurityToken", "SessionToken", "AppKey", "Token", "AccessKeySecret", "AccessKey", "SecondaryAppKey", "ServerMessageSignature", "ServerMessageSignatureForRTS"}

// rawSecretFields names the request fields that carry a third-party
// provider's configuration as raw JSON in that provider's format:
// StartVoiceChat's ASRConfig, TTSConfig, LLMConfig and their kin, and
// UpdateVoiceChat's Parameters. Their keys change with each provider, so
// no list of names covers them: inside them, every string under a key that
// names a credential (isCredentialKey) is a secret. The field facts in
// internal/spec mark these fields "secret" too.
var rawSecretFields = [...]string{"ASRConfig", "TTSConfig", "LLMConfig", "AvatarConfig", "WebSearchAgentConfig", "MemoryConfig", "S2SConfig", "VoicePrint", "Parameters"}

// secretFieldKeys are the quoted JSON keys of secretFields and
// rawSecretFields, for a cheap first check.
var secretFieldKeys = func() (keys [len(secretFields) + len(rawSecretFields)][]byte) {
	for i, f := range secretFields {
		keys[i] = []byte(`"` + f + `"`)
	}
	for i, f := range rawSecretFields {
		keys[len(secretFields)+i] = []byte(`"` + f + `"`)
	}
	return keys
}()

// secretKeyStart marks the first letters of secretFieldKeys.
var secretKeyStart = func() (m [256]bool) {
	for _, k := range secretFieldKeys {
		m[k[1]] = true
	}
	return m
}()

// hasSecretKey reports whether body holds one of the quoted secretFieldKeys,
// in one pass over its quotes (the hot path: most bodies have none).
func hasSecretKey(body []byte) bool {
	for i := 0; i < len(body); {
		j := bytes.IndexByte(body[i:], '"')
		if j < 0 {
			return false
		}
		i += j + 1
		if i >= len(body) {
			return false
		}
		if !secretKeyStart[body[i]] {
			continue
		}
		for _, k := range secretFieldKeys {
			name := k[1:] // the key without its opening quote
			if len(body)-i >= len(name) && bytes.Equal(body[i:i+len(name)], name) {
				return true
			}
		}
	}
	return false
}

func isSecretField(name string) bool {
	for _, f := range secretFields {
		if f == name {
			return true
		}
	}
	return false
}

func isRawSecretField(name string) bool {
	for _, f := range rawSecretFields {
		if f == name {
			return true
		}
	}
	return false
}

// credentialSuffixes and credentialNames are the key names, lower case
// without '_', '-', '.' or spaces, that mark a credential inside a raw
// provider configuration: a key that ends with one of the suffixes
// (api_key, X-Api-Key, access_token, AppKey, client_secret ...) or is one of
// the names.
var (
	credentialSuffixes = [...]string{"token", "secret", "apikey", "appkey", "accesskey", "secretkey", "privatekey", "password", "passwd", "authorization", "signature", "credential", "credentials"}
	credentialNames    = [...]string{"ak", "sk", "key", "auth", "pwd", "cookie"}
)

// isCredentialKey reports whether a key of a raw provider configuration
// names a credential (see credentialSuffixes).
func isCredentialKey(key string) bool {
	var buf [64]byte
	n := 0
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c == '_' || c == '-' || c == '.' || c == ' ':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		if n == len(buf) {
			// Keep the last bytes: the suffix is what matters.
			copy(buf[:], buf[1:])
			n--
		}
		buf[n] = c
		n++
	}
	norm := string(buf[:n])
	for _, s := range credentialSuffixes {
		if strings.HasSuffix(norm, s) {
			return true
		}
	}
	for _, s := range credentialNames {
		if norm == s {
			return true
		}
	}
	return false
}

// walkRaw visits a decoded raw provider configuration and returns it with
// every secret string replaced by f(string): strings under a credential key
// (at any depth below it), and, inside strings that hold JSON themselves
// (a configuration passed as a JSON text), the same. changed reports
// whether f replaced anything.
func walkRaw(v any, secret bool, f func(string) string) (out any, changed bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			ne, c := walkRaw(e, secret || isCredentialKey(k), f)
			if c {
				x[k] = ne
				changed = true
			}
		}
		return x, changed
	case []any:
		for i, e := range x {
			ne, c := walkRaw(e, secret, f)
			if c {
				x[i] = ne
				changed = true
			}
		}
		return x, changed
	case string:
		if secret {
			if x == "" {
				return x, false
			}
			r := f(x)
			return r, r != x
		}
		if t := strings.TrimSpace(x); len(t) > 1 && (t[0] == '{' || t[0] == '[') {
			var inner any
			if decodeRaw([]byte(t), &inner) != nil {
				return x, false
			}
			ni, c := walkRaw(inner, false, f)
			if !c {
				return x, false
			}
			b, err := encodeRaw(ni)
			if err != nil {
				return redactMark, true
			}
			return string(b), true
		}
	}
	return v, false
}

func decodeRaw(b []byte, v *any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("trailing data")
	}
	return nil
}

func encodeRaw(v any) ([]byte, error) {
	var buf bytes.Buffer
	e := json.NewEncoder(&buf)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// redactRawJSON returns a raw provider configuration with the strings under
// its credential keys reading "[redacted]", for printing. It returns raw
// itself when there is none; text that is not JSON is replaced whole, since
// it cannot be read by key.
func redactRawJSON(raw []byte) []byte {
	if len(bytes.TrimSpace(raw)) == 0 {
		return raw
	}
	var v any
	if decodeRaw(raw, &v) != nil {
		return []byte(`"` + redactMark + `"`)
	}
	nv, changed := walkRaw(v, false, func(string) string { return redactMark })
	if !changed {
		return raw
	}
	b, err := encodeRaw(nv)
	if err != nil {
		return []byte(`"` + redactMark + `"`)
	}
	return b
}

// bodySecrets returns the string values of the secret fields in a JSON
// request body, at any depth. Bodies without such a key cost a few byte
// scans and no allocation.
func bodySecrets(body []byte) []string {
	if !hasSecretKey(body) {
		return nil
	}
	var out []string
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if s, ok := e.(string); ok && isSecretField(k) && len(s) >= minSecretLen {
					out = append(out, s)
					continue
				}
				if isRawSecretField(k) {
					walkRaw(e, false, func(s string) string {
						if len(s) >= minSecretLen {
							out = append(out, s)
						}
						return s
					})
					continue
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

// secretSet is what one call must never print.
type secretSet struct {
	creds Credentials
	extra []string // values of the request's secret fields
	// sig is the attempt's request signature (hex), redacted wherever it
	// is echoed, however its key is written: URL-encoded, in lower case,
	// "Signature =", which the "Signature=" cut does not see.
	sig string
}

func (s *secretSet) each(f func(string)) {
	for _, v := range [...]string{s.creds.SecretAccessKey, s.creds.SessionToken, s.sig} {
		if len(v) >= minSecretLen {
			f(v)
		}
	}
	if len(s.sig) >= minSecretLen {
		if up := strings.ToUpper(s.sig); up != s.sig {
			f(up) // hex is case-insensitive; an echo may have upper-cased it
		}
	}
	for _, v := range s.extra {
		f(v)
	}
}

// redact returns b with every secret and everything after "Signature="
// replaced, then cut to at most 512 bytes. It never modifies b.
func redact(b []byte, s *secretSet) []byte {
	out := redactAll(b, s)
	if len(out) > 512 {
		out = out[:512]
	}
	return out
}

// redactTruncated is redact for text that was cut before it could be
// redacted (the first bytes of an oversized body): a trailing part that
// could be the start of a secret is removed too.
func redactTruncated(b []byte, s *secretSet) []byte {
	out := redactAll(b, s)
	cut := len(out)
	s.each(func(secret string) {
		// The longest suffix of out that is a prefix of secret, from
		// minSecretLen bytes on (encoded forms are rare at a cut).
		for n := min(len(secret)-1, len(out)); n >= minSecretLen; n-- {
			if bytes.HasSuffix(out, []byte(secret[:n])) {
				cut = min(cut, len(out)-n)
				break
			}
		}
	})
	if cut < len(out) {
		out = append(out[:cut:cut], redactMark...)
	}
	if len(out) > 512 {
		out = out[:512]
	}
	return out
}

// redactString is redactAll for a string; it returns s itself when there
// is nothing to redact.
func redactString(s string, set *secretSet) string {
	b := redactAll([]byte(s), set)
	if string(b) == s {
		return s
	}
	return string(b)
}

// redactAll replaces every secret of s in b, in its plain and encoded
// forms, and everything after "Signature=". It never modifies b.
func redactAll(b []byte, s *secretSet) []byte {
	out := b
	s.each(func(secret string) { out = replaceEncoded(out, secret) })
	if i := bytes.Index(out, []byte("Signature=")); i >= 0 {
		out = append(append([]byte{}, out[:i]...), "Signature="+redactMark...)
	}
	return out
}

// replaceEncoded returns b with every occurrence of secret, plain or
// encoded, replaced by redactMark. It returns b itself when there is none.
func replaceEncoded(b []byte, secret string) []byte {
	var out []byte
	last := 0
	for i := 0; i < len(b); {
		c := b[i]
		if c != secret[0] && c != '\\' && c != '%' && c != '+' {
			i++
			continue
		}
		end := matchEncoded(b, i, secret)
		if end < 0 {
			i++
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(b))
		}
		out = append(append(out, b[last:i]...), redactMark...)
		i, last = end, end
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// matchEncoded reports where secret ends if it starts at b[i], with each of
// its characters written plainly or encoded; -1 when it does not match.
func matchEncoded(b []byte, i int, secret string) int {
	for k := 0; k < len(secret); {
		r, size := utf8.DecodeRuneInString(secret[k:])
		n := matchRune(b[i:], r, secret[k:k+size])
		if n <= 0 {
			return -1
		}
		i += n
		k += size
	}
	return i
}

// matchRune returns how many bytes at the start of b encode r (whose UTF-8
// form is raw), or 0.
func matchRune(b []byte, r rune, raw string) int {
	if len(b) == 0 {
		return 0
	}
	if bytes.HasPrefix(b, []byte(raw)) {
		return len(raw)
	}
	switch b[0] {
	case '+':
		if r == ' ' {
			return 1
		}
	case '%':
		// URL encoding: each byte of the UTF-8 form as %XX.
		n := 0
		for j := 0; j < len(raw); j++ {
			if len(b) < n+3 || b[n] != '%' {
				return 0
			}
			v, ok := hexByte(b[n+1], b[n+2])
			if !ok || v != raw[j] {
				return 0
			}
			n += 3
		}
		return n
	case '\\':
		// JSON escapes, possibly escaped again (\\u003d, \\\/).
		n := 0
		for n < len(b) && b[n] == '\\' {
			n++
		}
		if n == len(b) {
			return 0
		}
		switch e := b[n]; e {
		case 'u':
			if len(b) < n+5 {
				return 0
			}
			hi, ok1 := hexByte(b[n+1], b[n+2])
			lo, ok2 := hexByte(b[n+3], b[n+4])
			if ok1 && ok2 && rune(hi)<<8|rune(lo) == r {
				return n + 5
			}
		case '/', '"', '\'':
			if rune(e) == r {
				return n + 1
			}
		case 'b', 'f', 'n', 'r', 't':
			if r == map[byte]rune{'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}[e] {
				return n + 1
			}
		}
		if r == '\\' && n >= 2 {
			return 2 // an escaped backslash
		}
	}
	return 0
}

func hexByte(hi, lo byte) (byte, bool) {
	h, ok1 := unhex(hi)
	l, ok2 := unhex(lo)
	return h<<4 | l, ok1 && ok2
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
