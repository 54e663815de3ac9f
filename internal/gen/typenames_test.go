package main

import (
	"slices"
	"strings"
	"testing"
)

// TestNoVagueNestedTypeNames keeps nested type names from suggesting
// another concept: a layout rectangle is not a cloud region (WithRegion,
// Regions), and no task family owns the bare name Control.
func TestNoVagueNestedTypeNames(t *testing.T) {
	m := loadRealModel(t)
	names := map[string]*structType{}
	for _, n := range m.Nested {
		names[n.Name] = n
		base := strings.TrimSuffix(n.Name, "Info")
		if base == "Region" || base == "Control" || base == "CDNPushControl" {
			t.Errorf("nested type %s (used as %s by %v) has a name that suggests another concept", n.Name, n.Uses[0].Path, n.actions())
		}
	}
	want := map[string]string{
		"LayoutRegion":      "StartRecord",
		"MixedPushControl":  "StartPushMixedStreamToCDN",
		"SinglePushControl": "StartPushSingleStreamToCDN",
	}
	for name, action := range want {
		n := names[name]
		if n == nil {
			t.Errorf("no nested type %s", name)
			continue
		}
		found := false
		for _, a := range n.actions() {
			found = found || a == action
		}
		if !found {
			t.Errorf("%s is used by %v, want %s among them", name, n.actions(), action)
		}
	}
}

// TestTaskFamilies checks that every Get*Task action with a task status
// gets a waiter, typed status fields and time accessors.
func TestTaskFamilies(t *testing.T) {
	m := loadRealModel(t)
	var got []string
	for _, f := range m.Tasks {
		got = append(got, f.waiterName())
		for _, fd := range f.Task.Fields {
			switch fd.Wire {
			case "Status":
				if fd.Named != "TaskStatus" {
					t.Errorf("%s: Status is %q, want TaskStatus", f.Get.Name, fd.Named)
				}
			case "StopReason":
				if fd.Named != "StopReason" {
					t.Errorf("%s: StopReason is %q, want StopReason", f.Get.Name, fd.Named)
				}
			}
		}
	}
	for _, want := range []string{"WaitRecordTask", "WaitSegmentTask", "WaitSnapshotTask", "WaitWebCastTask",
		"WaitPushMixedStreamToCDNTask", "WaitPushSingleStreamToCDNTask"} {
		if !slices.Contains(got, want) {
			t.Errorf("no waiter %s; got %v", want, got)
		}
	}
	var b strings.Builder
	m.renderWaiters(&b)
	if !strings.Contains(b.String(), "func (c *Client) WaitRecordTask(ctx context.Context, req *GetRecordTaskRequest, opts ...WaitOption) (*GetRecordTaskResult, error)") {
		t.Errorf("WaitRecordTask does not have its fixed signature:\n%s", b.String())
	}
}
