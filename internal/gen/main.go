// Command gen writes the typed requests, results and methods of package rtc
// from the RTC OpenAPI description and the SDK's rules per action
// (internal/spec: rtc-openapi*.json, actions.json and the facts).
//
// Run it from the repository root, usually through go generate:
//
//	go run ./internal/gen          # rewrite the generated files
//	go run ./internal/gen -check   # fail if any generated file is stale
//
// Every file it writes begins with api_ (generatedPrefix; docs/generated.md
// lists them): one file per spec category (api_room.go, api_record.go, ...),
// api_types_shared.go for nested types used by several categories,
// api_operations.go (the operation table) and api_samples_test.go (sample
// requests and results for the root package's tests). The output depends
// only on its inputs, so regenerating an unchanged tree changes nothing.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/volcrtc/rtc/internal/spec"
)

func main() {
	root := flag.String("root", ".", "repository root to write to")
	check := flag.Bool("check", false, "compare with the files on disk instead of writing; exit 1 when they differ")
	rep := flag.Bool("report", false, "print what the field facts cover, per category, and list the fields left; write nothing")
	flag.Parse()
	if *rep {
		m, err := loadModel(*root)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		if _, err := m.render(); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		m.report(os.Stdout)
		return
	}
	if err := run(*root, *check); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// generate renders every file from the embedded spec.
func generate(root string) (map[string][]byte, error) {
	m, err := loadModel(root)
	if err != nil {
		return nil, err
	}
	return m.render()
}

// loadModel reads the spec and the facts.
func loadModel(root string) (*model, error) {
	s, err := spec.Load()
	if err != nil {
		return nil, err
	}
	fs, err := spec.LoadFacts()
	if err != nil {
		return nil, err
	}
	m, err := buildModel(s, fs)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// run writes the generated files, or with check only compares them.
func run(root string, check bool) error {
	files, err := generate(root)
	if err != nil {
		return err
	}
	if check {
		return compare(root, files)
	}
	for _, name := range sortedNames(files) {
		path := filepath.Join(root, name)
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, files[name]) {
			continue
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// compare reports every generated file that is missing or differs on disk.
func compare(root string, files map[string][]byte) error {
	var stale []error
	for _, name := range sortedNames(files) {
		old, err := os.ReadFile(filepath.Join(root, name))
		switch {
		case err != nil:
			stale = append(stale, fmt.Errorf("%s: %w", name, err))
		case !bytes.Equal(old, files[name]):
			stale = append(stale, fmt.Errorf("%s is stale: run go generate", name))
		}
	}
	return errors.Join(stale...)
}

func sortedNames(files map[string][]byte) []string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
