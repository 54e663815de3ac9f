package rtc

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDecodeResults answers every action with its sample Result (every
// field set) and checks that the typed result holds all of it: object
// results (and bare numbers and lists) encode back to the same document,
// bare strings land in Message,
// and the metadata is filled in.
func TestDecodeResults(t *testing.T) {
	t.Parallel()
	byAction := map[string]sampleCall{}
	for _, sc := range sampleCalls {
		byAction[sc.Action] = sc
	}
	s := NewStubServer(t, func(r StubRequest) StubAnswer {
		return StubAnswer{Result: json.RawMessage(byAction[r.Query.Get("Action")].Result)}
	})
	c := newGenClient(t, s.URL)
	for _, sc := range sampleCalls {
		t.Run(sc.Action, func(t *testing.T) {
			res, err := sc.Call(context.Background(), c)
			require.NoError(t, err)
			v := reflect.ValueOf(res).Elem()
			meta := v.FieldByName("Metadata").Interface().(ResponseMetadata)
			require.Equal(t, "req-"+sc.Action, meta.RequestID)
			require.Equal(t, sc.Action, meta.Action)
			require.Equal(t, sc.Version, meta.Version)
			switch sc.ResultType {
			case "object", "int32", "array":
				// Bare numbers and lists encode back to the bare value.
				b, err := json.Marshal(res)
				require.NoError(t, err)
				require.JSONEq(t, sc.Result, string(b), "every sample field decodes")
			default:
				var want string
				require.NoError(t, json.Unmarshal([]byte(sc.Result), &want))
				require.Equal(t, want, v.FieldByName("Message").String())
			}
		})
	}
}

// TestDecodeMessageShapes covers the other ways a short answer comes back:
// an old lower-case "message" object, and a bare string for an action whose
// spec result is an object with a Message field.
func TestDecodeMessageShapes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		result string
		call   func(c *Client) (string, error)
	}{
		{"string result as lower-case object", `{"message":"success"}`, func(c *Client) (string, error) {
			r, err := c.StopRecord(context.Background(), sampleStopRecordRequest())
			if err != nil {
				return "", err
			}
			return r.Message, nil
		}},
		{"any result as bare string", `"ok"`, func(c *Client) (string, error) {
			r, err := c.StartWebcast(context.Background(), sampleStartWebcastRequest())
			if err != nil {
				return "", err
			}
			return r.Message, nil
		}},
		{"object result with Message as bare string", `"success"`, func(c *Client) (string, error) {
			r, err := c.KickUser(context.Background(), sampleKickUserRequest())
			if err != nil {
				return "", err
			}
			return r.Message, nil
		}},
		{"object result with lower-case message", `{"message":"done"}`, func(c *Client) (string, error) {
			r, err := c.BanRoomUser(context.Background(), sampleBanRoomUserRequest())
			if err != nil {
				return "", err
			}
			return r.Message, nil
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := NewStubServer(t, func(StubRequest) StubAnswer { return StubAnswer{Result: json.RawMessage(tc.result)} })
			msg, err := tc.call(newGenClient(t, s.URL))
			require.NoError(t, err)
			want := tc.result
			var obj map[string]string
			if json.Unmarshal([]byte(tc.result), &obj) == nil {
				want = obj["message"]
			} else {
				require.NoError(t, json.Unmarshal([]byte(tc.result), &want))
			}
			require.Equal(t, want, msg)
		})
	}
}
