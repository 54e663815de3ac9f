package rtc

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"time"
)

// Defaults of CallbackHandler.
const (
	// DefaultCallbackTimeout bounds the time the handler gives its function,
	// well inside the 5 s after which RTC counts a delivery as failed.
	DefaultCallbackTimeout = 4 * time.Second
	// DefaultCallbackMaxBody is the largest body the handler reads (1 MiB).
	DefaultCallbackMaxBody = 1 << 20
)

// DedupStatus is what a DedupStore knows about an event ID.
type DedupStatus int

// The answers of DedupStore.Begin.
const (
	// DedupNew: the event was not seen; the caller now holds it and must call
	// Finish.
	DedupNew DedupStatus = iota
	// DedupInProgress: another delivery of the event is being processed.
	DedupInProgress
	// DedupDone: the event was already processed successfully.
	DedupDone
)

// DedupStore remembers which callback events were processed, so that an
// event RTC delivers more than once is handled once. Implementations must be
// safe for concurrent use. The in-memory MemoryDedupStore suits a single
// process; several replicas behind a load balancer need a shared store,
// such as the Redis one of the module github.com/volcrtc/rtc/rtcredis. A
// Begin error makes the handler of NewCallbackHandler answer 503 without
// processing the event.
type DedupStore interface {
	// Begin claims eventID for processing and reports its status. Only a
	// DedupNew answer hands the event to the caller.
	Begin(ctx context.Context, eventID string) (DedupStatus, error)
	// Finish ends a claim made by Begin. With success the event is
	// remembered as done; without it the claim is dropped so a later
	// delivery of the event is processed again.
	Finish(ctx context.Context, eventID string, success bool) error
}

// ErrDedupFull is returned by MemoryDedupStore.Begin when the store holds
// as many live entries as it may: it never forgets an entry before it
// expires, since a forgotten event could be processed again, so it refuses
// the new one instead. The handler of NewCallbackHandler answers 503 and RTC
// delivers the event again later, when expired entries have made room.
var ErrDedupFull = errors.New("rtc: dedup store full: every entry is still live (raise its capacity or shorten its retention)")

// DefaultMemoryDedupEntries is the capacity of the MemoryDedupStore that
// NewCallbackHandler uses by default: 200 000 keys, that is 100 000 events
// (two keys each) within its retention of an hour, about 28 events a
// second. Full, with UUID event ids, it takes about 37 MiB (about 190 bytes
// a key).
const DefaultMemoryDedupEntries = 200000

// MemoryDedupStore is an in-memory DedupStore with bounded size. Entries
// expire lazily (there is no background goroutine): finished events after
// the retention given to NewMemoryDedupStore, unfinished claims after a
// lease of one minute, so a crashed handler cannot block an event forever.
// An entry is never dropped before it expires: when the store is full of
// live entries, Begin returns ErrDedupFull for a new event (the handler
// answers 503 and RTC tries again later). Size it for the events that
// arrive within the retention, two keys per event.
type MemoryDedupStore struct {
	mu         sync.Mutex
	retention  time.Duration
	lease      time.Duration
	maxEntries int
	entries    map[string]*list.Element
	order      *list.List // of *dedupEntry, by last update, oldest first
	now        func() time.Time
	lastSweep  time.Time // last full scan for expired entries
}

type dedupEntry struct {
	id      string
	done    bool
	expires time.Time
}

// NewMemoryDedupStore returns a store that remembers finished events for
// retention (one hour if retention <= 0) and holds at most maxEntries keys
// (DefaultMemoryDedupEntries if maxEntries <= 0).
func NewMemoryDedupStore(retention time.Duration, maxEntries int) *MemoryDedupStore {
	if retention <= 0 {
		retention = time.Hour
	}
	if maxEntries <= 0 {
		maxEntries = DefaultMemoryDedupEntries
	}
	return &MemoryDedupStore{
		retention:  retention,
		lease:      time.Minute,
		maxEntries: maxEntries,
		entries:    make(map[string]*list.Element),
		order:      list.New(),
		now:        time.Now,
	}
}

// DedupRetention returns how long the store remembers a processed event.
// NewCallbackHandler refuses a maximum age longer than it.
func (s *MemoryDedupStore) DedupRetention() time.Duration { return s.retention }

// DedupLease returns how long an unfinished claim lasts (one minute).
// NewCallbackHandler refuses a callback timeout that is not shorter.
func (s *MemoryDedupStore) DedupLease() time.Duration { return s.lease }

