package rtctest

import (
	"crypto/rand"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/volcrtc/rtc/internal/spec"
)

// Task status values, as the vendor documents them for Get*Task results
// (the SDK's rtc.TaskStatusRunning, rtc.TaskStatusEnded and
// rtc.TaskStatusFailed; the SDK's results carry them typed).
const (
	TaskStatusRunning = 2
	TaskStatusStopped = 3
	TaskStatusFailed  = 4
)

type taskOpKind int

const (
	opStart taskOpKind = iota
	opUpdate
	opStop
	opGet
	opList
)

// taskOp says what an action does to which kind of task.
type taskOp struct {
	kind string     // task family
	op   taskOpKind // what the action does
	sub  string     // variant within the family (CDN push: single or mixed)
	// idField names the input that identifies the task within its room:
	// TaskId for most, PublicStreamId for public streams (which have no
	// room), UserId for detection.
	idField string
	// resultKey is the object the Get action's Result wraps the task in.
	resultKey string
}

// taskOps is the table of task actions.
var taskOps = map[string]taskOp{
	"StartRecord":   {kind: "record", op: opStart},
	"UpdateRecord":  {kind: "record", op: opUpdate},
	"StopRecord":    {kind: "record", op: opStop},
	"GetRecordTask": {kind: "record", op: opGet, resultKey: "RecordTask"},

	"StartSegment":   {kind: "segment", op: opStart},
	"UpdateSegment":  {kind: "segment", op: opUpdate},
	"StopSegment":    {kind: "segment", op: opStop},
	"GetSegmentTask": {kind: "segment", op: opGet, resultKey: "SegmentTask"},

	"StartSnapshot":   {kind: "snapshot", op: opStart},
	"UpdateSnapshot":  {kind: "snapshot", op: opUpdate},
	"StopSnapshot":    {kind: "snapshot", op: opStop},
	"GetSnapshotTask": {kind: "snapshot", op: opGet, resultKey: "SnapshotTask"},

	"StartRelayStream":  {kind: "relay", op: opStart},
	"UpdateRelayStream": {kind: "relay", op: opUpdate},
	"StopRelayStream":   {kind: "relay", op: opStop},
	"ListRelayStream":   {kind: "relay", op: opList},

	"StartPushSingleStreamToCDN":   {kind: "cdn", op: opStart, sub: "single"},
	"StartPushMixedStreamToCDN":    {kind: "cdn", op: opStart, sub: "mixed"},
	"UpdatePushMixedStreamToCDN":   {kind: "cdn", op: opUpdate, sub: "mixed"},
	"StopPushStreamToCDN":          {kind: "cdn", op: opStop},
	"GetPushSingleStreamToCDNTask": {kind: "cdn", op: opGet, sub: "single", resultKey: "PushSingleStreamToCDNTask"},
	"GetPushMixedStreamToCDNTask":  {kind: "cdn", op: opGet, sub: "mixed", resultKey: "PushMixedStreamToCDNTask"},

	"StartPushPublicStream":   {kind: "public", op: opStart, idField: "PublicStreamId"},
	"UpdatePublicStreamParam": {kind: "public", op: opUpdate, idField: "PublicStreamId"},
	"StopPushPublicStream":    {kind: "public", op: opStop, idField: "PublicStreamId"},

	"StartWebcast":   {kind: "webcast", op: opStart},
	"StopWebcast":    {kind: "webcast", op: opStop},
	"GetWebCastTask": {kind: "webcast", op: opGet, resultKey: "WebCastTask"},

	"StartWBRecord": {kind: "wbrecord", op: opStart},
	"StopWBRecord":  {kind: "wbrecord", op: opStop},

	"StartVoiceChat":  {kind: "voicechat", op: opStart},
	"UpdateVoiceChat": {kind: "voicechat", op: opUpdate},
	"StopVoiceChat":   {kind: "voicechat", op: opStop},

	"StartDetection":    {kind: "detection", op: opStart, idField: "UserId"},
	"StopDetection":     {kind: "detection", op: opStop, idField: "UserId"},
	"ListDetectionTask": {kind: "detection", op: opList, idField: "UserId"},
}

type taskKey struct{ kind, room, id string }

type task struct {
	sub            string
	room, id       string
	input          map[string]any
	started, ended time.Time
	running        bool
	stopReason     string      // why it ended (StopByAPI, IdleTimeOut, ...)
	failed         bool        // it ended in failure (Status 4)
	agent          *voiceAgent // the scripted agent of a voicechat task (agent.go)
}

