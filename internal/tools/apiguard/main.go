// Command apiguard keeps the exported API of every module of the repository
// from changing by accident.
//
// For each module it lists the exported API of every importable package
// (not main, not under internal/) from the compiler's export data, one line
// per element, and compares it with the committed baseline api/<module>.txt:
//
//   - a line of the baseline that is gone (an element removed, or its type or
//     signature changed) is an incompatible change and fails the check until
//     it is recorded with `make api`;
//   - `make api` (apiguard -write) rewrites the baselines and appends such
//     lines to api/<module>.breaking.txt; every line there must be
//     acknowledged in the "## [Unreleased]" section of CHANGELOG.md, which
//     must name the changed element (or the renamed type it uses);
//   - additions never fail; `make api` records them.
//
// It needs no network: `go list -export` builds the packages with the module
// cache the tests already filled.
//
//	apiguard [-repo DIR] [-write]
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/importer"
	"go/token"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/volcrtc/rtc/internal/tools/modules"
)

// repoModule is the root module's path; api files are named after the
// module path relative to it.
const repoModule = modules.Root

const header = "# Exported API of %s, one line per element. Written by `make api`; do not edit.\n"
const breakingHeader = "# Incompatible changes to %s since the last release, recorded by `make api`.\n" +
	"# Each must be named in the [Unreleased] section of CHANGELOG.md. Emptied when a release is tagged.\n"

func main() {
	repo := flag.String("repo", ".", "repository root")
	write := flag.Bool("write", false, "record the current API as the baseline (make api)")
	flag.Parse()
	if err := run(*repo, *write, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "apiguard:", err)
		os.Exit(1)
	}
}

// apiName names a module's files in api/: "rtc" for the root, the path
// below the root otherwise ("otelrtc", "examples-otel").
func apiName(m modules.Module) string {
	rel := strings.TrimPrefix(strings.TrimPrefix(m.Path, repoModule), "/")
	if rel == "" {
		return "rtc"
	}
	return strings.ReplaceAll(rel, "/", "-")
}

func run(repo string, write bool, out io.Writer) error {
	mods, err := modules.Find(repo)
	if err != nil {
		return err
	}
	apiDir := filepath.Join(repo, "api")
	changelog, err := os.ReadFile(filepath.Join(repo, "CHANGELOG.md"))
	if err != nil {
		return err
	}
	notes := unreleased(string(changelog))

	current := map[string][]string{} // api name -> lines
	owner := map[string]string{}     // api name -> module path
	for _, m := range mods {
		lines, err := moduleAPI(repo, m)
		if err != nil {
			return err
		}
		if len(lines) > 0 {
			current[apiName(m)] = lines
			owner[apiName(m)] = m.Path
		}
	}
	// Baselines of modules that no longer have an API are compared with an
	// empty listing.
	files, _ := filepath.Glob(filepath.Join(apiDir, "*.txt"))
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		if strings.HasSuffix(name, ".breaking") {
			continue
		}
		if _, ok := current[name]; !ok {
			current[name] = nil
			owner[name] = repoModule + "/" + name + " (module or API gone)"
		}
	}
	names := make([]string, 0, len(current))
	for n := range current {
		names = append(names, n)
	}
	sort.Strings(names)

	var failures []string
	for _, name := range names {
		cur := current[name]
		basePath := filepath.Join(apiDir, name+".txt")
		breakPath := filepath.Join(apiDir, name+".breaking.txt")
		base, baseErr := readLines(basePath)
		if baseErr != nil && !errors.Is(baseErr, fs.ErrNotExist) {
			return baseErr
		}
		breaking, err := readLines(breakPath)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		removed, added := diff(base, cur)

		if write {
			// A line that came back is no longer a break.
			_, stillGone := diff(cur, union(breaking, removed))
			breaking = stillGone
			if err := os.MkdirAll(apiDir, 0o755); err != nil {
				return err
			}
			if len(cur) == 0 {
				os.Remove(basePath)
			} else if err := writeLines(basePath, fmt.Sprintf(header, owner[name]), cur); err != nil {
				return err
			}
			if len(breaking) == 0 {
				os.Remove(breakPath)
			} else if err := writeLines(breakPath, fmt.Sprintf(breakingHeader, owner[name]), breaking); err != nil {
				return err
			}
			fmt.Fprintf(out, "api/%s.txt: %d elements (%d added, %d removed or changed)\n", name, len(cur), len(added), len(removed))
		} else {
			if errors.Is(baseErr, fs.ErrNotExist) {
				failures = append(failures, fmt.Sprintf("%s has no API baseline (api/%s.txt).\n  Run `make api` and commit api/%s.txt.", owner[name], name, name))
				continue
			}
			if len(removed) > 0 {
				failures = append(failures, describeRemoved(owner[name], name, removed, added))
			}
			if len(added) > 0 {
				fmt.Fprintf(out, "apiguard: %s: %d additions not yet in api/%s.txt (fine; `make api` records them)\n", owner[name], len(added), name)
			}
		}
		if lines, need := unacknowledged(breaking, notes); len(lines) > 0 {
			failures = append(failures, fmt.Sprintf(
				"%s: %d incompatible change(s) recorded in api/%s.breaking.txt are not in CHANGELOG.md.\n"+
					"  Add a line under \"## [Unreleased]\" in CHANGELOG.md that names each of: %s\n"+
					"  (for example \"- `%s` ...: what changed and what to use instead\"), and commit it with api/.\n%s",
				owner[name], len(lines), name, strings.Join(need, ", "), need[0], indent(lines, 5)))
		}
	}
	if len(failures) > 0 {
		return errors.New("the exported API changed incompatibly:\n\n" + strings.Join(failures, "\n\n") + "\n")
	}
	if !write {
		fmt.Fprintf(out, "apiguard: the exported API of %d module(s) is compatible with api/\n", len(names))
	}
	return nil
}

