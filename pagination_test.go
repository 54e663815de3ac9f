package rtc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// genPageOf returns items[from:from+n] clipped to the data.
func genPageOf[T any](items []T, from, n int) []T {
	if from >= len(items) {
		return []T{}
	}
	end := min(from+n, len(items))
	return items[from:end]
}

func genJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// genAppServer serves ListApps pages from n apps, reading Offset and Limit
// from the JSON body (strings, as the spec types them). reportTotal=false
// leaves Total out so that only short pages end the walk.
func genAppServer(t *testing.T, n int, reportTotal bool) *StubServer {
	apps := make([]App, n)
	for i := range apps {
		apps[i] = App{AppID: fmt.Sprintf("app%02d", i)}
	}
	return NewStubServer(t, func(r StubRequest) StubAnswer {
		var req ListAppsRequest
		require.NoError(t, json.Unmarshal(r.Body, &req))
		off, _ := strconv.Atoi(req.Offset)
		lim, err := strconv.Atoi(req.Limit)
		if err != nil {
			lim = 10
		}
		res := map[string]any{"AppList": genPageOf(apps, off, lim), "Offset": off, "Limit": lim}
		if reportTotal {
			res["Total"] = n
		}
		return StubAnswer{Result: genJSON(t, res)}
	})
}

func genCollect[T any](t *testing.T, seq func(func(T, error) bool)) ([]T, []error) {
	t.Helper()
	var items []T
	var errs []error
	for it, err := range seq {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		items = append(items, it)
	}
	return items, errs
}

func genOffsetsOf(t *testing.T, s *StubServer) []string {
	var out []string
	for _, r := range s.Requests() {
		var req ListAppsRequest
		require.NoError(t, json.Unmarshal(r.Body, &req))
		out = append(out, req.Offset)
	}
	return out
}

func TestListAppsAllWalksPages(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		n           int
		total       bool
		req         ListAppsRequest
		wantItems   int
		wantOffsets []string
	}{
		{"total reached on a full page", 6, true, ListAppsRequest{Limit: "2"}, 6, []string{"0", "2", "4"}},
		{"total reached on a short page", 5, true, ListAppsRequest{Limit: "2"}, 5, []string{"0", "2", "4"}},
		{"short page without total", 5, false, ListAppsRequest{Limit: "2"}, 5, []string{"0", "2", "4"}},
		{"empty page without total", 4, false, ListAppsRequest{Limit: "2"}, 4, []string{"0", "2", "4"}},
		{"starting offset", 6, true, ListAppsRequest{Limit: "2", Offset: "3"}, 3, []string{"3", "5"}},
		{"server page size", 25, false, ListAppsRequest{}, 25, []string{"0", "10", "20", "25"}},
		{"empty list", 0, true, ListAppsRequest{Limit: "2"}, 0, []string{"0"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := genAppServer(t, tc.n, tc.total)
			c := newGenClient(t, s.URL)
			req := tc.req
			items, errs := genCollect(t, c.ListAppsAll(context.Background(), &req))
			require.Empty(t, errs)
			require.Len(t, items, tc.wantItems)
			for i := 1; i < len(items); i++ {
				require.Less(t, items[i-1].AppID, items[i].AppID, "in order, no repeats")
			}
			require.Equal(t, tc.wantOffsets, genOffsetsOf(t, s))
			require.Equal(t, tc.req, req, "the caller's request is not changed")
		})
	}
}

func TestListAppsAllStopsWhenTheCallerBreaks(t *testing.T) {
	t.Parallel()
	s := genAppServer(t, 10, true)
	c := newGenClient(t, s.URL)
	n := 0
	for _, err := range c.ListAppsAll(context.Background(), &ListAppsRequest{Limit: "3"}) {
		require.NoError(t, err)
		n++
		if n == 4 {
			break
		}
	}
	require.Equal(t, []string{"0", "3"}, genOffsetsOf(t, s))
}

func TestListAppsAllBadOffset(t *testing.T) {
	t.Parallel()
	s := genAppServer(t, 3, true)
	c := newGenClient(t, s.URL)
	items, errs := genCollect(t, c.ListAppsAll(context.Background(), &ListAppsRequest{Offset: "ten"}))
	require.Empty(t, items)
	require.Len(t, errs, 1)
	var ve *ValidationError
	require.ErrorAs(t, errs[0], &ve)
	require.Equal(t, "Offset", ve.Problems[0].Path)
	require.Empty(t, s.Requests())
}

