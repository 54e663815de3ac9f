package rtc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// TaskFamily names a kind of task the TaskTracker follows.
type TaskFamily string

// The families a TaskTracker knows. Those with a Get action (recording, both
// CDN pushes, snapshots, segmentation, web capture) settle from a callback or,
// when none comes in time, from a poll. Subtitles and voice chat have no Get
// action: they settle from callbacks only, and their event types must be
// mapped with WithTaskEvent because this package does not model them.
const (
	TaskFamilyRecord    TaskFamily = "record"
	TaskFamilyMixedCDN  TaskFamily = "cdn/mixed"
	TaskFamilySingleCDN TaskFamily = "cdn/single"
	TaskFamilySnapshot  TaskFamily = "snapshot"
	TaskFamilySegment   TaskFamily = "segment"
	TaskFamilyWebcast   TaskFamily = "webcast"
	TaskFamilySubtitle  TaskFamily = "subtitle"
	TaskFamilyVoiceChat TaskFamily = "voicechat"
)

// Pollable reports whether the family has a Get action the tracker can poll.
func (f TaskFamily) Pollable() bool {
	switch f {
	case TaskFamilyRecord, TaskFamilyMixedCDN, TaskFamilySingleCDN,
		TaskFamilySnapshot, TaskFamilySegment, TaskFamilyWebcast:
		return true
	}
	return false
}

// TaskRef identifies one task.
type TaskRef struct {
	Family TaskFamily
	AppID  string
	RoomID string
	TaskID string
}

// Key returns the ref as one string, unique per task (the key stores use).
func (r TaskRef) Key() string {
	return string(r.Family) + "|" + r.AppID + "|" + r.RoomID + "|" + r.TaskID
}

// ParseTaskKey is the inverse of TaskRef.Key.
func ParseTaskKey(key string) (TaskRef, error) {
	p := strings.SplitN(key, "|", 4)
	if len(p) != 4 {
		return TaskRef{}, fmt.Errorf("rtc: %q is not a task key", key)
	}
	return TaskRef{Family: TaskFamily(p[0]), AppID: p[1], RoomID: p[2], TaskID: p[3]}, nil
}

// OutcomeSource says where an outcome came from.
type OutcomeSource int

const (
	// OutcomeFromCallback: a callback event settled the task.
	OutcomeFromCallback OutcomeSource = iota + 1
	// OutcomeFromPoll: no terminal callback came in time; the family's Get
	// action reported the end.
	OutcomeFromPoll
)

// String names the source ("callback", "poll").
func (s OutcomeSource) String() string {
	switch s {
	case OutcomeFromCallback:
		return "callback"
	case OutcomeFromPoll:
		return "poll"
	}
	return fmt.Sprintf("OutcomeSource(%d)", int(s))
}

// TaskOutcome is how a task ended, as a TaskTracker delivers it, once.
type TaskOutcome struct {
	Task TaskRef `json:"task"`
	// Status is TaskStatusEnded or TaskStatusFailed.
	Status TaskStatus `json:"status"`
	// StopReason is why it stopped, when the event or Get reported it.
	StopReason StopReason `json:"stopReason,omitempty"`
	// ErrorMessage is the event's message of a failed task.
	ErrorMessage string `json:"error,omitempty"`
	// Files are the recording's files (recording only).
	Files []RecordFile `json:"files,omitempty"`
	// Source says whether a callback or a poll settled the task.
	Source OutcomeSource `json:"source"`
	// EventTime is the terminal event's EventTime, or when the poll answered.
	EventTime time.Time `json:"eventTime"`
	// StartedAt and EndedAt are the task's times as Get reports them (zero
	// when the outcome came from a callback that does not carry them).
	StartedAt time.Time `json:"startedAt"`
	EndedAt   time.Time `json:"endedAt"`
	// SettledAt is when the tracker settled the outcome (its clock).
	SettledAt time.Time `json:"settledAt"`
}

// ObserveResult is what TaskStore.Observe did with a non-terminal event.
type ObserveResult int

