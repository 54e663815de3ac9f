package main

import (
	"regexp"
	"sort"
	"strings"
)

// diff returns the lines of base missing from cur (removed or changed API:
// incompatible) and the lines of cur missing from base (additions).
func diff(base, cur []string) (removed, added []string) {
	inBase := make(map[string]bool, len(base))
	for _, l := range base {
		inBase[l] = true
	}
	inCur := make(map[string]bool, len(cur))
	for _, l := range cur {
		inCur[l] = true
		if !inBase[l] {
			added = append(added, l)
		}
	}
	for _, l := range base {
		if !inCur[l] {
			removed = append(removed, l)
		}
	}
	return removed, added
}

// union returns the sorted, de-duplicated lines of a and b.
func union(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range append(append([]string{}, a...), b...) {
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}

// parseLine splits "rtc/rtctest: method (*Server).Close()" into its package
// prefix ("rtc/rtctest"), its owner (the package-level name the element
// belongs to: "Server") and the declaration text after the prefix.
func parseLine(line string) (prefix, owner, decl string) {
	prefix, decl, _ = strings.Cut(line, ": ")
	kind, rest, _ := strings.Cut(decl, " ")
	switch kind {
	case "field":
		owner, _, _ = strings.Cut(rest, ".")
	case "method":
		if strings.HasPrefix(rest, "(") {
			owner = strings.TrimLeft(rest[1:], "*")
			owner, _, _ = strings.Cut(owner, ")")
		} else {
			owner, _, _ = strings.Cut(rest, ".")
		}
	default: // const, var, func, type
		end := strings.IndexAny(rest, " [(")
		if end < 0 {
			end = len(rest)
		}
		owner = rest[:end]
	}
	return prefix, owner, decl
}

var identRE = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)

// unreleased returns the text of the "## [Unreleased]" section of a
// Keep a Changelog file.
func unreleased(changelog string) string {
	var b strings.Builder
	in := false
	for _, l := range strings.Split(changelog, "\n") {
		if strings.HasPrefix(l, "## ") {
			in = strings.HasPrefix(strings.ToLower(l), "## [unreleased]")
			continue
		}
		if in {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// mentions reports whether text names ident as a whole word.
func mentions(text, ident string) bool {
	return regexp.MustCompile(`(^|[^A-Za-z0-9_])` + regexp.QuoteMeta(ident) + `($|[^A-Za-z0-9_])`).MatchString(text)
}

// member returns the field or method name of a "field T.F ..." or
// "method (T).M..." declaration, and "" for package-level ones.
func member(decl string) string {
	kind, rest, _ := strings.Cut(decl, " ")
	if kind != "field" && kind != "method" {
		return ""
	}
	if i := strings.Index(rest, ")."); strings.HasPrefix(rest, "(") && i >= 0 {
		rest = rest[i+2:]
	} else if _, after, ok := strings.Cut(rest, "."); ok {
		rest = after
	}
	end := strings.IndexAny(rest, " [(")
	if end < 0 {
		end = len(rest)
	}
	return rest[:end]
}

// unacknowledged returns the recorded breaking lines that the changelog
// text does not acknowledge, and the names that would acknowledge them.
//
// A line is acknowledged when the text names its owner (for
// "field BanRoomUserRequest.RoomID string", BanRoomUserRequest), the field
// or method itself (RoomID), or names a
// type of the same package that the line refers to and that was itself
// removed or changed (renaming type Region to LayoutRegion changes every
// field of type Region; naming Region acknowledges them all).
func unacknowledged(breaking []string, text string) (lines, names []string) {
	removedTypes := map[string]bool{} // prefix + "." + type name
	for _, l := range breaking {
		prefix, owner, decl := parseLine(l)
		if strings.HasPrefix(decl, "type ") {
			removedTypes[prefix+"."+owner] = true
		}
	}
	need := map[string]bool{}
	for _, l := range breaking {
		prefix, owner, decl := parseLine(l)
		if mentions(text, owner) {
			continue
		}
		if m := member(decl); m != "" && mentions(text, m) {
			continue
		}
		ok := false
		for _, id := range identRE.FindAllString(decl, -1) {
			if id != owner && removedTypes[prefix+"."+id] && mentions(text, id) {
				ok = true
				break
			}
		}
		if !ok {
			lines = append(lines, l)
			need[owner] = true
		}
	}
	for n := range need {
		names = append(names, n)
	}
	sort.Strings(names)
	return lines, names
}
