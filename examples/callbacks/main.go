// Command callbacks receives RTC event callbacks: it verifies each event's
// signature, skips duplicates and logs what happened.
//
//	go run ./examples/callbacks
//
// With no -listen address it runs a self-contained demo: it starts on a
// loopback port, posts a signed sample event to itself twice (the second
// delivery shows deduplication), prints what happened and exits.
//
//	RTC_CALLBACK_SECRET=... go run ./examples/callbacks -listen :8080
//
// serves on the given address until interrupted; set the console's callback
// URL to http(s)://<host>:8080/rtc/callback.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/volcrtc/rtc"
)

const demoSecret = "demo callback secret"

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "callbacks:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("callbacks", flag.ContinueOnError)
	listen := fs.String("listen", "", "address to serve on until interrupted (empty: run the loopback demo and exit)")
	path := fs.String("path", "/rtc/callback", "URL path of the receiver")
	if err := fs.Parse(args); err != nil {
		return err
	}
	secret := os.Getenv("RTC_CALLBACK_SECRET")
	if secret == "" {
		if *listen != "" {
			return errors.New("set RTC_CALLBACK_SECRET to the callback secret configured in the RTC console")
		}
		secret = demoSecret
	}

	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelDebug}))
	mux := http.NewServeMux()
	handler, err := rtc.NewCallbackHandler(secret, handle(logger), rtc.WithCallbackLogger(logger))
	if err != nil {
		return err
	}
	mux.Handle(*path, handler)
	// Bound every phase of a request: slow or stalled peers must not hold
	// connections and handlers. RTC's events are small and sent at once.
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       60 * time.Second,
	}

	if *listen != "" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		go func() {
			<-ctx.Done()
			shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(shutdown)
		}()
		srv.Addr = *listen
		logger.Info("receiving RTC callbacks", "addr", *listen, "path", *path)
		if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}

	// Demo: serve on a loopback port and deliver a sample event to ourselves.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	url := "http://" + ln.Addr().String() + *path
	fmt.Println("demo receiver on", url)

	ev, err := rtc.NewCallbackEvent("661e2f2a543cf", rtc.EventRecordUploadDone,
		rtc.TaskEventData{AppID: "661e2f2a543cf", RoomID: "room1", TaskID: "task1"})
	if err != nil {
		return err
	}
	ev.Sign(secret)
	body, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: 5 * time.Second}
	for i, label := range []string{"first delivery", "same event again (duplicate)"} {
		status, err := deliver(client, url, body)
		if err != nil {
			return err
		}
		fmt.Printf("%d. %s: HTTP %d\n", i+1, label, status)
		if status != http.StatusOK {
			return fmt.Errorf("%s: HTTP %d, want 200", label, status)
		}
	}
	forged := bytes.Replace(body, []byte(`room1`), []byte(`room2`), 1)
	status, err := deliver(client, url, forged)
	if err != nil {
		return err
	}
	fmt.Printf("3. altered event: HTTP %d (signature check failed)\n", status)
	if status != http.StatusUnauthorized {
		return fmt.Errorf("altered event: HTTP %d, want 401", status)
	}
	return nil
}

// handle is the application's part: what to do with a verified event.
func handle(logger *slog.Logger) func(context.Context, *rtc.CallbackEvent) error {
	return func(ctx context.Context, ev *rtc.CallbackEvent) error {
		data, err := ev.ParseData()
		if err != nil {
			return err // 500: RTC will deliver the event again
		}
		switch d := data.(type) {
		case *rtc.TaskEventData:
			logger.InfoContext(ctx, "task event", "type", ev.EventType, "room", d.RoomID, "task", d.TaskID, "failed", d.Failed())
		case *rtc.UserEventData:
			logger.InfoContext(ctx, "user event", "type", ev.EventType, "room", d.RoomID, "user", d.UserID)
		default:
			logger.InfoContext(ctx, "event", "type", ev.EventType, "data", data)
		}
		return nil
	}
}

func deliver(client *http.Client, url string, body []byte) (int, error) {
	resp, err := client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}
