package rtc

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type callbackVector struct {
	Name   string        `json:"name"`
	Secret string        `json:"secret"`
	Event  CallbackEvent `json:"event"`
}

func loadCallbackVectors(t testing.TB) []callbackVector {
	t.Helper()
	raw, err := os.ReadFile("testdata/callback.json")
	require.NoError(t, err)
	var vs []callbackVector
	require.NoError(t, json.Unmarshal(raw, &vs))
	require.NotEmpty(t, vs)
	return vs
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

func TestParseCallbackVectors(t *testing.T) {
	t.Parallel()
	for _, v := range loadCallbackVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			body := mustJSON(t, v.Event)
			ev, err := ParseCallback(body, v.Secret)
			require.NoError(t, err)
			require.Equal(t, v.Event, *ev)

			// Signing the same fields reproduces the vector's signature.
			c := v.Event
			c.Signature = ""
			c.Sign(v.Secret)
			require.Equal(t, v.Event.Signature, c.Signature)

			_, err = ParseCallback(body, v.Secret+"x")
			require.ErrorIs(t, err, ErrCallbackSignature)
			require.NotContains(t, err.Error(), v.Secret)
		})
	}
}

func TestParseCallbackRecordUploadDone(t *testing.T) {
	t.Parallel()
	v := loadCallbackVectors(t)[0]
	ev, err := ParseCallback(mustJSON(t, v.Event), v.Secret)
	require.NoError(t, err)
	require.Equal(t, EventRecordUploadDone, ev.EventType)

	var d TaskEventData
	require.NoError(t, ev.DecodeData(&d))
	require.Equal(t, TaskEventData{AppID: "661e2f2a543cf", RoomID: "Room1", TaskID: "task1"}, d)
	require.False(t, d.Failed())

	typed, err := ev.ParseData()
	require.NoError(t, err)
	require.Equal(t, &d, typed)
}

func TestParseCallbackAcceptsNoce(t *testing.T) {
	t.Parallel()
	v := loadCallbackVectors(t)[0]
	var m map[string]any
	require.NoError(t, json.Unmarshal(mustJSON(t, v.Event), &m))
	m["Noce"] = m["Nonce"]
	delete(m, "Nonce")

	ev, err := ParseCallback(mustJSON(t, m), v.Secret)
	require.NoError(t, err)
	require.Equal(t, v.Event.Nonce, ev.Nonce)

	// With both spellings present, Nonce wins.
	m["Nonce"] = v.Event.Nonce
	m["Noce"] = "other"
	_, err = ParseCallback(mustJSON(t, m), v.Secret)
	require.NoError(t, err)
}

func TestParseCallbackSignatureForms(t *testing.T) {
	t.Parallel()
	v := loadCallbackVectors(t)[0]
	upper := v.Event
	upper.Signature = strings.ToUpper(upper.Signature)
	_, err := ParseCallback(mustJSON(t, upper), v.Secret)
	require.NoError(t, err, "hex digits in upper case")

	tampered := v.Event
	tampered.EventData = strings.Replace(tampered.EventData, `"Code":0`, `"Code":1`, 1)
	_, err = ParseCallback(mustJSON(t, tampered), v.Secret)
	require.ErrorIs(t, err, ErrCallbackSignature)
}

func TestParseCallbackErrors(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-callback-key"
	signed := func(mod func(*CallbackEvent)) []byte {
		ev := CallbackEvent{EventType: EventUserJoinRoom, EventData: `{"RoomId":"r"}`, EventID: "id", AppID: "a", Version: CallbackVersion, Nonce: "1234"}
		ev.Sign(secret)
		if mod != nil {
			mod(&ev)
		}
		return mustJSON(t, ev)
	}
	tests := []struct {
		name   string
		body   []byte
		secret string
		is     error
		want   string
	}{
		{"empty secret", signed(nil), "", nil, "callback secret is empty"},
		{"empty body", nil, secret, ErrCallbackMalformed, "not a JSON event object"},
		{"not json", []byte("<html>"), secret, ErrCallbackMalformed, "not a JSON event object"},
		{"json array", []byte("[]"), secret, ErrCallbackMalformed, "not a JSON event object"},
		{"EventData not a string", []byte(`{"EventType":"X","EventData":{},"Signature":"00"}`), secret, ErrCallbackMalformed, "not a JSON event object"},
		{"missing signature", signed(func(e *CallbackEvent) { e.Signature = "" }), secret, ErrCallbackMalformed, "Signature is missing"},
		{"missing event type", []byte(`{"EventId":"x","Signature":"ab"}`), secret, ErrCallbackMalformed, "EventType is missing"},
		{"signature not hex", signed(func(e *CallbackEvent) { e.Signature = "zz" }), secret, ErrCallbackSignature, "not 64 hex digits"},
		{"signature too short", signed(func(e *CallbackEvent) { e.Signature = e.Signature[:62] }), secret, ErrCallbackSignature, "not 64 hex digits"},
		{"wrong secret", signed(nil), "other", ErrCallbackSignature, "check that the secret"},
		{"field changed", signed(func(e *CallbackEvent) { e.EventID = "id2" }), secret, ErrCallbackSignature, "does not match"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := ParseCallback(tc.body, tc.secret)
			require.Error(t, err)
			require.Nil(t, ev)
			if tc.is != nil {
				require.ErrorIs(t, err, tc.is)
			}
			require.Contains(t, err.Error(), tc.want)
			require.NotContains(t, err.Error(), secret)
		})
	}
	_, err := ParseCallback(signed(nil), secret)
	require.NoError(t, err, "the unmodified body is accepted")
}

func TestCallbackEventVerifyEmptySecret(t *testing.T) {
	t.Parallel()
	ev := CallbackEvent{EventType: "X"}
	ev.Sign("")
	require.ErrorIs(t, ev.Verify(""), ErrCallbackSignature)
}