// TaskInfo describes a task the server knows, for tests.
type TaskInfo struct {
	Kind, RoomID, TaskID string
	Running              bool
	Started, Ended       time.Time
	// StopReason is why the task ended ("StopByAPI" after a Stop, or the
	// reason given to EndTask); Failed reports an EndTask with failed set.
	StopReason string
	Failed     bool
	// Input is the latest input: the Start input with Update inputs merged
	// over it, field by field. Do not modify it.
	Input map[string]any
}

// Task returns what the server knows of a task: kind is one of record,
// segment, snapshot, relay, cdn, public (roomID ""; taskID is the
// PublicStreamId), webcast, wbrecord, voicechat or detection (taskID is the
// UserId).
func (s *Server) Task(appID, kind, roomID, taskID string) (TaskInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.st.app(appID).tasks[taskKey{kind, roomID, taskID}]
	if t == nil {
		return TaskInfo{}, false
	}
	return TaskInfo{Kind: kind, RoomID: roomID, TaskID: taskID, Running: t.running,
		Started: t.started, Ended: t.ended, StopReason: t.stopReason, Failed: t.failed, Input: t.input}, true
}

func (op taskOp) key(c *call) taskKey {
	id := op.idField
	if id == "" {
		id = "TaskId"
	}
	room := c.str("RoomId")
	if op.kind == "public" {
		room = ""
	}
	return taskKey{op.kind, room, c.str(id)}
}

// okResult is the answer of a successful Start, Update or Stop.
func okResult(c *call) any {
	if c.action.ResultType == "object" {
		return map[string]any{"Message": "success"}
	}
	return "success"
}

func notFound(k taskKey) *apiError {
	if k.room == "" {
		return invalid("InvalidParameter.ErrorActiveTaskNotFound", "no active task %q", k.id)
	}
	return invalid("InvalidParameter.ErrorActiveTaskNotFound", "no active task %q in room %q", k.id, k.room)
}

// handleTask runs the task table entry of the action.
func handleTask(c *call) (any, *apiError) {
	op := taskOps[c.action.Action]
	k := op.key(c)
	s := c.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.st.app(c.appID())
	t := a.tasks[k]
	switch op.op {
	case opStart:
		if t != nil && t.running {
			return nil, invalid("InvalidParameter.TaskAlreadyExists", "task %q is already running in room %q", k.id, k.room)
		}
		t = &task{sub: op.sub, room: k.room, id: k.id, input: c.in, started: c.now, running: true}
		a.tasks[k] = t
		s.emitTask(c.appID(), k, t, taskStarted)
		switch op.kind {
		case "voicechat":
			t.agent = newVoiceAgent(c.appID(), k, c.in)
			ac, _ := c.in["AgentConfig"].(map[string]any)
			welcome, _ := ac["WelcomeMessage"].(string)
			s.agentStart(t.agent, welcome)
		case "detection":
			// With CallbackType 1 every result is sent, so a first PASS
			// arrives at once; with 0 only violations (EmitReviewResult).
			if ct, _ := toInt(c.in["CallbackType"]); ct == 1 {
				s.reviewResult(c.appID(), t, "PASS", nil)
			}
		}
		return okResult(c), nil
	case opUpdate:
		if t == nil || !t.running || (op.sub != "" && t.sub != op.sub) {
			return nil, notFound(k)
		}
		merged := make(map[string]any, len(t.input)+len(c.in))
		for key, v := range t.input {
			merged[key] = v
		}
		for key, v := range c.in {
			merged[key] = v
		}
		t.input = merged
		s.emitTask(c.appID(), k, t, taskUpdated)
		if t.agent != nil {
			s.agentUpdate(t.agent, c.in)
		}
		return okResult(c), nil
	case opStop:
		if t == nil || !t.running {
			return nil, notFound(k)
		}
		t.running, t.ended, t.stopReason = false, c.now, "StopByAPI"
		s.emitTask(c.appID(), k, t, taskStopped)
		if t.agent != nil {
			s.agentStop(t.agent)
		}
		return okResult(c), nil
	case opGet:
		if op.kind == "cdn" && k.id == "" {
			t = a.findCDN(k.room, op.sub, c.str("UserId"))
		}
		if t == nil || (op.sub != "" && t.sub != op.sub) {
			return nil, invalid("InvalidParameter.ErrorActiveTaskNotFound", "no task %q in room %q", k.id, k.room)
		}
		return map[string]any{op.resultKey: taskView(c, op, t)}, nil
	}
	if op.kind == "relay" {
		return listRelay(c, a, k.room), nil
	}
	return listDetection(c, a, k.room), nil
}

