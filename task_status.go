package rtc

import "strconv"

// TaskStatus is the state of a task (recording, segmentation, snapshots,
// CDN push, web capture) as its Get*Task action reports it. Every task
// family uses the same values.
type TaskStatus int64

const (
	// TaskStatusUnknown: the service could not tell the state (an abnormal
	// condition), or the field was absent.
	TaskStatusUnknown TaskStatus = 0
	// TaskStatusNotStarted: the task is accepted but has not started yet.
	TaskStatusNotStarted TaskStatus = 1
	// TaskStatusRunning: the task is running.
	TaskStatusRunning TaskStatus = 2
	// TaskStatusEnded: the task has stopped; StopReason says why.
	TaskStatusEnded TaskStatus = 3
	// TaskStatusFailed: the task failed while running.
	TaskStatusFailed TaskStatus = 4
)

// Running reports whether the task is running.
func (s TaskStatus) Running() bool { return s == TaskStatusRunning }

// Ended reports whether the task is over for good: stopped
// (TaskStatusEnded) or failed (TaskStatusFailed). A task that has ended
// never runs again; start a new one.
func (s TaskStatus) Ended() bool { return s == TaskStatusEnded || s == TaskStatusFailed }

// Failed reports whether the task failed (TaskStatusFailed).
func (s TaskStatus) Failed() bool { return s == TaskStatusFailed }

// String returns the state's name ("Running"), or the number for a value
// this package does not know.
func (s TaskStatus) String() string {
	switch s {
	case TaskStatusUnknown:
		return "Unknown"
	case TaskStatusNotStarted:
		return "NotStarted"
	case TaskStatusRunning:
		return "Running"
	case TaskStatusEnded:
		return "Ended"
	case TaskStatusFailed:
		return "Failed"
	}
	return "TaskStatus(" + strconv.FormatInt(int64(s), 10) + ")"
}

// StopReason says why a task stopped. It is empty while the task has not
// ended. The service may add reasons: compare with the constants and treat
// any other value as unknown.
type StopReason string

const (
	// StopReasonNone: the task has not ended.
	StopReasonNone StopReason = ""
	// StopReasonUnknown: the service does not know why the task stopped.
	StopReasonUnknown StopReason = "UnknownStopReason"
	// StopReasonStopByAPI: a Stop action (or the console) stopped it.
	StopReasonStopByAPI StopReason = "StopByAPI"
	// StopReasonStartTaskFailed: the task could not start.
	StopReasonStartTaskFailed StopReason = "StartTaskFailed"
	// StopReasonIdleTimeOut: nothing was published to the task for longer
	// than its maximum idle time (MaxIdleTime in the Start request).
	StopReasonIdleTimeOut StopReason = "IdleTimeOut"
	// StopReasonUserDisconnect: the user the task follows left the room
	// (CDN push, automatic segmentation and snapshots).
	StopReasonUserDisconnect StopReason = "UserDisconnect"
	// StopReasonExceedMaxRunningTime: the task ran for its longest allowed
	// time (web capture, MaxRunningTime in StartWebcast).
	StopReasonExceedMaxRunningTime StopReason = "ExceedMaxRunningTime"
)