const (
	// ObserveApplied: the event moved the task forward.
	ObserveApplied ObserveResult = iota
	// ObserveStale: the task already knew a later state or time; ignored.
	ObserveStale
	// ObserveAfterEnd: the task has already ended (a late "started");
	// ignored.
	ObserveAfterEnd
)

// TaskRecord is what a TaskStore knows of a task not yet delivered.
type TaskRecord struct {
	Ref           TaskRef
	Tracked       time.Time // when Track was first called; zero when only events named it
	StopRequested time.Time // zero unless StopRequested was called
	Settled       bool      // an outcome waits for delivery
}

// TaskStore holds the state of tracked tasks and makes delivery once-only
// across every TaskTracker that shares it. MemoryTaskStore serves one
// process; rtcredis.TaskStore serves replicas. Implementations must be safe
// for concurrent use.
type TaskStore interface {
	// Track records a task (again: no change).
	Track(ctx context.Context, ref TaskRef, at time.Time) error
	// RequestStop records that a stop was asked at at.
	RequestStop(ctx context.Context, ref TaskRef, at time.Time) error
	// Observe applies a non-terminal status seen at at, unless the task
	// knows a later status (by the family's status order), a later time at
	// the same status, or has ended.
	Observe(ctx context.Context, ref TaskRef, status TaskStatus, at time.Time) (ObserveResult, error)
	// Settle records o as the task's outcome unless one is already
	// recorded; it reports whether o was recorded.
	Settle(ctx context.Context, o *TaskOutcome) (bool, error)
	// Claim hands the settled, undelivered outcome of ref to owner for
	// lease (nil when there is none, it is delivered, or another owner
	// holds an unexpired lease).
	Claim(ctx context.Context, ref TaskRef, owner string, now time.Time, lease time.Duration) (*TaskOutcome, error)
	// Done marks the outcome delivered: it is never claimed again.
	Done(ctx context.Context, ref TaskRef, owner string) error
	// Release drops owner's lease so that another can claim the outcome.
	Release(ctx context.Context, ref TaskRef, owner string) error
	// Pending lists the tracked tasks whose outcome is not delivered yet.
	Pending(ctx context.Context) ([]TaskRecord, error)
}

// statusRank orders a family's states: not started, running, ended.
func statusRank(s TaskStatus) int {
	switch s {
	case TaskStatusNotStarted:
		return 1
	case TaskStatusRunning:
		return 2
	case TaskStatusEnded, TaskStatusFailed:
		return 3
	}
	return 0
}

// MemoryTaskStore is a TaskStore in memory, for one process. Delivered
// tasks are forgotten; a claim whose tracker died ends with its lease.
type MemoryTaskStore struct {
	mu    sync.Mutex
	tasks map[string]*memTask
	done  map[string]bool
}

type memTask struct {
	rec     TaskRecord
	rank    int
	at      time.Time
	outcome *TaskOutcome
	owner   string
	leaseTo time.Time
}

// NewMemoryTaskStore returns an empty MemoryTaskStore.
func NewMemoryTaskStore() *MemoryTaskStore {
	return &MemoryTaskStore{tasks: make(map[string]*memTask), done: make(map[string]bool)}
}

func (s *MemoryTaskStore) get(ref TaskRef) *memTask {
	t := s.tasks[ref.Key()]
	if t == nil {
		t = &memTask{rec: TaskRecord{Ref: ref}}
		s.tasks[ref.Key()] = t
	}
	return t
}

// Track implements TaskStore.
func (s *MemoryTaskStore) Track(_ context.Context, ref TaskRef, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.done[ref.Key()] {
		if t := s.get(ref); t.rec.Tracked.IsZero() {
			t.rec.Tracked = at
		}
	}
	return nil
}

// RequestStop implements TaskStore.
func (s *MemoryTaskStore) RequestStop(_ context.Context, ref TaskRef, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.done[ref.Key()] {
		if t := s.get(ref); t.rec.StopRequested.IsZero() {
			t.rec.StopRequested = at
		}
	}
	return nil
}

