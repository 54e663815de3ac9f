package rtc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/volcrtc/rtc/internal/spec"
)

// validRecord is a StartRecord request that passes every check.
func validRecord() *StartRecordRequest {
	return &StartRecordRequest{AppID: "app", RoomID: "room", TaskID: "task",
		StorageConfig: &RecordStorageConfig{TosConfig: &TosConfig{AccountID: "acc", Bucket: "b"}}}
}

// TestFactChecks exercises each rule family of the generated validators,
// refusing past the edges and accepting at them.
func TestFactChecks(t *testing.T) {
	type problem struct{ path, value, rule string }
	cases := []struct {
		name string
		req  request
		want []problem // empty: valid
	}{
		{"range below", func() request {
			r := validRecord()
			r.Control = &RecordControl{MaxIdleTime: Ptr[int32](9)}
			return r
		}(), []problem{{"Control.MaxIdleTime", "9", "must be from 10 to 86400 seconds"}}},
		{"range edges", func() request {
			r := validRecord()
			r.Control = &RecordControl{MaxIdleTime: Ptr[int32](10), MaxSilenceSeconds: Ptr[int32](3600)}
			return r
		}(), nil},
		{"range above", func() request {
			r := validRecord()
			r.Control = &RecordControl{MaxIdleTime: Ptr[int32](86401)}
			return r
		}(), []problem{{"Control.MaxIdleTime", "86401", "must be from 10 to 86400 seconds"}}},
		{"open end and float", func() request {
			r := validRecord()
			r.Layout = &Layout{CustomLayout: &CustomLayout{Regions: []LayoutRegion{{Width: 1, Height: 1, Alpha: Ptr[float32](1)}, {Width: 1, Height: 1, Alpha: Ptr[float32](0)}}}}
			return r
		}(), []problem{{"Layout.CustomLayout.Regions[1].Alpha", "0", "must be greater than 0 and at most 1"}}},
		{"allowed values", func() request {
			r := validRecord()
			r.RecordMode = Ptr(RecordMode(2))
			return r
		}(), []problem{{"RecordMode", "2", "must be one of 0 (RecordModeMixed), 1 (RecordModeSingleStream)"}}},
		{"allowed values accepted", func() request {
			r := validRecord()
			r.RecordMode = Ptr(RecordModeSingleStream)
			return r
		}(), nil},
		{"allowed strings per element", func() request {
			r := validRecord()
			r.FileFormatConfig = &FileFormatConfig{FileFormat: []FileFormat{FileFormatMP4, "AVI"}}
			return r
		}(), []problem{{"FileFormatConfig.FileFormat[1]", `"AVI"`, "must be one of MP4 (FileFormatMP4)"}}},
		{"quantity from a set", func() request {
			r := validRecord()
			r.Encode = &Encode{AudioSampleRate: Ptr[int32](16000)}
			return r
		}(), []problem{{"Encode.AudioSampleRate", "16000", "must be one of 32000, 44100, 48000 Hz"}}},
		{"even", func() request {
			r := validRecord()
			r.Encode = &Encode{VideoWidth: Ptr[int32](641), VideoHeight: Ptr[int32](480)}
			return r
		}(), []problem{{"Encode.VideoWidth", "641", "must be even"}}},
		{"length", &StartPushMixedStreamToCDNRequest{AppID: "a", RoomID: "r", TaskID: "t", PushURL: "rtmp://x/y",
			Control: &MixedPushControl{SEIConfig: &SEIConfig{SEIPayloadUUID: strings.Repeat("f", 33)}}},
			[]problem{{"Control.SEIConfig.SEIPayloadUUID", "33 characters", "must be exactly 32 characters"}}},
		{"length accepted", &StartPushMixedStreamToCDNRequest{AppID: "a", RoomID: "r", TaskID: "t", PushURL: "rtmp://x/y",
			Control: &MixedPushControl{SEIConfig: &SEIConfig{SEIPayloadUUID: strings.Repeat("f", 32)}}}, nil},
		{"items", func() request {
			r := validRecord()
			r.Layout = &Layout{CustomLayout: &CustomLayout{Regions: []LayoutRegion{{Width: 1, Height: 1, SpatialPosition: []int32{1, 2, 3, 4}}}}}
			return r
		}(), []problem{{"Layout.CustomLayout.Regions[0].SpatialPosition", "4 elements", "must have exactly 3 elements"}}},
		{"element range", func() request {
			r := validRecord()
			r.Layout = &Layout{CustomLayout: &CustomLayout{Regions: []LayoutRegion{{Width: 1, Height: 1, SpatialPosition: []int32{1, 101, -100}}}}}
			return r
		}(), []problem{{"Layout.CustomLayout.Regions[0].SpatialPosition[1]", "101", "must be from -100 to 100"}}},
		{"color", func() request {
			r := validRecord()
			r.Layout = &Layout{CustomLayout: &CustomLayout{Canvas: &Canvas{Background: "#12345G"}}}
			return r
		}(), []problem{{"Layout.CustomLayout.Canvas.Background", `"#12345G"`, "must be a color written #RRGGBB"}}},
		{"conditional by value", &UpdateVoiceChatRequest{AppID: "a", RoomID: "r", TaskID: "t", Command: VoiceChatSpeakText},
			[]problem{{"", "", "Message is required for the function and External commands"}}},
		{"inferred conditional is not checked", &StartRecordRequest{AppID: "a", RoomID: "r", TaskID: "t", StorageConfig: &RecordStorageConfig{Type: Ptr(StorageVOD)}}, nil},
		{"conditional met", &StartRecordRequest{AppID: "a", RoomID: "r", TaskID: "t", StorageConfig: &RecordStorageConfig{Type: Ptr(StorageVOD),
			VodConfig: &VodConfig{AccountID: "acc", Space: "s"}}}, nil},
		{"either field", &GetPushSingleStreamToCDNTaskRequest{AppID: "a", RoomID: "r"}, []problem{{"", "", "TaskId or UserId is required"}}},
		{"either field given", &GetPushSingleStreamToCDNTaskRequest{AppID: "a", RoomID: "r", UserID: "u"}, nil},
		{"clamped values are accepted", &BanRoomUserRequest{AppID: "a", RoomID: "r", ForbiddenInterval: Ptr[int32](3)}, nil},
		{"clamped above is accepted", &BanRoomUserRequest{AppID: "a", RoomID: "r", ForbiddenInterval: Ptr[int32](999999)}, nil},
		{"query window edge", &ListQualityRequest{AppID: "a", StartTime: "2026-03-01T00:00:00Z", EndTime: "2026-03-08T00:00:00Z",
			Indicator: []QualityIndicator{QualityStallRate}, AggregateGranularity: "1d"}, nil},
		{"query window too long", &ListQualityRequest{AppID: "a", StartTime: "2026-03-01T00:00:00Z", EndTime: "2026-03-08T00:00:01Z",
			Indicator: []QualityIndicator{QualityStallRate}, AggregateGranularity: "1d"},
			[]problem{{"EndTime", "168h0m1s after StartTime", "must be at most 7 days after StartTime"}}},
		{"secret values are hidden", &StartSegmentRequest{AppID: "a", RoomID: "r", TaskID: "t", StorageConfig: &StorageConfig{
			Type: Ptr(StorageS3Compatible), CustomConfig: &CustomConfig{AccessKey: "ak", SecretKey: "sk", Bucket: "b", Vendor: Ptr(StorageVendor(9))}}},
			[]problem{{"StorageConfig.CustomConfig.Vendor", "9", "must be one of 0 (StorageVendorAmazonS3)"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ps := genProblems(tc.req)
			require.Len(t, ps, len(tc.want), "%+v", ps)
			for i, w := range tc.want {
				require.Equal(t, w.path, ps[i].Path)
				require.Equal(t, w.value, ps[i].Value)
				require.Contains(t, ps[i].Rule, w.rule)
			}
			// rtctest and rtcctl apply the same facts to the JSON body
			// and find the same problems, in the same words.
			b, err := json.Marshal(tc.req)
			require.NoError(t, err)
			var m map[string]any
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.UseNumber()
			require.NoError(t, dec.Decode(&m))
			action := strings.TrimSuffix(reflect.TypeOf(tc.req).Elem().Name(), "Request")
			sp := spec.MustLoadFacts().CheckInput(action, m)
			require.Len(t, sp, len(ps), "%+v", sp)
			for i := range sp {
				require.Equal(t, ps[i].Path, sp[i].Path)
				require.Equal(t, ps[i].Rule, sp[i].Rule)
				require.Equal(t, ps[i].Value, sp[i].Value)
			}
		})
	}
}

// TestLenientValidation: the opt-out keeps the ID rule and required
// fields and drops the value and conditional rules, client-wide or per
// call; the error lists every problem at once.
func TestLenientValidation(t *testing.T) {
	s := NewStubServer(t, func(StubRequest) StubAnswer { return StubAnswer{Result: json.RawMessage(`{"Message":"success"}`)} })
	strict := newGenClient(t, s.URL)
	bad := validRecord()
	bad.RecordMode = Ptr(RecordMode(5))
	bad.Control = &RecordControl{MaxIdleTime: Ptr[int32](1)}
	_, err := strict.StartRecord(context.Background(), bad)
	var ve *ValidationError
	require.True(t, errors.As(err, &ve), "%v", err)
	require.ErrorIs(t, err, ErrInvalidParameter)
	require.Len(t, ve.Problems, 2)
	require.Contains(t, err.Error(), "RecordMode must be one of 0 (RecordModeMixed), 1 (RecordModeSingleStream) (got 5)")
	require.Contains(t, err.Error(), "Control.MaxIdleTime must be from 10 to 86400 seconds (got 1)")
	require.Empty(t, s.Requests(), "nothing was sent")

	_, err = strict.StartRecord(context.Background(), bad, WithCallLenientValidation())
	require.NoError(t, err)

	lenient := NewStubClient(t, s.URL, WithRetry(RetryPolicy{MaxAttempts: 1}), WithLenientValidation())
	_, err = lenient.StartRecord(context.Background(), bad)
	require.NoError(t, err)
	// Required fields and the ID rule stay.
	bad.TaskID = "bad task"
	bad.AppID = ""
	_, err = lenient.StartRecord(context.Background(), bad)
	require.True(t, errors.As(err, &ve), "%v", err)
	require.Equal(t, []string{"AppId", "TaskId"}, genPaths(ve.Problems))
}
