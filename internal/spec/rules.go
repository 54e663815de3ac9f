package spec

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The checks a fact implies, their wording, and an interpreter that applies
// them to a decoded JSON input (rtctest and rtcctl). The generator turns
// the same checks into Go code, with the same wording, so the client, the
// fake server and the CLI refuse the same values with the same words.

// CheckKind is one family of value rules.
type CheckKind uint8

const (
	CheckEnum    CheckKind = iota // one of the enumeration's values
	CheckRange                    // within [Min, Max] (ends as given, clamped ends not checked), or one of Also
	CheckEven                     // an even number
	CheckLen                      // a string's length in characters
	CheckItems                    // an array's length
	CheckColor                    // #RRGGBB
	CheckRFC3339                  // an RFC 3339 time with its zone
	CheckAlnum                    // letters and digits only
)

// Check is one rule a field's value must satisfy.
type Check struct {
	Kind CheckKind
	// Rule says what is allowed: "must be from 10 to 86400 (seconds)".
	Rule string
	// Lo and Hi are the checked bounds of a range, length or item count;
	// HasLo/HasHi say whether each end is checked.
	Lo, Hi         float64
	HasLo, HasHi   bool
	LoOpen, HiOpen bool
	Also           []float64
	// Values are the enumeration's values (JSON literals).
	Values []string
}

// Checks lists the rules a fact implies for a field and that refuse a
// value, in a fixed order: allowed values, range, evenness, length, item
// count, format. Only rules the vendor states refuse (see Source):
// inferred rules are documented, not checked. Clamped ends of a range,
// lists the service cuts and enumerations the service resets to their
// default are not checked either (the service adjusts them).
func (fs *Facts) Checks(x *Fact, f *Field) []Check { return fs.checks(x, true) }

// InferredChecks lists the checks of the rules a fact gives that the
// vendor does not state (see Checks): they never refuse, but the client
// can note at debug level that a request breaks one.
func (fs *Facts) InferredChecks(x *Fact, f *Field) []Check { return fs.checks(x, false) }

// checks builds the checks of the stated rules of x, or of the inferred
// ones.
func (fs *Facts) checks(x *Fact, stated bool) []Check {
	if x == nil {
		return nil
	}
	pick := func(key string) bool { return x.HasRule(key) && fs.Stated(x, key) == stated }
	var out []Check
	if e := fs.Enum(x); e != nil && pick("enum") && x.Clamp != "default" {
		c := Check{Kind: CheckEnum}
		var parts []string
		for _, v := range e.Values {
			c.Values = append(c.Values, v.Literal())
			parts = append(parts, v.Text()+" ("+v.Name+")")
		}
		c.Rule = "must be one of " + strings.Join(parts, ", ")
		out = append(out, c)
	}
	if pick("one_of") && x.Clamp != "default" {
		c := Check{Kind: CheckEnum}
		var parts []string
		for _, v := range x.OneOf {
			c.Values = append(c.Values, string(v))
			parts = append(parts, EnumValue{Value: v}.Text())
		}
		c.Rule = "must be one of " + strings.Join(parts, ", ")
		if u := UnitName(x.Unit); u != "" {
			c.Rule += " " + u
		}
		out = append(out, c)
	}
	if x.Min != nil || x.Max != nil {
		c := Check{Kind: CheckRange, Also: x.Also, LoOpen: x.MinOpen, HiOpen: x.MaxOpen}
		if pick("min") && x.Clamp != "min" && x.Clamp != "both" {
			c.Lo, c.HasLo = *x.Min, true
		}
		if pick("max") && x.Clamp != "max" && x.Clamp != "both" {
			c.Hi, c.HasHi = *x.Max, true
		}
		if c.HasLo || c.HasHi {
			c.Rule = "must be " + rangeText(c, x.Unit)
			out = append(out, c)
		}
	}
	if pick("even") {
		out = append(out, Check{Kind: CheckEven, Rule: "must be even"})
	}
	if c, ok := countCheck(x.MinLen, x.MaxLen, pick("min_len"), pick("max_len")); ok {
		c.Kind, c.Rule = CheckLen, "must be "+countText(c, "character")
		out = append(out, c)
	}
	if c, ok := countCheck(x.MinItems, x.MaxItems, pick("min_items"), pick("max_items") && x.ClampItems != "max"); ok {
		c.Kind, c.Rule = CheckItems, "must have "+countText(c, "element")
		out = append(out, c)
	}
	if x.Format == "color" && pick("format") {
		out = append(out, Check{Kind: CheckColor, Rule: "must be a color written #RRGGBB"})
	}
	if x.Format == "rfc3339" && pick("format") {
		out = append(out, Check{Kind: CheckRFC3339, Rule: RuleRFC3339})
	}
	if x.Format == "alnum" && pick("format") {
		out = append(out, Check{Kind: CheckAlnum, Rule: "must hold only letters and digits (A-Z, a-z, 0-9)"})
	}
	return out
}

