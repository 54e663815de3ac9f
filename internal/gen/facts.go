package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/volcrtc/rtc/internal/spec"
)

// The field facts (internal/spec/facts) in the generated code: field
// documentation, enumeration types with constants, and the value checks of
// the validators.

// fieldDoc is the doc comment of a field: the fact's words after the Go
// name, then the sentences its rules imply.
func (m *model) fieldDoc(f *field) string {
	if f.Fact == nil {
		return f.Doc
	}
	parts := []string{f.Name + " " + f.Fact.Doc}
	if f.Enum != nil && f.Enum.Name != "" {
		names := make([]string, len(f.Enum.Values))
		for i, v := range f.Enum.Values {
			names[i] = v.Name
		}
		parts = append(parts, "One of "+strings.Join(names, ", ")+".")
	}
	parts = append(parts, m.facts.Describe(f.Fact, f.Spec)...)
	if f.Wire == "StartTime" && !strings.Contains(f.Path, ".") {
		if w := m.window(f.Action); w != nil {
			parts = append(parts, "The query window: "+w.Text()+".")
		}
	}
	return strings.Join(parts, " ")
}

// window returns the query window of an action, or nil.
func (m *model) window(action string) *spec.Window {
	if af := m.facts.Actions[action]; af != nil {
		return af.Window
	}
	return nil
}

// renderWindow writes the span check of a data query's request (the
// look-back depends on the clock and is left to the service).
func (m *model) renderWindow(b *strings.Builder, t *structType) {
	if t.Top == nil || t.Mode != modeInput {
		return
	}
	w := m.window(t.Top.Name)
	if w == nil {
		return
	}
	span, _, _ := w.Durations()
	if span <= 0 {
		return
	}
	fmt.Fprintf(b, "\tv.window(r.StartTime, r.EndTime, %d, %q)\n", int64(span), "must be at most "+spec.HumanDuration(span)+" after StartTime")
}

