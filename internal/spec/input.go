package spec

import (
	"strconv"
	"strings"
)

// This file owns the two structural rules every input checker shares: the
// ID rule (the spec's "id_rule" and "id_fields") and what counts as an
// absent value. The client's generated validators (through the code the
// generator writes from the same data: MaxIDLength, idRule, idByte),
// rtctest and rtcctl all use them, with one wording per problem.

// Absent reports whether a decoded JSON value counts as not given: null,
// "" or an empty list. An empty object is given: it is what a client sends
// for a set struct whose fields are all left out.
func Absent(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	}
	return false
}

// IsIDField reports whether the ID rule applies to a string field (or to
// every element of a list of strings) of this wire name, in any letter case
// (the failover and callback actions spell them RoomID, BusinessID).
func (s *Spec) IsIDField(name string) bool {
	for _, n := range s.IDFields {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

// Text is the rule as validation problems state it: "must be 1 to 128
// characters of a-z A-Z 0-9 @ . _ -".
func (r IDRule) Text() string {
	return "must be 1 to " + strconv.Itoa(r.MaxLen) + " characters of " + r.Charset
}

// Allows reports whether the rule's character set holds the byte c. The
// charset is a space-separated list of ranges ("a-z") and single
// characters ("-").
func (r IDRule) Allows(c byte) bool {
	for _, part := range strings.Fields(r.Charset) {
		switch {
		case len(part) == 3 && part[1] == '-':
			if part[0] <= c && c <= part[2] {
				return true
			}
		case len(part) == 1:
			if part[0] == c {
				return true
			}
		}
	}
	return false
}

// Valid reports whether s satisfies the rule. The empty string does not.
func (r IDRule) Valid(s string) bool {
	if s == "" || len(s) > r.MaxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !r.Allows(s[i]) {
			return false
		}
	}
	return true
}

// Problem returns what is wrong with a non-empty ID, in the one wording
// every checker uses ("must be 1 to 128 characters of a-z A-Z 0-9 @ . _ -
// (got ' ' at byte 4)"), or "" when s satisfies the rule. It never echoes
// a long value.
func (r IDRule) Problem(s string) string {
	if r.Valid(s) {
		return ""
	}
	return r.Text() + " (got " + r.describe(s) + ")"
}

// describe says what breaks the rule in s.
func (r IDRule) describe(s string) string {
	if len(s) > r.MaxLen {
		return strconv.Itoa(len(s)) + " characters"
	}
	for i := 0; i < len(s); i++ {
		if !r.Allows(s[i]) {
			return strconv.QuoteRune([]rune(s[i:])[0]) + " at byte " + strconv.Itoa(i)
		}
	}
	return strconv.Quote(s)
}
