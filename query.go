package rtc

import (
	"github.com/volcrtc/rtc/internal/sigv4"
)

// queryBuilder collects query parameters.
type queryBuilder struct {
	pairs []sigv4.Pair
}

func (q *queryBuilder) add(key, value string) {
	q.pairs = append(q.pairs, sigv4.Pair{K: key, V: value})
}

// encode returns the canonical query (sigv4.AppendCanonicalPairs: sorted by
// key then value, RFC 3986), which is also what the signer signs, so it
// passes the signer's canonical fast path unchanged.
func (q *queryBuilder) encode() string {
	n := 0
	for _, kv := range q.pairs {
		n += len(kv.K) + len(kv.V) + 2
	}
	return string(sigv4.AppendCanonicalPairs(make([]byte, 0, n+n/4), q.pairs))
}

// actionQuery returns "Action=...&Version=..." for body actions.
func actionQuery(action, version string) string {
	if validActionName(action) && validVersion(version) {
		return "Action=" + action + "&Version=" + version
	}
	q := queryBuilder{pairs: []sigv4.Pair{{K: "Action", V: action}, {K: "Version", V: version}}}
	return q.encode()
}
