package main

// This file holds what the generator does for the IM server API (category
// "im") and for the new result shapes the newer spec brought: bare numbers
// and bare lists as Result, and lists that page by cursor.
//
// How IM appears in package rtc:
//   - its 55 methods hang off IMClient, reached with client.IM(); IMClient
//     is the same client under another method set (type IMClient Client),
//     so it costs nothing and shares connections, credentials, retry budget
//     and rate limiter;
//   - every IM type carries the prefix IM (IMSendMessageRequest,
//     IMSendMessageResult, IMMessage ...), so the IM types sort together in
//     the package index and never collide with the RTC shapes of the same
//     name (Message, User, FailedInfo ...).

import (
	"fmt"
	"strings"

	"github.com/volcrtc/rtc/internal/spec"
)

const imCategory = "im"

// isIM reports whether an action belongs to the IM server API.
func isIM(a *spec.Action) bool { return a.Category == imCategory }

// typePrefix is the prefix of every Go type generated for an action of the
// category.
func typePrefix(category string) string {
	if category == imCategory {
		return "IM"
	}
	return ""
}

// recvType is the Go type whose method calls the action.
func recvType(am *actionModel) string {
	if isIM(am.A) {
		return "IMClient"
	}
	return "Client"
}

// callExpr is the expression that calls the action's method on c, a
// *Client, in the generated tests.
func callExpr(am *actionModel) string {
	if isIM(am.A) {
		return "c.IM()." + am.Name
	}
	return "c." + am.Name
}

// prefixedName applies the category prefix to a nested type's wanted name
// when every use of the type is in that category.
func prefixedName(t *structType, name string) string {
	cats := t.categories()
	if len(cats) != 1 {
		return name
	}
	p := typePrefix(cats[0])
	if p == "" || strings.HasPrefix(name, p) {
		return name
	}
	return p + name
}

// isBare reports whether an action's Result is a bare number or list; the
// spec package names the one result field that holds it.
func isBare(a *spec.Action) bool { return a.IsBare() }

// isText reports whether an action's Result may be a bare text.
func isText(a *spec.Action) bool { return a.ResultType == "string" || a.ResultType == "any" }

// renderBareResult writes the JSON methods of a result whose Result is a
// bare value: it decodes from and encodes to that value.
func renderBareResult(b *strings.Builder, am *actionModel) {
	f := am.Result.Fields[0]
	fmt.Fprintf(b, "// UnmarshalJSON reads the bare %s the service answers with into %s.\n", am.A.ResultType, f.Name)
	fmt.Fprintf(b, "func (r *%s) UnmarshalJSON(b []byte) error { return json.Unmarshal(b, &r.%s) }\n\n", am.Result.Name, f.Name)
	fmt.Fprintf(b, "// MarshalJSON writes %s as the bare %s the service answers with.\n", f.Name, am.A.ResultType)
	fmt.Fprintf(b, "func (r %s) MarshalJSON() ([]byte, error) { return json.Marshal(r.%s) }\n\n", am.Result.Name, f.Name)
}

// cursorPaging describes a list that pages by cursor: Cursor (and Limit)
// in, a list, HasMore and the next cursor out.
type cursorPaging struct {
	Cursor  *field // the request's Cursor
	Items   *field // the result's one list of objects
	Next    *field // NextCursor or NewCursor
	HasMore *field
}

// detectCursorPaging finds actions that page by cursor.
func detectCursorPaging(am *actionModel) (*cursorPaging, error) {
	var p cursorPaging
	hasLimit := false
	for _, f := range am.Request.Fields {
		switch f.Wire {
		case "Cursor":
			p.Cursor = f
		case "Limit":
			hasLimit = true
		}
	}
	if p.Cursor == nil || !hasLimit {
		return nil, nil
	}
	if t := p.Cursor.Spec.Type; t != "int32" && t != "int64" {
		return nil, fmt.Errorf("%s: Cursor has type %s", am.Name, t)
	}
	for _, f := range am.Result.Fields {
		switch {
		case f.Spec.Type == "array" && f.Struct != nil:
			if p.Items != nil {
				return nil, fmt.Errorf("%s: more than one list in the result", am.Name)
			}
			p.Items = f
		case f.Wire == "NextCursor" || f.Wire == "NewCursor":
			p.Next = f
		case f.Wire == "HasMore" && f.Spec.Type == "bool":
			p.HasMore = f
		}
	}
	if p.Items == nil || p.Next == nil || p.HasMore == nil {
		return nil, fmt.Errorf("%s: has Cursor and Limit but its result lacks a list, a next cursor or HasMore", am.Name)
	}
	return &p, nil
}

