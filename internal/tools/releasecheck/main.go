// Command releasecheck checks, before a release is tagged, what users of the
// release would see (make release-check; RELEASING.md explains the release).
//
// It fails when:
//
//   - a module requires a module of this repository at a version that is
//     neither the one being released nor an existing tag (for example the
//     zero pseudo-version v0.0.0-00010101000000-000000000000, which no user
//     can download);
//   - a replace directive points outside the repository (users never see
//     replace directives, so such a module builds here and nowhere else);
//   - a module's go directive is newer than the Go version README.md
//     promises for it, or a module that is not internal has no such promise;
//   - a module does not build with GOWORK=off and GOFLAGS=-mod=mod
//     against the released versions of the modules it requires, its
//     in-repository replace directives removed, or its go.mod would change
//     in that build (a dependency that needs a newer Go, a missing
//     requirement);
//   - a module that would be tagged has no LICENSE file of its own;
//   - a module outside the repository that requires the released modules
//     does not build, or does not run a call against rtctest;
//   - go install github.com/volcrtc/rtc/cmd/rtcctl@<version> fails, or the
//     installed rtcctl does not run.
//
// To see the released versions it builds a local module proxy
// (GOPROXY=file://...) holding, for every module that would be tagged, the
// module zip (golang.org/x/mod/zip, from the files git tracks plus new
// untracked ones that are not ignored), go.mod and info that the tag would
// publish. Other modules come from the module cache, then the configured
// GOPROXY. The builds share the module and build caches with the rest of
// make test; this repository's modules are removed from the module cache
// before and after, so nothing of the unreleased versions stays behind, and
// a lock file lets one release-check run at a time on a machine.
//
//	releasecheck [-repo DIR] [-version v0.1.0] [-keep DIR]
package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/version"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
	modzip "golang.org/x/mod/zip"

	"github.com/volcrtc/rtc/internal/tools/modules"
)

func main() {
	repo := flag.String("repo", ".", "repository root")
	vers := flag.String("version", "v0.1.0", "version the release would tag")
	keep := flag.String("keep", "", "write the proxy and work copies to this (new or empty) directory and keep them")
	flag.Parse()
	if err := run(*repo, *vers, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "release-check:", err)
		os.Exit(1)
	}
}

type mod struct {
	modules.Module
	file *modfile.File
	raw  []byte
}

