package spec

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The field facts: what each field means and which values the service
// takes. They live in facts/<category>.json, one file per category (or any
// other split: the files are merged, and an action or an enumeration may be
// described in one file only). docs/facts.md describes the format.
//
//go:embed facts/*.json
var factsFS embed.FS

// Facts is every facts file merged.
type Facts struct {
	// Enums are the enumerations, keyed by their Go type name.
	Enums map[string]*Enum
	// Actions are the facts of each action, keyed by action name.
	Actions map[string]*ActionFacts
	// Todo explains fields left undocumented, keyed "Action.in|out.Path".
	Todo map[string]string
	// Common are the facts of fields that mean the same wherever they
	// occur (AppId, RoomId ...), keyed "in" or "out", then by wire name.
	// They apply, at any depth, to a field no other fact describes.
	Common map[string]map[string]*Fact

	spec    *Spec
	byShape map[string]*shapeFact // "in|out{shape}/Field" -> first fact given
	rules   map[string][]Rule     // "in{shape}" -> rules scoped to that shape
}

// factsFile is one facts/*.json file.
type factsFile struct {
	Enums   map[string]*Enum            `json:"enums"`
	Actions map[string]*ActionFacts     `json:"actions"`
	Todo    map[string]string           `json:"todo"`
	Common  map[string]map[string]*Fact `json:"common"`
}

// ActionFacts are the facts of one action's fields, keyed by wire path
// ("Control.MaxIdleTime"; array elements are entered without an index:
// "TargetStreams.StreamList.UserId").
type ActionFacts struct {
	In  map[string]*Fact `json:"in"`
	Out map[string]*Fact `json:"out"`
	// Rules are the conditional rules of the input.
	Rules []Rule `json:"rules"`
	// Like copies facts from another action, keyed "in|out.Path" (the
	// subtree to fill; "in" or "out" alone for the whole side), valued
	// "Action.in|out.Path" (where to copy from). Every field of the
	// subtree that the other subtree also has, at the same relative path,
	// takes that field's fact unless this action gives its own.
	Like map[string]string `json:"like"`
	// Window bounds the StartTime/EndTime period of a data query.
	Window *Window `json:"window,omitempty"`
	file   string
}

// Window is how far a data query may reach: Span bounds EndTime minus
// StartTime, Lookback how far before now StartTime may lie (Go durations:
// "168h"; empty for no bound).
type Window struct {
	Span     string `json:"span,omitempty"`
	Lookback string `json:"lookback,omitempty"`
}

// Durations parses the window; zero means no bound.
func (w *Window) Durations() (span, lookback time.Duration, err error) {
	if w == nil {
		return 0, 0, nil
	}
	if w.Span != "" {
		if span, err = time.ParseDuration(w.Span); err != nil {
			return 0, 0, err
		}
	}
	if w.Lookback != "" {
		if lookback, err = time.ParseDuration(w.Lookback); err != nil {
			return 0, 0, err
		}
	}
	return span, lookback, nil
}

// Text says the window in words: "at most 7 days from StartTime to
// EndTime, StartTime at most 30 days back".
func (w *Window) Text() string {
	span, back, err := w.Durations()
	if err != nil || w == nil {
		return ""
	}
	var parts []string
	if span > 0 {
		parts = append(parts, "at most "+HumanDuration(span)+" from StartTime to EndTime")
	}
	if back > 0 {
		parts = append(parts, "StartTime at most "+HumanDuration(back)+" back")
	}
	return strings.Join(parts, ", ")
}

// HumanDuration writes whole days, hours or minutes.
func HumanDuration(d time.Duration) string {
	plural := func(n int64, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return strconv.FormatInt(n, 10) + " " + unit + "s"
	}
	switch {
	case d%(24*time.Hour) == 0:
		return plural(int64(d/(24*time.Hour)), "day")
	case d%time.Hour == 0:
		return plural(int64(d/time.Hour), "hour")
	}
	return plural(int64(d/time.Minute), "minute")
}

