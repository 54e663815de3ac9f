package rtctest

import (
	"io"
	"net/http"
	"strconv"
	"time"
)

// Always, as Fault.Times, keeps a fault in force until ClearFaults or Reset.
const Always = -1

// DropMode says when an injected fault drops the connection.
type DropMode int

const (
	// NoDrop answers normally.
	NoDrop DropMode = iota
	// DropBeforeBody closes the connection after reading the request
	// headers, before reading the body: the client sees a reset or EOF while
	// or after writing.
	DropBeforeBody
	// DropAfterBody reads the whole request, then closes the connection
	// without answering: the client cannot know whether the action ran.
	// (The action does not run; with Fault.AfterAction it does.)
	DropAfterBody
)

// Fault describes how to answer the next matching calls instead of, or on
// top of, the normal answer. Fields combine as follows:
//
//   - Delay is waited first (cut short when the client gives up or the server
//     closes); a fault with only Delay (and RetryAfter) then answers
//     normally.
//   - Drop closes the connection without an answer.
//   - Body, or HugeBody, replaces the whole response body: Status (default
//     200) and ContentType (default "text/html; charset=utf-8" for Body,
//     "application/json" for HugeBody) are sent with it.
//   - Code (or a Status of 400 or more without Body) answers an error
//     envelope: Status defaults to the HTTP status of Code's class (429 for
//     FlowLimitExceeded, 503 for ServiceUnavailableTemp, ...), Code defaults
//     to the gateway code of Status. Status 200 with a Code gives an Error
//     inside an HTTP 200 answer.
//   - RetryAfter adds a Retry-After header (whole seconds, rounded up).
//   - AfterAction runs the action first, with all its effects (a task
//     starts, a message is sent), and only then acts out the fault: the
//     answer is lost (Drop) or replaced by an error (Status, Code). This is
//     the ambiguous failure a client cannot tell from one where nothing
//     happened: use it to test what your code does when a first attempt
//     worked but its answer never arrived.
//
// Faults are checked before authentication, so they apply to any request
// whose Action matches.
type Fault struct {
	// Times is how many matching calls the fault affects: 0 means 1,
	// Always means every call until cleared.
	Times int

	Status  int
	Code    string
	CodeN   int
	Message string

	Delay      time.Duration
	Drop       DropMode
	RetryAfter time.Duration

	Body        []byte
	HugeBody    int64 // bytes of a generated body that never closes its JSON
	ContentType string

	// AfterAction lets the action run before the fault shapes the answer.
	AfterAction bool
}

type pendingFault struct {
	action string
	left   int // < 0: always
	f      Fault
}

// InjectFault arranges for the next f.Times calls of action (every action
// when action is "") to be answered as f describes. Faults are consumed in
// the order they were injected; one call consumes at most one fault.
func (s *Server) InjectFault(action string, f Fault) {
	left := f.Times
	if left == 0 {
		left = 1
	}
	s.faultMu.Lock()
	s.faults = append(s.faults, &pendingFault{action: action, left: left, f: f})
	s.faultMu.Unlock()
}

// ClearFaults removes every pending fault.
func (s *Server) ClearFaults() {
	s.faultMu.Lock()
	s.faults = nil
	s.faultMu.Unlock()
}

// PendingFaults returns how many faults are still waiting to fire
// (counting an Always fault as one).
func (s *Server) PendingFaults() int {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	return len(s.faults)
}

// SetClockOffset shifts the server clock by d (on top of WithClock): the
// X-Date check, the Date header and everything time-based see the shifted
// clock. Use it to make a client's clock look skewed.
func (s *Server) SetClockOffset(d time.Duration) { s.offset.Store(int64(d)) }

// takeFault consumes one use of the first fault matching action.
func (s *Server) takeFault(action string) *Fault {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	for i, p := range s.faults {
		if p.action != "" && p.action != action {
			continue
		}
		f := p.f
		if p.left > 0 {
			p.left--
			if p.left == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
		}
		return &f
	}
	return nil
}

