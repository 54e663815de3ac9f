package rtc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/volcrtc/rtc/internal/sigv4"
)

// retrySafety says whether an action may be repeated after an ambiguous
// failure (one where the server may have carried it out).
type retrySafety uint8

const (
	// unsafeToRepeat: sends, creates, adds, deletes, modifies, and Call.
	unsafeToRepeat retrySafety = iota
	// safeToRepeat: reads, bans, kicks, dismissals, stops, updates, limits.
	safeToRepeat
	// safeWithTaskID: Start actions keyed by a TaskId; a TaskAlreadyExists
	// answer after an ambiguous attempt means the first attempt worked.
	safeWithTaskID
)

// resultKind is the shape of an action's Result.
type resultKind uint8

const (
	resultObject resultKind = iota
	resultString            // a bare string such as "success"
	resultAny               // a string or an object
)

// operation describes one action for the pipeline.
type operation struct {
	Action, Version, Method string
	InQuery                 bool // parameters go in the query string
	Safety                  retrySafety
	Result                  resultKind

	query string // "Action=...&Version=..." for Version, set at init
}

// The generated operations get their query once, not on every call.
func init() {
	for _, op := range operations {
		op.query = actionQuery(op.Action, op.Version)
	}
}

// request is implemented by every generated request type.
type request interface {
	validate(v *validator)
}

// queryRequest is implemented by requests whose parameters go in the query.
type queryRequest interface {
	request
	appendQuery(q *queryBuilder)
}

// messageSetter is implemented by results of actions whose Result can be a
// bare string.
type messageSetter interface {
	setMessage(s string)
}

// ResponseMetadata is the envelope's metadata of a successful call.
type ResponseMetadata struct {
	RequestID string `json:"RequestId"`
	Action    string `json:"Action"`
	Version   string `json:"Version"`
	Service   string `json:"Service"`
	Region    string `json:"Region"`
}

// CallOption changes one call: WithCallTimeout, WithCallRetry, WithAPIVersion.
type CallOption func(*callConfig)

type callConfig struct {
	timeout time.Duration
	retry   *RetryPolicy
	version string
	lenient bool
	errs    []string
}

// WithCallTimeout bounds the whole call, retries and waits included (the
// client's WithTimeout still bounds each attempt).
func WithCallTimeout(d time.Duration) CallOption {
	return func(c *callConfig) {
		if d <= 0 {
			c.errs = append(c.errs, fmt.Sprintf("WithCallTimeout(%v) must be positive", d))
			return
		}
		c.timeout = d
	}
}

// WithCallRetry replaces the client's retry policy for one call (the
// client's retry budget still applies).
func WithCallRetry(p RetryPolicy) CallOption {
	return func(c *callConfig) {
		if err := p.check(); err != nil {
			c.errs = append(c.errs, err.Error())
			return
		}
		p = p.withDefaults()
		c.retry = &p
	}
}

// WithAPIVersion sends the call with another API version (e.g. an older one
// the action still supports) instead of the newest the SDK knows.
func WithAPIVersion(v string) CallOption {
	return func(c *callConfig) {
		if !validVersion(v) {
			c.errs = append(c.errs, fmt.Sprintf("WithAPIVersion(%q) must look like 2023-11-01", v))
			return
		}
		c.version = v
	}
}

func validVersion(v string) bool {
	if len(v) != 10 || v[4] != '-' || v[7] != '-' {
		return false
	}
	for i := 0; i < len(v); i++ {
		if i != 4 && i != 7 && (v[i] < '0' || v[i] > '9') {
			return false
		}
	}
	return true
}

