package spec

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLoadFacts(t *testing.T) {
	fs, err := LoadFacts()
	if err != nil {
		t.Fatal(err)
	}
	x := fs.Field("BanRoomUser", "in", "ForbiddenInterval")
	if x == nil || x.Clamp != "both" || *x.Min != 10 {
		t.Fatalf("BanRoomUser.ForbiddenInterval = %+v", x)
	}
	if fs.Field("KickUser", "in", "AppId") == nil {
		t.Fatal("common fact for AppId not applied")
	}
	if e := fs.Enum(fs.Field("UpdateVoiceChat", "in", "Command")); e == nil || e.Name != "VoiceChatCommand" {
		t.Fatalf("UpdateVoiceChat.Command enum = %+v", e)
	}
}

// parse runs ParseFacts on one file against the embedded spec.
func parse(t *testing.T, body string) error {
	t.Helper()
	_, err := ParseFacts(MustLoad(), map[string][]byte{"x.json": []byte(body)})
	return err
}

func TestParseFactsRefuses(t *testing.T) {
	cases := map[string]struct{ body, want string }{
		"unknown action":  {`{"actions":{"NoSuch":{"in":{"A":{"doc":"x"}}}}}`, "unknown action NoSuch"},
		"unknown path":    {`{"actions":{"KickUser":{"in":{"Nope":{"doc":"x"}}}}}`, "no such field"},
		"no doc":          {`{"actions":{"KickUser":{"in":{"RoomId":{}}}}}`, "no doc"},
		"range on string": {`{"actions":{"KickUser":{"in":{"RoomId":{"doc":"x","min":1}}}}}`, "a range or evenness on a string field"},
		"unknown enum":    {`{"actions":{"BanRoomUser":{"in":{"ForbiddenInterval":{"doc":"x","enum":"Nope"}}}}}`, "unknown enum Nope"},
		"enum type":       {`{"enums":{"E":{"type":"string","doc":"d","values":[{"value":"a","name":"EA","doc":"a"}]}},"actions":{"BanRoomUser":{"in":{"ForbiddenInterval":{"doc":"x","enum":"E"}}}}}`, "enum E has type string"},
		"enum value type": {`{"enums":{"E":{"type":"int32","doc":"d","values":[{"value":"a","name":"EA","doc":"a"}]}}}`, "does not fit type int32"},
		"bad clamp":       {`{"actions":{"BanRoomUser":{"in":{"ForbiddenInterval":{"doc":"x","clamp":"up"}}}}}`, "clamp"},
		"rule field":      {`{"actions":{"BanRoomUser":{"rules":[{"any_of":["Nope"],"doc":"d"}]}}}`, "no field Nope"},
		"unknown key":     {`{"actions":{"KickUser":{"in":{"RoomId":{"doc":"x","maxlen":3}}}}}`, "unknown field"},
		"shared conflict": {`{"actions":{
			"StartSnapshot":{"in":{"StorageConfig.CustomConfig.Bucket":{"doc":"x","max_len":10,"source":{"ref":"page:6348/1"}}}},
			"StartSegment":{"in":{"StorageConfig.CustomConfig.Bucket":{"doc":"x","max_len":20,"source":{"ref":"page:6348/1"}}}}}}`, "different rules"},
		"shared inferred conflict": {`{"actions":{
			"StartSnapshot":{"in":{"StorageConfig.CustomConfig.Bucket":{"doc":"x","max_len":10,"source":{"ref":"page:6348/1"}}}},
			"StartSegment":{"in":{"StorageConfig.CustomConfig.Bucket":{"doc":"x","max_len":10,"source":{"ref":"page:6348/1","inferred":true}}}}}}`, "different rules"},
		"unsourced range": {`{"actions":{"BanRoomUser":{"in":{"ForbiddenInterval":{"doc":"x","max":10}}}}}`, "max: no source"},
		"unsourced enum":  {`{"enums":{"E":{"type":"int32","doc":"d","values":[{"value":1,"name":"EA","doc":"a"}]}}}`, "enum E: no source"},
		"unsourced rule":  {`{"actions":{"BanRoomUser":{"rules":[{"any_of":["RoomId"],"doc":"d"}]}}}`, "no source"},
		"bad page ref":    {`{"actions":{"BanRoomUser":{"in":{"ForbiddenInterval":{"doc":"x","max":10,"source":{"ref":"page:1051348"}}}}}}`, "a page is written"},
		"bad model ref":   {`{"actions":{"BanRoomUser":{"in":{"ForbiddenInterval":{"doc":"x","max":10,"source":{"ref":"model:rtc/model.go"}}}}}}`, "a model field is written"},
		"bad ref kind":    {`{"actions":{"BanRoomUser":{"in":{"ForbiddenInterval":{"doc":"x","max":10,"source":{"ref":"the vendor said so"}}}}}}`, "write the ref as page:"},
		"stray sources":   {`{"actions":{"BanRoomUser":{"in":{"ForbiddenInterval":{"doc":"x","max":10,"source":{"ref":"page:6348/1"},"sources":{"min":{"ref":"page:6348/1"}}}}}}}`, "sources.min: the fact gives no min"},
		"clamp default":   {`{"actions":{"BanRoomUser":{"in":{"ForbiddenInterval":{"doc":"x","clamp":"default"}}}}}`, "needs allowed values and a default"},
		"clamp_items":     {`{"actions":{"BanRoomUser":{"in":{"ForbiddenInterval":{"doc":"x","clamp_items":"max"}}}}}`, "clamp_items"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := parse(t, tc.body)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestSharedShapeFacts(t *testing.T) {
	fs, err := ParseFacts(MustLoad(), map[string][]byte{"x.json": []byte(`{"actions":{
		"StartSnapshot":{"in":{"StorageConfig.CustomConfig.Bucket":{"doc":"is the bucket.","max_len":10,"source":{"ref":"page:6348/1"}}}}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	// StartSegment's StorageConfig has the same shape: it shares the fact.
	if x := fs.Field("StartSegment", "in", "StorageConfig.CustomConfig.Bucket"); x == nil || *x.MaxLen != 10 {
		t.Fatalf("shared fact not found: %+v", x)
	}
	if x := fs.Field("StartSegment", "out", "StorageConfig.CustomConfig.Bucket"); x != nil {
		t.Fatalf("an input fact leaked to a result: %+v", x)
	}
}

func TestLikeCopiesFacts(t *testing.T) {
	fs, err := ParseFacts(MustLoad(), map[string][]byte{"x.json": []byte(`{"actions":{
		"StartRecord":{"in":{"StorageConfig.CustomConfig.Bucket":{"doc":"is the bucket.","max_len":10,"source":{"ref":"page:6348/1"}},
			"StorageConfig.CustomConfig.SecurityToken":{"doc":"is a token.","secret":true},
			"StorageConfig.CustomConfig.AccessKey":{"doc":"is a key.","secret":true}}},
		"WbTranscodeCreate":{"like":{"in.StorageConfig":"StartRecord.in.StorageConfig"},
			"in":{"StorageConfig.CustomConfig.Bucket":{"doc":"is its own."}}}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	if x := fs.Field("WbTranscodeCreate", "in", "StorageConfig.CustomConfig.Bucket"); x == nil || x.Doc != "is its own." {
		t.Fatalf("own fact replaced: %+v", x)
	}
	if x := fs.Field("WbTranscodeCreate", "in", "StorageConfig.CustomConfig.AccessKey"); x == nil || !x.Secret {
		t.Fatalf("AccessKey not copied: %+v", x)
	}
	if x := fs.Field("WbTranscodeCreate", "in", "StorageConfig.CustomConfig.SecurityToken"); x != nil {
		t.Fatalf("a field the target lacks was copied: %+v", x)
	}
	_, err = ParseFacts(MustLoad(), map[string][]byte{"x.json": []byte(`{"actions":{"KickUser":{"like":{"in":"Nope.in"}}}}`)})
	if err == nil || !strings.Contains(err.Error(), "is not Action.in|out.Path") {
		t.Fatalf("err = %v", err)
	}
}

// TestOnlyStatedRulesRefuse: the same rules, stated and then inferred. A
// stated rule is checked (an absent field counting as its default); an
// inferred one, or an inferred end of a range, is not, and its
// documentation says so.
func TestOnlyStatedRulesRefuse(t *testing.T) {
	facts := func(inferred bool) *Facts {
		t.Helper()
		src := `{"ref":"page:6348/1"}`
		if inferred {
			src = `{"ref":"page:6348/1","inferred":true}`
		}
		fs, err := ParseFacts(MustLoad(), map[string][]byte{"x.json": []byte(`{"actions":{
			"StartSegment":{"in":{
				"StorageConfig.Type":{"doc":"t","default":0,"min":0,"max":3,"source":{"ref":"page:6348/2"},"sources":{"max":` + src + `}},
				"MaxIdleTime":{"doc":"m","min":1,"max":10,"source":` + src + `}},
			"rules":[{"scope":"StorageConfig","when":{"field":"Type","in":[0]},"require":["TosConfig"],"doc":"TosConfig is required","source":` + src + `}]}}}`)})
		require.NoError(t, err)
		return fs
	}
	in := map[string]any{"AppId": "a", "RoomId": "r", "TaskId": "t", "MaxIdleTime": json.Number("11"),
		"StorageConfig": map[string]any{"Type": json.Number("9")}}
	stated := facts(false)
	var got []string
	for _, p := range stated.CheckInput("StartSegment", in) {
		got = append(got, p.Path+" "+p.Rule)
	}
	require.Equal(t, []string{"StorageConfig.Type must be from 0 to 3", "MaxIdleTime must be from 1 to 10"}, got)
	// Type left out counts as its default, 0: the stated rule applies.
	ps := stated.CheckInput("StartSegment", map[string]any{"StorageConfig": map[string]any{}})
	require.Len(t, ps, 1)
	require.Equal(t, "TosConfig is required", ps[0].Rule)

	inferred := facts(true)
	require.Empty(t, inferred.CheckInput("StartSegment", in))
	in["StorageConfig"] = map[string]any{"Type": json.Number("-1")}
	ps = inferred.CheckInput("StartSegment", in)
	require.Len(t, ps, 1, "%+v", ps)
	require.Equal(t, "StorageConfig.Type", ps[0].Path)
	require.Equal(t, "must be at least 0", ps[0].Rule, "the stated minimum is still checked")
	require.Empty(t, inferred.CheckInput("StartSegment", map[string]any{"StorageConfig": map[string]any{}}))
	var notes []string
	for _, p := range inferred.CheckInputInferred("StartSegment", map[string]any{"MaxIdleTime": json.Number("11"),
		"StorageConfig": map[string]any{"Type": json.Number("4")}}) {
		notes = append(notes, p.Path+" "+p.Rule)
	}
	require.Equal(t, []string{"StorageConfig.Type must be at most 3", "MaxIdleTime must be from 1 to 10"}, notes,
		"the inferred rules, and only they, are found for a note")
	require.Len(t, inferred.CheckInputInferred("StartSegment", map[string]any{"StorageConfig": map[string]any{}}), 1, "the inferred rule between fields")
	require.Empty(t, stated.CheckInputInferred("StartSegment", in), "with every rule stated, nothing is noted")
	x := inferred.Field("StartSegment", "in", "MaxIdleTime")
	require.Contains(t, inferred.Describe(x, nil), "Range: from 1 to 10 (inferred, not checked).")
	x = inferred.Field("StartSegment", "in", "StorageConfig.Type")
	require.Contains(t, inferred.Describe(x, nil), "Range: from 0 to 3 (the maximum inferred, not checked).")
}

// TestClampInput: what the service adjusts, rtctest adjusts the same way.
func TestClampInput(t *testing.T) {
	fs := MustLoadFacts()
	ids := make([]any, 201)
	for i := range ids {
		ids[i] = json.Number(strconv.Itoa(i + 1))
	}
	in := map[string]any{"AppId": json.Number("1"), "ParticipantUserIds": ids}
	require.Empty(t, fs.CheckInput("QueryLiveParticipantStatus", in))
	fs.ClampInput("QueryLiveParticipantStatus", in)
	require.Len(t, in["ParticipantUserIds"], 200, "the first 200 are answered")

	in = map[string]any{"ParticipantInfos": []any{map[string]any{"ParticipantUserId": json.Number("4"), "Role": json.Number("7")},
		map[string]any{"ParticipantUserId": json.Number("5"), "Role": json.Number("2")}}}
	fs.ClampInput("BatchAddConversationParticipant", in)
	infos := in["ParticipantInfos"].([]any)
	require.Equal(t, json.Number("0"), infos[0].(map[string]any)["Role"], "an unknown role becomes the default")
	require.Equal(t, json.Number("2"), infos[1].(map[string]any)["Role"], "a known role stays")

	in = map[string]any{"ForbiddenInterval": json.Number("3")}
	fs.ClampInput("BanRoomUser", in)
	require.Equal(t, json.Number("10"), in["ForbiddenInterval"])
	in = map[string]any{"ForbiddenInterval": json.Number("0")}
	fs.ClampInput("BanRoomUser", in)
	require.Equal(t, json.Number("0"), in["ForbiddenInterval"], "0, outside the range, is allowed as it is")
	in = map[string]any{"ForbiddenInterval": json.Number("999999")}
	fs.ClampInput("BanRoomUser", in)
	require.Equal(t, json.Number("604800"), in["ForbiddenInterval"])
}

// TestFindingsInTheFacts pins the facts the review of issue #23 corrected.
func TestFindingsInTheFacts(t *testing.T) {
	fs := MustLoadFacts()
	require.Equal(t, "true", string(fs.Field("BatchGetConversations", "in", "SkipMemberCount").Default), "im model: 默认值为 true")
	require.Equal(t, "false", string(fs.Field("GetUserConversations", "in", "SkipMemberCount").Default), "im model: 默认值为 false")
	x := fs.Field("QueryLiveParticipantStatus", "in", "ParticipantUserIds")
	require.Equal(t, 200, *x.MaxItems)
	require.Equal(t, "page:6348/1051348", fs.SourceOf(x, "max_items").Ref)
	require.Nil(t, fs.Field("ScanConversationParticipantList", "in", "Limit").Max, "no source for a maximum")
	require.Nil(t, fs.Field("StartSubtitle", "in", "LanguageConfig.SourceLanguages.LanguageCode").MaxItems, "no source for one code")
	require.True(t, fs.SourceOf(fs.Field("UpdateVoiceChat", "in", "Command"), "enum").Inferred)
	require.True(t, fs.Enums["VoiceChatImageType"].Source.Inferred)
	require.True(t, fs.Enums["VoiceChatSubtitleMode"].Source.Inferred)
	for _, a := range []string{"BanRoomUser", "UpdateBanRoomUserRule", "StartRecord", "StartSegment", "WbTranscodeCreate", "StartPushMixedStreamToCDN", "StartPushPublicStream"} {
		for _, r := range fs.Actions[a].Rules {
			require.False(t, r.Refuses(), "%s: %s is inferred", a, r.Doc)
		}
	}
	require.Contains(t, fs.Field("StartPushMixedStreamToCDN", "in", "Layout.CustomLayout.Regions.AlternateImage").Doc, "RenderMode")
	require.Contains(t, fs.Field("GetAllBusinessID", "in", "Limit").Doc, "swaps")
}