// Fact is what is known about one field.
type Fact struct {
	// Doc says what the field is, in one or two sentences, starting with
	// a verb phrase or a noun phrase that reads after the field's name
	// ("is the ...", "says whether ..."), or a whole sentence.
	Doc string `json:"doc"`
	// Unit of a quantity: s, ms, px, kbps, Hz, %, ... (for display).
	Unit string `json:"unit,omitempty"`
	// Default is the value the service assumes when the field is left out.
	Default json.RawMessage `json:"default,omitempty"`
	// Enum names the enumeration (a key of Enums) the field's values come
	// from. For an array of scalars it applies to each element.
	Enum string `json:"enum,omitempty"`
	// OneOf lists the allowed values of a field that is a quantity, not an
	// enumeration (a sample rate of 32000, 44100 or 48000 Hz): checked,
	// without a named type.
	OneOf []json.RawMessage `json:"one_of,omitempty"`
	// Min and Max bound a number (each element of a number array); either
	// may be absent. MinOpen and MaxOpen make that end exclusive.
	Min     *float64 `json:"min,omitempty"`
	Max     *float64 `json:"max,omitempty"`
	MinOpen bool     `json:"min_open,omitempty"`
	MaxOpen bool     `json:"max_open,omitempty"`
	// Also lists values accepted outside [Min, Max] (typically 0 for "off").
	Also []float64 `json:"also,omitempty"`
	// Clamp says which out-of-range values the service adjusts instead of
	// refusing: "min" (values below Min become Min), "max" or "both". A
	// clamped end is documented and not checked.
	Clamp string `json:"clamp,omitempty"`
	// MinLen and MaxLen bound a string's length in characters (each
	// element of a string array).
	MinLen *int `json:"min_len,omitempty"`
	MaxLen *int `json:"max_len,omitempty"`
	// MinItems and MaxItems bound an array's length.
	MinItems *int `json:"min_items,omitempty"`
	MaxItems *int `json:"max_items,omitempty"`
	// Even: the number must be even.
	Even bool `json:"even,omitempty"`
	// Format of a string or number: unix_s, unix_ms, rfc3339 (with its
	// zone), date (YYYY-MM-DD), color (#RRGGBB), alnum (letters and digits),
	// url, base64, json. color, rfc3339 and alnum are checked; the others
	// are documented.
	Format string `json:"format,omitempty"`
	// Secret marks a credential (secret keys, app keys, callback secrets):
	// its value never appears in an error, a log line or a printed value.
	Secret bool `json:"secret,omitempty"`
	// ClampItems says which out-of-bounds list lengths the service adjusts
	// instead of refusing: "max" (a longer list is cut to MaxItems).
	ClampItems string `json:"clamp_items,omitempty"`
	// Source says where the fact's rules come from. Every rule of an
	// input fact (the keys in RuleKeys) needs one: this, or an entry of
	// Sources for that key (an enumeration's values take the source of the
	// enumeration itself).
	Source *Source `json:"source,omitempty"`
	// Sources overrides Source for single rules, keyed by the fact's key:
	// "max", "min_items", "enum" ... (one field's minimum and maximum may
	// come from different places).
	Sources map[string]*Source `json:"sources,omitempty"`
}

// Source names where a rule comes from: Ref is "page:6348/1051348" (a
// page of the vendor's documentation) or
// "model:service/rtc/v20231101/model.go#BanRoomUserBody.ForbiddenInterval"
// (a field of the vendor's SDK models, whose comment states it). Inferred
// is set when the vendor does not state the rule and it was inferred from
// what it does say: an inferred rule is documented and shown, never
// refused.
type Source struct {
	Ref      string `json:"ref"`
	Inferred bool   `json:"inferred,omitempty"`
	// Note says, when useful, what the vendor's words are worth (a
	// contradiction, a swapped comment).
	Note string `json:"note,omitempty"`
}

// RuleKeys are the keys of a fact that state a rule (checked or
// documented) and so need a source, in a fixed order.
var RuleKeys = []string{"enum", "one_of", "min", "max", "min_len", "max_len", "min_items", "max_items", "even", "format"}

