package main

import (
	"strings"

	"github.com/volcrtc/rtc/internal/spec"
)

// The retry-safety constants of package rtc, as the generator writes them.
const (
	safe         = "safeToRepeat"
	safeWithTask = "safeWithTaskID"
	unsafe       = "unsafeToRepeat"
)

// safetyRule is the comment written above the operation table; it states the
// rule classifySafety applies.
const safetyRule = `Retry safety, decided from the action name by the generator:
  - reads (Get*, List*, Search*, Wb*Get, Wb*Query) and actions that set a
    state rather than add to it (Ban*, Unban*, Kick*, Dismiss*, Stop*,
    Update*, Limit*) are safe to repeat after an ambiguous failure;
  - Start* actions whose request carries a TaskId are safe to repeat: the
    server recognises the task, and a repeat answered TaskAlreadyExists
    means the first attempt went through;
  - everything else (Send*, BatchSend*, Create*, Add*, Delete*, Modify*,
    Start* without a TaskId) is retried only when the request surely did
    not reach the server.`

// classifySafety returns the retry-safety constant for an action.
func classifySafety(a *spec.Action) string {
	n := a.Action
	has := func(prefixes ...string) bool {
		for _, p := range prefixes {
			if strings.HasPrefix(n, p) {
				return true
			}
		}
		return false
	}
	switch {
	case has("Get", "List", "Search"),
		strings.HasPrefix(n, "Wb") && (strings.HasSuffix(n, "Get") || strings.HasSuffix(n, "Query")):
		return safe
	case has("Ban", "Unban", "Kick", "Dismiss", "Stop", "Update", "Limit"):
		return safe
	case has("Start"):
		for _, f := range a.Input {
			if f.Name == "TaskId" {
				return safeWithTask
			}
		}
		return unsafe
	}
	return unsafe
}
