package rtc

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestEchoedSignatureRedactedInEveryForm: a gateway that quotes the
// request's signature URL-encoded, under a lower-case key, as
// "Signature = ..." or upper-cased gets none of it into the error. Before,
// only what followed a literal "Signature=" was cut.
func TestEchoedSignatureRedactedInEveryForm(t *testing.T) {
	forms := map[string]func(auth, sig string) string{
		"url-encoded": func(auth, _ string) string { return "auth=" + url.QueryEscape(auth) },
		"lower case":  func(_, sig string) string { return "signature=" + sig },
		"spaced":      func(_, sig string) string { return "Signature = " + sig },
		"upper case":  func(_, sig string) string { return "SIG:" + strings.ToUpper(sig) },
	}
	for name, form := range forms {
		t.Run(name, func(t *testing.T) {
			var sig string
			srv := NewStubServer(t, func(r StubRequest) StubAnswer {
				auth := r.Header.Get("Authorization")
				_, sig, _ = strings.Cut(auth, "Signature=")
				return StubAnswer{Status: http.StatusBadRequest, Code: "InvalidParameter", Message: "cannot parse " + form(auth, sig)}
			})
			c := NewStubClient(t, srv.URL)
			_, err := c.SendUnicast(context.Background(), &SendUnicastRequest{AppID: "app1", From: "a", To: "b", Message: "m"})
			require.Error(t, err)
			require.Len(t, sig, 64)
			msg := err.Error()
			require.NotContains(t, strings.ToLower(msg), sig, msg)
			require.NotContains(t, msg, sig[:16], msg)
			require.Contains(t, msg, redactMark)
		})
	}
}
