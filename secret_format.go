package rtc

// Types that hold a secret (a field listed in secretFields, directly or in a
// nested value) print it redacted: under every fmt verb (Format), through
// String, and in log/slog (LogValue), whatever the handler. The value itself
// is untouched: json.Marshal and the request on the wire carry it.
// TestSecretTypesAreRedacted fails when a type holding a secret is missing
// here.

import (
	"fmt"
	"log/slog"
	"reflect"
)

// redactCopy returns a deep copy of v whose secret fields (by JSON name,
// see secretFields) that are set read "[redacted]".
func redactCopy[T any](v T) T {
	var out T
	reflect.ValueOf(&out).Elem().Set(redactValue(reflect.ValueOf(v)))
	return out
}

func redactValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			fv := v.Field(i)
			name := f.Tag.Get("json")
			for j := 0; j < len(name); j++ {
				if name[j] == ',' {
					name = name[:j]
					break
				}
			}
			if fv.Kind() == reflect.String && isSecretField(name) && fv.Len() > 0 {
				out.Field(i).SetString(redactMark)
				continue
			}
			out.Field(i).Set(redactValue(fv))
		}
		return out
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(redactValue(v.Elem()))
		return p
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(redactValue(v.Index(i)))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		iter := v.MapRange()
		for iter.Next() {
			out.SetMapIndex(iter.Key(), redactValue(iter.Value()))
		}
		return out
	}
	return v
}

// formatPlain prints v, a method-less copy, with the verb and flags of f.
func formatPlain(f fmt.State, verb rune, v any) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), v)
}

type plainApp App

// Format prints the value with its secrets redacted, for every verb.
func (v App) Format(f fmt.State, verb rune) { formatPlain(f, verb, plainApp(redactCopy(v))) }

// String returns the value as %+v prints it, secrets redacted.
func (v App) String() string { return fmt.Sprintf("%+v", plainApp(redactCopy(v))) }

// LogValue makes log/slog show the value with its secrets redacted.
func (v App) LogValue() slog.Value { return slog.AnyValue(plainApp(redactCopy(v))) }

type plainCallbackConfig CallbackConfig

// Format prints the value with its secrets redacted, for every verb.
func (v CallbackConfig) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, plainCallbackConfig(redactCopy(v)))
}

// String returns the value as %+v prints it, secrets redacted.
func (v CallbackConfig) String() string {
	return fmt.Sprintf("%+v", plainCallbackConfig(redactCopy(v)))
}

// LogValue makes log/slog show the value with its secrets redacted.
func (v CallbackConfig) LogValue() slog.Value {
	return slog.AnyValue(plainCallbackConfig(redactCopy(v)))
}

type plainCreateAppResult CreateAppResult

// Format prints the value with its secrets redacted, for every verb.
func (v CreateAppResult) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, plainCreateAppResult(redactCopy(v)))
}

// String returns the value as %+v prints it, secrets redacted.
func (v CreateAppResult) String() string {
	return fmt.Sprintf("%+v", plainCreateAppResult(redactCopy(v)))
}

// LogValue makes log/slog show the value with its secrets redacted.
func (v CreateAppResult) LogValue() slog.Value {
	return slog.AnyValue(plainCreateAppResult(redactCopy(v)))
}

type plainCreateByteplusAppResult CreateByteplusAppResult

// Format prints the value with its secrets redacted, for every verb.
func (v CreateByteplusAppResult) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, plainCreateByteplusAppResult(redactCopy(v)))
}

// String returns the value as %+v prints it, secrets redacted.
func (v CreateByteplusAppResult) String() string {
	return fmt.Sprintf("%+v", plainCreateByteplusAppResult(redactCopy(v)))
}

// LogValue makes log/slog show the value with its secrets redacted.
func (v CreateByteplusAppResult) LogValue() slog.Value {
	return slog.AnyValue(plainCreateByteplusAppResult(redactCopy(v)))
}

type plainCreateCallbackRequest CreateCallbackRequest

// Format prints the value with its secrets redacted, for every verb.
func (v CreateCallbackRequest) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, plainCreateCallbackRequest(redactCopy(v)))
}

// String returns the value as %+v prints it, secrets redacted.
func (v CreateCallbackRequest) String() string {
	return fmt.Sprintf("%+v", plainCreateCallbackRequest(redactCopy(v)))
}

