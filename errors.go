package rtc

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Error classes. An *APIError (and, where it applies, a *ResponseError or a
// *ValidationError) matches these with errors.Is, by the class of its code:
//
//	if errors.Is(err, rtc.ErrThrottled) { ... }
var (
	// ErrInvalidParameter: the request was refused as malformed
	// (InvalidParameter.*, MissingParameter, MissingRequestInfo), or it failed
	// validation before it was sent (*ValidationError).
	ErrInvalidParameter = errors.New("rtc: invalid parameter")
	// ErrThrottled: the call rate was exceeded (HTTP 429, FlowLimitExceeded*,
	// AccountFlowLimitExceeded*).
	ErrThrottled = errors.New("rtc: throttled")
	// ErrAuth: authentication failed (signature, access key, session token,
	// timestamp).
	ErrAuth = errors.New("rtc: authentication failed")
	// ErrAccessDenied: the credentials are valid but lack permission, or the
	// feature is not enabled (AccessDenied*, LackPolicy, LackProjectPolicy).
	ErrAccessDenied = errors.New("rtc: access denied")
	// ErrNotFound: the action, version, service, task or app does not exist
	// (InvalidActionOrVersion, ServiceNotFound,
	// InvalidParameter.ErrorActiveTaskNotFound, InvalidParameter.NotExistAppId).
	ErrNotFound = errors.New("rtc: not found")
	// ErrTaskExists: a task with this TaskId already exists
	// (InvalidParameter.TaskAlreadyExists).
	ErrTaskExists = errors.New("rtc: task already exists")
	// ErrServer: a server-side failure (HTTP 5xx, InternalError*,
	// FailToConnect, InternalServiceError, ServiceUnavailableTemp,
	// InternalServiceTimeout).
	ErrServer = errors.New("rtc: server error")
	// ErrOutcomeUnknown: the request was sent, and no answer said whether
	// the action took effect (the connection dropped, the call timed out
	// or was cancelled while waiting, or the service answered a server
	// failure such as HTTP 500 or InternalServiceTimeout), for an action
	// the SDK does not repeat because repeating it could do it twice
	// (sends, creates, adds, deletes, modifies, and every Client.Call).
	// The error is an *OutcomeUnknownError. Check what happened before
	// trying again: for an IM message, look for its ClientMsgID in the
	// conversation's history (IMSendMessageRequest.ClientMsgID).
	ErrOutcomeUnknown = errors.New("rtc: outcome unknown: the action may have taken effect")
)

// OutcomeUnknownError is the failure of a call whose request was sent and
// may have taken effect, for an action the SDK did not repeat because it is
// not safe to repeat. It matches ErrOutcomeUnknown with errors.Is, and
// whatever Err matches (an *APIError, ErrServer, context.DeadlineExceeded,
// ...) with errors.Is and errors.As.
type OutcomeUnknownError struct {
	Action string // the action, e.g. "SendMessage"
	Err    error  // the failure of the last attempt
}

// Error says in one sentence that the action may have happened and was not
// repeated, then the failure.
func (e *OutcomeUnknownError) Error() string {
	cause := "no answer"
	if e.Err != nil {
		cause = strings.TrimPrefix(strings.TrimPrefix(e.Err.Error(), "rtc: "), e.Action+": ")
	}
	return "rtc: " + e.Action + ": outcome unknown: the request was sent and no answer said whether it took effect, so " +
		e.Action + " may have happened; it was not repeated, since repeating could do it twice (check before trying again): " + cause
}

// Unwrap returns the failure of the last attempt.
func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// Is matches ErrOutcomeUnknown.
func (e *OutcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

// APIError is an error answered by the service in the response envelope's
// ResponseMetadata.Error, whatever the HTTP status (an Error inside an HTTP
// 200 is an error too).
type APIError struct {
	Code       string // e.g. "InvalidParameter.TaskAlreadyExists"
	CodeN      int    // numeric code when the service sends one (e.g. 100010), else 0
	Message    string // the service's message
	RequestID  string // quote it to the vendor's support
	HTTPStatus int
	Action     string
	Version    string
	// RetryAfter is the wait the service asked for in a Retry-After header,
	// or 0. A call given up because that wait was longer than
	// RetryPolicy.MaxRetryAfter (or the context's deadline) returns at once
	// with it here, so the caller can schedule the call later.
	RetryAfter time.Duration

	region string // the signing region, for the signature hint
}

// Error returns one line: action, code, message, HTTP status, request id, and
// for authentication failures what to check.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("rtc: ")
	if e.Action != "" {
		b.WriteString(e.Action)
		if e.Version != "" {
			b.WriteString(" (" + e.Version + ")")
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Code)
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(oneLine(e.Message, 300))
	}
	b.WriteString(" (HTTP ")
	b.WriteString(strconv.Itoa(e.HTTPStatus))
	if e.RequestID != "" {
		b.WriteString(", request id ")
		b.WriteString(e.RequestID)
	}
	b.WriteString(")")
	if e.RetryAfter > 0 {
		b.WriteString("; the service asked to retry after ")
		b.WriteString(e.RetryAfter.String())
	}
	if h := e.hint(); h != "" {
		b.WriteString("; ")
		b.WriteString(h)
	}
	return b.String()
}

func (e *APIError) hint() string {
	switch e.Code {
	case "SignatureDoesNotMatch":
		r := e.region
		if r == "" {
			r = "the client's"
		}
		return "check that the secret access key belongs to the access key ID, that the signing region (" + r + ") matches the endpoint, and that nothing rewrites the request on the way"
	case "InvalidClientTokenId":
		return "the access key ID is unknown to the service: check for typos and that the key is enabled"
	case "InvalidTimestamp":
		return "the client's clock is too far from the service's: sync it (NTP)"
	case "MissingAuthenticationToken", "MissingSignature":
		return "the request was not signed: configure credentials"
	}
	return ""
}

// Is reports whether the error belongs to one of the error classes
// (ErrThrottled, ...), by its code and HTTP status as the table in
// errtable.go says. A throttling or server-side failure that asked to wait
// (RetryAfter > 0) also matches ErrThrottled.
func (e *APIError) Is(target error) bool {
	c := classOf(target)
	if c == 0 {
		return false
	}
	if c == classThrottled && e.RetryAfter > 0 {
		return true
	}
	return lookup(e.Code, e.HTTPStatus, nil).classes&c != 0
}

// ResponseError is returned when the response is not the service's JSON
// envelope: an HTML page from a gateway or proxy, an empty or truncated
// body, or a body larger than the client reads. Excerpt is a short,
// printable start of the body.
type ResponseError struct {
	HTTPStatus  int
	Action      string
	Version     string
	ContentType string
	Reason      string // what was wrong, e.g. "empty body", "not JSON"
	Excerpt     string
	RequestID   string // from the X-Tt-Logid header (or X-Request-Id) when present
	// RetryAfter is the wait the answer asked for in a Retry-After header,
	// or 0 (see APIError.RetryAfter).
	RetryAfter time.Duration

	kind failureKind // how the pipeline retries it; failNone: by the status
}

func (e *ResponseError) Error() string {
	var b strings.Builder
	b.WriteString("rtc: ")
	if e.Action != "" {
		b.WriteString(e.Action + ": ")
	}
	b.WriteString("unexpected response (HTTP ")
	b.WriteString(strconv.Itoa(e.HTTPStatus))
	if e.ContentType != "" {
		b.WriteString(", " + e.ContentType)
	}
	b.WriteString("): ")
	b.WriteString(e.Reason)
	if e.Excerpt != "" {
		b.WriteString(": ")
		b.WriteString(strconv.Quote(e.Excerpt))
	}
	if e.RequestID != "" {
		b.WriteString(" (request id " + e.RequestID + ")")
	}
	if e.HTTPStatus >= 500 || e.HTTPStatus == 429 {
		b.WriteString("; a gateway between you and the service failed: retry later")
	}
	if e.RetryAfter > 0 {
		b.WriteString(" (it asked to retry after " + e.RetryAfter.String() + ")")
	}
	return b.String()
}

// Is matches the error classes of the HTTP status (errtable.go): ErrServer
// for 5xx, ErrThrottled for 429 (or any answer that asked to wait,
// RetryAfter > 0), ErrNotFound for 404, ErrAuth for 401, ErrAccessDenied for
// 403.
func (e *ResponseError) Is(target error) bool {
	c := classOf(target)
	if c == 0 {
		return false
	}
	if c == classThrottled && e.RetryAfter > 0 {
		return true
	}
	r, _ := statusRule(e.HTTPStatus)
	return r.classes&c != 0
}

// FieldProblem is one problem found in a request: the field's path (wire
// names, e.g. "TargetStreams.StreamList[2].UserId"), the value given and
// the rule it breaks (what is allowed).
type FieldProblem struct {
	Path string
	// Value is the value given, as text: a number, a quoted string cut
	// short, a length ("130 characters"), or "(hidden)" for a secret. It
	// is empty for a missing field or a rule between fields.
	Value string
	Rule  string
}

// ValidationError lists every problem found in a request before anything
// was sent. It matches ErrInvalidParameter with errors.Is.
type ValidationError struct {
	Action   string
	Problems []FieldProblem
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("rtc: ")
	if e.Action != "" {
		b.WriteString(e.Action + ": ")
	}
	b.WriteString("invalid request, nothing was sent: ")
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		if p.Path != "" {
			b.WriteString(p.Path + " ")
		}
		b.WriteString(p.Rule)
		if p.Value != "" {
			b.WriteString(" (got " + p.Value + ")")
		}
	}
	return b.String()
}

// Is matches ErrInvalidParameter.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidParameter }

// oneLine makes s a single printable line of at most n bytes.
func oneLine(s string, n int) string {
	if len(s) <= n && strings.IndexFunc(s, func(r rune) bool { return r < ' ' || r == utf8.RuneError }) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= n {
			b.WriteString("…")
			break
		}
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case r < ' ' || r == utf8.RuneError:
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// RetryAfter returns the wait the service asked for (its Retry-After
// header) on a failed call, when it asked for one. A call whose requested
// wait was longer than RetryPolicy.MaxRetryAfter, or than the context
// allowed, fails at once with this wait on its error:
//
//	if d, ok := rtc.RetryAfter(err); ok {
//		scheduleLater(d)
//	}
func RetryAfter(err error) (time.Duration, bool) {
	var ae *APIError
	if errors.As(err, &ae) && ae.RetryAfter > 0 {
		return ae.RetryAfter, true
	}
	var re *ResponseError
	if errors.As(err, &re) && re.RetryAfter > 0 {
		return re.RetryAfter, true
	}
	return 0, false
}
