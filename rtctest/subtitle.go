package rtctest

// Real-time subtitle tasks (StartSubtitle, UpdateSubtitle, StopSubtitle,
// 2024-06-01) join the task families: a task is keyed by AppId, RoomId and
// TaskId; a second Start with the same key answers
// InvalidParameter.TaskAlreadyExists; Update and Stop of a task that does
// not run answer InvalidParameter.ErrorActiveTaskNotFound. Server.Task
// reports them with kind "subtitle".
func init() {
	for a, op := range map[string]taskOp{
		"StartSubtitle":  {kind: "subtitle", op: opStart},
		"UpdateSubtitle": {kind: "subtitle", op: opUpdate},
		"StopSubtitle":   {kind: "subtitle", op: opStop},
	} {
		taskOps[a] = op
	}
}
