package rtctest

import (
	"testing"

	"github.com/volcrtc/rtc/internal/spec"
)

// Prepare adapts a minimal input of action a and creates what the action
// needs to exist first, for the external tests that call every action.
func Prepare(t *testing.T, s *Server, a *spec.Action, in map[string]any) {
	t.Helper()
	prepare(t, s, spec.MustLoad(), a, in)
}
