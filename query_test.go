package rtc

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/volcrtc/rtc/internal/sigv4"
)

// The query the client sends is exactly the canonical query the signer
// (and the fake server's verifier) computes from it: one implementation.
func TestQueryEncodeIsCanonical(t *testing.T) {
	t.Parallel()
	cases := [][][2]string{
		{{"Version", "2023-11-01"}, {"Action", "GetRecordTask"}, {"AppId", "a"}, {"TaskId", "t 1"}},
		{{"b", "2"}, {"b", "1"}, {"a", "é/ü+&="}, {"a", ""}, {"~x", "-_.~"}},
		{{"Action", "ListApps"}, {"Version", "2022-06-01"}, {"Limit", "10"}, {"Offset", "0"}},
	}
	for _, c := range cases {
		q := queryBuilder{}
		vals := url.Values{}
		for _, kv := range c {
			q.add(kv[0], kv[1])
			vals.Add(kv[0], kv[1])
		}
		got := q.encode()
		require.Equal(t, string(sigv4.AppendCanonicalQuery(nil, vals.Encode())), got)
		require.Equal(t, got, string(sigv4.AppendCanonicalQuery(nil, got)), "already canonical")
	}
	require.Equal(t, "Action=BanRoomUser&Version=2023-11-01", actionQuery("BanRoomUser", "2023-11-01"))
	require.Equal(t, "Action=a%20b&Version=v", actionQuery("a b", "v"))
}
