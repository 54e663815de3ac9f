package conformance_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/volcengine/volc-sdk-golang/base"
	"github.com/volcrtc/rtc"
)

// Benchmarks for issue 7: every measure runs our SDK and the vendor's SDK
// (or raw net/http) side by side in one run, so `benchstat` can put them in
// one table. See bench.sh and BENCHMARKS.md at the repository root.

const (
	benchAK   = "AKLTbenchmarkAccessKeyId"
	benchSK   = "YmVuY2htYXJrU2VjcmV0QWNjZXNzS2V5"
	benchHost = "rtc.volcengineapi.com"
	benchURL  = "https://" + benchHost + "/?Action=BanRoomUser&Version=2023-11-01"
)

var benchBody = []byte(`{"AppId":"661e2f2a543cf0012345abcd","RoomId":"room1","UserId":"user1","ForbiddenInterval":600}`)

// banEnvelope is the canned 200 answer to BanRoomUser.
var banEnvelope = []byte(`{"ResponseMetadata":{"RequestId":"20261125104027010000000000000000","Action":"BanRoomUser","Version":"2023-11-01","Service":"rtc","Region":"cn-north-1"},"Result":{"Message":"success"}}`)

// BenchmarkSign signs one BanRoomUser-like POST with a JSON body.
func BenchmarkSign(b *testing.B) {
	b.Run("ours", func(b *testing.B) {
		req, err := http.NewRequest(http.MethodPost, benchURL, nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", contentTypeJSON)
		s := rtc.NewSigner("cn-north-1", "rtc")
		creds := rtc.Credentials{AccessKeyID: benchAK, SecretAccessKey: benchSK}
		now := time.Now()
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := s.Sign(req, benchBody, creds, now); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("vendor", func(b *testing.B) {
		req, err := http.NewRequest(http.MethodPost, benchURL, bytes.NewReader(benchBody))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", contentTypeJSON)
		creds := base.Credentials{AccessKeyID: benchAK, SecretAccessKey: benchSK, Region: "cn-north-1", Service: "rtc"}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			// Sign reads the body and puts a fresh reader over the same
			// bytes back, so the request can be signed again.
			req = creds.Sign(req)
		}
	})
}

// memTransport answers every request in memory with the canned envelope,
// after reading the request body as a real transport would.
type memTransport struct{ body []byte }

func (t memTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	return &http.Response{
		StatusCode:    http.StatusOK,
		Status:        "200 OK",
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": []string{"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(t.body)),
		ContentLength: int64(len(t.body)),
		Request:       req,
	}, nil
}

// BenchmarkFloor is the least any SDK call can cost through net/http: build
// a request and make a round trip through http.Client with the in-memory
// transport, reading the whole answer.
func BenchmarkFloor(b *testing.B) {
	hc := &http.Client{Transport: memTransport{body: banEnvelope}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req, err := http.NewRequest(http.MethodPost, benchURL, bytes.NewReader(benchBody))
		if err != nil {
			b.Fatal(err)
		}
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadAll(resp.Body); err != nil {
			b.Fatal(err)
		}
		_ = resp.Body.Close()
	}
}
