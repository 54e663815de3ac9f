package rtc

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseDataVoiceChatAndReview(t *testing.T) {
	t.Parallel()
	ev := &CallbackEvent{EventType: EventVoiceChat, EventData: `{"AppId":"a","BusinessId":"b","RoomId":"r","TaskId":"t","UserID":"u","RoundID":2,"EventTime":1611736812853,"EventType":1,"RunStage":"asr","ErrorInfo":{"Errorcode":1003002,"Reason":"timeout"}}`}
	v, err := ev.ParseData()
	require.NoError(t, err)
	d, ok := v.(*VoiceChatEventData)
	require.True(t, ok, "%T", v)
	assert.Equal(t, &VoiceChatEventData{AppID: "a", BusinessID: "b", RoomID: "r", TaskID: "t", UserID: "u", RoundID: 2,
		EventTime: 1611736812853, EventType: VoiceChatFailed, RunStage: RunStageASR,
		ErrorInfo: &VoiceChatErrorInfo{Errorcode: VoiceChatErrASRRequest, Reason: "timeout"}}, d)
	assert.True(t, d.Failed())
	assert.Equal(t, int64(1611736812853), d.Time().UnixMilli())
	assert.Equal(t, "1003002 (request to speech recognition failed)", d.ErrorInfo.Errorcode.String())
	assert.Equal(t, "", VoiceChatErrorCode(42).Meaning())
	assert.Equal(t, "42", VoiceChatErrorCode(42).String())

	ev = &CallbackEvent{EventType: EventMachineReviewResult, EventData: `{"RoomId":"r","UserId":"u","MediaType":2,"Audio":"http://1.wav","AudioText":"x","HitReasons":["mandarin"],"RiskHit":[{"Score":0.9039,"Name":"gun"}],"RiskALL":[{"Score":0,"Name":"POLITY"}],"Suggest":"REJECT","AIResultOrigin":"{}"}`}
	v, err = ev.ParseData()
	require.NoError(t, err)
	r, ok := v.(*MachineReviewResultData)
	require.True(t, ok, "%T", v)
	assert.Equal(t, SuggestReject, r.Suggest)
	assert.Equal(t, []ReviewRisk{{Name: "gun", Score: 0.9039}}, r.RiskHit)
	assert.Equal(t, 2, r.MediaType)
	assert.Equal(t, []string{"mandarin"}, r.HitReasons)
}

func TestRecordStoppedFiles(t *testing.T) {
	t.Parallel()
	ev := &CallbackEvent{EventType: EventRecordStopped, EventData: `{"AppId":"a","RoomId":"r","TaskId":"t","RecordFileList":[{"ObjectKey":"p/a.mp4","Duration":1000,"Size":250000,"VideoWidth":640,"StreamList":[{"UserId":"u1"}]}]}`}
	v, err := ev.ParseData()
	require.NoError(t, err)
	files, err := v.(*RecordStoppedData).Files()
	require.NoError(t, err)
	require.Len(t, files, 1)
	assert.Equal(t, "p/a.mp4", files[0].ObjectKey)
	assert.Equal(t, int64(1000), files[0].Duration)
	assert.Equal(t, int32(640), files[0].VideoWidth)
	require.Len(t, files[0].StreamList, 1)
	_, err = (&RecordStoppedData{RecordFileList: []json.RawMessage{json.RawMessage(`"x"`)}}).Files()
	assert.ErrorContains(t, err, "RecordFileList[0]")
}
