package rtc

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// marshalString is what json.Marshal writes for s.
func marshalString(t testing.TB, s string) string {
	t.Helper()
	want, err := json.Marshal(s)
	require.NoError(t, err)
	return string(want)
}

func TestAppendJSONStringExamples(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"", `""`},
		{"plain", `"plain"`},
		{`q"b\`, `"q\"b\\"`},
		{"\b\f\n\r\t", `"\b\f\n\r\t"`},
		{"\x00\x01\x1f\x7f", `"\u0000\u0001\u001f` + "\x7f" + `"`},
		{"<a&b>", `"\u003ca\u0026b\u003e"`},
		{"é世🎉", `"é世🎉"`},
		{"a\u2028b\u2029c", `"a\u2028b\u2029c"`},
		{"bad\xffutf8\xc3", `"bad\ufffdutf8\ufffd"`},
		{"\xed\xa0\x80", `"\ufffd\ufffd\ufffd"`}, // an encoded surrogate is three bad bytes
		{"\uFFFD", "\"\uFFFD\""},
	}
	for _, c := range cases {
		got := string(appendJSONString(nil, c.in))
		require.Equal(t, c.want, got, "%q", c.in)
		require.Equal(t, marshalString(t, c.in), got, "%q", c.in)
	}
}

func TestAppendJSONStringMatchesMarshal(t *testing.T) {
	t.Parallel()
	check := func(s string) {
		t.Helper()
		got := appendJSONString([]byte("prefix"), s)
		require.Equal(t, "prefix"+marshalString(t, s), string(got), "%q", s)
	}
	// Every byte alone, and every pair of bytes between plain text.
	for i := 0; i < 256; i++ {
		check(string([]byte{byte(i)}))
		for j := 0; j < 256; j++ {
			check("a" + string([]byte{byte(i), byte(j)}) + "z")
		}
	}
	// Every rune of the first planes and the edges of the others.
	for r := rune(0); r < 0x3000; r++ {
		check("x" + string(r) + "y")
	}
	for _, r := range []rune{0xD7FF, 0xE000, 0xFEFF, 0xFFFD, 0xFFFE, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF, 0x2028, 0x2029, 0x202A} {
		check(string(r))
		check(string(r) + string(r))
	}
	// Invalid and truncated UTF-8 in several positions.
	for _, s := range []string{
		"\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xe2\x80", "\xe2\x80\xa8\xe2", "\xf0\x9f\x98",
		"\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80", "\xff\xfe", "ok\xe2\x80\xa9\xe2\x80", "\xed\xbf\xbf",
	} {
		check(s)
		check("head " + s + " tail<>&")
	}
	// Random strings built from the interesting pieces.
	pieces := []string{"a", "Z", "0", " ", `"`, `\`, "/", "<", ">", "&", "\n", "\t", "\x00", "\x1f", "\x7f", "é", "世", "🎉", "\u2028", "\u2029", "\xff", "\xe2\x80", "\xc3"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var sb strings.Builder
		for n := rng.IntN(12); n > 0; n-- {
			sb.WriteString(pieces[rng.IntN(len(pieces))])
		}
		check(sb.String())
	}
	check(strings.Repeat("long plain text ", 200) + "<end>")
}

// float32Cases and float64Cases are edge values of the notation switch
// and of the number formats.
var (
	float64Cases = []float64{
		0, math.Copysign(0, -1), 1, -1, 0.1, -0.1, 0.2, 1.5, 2.5, 100, 123456789, -987654321.125,
		1e-6, -1e-6, 9.999999999999999e-7, 1e-7, 1.2345e-7, 5e-324, -5e-324, 2.2250738585072014e-308,
		1e20, 1e21 - 65536, 1e21, -1e21, 1.5e21, 123456789e20, 1e100, 1e-100, math.MaxFloat64, -math.MaxFloat64,
		math.MaxInt64, math.MinInt64, 1 << 53, 1<<53 + 1, 0.000001, 0.0000012, 33.333333333333336,
	}
	float32Cases = []float32{
		0, float32(math.Copysign(0, -1)), 1, -1, 0.1, -0.1, 1.5, 3.4028235e38, -3.4028235e38, 1e-45, 1.1754944e-38,
		1e-6, 9.999999e-7, 1.0000001e-6, 1e-7, 1e20, 1e21, 9.999999e20, 1.0000001e21, -1e21, 16777216, 16777217,
		0.3, 123.456, 1e-10, 1e38,
	}
)

