package main

import (
	"go/parser"
	"go/token"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/volcrtc/rtc/internal/spec"
)

func TestJSONTypesAreBodyInputsOnly(t *testing.T) {
	filter := obj("Filter", str("Name", false))
	s := &spec.Spec{Actions: []spec.Action{
		{Action: "GetX", Category: "q", Method: "GET", InputIn: "query", ResultType: "object",
			Input: []spec.Field{str("AppId", true)}, Result: []spec.Field{filter}},
		{Action: "StartX", Category: "q", Method: "POST", InputIn: "body", ResultType: "string",
			Input: []spec.Field{str("AppId", true), filter}},
	}}
	m, err := buildModel(withRules(s), noFacts(t, s))
	require.NoError(t, err)
	var names []string
	for st := range m.jsonTypes() {
		names = append(names, st.Name)
	}
	require.ElementsMatch(t, []string{"StartXRequest", "Filter"}, names)
}

// renderOne renders the appendJSON method of the request of a one-action
// model and checks that it parses.
func renderOne(t *testing.T, input ...spec.Field) string {
	t.Helper()
	s := &spec.Spec{Actions: []spec.Action{
		{Action: "StartX", Category: "q", Method: "POST", InputIn: "body", ResultType: "string", Input: input},
	}}
	m, err := buildModel(withRules(s), noFacts(t, s))
	require.NoError(t, err)
	var b strings.Builder
	renderAppendJSON(&b, m.Actions[0].Request)
	_, err = parser.ParseFile(token.NewFileSet(), "", "package x\n"+b.String(), 0)
	require.NoError(t, err, b.String())
	return b.String()
}

func TestRenderAppendJSON(t *testing.T) {
	t.Run("a required first field opens the object", func(t *testing.T) {
		src := renderOne(t, str("AppId", true), i32("Count"))
		require.Contains(t, src, "b = append(b, `{\"AppId\":`...)")
		require.Contains(t, src, "if r.Count != nil {\n\t\tb = append(b, `,\"Count\":`...)\n\t\tb = strconv.AppendInt(b, int64(*r.Count), 10)")
		require.NotContains(t, src, "start := len(b)")
		require.NotContains(t, src, "var err error", "nothing here can fail")
	})
	t.Run("optional first field: the first comma becomes the brace", func(t *testing.T) {
		src := renderOne(t, str("Name", false), spec.Field{Name: "Ratio", Type: "float32"})
		require.Contains(t, src, "start := len(b)")
		require.Contains(t, src, "b[start] = '{'")
		require.Contains(t, src, "if b, err = appendJSONFloat32(b, *r.Ratio); err != nil {\n\t\t\treturn nil, err")
	})
	t.Run("no fields", func(t *testing.T) {
		src := renderOne(t)
		require.Contains(t, src, `b = append(b, "{}"...)`)
	})
	t.Run("nested lists and required lists", func(t *testing.T) {
		grid := spec.Field{Name: "Grid", Type: "array", Required: true, Elem: &spec.Field{Type: "array", Elem: &spec.Field{Type: "int32"}}}
		src := renderOne(t, grid, arr("Tags", spec.Field{Type: "string"}))
		require.Contains(t, src, "if r.Grid == nil {\n\t\tb = append(b, \"null\"...)")
		require.Contains(t, src, "for j := range r.Grid[i] {")
		require.Contains(t, src, "strconv.AppendInt(b, int64(r.Grid[i][j]), 10)")
		require.Contains(t, src, "if len(r.Tags) > 0 {")
	})
	t.Run("objects and raw JSON", func(t *testing.T) {
		src := renderOne(t, spec.Field{Name: "Cfg", Type: "object", Required: true, Fields: []spec.Field{str("A", false)}},
			arr("Items", obj("", str("B", true))), spec.Field{Name: "Raw", Type: "any"})
		require.Contains(t, src, "if b, err = r.Cfg.appendJSON(b); err != nil {", "a nil pointer writes null itself")
		require.Contains(t, src, "r.Items[i].appendJSON(b)")
		require.Contains(t, src, "if len(r.Raw) > 0 {")
		require.Contains(t, src, "appendJSONRaw(b, r.Raw)")
	})
	t.Run("names are escaped as json.Marshal escapes them", func(t *testing.T) {
		src := renderOne(t, str("a<b", true))
		require.Contains(t, src, "`{\"a\\u003cb\":`")
	})
}
