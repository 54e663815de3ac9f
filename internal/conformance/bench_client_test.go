package conformance_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	v20231101 "github.com/volcengine/volc-sdk-golang/service/rtc/v20231101"
	"github.com/volcrtc/rtc"
)

// newBenchBan is the BanRoomUser request our SDK sends in the benchmarks
// (the vendor's twin is built in banVendor).
func newBenchBan() *rtc.BanRoomUserRequest {
	return &rtc.BanRoomUserRequest{
		AppID: "661e2f2a543cf0012345abcd", RoomID: "room1", UserID: "user1", ForbiddenInterval: rtc.Ptr[int32](600),
	}
}

func newOurClient(b *testing.B, endpoint string, hc *http.Client) *rtc.Client {
	b.Helper()
	c, err := rtc.New(
		rtc.WithEndpoint(endpoint),
		rtc.WithCredentials(rtc.Credentials{AccessKeyID: benchAK, SecretAccessKey: benchSK}),
		rtc.WithHTTPClient(hc),
	)
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func newVendorClient(host, scheme string, hc *http.Client) *v20231101.Rtc {
	c := v20231101.NewInstance()
	c.SetHost(host)
	c.SetScheme(scheme)
	c.SetAccessKey(benchAK)
	c.SetSecretKey(benchSK)
	c.Client.Client = hc
	return c
}

func banOurs(ctx context.Context, c *rtc.Client, req *rtc.BanRoomUserRequest) error {
	_, err := c.BanRoomUser(ctx, req)
	return err
}

func banVendor(ctx context.Context, c *v20231101.Rtc) error {
	room, user := "room1", "user1"
	_, _, err := c.BanRoomUser(ctx, &v20231101.BanRoomUserBody{
		AppID: "661e2f2a543cf0012345abcd", RoomID: &room, UserID: &user, ForbiddenInterval: rtc.Ptr[int32](600),
	})
	return err
}

// BenchmarkBanRoomUser is a whole BanRoomUser call, encode + sign + decode,
// through an in-memory transport: everything an SDK adds to the network.
func BenchmarkBanRoomUser(b *testing.B) {
	ctx := context.Background()
	b.Run("ours", func(b *testing.B) {
		c := newOurClient(b, "https://"+benchHost, &http.Client{Transport: memTransport{body: banEnvelope}})
		b.ReportAllocs()
		b.ResetTimer()
		cpu0 := processCPU()
		for i := 0; i < b.N; i++ {
			if err := banOurs(ctx, c, newBenchBan()); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
	})
	b.Run("vendor", func(b *testing.B) {
		c := newVendorClient(benchHost, "https", &http.Client{Transport: memTransport{body: banEnvelope}})
		b.ReportAllocs()
		b.ResetTimer()
		cpu0 := processCPU()
		for i := 0; i < b.N; i++ {
			if err := banVendor(ctx, c); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
	})
}

// loopbackParallelism makes RunParallel run 32 goroutines on 2 procs.
func loopbackParallelism() int {
	return 16
}

// countingConn counts the writes a client makes on a connection: a small
// request should leave in one write (one TCP segment), as raw net/http's
// does.
type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingConn) Write(b []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(b)
}

// newLoopbackTransport returns a transport with room for 32 idle
// connections to one host whose connections count their writes in writes.
func newLoopbackTransport(writes *atomic.Int64) *http.Transport {
	d := &net.Dialer{}
	return &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return countingConn{Conn: c, writes: writes}, nil
		},
		MaxIdleConns:        128,
		MaxIdleConnsPerHost: 128,
		IdleConnTimeout:     30 * time.Second,
	}
}

// envelopeServer answers every request with the BanRoomUser envelope.
func envelopeServer() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(banEnvelope)
	}))
}

// BenchmarkLoopback compares a full call of ours over loopback HTTP with
// raw net/http sending the same, pre-signed bytes: 32 goroutines share one
// client. The SDK should keep at least 90% of raw throughput.
func BenchmarkLoopback(b *testing.B) {
	ctx := context.Background()
	b.Run("ours", func(b *testing.B) {
		srv := envelopeServer()
		defer srv.Close()
		var writes atomic.Int64
		tr := newLoopbackTransport(&writes)
		defer tr.CloseIdleConnections()
		c := newOurClient(b, srv.URL, &http.Client{Transport: tr})
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
	})
	b.Run("rawnethttp", func(b *testing.B) {
		srv := envelopeServer()
		defer srv.Close()
		var writes atomic.Int64
		tr := newLoopbackTransport(&writes)
		defer tr.CloseIdleConnections()
		hc := &http.Client{Transport: tr}
		target := srv.URL + "/?Action=BanRoomUser&Version=2023-11-01"

		// Sign once; every request then carries the same bytes.
		pre, err := http.NewRequest(http.MethodPost, target, nil)
		if err != nil {
			b.Fatal(err)
		}
		pre.Header.Set("Content-Type", contentTypeJSON)
		creds := rtc.Credentials{AccessKeyID: benchAK, SecretAccessKey: benchSK}
		if err := rtc.NewSigner("cn-north-1", "rtc").Sign(pre, benchBody, creds, time.Now()); err != nil {
			b.Fatal(err)
		}
		header := pre.Header // shared, read-only

		b.SetParallelism(loopbackParallelism())
		b.ReportAllocs()
		b.ResetTimer()
		cpu0 := processCPU()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(benchBody))
				if err != nil {
					b.Error(err)
					return
				}
				req.Header = header
				resp, err := hc.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				_, err = io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK {
					b.Error(err, resp.StatusCode)
					return
				}
			}
		})
		b.ReportMetric(float64(writes.Load())/float64(b.N), "writes/op")
		b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
	})
}
