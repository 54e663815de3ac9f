package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/volcrtc/rtc/internal/spec"
)

// decodeObject decodes data as one JSON object, keeping numbers as
// json.Number so that they are checked and sent exactly as written.
func decodeObject(data []byte) (map[string]any, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return map[string]any{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("the input is not valid JSON (at byte %d: %v)", se.Offset, err)
		}
		return nil, fmt.Errorf("the input is not valid JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("the input holds more than one JSON value; give one object")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the input must be a JSON object ({...}), not %s", jsonKind(v))
	}
	return m, nil
}

// issue is one finding of the checker: a field path and what is wrong.
type issue struct{ path, rule string }

func (i issue) String() string {
	if i.path == "" {
		return i.rule
	}
	return i.path + ": " + i.rule
}

// checker checks a decoded input against an action's input shape.
type checker struct {
	spec     *spec.Spec // its IDRule and IsIDField apply the ID rule
	problems []issue    // errors: nothing is sent
	warnings []issue    // sent anyway (errors with --strict)
	notes    []issue    // rules the vendor does not state: sent anyway
}

func newChecker(s *spec.Spec) *checker {
	return &checker{spec: s}
}

func (c *checker) problem(path, format string, args ...any) {
	c.problems = append(c.problems, issue{path, fmt.Sprintf(format, args...)})
}

func (c *checker) warn(path, format string, args ...any) {
	c.warnings = append(c.warnings, issue{path, fmt.Sprintf(format, args...)})
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// lookup finds the field named name: exactly, or else ignoring case (the
// service matches JSON keys without regard to case).
func lookup(fields []spec.Field, name string) (*spec.Field, bool) {
	for i := range fields {
		if fields[i].Name == name {
			return &fields[i], true
		}
	}
	for i := range fields {
		if strings.EqualFold(fields[i].Name, name) {
			return &fields[i], false
		}
	}
	return nil, false
}

// object checks the members of m against fields: unknown members, each
// value, and the required fields.
func (c *checker) object(prefix string, fields []spec.Field, m map[string]any) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	seen := map[string]string{} // spec name -> key used
	for _, k := range keys {
		path := join(prefix, k)
		f, exact := lookup(fields, k)
		if f == nil {
			if s := suggest(k, fieldNames(fields), 1); len(s) > 0 {
				c.warn(path, "not a field of this input (did you mean %s?)", s[0])
			} else {
				c.warn(path, "not a field of this input")
			}
			continue
		}
		if prev, dup := seen[f.Name]; dup {
			c.problem(path, "given twice (also as %s)", prev)
			continue
		}
		seen[f.Name] = k
		if !exact {
			c.warn(path, "spelt %s in the API description (keys match without regard to case)", f.Name)
		}
		c.value(path, f, m[k])
	}
	for i := range fields {
		f := &fields[i]
		if !f.Required {
			continue
		}
		k, ok := seen[f.Name]
		if !ok || spec.Absent(m[k]) {
			c.problem(join(prefix, f.Name), "is required (%s)", typeName(f))
		}
	}
}

func (c *checker) isID(name string) bool { return c.spec.IsIDField(name) }

// value checks one value against its field.
func (c *checker) value(path string, f *spec.Field, v any) {
	if v == nil {
		return // null is the same as absent
	}
	switch f.Type {
	case "string":
		s, ok := v.(string)
		if !ok {
			c.mismatch(path, f, v)
			return
		}
		if c.isID(f.Name) && s != "" {
			if p := c.spec.IDRule.Problem(s); p != "" {
				c.problem(path, "%s", p)
			}
		}
	case "int32", "int64":
		n, ok := v.(json.Number)
		if !ok {
			c.mismatch(path, f, v)
			return
		}
		i, err := strconv.ParseInt(string(n), 10, 64)
		switch {
		case err != nil && strings.ContainsAny(string(n), ".eE"):
			c.problem(path, "must be a whole number (%s), not %s", f.Type, n)
		case err != nil, f.Type == "int32" && (i < math.MinInt32 || i > math.MaxInt32):
			c.problem(path, "%s is out of range for %s", n, f.Type)
		}
	case "float32", "float64":
		if _, ok := v.(json.Number); !ok {
			c.mismatch(path, f, v)
		}
	case "bool":
		if _, ok := v.(bool); !ok {
			c.mismatch(path, f, v)
		}
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			c.mismatch(path, f, v)
			return
		}
		if len(f.Fields) > 0 {
			c.object(path, f.Fields, m)
		}
	case "array":
		l, ok := v.([]any)
		if !ok {
			c.mismatch(path, f, v)
			return
		}
		if f.Elem == nil {
			return
		}
		elem := *f.Elem
		if elem.Name == "" {
			elem.Name = f.Name // a list of IDs (UserId: ["a", "b"]) follows the ID rule
		}
		for i, e := range l {
			c.value(path+"["+strconv.Itoa(i)+"]", &elem, e)
		}
	}
}