// Observe implements TaskStore.
func (s *MemoryTaskStore) Observe(_ context.Context, ref TaskRef, status TaskStatus, at time.Time) (ObserveResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done[ref.Key()] {
		return ObserveAfterEnd, nil
	}
	t := s.get(ref)
	if t.outcome != nil {
		return ObserveAfterEnd, nil
	}
	r := statusRank(status)
	if r < t.rank || (r == t.rank && at.Before(t.at)) {
		return ObserveStale, nil
	}
	t.rank, t.at = r, at
	return ObserveApplied, nil
}

// Settle implements TaskStore.
func (s *MemoryTaskStore) Settle(_ context.Context, o *TaskOutcome) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done[o.Task.Key()] {
		return false, nil
	}
	t := s.get(o.Task)
	if t.outcome != nil {
		return false, nil
	}
	c := *o
	t.outcome, t.rank, t.rec.Settled = &c, 3, true
	return true, nil
}

// Claim implements TaskStore.
func (s *MemoryTaskStore) Claim(_ context.Context, ref TaskRef, owner string, now time.Time, lease time.Duration) (*TaskOutcome, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tasks[ref.Key()]
	if t == nil || t.outcome == nil || (t.owner != "" && t.owner != owner && now.Before(t.leaseTo)) {
		return nil, nil
	}
	t.owner, t.leaseTo = owner, now.Add(lease)
	c := *t.outcome
	return &c, nil
}

// Done implements TaskStore.
func (s *MemoryTaskStore) Done(_ context.Context, ref TaskRef, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Delivered is delivered, even by an owner whose lease ran out.
	delete(s.tasks, ref.Key())
	s.done[ref.Key()] = true
	return nil
}

// Release implements TaskStore.
func (s *MemoryTaskStore) Release(_ context.Context, ref TaskRef, owner string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.tasks[ref.Key()]; t != nil && t.owner == owner {
		t.owner = ""
	}
	return nil
}

// Pending implements TaskStore.
func (s *MemoryTaskStore) Pending(context.Context) ([]TaskRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]TaskRecord, 0, len(s.tasks))
	for _, t := range s.tasks {
		out = append(out, t.rec)
	}
	return out, nil
}

// Defaults of a TaskTracker.
const (
	// DefaultTaskPollAfter is how long after a stop request the tracker
	// waits for the terminal callback before it polls. RTC retries a
	// callback at most twice with a 5 s timeout, so 30 s covers them.
	DefaultTaskPollAfter = 30 * time.Second
	// DefaultTaskMaxAge is how long a task may run without a stop request
	// before the tracker polls it.
	DefaultTaskMaxAge = 24 * time.Hour
	// DefaultTaskPollInterval is the least time between two polls of one
	// task that has not ended.
	DefaultTaskPollInterval = time.Minute
	// DefaultTaskPollRate caps the polls one tracker starts per second.
	DefaultTaskPollRate = 5
	// DefaultTaskLease is how long a delivery may take before another
	// tracker may deliver the outcome again.
	DefaultTaskLease = 30 * time.Second
)

// TaskTrackerOption configures a TaskTracker.
type TaskTrackerOption func(*TaskTracker)

// WithTaskClock sets the tracker's clock (default time.Now). Every timing
// decision of the tracker reads it, so tests can drive it.
func WithTaskClock(now func() time.Time) TaskTrackerOption {
	return func(t *TaskTracker) {
		if now != nil {
			t.now = now
		}
	}
}

// WithTaskPollAfter sets how long after a stop request the tracker polls a
// task that had no terminal event (default DefaultTaskPollAfter).
func WithTaskPollAfter(d time.Duration) TaskTrackerOption {
	return func(t *TaskTracker) {
		if d > 0 {
			t.pollAfter = d
		}
	}
}

// WithTaskMaxAge sets how long after Track the tracker polls a task that
// had neither a stop request nor a terminal event (default DefaultTaskMaxAge).
func WithTaskMaxAge(d time.Duration) TaskTrackerOption {
	return func(t *TaskTracker) {
		if d > 0 {
			t.maxAge = d
		}
	}
}

