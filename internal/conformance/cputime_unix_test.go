//go:build unix

package conformance_test

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user + system) this process has used so
// far. The loopback benchmarks report CPU per operation beside wall time:
// on a shared machine wall time swings with other load, CPU per call much
// less, and with client and server in one CPU-bound process the throughput
// ratio on a quiet machine follows the CPU ratio.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
