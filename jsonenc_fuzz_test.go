package rtc

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// fuzzStartRecord builds a nested StartRecord request from fuzzed values;
// the bits of mask choose which optional parts are present.
func fuzzStartRecord(s1, s2 string, n int32, f1, f2 float32, mask uint16) *StartRecordRequest {
	on := func(bit int) bool { return mask&(1<<bit) != 0 }
	r := &StartRecordRequest{AppID: s1, RoomID: s2, TaskID: s1 + s2}
	if on(0) {
		r.StorageConfig = &RecordStorageConfig{Type: Ptr(StorageType(n)), TosConfig: &TosConfig{AccountID: s2, Bucket: s1}}
	}
	if on(1) {
		r.BusinessID = s2
	}
	if on(2) {
		r.RecordMode = Ptr(RecordMode(-n))
	}
	if on(3) {
		r.TargetStreams = &Streams{StreamList: []Stream{{UserID: s1, Index: Ptr(n)}, {UserID: s2}}}
	}
	if on(4) {
		r.ExcludeStreams = &Streams{StreamList: []Stream{}}
	}
	if on(5) {
		reg := LayoutRegion{Width: n, Height: -n, StreamIndex: n / 2, AlternateImage: s2, SpatialPosition: []int32{n, -n, 0}}
		if on(6) {
			reg.Alpha = Ptr(f1)
		}
		if on(7) {
			reg.CornerRadius = Ptr(f2)
		}
		if on(8) {
			reg.SourceCrop = &SourceCrop{LocationX: Ptr(f1), WidthProportion: Ptr(f2)}
		}
		if on(9) {
			reg.ApplySpatialAudio = Ptr(on(10))
		}
		r.Layout = &Layout{LayoutMode: Ptr(LayoutMode(n)), CustomLayout: &CustomLayout{
			Canvas:  &Canvas{Background: s1, BackgroundImage: s2, Width: Ptr(n)},
			Regions: []LayoutRegion{reg, {AlternateImage: s1}},
		}}
	}
	if on(11) {
		r.Encode = &Encode{VideoFps: Ptr(n), AudioBitrate: Ptr(int32(0))}
	}
	return r
}

// FuzzAppendJSON compares the generated encoders with json.Marshal on a
// nested request built from fuzzed text, numbers and raw JSON: the same
// bytes, or the same error (NaN, infinities, invalid raw JSON).
func FuzzAppendJSON(f *testing.F) {
	f.Add("app", "room1", int32(600), float32(0.5), float32(1e-7), float64(1e21), []byte(`{"a": 1}`), uint16(0xffff))
	f.Add(`<a&"b">`, "\u2028é\xff", int32(-1), float32(3.4e38), float32(math.Copysign(0, -1)), float64(5e-324), []byte(" [ true ,null ] "), uint16(0x0f0f))
	f.Add("", "\x00\x1f\x7f", int32(math.MinInt32), float32(1e21), float32(1e-6), float64(-1e-7), []byte(`{`), uint16(0x5555))
	f.Add("x", "y", int32(0), float32(math.NaN()), float32(0), float64(math.Inf(1)), []byte(""), uint16(0x00e0))
	f.Fuzz(func(t *testing.T, s1, s2 string, n int32, f1, f2 float32, f3 float64, raw []byte, mask uint16) {
		check := func(v any) {
			ja := v.(jsonAppender)
			want, wantErr := json.Marshal(v)
			got, err := ja.appendJSON([]byte("x"))
			if wantErr != nil {
				require.Error(t, err)
				require.Equal(t, wantErr.Error(), err.Error())
				return
			}
			require.NoError(t, err)
			require.Equal(t, "x"+string(want), string(got))
		}
		check(fuzzStartRecord(s1, s2, n, f1, f2, mask))

		vc := sampleStartVoiceChatRequest()
		vc.AppID, vc.TaskID = s1, s2
		vc.Config.LLMConfig = json.RawMessage(raw)
		if mask&1 != 0 {
			vc.Config.ASRConfig = json.RawMessage(s1)
		}
		check(vc)

		// The helpers on their own.
		want, err := json.Marshal(s1)
		require.NoError(t, err)
		require.Equal(t, string(want), string(appendJSONString(nil, s1)))
		for _, x := range []float64{f3, float64(f1)} {
			want, wantErr := json.Marshal(x)
			got, err := appendJSONFloat64(nil, x)
			if wantErr != nil {
				require.Equal(t, wantErr.Error(), err.Error())
			} else {
				require.Equal(t, string(want), string(got))
			}
		}
	})
}
