package main

import (
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// generatedFiles runs the generator once for all the tests that only read
// its output (each run takes seconds under -race). Tests must not modify
// the map or the files.
func generatedFiles(t *testing.T) map[string][]byte {
	t.Helper()
	genOnce.Do(func() { genFiles, genErr = generate(filepath.Join("..", "..")) })
	require.NoError(t, genErr)
	return genFiles
}

var (
	genOnce  sync.Once
	genFiles map[string][]byte
	genErr   error
)
