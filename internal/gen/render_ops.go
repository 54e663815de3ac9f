package main

import (
	"fmt"
	"strings"
)

// renderOperations writes operations.go: one operation value per action,
// the table of all of them, and the small helpers the generated code
// shares (ID lists in validation, paging).
func (m *model) renderOperations(b *strings.Builder) {
	writeComment(b, safetyRule)
	b.WriteString("var (\n")
	for _, am := range m.Actions {
		renderOperation(b, am)
	}
	b.WriteString(")\n\n")
	b.WriteString("// operations lists every generated action's operation, sorted by action name.\n")
	b.WriteString("var operations = []*operation{\n")
	for _, am := range m.Actions {
		fmt.Fprintf(b, "\t&op%s,\n", am.Name)
	}
	b.WriteString("}\n\n")
	b.WriteString(helpers)
}

// helpers is the fixed part of operations.go.
const helpers = `// ErrPageNotAdvancing is yielded by the ...All iterators when the server
// answers a page with the same elements as the page before it, which means
// it ignored the paging position; the iterator stops instead of looping.
var ErrPageNotAdvancing = errors.New("rtc: page did not advance")

// pageStuck wraps ErrPageNotAdvancing with the action and position.
func pageStuck(action, param string, pos int) error {
	return fmt.Errorf("%w: %s returned the same page again at %s=%d", ErrPageNotAdvancing, action, param, pos)
}

// pageParam reads a paging parameter that is a decimal string (some
// actions type Offset and Limit as strings) or empty for unset.
func pageParam(action, param, s string, unset int) (int, error) {
	if s == "" {
		return unset, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, &ValidationError{Action: action, Problems: []FieldProblem{{Path: param, Rule: "must be a non-negative decimal number"}}}
	}
	return n, nil
}

// intPtrString formats an optional integer paging parameter, "" for nil.
func intPtrString[T int32 | int64](p *T) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(int64(*p), 10)
}

// samePage reports whether two pages hold equal elements.
func samePage[T any](a, b []T) bool {
	return reflect.DeepEqual(a, b)
}

// ids applies the ID rule to every element of a list of IDs, with paths
// such as "UserId[2]".
func (v *validator) ids(field string, values []string) {
	for i, s := range values {
		if !ValidID(s) {
			v.push(field)
			v.index(i)
			v.id("", s)
			v.pop()
			v.pop()
		}
	}
}
`
