package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/volcrtc/rtc/internal/spec"
)

func TestGoName(t *testing.T) {
	cases := map[string]string{
		"AppId":                  "AppID",
		"AppID":                  "AppID",
		"RoomId":                 "RoomID",
		"UserId":                 "UserID",
		"TaskId":                 "TaskID",
		"BusinessID":             "BusinessID",
		"PushURL":                "PushURL",
		"URL":                    "URL",
		"PosterUrl":              "PosterURL",
		"SdkVersion":             "SDKVersion",
		"SEIPayloadUUID":         "SEIPayloadUUID",
		"SEIPayLoadType":         "SEIPayLoadType",
		"SongIds":                "SongIDs",
		"overview":               "Overview",
		"end":                    "End",
		"ID":                     "ID",
		"OS":                     "OS",
		"VideoSDM":               "VideoSDM",
		"ErrCodeN":               "ErrCodeN",
		"ASRConfig":              "ASRConfig",
		"TtsConfig":              "TTSConfig",
		"llm_config":             "LLMConfig",
		"ServerMessageURLForRTS": "ServerMessageURLForRTS",
		"HttpApiJson":            "HTTPAPIJSON",
		"CdnQps":                 "CDNQPS",
		"Uid":                    "UID",
		// Words that merely contain the letters of an initialism stay.
		"IdleSec":        "IdleSec",
		"Identifier":     "Identifier",
		"Vid":            "Vid",
		"Ids":            "IDs",
		"IsDemo":         "IsDemo",
		"Apis":           "APIs",
		"Urlencoded":     "Urlencoded",
		"VeImageXConfig": "VeImageXConfig",
		"TosConfig":      "TosConfig",
	}
	for in, want := range cases {
		require.Equal(t, want, goName(in), in)
	}
}

func TestSingular(t *testing.T) {
	cases := map[string]string{
		"StreamList":      "Stream",
		"Regions":         "Region",
		"Policies":        "Policy",
		"Usages":          "Usage",
		"BusinessRecords": "BusinessRecord",
		"VideoSolutions":  "VideoSolution",
		"Data":            "Data",
		"HotSong":         "HotSong",
		"Status":          "Status",
		"Address":         "Address",
		"Boxes":           "Box",
	}
	for in, want := range cases {
		require.Equal(t, want, singular(in), in)
	}
}

// obj builds a spec object field for the dedup tests.
func obj(name string, fields ...spec.Field) spec.Field {
	return spec.Field{Name: name, Type: "object", Fields: fields}
}

func str(name string, required bool) spec.Field {
	return spec.Field{Name: name, Type: "string", Required: required}
}

func i32(name string) spec.Field { return spec.Field{Name: name, Type: "int32"} }

func arr(name string, elem spec.Field) spec.Field {
	return spec.Field{Name: name, Type: "array", Elem: &elem}
}

// withRules gives every action of a test spec the rules the generator
// needs (a doc, a retry safety) and returns the spec.
func withRules(s *spec.Spec) *spec.Spec {
	for i := range s.Actions {
		s.Actions[i].Rules = spec.Rules{Doc: "does something.", Safety: spec.Unsafe}
	}
	return s
}

func nestedNames(m *model) map[string]string {
	out := map[string]string{}
	for _, t := range m.Nested {
		out[t.Name] = t.Mode.String() + " " + firstUse(t)
	}
	return out
}

