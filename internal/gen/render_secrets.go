package main

import (
	"fmt"
	"sort"
	"strings"
)

// secretHolders lists every generated struct that holds a field the facts
// mark secret, directly or in a nested value at any depth, sorted by Go
// name. These types print redacted (renderSecretFormat).
func (m *model) secretHolders() []*structType {
	var all []*structType
	for _, am := range m.Actions {
		for _, t := range []*structType{am.Request, am.Result} {
			if t != nil {
				all = append(all, t)
			}
		}
	}
	all = append(all, m.Nested...)
	holds := map[*structType]bool{}
	for changed := true; changed; {
		changed = false
		for _, t := range all {
			if holds[t] {
				continue
			}
			for _, f := range t.Fields {
				if (f.Fact != nil && f.Fact.Secret) || (f.Struct != nil && holds[f.Struct]) {
					holds[t] = true
					changed = true
					break
				}
			}
		}
	}
	var out []*structType
	for t := range holds {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// renderSecretFormat gives a type that holds a secret the three methods that
// make fmt, String and log/slog print it redacted (secret_format.go holds
// the helpers), while json.Marshal and the wire keep the value.
func renderSecretFormat(b *strings.Builder, t *structType) {
	plain := "plain" + t.Name
	fmt.Fprintf(b, "type %s %s\n\n", plain, t.Name)
	fmt.Fprintf(b, "// Format prints the value with its secrets redacted, for every verb.\n")
	fmt.Fprintf(b, "func (v %s) Format(f fmt.State, verb rune) { formatPlain(f, verb, %s(redactCopy(v))) }\n\n", t.Name, plain)
	fmt.Fprintf(b, "// String returns the value as %%+v prints it, secrets redacted.\n")
	fmt.Fprintf(b, "func (v %s) String() string { return fmt.Sprintf(\"%%+v\", %s(redactCopy(v))) }\n\n", t.Name, plain)
	fmt.Fprintf(b, "// LogValue makes log/slog show the value with its secrets redacted.\n")
	fmt.Fprintf(b, "func (v %s) LogValue() slog.Value { return slog.AnyValue(%s(redactCopy(v))) }\n\n", t.Name, plain)
}
