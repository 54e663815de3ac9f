package rtc

import (
	"errors"
	"strings"
)

// This file holds the one table from an error code or HTTP status to the
// error classes it matches with errors.Is and the way the pipeline retries
// it, and classify, which applies it to any error. APIError.Is,
// ResponseError.Is, IsRetryable and the retry decision (retrydecision.go)
// all read it; nothing else decides either question. The retry loop
// (pipeline.go) only carries out what decide says.

// errClass is a set of error classes, one bit per sentinel.
type errClass uint8

const (
	classInvalidParameter errClass = 1 << iota
	classThrottled
	classAuth
	classAccessDenied
	classNotFound
	classTaskExists
	classServer
)

// classOf returns the bit of a sentinel, or 0 for any other error.
func classOf(target error) errClass {
	switch target {
	case ErrInvalidParameter:
		return classInvalidParameter
	case ErrThrottled:
		return classThrottled
	case ErrAuth:
		return classAuth
	case ErrAccessDenied:
		return classAccessDenied
	case ErrNotFound:
		return classNotFound
	case ErrTaskExists:
		return classTaskExists
	case ErrServer:
		return classServer
	}
	return 0
}

// failureKind says how the pipeline retries a failed attempt.
type failureKind uint8

const (
	failNone      failureKind = iota // a row (or ResponseError) with no kind of its own: the HTTP status decides
	failFatal                        // never retried
	failRetryable                    // always safe: throttling, 503, not sent
	failAmbiguous                    // may have been carried out: retried only when safe to repeat
	failTimestamp                    // InvalidTimestamp: retried once after clock correction
)

// rule is one row of the table.
type rule struct {
	classes errClass
	kind    failureKind
}

// codeRules maps an error code to its row. A key is either a whole code
// ("InvalidParameter.TaskAlreadyExists") or a code class, the part before
// the first dot ("InvalidParameter" matches "InvalidParameter.Foo"). A code
// gets the classes of both its whole-code row and its class row; the kind
// of the more specific row wins; a row without a kind leaves it to the HTTP
// status (statusRule).
var codeRules = map[string]rule{
	// Malformed requests.
	"InvalidParameter":                         {classes: classInvalidParameter},
	"MissingParameter":                         {classes: classInvalidParameter},
	"MissingRequestInfo":                       {classes: classInvalidParameter},
	"InvalidParameter.TaskAlreadyExists":       {classes: classTaskExists},
	"InvalidParameter.ErrorActiveTaskNotFound": {classes: classNotFound},
	"InvalidParameter.NotExistAppId":           {classes: classNotFound},

	// Throttling: always safe to retry.
	"FlowLimitExceeded":        {classes: classThrottled, kind: failRetryable},
	"AccountFlowLimitExceeded": {classes: classThrottled, kind: failRetryable},

	// Authentication. InvalidTimestamp is retried once, after the clock
	// offset is corrected from the response's Date header.
	"MissingAuthenticationToken": {classes: classAuth},
	"MissingSignature":           {classes: classAuth},
	"InvalidClientTokenId":       {classes: classAuth},
	"SignatureDoesNotMatch":      {classes: classAuth},
	"InvalidAuthorization":       {classes: classAuth},
	"InvalidCredential":          {classes: classAuth},
	"InvalidSecurityToken":       {classes: classAuth},
	"InvalidAccessKey":           {classes: classAuth},
	"InvalidTimestamp":           {classes: classAuth, kind: failTimestamp},

	// Permissions.
	"AccessDenied":      {classes: classAccessDenied},
	"LackPolicy":        {classes: classAccessDenied},
	"LackProjectPolicy": {classes: classAccessDenied},
	"Forbidden":         {classes: classAccessDenied},

	// Not found.
	"InvalidActionOrVersion": {classes: classNotFound},
	"ServiceNotFound":        {classes: classNotFound},

	// Server side. Unavailable means nothing was done: always safe to
	// retry. The others may have been carried out: retried only for actions
	// safe to repeat.
	"ServiceUnavailableTemp": {classes: classServer, kind: failRetryable},
	"ServiceUnavailable":     {classes: classServer, kind: failRetryable},
	"InternalError":          {classes: classServer, kind: failAmbiguous},
	"FailToConnect":          {classes: classServer, kind: failAmbiguous},
	"InternalServiceError":   {classes: classServer, kind: failAmbiguous},
	"InternalServiceTimeout": {classes: classServer, kind: failAmbiguous},
}

// codeRule returns the row of an error code and whether the table knows
// the code at all. Any code ending in "NotFound" is ErrNotFound too.
func codeRule(code string) (rule, bool) {
	whole, okWhole := codeRules[code]
	var cls rule
	okClass := false
	if c, _, dotted := strings.Cut(code, "."); dotted {
		cls, okClass = codeRules[c]
	}
	r := rule{classes: whole.classes | cls.classes, kind: whole.kind}
	if r.kind == failNone {
		r.kind = cls.kind
	}
	if strings.HasSuffix(code, "NotFound") {
		r.classes |= classNotFound
		return r, true
	}
	return r, okWhole || okClass
}

// statusRule returns the row of an HTTP status. onlyWithoutCode marks the
// classes that apply only when the answer carries no error code the table
// knows (a 403 with InvalidTimestamp is an authentication failure, not a
// permission one).
func statusRule(status int) (r rule, onlyWithoutCode errClass) {
	switch {
	case status == 429:
		return rule{classThrottled, failRetryable}, 0
	case status == 503:
		return rule{classServer, failRetryable}, 0
	case status == 501 || status == 505:
		// Not implemented, HTTP version not supported: retrying cannot help.
		return rule{classServer, failFatal}, 0
	case status >= 500:
		// 500, 502, 504 and the like: the request may have been carried out.
		return rule{classServer, failAmbiguous}, 0
	case status == 401:
		return rule{classAuth, failFatal}, classAuth
	case status == 403:
		return rule{classAccessDenied, failFatal}, classAccessDenied
	case status == 404:
		return rule{classNotFound, failFatal}, classNotFound
	}
	return rule{kind: failFatal}, 0
}

// lookup combines the rows of a code (may be empty) and a status: the
// classes of both, and the code's kind if it has one, else the status's.
// A code listed in extra (RetryPolicy.RetryableCodes) is always retryable.
func lookup(code string, status int, extra *RetryPolicy) rule {
	sr, onlyWithoutCode := statusRule(status)
	if code == "" {
		return sr
	}
	cr, known := codeRule(code)
	r := rule{classes: cr.classes | sr.classes, kind: cr.kind}
	if known {
		r.classes &^= onlyWithoutCode &^ cr.classes
	}
	if r.kind == failNone {
		r.kind = sr.kind
	}
	if extra != nil && extra.codeListed(code) {
		r.kind = failRetryable
	}
	return r
}

// classify decides what kind of failure a non-nil err is: by the table
// above for answers of the service, and by how far the request got for
// transport failures.
func classify(err error, policy *RetryPolicy) failureKind {
	var ae *APIError
	if errors.As(err, &ae) {
		return lookup(ae.Code, ae.HTTPStatus, policy).kind
	}
	var re *ResponseError
	if errors.As(err, &re) {
		if re.kind != failNone {
			return re.kind
		}
		r, _ := statusRule(re.HTTPStatus)
		return r.kind
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		return failFatal
	}
	if badCertificate(err) {
		return failFatal // the request was not sent, and retrying will not help
	}
	if notSent(err) {
		return failRetryable
	}
	var te *transportError
	if errors.As(err, &te) {
		return failAmbiguous
	}
	return failFatal
}
