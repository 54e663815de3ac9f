//go:build !race

// The race detector changes allocation counts (sync.Pool drops items at
// random), so these guards are built only without it; `make test` runs them
// in a separate, race-free step (make allocs).

package rtc

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"
)

// Allocation budgets, as BENCHMARKS.md reports them: a change that adds an
// allocation to the hot path fails here, in `make test`, not only in the
// side-by-side benchmarks.
const (
	signAllocBudget        = 2  // Sign: one POST with a JSON body
	banRoomUserAllocBudget = 19 // a whole BanRoomUser call, in-memory transport
)

func TestSignAllocs(t *testing.T) {
	s := NewSigner(RegionCNNorth1, ServiceName)
	req, err := http.NewRequest(http.MethodPost, "https://rtc.volcengineapi.com/?Action=BanRoomUser&Version=2023-11-01", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentTypeJSON)
	body := []byte(`{"AppId":"661e2f2a543cf0012345abcd","RoomId":"room1","UserId":"user1","ForbiddenInterval":600}`)
	creds := Credentials{AccessKeyID: "AKTEST", SecretAccessKey: "SKTEST"}
	now := time.Date(2026, 11, 25, 10, 40, 27, 0, time.UTC)
	sign := func() {
		if err := s.Sign(req, body, creds, now); err != nil {
			t.Fatal(err)
		}
	}
	sign() // the signing key is cached, as in a running client
	got := testing.AllocsPerRun(200, sign)
	t.Logf("Sign: %.1f allocs per call (budget %d)", got, signAllocBudget)
	if got > signAllocBudget {
		t.Fatalf("Sign allocates %.1f times per call, budget %d (BENCHMARKS.md)", got, signAllocBudget)
	}
}

// memRoundTripper answers every request in memory with body, after reading
// the request body as a real transport would.
type memRoundTripper struct{ body []byte }

func (m memRoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	return &http.Response{
		StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": []string{contentTypeJSON}},
		Body:          io.NopCloser(bytes.NewReader(m.body)),
		ContentLength: int64(len(m.body)),
		Request:       req,
	}, nil
}

func TestBanRoomUserAllocs(t *testing.T) {
	env := []byte(`{"ResponseMetadata":{"RequestId":"20261125104027010000000000000000","Action":"BanRoomUser","Version":"2023-11-01","Service":"rtc","Region":"cn-north-1"},"Result":{"Message":"success"}}`)
	c, err := New(WithEndpoint("https://rtc.volcengineapi.com"),
		WithCredentials(Credentials{AccessKeyID: "AKTEST", SecretAccessKey: "SKTEST"}),
		WithHTTPClient(&http.Client{Transport: memRoundTripper{body: env}}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	call := func() {
		res, err := c.BanRoomUser(ctx, &BanRoomUserRequest{
			AppID: "661e2f2a543cf0012345abcd", RoomID: "room1", UserID: "user1", ForbiddenInterval: Ptr[int32](600),
		})
		if err != nil || res.Message != "success" {
			t.Fatalf("BanRoomUser: %v %+v", err, res)
		}
	}
	call()
	got := testing.AllocsPerRun(200, call)
	t.Logf("BanRoomUser: %.1f allocs per call (budget %d)", got, banRoomUserAllocBudget)
	if got > banRoomUserAllocBudget {
		t.Fatalf("a BanRoomUser call allocates %.1f times, budget %d (BENCHMARKS.md; the hot path must stay <= 20)", got, banRoomUserAllocBudget)
	}
}