// WithTaskPollInterval sets the least time between two polls of a task
// that has not ended (default DefaultTaskPollInterval); each wait gets up
// to a fifth more at random so polls spread out.
func WithTaskPollInterval(d time.Duration) TaskTrackerOption {
	return func(t *TaskTracker) {
		if d > 0 {
			t.pollEvery = d
		}
	}
}

// WithTaskPollRate caps how many polls the tracker starts in one second of
// its clock (default DefaultTaskPollRate); the rest wait for a later Tick.
// The polls are client calls, so the client's rate limiter applies as well.
func WithTaskPollRate(n int) TaskTrackerOption {
	return func(t *TaskTracker) {
		if n > 0 {
			t.pollRate = n
		}
	}
}

// WithTaskLease sets how long a delivery may last before another tracker
// may take the outcome over (default DefaultTaskLease).
func WithTaskLease(d time.Duration) TaskTrackerOption {
	return func(t *TaskTracker) {
		if d > 0 {
			t.lease = d
		}
	}
}

// WithTaskOwner names the tracker in its store's leases (default: random).
func WithTaskOwner(name string) TaskTrackerOption {
	return func(t *TaskTracker) {
		if name != "" {
			t.owner = name
		}
	}
}

// WithTaskEvent maps a callback event type this package does not know to a
// family and status, so that HandleEvent follows it: status
// TaskStatusRunning for a start event, TaskStatusEnded for a stop event. Its
// EventData must carry AppId, RoomId and TaskId (and Code, non-zero on
// failure), as the task events do. Subtitles and voice chat, which have no
// Get action, settle only through such mapped events.
func WithTaskEvent(eventType string, family TaskFamily, status TaskStatus) TaskTrackerOption {
	return func(t *TaskTracker) { t.events[eventType] = taskEventKind{family, status} }
}

type taskEventKind struct {
	family TaskFamily
	status TaskStatus
}

// TaskTrackerStats counts what a TaskTracker did.
type TaskTrackerStats struct {
	Delivered      int64 // outcomes delivered by this tracker
	FromCallback   int64 // outcomes this tracker settled from a callback
	FromPoll       int64 // outcomes this tracker settled from a poll
	Polls          int64 // Get calls made
	PollErrors     int64 // Get calls that failed
	Duplicates     int64 // terminal events for an already settled task
	LateStarts     int64 // start events after the task had ended
	Stale          int64 // events older than what was known
	DeliveryErrors int64 // deliveries that failed and were released
}

// TaskTracker turns the callbacks and Get answers of the tasks a backend
// starts into one outcome per task, delivered once to its function, even
// across replicas sharing a TaskStore. Feed it the tasks (Track,
// StopRequested) and the callback events (HandleEvent, or CallbackFunc for
// NewCallbackHandler), and run Run (or call Tick) so that it polls the tasks
// whose end was not reported and redelivers outcomes whose delivery failed.
type TaskTracker struct {
	client *Client
	store  TaskStore
	fn     func(context.Context, *TaskOutcome) error

	now       func() time.Time
	pollAfter time.Duration
	maxAge    time.Duration
	pollEvery time.Duration
	pollRate  int
	lease     time.Duration
	owner     string
	events    map[string]taskEventKind

	mu       sync.Mutex
	nextPoll map[string]time.Time
	polled   map[string]int // polls made per task, for backoff
	rateSec  int64
	rateUsed int

	delivered, fromCallback, fromPoll, polls, pollErrors atomic.Int64
	duplicates, lateStarts, stale, deliveryErrors        atomic.Int64
}

