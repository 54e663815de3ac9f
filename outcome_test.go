package rtc

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// outcomeRecorder keeps what observers were told about outcome.
type outcomeRecorder struct {
	mu       sync.Mutex
	attempts []AttemptResult
	calls    []CallResult
}

func (r *outcomeRecorder) observer() Observer {
	return ObserverFuncs{
		OnAttemptEnd: func(_ context.Context, _ AttemptInfo, res AttemptResult) {
			r.mu.Lock()
			r.attempts = append(r.attempts, res)
			r.mu.Unlock()
		},
		OnCallEnd: func(_ context.Context, _ CallInfo, res CallResult) {
			r.mu.Lock()
			r.calls = append(r.calls, res)
			r.mu.Unlock()
		},
	}
}

// TestSendMessageAnswerLostIsOutcomeUnknown: the IM SendMessage runs, its
// answer is lost (the connection drops), and the error says the message may
// have been sent, matches ErrOutcomeUnknown, names the action, and the
// observer carries the same mark. Before, the error read only
// `Post "...": EOF`.
func TestSendMessageAnswerLostIsOutcomeUnknown(t *testing.T) {
	var runs atomic.Int64
	srv := NewRawStub(t, func(w http.ResponseWriter, r *http.Request) {
		runs.Add(1)
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			_ = conn.Close()
		}
	})
	rec := &outcomeRecorder{}
	c := NewStubClient(t, srv.URL, WithObserver(rec.observer()))
	RecordSleeps(c)
	_, err := c.IM().SendMessage(context.Background(), &IMSendMessageRequest{AppID: 1, ConversationShortID: 7, Sender: 1,
		MsgType: IMMsgText, Content: `{"text":"hi"}`, ClientMsgID: "c0ffee"})
	require.Error(t, err)
	require.EqualValues(t, 1, runs.Load())
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	var ou *OutcomeUnknownError
	require.ErrorAs(t, err, &ou)
	require.Equal(t, "SendMessage", ou.Action)
	msg := err.Error()
	require.True(t, strings.HasPrefix(msg, "rtc: SendMessage: outcome unknown: "), msg)
	require.Contains(t, msg, "SendMessage may have happened; it was not repeated")
	require.Contains(t, msg, "EOF", "the cause is kept")
	require.NotContains(t, msg, "\n")
	require.False(t, IsRetryable(err))

	require.Len(t, rec.calls, 1)
	require.True(t, rec.calls[0].OutcomeUnknown)
	require.Len(t, rec.attempts, 1)
	require.True(t, rec.attempts[0].OutcomeUnknown)
	require.ErrorIs(t, rec.attempts[0].Err, ErrOutcomeUnknown)
}

// TestServerFailureOfUnsafeActionIsOutcomeUnknown: a 500 InternalError for
// an action not safe to repeat is an unknown outcome too, and still an
// *APIError; a refusal (a 400) and a failure of an action safe to repeat
// are not.
func TestServerFailureOfUnsafeActionIsOutcomeUnknown(t *testing.T) {
	srv := NewStubServer(t, func(r StubRequest) StubAnswer {
		switch r.Query.Get("Action") {
		case "StartPushMixedStreamToCDN", "BanRoomUser":
			return StubAnswer{Status: 500, Code: "InternalError"}
		}
		return StubAnswer{Status: 400, Code: "InvalidParameter"}
	})
	rec := &outcomeRecorder{}
	c := NewStubClient(t, srv.URL, WithObserver(rec.observer()))
	RecordSleeps(c)
	ctx := context.Background()

	_, err := c.SendUnicast(ctx, &SendUnicastRequest{AppID: "app1", From: "a", To: "b", Message: "m"})
	require.Error(t, err)
	require.False(t, errors.Is(err, ErrOutcomeUnknown), "a refusal is not an unknown outcome: %v", err)

	_, err = c.Call(ctx, "StartPushMixedStreamToCDN", "2023-11-01", map[string]any{"AppId": "app1"}, nil)
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	require.ErrorIs(t, err, ErrServer)
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, "InternalError", ae.Code)

	_, err = c.BanRoomUser(ctx, &BanRoomUserRequest{AppID: "app1", RoomID: "r", UserID: "u"})
	require.ErrorIs(t, err, ErrServer)
	require.False(t, errors.Is(err, ErrOutcomeUnknown), "BanRoomUser is safe to repeat and was retried: %v", err)
	require.False(t, rec.calls[len(rec.calls)-1].OutcomeUnknown)
}
