package rtctest

import (
	"encoding/json"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/volcrtc/rtc/internal/spec"
)

// filler builds plausible result values from the spec's result shapes.
// Values are deterministic: the random source is seeded by the action and
// its input, so the same query gets the same answer. Times fall inside the
// query window when the input has one.
type filler struct {
	rnd        *rand.Rand
	in         map[string]any
	start, end time.Time
	listLen    int
	action     string
	facts      *spec.Facts
}

func (c *call) filler() *filler {
	h := fnv.New64a()
	h.Write([]byte(c.action.Action))
	if b, err := json.Marshal(c.in); err == nil { // map keys are sorted: canonical
		h.Write(b)
	}
	seed := h.Sum64()
	f := &filler{rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), in: c.in, listLen: 3,
		action: c.action.Action, facts: spec.MustLoadFacts()}
	f.start, f.end = c.now.Add(-time.Hour), c.now
	if st, ok := parseWindowTime(c.str("StartTime")); ok {
		if et, ok := parseWindowTime(c.str("EndTime")); ok && !et.Before(st) {
			f.start, f.end = st, et
		}
	}
	return f
}

// at returns the i-th of n evenly spaced times in the window.
func (f *filler) at(i int) time.Time {
	span := f.end.Sub(f.start)
	if f.listLen <= 1 {
		return f.start
	}
	return f.start.Add(span * time.Duration(i) / time.Duration(f.listLen-1))
}

// object fills every field of an object shape; idx is the element index
// when the object is a list element, path the object's wire path in the
// result ("" at the top).
func (f *filler) object(fields []spec.Field, idx int, path string) map[string]any {
	m := make(map[string]any, len(fields))
	for i := range fields {
		m[fields[i].Name] = f.value(&fields[i], idx, joinPath(path, fields[i].Name))
	}
	// Totals agree with the lists beside them.
	for k, v := range m {
		if l, ok := v.([]any); ok {
			for _, t := range [...]string{"Total", "TotalSize", "TotalUser"} {
				if _, has := m[t]; has && k != t {
					m[t] = len(l)
				}
			}
		}
	}
	return m
}

func (f *filler) value(fd *spec.Field, idx int, path string) any {
	name := fd.Name
	lname := strings.ToLower(name)
	if v, ok := f.fromFacts(fd, idx, path); ok {
		return v
	}
	switch fd.Type {
	case "object":
		return f.object(fd.Fields, idx, path)
	case "array":
		if fd.Elem == nil {
			return []any{}
		}
		out := make([]any, f.listLen)
		for i := range out {
			e := *fd.Elem
			if e.Name == "" {
				e.Name = strings.TrimSuffix(name, "s")
			}
			out[i] = f.value(&e, i, path)
		}
		return out
	case "string":
		return f.str(name, lname, idx)
	case "int32", "int64":
		return f.integer(fd.Type, lname, idx)
	case "float32", "float64":
		return math.Round(f.rnd.Float64()*10000) / 100
	case "bool":
		return false
	}
	return ""
}

func (f *filler) str(name, lname string, idx int) string {
	if v, ok := f.in[name].(string); ok && v != "" && (strings.HasSuffix(lname, "id") || lname == "name") {
		return v // echo IDs the caller gave
	}
	n := strconv.Itoa(idx + 1)
	switch {
	case strings.HasSuffix(lname, "url"):
		return "https://example.com/rtctest/" + lname + "/" + n
	case lname == "timestamp" || strings.HasSuffix(lname, "time") || strings.HasSuffix(lname, "at") ||
		strings.HasSuffix(lname, "date"):
		return f.at(idx).Format(time.RFC3339)
	case lname == "message":
		return "success"
	case lname == "unit":
		return "ms"
	case strings.HasSuffix(lname, "id"):
		return strings.TrimSuffix(lname, "id") + "_" + n
	}
	return lname + "-" + n
}

func (f *filler) integer(typ, lname string, idx int) any {
	if v, ok := toInt(f.in[firstKeyFold(f.in, lname)]); ok &&
		(lname == "pagenum" || lname == "pagesize" || lname == "limit" || lname == "offset") {
		return v
	}
	switch {
	case strings.HasSuffix(lname, "time") || strings.HasSuffix(lname, "at") || lname == "timestamp":
		t := f.at(idx)
		if typ == "int64" {
			return t.UnixMilli()
		}
		return t.Unix()
	case lname == "status":
		return 2
	case lname == "width" || strings.HasSuffix(lname, "width"):
		return 1280
	case lname == "height" || strings.HasSuffix(lname, "height"):
		return 720
	case lname == "pagenum":
		return 1
	case lname == "pagesize" || lname == "limit":
		return 10
	case lname == "offset":
		return 0
	case strings.HasPrefix(lname, "total"):
		return f.listLen
	}
	return 1 + f.rnd.IntN(1000)
}

func firstKeyFold(m map[string]any, lname string) string {
	for k := range m {
		if strings.ToLower(k) == lname {
			return k
		}
	}
	return ""
}

// fromFacts makes up a scalar the facts constrain: an enumeration's value
// (one per list element, in turn), an allowed quantity, a number inside
// the documented range (even when it must be), a Unix time inside the
// window. ok is false when the facts say nothing that decides the value.
func (f *filler) fromFacts(fd *spec.Field, idx int, path string) (any, bool) {
	typ := fd.Type
	if typ == "object" || typ == "array" || typ == "any" || typ == "bool" {
		return nil, false
	}
	x := f.facts.Field(f.action, "out", path)
	if x == nil {
		return nil, false
	}
	if e := f.facts.Enum(x); e != nil {
		v := e.Values[idx%len(e.Values)]
		if typ == "string" {
			return v.Text(), true
		}
		n, _ := strconv.ParseInt(string(v.Value), 10, 64)
		return n, true
	}
	if len(x.OneOf) > 0 {
		var v any
		if json.Unmarshal(x.OneOf[idx%len(x.OneOf)], &v) == nil {
			return v, true
		}
	}
	switch x.Format {
	case "unix_ms":
		return f.at(idx).UnixMilli(), true
	case "unix_s":
		return f.at(idx).Unix(), true
	case "rfc3339":
		return f.at(idx).Format(time.RFC3339), true
	case "date":
		return f.at(idx).Format(time.DateOnly), true
	case "color":
		return "#1E90FF", true
	}
	if typ == "string" || (x.Min == nil && x.Max == nil) {
		return nil, false
	}
	lo, hi := -1000.0, 1000.0
	if x.Min != nil {
		lo = *x.Min
	}
	if x.Max != nil {
		hi = *x.Max
	} else if x.Min != nil {
		hi = lo + 1000
	}
	if x.Min == nil && hi < lo {
		lo = hi - 1000
	}
	if typ == "float32" || typ == "float64" {
		v := lo + (hi-lo)*(0.25+0.5*f.rnd.Float64())
		return math.Round(v*100) / 100, true
	}
	l, h := int64(math.Ceil(lo)), int64(math.Floor(hi))
	if x.MinOpen {
		l++
	}
	if x.MaxOpen {
		h--
	}
	if h < l {
		return nil, false
	}
	if x.Default != nil {
		var d int64
		if json.Unmarshal(x.Default, &d) == nil && d >= l && d <= h && (!x.Even || d%2 == 0) {
			return d, true // the documented default is the likeliest value
		}
	}
	n := l + f.rnd.Int64N(h-l+1)
	if x.Even && n%2 != 0 {
		if n+1 <= h {
			n++
		} else {
			n--
		}
	}
	return n, true
}
