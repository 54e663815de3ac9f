package rtc_test

import (
	"context"
	"fmt"
	"time"

	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/rtctest"
)

// Wait for a recording to run, stop it, and wait for it to end.
func ExampleClient_WaitRecordTask() {
	srv := rtctest.NewServer()
	defer srv.Close()
	client, _ := rtc.New(rtc.WithEndpoint(srv.URL), rtc.WithCredentials(rtc.Credentials{
		AccessKeyID: rtctest.DemoAccessKeyID, SecretAccessKey: rtctest.DemoSecretAccessKey}))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // bounds the wait
	defer cancel()

	_, err := client.StartRecord(ctx, &rtc.StartRecordRequest{
		AppID: "app", RoomID: "class1", TaskID: "rec1",
		StorageConfig: &rtc.RecordStorageConfig{TosConfig: &rtc.TosConfig{AccountID: "acc", Bucket: "bucket"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	get := &rtc.GetRecordTaskRequest{AppID: "app", RoomID: "class1", TaskID: "rec1"}
	res, err := client.WaitRecordTask(ctx, get, rtc.WaitFor(rtc.TaskStatusRunning))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("running:", res.RecordTask.Status.Running())

	_, _ = client.StopRecord(ctx, &rtc.StopRecordRequest{AppID: "app", RoomID: "class1", TaskID: "rec1"})
	res, err = client.WaitRecordTask(ctx, get, rtc.WaitInterval(100*time.Millisecond, 5*time.Second))
	if err != nil {
		fmt.Println(err) // the last result, if any, is in res
		return
	}
	t := res.RecordTask
	fmt.Println(t.Status, t.StopReason, !t.EndedAt().Before(t.StartedAt()))
	// Output:
	// running: true
	// Ended StopByAPI true
}