func TestAppendJSONFloatMatchesMarshal(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	f64 := append([]float64{}, float64Cases...)
	f32 := append([]float32{}, float32Cases...)
	for range 20000 {
		bits := rng.Uint64()
		if f := math.Float64frombits(bits); !math.IsNaN(f) && !math.IsInf(f, 0) {
			f64 = append(f64, f)
		}
		if f := math.Float32frombits(uint32(bits)); !math.IsNaN(float64(f)) && !math.IsInf(float64(f), 0) {
			f32 = append(f32, f)
		}
		// Values near the thresholds, where the notation changes.
		f64 = append(f64, 1e-6*(1+(rng.Float64()-0.5)*1e-9), 1e21*(1+(rng.Float64()-0.5)*1e-9), rng.NormFloat64()*1e6)
		f32 = append(f32, float32(1e-6*(1+(rng.Float64()-0.5)*1e-5)), float32(1e21*(1+(rng.Float64()-0.5)*1e-5)))
	}
	for _, f := range f64 {
		want, err := json.Marshal(f)
		require.NoError(t, err)
		got, err := appendJSONFloat64([]byte("x"), f)
		require.NoError(t, err)
		require.Equal(t, "x"+string(want), string(got), "%v (%x)", f, math.Float64bits(f))
	}
	for _, f := range f32 {
		want, err := json.Marshal(f)
		require.NoError(t, err)
		got, err := appendJSONFloat32([]byte("x"), f)
		require.NoError(t, err)
		require.Equal(t, "x"+string(want), string(got), "%v (%x)", f, math.Float32bits(f))
	}
}

func TestAppendJSONFloatRefusesNaNAndInf(t *testing.T) {
	t.Parallel()
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		_, want := json.Marshal(f)
		require.Error(t, want)
		got, err := appendJSONFloat64([]byte("x"), f)
		require.Nil(t, got)
		var uv *json.UnsupportedValueError
		require.True(t, errors.As(err, &uv), "%T", err)
		require.Equal(t, want.Error(), err.Error())

		_, want = json.Marshal(float32(f))
		require.Error(t, want)
		got, err = appendJSONFloat32([]byte("x"), float32(f))
		require.Nil(t, got)
		require.True(t, errors.As(err, &uv), "%T", err)
		require.Equal(t, want.Error(), err.Error())
	}
}

