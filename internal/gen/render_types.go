package main

import (
	"fmt"
	"strings"
)

// goType is the Go type of a field on the given side of a call.
func goType(md mode, f *field) string {
	if f.Named != "" {
		return f.Named
	}
	t := baseType(f.Spec.Type, f.Struct)
	if f.Enum != nil {
		t = f.Enum.Name
	}
	if md == modeInput && !f.Required && isPointerScalar(f.Spec.Type) {
		return "*" + t
	}
	if md == modeInput && f.Spec.Type == "object" {
		return "*" + t
	}
	return t
}

func isPointerScalar(t string) bool {
	switch t {
	case "int32", "int64", "float32", "float64", "bool":
		return true
	}
	return false
}

// baseType maps a spec type to Go, without the optional-pointer rule.
// Array elements that are objects are values ([]Stream).
func baseType(typ string, st *structType) string {
	switch typ {
	case "string", "int32", "int64", "float32", "float64", "bool":
		return typ
	case "any":
		return "json.RawMessage"
	case "object":
		return st.Name
	}
	panic("baseType: " + typ)
}

// fieldGoType is the Go type of a field, arrays included.
func fieldGoType(md mode, f *field) string {
	if f.Spec.Type != "array" {
		return goType(md, f)
	}
	e := f.Spec.Elem
	depth := "[]"
	for e.Type == "array" {
		depth += "[]"
		e = e.Elem
	}
	if e.Type == "object" {
		return depth + f.Struct.Name
	}
	if f.Enum != nil {
		return depth + f.Enum.Name
	}
	return depth + baseType(e.Type, nil)
}

// jsonTag is the struct tag of a field: the exact wire name, with
// omitempty for optional input fields.
func jsonTag(md mode, f *field) string {
	if omitEmpty(md, f) {
		return fmt.Sprintf("`json:\"%s,omitempty\"`", f.Wire)
	}
	return fmt.Sprintf("`json:\"%s\"`", f.Wire)
}

// renderStruct writes a struct declaration, its doc comment first.
func (m *model) renderStruct(b *strings.Builder, t *structType, doc string) {
	writeComment(b, doc)
	fmt.Fprintf(b, "type %s struct {\n", t.Name)
	for _, f := range t.Fields {
		writeComment(b, m.fieldDoc(f))
		fmt.Fprintf(b, "\t%s %s %s\n", f.Name, fieldGoType(t.Mode, f), jsonTag(t.Mode, f))
	}
	if t.Top != nil && t.Mode == modeResult {
		if !hasMessageField(t) && isText(t.Top.A) {
			b.WriteString("\t// Message is the bare text the server answered with, such as \"success\" or \"ok\".\n")
			b.WriteString("\tMessage string `json:\"message,omitempty\"`\n")
		}
		b.WriteString("\t// Metadata describes the response: request ID, action, version, region.\n")
		b.WriteString("\tMetadata ResponseMetadata `json:\"-\"`\n")
	}
	b.WriteString("}\n\n")
}

// hasMessageField reports whether a result already has a string field that
// Go calls Message (wire "Message" or "message").
func hasMessageField(t *structType) bool {
	for _, f := range t.Fields {
		if f.Name == "Message" && f.Spec.Type == "string" {
			return true
		}
	}
	return false
}

// writeComment writes text as a // comment, wrapped at about 76 columns.
// Blank lines in text become empty comment lines.
func writeComment(b *strings.Builder, text string) {
	if text == "" {
		return
	}
	for _, para := range strings.Split(text, "\n") {
		if strings.TrimSpace(para) == "" {
			b.WriteString("//\n")
			continue
		}
		if strings.HasPrefix(para, "  ") { // preformatted line
			b.WriteString("//" + para + "\n")
			continue
		}
		line := "//"
		for _, w := range strings.Fields(para) {
			if len(line)+1+len(w) > 78 && line != "//" {
				b.WriteString(line + "\n")
				line = "//"
			}
			line += " " + w
		}
		b.WriteString(line + "\n")
	}
}

// needsValidation reports whether a type has anything to check: a
// required field, an ID field, or a nested type that does.
func (m *model) needsValidation(t *structType) bool {
	if v, ok := m.validates[t]; ok {
		return v
	}
	m.validates[t] = false // cycles cannot occur in JSON shapes, but be safe
	res := false
	if m.hasFactChecks(t) {
		res = true
	}
	for _, f := range t.Fields {
		if requiredCheck(t.Mode, f, "r") != "" || m.isID(f.Wire) {
			res = true
		}
		if f.Struct != nil && m.needsValidation(f.Struct) {
			res = true
		}
	}
	m.validates[t] = res
	return res
}

