package rtc

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"
)

// requireSameJSON checks that appendJSON writes what json.Marshal writes
// for v, after a prefix it must leave alone, or fails the same way.
func requireSameJSON(t *testing.T, v any, msg string) {
	t.Helper()
	ja, ok := v.(jsonAppender)
	require.True(t, ok, "%s: %T has no appendJSON", msg, v)
	want, wantErr := json.Marshal(v)
	got, err := ja.appendJSON([]byte("prefix:"))
	if wantErr != nil {
		require.Error(t, err, "%s: json.Marshal fails with %v", msg, wantErr)
		require.Nil(t, got, msg)
		require.Equal(t, wantErr.Error(), err.Error(), msg)
		return
	}
	require.NoError(t, err, msg)
	require.Equal(t, "prefix:"+string(want), string(got), msg)
}

// TestAppendJSONSamples compares appendJSON with json.Marshal on every
// body action's sample request, on its full sample (every field set, hard
// text and numbers) and on its zero value (required lists and objects
// written as null, optional fields left out).
func TestAppendJSONSamples(t *testing.T) {
	t.Parallel()
	bodies := 0
	for _, op := range operations {
		if !op.InQuery {
			bodies++
		}
	}
	require.Len(t, sampleBodies, bodies, "one entry per action whose request is a JSON body")
	for _, sb := range sampleBodies {
		t.Run(sb.Action, func(t *testing.T) {
			requireSameJSON(t, sb.Sample(), "sample")
			full := sb.Full()
			requireSameJSON(t, full, "full")
			zero := reflect.New(reflect.TypeOf(full).Elem()).Interface()
			requireSameJSON(t, zero, "zero")
		})
	}
}

// TestQueryRequestsHaveNoAppendJSON checks that only body requests get an
// encoder: the query requests are encoded by appendQuery.
func TestQueryRequestsHaveNoAppendJSON(t *testing.T) {
	t.Parallel()
	var query []any = []any{&DeleteCallbackRequest{}}
	for _, q := range query {
		_, isQuery := q.(queryRequest)
		require.True(t, isQuery, "%T", q)
		_, isJSON := q.(jsonAppender)
		require.False(t, isJSON, "%T", q)
	}
}

// TestAppendJSONRandomRequests fills every body request with random values
// (random presence of every optional field, random list lengths, nil and
// empty lists, text and numbers from edge cases, now and then a NaN or an
// invalid json.RawMessage) and compares appendJSON with json.Marshal,
// errors included.
func TestAppendJSONRandomRequests(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 8))
	f := &randomFiller{rng: rng, bad: true}
	rounds := 300
	if testing.Short() {
		rounds = 30
	}
	failures := 0
	for _, sb := range sampleBodies {
		typ := reflect.TypeOf(sb.Full()).Elem()
		for range rounds {
			v := reflect.New(typ)
			f.fill(v.Elem(), 0)
			if _, err := json.Marshal(v.Interface()); err != nil {
				failures++
			}
			requireSameJSON(t, v.Interface(), sb.Action)
		}
	}
	require.Greater(t, failures, 0, "some random requests should hold a value json.Marshal refuses")
}

// randomFiller fills values of generated request types through reflection.
type randomFiller struct {
	rng *rand.Rand
	bad bool // allow NaN, infinities and invalid raw JSON
}

var (
	randomStrings = []string{"", "a", "room-1", `<a&"b">`, "\n\t\\", "é世🎉", "\u2028\u2029", "\xff\xfe", "\x00\x1f\x7f", "</script>", "\xe2\x80"}
	randomRaws    = []string{"{}", "[]", "null", `{ "a" : [1, 2, "<&>"] }`, " \"\u2028\" ", "12.5e3", `{"n":{"m":[true,false]}}`}
	badRaws       = []string{"", "{", `{"a":}`, "1 2", "nope"}
)

func (f *randomFiller) float() float64 {
	switch f.rng.IntN(6) {
	case 0:
		return float64Cases[f.rng.IntN(len(float64Cases))]
	case 1:
		return float64(float32Cases[f.rng.IntN(len(float32Cases))])
	case 2:
		if g := math.Float64frombits(f.rng.Uint64()); !math.IsNaN(g) && !math.IsInf(g, 0) {
			return g
		}
		return 0
	case 3:
		if f.bad && f.rng.IntN(20) == 0 {
			return []float64{math.NaN(), math.Inf(1), math.Inf(-1)}[f.rng.IntN(3)]
		}
		return -f.rng.Float64()
	}
	return f.rng.NormFloat64() * math.Pow(10, float64(f.rng.IntN(40)-20))
}

