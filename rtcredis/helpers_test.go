package rtcredis

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/volcrtc/rtc/rtctest"
)

// TestMain silences go-redis's own connection logging, which would otherwise
// print one line per failed dial in the outage tests.
func TestMain(m *testing.M) {
	redis.SetLogger(quietLogger{})
	os.Exit(m.Run())
}

type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...interface{}) {}

// sharedRedis returns the address of the Redis server named by REDIS_ADDR,
// skipping the test when it is unset.
func sharedRedis(t *testing.T) string {
	t.Helper()
	addr := os.Getenv("REDIS_ADDR")
	if addr == "" {
		t.Skip("REDIS_ADDR is not set: skipping a test that needs a real Redis server " +
			"(run it with scripts/with-redis.sh go test ./...)")
	}
	return addr
}

// newClient returns a go-redis client of its own, as a separate process
// would have, closed at the end of the test.
func newClient(t *testing.T, addr string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{
		Addr:         addr,
		DialTimeout:  200 * time.Millisecond,
		ReadTimeout:  3 * time.Second,
		WriteTimeout: 3 * time.Second,
		MaxRetries:   -1,
	})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// uniquePrefix isolates the keys of one test run.
func uniquePrefix(t *testing.T) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "rtc:test:" + hex.EncodeToString(b[:]) + ":"
}

// closedAddr returns a loopback address on which nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// logBuffer is a goroutine-safe sink for slog records.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) count(substr string) int { return strings.Count(b.String(), substr) }

func newLogger() (*slog.Logger, *logBuffer) {
	b := &logBuffer{}
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}

// The shared test account's key pair, accepted by the fake server.
const (
	sharedAccessKeyID     = "AKLTsharedAccount"
	sharedSecretAccessKey = "c2VjcmV0"
)

// newFakeRTC starts the SDK's fake RTC OpenAPI server, accepting the shared
// test account, closed at the end of the test.
func newFakeRTC(t *testing.T) *rtctest.Server {
	t.Helper()
	srv := rtctest.NewServer(rtctest.WithCredentials(sharedAccessKeyID, sharedSecretAccessKey))
	t.Cleanup(srv.Close)
	return srv
}

// served counts the requests for action that srv answered successfully and
// whose signature verified. (srv keeps the rtctest.MaxRecorded most recent
// requests: far more than these tests send.)
func served(srv *rtctest.Server, action string) int64 {
	var n int64
	for _, r := range srv.Requests() {
		if r.Action == action && r.Status == 200 && r.SignatureVerified {
			n++
		}
	}
	return n
}

// redisProcess is a redis-server the test starts, stops, pauses and
// restarts on a fixed loopback port.
type redisProcess struct {
	t    *testing.T
	bin  string
	port int
	cmd  *exec.Cmd
	done chan struct{}
}

func (p *redisProcess) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(p.port)) }

// startRedisProcess runs redis-server from PATH on a free loopback port, or
// skips the test when it is not installed.
func startRedisProcess(t *testing.T) *redisProcess {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not on PATH: skipping the outage test (scripts/with-redis.sh installs it)")
	}
	_, portStr, err := net.SplitHostPort(closedAddr(t))
	require.NoError(t, err)
	port, err := strconv.Atoi(portStr)
	require.NoError(t, err)
	p := &redisProcess{t: t, bin: bin, port: port}
	p.Start()
	t.Cleanup(p.Stop)
	return p
}

// Start launches the server and waits until it answers PING.
func (p *redisProcess) Start() {
	p.t.Helper()
	p.cmd = exec.Command(p.bin, "--port", strconv.Itoa(p.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--loglevel", "warning")
	require.NoError(p.t, p.cmd.Start())
	p.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { _ = cmd.Wait(); close(done) }(p.cmd, p.done)
	c := redis.NewClient(&redis.Options{Addr: p.Addr(), MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("redis-server on %s did not come up: %v", p.Addr(), err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop kills the server (no clean shutdown, as in a crash) and reaps it.
func (p *redisProcess) Stop() {
	if p.cmd == nil || p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGCONT)
	_ = p.cmd.Process.Kill()
	<-p.done
	p.cmd = nil
}

// Pause freezes the server so that connections stay open but nothing answers.
func (p *redisProcess) Pause() { require.NoError(p.t, p.cmd.Process.Signal(syscall.SIGSTOP)) }

// Resume undoes Pause.
func (p *redisProcess) Resume() { require.NoError(p.t, p.cmd.Process.Signal(syscall.SIGCONT)) }

// hammerResult summarises one load run.
type hammerResult struct {
	calls   int64
	elapsed time.Duration
	maxWait time.Duration
	errs    int64
}

func (r hammerResult) qps() float64 { return float64(r.calls) / r.elapsed.Seconds() }

// hammer runs workers goroutines per call function for d, each looping
// "call, count"; call does the limiter wait and the request.
func hammer(d time.Duration, workers int, calls ...func(ctx context.Context) (time.Duration, error)) hammerResult {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var n, errs atomic.Int64
	var maxWait atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for _, call := range calls {
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					waited, err := call(ctx)
					for {
						old := maxWait.Load()
						if int64(waited) <= old || maxWait.CompareAndSwap(old, int64(waited)) {
							break
						}
					}
					if err != nil {
						// The run's own deadline ends a worker: a limiter fails
						// fast when the next slot lies past it.
						if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
							return
						}
						errs.Add(1)
						continue
					}
					n.Add(1)
				}
			}()
		}
	}
	wg.Wait()
	return hammerResult{calls: n.Load(), elapsed: time.Since(start), maxWait: time.Duration(maxWait.Load()), errs: errs.Load()}
}

// report prints the observed rate so that it shows in plain `go test` output.
func report(t *testing.T, label string, r hammerResult, limit float64) {
	t.Helper()
	line := fmt.Sprintf("%s: observed_qps=%.2f limit=%g calls=%d elapsed=%v max_wait=%v",
		label, r.qps(), limit, r.calls, r.elapsed.Round(time.Millisecond), r.maxWait.Round(time.Millisecond))
	t.Log(line)
	fmt.Println(line)
}
