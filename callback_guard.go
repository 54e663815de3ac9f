package rtc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Freshness and read limits of CallbackHandler.
const (
	// DefaultCallbackMaxAge is how old an event's EventTime may be before
	// CallbackHandler refuses it. It equals the retention of the default
	// dedup store, so a captured body replayed after its dedup entry expired
	// is refused as stale instead of processed again.
	DefaultCallbackMaxAge = time.Hour
	// DefaultCallbackClockSkew is how far in the future an event's EventTime
	// may lie (the sender's clock may run ahead of the receiver's).
	DefaultCallbackClockSkew = 5 * time.Minute
	// DefaultCallbackReadTimeout bounds the time the handler waits for the
	// whole request body, counted from when the handler starts. A peer that
	// trickles its body gets 408 instead of holding the handler.
	DefaultCallbackReadTimeout = 5 * time.Second
	// maxCallbackEventID is the longest EventId accepted.
	maxCallbackEventID = 128
)

// WithCallbackMaxAge sets how old an event's EventTime may be (by the
// receiver's clock) before the handler refuses it with 400 and a body that
// says so. It is DefaultCallbackMaxAge by default, or the retention of a
// MemoryDedupStore given to WithCallbackDedup when that is shorter. With a
// shared dedup store, keep d at most the store's retention: an event older
// than the retention could otherwise be processed again. d must be positive.
func WithCallbackMaxAge(d time.Duration) CallbackOption {
	return func(c *callbackConfig) error {
		if d <= 0 {
			return fmt.Errorf("rtc: WithCallbackMaxAge(%v): must be positive (leave the option out for the default, %v)", d, DefaultCallbackMaxAge)
		}
		c.maxAge = d
		return nil
	}
}

// WithCallbackClockSkew sets how far in the future an event's EventTime may
// lie before the handler refuses it (DefaultCallbackClockSkew by default; 0
// allows none). d must not be negative.
func WithCallbackClockSkew(d time.Duration) CallbackOption {
	return func(c *callbackConfig) error {
		if d < 0 {
			return fmt.Errorf("rtc: WithCallbackClockSkew(%v): must not be negative (leave the option out for the default, %v)", d, DefaultCallbackClockSkew)
		}
		c.skew = d
		c.skewSet = true
		return nil
	}
}

// WithCallbackReadTimeout bounds the time the handler waits for the request
// body (DefaultCallbackReadTimeout by default; d must be positive). The
// handler sets it as the connection's read deadline through
// http.ResponseController; servers should still set
// http.Server.ReadHeaderTimeout and ReadTimeout, which cover the time before
// the handler runs.
func WithCallbackReadTimeout(d time.Duration) CallbackOption {
	return func(c *callbackConfig) error {
		if d <= 0 {
			return fmt.Errorf("rtc: WithCallbackReadTimeout(%v): must be positive (leave the option out for the default, %v)", d, DefaultCallbackReadTimeout)
		}
		c.readTimeout = d
		return nil
	}
}

// ErrCallbackStale is returned (wrapped) by CallbackEvent.CheckFresh, and
// answered with 400 by CallbackHandler, for an event whose EventTime lies
// too far in the past or the future.
var ErrCallbackStale = errors.New("rtc: callback event is not fresh")

// validEventID reports whether s has the shape of an EventId: 1 to 128
// characters of a-z A-Z 0-9 and - _ . : @ (UUIDs and similar identifiers).
func validEventID(s string) bool {
	if len(s) == 0 || len(s) > maxCallbackEventID {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == ':' || c == '@') {
			return false
		}
	}
	return true
}

// CheckFresh applies CallbackHandler's format and freshness rules to an
// event, for a receiver that calls ParseCallback itself: EventId must be 1
// to 128 characters of a-z A-Z 0-9 - _ . : @, EventTime an RFC 3339 time at
// most maxAge before now and at most skew after it (DefaultCallbackMaxAge
// and DefaultCallbackClockSkew are the handler's defaults). A format error
// matches ErrCallbackMalformed, a time outside the window ErrCallbackStale.
// The text names the field and the limit only, so it is safe to answer the
// sender with.
//
// Freshness bounds how long a captured body can be replayed; within the
// window, dedupe on DedupKeys to refuse the replay itself.
func (e *CallbackEvent) CheckFresh(now time.Time, maxAge, skew time.Duration) error {
	if !validEventID(e.EventID) {
		if e.EventID == "" {
			return fmt.Errorf("%w: EventId is missing", ErrCallbackMalformed)
		}
		return fmt.Errorf("%w: EventId must be 1 to %d characters of a-z A-Z 0-9 - _ . : @", ErrCallbackMalformed, maxCallbackEventID)
	}
	if e.EventTime == "" {
		return fmt.Errorf("%w: EventTime is missing", ErrCallbackMalformed)
	}
	at, err := time.Parse(time.RFC3339, e.EventTime)
	if err != nil {
		return fmt.Errorf("%w: EventTime is not an RFC 3339 time", ErrCallbackMalformed)
	}
	switch age := now.Sub(at); {
	case age > maxAge:
		return fmt.Errorf("%w: EventTime %s is %s before this receiver's clock, more than the allowed %s (see WithCallbackMaxAge)",
			ErrCallbackStale, at.UTC().Format(time.RFC3339), age.Truncate(time.Second), maxAge)
	case -age > skew:
		return fmt.Errorf("%w: EventTime %s is %s after this receiver's clock, more than the allowed skew of %s (see WithCallbackClockSkew)",
			ErrCallbackStale, at.UTC().Format(time.RFC3339), (-age).Truncate(time.Second), skew)
	}
	return nil
}

