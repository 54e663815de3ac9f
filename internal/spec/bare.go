package spec

import "fmt"

// bareResultFields names the one field that holds the Result of an action
// whose Result is a bare number or a bare list (result_type int32 or
// array), so that the generated result type, the field facts and the
// tools can name it like any other result field.
var bareResultFields = map[string]string{
	"GetResourcePackNum":     "Count",
	"ListResourcePackages":   "Packages",
	"ListResourcePackagesV2": "Groups",
}

// IsBare reports whether the action's Result is a bare number or list
// rather than an object or a text. Its Result then holds one field, named
// by this package, that stands for the whole Result.
func (a *Action) IsBare() bool {
	switch a.ResultType {
	case "object", "string", "any", "":
		return false
	}
	return true
}

// nameBareResults gives every bare-result action its one result field.
func nameBareResults(s *Spec) error {
	for i := range s.Actions {
		a := &s.Actions[i]
		if !a.IsBare() {
			continue
		}
		name := bareResultFields[a.Action]
		if name == "" {
			return fmt.Errorf("spec: %s answers a bare %s; name its result field in bareResultFields", a.Action, a.ResultType)
		}
		f := Field{Name: name, Type: a.ResultType, Required: true}
		if a.ResultType == "array" {
			if a.ResultElem == nil {
				return fmt.Errorf("spec: %s answers a bare list but has no result_elem", a.Action)
			}
			f.Elem = a.ResultElem
		}
		a.Result = []Field{f}
	}
	return nil
}

// relaxContradictoryRequired makes optional the input fields the vendor's
// models mark REQUIRED yet declare as optional pointers sent with
// omitempty (required and nullable here): the vendor's own client leaves
// them out, so the service takes calls without them. The one case is
// GetUserConversations.ParticipantUserIdStr, the string twin of the
// required ParticipantUserId.
func relaxContradictoryRequired(s *Spec) {
	var walk func(fs []Field)
	walk = func(fs []Field) {
		for i := range fs {
			f := &fs[i]
			if f.Required && f.Nullable {
				f.Required = false
			}
			walk(f.Fields)
			if f.Elem != nil {
				walk(f.Elem.Fields)
			}
		}
	}
	for i := range s.Actions {
		walk(s.Actions[i].Input)
	}
}