// findCDN returns the latest CDN push task of a variant in a room (for a
// user, when given), for Get without TaskId.
func (a *appState) findCDN(room, sub, user string) *task {
	var best *task
	for k, t := range a.tasks {
		if k.kind != "cdn" || k.room != room || t.sub != sub {
			continue
		}
		if user != "" {
			st, _ := t.input["Stream"].(map[string]any)
			if u, _ := st["UserId"].(string); u != user {
				continue
			}
		}
		if best == nil || t.started.After(best.started) {
			best = t
		}
	}
	return best
}

// taskView builds a Get result: the spec's shape with zero values, the
// task's own input over them (secrets masked; see taskview.go), then its
// status and times.
func taskView(c *call, op taskOp, t *task) map[string]any {
	fd := findField(c.action.Result, op.resultKey)
	var fields []spec.Field
	if fd != nil {
		fields = fd.Fields
	}
	obj := zeroObject(fields)
	in, _ := maskSecrets(t.input).(map[string]any)
	overlay(obj, fields, in)
	obj["StartTime"] = t.started.UnixMilli()
	switch {
	case t.running:
		obj["Status"] = TaskStatusRunning
		obj["EndTime"] = 0
		obj["StopReason"] = ""
	case t.failed:
		obj["Status"] = TaskStatusFailed
		obj["EndTime"] = t.ended.UnixMilli()
		obj["StopReason"] = t.stopReason
	default:
		obj["Status"] = TaskStatusStopped
		obj["EndTime"] = t.ended.UnixMilli()
		obj["StopReason"] = t.stopReason
	}
	if _, ok := obj["RecordFileList"]; ok {
		obj["RecordFileList"] = recordFiles(c.appID(), t)
	}
	if _, ok := obj["PushStreamState"]; ok {
		obj["PushStreamState"] = map[bool]int{true: 1, false: 6}[t.running]
	}
	return obj
}

// maskSecrets copies v with every SecretKey value replaced.
func maskSecrets(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if strings.EqualFold(k, "SecretKey") {
				out[k] = "******"
				continue
			}
			out[k] = maskSecrets(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = maskSecrets(e)
		}
		return out
	}
	return v
}

// recordFiles lists the files a stopped recording produced: one per
// requested format (MP4 by default), with the recorded streams.
func recordFiles(appID string, t *task) []any {
	if t.running {
		return []any{}
	}
	formats := []string{"MP4"}
	if ffc, ok := t.input["FileFormatConfig"].(map[string]any); ok {
		if l, ok := ffc["FileFormat"].([]any); ok && len(l) > 0 {
			formats = formats[:0]
			for _, f := range l {
				if s, ok := f.(string); ok {
					formats = append(formats, s)
				}
			}
		}
	}
	prefix := "record"
	if fnc, ok := t.input["FileNameConfig"].(map[string]any); ok {
		if l, ok := fnc["Prefix"].([]any); ok && len(l) > 0 {
			parts := make([]string, 0, len(l))
			for _, p := range l {
				if s, ok := p.(string); ok {
					parts = append(parts, s)
				}
			}
			prefix = strings.Join(parts, "/")
		}
	}
	width, height := int64(640), int64(360)
	if enc, ok := t.input["Encode"].(map[string]any); ok {
		if w, ok := toInt(enc["VideoWidth"]); ok && w > 0 {
			width = w
		}
		if h, ok := toInt(enc["VideoHeight"]); ok && h > 0 {
			height = h
		}
	}
	streams := []any{}
	if ts, ok := t.input["TargetStreams"].(map[string]any); ok {
		if l, ok := ts["StreamList"].([]any); ok {
			streams = l
		}
	}
	dur := t.ended.Sub(t.started).Milliseconds()
	files := make([]any, 0, len(formats))
	for _, f := range formats {
		ext := strings.ToLower(f)
		if ext == "hls" {
			ext = "m3u8"
		}
		files = append(files, map[string]any{
			"ObjectKey":   prefix + "/" + appID + "/" + t.room + "/" + t.id + "_" + strconv.FormatInt(t.started.Unix(), 10) + "." + ext,
			"Duration":    dur,
			"Size":        dur * 250, // about 2 Mbit/s
			"StartTime":   t.started.UnixMilli(),
			"StreamList":  streams,
			"AudioCodec":  "aac",
			"VideoCodec":  "h264",
			"VideoWidth":  width,
			"VideoHeight": height,
			"Vid":         "",
		})
	}
	return files
}

