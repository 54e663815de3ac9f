package main

import (
	"sort"
	"strings"
)

// prelude declares the names the documentation's snippets use without
// declaring them: the reader's own context, client and configuration.
// Each is declared only in a snippet that does not declare it itself.
var prelude = preludeDecls{
	imports: []string{
		"context", "net/http", "sync/atomic",
		"github.com/volcrtc/rtc", "github.com/volcrtc/rtc/rtctest",
		"go.opentelemetry.io/otel/trace", "go.opentelemetry.io/otel/metric",
	},
	decls: map[string]string{
		"ctx":          "var ctx context.Context",
		"client":       "var client *rtc.Client",
		"appID":        "var appID string",
		"app":          "var app string",
		"room":         "var room string",
		"task":         "var task string",
		"acct":         "var acct string",
		"appKey":       "var appKey string",
		"token":        "var token string",
		"srv":          "var srv *rtctest.Server",
		"secret":       "var secret string",
		"signature":    "var signature string",
		"accessKeyID":  "var accessKeyID string",
		"conv":         "var conv int64",
		"req":          "var req *rtc.GetRoomOnlineUsersRequest",
		"store":        "var store rtc.TaskStore",
		"mux":          "var mux *http.ServeMux",
		"callbacks":    "var callbacks http.Handler",
		"throttled":    "var throttled atomic.Int64",
		"tp":           "var tp trace.TracerProvider",
		"mp":           "var mp metric.MeterProvider",
		"fn":           "var fn func(context.Context, *rtc.CallbackEvent) error",
		"markRecorded": "var markRecorded func(ctx context.Context, roomID, taskID string) error",
		"saveOutcome":  "var saveOutcome func(context.Context, *rtc.TaskOutcome) error",
		"saveState":    "var saveState func(ctx context.Context, taskID string, round int64, stage rtc.AgentStage) error",
	},
}

type preludeDecls struct {
	imports []string
	decls   map[string]string
}

// source is the prelude file of a snippet's package, leaving out the names
// the snippet declares at its top level.
func (p preludeDecls) source(declared map[string]bool) string {
	var b strings.Builder
	b.WriteString("package snippet\n\n")
	for _, im := range p.imports {
		b.WriteString("import \"" + im + "\"\n")
	}
	var names []string
	for n := range p.decls {
		if !declared[n] {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		b.WriteString(p.decls[n] + "\n")
	}
	// Keep every import used whatever the snippet declares.
	b.WriteString("var _ context.Context\nvar _ http.Handler\nvar _ atomic.Int64\nvar _ *rtc.Client\nvar _ *rtctest.Server\nvar _ trace.TracerProvider\nvar _ metric.MeterProvider\n")
	return b.String()
}
