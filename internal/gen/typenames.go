package main

import (
	"fmt"
	"sort"
	"strings"
)

// reservedNames are identifiers the rest of package rtc defines or is
// likely to define (core client, callbacks, tokens); a nested type never
// takes one of them.
var reservedNames = map[string]bool{
	"Client": true, "Option": true, "CallOption": true, "Credentials": true,
	"CredentialsProvider": true, "RetryPolicy": true, "RateLimiter": true,
	"Observer": true, "CallInfo": true, "AttemptInfo": true, "AttemptResult": true,
	"CallResult": true, "ResponseMetadata": true, "APIError": true,
	"ValidationError": true, "FieldProblem": true, "ResponseError": true,
	"Signer": true, "Callback": true, "Event": true, "Token": true,
	"Privilege": true, "Error": true,
	// Too vague for a nested type: a cloud region (WithRegion) is not a
	// layout rectangle, and every task family has its own control.
	"Region": true, "Control": true,
	// Hand-written types generated fields refer to (task_status.go).
	"TaskStatus": true, "StopReason": true,
}

// nameOverrides gives a better name to a shape than the one derived from
// its field, keyed by "Action.in|out.Path" of any of its uses. They exist
// where the field name says little about one element.
var nameOverrides = map[string]string{
	// Each element of ListMusics / SearchMusics "List" is one song.
	"ListMusics.out.List":   "Music",
	"SearchMusics.out.List": "Music",
	// Each element of ListHotMusic "HotList" is a whole hot list.
	"ListHotMusic.out.HotList": "HotList",
	// GetCallback's "Callbacks" elements are callback configurations.
	"GetCallback.out.Callbacks": "CallbackConfig",
	// {StreamList: [...]} serves as both TargetStreams and ExcludeStreams.
	"StartRecord.in.TargetStreams":                 "Streams",
	"GetRecordTask.out.RecordTask.RecordFileList":  "RecordFile",
	"GetSegmentTask.out.SegmentTask.TargetStreams": "Streams",
	// Public streams pick their source streams by room and user.
	"StartPushPublicStream.in.TargetStreams": "RoomStream",
	// The distribution reports have their own indicator and data shapes.
	"ListQualityDistribution.out.Indicators":            "DistributionIndicator",
	"ListQualityDistribution.out.Indicators.Data":       "DistributionData",
	"ListOperationDistribution.out.Data":                "OperationDistribution",
	"ListCallDetail.out.UserCallDetail.CallDetail.Data": "CallDetailPoint",
	"ListRealTimePublicStreamInfo.out.Indicators.Data":  "IndicatorData",
	// The two failover policies.
	"CreateFailRecoveryPolicy.out.Policy": "RecoveryPolicy",
	"CreateVendorPolicy.out.Policy":       "VendorPolicy",
	// Names that would otherwise be too generic.
	"ListUserInfo.out.UserList.Record":     "UserRecord",
	"ListRelayStream.out.Task":             "RelayTask",
	"WbTranscodeGet.out.Images":            "TranscodeImage",
	"GetRealtimePostProcessing.out.common": "PostProcessingValue",
	"StartVoiceChat.in.Config":             "VoiceChatConfig",
	"ListDetectionTask.out.EventData":      "DetectionTask",
	// Names that would otherwise suggest another concept: a layout
	// rectangle is not a cloud region (WithRegion), and each CDN push
	// variant has its own control.
	"StartRecord.in.Layout.CustomLayout.Regions":                                           "LayoutRegion",
	"StartPushMixedStreamToCDN.in.Control":                                                 "MixedPushControl",
	"StartPushSingleStreamToCDN.in.Control":                                                "SinglePushControl",
	"GetPushSingleStreamToCDNTask.out.PushSingleStreamToCDNTask.Control":                   "SinglePushControl",
	"GetSegmentTask.out.SegmentTask.Control":                                               "SegmentControl",
	"GetPushMixedStreamToCDNTask.out.PushMixedStreamToCDNTask.Control":                     "MixedPushControl",
	"GetPushMixedStreamToCDNTask.out.PushMixedStreamToCDNTask.Layout.CustomLayout.Regions": "LayoutRegion",
}

