package conformance_test

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/volcengine/volc-sdk-golang/service/im"
	"github.com/volcrtc/rtc"
)

// imBodies pairs every IM action's vendor request model with ours.
var imBodies = map[string][2]reflect.Type{
	"AddBlackList":                       {reflect.TypeOf(im.AddBlackListBody{}), reflect.TypeOf(rtc.IMAddBlackListRequest{})},
	"AddFriend":                          {reflect.TypeOf(im.AddFriendBody{}), reflect.TypeOf(rtc.IMAddFriendRequest{})},
	"BatchAddBlockParticipants":          {reflect.TypeOf(im.BatchAddBlockParticipantsBody{}), reflect.TypeOf(rtc.IMBatchAddBlockParticipantsRequest{})},
	"BatchAddConversationParticipant":    {reflect.TypeOf(im.BatchAddConversationParticipantBody{}), reflect.TypeOf(rtc.IMBatchAddConversationParticipantRequest{})},
	"BatchAddManager":                    {reflect.TypeOf(im.BatchAddManagerBody{}), reflect.TypeOf(rtc.IMBatchAddManagerRequest{})},
	"BatchAddWhitelistParticipant":       {reflect.TypeOf(im.BatchAddWhitelistParticipantBody{}), reflect.TypeOf(rtc.IMBatchAddWhitelistParticipantRequest{})},
	"BatchDeleteBlockParticipants":       {reflect.TypeOf(im.BatchDeleteBlockParticipantsBody{}), reflect.TypeOf(rtc.IMBatchDeleteBlockParticipantsRequest{})},
	"BatchDeleteConversationParticipant": {reflect.TypeOf(im.BatchDeleteConversationParticipantBody{}), reflect.TypeOf(rtc.IMBatchDeleteConversationParticipantRequest{})},
	"BatchGetBlockParticipants":          {reflect.TypeOf(im.BatchGetBlockParticipantsBody{}), reflect.TypeOf(rtc.IMBatchGetBlockParticipantsRequest{})},
	"BatchGetConversationParticipant":    {reflect.TypeOf(im.BatchGetConversationParticipantBody{}), reflect.TypeOf(rtc.IMBatchGetConversationParticipantRequest{})},
	"BatchGetConversations":              {reflect.TypeOf(im.BatchGetConversationsBody{}), reflect.TypeOf(rtc.IMBatchGetConversationsRequest{})},
	"BatchGetUser":                       {reflect.TypeOf(im.BatchGetUserBody{}), reflect.TypeOf(rtc.IMBatchGetUserRequest{})},
	"BatchGetWhitelistParticipant":       {reflect.TypeOf(im.BatchGetWhitelistParticipantBody{}), reflect.TypeOf(rtc.IMBatchGetWhitelistParticipantRequest{})},
	"BatchModifyConversationParticipant": {reflect.TypeOf(im.BatchModifyConversationParticipantBody{}), reflect.TypeOf(rtc.IMBatchModifyConversationParticipantRequest{})},
	"BatchRemoveManager":                 {reflect.TypeOf(im.BatchRemoveManagerBody{}), reflect.TypeOf(rtc.IMBatchRemoveManagerRequest{})},
	"BatchRemoveWhitelistParticipant":    {reflect.TypeOf(im.BatchRemoveWhitelistParticipantBody{}), reflect.TypeOf(rtc.IMBatchRemoveWhitelistParticipantRequest{})},
	"BatchSendMessage":                   {reflect.TypeOf(im.BatchSendMessageBody{}), reflect.TypeOf(rtc.IMBatchSendMessageRequest{})},
	"BatchUpdateLiveParticipants":        {reflect.TypeOf(im.BatchUpdateLiveParticipantsBody{}), reflect.TypeOf(rtc.IMBatchUpdateLiveParticipantsRequest{})},
	"BatchUpdateUser":                    {reflect.TypeOf(im.BatchUpdateUserBody{}), reflect.TypeOf(rtc.IMBatchUpdateUserRequest{})},
	"BatchUpdateUserTags":                {reflect.TypeOf(im.BatchUpdateUserTagsBody{}), reflect.TypeOf(rtc.IMBatchUpdateUserTagsRequest{})},
	"CreateConversation":                 {reflect.TypeOf(im.CreateConversationBody{}), reflect.TypeOf(rtc.IMCreateConversationRequest{})},
	"DeleteConversationMessage":          {reflect.TypeOf(im.DeleteConversationMessageBody{}), reflect.TypeOf(rtc.IMDeleteConversationMessageRequest{})},
	"DeleteFriend":                       {reflect.TypeOf(im.DeleteFriendBody{}), reflect.TypeOf(rtc.IMDeleteFriendRequest{})},
	"DeleteMessage":                      {reflect.TypeOf(im.DeleteMessageBody{}), reflect.TypeOf(rtc.IMDeleteMessageRequest{})},
	"DestroyConversation":                {reflect.TypeOf(im.DestroyConversationBody{}), reflect.TypeOf(rtc.IMDestroyConversationRequest{})},
	"GetAppToken":                        {reflect.TypeOf(im.GetAppTokenBody{}), reflect.TypeOf(rtc.IMGetAppTokenRequest{})},
	"GetBlackList":                       {reflect.TypeOf(im.GetBlackListBody{}), reflect.TypeOf(rtc.IMGetBlackListRequest{})},
	"GetConversationMarks":               {reflect.TypeOf(im.GetConversationMarksBody{}), reflect.TypeOf(rtc.IMGetConversationMarksRequest{})},
	"GetConversationMessages":            {reflect.TypeOf(im.GetConversationMessagesBody{}), reflect.TypeOf(rtc.IMGetConversationMessagesRequest{})},
	"GetConversationSetting":             {reflect.TypeOf(im.GetConversationSettingBody{}), reflect.TypeOf(rtc.IMGetConversationSettingRequest{})},
	"GetConversationUserCount":           {reflect.TypeOf(im.GetConversationUserCountBody{}), reflect.TypeOf(rtc.IMGetConversationUserCountRequest{})},
	"GetMessages":                        {reflect.TypeOf(im.GetMessagesBody{}), reflect.TypeOf(rtc.IMGetMessagesRequest{})},
	"GetMessagesReadReceipt":             {reflect.TypeOf(im.GetMessagesReadReceiptBody{}), reflect.TypeOf(rtc.IMGetMessagesReadReceiptRequest{})},
	"GetParticipantReadIndex":            {reflect.TypeOf(im.GetParticipantReadIndexBody{}), reflect.TypeOf(rtc.IMGetParticipantReadIndexRequest{})},
	"GetUserConversations":               {reflect.TypeOf(im.GetUserConversationsBody{}), reflect.TypeOf(rtc.IMGetUserConversationsRequest{})},
	"IsFriend":                           {reflect.TypeOf(im.IsFriendBody{}), reflect.TypeOf(rtc.IMIsFriendRequest{})},
	"IsInBlackList":                      {reflect.TypeOf(im.IsInBlackListBody{}), reflect.TypeOf(rtc.IMIsInBlackListRequest{})},
	"IsUserInConversation":               {reflect.TypeOf(im.IsUserInConversationBody{}), reflect.TypeOf(rtc.IMIsUserInConversationRequest{})},
	"ListFriend":                         {reflect.TypeOf(im.ListFriendBody{}), reflect.TypeOf(rtc.IMListFriendRequest{})},
	"MarkConversation":                   {reflect.TypeOf(im.MarkConversationBody{}), reflect.TypeOf(rtc.IMMarkConversationRequest{})},
	"ModifyConversation":                 {reflect.TypeOf(im.ModifyConversationBody{}), reflect.TypeOf(rtc.IMModifyConversationRequest{})},
	"ModifyConversationSetting":          {reflect.TypeOf(im.ModifyConversationSettingBody{}), reflect.TypeOf(rtc.IMModifyConversationSettingRequest{})},
	"ModifyMessage":                      {reflect.TypeOf(im.ModifyMessageBody{}), reflect.TypeOf(rtc.IMModifyMessageRequest{})},
	"ModifyParticipantReadIndex":         {reflect.TypeOf(im.ModifyParticipantReadIndexBody{}), reflect.TypeOf(rtc.IMModifyParticipantReadIndexRequest{})},
	"QueryLiveParticipantStatus":         {reflect.TypeOf(im.QueryLiveParticipantStatusBody{}), reflect.TypeOf(rtc.IMQueryLiveParticipantStatusRequest{})},
	"QueryOnlineStatus":                  {reflect.TypeOf(im.QueryOnlineStatusBody{}), reflect.TypeOf(rtc.IMQueryOnlineStatusRequest{})},
	"RecallMessage":                      {reflect.TypeOf(im.RecallMessageBody{}), reflect.TypeOf(rtc.IMRecallMessageRequest{})},
	"RegisterUsers":                      {reflect.TypeOf(im.RegisterUsersBody{}), reflect.TypeOf(rtc.IMRegisterUsersRequest{})},
	"RemoveBlackList":                    {reflect.TypeOf(im.RemoveBlackListBody{}), reflect.TypeOf(rtc.IMRemoveBlackListRequest{})},
	"ScanConversationParticipantList":    {reflect.TypeOf(im.ScanConversationParticipantListBody{}), reflect.TypeOf(rtc.IMScanConversationParticipantListRequest{})},
	"SendMessage":                        {reflect.TypeOf(im.SendMessageBody{}), reflect.TypeOf(rtc.IMSendMessageRequest{})},
	"UnRegisterUsers":                    {reflect.TypeOf(im.UnRegisterUsersBody{}), reflect.TypeOf(rtc.IMUnRegisterUsersRequest{})},
	"UpdateBlackList":                    {reflect.TypeOf(im.UpdateBlackListBody{}), reflect.TypeOf(rtc.IMUpdateBlackListRequest{})},
	"UpdateFriend":                       {reflect.TypeOf(im.UpdateFriendBody{}), reflect.TypeOf(rtc.IMUpdateFriendRequest{})},
	"UserBroadcast":                      {reflect.TypeOf(im.UserBroadcastBody{}), reflect.TypeOf(rtc.IMUserBroadcastRequest{})},
}

