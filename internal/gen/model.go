package main

import (
	"fmt"
	"sort"

	"github.com/volcrtc/rtc/internal/spec"
)

// mode says on which side of a call a shape lives. Input and result shapes
// are rendered differently (optional numbers are pointers only in inputs),
// so they never share a Go type.
type mode uint8

const (
	modeInput mode = iota
	modeResult
)

func (m mode) String() string {
	if m == modeInput {
		return "in"
	}
	return "out"
}

// field is one Go struct field, ready to render.
type field struct {
	Wire     string      // name on the wire, used in the JSON tag and in paths
	Name     string      // Go name
	Spec     *spec.Field // the spec's description
	Required bool
	Struct   *structType // the struct of an object field, or of an array's elements
	Fact     *spec.Fact  // what the facts say about the field, or nil
	Enum     *spec.Enum  // the named type of an enumerated field (of each element of an array), or nil
	Path     string      // wire path from the top of the first action that built the field
	Action   string      // that action
	Named    string      // a hand-written named type for this field, if any (render_waiters.go)
	Doc      string      // documentation used when the facts have none (render_waiters.go)
}

// structType is one generated Go struct: a request, a result, or a nested
// shape shared by every place the same shape occurs.
type structType struct {
	Key    string // mode plus canonical shape: equal keys are one Go type
	Mode   mode
	Name   string
	Fields []*field
	Uses   []use // every place this shape occurs, in spec order
	Top    *actionModel
	Doc    string
}

// use records one occurrence of a nested shape.
type use struct {
	Action   string
	Category string
	Path     string // wire path from the top: "Layout.CustomLayout.Regions"
	Base     string // the name this occurrence asks for ("Region")
	Parent   string // the Go base name of the enclosing type ("" at the top)
}

// categories lists the distinct categories of a nested type's uses.
func (t *structType) categories() []string {
	seen := map[string]bool{}
	var out []string
	for _, u := range t.Uses {
		if !seen[u.Category] {
			seen[u.Category] = true
			out = append(out, u.Category)
		}
	}
	sort.Strings(out)
	return out
}

// actions lists the distinct actions that use a nested type.
func (t *structType) actions() []string {
	seen := map[string]bool{}
	var out []string
	for _, u := range t.Uses {
		if !seen[u.Action] {
			seen[u.Action] = true
			out = append(out, u.Action)
		}
	}
	sort.Strings(out)
	return out
}

// actionModel is everything generated for one action.
type actionModel struct {
	A       *spec.Action
	Name    string
	Doc     string
	Request *structType
	Result  *structType
	Safety  string
	Paging  *paging
	Cursor  *cursorPaging // lists that page by cursor (IM)
}

// model is the whole generated API.
type model struct {
	Actions   []*actionModel
	Nested    []*structType // every nested shape, sorted by Go name
	Tasks     []*taskFamily // task families with a waiter (render_waiters.go)
	byKey     map[string]*structType
	validates map[*structType]bool
	// spec is the description the model was built from; its IDRule and
	// IsIDField say which fields the ID rule covers (spec/input.go).
	spec  *spec.Spec
	facts *spec.Facts
	// names are the type-name overrides of every action's rules, keyed by
	// "Action.in|out.Path"; typeDocs document nested types by Go name.
	names    map[string]string
	typeDocs map[string]string
}

// buildModel reads the spec, with each action's rules, into a model with
// every nested type named.
func buildModel(s *spec.Spec, fs *spec.Facts) (*model, error) {
	m := &model{byKey: map[string]*structType{}, validates: map[*structType]bool{}, spec: s, facts: fs,
		names: map[string]string{}, typeDocs: s.TypeDocs}
	for i := range s.Actions {
		a := &s.Actions[i]
		am := &actionModel{A: a, Name: a.Action}
		if a.Rules.Doc == "" {
			return nil, fmt.Errorf("actions.json: no doc for action %s", a.Action)
		}
		am.Doc = a.Rules.Doc
		var ok bool
		if am.Safety, ok = safetyConst[a.Rules.Safety]; !ok {
			return nil, fmt.Errorf("actions.json: action %s has safety %q", a.Action, a.Rules.Safety)
		}
		for k, v := range a.Rules.Names {
			m.names[a.Action+"."+k] = v
		}
		var err error
		am.Request, err = m.topStruct(am, modeInput, a.Input)
		if err != nil {
			return nil, err
		}
		am.Request.Name = typePrefix(a.Category) + a.Action + "Request"
		am.Result, err = m.topStruct(am, modeResult, a.Result)
		if err != nil {
			return nil, err
		}
		am.Result.Name = typePrefix(a.Category) + a.Action + "Result"
		am.Paging, err = detectPaging(am)
		if err != nil {
			return nil, err
		}
		if am.Paging == nil {
			if am.Cursor, err = detectCursorPaging(am); err != nil {
				return nil, err
			}
		}
		m.Actions = append(m.Actions, am)
	}
	if err := m.checkSpecEnums(s); err != nil {
		return nil, err
	}
	m.findTaskFamilies()
	if err := m.nameNested(); err != nil {
		return nil, err
	}
	if err := m.checkNames(); err != nil {
		return nil, err
	}
	return m, nil
}

