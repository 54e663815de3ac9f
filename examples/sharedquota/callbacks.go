package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/rtctest"
)

// callbackSecret is the example's made-up callback secret.
const callbackSecret = "example callback secret"

// copiesPerEvent is how many times each event is delivered, at once, to
// different replicas: RTC redelivers an event whose answer was slow or not
// 200, and a load balancer spreads the deliveries.
const copiesPerEvent = 3

// dedupResult is what one callback scenario observed.
type dedupResult struct {
	events, deliveries, processed, duplicates int
}

// observeCallbacks serves RTC event callbacks from one handler per replica,
// each deduplicating with stores[i] and calling action through its own
// client (and so through limiters[i]) for every event it processes. It
// delivers events signed events copiesPerEvent times each, concurrently, to
// different replicas, as RTC would, and prints how often each event was
// processed.
func observeCallbacks(w io.Writer, label string, srv *rtctest.Server, limiters []limiter, stores []rtc.DedupStore, events int, action string) (dedupResult, error) {
	var (
		mu        sync.Mutex
		processed = make(map[string]int)
	)
	urls := make([]string, len(stores))
	for i, store := range stores {
		client, err := rtc.New(rtc.WithEndpoint(srv.URL),
			rtc.WithCredentials(rtc.Credentials{AccessKeyID: accessKeyID, SecretAccessKey: secretAccessKey}),
			rtc.WithRateLimiter(limiters[i]))
		if err != nil {
			return dedupResult{}, err
		}
		// What a backend does with an event: act on it once, here by
		// calling the API (under the account's shared quota).
		fn := func(ctx context.Context, ev *rtc.CallbackEvent) error {
			in := map[string]string{"AppId": "app", "RoomId": "room", "UserId": "user"}
			if _, err := client.Call(ctx, action, "2020-12-01", in, nil); err != nil {
				return err // 500: RTC delivers the event again
			}
			mu.Lock()
			processed[ev.EventID]++
			mu.Unlock()
			return nil
		}
		h, err := rtc.NewCallbackHandler(callbackSecret, fn, rtc.WithCallbackDedup(store))
		if err != nil {
			return dedupResult{}, err
		}
		hs := httptest.NewServer(h)
		defer hs.Close()
		urls[i] = hs.URL
	}

	bodies := make([][]byte, events)
	for i := range bodies {
		ev, err := rtc.NewCallbackEvent("app", rtc.EventUserJoinRoom, `{"RoomId":"room","UserId":"user","Timestamp":1}`)
		if err != nil {
			return dedupResult{}, err
		}
		ev.Sign(callbackSecret)
		if bodies[i], err = json.Marshal(ev); err != nil {
			return dedupResult{}, err
		}
	}

	res := dedupResult{events: events}
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	deadline := time.Now().Add(20 * time.Second)
	for _, body := range bodies {
		for k := range copiesPerEvent {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Like RTC: deliver, and after any answer other than 200
				// deliver again a little later (here to the next replica).
				for i := k; ; i++ {
					mu.Lock()
					res.deliveries++
					mu.Unlock()
					resp, err := http.Post(urls[i%len(urls)], "application/json", bytes.NewReader(body))
					if err == nil {
						_, _ = io.Copy(io.Discard, resp.Body)
						_ = resp.Body.Close()
						if resp.StatusCode == http.StatusOK {
							return
						}
					}
					if time.Now().After(deadline) {
						errOnce.Do(func() { firstErr = fmt.Errorf("%s: a delivery was never acknowledged", label) })
						return
					}
					time.Sleep(200 * time.Millisecond)
				}
			}()
		}
	}
	wg.Wait()
	if firstErr != nil {
		return res, firstErr
	}
	for _, n := range processed {
		res.processed += n
		if n > 1 {
			res.duplicates += n - 1
		}
	}
	fmt.Fprintf(w, "%-45s events=%d deliveries=%d processed=%d duplicates=%d\n",
		label+":", res.events, res.deliveries, res.processed, res.duplicates)
	return res, nil
}