// sortedTasks returns the tasks of a kind in a room, oldest first.
func (a *appState) sortedTasks(kind, room string) []*task {
	var out []*task
	for k, t := range a.tasks {
		if k.kind == kind && k.room == room {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(x, y *task) int {
		if c := x.started.Compare(y.started); c != 0 {
			return c
		}
		return strings.Compare(x.id, y.id)
	})
	return out
}

// listRelay answers ListRelayStream with Offset/Limit paging; Order 1
// lists the newest first.
func listRelay(c *call, a *appState, room string) map[string]any {
	all := a.sortedTasks("relay", room)
	if o, _ := c.num("Order"); o == 1 {
		slices.Reverse(all)
	}
	offset, _ := c.num("Offset")
	limit, ok := c.num("Limit")
	if !ok || limit <= 0 {
		limit = 10
	}
	items := []any{}
	for i := offset; i < int64(len(all)) && i < offset+limit; i++ {
		t := all[i]
		ctl, _ := t.input["Control"].(map[string]any)
		item := map[string]any{
			"AppId": c.appID(), "RoomId": room, "TaskId": t.id, "UserId": t.input["UserId"],
			"CreateTime": t.started.Unix(), "Status": map[bool]int{true: TaskStatusRunning, false: TaskStatusStopped}[t.running],
		}
		for _, f := range [...]string{"StreamUrl", "FrameRate", "MediaType", "StreamMode", "VideoHeight", "VideoWidth"} {
			if v, ok := ctl[f]; ok {
				item[f] = v
			} else if f != "StreamUrl" {
				item[f] = 0
			}
		}
		items = append(items, item)
	}
	return map[string]any{"Offset": offset, "Limit": limit, "Total": len(all), "Task": items}
}

// listDetection answers ListDetectionTask with the running detections of
// a room (of one user, when UserId is given).
func listDetection(c *call, a *appState, room string) map[string]any {
	user, hasUser := c.in["UserId"].(string)
	events := []any{}
	for _, t := range a.sortedTasks("detection", room) {
		if !t.running || (hasUser && user != "" && t.id != user) {
			continue
		}
		mt, _ := toInt(t.input["MediaType"])
		events = append(events, map[string]any{
			"CreateTime": t.started.Unix(), "MediaType": mt, "RoomId": room, "Status": 1, "UserId": t.id,
		})
	}
	return map[string]any{"EventData": events, "Message": "success"}
}

// Whiteboard transcoding: WbTranscodeCreate makes a task that is finished
// at once; WbTranscodeQuery reports it done, WbTranscodeGet its pages.

func newHexID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func handleWbTranscodeCreate(c *call) (any, *apiError) {
	id := "wb" + newHexID(12)
	s := c.srv
	s.mu.Lock()
	s.st.app(c.appID()).transcodes[id] = c.in
	s.mu.Unlock()
	return map[string]any{"TaskId": id}, nil
}

func (c *call) transcode() (map[string]any, *apiError) {
	s := c.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.st.app(c.appID()).transcodes[c.str("TaskId")]
	if !ok {
		return nil, invalid("InvalidParameter.ErrorActiveTaskNotFound", "no transcoding task %q", c.str("TaskId"))
	}
	return in, nil
}

func handleWbTranscodeQuery(c *call) (any, *apiError) {
	if _, e := c.transcode(); e != nil {
		return nil, e
	}
	return map[string]any{"Progress": 100, "Status": 2, "ErrCode": "", "ErrCodeN": 0, "ErrMsg": ""}, nil
}

func handleWbTranscodeGet(c *call) (any, *apiError) {
	in, e := c.transcode()
	if e != nil {
		return nil, e
	}
	name := "document.pdf"
	if ra, ok := in["ResourceAttr"].(map[string]any); ok {
		if s, ok := ra["FileName"].(string); ok && s != "" {
			name = s
		}
	} else if r, ok := in["Resource"].(string); ok && r != "" {
		name = r[strings.LastIndexByte(r, '/')+1:]
	}
	w, h := int64(1280), int64(720)
	if tc, ok := in["TranscodeConfig"].(map[string]any); ok {
		if v, ok := toInt(tc["OutputWidth"]); ok && v > 0 {
			w = v
		}
		if v, ok := toInt(tc["OutputHeight"]); ok && v > 0 {
			h = v
		}
	}
	mode, _ := toInt(in["TranscodeMode"])
	id := c.str("TaskId")
	images := make([]any, 3)
	for i := range images {
		p := strconv.Itoa(i + 1)
		images[i] = map[string]any{
			"PageId":       i + 1,
			"ImgUrl":       "https://example.com/rtctest/wb/" + id + "/" + p + ".png",
			"ThumbnailUrl": "https://example.com/rtctest/wb/" + id + "/thumb_" + p + ".png",
			"Warning":      "",
		}
	}
	return map[string]any{
		"FileId": id, "FileName": name, "Width": w, "Height": h, "TranscodeMode": mode,
		"Images": images, "ThumbnailWidth": 160, "ThumbnailHeight": 90,
	}, nil
}
