package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
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