// Len returns the number of events the store currently remembers, including
// expired ones not yet dropped.
func (s *MemoryDedupStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.entries)
}

// Begin implements DedupStore.
func (s *MemoryDedupStore) Begin(_ context.Context, eventID string) (DedupStatus, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.pruneLocked(now)
	if el, ok := s.entries[eventID]; ok {
		e := el.Value.(*dedupEntry)
		if now.Before(e.expires) {
			if e.done {
				return DedupDone, nil
			}
			return DedupInProgress, nil
		}
		s.removeLocked(el)
	}
	if len(s.entries) >= s.maxEntries {
		s.sweepLocked(now)
		if len(s.entries) >= s.maxEntries {
			return DedupNew, ErrDedupFull
		}
	}
	s.entries[eventID] = s.order.PushBack(&dedupEntry{id: eventID, expires: now.Add(s.lease)})
	return DedupNew, nil
}

// Finish implements DedupStore.
func (s *MemoryDedupStore) Finish(_ context.Context, eventID string, success bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	el, ok := s.entries[eventID]
	if !ok {
		return nil // evicted or expired meanwhile: nothing to record
	}
	if !success {
		s.removeLocked(el)
		return nil
	}
	e := el.Value.(*dedupEntry)
	e.done = true
	e.expires = s.now().Add(s.retention)
	s.order.MoveToBack(el)
	return nil
}

// pruneLocked drops expired entries from the old end of the list. Entries
// are ordered by their last update, so it stops at the first live one; an
// expired entry further in is dropped when it is looked up or evicted.
func (s *MemoryDedupStore) pruneLocked(now time.Time) {
	for el := s.order.Front(); el != nil; el = s.order.Front() {
		if now.Before(el.Value.(*dedupEntry).expires) {
			return
		}
		s.removeLocked(el)
	}
}

// sweepLocked drops every expired entry, wherever it is in the list (a
// claim's lease may end before an older event's retention). A full store
// sweeps at most once a second, so that refusing events stays cheap.
func (s *MemoryDedupStore) sweepLocked(now time.Time) {
	if !s.lastSweep.IsZero() && now.Sub(s.lastSweep) < time.Second && now.After(s.lastSweep) {
		return
	}
	s.lastSweep = now
	for el := s.order.Front(); el != nil; {
		next := el.Next()
		if !now.Before(el.Value.(*dedupEntry).expires) {
			s.removeLocked(el)
		}
		el = next
	}
}

func (s *MemoryDedupStore) removeLocked(el *list.Element) {
	delete(s.entries, el.Value.(*dedupEntry).id)
	s.order.Remove(el)
}

// CallbackOption configures NewCallbackHandler. An option given a bad value
// makes NewCallbackHandler return an error that says what to fix.
type CallbackOption func(*callbackConfig) error

type callbackConfig struct {
	dedup   DedupStore
	timeout time.Duration
	maxBody int64
	logger  *slog.Logger

	dedupSet bool // WithCallbackDedup or WithoutCallbackDedup was given

	maxAge      time.Duration    // oldest EventTime accepted
	skew        time.Duration    // furthest future EventTime accepted
	skewSet     bool             // skew was set by an option
	readTimeout time.Duration    // deadline for reading the body
	now         func() time.Time // the receiver's clock; nil: time.Now
}

// WithCallbackDedup sets the store used to deliver each event once. The
// default is a MemoryDedupStore keeping 100 000 events for an hour
// (DefaultMemoryDedupEntries keys). The
// handler keeps two keys per event in the store, its EventId and "sig/"
// followed by a hash of its signature (see NewCallbackHandler), so a store sized for
// N events needs room for 2N keys. A nil
// store is an error; use WithoutCallbackDedup to turn deduplication off.
func WithCallbackDedup(store DedupStore) CallbackOption {
	return func(c *callbackConfig) error {
		if store == nil {
			return errors.New("rtc: WithCallbackDedup: nil store (use WithoutCallbackDedup to turn deduplication off)")
		}
		c.dedup, c.dedupSet = store, true
		return nil
	}
}

// WithoutCallbackDedup turns deduplication off: every delivery of an event
// runs the handler's function, duplicates included.
func WithoutCallbackDedup() CallbackOption {
	return func(c *callbackConfig) error { c.dedup, c.dedupSet = nil, true; return nil }
}

