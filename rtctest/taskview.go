package rtctest

import (
	"fmt"

	"github.com/volcrtc/rtc/internal/spec"
)

// A task's Get answers what the task was started (and updated) with, plus
// the service's own fields (status, times, files). Fields the caller never
// set read as their zero value, never as invented ones: a test that checks
// a Get against its Start must not pass or fail by chance.

// zeroObject is an object of the shape with every field at its zero
// value.
func zeroObject(fields []spec.Field) map[string]any {
	m := make(map[string]any, len(fields))
	for i := range fields {
		m[fields[i].Name] = zeroValue(&fields[i])
	}
	return m
}

func zeroValue(f *spec.Field) any {
	switch f.Type {
	case "string":
		return ""
	case "bool":
		return false
	case "array":
		return []any{}
	case "object":
		return zeroObject(f.Fields)
	case "any":
		return nil
	}
	return 0
}

// overlay writes src's values over dst for the fields of the shape:
// objects field by field, anything else (numbers, strings, lists) whole.
// Keys of src that the shape does not have are left out.
func overlay(dst map[string]any, fields []spec.Field, src map[string]any) {
	for i := range fields {
		f := &fields[i]
		v, ok := src[f.Name]
		if !ok || v == nil {
			continue
		}
		if sub, isObj := v.(map[string]any); isObj && f.Type == "object" {
			d, _ := dst[f.Name].(map[string]any)
			if d == nil {
				d = zeroObject(f.Fields)
				dst[f.Name] = d
			}
			overlay(d, f.Fields, sub)
			continue
		}
		dst[f.Name] = v
	}
}

// EndTask ends a running task the way the service ends one on its own:
// reason is the StopReason its Get then reports ("IdleTimeOut",
// "StartTaskFailed", "UserDisconnect", ...), and failed makes its Status 4
// (failed) instead of 3 (ended). The task's stop events are sent as for a
// Stop action. kind and the IDs are as for Task. It returns an error when
// no such task is running.
func (s *Server) EndTask(appID, kind, roomID, taskID, reason string, failed bool) error {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	k := taskKey{kind, roomID, taskID}
	t := s.st.app(appID).tasks[k]
	if t == nil || !t.running {
		return fmt.Errorf("rtctest: no running %s task %q in room %q of app %q", kind, taskID, roomID, appID)
	}
	if reason == "" {
		reason = "UnknownStopReason"
	}
	t.running, t.ended, t.stopReason, t.failed = false, now, reason, failed
	s.emitTask(appID, k, t, taskStopped)
	if t.agent != nil {
		s.agentStop(t.agent) // an agent that ends on its own (idle timeout, say) also reports taskStop
	}
	return nil
}