// renderCursorIterator writes the XAll iterator of a list that pages by
// cursor: a copy of the request and a fetch function handed to walkCursor
// (cursor.go in the root package).
func renderCursorIterator(b *strings.Builder, am *actionModel) {
	p := am.Cursor
	item := p.Items.Struct.Name
	recv := recvType(am)
	writeComment(b, fmt.Sprintf("%sAll calls [%s.%s] page after page and yields every element of %s, "+
		"starting at the request's Cursor and going on with the %s each answer gives while HasMore is true. "+
		"It stops after the last page or at the first error, which it yields; an answer that says HasMore "+
		"with an empty page, or with a cursor the walk has asked for already, ends it with ErrPageNotAdvancing. "+
		"The request is copied, not changed.",
		am.Name, recv, am.Name, p.Items.Wire, p.Next.Wire))
	fmt.Fprintf(b, "func (c *%s) %sAll(ctx context.Context, req *%s, opts ...CallOption) iter.Seq2[%s, error] {\n", recv, am.Name, am.Request.Name, item)
	fmt.Fprintf(b, "\tvar r %s\n\tif req != nil {\n\t\tr = *req\n\t}\n", am.Request.Name)
	start, set := "int64(r."+p.Cursor.Name+")", "page."+p.Cursor.Name+" = "+p.Cursor.Spec.Type+"(cursor)"
	if !p.Cursor.Required {
		start = "derefInt(r." + p.Cursor.Name + ")"
		set = "page." + p.Cursor.Name + " = Ptr(" + p.Cursor.Spec.Type + "(cursor))"
	}
	fmt.Fprintf(b, "\treturn walkCursor(cursorPager[%s]{\n", item)
	fmt.Fprintf(b, "\t\taction: %q, start: %s,\n", am.Name, start)
	fmt.Fprintf(b, "\t\tfetch: func(cursor int64) ([]%s, int64, bool, error) {\n", item)
	fmt.Fprintf(b, "\t\t\tpage := r\n\t\t\t%s\n", set)
	fmt.Fprintf(b, "\t\t\tres, err := c.%s(ctx, &page, opts...)\n", am.Name)
	b.WriteString("\t\t\tif err != nil {\n\t\t\t\treturn nil, 0, false, err\n\t\t\t}\n")
	fmt.Fprintf(b, "\t\t\treturn res.%s, int64(res.%s), res.%s, nil\n", p.Items.Name, p.Next.Name, p.HasMore.Name)
	b.WriteString("\t\t},\n\t})\n}\n\n")
}

// renderIMClient writes the IMClient type and Client.IM.
func renderIMClient(b *strings.Builder, n int) {
	writeComment(b, fmt.Sprintf("IMClient calls the %d actions of the IM (instant messaging) server API: "+
		"users, conversations and their participants, messages, read receipts, friends and black lists, "+
		"live-room participants. Get one with [Client.IM]. It is the same client under another set of "+
		"methods: it shares the client's credentials, endpoint, connections, retry budget and rate limiter, "+
		"and costs nothing to get.\n\n"+
		"The IM API signs, sends and answers like the rest of the RTC OpenAPI; what differs is its ids: AppId "+
		"is a number (int32) and user ids and ConversationShortId are int64, so the string ID rule does not "+
		"apply to them. Batch actions report the items that failed in the result (FailedInfos, FailedUserIds "+
		"...): a call without error can still have failed for some items. Lists page by cursor; each has an "+
		"...All iterator.", n))
	b.WriteString("type IMClient Client\n\n")
	b.WriteString("// IM returns the client's view of the IM server API. It allocates nothing.\n")
	b.WriteString("func (c *Client) IM() *IMClient { return (*IMClient)(c) }\n\n")
}

// countCategory counts the actions of a category.
func (m *model) countCategory(cat string) int {
	n := 0
	for _, am := range m.Actions {
		if am.A.Category == cat {
			n++
		}
	}
	return n
}