// WithCallbackTimeout sets the deadline of the context given to the handler's
// function (default DefaultCallbackTimeout). It must be positive; keep it
// under the 5 s after which RTC counts a delivery as failed.
func WithCallbackTimeout(d time.Duration) CallbackOption {
	return func(c *callbackConfig) error {
		if d <= 0 {
			return fmt.Errorf("rtc: WithCallbackTimeout(%v): must be positive (leave the option out for the default, %v)", d, DefaultCallbackTimeout)
		}
		c.timeout = d
		return nil
	}
}

// WithCallbackMaxBody sets the largest body accepted, in bytes (default
// DefaultCallbackMaxBody). It must be positive. Larger bodies get 413.
func WithCallbackMaxBody(n int64) CallbackOption {
	return func(c *callbackConfig) error {
		if n <= 0 {
			return fmt.Errorf("rtc: WithCallbackMaxBody(%d): must be positive (leave the option out for the default, %d bytes)", n, DefaultCallbackMaxBody)
		}
		c.maxBody = n
		return nil
	}
}

// WithCallbackLogger sets where the handler logs rejected and failed
// deliveries. By default it logs nothing. Secrets are never logged. A nil
// logger is an error (leave the option out to log nothing).
func WithCallbackLogger(l *slog.Logger) CallbackOption {
	return func(c *callbackConfig) error {
		if l == nil {
			return errors.New("rtc: WithCallbackLogger: nil logger (leave the option out to disable logging)")
		}
		c.logger = l
		return nil
	}
}

// NewCallbackHandler returns an http.Handler that receives RTC's event
// callbacks: it accepts POST only (405 otherwise), reads at most
// DefaultCallbackMaxBody bytes (413 beyond) within DefaultCallbackReadTimeout
// (408 beyond), verifies the signature with secret (401 when it does not
// match, 400 for a body that is not an event), refuses with 400 an event
// whose EventId or EventTime is malformed or whose EventTime is older than
// DefaultCallbackMaxAge or further ahead than DefaultCallbackClockSkew (the
// body says which), skips events it has already processed (200) or is
// processing (409, so RTC tries again later), and calls fn with a context
// that expires after DefaultCallbackTimeout. When the dedup store fails to
// claim the event it answers 503 without calling fn, so RTC delivers the
// event again later.
//
// Events are deduplicated on their EventId and on their signature. The
// signature covers the sorted field values, so a replay that permutes the
// values of a captured event (its Nonce as EventId, say) keeps the signature
// and is recognised as the event already processed.
//
// Serve it from an http.Server with ReadHeaderTimeout and ReadTimeout set
// (a few seconds each), so slow peers are cut off before the handler runs.
//
// When fn returns nil the handler answers 200 and remembers the event. When
// fn returns an error or panics it answers 500 and forgets the event, so
// RTC's next delivery attempt runs fn again; a panic is logged at error level
// with its stack and does not escape the handler. fn should honour its
// context: RTC counts a delivery that takes longer than 5 s as failed.
//
// An empty secret, a nil fn or an option given a bad value is an error that
// says what to fix; all problems are reported at once.
func NewCallbackHandler(secret string, fn func(context.Context, *CallbackEvent) error, opts ...CallbackOption) (http.Handler, error) {
	cfg := callbackConfig{
		timeout: DefaultCallbackTimeout,
		maxBody: DefaultCallbackMaxBody,
	}
	var errs []error
	if secret == "" {
		errs = append(errs, errors.New("rtc: NewCallbackHandler: empty callback secret; pass the SecretKey registered with CreateCallback"))
	}
	if fn == nil {
		errs = append(errs, errors.New("rtc: NewCallbackHandler: nil function; pass the func that processes each event"))
	}
	for i, o := range opts {
		if o == nil {
			errs = append(errs, fmt.Errorf("rtc: NewCallbackHandler: option %d is nil", i+1))
			continue
		}
		if err := o(&cfg); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if !cfg.dedupSet {
		cfg.dedup = NewMemoryDedupStore(DefaultCallbackMaxAge, DefaultMemoryDedupEntries) // two keys per event: id and signature
	}
	cfg.finishDefaults()
	if err := cfg.checkStore(); err != nil {
		return nil, err
	}
	return &callbackHandler{secret: secret, fn: fn, cfg: cfg, body: &bodyLimits{maxBody: cfg.maxBody, timeout: cfg.readTimeout}}, nil
}

type callbackHandler struct {
	secret string
	fn     func(context.Context, *CallbackEvent) error
	cfg    callbackConfig
	body   *bodyLimits
}

// Format prints the handler without its secret, for every verb.
func (h *callbackHandler) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte("rtc.CallbackHandler")) }