func (c *checker) mismatch(path string, f *spec.Field, v any) {
	if secretFieldName(f.Name) {
		// Say what kind of value it is, never the value.
		c.problem(path, "must be %s, not %s", article(typeName(f)), kindOnly(v))
		return
	}
	hint := ""
	switch x := v.(type) {
	case json.Number:
		if f.Type == "string" {
			hint = fmt.Sprintf(`; quote it: "%s"`, x)
		}
	case string:
		if _, err := strconv.ParseFloat(x, 64); err == nil && isNumber(f.Type) {
			hint = "; drop the quotes: " + x
		}
		if (x == "true" || x == "false") && f.Type == "bool" {
			hint = "; drop the quotes: " + x
		}
	}
	c.problem(path, "must be %s, not %s%s", article(typeName(f)), jsonKind(v), hint)
}

func isNumber(t string) bool {
	switch t {
	case "int32", "int64", "float32", "float64":
		return true
	}
	return false
}

// typeName describes a field's type for people: "string", "array of
// object", ...
func typeName(f *spec.Field) string {
	switch f.Type {
	case "array":
		if f.Elem != nil {
			return "array of " + typeName(f.Elem)
		}
		return "array"
	case "int32", "int64":
		return "integer (" + f.Type + ")"
	case "float32", "float64":
		return "number"
	case "bool":
		return "boolean"
	case "any":
		return "any JSON value"
	}
	return f.Type
}

func article(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case 'a', 'e', 'i', 'o', 'u':
		if strings.HasPrefix(s, "any ") {
			return s
		}
		return "an " + s
	}
	return "a " + s
}

// jsonKind names the JSON type of a decoded value, with the value when it
// is short.
func jsonKind(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		if len(x) <= 40 {
			return fmt.Sprintf("the string %q", x)
		}
		return "a string"
	case json.Number:
		return "the number " + string(x)
	case bool:
		return "the boolean " + strconv.FormatBool(x)
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return fmt.Sprintf("%T", v)
}

func fieldNames(fields []spec.Field) []string {
	out := make([]string, len(fields))
	for i := range fields {
		out[i] = fields[i].Name
	}
	return out
}

// checkEnums checks the top-level fields the spec enumerates, unless the
// field facts describe the field (they say whether other values are
// refused).
func (c *checker) checkEnums(a *spec.Action, m map[string]any) {
	fs, _ := spec.LoadFacts()
	names := make([]string, 0, len(a.Enums))
	for n := range a.Enums {
		if fs != nil {
			if x := fs.Field(a.Action, "in", n); x != nil && x.Enum != "" {
				continue
			}
		}
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for k, v := range m {
			if !strings.EqualFold(k, n) {
				continue
			}
			s, ok := v.(string)
			if !ok || s == "" {
				continue
			}
			allowed := a.Enums[n]
			found := false
			for _, x := range allowed {
				found = found || x == s
			}
			if !found {
				c.problem(k, "%q is not one of %s", s, strings.Join(allowed, ", "))
			}
		}
	}
}

// checkInput runs every check of the input of action a.
func checkInput(s *spec.Spec, a *spec.Action, m map[string]any) *checker {
	c := newChecker(s)
	c.object("", a.Input, m)
	c.checkEnums(a, m)
	if a.InputIn == "query" {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			switch m[k].(type) {
			case map[string]any, []any:
				if f, _ := lookup(a.Input, k); f == nil {
					c.problem(k, "%s takes its input in the query string, which holds only strings, numbers and booleans", a.Action)
				}
			}
		}
	}
	return c
}

// checkFacts applies the field facts (internal/spec/facts), the same
// checks the client's validators and rtctest make: allowed values, ranges,
// lengths, evenness, colors and rules between fields. Secrets are never
// echoed.
func (c *checker) checkFacts(a *spec.Action, m map[string]any) {
	fs, err := spec.LoadFacts()
	if err != nil {
		c.problem("", "the field facts do not load: %v", err)
		return
	}
	for _, p := range fs.CheckInput(a.Action, m) {
		rule := p.Rule
		if p.Value != "" {
			rule += " (got " + p.Value + ")"
		}
		c.problems = append(c.problems, issue{path: p.Path, rule: rule})
	}
	for _, p := range fs.CheckInputInferred(a.Action, m) {
		rule := p.Rule
		if p.Value != "" {
			rule += " (got " + p.Value + ")"
		}
		c.notes = append(c.notes, issue{path: p.Path, rule: rule + "; a rule the vendor does not state, so it is sent"})
	}
}