func TestNestedTypeDedup(t *testing.T) {
	encode := obj("Encode", i32("VideoWidth"), i32("VideoHeight"))
	layoutA := obj("Layout", i32("LayoutMode"), arr("Regions", obj("", i32("Width"), i32("Height"))))
	layoutB := obj("Layout", spec.Field{Name: "LayoutMode", Type: "int32", Required: true})
	s := &spec.Spec{IDFields: []string{"UserId"}, Actions: []spec.Action{
		{Action: "GetMix", Category: "mix", Method: "GET", InputIn: "query", ResultType: "object",
			Input:  []spec.Field{str("AppId", true)},
			Result: []spec.Field{obj("Task", encode)}},
		{Action: "StartMix", Category: "mix", Method: "POST", InputIn: "body", ResultType: "string",
			Input: []spec.Field{str("AppId", true), encode, layoutA}},
		{Action: "StartOther", Category: "other", Method: "POST", InputIn: "body", ResultType: "string",
			Input: []spec.Field{encode, layoutA}},
		{Action: "StartPublic", Category: "public_stream", Method: "POST", InputIn: "body", ResultType: "string",
			Input: []spec.Field{layoutB}},
	}}
	m, err := buildModel(withRules(s), noFacts(t, s))
	require.NoError(t, err)
	names := nestedNames(m)
	// One Encode for all inputs, shared across categories; the result's
	// Encode has a different Go shape and gets the Info suffix.
	require.Equal(t, "in StartMix.Encode", names["Encode"])
	require.Equal(t, "out GetMix.Task.Encode", names["EncodeInfo"])
	// The Layout used by more actions keeps the name; the other one is
	// qualified by its category.
	require.Equal(t, "in StartMix.Layout", names["Layout"])
	require.Equal(t, "in StartPublic.Layout", names["PublicStreamLayout"])
	// Region is reserved (it would read as a cloud region): qualified.
	require.Equal(t, "in StartMix.Layout.Regions", names["LayoutRegion"])
	require.Equal(t, "out GetMix.Task", names["Task"])
	require.Len(t, names, 6)
}

func TestNestedTypeDedupFallsBackToActionName(t *testing.T) {
	s := &spec.Spec{Actions: []spec.Action{
		{Action: "ListA", Category: "q", Method: "POST", InputIn: "body", ResultType: "object",
			Result: []spec.Field{arr("Items", obj("", str("X", false)))}},
		{Action: "ListB", Category: "q", Method: "POST", InputIn: "body", ResultType: "object",
			Result: []spec.Field{arr("Items", obj("", str("Y", false)))}},
		{Action: "ListC", Category: "q", Method: "POST", InputIn: "body", ResultType: "object",
			Result: []spec.Field{arr("Items", obj("", str("Z", false)))}},
	}}
	m, err := buildModel(withRules(s), noFacts(t, s))
	require.NoError(t, err)
	names := nestedNames(m)
	// First come, plain name; then the category qualifies; then the action.
	require.Equal(t, "out ListA.Items", names["Item"])
	require.Equal(t, "out ListB.Items", names["QItem"])
	require.Equal(t, "out ListC.Items", names["ListCItem"])
}

func TestQueryObjectRefused(t *testing.T) {
	s := &spec.Spec{Actions: []spec.Action{
		{Action: "GetX", Category: "q", Method: "GET", InputIn: "query", ResultType: "object",
			Input: []spec.Field{obj("Filter", str("A", false))}},
	}}
	_, err := buildModel(withRules(s), noFacts(t, s))
	require.ErrorContains(t, err, "query parameter Filter is an object")
}

func TestDocsMustCoverEveryAction(t *testing.T) {
	s := &spec.Spec{Actions: []spec.Action{{Action: "GetX", Category: "q", Method: "GET", InputIn: "query", ResultType: "object"}}}
	_, err := buildModel(s, noFacts(t, s))
	require.ErrorContains(t, err, "no doc for action GetX")
}

func loadRealModel(t *testing.T) *model {
	t.Helper()
	m, err := buildModel(spec.MustLoad(), spec.MustLoadFacts())
	require.NoError(t, err)
	return m
}

