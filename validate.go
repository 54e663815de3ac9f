package rtc

import (
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// MaxIDLength, idRule and idByte are generated into api_operations.go from the
// spec's ID rule (internal/spec: "id_rule", spec/input.go).

// ValidID reports whether s satisfies the rule for BusinessId, TaskId,
// RoomId and UserId: at most 128 characters, each one of a-z A-Z 0-9 @ . _ -.
// The empty string is not a valid ID (an empty optional ID is simply left
// out of a request).
func ValidID(s string) bool {
	if len(s) == 0 || len(s) > MaxIDLength {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !idByte(s[i]) {
			return false
		}
	}
	return true
}

// NewTaskID returns a new random TaskId (a UUID without dashes: 32
// characters that satisfy the ID rule).
func NewTaskID() string {
	u := uuid.New()
	var b [32]byte
	const hexdigits = "0123456789abcdef"
	for i, c := range u {
		b[2*i] = hexdigits[c>>4]
		b[2*i+1] = hexdigits[c&15]
	}
	return string(b[:])
}

// Ptr returns a pointer to v, for optional request fields:
//
//	req.ForbiddenInterval = rtc.Ptr[int32](600)
func Ptr[T any](v T) *T { return &v }

// validator collects the problems of one request. Paths are built only for
// problems, so a valid request costs no allocations beyond the validator.
type validator struct {
	path     []pathElem
	problems []FieldProblem
	// lenient skips the value rules and conditional rules of the facts,
	// keeping required fields and the ID rule (WithLenientValidation).
	lenient bool
	// notes runs the checks of the rules the vendor does not state (the
	// facts' inferred rules), which never refuse: what they find goes to
	// inferred, for a debug log line. Set when the logger logs debug.
	notes, inferring bool
	inferred         []FieldProblem
}

type pathElem struct {
	name  string
	index int // -1 for a field name
}

var validatorPool = sync.Pool{New: func() any { return new(validator) }}

// reset empties v for reuse; the problems slice is handed to the error, so
// it is dropped rather than reused.
func (v *validator) reset() {
	v.path = v.path[:0]
	v.problems = nil
	v.lenient = false
	v.notes, v.inferring = false, false
	v.inferred = v.inferred[:0]
}

func (v *validator) push(field string) { v.path = append(v.path, pathElem{field, -1}) }
func (v *validator) index(i int)       { v.path = append(v.path, pathElem{"", i}) }
func (v *validator) pop()              { v.path = v.path[:len(v.path)-1] }

func (v *validator) pathTo(field string) string {
	var b strings.Builder
	for _, e := range v.path {
		if e.index >= 0 {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(e.index))
			b.WriteByte(']')
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(e.name)
	}
	if field != "" {
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(field)
	}
	return b.String()
}

// problem records a broken rule at the current path plus field.
func (v *validator) problem(field, rule string) {
	v.problems = append(v.problems, FieldProblem{Path: v.pathTo(field), Rule: rule})
}

// required records "is required" when present is false.
func (v *validator) required(field string, present bool) {
	if !present {
		v.problem(field, "is required")
	}
}

// id checks the ID rule; the empty string passes (presence is required's job).
func (v *validator) id(field, value string) {
	if value != "" && !ValidID(value) {
		v.problem(field, idRule+" (got "+describeID(value)+")")
	}
}

// ids applies the ID rule to every element of a list of IDs, with paths
// such as "UserId[2]".
func (v *validator) ids(field string, values []string) {
	for i, s := range values {
		if !ValidID(s) {
			v.push(field)
			v.index(i)
			v.id("", s)
			v.pop()
			v.pop()
		}
	}
}

// describeID says what is wrong with an ID without echoing a long value.
func describeID(s string) string {
	if len(s) > MaxIDLength {
		return strconv.Itoa(len(s)) + " characters"
	}
	for i := 0; i < len(s); i++ {
		if !idByte(s[i]) {
			r := []rune(s[i:])[0]
			return strconv.QuoteRune(r) + " at byte " + strconv.Itoa(i)
		}
	}
	return strconv.Quote(s)
}

// err returns the ValidationError for action, or nil.
func (v *validator) err(action string) error {
	if len(v.problems) == 0 {
		return nil
	}
	return &ValidationError{Action: action, Problems: v.problems}
}

// The value checks of the generated validators (see internal/spec/facts).
// They build the problem only when a rule is broken, so a valid request
// costs nothing more.

// bad records a broken rule with the value given; i >= 0 is the index of an
// element of the field.
func (v *validator) bad(field string, i int, value, rule string) {
	var path string
	if i >= 0 {
		v.push(field)
		v.index(i)
		path = v.pathTo("")
		v.pop()
		v.pop()
	} else {
		path = v.pathTo(field)
	}
	if v.inferring {
		v.inferred = append(v.inferred, FieldProblem{Path: path, Value: value, Rule: rule})
		return
	}
	v.problems = append(v.problems, FieldProblem{Path: path, Value: value, Rule: rule})
}

func (v *validator) badInt(field string, i int, x int64, rule string) {
	v.bad(field, i, strconv.FormatInt(x, 10), rule)
}

func (v *validator) badFloat(field string, i int, x float64, rule string) {
	v.bad(field, i, strconv.FormatFloat(x, 'g', -1, 64), rule)
}

// badString shows a string quoted and cut to 40 characters.
func (v *validator) badString(field string, i int, x, rule string) {
	if utf8.RuneCountInString(x) > 40 {
		x = string([]rune(x)[:40]) + "..."
	}
	v.bad(field, i, strconv.Quote(x), rule)
}

// badLen shows a string's length rather than the string.
func (v *validator) badLen(field string, i int, x, rule string) {
	v.bad(field, i, count(utf8.RuneCountInString(x), "character"), rule)
}

func (v *validator) badItems(field string, n int, rule string) {
	v.bad(field, -1, count(n, "element"), rule)
}

// count writes n things: "1 element", "3 elements" (spec.Count).
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return strconv.Itoa(n) + " " + thing + "s"
}

