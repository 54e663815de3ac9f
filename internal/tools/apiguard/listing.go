package main

import (
	"fmt"
	"go/types"
	"sort"
	"strings"
)

// listPackage returns one line per element of the exported API of pkg:
// constants (with value), variables, functions, types, exported struct
// fields and the method set of each named type. Lines are prefixed with
// prefix (the package's short import path) and carry no parameter names, so
// renaming a parameter is not a change, while changing a type is.
//
// An interface that code outside the package can implement (all its methods
// exported) is listed on one line with its whole method set, so adding a
// method to it shows as a change: existing implementations would stop
// compiling. An interface with an unexported method lists one line per
// method, so adding a method is an addition.
func listPackage(pkg *types.Package, prefix string) []string {
	qual := func(p *types.Package) string {
		if p == pkg {
			return ""
		}
		return p.Path()
	}
	var ts func(t types.Type) string
	ts = func(t types.Type) string { return typeString(t, qual, ts) }
	var out []string
	add := func(format string, args ...any) {
		out = append(out, prefix+": "+fmt.Sprintf(format, args...))
	}
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		if !obj.Exported() {
			continue
		}
		switch obj := obj.(type) {
		case *types.Const:
			add("const %s %s = %s", name, ts(obj.Type()), obj.Val().ExactString())
		case *types.Var:
			add("var %s %s", name, ts(obj.Type()))
		case *types.Func:
			add("func %s%s", name, signature(obj.Type().(*types.Signature), ts)[len("func"):])
		case *types.TypeName:
			listType(obj, ts, add)
		}
	}
	sort.Strings(out)
	return out
}

func listType(obj *types.TypeName, ts func(types.Type) string, add func(string, ...any)) {
	name := obj.Name()
	if obj.IsAlias() {
		add("type %s = %s", name, ts(types.Unalias(obj.Type())))
		return
	}
	named, ok := obj.Type().(*types.Named)
	if !ok {
		add("type %s %s", name, ts(obj.Type()))
		return
	}
	tparams := typeParams(named.TypeParams(), ts)
	switch u := named.Underlying().(type) {
	case *types.Struct:
		add("type %s%s struct", name, tparams)
		for i := 0; i < u.NumFields(); i++ {
			f := u.Field(i)
			if !f.Exported() {
				continue
			}
			if f.Embedded() {
				add("field %s.%s %s (embedded)", name, f.Name(), ts(f.Type()))
			} else {
				add("field %s.%s %s", name, f.Name(), ts(f.Type()))
			}
		}
	case *types.Interface:
		if !u.IsMethodSet() {
			add("type %s%s %s", name, tparams, ts(u))
			return
		}
		sealed := false
		var methods []string
		for i := 0; i < u.NumMethods(); i++ {
			m := u.Method(i)
			if !m.Exported() {
				sealed = true
				continue
			}
			methods = append(methods, m.Name()+signature(m.Type().(*types.Signature), ts)[len("func"):])
		}
		sort.Strings(methods)
		if sealed {
			add("type %s%s interface (has unexported methods)", name, tparams)
			for _, m := range methods {
				add("method %s.%s", name, m)
			}
			return
		}
		add("type %s%s interface { %s }", name, tparams, strings.Join(methods, "; "))
		return
	default:
		add("type %s%s %s", name, tparams, ts(u))
	}
	// The method set of *T holds every method callable on an addressable T,
	// promoted ones included; a method also in T's own method set is listed
	// with a value receiver.
	valueSet := types.NewMethodSet(named)
	ptrSet := types.NewMethodSet(types.NewPointer(named))
	for i := 0; i < ptrSet.Len(); i++ {
		sel := ptrSet.At(i)
		m := sel.Obj().(*types.Func)
		if !m.Exported() {
			continue
		}
		recv := "*" + name
		if valueSet.Lookup(m.Pkg(), m.Name()) != nil {
			recv = name
		}
		add("method (%s).%s%s", recv, m.Name(), signature(m.Type().(*types.Signature), ts)[len("func"):])
	}
}

// signature formats a function type without parameter names:
// func[T any](context.Context, *Req) (*Res, error).
func signature(sig *types.Signature, ts func(types.Type) string) string {
	var b strings.Builder
	b.WriteString("func")
	b.WriteString(typeParams(sig.TypeParams(), ts))
	b.WriteByte('(')
	params := sig.Params()
	for i := 0; i < params.Len(); i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		t := params.At(i).Type()
		if sig.Variadic() && i == params.Len()-1 {
			b.WriteString("..." + ts(t.(*types.Slice).Elem()))
		} else {
			b.WriteString(ts(t))
		}
	}
	b.WriteByte(')')
	res := sig.Results()
	switch res.Len() {
	case 0:
	case 1:
		b.WriteString(" " + ts(res.At(0).Type()))
	default:
		b.WriteString(" (")
		for i := 0; i < res.Len(); i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(ts(res.At(i).Type()))
		}
		b.WriteByte(')')
	}
	return b.String()
}

func typeParams(list *types.TypeParamList, ts func(types.Type) string) string {
	if list.Len() == 0 {
		return ""
	}
	parts := make([]string, list.Len())
	for i := 0; i < list.Len(); i++ {
		tp := list.At(i)
		parts[i] = tp.Obj().Name() + " " + ts(tp.Constraint())
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// typeString is types.TypeString without parameter names in function
// types (a field of type func(ctx context.Context) lists as
// func(context.Context)), so renaming a parameter is not a change.
func typeString(t types.Type, qual types.Qualifier, ts func(types.Type) string) string {
	switch t := t.(type) {
	case *types.Signature:
		return signature(t, ts)
	case *types.Pointer:
		return "*" + ts(t.Elem())
	case *types.Slice:
		return "[]" + ts(t.Elem())
	case *types.Array:
		return fmt.Sprintf("[%d]%s", t.Len(), ts(t.Elem()))
	case *types.Map:
		return "map[" + ts(t.Key()) + "]" + ts(t.Elem())
	case *types.Chan:
		switch t.Dir() {
		case types.SendOnly:
			return "chan<- " + ts(t.Elem())
		case types.RecvOnly:
			return "<-chan " + ts(t.Elem())
		}
		return "chan " + ts(t.Elem())
	}
	return types.TypeString(t, qual)
}