// LogValue makes log/slog show the value with its secrets redacted.
func (v CreateCallbackRequest) LogValue() slog.Value {
	return slog.AnyValue(plainCreateCallbackRequest(redactCopy(v)))
}

type plainCustomConfig CustomConfig

// Format prints the value with its secrets redacted, for every verb.
func (v CustomConfig) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, plainCustomConfig(redactCopy(v)))
}

// String returns the value as %+v prints it, secrets redacted.
func (v CustomConfig) String() string { return fmt.Sprintf("%+v", plainCustomConfig(redactCopy(v))) }

// LogValue makes log/slog show the value with its secrets redacted.
func (v CustomConfig) LogValue() slog.Value { return slog.AnyValue(plainCustomConfig(redactCopy(v))) }

type plainCustomConfigInfo CustomConfigInfo

// Format prints the value with its secrets redacted, for every verb.
func (v CustomConfigInfo) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, plainCustomConfigInfo(redactCopy(v)))
}

// String returns the value as %+v prints it, secrets redacted.
func (v CustomConfigInfo) String() string {
	return fmt.Sprintf("%+v", plainCustomConfigInfo(redactCopy(v)))
}

// LogValue makes log/slog show the value with its secrets redacted.
func (v CustomConfigInfo) LogValue() slog.Value {
	return slog.AnyValue(plainCustomConfigInfo(redactCopy(v)))
}

type plainGetCallbackResult GetCallbackResult

// Format prints the value with its secrets redacted, for every verb.
func (v GetCallbackResult) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, plainGetCallbackResult(redactCopy(v)))
}

// String returns the value as %+v prints it, secrets redacted.
func (v GetCallbackResult) String() string {
	return fmt.Sprintf("%+v", plainGetCallbackResult(redactCopy(v)))
}

// LogValue makes log/slog show the value with its secrets redacted.
func (v GetCallbackResult) LogValue() slog.Value {
	return slog.AnyValue(plainGetCallbackResult(redactCopy(v)))
}

type plainGetSegmentTaskResult GetSegmentTaskResult

// Format prints the value with its secrets redacted, for every verb.
func (v GetSegmentTaskResult) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, plainGetSegmentTaskResult(redactCopy(v)))
}

// String returns the value as %+v prints it, secrets redacted.
func (v GetSegmentTaskResult) String() string {
	return fmt.Sprintf("%+v", plainGetSegmentTaskResult(redactCopy(v)))
}

// LogValue makes log/slog show the value with its secrets redacted.
func (v GetSegmentTaskResult) LogValue() slog.Value {
	return slog.AnyValue(plainGetSegmentTaskResult(redactCopy(v)))
}

type plainGetSnapshotTaskResult GetSnapshotTaskResult

// Format prints the value with its secrets redacted, for every verb.
func (v GetSnapshotTaskResult) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, plainGetSnapshotTaskResult(redactCopy(v)))
}

// String returns the value as %+v prints it, secrets redacted.
func (v GetSnapshotTaskResult) String() string {
	return fmt.Sprintf("%+v", plainGetSnapshotTaskResult(redactCopy(v)))
}

// LogValue makes log/slog show the value with its secrets redacted.
func (v GetSnapshotTaskResult) LogValue() slog.Value {
	return slog.AnyValue(plainGetSnapshotTaskResult(redactCopy(v)))
}

type plainIMGetAppTokenResult IMGetAppTokenResult

// Format prints the value with its secrets redacted, for every verb.
func (v IMGetAppTokenResult) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, plainIMGetAppTokenResult(redactCopy(v)))
}

// String returns the value as %+v prints it, secrets redacted.
func (v IMGetAppTokenResult) String() string {
	return fmt.Sprintf("%+v", plainIMGetAppTokenResult(redactCopy(v)))
}

// LogValue makes log/slog show the value with its secrets redacted.
func (v IMGetAppTokenResult) LogValue() slog.Value {
	return slog.AnyValue(plainIMGetAppTokenResult(redactCopy(v)))
}

type plainLimitTokenPrivilegeRequest LimitTokenPrivilegeRequest

// Format prints the value with its secrets redacted, for every verb.
func (v LimitTokenPrivilegeRequest) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, plainLimitTokenPrivilegeRequest(redactCopy(v)))
}

