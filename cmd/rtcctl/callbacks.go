package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/volcrtc/rtc"
)

// maxCallbackBody bounds the callback body read from stdin.
const maxCallbackBody = 1 << 20

func cmdCallbackVerify() *command {
	return &command{
		name:    "callback verify",
		summary: "check the signature of an event callback body read from stdin",
		help: helpText{
			usage: "rtcctl callback verify [--secret-file FILE] < body.json",
			description: `Reads the body of an event callback that RTC posted (a JSON object) from
stdin, checks its Signature with the callback secret set in the console
(RTC_CALLBACK_SECRET or --secret-file FILE; --secret still works, with a
warning, but shows the secret to other local users), and prints the event
and its decoded EventData. Exit code 0 when it verifies, 1 when the signature does not match
(the event is still shown, marked unverified), 2 when the body is not an
event.`,
			examples: []string{
				`export RTC_CALLBACK_SECRET=...`,
				`rtcctl callback verify < captured-body.json`,
				`pbpaste | rtcctl callback verify --secret-file ~/.rtc-callback-secret`,
			},
		},
		flags: func(fs *flag.FlagSet, o *cmdOpts) {
			fs.StringVar(&o.secret, "secret", "", "the callback `SECRET` from the console, visible in the process list (a warning says so); prefer RTC_CALLBACK_SECRET or --secret-file")
			fs.StringVar(&o.secretFile, "secret-file", "", "read the callback secret from `FILE`")
		},
		run: runCallbackVerify,
	}
}

func runCallbackVerify(a *app, o *cmdOpts, args []string) error {
	if len(args) > 0 {
		return usageErr("callback verify reads the body from stdin and takes no arguments (got %s)", argCount(args))
	}
	secret, err := a.secret(secretSource{flag: "--secret", flagVal: o.secret, file: "--secret-file", fileVal: o.secretFile, env: "RTC_CALLBACK_SECRET"})
	if err != nil {
		return err
	}
	if a.stdinUsed {
		return usageErr("the body comes from stdin: give the secret in RTC_CALLBACK_SECRET or --secret-file FILE")
	}
	if secret == "" {
		return usageErr("no callback secret: set RTC_CALLBACK_SECRET or pass --secret-file FILE (the secret set for callbacks in the RTC console)")
	}
	if a.stdin == nil {
		return usageErr("no standard input: pipe the callback body in")
	}
	body, err := io.ReadAll(io.LimitReader(a.stdin, maxCallbackBody+1))
	if err != nil {
		return usageErr("reading stdin: %v", err)
	}
	if len(body) > maxCallbackBody {
		return usageErr("the body is larger than %d KiB; a callback body is much smaller", maxCallbackBody>>10)
	}
	ev, err := rtc.ParseCallback(body, secret)
	switch {
	case err == nil:
		fmt.Fprintln(a.stdout, "signature:  verified")
		a.writeEvent(ev)
		return nil
	case errors.Is(err, rtc.ErrCallbackSignature):
		// Show what the body says, for diagnosis, clearly marked.
		fmt.Fprintln(a.stdout, "signature:  DOES NOT VERIFY (the fields below are unverified)")
		var unverified rtc.CallbackEvent
		if json.Unmarshal(body, &unverified) == nil {
			if unverified.Nonce == "" {
				var old struct{ Noce string }
				_ = json.Unmarshal(body, &old)
				unverified.Nonce = old.Noce
			}
			a.writeEvent(&unverified)
		}
		return failErr(exitAPI, "%s", strings.TrimPrefix(err.Error(), "rtc: "))
	default:
		return usageErr("%s\nThe body must be the JSON object RTC posted, with EventType, EventData, ..., Signature.", strings.TrimPrefix(err.Error(), "rtc: "))
	}
}

func (a *app) writeEvent(ev *rtc.CallbackEvent) {
	// Every field comes from the body, which may be anyone's (an unverified
	// body is shown too): nothing reaches the terminal unescaped.
	w := a.stdout
	fmt.Fprintf(w, "event type: %s\n", cleanText(ev.EventType))
	fmt.Fprintf(w, "event id:   %s\n", cleanText(ev.EventID))
	fmt.Fprintf(w, "event time: %s\n", cleanText(ev.EventTime))
	fmt.Fprintf(w, "app id:     %s\n", cleanText(ev.AppID))
	fmt.Fprintf(w, "version:    %s\n", cleanText(ev.Version))
	fmt.Fprintf(w, "nonce:      %s\n", cleanText(ev.Nonce))
	data, err := ev.ParseData()
	if err != nil {
		fmt.Fprintf(w, "data:       cannot be decoded: %s\n", cleanText(strings.TrimPrefix(err.Error(), "rtc: ")))
		fmt.Fprintf(w, "raw data:   %s\n", cleanText(ev.EventData))
		return
	}
	b, err := json.MarshalIndent(data, "", "  ")
	if err != nil {
		fmt.Fprintf(w, "raw data:   %s\n", cleanText(ev.EventData))
		return
	}
	fmt.Fprintf(w, "data (%T):\n%s\n", data, cleanLines(string(b)))
}

// cleanLines is cleanText for each line of a multi-line text, keeping its
// line breaks. encoding/json escapes C0 controls but not DEL or the C1
// range, which some terminals take as the start of a sequence.
func cleanLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = cleanText(l)
	}
	return strings.Join(lines, "\n")
}
