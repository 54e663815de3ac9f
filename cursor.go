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
// while the service says HasMore. An answer with HasMore and the same
// cursor again means the service ignored the cursor: it yields
// ErrPageNotAdvancing rather than loop. Any error is yielded once, then the
// walk stops.
func walkCursor[T any](p cursorPager[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		cur := p.start
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
			if next == cur {
				yield(zero, fmt.Errorf("%w: %s answered HasMore with the same cursor %d", ErrPageNotAdvancing, p.action, cur))
				return
			}
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