func validActionName(a string) bool {
	if a == "" || len(a) > 128 {
		return false
	}
	for i := 0; i < len(a); i++ {
		c := a[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// queryBuilder collects query parameters.
type queryBuilder struct {
	pairs []queryPair
}

type queryPair struct{ k, v string }

func (q *queryBuilder) add(key, value string) { q.pairs = append(q.pairs, queryPair{key, value}) }

// encode returns the canonical query: sorted by key then value, RFC 3986.
func (q *queryBuilder) encode() string {
	p := q.pairs
	for i := 1; i < len(p); i++ {
		for j := i; j > 0 && (p[j].k < p[j-1].k || p[j].k == p[j-1].k && p[j].v < p[j-1].v); j-- {
			p[j], p[j-1] = p[j-1], p[j]
		}
	}
	n := 0
	for _, kv := range p {
		n += len(kv.k) + len(kv.v) + 2
	}
	b := make([]byte, 0, n+n/4)
	for i, kv := range p {
		if i > 0 {
			b = append(b, '&')
		}
		b = sigv4.AppendEscape(b, kv.k)
		b = append(b, '=')
		b = sigv4.AppendEscape(b, kv.v)
	}
	return string(b)
}

// actionQuery returns "Action=...&Version=..." for body actions.
func actionQuery(action, version string) string {
	if validActionName(action) && validVersion(version) {
		return "Action=" + action + "&Version=" + version
	}
	q := queryBuilder{pairs: []queryPair{{"Action", action}, {"Version", version}}}
	return q.encode()
}

// applyCallOptions collects per-call options. It is a separate function so
// that the call (which options could retain) is not moved to the heap when
// there are none.
func applyCallOptions(opts []CallOption) callConfig {
	cfg := new(callConfig)
	for _, o := range opts {
		if o != nil {
			o(cfg)
		}
	}
	return *cfg
}

// call is one prepared call.
type call struct {
	op       *operation
	version  string
	rawQuery string
	body     []byte
	out      any
	cfg      callConfig
}

// invoke runs a generated action through the pipeline.
func (c *Client) invoke(ctx context.Context, op *operation, in request, out any, opts []CallOption) (*ResponseMetadata, error) {
	cl := call{op: op, version: op.Version, out: out}
	if len(opts) > 0 {
		cl.cfg = applyCallOptions(opts)
	}
	if cl.cfg.version != "" {
		cl.version = cl.cfg.version
	}
	if len(cl.cfg.errs) > 0 {
		return nil, &ValidationError{Action: op.Action, Problems: []FieldProblem{{Rule: "bad call option: " + strings.Join(cl.cfg.errs, "; ")}}}
	}
	if in == nil || (reflect.ValueOf(in).Kind() == reflect.Pointer && reflect.ValueOf(in).IsNil()) {
		return nil, &ValidationError{Action: op.Action, Problems: []FieldProblem{{Rule: "the request is nil; pass &rtc." + op.Action + "Request{...}"}}}
	}
	v := validatorPool.Get().(*validator)
	v.lenient = c.lenient || cl.cfg.lenient
	in.validate(v)
	err := v.err(op.Action)
	v.reset()
	validatorPool.Put(v)
	if err != nil {
		return nil, err
	}
	if op.InQuery {
		qr, ok := in.(queryRequest)
		if !ok {
			return nil, fmt.Errorf("rtc: %s: internal error: request type %T cannot encode a query", op.Action, in)
		}
		q := queryBuilder{pairs: make([]queryPair, 0, 8)}
		q.add("Action", op.Action)
		q.add("Version", cl.version)
		qr.appendQuery(&q)
		cl.rawQuery = q.encode()
	} else {
		b, err := encodeBody(in)
		if err != nil {
			return nil, fmt.Errorf("rtc: %s: encode request: %w", op.Action, err)
		}
		cl.body = b
		if cl.version == op.Version && op.query != "" {
			cl.rawQuery = op.query
		} else {
			cl.rawQuery = actionQuery(op.Action, cl.version)
		}
	}
	return c.do(ctx, &cl)
}

// Call calls any action, including ones this SDK does not model yet. An in
// of type url.Values is sent as a GET with those query parameters (as a POST
// for a known action whose input goes in the query, DeleteCallback); anything
// else (nil included) is sent as a POST with in encoded as the JSON body. out,
// when not nil, receives the Result (a *string receives a bare-string
// Result). Actions called this way are not retried after an ambiguous
// failure, since the SDK cannot know whether they are safe to repeat.
func (c *Client) Call(ctx context.Context, action, version string, in, out any, opts ...CallOption) (*ResponseMetadata, error) {
	var problems []FieldProblem
	if !validActionName(action) {
		problems = append(problems, FieldProblem{Path: "action", Rule: fmt.Sprintf("must be an action name such as BanRoomUser (got %q)", action)})
	}
	if !validVersion(version) {
		problems = append(problems, FieldProblem{Path: "version", Rule: fmt.Sprintf("must be a version such as 2023-11-01 (got %q)", version)})
	}
	if len(problems) > 0 {
		return nil, &ValidationError{Action: action, Problems: problems}
	}
	op := &operation{Action: action, Version: version, Method: http.MethodPost, Safety: unsafeToRepeat, Result: resultAny}
	cl := call{op: op, version: version, out: out}
	if len(opts) > 0 {
		cl.cfg = applyCallOptions(opts)
	}
	if cl.cfg.version != "" {
		cl.version = cl.cfg.version
	}
	if len(cl.cfg.errs) > 0 {
		return nil, &ValidationError{Action: action, Problems: []FieldProblem{{Rule: "bad call option: " + strings.Join(cl.cfg.errs, "; ")}}}
	}
	switch v := in.(type) {
	case url.Values:
		op.Method, op.InQuery = http.MethodGet, true
		if known := lookupOperation(action); known != nil && known.InQuery {
			op.Method = known.Method // DeleteCallback: a POST with its input in the query
		}
		q := queryBuilder{pairs: make([]queryPair, 0, len(v)+2)}
		q.add("Action", action)
		q.add("Version", cl.version)
		for k, vs := range v {
			if k == "Action" || k == "Version" {
				continue
			}
			for _, s := range vs {
				q.add(k, s)
			}
		}
		cl.rawQuery = q.encode()
	case nil:
		cl.body = []byte("{}")
		cl.rawQuery = actionQuery(action, cl.version)
	default:
		b, err := encodeBody(in)
		if err != nil {
			return nil, fmt.Errorf("rtc: %s: encode request: %w", action, err)
		}
		cl.body = b
		cl.rawQuery = actionQuery(action, cl.version)
	}
	return c.do(ctx, &cl)
}

// lookupOperation returns the generated operation of a known action, or nil.
func lookupOperation(action string) *operation {
	i := sort.Search(len(operations), func(i int) bool { return operations[i].Action >= action })
	if i < len(operations) && operations[i].Action == action {
		return operations[i]
	}
	return nil
}

// attemptOutcome is what one attempt returned.
type attemptOutcome struct {
	meta    *ResponseMetadata
	status  int
	header  http.Header
	err     error
	took    time.Duration
	errCode string
}

// requestID is the attempt's request id, from the envelope or its error.
func (o *attemptOutcome) requestID() string {
	if o.meta != nil {
		return o.meta.RequestID
	}
	var ae *APIError
	if errors.As(o.err, &ae) {
		return ae.RequestID
	}
	return ""
}

// do sends a prepared call, retrying as the policy allows.
func (c *Client) do(ctx context.Context, cl *call) (*ResponseMetadata, error) {
	if ctx == nil {
		return nil, errors.New("rtc: " + cl.op.Action + ": nil context; pass context.Background() or a request's context")
	}
	policy := &c.retry
	if cl.cfg.retry != nil {
		policy = cl.cfg.retry
	}
	if cl.cfg.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cl.cfg.timeout)
		defer cancel()
	}
	method := cl.op.Method
	var info CallInfo
	observed := len(c.observers) > 0
	var start time.Time
	if observed {
		start = time.Now()
		info = CallInfo{Action: cl.op.Action, Version: cl.version, Method: method, Region: c.region, Host: c.ep.host}
		for _, o := range c.observers {
			if nc := o.CallStart(ctx, info); nc != nil {
				ctx = nc
			}
		}
	}

	var (
		out           attemptOutcome
		ambiguous     bool // an earlier attempt may have been carried out
		clockFixed    bool
		maxAttempts   = policy.MaxAttempts
		attempt       int
		budgetEmptied bool
	)
	for {
		attempt++
		actx := ctx
		if observed {
			ai := AttemptInfo{CallInfo: info, Attempt: attempt}
			for _, o := range c.observers {
				if nc := o.AttemptStart(actx, ai); nc != nil {
					actx = nc
				}
			}
		}
		if c.limiter != nil {
			if err := c.limiter.Wait(actx, cl.op.Action); err != nil {
				out = attemptOutcome{err: fmt.Errorf("rtc: %s: rate limiter: %w", cl.op.Action, err)}
				c.endAttempt(actx, cl, info, attempt, &out, false, 0)
				break
			}
		}
		out = c.attempt(actx, cl, attempt)
		if out.err != nil && ambiguous && cl.op.Safety == safeWithTaskID && errors.Is(out.err, ErrTaskExists) {
			// The earlier, ambiguous attempt created the task.
			var ae *APIError
			errors.As(out.err, &ae)
			out.meta = &ResponseMetadata{RequestID: ae.RequestID, Action: cl.op.Action, Version: cl.version, Service: ServiceName, Region: c.region}
			out.err = nil
			if ms, ok := cl.out.(messageSetter); ok {
				ms.setMessage("success")
			}
		}
		if out.err == nil {
			c.budget.refund(1)
			c.endAttempt(actx, cl, info, attempt, &out, false, 0)
			break
		}
		retry, delay, why := c.decide(ctx, cl, policy, &out, attempt, maxAttempts, &ambiguous, &clockFixed)
		if why == "clock" {
			maxAttempts++ // the corrected retry does not count
		}
		if retry {
			cost := retryCost
			if errors.Is(out.err, context.DeadlineExceeded) || ambiguousTransport(out.err) {
				cost = timeoutRetryCost
			}
			if !c.budget.take(cost) {
				retry, budgetEmptied = false, true
			}
		}
		c.endAttempt(actx, cl, info, attempt, &out, retry, delay)
		if !retry {
			break
		}
		if err := sleepCtx(ctx, delay); err != nil {
			out.err = fmt.Errorf("rtc: %s: waiting %v to retry after %v: %w", cl.op.Action, delay.Round(time.Millisecond), out.err, err)
			break
		}
	}
	if budgetEmptied && c.logger != nil {
		c.logger.LogAttrs(ctx, slog.LevelWarn, "rtc: retry budget exhausted; failing fast", slog.String("action", cl.op.Action), slog.String("error_code", out.errCode))
	}
	if observed {
		r := CallResult{Attempts: attempt, ErrorCode: out.errCode, Err: out.err, Duration: time.Since(start), RequestID: out.requestID()}
		for _, o := range c.observers {
			o.CallEnd(ctx, info, r)
		}
	}
	return out.meta, out.err
}

func ambiguousTransport(err error) bool {
	var te *transportError
	return errors.As(err, &te) && !notSent(err)
}

// decide says whether to retry after a failed attempt, and after how long.
func (c *Client) decide(ctx context.Context, cl *call, p *RetryPolicy, out *attemptOutcome, attempt, maxAttempts int, ambiguous, clockFixed *bool) (bool, time.Duration, string) {
	if ctx.Err() != nil {
		return false, 0, "context"
	}
	switch classify(out.err, p) {
	case failRetryable:
	case failAmbiguous:
		*ambiguous = true
		if cl.op.Safety == unsafeToRepeat {
			return false, 0, "unsafe"
		}
	case failTimestamp:
		if *clockFixed || !c.correctClock(out.header) {
			return false, 0, "timestamp"
		}
		*clockFixed = true
		return true, 0, "clock"
	default:
		return false, 0, "fatal"
	}
	if attempt >= maxAttempts {
		return false, 0, "attempts"
	}
	delay := p.backoff(attempt)
	if ra := retryAfter(out.header, time.Now()); ra > delay {
		delay = ra
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= delay {
		return false, 0, "deadline"
	}
	return true, delay, "retry"
}

// correctClock learns the offset between the server's clock (the Date
// header) and ours. It reports whether there was a usable Date.
func (c *Client) correctClock(h http.Header) bool {
	if h == nil {
		return false
	}
	t, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		return false
	}
	off := t.Sub(c.clock())
	c.skew.Store(int64(off))
	if c.logger != nil {
		c.logger.LogAttrs(context.Background(), slog.LevelWarn, "rtc: the local clock differs from the service's; correcting signatures (sync the clock with NTP)", slog.Duration("offset", off.Round(time.Second)))
	}
	return true
}

// endAttempt logs the attempt and tells observers.
func (c *Client) endAttempt(ctx context.Context, cl *call, info CallInfo, attempt int, out *attemptOutcome, retry bool, delay time.Duration) {
	if c.logger != nil && c.logger.Enabled(ctx, slog.LevelDebug) {
		attrs := []slog.Attr{
			slog.String("action", cl.op.Action), slog.String("version", cl.version),
			slog.Int("attempt", attempt), slog.Int("status", out.status),
			slog.Duration("latency", out.took),
		}
		if id := out.requestID(); id != "" {
			attrs = append(attrs, slog.String("request_id", id))
		}
		if out.errCode != "" {
			attrs = append(attrs, slog.String("error_code", out.errCode))
		}
		if out.err != nil {
			attrs = append(attrs, slog.String("error", out.err.Error()), slog.Bool("retry", retry))
			if retry {
				attrs = append(attrs, slog.Duration("retry_in", delay))
			}
		}
		c.logger.LogAttrs(ctx, slog.LevelDebug, "rtc: attempt", attrs...)
	}
	if len(c.observers) > 0 {
		r := AttemptResult{HTTPStatus: out.status, ErrorCode: out.errCode, Err: out.err, Duration: out.took, Retry: retry, RetryDelay: delay, RequestID: out.requestID()}
		ai := AttemptInfo{CallInfo: info, Attempt: attempt}
		for _, o := range c.observers {
			o.AttemptEnd(ctx, ai, r)
		}
	}
}

const (
	contentTypeJSON = "application/json"
	contentTypeForm = "application/x-www-form-urlencoded; charset=utf-8"
)

// bodyPool recycles response buffers up to 64 KiB.
var bodyPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// attempt builds, signs and sends one attempt and decodes its answer.
func (c *Client) attempt(ctx context.Context, cl *call, n int) (out attemptOutcome) {
	if c.logger != nil || len(c.observers) > 0 {
		// Latency is only reported to logs and observers.
		start := time.Now()
		defer func() { out.took = time.Since(start) }()
	}
	creds, err := c.creds.Retrieve(ctx)
	if err != nil {
		out.err = fmt.Errorf("rtc: %s: credentials: %w", cl.op.Action, err)
		return out
	}
	if c.timeout > 0 {
		// Bound the attempt, unless the context already ends sooner.
		if dl, ok := ctx.Deadline(); !ok || time.Until(dl) > c.timeout {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, c.timeout)
			defer cancel()
		}
	}
	// One allocation holds the request's URL, body reader, header values
	// and, later, the response metadata; the request itself is one more
	// (WithContext's copy).
	a := &attemptAlloc{}
	a.url = url.URL{Scheme: c.ep.scheme, Host: c.ep.host, Path: "/", RawQuery: cl.rawQuery}
	a.req = http.Request{
		Method: cl.op.Method, URL: &a.url, Host: c.ep.host,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: make(http.Header, 8),
	}
	a.hv[0], a.hv[1] = contentTypeForm, c.userAgent
	if cl.body != nil {
		a.hv[0] = contentTypeJSON
		a.body.b = cl.body
		a.body.Reset(cl.body)
		a.req.ContentLength = int64(len(cl.body))
		// net/http writes headers and body in one packet only for bodies
		// it knows to be in memory: a *bytes.Reader, also inside NopCloser.
		a.req.Body = io.NopCloser(&a.body.Reader)
		a.req.GetBody = a.body.again
	}
	a.req.Header["Content-Type"] = a.hv[0:1:1]
	a.req.Header["User-Agent"] = a.hv[1:2:2]
	req := a.req.WithContext(ctx)
	if err := c.signer.sign(req, cl.body, creds, c.now(), &a.sv); err != nil {
		out.err = fmt.Errorf("rtc: %s: %w", cl.op.Action, err)
		return out
	}
	resp, err := c.send(req)
	if err != nil {
		out.err = &transportError{action: cl.op.Action, err: err}
		return out
	}
	defer resp.Body.Close()
	out.status, out.header = resp.StatusCode, resp.Header

	if resp.ContentLength > c.maxBody {
		// Declared too large: refuse without reading it, quoting a few bytes.
		var head [256]byte
		n, _ := io.ReadFull(resp.Body, head[:])
		out.err = c.tooLarge(cl, resp, head[:n], creds)
		return out
	}
	bp := bodyPool.Get().(*[]byte)
	body := (*bp)[:0]
	defer func() {
		if cap(body) <= 64<<10 {
			*bp = body[:0]
			bodyPool.Put(bp)
		}
	}()
	if resp.ContentLength > 0 && int64(cap(body)) < resp.ContentLength+1 {
		body = make([]byte, 0, resp.ContentLength+1)
	}
	body, err = readBounded(body, resp.Body, c.maxBody+1)
	if err != nil {
		out.err = &transportError{action: cl.op.Action, err: fmt.Errorf("reading the response (HTTP %d): %w", resp.StatusCode, err)}
		return out
	}
	if int64(len(body)) > c.maxBody {
		out.err = c.tooLarge(cl, resp, body[:256], creds)
		return out
	}
	out.meta, out.err = c.decode(cl, resp, body, creds, &a.meta)
	if out.err == nil {
		return out
	}
	if ae := (*APIError)(nil); errors.As(out.err, &ae) {
		out.errCode = ae.Code
		if ae.Code == "SignatureDoesNotMatch" && c.logger != nil && c.logger.Enabled(ctx, LevelTrace) {
			cr, sts := c.signer.debugSigning(req, cl.body)
			c.logger.LogAttrs(ctx, LevelTrace, "rtc: signature rejected; compare with the server's canonical request",
				slog.String("canonical_request", cr), slog.String("string_to_sign", sts))
		}
	}
	return out
}