// String returns the value as %+v prints it, secrets redacted.
func (v LimitTokenPrivilegeRequest) String() string {
	return fmt.Sprintf("%+v", plainLimitTokenPrivilegeRequest(redactCopy(v)))
}

// LogValue makes log/slog show the value with its secrets redacted.
func (v LimitTokenPrivilegeRequest) LogValue() slog.Value {
	return slog.AnyValue(plainLimitTokenPrivilegeRequest(redactCopy(v)))
}

type plainListAppsResult ListAppsResult

// Format prints the value with its secrets redacted, for every verb.
func (v ListAppsResult) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, plainListAppsResult(redactCopy(v)))
}

// String returns the value as %+v prints it, secrets redacted.
func (v ListAppsResult) String() string {
	return fmt.Sprintf("%+v", plainListAppsResult(redactCopy(v)))
}

// LogValue makes log/slog show the value with its secrets redacted.
func (v ListAppsResult) LogValue() slog.Value {
	return slog.AnyValue(plainListAppsResult(redactCopy(v)))
}

type plainRecordCustomConfig RecordCustomConfig

// Format prints the value with its secrets redacted, for every verb.
func (v RecordCustomConfig) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, plainRecordCustomConfig(redactCopy(v)))
}

// String returns the value as %+v prints it, secrets redacted.
func (v RecordCustomConfig) String() string {
	return fmt.Sprintf("%+v", plainRecordCustomConfig(redactCopy(v)))
}

// LogValue makes log/slog show the value with its secrets redacted.
func (v RecordCustomConfig) LogValue() slog.Value {
	return slog.AnyValue(plainRecordCustomConfig(redactCopy(v)))
}

type plainRecordStorageConfig RecordStorageConfig

// Format prints the value with its secrets redacted, for every verb.
func (v RecordStorageConfig) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, plainRecordStorageConfig(redactCopy(v)))
}

// String returns the value as %+v prints it, secrets redacted.
func (v RecordStorageConfig) String() string {
	return fmt.Sprintf("%+v", plainRecordStorageConfig(redactCopy(v)))
}

// LogValue makes log/slog show the value with its secrets redacted.
func (v RecordStorageConfig) LogValue() slog.Value {
	return slog.AnyValue(plainRecordStorageConfig(redactCopy(v)))
}

type plainSegmentTask SegmentTask

// Format prints the value with its secrets redacted, for every verb.
func (v SegmentTask) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, plainSegmentTask(redactCopy(v)))
}

// String returns the value as %+v prints it, secrets redacted.
func (v SegmentTask) String() string { return fmt.Sprintf("%+v", plainSegmentTask(redactCopy(v))) }

// LogValue makes log/slog show the value with its secrets redacted.
func (v SegmentTask) LogValue() slog.Value { return slog.AnyValue(plainSegmentTask(redactCopy(v))) }

type plainSnapshotTask SnapshotTask

// Format prints the value with its secrets redacted, for every verb.
func (v SnapshotTask) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, plainSnapshotTask(redactCopy(v)))
}

// String returns the value as %+v prints it, secrets redacted.
func (v SnapshotTask) String() string { return fmt.Sprintf("%+v", plainSnapshotTask(redactCopy(v))) }

// LogValue makes log/slog show the value with its secrets redacted.
func (v SnapshotTask) LogValue() slog.Value { return slog.AnyValue(plainSnapshotTask(redactCopy(v))) }

type plainStartRecordRequest StartRecordRequest

// Format prints the value with its secrets redacted, for every verb.
func (v StartRecordRequest) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, plainStartRecordRequest(redactCopy(v)))
}

// String returns the value as %+v prints it, secrets redacted.
func (v StartRecordRequest) String() string {
	return fmt.Sprintf("%+v", plainStartRecordRequest(redactCopy(v)))
}

// LogValue makes log/slog show the value with its secrets redacted.
func (v StartRecordRequest) LogValue() slog.Value {
	return slog.AnyValue(plainStartRecordRequest(redactCopy(v)))
}

type plainStartRelayStreamRequest StartRelayStreamRequest

// Format prints the value with its secrets redacted, for every verb.
func (v StartRelayStreamRequest) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, plainStartRelayStreamRequest(redactCopy(v)))
}

// String returns the value as %+v prints it, secrets redacted.
func (v StartRelayStreamRequest) String() string {
	return fmt.Sprintf("%+v", plainStartRelayStreamRequest(redactCopy(v)))
}