func TestNewCallbackEvent(t *testing.T) {
	t.Parallel()
	ev, err := NewCallbackEvent("app", EventUserJoinRoom, UserEventData{RoomID: "r", UserID: "u", Timestamp: 1764000000123})
	require.NoError(t, err)
	require.Equal(t, "app", ev.AppID)
	require.Equal(t, EventUserJoinRoom, ev.EventType)
	require.Equal(t, CallbackVersion, ev.Version)
	require.JSONEq(t, `{"RoomId":"r","UserId":"u","Timestamp":1764000000123}`, ev.EventData)
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, ev.EventID)
	require.Regexp(t, `^[0-9]{4}$`, ev.Nonce)
	_, err = time.Parse(time.RFC3339, ev.EventTime)
	require.NoError(t, err)
	require.Empty(t, ev.Signature)

	ev.Sign("k")
	got, err := ParseCallback(mustJSON(t, ev), "k")
	require.NoError(t, err)
	require.Equal(t, ev, got)

	other, err := NewCallbackEvent("app", EventUserJoinRoom, nil)
	require.NoError(t, err)
	require.NotEqual(t, ev.EventID, other.EventID)
	require.Equal(t, "null", other.EventData)

	for _, data := range []any{`{"a":1}`, []byte(`{"a":1}`), json.RawMessage(`{"a":1}`)} {
		ev, err := NewCallbackEvent("app", "Custom", data)
		require.NoError(t, err)
		require.Equal(t, `{"a":1}`, ev.EventData)
	}

	_, err = NewCallbackEvent("app", "Custom", func() {})
	require.ErrorContains(t, err, "encoding callback EventData")
}

func TestCallbackParseData(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typ  string
		data string
		want any
	}{
		{EventRecordStarted, `{"AppId":"a","RoomId":"r","TaskId":"t","Code":1,"ErrorMessage":"no stream"}`,
			&TaskEventData{AppID: "a", RoomID: "r", TaskID: "t", Code: 1, ErrorMessage: "no stream"}},
		{EventRecordStopped, `{"AppId":"a","RoomId":"r","TaskId":"t","Code":0,"RecordFileList":[{"Vid":"v1"}]}`,
			&RecordStoppedData{TaskEventData: TaskEventData{AppID: "a", RoomID: "r", TaskID: "t"}, RecordFileList: []json.RawMessage{json.RawMessage(`{"Vid":"v1"}`)}}},
		{EventTranscodeStateChanged, `{"AppId":"a","RoomId":"r","TaskId":"t"}`, &TaskEventData{AppID: "a", RoomID: "r", TaskID: "t"}},
		{EventSnapshotRealTimeData, `{"AppId":"a","RoomId":"r","TaskId":"t"}`, &TaskEventData{AppID: "a", RoomID: "r", TaskID: "t"}},
		{EventUserLeaveRoom, `{"RoomId":"r","UserId":"u","Timestamp":5}`, &UserEventData{RoomID: "r", UserID: "u", Timestamp: 5}},
		{EventUserVideoStreamStart, `{"RoomId":"r","UserId":"u"}`, &UserEventData{RoomID: "r", UserID: "u"}},
		{EventRoomDestroy, `{"RoomId":"r","Timestamp":7}`, &RoomEventData{RoomID: "r", Timestamp: 7}},
		{"SomethingNew", `{"Field":"x"}`, map[string]any{"Field": "x"}},
	}
	for _, tc := range tests {
		t.Run(tc.typ, func(t *testing.T) {
			ev := &CallbackEvent{EventType: tc.typ, EventData: tc.data}
			got, err := ev.ParseData()
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}

	_, err := (&CallbackEvent{EventType: EventRoomDestroy, EventID: "e1"}).ParseData()
	require.ErrorContains(t, err, `RoomDestroy (event "e1") has no EventData`)
	_, err = (&CallbackEvent{EventType: "X", EventData: "{"}).ParseData()
	require.ErrorContains(t, err, "decoding EventData")
	var syn *json.SyntaxError
	require.True(t, errors.As(err, &syn))
}

func TestCallbackEventTimes(t *testing.T) {
	t.Parallel()
	u := UserEventData{Timestamp: 1764000000123}
	require.Equal(t, time.UnixMilli(1764000000123), u.Time())
	require.True(t, (&UserEventData{}).Time().IsZero())
	require.Equal(t, time.UnixMilli(9), (&RoomEventData{Timestamp: 9}).Time())
}

// FuzzParseCallback feeds arbitrary bodies and secrets to ParseCallback.
// Whatever it accepts must carry the signature Sign computes, and must come
// back unchanged from re-encoding and parsing again.
func FuzzParseCallback(f *testing.F) {
	for _, v := range loadCallbackVectors(f) {
		f.Add(mustJSON(f, v.Event), v.Secret)
	}
	f.Add([]byte(`{"EventType":"X","Noce":"1","Signature":"00"}`), "k")
	f.Add([]byte(`not json`), "k")
	f.Fuzz(func(t *testing.T, body []byte, secret string) {
		ev, err := ParseCallback(body, secret)
		if err != nil {
			require.Nil(t, ev)
			return
		}
		resigned := *ev
		resigned.Sign(secret)
		require.True(t, strings.EqualFold(ev.Signature, resigned.Signature))

		again, err := ParseCallback(mustJSON(t, ev), secret)
		require.NoError(t, err)
		require.Equal(t, ev, again)
	})
}

func BenchmarkParseCallback(b *testing.B) {
	v := loadCallbackVectors(b)[0]
	body := mustJSON(b, v.Event)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := ParseCallback(body, v.Secret); err != nil {
			b.Fatal(err)
		}
	}
}