// nameNested gives every nested type its Go name. The rules, in order:
//
//  1. A shape asks for the name most of its occurrences ask for (the field
//     name, singular for array elements), unless an override applies.
//  2. Input types are named first. When one name is asked for by several
//     input shapes, the most used keeps it and the others are qualified by
//     their category, or else their parent type, or else their action.
//  3. Result types come next. A result type whose name is taken by an
//     input type gets the suffix "Info"; further clashes among result types
//     are qualified as in 2.
func (m *model) nameNested() error {
	all := m.nestedTypes()
	taken := map[string]bool{}
	for _, am := range m.Actions {
		taken[am.Request.Name] = true
		taken[am.Result.Name] = true
	}
	for n := range reservedNames {
		taken[n] = true
	}
	for _, e := range m.facts.Enums {
		taken[e.Name] = true
	}
	for _, md := range []mode{modeInput, modeResult} {
		var group []*structType
		for _, t := range all {
			if t.Mode == md {
				group = append(group, t)
			}
		}
		if err := assignNames(group, md, taken); err != nil {
			return err
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	m.Nested = all
	seen := map[string]bool{}
	for _, t := range all {
		if seen[t.Name] {
			return fmt.Errorf("two nested types are both named %s", t.Name)
		}
		seen[t.Name] = true
	}
	return nil
}

// wantedName is the name a shape asks for before clashes are resolved.
func wantedName(t *structType) string {
	for _, u := range t.Uses {
		if n, ok := nameOverrides[u.Action+"."+t.Mode.String()+"."+u.Path]; ok {
			return prefixedName(t, n)
		}
	}
	count := map[string]int{}
	best := ""
	for _, u := range t.Uses {
		count[u.Base]++
		if best == "" || count[u.Base] > count[best] {
			best = u.Base
		}
	}
	return prefixedName(t, best)
}

// assignNames names all types of one mode, marking names as taken.
func assignNames(types []*structType, md mode, taken map[string]bool) error {
	byName := map[string][]*structType{}
	var names []string
	for _, t := range types {
		n := wantedName(t)
		if md == modeResult && taken[n] {
			n += "Info"
		}
		if byName[n] == nil {
			names = append(names, n)
		}
		byName[n] = append(byName[n], t)
	}
	sort.Strings(names)
	// Uncontested names first, so that a qualified name never steals a
	// name another shape asks for plainly.
	var contested []string
	for _, n := range names {
		g := byName[n]
		if len(g) == 1 && !taken[n] {
			g[0].Name = n
			taken[n] = true
			continue
		}
		contested = append(contested, n)
	}
	for _, n := range contested {
		g := byName[n]
		sort.SliceStable(g, func(i, j int) bool {
			if len(g[i].actions()) != len(g[j].actions()) {
				return len(g[i].actions()) > len(g[j].actions())
			}
			return firstUse(g[i]) < firstUse(g[j])
		})
		start := 0
		if !taken[n] {
			g[0].Name = n
			taken[n] = true
			start = 1
		}
		for _, t := range g[start:] {
			q, err := qualify(t, n, taken)
			if err != nil {
				return err
			}
			t.Name = q
			taken[q] = true
		}
	}
	return nil
}

func firstUse(t *structType) string {
	u := t.Uses[0]
	return u.Action + "." + u.Path
}

// qualify finds a free qualified name for a shape that lost the name n.
func qualify(t *structType, n string, taken map[string]bool) (string, error) {
	var cands []string
	if cats := t.categories(); len(cats) == 1 {
		p := categoryPrefix(cats[0])
		if !strings.HasPrefix(n, p) {
			cands = append(cands, p+n)
		}
	}
	if p := t.Uses[0].Parent; p != "" && !strings.HasPrefix(n, p) {
		cands = append(cands, p+n)
	}
	cands = append(cands, t.Uses[0].Action+n)
	for _, c := range cands {
		if !taken[c] {
			return c, nil
		}
	}
	return "", fmt.Errorf("no free name for the shape at %s (wanted %s, tried %v)", firstUse(t), n, cands)
}