// enumsUsed lists every enumeration of the facts, sorted by name. All are
// generated, used by a field or not (a result's status may be compared
// with constants the requests never send).
func (m *model) enumsUsed() []*spec.Enum {
	out := make([]*spec.Enum, 0, len(m.facts.Enums))
	for _, e := range m.facts.Enums {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// renderEnum writes a named type and its constants.
func renderEnum(b *strings.Builder, e *spec.Enum) {
	doc := e.Name + " " + e.Doc
	if e.Source != nil && e.Source.Inferred {
		doc += " The vendor does not say these are the only values, so the client does not refuse others."
	}
	writeComment(b, doc)
	fmt.Fprintf(b, "type %s %s\n\n", e.Name, e.Type)
	fmt.Fprintf(b, "// Values of %s.\nconst (\n", e.Name)
	for _, v := range e.Values {
		writeComment(b, v.Name+" "+v.Doc)
		fmt.Fprintf(b, "\t%s %s = %s\n", v.Name, e.Name, v.Literal())
	}
	b.WriteString(")\n\n")
}

// checksOf lists the value checks of an input field.
func (m *model) checksOf(md mode, f *field) []spec.Check {
	if md != modeInput || f.Fact == nil {
		return nil
	}
	return m.facts.Checks(f.Fact, f.Spec)
}

// inferredChecksOf lists the checks of an input field's inferred rules,
// which only note at debug level.
func (m *model) inferredChecksOf(md mode, f *field) []spec.Check {
	if md != modeInput || f.Fact == nil {
		return nil
	}
	return m.facts.InferredChecks(f.Fact, f.Spec)
}

// inferredRulesOf lists the rules between fields of an input type that
// are inferred.
func (m *model) inferredRulesOf(t *structType) []spec.Rule {
	var out []spec.Rule
	for _, r := range m.allRulesOf(t) {
		if !r.Refuses() {
			out = append(out, r)
		}
	}
	return out
}

// hasInferred reports whether a type has inferred checks or rules of its
// own.
func (m *model) hasInferred(t *structType) bool {
	if len(m.inferredRulesOf(t)) > 0 {
		return true
	}
	for _, f := range t.Fields {
		if len(m.inferredChecksOf(t.Mode, f)) > 0 {
			return true
		}
	}
	return false
}

// renderInferred writes the checks of the inferred rules of a type, run
// only when the validator takes notes (a debug logger): what they find is
// logged, never refused.
func (m *model) renderInferred(b *strings.Builder, t *structType) {
	if !m.hasInferred(t) {
		return
	}
	b.WriteString("\tif v.notes {\n\t\tv.inferring = true\n")
	var inner strings.Builder
	for _, f := range t.Fields {
		m.renderFieldChecks(&inner, t, f, m.inferredChecksOf(t.Mode, f), false)
	}
	m.renderRuleList(&inner, t, m.inferredRulesOf(t))
	for _, line := range strings.SplitAfter(inner.String(), "\n") {
		if line != "" {
			b.WriteString("\t" + line)
		}
	}
	b.WriteString("\t\tv.inferring = false\n\t}\n")
}

// rulesOf lists the conditional rules of an input type: those of the
// request of its action, or those scoped to its shape.
func (m *model) rulesOf(t *structType) []spec.Rule {
	var out []spec.Rule
	for _, r := range m.allRulesOf(t) {
		if r.Refuses() {
			out = append(out, r)
		}
	}
	return out
}

// allRulesOf is rulesOf with the inferred rules, which are documented and
// not checked.
func (m *model) allRulesOf(t *structType) []spec.Rule {
	if t.Mode != modeInput {
		return nil
	}
	if t.Top != nil {
		return m.facts.Rules(t.Top.Name, "")
	}
	u := t.Uses[0]
	return m.facts.Rules(u.Action, u.Path)
}

// rulesDoc documents the rules between fields of an action's input, at
// every depth, the inferred ones marked: "Rules between fields:
// StorageConfig: TosConfig is required when Type is 0 (inferred, not
// checked)."
func (m *model) rulesDoc(action string) string {
	af := m.facts.Actions[action]
	if af == nil || len(af.Rules) == 0 {
		return ""
	}
	parts := make([]string, 0, len(af.Rules))
	for _, r := range af.Rules {
		s := r.Doc
		if r.Scope != "" {
			s = r.Scope + ": " + s
		}
		if !r.Refuses() {
			s += " (inferred, not checked)"
		}
		parts = append(parts, s)
	}
	return "Rules between fields: " + strings.Join(parts, "; ") + "."
}

// scalarKind is the spec type of a field's scalar values (its elements for
// an array).
func scalarKind(f *field) string {
	if f.Spec.Type == "array" && f.Spec.Elem != nil {
		return f.Spec.Elem.Type
	}
	return f.Spec.Type
}

// lit writes a bound for a Go comparison with a value of spec type typ.
func lit(typ string, v float64) string {
	s := spec.Num(v)
	if (typ == "float32" || typ == "float64") && !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

// badCond is the Go condition under which the value x (of spec type typ)
// breaks check c, and the validator call that reports it. field is the
// field's wire name and idx the element index expression ("" for none).
func badCond(c spec.Check, typ, x string) string {
	switch c.Kind {
	case spec.CheckEnum:
		parts := make([]string, len(c.Values))
		for i, v := range c.Values {
			parts[i] = x + " != " + v
		}
		return strings.Join(parts, " && ")
	case spec.CheckRange:
		var in []string
		if c.HasLo {
			op := " >= "
			if c.LoOpen {
				op = " > "
			}
			in = append(in, x+op+lit(typ, c.Lo))
		}
		if c.HasHi {
			op := " <= "
			if c.HiOpen {
				op = " < "
			}
			in = append(in, x+op+lit(typ, c.Hi))
		}
		cond := strings.Join(in, " && ")
		for _, a := range c.Also {
			cond = x + " == " + lit(typ, a) + " || " + cond
		}
		return "!(" + cond + ")"
	case spec.CheckEven:
		return x + "%2 != 0"
	case spec.CheckLen:
		var out []string
		if c.HasLo {
			out = append(out, "utf8.RuneCountInString("+x+") < "+spec.Num(c.Lo))
		}
		if c.HasHi {
			out = append(out, "utf8.RuneCountInString("+x+") > "+spec.Num(c.Hi))
		}
		return strings.Join(out, " || ")
	case spec.CheckColor:
		return "!validColor(" + x + ")"
	case spec.CheckRFC3339:
		return "!validRFC3339(" + x + ")"
	case spec.CheckAlnum:
		return "!validAlnum(" + x + ")"
	}
	panic("badCond: unknown check")
}

// report is the validator call that records a broken check for value x.
func report(c spec.Check, typ, field, idx, x string, secret bool) string {
	rule := strconv.Quote(c.Rule)
	name := strconv.Quote(field)
	if idx != "" {
		name += ", " + idx
	} else {
		name += ", -1"
	}
	switch {
	case c.Kind == spec.CheckLen:
		return fmt.Sprintf("v.badLen(%s, %s, %s)", name, x, rule)
	case secret:
		return fmt.Sprintf("v.bad(%s, %q, %s)", name, "(hidden)", rule)
	case typ == "string":
		return fmt.Sprintf("v.badString(%s, string(%s), %s)", name, x, rule)
	case typ == "float32" || typ == "float64":
		return fmt.Sprintf("v.badFloat(%s, float64(%s), %s)", name, x, rule)
	}
	return fmt.Sprintf("v.badInt(%s, int64(%s), %s)", name, x, rule)
}

// renderChecks writes the value checks of one input field.
func (m *model) renderChecks(b *strings.Builder, t *structType, f *field) {
	m.renderFieldChecks(b, t, f, m.checksOf(t.Mode, f), true)
}

// renderFieldChecks writes the given checks of one input field; stated
// says they refuse (a required number left at zero is then reported as
// required).
func (m *model) renderFieldChecks(b *strings.Builder, t *structType, f *field, checks []spec.Check, stated bool) {
	if len(checks) == 0 {
		return
	}
	typ := scalarKind(f)
	secret := f.Fact != nil && f.Fact.Secret
	x := "r." + f.Name
	ptr := f.Spec.Type != "array" && strings.HasPrefix(goType(t.Mode, f), "*")
	for _, c := range checks {
		if stated && c.Kind == spec.CheckEnum && f.Required && !ptr && f.Spec.Type != "array" && typ != "string" && !hasZero(c) {
			// A required number left at zero was left unset: say so, not
			// that 0 is not one of the values.
			fmt.Fprintf(b, "\tif %s == 0 {\n\t\tv.problem(%q, \"is required\")\n\t} else if %s {\n\t\t%s\n\t}\n", x, f.Wire, badCond(c, typ, x), report(c, typ, f.Wire, "", x, secret))
			continue
		}
		if c.Kind == spec.CheckItems {
			var conds []string
			if c.HasLo {
				conds = append(conds, "len("+x+") < "+spec.Num(c.Lo))
			}
			if c.HasHi {
				conds = append(conds, "len("+x+") > "+spec.Num(c.Hi))
			}
			// An empty list is left out (or reported as required).
			cond := "len(" + x + ") > 0 && (" + strings.Join(conds, " || ") + ")"
			fmt.Fprintf(b, "\tif %s {\n\t\tv.badItems(%q, len(%s), %q)\n\t}\n", cond, f.Wire, x, c.Rule)
			continue
		}
		switch {
		case f.Spec.Type == "array":
			fmt.Fprintf(b, "\tfor i, e := range %s {\n\t\tif %s {\n\t\t\t%s\n\t\t}\n\t}\n", x, badCond(c, typ, "e"), report(c, typ, f.Wire, "i", "e", secret))
		case ptr:
			fmt.Fprintf(b, "\tif %s != nil && (%s) {\n\t\t%s\n\t}\n", x, badCond(c, typ, "*"+x), report(c, typ, f.Wire, "", "*"+x, secret))
		case typ == "string":
			// An empty optional string is left out of the request.
			fmt.Fprintf(b, "\tif %s != \"\" && (%s) {\n\t\t%s\n\t}\n", x, badCond(c, typ, x), report(c, typ, f.Wire, "", x, secret))
		default:
			fmt.Fprintf(b, "\tif %s {\n\t\t%s\n\t}\n", badCond(c, typ, x), report(c, typ, f.Wire, "", x, secret))
		}
	}
}

// hasZero reports whether 0 is one of an allowed-values check's values.
func hasZero(c spec.Check) bool {
	for _, v := range c.Values {
		if v == "0" {
			return true
		}
	}
	return false
}

// fieldByPath finds a field of t by a dotted path relative to t.
func fieldByPath(t *structType, p string) (*field, string) {
	parts := strings.Split(p, ".")
	cur := t
	expr := "r"
	for i, name := range parts {
		var f *field
		for _, x := range cur.Fields {
			if x.Wire == name {
				f = x
			}
		}
		if f == nil {
			return nil, ""
		}
		if i == len(parts)-1 {
			return f, expr + "." + f.Name
		}
		if f.Spec.Type != "object" {
			return nil, ""
		}
		expr += "." + f.Name
		cur = f.Struct
	}
	return nil, ""
}

// presentExpr is the Go condition under which the field at path p (relative
// to t) is set. Intermediate objects must be set too.
func presentExpr(t *structType, p string) string {
	parts := strings.Split(p, ".")
	var conds []string
	for i := 1; i < len(parts); i++ {
		_, x := fieldByPath(t, strings.Join(parts[:i], "."))
		conds = append(conds, x+" != nil")
	}
	f, x := fieldByPath(t, p)
	if f == nil {
		panic("presentExpr: no field " + p + " in " + t.Name)
	}
	switch {
	case f.Spec.Type == "array" || f.Spec.Type == "any":
		conds = append(conds, "len("+x+") > 0")
	case f.Spec.Type == "string":
		conds = append(conds, x+` != ""`)
	case strings.HasPrefix(fieldGoType(t.Mode, f), "*"):
		conds = append(conds, x+" != nil")
	default:
		conds = append(conds, "true")
	}
	return strings.Join(conds, " && ")
}

// condExpr is the Go condition under which a rule's When holds: the field
// has one of the values, or is absent and its default is one of them.
func (m *model) condExpr(t *structType, r spec.Rule) string {
	f, x := fieldByPath(t, r.When.Field)
	parts := strings.Split(r.When.Field, ".")
	var guards []string
	for i := 1; i < len(parts); i++ {
		_, gx := fieldByPath(t, strings.Join(parts[:i], "."))
		guards = append(guards, gx+" != nil")
	}
	isPtr := strings.HasPrefix(fieldGoType(t.Mode, f), "*")
	val := x
	if isPtr {
		val = "*" + x
	}
	var eqs []string
	matchesDefault := false
	for _, w := range r.When.In {
		eqs = append(eqs, val+" == "+string(w))
		if f.Fact != nil && string(f.Fact.Default) == string(w) {
			matchesDefault = true
		}
	}
	has := strings.Join(append(append([]string{}, guards...), func() string {
		switch {
		case isPtr:
			return x + " != nil"
		case f.Spec.Type == "string":
			return x + ` != ""`
		}
		return "true"
	}()), " && ")
	cond := "(" + has + ") && (" + strings.Join(eqs, " || ") + ")"
	if matchesDefault {
		cond = "!(" + has + ") || " + cond
	}
	return cond
}

// renderRules writes the conditional rules of a type.
func (m *model) renderRules(b *strings.Builder, t *structType) {
	m.renderRuleList(b, t, m.rulesOf(t))
}

// renderRuleList writes the given conditional rules of a type.
func (m *model) renderRuleList(b *strings.Builder, t *structType, rules []spec.Rule) {
	for _, r := range rules {
		if len(r.AnyOf) > 0 {
			var any []string
			for _, p := range r.AnyOf {
				any = append(any, "("+presentExpr(t, p)+")")
			}
			fmt.Fprintf(b, "\tif !(%s) {\n\t\tv.bad(\"\", -1, \"\", %q)\n\t}\n", strings.Join(any, " || "), r.Doc)
			continue
		}
		var missing []string
		for _, p := range r.Require {
			missing = append(missing, "!("+presentExpr(t, p)+")")
		}
		fmt.Fprintf(b, "\tif (%s) && (%s) {\n\t\tv.bad(\"\", -1, \"\", %q)\n\t}\n", m.condExpr(t, r), strings.Join(missing, " || "), r.Doc)
	}
}

// hasFactChecks reports whether a type has value checks or rules of its
// own (not counting nested types).
func (m *model) hasFactChecks(t *structType) bool {
	if len(m.rulesOf(t)) > 0 || m.hasInferred(t) {
		return true
	}
	if t.Top != nil && t.Mode == modeInput {
		if w := m.window(t.Top.Name); w != nil && w.Span != "" {
			return true
		}
	}
	for _, f := range t.Fields {
		if len(m.checksOf(t.Mode, f)) > 0 {
			return true
		}
	}
	return false
}

// factSample is a Go expression for a valid scalar value of a field (of an
// element, for an array): an enumeration's first constant, a number inside
// the range (even if it must be), a string of an allowed length or format.
func factSample(f *field, typ string) string {
	x := f.Fact
	if f.Enum != nil {
		return f.Enum.Values[0].Name
	}
	if x == nil {
		return scalarSample(typ, f.Wire)
	}
	if len(x.OneOf) > 0 {
		if typ == "string" {
			return string(x.OneOf[0])
		}
		return typ + "(" + string(x.OneOf[0]) + ")"
	}
	switch typ {
	case "int32", "int64", "float32", "float64":
		if x.Min == nil && x.Max == nil && !x.Even {
			return scalarSample(typ, f.Wire)
		}
		n := 3.0
		if x.Min != nil {
			n = *x.Min
			if x.MinOpen {
				n++
			}
		} else if x.Max != nil && *x.Max < n {
			n = *x.Max
			if x.MaxOpen {
				n--
			}
		}
		if x.Even && int64(n)%2 != 0 {
			n++
		}
		return typ + "(" + spec.Num(n) + ")"
	case "string":
		switch x.Format {
		case "color":
			return `"#FF8800"`
		case "rfc3339":
			return `"2026-03-01T00:00:00+08:00"`
		case "alnum":
			return `"abc123"`
		}
		s := sampleString(f.Wire)
		if x.MaxLen != nil && len(s) > *x.MaxLen {
			s = s[:*x.MaxLen]
		}
		if x.MinLen != nil {
			for len(s) < *x.MinLen {
				s += "x"
			}
		}
		return strconv.Quote(s)
	}
	return scalarSample(typ, f.Wire)
}
