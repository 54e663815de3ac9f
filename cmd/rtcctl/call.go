package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/volcrtc/rtc"
	"github.com/volcrtc/rtc/internal/spec"
)

// maxInput bounds the input read from a file or stdin.
const maxInput = 16 << 20

func cmdCall() *command {
	return &command{
		name:    "call",
		summary: "call an action; the input is checked against the API description first",
		help: helpText{
			usage: "rtcctl call ACTION [--version V] [--data JSON | --data @FILE | --data -] [--raw] [--strict] [--lenient]",
			description: `Calls one OpenAPI action and prints its Result as indented JSON on stdout.

Before anything is sent, the input is checked against the embedded API
description: the action and version must exist, the input must be a JSON
object, required fields must be present (null, "" and [] count as absent),
values must have the described types (a string is not a number), and every
BusinessId, TaskId, RoomId and UserId, at any depth, must follow the ID rule
(at most 128 characters of a-z A-Z 0-9 @ . _ -). The field facts are checked
too, as the client checks them: allowed values, ranges, lengths, evenness,
#RRGGBB colors and the rules between fields ("rtcctl describe ACTION" shows
them); values the service clamps pass. --lenient skips those and keeps only
the required fields and the ID rule. Every problem is listed with its field
path, the value given and what is allowed, and the exit code is 2. Fields
the description does not know are sent anyway with a warning on stderr;
--strict refuses them.

GET actions send the input's values as query parameters; POST actions send
the JSON object as the body, as written. With --raw, the whole envelope is
printed: ResponseMetadata (RequestId, Action, Version, Service, Region, as
decoded) and Result exactly as received.

On an error from the service, one line with the action, code, message and
request id goes to stderr and the exit code is 1.`,
			examples: []string{
				`rtcctl call GetRoomOnlineUsers --data '{"AppId":"661e0f6e07c1ac0123456789","RoomId":"room1"}'`,
				`rtcctl call BanRoomUser --data @ban.json`,
				`echo '{"AppId":"661e0f6e07c1ac0123456789","RoomId":"room1","UserId":"bob"}' | rtcctl call KickUser --data -`,
				`rtcctl call BanRoomUser --version 2020-12-01 --data @ban.json --raw`,
			},
			globals: true,
		},
		flags: func(fs *flag.FlagSet, o *cmdOpts) {
			fs.StringVar(&o.version, "version", "", "API `VERSION` (default: the newest the description lists)")
			fs.StringVar(&o.data, "data", "", "the input: a `JSON` object, @FILE to read it from a file, or - for stdin (default {})")
			fs.BoolVar(&o.raw, "raw", false, "print the whole response envelope, not only Result")
			fs.BoolVar(&o.strict, "strict", false, "refuse fields the API description does not know (default: warn and send)")
			fs.BoolVar(&o.lenient, "lenient", false, "check only required fields and the ID rule, not the field facts (for a rule the service has widened)")
		},
		run: runCall,
	}
}

func loadSpec() (*spec.Spec, error) {
	s, err := spec.Load()
	if err != nil {
		return nil, failErr(exitUsage, "%v", err)
	}
	return s, nil
}

// findAction returns the named action or a usage error that suggests close
// names.
func findAction(s *spec.Spec, name string) (*spec.Action, error) {
	if a := s.Find(name); a != nil {
		return a, nil
	}
	names := make([]string, len(s.Actions))
	for i := range s.Actions {
		names[i] = s.Actions[i].Action
	}
	msg := fmt.Sprintf("unknown action %q.", name)
	if sg := suggest(name, names, 5); len(sg) > 0 {
		msg += " Did you mean " + orList(sg) + "?"
	}
	return nil, usageErr("%s\nRun \"rtcctl actions\" to list all %d actions.", msg, len(s.Actions))
}

func versionList(a *spec.Action) string {
	var b strings.Builder
	b.WriteString(a.Version + " (newest)")
	older := slices.Clone(a.OlderVersions)
	slices.Sort(older)
	slices.Reverse(older)
	for _, v := range older {
		b.WriteString(", " + v)
	}
	return b.String()
}

func (a *app) readData(arg string) ([]byte, error) {
	var r io.Reader
	var what string
	switch {
	case arg == "-":
		if a.stdin == nil {
			return nil, usageErr("--data -: no standard input")
		}
		r, what = a.stdin, "standard input"
	case strings.HasPrefix(arg, "@"):
		f, err := os.Open(arg[1:])
		if err != nil {
			return nil, usageErr("--data %s: %v", arg, err)
		}
		defer f.Close()
		r, what = f, arg[1:]
	default:
		return []byte(arg), nil
	}
	b, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, usageErr("reading %s: %v", what, err)
	}
	if len(b) > maxInput {
		return nil, usageErr("%s is larger than %d MiB", what, maxInput>>20)
	}
	return b, nil
}

