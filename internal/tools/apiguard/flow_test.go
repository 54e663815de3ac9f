package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A whole round on a small repository: record, add (passes), break (fails
// with what to run), record the break (fails until CHANGELOG names it),
// name it (passes).
func TestGuardFlow(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("needs the go command")
	}
	repo := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(repo, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	changelog := "# Changelog\n\n## [Unreleased]\n\n### Changed\n\n## [0.0.1]\n\n- `Remove` mentioned in a released section only.\n"
	write("go.mod", "module github.com/volcrtc/rtc\n\ngo 1.23\n")
	write("CHANGELOG.md", changelog)
	write("rtc.go", "package rtc\n\nfunc Keep(a int) {}\n\nfunc Remove() {}\n")
	write("internal/x/x.go", "package x\n\nfunc Hidden() {}\n")
	write("cmd/tool/main.go", "package main\n\nfunc main() {}\n")

	run1 := func(writeMode bool) (string, error) {
		var out bytes.Buffer
		err := run(repo, writeMode, &out)
		if err != nil {
			return out.String() + err.Error(), err
		}
		return out.String(), nil
	}
	if out, err := run1(false); err == nil || !strings.Contains(out, "has no API baseline") || !strings.Contains(out, "make api") {
		t.Fatalf("no baseline: %v\n%s", err, out)
	}
	if out, err := run1(true); err != nil {
		t.Fatalf("make api: %v\n%s", err, out)
	}
	base, _ := os.ReadFile(filepath.Join(repo, "api", "rtc.txt"))
	if want := "rtc: func Keep(int)\nrtc: func Remove()\n"; !strings.HasSuffix(string(base), want) || strings.Contains(string(base), "Hidden") {
		t.Fatalf("baseline:\n%s", base)
	}

	// An addition and a parameter rename pass.
	write("rtc.go", "package rtc\n\nfunc Keep(renamed int) {}\n\nfunc Remove() {}\n\nfunc Added() {}\n")
	if out, err := run1(false); err != nil || !strings.Contains(out, "1 additions") {
		t.Fatalf("addition: %v\n%s", err, out)
	}

	// A removal and a changed signature fail, naming what to do.
	write("rtc.go", "package rtc\n\nfunc Keep(a string) {}\n")
	out, err := run1(false)
	if err == nil {
		t.Fatalf("removal passed:\n%s", out)
	}
	for _, want := range []string{"was: rtc: func Keep(int)", "now: rtc: func Keep(string)", "was: rtc: func Remove()", "run `make api`", "naming Keep, Remove"} {
		if !strings.Contains(out, want) {
			t.Errorf("removal message lacks %q:\n%s", want, out)
		}
	}

	// make api records the break, and fails until CHANGELOG names it.
	out, err = run1(true)
	if err == nil || !strings.Contains(out, "not in CHANGELOG.md") || !strings.Contains(out, "Keep, Remove") {
		t.Fatalf("make api without CHANGELOG: %v\n%s", err, out)
	}
	if _, err := run1(false); err == nil {
		t.Fatal("check passed with an unacknowledged break")
	}
	write("CHANGELOG.md", strings.Replace(changelog, "### Changed\n", "### Changed\n\n- `Keep` takes a string.\n", 1))
	if out, err := run1(false); err == nil || !strings.Contains(out, "names each of: Remove") {
		t.Fatalf("half acknowledged: %v\n%s", err, out)
	}
	write("CHANGELOG.md", strings.Replace(changelog, "### Changed\n", "### Changed\n\n- `Keep` takes a string; `Remove` is gone.\n", 1))
	if out, err := run1(false); err != nil {
		t.Fatalf("acknowledged: %v\n%s", err, out)
	}
	breaking, _ := os.ReadFile(filepath.Join(repo, "api", "rtc.breaking.txt"))
	if !strings.Contains(string(breaking), "rtc: func Remove()") || !strings.Contains(string(breaking), "rtc: func Keep(int)") {
		t.Errorf("breaking list:\n%s", breaking)
	}

	// Restoring an element takes it off the breaking list.
	write("rtc.go", "package rtc\n\nfunc Keep(a string) {}\n\nfunc Remove() {}\n")
	if out, err := run1(true); err != nil {
		t.Fatalf("make api after restoring: %v\n%s", err, out)
	}
	breaking, _ = os.ReadFile(filepath.Join(repo, "api", "rtc.breaking.txt"))
	if strings.Contains(string(breaking), "Remove") {
		t.Errorf("restored element still listed:\n%s", breaking)
	}
}
