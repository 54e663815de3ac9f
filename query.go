package rtc

import (
	"github.com/volcrtc/rtc/internal/sigv4"
)

// queryBuilder collects query parameters.
type queryBuilder struct {
	pairs []queryPair
}

type queryPair struct{ k, v string }

func (q *queryBuilder) add(key, value string) { q.pairs = append(q.pairs, queryPair{key, value}) }

// encode returns the canonical query: sorted by key then value, RFC 3986.
func (q *queryBuilder) encode() string {
	p := q.pairs
	for i := 1; i < len(p); i++ {
		for j := i; j > 0 && (p[j].k < p[j-1].k || p[j].k == p[j-1].k && p[j].v < p[j-1].v); j-- {
			p[j], p[j-1] = p[j-1], p[j]
		}
	}
	n := 0
	for _, kv := range p {
		n += len(kv.k) + len(kv.v) + 2
	}
	b := make([]byte, 0, n+n/4)
	for i, kv := range p {
		if i > 0 {
			b = append(b, '&')
		}
		b = sigv4.AppendEscape(b, kv.k)
		b = append(b, '=')
		b = sigv4.AppendEscape(b, kv.v)
	}
	return string(b)
}

// actionQuery returns "Action=...&Version=..." for body actions.
func actionQuery(action, version string) string {
	if validActionName(action) && validVersion(version) {
		return "Action=" + action + "&Version=" + version
	}
	q := queryBuilder{pairs: []queryPair{{"Action", action}, {"Version", version}}}
	return q.encode()
}
