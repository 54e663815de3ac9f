package rtctest

import "sync"

// Event faults: RTC delivers a callback at most three times and promises
// neither uniqueness nor order; a callback lost to an outage is gone. These
// let a test lose, delay and reorder the server's events on purpose.

// eventFaults holds the event filters of a Server.
type eventFaults struct {
	mu      sync.Mutex
	drop    func(Event) bool
	hold    func(Event) bool
	held    []*Event
	dropped []Event
}

// DropEvents makes the server drop every later event for which match
// returns true: it is never delivered (its Done is set, Attempts stays 0),
// as if RTC had given up on it. A nil match stops dropping.
func (s *Server) DropEvents(match func(Event) bool) {
	f := &s.evFaults
	f.mu.Lock()
	defer f.mu.Unlock()
	f.drop = match
}

// DroppedEvents returns the events DropEvents dropped so far, oldest first.
func (s *Server) DroppedEvents() []Event {
	f := &s.evFaults
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Event(nil), f.dropped...)
}

// HoldEvents makes the server hold back every later event for which match
// returns true, until ReleaseEvents: events queued after a held one are
// delivered first, so a test can delay or reorder them. A nil match stops
// holding (what is held stays held).
func (s *Server) HoldEvents(match func(Event) bool) {
	f := &s.evFaults
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hold = match
}

// ReleaseEvents queues the held events again, in the order they were held,
// after the events already queued, and returns how many there were.
func (s *Server) ReleaseEvents() int {
	f := &s.evFaults
	f.mu.Lock()
	held := f.held
	f.held = nil
	f.mu.Unlock()
	if len(held) == 0 {
		return 0
	}
	s.activeMu.Lock()
	defer s.activeMu.Unlock()
	if s.closed {
		return 0
	}
	q := &s.events
	q.mu.Lock()
	q.pending = append(q.pending, held...)
	if q.idle == nil || !q.running {
		q.idle = make(chan struct{})
	}
	start := !q.running
	q.running = true
	q.mu.Unlock()
	if start {
		s.eventsWG.Add(1)
		go func() {
			defer s.eventsWG.Done()
			s.deliverEvents()
		}()
	}
	return len(held)
}

// divert reports whether ev is dropped or held instead of delivered now.
// An event released by ReleaseEvents is not held again.
func (s *Server) divert(ev *Event) bool {
	q := &s.events
	q.mu.Lock()
	cp := *ev
	q.mu.Unlock()
	f := &s.evFaults
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.drop != nil && f.drop(cp) {
		f.dropped = append(f.dropped, cp)
		q.mu.Lock()
		ev.Done = true
		q.mu.Unlock()
		return true
	}
	if f.hold != nil && !cp.released && f.hold(cp) {
		q.mu.Lock()
		ev.released = true
		q.mu.Unlock()
		f.held = append(f.held, ev)
		return true
	}
	return false
}
