package main

import (
	"fmt"
	"sort"
	"strings"
)

// Task families: every Get*Task action whose result wraps one task object
// with a Status and a StartTime. For each, the generator types Status as
// TaskStatus and StopReason as StopReason (both hand-written in
// task_status.go), adds StartedAt/EndedAt accessors for the millisecond
// times, and writes a waiter, Wait<Family>, into waiters.go. The waiters
// share one implementation, waitTask in wait.go.

// taskFamily is one task family the waiters poll.
type taskFamily struct {
	Get  *actionModel
	Wrap *field      // the result field holding the task ("RecordTask")
	Task *structType // its struct
	End  bool        // the task has an EndTime
}

// waiterName is the name of a family's waiter: GetRecordTask gives
// WaitRecordTask.
func (f *taskFamily) waiterName() string { return "Wait" + strings.TrimPrefix(f.Get.Name, "Get") }

// findTaskFamilies detects the task families and types their status
// fields. It runs before nested types are named.
func (m *model) findTaskFamilies() {
	for _, am := range m.Actions {
		if !strings.HasPrefix(am.Name, "Get") || !strings.HasSuffix(am.Name, "Task") {
			continue
		}
		if len(am.Result.Fields) != 1 || am.Result.Fields[0].Struct == nil || am.Result.Fields[0].Spec.Type != "object" {
			continue
		}
		wrap := am.Result.Fields[0]
		fam := &taskFamily{Get: am, Wrap: wrap, Task: wrap.Struct}
		var status *field
		hasStart := false
		for _, f := range wrap.Struct.Fields {
			switch {
			case f.Wire == "Status" && isIntType(f.Spec.Type):
				status = f
			case f.Wire == "StartTime" && f.Spec.Type == "int64":
				hasStart = true
			case f.Wire == "EndTime" && f.Spec.Type == "int64":
				fam.End = true
			}
		}
		if status == nil || !hasStart {
			continue
		}
		for _, f := range wrap.Struct.Fields {
			switch {
			case f == status:
				f.Named = "TaskStatus"
				if f.Doc == "" {
					f.Doc = "Status is the task's state: running, ended, failed (see TaskStatus)."
				}
			case f.Wire == "StopReason" && f.Spec.Type == "string":
				f.Named = "StopReason"
				if f.Doc == "" {
					f.Doc = "StopReason says why the task ended; empty while it has not."
				}
			case f.Wire == "StartTime" && f.Doc == "":
				f.Doc = "StartTime is when the task started, in unix milliseconds (see StartedAt)."
			case f.Wire == "EndTime" && f.Doc == "":
				f.Doc = "EndTime is when the task ended, in unix milliseconds; 0 while it runs (see EndedAt)."
			}
		}
		m.Tasks = append(m.Tasks, fam)
	}
	sort.Slice(m.Tasks, func(i, j int) bool { return m.Tasks[i].Get.Name < m.Tasks[j].Get.Name })
}

func isIntType(t string) bool { return t == "int32" || t == "int64" }

// renderWaiters writes waiters.go: one waiter per task family and the time
// accessors of its task type.
func (m *model) renderWaiters(b *strings.Builder) {
	done := map[*structType]bool{}
	for _, f := range m.Tasks {
		get, res, req := f.Get.Name, f.Get.Result.Name, f.Get.Request.Name
		writeComment(b, fmt.Sprintf("%s calls %s until the task has ended (stopped or failed), or is "+
			"in a state named with WaitFor, and returns the last result. It pauses between polls with "+
			"backoff and jitter (WaitInterval), keeps polling through throttling (waiting at least as long as "+
			"Retry-After asks) and brief unavailability, and stops at the first other error or when ctx "+
			"ends; then it returns the last result it got with the error.", f.waiterName(), get))
		fmt.Fprintf(b, "func (c *Client) %s(ctx context.Context, req *%s, opts ...WaitOption) (*%s, error) {\n", f.waiterName(), req, res)
		fmt.Fprintf(b, "\treturn waitTask(ctx, c, %q, req, c.%s, func(r *%s) TaskStatus { return r.%s.Status }, opts)\n}\n\n", get, get, res, f.Wrap.Name)
		if done[f.Task] {
			continue
		}
		done[f.Task] = true
		t := f.Task.Name
		fmt.Fprintf(b, "// StartedAt returns StartTime as a time.Time (the zero Time when unset).\n")
		fmt.Fprintf(b, "func (t *%s) StartedAt() time.Time { return unixMilli(t.StartTime) }\n\n", t)
		if f.End {
			fmt.Fprintf(b, "// EndedAt returns EndTime as a time.Time (the zero Time while the task runs).\n")
			fmt.Fprintf(b, "func (t *%s) EndedAt() time.Time { return unixMilli(t.EndTime) }\n\n", t)
		}
	}
}
