// Package spec embeds the RTC OpenAPI description (rtc-openapi.json, a copy
// of the vendor's models: action names, versions, methods and the input and
// result shapes), the actions written from the vendor's pages
// (rtc-openapi-pages.json) and this SDK's rules per action (actions.json:
// what the action does, its retry safety, its documented rate limit and the
// names of its nested types), and decodes them. The code generator, the
// fake server and the command-line tool all read the same copy.
package spec

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
)

//go:embed rtc-openapi.json
var raw []byte

// pagesRaw holds the actions written from the vendor's public API pages
// rather than from its SDK models: actions no SDK models yet (subtitles)
// and newer versions of modelled ones (voice chat 2025-06-01). Each names
// its page in "source". Load merges them over rtc-openapi.json.
//
//go:embed rtc-openapi-pages.json
var pagesRaw []byte

// actionsRaw holds the SDK's rules per action, one entry per action (see
// Rules).
//
//go:embed actions.json
var actionsRaw []byte

// Spec is the whole document.
type Spec struct {
	Service   string     `json:"service"`
	Source    string     `json:"source"`
	Endpoints []Endpoint `json:"endpoints"`
	Actions   []Action   `json:"actions"`
	IDFields  []string   `json:"id_fields"`
	IDRule    IDRule     `json:"id_rule"`
	// TypeDocs documents nested types by their Go name (actions.json
	// "types"); the facts document fields.
	TypeDocs map[string]string `json:"-"`
}

// Endpoint is one region and its host.
type Endpoint struct {
	Host   string `json:"host"`
	Region string `json:"region"`
}

// IDRule is the constraint on ID parameters.
type IDRule struct {
	MaxLen  int    `json:"max_len"`
	Charset string `json:"charset"`
	// AppliesTo says which fields the rule covers: string-typed fields
	// only (the IM server API's user and app ids are integers).
	AppliesTo string `json:"applies_to"`
}

// Action is one OpenAPI action.
type Action struct {
	Action        string              `json:"action"`
	Version       string              `json:"version"`
	Method        string              `json:"method"`   // GET or POST
	InputIn       string              `json:"input_in"` // query or body
	Input         []Field             `json:"input"`
	Result        []Field             `json:"result"`
	ResultType    string              `json:"result_type"` // object, string, any, int32 (a bare number) or array (a bare list)
	ResultElem    *Field              `json:"result_elem"` // the element of a bare list result
	Category      string              `json:"category"`
	OlderVersions []string            `json:"older_versions"`
	Source        string              `json:"source"`
	Enums         map[string][]string `json:"enums"`
	// Rules are the SDK's rules for the action, from actions.json.
	Rules Rules `json:"-"`
}

// The retry-safety classes of Rules.Safety.
const (
	// Safe: a read, or an action that sets a state rather than adds to
	// it; repeating it after an ambiguous failure changes nothing.
	Safe = "safe"
	// SafeWithTask: a Start action keyed by its TaskId; the service
	// recognises a repeat, and answers it TaskAlreadyExists.
	SafeWithTask = "task"
	// Unsafe: a send, create, add or delete; retried only when the
	// request surely did not reach the service.
	Unsafe = "unsafe"
)

// Rules are the SDK's rules for one action: everything the generator
// needs beyond the vendor's shapes, kept in one entry of actions.json.
type Rules struct {
	// Doc says what the action does, one to three sentences that read
	// after the action's name: "bans a user from a room".
	Doc string `json:"doc"`
	// Safety is Safe, SafeWithTask or Unsafe.
	Safety string `json:"safety"`
	// Limit is the call rate the vendor documents for the action, or nil
	// (the client's default limit applies).
	Limit *Limit `json:"limit,omitempty"`
	// Names gives a nested type a better Go name than the one derived from
	// its field, keyed by "in|out.Path" of one of its uses
	// ("out.List": "Music").
	Names map[string]string `json:"names,omitempty"`
}

// Limit is a documented call rate: QPS calls per second or PerMinute calls
// per minute (one of them), drawn from the bucket Group shares, if any.
type Limit struct {
	QPS       float64 `json:"qps,omitempty"`
	PerMinute float64 `json:"per_minute,omitempty"`
	Group     string  `json:"group,omitempty"`
	// Source names the vendor page(s) of the figure.
	Source string `json:"source"`
}

// Field is one field of an input or result shape. Type is one of string,
// int32, int64, float32, float64, bool, object (Fields), array (Elem) or any.
type Field struct {
	Name     string  `json:"name"`
	Type     string  `json:"type"`
	Required bool    `json:"required"`
	Nullable bool    `json:"nullable"`
	Fields   []Field `json:"fields"`
	Elem     *Field  `json:"elem"`
}

var (
	once   sync.Once
	parsed *Spec
	err    error
)

