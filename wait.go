package rtc

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Default pauses between the polls of a waiter (WaitRecordTask and the
// other Wait*Task methods).
const (
	DefaultWaitFirstInterval = time.Second
	DefaultWaitMaxInterval   = 30 * time.Second
)

// WaitOption configures one call of a waiter (WaitRecordTask and the other
// Wait*Task methods).
type WaitOption func(*waitConfig) error

type waitConfig struct {
	until       func(TaskStatus) bool
	first, most time.Duration
	callOpts    []CallOption
}

// WaitFor makes the waiter return as soon as the task is in one of the
// given states, instead of waiting for it to end. WaitFor(TaskStatusRunning)
// waits for a task to start. A task that ends (stopped or failed) always
// ends the wait, since it will not change again: check the result's Status.
func WaitFor(states ...TaskStatus) WaitOption {
	return func(c *waitConfig) error {
		if len(states) == 0 {
			return errors.New("rtc: WaitFor: name at least one TaskStatus")
		}
		want := append([]TaskStatus(nil), states...)
		c.until = func(s TaskStatus) bool {
			for _, w := range want {
				if s == w {
					return true
				}
			}
			return false
		}
		return nil
	}
}

// WaitInterval sets the pause before the second poll (first) and the
// longest pause between two polls (most). Pauses double from first up to
// most, each drawn at random from its upper half so that many waiters do not
// poll in step. Defaults: DefaultWaitFirstInterval and
// DefaultWaitMaxInterval.
func WaitInterval(first, most time.Duration) WaitOption {
	return func(c *waitConfig) error {
		if first <= 0 || most < first {
			return fmt.Errorf("rtc: WaitInterval(%v, %v): want 0 < first <= most", first, most)
		}
		c.first, c.most = first, most
		return nil
	}
}

// WaitCallOptions passes per-call options (timeout, retry, version) to
// every poll.
func WaitCallOptions(opts ...CallOption) WaitOption {
	return func(c *waitConfig) error { c.callOpts = append(c.callOpts, opts...); return nil }
}

// pause is the wait before poll number n+1 (n counts from 0): first·2ⁿ
// capped at most, drawn uniformly from its upper half.
func (c *waitConfig) pause(n int) time.Duration {
	d := c.most
	if n < 32 {
		if x := c.first << n; x > 0 && x < c.most {
			d = x
		}
	}
	return d/2 + rand.N(d/2+1)
}

// maxTransientPolls is how many polls in a row may fail with a transient
// error (IsRetryable: service unavailable, request not sent) before a
// waiter gives up. Throttling does not count: it only slows the waiter.
const maxTransientPolls = 3

// waitTask is the one implementation behind every generated Wait*Task
// method. It calls get until status reports a state the caller waits for
// (by default: ended or failed), pausing with backoff and jitter between
// calls. A throttled poll (ErrThrottled, after the client's own retries)
// is not fatal: the waiter pauses for the longest interval, or for the
// service's Retry-After when that is longer, and polls again. A transient
// failure (IsRetryable) is tolerated maxTransientPolls times in a row. Any
// other error ends the wait. When ctx ends first, it returns the last
// result it got together with an error wrapping ctx.Err().
func waitTask[Req, Res any](ctx context.Context, c *Client, action string, req *Req,
	get func(context.Context, *Req, ...CallOption) (*Res, error),
	status func(*Res) TaskStatus, opts []WaitOption) (*Res, error) {
	cfg := waitConfig{until: TaskStatus.Ended, first: DefaultWaitFirstInterval, most: DefaultWaitMaxInterval}
	var errs []error
	for i, o := range opts {
		if o == nil {
			errs = append(errs, fmt.Errorf("rtc: waiting with %s: wait option %d is nil", action, i+1))
			continue
		}
		if err := o(&cfg); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if req == nil {
		return nil, fmt.Errorf("rtc: waiting with %s: the request is nil", action)
	}
	var last *Res
	lastStatus := TaskStatus(-1)
	transient := 0
	for n := 0; ; n++ {
		res, err := get(ctx, req, cfg.callOpts...)
		pause := cfg.pause(n)
		switch {
		case err == nil:
			transient = 0
			last, lastStatus = res, status(res)
			if cfg.until(lastStatus) || lastStatus.Ended() {
				return res, nil
			}
		case ctx.Err() != nil:
			return last, waitGaveUp(action, lastStatus, ctx.Err())
		case errors.Is(err, ErrThrottled):
			pause = cfg.most
			if d, ok := RetryAfter(err); ok && d > pause {
				pause = d
			}
		case IsRetryable(err) && transient < maxTransientPolls:
			transient++
		default:
			return last, fmt.Errorf("rtc: waiting with %s: %w", action, err)
		}
		if err := c.sleep(ctx, pause); err != nil {
			return last, waitGaveUp(action, lastStatus, err)
		}
	}
}

func waitGaveUp(action string, last TaskStatus, err error) error {
	if last < 0 {
		return fmt.Errorf("rtc: waiting with %s: no answer before the context ended: %w", action, err)
	}
	return fmt.Errorf("rtc: waiting with %s: task still %v when the context ended: %w", action, last, err)
}
