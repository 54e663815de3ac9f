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
	// Types documents nested types by their Go name.
	Types map[string]string `json:"types"`
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

// checkSpecEnums checks that every field the spec lists values for has an
// enumeration in the facts with exactly those values.
func (m *model) checkSpecEnums(s *spec.Spec) error {
	for _, a := range s.Actions {
		keys := make([]string, 0, len(a.Enums))
		for k := range a.Enums {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, fieldName := range keys {
			want := a.Enums[fieldName]
			e := m.facts.Enum(m.facts.Field(a.Action, "in", fieldName))
			if e == nil {
				return fmt.Errorf("facts: the spec lists values for %s.%s; give it an enumeration", a.Action, fieldName)
			}
			var got []string
			for _, v := range e.Values {
				got = append(got, v.Text())
			}
			if strings.Join(want, ",") != strings.Join(got, ",") {
				return fmt.Errorf("facts: enum %s lists %v, the spec lists %v for %s.%s", e.Name, got, want, a.Action, fieldName)
			}
		}
	}
	return nil
}
