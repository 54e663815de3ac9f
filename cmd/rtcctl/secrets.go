package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/volcrtc/rtc/internal/spec"
)

// maxSecretFile bounds what a --...-file flag reads.
const maxSecretFile = 64 << 10

// secretSource names where one secret may come from, in order: a flag
// (kept for compatibility, with a warning: other local users see it in the
// process list, and it lands in the shell history), a file flag (a path, or
// - for stdin), an environment variable.
type secretSource struct {
	flag, flagVal string
	file, fileVal string
	env           string
}

// secret resolves a secret and remembers its value, so that no message the
// tool prints repeats it. An empty result means none was given.
func (a *app) secret(s secretSource) (string, error) {
	var v string
	switch {
	case s.flagVal != "":
		fmt.Fprintf(a.stderr, "rtcctl: warning: %s exposes the secret to other local users (process list) and to the shell history; use %s, or %s FILE (- for stdin), instead\n",
			s.flag, s.env, s.file)
		v = s.flagVal
	case s.fileVal != "":
		b, err := a.readSecretFile(s.fileVal)
		if err != nil {
			return "", usageErr("%s %s: %v", s.file, s.fileVal, err)
		}
		v = strings.TrimRight(string(b), "\r\n")
		if strings.TrimSpace(v) == "" {
			return "", usageErr("%s %s: the file is empty", s.file, s.fileVal)
		}
	default:
		v = a.env(s.env)
	}
	a.remember(v)
	return v, nil
}

// readSecretFile reads a small secret from path, or from stdin for "-".
func (a *app) readSecretFile(path string) ([]byte, error) {
	var r io.Reader
	if path == "-" {
		if a.stdinUsed {
			return nil, fmt.Errorf("standard input is already used for another input of this command")
		}
		if a.stdin == nil {
			return nil, fmt.Errorf("no standard input")
		}
		a.stdinUsed = true
		r = a.stdin
	} else {
		st, err := os.Stat(path)
		if err != nil {
			return nil, errWithoutPath(err)
		}
		if !st.Mode().IsRegular() {
			return nil, fmt.Errorf("not a regular file")
		}
		f, err := os.Open(path)
		if err != nil {
			return nil, errWithoutPath(err)
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxSecretFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxSecretFile {
		return nil, fmt.Errorf("more than %d KiB: not a secret", maxSecretFile>>10)
	}
	return b, nil
}

// errWithoutPath keeps the reason of a *PathError (the path is printed by
// the caller).
func errWithoutPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// remember adds a secret value to those redacted from every message.
func (a *app) remember(v string) {
	if len(v) >= 4 { // shorter values would redact ordinary words
		a.secrets = append(a.secrets, v)
	}
}

// redact replaces every remembered secret in s.
func (a *app) redact(s string) string {
	for _, v := range a.secrets {
		s = strings.ReplaceAll(s, v, "[redacted]")
	}
	return s
}

// argCount describes unexpected positional arguments without repeating
// them: one of them may be a secret that lost its flag.
func argCount(args []string) string {
	if len(args) == 1 {
		return "1 argument"
	}
	return fmt.Sprintf("%d arguments", len(args))
}

// secretNames are the names of the fields the field facts mark secret.
var secretNames = sync.OnceValue(func() map[string]bool {
	out := map[string]bool{}
	fs, err := spec.LoadFacts()
	if err != nil {
		return out
	}
	add := func(m map[string]*spec.Fact) {
		for path, f := range m {
			if f != nil && f.Secret {
				out[path[strings.LastIndex(path, ".")+1:]] = true
			}
		}
	}
	for _, af := range fs.Actions {
		add(af.In)
		add(af.Out)
	}
	for _, m := range fs.Common {
		add(m)
	}
	return out
})

// secretFieldName reports whether a field of this name is marked secret.
func secretFieldName(name string) bool { return secretNames()[name] }

// kindOnly names the JSON kind of v without its value.
func kindOnly(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return "another kind of value"
}
