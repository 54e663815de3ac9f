package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestIMSafetyEveryAction checks that every IM action has a class, and the
// classes of the families the issue names: sends, broadcasts, creates and
// deletes are never repeated after an ambiguous failure; reads and
// updates that set a state are.
func TestIMSafetyEveryAction(t *testing.T) {
	m := loadRealModel(t)
	n := 0
	got := map[string]string{}
	for _, am := range m.Actions {
		if isIM(am.A) {
			n++
		}
		got[am.Name] = am.Safety
	}
	require.Equal(t, 55, n)
	for action, want := range map[string]string{
		"SendMessage": unsafe, "BatchSendMessage": unsafe, "UserBroadcast": unsafe,
		"CreateConversation": unsafe, "RegisterUsers": unsafe, "AddFriend": unsafe,
		"DestroyConversation": unsafe, "DeleteMessage": unsafe, "RecallMessage": unsafe,
		"UnRegisterUsers": unsafe, "RemoveBlackList": unsafe,
		"GetConversationMessages": safe, "BatchGetUser": safe, "IsFriend": safe,
		"QueryOnlineStatus": safe, "ScanConversationParticipantList": safe,
		"ModifyConversation": safe, "UpdateFriend": safe, "BatchUpdateUser": safe,
		"MarkConversation": safe,
		// Not IM: the prefix rules still apply.
		"GetResourcePackNum": safe, "ListResourcePackages": safe, "CreateByteplusApp": unsafe,
	} {
		require.Equal(t, want, got[action], action)
	}
}

func TestCursorPagingDetection(t *testing.T) {
	m := loadRealModel(t)
	var paged []string
	for _, am := range m.Actions {
		if am.Cursor != nil {
			paged = append(paged, am.Name+":"+am.Cursor.Items.Struct.Name+":"+am.Cursor.Next.Wire)
		}
	}
	require.Equal(t, []string{
		"BatchGetBlockParticipants:IMBlockedParticipant:NextCursor",
		"BatchGetWhitelistParticipant:IMWhitelistParticipant:NextCursor",
		"GetBlackList:IMBlackListEntry:NextCursor",
		"GetConversationMessages:IMMessage:NewCursor",
		"GetUserConversations:IMConversationInfo:NextCursor",
		"ListFriend:IMFriend:NextCursor",
		"ScanConversationParticipantList:IMParticipant:NextCursor",
	}, paged)
}

// TestIMNaming checks that every type generated for an IM action carries
// the IM prefix and that IM methods hang off IMClient.
func TestIMNaming(t *testing.T) {
	m := loadRealModel(t)
	for _, am := range m.Actions {
		if !isIM(am.A) {
			require.False(t, strings.HasPrefix(am.Request.Name, "IM"), am.Name)
			continue
		}
		require.Equal(t, "IM"+am.Name+"Request", am.Request.Name)
		require.Equal(t, "IM"+am.Name+"Result", am.Result.Name)
	}
	for _, t2 := range m.Nested {
		if cats := t2.categories(); len(cats) == 1 && cats[0] == imCategory {
			require.True(t, strings.HasPrefix(t2.Name, "IM"), t2.Name)
		}
	}
	files := generatedFiles(t)
	src := string(files["api_im.go"])
	require.Contains(t, src, "type IMClient Client")
	require.Contains(t, src, "func (c *IMClient) SendMessage(ctx context.Context, req *IMSendMessageRequest, opts ...CallOption) (*IMSendMessageResult, error)")
	require.Contains(t, src, "(*Client)(c).invoke(ctx, &opSendMessage, req, res, opts)")
	// Integer ids are not checked by the string ID rule.
	require.NotContains(t, src, "v.id(")
}

func TestBareResults(t *testing.T) {
	files := generatedFiles(t)
	src := string(files["api_billing.go"])
	require.Contains(t, src, "func (r *GetResourcePackNumResult) UnmarshalJSON(b []byte) error { return json.Unmarshal(b, &r.Count) }")
	require.Contains(t, src, "Packages []ResourcePackage")
	require.Contains(t, src, "if req == nil {")
}
