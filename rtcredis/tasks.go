// This file holds the TaskStore: the state and once-only delivery of the
// outcomes of an rtc.TaskTracker, shared by every replica through Redis.

package rtcredis

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/volcrtc/rtc"
)

// TaskStore is what rtc.NewTaskTracker takes.
var _ rtc.TaskStore = (*TaskStore)(nil)

// Defaults of a TaskStore.
const (
	DefaultTaskKeyPrefix = "rtc:tasks:"
	// DefaultTaskRetention is how long a delivered task's done marker is
	// kept, so that late events and polls of it change nothing.
	DefaultTaskRetention = 7 * 24 * time.Hour
)

// TaskOption configures a TaskStore (NewTaskStore).
type TaskOption func(*TaskStore)

// WithTaskKeyPrefix sets the prefix of the store's Redis keys (default
// DefaultTaskKeyPrefix). Every replica sharing tasks must use the same one.
func WithTaskKeyPrefix(prefix string) TaskOption {
	return func(s *TaskStore) { s.prefix = prefix }
}

// WithTaskRetention sets how long a delivered task is remembered (default
// DefaultTaskRetention). A non-positive value keeps the default.
func WithTaskRetention(d time.Duration) TaskOption {
	return func(s *TaskStore) {
		if d > 0 {
			s.retention = d
		}
	}
}

// WithTaskOpTimeout bounds every Redis call of the store (default
// DefaultDedupOpTimeout). A non-positive value keeps the default.
func WithTaskOpTimeout(d time.Duration) TaskOption {
	return func(s *TaskStore) {
		if d > 0 {
			s.opTimeout = d
		}
	}
}

// TaskStore is an rtc.TaskStore kept in Redis: every replica whose
// TaskTracker uses the same Redis and prefix shares the tasks, and each
// outcome is delivered by one of them. It is safe for concurrent use.
//
// A task is a hash (its status, times and settled outcome), listed in a set
// of pending tasks until delivered. Settling, claiming and marking done are
// Lua scripts, atomic in Redis: the first terminal answer wins, a claim is a
// lease key with an expiry (a replica that dies mid-delivery loses it when
// the lease ends, or at once when its context was cancelled, since the
// tracker then releases it), and a delivered task keeps a done marker for
// the retention so it is never claimed again.
//
// While Redis is unreachable every call fails: the tracker's HandleEvent
// returns the error, so the callback handler answers 500 and RTC delivers
// the event again (at most twice more); Tick does nothing; nothing is
// claimed, so nothing is delivered twice. Outcomes settled before the outage
// are delivered when Redis is back; terminal callbacks that RTC gave up on
// during it are recovered by polling. One case remains: when Redis fails
// between the user's function returning and the done marker, the lease
// ends and another replica delivers the outcome again (at least once, not
// exactly once, for that task).
type TaskStore struct {
	rdb       redis.UniversalClient
	prefix    string
	retention time.Duration
	opTimeout time.Duration
}

// NewTaskStore returns a TaskStore keeping its records in rdb. Like the
// other stores it guards rdb's connections against hostile replies
// (GuardClient), so build it before rdb's first command; a reply the guard
// refuses fails the call like an unreachable Redis. Pending reads the whole
// pending set in one reply, so the guard's MaxReplyElements (about a million
// tasks not yet delivered) bounds it too.
func NewTaskStore(rdb redis.UniversalClient, opts ...TaskOption) *TaskStore {
	s := &TaskStore{rdb: rdb, prefix: DefaultTaskKeyPrefix, retention: DefaultTaskRetention, opTimeout: DefaultDedupOpTimeout}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	if rdb != nil {
		GuardClient(rdb)
	}
	return s
}

var errNoRedis = errors.New("rtcredis: no Redis client")

func (s *TaskStore) keys(ref rtc.TaskRef) (hash, lease string) {
	sum := sha256.Sum256([]byte(ref.Key()))
	id := hex.EncodeToString(sum[:16])
	return s.prefix + "t:" + id, s.prefix + "l:" + id
}

