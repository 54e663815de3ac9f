package rtc

// Types that hold a secret (a field the facts in internal/spec mark secret,
// directly or in a nested value) print it redacted: under every fmt verb
// (Format), through String, and in log/slog (LogValue), whatever the
// handler. The generator writes those three methods for each such type
// (api_secret_format.go) on top of the helpers here. The value itself is
// untouched: json.Marshal and the request on the wire carry it.
// TestSecretTypesAreRedacted fails when a type holding a field named like a
// secret (secretFields) lacks them, that is, when a fact is missing.

import (
	"fmt"
	"log/slog"
	"reflect"
)

// redactCopy returns a deep copy of v whose secret fields (by JSON name,
// see secretFields) that are set read "[redacted]", and whose raw JSON
// values have the strings under credential keys redacted (redactRawJSON).
func redactCopy[T any](v T) T {
	var out T
	reflect.ValueOf(&out).Elem().Set(redactValue(reflect.ValueOf(v)))
	return out
}

func redactValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			fv := v.Field(i)
			name := f.Tag.Get("json")
			for j := 0; j < len(name); j++ {
				if name[j] == ',' {
					name = name[:j]
					break
				}
			}
			if fv.Kind() == reflect.String && isSecretField(name) && fv.Len() > 0 {
				out.Field(i).SetString(redactMark)
				continue
			}
			if fv.Type() == rawMessageType {
				// A provider's configuration: redacted by key name.
				if !fv.IsNil() {
					out.Field(i).SetBytes(redactRawJSON(fv.Bytes()))
				}
				continue
			}
			out.Field(i).Set(redactValue(fv))
		}
		return out
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(redactValue(v.Elem()))
		return p
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(redactValue(v.Index(i)))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		iter := v.MapRange()
		for iter.Next() {
			out.SetMapIndex(iter.Key(), redactValue(iter.Value()))
		}
		return out
	}
	return v
}

// formatPlain prints v, a method-less copy, with the verb and flags of f.
func formatPlain(f fmt.State, verb rune, v any) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), v)
}

// plainCallbackEvent is CallbackEvent without its methods.
type plainCallbackEvent CallbackEvent

func (e CallbackEvent) redacted() plainCallbackEvent {
	p := plainCallbackEvent(e)
	if p.Signature != "" {
		p.Signature = redactMark // with the event, it could be replayed
	}
	return p
}

// Format prints the event with its Signature redacted, for every verb.
func (e CallbackEvent) Format(f fmt.State, verb rune) { formatPlain(f, verb, e.redacted()) }

// String returns the event as %+v prints it, Signature redacted.
func (e CallbackEvent) String() string { return fmt.Sprintf("%+v", e.redacted()) }

// LogValue makes log/slog show the event with its Signature redacted.
func (e CallbackEvent) LogValue() slog.Value { return slog.AnyValue(e.redacted()) }
