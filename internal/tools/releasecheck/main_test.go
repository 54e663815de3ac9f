package main

import (
	"archive/zip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"

	"github.com/volcrtc/rtc/internal/tools/modules"
)

func newMod(t *testing.T, dir, gomod string) *mod {
	t.Helper()
	f, err := modfile.Parse(dir+"/go.mod", []byte(gomod), nil)
	if err != nil {
		t.Fatal(err)
	}
	return &mod{Module: modules.Module{Dir: dir, Path: f.Module.Mod.Path}, file: f, raw: []byte(gomod)}
}

const readme = "| Module | Go |\n| --- | --- |\n" +
	"| `github.com/volcrtc/rtc` | 1.23 | why |\n" +
	"| `github.com/volcrtc/rtc/otelrtc` | Go 1.23 | why |\n"

func TestStaticChecks(t *testing.T) {
	root := newMod(t, ".", "module github.com/volcrtc/rtc\n\ngo 1.23\n")
	good := newMod(t, "otelrtc", "module github.com/volcrtc/rtc/otelrtc\n\ngo 1.23.0\n\nrequire github.com/volcrtc/rtc v0.1.0\n\nreplace github.com/volcrtc/rtc => ../\n")
	internal := newMod(t, "internal/x", "module github.com/volcrtc/rtc/internal/x\n\ngo 1.25\n\nrequire github.com/volcrtc/rtc v0.1.0\n")
	for name, c := range map[string]struct {
		gomod string
		want  string // "" = no problem
	}{
		"released version":  {"require github.com/volcrtc/rtc v0.1.0\n", ""},
		"earlier tag":       {"require github.com/volcrtc/rtc v0.0.9\n", ""},
		"zero pseudo":       {"require github.com/volcrtc/rtc v0.0.0-00010101000000-000000000000\n", "pseudo-version users cannot download"},
		"v0.0.0":            {"require github.com/volcrtc/rtc v0.0.0\n", "pseudo-version"},
		"unknown version":   {"require github.com/volcrtc/rtc v0.0.5\n", "neither the version being released"},
		"replace outside":   {"require github.com/volcrtc/rtc v0.1.0\nreplace github.com/volcrtc/rtc => ../../elsewhere\n", "outside the repository"},
		"replace absolute":  {"require github.com/volcrtc/rtc v0.1.0\nreplace github.com/volcrtc/rtc => /tmp/rtc\n", "outside the repository"},
		"replace wrong dir": {"require github.com/volcrtc/rtc v0.1.0\nreplace github.com/volcrtc/rtc => ./\n", "not that module's directory"},
		"replace version":   {"require example.com/x v1.0.0\nreplace example.com/x => example.com/fork v1.0.1\n", "users never see replace"},
		"go too new":        {"go 1.24.0\nrequire github.com/volcrtc/rtc v0.1.0\n", "newer than the Go 1.23 README.md promises"},
		"requires internal": {"require github.com/volcrtc/rtc/internal/x v0.1.0\n", "never released"},
	} {
		gomod := "module github.com/volcrtc/rtc/otelrtc\n\n" + c.gomod
		if !strings.Contains(c.gomod, "go 1.") {
			gomod += "go 1.23.0\n"
		}
		m := newMod(t, "otelrtc", gomod)
		problems := staticChecks("/repo", []*mod{root, m, internal}, "v0.1.0", map[string]bool{"v0.0.9": true}, promises([]byte(readme)))
		got := strings.Join(problems, "\n")
		if c.want == "" && got != "" || c.want != "" && !strings.Contains(got, c.want) {
			t.Errorf("%s: problems %q, want one containing %q", name, got, c.want)
		}
	}
	if p := staticChecks("/repo", []*mod{root, good, internal}, "v0.1.0", nil, promises([]byte(readme))); len(p) != 0 {
		t.Errorf("good modules: %v", p)
	}
	// A released module without a README promise is a problem; an
	// internal one is not.
	noPromise := newMod(t, "rtcredis", "module github.com/volcrtc/rtc/rtcredis\n\ngo 1.23.0\n")
	if p := staticChecks("/repo", []*mod{root, noPromise}, "v0.1.0", nil, promises([]byte(readme))); len(p) != 1 || !strings.Contains(p[0], "states no minimum Go version") {
		t.Errorf("missing promise: %v", p)
	}
}

