package scripts

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// check-file-sizes.sh fails on a tracked file over the limit, committed or
// only staged, names it, and passes on small files and on big untracked or
// ignored ones.
func TestCheckFileSizes(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("needs git")
	}
	script, err := filepath.Abs("../../../scripts/check-file-sizes.sh")
	if err != nil {
		t.Fatal(err)
	}
	repo := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(name string, size int) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(repo, name), []byte(strings.Repeat("x", size)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	check := func() (string, error) {
		cmd := exec.Command("bash", script)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "MAX_FILE_BYTES=1000")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	git("init", "-q")
	write("small.txt", 1000)
	write(".gitignore", 0)
	git("add", ".")
	git("commit", "-qm", "small")
	if out, err := check(); err != nil {
		t.Fatalf("small files failed: %v\n%s", err, out)
	}

	write("untracked.bin", 5000) // not tracked: not ours to judge
	if out, err := check(); err != nil {
		t.Fatalf("untracked file failed: %v\n%s", err, out)
	}

	write("big bin", 1001)
	git("add", "big bin")
	out, err := check()
	if err == nil || !strings.Contains(out, "big bin (1001 bytes)") {
		t.Fatalf("staged big file: %v\n%s", err, out)
	}
	git("commit", "-qm", "big")
	if out, err := check(); err == nil {
		t.Fatalf("committed big file passed:\n%s", out)
	}

	// Tracked and grown in the working tree only.
	git("rm", "-q", "--cached", "big bin")
	git("commit", "-qm", "untrack")
	write("small.txt", 2000)
	if out, err := check(); err == nil || !strings.Contains(out, "small.txt (2000 bytes)") {
		t.Fatalf("grown tracked file: %v\n%s", err, out)
	}
}