func (s *TaskStore) pendingKey() string { return s.prefix + "pending" }

func (s *TaskStore) run(ctx context.Context, sc *redis.Script, keys []string, args ...any) (any, error) {
	if s.rdb == nil {
		return nil, errNoRedis
	}
	return redisCall(ctx, s.opTimeout, func(ctx context.Context) (any, error) {
		v, err := sc.Run(ctx, s.rdb, keys, args...).Result()
		if errors.Is(err, redis.Nil) {
			return nil, nil
		}
		return v, err
	})
}

// KEYS: hash, pending. ARGV: task key, field, value (ms). Sets the field
// once, unless the task was delivered.
var taskMarkScript = redis.NewScript(`
if redis.call('HEXISTS', KEYS[1], 'done') == 1 then return 0 end
redis.call('HSET', KEYS[1], 'ref', ARGV[1])
redis.call('HSETNX', KEYS[1], ARGV[2], ARGV[3])
redis.call('SADD', KEYS[2], ARGV[1])
return 1
`)

// KEYS: hash, pending. ARGV: task key, rank, time (ms). 0 applied, 1 stale,
// 2 after the end.
var taskObserveScript = redis.NewScript(`
if redis.call('HEXISTS', KEYS[1], 'done') == 1 or redis.call('HEXISTS', KEYS[1], 'outcome') == 1 then return 2 end
local rank = tonumber(redis.call('HGET', KEYS[1], 'rank') or '0')
local at = tonumber(redis.call('HGET', KEYS[1], 'at') or '-1e18')
local r, t = tonumber(ARGV[2]), tonumber(ARGV[3])
if r < rank or (r == rank and t < at) then return 1 end
redis.call('HSET', KEYS[1], 'ref', ARGV[1], 'rank', r, 'at', t)
redis.call('SADD', KEYS[2], ARGV[1])
return 0
`)

// KEYS: hash, pending. ARGV: task key, outcome JSON. 1 when recorded.
var taskSettleScript = redis.NewScript(`
if redis.call('HEXISTS', KEYS[1], 'done') == 1 or redis.call('HEXISTS', KEYS[1], 'outcome') == 1 then return 0 end
redis.call('HSET', KEYS[1], 'ref', ARGV[1], 'outcome', ARGV[2], 'rank', 3)
redis.call('SADD', KEYS[2], ARGV[1])
return 1
`)

// KEYS: hash, lease. ARGV: owner, lease (ms). The outcome JSON, or nil.
var taskClaimScript = redis.NewScript(`
if redis.call('HEXISTS', KEYS[1], 'done') == 1 then return false end
local o = redis.call('HGET', KEYS[1], 'outcome')
if not o then return false end
local cur = redis.call('GET', KEYS[2])
if cur and cur ~= ARGV[1] then return false end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return o
`)

// KEYS: hash, lease, pending. ARGV: owner, task key, retention (ms).
var taskDoneScript = redis.NewScript(`
redis.call('HSET', KEYS[1], 'done', '1')
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('SREM', KEYS[3], ARGV[2])
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1
`)

// KEYS: lease. ARGV: owner.
var taskReleaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

func ms(t time.Time) int64 { return t.UnixMilli() }

// Track implements rtc.TaskStore.
func (s *TaskStore) Track(ctx context.Context, ref rtc.TaskRef, at time.Time) error {
	h, _ := s.keys(ref)
	_, err := s.run(ctx, taskMarkScript, []string{h, s.pendingKey()}, ref.Key(), "tracked", ms(at))
	return err
}

// RequestStop implements rtc.TaskStore.
func (s *TaskStore) RequestStop(ctx context.Context, ref rtc.TaskRef, at time.Time) error {
	h, _ := s.keys(ref)
	_, err := s.run(ctx, taskMarkScript, []string{h, s.pendingKey()}, ref.Key(), "stop", ms(at))
	return err
}

