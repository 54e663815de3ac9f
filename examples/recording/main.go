// Command recording tells a backend's whole cloud recording story: start a
// recording, wait for it to run, stop it, wait for it to end, and receive
// RTC's signed RecordStopped and RecordUploadDone events on the backend's
// own callback handler.
//
// With no credentials it runs against the in-process fake server
// (rtctest), which posts its signed events to this program's callback
// receiver on a loopback port, exactly as RTC posts them to yours:
//
//	go run ./examples/recording
//
// With credentials (VOLCENGINE_ACCESS_KEY / VOLCENGINE_SECRET_KEY, or the
// other sources of rtc.DefaultCredentials), RTC_APP_ID, RTC_TOS_ACCOUNT_ID
// and RTC_TOS_BUCKET set, it records room RTC_ROOM_ID (default
// "recording-room") of the real service into that bucket for a few
// seconds. Events then go to the callback URL set in the console; see
// examples/callbacks for a receiver.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/rtctest"
)

const demoSecret = "demo callback secret"

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "recording:", err)
		os.Exit(1)
	}
}

func run(out io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }

	// The backend's callback receiver: verifies each event's signature and
	// hands recording events to the story below.
	events := make(chan *rtc.CallbackEvent, 16)
	handler, err := rtc.NewCallbackHandler(envOr("RTC_CALLBACK_SECRET", demoSecret),
		func(_ context.Context, ev *rtc.CallbackEvent) error {
			select {
			case events <- ev:
			default: // the demo reads only the events it waits for
			}
			return nil
		})
	if err != nil {
		return err
	}

	appID, roomID := os.Getenv("RTC_APP_ID"), envOr("RTC_ROOM_ID", "recording-room")
	storage := &rtc.RecordStorageConfig{TosConfig: &rtc.TosConfig{
		AccountID: os.Getenv("RTC_TOS_ACCOUNT_ID"), Bucket: os.Getenv("RTC_TOS_BUCKET"),
	}}
	var client *rtc.Client
	fake := true
	if _, credErr := rtc.DefaultCredentials().Retrieve(ctx); credErr == nil && appID != "" &&
		storage.TosConfig.AccountID != "" && storage.TosConfig.Bucket != "" {
		fake = false
		p("Using the real RTC OpenAPI with your credentials.")
		client, err = rtc.New(rtc.WithRegion(envOr("RTC_REGION", rtc.RegionCNNorth1)), rtc.WithUserAgent("rtc-recording-example"))
		if err != nil {
			return err
		}
	} else {
		p("No credentials, RTC_APP_ID and bucket set: using the in-process fake server (rtctest).")
		appID = "661e2f2a543cf0123456789a"
		storage.TosConfig.AccountID, storage.TosConfig.Bucket = "demo-account", "demo-bucket"

		// Serve the callback handler on a loopback port, and tell the
		// fake to post its events there.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		hs := &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second}
		go func() { _ = hs.Serve(ln) }()
		defer hs.Close()
		callbackURL := "http://" + ln.Addr().String() + "/rtc/callback"
		p("Callback receiver at %s", callbackURL)

		srv := rtctest.NewServer(rtctest.WithEventCallback(callbackURL, demoSecret))
		defer srv.Close()
		if err := srv.Join(appID, roomID, "teacher"); err != nil {
			return err
		}
		client, err = rtc.New(
			rtc.WithEndpoint(srv.URL),
			rtc.WithCredentials(rtc.Credentials{AccessKeyID: rtctest.DemoAccessKeyID, SecretAccessKey: rtctest.DemoSecretAccessKey}),
		)
		if err != nil {
			return err
		}
	}
	taskID := fmt.Sprintf("rec-%d", time.Now().Unix())
	get := &rtc.GetRecordTaskRequest{AppID: appID, RoomID: roomID, TaskID: taskID}
	poll := rtc.WaitInterval(200*time.Millisecond, 2*time.Second)

	// 1. Start. The TaskId makes the call safe to retry.
	if _, err := client.StartRecord(ctx, &rtc.StartRecordRequest{
		AppID: appID, RoomID: roomID, TaskID: taskID, StorageConfig: storage,
		FileFormatConfig: &rtc.FileFormatConfig{FileFormat: []rtc.FileFormat{rtc.FileFormatMP4}},
		TargetStreams:    &rtc.Streams{StreamList: []rtc.Stream{{UserID: "teacher"}}},
	}); err != nil {
		return fmt.Errorf("start: %w", err)
	}
	p("1. Started recording task %s in room %s", taskID, roomID)

	// 2. Wait until it runs (or ends at once, which a waiter reports too).
	res, err := client.WaitRecordTask(ctx, get, rtc.WaitFor(rtc.TaskStatusRunning), poll)
	if err != nil {
		return fmt.Errorf("wait for running: %w", err)
	}
	if !res.RecordTask.Status.Running() {
		return fmt.Errorf("the task ended before it ran: %v (%s)", res.RecordTask.Status, res.RecordTask.StopReason)
	}
	p("2. Running since %s", res.RecordTask.StartedAt().Format(time.RFC3339))

	if !fake {
		time.Sleep(5 * time.Second) // record a little of the real room
	}

	// 3. Stop, then wait for the task to end.
	if _, err := client.StopRecord(ctx, &rtc.StopRecordRequest{AppID: appID, RoomID: roomID, TaskID: taskID}); err != nil {
		return fmt.Errorf("stop: %w", err)
	}
	res, err = client.WaitRecordTask(ctx, get, poll)
	if err != nil {
		return fmt.Errorf("wait for the end: %w", err)
	}
	t := res.RecordTask
	p("3. Status %v, stop reason %s, ended %s, %d file(s)", t.Status, t.StopReason, t.EndedAt().Format(time.RFC3339), len(t.RecordFileList))
	for _, f := range t.RecordFileList {
		p("   %s (%d ms)", f.ObjectKey, f.Duration)
	}
	if !fake {
		p("Events go to the callback URL set in the console; see examples/callbacks.")
		return nil
	}

	// 4. The signed events arrive on the backend's own handler, which
	// has already verified them.
	var stopped, uploaded bool
	for !stopped || !uploaded {
		select {
		case ev := <-events:
			data, err := ev.ParseData()
			if err != nil {
				return err
			}
			switch ev.EventType {
			case rtc.EventRecordStopped:
				d := data.(*rtc.RecordStoppedData)
				if d.TaskID != taskID {
					continue
				}
				stopped = true
				p("4. Received %s for task %s (signature verified): reason %s, %d file(s)", ev.EventType, d.TaskID, d.StopReason, len(d.RecordFileList))
			case rtc.EventRecordUploadDone:
				var d rtc.RecordStoppedData // carries the uploaded files too
				if err := ev.DecodeData(&d); err != nil {
					return err
				}
				if d.TaskID != taskID {
					continue
				}
				uploaded = true
				for _, raw := range d.RecordFileList {
					var f rtc.RecordFile
					if err := json.Unmarshal(raw, &f); err != nil {
						return err
					}
					p("5. Received %s: %s uploaded", ev.EventType, f.ObjectKey)
				}
			default:
				p("   (event %s)", ev.EventType)
			}
		case <-ctx.Done():
			return errors.New("no RecordStopped and RecordUploadDone event arrived in time")
		}
	}
	p("Done.")
	return nil
}

func envOr(k, def string) string {
	if v := strings.TrimSpace(os.Getenv(k)); v != "" {
		return v
	}
	return def
}
