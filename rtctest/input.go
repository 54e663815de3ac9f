package rtctest

import (
	"bytes"
	"encoding/json"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/volcrtc/rtc/internal/spec"
)

// decodeInput fills c.raw and c.in from the body or the query.
func (c *call) decodeInput() *apiError {
	if c.action.InputIn == "body" {
		if len(bytes.TrimSpace(c.body)) == 0 {
			return invalid("InvalidParameter.BodyIsEmpty", "the request body is empty; %s takes a JSON object", c.action.Action)
		}
		dec := json.NewDecoder(bytes.NewReader(c.body))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return invalid("InvalidParameter.Unmarshal", "the request body is not valid JSON")
		}
		if _, err := dec.Token(); err != io.EOF {
			return invalid("InvalidParameter.Unmarshal", "the request body has data after the JSON value")
		}
		m, ok := v.(map[string]any)
		if !ok {
			return invalid("InvalidParameter.Unmarshal", "the request body must be a JSON object")
		}
		c.raw = m
	} else {
		c.raw = queryInput(c.action.Input, c.query)
	}
	c.in = normalize(c.action.Input, c.raw)
	return nil
}

// queryInput turns query parameters into an input map, typed per the spec
// where the value parses (a value that does not is kept as a string, for
// the type check to report).
func queryInput(fields []spec.Field, q map[string][]string) map[string]any {
	m := make(map[string]any, len(q))
	for k, vals := range q {
		if k == "Action" || k == "Version" || len(vals) == 0 {
			continue
		}
		f := findField(fields, k)
		if f == nil {
			m[k] = vals[0]
			continue
		}
		switch f.Type {
		case "array":
			l := make([]any, len(vals))
			for i, v := range vals {
				l[i] = v
			}
			m[k] = l
		case "int32", "int64", "float32", "float64":
			if _, err := strconv.ParseFloat(vals[0], 64); err == nil {
				m[k] = json.Number(vals[0])
			} else {
				m[k] = vals[0]
			}
		case "bool":
			if b, err := strconv.ParseBool(vals[0]); err == nil {
				m[k] = b
			} else {
				m[k] = vals[0]
			}
		default:
			m[k] = vals[0]
		}
	}
	return m
}

func findField(fields []spec.Field, name string) *spec.Field {
	for i := range fields {
		if fields[i].Name == name {
			return &fields[i]
		}
	}
	for i := range fields {
		if strings.EqualFold(fields[i].Name, name) {
			return &fields[i]
		}
	}
	return nil
}

// normalize returns a copy of m whose keys are spelt as in the spec
// (matching case-insensitively, as the service's JSON decoding does),
// recursively. Unknown keys are kept.
func normalize(fields []spec.Field, m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		f := findField(fields, k)
		if f == nil {
			out[k] = v
			continue
		}
		out[f.Name] = normalizeValue(f, v)
	}
	return out
}

func normalizeValue(f *spec.Field, v any) any {
	switch f.Type {
	case "object":
		if mv, ok := v.(map[string]any); ok {
			return normalize(f.Fields, mv)
		}
	case "array":
		if lv, ok := v.([]any); ok && f.Elem != nil && f.Elem.Type == "object" {
			out := make([]any, len(lv))
			for i, e := range lv {
				out[i] = normalizeValue(f.Elem, e)
			}
			return out
		}
	}
	return v
}

// validate runs the field checks: types and required fields, the ID rule,
// enumerations and query time windows.
func (c *call) validate() *apiError {
	if e := checkFields("", c.action.Input, c.in); e != nil {
		return e
	}
	if e := checkIDs(c.srv.spec, "", c.in); e != nil {
		return e
	}
	fs := spec.MustLoadFacts()
	for field, allowed := range c.action.Enums {
		if x := fs.Field(c.action.Action, "in", field); x != nil && x.Enum != "" {
			continue // the facts say whether the service refuses other values
		}
		if v, ok := c.in[field].(string); ok && v != "" && !slices.Contains(allowed, v) {
			return invalid("InvalidParameter", "%s must be one of %s, not %q", field, strings.Join(allowed, ", "), v)
		}
	}
	if e := c.checkWindow(); e != nil {
		return e // the service answers OutofTimeRange for windows
	}
	if e := checkFacts(c.action.Action, c.in); e != nil {
		return e
	}
	// What the service adjusts rather than refuses, it adjusts: a clamped
	// number, a list longer than it reads, a value it resets to the
	// default. The handler answers for the adjusted input.
	fs.ClampInput(c.action.Action, c.in)
	return nil
}

func joinPath(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// checkFields checks the types and required fields of m against fields.
func checkFields(prefix string, fields []spec.Field, m map[string]any) *apiError {
	for i := range fields {
		f := &fields[i]
		v := m[f.Name]
		path := joinPath(prefix, f.Name)
		if spec.Absent(v) {
			if f.Required {
				return invalid("InvalidParameter", "%s is required", path)
			}
			continue
		}
		if e := checkValue(path, f, v); e != nil {
			return e
		}
	}
	return nil
}

func typeError(path, want string) *apiError {
	return invalid("InvalidParameter", "%s must be %s", path, want)
}

func checkValue(path string, f *spec.Field, v any) *apiError {
	switch f.Type {
	case "string":
		if _, ok := v.(string); !ok {
			return typeError(path, "a string")
		}
	case "int32", "int64":
		n, ok := v.(json.Number)
		if !ok {
			return typeError(path, "an integer")
		}
		i, err := n.Int64()
		if err != nil {
			return typeError(path, "an integer")
		}
		if f.Type == "int32" && (i < -1<<31 || i > 1<<31-1) {
			return typeError(path, "a 32-bit integer")
		}
	case "float32", "float64":
		n, ok := v.(json.Number)
		if !ok {
			return typeError(path, "a number")
		}
		if _, err := n.Float64(); err != nil {
			return typeError(path, "a number")
		}
	case "bool":
		if _, ok := v.(bool); !ok {
			return typeError(path, "true or false")
		}
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return typeError(path, "an object")
		}
		return checkFields(path, f.Fields, m)
	case "array":
		l, ok := v.([]any)
		if !ok {
			return typeError(path, "a list")
		}
		if f.Elem == nil {
			return nil
		}
		for i, e := range l {
			p := path + "[" + strconv.Itoa(i) + "]"
			if e == nil {
				return invalid("InvalidParameter", "%s must not be null", p)
			}
			if e := checkValue(p, f.Elem, e); e != nil {
				return e
			}
		}
	}
	return nil
}

