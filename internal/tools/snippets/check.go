package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Snippet is one ```go block of a Markdown file.
type Snippet struct {
	File  string   // path relative to the repository
	Line  int      // line of the first line of code
	Code  string   // the code, without the fences
	Given []string // declarations from snippet-given comments above it
}

// Problem is an error the type checker found in a snippet.
type Problem struct {
	File string
	Line int
	Msg  string
}

func (p Problem) String() string { return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg) }

// DocFiles lists README.md and docs/*.md of the repository.
func DocFiles(repo string) ([]string, error) {
	files := []string{"README.md"}
	docs, err := filepath.Glob(filepath.Join(repo, "docs", "*.md"))
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		rel, err := filepath.Rel(repo, d)
		if err != nil {
			return nil, err
		}
		files = append(files, rel)
	}
	sort.Strings(files[1:])
	return files, nil
}

var givenRE = regexp.MustCompile(`^<!--\s*snippet-given:\s*(.*?)\s*-->\s*$`)

// Extract returns the Go snippets of one Markdown text.
func Extract(file string, md []byte) ([]Snippet, error) {
	var (
		out   []Snippet
		given []string
		cur   *Snippet
		code  strings.Builder
	)
	sc := bufio.NewScanner(bytes.NewReader(md))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case cur != nil && strings.HasPrefix(trimmed, "```"):
			cur.Code = code.String()
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			code.WriteString(line)
			code.WriteByte('\n')
		case trimmed == "```go":
			cur = &Snippet{File: file, Line: n + 1, Given: given}
			code.Reset()
			given = nil
		case givenRE.MatchString(trimmed):
			given = append(given, givenRE.FindStringSubmatch(trimmed)[1])
		case trimmed != "":
			given = nil
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if cur != nil {
		return nil, fmt.Errorf("%s:%d: a ```go block is never closed", file, cur.Line-1)
	}
	return out, nil
}

// knownImports maps the package names snippets use to their import paths.
var knownImports = map[string]string{
	"rtc":      "github.com/volcrtc/rtc",
	"rtctest":  "github.com/volcrtc/rtc/rtctest",
	"rtcredis": "github.com/volcrtc/rtc/rtcredis",
	"otelrtc":  "github.com/volcrtc/rtc/otelrtc",
	"redis":    "github.com/redis/go-redis/v9",
	"context":  "context",
	"errors":   "errors",
	"fmt":      "fmt",
	"http":     "net/http",
	"json":     "encoding/json",
	"log":      "log",
	"os":       "os",
	"slog":     "log/slog",
	"strings":  "strings",
	"sync":     "sync",
	"atomic":   "sync/atomic",
	"time":     "time",
}

// usesPackage matches a selector on each known package name ("rtc.").
var usesPackage = func() map[string]*regexp.Regexp {
	m := make(map[string]*regexp.Regexp, len(knownImports))
	for name := range knownImports {
		m[name] = regexp.MustCompile(`\b` + name + `\.`)
	}
	return m
}()

// source is one generated Go file and where its lines come from.
type source struct {
	snip     Snippet
	pkg      string // directory of its package
	text     string
	codeLine int // line of the generated file where the snippet's code starts
}

// unusedRE matches the errors a snippet may have: a variable or an import
// it does not use. Other soft errors (":=" declaring nothing new, a value
// computed and dropped) are mistakes a reader would copy.
var unusedRE = regexp.MustCompile(`^(declared and not used|".*" imported (as \w+ )?and not used)`)

var importLineRE = regexp.MustCompile(`^import\s+(?:\w+\s+)?"([^"]+)"\s*$`)