// countCheck builds a length or item-count check from the ends picked.
func countCheck(lo, hi *int, useLo, useHi bool) (Check, bool) {
	var c Check
	if lo != nil && useLo {
		c.Lo, c.HasLo = float64(*lo), true
	}
	if hi != nil && useHi {
		c.Hi, c.HasHi = float64(*hi), true
	}
	return c, c.HasLo || c.HasHi
}

// ruleName names a rule key in a sentence about what is inferred.
var ruleName = map[string]string{
	"enum": "allowed values", "one_of": "allowed values", "min": "minimum", "max": "maximum",
	"min_len": "minimum length", "max_len": "maximum length", "min_items": "minimum count",
	"max_items": "maximum count", "even": "evenness", "format": "format",
}

// inferredNote is what a documenting sentence adds when some of its rules
// (keys) are inferred: "" when all are stated, " (inferred, not checked)"
// when none is, and which when some are.
func (fs *Facts) inferredNote(x *Fact, keys ...string) string {
	var given, inferred []string
	for _, k := range keys {
		if !x.HasRule(k) {
			continue
		}
		given = append(given, k)
		if !fs.Stated(x, k) {
			inferred = append(inferred, ruleName[k])
		}
	}
	switch {
	case len(inferred) == 0:
		return ""
	case len(inferred) == len(given):
		return " (inferred, not checked)"
	}
	return " (the " + strings.Join(inferred, " and ") + " inferred, not checked)"
}

// Num formats a bound as Go and JSON write it.
func Num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// UnitName spells a unit out for messages and docs.
func UnitName(u string) string {
	switch u {
	case "s":
		return "seconds"
	case "ms":
		return "milliseconds"
	case "min":
		return "minutes"
	case "px":
		return "pixels"
	case "":
		return ""
	}
	return u
}

func rangeText(c Check, unit string) string {
	var s string
	switch {
	case c.HasLo && c.HasHi && !c.LoOpen && !c.HiOpen:
		s = "from " + Num(c.Lo) + " to " + Num(c.Hi)
	case c.HasLo && c.HasHi:
		lo, hi := "at least "+Num(c.Lo), "at most "+Num(c.Hi)
		if c.LoOpen {
			lo = "greater than " + Num(c.Lo)
		}
		if c.HiOpen {
			hi = "less than " + Num(c.Hi)
		}
		s = lo + " and " + hi
	case c.HasLo && c.LoOpen:
		s = "greater than " + Num(c.Lo)
	case c.HasLo:
		s = "at least " + Num(c.Lo)
	case c.HiOpen:
		s = "less than " + Num(c.Hi)
	default:
		s = "at most " + Num(c.Hi)
	}
	if u := UnitName(unit); u != "" {
		s += " " + u
	}
	if len(c.Also) > 0 {
		parts := make([]string, len(c.Also))
		for i, a := range c.Also {
			parts[i] = Num(a)
		}
		s = strings.Join(parts, ", ") + ", or " + s
	}
	return s
}

// countText writes a length or item count: "at least one element",
// "at most 200 elements", "exactly 3 elements", "1 to 17 elements".
func countText(c Check, thing string) string {
	switch {
	case c.HasLo && c.HasHi && c.Lo == c.Hi:
		return "exactly " + countWords(c.Lo, thing)
	case c.HasLo && c.HasHi:
		return Num(c.Lo) + " to " + Num(c.Hi) + " " + thing + "s"
	case c.HasLo:
		return "at least " + countWords(c.Lo, thing)
	}
	return "at most " + countWords(c.Hi, thing)
}