// checkEvent applies CheckFresh with the handler's limits and clock.
func (c *callbackConfig) checkEvent(ev *CallbackEvent) error {
	return ev.CheckFresh(c.clock(), c.maxAge, c.skew)
}

func (c *callbackConfig) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

// finishDefaults fills the limits that depend on other options.
func (c *callbackConfig) finishDefaults() {
	if c.maxAge <= 0 {
		c.maxAge = DefaultCallbackMaxAge
		if r, ok := c.dedup.(retentionReporter); ok && r.DedupRetention() > 0 && r.DedupRetention() < c.maxAge {
			c.maxAge = r.DedupRetention()
		}
	}
	if !c.skewSet {
		c.skew = DefaultCallbackClockSkew
	}
	if c.readTimeout <= 0 {
		c.readTimeout = DefaultCallbackReadTimeout
	}
}

// DedupKeys returns the two keys CallbackHandler deduplicates an event on,
// for a receiver that calls ParseCallback itself: treat the event as seen
// when either key was seen. The first is its EventId. The second, starting
// with "sig/" (which no valid EventId holds), is derived from its
// signature: the signature covers the sorted field values, so a replay that
// permutes the values of one signed event (swapping EventId and Nonce, say)
// verifies and carries a new EventId, but has the same signature key. The
// key is a SHA-256 of the signature's bytes, so a change of hex case makes
// no new key and a store never holds the signature itself. Call it on a
// verified event; an event whose Signature is not hex gets a key of its
// empty decoding.
func (e *CallbackEvent) DedupKeys() [2]string {
	raw, _ := hex.DecodeString(e.Signature)
	sum := sha256.Sum256(raw)
	return [2]string{e.EventID, "sig/" + hex.EncodeToString(sum[:])}
}

// beginDedup claims every key of the event. It returns DedupNew when all
// were new (the caller then holds them all), or the first other status after
// releasing the keys it had claimed.
func beginDedup(ctx context.Context, store DedupStore, keys [2]string) (DedupStatus, error) {
	for i, k := range keys {
		st, err := store.Begin(ctx, k)
		if err == nil && st == DedupNew {
			continue
		}
		for _, held := range keys[:i] {
			_ = store.Finish(context.WithoutCancel(ctx), held, false)
		}
		return st, err
	}
	return DedupNew, nil
}

// retentionReporter is a DedupStore that says how long it remembers a
// processed event (MemoryDedupStore, rtcredis.DedupStore).
type retentionReporter interface{ DedupRetention() time.Duration }

// leaseReporter is a DedupStore that says how long a claim lasts without
// Finish (MemoryDedupStore, rtcredis.DedupStore).
type leaseReporter interface{ DedupLease() time.Duration }

// finishMargin is the time the handler gives Finish after the function.
const finishMargin = time.Second

// checkStore refuses the option combinations under which an event could be
// processed twice: a maximum age longer than the store's retention (a body
// replayed after its record expired would be fresh enough to run again), and
// a callback timeout not shorter than the store's lease (another delivery
// could claim the event while the function still runs). A lease shorter than
// the timeout plus the second given to Finish is logged as a warning. Stores
// that report neither (they lack DedupRetention and DedupLease methods) are
// not checked.
func (c *callbackConfig) checkStore() error {
	var errs []error
	if r, ok := c.dedup.(retentionReporter); ok && r.DedupRetention() > 0 && c.maxAge > r.DedupRetention() {
		errs = append(errs, fmt.Errorf("rtc: NewCallbackHandler: maximum age %v is longer than the dedup store's retention %v: an event replayed after its record expired would be processed again (lower WithCallbackMaxAge or raise the store's retention)", c.maxAge, r.DedupRetention()))
	}
	if l, ok := c.dedup.(leaseReporter); ok && l.DedupLease() > 0 {
		switch lease := l.DedupLease(); {
		case c.timeout >= lease:
			errs = append(errs, fmt.Errorf("rtc: NewCallbackHandler: callback timeout %v is not shorter than the dedup store's lease %v: another delivery could run the event while the function still runs (keep the lease above the timeout plus %v)", c.timeout, lease, finishMargin))
		case c.timeout+finishMargin > lease:
			logger := c.logger
			if logger == nil {
				logger = slog.Default()
			}
			logger.Warn("rtc: NewCallbackHandler: the dedup store's lease is shorter than the callback timeout plus the time given to Finish; a slow Finish may let another delivery run the event",
				"timeout", c.timeout, "lease", lease, "want_at_least", c.timeout+finishMargin)
		}
	}
	return errors.Join(errs...)
}
