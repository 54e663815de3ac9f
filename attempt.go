package rtc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

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
	ctx, cancel, bodyBound := c.boundAttempt(ctx)
	if cancel != nil {
		defer cancel()
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
		a.req.ContentLength = int64(len(cl.body))
	}
	a.body.b = cl.body
	a.body.Reset(cl.body)
	// Every request has a body, empty for actions whose input goes in the
	// query: net/http resends a request without one on its own (HTTP/1.1
	// after a reused connection drops, for a GET; HTTP/2 after a stream
	// reset or GOAWAY, for any method). With a body and no GetBody it
	// resends none once written. An empty body changes nothing on the wire
	// for a GET over HTTP/1.1 (net/http sends none); a POST goes with an
	// empty chunked body, and over HTTP/2 either ends with an empty frame.
	// net/http writes headers and body in one packet only for bodies it
	// knows to be in memory: a *bytes.Reader, also inside NopCloser.
	a.req.Body = io.NopCloser(&a.body.Reader)
	if cl.op.Safety != unsafeToRepeat {
		// Only an action safe to repeat may be resent by the transport,
		// and at most maxTransportResends times per attempt: the retry
		// policy, with its backoff and budget, decides beyond that.
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
	if bodyBound {
		w := armWatchdog(resp.Body, c.bodyTimeout)
		defer func() {
			if w.release() && out.err != nil {
				out.err = &transportError{action: cl.op.Action, err: fmt.Errorf(
					"reading the response (HTTP %d): the body did not arrive in full within %v of the headers (the bound when neither WithTimeout nor a context deadline applies): %w",
					resp.StatusCode, c.bodyTimeout, context.DeadlineExceeded)}
			}
		}()
	}
	out = c.readAnswer(ctx, cl, req, resp, creds, a)
	return out
}

// boundAttempt bounds an attempt by the client's timeout, unless the
// context already ends sooner. Without a timeout, it reports whether the
// body read needs its own bound (bodyBound): no bound covers the body, and
// a server that stalls or trickles it would hold the call. The watchdog
// attempt arms then closes the body when it takes longer than
// bodyTimeout, which ends a blocked Read (net/http supports Close
// concurrent with Read). It costs no allocation, unlike a cancellable
// context.
func (c *Client) boundAttempt(ctx context.Context) (_ context.Context, cancel context.CancelFunc, bodyBound bool) {
	if c.timeout > 0 {
		if dl, ok := ctx.Deadline(); !ok || time.Until(dl) > c.timeout {
			ctx, cancel = context.WithTimeout(ctx, c.timeout)
		}
		return ctx, cancel, false
	}
	if dl, ok := ctx.Deadline(); !ok || time.Until(dl) > c.bodyTimeout {
		return ctx, nil, true
	}
	return ctx, nil, false
}