// HasRule reports whether the fact gives the rule of key (one of RuleKeys).
func (x *Fact) HasRule(key string) bool {
	switch key {
	case "enum":
		return x.Enum != ""
	case "one_of":
		return len(x.OneOf) > 0
	case "min":
		return x.Min != nil
	case "max":
		return x.Max != nil
	case "min_len":
		return x.MinLen != nil
	case "max_len":
		return x.MaxLen != nil
	case "min_items":
		return x.MinItems != nil
	case "max_items":
		return x.MaxItems != nil
	case "even":
		return x.Even
	case "format":
		return x.Format != ""
	}
	return false
}

// SourceOf returns the source of one rule of a fact (key is one of
// RuleKeys), or nil when none is given: the fact's entry in Sources, else,
// for allowed values, the enumeration's source, else the fact's Source.
func (fs *Facts) SourceOf(x *Fact, key string) *Source {
	if x == nil {
		return nil
	}
	if s := x.Sources[key]; s != nil {
		return s
	}
	if key == "enum" {
		if e := fs.Enum(x); e != nil {
			return e.Source
		}
		return nil
	}
	return x.Source
}

// Stated reports whether a rule of a fact is stated by the vendor, and so
// is checked: it has a source that is not marked inferred.
func (fs *Facts) Stated(x *Fact, key string) bool {
	s := fs.SourceOf(x, key)
	return s != nil && !s.Inferred
}

// Refuses reports whether a rule between fields is checked: the vendor
// states it. An inferred rule is only documented.
func (r *Rule) Refuses() bool { return r.Source != nil && !r.Source.Inferred }

