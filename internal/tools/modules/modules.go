// Package modules finds the Go modules of the repository.
package modules

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Root is the module path of the repository's root module.
const Root = "github.com/volcrtc/rtc"

// Module is one module of the repository.
type Module struct {
	Dir  string // slash-separated, relative to the repository root ("." for the root)
	Path string // module path
}

// Internal reports whether no code outside the repository can import the
// module's packages (its path has an internal element).
func (m Module) Internal() bool {
	for _, e := range strings.Split(m.Path, "/") {
		if e == "internal" {
			return true
		}
	}
	return false
}

// Example reports whether the module is one of the runnable examples.
func (m Module) Example() bool {
	return m.Dir == "examples" || strings.HasPrefix(m.Dir, "examples/")
}

// Released reports whether the module is tagged and published: every
// module that is neither internal nor an example.
func (m Module) Released() bool { return !m.Internal() && !m.Example() }

// Tag returns the git tag of version v of the module: "v0.1.0" for the
// root, "otelrtc/v0.1.0" for a nested one.
func (m Module) Tag(v string) string {
	if m.Dir == "." {
		return v
	}
	return m.Dir + "/" + v
}

// Find returns every module under repo (directories with a go.mod), root
// first, skipping hidden directories, testdata and vendor.
func Find(repo string) ([]Module, error) {
	var mods []Module
	err := filepath.WalkDir(repo, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			n := d.Name()
			if p != repo && (strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_") || n == "testdata" || n == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Name() != "go.mod" {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		mp := Path(data)
		if mp == "" {
			return fmt.Errorf("%s: no module line", p)
		}
		rel, err := filepath.Rel(repo, filepath.Dir(p))
		if err != nil {
			return err
		}
		mods = append(mods, Module{Dir: filepath.ToSlash(rel), Path: mp})
		return nil
	})
	return mods, err
}

// Path returns the module path declared in the go.mod content.
func Path(gomod []byte) string {
	for _, l := range strings.Split(string(gomod), "\n") {
		f := strings.Fields(l)
		if len(f) >= 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`)
		}
	}
	return ""
}
