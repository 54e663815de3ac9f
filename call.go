package rtc

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strings"
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

// CallOption changes one call: WithCallTimeout, WithCallRetry,
// WithAPIVersion, WithCallLenientValidation. Like Option, it checks its
// input: a bad value (or a nil option) makes the call return a
// *ValidationError that says what to fix, before anything is sent.
type CallOption func(*callConfig) error

type callConfig struct {
	timeout time.Duration
	retry   *RetryPolicy
	version string
	lenient bool // WithCallLenientValidation
	errs    []string
}

// WithCallTimeout bounds the whole call, retries and waits included (the
// client's WithTimeout still bounds each attempt).
func WithCallTimeout(d time.Duration) CallOption {
	return func(c *callConfig) error {
		if d <= 0 {
			return fmt.Errorf("WithCallTimeout(%v): must be positive (leave the option out to be bound by the context only)", d)
		}
		c.timeout = d
		return nil
	}
}

// WithCallRetry replaces the client's retry policy for one call (the
// client's retry budget still applies).
func WithCallRetry(p RetryPolicy) CallOption {
	return func(c *callConfig) error {
		if err := p.check(); err != nil {
			return fmt.Errorf("WithCallRetry: %s", strings.TrimPrefix(err.Error(), "rtc: "))
		}
		p = p.withDefaults()
		c.retry = &p
		return nil
	}
}

// WithAPIVersion sends the call with another API version (e.g. an older one
// the action still supports) instead of the newest the SDK knows.
func WithAPIVersion(v string) CallOption {
	return func(c *callConfig) error {
		if !validVersion(v) {
			return fmt.Errorf("WithAPIVersion(%q): must be a version such as 2023-11-01", v)
		}
		c.version = v
		return nil
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

// applyCallOptions collects per-call options. It is a separate function so
// that the call (which options could retain) is not moved to the heap when
// there are none.
func applyCallOptions(opts []CallOption) callConfig {
	cfg := new(callConfig)
	for i, o := range opts {
		if o == nil {
			cfg.errs = append(cfg.errs, fmt.Sprintf("call option %d is nil", i+1))
			continue
		}
		if err := o(cfg); err != nil {
			cfg.errs = append(cfg.errs, err.Error())
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
	secrets  []string // values of the request's secret fields (bodySecrets)
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
		name := op.Action + "Request"
		if t := reflect.TypeOf(in); t != nil && t.Kind() == reflect.Pointer {
			name = t.Elem().Name() // IMSendMessageRequest for the IM actions
		}
		return nil, &ValidationError{Action: op.Action, Problems: []FieldProblem{{Rule: "the request is nil; pass &rtc." + name + "{...}"}}}
	}
	v := validatorPool.Get().(*validator)
	v.lenient = c.lenient || cl.cfg.lenient
	v.notes = !v.lenient && c.logger != nil && c.logger.Enabled(ctx, slog.LevelDebug)
	in.validate(v)
	err := v.err(op.Action)
	for _, p := range v.inferred {
		// A rule the facts infer but the vendor does not state: the
		// request is sent; the line helps when the service refuses it.
		c.logger.LogAttrs(ctx, slog.LevelDebug, "rtc: the request breaks a rule the vendor does not state; sent anyway",
			slog.String("action", op.Action), slog.String("path", p.Path), slog.String("value", p.Value), slog.String("rule", p.Rule))
	}
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
		q := queryBuilder{pairs: make([]sigv4.Pair, 0, 8)}
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
		cl.secrets = bodySecrets(b)
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
// failure, since the SDK cannot know whether they are safe to repeat; nor
// does the HTTP transport resend them on its own (a GET included: net/http
// would resend one when a reused connection drops after the write). Such a
// failure matches ErrOutcomeUnknown.
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
		q := queryBuilder{pairs: make([]sigv4.Pair, 0, len(v)+2)}
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
		cl.secrets = bodySecrets(b)
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