// countWords writes "one element" or "3 elements".
func countWords(n float64, thing string) string {
	if n == 1 {
		return "one " + thing
	}
	return Num(n) + " " + thing + "s"
}

// Describe lists the sentences that document a fact's rules, after its
// doc: unit, default, range (and what is clamped), length, format. Allowed
// values are documented on the enumeration's type.
func (fs *Facts) Describe(x *Fact, f *Field) []string {
	if x == nil {
		return nil
	}
	var out []string
	if len(x.OneOf) > 0 {
		parts := make([]string, len(x.OneOf))
		for i, v := range x.OneOf {
			parts[i] = EnumValue{Value: v}.Text()
		}
		s := "One of " + strings.Join(parts, ", ")
		if u := UnitName(x.Unit); u != "" {
			s += " " + u
		}
		out = append(out, s+fs.inferredNote(x, "one_of")+".")
	} else if x.Unit != "" && x.Min == nil && x.Max == nil {
		out = append(out, "In "+UnitName(x.Unit)+".")
	}
	if x.Min != nil || x.Max != nil {
		c := Check{Also: x.Also, LoOpen: x.MinOpen, HiOpen: x.MaxOpen}
		if x.Min != nil {
			c.Lo, c.HasLo = *x.Min, true
		}
		if x.Max != nil {
			c.Hi, c.HasHi = *x.Max, true
		}
		s := "Range: " + rangeText(c, x.Unit) + fs.inferredNote(x, "min", "max") + "."
		switch x.Clamp {
		case "min":
			s += " Smaller values are raised to " + Num(c.Lo) + " by the service."
		case "max":
			s += " Larger values are lowered to " + Num(c.Hi) + " by the service."
		case "both":
			s += " Values outside it are moved to the nearest end by the service."
		}
		out = append(out, s)
	}
	if x.Even {
		out = append(out, "Must be even"+fs.inferredNote(x, "even")+".")
	}
	if x.MinLen != nil || x.MaxLen != nil {
		out = append(out, "Must be "+countText(countOf(x.MinLen, x.MaxLen), "character")+fs.inferredNote(x, "min_len", "max_len")+".")
	}
	if x.MinItems != nil || x.MaxItems != nil {
		s := "Must have " + countText(countOf(x.MinItems, x.MaxItems), "element") + fs.inferredNote(x, "min_items", "max_items") + "."
		if x.ClampItems == "max" {
			s = ""
			if x.MinItems != nil {
				s = "Must have " + countText(Check{Lo: float64(*x.MinItems), HasLo: true}, "element") + fs.inferredNote(x, "min_items") + ". "
			}
			s += "Of a longer list than " + countWords(float64(*x.MaxItems), "element") + fs.inferredNote(x, "max_items") +
				" the service uses the first " + strconv.Itoa(*x.MaxItems) + "."
		}
		out = append(out, s)
	}
	if e := fs.Enum(x); e != nil && !fs.Stated(x, "enum") && x.Clamp != "default" {
		out = append(out, "The vendor does not say these are the only values, so others are not refused.")
	}
	if x.Clamp == "default" {
		out = append(out, "The service replaces a value it does not know with the default.")
	}
	switch x.Format {
	case "unix_s":
		out = append(out, "A Unix time in seconds.")
	case "unix_ms":
		out = append(out, "A Unix time in milliseconds.")
	case "rfc3339":
		if fs.Stated(x, "format") {
			out = append(out, "An RFC 3339 time with its zone, such as 2024-05-01T08:00:00+08:00 or 2024-05-01T00:00:00Z; a time without a zone is refused, since the service would read it in a zone of its own.")
		} else {
			out = append(out, "An RFC 3339 time, such as 2024-05-01T08:00:00+08:00"+fs.inferredNote(x, "format")+".")
		}
	case "date":
		out = append(out, "A date written YYYY-MM-DD.")
	case "color":
		out = append(out, "A color written #RRGGBB"+fs.inferredNote(x, "format")+".")
	case "alnum":
		out = append(out, "Letters and digits only (A-Z, a-z, 0-9)"+fs.inferredNote(x, "format")+".")
	case "url":
		out = append(out, "A URL.")
	case "base64":
		out = append(out, "Base64-encoded.")
	case "json":
		out = append(out, "A JSON document, as a string.")
	}
	if len(x.Default) > 0 {
		d := string(x.Default)
		var s string
		if json.Unmarshal(x.Default, &s) == nil {
			d = s
		}
		if e := fs.Enum(x); e != nil {
			for _, v := range e.Values {
				if string(v.Value) == string(x.Default) {
					d = v.Name + " (" + v.Text() + ")"
				}
			}
		} else if u := UnitName(x.Unit); u != "" && d != "" {
			d += " " + u
		}
		out = append(out, "Default: "+d+".")
	}
	if x.Secret && f != nil && f.Type == "any" {
		// Raw JSON in a provider's format: the SDK cannot know its fields,
		// so it redacts by key name inside it.
		out = append(out, "Strings under keys that name a credential (api_key, APIKey, token, access_token, secret, AppKey ...) never appear in errors, logs or printed values.")
	} else if x.Secret {
		out = append(out, "A secret: it never appears in errors or logs.")
	}
	return out
}

