package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/volcrtc/rtc"
)

func cmdToken() *command {
	return &command{
		name:    "token",
		summary: "make an RTC access token for a client app (\"token parse\" inspects one)",
		help: helpText{
			usage: `rtcctl token --app-id ID --app-key KEY --room-id ROOM --user-id USER [--expire 24h] [--publish] [--subscribe]
rtcctl token parse TOKEN [--app-key KEY]`,
			description: `Makes an access token that lets USER join ROOM (or any room, with
--room-id '*') of the application, signed with its App Key. The token's
details go to stderr; stdout gets the token alone, so that
TOKEN=$(rtcctl token ...) works. Without --publish or --subscribe the token
grants both; the privileges expire with the token.

Give the App Key in RTC_APP_KEY or a file (--app-key-file FILE, - for
stdin), which keeps it out of the shell history and the process list;
--app-key still works, with a warning. It is never printed.`,
			examples: []string{
				`export RTC_APP_KEY=...   # the App Key from the console`,
				`rtcctl token --app-id 661e0f6e07c1ac0123456789 --room-id room1 --user-id alice`,
				`rtcctl token --app-id 661e0f6e07c1ac0123456789 --room-id '*' --user-id bob --expire 2h --subscribe`,
				`rtcctl token parse "$TOKEN"`,
			},
		},
		flags: func(fs *flag.FlagSet, o *cmdOpts) {
			fs.StringVar(&o.appID, "app-id", "", "the application's 24-character App `ID`")
			fs.StringVar(&o.appKey, "app-key", "", "the application's App Key (`KEY`), visible in the process list (a warning says so); prefer RTC_APP_KEY or --app-key-file")
			fs.StringVar(&o.appKeyFile, "app-key-file", "", "read the App Key from `FILE` (- for stdin)")
			fs.StringVar(&o.roomID, "room-id", "", "the `ROOM` the token admits to; * for any room")
			fs.StringVar(&o.userID, "user-id", "", "the `USER` the token is for")
			fs.DurationVar(&o.expire, "expire", 24*time.Hour, "lifetime of the token and its privileges, at most 168h (7 days)")
			fs.BoolVar(&o.publish, "publish", false, "grant publishing streams (audio, video, data)")
			fs.BoolVar(&o.subscribe, "subscribe", false, "grant subscribing to streams")
		},
		run: runToken,
	}
}

// appKey returns the App Key from --app-key (with a warning),
// --app-key-file or RTC_APP_KEY; "" when none is given.
func (a *app) appKey(o *cmdOpts) (string, error) {
	return a.secret(secretSource{flag: "--app-key", flagVal: o.appKey, file: "--app-key-file", fileVal: o.appKeyFile, env: "RTC_APP_KEY"})
}

func runToken(a *app, o *cmdOpts, args []string) error {
	if len(args) > 0 {
		if args[0] == "parse" {
			return usageErr("put parse right after token: rtcctl token parse TOKEN [--app-key KEY]")
		}
		return usageErr("token takes no arguments (got %s); see rtcctl token --help", argCount(args))
	}
	var missing []string
	for _, f := range []struct{ name, v string }{{"--app-id", o.appID}, {"--room-id", o.roomID}, {"--user-id", o.userID}} {
		if f.v == "" {
			missing = append(missing, f.name)
		}
	}
	key, err := a.appKey(o)
	if err != nil {
		return err
	}
	if key == "" {
		missing = append(missing, "--app-key (or RTC_APP_KEY)")
	}
	if len(missing) > 0 {
		return usageErr("token needs %s\nRun \"rtcctl token --help\" for an example.", strings.Join(missing, ", "))
	}
	if o.expire <= 0 {
		return usageErr("--expire must be positive, e.g. 24h")
	}
	t := rtc.NewAccessToken(o.appID, o.roomID, o.userID)
	t.ExpireAt = t.IssuedAt.Add(o.expire)
	pub, sub := o.publish, o.subscribe
	if !pub && !sub {
		pub, sub = true, true
	}
	if pub {
		t.AddPrivilege(rtc.PrivPublishStream, t.ExpireAt)
	}
	if sub {
		t.AddPrivilege(rtc.PrivSubscribeStream, t.ExpireAt)
	}
	s, err := t.Serialize(key)
	if err != nil {
		return usageErr("%s", strings.TrimPrefix(err.Error(), "rtc: "))
	}
	writeToken(a.stderr, t, time.Now())
	fmt.Fprintln(a.stdout, s)
	return nil
}