// Observe implements rtc.TaskStore.
func (s *TaskStore) Observe(ctx context.Context, ref rtc.TaskRef, status rtc.TaskStatus, at time.Time) (rtc.ObserveResult, error) {
	h, _ := s.keys(ref)
	rank := 0
	switch status {
	case rtc.TaskStatusNotStarted:
		rank = 1
	case rtc.TaskStatusRunning:
		rank = 2
	case rtc.TaskStatusEnded, rtc.TaskStatusFailed:
		rank = 3
	}
	v, err := s.run(ctx, taskObserveScript, []string{h, s.pendingKey()}, ref.Key(), rank, ms(at))
	if err != nil {
		return rtc.ObserveStale, err
	}
	n, _ := v.(int64)
	return rtc.ObserveResult(n), nil
}

// Settle implements rtc.TaskStore.
func (s *TaskStore) Settle(ctx context.Context, o *rtc.TaskOutcome) (bool, error) {
	b, err := json.Marshal(o)
	if err != nil {
		return false, err
	}
	h, _ := s.keys(o.Task)
	v, err := s.run(ctx, taskSettleScript, []string{h, s.pendingKey()}, o.Task.Key(), string(b))
	if err != nil {
		return false, err
	}
	n, _ := v.(int64)
	return n == 1, nil
}

// Claim implements rtc.TaskStore. The lease runs on Redis's clock; now is
// not used.
func (s *TaskStore) Claim(ctx context.Context, ref rtc.TaskRef, owner string, _ time.Time, lease time.Duration) (*rtc.TaskOutcome, error) {
	h, l := s.keys(ref)
	v, err := s.run(ctx, taskClaimScript, []string{h, l}, owner, max(lease.Milliseconds(), 1))
	if err != nil || v == nil {
		return nil, err
	}
	str, _ := v.(string)
	o := new(rtc.TaskOutcome)
	if err := json.Unmarshal([]byte(str), o); err != nil {
		return nil, err
	}
	return o, nil
}

// Done implements rtc.TaskStore.
func (s *TaskStore) Done(ctx context.Context, ref rtc.TaskRef, owner string) error {
	h, l := s.keys(ref)
	_, err := s.run(ctx, taskDoneScript, []string{h, l, s.pendingKey()}, owner, ref.Key(), s.retention.Milliseconds())
	return err
}

// Release implements rtc.TaskStore.
func (s *TaskStore) Release(ctx context.Context, ref rtc.TaskRef, owner string) error {
	_, l := s.keys(ref)
	_, err := s.run(ctx, taskReleaseScript, []string{l}, owner)
	return err
}

// Pending implements rtc.TaskStore.
func (s *TaskStore) Pending(ctx context.Context) ([]rtc.TaskRecord, error) {
	if s.rdb == nil {
		return nil, errNoRedis
	}
	return redisCall(ctx, 4*s.opTimeout, func(ctx context.Context) ([]rtc.TaskRecord, error) {
		members, err := s.rdb.SMembers(ctx, s.pendingKey()).Result()
		if err != nil {
			return nil, err
		}
		pipe := s.rdb.Pipeline()
		cmds := make([]*redis.SliceCmd, len(members))
		refs := make([]rtc.TaskRef, len(members))
		for i, m := range members {
			ref, err := rtc.ParseTaskKey(m)
			if err != nil {
				continue
			}
			refs[i] = ref
			h, _ := s.keys(ref)
			cmds[i] = pipe.HMGet(ctx, h, "tracked", "stop", "outcome", "done")
		}
		if len(members) > 0 {
			if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
				return nil, err
			}
		}
		out := make([]rtc.TaskRecord, 0, len(members))
		for i, c := range cmds {
			if c == nil {
				continue
			}
			v := c.Val()
			if len(v) != 4 || v[3] != nil {
				continue
			}
			out = append(out, rtc.TaskRecord{Ref: refs[i], Tracked: msTime(v[0]), StopRequested: msTime(v[1]), Settled: v[2] != nil})
		}
		return out, nil
	})
}

func msTime(v any) time.Time {
	str, ok := v.(string)
	if !ok {
		return time.Time{}
	}
	n, err := strconv.ParseInt(str, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.UnixMilli(n)
}
