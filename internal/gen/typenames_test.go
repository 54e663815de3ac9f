package main

import (
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
