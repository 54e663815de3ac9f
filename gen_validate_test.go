package rtc

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// genProblems runs a request's generated validation and returns the
// problems it finds.
func genProblems(r request) []FieldProblem {
	var v validator
	r.validate(&v)
	return v.problems
}

func genPaths(ps []FieldProblem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Path
	}
	return out
}

func TestGeneratedValidation(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 129)
	cases := []struct {
		name  string
		req   request
		paths []string
		rules []string // a substring of each problem's rule, in order
	}{
		{
			name:  "every sample request is valid",
			req:   sampleStartRecordRequest(),
			paths: []string{},
		},
		{
			name: "several problems at once, nested ID in an array element",
			req: func() request {
				r := sampleStartPushMixedStreamToCDNRequest()
				r.AppID = ""
				r.RoomID = "room 1"
				r.TargetStreams.StreamList = []Stream{{UserID: "ok"}, {UserID: "fine"}, {UserID: "bad/user"}}
				r.Layout.MainVideoStream.UserID = ""
				return r
			}(),
			paths: []string{"AppId", "RoomId", "Layout.MainVideoStream.UserId", "TargetStreams.StreamList[2].UserId"},
			rules: []string{"is required", "must be 1 to 128", "is required", "must be 1 to 128"},
		},
		{
			name: "required nested object and required list",
			req: func() request {
				r := sampleStartVoiceChatRequest()
				r.Config = nil
				r.AgentConfig.TargetUserID = nil
				r.AgentConfig.UserID = long
				return r
			}(),
			paths: []string{"AgentConfig.TargetUserId", "AgentConfig.UserId", "Config"},
			rules: []string{"is required", "129 characters", "is required"},
		},
		{
			name: "array of objects at the top level",
			req: func() request {
				r := sampleStartPushPublicStreamRequest()
				r.TargetStreams = append(r.TargetStreams, RoomStream{UserID: "u1"})
				r.ExcludeStreams[0].RoomID = "r#1"
				return r
			}(),
			paths: []string{"TargetStreams[1].RoomId", "ExcludeStreams[0].RoomId"},
			rules: []string{"is required", "must be 1 to 128"},
		},
		{
			name: "list of user IDs",
			req: func() request {
				r := sampleListQualityRequest()
				r.UserID = []string{"u1", "u 2", "u3", "ü"}
				return r
			}(),
			paths: []string{"UserId[1]", "UserId[3]"},
			rules: []string{"must be 1 to 128", "must be 1 to 128"},
		},
		{
			name:  "optional IDs may be empty",
			req:   &BanRoomUserRequest{AppID: "app", RoomID: "room"},
			paths: []string{},
		},
		{
			name:  "empty request",
			req:   &KickUserRequest{},
			paths: []string{"AppId", "RoomId", "UserId"},
			rules: []string{"is required", "is required", "is required"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ps := genProblems(tc.req)
			require.Equal(t, tc.paths, genPaths(ps))
			for i, rule := range tc.rules {
				require.Contains(t, ps[i].Rule, rule, ps[i].Path)
			}
		})
	}
}

func TestEverySampleRequestIsValid(t *testing.T) {
	t.Parallel()
	// The samples fill every field; the wire test relies on them passing.
	s := NewStubServer(t, func(StubRequest) StubAnswer { return StubAnswer{Result: []byte(`"success"`)} })
	c := newGenClient(t, s.URL)
	for _, sc := range sampleCalls {
		_, err := sc.Call(context.Background(), c)
		var ve *ValidationError
		require.False(t, errors.As(err, &ve), "%s: %v", sc.Action, err)
	}
}

func TestValidationStopsTheCall(t *testing.T) {
	t.Parallel()
	s := NewStubServer(t, func(StubRequest) StubAnswer { return StubAnswer{Result: []byte(`"success"`)} })
	c := newGenClient(t, s.URL)
	req := sampleStartRecordRequest()
	req.TargetStreams.StreamList[0].UserID = "no spaces"
	req.TaskID = ""
	_, err := c.StartRecord(context.Background(), req)
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "StartRecord", ve.Action)
	require.Equal(t, []string{"TaskId", "TargetStreams.StreamList[0].UserId"}, genPaths(ve.Problems))
	require.Empty(t, s.Requests(), "nothing is sent for an invalid request")

	_, err = c.KickUser(context.Background(), nil)
	require.ErrorAs(t, err, &ve)
	require.Empty(t, s.Requests())
}

// The failover and callback actions spell the IDs RoomID and BusinessID;
// the ID rule applies to them too.
func TestGenValidateIDRuleAnyCase(t *testing.T) {
	t.Parallel()
	c, err := New(WithEndpoint("http://127.0.0.1:1"), WithCredentials(Credentials{AccessKeyID: "ak", SecretAccessKey: "sk"}))
	require.NoError(t, err)
	_, err = c.CreateVendorPolicy(context.Background(), &CreateVendorPolicyRequest{
		AppID: "app", BusinessID: "biz ness", RoomID: "room#1", VendorProportion: "1:1",
	})
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	var paths []string
	for _, p := range ve.Problems {
		paths = append(paths, p.Path)
	}
	require.ElementsMatch(t, []string{"BusinessID", "RoomID"}, paths)
}
