package rtc

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestEnvelopeCodeAndRequestIDBounded: an error envelope whose Code and
// RequestId are huge and hold newlines gives an APIError whose Code,
// RequestID and Error() are each one short line. Before, both were copied
// as they came (a 4 MiB Error(), forged log lines).
func TestEnvelopeCodeAndRequestIDBounded(t *testing.T) {
	huge := strings.Repeat("A", 1<<20)
	srv := NewStubServer(t, func(r StubRequest) StubAnswer {
		return StubAnswer{Status: http.StatusBadRequest, RequestID: "req-1\nlevel=ERROR msg=forged " + huge,
			Code: "InvalidParameter\r\nlevel=ERROR msg=forged" + huge, Message: "bad"}
	})
	c := NewStubClient(t, srv.URL)
	_, err := c.SendUnicast(context.Background(), &SendUnicastRequest{AppID: "app1", From: "a", To: "b", Message: "m"})
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	for name, v := range map[string]string{"Code": ae.Code, "RequestID": ae.RequestID, "Error()": err.Error()} {
		require.NotContains(t, v, "\n", name)
		require.NotContains(t, v, "\r", name)
		require.Less(t, len(v), 1024, name)
	}
	require.True(t, strings.HasPrefix(ae.Code, "InvalidParameter"), ae.Code)
}
