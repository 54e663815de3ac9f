// Command tasktracker shows rtc.TaskTracker settling a recording whose stop
// callback never arrives: it runs against rtctest's fake RTC, which is told
// to drop the RecordStopped event, and the outcome still arrives, once,
// from a poll of GetRecordTask.
//
//	go run ./examples/tasktracker
//
// The tracker's clock is a variable the demo moves forward, so the demo
// takes no real waiting; a backend uses the real clock and Run.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/rtctest"
)

const secret = "demo callback secret"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "tasktracker:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx := context.Background()
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }

	var outcomes []rtc.TaskOutcome
	deliver := func(_ context.Context, o *rtc.TaskOutcome) error {
		// A backend stores the outcome here (its end, its files).
		outcomes = append(outcomes, *o)
		fmt.Printf("outcome: task %s %s (%s) from %s, %d file(s)\n",
			o.Task.TaskID, o.Status, o.StopReason, o.Source, len(o.Files))
		return nil
	}
	// The fake posts its callbacks to the handler, built below once the
	// client exists (the tracker polls through it).
	var handler http.Handler
	srv := rtctest.NewServer(rtctest.WithEventHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handler.ServeHTTP(w, r)
	}), secret))
	defer srv.Close()
	// The fake loses the stop callback, as a deploy or an outage would.
	srv.DropEvents(func(e rtctest.Event) bool { return e.Type == rtc.EventRecordStopped })

	client, err := rtc.New(rtc.WithEndpoint(srv.URL),
		rtc.WithCredentials(rtc.Credentials{AccessKeyID: rtctest.DemoAccessKeyID, SecretAccessKey: rtctest.DemoSecretAccessKey}))
	if err != nil {
		return err
	}
	// One tracker per replica; replicas share an rtcredis.TaskStore.
	tracker, err := rtc.NewTaskTracker(client, rtc.NewMemoryTaskStore(), deliver,
		rtc.WithTaskClock(clock), rtc.WithTaskPollAfter(30*time.Second))
	if err != nil {
		return err
	}
	handler, err = rtc.NewCallbackHandler(secret, tracker.CallbackFunc(nil))
	if err != nil {
		return err
	}

	ref := rtc.TaskRef{Family: rtc.TaskFamilyRecord, AppID: "demo-app", RoomID: "class-1", TaskID: "rec-1"}
	if _, err := client.StartRecord(ctx, &rtc.StartRecordRequest{
		AppID: ref.AppID, RoomID: ref.RoomID, TaskID: ref.TaskID,
		StorageConfig: &rtc.RecordStorageConfig{TosConfig: &rtc.TosConfig{AccountID: "acc", Bucket: "recordings"}},
	}); err != nil {
		return err
	}
	if err := tracker.Track(ctx, ref); err != nil {
		return err
	}
	if _, err := client.StopRecord(ctx, &rtc.StopRecordRequest{AppID: ref.AppID, RoomID: ref.RoomID, TaskID: ref.TaskID}); err != nil {
		return err
	}
	if err := tracker.StopRequested(ctx, ref); err != nil {
		return err
	}
	if err := srv.FlushEvents(ctx); err != nil {
		return err
	}
	fmt.Printf("stop callbacks dropped by the fake: %d; outcomes so far: %d\n", len(srv.DroppedEvents()), len(outcomes))

	// Half a minute later no terminal callback came: the tracker polls.
	mu.Lock()
	now = now.Add(31 * time.Second)
	mu.Unlock()
	for range 3 { // more passes deliver nothing more
		if err := tracker.Tick(ctx); err != nil {
			return err
		}
	}
	if len(outcomes) != 1 || outcomes[0].Source != rtc.OutcomeFromPoll || len(outcomes[0].Files) == 0 {
		return errors.New("expected exactly one outcome, from a poll, with the recording's files")
	}
	st := tracker.Stats()
	fmt.Printf("delivered %d outcome(s); polls %d\n", st.Delivered, st.Polls)
	return nil
}
