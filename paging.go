package rtc

import (
	"errors"
	"fmt"
	"iter"
	"reflect"
	"strconv"
)

// ErrPageNotAdvancing is yielded by the ...All iterators when an answer
// cannot lead to the end of the list: a page with the same elements as the
// page before it (the server ignored the paging position) or, for the IM
// cursor lists, HasMore with an empty page or with a cursor the walk has
// asked for already. The iterator stops instead of looping.
var ErrPageNotAdvancing = errors.New("rtc: page did not advance")

// pager describes one list action's paging for walkPages; the generated
// ...All iterators fill it in.
type pager[T any] struct {
	action              string
	posParam, sizeParam string // wire names: Offset/Limit or PageNum/PageSize
	pos, size           string // the request's values as decimal text, "" when unset
	byNumber            bool   // pos counts pages from 1; otherwise items from 0
	// fetch asks for the page at pos and returns its items and the total
	// the server reports (0 when it reports none).
	fetch func(pos int) (items []T, total int, err error)
}

// walkPages yields every item of every page. It stops on an empty page,
// when the reported total is reached, or on a page shorter than the size
// asked for. A page equal to the one before it means the server ignored the
// position: it yields ErrPageNotAdvancing rather than loop. Any error is
// yielded once, then the walk stops.
func walkPages[T any](p pager[T]) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		start := 0
		if p.byNumber {
			start = 1
		}
		pos, err := pageParam(p.action, p.posParam, p.pos, start)
		if err != nil {
			yield(zero, err)
			return
		}
		size, err := pageParam(p.action, p.sizeParam, p.size, 0)
		if err != nil {
			yield(zero, err)
			return
		}
		seen := pos
		if p.byNumber {
			seen = (pos - 1) * size
		}
		var prev []T
		for {
			page, total, err := p.fetch(pos)
			if err != nil {
				yield(zero, err)
				return
			}
			if len(page) == 0 {
				return
			}
			if prev != nil && reflect.DeepEqual(prev, page) {
				yield(zero, fmt.Errorf("%w: %s returned the same page again at %s=%d", ErrPageNotAdvancing, p.action, p.posParam, pos))
				return
			}
			for _, it := range page {
				if !yield(it, nil) {
					return
				}
			}
			seen += len(page)
			if total > 0 && seen >= total {
				return
			}
			if size > 0 && len(page) < size {
				return
			}
			if p.byNumber {
				pos++
			} else {
				pos += len(page)
			}
			prev = page
		}
	}
}

// pageParam reads a paging parameter that is a decimal string (some
// actions type Offset and Limit as strings) or empty for unset.
func pageParam(action, param, s string, unset int) (int, error) {
	if s == "" {
		return unset, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, &ValidationError{Action: action, Problems: []FieldProblem{{Path: param, Rule: "must be a non-negative decimal number"}}}
	}
	return n, nil
}

// intPtrString formats an optional integer paging parameter, "" for nil.
func intPtrString[T int32 | int64](p *T) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(int64(*p), 10)
}