// applyFault acts out f. It reports whether the answer is complete; when
// false the normal pipeline goes on (after a delay, with a Retry-After).
func (c *call) applyFault(w http.ResponseWriter, f *Fault) bool {
	if !c.srv.sleep(c.r.Context(), f.Delay) {
		c.dropped = true
		return true
	}
	if f.RetryAfter > 0 {
		secs := int64((f.RetryAfter + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	}
	if f.Drop != DropBeforeBody && c.readBody() == nil && c.actionName != "" && c.version != "" {
		// Faults fire before authentication; check the signature anyway,
		// so that Requests can tell whether the client signed correctly.
		_ = c.authenticate()
	}
	switch f.Drop {
	case DropBeforeBody, DropAfterBody:
		// Record before closing, so that a client seeing the drop also
		// sees it in Requests.
		c.dropped = true
		c.finish()
		_ = hijackClose(w)
		return true
	}
	status := f.Status
	switch {
	case f.Body != nil:
		if status == 0 {
			status = http.StatusOK
		}
		ct := f.ContentType
		if ct == "" {
			ct = "text/html; charset=utf-8"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Length", strconv.Itoa(len(f.Body)))
		c.status = status
		c.finish()
		w.WriteHeader(status)
		_, _ = w.Write(f.Body)
		return true
	case f.HugeBody > 0:
		if status == 0 {
			status = http.StatusOK
		}
		c.writeHuge(w, status, f)
		return true
	case f.Code != "" || status >= 400:
		code := f.Code
		if code == "" {
			code = codeForStatus(status)
		}
		if status == 0 {
			status = statusForCode(code)
		}
		msg := f.Message
		if msg == "" {
			msg = "injected fault: " + code
		}
		c.writeEnvelope(w, nil, &apiError{status: status, code: code, codeN: f.CodeN, msg: msg})
		return true
	}
	return false
}

// hugeChunk is the repeated filler of a huge body.
var hugeChunk = func() []byte {
	b := make([]byte, 32<<10)
	for i := range b {
		b[i] = 'x'
	}
	return b
}()

// writeHuge streams f.HugeBody bytes: an envelope opening followed by
// filler, never closed, written in chunks without building it in memory.
func (c *call) writeHuge(w http.ResponseWriter, status int, f *Fault) {
	ct := f.ContentType
	if ct == "" {
		ct = "application/json; charset=utf-8"
	}
	head := `{"ResponseMetadata":{"RequestId":"` + c.requestID + `","Action":"` + c.actionName +
		`","Version":"` + c.version + `","Service":"rtc","Region":"` + c.srv.cfg.region + `"},"Result":{"Data":"`
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.FormatInt(f.HugeBody, 10))
	c.status = status
	c.finish()
	w.WriteHeader(status)
	left := f.HugeBody
	if int64(len(head)) > left {
		head = head[:left]
	}
	if _, err := io.WriteString(w, head); err != nil {
		return
	}
	left -= int64(len(head))
	for left > 0 {
		select {
		case <-c.srv.closing:
			return
		default:
		}
		n := int64(len(hugeChunk))
		if n > left {
			n = left
		}
		if _, err := w.Write(hugeChunk[:n]); err != nil {
			return
		}
		left -= n
	}
}

// GatewayHTML returns an HTML error page of the kind a proxy or gateway in
// front of the service answers with, for Fault.Body.
func GatewayHTML() []byte {
	return []byte("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n" +
		"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
}

// TruncatedJSON returns the first part of a valid envelope, cut off in the
// middle, for Fault.Body (with ContentType "application/json").
func TruncatedJSON() []byte {
	return []byte(`{"ResponseMetadata":{"RequestId":"20260101000000ABCDEF0123456789AB","Action":"GetRoomOnlineUsers","Vers`)
}

// qpsWindow counts calls in one second of the server clock.
type qpsWindow struct {
	second int64
	count  int
}

// checkQPS enforces WithQPSLimit, per access key, per action and for ""
// (all actions).
func (s *Server) checkQPS(c *call) *apiError {
	if len(s.cfg.qps) == 0 {
		return nil
	}
	sec := c.now.Unix()
	s.qpsMu.Lock()
	defer s.qpsMu.Unlock()
	for _, scope := range [...]string{c.action.Action, ""} {
		limit, ok := s.cfg.qps[scope]
		if !ok {
			continue
		}
		key := c.ak + "\x00" + scope
		win := s.qpsWin[key]
		if win == nil {
			win = &qpsWindow{}
			s.qpsWin[key] = win
		}
		if win.second != sec {
			win.second, win.count = sec, 0
		}
		if win.count >= limit {
			return errorf(http.StatusTooManyRequests, "FlowLimitExceeded.QPSOverLimit",
				"%s is limited to %d calls per second", scopeName(scope), limit)
		}
	}
	// Count only calls that pass every limit.
	for _, scope := range [...]string{c.action.Action, ""} {
		if _, ok := s.cfg.qps[scope]; ok {
			s.qpsWin[c.ak+"\x00"+scope].count++
		}
	}
	return nil
}

func scopeName(scope string) string {
	if scope == "" {
		return "the account"
	}
	return scope
}
