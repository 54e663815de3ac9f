package rtc

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"
)

// bodyLimits bounds what readBody reads from a request: at most maxBody
// bytes within timeout. One value serves every request of one handler; it
// remembers whether it has logged that the deadline had to fall back to a
// timer.
type bodyLimits struct {
	maxBody int64
	timeout time.Duration
	warned  sync.Once
}

// bodyLogf is how readBody logs; nil logs nothing.
type bodyLogf func(ctx context.Context, level slog.Level, msg string, args ...any)

// readBody reads r's body within the limits, for the handlers that receive
// RTC's posts (callbacks, server messages). It sets the connection's read
// deadline through http.ResponseController, and lifts it once the body is
// in so it cannot cancel the request's context while the handler's function
// runs. When the ResponseWriter hides the connection (a wrapper without an
// Unwrap method), it reads under a timer instead, logged once per handler:
// the timer answers 408 in time, and the stalled read ends with the
// server's own ReadTimeout or the peer. On failure readBody has answered
// (413 too large, 408 too slow, 400 unreadable) and returns false. what
// names the request in log lines ("rtc callback").
func readBody(w http.ResponseWriter, r *http.Request, lim *bodyLimits, what string, logf bodyLogf) ([]byte, bool) {
	ctx := r.Context()
	log := func(level slog.Level, msg string, args ...any) {
		if logf != nil {
			logf(ctx, level, msg, args...)
		}
	}
	rc := http.NewResponseController(w)
	var body []byte
	var err error
	if rc.SetReadDeadline(time.Now().Add(lim.timeout)) == nil {
		body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, lim.maxBody))
		if err == nil {
			// The body is in: lift the deadline, which would otherwise
			// expire while the function runs and cancel the request's
			// context (net/http reads ahead on the connection and treats a
			// failed read as a gone client). After a failure it stays, so
			// that net/http's discarding of the rest of the body ends too.
			_ = rc.SetReadDeadline(time.Time{})
		}
	} else {
		lim.warned.Do(func() {
			log(slog.LevelWarn, what+": the ResponseWriter does not expose the connection's read deadline (a wrapper without Unwrap?); bounding body reads with a timer instead",
				"limit", lim.timeout)
		})
		body, err = readBodyTimed(r.Body, lim.maxBody, lim.timeout)
	}
	if err == nil {
		return body, true
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		log(slog.LevelWarn, what+" rejected: body too large", "limit", lim.maxBody)
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
	case errors.Is(err, os.ErrDeadlineExceeded):
		// The connection cannot serve another request (the rest of the body
		// is unread, possibly still being read by readBodyTimed); closing it
		// also keeps net/http from waiting for the body before answering.
		w.Header().Set("Connection", "close")
		log(slog.LevelWarn, what+" rejected: body not received in time", "limit", lim.timeout)
		http.Error(w, "body not received in time", http.StatusRequestTimeout)
	default:
		log(slog.LevelWarn, what+" rejected: reading body failed", "error", err)
		http.Error(w, "reading body failed", http.StatusBadRequest)
	}
	return nil, false
}

// readBodyTimed reads at most maxBody bytes of body in a goroutine and
// gives up after timeout with os.ErrDeadlineExceeded. The goroutine ends
// when the read does (the server closes the body when the connection's
// ReadTimeout passes or the peer goes away).
func readBodyTimed(body io.ReadCloser, maxBody int64, timeout time.Duration) ([]byte, error) {
	type result struct {
		b   []byte
		err error
	}
	ch := make(chan result, 1)
	go func() {
		b, err := io.ReadAll(http.MaxBytesReader(nil, body, maxBody))
		ch <- result{b, err}
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case res := <-ch:
		return res.b, res.err
	case <-t.C:
		return nil, os.ErrDeadlineExceeded
	}
}
