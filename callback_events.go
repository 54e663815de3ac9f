package rtc

import (
	"encoding/json"
	"time"
)

// Event types RTC sends to the callback URL, grouped as in the vendor's
// public "EventType reference". Each constant's comment names the Go type
// that ParseData returns for it.
//
// The conversational AI and moderation events (EventVoiceChat,
// EventMachineReviewResult) are in callback_events_ai.go. The vendor
// documents still more events; those without a public field list are left
// untyped: ParseData returns their EventData as a map[string]any, and
// DecodeData decodes it into a type of your own.
const (
	// EventRecordStarted: a cloud recording task started (or failed to);
	// *TaskEventData.
	EventRecordStarted = "RecordStarted"
	// EventRecordStopped: a cloud recording task stopped; *RecordStoppedData.
	EventRecordStopped = "RecordStopped"
	// EventRecordUploadDone: a recording task finished uploading its files;
	// *TaskEventData.
	EventRecordUploadDone = "RecordUploadDone"

	// EventUserJoinRoom: a visible user joined a room; *UserEventData.
	EventUserJoinRoom = "UserJoinRoom"
	// EventUserLeaveRoom: a visible user left a room; *UserEventData.
	EventUserLeaveRoom = "UserLeaveRoom"
	// EventInvisibleUserJoinRoom: an invisible user joined a room;
	// *UserEventData.
	EventInvisibleUserJoinRoom = "InvisibleUserJoinRoom"
	// EventInvisibleUserLeaveRoom: an invisible user left a room;
	// *UserEventData.
	EventInvisibleUserLeaveRoom = "InvisibleUserLeaveRoom"
	// EventRoleChangeInvisible2Visible: a user in a room became visible;
	// *UserEventData.
	EventRoleChangeInvisible2Visible = "RoleChangeInvisible2Visible"
	// EventRoleChangeVisible2Invisible: a user in a room became invisible;
	// *UserEventData.
	EventRoleChangeVisible2Invisible = "RoleChangeVisible2Invisible"
	// EventRoomCreate: a room was created (its first user joined);
	// *RoomEventData.
	EventRoomCreate = "RoomCreate"
	// EventRoomDestroy: a room was destroyed (its last user left);
	// *RoomEventData.
	EventRoomDestroy = "RoomDestroy"

	// EventUserAudioStreamStart: a user started publishing microphone audio;
	// *UserEventData.
	EventUserAudioStreamStart = "UserAudioStreamStart"
	// EventUserAudioStreamStop: a user stopped publishing microphone audio;
	// *UserEventData.
	EventUserAudioStreamStop = "UserAudioStreamStop"
	// EventUserVideoStreamStart: a user started publishing camera video;
	// *UserEventData.
	EventUserVideoStreamStart = "UserVideoStreamStart"
	// EventUserVideoStreamStop: a user stopped publishing camera video;
	// *UserEventData.
	EventUserVideoStreamStop = "UserVideoStreamStop"
	// EventUserScreenAudioStreamStart: a user started publishing screen-share
	// audio; *UserEventData.
	EventUserScreenAudioStreamStart = "UserScreenAudioStreamStart"
	// EventUserScreenAudioStreamStop: a user stopped publishing screen-share
	// audio; *UserEventData.
	EventUserScreenAudioStreamStop = "UserScreenAudioStreamStop"
	// EventUserScreenVideoStreamStart: a user started publishing screen-share
	// video; *UserEventData.
	EventUserScreenVideoStreamStart = "UserScreenVideoStreamStart"
	// EventUserScreenVideoStreamStop: a user stopped publishing screen-share
	// video; *UserEventData.
	EventUserScreenVideoStreamStop = "UserScreenVideoStreamStop"

	// EventTranscodeStarted: a push to CDN (called "transcode" in the event
	// names) started; *TaskEventData. Mixed-stream and single-stream pushes
	// (StartPushSingleStreamToCDN) both report through the Transcode*
	// events; TaskId tells the tasks apart.
	EventTranscodeStarted = "TranscodeStarted"
	// EventTranscodeStopped: a mixed-stream push to CDN stopped;
	// *TaskEventData.
	EventTranscodeStopped = "TranscodeStopped"
	// EventTranscodeUpdated: the parameters of a mixed-stream push to CDN
	// were updated; *TaskEventData.
	EventTranscodeUpdated = "TranscodeUpdated"
	// EventTranscodeStateChanged: the state of a mixed-stream push to CDN
	// changed; *TaskEventData.
	EventTranscodeStateChanged = "TranscodeStateChanged"

	// EventSegmentRealTimeData: an audio segmentation task produced a
	// segment; *TaskEventData.
	EventSegmentRealTimeData = "SegmentRealTimeData"
	// EventSnapshotRealTimeData: a snapshot task produced an image;
	// *TaskEventData.
	EventSnapshotRealTimeData = "SnapshotRealTimeData"
)

