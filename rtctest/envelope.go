package rtctest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// apiError is an error answer: HTTP status and the Error object of the
// envelope.
type apiError struct {
	status int
	code   string
	codeN  int
	msg    string
}

func (e *apiError) Error() string { return e.code + ": " + e.msg }

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, msg: fmt.Sprintf(format, args...)}
}

func invalid(code, format string, args ...any) *apiError {
	return errorf(http.StatusBadRequest, code, format, args...)
}

// statusForCode is the HTTP status the gateway uses for a code, by class.
func statusForCode(code string) int {
	class := code
	for i := 0; i < len(code); i++ {
		if code[i] == '.' {
			class = code[:i]
			break
		}
	}
	switch class {
	case "MissingParameter", "MissingRequestInfo", "InvalidParameter":
		return http.StatusBadRequest
	case "MissingAuthenticationToken", "MissingSignature", "InvalidClientTokenId",
		"SignatureDoesNotMatch", "LackProjectPolicy":
		return http.StatusUnauthorized
	case "InvalidTimestamp", "LackPolicy", "AccessDenied":
		return http.StatusForbidden
	case "ServiceNotFound", "InvalidActionOrVersion":
		return http.StatusNotFound
	case "MethodNotAllowed":
		return http.StatusMethodNotAllowed
	case "FlowLimitExceeded", "AccountFlowLimitExceeded":
		return http.StatusTooManyRequests
	case "FailToConnect", "InternalServiceError":
		return http.StatusBadGateway
	case "ServiceUnavailableTemp":
		return http.StatusServiceUnavailable
	case "InternalServiceTimeout":
		return http.StatusGatewayTimeout
	case "InternalError":
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

// codeForStatus is the gateway code a bare HTTP status stands for.
func codeForStatus(status int) string {
	switch status {
	case http.StatusTooManyRequests:
		return "FlowLimitExceeded"
	case http.StatusBadGateway:
		return "InternalServiceError"
	case http.StatusServiceUnavailable:
		return "ServiceUnavailableTemp"
	case http.StatusGatewayTimeout:
		return "InternalServiceTimeout"
	case http.StatusUnauthorized:
		return "SignatureDoesNotMatch"
	case http.StatusForbidden:
		return "AccessDenied"
	case http.StatusNotFound:
		return "InvalidActionOrVersion"
	case http.StatusBadRequest:
		return "InvalidParameter"
	}
	return "InternalError"
}

type wireError struct {
	Code    string `json:"Code"`
	CodeN   int    `json:"CodeN,omitempty"`
	Message string `json:"Message"`
}

type wireMeta struct {
	RequestID string     `json:"RequestId"`
	Action    string     `json:"Action"`
	Version   string     `json:"Version"`
	Service   string     `json:"Service"`
	Region    string     `json:"Region"`
	Error     *wireError `json:"Error,omitempty"`
}

type wireEnvelope struct {
	ResponseMetadata wireMeta `json:"ResponseMetadata"`
	Result           any      `json:"Result,omitempty"`
}

// newRequestID returns an ID shaped like the vendor's: the time as
// YYYYMMDDhhmmss followed by 18 upper-case hex digits (a per-server random
// prefix and a counter), unique within the server.
func (s *Server) newRequestID(now time.Time) string {
	var b [32]byte
	buf := now.UTC().AppendFormat(b[:0], "20060102150405")
	n := s.reqSeq.Add(1)
	const hexd = "0123456789ABCDEF"
	var hx [18]byte
	for i := 17; i >= 8; i-- { // 10 hex digits of the counter
		hx[i] = hexd[n&15]
		n >>= 4
	}
	p := s.reqPrefix
	for i := 7; i >= 0; i-- { // 8 hex digits of the server prefix
		hx[i] = hexd[p&15]
		p >>= 4
	}
	buf = append(buf, hx[:]...)
	return string(buf)
}

// writeEnvelope writes a JSON envelope; result is omitted when e is not nil.
// status 0 means 200 (or e's status).
func (c *call) writeEnvelope(w http.ResponseWriter, result any, e *apiError) {
	env := wireEnvelope{ResponseMetadata: wireMeta{
		RequestID: c.requestID,
		Action:    c.actionName,
		Version:   c.version,
		Service:   "rtc",
		Region:    c.srv.cfg.region,
	}}
	status := http.StatusOK
	if e != nil {
		env.ResponseMetadata.Error = &wireError{Code: e.code, CodeN: e.codeN, Message: e.msg}
		status = e.status
		c.errCode = e.code
	} else {
		env.Result = result
	}
	body, err := json.Marshal(env)
	if err != nil {
		// Results are built from JSON-decoded values and plain types; this
		// cannot happen, but answer something well-formed if it does.
		env.Result = nil
		env.ResponseMetadata.Error = &wireError{Code: "InternalError", Message: "rtctest: cannot encode result"}
		status = http.StatusInternalServerError
		c.errCode = "InternalError"
		body, _ = json.Marshal(env)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	c.status = status
	c.finish() // recorded before the client can see the answer
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