// NewTaskTracker returns a tracker that polls through client, keeps its
// state in store (a new MemoryTaskStore when nil) and calls fn once per
// task with its outcome. fn returning an error, or the context ending
// during it, releases the outcome for a later delivery.
func NewTaskTracker(client *Client, store TaskStore, fn func(context.Context, *TaskOutcome) error, opts ...TaskTrackerOption) (*TaskTracker, error) {
	if fn == nil {
		return nil, errors.New("rtc: NewTaskTracker needs a function")
	}
	if store == nil {
		store = NewMemoryTaskStore()
	}
	t := &TaskTracker{
		client: client, store: store, fn: fn,
		now: time.Now, pollAfter: DefaultTaskPollAfter, maxAge: DefaultTaskMaxAge,
		pollEvery: DefaultTaskPollInterval, pollRate: DefaultTaskPollRate, lease: DefaultTaskLease,
		owner: fmt.Sprintf("tracker-%016x", rand.Uint64()),
		events: map[string]taskEventKind{
			EventRecordStarted:    {TaskFamilyRecord, TaskStatusRunning},
			EventRecordStopped:    {TaskFamilyRecord, TaskStatusEnded},
			EventTranscodeStarted: {TaskFamilyMixedCDN, TaskStatusRunning},
			EventTranscodeStopped: {TaskFamilyMixedCDN, TaskStatusEnded},
			EventTranscodeUpdated: {TaskFamilyMixedCDN, TaskStatusRunning},
		},
		nextPoll: make(map[string]time.Time),
		polled:   make(map[string]int),
	}
	for _, o := range opts {
		if o != nil {
			o(t)
		}
	}
	return t, nil
}

// Stats returns the tracker's counters.
func (t *TaskTracker) Stats() TaskTrackerStats {
	return TaskTrackerStats{
		Delivered: t.delivered.Load(), FromCallback: t.fromCallback.Load(), FromPoll: t.fromPoll.Load(),
		Polls: t.polls.Load(), PollErrors: t.pollErrors.Load(), Duplicates: t.duplicates.Load(),
		LateStarts: t.lateStarts.Load(), Stale: t.stale.Load(), DeliveryErrors: t.deliveryErrors.Load(),
	}
}

// Track starts following a task the backend started.
func (t *TaskTracker) Track(ctx context.Context, ref TaskRef) error {
	return t.store.Track(ctx, ref, t.now())
}

// StopRequested records that the backend asked the task to stop; if no
// terminal callback comes within the poll delay (WithTaskPollAfter), the
// tracker polls.
func (t *TaskTracker) StopRequested(ctx context.Context, ref TaskRef) error {
	return t.store.RequestStop(ctx, ref, t.now())
}

// CallbackFunc returns a function for NewCallbackHandler that passes every
// event to HandleEvent and then to next (when not nil).
func (t *TaskTracker) CallbackFunc(next func(context.Context, *CallbackEvent) error) func(context.Context, *CallbackEvent) error {
	return func(ctx context.Context, ev *CallbackEvent) error {
		if err := t.HandleEvent(ctx, ev); err != nil {
			return err
		}
		if next != nil {
			return next(ctx, ev)
		}
		return nil
	}
}

// taskEventWire is the EventData of a task event, with the stop fields.
type taskEventWire struct {
	TaskEventData
	StopReason     StopReason        `json:"StopReason"`
	RecordFileList []json.RawMessage `json:"RecordFileList"`
}