// Load decodes the embedded document once and returns it. The result is
// shared: callers must not modify it.
func Load() (*Spec, error) {
	once.Do(func() {
		var s Spec
		if e := json.Unmarshal(raw, &s); e != nil {
			err = fmt.Errorf("spec: decode rtc-openapi.json: %w", e)
			return
		}
		if e := mergePages(&s, pagesRaw); e != nil {
			err = e
			return
		}
		if e := mergeRules(&s, actionsRaw); e != nil {
			err = e
			return
		}
		if e := nameBareResults(&s); e != nil {
			err = e
			return
		}
		relaxContradictoryRequired(&s)
		sort.Slice(s.Actions, func(i, j int) bool { return s.Actions[i].Action < s.Actions[j].Action })
		parsed = &s
	})
	return parsed, err
}

// mergePages adds the actions of rtc-openapi-pages.json to s, replacing
// actions of the same name. Every page action must name its source.
func mergePages(s *Spec, b []byte) error {
	var pages struct {
		Actions []Action `json:"actions"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if e := dec.Decode(&struct {
		Source  string    `json:"source"`
		Actions *[]Action `json:"actions"`
	}{Actions: &pages.Actions}); e != nil {
		return fmt.Errorf("spec: decode rtc-openapi-pages.json: %w", e)
	}
	for _, a := range pages.Actions {
		if a.Source == "" {
			return fmt.Errorf("spec: rtc-openapi-pages.json: action %s does not name its source", a.Action)
		}
		replaced := false
		for i := range s.Actions {
			if s.Actions[i].Action == a.Action {
				s.Actions[i] = a
				replaced = true
			}
		}
		if !replaced {
			s.Actions = append(s.Actions, a)
		}
	}
	return nil
}

// mergeRules sets the Rules of every action from actions.json: every action
// has exactly one entry, and every entry names an action.
func mergeRules(s *Spec, b []byte) error {
	var doc struct {
		Types   map[string]string `json:"types"`
		Actions map[string]Rules  `json:"actions"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if e := dec.Decode(&doc); e != nil {
		return fmt.Errorf("spec: decode actions.json: %w", e)
	}
	s.TypeDocs = doc.Types
	for i := range s.Actions {
		a := &s.Actions[i]
		r, ok := doc.Actions[a.Action]
		if !ok {
			return fmt.Errorf("spec: actions.json: no entry for action %s: give it a doc and a safety", a.Action)
		}
		if e := r.check(a); e != nil {
			return fmt.Errorf("spec: actions.json: %s: %w", a.Action, e)
		}
		a.Rules = r
		delete(doc.Actions, a.Action)
	}
	for name := range doc.Actions {
		return fmt.Errorf("spec: actions.json: entry for unknown action %s", name)
	}
	return nil
}

// check reports what is wrong with an action's rules.
func (r *Rules) check(a *Action) error {
	if r.Doc == "" {
		return fmt.Errorf("no doc")
	}
	switch r.Safety {
	case Safe, Unsafe:
	case SafeWithTask:
		hasTask := false
		for _, f := range a.Input {
			hasTask = hasTask || f.Name == "TaskId"
		}
		if !hasTask {
			return fmt.Errorf("safety %q needs a TaskId in the input", r.Safety)
		}
	default:
		return fmt.Errorf("safety %q: want %q, %q or %q", r.Safety, Safe, SafeWithTask, Unsafe)
	}
	if l := r.Limit; l != nil {
		if (l.QPS > 0) == (l.PerMinute > 0) {
			return fmt.Errorf("limit: give qps or per_minute, one of them, above zero")
		}
		if l.Source == "" {
			return fmt.Errorf("limit: name its source page")
		}
	}
	for k := range r.Names {
		if !strings.HasPrefix(k, "in.") && !strings.HasPrefix(k, "out.") {
			return fmt.Errorf("names: key %q must start with \"in.\" or \"out.\"", k)
		}
	}
	return nil
}

// MustLoad is Load for callers that cannot go on without the spec (the
// generator, tests); the embedded file is checked by this package's tests.
func MustLoad() *Spec {
	s, e := Load()
	if e != nil {
		panic(e)
	}
	return s
}

// Find returns the action with the given name, or nil.
func (s *Spec) Find(name string) *Action {
	i := sort.Search(len(s.Actions), func(i int) bool { return s.Actions[i].Action >= name })
	if i < len(s.Actions) && s.Actions[i].Action == name {
		return &s.Actions[i]
	}
	return nil
}

// HasVersion reports whether v is the action's current or an older version.
func (a *Action) HasVersion(v string) bool {
	if v == a.Version {
		return true
	}
	for _, o := range a.OlderVersions {
		if o == v {
			return true
		}
	}
	return false
}
