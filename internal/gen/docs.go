package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/volcrtc/rtc/internal/spec"
)

// docs is the English documentation overlay, internal/gen/docs.json. The
// spec carries names and types only; the words come from here.
type docs struct {
	// Actions maps an action to what it does, one to three sentences that
	// read after the action's name: "bans a user from a room".
	Actions map[string]string `json:"actions"`
	// Fields documents single fields, keyed "Action.Path" with the wire
	// path ("StartVoiceChat.Config.ASRConfig").
	Fields map[string]string `json:"fields"`
	// Types documents nested types by their Go name.
	Types map[string]string `json:"types"`
	// Enums turns string fields with a fixed set of values into named
	// types with constants, keyed "Action.Field".
	Enums map[string]enumDoc `json:"enums"`
}

type enumDoc struct {
	Type   string      `json:"type"`
	Doc    string      `json:"doc"`
	Values []enumValue `json:"values"`
}

type enumValue struct {
	Value string `json:"value"`
	Name  string `json:"name"`
	Doc   string `json:"doc"`
}

// enumDef is a named string type with constants.
type enumDef struct {
	Type     string
	Doc      string
	Values   []enumValue
	Category string
}

func loadDocs(path string) (*docs, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var d docs
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &d, nil
}

// attachEnums binds the overlay's enums to their fields and checks them
// against the values the spec lists.
func (m *model) attachEnums(s *spec.Spec) error {
	keys := make([]string, 0, len(m.docs.Enums))
	for k := range m.docs.Enums {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ed := m.docs.Enums[k]
		action, fieldName, ok := strings.Cut(k, ".")
		if !ok {
			return fmt.Errorf("docs.json: enum key %q is not Action.Field", k)
		}
		a := s.Find(action)
		if a == nil {
			return fmt.Errorf("docs.json: enum %q: unknown action", k)
		}
		want := a.Enums[fieldName]
		var got []string
		for _, v := range ed.Values {
			got = append(got, v.Value)
		}
		if strings.Join(want, ",") != strings.Join(got, ",") {
			return fmt.Errorf("docs.json: enum %q lists %v, the spec lists %v", k, got, want)
		}
		var am *actionModel
		for _, x := range m.Actions {
			if x.Name == action {
				am = x
			}
		}
		def := &enumDef{Type: ed.Type, Doc: ed.Doc, Values: ed.Values, Category: a.Category}
		found := false
		for _, f := range am.Request.Fields {
			if f.Wire == fieldName && f.Spec.Type == "string" {
				f.Enum = def
				found = true
			}
		}
		if !found {
			return fmt.Errorf("docs.json: enum %q: no top-level string field %s", k, fieldName)
		}
		m.Enums = append(m.Enums, def)
	}
	// Every enum the spec lists should have a Go type.
	for _, a := range s.Actions {
		for f := range a.Enums {
			if _, ok := m.docs.Enums[a.Action+"."+f]; !ok {
				return fmt.Errorf("docs.json: the spec lists values for %s.%s; add an enum", a.Action, f)
			}
		}
	}
	return nil
}
