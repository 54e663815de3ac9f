package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/volcrtc/rtc/internal/spec"
)

// renderSamples writes zz_samples_test.go: for every action a request with
// every field set (valid IDs, one element per list), a call through the
// typed method, and a sample Result document with every field set. The
// root package's wire and decode tests loop over this table.
func (m *model) renderSamples() string {
	var b strings.Builder
	b.WriteString("// sampleCall exercises one generated action with sample data.\n")
	b.WriteString("type sampleCall struct {\n")
	b.WriteString("\tAction, Version, Method string\n\tInQuery bool\n\tResultType string // object, string or any\n")
	b.WriteString("\t// Result is a sample Result document with every field set.\n\tResult string\n")
	b.WriteString("\t// Call sends the sample request through the typed method.\n\tCall func(ctx context.Context, c *Client) (any, error)\n}\n\n")
	b.WriteString("// sampleCalls has one entry per generated action, sorted by action.\n")
	b.WriteString("var sampleCalls = []sampleCall{\n")
	for _, am := range m.Actions {
		res, err := json.Marshal(sampleResult(am))
		if err != nil {
			panic(err)
		}
		fmt.Fprintf(&b, "\t{\n\t\tAction: %q, Version: %q, Method: %q, InQuery: %t, ResultType: %q,\n", am.Name, am.A.Version, am.A.Method, am.A.InputIn == "query", am.A.ResultType)
		fmt.Fprintf(&b, "\t\tResult: `%s`,\n", res)
		fmt.Fprintf(&b, "\t\tCall: func(ctx context.Context, c *Client) (any, error) {\n\t\t\treturn %s(ctx, sample%sRequest())\n\t\t},\n\t},\n", callExpr(am), am.Name)
	}
	b.WriteString("}\n\n")
	for _, am := range m.Actions {
		fmt.Fprintf(&b, "func sample%sRequest() *%s {\n\treturn &%s", am.Name, am.Request.Name, am.Request.Name)
		writeLiteral(&b, am.Request, "\t")
		b.WriteString("\n}\n\n")
	}
	m.renderFullSamples(&b)
	return b.String()
}

// renderFullSamples writes, for every action whose request is a JSON body,
// a second sample meant for the encoder tests rather than for the server:
// every optional field set, text that needs escaping, negative and extreme
// numbers, floats on both sides of the exponent notation switch, raw JSON
// with blanks and HTML characters, and three elements in every list. The
// table sampleBodies lists both samples of every such action.
func (m *model) renderFullSamples(b *strings.Builder) {
	inJSON := m.jsonTypes()
	b.WriteString("// sampleBody holds the two sample requests of an action whose request is a\n")
	b.WriteString("// JSON body.\n")
	b.WriteString("type sampleBody struct {\n\tAction string\n")
	b.WriteString("\t// Sample returns the request sampleCalls sends.\n\tSample func() any\n")
	b.WriteString("\t// Full returns a request with every field set to values that are hard to encode.\n\tFull func() any\n}\n\n")
	b.WriteString("// sampleBodies has one entry per action whose request is a JSON body.\n")
	b.WriteString("var sampleBodies = []sampleBody{\n")
	for _, am := range m.Actions {
		if !inJSON[am.Request] {
			continue
		}
		fmt.Fprintf(b, "\t{Action: %q, Sample: func() any { return sample%sRequest() }, Full: func() any { return sampleFull%sRequest() }},\n", am.Name, am.Name, am.Name)
	}
	b.WriteString("}\n\n")
	fl := &fullFiller{}
	for _, am := range m.Actions {
		if !inJSON[am.Request] {
			continue
		}
		fmt.Fprintf(b, "func sampleFull%sRequest() *%s {\n\treturn &%s", am.Name, am.Request.Name, am.Request.Name)
		fl.literal(b, am.Request, "\t")
		b.WriteString("\n}\n\n")
	}
}

// fullFiller writes the values of the full samples. It counts the values it
// has written so that neighbouring fields and list elements differ.
type fullFiller struct{ n int }

var (
	fullStrings = []string{"<a&\"b\">\n\u2028é", "tab\there\\ \x01 \u2029 🎉", "bad \xff utf-8 </script>"}
	fullInts    = []string{"-3", "0", "2147483647", "-2147483648", "42"}
	fullInt64s  = []string{"-3", "0", "9223372036854775807", "-9223372036854775808", "1700000000000"}
	fullFloats  = []string{"0.1", "1e21", "1e-7", "-2.5", "0", "123456.789", "1e-6", "-3.4e38"}
	fullRaws    = []string{"{ \"a\" : [1, \"<&>\" ],\n \"b\" : null }", "[ true , false ]", "\"x\u2028y\""}
)

func (fl *fullFiller) next(list []string) string {
	v := list[fl.n%len(list)]
	fl.n++
	return v
}

// literal writes a composite literal body "{...}" with every field set.
func (fl *fullFiller) literal(b *strings.Builder, t *structType, indent string) {
	b.WriteString("{\n")
	for _, f := range t.Fields {
		fmt.Fprintf(b, "%s\t%s: %s,\n", indent, f.Name, fl.value(f, indent+"\t"))
	}
	b.WriteString(indent + "}")
}