func run(repo, vers, keep string) error {
	if !semver.IsValid(vers) || semver.Canonical(vers) != vers {
		return fmt.Errorf("-version %q is not a canonical semantic version such as v0.1.0", vers)
	}
	repo, err := filepath.Abs(repo)
	if err != nil {
		return err
	}
	found, err := modules.Find(repo)
	if err != nil {
		return err
	}
	// The root first: it is tagged first.
	sort.SliceStable(found, func(i, j int) bool { return found[i].Dir == "." && found[j].Dir != "." })
	var mods []*mod
	for _, m := range found {
		raw, err := os.ReadFile(filepath.Join(repo, m.Dir, "go.mod"))
		if err != nil {
			return err
		}
		f, err := modfile.Parse(m.Dir+"/go.mod", raw, nil)
		if err != nil {
			return err
		}
		mods = append(mods, &mod{Module: m, file: f, raw: raw})
	}
	readme, err := os.ReadFile(filepath.Join(repo, "README.md"))
	if err != nil {
		return err
	}
	tags, err := gitTags(repo)
	if err != nil {
		return err
	}

	fmt.Printf("== release-check %s: %d modules\n", vers, len(mods))
	if problems := staticChecks(repo, mods, vers, tags, promises(readme)); len(problems) > 0 {
		return fmt.Errorf("%d problem(s) would break users:\n  - %s", len(problems), strings.Join(problems, "\n  - "))
	}
	fmt.Println("   go.mod requirements, replace directives and Go versions: ok")

	// One release-check at a time on a machine (two worktrees would serve
	// each other their versions through the shared module cache).
	unlock, err := lock(filepath.Join(os.TempDir(), "volcrtc-release-check.lock"))
	if err != nil {
		return err
	}
	defer unlock()
	// A fixed work directory keeps the build cache warm between runs.
	work := keep
	if work == "" {
		work = filepath.Join(os.TempDir(), "volcrtc-release-check")
		removeAll(work)
		defer removeAll(work)
	}
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	files, err := repoFiles(repo)
	if err != nil {
		return err
	}
	proxy := filepath.Join(work, "proxy")
	for _, m := range mods {
		if m.Released() {
			if err := publish(repo, proxy, m, vers, files); err != nil {
				return err
			}
		}
	}
	env, err := buildEnv(proxy, mods)
	if err != nil {
		return err
	}
	cache, err := command(context.Background(), repo, nil, "go", "env", "GOMODCACHE")
	if err != nil {
		return err
	}
	if cache = strings.TrimSpace(cache); cache == "" {
		return errors.New("go env GOMODCACHE is empty")
	}
	cleanCache(cache, mods)
	defer cleanCache(cache, mods)

	var problems []string
	for _, m := range mods {
		if p := buildCopy(repo, work, m, vers, files, env); p != "" {
			problems = append(problems, p)
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%d module(s) would not build for users (GOWORK=off GOFLAGS=-mod=mod, released versions):\n  - %s", len(problems), strings.Join(problems, "\n  - "))
	}
	if err := consumer(repo, work, mods, vers, env); err != nil {
		return err
	}
	if err := installTool(work, vers, env); err != nil {
		return err
	}

	fmt.Printf("   tags to create, in this order (see RELEASING.md):")
	for _, m := range mods {
		if m.Released() {
			fmt.Printf(" %s", m.Tag(vers))
		}
	}
	fmt.Println()
	return nil
}

// staticChecks reads the go.mod files: requirements of this repository's
// modules, replace directives and go directives.
func staticChecks(repo string, mods []*mod, vers string, tags map[string]bool, promised map[string]string) []string {
	byPath := map[string]*mod{}
	for _, m := range mods {
		byPath[m.Path] = m
	}
	var problems []string
	for _, m := range mods {
		gomod := m.Dir + "/go.mod"
		for _, r := range m.file.Require {
			dep, ours := byPath[r.Mod.Path]
			if !ours {
				continue
			}
			v := r.Mod.Version
			switch {
			case !dep.Released():
				problems = append(problems, fmt.Sprintf("%s requires %s, which is never released (internal or example)", gomod, r.Mod.Path))
			case v == vers || tags[dep.Tag(v)]:
				// The version being released, or an earlier release.
			case module.IsPseudoVersion(v) || v == "v0.0.0":
				problems = append(problems, fmt.Sprintf("%s requires %s %s, a pseudo-version users cannot download: require the version it will be released with (go mod edit -require=%s@%s)", gomod, r.Mod.Path, v, r.Mod.Path, vers))
			default:
				problems = append(problems, fmt.Sprintf("%s requires %s %s, which is neither the version being released (%s) nor an existing tag (%s): go mod edit -require=%s@%s", gomod, r.Mod.Path, v, vers, dep.Tag(v), r.Mod.Path, vers))
			}
		}
		for _, r := range m.file.Replace {
			if !modfile.IsDirectoryPath(r.New.Path) {
				problems = append(problems, fmt.Sprintf("%s replaces %s with %s %s: users never see replace directives, so require the version you need instead", gomod, r.Old.Path, r.New.Path, r.New.Version))
				continue
			}
			target := filepath.Clean(filepath.Join(repo, m.Dir, r.New.Path))
			if rel, err := filepath.Rel(repo, target); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(r.New.Path) {
				problems = append(problems, fmt.Sprintf("%s replaces %s with %s, outside the repository: it builds on this machine only", gomod, r.Old.Path, r.New.Path))
				continue
			}
			if target != filepath.Join(repo, filepath.FromSlash(byPathDir(byPath, r.Old.Path))) {
				problems = append(problems, fmt.Sprintf("%s replaces %s with %s, which is not that module's directory in this repository", gomod, r.Old.Path, r.New.Path))
			}
		}
		goVers := "1.0"
		if m.file.Go != nil {
			goVers = m.file.Go.Version
		}
		want, ok := promised[m.Path]
		switch {
		case !ok && !m.Internal():
			problems = append(problems, fmt.Sprintf("README.md states no minimum Go version for %s (go.mod says go %s): add it to the table of modules", m.Path, goVers))
		case ok && version.Compare(release(goVers), release(want)) > 0:
			problems = append(problems, fmt.Sprintf("%s says go %s, newer than the Go %s README.md promises for %s: lower the go directive (and the dependencies that need it) or change README.md", gomod, goVers, want, m.Path))
		case !ok && m.Internal():
			// Internal modules are for this repository only.
		}
	}
	return problems
}

// release turns "1.23" (a language version, which sorts before its
// releases) into "go1.23.0", its first release, so "go 1.23.0" in a go.mod
// keeps a promise of Go 1.23.
func release(v string) string {
	if strings.Count(v, ".") == 1 {
		v += ".0"
	}
	return "go" + v
}

func byPathDir(byPath map[string]*mod, p string) string {
	if m, ok := byPath[p]; ok {
		return m.Dir
	}
	return "\x00not a module of this repository"
}

// promiseRE matches a README table row such as
// "| `github.com/volcrtc/rtc/otelrtc` | Go 1.23 | ... |".
var promiseRE = regexp.MustCompile("^\\|\\s*`(github\\.com/volcrtc/rtc[^`]*)`\\s*\\|\\s*(?:Go\\s*)?([0-9]+\\.[0-9]+(?:\\.[0-9]+)?)")

// promises returns the minimum Go version README.md states per module path.
func promises(readme []byte) map[string]string {
	out := map[string]string{}
	for _, l := range strings.Split(string(readme), "\n") {
		if m := promiseRE.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			out[m[1]] = m[2]
		}
	}
	return out
}

