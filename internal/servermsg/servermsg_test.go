package servermsg

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"testing"
)

func TestEncodeDecode(t *testing.T) {
	b := Encode(MagicState, []byte(`{"a":1}`))
	if string(b[:4]) != "conv" || b[4] != 0 || b[5] != 0 || b[6] != 0 || b[7] != 7 {
		t.Fatalf("header % x", b[:8])
	}
	magic, p, err := Decode(b)
	if err != nil || magic != "conv" || string(p) != `{"a":1}` {
		t.Fatalf("Decode = %q %q %v", magic, p, err)
	}
	if _, _, err := Decode(b[:7]); !errors.Is(err, ErrShort) {
		t.Fatalf("short: %v", err)
	}
	if _, _, err := Decode(b[:len(b)-1]); !errors.Is(err, ErrLength) {
		t.Fatalf("truncated: %v", err)
	}
	if _, _, err := Decode(append(b, ' ')); !errors.Is(err, ErrLength) {
		t.Fatalf("trailing: %v", err)
	}
	var env Envelope
	if err := json.Unmarshal(Body(MagicSubtitle, []byte(`{}`), "s"), &env); err != nil || env.Signature != "s" {
		t.Fatalf("Body: %+v %v", env, err)
	}
	raw, _ := base64.StdEncoding.DecodeString(env.Message)
	if magic, p, err := Decode(raw); err != nil || magic != "subt" || string(p) != "{}" {
		t.Fatalf("Body message: %q %q %v", magic, p, err)
	}
}