func TestAppendJSONRawMatchesMarshal(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		raw  json.RawMessage
		want string // "" when the message is refused
	}{
		{"nil", nil, "null"},
		{"number", json.RawMessage(" 12.50 "), "12.50"},
		{"object with spaces", json.RawMessage("{ \"a\" :\t[1, 2 ,\n3 ],\r\n \"b\": null }"), `{"a":[1,2,3],"b":null}`},
		{"html in strings", json.RawMessage(`{"h":"<a href='x'>&amp;</a>"}`), `{"h":"\u003ca href='x'\u003e\u0026amp;\u003c/a\u003e"}`},
		{"spaces inside strings stay", json.RawMessage(`[" a  b ", "\" <"]`), `[" a  b ","\" \u003c"]`},
		{"escaped backslash before quote", json.RawMessage(`["\\", "<"]`), `["\\","\u003c"]`},
		{"line separators", json.RawMessage("\"a\u2028b\u2029c\u202a\""), `"a\u2028b\u2029c` + "\u202a" + `"`},
		{"invalid UTF-8 kept", json.RawMessage("\"\xff\""), "\"\xff\""},
		{"deep", json.RawMessage(`{"a":{"b":{"c":[{"d":[true,false,null]}]}}}`), `{"a":{"b":{"c":[{"d":[true,false,null]}]}}}`},
		{"empty", json.RawMessage{}, ""},
		{"blank", json.RawMessage("   "), ""},
		{"unclosed", json.RawMessage(`{"a":1`), ""},
		{"missing value", json.RawMessage(`{"a":}`), ""},
		{"two values", json.RawMessage(`1 2`), ""},
		{"bare word", json.RawMessage(`hello`), ""},
		{"control byte in string", json.RawMessage("\"a\x01\""), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want, wantErr := json.Marshal(c.raw)
			got, err := appendJSONRaw([]byte("x"), c.raw)
			if c.want == "" {
				require.Error(t, wantErr)
				require.Nil(t, got)
				var me *json.MarshalerError
				require.True(t, errors.As(err, &me), "%T", err)
				var se *json.SyntaxError
				require.True(t, errors.As(err, &se), "%T", err)
				require.Equal(t, wantErr.Error(), err.Error())
				return
			}
			require.NoError(t, wantErr)
			require.NoError(t, err)
			require.Equal(t, c.want, string(want))
			require.Equal(t, "x"+string(want), string(got))
		})
	}
}

func TestAppendJSONRawRandomMatchesMarshal(t *testing.T) {
	t.Parallel()
	pieces := []string{"{", "}", "[", "]", ":", ",", " ", "\n", `"k"`, `"<&>"`, "\"\u2028\"", `"\""`, `"\\"`, "1", "-2.5e3", "true", "null", `"é"`, "\"\xff\""}
	rng := rand.New(rand.NewPCG(5, 6))
	valid := 0
	for range 50000 {
		var sb strings.Builder
		for n := 1 + rng.IntN(8); n > 0; n-- {
			sb.WriteString(pieces[rng.IntN(len(pieces))])
		}
		raw := json.RawMessage(sb.String())
		want, wantErr := json.Marshal(raw)
		got, err := appendJSONRaw(nil, raw)
		if wantErr != nil {
			require.Error(t, err, "%q", raw)
			require.Equal(t, wantErr.Error(), err.Error(), "%q", raw)
			continue
		}
		valid++
		require.NoError(t, err, "%q", raw)
		require.Equal(t, string(want), string(got), "%q", raw)
	}
	require.Greater(t, valid, 1000, "the random messages should include valid JSON")
}

// plainBody has no appendJSON, so encodeBody falls back to json.Marshal.
type plainBody struct {
	Name string `json:"name"`
	N    int    `json:"n,omitempty"`
}

func TestEncodeBody(t *testing.T) {
	t.Parallel()
	t.Run("generated request uses appendJSON", func(t *testing.T) {
		req := &BanRoomUserRequest{AppID: "app<1>", RoomID: "r", ForbiddenInterval: Ptr[int32](-5)}
		var _ jsonAppender = req
		want, err := json.Marshal(req)
		require.NoError(t, err)
		got, err := encodeBody(req)
		require.NoError(t, err)
		require.Equal(t, string(want), string(got))
	})
	t.Run("other values use json.Marshal", func(t *testing.T) {
		got, err := encodeBody(plainBody{Name: "<x>"})
		require.NoError(t, err)
		require.Equal(t, `{"name":"\u003cx\u003e"}`, string(got))
		got, err = encodeBody(map[string]int{"b": 2, "a": 1})
		require.NoError(t, err)
		require.Equal(t, `{"a":1,"b":2}`, string(got))
	})
	t.Run("a NaN is an error, not bad JSON", func(t *testing.T) {
		_, err := encodeBody(&plainFloat{F: math.NaN()})
		require.Error(t, err)
	})
}

type plainFloat struct {
	F float64
}

func BenchmarkAppendJSONString(b *testing.B) {
	s := "661e2f2a543cf0012345abcd room-<1> é"
	buf := make([]byte, 0, 128)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = appendJSONString(buf[:0], s)
	}
}