func TestPromises(t *testing.T) {
	got := promises([]byte(readme + "| `github.com/volcrtc/rtc/rtcredis` | 1.23.4 | x |\nGo 1.21 or newer.\n"))
	want := map[string]string{"github.com/volcrtc/rtc": "1.23", "github.com/volcrtc/rtc/otelrtc": "1.23", "github.com/volcrtc/rtc/rtcredis": "1.23.4"}
	if len(got) != len(want) {
		t.Fatalf("promises = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("promises[%s] = %q, want %q", k, got[k], v)
		}
	}
}

func TestGoModChange(t *testing.T) {
	before := []byte("module m\n\ngo 1.23.0\n\nrequire example.com/a v1.0.0\n")
	if d := goModChange(before, before); d != "" {
		t.Errorf("no change reported as %q", d)
	}
	if d := goModChange(before, []byte("module m\n\ngo 1.24.0\n\nrequire example.com/a v1.0.0\n")); !strings.Contains(d, "go 1.23.0 becomes go 1.24.0") {
		t.Errorf("go bump: %q", d)
	}
	if d := goModChange(before, []byte("module m\n\ngo 1.23.0\n\nrequire (\n\texample.com/a v1.0.0\n\texample.com/b v1.2.0\n)\n")); !strings.Contains(d, "example.com/b v1.2.0") {
		t.Errorf("new requirement: %q", d)
	}
}

// The module zip holds the module's own files, not those of nested modules.
func TestPublishLeavesOutNestedModules(t *testing.T) {
	repo := t.TempDir()
	files := map[string]string{
		"go.mod":          "module github.com/volcrtc/rtc\n\ngo 1.23\n",
		"LICENSE":         "license\n",
		"otelrtc/LICENSE": "license\n",
		"rtc.go":          "package rtc\n",
		"sub/sub.go":      "package sub\n",
		"otelrtc/go.mod":  "module github.com/volcrtc/rtc/otelrtc\n\ngo 1.23\n",
		"otelrtc/o.go":    "package otelrtc\n",
	}
	var list []string
	for p, c := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(repo, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(repo, p), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
		list = append(list, p)
	}
	sort.Strings(list)
	proxy := filepath.Join(t.TempDir(), "proxy")
	for _, m := range []*mod{newMod(t, ".", files["go.mod"]), newMod(t, "otelrtc", files["otelrtc/go.mod"])} {
		if err := publish(repo, proxy, m, "v0.1.0", list); err != nil {
			t.Fatal(err)
		}
	}
	names := func(p string) []string {
		zr, err := zip.OpenReader(p)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		var out []string
		for _, f := range zr.File {
			out = append(out, f.Name)
		}
		sort.Strings(out)
		return out
	}
	root := names(filepath.Join(proxy, "github.com/volcrtc/rtc/@v/v0.1.0.zip"))
	if want := "github.com/volcrtc/rtc@v0.1.0/LICENSE github.com/volcrtc/rtc@v0.1.0/go.mod github.com/volcrtc/rtc@v0.1.0/rtc.go github.com/volcrtc/rtc@v0.1.0/sub/sub.go"; strings.Join(root, " ") != want {
		t.Errorf("root zip = %v, want %s", root, want)
	}
	nested := names(filepath.Join(proxy, "github.com/volcrtc/rtc/otelrtc/@v/v0.1.0.zip"))
	if want := "github.com/volcrtc/rtc/otelrtc@v0.1.0/LICENSE github.com/volcrtc/rtc/otelrtc@v0.1.0/go.mod github.com/volcrtc/rtc/otelrtc@v0.1.0/o.go"; strings.Join(nested, " ") != want {
		t.Errorf("otelrtc zip = %v, want %s", nested, want)
	}
	var noLicense []string
	for _, p := range list {
		if p != "otelrtc/LICENSE" {
			noLicense = append(noLicense, p)
		}
	}
	if err := publish(repo, t.TempDir(), newMod(t, "otelrtc", files["otelrtc/go.mod"]), "v0.1.0", noLicense); err == nil || !strings.Contains(err.Error(), "no LICENSE") {
		t.Errorf("module without LICENSE: %v", err)
	}
	for _, f := range []string{"v0.1.0.mod", "v0.1.0.info", "list"} {
		if _, err := os.Stat(filepath.Join(proxy, "github.com/volcrtc/rtc/@v", f)); err != nil {
			t.Error(err)
		}
	}
}