// splitImports removes the import declarations at the top of a snippet and
// returns their paths and the rest, with the lines it removed blanked so
// that line numbers stay.
func splitImports(code string) (paths []string, rest string) {
	lines := strings.Split(code, "\n")
	inBlock := false
	for i, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case inBlock:
			if t == ")" {
				inBlock = false
			} else if p, err := strconv.Unquote(strings.TrimSpace(t[strings.LastIndex(t, " ")+1:])); err == nil {
				paths = append(paths, p)
			}
			lines[i] = ""
			continue
		case t == "import (":
			inBlock = true
			lines[i] = ""
			continue
		case importLineRE.MatchString(t):
			paths = append(paths, importLineRE.FindStringSubmatch(t)[1])
			lines[i] = ""
			continue
		case t == "" || strings.HasPrefix(t, "//"):
			continue
		}
		break
	}
	return paths, strings.Join(lines, "\n")
}

// build turns a snippet into a Go file of its own package.
func build(s Snippet, dir string) source {
	if strings.HasPrefix(strings.TrimSpace(s.Code), "package ") {
		return source{snip: s, pkg: dir, text: s.Code, codeLine: 1}
	}
	paths, body := splitImports(s.Code)
	imports := map[string]bool{}
	for _, p := range paths {
		imports[p] = true
	}
	all := body + "\n" + strings.Join(s.Given, "\n")
	for name, path := range knownImports {
		if usesPackage[name].MatchString(all) {
			imports[path] = true
		}
	}
	var head strings.Builder
	head.WriteString("package snippet\n\n")
	var sorted []string
	for p := range imports {
		sorted = append(sorted, p)
	}
	sort.Strings(sorted)
	for _, p := range sorted {
		fmt.Fprintf(&head, "import %q\n", p)
	}
	for _, g := range s.Given {
		head.WriteString(g + "\n")
	}
	// Declarations only (types, funcs, vars at the top level): a file.
	declsOnly := head.String() + "\n" + body
	if f, err := parser.ParseFile(token.NewFileSet(), "x.go", declsOnly, 0); err == nil && len(f.Decls) > 0 {
		return source{snip: s, pkg: dir, text: declsOnly, codeLine: strings.Count(head.String(), "\n") + 2}
	}
	pre := head.String() + "\nfunc _() error {\n"
	return source{snip: s, pkg: dir, text: pre + body + "\n\treturn nil\n}\n", codeLine: strings.Count(pre, "\n") + 1}
}

// Check type-checks the Go snippets of files (relative to repo) and returns
// how many there were and the problems found.
func Check(repo string, files []string) (int, []Problem, error) {
	repo, err := filepath.Abs(repo)
	if err != nil {
		return 0, nil, err
	}
	var snips []Snippet
	for _, f := range files {
		path := f
		if !filepath.IsAbs(path) {
			path = filepath.Join(repo, f)
		}
		md, err := os.ReadFile(path)
		if err != nil {
			return 0, nil, err
		}
		s, err := Extract(f, md)
		if err != nil {
			return 0, nil, err
		}
		snips = append(snips, s...)
	}
	if len(snips) == 0 {
		return 0, nil, nil
	}
	var srcs []source
	importSet := map[string]bool{}
	fset := token.NewFileSet()
	var problems []Problem
	for i, s := range snips {
		src := build(s, fmt.Sprintf("s%03d", i))
		f, err := parser.ParseFile(fset, src.pkg+"/snippet.go", src.text, parser.ImportsOnly)
		if err != nil {
			problems = append(problems, src.problem(err))
			continue
		}
		for _, im := range f.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			importSet[p] = true
		}
		srcs = append(srcs, src)
	}
	for _, p := range prelude.imports {
		importSet[p] = true
	}
	exports, err := exportData(repo, importSet)
	if err != nil {
		return 0, nil, err
	}
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		f, ok := exports[path]
		if !ok {
			return nil, fmt.Errorf("no export data for %q (is it imported by a module of the repository?)", path)
		}
		return os.Open(f)
	})
	for _, src := range srcs {
		problems = append(problems, typeCheck(fset, imp, src)...)
	}
	sort.SliceStable(problems, func(i, j int) bool {
		if problems[i].File != problems[j].File {
			return problems[i].File < problems[j].File
		}
		return problems[i].Line < problems[j].Line
	})
	return len(snips), problems, nil
}

