package rtc

import (
	"bytes"
	"testing"
)

// containsSecretKey is the plain form of hasSecretKey: any quoted secret
// key anywhere in the body.
func containsSecretKey(body []byte) bool {
	for _, k := range secretFieldKeys {
		if bytes.Contains(body, k) {
			return true
		}
	}
	return false
}

func TestHasSecretKeyMatchesThePlainScan(t *testing.T) {
	bodies := []string{
		``, `"`, `{}`, `{"AppId":"a","RoomId":"r"}`,
		`{"StorageConfig":{"CustomConfig":{"SecretKey":"sk"}}}`,
		`{"Token":"t"}`, `{"AccessKey":"x"}`, `{"x":"SecretKey"}`,
		`{"x":"\"SecretKey\""}`, `{"SecretKe":"x"}`, `{"SecretKeys":"x"}`,
		`{"A":"T","S":"A"}`, `"SecretKey`, `{"ServerMessageSignatureForRTS":"s"}`,
	}
	for _, b := range bodies {
		if got, want := hasSecretKey([]byte(b)), containsSecretKey([]byte(b)); got != want {
			t.Errorf("hasSecretKey(%s) = %v, the plain scan says %v", b, got, want)
		}
	}
}

func FuzzHasSecretKey(f *testing.F) {
	f.Add([]byte(`{"SecretKey":"x","AppId":"a"}`))
	f.Add([]byte(`{"Tok":"Token"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := hasSecretKey(b), containsSecretKey(b); got != want {
			t.Fatalf("hasSecretKey(%q) = %v, the plain scan says %v", b, got, want)
		}
	})
}
