package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/volcrtc/rtc/internal/spec"
)

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