// Problem is one broken rule found by CheckInput.
type Problem struct {
	Path  string // wire path: "Control.MaxIdleTime", "TargetStreams.StreamList[2].UserId"
	Value string // the value given, safe to print ("" for a missing field)
	Rule  string // what is allowed
}

// CheckInput applies the facts' value rules and conditional rules to a
// decoded JSON input (numbers as json.Number or float64, keys spelt as in
// the spec). Required fields, types and the ID rule are the caller's
// business. Problems come in field order.
func (fs *Facts) CheckInput(action string, in map[string]any) []Problem {
	a := fs.spec.Find(action)
	if a == nil {
		return nil
	}
	var out []Problem
	fs.checkObject(action, a.Input, "", "", in, true, &out)
	if af := fs.Actions[action]; af != nil && af.Window != nil {
		span, _, _ := af.Window.Durations()
		s, _ := in["StartTime"].(string)
		e, _ := in["EndTime"].(string)
		st, ok1 := parseTime(s)
		et, ok2 := parseTime(e)
		if span > 0 && ok1 && ok2 && et.Sub(st) > span {
			out = append(out, Problem{Path: "EndTime", Value: et.Sub(st).String() + " after StartTime",
				Rule: "must be at most " + HumanDuration(span) + " after StartTime"})
		}
	}
	return out
}

// CheckInputInferred is CheckInput for the rules the vendor does not
// state: what it finds is worth a note, never a refusal.
func (fs *Facts) CheckInputInferred(action string, in map[string]any) []Problem {
	a := fs.spec.Find(action)
	if a == nil {
		return nil
	}
	var out []Problem
	fs.checkObject(action, a.Input, "", "", in, false, &out)
	return out
}