// TestIMRequestShapesMatchVendor checks, for all 55 IM actions, that our
// request types carry the same JSON keys as the vendor's models, nested
// objects and list elements included, so a request we build is one the
// vendor's client could have built.
func TestIMRequestShapesMatchVendor(t *testing.T) {
	require.Len(t, imBodies, 55)
	require.Contains(t, jsonKeys(imBodies["SendMessage"][1], ""), "RefMsgInfo.ReferencedMessageId", "nested keys are compared too")
	for action, pair := range imBodies {
		t.Run(action, func(t *testing.T) {
			ours := jsonKeys(pair[1], "")
			require.Contains(t, ours, "AppId")
			require.Equal(t, jsonKeys(pair[0], ""), ours)
		})
	}
}

// jsonKeys lists the JSON key paths of a struct type, recursively.
func jsonKeys(t reflect.Type, prefix string) []string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		path := prefix + name
		out = append(out, path)
		ft := f.Type
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft.PkgPath() != "encoding/json" {
			out = append(out, jsonKeys(ft, path+".")...)
		}
	}
	sort.Strings(out)
	return out
}

// imResults pairs every IM action whose Result is an object with ours.
var imResults = map[string][2]reflect.Type{
	"AddBlackList":                       {reflect.TypeOf(im.AddBlackListResResult{}), reflect.TypeOf(rtc.IMAddBlackListResult{})},
	"AddFriend":                          {reflect.TypeOf(im.AddFriendResResult{}), reflect.TypeOf(rtc.IMAddFriendResult{})},
	"BatchAddBlockParticipants":          {reflect.TypeOf(im.BatchAddBlockParticipantsResResult{}), reflect.TypeOf(rtc.IMBatchAddBlockParticipantsResult{})},
	"BatchAddConversationParticipant":    {reflect.TypeOf(im.BatchAddConversationParticipantResResult{}), reflect.TypeOf(rtc.IMBatchAddConversationParticipantResult{})},
	"BatchAddManager":                    {reflect.TypeOf(im.BatchAddManagerResResult{}), reflect.TypeOf(rtc.IMBatchAddManagerResult{})},
	"BatchAddWhitelistParticipant":       {reflect.TypeOf(im.BatchAddWhitelistParticipantResResult{}), reflect.TypeOf(rtc.IMBatchAddWhitelistParticipantResult{})},
	"BatchDeleteBlockParticipants":       {reflect.TypeOf(im.BatchDeleteBlockParticipantsResResult{}), reflect.TypeOf(rtc.IMBatchDeleteBlockParticipantsResult{})},
	"BatchDeleteConversationParticipant": {reflect.TypeOf(im.BatchDeleteConversationParticipantResResult{}), reflect.TypeOf(rtc.IMBatchDeleteConversationParticipantResult{})},
	"BatchGetBlockParticipants":          {reflect.TypeOf(im.BatchGetBlockParticipantsResResult{}), reflect.TypeOf(rtc.IMBatchGetBlockParticipantsResult{})},
	"BatchGetConversationParticipant":    {reflect.TypeOf(im.BatchGetConversationParticipantResResult{}), reflect.TypeOf(rtc.IMBatchGetConversationParticipantResult{})},
	"BatchGetConversations":              {reflect.TypeOf(im.BatchGetConversationsResResult{}), reflect.TypeOf(rtc.IMBatchGetConversationsResult{})},
	"BatchGetUser":                       {reflect.TypeOf(im.BatchGetUserResResult{}), reflect.TypeOf(rtc.IMBatchGetUserResult{})},
	"BatchGetWhitelistParticipant":       {reflect.TypeOf(im.BatchGetWhitelistParticipantResResult{}), reflect.TypeOf(rtc.IMBatchGetWhitelistParticipantResult{})},
	"BatchModifyConversationParticipant": {reflect.TypeOf(im.BatchModifyConversationParticipantResResult{}), reflect.TypeOf(rtc.IMBatchModifyConversationParticipantResult{})},
	"BatchRemoveManager":                 {reflect.TypeOf(im.BatchRemoveManagerResResult{}), reflect.TypeOf(rtc.IMBatchRemoveManagerResult{})},
	"BatchRemoveWhitelistParticipant":    {reflect.TypeOf(im.BatchRemoveWhitelistParticipantResResult{}), reflect.TypeOf(rtc.IMBatchRemoveWhitelistParticipantResult{})},
	"BatchSendMessage":                   {reflect.TypeOf(im.BatchSendMessageResResult{}), reflect.TypeOf(rtc.IMBatchSendMessageResult{})},
	"BatchUpdateLiveParticipants":        {reflect.TypeOf(im.BatchUpdateLiveParticipantsResResult{}), reflect.TypeOf(rtc.IMBatchUpdateLiveParticipantsResult{})},
	"BatchUpdateUser":                    {reflect.TypeOf(im.BatchUpdateUserResResult{}), reflect.TypeOf(rtc.IMBatchUpdateUserResult{})},
	"BatchUpdateUserTags":                {reflect.TypeOf(im.BatchUpdateUserTagsResResult{}), reflect.TypeOf(rtc.IMBatchUpdateUserTagsResult{})},
	"CreateConversation":                 {reflect.TypeOf(im.CreateConversationResResult{}), reflect.TypeOf(rtc.IMCreateConversationResult{})},
	"DeleteFriend":                       {reflect.TypeOf(im.DeleteFriendResResult{}), reflect.TypeOf(rtc.IMDeleteFriendResult{})},
	"GetAppToken":                        {reflect.TypeOf(im.GetAppTokenResResult{}), reflect.TypeOf(rtc.IMGetAppTokenResult{})},
	"GetBlackList":                       {reflect.TypeOf(im.GetBlackListResResult{}), reflect.TypeOf(rtc.IMGetBlackListResult{})},
	"GetConversationMarks":               {reflect.TypeOf(im.GetConversationMarksResResult{}), reflect.TypeOf(rtc.IMGetConversationMarksResult{})},
	"GetConversationMessages":            {reflect.TypeOf(im.GetConversationMessagesResResult{}), reflect.TypeOf(rtc.IMGetConversationMessagesResult{})},
	"GetConversationSetting":             {reflect.TypeOf(im.GetConversationSettingResResult{}), reflect.TypeOf(rtc.IMGetConversationSettingResult{})},
	"GetConversationUserCount":           {reflect.TypeOf(im.GetConversationUserCountResResult{}), reflect.TypeOf(rtc.IMGetConversationUserCountResult{})},
	"GetMessages":                        {reflect.TypeOf(im.GetMessagesResResult{}), reflect.TypeOf(rtc.IMGetMessagesResult{})},
	"GetMessagesReadReceipt":             {reflect.TypeOf(im.GetMessagesReadReceiptResResult{}), reflect.TypeOf(rtc.IMGetMessagesReadReceiptResult{})},
	"GetParticipantReadIndex":            {reflect.TypeOf(im.GetParticipantReadIndexResResult{}), reflect.TypeOf(rtc.IMGetParticipantReadIndexResult{})},
	"GetUserConversations":               {reflect.TypeOf(im.GetUserConversationsResResult{}), reflect.TypeOf(rtc.IMGetUserConversationsResult{})},
	"IsFriend":                           {reflect.TypeOf(im.IsFriendResResult{}), reflect.TypeOf(rtc.IMIsFriendResult{})},
	"IsInBlackList":                      {reflect.TypeOf(im.IsInBlackListResResult{}), reflect.TypeOf(rtc.IMIsInBlackListResult{})},
	"IsUserInConversation":               {reflect.TypeOf(im.IsUserInConversationResResult{}), reflect.TypeOf(rtc.IMIsUserInConversationResult{})},
	"ListFriend":                         {reflect.TypeOf(im.ListFriendResResult{}), reflect.TypeOf(rtc.IMListFriendResult{})},
	"QueryLiveParticipantStatus":         {reflect.TypeOf(im.QueryLiveParticipantStatusResResult{}), reflect.TypeOf(rtc.IMQueryLiveParticipantStatusResult{})},
	"QueryOnlineStatus":                  {reflect.TypeOf(im.QueryOnlineStatusResResult{}), reflect.TypeOf(rtc.IMQueryOnlineStatusResult{})},
	"RegisterUsers":                      {reflect.TypeOf(im.RegisterUsersResResult{}), reflect.TypeOf(rtc.IMRegisterUsersResult{})},
	"ScanConversationParticipantList":    {reflect.TypeOf(im.ScanConversationParticipantListResResult{}), reflect.TypeOf(rtc.IMScanConversationParticipantListResult{})},
	"SendMessage":                        {reflect.TypeOf(im.SendMessageResResult{}), reflect.TypeOf(rtc.IMSendMessageResult{})},
	"UnRegisterUsers":                    {reflect.TypeOf(im.UnRegisterUsersResResult{}), reflect.TypeOf(rtc.IMUnRegisterUsersResult{})},
	"UpdateBlackList":                    {reflect.TypeOf(im.UpdateBlackListResResult{}), reflect.TypeOf(rtc.IMUpdateBlackListResult{})},
	"UpdateFriend":                       {reflect.TypeOf(im.UpdateFriendResResult{}), reflect.TypeOf(rtc.IMUpdateFriendResult{})},
}

// TestIMResultShapesMatchVendor checks that our result types read the JSON
// keys the vendor's result models read, for the 44 IM actions whose Result
// is an object (the others answer a bare value).
func TestIMResultShapesMatchVendor(t *testing.T) {
	require.Len(t, imResults, 44)
	for action, pair := range imResults {
		t.Run(action, func(t *testing.T) {
			require.Equal(t, jsonKeys(pair[0], ""), jsonKeys(pair[1], ""))
		})
	}
}