// value is a Go expression for a field of a full sample.
func (fl *fullFiller) value(f *field, indent string) string {
	if f.Enum != nil && f.Spec.Type != "array" {
		v := f.Enum.Values[len(f.Enum.Values)-1].Name
		if !f.Required && isPointerScalar(f.Spec.Type) {
			return "Ptr(" + v + ")"
		}
		return v
	}
	switch f.Spec.Type {
	case "object":
		var b strings.Builder
		b.WriteString("&" + f.Struct.Name)
		fl.literal(&b, f.Struct, indent)
		return b.String()
	case "array":
		var b strings.Builder
		b.WriteString(fieldGoType(modeInput, f) + "{")
		for range 3 {
			b.WriteString(fl.element(f, f.Spec.Elem, indent))
			b.WriteString(", ")
		}
		b.WriteString("}")
		return b.String()
	}
	v := fl.scalar(f.Spec.Type)
	if !f.Required && isPointerScalar(f.Spec.Type) {
		return "Ptr(" + v + ")"
	}
	return v
}

// element is one element of an array field (e an array's element spec).
func (fl *fullFiller) element(f *field, e *spec.Field, indent string) string {
	switch e.Type {
	case "object":
		var b strings.Builder
		fl.literal(&b, f.Struct, indent)
		return b.String()
	case "array":
		var b strings.Builder
		b.WriteString("{")
		for range 2 {
			b.WriteString(fl.element(f, e.Elem, indent) + ", ")
		}
		b.WriteString("}")
		return b.String()
	}
	if f.Enum != nil {
		return f.Enum.Values[len(f.Enum.Values)-1].Name
	}
	return fl.scalar(e.Type)
}

// scalar is a Go expression of a scalar or raw JSON spec type.
func (fl *fullFiller) scalar(typ string) string {
	switch typ {
	case "string":
		return fmt.Sprintf("%q", fl.next(fullStrings))
	case "bool":
		fl.n++
		return fmt.Sprint(fl.n%2 == 0)
	case "int32":
		return "int32(" + fl.next(fullInts) + ")"
	case "int64":
		return "int64(" + fl.next(fullInt64s) + ")"
	case "float32", "float64":
		return typ + "(" + fl.next(fullFloats) + ")"
	case "any":
		return "json.RawMessage(" + strconv.Quote(fl.next(fullRaws)) + ")"
	}
	panic("full sample: " + typ)
}

// writeLiteral writes a composite literal body "{...}" for an input type.
func writeLiteral(b *strings.Builder, t *structType, indent string) {
	b.WriteString("{\n")
	for _, f := range t.Fields {
		fmt.Fprintf(b, "%s\t%s: %s,\n", indent, f.Name, sampleValue(f, indent+"\t"))
	}
	b.WriteString(indent + "}")
}

// sampleValue is a Go expression with a valid, non-zero value for a field.
func sampleValue(f *field, indent string) string {
	switch f.Spec.Type {
	case "object":
		var b strings.Builder
		b.WriteString("&" + f.Struct.Name)
		writeLiteral(&b, f.Struct, indent)
		return b.String()
	case "array":
		e := f.Spec.Elem
		if e.Type == "object" {
			var b strings.Builder
			b.WriteString("[]" + f.Struct.Name + "{")
			writeLiteral(&b, f.Struct, indent)
			b.WriteString("}")
			return b.String()
		}
		n := 1
		if f.Fact != nil && f.Fact.MinItems != nil && *f.Fact.MinItems > 1 {
			n = *f.Fact.MinItems
		}
		elems := make([]string, n)
		for i := range elems {
			elems[i] = factSample(f, e.Type)
		}
		return fieldGoType(modeInput, f) + "{" + strings.Join(elems, ", ") + "}"
	case "any":
		return "json.RawMessage(`{\"Sample\":true}`)"
	}
	v := factSample(f, f.Spec.Type)
	if !f.Required && isPointerScalar(f.Spec.Type) {
		return "Ptr(" + v + ")"
	}
	return v
}

func scalarSample(typ, wire string) string {
	switch typ {
	case "string":
		return fmt.Sprintf("%q", sampleString(wire))
	case "bool":
		return "true"
	case "float32", "float64":
		return typ + "(1.5)"
	default:
		return typ + "(3)"
	}
}

// sampleString is a sample text that also passes the ID rule.
func sampleString(wire string) string { return wire + "-1" }

// sampleResult builds the sample Result document of an action.
func sampleResult(am *actionModel) any {
	switch am.A.ResultType {
	case "string":
		return "success"
	case "any":
		return "ok"
	case "int32", "int64":
		return 7
	case "array":
		return []any{sampleJSON(am.A.ResultElem)}
	}
	return sampleObject(am.A.Result)
}

func sampleObject(fs []spec.Field) map[string]any {
	out := map[string]any{}
	for i := range fs {
		out[fs[i].Name] = sampleJSON(&fs[i])
	}
	return out
}

func sampleJSON(f *spec.Field) any {
	switch f.Type {
	case "object":
		return sampleObject(f.Fields)
	case "array":
		return []any{sampleJSON(f.Elem)}
	case "string":
		return sampleString(f.Name)
	case "bool":
		return true
	case "float32", "float64":
		return 2.5
	case "any":
		return map[string]any{"Sample": true}
	}
	return 7
}
