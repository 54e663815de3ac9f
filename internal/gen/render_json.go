package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/volcrtc/rtc/internal/spec"
)

// jsonTypes returns the input types whose values are sent as a JSON body:
// the request of every action whose parameters do not go in the query,
// and every nested type such a request reaches.
func (m *model) jsonTypes() map[*structType]bool {
	seen := map[*structType]bool{}
	var walk func(t *structType)
	walk = func(t *structType) {
		if seen[t] {
			return
		}
		seen[t] = true
		for _, f := range t.Fields {
			if f.Struct != nil {
				walk(f.Struct)
			}
		}
	}
	for _, am := range m.Actions {
		if am.A.InputIn != "query" {
			walk(am.Request)
		}
	}
	return seen
}

// omitEmpty reports whether a field's JSON tag has omitempty.
func omitEmpty(md mode, f *field) bool { return md == modeInput && !f.Required }

// jsonKind is the Go shape of a value, as far as its JSON encoding goes.
type jsonKind uint8

const (
	jkString  jsonKind = iota
	jkInt32            // converted with int64(...)
	jkInt64            // appended as is
	jkFloat32          // float32 formatting
	jkFloat64          // float64 formatting
	jkBool             // true or false
	jkRaw              // json.RawMessage
	jkStruct           // a generated struct, by value
	jkPtr              // a pointer to elem
	jkSlice            // a slice of elem
)

// jsonType describes the Go type of a field, or of an element of one, for
// the appendJSON renderer. It follows fieldGoType.
type jsonType struct {
	kind jsonKind
	enum bool // a named type (an enumeration), converted with string(...) or int64(...)
	elem *jsonType
}

// fieldJSONType is the jsonType of a field on the given side of a call.
func fieldJSONType(md mode, f *field) *jsonType {
	if f.Spec.Type == "array" {
		t := arrayJSONType(f.Spec.Elem)
		if f.Enum != nil {
			t.elem.enum = true
		}
		return t
	}
	t := specJSONType(f.Spec.Type)
	t.enum = f.Enum != nil
	if strings.HasPrefix(goType(md, f), "*") {
		return &jsonType{kind: jkPtr, elem: t}
	}
	return t
}

// arrayJSONType is the jsonType of a slice of elem. Object elements are
// values of the field's struct; nested arrays are slices of slices.
func arrayJSONType(elem *spec.Field) *jsonType {
	if elem.Type == "array" {
		return &jsonType{kind: jkSlice, elem: arrayJSONType(elem.Elem)}
	}
	return &jsonType{kind: jkSlice, elem: specJSONType(elem.Type)}
}

// specJSONType maps a spec scalar, "any" or "object" to its jsonType.
func specJSONType(typ string) *jsonType {
	switch typ {
	case "string":
		return &jsonType{kind: jkString}
	case "int32":
		return &jsonType{kind: jkInt32}
	case "int64":
		return &jsonType{kind: jkInt64}
	case "float32":
		return &jsonType{kind: jkFloat32}
	case "float64":
		return &jsonType{kind: jkFloat64}
	case "bool":
		return &jsonType{kind: jkBool}
	case "any":
		return &jsonType{kind: jkRaw}
	case "object":
		return &jsonType{kind: jkStruct}
	}
	panic("appendJSON: unsupported spec type " + typ)
}

// jsonKey is the Go literal of the bytes json.Marshal writes before a
// field's value: the separator sep ("{" or ","), the quoted name and a
// colon.
func jsonKey(sep, wire string) string {
	name, err := json.Marshal(wire)
	if err != nil {
		panic(err)
	}
	key := sep + string(name) + ":"
	if strconv.CanBackquote(key) {
		return "`" + key + "`"
	}
	return strconv.Quote(key)
}

// jsonWriter renders the body of one appendJSON method.
type jsonWriter struct {
	b       strings.Builder
	usesErr bool
}

func (w *jsonWriter) line(indent int, format string, args ...any) {
	w.b.WriteString(strings.Repeat("\t", indent))
	fmt.Fprintf(&w.b, format, args...)
	w.b.WriteString("\n")
}

// check writes a call that can fail, followed by the error return.
func (w *jsonWriter) check(indent int, call string) {
	w.usesErr = true
	w.line(indent, "if b, err = %s; err != nil {", call)
	w.line(indent+1, "return nil, err")
	w.line(indent, "}")
}