func TestSafetyClassification(t *testing.T) {
	m := loadRealModel(t)
	got := map[string]string{}
	for _, am := range m.Actions {
		got[am.Name] = am.Safety
	}
	cases := []struct{ action, want string }{
		{"GetRecordTask", safe},
		{"ListApps", safe},
		{"SearchMusics", safe},
		{"WbTranscodeGet", safe},
		{"WbTranscodeQuery", safe},
		{"BanRoomUser", safe},
		{"UnbanUserStream", safe},
		{"KickUser", safe},
		{"DismissRoom", safe},
		{"StopRecord", safe},
		{"UpdateRecord", safe},
		{"LimitTokenPrivilege", safe},
		{"StartRecord", safeWithTask},
		{"StartVoiceChat", safeWithTask},
		{"StartWBRecord", safeWithTask},
		{"StartDetection", unsafe},        // no TaskId: a repeat starts again
		{"StartPushPublicStream", unsafe}, // keyed by PublicStreamId, not TaskId
		{"SendUnicast", unsafe},
		{"BatchSendRoomUnicast", unsafe},
		{"CreateApp", unsafe},
		{"AddBusinessID", unsafe},
		{"DeleteCallback", unsafe},
		{"ModifyAppStatus", unsafe},
		{"WbTranscodeCreate", unsafe},
	}
	for _, c := range cases {
		require.Equal(t, c.want, got[c.action], c.action)
	}
	require.Len(t, got, len(spec.MustLoad().Actions), "every action has a retry safety")
}

func TestPagingDetection(t *testing.T) {
	m := loadRealModel(t)
	var paged []string
	for _, am := range m.Actions {
		if am.Paging != nil {
			paged = append(paged, am.Name+":"+am.Paging.Items.Struct.Name)
		}
	}
	require.Equal(t, []string{
		"GetAllBusinessID:BusinessRecord",
		"ListApps:App",
		"ListMusics:Music",
		"ListRelayStream:RelayTask",
		"ListRoomInfo:Room",
		"ListUserInfo:User",
		"SearchMusics:Music",
	}, paged)
}

func TestIDValidationReachesNestedFields(t *testing.T) {
	t.Parallel()
	files := generatedFiles(t)
	src := string(files["api_cdn_push.go"]) + string(files["api_types_shared.go"]) + string(files["api_record.go"])
	require.Contains(t, src, `v.id("UserId", r.UserID)`)
	require.Contains(t, src, `v.push("StreamList")`)
	quality := string(files["api_quality.go"])
	require.Contains(t, quality, `v.ids("UserId", r.UserID)`)
}

func TestGeneratedFilesHaveHeader(t *testing.T) {
	files := generatedFiles(t)
	require.Len(t, files, 26) // 20 categories, types_shared, enums, operations, waiters, secret_format, samples
	for name, src := range files {
		require.True(t, strings.HasPrefix(string(src), header), name)
	}
}

// TestGeneratedUpToDate fails when the generated files in the repository
// differ from what the generator produces now: run go generate.
func TestGeneratedUpToDate(t *testing.T) {
	t.Parallel()
	require.NoError(t, run(filepath.Join("..", ".."), true))
}

func TestGenerateIsDeterministic(t *testing.T) {
	t.Parallel()
	b, err := generate(filepath.Join("..", ".."))
	require.NoError(t, err)
	require.Equal(t, generatedFiles(t), b)
}

// noFacts is an empty set of facts for a made-up spec.
func noFacts(t *testing.T, s *spec.Spec) *spec.Facts {
	t.Helper()
	fs, err := spec.ParseFacts(s, nil)
	require.NoError(t, err)
	return fs
}

func TestStaleNameOverrideRefused(t *testing.T) {
	s := withRules(&spec.Spec{Actions: []spec.Action{
		{Action: "ListA", Category: "q", Method: "POST", InputIn: "body", ResultType: "object",
			Result: []spec.Field{arr("Items", obj("", str("Id", false)))}},
	}})
	s.Actions[0].Rules.Names = map[string]string{"out.Items": "Thing"}
	m, err := buildModel(s, noFacts(t, s))
	require.NoError(t, err)
	require.Contains(t, nestedNames(m), "Thing")
	s.Actions[0].Rules.Names = map[string]string{"out.Gone": "Thing"}
	_, err = buildModel(s, noFacts(t, s))
	require.ErrorContains(t, err, "the name Thing for ListA.out.Gone names no nested type")
}