func gitTags(repo string) (map[string]bool, error) {
	out, err := command(context.Background(), repo, nil, "git", "tag", "--list")
	if err != nil {
		return nil, err
	}
	tags := map[string]bool{}
	for _, t := range strings.Fields(out) {
		tags[t] = true
	}
	return tags, nil
}

// repoFiles lists the files a commit of the working tree would hold: tracked
// files that still exist and untracked files that are not ignored.
func repoFiles(repo string) ([]string, error) {
	out, err := command(context.Background(), repo, nil, "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var files []string
	for _, f := range strings.Split(out, "\x00") {
		if f == "" || seen[f] {
			continue
		}
		seen[f] = true
		if info, err := os.Lstat(filepath.Join(repo, f)); err != nil || !info.Mode().IsRegular() {
			continue
		}
		files = append(files, f)
	}
	sort.Strings(files)
	return files, nil
}

type repoFile struct{ rel, abs string }

func (f repoFile) Path() string                 { return f.rel }
func (f repoFile) Lstat() (os.FileInfo, error)  { return os.Lstat(f.abs) }
func (f repoFile) Open() (io.ReadCloser, error) { return os.Open(f.abs) }

// moduleFiles returns the files of m for its zip (paths relative to the
// module's directory); modzip leaves out those of nested modules.
func moduleFiles(repo string, m *mod, files []string) []modzip.File {
	var out []modzip.File
	prefix := m.Dir + "/"
	for _, f := range files {
		rel := f
		if m.Dir != "." {
			if !strings.HasPrefix(f, prefix) {
				continue
			}
			rel = strings.TrimPrefix(f, prefix)
		}
		out = append(out, repoFile{rel: rel, abs: filepath.Join(repo, f)})
	}
	return out
}

// publish writes what tagging m at vers would publish into the file proxy.
func publish(repo, proxy string, m *mod, vers string, files []string) error {
	esc, err := module.EscapePath(m.Path)
	if err != nil {
		return err
	}
	dir := filepath.Join(proxy, filepath.FromSlash(esc), "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var zipBuf bytes.Buffer
	mv := module.Version{Path: m.Path, Version: vers}
	mfiles := moduleFiles(repo, m, files)
	hasLicense := false
	for _, f := range mfiles {
		hasLicense = hasLicense || f.Path() == "LICENSE"
	}
	if !hasLicense {
		// pkg.go.dev shows no documentation for a module without one, and
		// the root's LICENSE is not part of a nested module's zip.
		return fmt.Errorf("%s has no LICENSE file in %s/: copy the repository's LICENSE there", m.Path, m.Dir)
	}
	if err := modzip.Create(&zipBuf, mv, mfiles); err != nil {
		return fmt.Errorf("module zip of %s: %v", m.Path, err)
	}
	info, _ := json.Marshal(struct {
		Version string
		Time    time.Time
	}{vers, time.Now().UTC().Truncate(time.Second)})
	for name, data := range map[string][]byte{
		vers + ".zip":  zipBuf.Bytes(),
		vers + ".mod":  m.raw,
		vers + ".info": info,
		"list":         []byte(vers + "\n"),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("   proxy: %s@%s (%d bytes zipped)\n", m.Path, vers, zipBuf.Len())
	return nil
}

// buildEnv is the environment of every build: workspace off, go.mod may be
// updated, the file proxy first, then the configured proxy; no checksum
// database lookups for this repository's (unpublished) modules. The builds
// share the module and build caches with the rest of make test, so only
// this repository's modules are compiled again; their unreleased versions
// are removed from the module cache before and after (see cleanCache).
func buildEnv(proxy string, mods []*mod) ([]string, error) {
	ctx := context.Background()
	upstream, err := command(ctx, proxy, nil, "go", "env", "GOPROXY")
	if err != nil {
		return nil, err
	}
	goflags, err := command(ctx, proxy, nil, "go", "env", "GOFLAGS")
	if err != nil {
		return nil, err
	}
	proxies := []string{"file://" + filepath.ToSlash(proxy)}
	if u := strings.TrimSpace(upstream); u != "" && u != "off" {
		proxies = append(proxies, u)
	}
	var ours []string
	for _, m := range mods {
		ours = append(ours, m.Path)
	}
	drop := map[string]bool{"GODEBUG": true, "GOFLAGS": true, "GOPROXY": true, "GOWORK": true, "GONOSUMDB": true,
		"GONOPROXY": true, "GOPRIVATE": true, "GOINSECURE": true, "GOTOOLCHAIN": true}
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !drop[k] {
			env = append(env, kv)
		}
	}
	flags := strings.TrimSpace(strings.TrimSpace(goflags) + " -mod=mod -modcacherw")
	// The go command indexes a module cache directory once, by its path,
	// assuming its content never changes; ours changes with every run.
	godebug := "goindex=0"
	if g := os.Getenv("GODEBUG"); g != "" {
		godebug = g + "," + godebug
	}
	return append(env,
		"GODEBUG="+godebug,
		"GOWORK=off",
		"GOFLAGS="+flags,
		"GOPROXY="+strings.Join(proxies, ","),
		"GONOSUMDB="+strings.Join(ours, ","),
		"GOTOOLCHAIN=local",
	), nil
}

// cleanCache removes every version of this repository's modules from the
// module cache: what release-check puts there is built from the working
// tree, not a real release, and must not be used by anything later.
func cleanCache(cache string, mods []*mod) {
	esc, _ := module.EscapePath(modules.Root)
	removeAll(filepath.Join(cache, "cache", "download", filepath.FromSlash(esc)))
	for _, m := range mods {
		e, _ := module.EscapePath(m.Path)
		matches, _ := filepath.Glob(filepath.Join(cache, filepath.FromSlash(e)+"@*"))
		for _, d := range matches {
			removeAll(d)
		}
	}
	_ = os.Remove(filepath.Join(cache, filepath.FromSlash(esc))) // if empty
}

// buildCopy builds and vets a copy of m as users get it: for a released
// module its zip from the proxy, for the others the same files; replace
// directives for this repository's modules removed (users never see them)
// and no go.sum lines for them (their content is that of this check).
func buildCopy(repo, work string, m *mod, vers string, files []string, env []string) string {
	name := strings.ReplaceAll(m.Dir, "/", "_")
	if m.Dir == "." {
		name = "root"
	}
	dir := filepath.Join(work, "src", name)
	var err error
	if m.Released() {
		esc, _ := module.EscapePath(m.Path)
		err = modzip.Unzip(dir, module.Version{Path: m.Path, Version: vers}, filepath.Join(work, "proxy", filepath.FromSlash(esc), "@v", vers+".zip"))
	} else {
		err = copyFiles(dir, moduleFiles(repo, m, files))
	}
	if err != nil {
		return fmt.Sprintf("%s: copying the module: %v", m.Path, err)
	}
	f, err := modfile.Parse("go.mod", m.raw, nil)
	if err != nil {
		return err.Error()
	}
	for _, r := range m.file.Replace {
		if strings.HasPrefix(r.Old.Path, modules.Root) {
			_ = f.DropReplace(r.Old.Path, r.Old.Version)
		}
	}
	f.Cleanup()
	before, err := f.Format()
	if err != nil {
		return err.Error()
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), before, 0o644); err != nil {
		return err.Error()
	}
	if err := filterGoSum(filepath.Join(dir, "go.sum")); err != nil {
		return err.Error()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	// Build every package; resolve (without compiling) what the tests
	// import too, so a test-only requirement cannot be missing.
	for _, args := range [][]string{{"go", "build", "./..."}, {"go", "list", "-test", "-deps", "-f", "{{if .Error}}{{.Error}}{{end}}", "./..."}} {
		if out, err := command(ctx, dir, env, args...); err != nil {
			return fmt.Sprintf("%s: %s: %v\n%s", m.Path, strings.Join(args, " "), err, indent(out))
		}
	}
	after, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return err.Error()
	}
	if d := goModChange(before, after); d != "" {
		return fmt.Sprintf("%s: building against the released versions changes its go.mod: %s", m.Path, d)
	}
	fmt.Printf("   builds as users get it: %s (%.1fs)\n", m.Path, time.Since(start).Seconds())
	return ""
}

// goModChange describes how the go directive and requirements differ.
func goModChange(before, after []byte) string {
	b, err1 := modfile.Parse("before", before, nil)
	a, err2 := modfile.Parse("after", after, nil)
	if err := errors.Join(err1, err2); err != nil {
		return err.Error()
	}
	var diffs []string
	gv := func(f *modfile.File) string {
		if f.Go == nil {
			return ""
		}
		return f.Go.Version
	}
	if gv(a) != gv(b) {
		diffs = append(diffs, fmt.Sprintf("go %s becomes go %s (a dependency needs a newer Go: pick an older dependency, or raise the go directive and README.md)", gv(b), gv(a)))
	}
	reqs := func(f *modfile.File) map[string]string {
		m := map[string]string{}
		for _, r := range f.Require {
			m[r.Mod.Path] = r.Mod.Version
		}
		return m
	}
	rb, ra := reqs(b), reqs(a)
	for p, v := range ra {
		if rb[p] != v {
			diffs = append(diffs, fmt.Sprintf("requires %s %s (was %q): run go mod tidy in the module", p, v, rb[p]))
		}
	}
	sort.Strings(diffs)
	return strings.Join(diffs, "; ")
}

func filterGoSum(p string) error {
	data, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var keep []string
	for _, l := range strings.Split(string(data), "\n") {
		if l != "" && !strings.HasPrefix(l, modules.Root+" ") && !strings.HasPrefix(l, modules.Root+"/") {
			keep = append(keep, l)
		}
	}
	return os.WriteFile(p, []byte(strings.Join(keep, "\n")+"\n"), 0o644)
}

func copyFiles(dir string, files []modzip.File) error {
	// Files of modules nested below this one are not part of it.
	nested := map[string]bool{}
	for _, f := range files {
		if d, base := path.Split(f.Path()); base == "go.mod" && d != "" {
			nested[d] = true
		}
	}
	inNested := func(p string) bool {
		for d := range nested {
			if strings.HasPrefix(p, d) {
				return true
			}
		}
		return false
	}
	for _, f := range files {
		if inNested(f.Path()) {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(f.Path()))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

//go:embed consumer.go.txt
var consumerMain string

// consumer builds and runs a module outside the repository that requires
// every released module at vers, the way a user's program would.
func consumer(repo, work string, mods []*mod, vers string, env []string) error {
	dir := filepath.Join(work, "consumer")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f := new(modfile.File)
	_ = f.AddModuleStmt("example.com/rtcuser")
	_ = f.AddGoStmt("1.23")
	released := map[string]bool{}
	var sums []string
	for _, m := range mods {
		if m.Released() {
			released[m.Path] = true
			_ = f.AddRequire(m.Path, vers)
		}
		// Checksums of third-party modules, as recorded in this repository,
		// so the check needs no checksum database.
		if data, err := os.ReadFile(filepath.Join(repo, m.Dir, "go.sum")); err == nil {
			for _, l := range strings.Split(string(data), "\n") {
				if l != "" && !strings.HasPrefix(l, modules.Root) {
					sums = append(sums, l)
				}
			}
		}
	}
	for _, need := range []string{modules.Root, modules.Root + "/rtcredis", modules.Root + "/otelrtc"} {
		if !released[need] {
			return fmt.Errorf("the consumer program needs %s, which would not be released", need)
		}
	}
	// The consumer imports go-redis directly; take the version rtcredis needs.
	for _, m := range mods {
		if m.Path == modules.Root+"/rtcredis" {
			for _, r := range m.file.Require {
				if r.Mod.Path == "github.com/redis/go-redis/v9" {
					_ = f.AddRequire(r.Mod.Path, r.Mod.Version)
				}
			}
		}
	}
	gomod, err := f.Format()
	if err != nil {
		return err
	}
	sort.Strings(sums)
	for name, data := range map[string][]byte{
		"go.mod":  gomod,
		"go.sum":  []byte(strings.Join(dedupe(sums), "\n") + "\n"),
		"main.go": []byte(consumerMain),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := command(ctx, dir, env, "go", "run", ".")
	if err != nil {
		return fmt.Errorf("a module outside the repository requiring the released modules failed (go run in %s): %v\n%s", dir, err, indent(out))
	}
	if !strings.Contains(out, "rtcuser: ok") {
		return fmt.Errorf("the consumer program ran but did not report success:\n%s", indent(out))
	}
	fmt.Printf("   a module outside the repository builds against the proxy and runs: %s", out)
	return nil
}

// installTool installs rtcctl the way README tells users to
// (go install github.com/volcrtc/rtc/cmd/rtcctl@version) and runs it.
func installTool(work, vers string, env []string) error {
	bin := filepath.Join(work, "bin")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	pkg := modules.Root + "/cmd/rtcctl@" + vers
	if out, err := command(ctx, work, append(env, "GOBIN="+bin), "go", "install", pkg); err != nil {
		return fmt.Errorf("go install %s failed: %v\n%s", pkg, err, indent(out))
	}
	out, err := command(ctx, work, nil, filepath.Join(bin, "rtcctl"), "describe", "KickUser")
	if err != nil || !strings.Contains(out, "KickUser") {
		return fmt.Errorf("the installed rtcctl did not describe KickUser: %v\n%s", err, indent(out))
	}
	fmt.Printf("   go install %s: ok (rtcctl describe KickUser runs)\n", pkg)
	return nil
}

func dedupe(sorted []string) []string {
	var out []string
	for i, s := range sorted {
		if i == 0 || s != sorted[i-1] {
			out = append(out, s)
		}
	}
	return out
}

func command(ctx context.Context, dir string, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Dir = dir
	if env != nil {
		cmd.Env = env
	}
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	return out.String(), err
}

func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return ""
	}
	return "      " + strings.ReplaceAll(s, "\n", "\n      ")
}

// removeAll deletes a tree that may hold read-only module cache files.
func removeAll(dir string) {
	_ = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && info.IsDir() {
			_ = os.Chmod(p, 0o755)
		}
		return nil
	})
	_ = os.RemoveAll(dir)
}