// checkRef checks the form of a source reference.
func checkRef(s *Source) error {
	if s == nil {
		return errors.New("no source")
	}
	if page, ok := strings.CutPrefix(s.Ref, "page:"); ok {
		doc, id, ok := strings.Cut(page, "/")
		if !ok || !allDigits(doc) || !allDigits(id) {
			return fmt.Errorf("source %q: a page is written page:6348/1051348", s.Ref)
		}
		return nil
	}
	if model, ok := strings.CutPrefix(s.Ref, "model:"); ok {
		file, field, ok := strings.Cut(model, "#")
		typ, name, ok2 := strings.Cut(field, ".")
		if !ok || !ok2 || !strings.HasPrefix(file, "service/") || !strings.HasSuffix(file, ".go") || typ == "" || name == "" {
			return fmt.Errorf("source %q: a model field is written model:service/<package>/<file>.go#<Type>.<Field>", s.Ref)
		}
		return nil
	}
	return fmt.Errorf("source %q: write the ref as page:<doc>/<page> or model:<file>#<Type>.<Field>", s.Ref)
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Enum is an enumeration: a named Go type with one constant per value.
type Enum struct {
	Name string `json:"-"`
	// Type is the spec type of the values: int32, int64 or string.
	Type string `json:"type"`
	// Doc reads after the type name: "says how ...", "is ...".
	Doc    string      `json:"doc"`
	Values []EnumValue `json:"values"`
	// Source says where the values come from. Inferred values are named
	// constants only: other values are not refused.
	Source *Source `json:"source,omitempty"`
	// File is the facts file that defines the enumeration.
	File string `json:"-"`
}

// EnumValue is one allowed value with its Go constant name and meaning.
type EnumValue struct {
	// Value is the JSON value: a number, or a string for string enums.
	Value json.RawMessage `json:"value"`
	Name  string          `json:"name"`
	Doc   string          `json:"doc"`
}

// Literal is the value as Go source: 1 or "interrupt".
func (v EnumValue) Literal() string { return string(v.Value) }

// Text is the value as a person reads it: 1 or interrupt.
func (v EnumValue) Text() string {
	var s string
	if json.Unmarshal(v.Value, &s) == nil {
		return s
	}
	return string(v.Value)
}

// Rule is a conditional rule between fields of one object.
type Rule struct {
	// Scope is the wire path of the object the rule applies in; "" is the
	// request itself. Inside arrays the rule applies to every element.
	Scope string `json:"scope,omitempty"`
	// AnyOf: at least one of these fields (paths relative to Scope) must
	// be set.
	AnyOf []string `json:"any_of,omitempty"`
	// When and Require: when the condition holds, the fields in Require
	// must be set.
	When    *Cond    `json:"when,omitempty"`
	Require []string `json:"require,omitempty"`
	// Doc states the rule as a person reads it; it is the problem's text.
	Doc string `json:"doc"`
	// Source says where the rule comes from (required); an inferred rule
	// is documented, not checked.
	Source *Source `json:"source,omitempty"`
}

// Cond holds when a field (relative to the rule's scope) has one of the
// values; a field left out counts as its documented default.
type Cond struct {
	Field string            `json:"field"`
	In    []json.RawMessage `json:"in"`
}

// shapeFact remembers where a fact for a shared shape was given.
type shapeFact struct {
	fact  *Fact
	where string // "Action.in.Path"
}

var (
	factsOnce sync.Once
	factsVal  *Facts
	factsErr  error
)

// LoadFacts reads, merges and checks the embedded facts files once. The
// result is shared: callers must not modify it.
func LoadFacts() (*Facts, error) {
	factsOnce.Do(func() {
		s, err := Load()
		if err != nil {
			factsErr = err
			return
		}
		files := map[string][]byte{}
		entries, err := factsFS.ReadDir("facts")
		if err != nil {
			factsErr = err
			return
		}
		for _, e := range entries {
			b, err := factsFS.ReadFile("facts/" + e.Name())
			if err != nil {
				factsErr = err
				return
			}
			files[e.Name()] = b
		}
		factsVal, factsErr = ParseFacts(s, files)
	})
	return factsVal, factsErr
}

// MustLoadFacts is LoadFacts for callers that cannot go on without them.
func MustLoadFacts() *Facts {
	f, err := LoadFacts()
	if err != nil {
		panic(err)
	}
	return f
}

// ParseFacts merges facts files (name -> contents) and checks them against
// the spec: every path names a field, every enumeration exists and fits its
// field's type, every rule names fields of its scope, and facts given for
// the same shared shape in several actions agree on their rules.
func ParseFacts(s *Spec, files map[string][]byte) (*Facts, error) {
	fs := &Facts{Enums: map[string]*Enum{}, Actions: map[string]*ActionFacts{}, Todo: map[string]string{}, spec: s,
		Common:  map[string]map[string]*Fact{"in": {}, "out": {}},
		byShape: map[string]*shapeFact{}, rules: map[string][]Rule{}}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var errs []error
	for _, n := range names {
		var ff factsFile
		dec := json.NewDecoder(bytes.NewReader(files[n]))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ff); err != nil {
			errs = append(errs, fmt.Errorf("facts/%s: %w", n, err))
			continue
		}
		for name, e := range ff.Enums {
			if _, dup := fs.Enums[name]; dup {
				errs = append(errs, fmt.Errorf("facts/%s: enum %s is also defined in facts/%s", n, name, fs.Enums[name].File))
				continue
			}
			e.Name, e.File = name, strings.TrimSuffix(path.Base(n), ".json")
			fs.Enums[name] = e
		}
		for name, a := range ff.Actions {
			if old, dup := fs.Actions[name]; dup {
				errs = append(errs, fmt.Errorf("facts/%s: action %s is also described in facts/%s", n, name, old.file))
				continue
			}
			a.file = n
			fs.Actions[name] = a
		}
		for k, v := range ff.Todo {
			fs.Todo[k] = v
		}
		for dir, m := range ff.Common {
			if dir != "in" && dir != "out" {
				errs = append(errs, fmt.Errorf("facts/%s: common: %q is not in or out", n, dir))
				continue
			}
			for name, x := range m {
				if _, dup := fs.Common[dir][name]; dup {
					errs = append(errs, fmt.Errorf("facts/%s: common %s.%s is given twice", n, dir, name))
				}
				if x.Doc == "" {
					errs = append(errs, fmt.Errorf("facts/%s: common %s.%s: no doc", n, dir, name))
				}
				fs.Common[dir][name] = x
			}
		}
	}
	errs = append(errs, fs.expandLike()...)
	errs = append(errs, fs.check()...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return fs, nil
}

// expandLike copies the facts that "like" entries ask for, in a fixed
// order. Copies are not followed further (a like of a like copies only
// what the source gives itself).
func (fs *Facts) expandLike() []error {
	var errs []error
	type cp struct {
		dst map[string]*Fact
		key string
		x   *Fact
	}
	var copies []cp
	for _, an := range sortedKeys(fs.Actions) {
		af := fs.Actions[an]
		for _, dstKey := range sortedKeys(af.Like) {
			srcKey := af.Like[dstKey]
			dDir, dPath, _ := strings.Cut(dstKey, ".")
			sAct, rest, ok := strings.Cut(srcKey, ".")
			sDir, sPath, _ := strings.Cut(rest, ".")
			src := fs.Actions[sAct]
			if !ok || src == nil || (dDir != "in" && dDir != "out") || (sDir != "in" && sDir != "out") {
				errs = append(errs, fmt.Errorf("facts/%s: %s like %q: %q is not Action.in|out.Path of a described action", af.file, an, dstKey, srcKey))
				continue
			}
			sm := src.In
			if sDir == "out" {
				sm = src.Out
			}
			if dDir == "in" && af.In == nil {
				af.In = map[string]*Fact{}
			}
			if dDir == "out" && af.Out == nil {
				af.Out = map[string]*Fact{}
			}
			dm := af.In
			if dDir == "out" {
				dm = af.Out
			}
			n := 0
			for _, p := range sortedKeys(sm) {
				rel, ok := p, true
				if sPath != "" {
					rel, ok = strings.CutPrefix(p, sPath+".")
				}
				if !ok {
					continue
				}
				key := rel
				if dPath != "" {
					key = dPath + "." + rel
				}
				a := fs.spec.Find(an)
				if a == nil || a.LookupPath(dDir, key) == nil {
					continue
				}
				if _, own := dm[key]; !own {
					copies = append(copies, cp{dm, key, sm[p]})
					n++
				}
			}
			if n == 0 {
				errs = append(errs, fmt.Errorf("facts/%s: %s like %q from %q copies nothing", af.file, an, dstKey, srcKey))
			}
		}
	}
	for _, c := range copies {
		c.dst[c.key] = c.x
	}
	return errs
}

// check validates the merged facts and builds the shape index.
func (fs *Facts) check() []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	for _, name := range sortedKeys(fs.Enums) {
		e := fs.Enums[name]
		if e.Type != "int32" && e.Type != "int64" && e.Type != "string" {
			bad("enum %s: type %q is not int32, int64 or string", name, e.Type)
		}
		if len(e.Values) == 0 {
			bad("enum %s: no values", name)
		}
		seen := map[string]bool{}
		for _, v := range e.Values {
			isStr := len(v.Value) > 0 && v.Value[0] == '"'
			if isStr != (e.Type == "string") {
				bad("enum %s: value %s does not fit type %s", name, v.Value, e.Type)
			}
			if !isStr {
				if _, err := strconv.ParseInt(string(v.Value), 10, 64); err != nil {
					bad("enum %s: value %s is not an integer", name, v.Value)
				}
			}
			if v.Name == "" || v.Doc == "" || seen[v.Name] {
				bad("enum %s: value %s needs a unique name and a doc", name, v.Value)
			}
			seen[v.Name] = true
		}
		if e.Doc == "" {
			bad("enum %s: no doc", name)
		}
		if err := checkRef(e.Source); err != nil {
			bad("facts/%s.json: enum %s: %v", e.File, name, err)
		}
	}
	for _, dir := range []string{"in", "out"} {
		for _, name := range sortedKeys(fs.Common[dir]) {
			for _, err := range fs.checkSources(fs.Common[dir][name], dir == "in") {
				bad("facts: common %s.%s: %v", dir, name, err)
			}
		}
	}
	for _, an := range sortedKeys(fs.Actions) {
		af := fs.Actions[an]
		a := fs.spec.Find(an)
		if a == nil {
			bad("facts/%s: unknown action %s", af.file, an)
			continue
		}
		for _, dir := range []string{"in", "out"} {
			m, fields := af.In, a.Input
			if dir == "out" {
				m, fields = af.Out, a.Result
			}
			for _, p := range sortedKeys(m) {
				f, _ := lookupPath(fields, p)
				if f == nil {
					bad("facts/%s: %s.%s.%s: no such field in the spec", af.file, an, dir, p)
					continue
				}
				if err := fs.checkFact(m[p], f); err != nil {
					bad("facts/%s: %s.%s.%s: %v", af.file, an, dir, p, err)
				}
				for _, err := range fs.checkSources(m[p], dir == "in") {
					bad("facts/%s: %s.%s.%s: %v", af.file, an, dir, p, err)
				}
			}
		}
		if af.Window != nil {
			if _, _, err := af.Window.Durations(); err != nil {
				bad("facts/%s: %s window: %v", af.file, an, err)
			}
			if f, _ := lookupPath(a.Input, "StartTime"); f == nil || f.Type != "string" {
				bad("facts/%s: %s window: the input has no StartTime string", af.file, an)
			}
		}
		for i, r := range af.Rules {
			scope := a.Input
			if r.Scope != "" {
				f, _ := lookupPath(a.Input, r.Scope)
				if o := objectFields(f); o != nil {
					scope = o
				} else {
					bad("facts/%s: %s rule %d: scope %s is not an object in the input", af.file, an, i, r.Scope)
					continue
				}
			}
			if r.Doc == "" {
				bad("facts/%s: %s rule %d: no doc", af.file, an, i)
			}
			if err := checkRef(r.Source); err != nil {
				bad("facts/%s: %s rule %d (%s): %v", af.file, an, i, r.Doc, err)
			}
			names := append(append([]string{}, r.AnyOf...), r.Require...)
			if r.When != nil {
				names = append(names, r.When.Field)
			}
			if (len(r.AnyOf) == 0) == (r.When == nil) || (r.When != nil && len(r.Require) == 0) {
				bad("facts/%s: %s rule %d: give either any_of, or when with require", af.file, an, i)
			}
			for _, n := range names {
				if f, _ := lookupPath(scope, n); f == nil {
					bad("facts/%s: %s rule %d: no field %s in scope %q", af.file, an, i, n, r.Scope)
				}
			}
		}
	}
	// Index facts by shape, in a fixed order, so that a nested object
	// shared by several actions takes its facts from any one of them, and
	// refuse facts that disagree on rules.
	for _, an := range sortedKeys(fs.Actions) {
		af := fs.Actions[an]
		a := fs.spec.Find(an)
		if a == nil {
			continue
		}
		for _, dir := range []string{"in", "out"} {
			m, fields := af.In, a.Input
			if dir == "out" {
				m, fields = af.Out, a.Result
			}
			for _, p := range sortedKeys(m) {
				_, parent := lookupPath(fields, p)
				if parent == nil { // a top-level field: not shared
					continue
				}
				key := dir + "{" + ShapeKey(dir == "in", parent) + "}/" + lastName(p)
				where := an + "." + dir + "." + p
				if old, ok := fs.byShape[key]; ok {
					if fs.ruleSig(old.fact) != fs.ruleSig(m[p]) {
						bad("facts: %s and %s describe the same shared field with different rules", old.where, where)
					}
					continue
				}
				fs.byShape[key] = &shapeFact{fact: m[p], where: where}
			}
		}
		for _, r := range af.Rules {
			if r.Scope == "" {
				continue
			}
			f, _ := lookupPath(a.Input, r.Scope)
			key := "in{" + ShapeKey(true, objectFields(f)) + "}"
			dup := false
			for _, o := range fs.rules[key] {
				if o.Doc == r.Doc {
					dup = true
				}
			}
			if !dup {
				fs.rules[key] = append(fs.rules[key], r)
			}
		}
	}
	return errs
}

