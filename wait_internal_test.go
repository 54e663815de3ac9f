package rtc

import (
	"context"
	"testing"
	"time"
)

type fakeTask struct{ status TaskStatus }

// TestWaitBackoffAndJitter drives waitTask with a scripted Get and the
// client's injected sleep, so no real time passes: pauses double from the
// first interval up to the longest, each drawn from its upper half.
func TestWaitBackoffAndJitter(t *testing.T) {
	c, err := New(WithCredentials(Credentials{AccessKeyID: "AK", SecretAccessKey: "SK"}))
	if err != nil {
		t.Fatal(err)
	}
	var pauses []time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error {
		pauses = append(pauses, d)
		return ctx.Err()
	}
	const polls = 12
	n := 0
	get := func(context.Context, *struct{}, ...CallOption) (*fakeTask, error) {
		n++
		if n == polls {
			return &fakeTask{TaskStatusEnded}, nil
		}
		return &fakeTask{TaskStatusRunning}, nil
	}
	first, most := 100*time.Millisecond, 2*time.Second
	res, err := waitTask(context.Background(), c, "GetFake", &struct{}{}, get,
		func(r *fakeTask) TaskStatus { return r.status }, []WaitOption{WaitInterval(first, most)})
	if err != nil || res.status != TaskStatusEnded {
		t.Fatalf("got %v, %v", res, err)
	}
	if len(pauses) != polls-1 {
		t.Fatalf("%d pauses for %d polls", len(pauses), polls)
	}
	distinct := map[time.Duration]bool{}
	for i, p := range pauses {
		ceiling := min(first<<i, most)
		if p < ceiling/2 || p > ceiling {
			t.Errorf("pause %d is %v, want within [%v, %v]", i, p, ceiling/2, ceiling)
		}
		distinct[p] = true
	}
	if len(distinct) < polls/2 {
		t.Errorf("pauses %v look unjittered", pauses)
	}
}

// A throttled poll waits the longest interval, or Retry-After when longer.
func TestWaitThrottlePause(t *testing.T) {
	c, err := New(WithCredentials(Credentials{AccessKeyID: "AK", SecretAccessKey: "SK"}))
	if err != nil {
		t.Fatal(err)
	}
	var pauses []time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error {
		pauses = append(pauses, d)
		return nil
	}
	answers := []error{
		&APIError{Code: "FlowLimitExceeded", HTTPStatus: 429},
		&APIError{Code: "FlowLimitExceeded", HTTPStatus: 429, RetryAfter: time.Minute},
		nil,
	}
	get := func(context.Context, *struct{}, ...CallOption) (*fakeTask, error) {
		err := answers[0]
		answers = answers[1:]
		if err != nil {
			return nil, err
		}
		return &fakeTask{TaskStatusFailed}, nil
	}
	res, err := waitTask(context.Background(), c, "GetFake", &struct{}{}, get,
		func(r *fakeTask) TaskStatus { return r.status }, []WaitOption{WaitInterval(time.Millisecond, time.Second)})
	if err != nil || !res.status.Failed() {
		t.Fatalf("got %v, %v", res, err)
	}
	if len(pauses) != 2 || pauses[0] != time.Second || pauses[1] != time.Minute {
		t.Fatalf("pauses %v, want [1s 1m0s]", pauses)
	}
}