func runCall(a *app, o *cmdOpts, args []string) error {
	if len(args) == 0 {
		return usageErr("call needs an ACTION, e.g. rtcctl call GetRoomOnlineUsers --data '{...}'\nRun \"rtcctl actions\" to list the actions.")
	}
	if len(args) > 1 {
		return usageErr("call takes one ACTION, got %s; pass the input with --data", argCount(args))
	}
	s, err := loadSpec()
	if err != nil {
		return err
	}
	act, err := findAction(s, args[0])
	if err != nil {
		return err
	}
	version := act.Version
	if o.version != "" {
		if !act.HasVersion(o.version) {
			return usageErr("%s has no version %q; supported: %s", act.Action, o.version, versionList(act))
		}
		version = o.version
	}
	data, err := a.readData(o.data)
	if err != nil {
		return err
	}
	in, err := decodeObject(data)
	if err != nil {
		return usageErr("%s: %v", act.Action, err)
	}
	c := checkInput(s, act, in)
	if !o.lenient {
		c.checkFacts(act, in)
	}
	if act.Method == "POST" && act.InputIn == "query" {
		// Sent through the typed method, which carries only the known fields.
		for i := range c.warnings {
			c.warnings[i].rule += "; " + act.Action + " sends only the fields the API description lists"
		}
		o.strict = true
	}
	if o.strict {
		c.problems = append(c.problems, c.warnings...)
		c.warnings = nil
	}
	for _, w := range c.warnings {
		fmt.Fprintf(a.stderr, "rtcctl: warning: %s: %s\n", act.Action, w)
	}
	if len(c.problems) == 0 {
		for _, n := range c.notes {
			fmt.Fprintf(a.stderr, "rtcctl: note: %s: %s\n", act.Action, n)
		}
	}
	if len(c.problems) > 0 {
		var b strings.Builder
		fmt.Fprintf(&b, "%s: the input does not match the API description; nothing was sent:", act.Action)
		for _, p := range c.problems {
			b.WriteString("\n  " + p.String())
		}
		fmt.Fprintf(&b, "\nRun \"rtcctl describe %s\" for the input's fields.", act.Action)
		return usageErr("%s", b.String())
	}

	client, err := a.client(a.ctx)
	if err != nil {
		return err
	}
	ctx := a.ctx
	if a.g.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, a.g.timeout)
		defer cancel()
	}
	result, meta, err := send(ctx, client, act, version, in, data)
	if err != nil {
		return callError(err)
	}
	return a.printResult(result, meta, o.raw)
}

// send calls the action: GET actions with the values as query parameters,
// POST actions with the JSON body as given, and DeleteCallback (a POST with
// its input in the query, which Client.Call cannot express) through its
// typed method.
func send(ctx context.Context, client *rtc.Client, act *spec.Action, version string, in map[string]any, body []byte) (json.RawMessage, *rtc.ResponseMetadata, error) {
	switch {
	case act.Method == "GET":
		var res json.RawMessage
		meta, err := client.Call(ctx, act.Action, version, queryValues(act, in), &res)
		return res, meta, err
	case act.InputIn == "query":
		if act.Action != "DeleteCallback" {
			return nil, nil, usageErr("%s is a POST with its input in the query string, which rtcctl cannot send yet", act.Action)
		}
		req := &rtc.DeleteCallbackRequest{AppID: stringField(act, in, "AppId"), BusinessID: stringField(act, in, "BusinessId")}
		r, err := client.DeleteCallback(ctx, req, rtc.WithAPIVersion(version))
		if err != nil {
			return nil, nil, err
		}
		msg, _ := json.Marshal(r.Message)
		return msg, &r.Metadata, nil
	default:
		if len(bytes.TrimSpace(body)) == 0 {
			body = []byte("{}")
		}
		var res json.RawMessage
		meta, err := client.Call(ctx, act.Action, version, json.RawMessage(body), &res)
		return res, meta, err
	}
}

// stringField returns the input's value for the field name (matched as the
// checker does: exactly, else ignoring case).
func stringField(act *spec.Action, in map[string]any, name string) string {
	for k, v := range in {
		if f, _ := lookup(act.Input, k); f != nil && f.Name == name {
			s, _ := v.(string)
			return s
		}
	}
	return ""
}

// queryValues turns the checked input into query parameters, with the keys
// spelt as the API description spells them.
func queryValues(act *spec.Action, in map[string]any) url.Values {
	q := url.Values{}
	for k, v := range in {
		key := k
		if f, _ := lookup(act.Input, k); f != nil {
			key = f.Name
		}
		for _, s := range scalars(v) {
			q.Add(key, s)
		}
	}
	return q
}

func scalars(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case json.Number:
		return []string{string(x)}
	case bool:
		return []string{strconv.FormatBool(x)}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, scalars(e)...)
		}
		return out
	}
	return nil
}

// callError maps an SDK error to an exit code and one line on stderr.
func callError(err error) error {
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	var apiErr *rtc.APIError
	if errors.As(err, &apiErr) {
		return failErr(exitAPI, "%s", strings.TrimPrefix(apiErr.Error(), "rtc: "))
	}
	var ve *rtc.ValidationError
	if errors.As(err, &ve) {
		return failErr(exitUsage, "%s", strings.TrimPrefix(ve.Error(), "rtc: "))
	}
	msg := strings.TrimPrefix(err.Error(), "rtc: ")
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		msg += " (the --timeout was reached; raise it or check the network)"
	case errors.Is(err, context.Canceled):
		msg += " (interrupted)"
	}
	return failErr(exitTransport, "%s", msg)
}

// printResult writes the Result (or the whole envelope with raw) as
// indented JSON.
func (a *app) printResult(result json.RawMessage, meta *rtc.ResponseMetadata, raw bool) error {
	if len(result) == 0 {
		result = json.RawMessage("null")
	}
	var out []byte
	var err error
	if raw {
		out, err = json.MarshalIndent(struct {
			ResponseMetadata *rtc.ResponseMetadata
			Result           json.RawMessage
		}{meta, result}, "", "  ")
	} else {
		var b bytes.Buffer
		err = json.Indent(&b, result, "", "  ")
		out = b.Bytes()
	}
	if err != nil {
		return failErr(exitTransport, "the Result is not valid JSON: %v", err)
	}
	out = append(out, '\n')
	if _, err := a.stdout.Write(out); err != nil {
		return failErr(exitTransport, "writing the result: %v", err)
	}
	return nil
}
