package main

import "fmt"

// pagingKind says how a list action pages.
type pagingKind uint8

const (
	pageByOffset pagingKind = iota // Offset and Limit inputs: Offset counts items
	pageByNumber                   // PageNum and PageSize inputs: PageNum counts pages from 1
)

// paging describes a list action that gets an iterator.
type paging struct {
	Kind  pagingKind
	Pos   *field // Offset or PageNum
	Size  *field // Limit or PageSize
	Items *field // the result's one array of objects
	Total *field // Total or TotalSize in the result, if any
}

// detectPaging finds list actions that page: an action pages when its
// input has Offset and Limit (or PageNum and PageSize) and its result has
// exactly one array of objects.
func detectPaging(am *actionModel) (*paging, error) {
	in := map[string]*field{}
	for _, f := range am.Request.Fields {
		in[f.Wire] = f
	}
	p := &paging{}
	switch {
	case in["Offset"] != nil && in["Limit"] != nil:
		p.Kind, p.Pos, p.Size = pageByOffset, in["Offset"], in["Limit"]
	case in["PageNum"] != nil && in["PageSize"] != nil:
		p.Kind, p.Pos, p.Size = pageByNumber, in["PageNum"], in["PageSize"]
	default:
		return nil, nil
	}
	for _, f := range []*field{p.Pos, p.Size} {
		switch f.Spec.Type {
		case "string", "int32", "int64":
		default:
			return nil, fmt.Errorf("%s: paging field %s has type %s", am.Name, f.Wire, f.Spec.Type)
		}
		if f.Required {
			return nil, fmt.Errorf("%s: paging field %s is required; the iterator expects it optional", am.Name, f.Wire)
		}
	}
	for _, f := range am.Result.Fields {
		switch {
		case f.Spec.Type == "array" && f.Struct != nil:
			if p.Items != nil {
				return nil, fmt.Errorf("%s: more than one list in the result", am.Name)
			}
			p.Items = f
		case (f.Wire == "Total" || f.Wire == "TotalSize") && (f.Spec.Type == "int32" || f.Spec.Type == "int64"):
			p.Total = f
		}
	}
	if p.Items == nil {
		return nil, nil
	}
	return p, nil
}
