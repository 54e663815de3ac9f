package spec

import (
	"strings"
	"testing"
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
			"StartSnapshot":{"in":{"StorageConfig.CustomConfig.Bucket":{"doc":"x","max_len":10}}},
			"StartSegment":{"in":{"StorageConfig.CustomConfig.Bucket":{"doc":"x","max_len":20}}}}}`, "different rules"},
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
		"StartSnapshot":{"in":{"StorageConfig.CustomConfig.Bucket":{"doc":"is the bucket.","max_len":10}}}}}`)})
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
		"StartRecord":{"in":{"StorageConfig.CustomConfig.Bucket":{"doc":"is the bucket.","max_len":10},
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
