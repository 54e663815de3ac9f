package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Exit codes.
const (
	exitOK         = 0 // success
	exitAPI        = 1 // the service answered an error; a check failed (token, callback)
	exitUsage      = 2 // bad command line or input; nothing was sent
	exitTransport  = 3 // network, transport or a response that is not the envelope
	defaultTimeout = 30 * time.Second
)

// exitError is an error that ends the command with a given exit code. Its
// message is printed to stderr after "rtcctl: ".
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func usageErr(format string, args ...any) error {
	return &exitError{code: exitUsage, msg: fmt.Sprintf(format, args...)}
}

func failErr(code int, format string, args ...any) error {
	return &exitError{code: code, msg: fmt.Sprintf(format, args...)}
}

// errHelp ends a command after its help was printed on request: exit 0.
var errHelp = errors.New("help printed")

// app is one run of the tool: its streams, environment and global settings.
type app struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	env    func(string) string
	g      globals

	secrets   []string // secret values given to this run: never printed
	stdinUsed bool     // a --...-file - flag has read stdin
	opts      *cmdOpts // the command's flags, once parsed (or partly)
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	help    helpText
	// flags registers the command's own flags (the global ones are added
	// by newFlagSet).
	flags func(fs *flag.FlagSet, o *cmdOpts)
	run   func(a *app, o *cmdOpts, args []string) error
}

// cmdOpts holds every command's own flag values; each command reads its
// part.
type cmdOpts struct {
	// call
	version string
	data    string
	raw     bool
	strict  bool
	lenient bool
	// actions
	category string
	// token
	appID, appKey, roomID, userID string
	expire                        time.Duration
	publish, subscribe            bool
	// callback verify
	secret, secretFile string
	// fake
	listen      string
	allowRemote bool
	// token
	appKeyFile string
	// callback send, listen, replay; fake's callback target
	to, forwardTo, record, eventType, eventID string
	list, keepTime, keepID                    bool
	callbackURL, callbackSecretFile           string
	serverMessageURL                          string
	signatureFile                             string
}

// commands returns the command table, sorted by name.
func commands() []*command {
	cs := []*command{cmdCall(), cmdActions(), cmdDescribe(), cmdToken(), cmdTokenParse(), cmdCallbackVerify(), cmdCallbackSend(), cmdCallbackListen(), cmdCallbackReplay(), cmdFake(), cmdVersion(), cmdHelp()}
	sort.Slice(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
	return cs
}

func findCommand(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

// run is the whole tool: it parses args (without the program name), runs
// one command and returns the exit code. main passes the process's streams,
// environment and a context cancelled by SIGINT or SIGTERM; tests pass their
// own.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env func(string) string) int {
	if env == nil {
		env = func(string) string { return "" }
	}
	a := &app{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, env: env, g: globals{timeout: defaultTimeout}}
	err := a.dispatch(args)
	return a.finish(err)
}

func (a *app) finish(err error) int {
	if err == nil || errors.Is(err, errHelp) {
		return exitOK
	}
	// Secrets given as flags, even when parsing stopped before they were
	// used: a flag error may quote a neighbouring value.
	a.remember(a.g.secretKey)
	if o := a.opts; o != nil {
		a.remember(o.appKey)
		a.remember(o.secret)
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(a.stderr, "rtcctl: "+a.redact(ee.msg))
		}
		return ee.code
	}
	fmt.Fprintln(a.stderr, "rtcctl: "+a.redact(err.Error()))
	return exitUsage
}