// value writes the code that appends the value x of type t. x is an
// addressable expression; depth names the loop variables of nested slices.
func (w *jsonWriter) value(indent int, t *jsonType, x string, depth int) {
	switch t.kind {
	case jkString:
		if t.enum {
			x = "string(" + x + ")"
		}
		w.line(indent, "b = appendJSONString(b, %s)", x)
	case jkInt32:
		w.line(indent, "b = strconv.AppendInt(b, int64(%s), 10)", x)
	case jkInt64:
		if t.enum {
			x = "int64(" + x + ")"
		}
		w.line(indent, "b = strconv.AppendInt(b, %s, 10)", x)
	case jkFloat32:
		w.check(indent, "appendJSONFloat32(b, "+x+")")
	case jkFloat64:
		w.check(indent, "appendJSONFloat64(b, "+x+")")
	case jkBool:
		w.line(indent, "b = strconv.AppendBool(b, %s)", x)
	case jkRaw:
		w.check(indent, "appendJSONRaw(b, "+x+")")
	case jkStruct:
		w.check(indent, x+".appendJSON(b)")
	case jkPtr:
		if t.elem.kind == jkStruct {
			// appendJSON writes null for a nil receiver.
			w.value(indent, t.elem, x, depth)
			return
		}
		w.line(indent, "if %s == nil {", x)
		w.line(indent+1, `b = append(b, "null"...)`)
		w.line(indent, "} else {")
		w.nonNil(indent+1, t, x, depth)
		w.line(indent, "}")
	case jkSlice:
		w.line(indent, "if %s == nil {", x)
		w.line(indent+1, `b = append(b, "null"...)`)
		w.line(indent, "} else {")
		w.nonNil(indent+1, t, x, depth)
		w.line(indent, "}")
	default:
		panic("appendJSON: unknown kind")
	}
}

// nonNil writes the value of a pointer or slice x known not to be nil: a
// pointer's target (a struct's method is called on the pointer itself),
// or a slice's elements in brackets.
func (w *jsonWriter) nonNil(indent int, t *jsonType, x string, depth int) {
	switch t.kind {
	case jkPtr:
		if t.elem.kind == jkStruct {
			w.value(indent, t.elem, x, depth)
		} else {
			w.value(indent, t.elem, "*"+x, depth)
		}
	case jkSlice:
		i := string(rune('i' + depth))
		w.line(indent, "b = append(b, '[')")
		w.line(indent, "for %s := range %s {", i, x)
		w.line(indent+1, "if %s > 0 {", i)
		w.line(indent+2, "b = append(b, ',')")
		w.line(indent+1, "}")
		w.value(indent+1, t.elem, x+"["+i+"]", depth+1)
		w.line(indent, "}")
		w.line(indent, "b = append(b, ']')")
	default:
		w.value(indent, t, x, depth)
	}
}

// presence is the condition under which json.Marshal writes an omitempty
// field of type t held in x: its value is not empty.
func presence(t *jsonType, x string) string {
	switch t.kind {
	case jkString:
		return x + ` != ""`
	case jkInt32, jkInt64, jkFloat32, jkFloat64:
		return x + " != 0"
	case jkBool:
		return x
	case jkRaw, jkSlice:
		return "len(" + x + ") > 0"
	case jkPtr:
		return x + " != nil"
	}
	panic("appendJSON: omitempty on a struct value is not supported")
}

// renderAppendJSON writes the appendJSON method of an input type: the
// bytes json.Marshal writes for it, fields in struct order, omitempty as
// the tags say.
//
// When the first field is always written, it opens the object with its
// key; otherwise every key starts with a comma and the first comma written
// is turned into the opening brace at the end.
func renderAppendJSON(b *strings.Builder, t *structType) {
	w := &jsonWriter{}
	always := len(t.Fields) > 0 && !omitEmpty(t.Mode, t.Fields[0])
	if !always && len(t.Fields) > 0 {
		w.line(1, "start := len(b)")
	}
	for i, f := range t.Fields {
		jt := fieldJSONType(t.Mode, f)
		x := "r." + f.Name
		sep := ","
		if i == 0 && always {
			sep = "{"
		}
		key := jsonKey(sep, f.Wire)
		if !omitEmpty(t.Mode, f) {
			w.line(1, "b = append(b, %s...)", key)
			w.value(1, jt, x, 0)
			continue
		}
		w.line(1, "if %s {", presence(jt, x))
		w.line(2, "b = append(b, %s...)", key)
		w.nonNil(2, jt, x, 0)
		w.line(1, "}")
	}
	switch {
	case len(t.Fields) == 0:
		w.line(1, `b = append(b, "{}"...)`)
	case always:
		w.line(1, "b = append(b, '}')")
	default:
		w.line(1, "if len(b) == start {")
		w.line(2, "b = append(b, '{')")
		w.line(1, "} else {")
		w.line(2, "b[start] = '{'")
		w.line(1, "}")
		w.line(1, "b = append(b, '}')")
	}

	fmt.Fprintf(b, "// appendJSON appends the JSON encoding of r to b, the bytes json.Marshal\n// writes for it.\n")
	fmt.Fprintf(b, "func (r *%s) appendJSON(b []byte) ([]byte, error) {\n", t.Name)
	b.WriteString("\tif r == nil {\n\t\treturn append(b, \"null\"...), nil\n\t}\n")
	if w.usesErr {
		b.WriteString("\tvar err error\n")
	}
	b.WriteString(w.b.String())
	b.WriteString("\treturn b, nil\n}\n\n")
}
