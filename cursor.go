package rtc

import (
	"fmt"
	"iter"
)

// cursorPager describes one list that pages by cursor (the IM server API's
// lists) for walkCursor; the generated ...All iterators fill it in.
type cursorPager[T any] struct {
	action string
	start  int64 // the request's Cursor
	// fetch asks for the page at cursor and returns its items, the cursor
	// of the next page and whether there is one.
	fetch func(cursor int64) (items []T, next int64, hasMore bool, err error)
}

// walkCursor yields every item of every page, following the next cursor
// while the service says HasMore. It will not loop on an answer that
// cannot lead anywhere: a page with HasMore but no items, or a next cursor
// the walk has already asked for (the same one again, or an earlier one),
// ends it with ErrPageNotAdvancing. Any error is yielded once, then the
// walk stops.
func walkCursor[T any](p cursorPager[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		cur := p.start
		seen := map[int64]struct{}{cur: {}}
		for {
			items, next, more, err := p.fetch(cur)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if !more {
				return
			}
			if len(items) == 0 {
				yield(zero, fmt.Errorf("%w: %s answered HasMore with an empty page at cursor %d", ErrPageNotAdvancing, p.action, cur))
				return
			}
			if _, again := seen[next]; again {
				yield(zero, fmt.Errorf("%w: %s answered HasMore with cursor %d, which the walk has asked for already", ErrPageNotAdvancing, p.action, next))
				return
			}
			seen[next] = struct{}{}
			cur = next
		}
	}
}

// derefInt reads an optional cursor, 0 when unset.
func derefInt[T int32 | int64](p *T) int64 {
	if p == nil {
		return 0
	}
	return int64(*p)
}
