package rtc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Keys of third-party providers, in the raw provider configurations of
// StartVoiceChat and UpdateVoiceChat.
const (
	vcASRToken   = "ASRTOKEN7a1d2c3b4e5f6a7b"
	vcASRAccess  = "ASRACCESS0f9e8d7c6b5a4f3e"
	vcLLMKey     = "sk-LLMKEY5e4d3c2b1a09f8e7"
	vcTTSKey     = "TTSAPIKEY99aa88bb77cc66dd"
	vcAvatarKey  = "AVATARAPPKEY1234abcd5678"
	vcParamKey   = "PARAMSKEYdeadbeef0badf00d"
	vcVoicePrint = "VPSECRET0011223344556677"
)

func vcSecrets() []string {
	return []string{vcASRToken, vcASRAccess, vcLLMKey, vcTTSKey, vcAvatarKey, vcParamKey, vcVoicePrint}
}

func vcStartRequest() *StartVoiceChatRequest {
	return &StartVoiceChatRequest{
		AppID: "661e8b2ec3c1a0017a5543cf", RoomID: "room1", TaskID: "task1",
		AgentConfig: &AgentConfig{UserID: "bot", TargetUserID: []string{"u1"},
			VoicePrint: json.RawMessage(`{"Mode":1,"Credentials":{"secret":"` + vcVoicePrint + `"}}`)},
		Config: &VoiceChatConfig{
			ASRConfig:    json.RawMessage(`{"Provider":"volcano","ProviderParams":{"Mode":"smallmodel","app":{"appid":"123456","token":"` + vcASRToken + `","cluster":"volcengine_streaming_common"},"credential":{"access_token":"` + vcASRAccess + `"}}}`),
			LLMConfig:    json.RawMessage(`{"Mode":"CustomLLM","URL":"https://llm.example.com/v1","ModelName":"m1","APIKey":"` + vcLLMKey + `","MaxTokens":1024}`),
			TTSConfig:    json.RawMessage(`{"Provider":"minimax","ProviderParams":{"group_id":"g1","X-Api-Key":"` + vcTTSKey + `","voice_type":"female"}}`),
			AvatarConfig: json.RawMessage(`[{"AvatarType":"3d","AppKey":"` + vcAvatarKey + `"}]`),
		},
	}
}

func vcUpdateRequest() *UpdateVoiceChatRequest {
	// Parameters as a JSON text holding JSON, the other form a caller uses.
	inner := `{"LLMConfig":{"api_key":"` + vcParamKey + `","SystemMessages":["be brief"]}}`
	q, _ := json.Marshal(inner)
	return &UpdateVoiceChatRequest{AppID: "661e8b2ec3c1a0017a5543cf", RoomID: "room1", TaskID: "task1",
		Command: VoiceChatUpdateParameters, Parameters: q}
}

func TestIsCredentialKey(t *testing.T) {
	for _, k := range []string{"APIKey", "api_key", "apiKey", "X-Api-Key", "token", "Token", "access_token", "AccessToken",
		"app_token", "secret", "client_secret", "SecretKey", "AppKey", "appkey", "AccessKey", "password", "Authorization",
		"private_key", "credential", "credentials", "sk", "AK", "key", "auth", "cookie",
		strings.Repeat("x", 100) + "_token"} {
		require.True(t, isCredentialKey(k), k)
	}
	for _, k := range []string{"appid", "AppId", "cluster", "Provider", "MaxTokens", "max_tokens", "ModelName", "URL",
		"voice_type", "group_id", "keyword", "AccessKeyId", "token_count", ""} {
		require.False(t, isCredentialKey(k), k)
	}
}

// Printing the requests with any verb, through String or log/slog, shows
// none of the providers' keys and still shows the rest of the
// configuration; json.Marshal (the wire) keeps the keys.
func TestVoiceChatRawConfigsPrintRedacted(t *testing.T) {
	start, update := vcStartRequest(), vcUpdateRequest()
	values := []any{start, *start, *start.Config, start.Config, *start.AgentConfig, update, *update}
	for _, v := range values {
		t.Run(fmt.Sprintf("%T", v), func(t *testing.T) {
			var texts []string
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
				texts = append(texts, fmt.Sprintf(verb, v), fmt.Sprintf(verb, []any{v}))
			}
			if s, ok := v.(fmt.Stringer); ok {
				texts = append(texts, s.String())
			}
			var buf bytes.Buffer
			slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "v", v)
			slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "v", v)
			texts = append(texts, buf.String())
			b, err := json.Marshal(v)
			require.NoError(t, err)
			for _, text := range texts {
				for _, s := range vcSecrets() {
					require.NotContains(t, text, s)
					require.NotContains(t, text, fmt.Sprintf("%x", s), "hex form")
				}
			}
			require.Contains(t, fmt.Sprintf("%s", v), "[redacted]")
			found := 0
			for _, s := range vcSecrets() {
				if strings.Contains(string(b), s) {
					found++
				}
			}
			require.NotZero(t, found, "json.Marshal keeps the keys")
		})
	}
	s := fmt.Sprintf("%s", start)
	for _, keep := range []string{"volcano", "123456", "CustomLLM", "https://llm.example.com/v1", "1024", "minimax", "female", "3d"} {
		require.Contains(t, s, keep, "the rest of the configuration still prints")
	}
	require.Contains(t, fmt.Sprintf("%s", update), "be brief")
	// The value itself is untouched.
	require.Contains(t, string(start.Config.LLMConfig), vcLLMKey)
}

// bodySecrets finds the keys inside raw provider configurations, so an
// echo of the request in an error is redacted (see the rtc_test echo test
// for the whole path).
func TestBodySecretsReadsRawConfigs(t *testing.T) {
	for _, req := range []request{vcStartRequest(), vcUpdateRequest()} {
		b, err := encodeBody(req)
		require.NoError(t, err)
		got := bodySecrets(b)
		set := &secretSet{extra: got}
		out := string(redactAll(b, set))
		for _, s := range vcSecrets() {
			require.NotContains(t, out, s)
		}
		require.Contains(t, out, "[redacted]")
	}
	require.Nil(t, bodySecrets([]byte(`{"AppId":"a","RoomId":"r","Config":{"Mode":"x"}}`)))
	require.Nil(t, bodySecrets([]byte(`{"LLMConfig":{"Mode":"CustomLLM","MaxTokens":5}}`)))
}
