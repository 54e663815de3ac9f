// Command rtcctl calls the RTC OpenAPI from a terminal: any action of the
// embedded OpenAPI description, checked against it before anything is sent;
// it also lists and describes the actions, makes and inspects access tokens,
// verifies event callbacks and runs a local fake server.
//
// Run "rtcctl help" for the commands and "rtcctl COMMAND --help" for one of
// them.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}