// LogValue makes log/slog show the value with its secrets redacted.
func (v StartRelayStreamRequest) LogValue() slog.Value {
	return slog.AnyValue(plainStartRelayStreamRequest(redactCopy(v)))
}

type plainStartSegmentRequest StartSegmentRequest

// Format prints the value with its secrets redacted, for every verb.
func (v StartSegmentRequest) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, plainStartSegmentRequest(redactCopy(v)))
}

// String returns the value as %+v prints it, secrets redacted.
func (v StartSegmentRequest) String() string {
	return fmt.Sprintf("%+v", plainStartSegmentRequest(redactCopy(v)))
}

// LogValue makes log/slog show the value with its secrets redacted.
func (v StartSegmentRequest) LogValue() slog.Value {
	return slog.AnyValue(plainStartSegmentRequest(redactCopy(v)))
}

type plainStartSnapshotRequest StartSnapshotRequest

// Format prints the value with its secrets redacted, for every verb.
func (v StartSnapshotRequest) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, plainStartSnapshotRequest(redactCopy(v)))
}

// String returns the value as %+v prints it, secrets redacted.
func (v StartSnapshotRequest) String() string {
	return fmt.Sprintf("%+v", plainStartSnapshotRequest(redactCopy(v)))
}

// LogValue makes log/slog show the value with its secrets redacted.
func (v StartSnapshotRequest) LogValue() slog.Value {
	return slog.AnyValue(plainStartSnapshotRequest(redactCopy(v)))
}

type plainStorageConfig StorageConfig

// Format prints the value with its secrets redacted, for every verb.
func (v StorageConfig) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, plainStorageConfig(redactCopy(v)))
}

// String returns the value as %+v prints it, secrets redacted.
func (v StorageConfig) String() string { return fmt.Sprintf("%+v", plainStorageConfig(redactCopy(v))) }

// LogValue makes log/slog show the value with its secrets redacted.
func (v StorageConfig) LogValue() slog.Value { return slog.AnyValue(plainStorageConfig(redactCopy(v))) }

type plainStorageConfigInfo StorageConfigInfo

// Format prints the value with its secrets redacted, for every verb.
func (v StorageConfigInfo) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, plainStorageConfigInfo(redactCopy(v)))
}

// String returns the value as %+v prints it, secrets redacted.
func (v StorageConfigInfo) String() string {
	return fmt.Sprintf("%+v", plainStorageConfigInfo(redactCopy(v)))
}

// LogValue makes log/slog show the value with its secrets redacted.
func (v StorageConfigInfo) LogValue() slog.Value {
	return slog.AnyValue(plainStorageConfigInfo(redactCopy(v)))
}

type plainUpdateCallbackRequest UpdateCallbackRequest

// Format prints the value with its secrets redacted, for every verb.
func (v UpdateCallbackRequest) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, plainUpdateCallbackRequest(redactCopy(v)))
}

// String returns the value as %+v prints it, secrets redacted.
func (v UpdateCallbackRequest) String() string {
	return fmt.Sprintf("%+v", plainUpdateCallbackRequest(redactCopy(v)))
}

// LogValue makes log/slog show the value with its secrets redacted.
func (v UpdateCallbackRequest) LogValue() slog.Value {
	return slog.AnyValue(plainUpdateCallbackRequest(redactCopy(v)))
}

type plainWbTranscodeCreateRequest WbTranscodeCreateRequest

// Format prints the value with its secrets redacted, for every verb.
func (v WbTranscodeCreateRequest) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, plainWbTranscodeCreateRequest(redactCopy(v)))
}

// String returns the value as %+v prints it, secrets redacted.
func (v WbTranscodeCreateRequest) String() string {
	return fmt.Sprintf("%+v", plainWbTranscodeCreateRequest(redactCopy(v)))
}

// LogValue makes log/slog show the value with its secrets redacted.
func (v WbTranscodeCreateRequest) LogValue() slog.Value {
	return slog.AnyValue(plainWbTranscodeCreateRequest(redactCopy(v)))
}

type plainWhiteboardCustomConfig WhiteboardCustomConfig

// Format prints the value with its secrets redacted, for every verb.
func (v WhiteboardCustomConfig) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, plainWhiteboardCustomConfig(redactCopy(v)))
}

// String returns the value as %+v prints it, secrets redacted.
func (v WhiteboardCustomConfig) String() string {
	return fmt.Sprintf("%+v", plainWhiteboardCustomConfig(redactCopy(v)))
}

