package rtc

import (
	"bytes"
)

// redact removes credentials from a body before it is quoted in an error
// (a misbehaving proxy could echo the request).
func redact(body []byte, creds Credentials) []byte {
	if len(body) > 512 {
		body = body[:512]
	}
	return redactAll(body, creds)
}

// redactAll replaces the secret key, the session token and any signature
// in b (which it never modifies in place).
func redactAll(b []byte, creds Credentials) []byte {
	out := b
	for _, s := range []string{creds.SecretAccessKey, creds.SessionToken} {
		if s != "" && bytes.Contains(out, []byte(s)) {
			out = bytes.ReplaceAll(out, []byte(s), []byte("[redacted]"))
		}
	}
	if i := bytes.Index(out, []byte("Signature=")); i >= 0 {
		out = append(append([]byte{}, out[:i]...), "Signature=[redacted]"...)
	}
	return out
}
