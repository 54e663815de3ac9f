package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const repoRoot = "../../.."

// A broken snippet fails the check at its Markdown line, whatever kind of
// mistake it holds; a good one, with a given name and an unused variable,
// passes.
func TestCheckFindsBrokenSnippets(t *testing.T) {
	md := strings.Join([]string{
		"# Doc",
		"",
		"```go",
		"client, err := rtc.New(rtc.WithRegion(rtc.RegionCNNorth1))", // line 4: fine (unused err)
		"res, err := client.BanRoomUser(ctx, &rtc.BanRoomUserRequest{AppID: appID, RoomID: \"r\", UserID: \"u\"})",
		"fmt.Println(res.Metadata.RequestID)",
		"```",
		"",
		"```go",
		"_, err := client.StartRecord(ctx, &rtc.StartRecordRequest{AppID: appID,", // line 10
		"    StorageConfig: &rtc.RecordStorageConfig{Type: rtc.Ptr[int32](0)}})",  // line 11: wrong type
		"```",
		"",
		"```go",
		"client.KickUser(ctx, &rtc.KickUserRequest{AppID: appID, NoSuchField: 1})", // line 15
		"```",
		"",
		"<!-- snippet-given: var onEvent func(context.Context, *rtc.CallbackEvent) error -->",
		"```go",
		"h, _ := rtc.NewCallbackHandler(secret, onEvent)", // line 20: fine
		"```",
		"",
		"```go",
		"for x := range client.ListAppsAll(ctx, nil) { ... }", // line 24: not Go
		"```",
		"",
		"```go",
		"a, err := 1, error(nil)",
		"a, err := 2, error(nil)", // line 29: no new variables
		"```",
	}, "\n")
	path := filepath.Join(t.TempDir(), "doc.md")
	if err := os.WriteFile(path, []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
	n, problems, err := Check(repoRoot, []string{path})
	if err != nil {
		t.Fatal(err)
	}
	if n != 6 {
		t.Errorf("found %d snippets, want 6", n)
	}
	want := map[int]string{
		11: "cannot use rtc.Ptr[int32](0)",
		15: "NoSuchField",
		24: "expected",
		29: "no new variables",
	}
	got := map[int]string{}
	for _, p := range problems {
		got[p.Line] = p.Msg
		if p.File != path {
			t.Errorf("problem %v names file %q", p, p.File)
		}
	}
	for line, frag := range want {
		if !strings.Contains(got[line], frag) {
			t.Errorf("line %d: got %q, want a problem containing %q (all: %v)", line, got[line], frag, problems)
		}
	}
	for line := range got {
		if _, ok := want[line]; !ok {
			t.Errorf("unexpected problem at line %d: %s", line, got[line])
		}
	}
}

// The repository's own documentation type-checks: the same check `make
// test` runs as the docscheck step.
func TestRepositorySnippets(t *testing.T) {
	files, err := DocFiles(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	n, problems, err := Check(repoRoot, files)
	if err != nil {
		t.Fatal(err)
	}
	if n < 30 {
		t.Errorf("only %d snippets found in %d files", n, len(files))
	}
	for _, p := range problems {
		t.Error(p)
	}
}