func (a *app) dispatch(args []string) error {
	root := flag.NewFlagSet("rtcctl", flag.ContinueOnError)
	root.SetOutput(io.Discard)
	a.g.register(root)
	if err := root.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			writeRootHelp(a.stdout)
			return errHelp
		}
		return usageErr("%v\nRun \"rtcctl help\" for the commands and global flags.", err)
	}
	rest := root.Args()
	if len(rest) == 0 {
		writeRootHelp(a.stderr)
		return &exitError{code: exitUsage}
	}
	name, rest := rest[0], rest[1:]
	// Two-word commands: "token parse", "callback verify|send|listen|replay".
	switch {
	case name == "token" && len(rest) > 0 && rest[0] == "parse":
		name, rest = "token parse", rest[1:]
	case name == "callback":
		if len(rest) == 0 || !callbackSubcommands[rest[0]] {
			return usageErr("\"callback\" needs a subcommand: verify, send, listen or replay, e.g. rtcctl callback verify < body.json (secret in RTC_CALLBACK_SECRET)\nRun \"rtcctl help callback verify\" (or send, listen, replay) for details.")
		}
		name, rest = "callback "+rest[0], rest[1:]
	}
	c := findCommand(name)
	if c == nil {
		msg := "unknown command " + describeCommandName(name) + "."
		if s := suggest(name, commandNames(), 3); len(s) > 0 {
			msg += " Did you mean " + orList(s) + "?"
		}
		return usageErr("%s\nRun \"rtcctl help\" for the list of commands.", msg)
	}
	return a.runCommand(c, rest)
}

func commandNames() []string {
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	return names
}

// runCommand parses the command's flags (its own and the global ones, in
// any order and mixed with its arguments) and runs it.
func (a *app) runCommand(c *command, args []string) error {
	o := &cmdOpts{}
	a.opts = o
	fs := a.newFlagSet(c, o)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			writeCommandHelp(a.stdout, c)
			return errHelp
		}
		return usageErr("%s: %v\nRun \"rtcctl %s --help\" for usage.", c.name, err, c.name)
	}
	return c.run(a, o, pos)
}

func (a *app) newFlagSet(c *command, o *cmdOpts) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if c.flags != nil {
		c.flags(fs, o)
	}
	a.g.register(fs)
	return fs
}

// parseInterspersed parses flags that may come before, between or after
// positional arguments, and returns the positional ones. Everything after
// "--" is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// globals are the flags every command accepts.
type globals struct {
	region    string
	endpoint  string
	accessKey string
	secretKey string
	skFile    string
	timeout   time.Duration
	verbose   bool
	insecure  bool
}

// register adds the global flags to fs. The current values are the
// defaults, so that registering on a second flag set keeps what the first
// one parsed.
func (g *globals) register(fs *flag.FlagSet) {
	fs.StringVar(&g.region, "region", g.region, "the signing `REGION`: cn-north-1 (default), ap-southeast-1, ap-singapore-1; or RTC_REGION")
	fs.StringVar(&g.endpoint, "endpoint", g.endpoint, "API base `URL`, e.g. http://127.0.0.1:8080 for \"rtcctl fake\"; or RTC_ENDPOINT (default: the region's host)")
	fs.StringVar(&g.accessKey, "access-key", g.accessKey, "access key `ID` (default: the credential chain, see \"rtcctl help\")")
	fs.StringVar(&g.secretKey, "secret-key", g.secretKey, "the secret access `KEY`; visible to other local users in the process list (a warning says so): prefer VOLCENGINE_SECRET_KEY or --secret-key-file")
	fs.StringVar(&g.skFile, "secret-key-file", g.skFile, "read the secret access key from `FILE` (- for stdin)")
	fs.DurationVar(&g.timeout, "timeout", g.timeout, "bound on the whole command, retries included; 0 = none")
	fs.BoolVar(&g.verbose, "verbose", g.verbose, "log each HTTP attempt to stderr (never secrets)")
	fs.BoolVar(&g.insecure, "insecure-http", g.insecure, "allow a plain http:// endpoint on a host that is not loopback")
}

// orList joins names as "A, B or C".
func orList(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// describeCommandName quotes a mistyped command name when it looks like a
// word, and otherwise only says how long it is: a secret given without its
// flag can land here.
func describeCommandName(name string) string {
	if len(name) <= 24 {
		word := true
		for _, c := range name {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-') {
				word = false
				break
			}
		}
		if word {
			return fmt.Sprintf("%q", name)
		}
	}
	return fmt.Sprintf("(%d characters, not shown)", len(name))
}
