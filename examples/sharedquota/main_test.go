package main

import (
	"bytes"
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRunWithoutRedis(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(&out, 3, 40, 500*time.Millisecond, "KickUser", 20, ""))
	text := out.String()
	require.Contains(t, text, "REDIS_ADDR is not set")

	re := regexp.MustCompile(`observed_qps=\s*([0-9.]+)`)
	m := re.FindAllStringSubmatch(text, -1)
	require.Len(t, m, 2, text)
	separate, err := strconv.ParseFloat(m[0][1], 64)
	require.NoError(t, err)
	shared, err := strconv.ParseFloat(m[1][1], 64)
	require.NoError(t, err)
	// Three limiters of 40 QPS send up to 120 QPS; past 1.25x the quota is
	// proof enough, and leaves room for a loaded machine.
	require.Greater(t, separate, 40*1.25, "three separate limiters exceed the quota")
	require.LessOrEqual(t, shared, 40*1.1, "one shared limiter keeps it")

	dups := duplicates(t, text)
	require.Len(t, dups, 2, text)
	require.Positive(t, dups[0], "a store per replica processes redeliveries again")
	require.Zero(t, dups[1], "one shared store processes each event once")
}

// duplicates returns the duplicates= figures of the callback scenarios, in
// order, after checking that each processed every event.
func duplicates(t *testing.T, text string) []int {
	t.Helper()
	re := regexp.MustCompile(`events=(\d+) deliveries=(\d+) processed=(\d+) duplicates=(\d+)`)
	var out []int
	for _, m := range re.FindAllStringSubmatch(text, -1) {
		events, _ := strconv.Atoi(m[1])
		processed, _ := strconv.Atoi(m[3])
		dups, _ := strconv.Atoi(m[4])
		require.Equal(t, events, processed-dups, "every event processed at least once: %s", m[0])
		out = append(out, dups)
	}
	return out
}

func TestRunWithRedis(t *testing.T) {
	addr := os.Getenv("REDIS_ADDR")
	if addr == "" {
		t.Skip("REDIS_ADDR is not set: skipping (run with scripts/with-redis.sh)")
	}
	var out bytes.Buffer
	require.NoError(t, run(&out, 3, 40, 500*time.Millisecond, "KickUser", 20, addr))
	require.Contains(t, out.String(), "rtcredis, budget shared in Redis")
	require.Contains(t, out.String(), "rtcredis.DedupStore shared in Redis")
	dups := duplicates(t, out.String())
	require.Len(t, dups, 2, out.String())
	require.Positive(t, dups[0], "a store per replica processes redeliveries again")
	require.Zero(t, dups[1], "replicas sharing a DedupStore in Redis process each event once")
}

func TestRunRejectsBadInput(t *testing.T) {
	tests := []struct {
		name     string
		replicas int
		qps      float64
		d        time.Duration
		action   string
		want     string
	}{
		{"no replicas", 0, 40, time.Second, "KickUser", "must be positive"},
		{"more calls than the fake records", 100, 1000, time.Second, "KickUser", "must stay under"},
		{"action the fake does not know", 1, 40, 200 * time.Millisecond, "NoSuchAction", "InvalidActionOrVersion"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(&bytes.Buffer{}, tt.replicas, tt.qps, tt.d, tt.action, 20, "")
			require.ErrorContains(t, err, tt.want)
		})
	}
}
