package rtc

import (
	"encoding/json"
	"fmt"
	"time"
)

// Events of conversational AI and content moderation.
const (
	// EventVoiceChat: a voice chat agent's task changed stage or met an
	// error (page 6348/1928198); *VoiceChatEventData. It reaches the
	// callback URL configured in the console for the VoiceChat event.
	EventVoiceChat = "VoiceChat"
	// EventMachineReviewResult: a moderation task (StartDetection) judged
	// a user's content (page 6348/104534); *MachineReviewResultData. It
	// reaches the Callback URL given to StartDetection, signed like every
	// event.
	EventMachineReviewResult = "MachineReviewResult"
)

// VoiceChatEventType is the EventType of a VoiceChat event.
type VoiceChatEventType int

// The EventType values of a VoiceChat event.
const (
	// VoiceChatStateChanged: the task moved to the stage in RunStage.
	VoiceChatStateChanged VoiceChatEventType = 0
	// VoiceChatFailed: the task met an error; ErrorInfo says which.
	VoiceChatFailed VoiceChatEventType = 1
)

// VoiceChatRunStage is the RunStage of a VoiceChat event.
type VoiceChatRunStage string

// The RunStage values of a VoiceChat event (page 6348/1928198). A round
// runs beginAsking, asrFinish, llmOutput (and reasoningStart for a
// reasoning model), answerStart, then answerFinish or interrupted; the
// task begins with taskStart and ends with taskStop. asr, llm, tts and
// preParamCheck name where an error (VoiceChatFailed) happened.
const (
	RunStageTaskStart      VoiceChatRunStage = "taskStart"      // the task started
	RunStageTaskStop       VoiceChatRunStage = "taskStop"       // the task ended
	RunStageBeginAsking    VoiceChatRunStage = "beginAsking"    // the user started speaking
	RunStageASRFinish      VoiceChatRunStage = "asrFinish"      // the user finished speaking
	RunStageLLMOutput      VoiceChatRunStage = "llmOutput"      // the model produced its first token
	RunStageReasoningStart VoiceChatRunStage = "reasoningStart" // the model started deep reasoning
	RunStageAnswerStart    VoiceChatRunStage = "answerStart"    // the agent started speaking
	RunStageAnswerFinish   VoiceChatRunStage = "answerFinish"   // the agent finished speaking
	RunStageInterrupted    VoiceChatRunStage = "interrupted"    // the agent's speech was interrupted
	RunStageASR            VoiceChatRunStage = "asr"            // speech recognition stage
	RunStageLLM            VoiceChatRunStage = "llm"            // language model stage
	RunStageTTS            VoiceChatRunStage = "tts"            // speech synthesis stage
	RunStagePreParamCheck  VoiceChatRunStage = "preParamCheck"  // the parameters failed validation
	RunStageTaskUsage      VoiceChatRunStage = "taskUsage"      // usage, after taskStop, in ExtraInfo
)

// VoiceChatErrorCode is the Errorcode of a failed VoiceChat event.
type VoiceChatErrorCode int

// Error codes of VoiceChat events (page 6348/1928198). The vendor's table
// lists more; a code not named here still arrives in ErrorInfo.Errorcode,
// and Meaning returns "" for it.
const (
	VoiceChatErrTaskInit         VoiceChatErrorCode = 1000001 // task initialization failed (internal)
	VoiceChatErrUnknownParameter VoiceChatErrorCode = 1000002 // a parameter is not known
	VoiceChatErrASRInit          VoiceChatErrorCode = 1003001 // the ASR could not be set up: check its configuration
	VoiceChatErrASRRequest       VoiceChatErrorCode = 1003002 // sending the request to the ASR service failed
	VoiceChatErrASRRead          VoiceChatErrorCode = 1003003 // reading the ASR answer failed (network, timeout)
	VoiceChatErrASRParse         VoiceChatErrorCode = 1003004 // the ASR answer could not be parsed
)

var voiceChatErrMeaning = map[VoiceChatErrorCode]string{
	VoiceChatErrTaskInit:         "task initialization failed",
	VoiceChatErrUnknownParameter: "unknown parameter",
	VoiceChatErrASRInit:          "speech recognition could not be set up",
	VoiceChatErrASRRequest:       "request to speech recognition failed",
	VoiceChatErrASRRead:          "reading the speech recognition answer failed",
	VoiceChatErrASRParse:         "the speech recognition answer could not be parsed",
}

// Meaning returns what the vendor documents for the code, or "" for a code
// not named in this package.
func (c VoiceChatErrorCode) Meaning() string { return voiceChatErrMeaning[c] }