// requiredCheck is the Go expression that is true when a required field is
// present, or "" when presence cannot be checked (plain numbers and
// booleans, whose zero value may be meant).
func requiredCheck(md mode, f *field, recv string) string {
	if md != modeInput || !f.Required {
		return ""
	}
	x := recv + "." + f.Name
	switch f.Spec.Type {
	case "string":
		return x + ` != ""`
	case "object":
		return x + " != nil"
	case "array", "any":
		return "len(" + x + ") > 0"
	}
	return ""
}

// renderValidate writes the validate method of an input type.
func (m *model) renderValidate(b *strings.Builder, t *structType) {
	if !m.needsValidation(t) {
		if t.Top != nil {
			fmt.Fprintf(b, "func (r *%s) validate(*validator) {}\n\n", t.Name)
		}
		return
	}
	fmt.Fprintf(b, "func (r *%s) validate(v *validator) {\n", t.Name)
	for _, f := range t.Fields {
		x := "r." + f.Name
		if c := requiredCheck(t.Mode, f, "r"); c != "" {
			fmt.Fprintf(b, "\tv.required(%q, %s)\n", f.Wire, c)
		}
		if m.isID(f.Wire) {
			switch {
			case f.Spec.Type == "string":
				fmt.Fprintf(b, "\tv.id(%q, %s)\n", f.Wire, x)
			case f.Spec.Type == "array" && f.Spec.Elem.Type == "string":
				fmt.Fprintf(b, "\tv.ids(%q, %s)\n", f.Wire, x)
			}
		}
		if f.Struct == nil || !m.needsValidation(f.Struct) {
			continue
		}
		switch f.Spec.Type {
		case "object":
			fmt.Fprintf(b, "\tif %s != nil {\n\t\tv.push(%q)\n\t\t%s.validate(v)\n\t\tv.pop()\n\t}\n", x, f.Wire, x)
		case "array":
			if f.Spec.Elem.Type != "object" {
				panic("validate: nested arrays of objects are not supported: " + f.Wire)
			}
			fmt.Fprintf(b, "\tif len(%s) > 0 {\n\t\tv.push(%q)\n\t\tfor i := range %s {\n\t\t\tv.index(i)\n\t\t\t%s[i].validate(v)\n\t\t\tv.pop()\n\t\t}\n\t\tv.pop()\n\t}\n", x, f.Wire, x, x)
		}
	}
	if m.hasFactChecks(t) {
		// Value rules and conditional rules, which lenient validation skips.
		b.WriteString("\tif v.lenient {\n\t\treturn\n\t}\n")
		for _, f := range t.Fields {
			m.renderChecks(b, t, f)
		}
		m.renderRules(b, t)
		m.renderWindow(b, t)
		m.renderInferred(b, t)
	}
	b.WriteString("}\n\n")
}

// renderQuery writes appendQuery for a request whose parameters go in the
// query string. Absent optional values are left out; numbers and booleans
// are formatted with strconv; arrays of scalars repeat the key once per
// element (the spec has none in query inputs today; objects in a query are
// refused when the model is built).
func renderQuery(b *strings.Builder, t *structType) {
	fmt.Fprintf(b, "func (r *%s) appendQuery(q *queryBuilder) {\n", t.Name)
	for _, f := range t.Fields {
		x := "r." + f.Name
		switch f.Spec.Type {
		case "array":
			fmt.Fprintf(b, "\tfor _, e := range %s {\n\t\tq.add(%q, %s)\n\t}\n", x, f.Wire, formatScalar(f.Spec.Elem.Type, "e"))
		case "string":
			val := x
			if f.Enum != nil {
				val = "string(" + x + ")"
			}
			if f.Required {
				fmt.Fprintf(b, "\tq.add(%q, %s)\n", f.Wire, val)
			} else {
				fmt.Fprintf(b, "\tif %s != \"\" {\n\t\tq.add(%q, %s)\n\t}\n", x, f.Wire, val)
			}
		default:
			if f.Required {
				fmt.Fprintf(b, "\tq.add(%q, %s)\n", f.Wire, formatScalar(f.Spec.Type, x))
			} else {
				fmt.Fprintf(b, "\tif %s != nil {\n\t\tq.add(%q, %s)\n\t}\n", x, f.Wire, formatScalar(f.Spec.Type, "*"+x))
			}
		}
	}
	b.WriteString("}\n\n")
}

// formatScalar is the strconv expression that formats x of a spec type.
func formatScalar(typ, x string) string {
	switch typ {
	case "string":
		return x
	case "int32":
		return "strconv.FormatInt(int64(" + x + "), 10)"
	case "int64":
		return "strconv.FormatInt(int64(" + x + "), 10)"
	case "float32":
		return "strconv.FormatFloat(float64(" + x + "), 'g', -1, 32)"
	case "float64":
		return "strconv.FormatFloat(" + x + ", 'g', -1, 64)"
	case "bool":
		return "strconv.FormatBool(" + x + ")"
	}
	panic("formatScalar: " + typ)
}