// readAnswer reads the answer of an attempt, bounded by the client's
// maximum response size, and decodes it.
func (c *Client) readAnswer(ctx context.Context, cl *call, req *http.Request, resp *http.Response, creds Credentials, a *attemptAlloc) (out attemptOutcome) {
	out.status, out.header = resp.StatusCode, resp.Header
	// The signature ends the Authorization value the signer set.
	sig := a.sv[2][max(0, len(a.sv[2])-64):]
	if resp.ContentLength > c.maxBody {
		// Declared too large: refuse without reading it, quoting a few bytes.
		var head [256]byte
		n, _ := io.ReadFull(resp.Body, head[:])
		out.err = c.tooLarge(cl, resp, head[:n], &secretSet{creds: creds, extra: cl.secrets, sig: sig})
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
	body, err := readBounded(body, resp.Body, c.maxBody+1)
	if err != nil {
		out.err = &transportError{action: cl.op.Action, err: fmt.Errorf("reading the response (HTTP %d): %w", resp.StatusCode, err)}
		return out
	}
	if int64(len(body)) > c.maxBody {
		out.err = c.tooLarge(cl, resp, body[:256], &secretSet{creds: creds, extra: cl.secrets, sig: sig})
		return out
	}
	a.secrets = secretSet{creds: creds, extra: cl.secrets, sig: sig}
	out.meta, out.err = c.decode(cl, resp, body, &a.secrets, &a.meta)
	if out.err == nil {
		return out
	}
	c.noteRetryAfter(out.err, resp.Header)
	if ae := (*APIError)(nil); errors.As(out.err, &ae) {
		out.errCode = ae.Code
		if ae.Code == "SignatureDoesNotMatch" && c.logger != nil && c.logger.Enabled(ctx, LevelTrace) {
			cr, sts := c.signer.debugSigning(req, cl.body)
			c.logger.LogAttrs(ctx, LevelTrace, "rtc: signature rejected; compare with the server's canonical request",
				slog.String("canonical_request", redactString(cr, &a.secrets)), slog.String("string_to_sign", sts))
		}
	}
	return out
}

// noteRetryAfter puts the wait a failed answer asked for (Retry-After) on
// its error, for the answers the retry loop may retry (errtable.go):
// throttling, an unavailable service and other server failures. A refused
// request (a bad parameter, authentication) never carries it.
func (c *Client) noteRetryAfter(err error, h http.Header) {
	if k := classify(err, nil); k != failRetryable && k != failAmbiguous {
		return
	}
	ra := retryAfter(h, c.now())
	if ra <= 0 {
		return
	}
	var ae *APIError
	if errors.As(err, &ae) {
		ae.RetryAfter = ra
		return
	}
	var re *ResponseError
	if errors.As(err, &re) {
		re.RetryAfter = ra
	}
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
	// secrets of the call, for redacting what a response quotes
	secrets secretSet
}

// requestBody is a request's body: a reader over the encoded bytes that
// can be rewound for the transport's own retries (GetBody), a bounded
// number of times.
type requestBody struct {
	bytes.Reader
	b       []byte
	resends atomic.Int32 // GetBody calls so far
}

func (r *requestBody) Close() error { return nil }

// maxTransportResends bounds how often the HTTP transport may resend one
// attempt of an action safe to repeat (GetBody). Go's HTTP/2 transport
// resends a request whose stream the server reset with PROTOCOL_ERROR, and
// with no bound a server doing that on every request held the call forever.
const maxTransportResends = 2

// errTransportResends ends an attempt the transport wanted to resend too
// often; the SDK's retry policy decides what follows.
var errTransportResends = errors.New("the HTTP transport tried to resend the request more than 2 times (the server or a proxy keeps failing the exchange)")

func (r *requestBody) again() (io.ReadCloser, error) {
	if r.resends.Add(1) > maxTransportResends {
		return nil, errTransportResends
	}
	return io.NopCloser(bytes.NewReader(r.b)), nil
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

// watchdog closes a response body that takes too long to arrive. Watchdogs
// are pooled with their timers, so arming one costs no allocation.
type watchdog struct {
	mu    sync.Mutex
	body  io.Closer
	fired bool
	t     *time.Timer
}

var watchdogs = sync.Pool{New: func() any {
	w := &watchdog{}
	w.t = time.AfterFunc(time.Hour, w.fire)
	w.t.Stop()
	return w
}}

func (w *watchdog) fire() {
	w.mu.Lock()
	body := w.body
	if body != nil {
		w.fired = true
	}
	w.mu.Unlock()
	if body != nil {
		_ = body.Close()
	}
}

// armWatchdog closes body after d unless released first.
func armWatchdog(body io.Closer, d time.Duration) *watchdog {
	w := watchdogs.Get().(*watchdog)
	w.mu.Lock()
	w.body, w.fired = body, false
	w.mu.Unlock()
	w.t.Reset(d)
	return w
}

// release disarms the watchdog and reports whether it fired.
func (w *watchdog) release() bool {
	stopped := w.t.Stop()
	w.mu.Lock()
	fired := w.fired
	w.body, w.fired = nil, false
	w.mu.Unlock()
	if stopped {
		// Only a watchdog whose timer function will not run late goes
		// back to the pool: a late run would close the next user's body.
		watchdogs.Put(w)
	}
	return fired
}