// writeToken prints a token's fields, one per line.
func writeToken(w io.Writer, t *rtc.AccessToken, now time.Time) {
	fmt.Fprintf(w, "app id:     %s\n", cleanText(t.AppID))
	fmt.Fprintf(w, "room id:    %s\n", cleanText(t.RoomID))
	fmt.Fprintf(w, "user id:    %s\n", cleanText(t.UserID))
	fmt.Fprintf(w, "nonce:      %d\n", t.Nonce)
	fmt.Fprintf(w, "issued at:  %s\n", tokenTime(t.IssuedAt, now))
	fmt.Fprintf(w, "expires at: %s\n", tokenTime(t.ExpireAt, now))
	if len(t.Privileges) == 0 {
		fmt.Fprintln(w, "privileges: none")
	}
	for _, p := range []rtc.Privilege{rtc.PrivPublishStream, rtc.PrivPublishAudioStream, rtc.PrivPublishVideoStream, rtc.PrivPublishDataStream, rtc.PrivSubscribeStream} {
		if exp, ok := t.Privileges[p]; ok {
			fmt.Fprintf(w, "privilege:  %-18s until %s\n", p, tokenTime(exp, now))
		}
	}
	for p, exp := range t.Privileges {
		if p > rtc.PrivSubscribeStream {
			fmt.Fprintf(w, "privilege:  %-18s until %s\n", p, tokenTime(exp, now))
		}
	}
}

func tokenTime(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	s := t.UTC().Format(time.RFC3339)
	d := t.Sub(now).Round(time.Second)
	switch {
	case d > 0:
		s += " (in " + d.String() + ")"
	case d < 0:
		s += " (" + (-d).String() + " ago)"
	}
	return s
}

func cmdTokenParse() *command {
	return &command{
		name:    "token parse",
		summary: "decode an access token and check its signature",
		help: helpText{
			usage: "rtcctl token parse TOKEN [--app-key KEY]",
			description: `Decodes an access token (TOKEN, or - to read it from stdin) and prints its
fields. With an App Key (--app-key or RTC_APP_KEY) it also checks the
signature. The exit code is 1 when the token does not verify or has expired
(the token, or any of its privileges), 2 when it is not a token at all. Give
the App Key in RTC_APP_KEY or a file (--app-key-file FILE, - for stdin):
--app-key still works but shows the key to other local users.`,
			examples: []string{
				`rtcctl token parse 001661e0f6e07c1ac0123456789...`,
				`RTC_APP_KEY=... rtcctl token parse "$TOKEN"`,
				`echo "$TOKEN" | rtcctl token parse - --app-key-file ~/.rtc-app-key`,
			},
		},
		flags: func(fs *flag.FlagSet, o *cmdOpts) {
			fs.StringVar(&o.appKey, "app-key", "", "App Key (`KEY`) to verify the signature with, visible in the process list; prefer RTC_APP_KEY or --app-key-file")
			fs.StringVar(&o.appKeyFile, "app-key-file", "", "read the App Key from `FILE` (- for stdin)")
		},
		run: runTokenParse,
	}
}

func runTokenParse(a *app, o *cmdOpts, args []string) error {
	if len(args) != 1 {
		return usageErr("token parse takes one TOKEN (or - for stdin)")
	}
	key, err := a.appKey(o)
	if err != nil {
		return err
	}
	text := args[0]
	if text == "-" {
		if a.stdinUsed {
			return usageErr("the token and the App Key cannot both come from stdin; give the App Key in RTC_APP_KEY or --app-key-file FILE")
		}
		b, err := io.ReadAll(io.LimitReader(a.stdin, 64<<10))
		if err != nil {
			return usageErr("reading the token from stdin: %v", err)
		}
		text = string(b)
	}
	text = strings.TrimSpace(text)
	t, err := rtc.ParseAccessToken(text)
	if err != nil {
		return usageErr("not a valid access token: %s", cleanText(strings.TrimPrefix(err.Error(), "rtc: access token: ")))
	}
	now := time.Now()
	writeToken(a.stdout, t, now)
	expired, expiredPrivs := t.Expired(now), t.ExpiredPrivileges(now)
	switch {
	case expired:
		fmt.Fprintln(a.stdout, "status:     expired")
	case len(expiredPrivs) > 0:
		fmt.Fprintf(a.stdout, "status:     valid, but privileges expired: %s\n", privList(expiredPrivs))
	default:
		fmt.Fprintln(a.stdout, "status:     valid")
	}
	switch {
	case key == "":
		fmt.Fprintln(a.stdout, "signature:  not checked (set RTC_APP_KEY or pass --app-key-file)")
	case t.Verify(key):
		fmt.Fprintln(a.stdout, "signature:  verified with the given App Key")
	default:
		fmt.Fprintln(a.stdout, "signature:  DOES NOT VERIFY with the given App Key")
		return failErr(exitAPI, "the token's signature does not match the App Key: check that the key belongs to App ID %s and that the token was not altered", cleanText(t.AppID))
	}
	switch {
	case expired:
		return failErr(exitAPI, "the token expired at %s; mint a new one", t.ExpireAt.UTC().Format(time.RFC3339))
	case len(expiredPrivs) > 0:
		return failErr(exitAPI, "privileges of the token expired: %s; mint a new token", privList(expiredPrivs))
	}
	return nil
}

func privList(ps []rtc.Privilege) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}