// checkFact checks one fact against its field.
func (fs *Facts) checkFact(x *Fact, f *Field) error {
	t := f.Type
	if t == "array" && f.Elem != nil {
		t = f.Elem.Type
	}
	num := t == "int32" || t == "int64" || t == "float32" || t == "float64"
	switch {
	case x.Doc == "":
		return errors.New("no doc")
	case x.Enum != "" && fs.Enums[x.Enum] == nil:
		return fmt.Errorf("unknown enum %s", x.Enum)
	case x.Enum != "" && len(x.OneOf) > 0:
		return errors.New("both enum and one_of")
	case x.Enum != "" && fs.Enums[x.Enum].Type != t:
		return fmt.Errorf("enum %s has type %s, the field %s", x.Enum, fs.Enums[x.Enum].Type, t)
	case (x.Min != nil || x.Max != nil || x.Even || len(x.Also) > 0) && !num:
		return fmt.Errorf("a range or evenness on a %s field", t)
	case (x.MinLen != nil || x.MaxLen != nil) && t != "string":
		return fmt.Errorf("a length on a %s field", t)
	case (x.MinItems != nil || x.MaxItems != nil) && f.Type != "array":
		return fmt.Errorf("an item count on a %s field", f.Type)
	case x.Clamp != "" && x.Clamp != "min" && x.Clamp != "max" && x.Clamp != "both" && x.Clamp != "default":
		return fmt.Errorf("clamp %q is not min, max, both or default", x.Clamp)
	case x.Min != nil && x.Max != nil && *x.Min > *x.Max:
		return errors.New("min is above max")
	case x.Clamp == "default" && (x.Enum == "" && len(x.OneOf) == 0 || len(x.Default) == 0):
		return errors.New(`clamp "default" needs allowed values and a default`)
	case x.Clamp != "" && x.Clamp != "default" && x.Min == nil && x.Max == nil:
		return fmt.Errorf("clamp %q without a range", x.Clamp)
	case x.ClampItems != "" && (x.ClampItems != "max" || x.MaxItems == nil):
		return errors.New(`clamp_items is "max", with max_items`)
	}
	switch x.Format {
	case "", "unix_s", "unix_ms", "rfc3339", "date", "color", "alnum", "url", "base64", "json":
	default:
		return fmt.Errorf("unknown format %q", x.Format)
	}
	return nil
}