// parseTime reads a StartTime or EndTime as the service does.
func parseTime(s string) (time.Time, bool) {
	for _, l := range [...]string{time.RFC3339, "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func (fs *Facts) checkObject(action string, fields []Field, specPath, path string, m map[string]any, stated bool, out *[]Problem) {
	for i := range fields {
		f := &fields[i]
		v, ok := m[f.Name]
		if !ok || v == nil {
			continue
		}
		sp := joinDot(specPath, f.Name)
		p := joinDot(path, f.Name)
		x := fs.Field(action, "in", sp)
		checks := fs.checks(x, stated)
		if f.Type == "array" {
			l, _ := v.([]any)
			for _, c := range checks {
				if c.Kind == CheckItems && len(l) > 0 && !inCount(c, len(l)) {
					*out = append(*out, Problem{Path: p, Value: Count(len(l), "element"), Rule: c.Rule})
				}
			}
			for j, e := range l {
				ep := p + "[" + strconv.Itoa(j) + "]"
				if f.Elem != nil && f.Elem.Type == "object" {
					if em, ok := e.(map[string]any); ok {
						fs.checkObject(action, f.Elem.Fields, sp, ep, em, stated, out)
					}
					continue
				}
				fs.checkScalar(checks, x, ep, e, out)
			}
			continue
		}
		if f.Type == "object" {
			if om, ok := v.(map[string]any); ok {
				fs.checkObject(action, f.Fields, sp, p, om, stated, out)
			}
			continue
		}
		fs.checkScalar(checks, x, p, v, out)
	}
	for _, r := range fs.Rules(action, specPath) {
		if r.Refuses() == stated && !r.holds(fs, action, specPath, m) {
			*out = append(*out, Problem{Path: path, Rule: r.Doc})
		}
	}
}

// holds evaluates a conditional rule in the object m at scope.
func (r *Rule) holds(fs *Facts, action, scope string, m map[string]any) bool {
	if len(r.AnyOf) > 0 {
		for _, n := range r.AnyOf {
			if present(getPath(m, n)) {
				return true
			}
		}
		return false
	}
	v := getPath(m, r.When.Field)
	if !present(v) {
		x := fs.Field(action, "in", joinDot(scope, r.When.Field))
		if x == nil || len(x.Default) == 0 {
			return true // nothing known about an absent value
		}
		var d any
		dec := json.NewDecoder(strings.NewReader(string(x.Default)))
		dec.UseNumber()
		if dec.Decode(&d) != nil {
			return true
		}
		v = d
	}
	match := false
	for _, w := range r.When.In {
		if sameJSON(v, w) {
			match = true
		}
	}
	if !match {
		return true
	}
	for _, n := range r.Require {
		if !present(getPath(m, n)) {
			return false
		}
	}
	return true
}

func sameJSON(v any, w json.RawMessage) bool {
	var s string
	if json.Unmarshal(w, &s) == nil {
		vs, ok := v.(string)
		return ok && vs == s
	}
	wf, err := strconv.ParseFloat(string(w), 64)
	if err != nil {
		return false
	}
	vf, ok := toFloat(v)
	return ok && vf == wf
}

func getPath(m map[string]any, p string) any {
	var cur any = m
	for _, part := range strings.Split(p, ".") {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[part]
	}
	return cur
}

// present reports whether a JSON value counts as set: not Absent.
func present(v any) bool { return !Absent(v) }

func (fs *Facts) checkScalar(checks []Check, x *Fact, p string, v any, out *[]Problem) {
	for _, c := range checks {
		var bad bool
		var shown string
		switch c.Kind {
		case CheckEnum:
			bad = true
			for _, lit := range c.Values {
				if sameJSON(v, json.RawMessage(lit)) {
					bad = false
				}
			}
			shown = showValue(v, x)
		case CheckRange, CheckEven:
			n, ok := toFloat(v)
			if !ok {
				continue // the type check reports it
			}
			if c.Kind == CheckRange {
				bad = !InRange(c, n)
			} else {
				bad = math.Mod(n, 2) != 0
			}
			shown = showValue(v, x)
		case CheckLen:
			s, ok := v.(string)
			if !ok {
				continue
			}
			n := utf8.RuneCountInString(s)
			bad = !inCount(c, n)
			shown = Count(n, "character")
		case CheckColor:
			s, ok := v.(string)
			if !ok {
				continue
			}
			bad = !ValidColor(s)
			shown = showValue(v, x)
		case CheckRFC3339, CheckAlnum:
			s, ok := v.(string)
			if !ok {
				continue
			}
			if c.Kind == CheckRFC3339 {
				bad = !ValidRFC3339(s)
			} else {
				bad = !ValidAlnum(s)
			}
			shown = showValue(v, x)
		default:
			continue
		}
		if bad {
			*out = append(*out, Problem{Path: p, Value: shown, Rule: c.Rule})
		}
	}
}

// InRange reports whether n satisfies a range check.
func InRange(c Check, n float64) bool {
	for _, a := range c.Also {
		if n == a {
			return true
		}
	}
	if c.HasLo && (n < c.Lo || c.LoOpen && n == c.Lo) {
		return false
	}
	if c.HasHi && (n > c.Hi || c.HiOpen && n == c.Hi) {
		return false
	}
	return true
}

func inCount(c Check, n int) bool {
	return !(c.HasLo && float64(n) < c.Lo || c.HasHi && float64(n) > c.Hi)
}

// RuleRFC3339 is the rule of a time field whose format is rfc3339.
const RuleRFC3339 = "must be an RFC 3339 time with its zone, such as 2026-11-25T10:00:00+08:00 or 2026-11-25T02:00:00Z"

// ValidRFC3339 reports whether s is an RFC 3339 time with its zone (a
// fraction of a second allowed). A time without a zone is refused: the
// service would read it in a zone of its choice.
func ValidRFC3339(s string) bool {
	_, err := time.Parse(time.RFC3339, s)
	return err == nil
}

// ValidAlnum reports whether s holds only ASCII letters and digits.
func ValidAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// ValidColor reports whether s is a color written #RRGGBB.
func ValidColor(s string) bool {
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

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	case string:
		f, err := strconv.ParseFloat(n, 64)
		return f, err == nil
	}
	return 0, false
}

