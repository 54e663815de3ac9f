package rtc

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/volcrtc/rtc/internal/spec"
)

// The client's ID rule is generated from the spec's (api_operations.go): it
// accepts what spec.IDRule accepts and words each problem as rtctest and
// rtcctl do.
func TestIDRuleIsTheSpecs(t *testing.T) {
	r := spec.MustLoad().IDRule
	require.Equal(t, r.MaxLen, MaxIDLength)
	require.Equal(t, r.Text(), idRule)
	for c := 0; c < 256; c++ {
		require.Equal(t, r.Allows(byte(c)), idByte(byte(c)), "byte %q", rune(c))
	}
	for _, s := range []string{"room_1", "a@b.c-d", "", "room 1", "räume", strings.Repeat("a", 128), strings.Repeat("a", 129)} {
		require.Equal(t, r.Valid(s), ValidID(s), "%q", s)
		if s != "" && !ValidID(s) {
			require.Equal(t, r.Problem(s), idRule+" (got "+describeID(s)+")", "%q", s)
		}
	}
}
