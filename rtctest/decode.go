package rtctest

import (
	"encoding/json"
	"fmt"
)

// Decode decodes the recorded input into v, normally a pointer to the
// SDK's request type for the action:
//
//	var req rtc.StartRecordRequest
//	err := srv.Requests()[0].Decode(&req)
//
// The input is encoded back to JSON and decoded with encoding/json, so the
// request type's JSON tags apply and numbers keep their exact value. Query
// parameters were already converted to the spec's types. Fields v does not
// have are ignored. It returns an error when the request failed before its
// input was read (Input is nil) or when a value does not fit v's field.
func (r Request) Decode(v any) error {
	if r.Input == nil {
		return fmt.Errorf("rtctest: %s request %s has no decoded input (it failed with %q before the input was read)", r.Action, r.RequestID, r.ErrorCode)
	}
	b, err := json.Marshal(r.Input)
	if err != nil {
		return fmt.Errorf("rtctest: %s request %s: %w", r.Action, r.RequestID, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("rtctest: decoding the %s request %s into %T: %w", r.Action, r.RequestID, v, err)
	}
	return nil
}

// RequestsFor returns the recorded requests of one action, oldest first.
func (s *Server) RequestsFor(action string) []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Action == action {
			out = append(out, r)
		}
	}
	return out
}
