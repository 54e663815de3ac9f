package rtctest

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"time"
)

// MessageKind says which action sent a message.
type MessageKind string

// The message kinds, one per sending action.
const (
	Unicast          MessageKind = "SendUnicast"
	RoomUnicast      MessageKind = "SendRoomUnicast"
	Broadcast        MessageKind = "SendBroadcast"
	BatchRoomUnicast MessageKind = "BatchSendRoomUnicast"
)

// Message is one message sent through the server, as recorded by
// Messages.
type Message struct {
	Kind   MessageKind
	AppID  string
	RoomID string // empty for SendUnicast
	From   string
	To     []string // empty for SendBroadcast
	// Message is the payload as sent (base64 text when Binary).
	Message   string
	Binary    bool
	RequestID string
	Time      time.Time
}

// handleMessage checks and records a message. The sender and receivers
// follow the ID rule (InvalidParameter.IllegalFrom / IllegalTo), the
// payload is at most MaxMessageSize bytes and a batch has at most
// MaxBatchReceivers receivers (InvalidParameter.SizeOverLimit /
// UserCountOverLimit). Receivers need not be online.
func handleMessage(c *call) (any, *apiError) {
	m := Message{
		Kind: MessageKind(c.action.Action), AppID: c.appID(), RoomID: c.str("RoomId"),
		From: c.str("From"), Message: c.str("Message"), RequestID: c.requestID, Time: c.now,
	}
	m.Binary, _ = c.boolean("Binary")
	if m.Binary {
		if _, err := base64.StdEncoding.DecodeString(m.Message); err != nil {
			return nil, invalid("InvalidParameter", "Message must be base64 when Binary is true")
		}
	}
	if p := idProblem("From", m.From); p != "" {
		return nil, invalid("InvalidParameter.IllegalFrom", "%s", p)
	}
	switch to := c.in["To"].(type) {
	case string:
		m.To = []string{to}
	case []any:
		if len(to) > MaxBatchReceivers {
			return nil, invalid("InvalidParameter.UserCountOverLimit", "To has %d receivers; at most %d are allowed", len(to), MaxBatchReceivers)
		}
		for _, v := range to {
			s, _ := v.(string)
			m.To = append(m.To, s)
		}
	}
	for i, u := range m.To {
		if p := idProblem(fmt.Sprintf("To[%d]", i), u); p != "" {
			return nil, invalid("InvalidParameter.IllegalTo", "%s", p)
		}
	}
	if len(m.Message) > MaxMessageSize {
		return nil, &apiError{status: http.StatusBadRequest, code: "InvalidParameter.SizeOverLimit",
			msg: "Message is larger than the limit of 64 KiB"}
	}
	c.srv.recordMessage(m)
	return map[string]any{"Message": "success"}, nil
}