func TestRoomInfoAllByPageNumber(t *testing.T) {
	t.Parallel()
	rooms := make([]Room, 7)
	for i := range rooms {
		rooms[i] = Room{RoomID: fmt.Sprintf("room%d", i)}
	}
	s := NewStubServer(t, func(r StubRequest) StubAnswer {
		num, _ := strconv.Atoi(r.Query.Get("PageNum"))
		size, _ := strconv.Atoi(r.Query.Get("PageSize"))
		return StubAnswer{Result: genJSON(t, map[string]any{
			"RoomList": genPageOf(rooms, (num-1)*size, size), "Total": len(rooms), "PageNum": num, "PageSize": size,
		})}
	})
	c := newGenClient(t, s.URL)
	req := &ListRoomInfoRequest{AppID: "app", StartTime: "2026-03-01T00:00:00Z", EndTime: "2026-03-01T06:00:00Z", PageSize: Ptr[int64](3)}
	items, errs := genCollect(t, c.ListRoomInfoAll(context.Background(), req))
	require.Empty(t, errs)
	require.Len(t, items, 7)
	var pages []string
	for _, r := range s.Requests() {
		pages = append(pages, r.Query.Get("PageNum"))
	}
	require.Equal(t, []string{"1", "2", "3"}, pages)
	require.Nil(t, req.PageNum, "the caller's request is not changed")
}

func TestIteratorErrorMidway(t *testing.T) {
	t.Parallel()
	s := NewStubServer(t, func(r StubRequest) StubAnswer {
		if r.Query.Get("Offset") == "0" {
			return StubAnswer{Result: genJSON(t, map[string]any{
				"Task": []RelayTask{{TaskID: "t1"}, {TaskID: "t2"}}, "Total": 10,
			})}
		}
		return StubAnswer{Status: 400, Code: "InvalidParameter"}
	})
	c := newGenClient(t, s.URL)
	var got []string
	var errs []error
	for it, err := range c.ListRelayStreamAll(context.Background(), &ListRelayStreamRequest{AppID: "a", RoomID: "r", Limit: Ptr[int32](2)}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, it.TaskID)
	}
	require.Equal(t, []string{"t1", "t2"}, got)
	require.Len(t, errs, 1, "the error is yielded once, then the iterator stops")
	var ae *APIError
	require.ErrorAs(t, errs[0], &ae)
	require.True(t, errors.Is(errs[0], ErrInvalidParameter))
	require.Len(t, s.Requests(), 2)
}

func TestIteratorPageNotAdvancing(t *testing.T) {
	t.Parallel()
	// A server that ignores the position answers every page alike.
	s := NewStubServer(t, func(StubRequest) StubAnswer {
		return StubAnswer{Result: genJSON(t, map[string]any{
			"List": []Music{{SongID: "a"}, {SongID: "b"}}, "Total": 100,
		})}
	})
	c := newGenClient(t, s.URL)
	items, errs := genCollect(t, c.ListMusicsAll(context.Background(), &ListMusicsRequest{AppID: "a", PageSize: Ptr[int32](2)}))
	require.Len(t, items, 2)
	require.Len(t, errs, 1)
	require.ErrorIs(t, errs[0], ErrPageNotAdvancing)
	require.Contains(t, errs[0].Error(), "ListMusics")
	require.Len(t, s.Requests(), 2)
}

func TestIteratorStringOffsetTotal(t *testing.T) {
	t.Parallel()
	// GetAllBusinessID types Offset and Limit as strings and reports TotalSize.
	recs := []BusinessRecord{{BusinessID: "b1"}, {BusinessID: "b2"}, {BusinessID: "b3"}}
	s := NewStubServer(t, func(r StubRequest) StubAnswer {
		var req GetAllBusinessIDRequest
		require.NoError(t, json.Unmarshal(r.Body, &req))
		off, _ := strconv.Atoi(req.Offset)
		return StubAnswer{Result: genJSON(t, map[string]any{"BusinessRecords": genPageOf(recs, off, 2), "TotalSize": 3})}
	})
	c := newGenClient(t, s.URL)
	items, errs := genCollect(t, c.GetAllBusinessIDAll(context.Background(), &GetAllBusinessIDRequest{AppID: "a"}))
	require.Empty(t, errs)
	require.Len(t, items, 3)
	require.Len(t, s.Requests(), 2)
}
