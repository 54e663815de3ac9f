package rtctest

import "testing"

func TestSubtitleTasks(t *testing.T) {
	srv := NewServer()
	defer srv.Close()
	in := map[string]any{"AppId": "app1", "RoomId": "room1", "TaskId": "sub1",
		"LanguageConfig": map[string]any{"SourceLanguages": []any{map[string]any{"UserId": "u1", "LanguageCode": []any{"zh"}}}}}
	mustOK(t, srv, "StartSubtitle", in)
	mustFail(t, srv, "StartSubtitle", in, 400, "InvalidParameter.TaskAlreadyExists")
	info, ok := srv.Task("app1", "subtitle", "room1", "sub1")
	if !ok || !info.Running {
		t.Fatalf("subtitle task = %+v, %v", info, ok)
	}
	mustOK(t, srv, "UpdateSubtitle", merge(in, map[string]any{"ReceiverList": []any{"u2"}}))
	info, _ = srv.Task("app1", "subtitle", "room1", "sub1")
	if l, _ := info.Input["ReceiverList"].([]any); len(l) != 1 || l[0] != "u2" {
		t.Fatalf("the update is not merged into the task's input: %+v", info.Input)
	}
	mustOK(t, srv, "StopSubtitle", in)
	mustFail(t, srv, "StopSubtitle", in, 400, "InvalidParameter.ErrorActiveTaskNotFound")
	mustFail(t, srv, "UpdateSubtitle", in, 400, "InvalidParameter.ErrorActiveTaskNotFound")
	mustFail(t, srv, "StopSubtitle", merge(in, map[string]any{"TaskId": "never"}), 400, "InvalidParameter.ErrorActiveTaskNotFound")
}
