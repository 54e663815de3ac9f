package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/volcrtc/rtc/internal/spec"
)

// TestIMThroughTheTool registers users, creates a conversation and sends a
// message with rtcctl call against rtctest: integer ids pass the checks
// (the string ID rule does not apply to them), the fake keeps the state.
func TestIMThroughTheTool(t *testing.T) {
	srv, env := newFake(t)
	r := runTool(t, env, "", "call", "RegisterUsers", "--data", `{"AppId":3000001,"Users":[{"UserId":1},{"UserId":2}]}`)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	require.True(t, srv.IMRegistered(3000001, 2))

	r = runTool(t, env, "", "call", "CreateConversation", "--data",
		`{"AppId":3000001,"OwnerUserId":1,"ConversationCoreInfo":{"ConversationType":2}}`)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	var created struct{ ConversationShortId int64 }
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &created))
	require.NotZero(t, created.ConversationShortId)

	body, _ := json.Marshal(map[string]any{"AppId": 3000001, "ConversationShortId": created.ConversationShortId,
		"Sender": 1, "MsgType": 10001, "Content": `{"text":"hi"}`})
	r = runTool(t, env, "", "call", "SendMessage", "--data", string(body))
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	require.Len(t, srv.IMMessages(3000001, created.ConversationShortId), 1)

	// The fake refuses a sender who is not a participant; the tool says so.
	body, _ = json.Marshal(map[string]any{"AppId": 3000001, "ConversationShortId": created.ConversationShortId,
		"Sender": 2, "MsgType": 10001, "Content": "x"})
	r = runTool(t, env, "", "call", "SendMessage", "--data", string(body))
	require.NotEqual(t, 0, r.code)
	require.Contains(t, r.stderr, "NotParticipant")
}

func TestDescribeNewActions(t *testing.T) {
	_, env := newFake(t)
	r := runTool(t, env, "", "describe", "SendMessage")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	require.Contains(t, r.stdout, "category im")
	require.Contains(t, r.stdout, "ConversationShortId")
	require.NotContains(t, r.stdout, "ID rule", "integer ids do not follow the string ID rule")

	r = runTool(t, env, "", "describe", "GetResourcePackNum")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	require.Contains(t, r.stdout, "a bare number")

	r = runTool(t, env, "", "describe", "StartSubtitle")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	require.Contains(t, r.stdout, "2024-06-01")

	r = runTool(t, env, "", "actions")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	for _, a := range []string{"SendMessage", "ListResourcePackagesV2", "StopSubtitle", "UserBroadcast"} {
		require.True(t, strings.Contains(r.stdout, a), a)
	}
}

// TestCallNoInputAction calls an action that takes no input and answers a
// bare number.
func TestCallNoInputAction(t *testing.T) {
	_, env := newFake(t)
	r := runTool(t, env, "", "call", "GetResourcePackNum")
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	var n int
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &n), r.stdout)
}

// TestCallEveryAction sends every action of the description through
// rtcctl call (with --lenient and a value for every required field) to
// rtctest: each one reaches the fake, which knows it (no
// InvalidActionOrVersion); the tool exits 0 on success or 1 on an error the
// service gives (a task or conversation that does not exist yet), never 2.
func TestCallEveryAction(t *testing.T) {
	srv, env := newFake(t)
	s := spec.MustLoad()
	for i := range s.Actions {
		a := &s.Actions[i]
		t.Run(a.Action, func(t *testing.T) {
			in, _ := json.Marshal(sampleInput(a.Input, a.Enums))
			before := len(srv.Requests())
			r := runTool(t, env, "", "call", a.Action, "--lenient", "--data", string(in))
			require.Contains(t, []int{0, 1}, r.code, "stderr: %s", r.stderr)
			reqs := srv.Requests()
			require.Len(t, reqs, before+1, "one request reached the fake")
			require.NotEqual(t, "InvalidActionOrVersion", reqs[len(reqs)-1].ErrorCode)
			require.Equal(t, a.Version, reqs[len(reqs)-1].Version)
		})
	}
}

// sampleInput gives every required field a value of its type that passes
// the ID rule (the first allowed value of a field the description
// enumerates).
func sampleInput(fields []spec.Field, enums map[string][]string) map[string]any {
	m := map[string]any{}
	for i := range fields {
		f := &fields[i]
		if !f.Required {
			continue
		}
		if vs := enums[f.Name]; len(vs) > 0 {
			m[f.Name] = vs[0]
			continue
		}
		m[f.Name] = sampleValue(f)
	}
	return m
}

func sampleValue(f *spec.Field) any {
	switch f.Type {
	case "object":
		return sampleInput(f.Fields, nil)
	case "array":
		if f.Elem == nil {
			return []any{}
		}
		return []any{sampleValue(f.Elem)}
	case "int32", "int64", "float32", "float64":
		return 1
	case "bool":
		return true
	case "any":
		return map[string]any{"k": "v"}
	}
	switch f.Name {
	case "StartTime":
		return "2026-01-01T00:00:00+08:00"
	case "EndTime":
		return "2026-01-02T00:00:00+08:00"
	}
	return "v1"
}