// showValue prints a value for a problem: numbers as given, strings quoted
// and cut short, secrets hidden.
func showValue(v any, x *Fact) string {
	if x != nil && x.Secret {
		return "(hidden)"
	}
	switch s := v.(type) {
	case string:
		if utf8.RuneCountInString(s) > 40 {
			s = string([]rune(s)[:40]) + "..."
		}
		return strconv.Quote(s)
	case json.Number:
		return s.String()
	case float64:
		return Num(s)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func joinDot(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

// Count writes n things: "1 element", "3 elements".
func Count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return strconv.Itoa(n) + " " + thing + "s"
}

// countOf is a count check with both given ends, for documentation.
func countOf(lo, hi *int) Check {
	var c Check
	if lo != nil {
		c.Lo, c.HasLo = float64(*lo), true
	}
	if hi != nil {
		c.Hi, c.HasHi = float64(*hi), true
	}
	return c
}

// ClampInput adjusts a decoded JSON input (as CheckInput takes it) the way
// the service does with the values it clamps rather than refuses: a
// number past a clamped end of its range moves to that end, a list longer
// than a clamped item count is cut, and a value outside an enumeration
// the service resets takes the default. rtctest answers for the adjusted
// input, as the service would.
func (fs *Facts) ClampInput(action string, in map[string]any) {
	a := fs.spec.Find(action)
	if a == nil {
		return
	}
	fs.clampObject(action, a.Input, "", in)
}

func (fs *Facts) clampObject(action string, fields []Field, specPath string, m map[string]any) {
	for i := range fields {
		f := &fields[i]
		v, ok := m[f.Name]
		if !ok || v == nil {
			continue
		}
		sp := joinDot(specPath, f.Name)
		x := fs.Field(action, "in", sp)
		switch {
		case f.Type == "object":
			if om, ok := v.(map[string]any); ok {
				fs.clampObject(action, f.Fields, sp, om)
			}
		case f.Type == "array":
			l, _ := v.([]any)
			if x != nil && x.ClampItems == "max" && x.MaxItems != nil && len(l) > *x.MaxItems {
				l = l[:*x.MaxItems]
				m[f.Name] = l
			}
			for j, e := range l {
				if f.Elem != nil && f.Elem.Type == "object" {
					if em, ok := e.(map[string]any); ok {
						fs.clampObject(action, f.Elem.Fields, sp, em)
					}
					continue
				}
				l[j] = fs.clampScalar(x, e)
			}
		default:
			m[f.Name] = fs.clampScalar(x, v)
		}
	}
}

// clampScalar returns the value the service uses for v.
func (fs *Facts) clampScalar(x *Fact, v any) any {
	if x == nil || x.Clamp == "" {
		return v
	}
	if x.Clamp == "default" {
		var lits []json.RawMessage
		if e := fs.Enum(x); e != nil {
			for _, ev := range e.Values {
				lits = append(lits, ev.Value)
			}
		}
		lits = append(lits, x.OneOf...)
		for _, l := range lits {
			if sameJSON(v, l) {
				return v
			}
		}
		var d any
		dec := json.NewDecoder(strings.NewReader(string(x.Default)))
		dec.UseNumber()
		if dec.Decode(&d) != nil {
			return v
		}
		return d
	}
	n, ok := toFloat(v)
	if !ok {
		return v
	}
	for _, a := range x.Also {
		if n == a {
			return v
		}
	}
	lo := x.Clamp == "min" || x.Clamp == "both"
	hi := x.Clamp == "max" || x.Clamp == "both"
	switch {
	case lo && x.Min != nil && n < *x.Min:
		return json.Number(Num(*x.Min))
	case hi && x.Max != nil && n > *x.Max:
		return json.Number(Num(*x.Max))
	}
	return v
}
