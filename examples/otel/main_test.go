package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRunPrintsSpansAndMetrics(t *testing.T) {
	var out, log bytes.Buffer
	require.NoError(t, run(&out, &log))

	tests := []struct {
		name, text string
		count      int
	}{
		{"our own span", `"Name": "moderate-room"`, 1},
		{"one call span per action", `"Name": "StopRecord"`, 1},
		{"StopRecord retried once", `"Name": "StopRecord attempt"`, 2},
		{"BanRoomUser tried three times", `"Name": "BanRoomUser attempt"`, 3},
		{"StartRecord once", `"Name": "StartRecord attempt"`, 1},
		{"GetRecordTask once", `"Name": "GetRecordTask attempt"`, 1},
		{"throttles counted", "rtc.client.throttles{rpc.method=BanRoomUser,rtc.outcome=FlowLimitExceeded} = 3", 1},
		{"retries counted", "rtc.client.retries{rpc.method=StopRecord,rtc.outcome=ServiceUnavailableTemp} = 1", 1},
		{"no secret", "example-secret", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.count, strings.Count(out.String(), tt.text))
		})
	}
	require.Contains(t, log.String(), "StopRecord: ok after a retry")
	require.Contains(t, log.String(), "BanRoomUser: rtc: BanRoomUser (2023-11-01): FlowLimitExceeded: the fake says no (HTTP 429")
}
