package spec

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	// Every action of the two data files, once: a page action of the same
	// name as a modelled one replaces it.
	names := map[string]bool{}
	for _, b := range [][]byte{raw, pagesRaw} {
		var doc struct {
			Actions []struct {
				Action string `json:"action"`
			} `json:"actions"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		for _, a := range doc.Actions {
			names[a.Action] = true
		}
	}
	if got := len(s.Actions); got != len(names) {
		t.Fatalf("actions = %d, want %d (every action of the data files once)", got, len(names))
	}
	a := s.Find("BanRoomUser")
	if a == nil || a.Method != "POST" || a.Version != "2023-11-01" || !a.HasVersion("2020-12-01") {
		t.Fatalf("BanRoomUser = %+v", a)
	}
	if s.Find("NoSuchAction") != nil {
		t.Fatal("found an action that does not exist")
	}
}

func TestPagesActions(t *testing.T) {
	s := MustLoad()
	for _, name := range []string{"StartSubtitle", "UpdateSubtitle", "StopSubtitle"} {
		a := s.Find(name)
		if a == nil || a.Version != "2024-06-01" || a.Category != "subtitle" || a.Source == "" {
			t.Fatalf("%s = %+v", name, a)
		}
	}
	for _, name := range []string{"StartVoiceChat", "UpdateVoiceChat", "StopVoiceChat"} {
		a := s.Find(name)
		if a == nil || a.Version != "2025-06-01" || !a.HasVersion("2024-12-01") || a.Source == "" {
			t.Fatalf("%s = %+v", name, a)
		}
	}
	if err := mergePages(&Spec{}, []byte(`{"actions":[{"action":"X"}]}`)); err == nil {
		t.Fatal("a page action without a source was accepted")
	}
}

func TestContradictoryRequiredIsOptional(t *testing.T) {
	a := MustLoad().Find("GetUserConversations")
	for _, f := range a.Input {
		if f.Name == "ParticipantUserIdStr" && f.Required {
			t.Fatal("ParticipantUserIdStr is a pointer with omitempty in the vendor's model; it must be optional")
		}
		if f.Name == "ParticipantUserId" && !f.Required {
			t.Fatal("ParticipantUserId stays required")
		}
	}
}

func TestRulesChecked(t *testing.T) {
	task := &Action{Action: "StartX", Input: []Field{{Name: "TaskId", Type: "string"}}}
	bare := &Action{Action: "StartY"}
	for _, c := range []struct {
		a    *Action
		r    Rules
		want string
	}{
		{bare, Rules{Safety: Safe}, "no doc"},
		{bare, Rules{Doc: "d", Safety: "maybe"}, `safety "maybe"`},
		{bare, Rules{Doc: "d", Safety: SafeWithTask}, "needs a TaskId"},
		{bare, Rules{Doc: "d", Safety: Safe, Limit: &Limit{QPS: 1, PerMinute: 1, Source: "p"}}, "one of them"},
		{bare, Rules{Doc: "d", Safety: Safe, Limit: &Limit{QPS: 1}}, "source"},
		{bare, Rules{Doc: "d", Safety: Safe, Names: map[string]string{"List": "X"}}, "must start with"},
		{task, Rules{Doc: "d", Safety: SafeWithTask, Limit: &Limit{PerMinute: 10, Source: "p"}}, ""},
	} {
		err := c.r.check(c.a)
		if c.want == "" {
			if err != nil {
				t.Errorf("%+v: %v", c.r, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want %q", c.r, err, c.want)
		}
	}
	s := &Spec{Actions: []Action{*task}}
	if err := mergeRules(s, []byte(`{"actions":{}}`)); err == nil || !strings.Contains(err.Error(), "no entry for action StartX") {
		t.Errorf("missing entry: %v", err)
	}
	if err := mergeRules(s, []byte(`{"actions":{"StartX":{"doc":"d","safety":"task"},"Gone":{"doc":"d","safety":"safe"}}}`)); err == nil || !strings.Contains(err.Error(), "unknown action Gone") {
		t.Errorf("unknown entry: %v", err)
	}
}

func TestAbsentAndIDRule(t *testing.T) {
	for _, c := range []struct {
		v      any
		absent bool
	}{
		{nil, true}, {"", true}, {[]any{}, true},
		{map[string]any{}, false}, {"x", false}, {[]any{nil}, false}, {false, false}, {json.Number("0"), false},
	} {
		if got := Absent(c.v); got != c.absent {
			t.Errorf("Absent(%#v) = %v", c.v, got)
		}
	}
	s := MustLoad()
	if !s.IsIDField("roomid") || !s.IsIDField("BusinessID") || s.IsIDField("AppId") {
		t.Error("IsIDField")
	}
	for in, want := range map[string]string{
		"room_1":                 "",
		"room 1":                 "must be 1 to 128 characters of a-z A-Z 0-9 @ . _ - (got ' ' at byte 4)",
		strings.Repeat("a", 129): "must be 1 to 128 characters of a-z A-Z 0-9 @ . _ - (got 129 characters)",
		"é":                      `must be 1 to 128 characters of a-z A-Z 0-9 @ . _ - (got 'é' at byte 0)`,
	} {
		if got := s.IDRule.Problem(in); got != want {
			t.Errorf("Problem(%q) = %q, want %q", in, got, want)
		}
	}
}
