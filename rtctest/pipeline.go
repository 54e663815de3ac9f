package rtctest

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/volcrtc/rtc/internal/spec"
)

// call is one request on its way through the pipeline.
type call struct {
	srv       *Server
	r         *http.Request
	started   time.Time // wall clock, for the log's duration
	now       time.Time // server clock
	requestID string

	actionName, version string
	action              *spec.Action
	query               url.Values
	body                []byte
	bodyRead            bool
	raw                 map[string]any // input as decoded
	in                  map[string]any // input with keys renamed to the spec's spelling

	ak       string
	sigOK    bool
	status   int
	errCode  string
	faulted  bool
	dropped  bool
	finished bool // recorded and logged
}

// handlerFunc answers one action once its input is decoded and validated.
// It returns the Result (a string or a JSON-encodable value) or an error.
type handlerFunc func(c *call) (any, *apiError)

// ServeHTTP answers one OpenAPI request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Count the handler as active unless Close has begun: WaitGroup.Add
	// must not race with Close's Wait.
	s.activeMu.Lock()
	if s.closed {
		s.activeMu.Unlock()
		http.Error(w, "rtctest: server closed", http.StatusServiceUnavailable)
		return
	}
	s.active.Add(1)
	s.activeMu.Unlock()
	defer s.active.Done()

	c := &call{srv: s, r: r, started: time.Now(), now: s.now()}
	c.requestID = s.newRequestID(c.now)
	c.query = r.URL.Query()
	c.actionName, c.version = c.query.Get("Action"), c.query.Get("Version")
	w.Header().Set("Date", c.now.UTC().Format(http.TimeFormat))
	defer c.finish()

	if f := s.takeFault(c.actionName); f != nil {
		c.faulted = true
		if f.AfterAction {
			// The action runs and its effects stay; only the answer is
			// lost or replaced.
			result, e := c.process()
			if c.applyFault(w, f) {
				return
			}
			c.writeEnvelope(w, result, e)
			return
		}
		if c.applyFault(w, f) {
			return
		}
	}
	result, e := c.process()
	c.writeEnvelope(w, result, e)
}

// process runs the checks in the order documented on the package and then
// the action's handler.
func (c *call) process() (any, *apiError) {
	s := c.srv
	if err := c.readBody(); err != nil {
		return nil, invalid("InvalidParameter", "cannot read the request body")
	}
	body := c.body
	if c.actionName == "" || c.version == "" {
		return nil, invalid("MissingParameter", "the query must carry Action and Version")
	}
	if len(body) > MaxBodySize {
		return nil, invalid("InvalidParameter.SizeOverLimit", "the request body is larger than %d bytes", MaxBodySize)
	}
	if e := c.authenticate(); e != nil {
		if !s.cfg.noSignature {
			return nil, e
		}
	}
	a := s.spec.Find(c.actionName)
	if a == nil || !a.HasVersion(c.version) {
		return nil, errorf(http.StatusNotFound, "InvalidActionOrVersion",
			"Could not find operation %s for version %s", c.actionName, c.version)
	}
	c.action = a
	if c.r.Method != a.Method {
		return nil, errorf(http.StatusMethodNotAllowed, "MethodNotAllowed",
			"%s must be called with HTTP %s, not %s", a.Action, a.Method, c.r.Method)
	}
	if e := s.checkQPS(c); e != nil {
		return nil, e
	}
	if e := c.decodeInput(); e != nil {
		return nil, e
	}
	if e := c.validate(); e != nil {
		return nil, e
	}
	if h := handlerFor(a.Action); h != nil {
		return h(c)
	}
	return c.genericResult(), nil
}

// readBody reads the request body once (at most MaxBodySize+1 bytes).
func (c *call) readBody() error {
	if c.bodyRead {
		return nil
	}
	c.bodyRead = true
	b, err := io.ReadAll(io.LimitReader(c.r.Body, MaxBodySize+1))
	c.body = b
	return err
}

// genericResult answers a stateless action: "success" for string and any
// results, plausible values for objects, bare numbers and bare lists.
func (c *call) genericResult() any {
	switch c.action.ResultType {
	case "object":
		return c.filler().object(c.action.Result, 0, "")
	case "int32", "int64", "array":
		// A bare number or list (the billing actions).
		return c.filler().value(&spec.Field{Name: "Count", Type: c.action.ResultType, Elem: c.action.ResultElem}, 0, "")
	default:
		return "success"
	}
}

// finish records and logs the call, once.
func (c *call) finish() {
	if c.finished {
		return
	}
	c.finished = true
	s := c.srv
	rec := Request{
		Action:            c.actionName,
		Version:           c.version,
		Method:            c.r.Method,
		Input:             c.raw,
		Query:             c.query,
		AccessKeyID:       c.ak,
		SignatureVerified: c.sigOK,
		Status:            c.status,
		ErrorCode:         c.errCode,
		RequestID:         c.requestID,
		Faulted:           c.faulted,
		Time:              c.now,
	}
	if c.dropped {
		rec.Status, rec.ErrorCode = 0, "Dropped"
	}
	s.record(rec)
	if l := s.cfg.logger; l != nil {
		l.LogAttrs(c.r.Context(), slog.LevelInfo, "rtctest request",
			slog.String("method", c.r.Method),
			slog.String("action", c.actionName),
			slog.String("version", c.version),
			slog.Int("status", rec.Status),
			slog.String("code", rec.ErrorCode),
			slog.String("request_id", c.requestID),
			slog.Bool("signature_ok", c.sigOK),
			slog.Bool("fault", c.faulted),
			slog.Duration("duration", time.Since(c.started)),
		)
	}
}

// hijackClose drops the connection without an answer.
func hijackClose(w http.ResponseWriter) error {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return errors.New("rtctest: the connection cannot be hijacked")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return err
	}
	return conn.Close()
}
