package conformance_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/volcrtc/rtc/rtctest"
)

// BenchmarkRTCTest measures the fake server's throughput on loopback: our
// client, 32 goroutines, BanRoomUser against rtctest with signature
// checking on. Report only: it tells test authors how hard they can drive
// the fake.
func BenchmarkRTCTest(b *testing.B) {
	srv := rtctest.NewServer(rtctest.WithCredentials(benchAK, benchSK))
	defer srv.Close()
	var writes atomic.Int64
	tr := newLoopbackTransport(&writes)
	defer tr.CloseIdleConnections()
	c := newOurClient(b, srv.URL, &http.Client{Transport: tr})
	ctx := context.Background()
	b.SetParallelism(loopbackParallelism())
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := banOurs(ctx, c, newBenchBan()); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(writes.Load())/float64(b.N), "writes/op")
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
}