func (f *randomFiller) fill(v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(randomStrings[f.rng.IntN(len(randomStrings))])
	case reflect.Int32, reflect.Int64:
		switch f.rng.IntN(4) {
		case 0:
			v.SetInt(0)
		case 1:
			v.SetInt(-f.rng.Int64N(1000))
		case 2:
			if v.Kind() == reflect.Int32 {
				v.SetInt([]int64{math.MaxInt32, math.MinInt32}[f.rng.IntN(2)])
			} else {
				v.SetInt([]int64{math.MaxInt64, math.MinInt64}[f.rng.IntN(2)])
			}
		default:
			v.SetInt(f.rng.Int64N(1 << 20))
		}
	case reflect.Float32:
		v.SetFloat(float64(float32(f.float())))
	case reflect.Float64:
		v.SetFloat(f.float())
	case reflect.Bool:
		v.SetBool(f.rng.IntN(2) == 0)
	case reflect.Pointer:
		if f.rng.IntN(4) == 0 || depth > 8 {
			v.SetZero()
			return
		}
		p := reflect.New(v.Type().Elem())
		f.fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Slice:
		if v.Type() == reflect.TypeFor[json.RawMessage]() {
			switch n := f.rng.IntN(10); {
			case n == 0:
				v.SetZero()
			case n == 1 && f.bad:
				v.SetBytes([]byte(badRaws[f.rng.IntN(len(badRaws))]))
			default:
				v.SetBytes([]byte(randomRaws[f.rng.IntN(len(randomRaws))]))
			}
			return
		}
		switch n := f.rng.IntN(6); n {
		case 0:
			v.SetZero()
		default:
			s := reflect.MakeSlice(v.Type(), n-1, n-1)
			for i := range s.Len() {
				f.fill(s.Index(i), depth+1)
			}
			v.Set(s)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				f.fill(v.Field(i), depth+1)
			}
		}
	default:
		panic("randomFiller: unexpected kind " + v.Kind().String())
	}
}

// TestInvokeRefusesUnencodableBodies checks that a request json.Marshal
// cannot encode fails before anything is sent, with json.Marshal's error.
func TestInvokeRefusesUnencodableBodies(t *testing.T) {
	t.Parallel()
	s := NewStubServer(t, func(StubRequest) StubAnswer { return StubAnswer{Result: json.RawMessage(`{"Message":"success"}`)} })
	c := newGenClient(t, s.URL)

	rec := sampleStartRecordRequest()
	rec.Layout = &Layout{CustomLayout: &CustomLayout{Regions: []LayoutRegion{{Width: 1, Height: 1}, {Alpha: Ptr(float32(math.NaN()))}}}}
	// The value checks refuse a NaN opacity; lenient validation lets it
	// through to the encoder.
	_, err := c.StartRecord(context.Background(), rec)
	require.ErrorContains(t, err, "Alpha must be greater than 0 and at most 1 (got NaN)")
	_, err = c.StartRecord(context.Background(), rec, WithCallLenientValidation())
	require.ErrorContains(t, err, "rtc: StartRecord: encode request: json: unsupported value: NaN")
	var uv *json.UnsupportedValueError
	require.True(t, errors.As(err, &uv), "%T", err)

	vc := sampleStartVoiceChatRequest()
	vc.Config.LLMConfig = json.RawMessage(`{"model":`)
	_, err = c.StartVoiceChat(context.Background(), vc)
	require.ErrorContains(t, err, "rtc: StartVoiceChat: encode request: json: error calling MarshalJSON for type json.RawMessage")
	var me *json.MarshalerError
	require.True(t, errors.As(err, &me), "%T", err)

	require.Empty(t, s.Requests(), "nothing is sent")
}

// TestInvokeSendsAppendJSONBytes checks that what the server receives is
// exactly json.Marshal's encoding of the full sample.
func TestInvokeSendsAppendJSONBytes(t *testing.T) {
	t.Parallel()
	s := NewStubServer(t, func(StubRequest) StubAnswer { return StubAnswer{Result: json.RawMessage(`{"Message":"success"}`)} })
	c := newGenClient(t, s.URL)
	req := sampleBanRoomUserRequest()
	req.AppID = `<app&"1">`
	want, err := json.Marshal(req)
	require.NoError(t, err)
	_, err = c.BanRoomUser(context.Background(), req)
	require.NoError(t, err)
	reqs := s.Requests()
	require.Len(t, reqs, 1)
	require.Equal(t, string(want), string(reqs[0].Body))
}

// BenchmarkEncodeBody compares appendJSON with json.Marshal on a small and a
// large request.
func BenchmarkEncodeBody(b *testing.B) {
	for _, c := range []struct {
		name string
		req  any
	}{
		{"BanRoomUser", &BanRoomUserRequest{AppID: "661e2f2a543cf0012345abcd", RoomID: "room1", UserID: "user1", ForbiddenInterval: Ptr[int32](600)}},
		{"StartRecord", sampleStartRecordRequest()},
	} {
		b.Run(c.name+"/appendJSON", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := encodeBody(c.req); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/json.Marshal", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := json.Marshal(c.req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