// topStruct builds the request or result struct of an action.
func (m *model) topStruct(am *actionModel, md mode, fields []spec.Field) (*structType, error) {
	t := &structType{Mode: md, Top: am}
	var err error
	t.Fields, err = m.fields(am, md, fields, "", "")
	return t, err
}

// fields converts spec fields into Go fields, registering nested shapes.
func (m *model) fields(am *actionModel, md mode, fs []spec.Field, path, parent string) ([]*field, error) {
	out := make([]*field, 0, len(fs))
	names := map[string]string{}
	for i := range fs {
		f := &fs[i]
		gf := &field{Wire: f.Name, Name: goName(f.Name), Spec: f, Required: f.Required}
		if other, dup := names[gf.Name]; dup {
			return nil, fmt.Errorf("%s: fields %q and %q both map to Go name %s", am.Name, other, f.Name, gf.Name)
		}
		names[gf.Name] = f.Name
		p := joinPath(path, f.Name)
		gf.Path, gf.Action = p, am.Name
		gf.Fact = m.facts.Field(am.Name, md.String(), p)
		gf.Enum = m.facts.Enum(gf.Fact)
		obj := objectOf(f)
		if obj != nil {
			base := gf.Name
			if f.Type == "array" {
				base = singular(base)
			}
			st, err := m.nested(am, md, obj.Fields, p, base, parent)
			if err != nil {
				return nil, err
			}
			gf.Struct = st
		}
		if md == modeInput && !isScalarOrArrayOfScalars(f) && am.A.InputIn == "query" {
			return nil, fmt.Errorf("%s: query parameter %s is an object; the query encoder supports scalars and arrays of scalars only", am.Name, p)
		}
		out = append(out, gf)
	}
	return out, nil
}

// objectOf returns the object description of an object field or of an
// array-of-objects field's element, or nil.
func objectOf(f *spec.Field) *spec.Field {
	switch {
	case f.Type == "object":
		return f
	case f.Type == "array" && f.Elem != nil && f.Elem.Type == "object":
		return f.Elem
	}
	return nil
}

func isScalarOrArrayOfScalars(f *spec.Field) bool {
	switch f.Type {
	case "object", "any":
		return false
	case "array":
		return f.Elem != nil && f.Elem.Type != "object" && f.Elem.Type != "array" && f.Elem.Type != "any"
	}
	return true
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// nested registers one occurrence of a nested shape and returns its type.
func (m *model) nested(am *actionModel, md mode, fs []spec.Field, path, base, parent string) (*structType, error) {
	key := md.String() + "{" + shapeKey(md, fs) + "}"
	t := m.byKey[key]
	if t == nil {
		t = &structType{Key: key, Mode: md}
		m.byKey[key] = t
		var err error
		t.Fields, err = m.fields(am, md, fs, path, base)
		if err != nil {
			return nil, err
		}
	} else {
		// Walk the children again so that their uses are recorded too.
		if _, err := m.fields(am, md, fs, path, base); err != nil {
			return nil, err
		}
	}
	t.Uses = append(t.Uses, use{Action: am.Name, Category: am.A.Category, Path: path, Base: base, Parent: parent})
	return t, nil
}

// shapeKey is spec.ShapeKey: the facts of shared shapes are indexed with
// the same key, so a Go type and its facts always agree.
func shapeKey(md mode, fs []spec.Field) string { return spec.ShapeKey(md == modeInput, fs) }

// nestedTypes returns every nested type in a stable order (by first use).
func (m *model) nestedTypes() []*structType {
	out := make([]*structType, 0, len(m.byKey))
	for _, t := range m.byKey {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// isID reports whether the ID rule applies to a field with this wire name.
// A string field with one of the spec's "id_fields" names, in any letter
// case, is checked, and so is every element of a string-array field with
// one of these names (ListQuality's UserId list).
func (m *model) isID(wire string) bool { return m.spec.IsIDField(wire) }
