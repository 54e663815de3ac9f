package rtc

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// ErrCallbackSignature is returned (wrapped) by ParseCallback and
// CallbackEvent.Verify when an event's signature does not match the callback
// secret: the event was not sent by RTC for this secret, or was altered.
var ErrCallbackSignature = errors.New("rtc: callback signature does not match the callback secret")

// ErrCallbackMalformed is returned (wrapped) by ParseCallback when the body is
// not an RTC event at all: not JSON, or a required field is missing.
var ErrCallbackMalformed = errors.New("rtc: malformed callback body")

// CallbackVersion is the Version RTC puts in the events it sends, and the one
// NewCallbackEvent uses.
const CallbackVersion = "2020-12-01"

// CallbackEvent is one event RTC posts to the callback URL set in the
// console. EventData is itself a JSON document, carried as a string; decode
// it with DecodeData or ParseData.
type CallbackEvent struct {
	EventType string `json:"EventType"` // what happened, e.g. EventRecordUploadDone
	EventData string `json:"EventData"` // the event's details, a JSON document
	EventTime string `json:"EventTime"` // when it happened, RFC 3339
	EventID   string `json:"EventId"`   // unique per event; deliveries of one event share it
	AppID     string `json:"AppId"`     // the RTC application
	Version   string `json:"Version"`   // the callback format version
	Nonce     string `json:"Nonce"`     // random value mixed into the signature
	Signature string `json:"Signature"` // hex SHA-256 over the fields and the secret
}

// callbackWire is the body as sent: older senders spell Nonce "Noce".
type callbackWire struct {
	EventType *string `json:"EventType"`
	EventData *string `json:"EventData"`
	EventTime *string `json:"EventTime"`
	EventID   *string `json:"EventId"`
	AppID     *string `json:"AppId"`
	Version   *string `json:"Version"`
	Nonce     *string `json:"Nonce"`
	Noce      *string `json:"Noce"`
	Signature *string `json:"Signature"`
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// ParseCallback decodes a callback body and checks its signature against the
// callback secret. A bad signature yields an error that matches
// ErrCallbackSignature with errors.Is; a body that is not an event yields one
// that matches ErrCallbackMalformed. Both the Nonce field and its older
// spelling Noce are accepted. The secret never appears in an error.
//
// ParseCallback checks the signature only, which proves that RTC (or
// someone holding the secret) signed these field values once. It does not
// refuse a replay: a captured body posted again verifies, a body whose
// values were permuted between fields (a new EventId, the same signature)
// verifies, and a month-old event verifies. NewCallbackHandler refuses all
// three; a receiver built on ParseCallback should call CheckFresh and
// dedupe on DedupKeys (see the example).
func ParseCallback(body []byte, secret string) (*CallbackEvent, error) {
	if secret == "" {
		return nil, errors.New("rtc: callback secret is empty; pass the callback secret set in the RTC console")
	}
	var w callbackWire
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("%w: not a JSON event object: %v", ErrCallbackMalformed, err)
	}
	ev := &CallbackEvent{
		EventType: deref(w.EventType),
		EventData: deref(w.EventData),
		EventTime: deref(w.EventTime),
		EventID:   deref(w.EventID),
		AppID:     deref(w.AppID),
		Version:   deref(w.Version),
		Nonce:     deref(w.Nonce),
		Signature: deref(w.Signature),
	}
	if w.Nonce == nil {
		ev.Nonce = deref(w.Noce)
	}
	switch {
	case ev.Signature == "":
		return nil, fmt.Errorf("%w: Signature is missing", ErrCallbackMalformed)
	case ev.EventType == "":
		return nil, fmt.Errorf("%w: EventType is missing", ErrCallbackMalformed)
	}
	if err := ev.Verify(secret); err != nil {
		return nil, err
	}
	return ev, nil
}

// signature computes the hex signature of the event's fields with secret:
// SHA-256 over the eight strings sorted byte-wise and joined without a
// separator.
func (e *CallbackEvent) signature(secret string) [sha256.Size]byte {
	parts := [8]string{e.EventType, e.EventData, e.EventTime, e.EventID, e.AppID, e.Version, e.Nonce, secret}
	slices.Sort(parts[:])
	h := sha256.New()
	for _, p := range parts {
		io.WriteString(h, p)
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// Verify checks the event's Signature against the callback secret in
// constant time. It returns nil when they match and an error matching
// ErrCallbackSignature otherwise (including for an empty secret). Like
// ParseCallback it says nothing about freshness or replays: see CheckFresh
// and DedupKeys.
func (e *CallbackEvent) Verify(secret string) error {
	if secret == "" {
		return fmt.Errorf("%w (the secret passed is empty)", ErrCallbackSignature)
	}
	got, err := hex.DecodeString(e.Signature)
	if err != nil || len(got) != sha256.Size {
		return fmt.Errorf("%w (Signature is not %d hex digits)", ErrCallbackSignature, 2*sha256.Size)
	}
	want := e.signature(secret)
	if subtle.ConstantTimeCompare(got, want[:]) != 1 {
		return fmt.Errorf("%w; check that the secret is the one set in the RTC console for this application", ErrCallbackSignature)
	}
	return nil
}

// Sign sets the event's Signature for the callback secret, the way RTC does.
// It is meant for tests and tools that need to produce events a receiver
// will accept (a fake server, replaying a captured body).
func (e *CallbackEvent) Sign(secret string) {
	sum := e.signature(secret)
	e.Signature = hex.EncodeToString(sum[:])
}

// DecodeData decodes the event's EventData JSON document into v.
func (e *CallbackEvent) DecodeData(v any) error {
	if e.EventData == "" {
		return fmt.Errorf("rtc: callback %s (event %q) has no EventData", e.EventType, e.EventID)
	}
	if err := json.Unmarshal([]byte(e.EventData), v); err != nil {
		return fmt.Errorf("rtc: callback %s (event %q): decoding EventData: %w", e.EventType, e.EventID, err)
	}
	return nil
}

// NewCallbackEvent builds an unsigned event of type eventType for appID,
// stamped now, with a fresh random EventId and Nonce and Version
// CallbackVersion. data becomes EventData: a string or []byte is used as is
// (it must already be JSON), anything else is encoded with encoding/json.
// Call Sign before sending it.
func NewCallbackEvent(appID, eventType string, data any) (*CallbackEvent, error) {
	var payload string
	switch d := data.(type) {
	case string:
		payload = d
	case []byte:
		payload = string(d)
	case json.RawMessage:
		payload = string(d)
	default:
		b, err := json.Marshal(data)
		if err != nil {
			return nil, fmt.Errorf("rtc: encoding callback EventData: %w", err)
		}
		payload = string(b)
	}
	var n [2]byte
	_, _ = rand.Read(n[:])
	return &CallbackEvent{
		EventType: eventType,
		EventData: payload,
		EventTime: time.Now().Format(time.RFC3339),
		EventID:   uuid.NewString(),
		AppID:     appID,
		Version:   CallbackVersion,
		Nonce:     strconv.Itoa(1000 + int(uint16(n[0])<<8|uint16(n[1]))%9000),
	}, nil
}