// readBounded appends what r yields to dst until EOF or until dst holds
// limit bytes. It grows dst by doubling and then straight to limit, so
// refusing an oversized body of unknown length allocates about twice the
// limit in all.
func readBounded(dst []byte, r io.Reader, limit int64) ([]byte, error) {
	for int64(len(dst)) < limit {
		if len(dst) == cap(dst) {
			n := int64(max(2*cap(dst), 512))
			if 2*n > limit {
				n = limit // the next doubling would pass the limit: go straight to it
			}
			nb := make([]byte, len(dst), n)
			copy(nb, dst)
			dst = nb
		}
		n, err := r.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+n]
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// attemptAlloc groups what one attempt allocates.
type attemptAlloc struct {
	req  http.Request
	url  url.URL
	body requestBody
	hv   [2]string // Content-Type, User-Agent
	sv   [4]string // the signer's header values
	meta ResponseMetadata
}

// requestBody is a request's body: a reader over the encoded bytes that
// can be rewound for the transport's own retries (GetBody).
type requestBody struct {
	bytes.Reader
	b []byte
}

func (r *requestBody) Close() error { return nil }

func (r *requestBody) again() (io.ReadCloser, error) {
	return &requestBody{Reader: *bytes.NewReader(r.b), b: r.b}, nil
}

// send sends one request. Without a cookie jar or a client-wide timeout to
// honour, it goes straight to the transport: the SDK never follows
// redirects, so http.Client would only add copying.
func (c *Client) send(req *http.Request) (*http.Response, error) {
	if c.rt != nil {
		resp, err := c.rt.RoundTrip(req)
		if err != nil {
			return nil, &url.Error{Op: urlOp(req.Method), URL: req.URL.Redacted(), Err: err}
		}
		return resp, nil
	}
	return c.http.Do(req)
}

func urlOp(method string) string {
	if method == http.MethodGet {
		return "Get"
	}
	return "Post"
}

const reasonTooLarge = "response body too large"

// decodeResult decodes a Result value into out, accepting a bare string
// for any result type (it goes to a Message field, a *string or a *any).
func decodeResult(out any, raw []byte, isString bool) error {
	if out == nil || len(raw) == 0 || raw[0] == 'n' {
		return nil
	}
	if rm, ok := out.(*json.RawMessage); ok {
		*rm = append((*rm)[:0], raw...)
		return nil
	}
	if ms, ok := out.(messageSetter); ok && !isString {
		if m, ok := messageOnly(raw); ok {
			ms.setMessage(m)
			return nil
		}
	}
	if isString {
		var s string
		if bytes.IndexByte(raw, '\\') < 0 {
			s = string(raw[1 : len(raw)-1])
		} else if err := json.Unmarshal(raw, &s); err != nil {
			return err
		}
		switch o := out.(type) {
		case messageSetter:
			o.setMessage(s)
		case *string:
			*o = s
		case *any:
			*o = s
		}
		return nil
	}
	return json.Unmarshal(raw, out)
}

// messageOnly reads a Result object whose only member is a string
// "Message" (or the older "message"), the common answer of Start, Stop and
// moderation actions, without going through reflection.
func messageOnly(raw []byte) (string, bool) {
	s := scanner{b: raw}
	if s.expect('{') != nil {
		return "", false
	}
	var msg string
	for first := true; ; {
		key, done, err := s.member(&first)
		if err != nil {
			return "", false
		}
		if done {
			return msg, true
		}
		if (string(key) != "Message" && string(key) != "message") || s.peek() != '"' {
			return "", false
		}
		start := s.pos
		raw, esc, err := s.stringSpan()
		switch {
		case err != nil:
			return "", false
		case esc:
			var v string // a local: msg must not move to the heap for this rare case
			if json.Unmarshal(s.b[start:s.pos], &v) != nil {
				return "", false
			}
			msg = v
		case string(raw) == "success":
			msg = "success" // the usual answer, without an allocation
		default:
			msg = string(raw)
		}
	}
}

// decode turns a response body into metadata or a typed error.
// The metadata is written to *meta, storage the caller already has.
func (c *Client) decode(cl *call, resp *http.Response, body []byte, creds Credentials, meta *ResponseMetadata) (*ResponseMetadata, error) {
	status := resp.StatusCode
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, c.responseError(cl, resp, nil, "empty body", kindForStatus(status, true))
	}
	env, err := decodeEnvelope(body)
	if err != nil {
		if err == errTruncated {
			return nil, c.responseError(cl, resp, redact(body, creds), "truncated JSON envelope", kindForStatus(status, true))
		}
		return nil, c.responseError(cl, resp, redact(body, creds), "not a JSON envelope", kindForStatus(status, false))
	}
	if !env.hasMeta {
		return nil, c.responseError(cl, resp, redact(body, creds), "JSON without ResponseMetadata", kindForStatus(status, false))
	}
	if env.hasError && (env.code != "" || env.message != "" || env.codeN != 0) {
		code := env.code
		if code == "" {
			code = "Error" + strconv.Itoa(env.codeN)
		}
		msg := env.message
		if strings.Contains(msg, "Signature=") || creds.SessionToken != "" && strings.Contains(msg, creds.SessionToken) ||
			strings.Contains(msg, creds.SecretAccessKey) {
			msg = string(redactAll([]byte(msg), creds)) // a gateway echoing the request
		}
		return nil, &APIError{Code: code, CodeN: env.codeN, Message: msg, RequestID: env.meta.RequestID,
			HTTPStatus: status, Action: cl.op.Action, Version: cl.version, region: c.region}
	}
	if status/100 != 2 {
		return nil, c.responseError(cl, resp, redact(body, creds), "error status without an Error in the envelope", kindForStatus(status, false))
	}
	if err := decodeResult(cl.out, env.result, env.resultStr); err != nil {
		return nil, c.responseError(cl, resp, nil, "Result does not match the expected shape: "+jsonErrorKind(err), failFatal)
	}
	*meta = env.meta
	return meta, nil
}