func (h *callbackHandler) log(ctx context.Context, level slog.Level, msg string, args ...any) {
	if h.cfg.logger != nil {
		h.cfg.logger.Log(ctx, level, msg, args...)
	}
}

func (h *callbackHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "RTC callbacks must be POST", http.StatusMethodNotAllowed)
		return
	}
	body, ok := readBody(w, r, h.body, "rtc callback", h.log)
	if !ok {
		return
	}
	ev, err := ParseCallback(body, h.secret)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, ErrCallbackSignature) {
			status = http.StatusUnauthorized
		}
		h.log(ctx, slog.LevelWarn, "rtc callback rejected", "status", status, "error", err)
		http.Error(w, http.StatusText(status), status)
		return
	}
	if err := h.cfg.checkEvent(ev); err != nil {
		// The reason (a field's format, or the age and the limit) is safe to
		// tell the sender: it holds no secret.
		h.log(ctx, slog.LevelWarn, "rtc callback rejected", "status", http.StatusBadRequest, "event_type", ev.EventType, "error", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	attrs := []any{"event_type", ev.EventType, "event_id", ev.EventID}

	dedup := h.cfg.dedup
	keys := ev.DedupKeys()
	if dedup != nil {
		st, err := beginDedup(ctx, dedup, keys)
		if err != nil {
			// 503: nothing was processed; RTC delivers the event again later.
			h.log(ctx, slog.LevelError, "rtc callback: dedup store unavailable; RTC will retry", append(attrs, "error", err)...)
			if errors.Is(err, ErrDedupFull) {
				http.Error(w, "dedup store full", http.StatusServiceUnavailable)
				return
			}
			http.Error(w, "dedup store unavailable", http.StatusServiceUnavailable)
			return
		}
		switch st {
		case DedupDone:
			h.log(ctx, slog.LevelDebug, "rtc callback: duplicate delivery acknowledged", attrs...)
			writeCallbackOK(w)
			return
		case DedupInProgress:
			h.log(ctx, slog.LevelInfo, "rtc callback: event is being processed by another delivery", attrs...)
			http.Error(w, "event is being processed", http.StatusConflict)
			return
		}
	}

	// finish records the outcome before the response goes out, so a redelivery
	// that races the response already sees it. The deferred call is a safety
	// net: whatever happens, a claim is never left behind.
	finished := false
	finish := func(success bool) {
		if dedup == nil || finished {
			return
		}
		finished = true
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishMargin)
		defer cancel()
		for _, k := range keys {
			if err := dedup.Finish(dctx, k, success); err != nil {
				h.log(ctx, slog.LevelError, "rtc callback: dedup store failed to record the outcome", append(attrs, "error", err)...)
				break
			}
		}
	}
	defer finish(false)

	fctx, cancel := context.WithTimeout(ctx, h.cfg.timeout)
	defer cancel()
	start := time.Now()
	stack, err := h.run(fctx, ev)
	if stack != "" {
		finish(false)
		h.log(ctx, slog.LevelError, "rtc callback: handler panicked; RTC will retry", append(attrs, "panic", err.Error(), "stack", stack, "duration", time.Since(start))...)
		http.Error(w, "event handler failed", http.StatusInternalServerError)
		return
	}
	if err != nil {
		finish(false)
		h.log(ctx, slog.LevelError, "rtc callback: handler failed; RTC will retry", append(attrs, "error", err, "duration", time.Since(start))...)
		http.Error(w, "event handler failed", http.StatusInternalServerError)
		return
	}
	finish(true)
	h.log(ctx, slog.LevelDebug, "rtc callback processed", append(attrs, "duration", time.Since(start))...)
	writeCallbackOK(w)
}

// run calls the handler's function. A panic is recovered and returned as an
// error, with the goroutine's stack (never empty after a panic).
func (h *callbackHandler) run(ctx context.Context, ev *CallbackEvent) (stack string, err error) {
	defer func() {
		if v := recover(); v != nil {
			stack, err = string(debug.Stack()), fmt.Errorf("panic: %v", v)
		}
	}()
	return "", h.fn(ctx, ev)
}

func writeCallbackOK(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, `{"code":0}`+"\n")
}