// LogValue makes log/slog show the value with its secrets redacted.
func (v WhiteboardCustomConfig) LogValue() slog.Value {
	return slog.AnyValue(plainWhiteboardCustomConfig(redactCopy(v)))
}

type plainWhiteboardStorageConfig WhiteboardStorageConfig

// Format prints the value with its secrets redacted, for every verb.
func (v WhiteboardStorageConfig) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, plainWhiteboardStorageConfig(redactCopy(v)))
}

// String returns the value as %+v prints it, secrets redacted.
func (v WhiteboardStorageConfig) String() string {
	return fmt.Sprintf("%+v", plainWhiteboardStorageConfig(redactCopy(v)))
}

// LogValue makes log/slog show the value with its secrets redacted.
func (v WhiteboardStorageConfig) LogValue() slog.Value {
	return slog.AnyValue(plainWhiteboardStorageConfig(redactCopy(v)))
}

type plainAgentConfig AgentConfig

// Format prints the value with its secrets redacted, for every verb.
func (v AgentConfig) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, plainAgentConfig(redactCopy(v)))
}

// String returns the value as %+v prints it, secrets redacted.
func (v AgentConfig) String() string { return fmt.Sprintf("%+v", plainAgentConfig(redactCopy(v))) }

// LogValue makes log/slog show the value with its secrets redacted.
func (v AgentConfig) LogValue() slog.Value { return slog.AnyValue(plainAgentConfig(redactCopy(v))) }

type plainFunctionCallingConfig FunctionCallingConfig

// Format prints the value with its secrets redacted, for every verb.
func (v FunctionCallingConfig) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, plainFunctionCallingConfig(redactCopy(v)))
}

// String returns the value as %+v prints it, secrets redacted.
func (v FunctionCallingConfig) String() string {
	return fmt.Sprintf("%+v", plainFunctionCallingConfig(redactCopy(v)))
}

// LogValue makes log/slog show the value with its secrets redacted.
func (v FunctionCallingConfig) LogValue() slog.Value {
	return slog.AnyValue(plainFunctionCallingConfig(redactCopy(v)))
}

type plainStartVoiceChatRequest StartVoiceChatRequest

// Format prints the value with its secrets redacted, for every verb.
func (v StartVoiceChatRequest) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, plainStartVoiceChatRequest(redactCopy(v)))
}

// String returns the value as %+v prints it, secrets redacted.
func (v StartVoiceChatRequest) String() string {
	return fmt.Sprintf("%+v", plainStartVoiceChatRequest(redactCopy(v)))
}

// LogValue makes log/slog show the value with its secrets redacted.
func (v StartVoiceChatRequest) LogValue() slog.Value {
	return slog.AnyValue(plainStartVoiceChatRequest(redactCopy(v)))
}

type plainVoiceChatConfig VoiceChatConfig

// Format prints the value with its secrets redacted, for every verb.
func (v VoiceChatConfig) Format(f fmt.State, verb rune) {
	formatPlain(f, verb, plainVoiceChatConfig(redactCopy(v)))
}

// String returns the value as %+v prints it, secrets redacted.
func (v VoiceChatConfig) String() string {
	return fmt.Sprintf("%+v", plainVoiceChatConfig(redactCopy(v)))
}

// LogValue makes log/slog show the value with its secrets redacted.
func (v VoiceChatConfig) LogValue() slog.Value {
	return slog.AnyValue(plainVoiceChatConfig(redactCopy(v)))
}

// plainCallbackEvent is CallbackEvent without its methods.
type plainCallbackEvent CallbackEvent

func (e CallbackEvent) redacted() plainCallbackEvent {
	p := plainCallbackEvent(e)
	if p.Signature != "" {
		p.Signature = redactMark // with the event, it could be replayed
	}
	return p
}

// Format prints the event with its Signature redacted, for every verb.
func (e CallbackEvent) Format(f fmt.State, verb rune) { formatPlain(f, verb, e.redacted()) }

// String returns the event as %+v prints it, Signature redacted.
func (e CallbackEvent) String() string { return fmt.Sprintf("%+v", e.redacted()) }

// LogValue makes log/slog show the event with its Signature redacted.
func (e CallbackEvent) LogValue() slog.Value { return slog.AnyValue(e.redacted()) }
