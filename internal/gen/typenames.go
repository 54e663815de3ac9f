package main

import (
	"fmt"
	"sort"
	"strings"
)

// reservedNames are identifiers the rest of package rtc defines or is
// likely to define (core client, callbacks, tokens); a nested type never
// takes one of them.
var reservedNames = map[string]bool{
	"Client": true, "Option": true, "CallOption": true, "Credentials": true,
	"CredentialsProvider": true, "RetryPolicy": true, "RateLimiter": true,
	"Observer": true, "CallInfo": true, "AttemptInfo": true, "AttemptResult": true,
	"CallResult": true, "ResponseMetadata": true, "APIError": true,
	"ValidationError": true, "FieldProblem": true, "ResponseError": true,
	"Signer": true, "Callback": true, "Event": true, "Token": true,
	"Privilege": true, "Error": true,
	// Too vague for a nested type: a cloud region (WithRegion) is not a
	// layout rectangle, and every task family has its own control.
	"Region": true, "Control": true,
	// Hand-written types generated fields refer to (task_status.go).
	"TaskStatus": true, "StopReason": true,
}

// nameNested gives every nested type its Go name. The rules, in order:
//
//  1. A shape asks for the name most of its occurrences ask for (the field
//     name, singular for array elements), unless an override applies.
//  2. Input types are named first. When one name is asked for by several
//     input shapes, the most used keeps it and the others are qualified by
//     their category, or else their parent type, or else their action.
//  3. Result types come next. A result type whose name is taken by an
//     input type gets the suffix "Info"; further clashes among result types
//     are qualified as in 2.
func (m *model) nameNested() error {
	all := m.nestedTypes()
	taken := map[string]bool{}
	for _, am := range m.Actions {
		taken[am.Request.Name] = true
		taken[am.Result.Name] = true
	}
	for n := range reservedNames {
		taken[n] = true
	}
	for _, e := range m.facts.Enums {
		taken[e.Name] = true
	}
	for _, md := range []mode{modeInput, modeResult} {
		var group []*structType
		for _, t := range all {
			if t.Mode == md {
				group = append(group, t)
			}
		}
		if err := assignNames(group, md, taken, m.names); err != nil {
			return err
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	m.Nested = all
	seen := map[string]bool{}
	for _, t := range all {
		if seen[t.Name] {
			return fmt.Errorf("two nested types are both named %s", t.Name)
		}
		seen[t.Name] = true
	}
	return nil
}

// checkNames fails on a type-name override (actions.json "names") that
// names no nested shape, so that a stale one does not linger.
func (m *model) checkNames() error {
	uses := map[string]bool{}
	for _, t := range m.Nested {
		for _, u := range t.Uses {
			uses[u.Action+"."+t.Mode.String()+"."+u.Path] = true
		}
	}
	keys := make([]string, 0, len(m.names))
	for k := range m.names {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !uses[k] {
			return fmt.Errorf("actions.json: the name %s for %s names no nested type", m.names[k], k)
		}
	}
	return nil
}

// wantedName is the name a shape asks for before clashes are resolved. An
// override of the action's rules (actions.json "names") comes first.
func wantedName(t *structType, names map[string]string) string {
	for _, u := range t.Uses {
		if n, ok := names[u.Action+"."+t.Mode.String()+"."+u.Path]; ok {
			return prefixedName(t, n)
		}
	}
	count := map[string]int{}
	best := ""
	for _, u := range t.Uses {
		count[u.Base]++
		if best == "" || count[u.Base] > count[best] {
			best = u.Base
		}
	}
	return prefixedName(t, best)
}

// assignNames names all types of one mode, marking names as taken.
func assignNames(types []*structType, md mode, taken map[string]bool, overrides map[string]string) error {
	byName := map[string][]*structType{}
	var names []string
	for _, t := range types {
		n := wantedName(t, overrides)
		if md == modeResult && taken[n] {
			n += "Info"
		}
		if byName[n] == nil {
			names = append(names, n)
		}
		byName[n] = append(byName[n], t)
	}
	sort.Strings(names)
	// Uncontested names first, so that a qualified name never steals a
	// name another shape asks for plainly.
	var contested []string
	for _, n := range names {
		g := byName[n]
		if len(g) == 1 && !taken[n] {
			g[0].Name = n
			taken[n] = true
			continue
		}
		contested = append(contested, n)
	}
	for _, n := range contested {
		g := byName[n]
		sort.SliceStable(g, func(i, j int) bool {
			if len(g[i].actions()) != len(g[j].actions()) {
				return len(g[i].actions()) > len(g[j].actions())
			}
			return firstUse(g[i]) < firstUse(g[j])
		})
		start := 0
		if !taken[n] {
			g[0].Name = n
			taken[n] = true
			start = 1
		}
		for _, t := range g[start:] {
			q, err := qualify(t, n, taken)
			if err != nil {
				return err
			}
			t.Name = q
			taken[q] = true
		}
	}
	return nil
}

func firstUse(t *structType) string {
	u := t.Uses[0]
	return u.Action + "." + u.Path
}

// qualify finds a free qualified name for a shape that lost the name n.
func qualify(t *structType, n string, taken map[string]bool) (string, error) {
	var cands []string
	if cats := t.categories(); len(cats) == 1 {
		p := categoryPrefix(cats[0])
		if !strings.HasPrefix(n, p) {
			cands = append(cands, p+n)
		}
	}
	if p := t.Uses[0].Parent; p != "" && !strings.HasPrefix(n, p) {
		cands = append(cands, p+n)
	}
	cands = append(cands, t.Uses[0].Action+n)
	for _, c := range cands {
		if !taken[c] {
			return c, nil
		}
	}
	return "", fmt.Errorf("no free name for the shape at %s (wanted %s, tried %v)", firstUse(t), n, cands)
}