// TaskEventData is the EventData of events about a task started through the
// OpenAPI or the console: recording, mixed-stream push to CDN, segmentation,
// snapshots.
//
// The vendor documents these fields for RecordStarted and shows AppId,
// RoomId, TaskId and Code in RecordUploadDone; the other task events are
// assumed to share them. Fields specific to one event (file locations, task
// state details) are not modelled: decode EventData with
// CallbackEvent.DecodeData into your own type to read them.
type TaskEventData struct {
	AppID        string `json:"AppId"`
	BusinessID   string `json:"BusinessId,omitempty"`
	RoomID       string `json:"RoomId"`
	TaskID       string `json:"TaskId"`
	Code         int32  `json:"Code"`                   // 0 = success, otherwise failure
	ErrorMessage string `json:"ErrorMessage,omitempty"` // why, when Code is not 0
}

// Failed reports whether the task event reports a failure (Code not 0).
func (d *TaskEventData) Failed() bool { return d.Code != 0 }

// RecordStoppedData is the EventData of EventRecordStopped. A recording
// longer than about four hours is split into several files; RecordFileList
// describes each of them, as raw JSON; Files decodes the entries into the
// RecordFile type GetRecordTask uses.
type RecordStoppedData struct {
	TaskEventData
	RecordFileList []json.RawMessage `json:"RecordFileList,omitempty"`
	// StopReason says why the task stopped, when the event carries it
	// (rtctest always sets it); empty otherwise. GetRecordTask reports
	// the same reason.
	StopReason StopReason `json:"StopReason,omitempty"`
}

// UserEventData is the EventData of events about one user in a room: joining,
// leaving, changing visibility, starting and stopping a stream. Only the
// fields seen across these events are modelled.
type UserEventData struct {
	RoomID    string `json:"RoomId"`
	UserID    string `json:"UserId"`
	Timestamp int64  `json:"Timestamp"` // unix milliseconds
}

// Time returns Timestamp as a time.Time (the zero time when absent).
func (d *UserEventData) Time() time.Time { return unixMilli(d.Timestamp) }

// RoomEventData is the EventData of events about a room as a whole.
type RoomEventData struct {
	RoomID    string `json:"RoomId"`
	Timestamp int64  `json:"Timestamp,omitempty"` // unix milliseconds
}

// Time returns Timestamp as a time.Time (the zero time when absent).
func (d *RoomEventData) Time() time.Time { return unixMilli(d.Timestamp) }

func unixMilli(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

// ParseData decodes EventData into the type this package models for the
// event's type (see the Event constants) and returns a pointer to it:
// *TaskEventData, *RecordStoppedData, *UserEventData, *RoomEventData,
// *VoiceChatEventData or *MachineReviewResultData. For an
// event type it does not model it returns a map[string]any.
func (e *CallbackEvent) ParseData() (any, error) {
	var v any
	switch e.EventType {
	case EventRecordStopped:
		v = new(RecordStoppedData)
	case EventRecordStarted, EventRecordUploadDone,
		EventTranscodeStarted, EventTranscodeStopped, EventTranscodeUpdated, EventTranscodeStateChanged,
		EventSegmentRealTimeData, EventSnapshotRealTimeData:
		v = new(TaskEventData)
	case EventUserJoinRoom, EventUserLeaveRoom, EventInvisibleUserJoinRoom, EventInvisibleUserLeaveRoom,
		EventRoleChangeInvisible2Visible, EventRoleChangeVisible2Invisible,
		EventUserAudioStreamStart, EventUserAudioStreamStop, EventUserVideoStreamStart, EventUserVideoStreamStop,
		EventUserScreenAudioStreamStart, EventUserScreenAudioStreamStop,
		EventUserScreenVideoStreamStart, EventUserScreenVideoStreamStop:
		v = new(UserEventData)
	case EventRoomCreate, EventRoomDestroy:
		v = new(RoomEventData)
	case EventVoiceChat:
		v = new(VoiceChatEventData)
	case EventMachineReviewResult:
		v = new(MachineReviewResultData)
	default:
		m := map[string]any{}
		if err := e.DecodeData(&m); err != nil {
			return nil, err
		}
		return m, nil
	}
	if err := e.DecodeData(v); err != nil {
		return nil, err
	}
	return v, nil
}
