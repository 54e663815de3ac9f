package conformance_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/volcrtc/rtc/internal/spec"
)

// TestFactSourcesNameVendorFields: every "model:" source of the field
// facts names a struct type and a field that exist in the vendor SDK this
// module requires, so a source can be looked up and read.
func TestFactSourcesNameVendorFields(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/volcengine/volc-sdk-golang").Output()
	if err != nil {
		t.Fatalf("finding the vendor SDK: %v", err)
	}
	root := strings.TrimSpace(string(out))
	fs := spec.MustLoadFacts()
	refs := map[string][]string{} // ref -> where it is used
	add := func(s *spec.Source, where string) {
		if s != nil && strings.HasPrefix(s.Ref, "model:") {
			refs[s.Ref] = append(refs[s.Ref], where)
		}
	}
	for name, e := range fs.Enums {
		add(e.Source, "enum "+name)
	}
	for an, af := range fs.Actions {
		for dir, m := range map[string]map[string]*spec.Fact{"in": af.In, "out": af.Out} {
			for p, x := range m {
				add(x.Source, an+"."+dir+"."+p)
				for k, s := range x.Sources {
					add(s, an+"."+dir+"."+p+" "+k)
				}
			}
		}
		for _, r := range af.Rules {
			add(r.Source, an+" rule "+r.Doc)
		}
	}
	if len(refs) < 100 {
		t.Fatalf("only %d model sources: the facts are not read", len(refs))
	}
	files := map[string]map[string]map[string]bool{} // file -> type -> fields
	load := func(file string) map[string]map[string]bool {
		if m, ok := files[file]; ok {
			return m
		}
		m := map[string]map[string]bool{}
		files[file] = m
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(root, filepath.FromSlash(file)), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Errorf("%s: %v", file, err)
			return m
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, sp := range g.Specs {
				ts, ok := sp.(*ast.TypeSpec)
				if !ok {
					continue
				}
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				fields := map[string]bool{}
				for _, fl := range st.Fields.List {
					for _, n := range fl.Names {
						fields[n.Name] = true
					}
				}
				m[ts.Name.Name] = fields
			}
		}
		return m
	}
	keys := make([]string, 0, len(refs))
	for r := range refs {
		keys = append(keys, r)
	}
	sort.Strings(keys)
	for _, r := range keys {
		file, field, _ := strings.Cut(strings.TrimPrefix(r, "model:"), "#")
		typ, name, _ := strings.Cut(field, ".")
		types := load(file)
		if fields, ok := types[typ]; !ok {
			t.Errorf("%s (used by %s): no type %s in %s", r, refs[r][0], typ, file)
		} else if !fields[name] {
			t.Errorf("%s (used by %s): type %s has no field %s", r, refs[r][0], typ, name)
		}
	}
}