// checkSources checks that every rule of a fact names a well-formed
// source (required for inputs, whose rules are checked; a result's fact
// may name one) and that Sources names only rules the fact gives.
func (fs *Facts) checkSources(x *Fact, input bool) []error {
	var errs []error
	for _, k := range sortedKeys(x.Sources) {
		if !x.HasRule(k) {
			errs = append(errs, fmt.Errorf("sources.%s: the fact gives no %s", k, k))
		}
	}
	for _, k := range RuleKeys {
		if !x.HasRule(k) {
			continue
		}
		s := fs.SourceOf(x, k)
		if s == nil && !input {
			continue
		}
		if s == nil && k == "enum" {
			continue // the enumeration is checked on its own
		}
		if err := checkRef(s); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", k, err))
		}
	}
	if x.Source != nil {
		if err := checkRef(x.Source); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// inferredKeys lists the rules of a fact that are not stated.
func (fs *Facts) inferredKeys(x *Fact) []string {
	var out []string
	for _, k := range RuleKeys {
		if x.HasRule(k) && !fs.Stated(x, k) {
			out = append(out, k)
		}
	}
	return out
}

// ruleSig is everything about a fact that the validators check.
func (fs *Facts) ruleSig(x *Fact) string {
	inferred := fs.inferredKeys(x)
	b, _ := json.Marshal(struct {
		E          string
		One        []json.RawMessage
		Min, Max   *float64
		MO, XO     bool
		Also       []float64
		C          string
		ML, XL     *int
		MI, XI     *int
		Even       bool
		F          string
		Secret     bool
		HasDefault bool
		CI         string
		Inferred   []string
	}{x.Enum, x.OneOf, x.Min, x.Max, x.MinOpen, x.MaxOpen, x.Also, x.Clamp, x.MinLen, x.MaxLen, x.MinItems, x.MaxItems, x.Even, x.Format, x.Secret, len(x.Default) > 0, x.ClampItems, inferred})
	return string(b)
}

// Field returns the fact of a field: the one given for this action and
// path, or else, for a field of a nested object, the one given for the
// same field of the same shape in another action. dir is "in" or "out".
func (fs *Facts) Field(action, dir, p string) *Fact {
	if af := fs.Actions[action]; af != nil {
		m := af.In
		if dir == "out" {
			m = af.Out
		}
		if x := m[p]; x != nil {
			return x
		}
	}
	a := fs.spec.Find(action)
	if a == nil {
		return nil
	}
	fields := a.Input
	if dir == "out" {
		fields = a.Result
	}
	f, parent := lookupPath(fields, p)
	if f == nil {
		return nil
	}
	if parent != nil {
		if sf := fs.byShape[dir+"{"+ShapeKey(dir == "in", parent)+"}/"+lastName(p)]; sf != nil {
			return sf.fact
		}
	}
	return fs.Common[dir][lastName(p)]
}

// Rules returns the conditional rules that apply in an object of the
// action's input at scope ("" for the request): the action's own, and
// those given for the same shape in other actions.
func (fs *Facts) Rules(action, scope string) []Rule {
	var out []Rule
	if af := fs.Actions[action]; af != nil {
		for _, r := range af.Rules {
			if r.Scope == scope {
				out = append(out, r)
			}
		}
	}
	if scope == "" {
		return out
	}
	a := fs.spec.Find(action)
	if a == nil {
		return out
	}
	f, _ := lookupPath(a.Input, scope)
	for _, r := range fs.rules["in{"+ShapeKey(true, objectFields(f))+"}"] {
		dup := false
		for _, o := range out {
			dup = dup || o.Doc == r.Doc
		}
		if !dup {
			out = append(out, r)
		}
	}
	return out
}

// Enum returns the enumeration of a fact, or nil.
func (fs *Facts) Enum(x *Fact) *Enum {
	if x == nil || x.Enum == "" {
		return nil
	}
	return fs.Enums[x.Enum]
}

// lookupPath finds the field at a dotted wire path and the fields of the
// object that holds it (nil for a top-level field).
func lookupPath(fields []Field, p string) (*Field, []Field) {
	var parent []Field
	cur := fields
	parts := strings.Split(p, ".")
	for i, name := range parts {
		var f *Field
		for j := range cur {
			if cur[j].Name == name {
				f = &cur[j]
			}
		}
		if f == nil {
			return nil, nil
		}
		if i == len(parts)-1 {
			if i == 0 {
				return f, nil
			}
			return f, parent
		}
		cur = objectFields(f)
		parent = cur
		if cur == nil {
			return nil, nil
		}
	}
	return nil, nil
}

// LookupPath is lookupPath for other packages: the field at a dotted wire
// path of an action's input ("in") or result ("out"), or nil.
func (a *Action) LookupPath(dir, p string) *Field {
	fields := a.Input
	if dir == "out" {
		fields = a.Result
	}
	f, _ := lookupPath(fields, p)
	return f
}

// objectFields returns the fields of an object field or of an array of
// objects' element, or nil.
func objectFields(f *Field) []Field {
	if f == nil {
		return nil
	}
	switch {
	case f.Type == "object":
		return f.Fields
	case f.Type == "array" && f.Elem != nil && f.Elem.Type == "object":
		return f.Elem.Fields
	}
	return nil
}

func lastName(p string) string {
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// ShapeKey is a canonical description of an object shape: its field names
// and types, recursively, and for inputs whether each field is required.
// Equal keys are one generated Go type, so they share their facts.
func ShapeKey(input bool, fs []Field) string {
	parts := make([]string, 0, len(fs))
	for i := range fs {
		f := &fs[i]
		k := f.Name + ":" + typeKey(input, f)
		if input && f.Required {
			k += "!"
		}
		parts = append(parts, k)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

func typeKey(input bool, f *Field) string {
	switch f.Type {
	case "object":
		return "{" + ShapeKey(input, f.Fields) + "}"
	case "array":
		if f.Elem == nil {
			return "[]any"
		}
		return "[]" + typeKey(input, f.Elem)
	}
	return f.Type
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
