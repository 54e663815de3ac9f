// Package servermsg encodes and decodes the binary server messages an RTC
// agent or subtitle task posts to an application's server: a JSON body
// {"message": <base64>, "signature": <string>} whose decoded message is a
// 4-byte magic, a 4-byte big-endian length, then that many bytes of JSON
// (vendor pages 6348/1415216, 6348/1337284 and 6348/1402679).
//
// It is shared by the SDK's receiver (rtc.ParseServerMessage), the fake
// server (rtctest) and rtcctl, so all three build the same bytes.
package servermsg

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
)

// The magics the vendor documents.
const (
	MagicSubtitle      = "subt" // StartSubtitle's subtitles
	MagicVoiceSubtitle = "subv" // a voice chat's subtitles (user and agent)
	MagicState         = "conv" // a voice chat agent's state
)

// HeaderSize is the length of the magic and the length field.
const HeaderSize = 8

// Errors of Decode and Unwrap; each wraps one of them with details.
var (
	ErrShort  = errors.New("message shorter than its 8-byte header")
	ErrLength = errors.New("length field disagrees with the payload")
)

// Encode returns magic (exactly 4 bytes) and payload in the binary format.
func Encode(magic string, payload []byte) []byte {
	b := make([]byte, HeaderSize, HeaderSize+len(payload))
	copy(b, magic)
	binary.BigEndian.PutUint32(b[4:], uint32(len(payload)))
	return append(b, payload...)
}

// Decode splits a binary message into its magic and payload. The length
// field must equal the number of bytes after the header.
func Decode(b []byte) (magic string, payload []byte, err error) {
	if len(b) < HeaderSize {
		return "", nil, fmt.Errorf("%w (%d bytes)", ErrShort, len(b))
	}
	n := binary.BigEndian.Uint32(b[4:8])
	if uint64(n) != uint64(len(b)-HeaderSize) {
		return string(b[:4]), nil, fmt.Errorf("%w: it says %d bytes, %d follow", ErrLength, n, len(b)-HeaderSize)
	}
	return string(b[:4]), b[HeaderSize:], nil
}

// Envelope is the JSON body posted to the server.
type Envelope struct {
	Message   string `json:"message"`
	Signature string `json:"signature"`
}

// Body returns the JSON body that carries magic and payload, with signature.
func Body(magic string, payload []byte, signature string) []byte {
	b, _ := json.Marshal(Envelope{Message: base64.StdEncoding.EncodeToString(Encode(magic, payload)), Signature: signature})
	return b
}

// Subtitle is one line of a subt or subv message.
type Subtitle struct {
	Text      string `json:"text"`
	Language  string `json:"language"`
	UserID    string `json:"userId"`
	Sequence  int64  `json:"sequence"`
	Definite  bool   `json:"definite"`
	Paragraph bool   `json:"paragraph"`
}

// SubtitlePayload is the JSON of a subt or subv message.
type SubtitlePayload struct {
	Type string     `json:"type"` // "subtitle"
	Data []Subtitle `json:"data"`
}

// Stage is the agent's state in a conv message.
type Stage struct {
	Code        int    `json:"Code"`
	Description string `json:"Description"`
}

// StatePayload is the JSON of a conv message.
type StatePayload struct {
	TaskID    string `json:"TaskId"`
	UserID    string `json:"UserID"`
	RoundID   int64  `json:"RoundID"`
	EventTime int64  `json:"EventTime"` // Unix milliseconds
	Stage     Stage  `json:"Stage"`
}
