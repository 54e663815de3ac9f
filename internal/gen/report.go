package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/volcrtc/rtc/internal/spec"
)

// coverage counts, for one category, what the facts cover in the generated
// Go fields (each field of each generated struct once; a nested type used
// by several categories counts under "shared").
type coverage struct {
	fields, documented int
	enumerated         int // fields with an enumeration type
	ruled              int // input fields with a value check
	clamped            int // fields whose out-of-range values the service adjusts
	secret             int
	rules              int // conditional rules
	// Rules of input fields (one per fact key: enum, min, max ...) and
	// rules between fields, by what their source says.
	stated, inferred, unsourced int
	missing                     []string
}

// report writes the coverage of the facts per category and lists the
// fields left undocumented, with the reason the facts give, if any.
func (m *model) report(w io.Writer) {
	cov := map[string]*coverage{}
	get := func(c string) *coverage {
		if cov[c] == nil {
			cov[c] = &coverage{}
		}
		return cov[c]
	}
	count := func(cat string, t *structType) {
		c := get(cat)
		for _, f := range t.Fields {
			c.fields++
			if m.fieldDoc(f) != "" {
				c.documented++
			} else {
				where := f.Action + "." + t.Mode.String() + "." + f.Path
				why := m.facts.Todo[where]
				if why == "" {
					why = "no fact yet"
				}
				c.missing = append(c.missing, fmt.Sprintf("%s.%s (%s): %s", t.Name, f.Name, where, why))
			}
			if f.Enum != nil || f.Named != "" {
				c.enumerated++
			}
			if len(m.checksOf(t.Mode, f)) > 0 {
				c.ruled++
			}
			if t.Mode == modeInput && f.Fact != nil {
				for _, k := range spec.RuleKeys {
					if !f.Fact.HasRule(k) {
						continue
					}
					switch s := m.facts.SourceOf(f.Fact, k); {
					case s == nil || s.Ref == "":
						c.unsourced++
					case s.Inferred:
						c.inferred++
					default:
						c.stated++
					}
				}
			}
			if f.Fact != nil && (f.Fact.Clamp != "" || f.Fact.ClampItems != "") {
				c.clamped++
			}
			if f.Fact != nil && f.Fact.Secret {
				c.secret++
			}
		}
		c.rules += len(m.rulesOf(t))
		for _, r := range m.allRulesOf(t) {
			switch {
			case r.Source == nil || r.Source.Ref == "":
				c.unsourced++
			case r.Source.Inferred:
				c.inferred++
			default:
				c.stated++
			}
		}
	}
	for _, am := range m.Actions {
		count(am.A.Category, am.Request)
		count(am.A.Category, am.Result)
	}
	for _, t := range m.Nested {
		cat := "shared"
		if cats := t.categories(); len(cats) == 1 {
			cat = cats[0]
		}
		count(cat, t)
	}
	cats := make([]string, 0, len(cov))
	for c := range cov {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	total := &coverage{}
	fmt.Fprintf(w, "%-14s %16s %10s %8s %8s %7s %6s %7s %9s %10s\n", "category", "documented", "enums", "checked", "clamped", "secret", "rules", "stated", "inferred", "unsourced")
	line := func(c string, x *coverage) {
		fmt.Fprintf(w, "%-14s %16s %10d %8d %8d %7d %6d %7d %9d %10d\n", c, ratio(x.documented, x.fields), x.enumerated, x.ruled, x.clamped, x.secret, x.rules, x.stated, x.inferred, x.unsourced)
	}
	for _, c := range cats {
		x := cov[c]
		line(c, x)
		total.fields += x.fields
		total.documented += x.documented
		total.enumerated += x.enumerated
		total.ruled += x.ruled
		total.clamped += x.clamped
		total.secret += x.secret
		total.rules += x.rules
		total.stated += x.stated
		total.inferred += x.inferred
		total.unsourced += x.unsourced
		total.missing = append(total.missing, x.missing...)
	}
	line("total", total)
	fmt.Fprintf(w, "\nstated, inferred, unsourced: the rules of input fields (one per enum, one_of, min, max, min_len, max_len,\n"+
		"min_items, max_items, even, format) and between fields, by their source; only stated rules are checked.\n")
	fmt.Fprintf(w, "\n%d enumeration types, %d constants.\n", len(m.facts.Enums), countConstants(m.facts))
	if len(total.missing) > 0 {
		sort.Strings(total.missing)
		fmt.Fprintf(w, "\nUndocumented fields (%d):\n  %s\n", len(total.missing), strings.Join(total.missing, "\n  "))
	}
}

func ratio(a, b int) string {
	if b == 0 {
		return "0/0"
	}
	return fmt.Sprintf("%d/%d %5.1f%%", a, b, 100*float64(a)/float64(b))
}

func countConstants(fs *spec.Facts) int {
	n := 0
	for _, e := range fs.Enums {
		n += len(e.Values)
	}
	return n
}
