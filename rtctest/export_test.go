package rtctest

import "time"

// PrepareIM seeds the IM state of app 1 and adapts a minimal input of an
// IM action to it, for the external tests that call every action.
func PrepareIM(s *Server, action string, in map[string]any) {
	sd := seedIM(s)
	imInput(action, in, sd, time.Now())
}