// HandleEvent applies a callback event. Events of other types are ignored.
// A store error is returned, so that the callback handler answers with an
// error and RTC delivers the event again. A failing delivery is not an
// error here: the outcome stays settled and Tick delivers it later.
func (t *TaskTracker) HandleEvent(ctx context.Context, ev *CallbackEvent) error {
	kind, ok := t.events[ev.EventType]
	if !ok {
		return nil
	}
	var d taskEventWire
	if err := ev.DecodeData(&d); err != nil {
		return nil // not a task event we can read: nothing to follow
	}
	ref := TaskRef{Family: kind.family, AppID: d.AppID, RoomID: d.RoomID, TaskID: d.TaskID}
	if ref.AppID == "" {
		ref.AppID = ev.AppID
	}
	at, _ := time.Parse(time.RFC3339, ev.EventTime)
	status := kind.status
	if d.Code != 0 {
		status = TaskStatusFailed
	}
	if !status.Ended() {
		res, err := t.store.Observe(ctx, ref, status, at)
		if err != nil {
			return err
		}
		switch res {
		case ObserveAfterEnd:
			t.lateStarts.Add(1)
		case ObserveStale:
			t.stale.Add(1)
		}
		return nil
	}
	o := &TaskOutcome{Task: ref, Status: status, StopReason: d.StopReason, ErrorMessage: d.ErrorMessage,
		Source: OutcomeFromCallback, EventTime: at, SettledAt: t.now()}
	for _, raw := range d.RecordFileList {
		var f RecordFile
		if json.Unmarshal(raw, &f) == nil {
			o.Files = append(o.Files, f)
		}
	}
	ok, err := t.store.Settle(ctx, o)
	if err != nil {
		return err
	}
	if !ok {
		t.duplicates.Add(1)
		return nil
	}
	t.fromCallback.Add(1)
	t.deliver(ctx, ref)
	return nil
}

// deliver claims ref's outcome and hands it to fn; it reports whether it
// delivered. A failure or a cancelled ctx releases the claim.
func (t *TaskTracker) deliver(ctx context.Context, ref TaskRef) bool {
	o, err := t.store.Claim(ctx, ref, t.owner, t.now(), t.lease)
	if err != nil || o == nil {
		return false
	}
	err = ctx.Err()
	if err == nil {
		err = t.fn(ctx, o)
	}
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	// The release and the done marker must reach the store even when ctx
	// has ended: a dying tracker hands the outcome on.
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err != nil {
		t.deliveryErrors.Add(1)
		_ = t.store.Release(bg, ref, t.owner)
		return false
	}
	if t.store.Done(bg, ref, t.owner) == nil {
		t.delivered.Add(1)
		t.mu.Lock()
		delete(t.nextPoll, ref.Key())
		delete(t.polled, ref.Key())
		t.mu.Unlock()
	}
	return true
}

// Run calls Tick every interval (one second when interval <= 0) until ctx
// ends, and returns ctx's error.
func (t *TaskTracker) Run(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		interval = time.Second
	}
	tk := time.NewTicker(interval)
	defer tk.Stop()
	for {
		if err := t.Tick(ctx); err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tk.C:
		}
	}
}

// Tick does one pass over the pending tasks: it delivers settled outcomes
// nobody holds, and polls the tasks that are due (within the poll rate).
// It returns the store's error, if any.
func (t *TaskTracker) Tick(ctx context.Context) error {
	recs, err := t.store.Pending(ctx)
	if err != nil {
		return err
	}
	for _, r := range recs {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if r.Settled {
			t.deliver(ctx, r.Ref)
			continue
		}
		if !r.Ref.Family.Pollable() || t.client == nil || !t.due(r) || !t.takePollSlot() {
			continue
		}
		t.poll(ctx, r.Ref)
	}
	return nil
}

// due reports whether r should be polled now.
func (t *TaskTracker) due(r TaskRecord) bool {
	now := t.now()
	t.mu.Lock()
	next, ok := t.nextPoll[r.Ref.Key()]
	t.mu.Unlock()
	if ok {
		return !now.Before(next)
	}
	if !r.StopRequested.IsZero() {
		return !now.Before(r.StopRequested.Add(t.pollAfter))
	}
	return !r.Tracked.IsZero() && !now.Before(r.Tracked.Add(t.maxAge))
}

// takePollSlot counts a poll against the per-second cap.
func (t *TaskTracker) takePollSlot() bool {
	sec := t.now().Unix()
	t.mu.Lock()
	defer t.mu.Unlock()
	if sec != t.rateSec {
		t.rateSec, t.rateUsed = sec, 0
	}
	if t.rateUsed >= t.pollRate {
		return false
	}
	t.rateUsed++
	return true
}

// taskState is the part of a Get answer the tracker reads.
type taskState struct {
	status     TaskStatus
	reason     StopReason
	files      []RecordFile
	start, end int64
}

