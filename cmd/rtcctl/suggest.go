package main

import (
	"sort"
	"strings"
)

// suggest returns up to max names close to what the user typed: the same
// name in another case first, then names that start with it or contain it
// (ignoring case), then names within a small edit distance, nearest first.
func suggest(typed string, names []string, max int) []string {
	t := strings.ToLower(typed)
	if t == "" {
		return nil
	}
	type cand struct {
		name string
		rank int // lower is better
		dist int
	}
	limit := len(t)/3 + 1
	if limit < 2 {
		limit = 2
	}
	var cs []cand
	for _, n := range names {
		l := strings.ToLower(n)
		d := editDistance(t, l)
		switch {
		case l == t:
			cs = append(cs, cand{n, 0, 0})
		case strings.HasPrefix(l, t) && len(t) >= 3:
			cs = append(cs, cand{n, 1, d})
		case d <= limit:
			cs = append(cs, cand{n, 2, d})
		case strings.Contains(l, t) && len(t) >= 4:
			cs = append(cs, cand{n, 3, d})
		}
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].rank != cs[j].rank {
			return cs[i].rank < cs[j].rank
		}
		if cs[i].dist != cs[j].dist {
			return cs[i].dist < cs[j].dist
		}
		return cs[i].name < cs[j].name
	})
	var out []string
	for i := 0; i < len(cs) && i < max; i++ {
		out = append(out, cs[i].name)
	}
	return out
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