// String returns the code and, when known, its meaning.
func (c VoiceChatErrorCode) String() string {
	if m := c.Meaning(); m != "" {
		return fmt.Sprintf("%d (%s)", int(c), m)
	}
	return fmt.Sprint(int(c))
}

// VoiceChatErrorInfo says why a VoiceChat task failed.
type VoiceChatErrorInfo struct {
	Errorcode VoiceChatErrorCode `json:"Errorcode"`
	Reason    string             `json:"Reason"`
}

// VoiceChatEventData is the EventData of EventVoiceChat (page
// 6348/1928198). See AgentState for how it relates to the conv server
// messages.
type VoiceChatEventData struct {
	AppID      string `json:"AppId"`
	BusinessID string `json:"BusinessId,omitempty"`
	RoomID     string `json:"RoomId"`
	TaskID     string `json:"TaskId"`
	// UserID is the speaker's UserId.
	UserID string `json:"UserID"`
	// RoundID is the conversation round, counted from 0.
	RoundID int64 `json:"RoundID"`
	// EventTime is when it happened on the RTC server, in Unix
	// milliseconds; see Time.
	EventTime int64              `json:"EventTime"`
	EventType VoiceChatEventType `json:"EventType"`
	RunStage  VoiceChatRunStage  `json:"RunStage"`
	// ErrorInfo is set when EventType is VoiceChatFailed.
	ErrorInfo *VoiceChatErrorInfo `json:"ErrorInfo,omitempty"`
	// ExtraInfo is more detail as a JSON string (usage, for taskUsage).
	ExtraInfo string `json:"ExtraInfo,omitempty"`
}

// Time returns EventTime as a time.Time (the zero time when absent).
func (d *VoiceChatEventData) Time() time.Time { return unixMilli(d.EventTime) }

// Failed reports whether the event reports an error.
func (d *VoiceChatEventData) Failed() bool { return d.EventType == VoiceChatFailed }

// ReviewSuggest is the advice of a moderation result.
type ReviewSuggest string

// The Suggest values of MachineReviewResult (page 6348/104534).
const (
	SuggestPass   ReviewSuggest = "PASS"   // nothing to do
	SuggestReview ReviewSuggest = "REVIEW" // have a person look at it
	SuggestReject ReviewSuggest = "REJECT" // block the user's content
)

// ReviewRisk is one moderation model and its score.
type ReviewRisk struct {
	Name  string  `json:"Name"`  // the model, e.g. porn_general_image_v4
	Score float64 `json:"Score"` // 0 to 1; higher is more likely a violation
}

// MachineReviewResultData is the EventData of EventMachineReviewResult
// (page 6348/104534).
type MachineReviewResultData struct {
	RoomID string `json:"RoomId"`
	UserID string `json:"UserId"`
	// MediaType is what was judged: 1 a video snapshot, 2 an audio slice.
	MediaType int `json:"MediaType"`
	// Images are the URLs of the judged images.
	Images []string `json:"Images,omitempty"`
	// Audio is the URL of the judged audio slice.
	Audio string `json:"Audio,omitempty"`
	// AudioText is the text recognised in the audio.
	AudioText  string   `json:"AudioText,omitempty"`
	HitReasons []string `json:"HitReasons,omitempty"`
	// RiskHit lists the models that found a violation (absent when none
	// did); RiskALL every model configured.
	RiskHit []ReviewRisk  `json:"RiskHit,omitempty"`
	RiskALL []ReviewRisk  `json:"RiskALL,omitempty"`
	Suggest ReviewSuggest `json:"Suggest"`
	// AIResultOrigin is the models' raw result, a JSON string.
	AIResultOrigin string `json:"AIResultOrigin,omitempty"`
	// AudioSegmentInfo describes the audio slice, for audio results (raw
	// JSON in the vendor's format).
	AudioSegmentInfo json.RawMessage `json:"AudioSegmentInfo,omitempty"`
}

// Files decodes RecordFileList into RecordFile values, the type
// GetRecordTask reports its files with.
func (d *RecordStoppedData) Files() ([]RecordFile, error) {
	out := make([]RecordFile, 0, len(d.RecordFileList))
	for i, raw := range d.RecordFileList {
		var f RecordFile
		if err := json.Unmarshal(raw, &f); err != nil {
			return nil, fmt.Errorf("rtc: RecordFileList[%d]: %w", i, err)
		}
		out = append(out, f)
	}
	return out, nil
}
