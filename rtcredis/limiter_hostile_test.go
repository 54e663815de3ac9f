package rtcredis

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// fakeRedis speaks just enough RESP on a loopback listener for go-redis to
// connect, and answers every script call (EVALSHA, EVAL) and every read of
// a set or hash (SMEMBERS, HMGET) with reply.
func fakeRedis(t *testing.T, reply string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				serveFakeRedis(c, reply)
			}()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().String()
}

func serveFakeRedis(c net.Conn, reply string) {
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	for {
		args, err := readRESPCommand(r)
		if err != nil {
			return
		}
		var out string
		switch strings.ToUpper(args[0]) {
		case "HELLO":
			out = "-ERR unknown command 'HELLO'\r\n"
		case "EVALSHA", "EVAL", "SMEMBERS", "HMGET":
			out = reply
		default:
			out = "+OK\r\n"
		}
		if _, err := io.WriteString(c, out); err != nil {
			return
		}
	}
}

func readRESPCommand(r *bufio.Reader) ([]string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "*")))
	if err != nil || n < 1 {
		return nil, io.ErrUnexpectedEOF
	}
	args := make([]string, n)
	for i := range args {
		if _, err := r.ReadString('\n'); err != nil { // $len
			return nil, err
		}
		s, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		args[i] = strings.TrimSuffix(s, "\r\n")
	}
	return args, nil
}

// A Redis that answers the limiter's script with replies of the wrong shape
// makes redis_rate panic. The Limiter must turn that into its failure mode
// with a warning, not crash the process.
func TestLimiterMalformedRedisReplies(t *testing.T) {
	replies := map[string]string{
		"integer instead of array": ":1\r\n",
		"short array":              "*1\r\n:1\r\n",
		"integers where strings":   "*4\r\n:1\r\n:0\r\n:5\r\n:5\r\n",
		"strings where integers":   "*4\r\n$1\r\n1\r\n$1\r\n0\r\n$1\r\n0\r\n$1\r\n0\r\n",
		"nil elements":             "*4\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n",
	}
	for name, reply := range replies {
		t.Run(name, func(t *testing.T) {
			addr := fakeRedis(t, reply)
			rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true, MaxRetries: -1})
			defer rdb.Close()
			var logs bytes.Buffer
			var mu sync.Mutex
			logger := slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil))
			lim := NewLimiter(rdb, "AKLTexample", WithLimiterLogger(logger), WithLimiterOpTimeout(2*time.Second))

			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			require.NoError(t, lim.Wait(ctx, "KickUser"), "falls back to the local limiter")
			require.True(t, lim.Degraded())
			require.EqualValues(t, 1, lim.Failures())
			mu.Lock()
			defer mu.Unlock()
			require.Contains(t, logs.String(), "redis unavailable")
			require.Contains(t, logs.String(), "malformed reply")
		})
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
