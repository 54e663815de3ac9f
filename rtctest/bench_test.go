package rtctest

import (
	"bytes"
	"io"
	"net/http"
	"testing"
)

// BenchmarkServer measures signed requests per second through the whole
// server (signature check, decoding, validation, state, envelope) over
// loopback HTTP, from parallel clients: a POST (KickUser) and a GET
// (GetRoomOnlineUsers) alternately.
func BenchmarkServer(b *testing.B) {
	srv := NewServer()
	defer srv.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	_ = srv.Join("a", "r", "u")
	signer := newSigner()
	cr := creds(DemoAccessKeyID, DemoSecretAccessKey)
	post := []byte(`{"AppId":"a","RoomId":"r","UserId":"nobody"}`)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			var hr *http.Request
			if i%2 == 0 {
				hr, _ = http.NewRequest("POST", srv.URL+"/?Action=KickUser&Version=2020-12-01", bytes.NewReader(post))
				hr.Header.Set("Content-Type", "application/json")
				_ = signer.Sign(hr, post, cr, srv.now())
			} else {
				hr, _ = http.NewRequest("GET", srv.URL+"/?Action=GetRoomOnlineUsers&Version=2023-11-01&AppId=a&RoomId=r", nil)
				hr.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
				_ = signer.Sign(hr, nil, cr, srv.now())
			}
			i++
			resp, err := hc.Do(hr)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}
