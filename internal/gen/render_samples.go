package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/volcrtc/rtc/internal/gen/spec"
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
		fmt.Fprintf(&b, "\t\tCall: func(ctx context.Context, c *Client) (any, error) {\n\t\t\treturn c.%s(ctx, sample%sRequest())\n\t\t},\n\t},\n", am.Name, am.Name)
	}
	b.WriteString("}\n\n")
	for _, am := range m.Actions {
		fmt.Fprintf(&b, "func sample%sRequest() *%s {\n\treturn &%s", am.Name, am.Request.Name, am.Request.Name)
		writeLiteral(&b, am.Request, "\t")
		b.WriteString("\n}\n\n")
	}
	return b.String()
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
	if f.Enum != nil {
		return f.Enum.Values[0].Name
	}
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
		return fieldGoType(modeInput, f) + "{" + scalarSample(e.Type, f.Wire) + "}"
	case "any":
		return "json.RawMessage(`{\"Sample\":true}`)"
	}
	v := scalarSample(f.Spec.Type, f.Wire)
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
