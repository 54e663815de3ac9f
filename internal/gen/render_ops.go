package main

import (
	"fmt"
	"strings"
)

// renderOperations writes operations.go: one operation value per action
// and the table of all of them. What the generated code shares by hand is
// in the root package (paging.go, validate.go).
func (m *model) renderOperations(b *strings.Builder) {
	writeComment(b, safetyRule+imSafetyRule)
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
	b.WriteString("}\n")
}
