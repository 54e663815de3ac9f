package rtctest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Event callbacks. RTC posts a signed event to the application's callback
// URL when something happens: a task starts or stops, a recording's files
// are uploaded, a user joins or leaves a room, a room is created or
// destroyed. A Server given WithEventCallback or WithEventHandler does the
// same for what happens in it, so that a backend's callback path can be
// tested end to end without hand-built events.

// Delivery rules, as RTC's: an answer other than HTTP 200 within
// EventTimeout (or no answer) is a failed attempt, retried at most
// EventRetries more times.
const (
	EventTimeout = 5 * time.Second
	EventRetries = 2
)

// EventVersion is the Version the fake puts in its events.
const EventVersion = "2020-12-01"

// WithEventCallback makes the server post signed event callbacks to url
// (loopback, in tests), signed with secret as RTC signs them. Events are
// posted one at a time, in the order they happened, from a goroutine of
// the server; see Events and FlushEvents.
func WithEventCallback(url, secret string) Option {
	return func(c *config) {
		c.events = &eventSink{url: url, secret: secret, client: newPostClient()}
	}
}

// WithEventHandler is WithEventCallback for a handler in the same process
// (an rtc.CallbackHandler, say): each delivery calls h.ServeHTTP with a POST
// request, and the status h writes counts as the answer.
func WithEventHandler(h http.Handler, secret string) Option {
	return func(c *config) {
		c.events = &eventSink{handler: h, secret: secret}
	}
}

// WithEventTimeout sets how long one delivery attempt may take before it
// counts as failed (default EventTimeout). Tests of slow receivers shorten
// it instead of waiting five seconds.
func WithEventTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.eventTimeout = d
		}
	}
}

// Event is one event callback the server sent, or tried to send.
type Event struct {
	Type  string    // EventType, e.g. "RecordStopped"
	ID    string    // EventId
	AppID string    // AppId
	Time  time.Time // EventTime, from the server clock
	// Data is the EventData JSON document.
	Data string
	// Body is the whole signed JSON body, as posted on every attempt.
	Body []byte
	// Attempts is how many deliveries were tried so far (at most
	// 1+EventRetries).
	Attempts int
	// Status is the HTTP status of the last attempt; 0 when it got no
	// answer in time.
	Status int
	// Delivered reports whether an attempt got HTTP 200 in time.
	Delivered bool
	// Done reports whether the server has finished with the event:
	// delivered, or given up after the last retry.
	Done bool

	sink     *eventSink // where it goes
	released bool       // held once by HoldEvents (eventfaults.go)
}