// kindForStatus is the retry class of a non-envelope answer.
func kindForStatus(status int, damaged bool) failureKind {
	switch {
	case status == 429 || status == 503:
		return failRetryable
	case status >= 500:
		return failAmbiguous
	case status/100 == 2 && damaged:
		return failAmbiguous
	}
	return failFatal
}

// responseError builds a ResponseError with a short, printable excerpt.
func (c *Client) responseError(cl *call, resp *http.Response, body []byte, reason string, kind failureKind) *ResponseError {
	ex := body
	if len(ex) > 160 {
		ex = ex[:160]
	}
	return &ResponseError{
		HTTPStatus: resp.StatusCode, Action: cl.op.Action, Version: cl.version,
		ContentType: oneLine(resp.Header.Get("Content-Type"), 80),
		Reason:      reason, Excerpt: oneLine(string(bytes.ToValidUTF8(ex, []byte("?"))), 160),
		kind: kind,
	}
}

// tooLarge is the error for a body over the read bound.
func (c *Client) tooLarge(cl *call, resp *http.Response, head []byte, creds Credentials) *ResponseError {
	return c.responseError(cl, resp, redact(head, creds),
		fmt.Sprintf("%s (over %d bytes; raise WithMaxResponseBytes if this is expected)", reasonTooLarge, c.maxBody), failFatal)
}

// redact removes credentials from a body before it is quoted in an error
// (a misbehaving proxy could echo the request).
func redact(body []byte, creds Credentials) []byte {
	if len(body) > 512 {
		body = body[:512]
	}
	return redactAll(body, creds)
}

// redactAll replaces the secret key, the session token and any signature
// in b (which it never modifies in place).
func redactAll(b []byte, creds Credentials) []byte {
	out := b
	for _, s := range []string{creds.SecretAccessKey, creds.SessionToken} {
		if s != "" && bytes.Contains(out, []byte(s)) {
			out = bytes.ReplaceAll(out, []byte(s), []byte("[redacted]"))
		}
	}
	if i := bytes.Index(out, []byte("Signature=")); i >= 0 {
		out = append(append([]byte{}, out[:i]...), "Signature=[redacted]"...)
	}
	return out
}
