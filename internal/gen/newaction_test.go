package main

import (
	"crypto/sha256"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestNewActionIsADataEdit shows that adding an action, RTC or IM, is a
// data edit plus the generator. It copies the packages of the root module
// that serve actions (the client, internal/spec with its data, the
// generator, rtctest and rtcctl, without their tests) to a temporary
// module, adds two made-up actions to the copied spec data
// (rtc-openapi-pages.json and actions.json), runs the copied generator and
// then tests in the copy (testdata/newaction) that
//   - the client has typed methods for both, with the ID rule, the
//     action's rate limit and its retry safety;
//   - the fake (rtctest) answers both;
//   - the CLI (rtcctl) calls, checks and describes them.
//
// Finally it checks that the only files that changed in the copy are the
// two data files and the generator's output: no Go edit was needed. It
// builds the copy with the Go toolchain (offline: GOPROXY=off) and takes a
// few seconds.
func TestNewActionIsADataEdit(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	dst := t.TempDir()
	for _, dir := range []string{".", "internal/sigv4", "internal/servermsg", "internal/spec", "internal/gen", "rtctest", "cmd/rtcctl"} {
		copyPackage(t, filepath.Join(root, dir), filepath.Join(dst, dir), dir == "internal/spec")
	}
	for _, f := range []string{"go.mod", "go.sum"} {
		copyFile(t, filepath.Join(root, f), filepath.Join(dst, f))
	}
	// rtcctl's test helpers (a fake and a runner), used by the copied test.
	copyFile(t, filepath.Join(root, "cmd/rtcctl/helpers_test.go"), filepath.Join(dst, "cmd/rtcctl/helpers_test.go"))
	before := hashTree(t, dst)

	pages := filepath.Join(dst, "internal/spec/rtc-openapi-pages.json")
	editJSON(t, pages, func(d map[string]any) {
		d["actions"] = append(d["actions"].([]any),
			map[string]any{"action": "GetWidgetInfo", "version": "2020-12-01", "method": "GET", "input_in": "query",
				"category": "room", "source": "made up for a test", "result_type": "object",
				"input": []any{
					map[string]any{"name": "AppId", "type": "string", "required": true},
					map[string]any{"name": "RoomId", "type": "string", "required": true}},
				"result": []any{map[string]any{"name": "Widget", "type": "object", "fields": []any{
					map[string]any{"name": "Name", "type": "string", "required": true},
					map[string]any{"name": "Size", "type": "int32"}}}}},
			map[string]any{"action": "GetWidgetCount", "version": "2020-12-01", "method": "POST", "input_in": "body",
				"category": "im", "source": "made up for a test", "result_type": "object",
				"input": []any{
					map[string]any{"name": "AppId", "type": "int32", "required": true},
					map[string]any{"name": "UserId", "type": "int64", "required": true}},
				"result": []any{map[string]any{"name": "Count", "type": "int64"}}})
	})
	rules := filepath.Join(dst, "internal/spec/actions.json")
	editJSON(t, rules, func(d map[string]any) {
		a := d["actions"].(map[string]any)
		a["GetWidgetInfo"] = map[string]any{"doc": "returns the widget of a room.", "safety": "safe",
			"limit": map[string]any{"qps": 7, "source": "made up"}, "names": map[string]any{"out.Widget": "RoomWidget"}}
		a["GetWidgetCount"] = map[string]any{"doc": "counts a user's widgets.", "safety": "safe"}
	})

	goCmd(t, dst, "run", "./internal/gen")
	copyFile(t, filepath.Join("testdata/newaction/madeup_test.go.txt"), filepath.Join(dst, "madeup_test.go"))
	copyFile(t, filepath.Join("testdata/newaction/rtcctl_madeup_test.go.txt"), filepath.Join(dst, "cmd/rtcctl/madeup_test.go"))
	out := goCmd(t, dst, "test", "-count=1", "-v", "-run", "^TestMadeUpActions?$", ".", "./cmd/rtcctl")
	require.Contains(t, out, "--- PASS: TestMadeUpActions ")
	require.Contains(t, out, "--- PASS: TestMadeUpAction ")

	// What changed: the two data files and generated files, nothing else.
	generated, err := generate(root)
	require.NoError(t, err)
	after := hashTree(t, dst)
	for path, h := range after {
		if before[path] == h || path == "madeup_test.go" || path == "cmd/rtcctl/madeup_test.go" {
			continue
		}
		_, gen := generated[path]
		require.True(t, gen || path == "internal/spec/rtc-openapi-pages.json" || path == "internal/spec/actions.json",
			"%s changed, and it is neither data nor generated", path)
	}
	for path := range before {
		require.Contains(t, after, path, "%s was removed", path)
	}
}

// copyPackage copies the non-test files of one directory (and, with deep,
// of its subdirectories).
func copyPackage(t *testing.T, src, dst string, deep bool) {
	t.Helper()
	require.NoError(t, filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != src && !deep {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(p, "_test.go") || (!deep && !strings.HasSuffix(p, ".go")) {
			return nil
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		copyFile(t, p, filepath.Join(dst, rel))
		return nil
	}))
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Dir(dst), 0o755))
	require.NoError(t, os.WriteFile(dst, b, 0o644))
}

// hashTree maps every file under dir (slash-separated, relative) to the
// hash of its content.
func hashTree(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		out[filepath.ToSlash(rel)] = sha256.Sum256(b)
		return nil
	}))
	return out
}

func editJSON(t *testing.T, path string, edit func(map[string]any)) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var d map[string]any
	require.NoError(t, json.Unmarshal(b, &d))
	edit(d)
	b, err = json.MarshalIndent(d, "", " ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o644))
}

// goCmd runs the go command in dir, offline, and returns its output.
func goCmd(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOPROXY=off", "GOFLAGS=-mod=readonly")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go %s:\n%s", strings.Join(args, " "), out)
	return string(out)
}