// problem places an error of the generated file at its Markdown line.
func (s source) problem(err error) Problem {
	line, msg := 0, err.Error()
	var terr types.Error
	switch {
	case errors.As(err, &terr):
		line, msg = terr.Fset.Position(terr.Pos).Line, terr.Msg
	default:
		// go/scanner errors read "file:line:col: msg".
		if parts := strings.SplitN(msg, ":", 4); len(parts) == 4 {
			if n, e := strconv.Atoi(parts[1]); e == nil {
				line, msg = n, strings.TrimSpace(parts[3])
			}
		}
	}
	md := s.snip.Line
	if line >= s.codeLine {
		md += line - s.codeLine
	}
	return Problem{File: s.snip.File, Line: md, Msg: msg}
}

func typeCheck(fset *token.FileSet, imp types.Importer, src source) []Problem {
	f, err := parser.ParseFile(fset, src.pkg+"/snippet.go", src.text, parser.ParseComments)
	if err != nil {
		return []Problem{src.problem(err)}
	}
	declared := map[string]bool{}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				declared[d.Name.Name] = true
			}
		case *ast.GenDecl:
			for _, sp := range d.Specs {
				switch sp := sp.(type) {
				case *ast.ValueSpec:
					for _, n := range sp.Names {
						declared[n.Name] = true
					}
				case *ast.TypeSpec:
					declared[sp.Name.Name] = true
				}
			}
		}
	}
	files := []*ast.File{f}
	if f.Name.Name == "snippet" {
		pf, err := parser.ParseFile(fset, src.pkg+"/prelude.go", prelude.source(declared), 0)
		if err != nil {
			return []Problem{{File: src.snip.File, Line: src.snip.Line, Msg: "prelude: " + err.Error()}}
		}
		files = append(files, pf)
	}
	var problems []Problem
	conf := types.Config{Importer: imp, Error: func(err error) {
		var terr types.Error
		if errors.As(err, &terr) && terr.Soft && unusedRE.MatchString(terr.Msg) {
			return // an unused variable or import: fine in a snippet
		}
		if errors.As(err, &terr) && strings.HasSuffix(fset.Position(terr.Pos).Filename, "prelude.go") {
			problems = append(problems, Problem{File: src.snip.File, Line: src.snip.Line, Msg: "prelude: " + terr.Msg})
			return
		}
		problems = append(problems, src.problem(err))
	}}
	_, _ = conf.Check(src.pkg, fset, files, nil)
	return problems
}

// exportData builds the packages snippets import, as the repository's
// modules resolve them (a go.work using every module), and returns the
// export data file of each package and of its dependencies.
func exportData(repo string, imports map[string]bool) (map[string]string, error) {
	tmp, err := os.MkdirTemp("", "snippets-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	work := "go 1.23.0\n\nuse (\n"
	for _, m := range []string{".", "rtcredis", "otelrtc"} {
		work += "\t" + strconv.Quote(filepath.Join(repo, m)) + "\n"
	}
	work += ")\n"
	if err := os.WriteFile(filepath.Join(tmp, "go.work"), []byte(work), 0o644); err != nil {
		return nil, err
	}
	args := []string{"list", "-export", "-deps", "-f", "{{if .Export}}{{.ImportPath}}\t{{.Export}}{{end}}"}
	var paths []string
	for p := range imports {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	cmd := exec.Command("go", append(args, paths...)...)
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), "GOWORK="+filepath.Join(tmp, "go.work"), "GOFLAGS=-mod=readonly")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -export: %v\n%s", err, stderr.String())
	}
	exports := map[string]string{}
	for _, l := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(l, "\t"); ok {
			exports[k] = v
		}
	}
	return exports, nil
}
