package rtctest

import (
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them: every
// server is closed, and Close must leave nothing running. The test
// clients' idle keep-alive connections are closed first.
func TestMain(m *testing.M) {
	code := m.Run()
	client.CloseIdleConnections()
	http.DefaultClient.CloseIdleConnections()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

func TestCloseLeavesNoGoroutines(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv := NewServer()
	// The test proceeds once the request is inside its delay.
	sleeping := make(chan struct{})
	srv.onSleep = func() { close(sleeping) }
	tr := &http.Transport{}
	hc := &http.Client{Transport: tr}
	// A request stuck in an injected delay, and an idle keep-alive
	// connection, must not keep anything alive after Close.
	srv.InjectFault("KickUser", Fault{Delay: time.Hour})
	done := make(chan error, 1)
	go func() {
		resp, err := hc.Do(signedKick(t, srv))
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	<-sleeping
	srv.Close()
	srv.Close() // idempotent
	<-done
	tr.CloseIdleConnections()
}
