package rtc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"log/slog"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/volcrtc/rtc/internal/spec"
)

// secretHolders parses the package and returns the struct types that hold
// a secret field (by JSON name, see secretFields), directly or through
// fields of other such types, and the types that have Format and LogValue
// methods.
func secretHolders(t *testing.T) (holders []string, formatted, logged map[string]bool) {
	t.Helper()
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	require.NoError(t, err)
	structs := map[string]*ast.StructType{}
	formatted, logged = map[string]bool{}, map[string]bool{}
	for _, f := range pkgs["rtc"].Files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if ts, ok := s.(*ast.TypeSpec); ok {
						if st, ok := ts.Type.(*ast.StructType); ok && ts.Name.IsExported() {
							structs[ts.Name.Name] = st
						}
					}
				}
			case *ast.FuncDecl:
				if d.Recv == nil || len(d.Recv.List) == 0 {
					continue
				}
				rt := d.Recv.List[0].Type
				if se, ok := rt.(*ast.StarExpr); ok {
					rt = se.X
				}
				if id, ok := rt.(*ast.Ident); ok {
					switch d.Name.Name {
					case "Format":
						formatted[id.Name] = true
					case "LogValue":
						logged[id.Name] = true
					}
				}
			}
		}
	}
	// typeName strips pointers, slices and maps down to a named type.
	var typeName func(ast.Expr) string
	typeName = func(e ast.Expr) string {
		switch x := e.(type) {
		case *ast.Ident:
			return x.Name
		case *ast.StarExpr:
			return typeName(x.X)
		case *ast.ArrayType:
			return typeName(x.Elt)
		case *ast.MapType:
			return typeName(x.Value)
		}
		return ""
	}
	holds := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for name, st := range structs {
			if holds[name] {
				continue
			}
			for _, fld := range st.Fields.List {
				jsonName := ""
				if fld.Tag != nil {
					tag, _ := strconv.Unquote(fld.Tag.Value)
					jsonName, _, _ = strings.Cut(reflect.StructTag(tag).Get("json"), ",")
				}
				isString := false
				if id, ok := fld.Type.(*ast.Ident); ok && id.Name == "string" {
					isString = true
				}
				if (isString && isSecretField(jsonName)) || holds[typeName(fld.Type)] {
					holds[name], changed = true, true
					break
				}
			}
		}
	}
	for name := range holds {
		holders = append(holders, name)
	}
	sort.Strings(holders)
	return holders, formatted, logged
}

// Every type that holds a secret, directly or nested, formats and logs it
// redacted.
func TestSecretTypesAreRedacted(t *testing.T) {
	holders, formatted, logged := secretHolders(t)
	require.Contains(t, holders, "CreateCallbackRequest")
	require.Contains(t, holders, "StartRecordRequest", "holds a CustomConfig")
	var missing []string
	for _, h := range holders {
		if !formatted[h] || !logged[h] {
			missing = append(missing, h)
		}
	}
	require.Empty(t, missing, "types holding a secret without Format and LogValue")
}

// The facts in internal/spec mark the secret fields; the redaction list
// knows every one of them by its JSON name.
func TestSecretFieldsCoverFacts(t *testing.T) {
	facts, err := spec.LoadFacts()
	require.NoError(t, err)
	var names []string
	collect := func(prefix string, m map[string]*spec.Fact) {
		for path, f := range m {
			if f != nil && f.Secret {
				names = append(names, prefix+path)
			}
		}
	}
	for action, af := range facts.Actions {
		collect(action+".in.", af.In)
		collect(action+".out.", af.Out)
	}
	for dir, m := range facts.Common {
		collect("common."+dir+".", m)
	}
	require.NotEmpty(t, names)
	for _, n := range names {
		leaf := n[strings.LastIndex(n, ".")+1:]
		require.True(t, isSecretField(leaf) || isRawSecretField(leaf), "field %s is marked secret in internal/spec but not redacted (add %q to secretFields, or to rawSecretFields for raw JSON)", n, leaf)
	}
}

// Formatting with every verb, and logging through slog's text and JSON
// handlers, never shows the secret; json.Marshal keeps it (the wire needs
// it).
func TestSecretTypesFormatting(t *testing.T) {
	const secret = "very-secret-value-1"
	values := []any{
		CreateCallbackRequest{AppID: "app", SecretKey: secret},
		&UpdateCallbackRequest{AppID: "app", SecretKey: secret},
		GetCallbackResult{SecretKey: secret},
		CallbackConfig{SecretKey: secret},
		CreateAppResult{AppKey: secret},
		App{AppKey: secret},
		&StartRecordRequest{AppID: "app", StorageConfig: &RecordStorageConfig{CustomConfig: &RecordCustomConfig{SecretKey: secret, AccessKey: "AK"}}},
		CustomConfig{SecretKey: secret},
		LimitTokenPrivilegeRequest{Token: secret},
	}
	for _, v := range values {
		name := fmt.Sprintf("%T", v)
		t.Run(name, func(t *testing.T) {
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
				require.NotContains(t, fmt.Sprintf(verb, v), secret, verb)
				require.NotContains(t, fmt.Sprintf(verb, []any{v}), secret, verb+" nested")
			}
			require.Contains(t, fmt.Sprintf("%+v", v), "[redacted]")
			if s, ok := v.(fmt.Stringer); ok {
				require.NotContains(t, s.String(), secret)
			}
			var buf bytes.Buffer
			slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "v", v)
			slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "v", v)
			require.NotContains(t, buf.String(), secret)
			b, err := json.Marshal(v)
			require.NoError(t, err)
			require.Contains(t, string(b), secret, "json.Marshal keeps the value")
		})
	}
}

// A callback event prints without its signature (with the event, a
// signature lets anyone replay it); json.Marshal keeps it.
func TestCallbackEventFormatting(t *testing.T) {
	ev, err := NewCallbackEvent("app", EventUserJoinRoom, `{}`)
	require.NoError(t, err)
	ev.Sign("secret")
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		require.NotContains(t, fmt.Sprintf(verb, ev), ev.Signature, verb)
		require.NotContains(t, fmt.Sprintf(verb, *ev), ev.Signature, verb)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "ev", ev)
	require.NotContains(t, buf.String(), ev.Signature)
	require.Contains(t, buf.String(), ev.EventID)
	b, err := json.Marshal(ev)
	require.NoError(t, err)
	require.Contains(t, string(b), ev.Signature)
}
