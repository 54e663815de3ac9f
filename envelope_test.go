package rtc

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDecodeEnvelope(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		body   string
		err    error
		meta   ResponseMetadata
		code   string
		codeN  int
		msg    string
		result string
	}{
		{name: "success object", body: `{"ResponseMetadata":{"RequestId":"r1","Action":"A","Version":"V","Service":"rtc","Region":"cn-north-1"},"Result":{"Message":"success"}}`,
			meta: ResponseMetadata{"r1", "A", "V", "rtc", "cn-north-1"}, result: `{"Message":"success"}`},
		{name: "bare string", body: ` {"Result" : "success", "ResponseMetadata":{"RequestId":"r2"}} `, meta: ResponseMetadata{RequestID: "r2"}, result: `"success"`},
		{name: "error with CodeN and unknown keys", body: `{"ResponseMetadata":{"RequestId":"r3","Error":{"Code":"SignatureDoesNotMatch","CodeN":100010,"Message":"m\u00e9\"x","Extra":[1,{"a":null}]},"X":true},"Result":null}`,
			meta: ResponseMetadata{RequestID: "r3"}, code: "SignatureDoesNotMatch", codeN: 100010, msg: "mé\"x", result: "null"},
		{name: "escaped request id", body: `{"ResponseMetadata":{"RequestId":"a\/b"}}`, meta: ResponseMetadata{RequestID: "a/b"}},
		{name: "truncated", body: `{"ResponseMetadata":{"RequestId":"r`, err: errTruncated},
		{name: "truncated after value", body: `{"ResponseMetadata":{"RequestId":"r"}`, err: errTruncated},
		{name: "truncated number", body: `{"ResponseMetadata":{"RequestId":"r"},"Result":{"n":12`, err: errTruncated},
		{name: "html", body: `<html>502</html>`, err: errNotJSON},
		{name: "trailing garbage", body: `{"ResponseMetadata":{}} x`, err: errNotJSON},
		{name: "bad literal", body: `{"ResponseMetadata":{},"Result":tru}`, err: errNotJSON},
		{name: "control char in string", body: "{\"ResponseMetadata\":{\"RequestId\":\"a\nb\"}}", err: errNotJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := decodeEnvelope([]byte(tt.body))
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.meta, env.meta)
			require.Equal(t, tt.code, env.code)
			require.Equal(t, tt.codeN, env.codeN)
			require.Equal(t, tt.msg, env.message)
			require.Equal(t, tt.result, string(env.result))
		})
	}
}

// FuzzDecodeEnvelope checks the hand-written envelope scanner against
// encoding/json: it never panics, it accepts exactly what is valid JSON
// (for object documents), and it reads the same metadata.
func FuzzDecodeEnvelope(f *testing.F) {
	for _, s := range []string{
		`{"ResponseMetadata":{"RequestId":"r1","Action":"A","Version":"V","Service":"rtc","Region":"cn-north-1"},"Result":{"Message":"success"}}`,
		`{"ResponseMetadata":{"RequestId":"r","Error":{"Code":"InvalidParameter","CodeN":1,"Message":"x"}},"Result":"ok"}`,
		`{"ResponseMetadata":{"RequestId":"\u0041\n"},"Result":[1,2.5e3,-0,true,false,null,{"a":[]}]}`,
		`<html></html>`, ``, `{`, `{"ResponseMetadata":`, `{"a":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		env, err := decodeEnvelope(body)
		var top any
		if json.Unmarshal(body, &top) != nil {
			require.Error(t, err, "accepted invalid JSON %q", body)
			return
		}
		obj, ok := top.(map[string]any)
		if !ok {
			require.Error(t, err, "accepted a non-object document %q", body)
			return
		}
		if jsonDepth(body) > 512 {
			return // the scanner refuses nesting deeper than 512 by design
		}
		require.NoError(t, err, "rejected valid JSON %q", body)
		meta, ok := obj["ResponseMetadata"].(map[string]any)
		require.Equal(t, ok, env.hasMeta)
		if !ok {
			return
		}
		for k, got := range map[string]string{"RequestId": env.meta.RequestID, "Action": env.meta.Action, "Region": env.meta.Region} {
			if want, ok := meta[k].(string); ok {
				require.Equal(t, want, got, k)
			}
		}
	})
}

// jsonDepth is the deepest nesting of brackets in valid JSON b.
func jsonDepth(b []byte) int {
	depth, deepest, inString := 0, 0, false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case !inString && (c == '{' || c == '['):
			depth++
			deepest = max(deepest, depth)
		case !inString && (c == '}' || c == ']'):
			depth--
		}
	}
	return deepest
}

func TestMessageOnly(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw  string
		msg  string
		only bool
	}{
		{`{"Message":"success"}`, "success", true},
		{` { "message" : "ok" } `, "ok", true},
		{`{"Message":"a\"b\u00e9"}`, "a\"bé", true},
		{`{}`, "", true},
		{`{"Message":1}`, "", false},
		{`{"Message":"x","EndTime":1}`, "", false},
		{`{"Message":"x"`, "", false},
		{`"success"`, "", false},
	}
	for _, tt := range tests {
		msg, only := messageOnly([]byte(tt.raw))
		require.Equal(t, tt.only, only, tt.raw)
		require.Equal(t, tt.msg, msg, tt.raw)
	}
}
