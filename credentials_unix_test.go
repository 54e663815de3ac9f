//go:build unix

package rtc

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The config file: only regular files of bounded size are read; a FIFO or a
// link to /dev/zero neither blocks nor grows memory; a file others can read
// draws a warning.
func TestFileCredentialsHostileFiles(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()

	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	done := make(chan error, 1)
	go func() { _, err := FileCredentials(fifo).Retrieve(ctx); done <- err }()
	select {
	case err := <-done:
		require.ErrorContains(t, err, "not a regular file")
	case <-time.After(3 * time.Second):
		t.Fatal("reading a FIFO blocked")
	}

	zero := filepath.Join(dir, "zero")
	require.NoError(t, os.Symlink("/dev/zero", zero))
	_, err := FileCredentials(zero).Retrieve(ctx)
	require.ErrorContains(t, err, "not a regular file")

	_, err = FileCredentials(dir).Retrieve(ctx)
	require.ErrorContains(t, err, "not a regular file")

	big := filepath.Join(dir, "big")
	require.NoError(t, os.WriteFile(big, []byte(`{"ak":"a","sk":"b"}`+strings.Repeat(" ", MaxConfigFileSize)), 0o600))
	_, err = FileCredentials(big).Retrieve(ctx)
	require.ErrorContains(t, err, "more than the 65536")

	// Permissions: 0600 is quiet, 0644 warns (and still works).
	good := filepath.Join(dir, "good")
	require.NoError(t, os.WriteFile(good, []byte(`{"ak":"a","sk":"b"}`), 0o600))
	var warned []string
	warn := func(p string, m fs.FileMode) { warned = append(warned, p+" "+m.Perm().String()) }
	c, err := fileProvider{path: good, warn: warn}.Retrieve(ctx)
	require.NoError(t, err)
	require.Equal(t, "a", c.AccessKeyID)
	require.Empty(t, warned)
	require.NoError(t, os.Chmod(good, 0o644))
	_, err = fileProvider{path: good, warn: warn}.Retrieve(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{good + " -rw-r--r--"}, warned)

	// A cancelled context is honoured before the file is touched.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = FileCredentials(fifo).Retrieve(cctx)
	require.ErrorIs(t, err, context.Canceled)
}
