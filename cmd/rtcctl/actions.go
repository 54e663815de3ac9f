package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/volcrtc/rtc/internal/spec"
)

func cmdActions() *command {
	return &command{
		name:    "actions",
		summary: "list the actions by category, with their versions",
		help: helpText{
			usage: "rtcctl actions [--category C]",
			description: `Lists every action of the embedded API description, grouped by category,
with its HTTP method, its newest version and the older versions it still
accepts.`,
			examples: []string{"rtcctl actions", "rtcctl actions --category record"},
		},
		flags: func(fs *flag.FlagSet, o *cmdOpts) {
			fs.StringVar(&o.category, "category", "", "show only this `CATEGORY` (room, record, cdn_push, ...)")
		},
		run: runActions,
	}
}

func categories(s *spec.Spec) []string {
	seen := map[string]bool{}
	var out []string
	for i := range s.Actions {
		if c := s.Actions[i].Category; !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

func runActions(a *app, o *cmdOpts, args []string) error {
	if len(args) > 0 {
		return usageErr("actions takes no arguments (got %s); use --category to filter", argCount(args))
	}
	s, err := loadSpec()
	if err != nil {
		return err
	}
	cats := categories(s)
	if o.category != "" {
		found := false
		for _, c := range cats {
			found = found || c == o.category
		}
		if !found {
			return usageErr("unknown category %q; the categories are: %s", o.category, strings.Join(cats, ", "))
		}
		cats = []string{o.category}
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	for i, cat := range cats {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		var acts []*spec.Action
		for j := range s.Actions {
			if s.Actions[j].Category == cat {
				acts = append(acts, &s.Actions[j])
			}
		}
		fmt.Fprintf(tw, "%s (%d)\n", cat, len(acts))
		for _, act := range acts {
			older := ""
			if len(act.OlderVersions) > 0 {
				older = "also " + strings.TrimPrefix(versionList(act), act.Version+" (newest), ")
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", act.Action, act.Method, act.Version, older)
		}
	}
	return tw.Flush()
}

func cmdDescribe() *command {
	return &command{
		name:    "describe",
		summary: "show an action's input fields, result shape, method and versions",
		help: helpText{
			usage: "rtcctl describe ACTION",
			description: `Shows what the embedded API description says about one action: its
category, versions, HTTP method and where the input goes (query string or
JSON body), every input field with its type (required ones marked, ID fields
marked, nested shapes indented), the result's shape, and a template of the
required input to start from.`,
			examples: []string{"rtcctl describe StartRecord", "rtcctl describe GetRoomOnlineUsers"},
		},
		run: runDescribe,
	}
}

func runDescribe(a *app, _ *cmdOpts, args []string) error {
	if len(args) != 1 {
		return usageErr("describe takes one ACTION, e.g. rtcctl describe BanRoomUser")
	}
	s, err := loadSpec()
	if err != nil {
		return err
	}
	act, err := findAction(s, args[0])
	if err != nil {
		return err
	}
	c := newChecker(s)
	w := a.stdout
	fmt.Fprintf(w, "%s (category %s)\n", act.Action, act.Category)
	fmt.Fprintf(w, "  versions: %s\n", versionList(act))
	where := "a JSON body"
	if act.InputIn == "query" {
		where = "the query string"
	}
	fmt.Fprintf(w, "  method:   %s, input in %s\n", act.Method, where)
	if fs, err := spec.LoadFacts(); err == nil {
		if af := fs.Actions[act.Action]; af != nil && af.Window != nil {
			fmt.Fprintf(w, "  window:   %s\n", af.Window.Text())
		}
	}
	fmt.Fprintln(w, "\nInput (a nested \"required\" applies when its enclosing object is given):")
	if len(act.Input) == 0 {
		fmt.Fprintln(w, "  (none)")
	}
	fs, _ := spec.LoadFacts() // the tests check that they load
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	in := &fieldWriter{tw: tw, c: c, fs: fs, action: act.Action, dir: "in"}
	out := &fieldWriter{tw: tw, c: c, fs: fs, action: act.Action, dir: "out"}
	in.write(act.Input, 1, "")
	tw.Flush()
	writeRules(w, fs, act)
	fmt.Fprintln(w, "\nResult:")
	switch act.ResultType {
	case "string":
		fmt.Fprintln(w, "  a short text, such as \"success\"")
	case "any":
		fmt.Fprintln(w, "  any JSON value (often the text \"success\")")
	case "int32", "int64":
		fmt.Fprintf(w, "  a bare number (%s)\n", act.ResultType)
	case "array":
		fmt.Fprintln(w, "  a bare list; each element:")
		if act.ResultElem != nil && act.ResultElem.Type == "object" {
			out.write(act.ResultElem.Fields, 2, "")
			tw.Flush()
		} else if act.ResultElem != nil {
			fmt.Fprintf(w, "    %s\n", typeName(act.ResultElem))
		}
	default:
		if len(act.Result) == 0 {
			fmt.Fprintln(w, "  an object (fields not described)")
		}
		out.write(act.Result, 1, "")
		tw.Flush()
	}
	tmpl, _ := json.Marshal(template(act.Input))
	fmt.Fprintf(w, "\nRequired input template:\n  rtcctl call %s --data '%s'\n", act.Action, tmpl)
	return nil
}

// fieldWriter writes the fields of one side of an action with their facts:
// type (the enumeration's name), marks, what the field is, its unit,
// default, range and format, and each allowed value with its meaning.
type fieldWriter struct {
	tw     *tabwriter.Writer
	c      *checker
	fs     *spec.Facts
	action string
	dir    string // "in" or "out"
}

func (fw *fieldWriter) write(fields []spec.Field, depth int, path string) {
	indent := strings.Repeat("  ", depth)
	input := fw.dir == "in"
	for i := range fields {
		f := &fields[i]
		p := f.Name
		if path != "" {
			p = path + "." + f.Name
		}
		var x *spec.Fact
		if fw.fs != nil {
			x = fw.fs.Field(fw.action, fw.dir, p)
		}
		var marks []string
		if input && f.Required {
			marks = append(marks, "required")
		}
		if input && fw.c.isID(f.Name) && (f.Type == "string" || f.Type == "array") {
			marks = append(marks, "ID rule")
		}
		if x != nil && x.Secret {
			marks = append(marks, "secret")
		}
		typ := typeName(f)
		var doc []string
		if x != nil {
			doc = append(doc, x.Doc)
			if e := fw.fs.Enum(x); e != nil {
				typ += " (" + e.Name + ")"
			}
			doc = append(doc, fw.fs.Describe(x, f)...)
		}
		fmt.Fprintf(fw.tw, "%s%s\t%s\t%s\t%s\n", indent, f.Name, typ, strings.Join(marks, ", "), strings.Join(doc, " "))
		if e := fw.fs.Enum(x); e != nil {
			for _, v := range e.Values {
				fmt.Fprintf(fw.tw, "%s  = %s\t%s\t\t%s\n", indent, v.Text(), v.Name, v.Doc)
			}
		}
		switch {
		case f.Type == "object":
			fw.write(f.Fields, depth+1, p)
		case f.Type == "array" && f.Elem != nil && f.Elem.Type == "object":
			fw.write(f.Elem.Fields, depth+1, p)
		}
	}
}

// writeRules lists the rules between fields of an action's input, at every
// depth.
func writeRules(w io.Writer, fs *spec.Facts, a *spec.Action) {
	if fs == nil {
		return
	}
	var lines []string
	var walk func(fields []spec.Field, path string)
	walk = func(fields []spec.Field, path string) {
		for _, r := range fs.Rules(a.Action, path) {
			line := r.Doc
			if !r.Refuses() {
				line += " (inferred, not checked)"
			}
			if path != "" {
				line = path + ": " + line
			}
			lines = append(lines, line)
		}
		for i := range fields {
			f := &fields[i]
			p := f.Name
			if path != "" {
				p = path + "." + f.Name
			}
			switch {
			case f.Type == "object":
				walk(f.Fields, p)
			case f.Type == "array" && f.Elem != nil && f.Elem.Type == "object":
				walk(f.Elem.Fields, p)
			}
		}
	}
	walk(a.Input, "")
	if len(lines) == 0 {
		return
	}
	fmt.Fprintln(w, "\nRules between fields:")
	for _, l := range lines {
		fmt.Fprintln(w, "  "+l)
	}
}

// template is an input object with every required field set to a
// placeholder of its type, nested required objects included.
func template(fields []spec.Field) map[string]any {
	m := map[string]any{}
	for i := range fields {
		f := &fields[i]
		if !f.Required {
			continue
		}
		switch f.Type {
		case "string":
			m[f.Name] = ""
		case "int32", "int64", "float32", "float64":
			m[f.Name] = 0
		case "bool":
			m[f.Name] = false
		case "object":
			m[f.Name] = template(f.Fields)
		case "array":
			if f.Elem != nil && f.Elem.Type == "object" {
				m[f.Name] = []any{template(f.Elem.Fields)}
			} else {
				m[f.Name] = []any{}
			}
		default:
			m[f.Name] = nil
		}
	}
	return m
}