// validRFC3339 reports whether s is an RFC 3339 time with its zone.
func validRFC3339(s string) bool {
	_, err := time.Parse(time.RFC3339, s)
	return err == nil
}

// validAlnum reports whether s holds only ASCII letters and digits.
func validAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// validColor reports whether s is a color written #RRGGBB.
func validColor(s string) bool {
	if len(s) != 7 || s[0] != '#' {
		return false
	}
	for i := 1; i < 7; i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// WithLenientValidation makes the client check only what a request cannot
// do without: required fields and the ID rule. The value rules (allowed
// values, ranges, lengths, evenness, formats) and the rules between fields
// are left to the service. Use it when the service has widened a rule
// before this SDK knows; see WithCallLenientValidation for one call.
func WithLenientValidation() Option {
	return func(cfg *config) error {
		cfg.lenient = true
		return nil
	}
}

// WithCallLenientValidation is WithLenientValidation for one call.
func WithCallLenientValidation() CallOption {
	return func(c *callConfig) error { c.lenient = true; return nil }
}

// windowLayouts are the time formats of StartTime and EndTime: RFC 3339
// with a zone, or a date for the queries by day. A time without a zone is
// not one of them (the format check refuses it where the vendor states
// RFC 3339).
var windowLayouts = [...]string{time.RFC3339, "2006-01-02"}

func parseWindowTime(s string) (time.Time, bool) {
	for _, l := range windowLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// window checks that EndTime is at most span (nanoseconds) after
// StartTime. Times that do not parse are left to the service.
func (v *validator) window(start, end string, span int64, rule string) {
	st, ok1 := parseWindowTime(start)
	et, ok2 := parseWindowTime(end)
	if !ok1 || !ok2 || et.Sub(st) <= time.Duration(span) {
		return
	}
	v.bad("EndTime", -1, et.Sub(st).String()+" after StartTime", rule)
}