// idProblem says what is wrong with the ID s of field, in the rule's own
// wording, or "" when it is valid.
func idProblem(field, s string) string {
	if s == "" {
		return field + " is required"
	}
	if p := spec.MustLoad().IDRule.Problem(s); p != "" {
		return field + " " + p
	}
	return ""
}

// checkIDs applies the ID rule to every ID field in v, at any depth, in a
// stable order.
func checkIDs(sp *spec.Spec, prefix string, v any) *apiError {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			path := joinPath(prefix, k)
			if sp.IsIDField(k) {
				if s, ok := x[k].(string); ok && s != "" {
					if p := sp.IDRule.Problem(s); p != "" {
						code := "InvalidParameter"
						if strings.EqualFold(k, "RoomId") {
							code = "InvalidParameter.IllegalRoomID"
						}
						return invalid(code, "%s %s", path, p)
					}
				}
				continue
			}
			if e := checkIDs(sp, path, x[k]); e != nil {
				return e
			}
		}
	case []any:
		for i, e := range x {
			if err := checkIDs(sp, prefix+"["+strconv.Itoa(i)+"]", e); err != nil {
				return err
			}
		}
	}
	return nil
}

// windowLayouts are the time formats accepted in StartTime and EndTime:
// RFC 3339 with a zone, or a date for the queries by day; a time without
// a zone is refused, as the facts say.
var windowLayouts = []string{time.RFC3339, "2006-01-02"}

func parseWindowTime(s string) (time.Time, bool) {
	for _, l := range windowLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// checkWindow checks StartTime/EndTime string windows of data queries.
func (c *call) checkWindow() *apiError {
	f := findField(c.action.Input, "StartTime")
	if f == nil || f.Type != "string" {
		return nil
	}
	ss, es := c.str("StartTime"), c.str("EndTime")
	if ss == "" || es == "" {
		return nil
	}
	st, ok := parseWindowTime(ss)
	if !ok {
		return invalid("InvalidParameter", "StartTime must be an RFC 3339 time such as 2026-11-25T00:00:00+08:00")
	}
	et, ok := parseWindowTime(es)
	if !ok {
		return invalid("InvalidParameter", "EndTime must be an RFC 3339 time such as 2026-11-25T23:59:59+08:00")
	}
	if st.After(et) {
		return invalid("InvalidParameter.StartTimeAfterEndTime", "StartTime %s is after EndTime %s", ss, es)
	}
	if et.Sub(st) > MaxQueryWindow {
		return invalid("InvalidParameter.OutofTimeRange", "the window from StartTime to EndTime is longer than %d days",
			int(MaxQueryWindow/(24*time.Hour)))
	}
	// The action's own window, from the field facts.
	if af := spec.MustLoadFacts().Actions[c.action.Action]; af != nil && af.Window != nil {
		span, back, _ := af.Window.Durations()
		if span > 0 && et.Sub(st) > span {
			return invalid("InvalidParameter.OutofTimeRange", "%s queries at most %s from StartTime to EndTime (got %s)",
				c.action.Action, spec.HumanDuration(span), et.Sub(st))
		}
		if back > 0 && c.now.Sub(st) > back {
			return invalid("InvalidParameter.OutofTimeRange", "%s looks back at most %s: StartTime %s is earlier",
				c.action.Action, spec.HumanDuration(back), ss)
		}
	}
	return nil
}

// Input accessors over the normalized input.

func (c *call) str(name string) string {
	s, _ := c.in[name].(string)
	return s
}

func (c *call) num(name string) (int64, bool) {
	return toInt(c.in[name])
}

func toInt(v any) (int64, bool) {
	switch x := v.(type) {
	case json.Number:
		i, err := x.Int64()
		if err != nil {
			f, ferr := x.Float64()
			return int64(f), ferr == nil
		}
		return i, true
	case string:
		i, err := strconv.ParseInt(x, 10, 64)
		return i, err == nil
	}
	return 0, false
}

func (c *call) boolean(name string) (bool, bool) {
	b, ok := c.in[name].(bool)
	return b, ok
}

func (c *call) appID() string {
	if s := c.str("AppId"); s != "" {
		return s
	}
	return c.str("AppID")
}

// checkFacts applies the field facts (internal/spec/facts) the way the
// service does: allowed values, ranges, lengths, evenness, colors and the
// rules between fields, those the vendor states (inferred rules pass, as
// in the client). Values the service clamps pass. Every problem is
// named in one InvalidParameter answer: the field, the value given and
// what is allowed.
func checkFacts(action string, in map[string]any) *apiError {
	ps := spec.MustLoadFacts().CheckInput(action, in)
	if len(ps) == 0 {
		return nil
	}
	parts := make([]string, len(ps))
	for i, p := range ps {
		s := p.Rule
		if p.Path != "" {
			s = p.Path + " " + s
		}
		if p.Value != "" {
			s += " (got " + p.Value + ")"
		}
		parts[i] = s
	}
	return invalid("InvalidParameter", "%s", strings.Join(parts, "; "))
}
