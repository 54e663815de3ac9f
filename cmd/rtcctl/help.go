package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// helpText is what "rtcctl COMMAND --help" prints around the flag lists.
type helpText struct {
	usage       string   // one or more usage lines, without "Usage:"
	description string   // a paragraph or two
	examples    []string // shell lines; "#" lines are comments
	globals     bool     // whether the global flags matter to the command
}

func writeRootHelp(w io.Writer) {
	var b strings.Builder
	b.WriteString(`rtcctl calls the RTC OpenAPI from a terminal.

Usage:
  rtcctl [global flags] COMMAND [flags] [arguments]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-16s %s\n", c.name, c.summary)
	}
	b.WriteString(`
Global flags (before or after the command):
`)
	writeGlobalFlags(&b)
	b.WriteString(`
Credentials are taken from, in order: --access-key with --secret-key or
--secret-key-file FILE (- for stdin); VOLCENGINE_ACCESS_KEY,
VOLCENGINE_SECRET_KEY (and VOLCENGINE_SESSION_TOKEN); VOLC_ACCESSKEY and
VOLC_SECRETKEY; the JSON file ~/.volc/config ({"ak","sk"}). A secret given
as a flag value (--secret-key, --app-key, --secret) is visible to other local
users in the process list: it still works, with a warning. No secret is ever
printed, in errors included.

Exit codes: 0 success; 1 the service answered an error (or a token or
callback did not verify); 2 bad usage or input, nothing sent; 3 network,
transport or a response that is not the API's envelope.

Examples:
  rtcctl actions --category room
  rtcctl describe BanRoomUser
  rtcctl call GetRoomOnlineUsers --data '{"AppId":"661e0f6e07c1ac0123456789","RoomId":"room1"}'
  rtcctl fake    # a local fake server; it prints how to point rtcctl at it

Run "rtcctl COMMAND --help" for the details of a command.
`)
	_, _ = io.WriteString(w, b.String())
}

func writeGlobalFlags(w io.Writer) {
	fs := flag.NewFlagSet("globals", flag.ContinueOnError)
	g := globals{timeout: defaultTimeout}
	g.register(fs)
	writeFlags(w, fs)
}

// writeFlags lists the flags of fs in the "--name value" form.
func writeFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if name != "" {
			line += " " + name
		}
		fmt.Fprintf(w, "%s\n        %s", line, usage)
		switch f.DefValue {
		case "", "false", "0", "0s":
		default:
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
}

func writeCommandHelp(w io.Writer, c *command) {
	var b strings.Builder
	b.WriteString("Usage:\n")
	for _, l := range strings.Split(strings.TrimSpace(c.help.usage), "\n") {
		b.WriteString("  " + l + "\n")
	}
	b.WriteString("\n" + strings.TrimSpace(c.help.description) + "\n")
	if c.flags != nil {
		fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
		c.flags(fs, &cmdOpts{})
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			b.WriteString("\nFlags:\n")
			writeFlags(&b, fs)
		}
	}
	if c.help.globals {
		b.WriteString("\nGlobal flags: --region, --endpoint, --access-key, --secret-key, --timeout,\n--verbose, --insecure-http (see \"rtcctl help\").\n")
	}
	if len(c.help.examples) > 0 {
		b.WriteString("\nExamples:\n")
		for _, e := range c.help.examples {
			b.WriteString("  " + e + "\n")
		}
	}
	_, _ = io.WriteString(w, b.String())
}

func cmdHelp() *command {
	return &command{
		name:    "help",
		summary: "show help for rtcctl or one command",
		help: helpText{
			usage:       "rtcctl help [COMMAND]",
			description: "Shows the list of commands, or the help of one command (the same as \"rtcctl COMMAND --help\").",
			examples:    []string{"rtcctl help call", "rtcctl help token parse"},
		},
		run: func(a *app, _ *cmdOpts, args []string) error {
			if len(args) == 0 {
				writeRootHelp(a.stdout)
				return nil
			}
			name := strings.Join(args, " ")
			c := findCommand(name)
			if c == nil {
				msg := fmt.Sprintf("no help for %q: not a command.", name)
				if s := suggest(name, commandNames(), 3); len(s) > 0 {
					msg += " Did you mean " + orList(s) + "?"
				}
				return usageErr("%s", msg)
			}
			writeCommandHelp(a.stdout, c)
			return nil
		},
	}
}