func describeRemoved(modPath, name string, removed, added []string) string {
	// Show what replaced a changed element, matched by owner and member.
	now := map[string][]string{}
	for _, l := range added {
		now[memberKey(l)] = append(now[memberKey(l)], l)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d element(s) of api/%s.txt removed or changed:\n", modPath, len(removed), name)
	owners := map[string]bool{}
	for i, l := range removed {
		if i == 30 {
			fmt.Fprintf(&b, "    ... and %d more (run `make api` and see `git diff api/`)\n", len(removed)-i)
			break
		}
		fmt.Fprintf(&b, "    was: %s\n", l)
		for _, n := range now[memberKey(l)] {
			fmt.Fprintf(&b, "    now: %s\n", n)
		}
	}
	for _, l := range removed {
		_, o, _ := parseLine(l)
		owners[o] = true
	}
	list := make([]string, 0, len(owners))
	for o := range owners {
		list = append(list, o)
	}
	sort.Strings(list)
	if len(list) > 12 {
		list = append(list[:12], "...")
	}
	fmt.Fprintf(&b, "  If this is intended: run `make api`, add a line under \"## [Unreleased]\" in CHANGELOG.md naming %s,\n", strings.Join(list, ", "))
	b.WriteString("  and commit api/ with it. If it is not: restore the element(s) above.")
	return b.String()
}

// memberKey identifies an element regardless of its type: prefix, kind and
// qualified name.
func memberKey(line string) string {
	prefix, _, decl := parseLine(line)
	kind, rest, _ := strings.Cut(decl, " ")
	end := strings.IndexAny(rest, " [(")
	if kind == "method" {
		end = strings.IndexAny(rest, "[(")
		if strings.HasPrefix(rest, "(") {
			close := strings.Index(rest, ")")
			end = close + 1 + strings.IndexAny(rest[close+1:], "[(")
		}
	}
	if end < 0 {
		end = len(rest)
	}
	return prefix + " " + kind + " " + strings.ReplaceAll(rest[:end], "*", "")
}

func indent(lines []string, max int) string {
	var b strings.Builder
	for i, l := range lines {
		if i == max {
			fmt.Fprintf(&b, "    ... and %d more in the .breaking.txt file\n", len(lines)-i)
			break
		}
		fmt.Fprintf(&b, "    %s\n", l)
	}
	return strings.TrimRight(b.String(), "\n")
}

// moduleAPI lists the exported API of the importable packages of m.
func moduleAPI(repo string, m modules.Module) ([]string, error) {
	dir := filepath.Join(repo, m.Dir)
	listing, err := goList(dir, "-e", "-f", "{{.ImportPath}}\t{{.Name}}\t{{if .Error}}{{.Error}}{{end}}", "./...")
	if err != nil {
		return nil, err
	}
	var pkgs []string
	for _, l := range strings.Split(strings.TrimSpace(listing), "\n") {
		if l == "" {
			continue
		}
		f := strings.SplitN(l, "\t", 3)
		if len(f) == 3 && f[2] != "" {
			return nil, fmt.Errorf("%s: %s", m.Dir, f[2])
		}
		if f[1] == "main" || !importable(f[0]) {
			continue
		}
		pkgs = append(pkgs, f[0])
	}
	if len(pkgs) == 0 {
		return nil, nil
	}
	exports, err := goList(dir, append([]string{"-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}"}, pkgs...)...)
	if err != nil {
		return nil, err
	}
	files := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(exports), "\n") {
		if p, f, ok := strings.Cut(l, "\t"); ok {
			files[p] = f
		}
	}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(p string) (io.ReadCloser, error) {
		f, ok := files[p]
		if !ok || f == "" {
			return nil, fmt.Errorf("no export data for %s", p)
		}
		return os.Open(f)
	})
	var lines []string
	for _, p := range pkgs {
		pkg, err := imp.Import(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", p, err)
		}
		lines = append(lines, listPackage(pkg, shortPath(p))...)
	}
	sort.Strings(lines)
	return lines, nil
}

// importable reports whether code outside the repository can import p.
func importable(p string) bool {
	for _, e := range strings.Split(p, "/") {
		if e == "internal" || e == "testdata" {
			return false
		}
	}
	return true
}

func shortPath(p string) string {
	return path.Join("rtc", strings.TrimPrefix(p, repoModule))
}

func goList(dir string, args ...string) (string, error) {
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go list in %s: %v\n%s", dir, err, stderr.String())
	}
	return string(out), nil
}

func readLines(p string) ([]string, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		out = append(out, l)
	}
	return out, nil
}

func writeLines(p, head string, lines []string) error {
	return os.WriteFile(p, []byte(head+strings.Join(lines, "\n")+"\n"), 0o644)
}