// newPostClient returns the client the server posts events and server
// messages with. Like RTC's, it follows no redirect: a 3xx answer is a
// failed attempt, retried like any other, not a delivery to wherever the
// Location points.
func newPostClient() *http.Client {
	return &http.Client{
		Transport:     &http.Transport{DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

type eventSink struct {
	url     string
	client  *http.Client
	handler http.Handler
	secret  string
}

// eventQueue holds the events of one Server and delivers them in order.
type eventQueue struct {
	mu      sync.Mutex
	all     []*Event
	msgs    []*Event // server messages (agent.go), delivered in the same order
	pending []*Event
	running bool          // a delivery goroutine is active
	idle    chan struct{} // closed when pending drains; replaced when work arrives
}

// Events returns a copy of the events the server has produced so far (at
// most the MaxRecorded most recent), oldest first, with their delivery
// state.
func (s *Server) Events() []Event {
	q := &s.events
	q.mu.Lock()
	defer q.mu.Unlock()
	all := recent(q.all)
	out := make([]Event, len(all))
	for i, e := range all {
		out[i] = *e
		out[i].Body = slices.Clone(e.Body)
	}
	return out
}

// FlushEvents waits until every event produced so far was delivered or
// given up, or until ctx ends. Once the server is closed it returns an
// error if events were left undelivered.
func (s *Server) FlushEvents(ctx context.Context) error {
	q := &s.events
	for {
		q.mu.Lock()
		busy, idle := q.running || len(q.pending) > 0, q.idle
		q.mu.Unlock()
		if !busy {
			return nil
		}
		select {
		case <-idle:
			continue // drained; look again in case more came
		case <-ctx.Done():
			return ctx.Err()
		case <-s.closing:
		}
		// Close has begun: the delivery goroutine stops at its next
		// attempt, keeping what it did not deliver pending.
		select {
		case <-idle:
		case <-ctx.Done():
			return ctx.Err()
		}
		q.mu.Lock()
		left := len(q.pending)
		q.mu.Unlock()
		if left > 0 {
			return fmt.Errorf("rtctest: server closed before %d event(s) were delivered", left)
		}
	}
}

// EmitEvent sends an event of any type, with data (a JSON-encodable value)
// as its EventData, through the configured callback, the way the server
// sends its own. It does nothing without WithEventCallback or
// WithEventHandler. Use it for events the fake does not produce by itself.
func (s *Server) EmitEvent(appID, eventType string, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	s.emit(appID, eventType, string(b))
	return nil
}

// emit signs an event stamped with the server clock and queues it for
// the configured callback.
func (s *Server) emit(appID, eventType, data string) {
	if s.cfg.events == nil {
		return
	}
	s.emitTo(s.cfg.events, appID, eventType, data)
}

// emitTo signs an event with sink's secret and queues it for sink.
func (s *Server) emitTo(sink *eventSink, appID, eventType, data string) {
	now := s.now()
	var n [2]byte
	_, _ = rand.Read(n[:])
	w := struct {
		EventType string `json:"EventType"`
		EventData string `json:"EventData"`
		EventTime string `json:"EventTime"`
		EventID   string `json:"EventId"`
		AppID     string `json:"AppId"`
		Version   string `json:"Version"`
		Nonce     string `json:"Nonce"`
		Signature string `json:"Signature"`
	}{
		EventType: eventType, EventData: data, EventTime: now.Format(time.RFC3339),
		EventID: uuid.NewString(), AppID: appID, Version: EventVersion,
		Nonce: strconv.Itoa(1000 + int(binary.BigEndian.Uint16(n[:]))%9000),
	}
	parts := []string{w.EventType, w.EventData, w.EventTime, w.EventID, w.AppID, w.Version, w.Nonce, sink.secret}
	slices.Sort(parts)
	h := sha256.New()
	for _, p := range parts {
		_, _ = io.WriteString(h, p)
	}
	w.Signature = hex.EncodeToString(h.Sum(nil))
	body, _ := json.Marshal(w)
	t, _ := time.Parse(time.RFC3339, w.EventTime)
	ev := &Event{Type: eventType, ID: w.EventID, AppID: appID, Time: t, Data: data, Body: body, sink: sink}
	s.enqueue(ev, false)
}

// enqueue queues ev for delivery to ev.sink: an event callback, or a
// server message (listed by ServerMessages instead of Events).
func (s *Server) enqueue(ev *Event, serverMessage bool) {
	// Once Close has begun nothing new is sent: Close waits for the
	// delivery goroutine, which must not start after that.
	s.activeMu.Lock()
	defer s.activeMu.Unlock()
	if s.closed {
		return
	}
	q := &s.events
	q.mu.Lock()
	if serverMessage {
		q.msgs = trimHistory(append(q.msgs, ev))
	} else {
		q.all = trimHistory(append(q.all, ev))
	}
	q.pending = append(q.pending, ev)
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
}

// deliverEvents delivers queued events one at a time until the queue is
// empty or the server closes.
func (s *Server) deliverEvents() {
	q := &s.events
	for {
		q.mu.Lock()
		if len(q.pending) == 0 {
			q.running = false
			close(q.idle)
			q.mu.Unlock()
			return
		}
		ev := q.pending[0]
		q.pending = q.pending[1:]
		q.mu.Unlock()
		if s.divert(ev) { // dropped or held (eventfaults.go)
			continue
		}

		for attempt := 0; attempt <= EventRetries; attempt++ {
			select {
			case <-s.closing:
				// Keep the undelivered events pending, so that
				// FlushEvents reports them.
				q.mu.Lock()
				q.pending = append([]*Event{ev}, q.pending...)
				q.running = false
				close(q.idle)
				q.mu.Unlock()
				return
			default:
			}
			status := s.deliverOnce(ev.sink, ev.Body)
			q.mu.Lock()
			ev.Attempts++
			ev.Status = status
			ev.Delivered = status == http.StatusOK
			q.mu.Unlock()
			if status == http.StatusOK {
				break
			}
		}
		q.mu.Lock()
		ev.Done = true
		q.mu.Unlock()
	}
}

// deliverOnce makes one delivery attempt and returns the HTTP status, or
// 0 when no answer came within the timeout.
func (s *Server) deliverOnce(sink *eventSink, body []byte) int {
	timeout := s.cfg.eventTimeout
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	go func() {
		select {
		case <-s.closing:
			cancel()
		case <-ctx.Done():
		}
	}()
	if sink.handler != nil {
		req := httptest.NewRequest(http.MethodPost, "/rtc/callback", bytes.NewReader(body)).WithContext(ctx)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		done := make(chan struct{})
		go func() {
			defer close(done)
			defer func() { _ = recover() }() // a panicking handler is a failed attempt
			sink.handler.ServeHTTP(rec, req)
		}()
		select {
		case <-done:
			if ctx.Err() != nil {
				return 0 // answered only after the deadline, or cut off by Close
			}
			if rec.Code == 0 {
				return http.StatusOK
			}
			return rec.Code
		case <-ctx.Done():
			return 0
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sink.url, bytes.NewReader(body))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := sink.client.Do(req)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	return resp.StatusCode
}

// Task events: the event types the fake sends for each task family, as
// far as the SDK models them.
var taskEventTypes = map[string]struct{ started, stopped, updated, uploaded string }{
	"record":    {started: "RecordStarted", stopped: "RecordStopped", uploaded: "RecordUploadDone"},
	"cdn/mixed": {started: "TranscodeStarted", stopped: "TranscodeStopped", updated: "TranscodeUpdated"},
	// Single-stream pushes report through the same Transcode* events.
	"cdn/single": {started: "TranscodeStarted", stopped: "TranscodeStopped"},
}

type taskEvent int

const (
	taskStarted taskEvent = iota
	taskUpdated
	taskStopped
)

// emitTask sends the events of a task's start, update or stop.
func (s *Server) emitTask(appID string, k taskKey, t *task, what taskEvent) {
	if s.cfg.events == nil {
		return
	}
	types, ok := taskEventTypes[k.kind]
	if !ok {
		types, ok = taskEventTypes[k.kind+"/"+t.sub]
	}
	if !ok {
		return
	}
	data := map[string]any{"AppId": appID, "RoomId": k.room, "TaskId": k.id, "Code": 0, "ErrorMessage": ""}
	if b, _ := t.input["BusinessId"].(string); b != "" {
		data["BusinessId"] = b
	}
	if t.failed {
		data["Code"], data["ErrorMessage"] = 1, "the task failed: "+t.stopReason
	}
	enc := func(m map[string]any) string { b, _ := json.Marshal(m); return string(b) }
	switch what {
	case taskStarted:
		s.emit(appID, types.started, enc(data))
	case taskUpdated:
		if types.updated != "" {
			s.emit(appID, types.updated, enc(data))
		}
	case taskStopped:
		stopped := maps.Clone(data)
		stopped["StopReason"] = t.stopReason
		if k.kind == "record" {
			stopped["RecordFileList"] = recordFiles(appID, t)
		}
		s.emit(appID, types.stopped, enc(stopped))
		if types.uploaded != "" && !t.failed {
			up := maps.Clone(data)
			up["RecordFileList"] = recordFiles(appID, t)
			s.emit(appID, types.uploaded, enc(up))
		}
	}
}

// roomEvent sends a room or user event stamped with the server clock.
func (s *Server) roomEvent(appID, eventType, roomID, userID string) {
	if s.cfg.events == nil {
		return
	}
	data := map[string]any{"RoomId": roomID, "Timestamp": s.now().UnixMilli()}
	if userID != "" {
		data["UserId"] = userID
	}
	b, _ := json.Marshal(data)
	s.emit(appID, eventType, string(b))
}
