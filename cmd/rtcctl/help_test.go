package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/volcrtc/rtc/internal/spec"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite cmd/rtcctl/testdata/*.golden from the current output")

// golden compares got with testdata/name.golden (or rewrites it with
// -update-golden).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *updateGolden {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run: go test ./cmd/rtcctl -update-golden")
	require.Equal(t, string(want), got, "output differs from %s; if the change is intended, run go test ./cmd/rtcctl -update-golden", path)
}

func TestHelpGolden(t *testing.T) {
	tests := []struct {
		golden string
		args   []string
	}{
		{"help-root", []string{"--help"}},
		{"help-root", []string{"help"}},
		{"help-call", []string{"call", "--help"}},
		{"help-call", []string{"help", "call"}},
		{"help-call", []string{"--verbose", "call", "KickUser", "-h"}},
		{"help-actions", []string{"actions", "--help"}},
		{"help-describe", []string{"describe", "--help"}},
		{"help-token", []string{"token", "--help"}},
		{"help-token-parse", []string{"token", "parse", "--help"}},
		{"help-token-parse", []string{"help", "token", "parse"}},
		{"help-callback-verify", []string{"callback", "verify", "--help"}},
		{"help-callback-send", []string{"callback", "send", "--help"}},
		{"help-callback-listen", []string{"callback", "listen", "--help"}},
		{"help-callback-replay", []string{"callback", "replay", "--help"}},
		{"help-callback-replay", []string{"help", "callback", "replay"}},
		{"help-fake", []string{"fake", "--help"}},
		{"help-version", []string{"version", "--help"}},
		{"help-help", []string{"help", "--help"}},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := runTool(t, nil, "", tc.args...)
			require.Equal(t, 0, r.code, r.stderr)
			require.Empty(t, r.stderr)
			golden(t, tc.golden, r.stdout)
		})
	}
}

func TestEveryCommandHasHelp(t *testing.T) {
	for _, c := range commands() {
		require.NotEmpty(t, c.summary, c.name)
		require.NotEmpty(t, c.help.usage, c.name)
		require.NotEmpty(t, c.help.description, c.name)
		if c.name != "version" {
			require.NotEmpty(t, c.help.examples, c.name)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, "Usage:"},
		{"unknown command", []string{"cal"}, `unknown command "cal". Did you mean call, callback send or callback listen?`},
		{"unknown global flag", []string{"--regoin", "x", "call"}, "flag provided but not defined: -regoin"},
		{"bad duration", []string{"call", "KickUser", "--timeout", "soon"}, `invalid value "soon" for flag -timeout`},
		{"help for nothing", []string{"help", "cal"}, `no help for "cal"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runTool(t, nil, "", tc.args...)
			require.Equal(t, 2, r.code)
			require.Contains(t, r.stderr, tc.want)
		})
	}
}

func TestActionsAndDescribe(t *testing.T) {
	s := spec.MustLoad()

	all := runTool(t, nil, "", "actions")
	require.Equal(t, 0, all.code, all.stderr)
	for i := range s.Actions {
		require.Contains(t, all.stdout, "  "+s.Actions[i].Action+" ", "every action is listed")
	}
	for _, c := range categories(s) {
		require.Regexp(t, `(?m)^`+c+` \(\d+\)$`, all.stdout)
	}

	room := runTool(t, nil, "", "actions", "--category", "room")
	require.Equal(t, 0, room.code, room.stderr)
	golden(t, "actions-room", room.stdout)

	bad := runTool(t, nil, "", "actions", "--category", "rooms")
	require.Equal(t, 2, bad.code)
	require.Contains(t, bad.stderr, `unknown category "rooms"; the categories are: app, billing,`)

	for _, name := range []string{"BanRoomUser", "GetRoomOnlineUsers", "StartRecord", "DeleteCallback"} {
		d := runTool(t, nil, "", "describe", name)
		require.Equal(t, 0, d.code, d.stderr)
		golden(t, "describe-"+name, d.stdout)
	}

	for i := range s.Actions {
		d := runTool(t, nil, "", "describe", s.Actions[i].Action)
		require.Equal(t, 0, d.code, d.stderr)
		require.Contains(t, d.stdout, "rtcctl call "+s.Actions[i].Action+" --data '")
	}

	miss := runTool(t, nil, "", "describe", "StartRecrod")
	require.Equal(t, 2, miss.code)
	require.Contains(t, miss.stderr, "Did you mean StartRecord")
}

func TestSuggest(t *testing.T) {
	names := []string{"BanRoomUser", "BanUserStream", "UnbanUserStream", "GetRoomOnlineUsers", "StartRecord", "StopRecord", "UpdateRecord", "GetRecordTask"}
	tests := []struct {
		typed string
		want  []string
	}{
		{"BanRomUser", []string{"BanRoomUser"}},
		{"banroomuser", []string{"BanRoomUser"}},
		{"StartRecrod", []string{"StartRecord"}},
		{"StopRec", []string{"StopRecord"}},
		{"getroom", []string{"GetRoomOnlineUsers"}},
		{"Record", []string{"StopRecord", "StartRecord", "UpdateRecord"}},
		{"Zzzzzzzz", nil},
		{"", nil},
	}
	for _, tc := range tests {
		t.Run(tc.typed, func(t *testing.T) {
			got := suggest(tc.typed, names, 3)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "ab", 2}, {"kitten", "sitting", 3}, {"same", "same", 0}, {"ab", "ba", 2},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, editDistance(tc.a, tc.b), "%q %q", tc.a, tc.b)
	}
}

func TestParseInterspersed(t *testing.T) {
	tests := []struct {
		args    []string
		wantPos []string
		wantX   string
		wantB   bool
	}{
		{[]string{"A", "--x", "1", "B"}, []string{"A", "B"}, "1", false},
		{[]string{"--b", "A", "--x=2"}, []string{"A"}, "2", true},
		{[]string{"A", "--", "--x", "3"}, []string{"A", "--x", "3"}, "", false},
		{nil, nil, "", false},
	}
	for _, tc := range tests {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		x := fs.String("x", "", "")
		b := fs.Bool("b", false, "")
		pos, err := parseInterspersed(fs, tc.args)
		require.NoError(t, err)
		require.Equal(t, tc.wantPos, pos)
		require.Equal(t, tc.wantX, *x)
		require.Equal(t, tc.wantB, *b)
	}
}
