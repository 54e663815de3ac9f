package main

import "github.com/volcrtc/rtc/internal/spec"

// The retry-safety constants of package rtc, as the generator writes them.
const (
	safe         = "safeToRepeat"
	safeWithTask = "safeWithTaskID"
	unsafe       = "unsafeToRepeat"
)

// safetyConst maps the classes of actions.json to those constants.
var safetyConst = map[string]string{spec.Safe: safe, spec.SafeWithTask: safeWithTask, spec.Unsafe: unsafe}

// safetyRule is the comment written above the operation table.
const safetyRule = `Retry safety, one class per action in internal/spec/actions.json:
  - reads, and actions that set a state rather than add to it (bans, kicks,
    stops, updates), are safe to repeat after an ambiguous failure;
  - Start actions whose request carries a TaskId are safe to repeat: the
    server recognises the task, and a repeat answered TaskAlreadyExists
    means the first attempt went through;
  - everything else (sends, broadcasts, creates, adds, deletes, recalls,
    starts without a TaskId) is retried only when the request surely did
    not reach the server.`