func (t *TaskTracker) get(ctx context.Context, r TaskRef) (taskState, error) {
	c := t.client
	switch r.Family {
	case TaskFamilyRecord:
		res, err := c.GetRecordTask(ctx, &GetRecordTaskRequest{AppID: r.AppID, RoomID: r.RoomID, TaskID: r.TaskID})
		if err != nil {
			return taskState{}, err
		}
		x := res.RecordTask
		return taskState{x.Status, x.StopReason, x.RecordFileList, x.StartTime, x.EndTime}, nil
	case TaskFamilyMixedCDN:
		res, err := c.GetPushMixedStreamToCDNTask(ctx, &GetPushMixedStreamToCDNTaskRequest{AppID: r.AppID, RoomID: r.RoomID, TaskID: r.TaskID})
		if err != nil {
			return taskState{}, err
		}
		x := res.PushMixedStreamToCDNTask
		return taskState{status: x.Status, reason: x.StopReason, start: x.StartTime, end: x.EndTime}, nil
	case TaskFamilySingleCDN:
		res, err := c.GetPushSingleStreamToCDNTask(ctx, &GetPushSingleStreamToCDNTaskRequest{AppID: r.AppID, RoomID: r.RoomID, TaskID: r.TaskID})
		if err != nil {
			return taskState{}, err
		}
		x := res.PushSingleStreamToCDNTask
		return taskState{status: x.Status, reason: x.StopReason, start: x.StartTime, end: x.EndTime}, nil
	case TaskFamilySnapshot:
		res, err := c.GetSnapshotTask(ctx, &GetSnapshotTaskRequest{AppID: r.AppID, RoomID: r.RoomID, TaskID: r.TaskID})
		if err != nil {
			return taskState{}, err
		}
		x := res.SnapshotTask
		return taskState{status: x.Status, reason: x.StopReason, start: x.StartTime, end: x.EndTime}, nil
	case TaskFamilySegment:
		res, err := c.GetSegmentTask(ctx, &GetSegmentTaskRequest{AppID: r.AppID, RoomID: r.RoomID, TaskID: r.TaskID})
		if err != nil {
			return taskState{}, err
		}
		x := res.SegmentTask
		return taskState{status: x.Status, reason: x.StopReason, start: x.StartTime, end: x.EndTime}, nil
	case TaskFamilyWebcast:
		res, err := c.GetWebCastTask(ctx, &GetWebCastTaskRequest{AppID: r.AppID, RoomID: r.RoomID, TaskID: r.TaskID})
		if err != nil {
			return taskState{}, err
		}
		x := res.WebCastTask
		return taskState{status: x.Status, reason: x.StopReason, start: x.StartTime, end: x.EndTime}, nil
	}
	return taskState{}, fmt.Errorf("rtc: task family %q has no Get action", r.Family)
}

// poll asks the family's Get action and settles the task when it ended;
// otherwise it schedules the next poll with backoff and jitter.
func (t *TaskTracker) poll(ctx context.Context, ref TaskRef) {
	t.polls.Add(1)
	st, err := t.get(ctx, ref)
	if err == nil && st.status.Ended() {
		now := t.now()
		o := &TaskOutcome{Task: ref, Status: st.status, StopReason: st.reason, Files: st.files,
			Source: OutcomeFromPoll, EventTime: now, StartedAt: unixMilli(st.start), EndedAt: unixMilli(st.end), SettledAt: now}
		ok, serr := t.store.Settle(ctx, o)
		if serr == nil {
			if ok {
				t.fromPoll.Add(1)
			}
			t.deliver(ctx, ref)
			return
		}
		err = serr
	}
	if err != nil {
		t.pollErrors.Add(1)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	n := t.polled[ref.Key()]
	t.polled[ref.Key()] = n + 1
	wait := t.pollEvery << min(n, 4)
	wait += time.Duration(rand.Int64N(int64(wait)/5 + 1))
	t.nextPoll[ref.Key()] = t.now().Add(wait)
}
