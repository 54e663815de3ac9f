package rtctest_test

import (
	"context"
	"fmt"

	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/rtctest"
)

// The fake posts signed event callbacks to the backend's own handler, as
// RTC does: no hand-built events in the test.
func ExampleWithEventHandler() {
	const secret = "callback secret"
	handler, _ := rtc.NewCallbackHandler(secret, func(_ context.Context, ev *rtc.CallbackEvent) error {
		data, err := ev.ParseData()
		if err != nil {
			return err
		}
		if d, ok := data.(*rtc.RecordStoppedData); ok {
			fmt.Println(ev.EventType, d.TaskID, d.StopReason, len(d.RecordFileList), "file(s)")
			return nil
		}
		fmt.Println(ev.EventType)
		return nil
	})
	srv := rtctest.NewServer(rtctest.WithEventHandler(handler, secret))
	defer srv.Close()
	client, _ := rtc.New(rtc.WithEndpoint(srv.URL), rtc.WithCredentials(rtc.Credentials{
		AccessKeyID: rtctest.DemoAccessKeyID, SecretAccessKey: rtctest.DemoSecretAccessKey}))

	ctx := context.Background()
	_, _ = client.StartRecord(ctx, &rtc.StartRecordRequest{
		AppID: "app", RoomID: "class1", TaskID: "rec1",
		StorageConfig: &rtc.RecordStorageConfig{TosConfig: &rtc.TosConfig{AccountID: "acc", Bucket: "bucket"}},
	})
	_, _ = client.StopRecord(ctx, &rtc.StopRecordRequest{AppID: "app", RoomID: "class1", TaskID: "rec1"})
	_ = srv.FlushEvents(ctx)
	// Output:
	// RecordStarted
	// RecordStopped rec1 StopByAPI 1 file(s)
	// RecordUploadDone
}
