package rtctest

import (
	"math"
	"time"
)

// The quality queries answer for exactly the indicators asked for, in the
// order asked, each a percentage (page 6348/1167931: every quality
// indicator of ListQuality and ListRealTimeQuality is a rate in %). The
// names themselves are checked by the facts before the handler runs. Once
// the app had rooms in the fake, a series has points only for the periods
// in which a user was in one of its calls (in RoomId, if given).
func init() {
	handlers["ListQuality"] = handleQualitySeries
	handlers["ListRealTimeQuality"] = handleQualitySeries
}

func handleQualitySeries(c *call) (any, *apiError) {
	res, _ := c.genericResult().(map[string]any)
	if res == nil {
		res = map[string]any{}
	}
	// The generic answer's first indicator gives the data points'
	// shape and times; each requested name gets its own copy.
	var points []any
	if l, _ := res["Indicators"].([]any); len(l) > 0 {
		if first, _ := l[0].(map[string]any); first != nil {
			points, _ = first["Data"].([]any)
		}
	}
	points = c.coveredPoints(points)
	rnd := c.filler().rnd // seeded by the input: same query, same values
	names, _ := c.in["Indicator"].([]any)
	out := make([]any, 0, len(names))
	for _, n := range names {
		name, _ := n.(string)
		data := make([]any, len(points))
		for j, p := range points {
			pm, _ := p.(map[string]any)
			q := make(map[string]any, len(pm))
			for k, v := range pm {
				q[k] = v
			}
			// A rate: between 90 and 100 %, to two decimals.
			q["Value"] = math.Round((90+10*rnd.Float64())*100) / 100
			data[j] = q
		}
		out = append(out, map[string]any{"Name": name, "Unit": "%", "Data": data})
	}
	res["Indicators"] = out
	if g := c.str("AggregateGranularity"); g != "" {
		res["AggregateGranularity"] = g
	}
	if c.action.Action == "ListRealTimeQuality" {
		if r := c.str("RoomId"); r != "" {
			res["RoomId"] = r
		}
	}
	return res, nil
}

// coveredPoints keeps the points whose period had a user in a call, once
// the app has a call history; a point covers the time to the next one (a
// minute for a single point).
func (c *call) coveredPoints(points []any) []any {
	s := c.srv
	s.mu.Lock()
	defer s.mu.Unlock()
	if !c.hasHistory() {
		return points
	}
	at := func(i int) (time.Time, bool) {
		pm, _ := points[i].(map[string]any)
		ts, _ := pm["TimeStamp"].(string)
		t, err := time.Parse(time.RFC3339, ts)
		return t, err == nil
	}
	kept := []any{}
	for i := range points {
		from, ok := at(i)
		if !ok {
			continue
		}
		to := from.Add(time.Minute)
		if i+1 < len(points) {
			if next, ok := at(i + 1); ok && next.After(from) {
				to = next
			}
		}
		if c.occupied(from, to) {
			kept = append(kept, points[i])
		}
	}
	return kept
}
