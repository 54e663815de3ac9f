package main

import (
	"fmt"
	"strings"
)

// resultKind is the resultKind constant of package rtc for an action.
func resultKind(am *actionModel) string {
	switch am.A.ResultType {
	case "string":
		return "resultString"
	case "any":
		return "resultAny"
	}
	return "resultObject"
}

// requiredWire lists an action's required top-level input fields.
func requiredWire(am *actionModel) string {
	var req []string
	for _, f := range am.Request.Fields {
		if f.Required {
			req = append(req, f.Wire)
		}
	}
	if len(req) == 0 {
		return "none"
	}
	return strings.Join(req, ", ")
}

// callFacts is the generated line that closes every method's and request's
// documentation.
func callFacts(am *actionModel) string {
	return fmt.Sprintf("Version: %s, HTTP method: %s, required fields: %s.", am.A.Version, am.A.Method, requiredWire(am))
}

// renderOperation writes the operation value of an action.
func renderOperation(b *strings.Builder, am *actionModel) {
	fmt.Fprintf(b, "\top%s = operation{Action: %q, Version: %q, Method: %q, InQuery: %t, Safety: %s, Result: %s}\n",
		am.Name, am.Name, am.A.Version, am.A.Method, am.A.InputIn == "query", am.Safety, resultKind(am))
}

// renderRequest writes the request type, its validation and its query
// encoder.
func (m *model) renderRequest(b *strings.Builder, am *actionModel) {
	doc := fmt.Sprintf("%s holds the parameters of [%s.%s], which %s\n\n%s",
		am.Request.Name, recvType(am), am.Name, lowerFirst(am.Doc), callFacts(am))
	if rd := m.rulesDoc(am.A.Action); rd != "" {
		doc += "\n\n" + rd
	}
	m.renderStruct(b, am.Request, doc)
	m.renderValidate(b, am.Request)
	if am.A.InputIn == "query" {
		renderQuery(b, am.Request)
	}
}

// renderResult writes the result type.
func (m *model) renderResult(b *strings.Builder, am *actionModel) {
	var doc string
	recv := recvType(am)
	switch am.A.ResultType {
	case "string":
		doc = fmt.Sprintf("%s is what [%s.%s] returns. The server answers with a short text, kept in Message.", am.Result.Name, recv, am.Name)
	case "any":
		doc = fmt.Sprintf("%s is what [%s.%s] returns. The server's answer has no fixed shape; a text answer is kept in Message.", am.Result.Name, recv, am.Name)
	case "object":
		doc = fmt.Sprintf("%s is what [%s.%s] returns.", am.Result.Name, recv, am.Name)
	default:
		doc = fmt.Sprintf("%s is what [%s.%s] returns. The server answers with a bare %s, kept in %s.", am.Result.Name, recv, am.Name, am.A.ResultType, am.Result.Fields[0].Name)
	}
	m.renderStruct(b, am.Result, doc)
	if isText(am.A) || hasMessageField(am.Result) {
		fmt.Fprintf(b, "func (r *%s) setMessage(s string) { r.Message = s }\n\n", am.Result.Name)
	}
	if isBare(am.A) {
		renderBareResult(b, am)
	}
}

// renderMethod writes the Client method of an action.
func renderMethod(b *strings.Builder, am *actionModel) {
	doc := fmt.Sprintf("%s %s\n\n%s", am.Name, am.Doc, callFacts(am))
	if len(am.A.Input) == 0 {
		doc += " The request has no fields; nil is accepted."
	}
	writeComment(b, doc)
	client := "c"
	if recvType(am) != "Client" {
		client = "(*Client)(c)"
	}
	noInput := ""
	if len(am.A.Input) == 0 {
		noInput = fmt.Sprintf("\tif req == nil {\n\t\treq = &%s{}\n\t}\n", am.Request.Name)
	}
	fmt.Fprintf(b, `func (c *%[5]s) %[1]s(ctx context.Context, req *%[2]s, opts ...CallOption) (*%[3]s, error) {
%[6]s	res := new(%[3]s)
	meta, err := %[4]s.invoke(ctx, &op%[1]s, req, res, opts)
	if err != nil {
		return nil, err
	}
	res.Metadata = *meta
	return res, nil
}

`, am.Name, am.Request.Name, am.Result.Name, client, recvType(am), noInput)
}

// renderIterator writes the XAll iterator of a list action that pages: a
// copy of the request and a fetch function handed to walkPages (paging.go
// in the root package), which holds the walk itself.
func renderIterator(b *strings.Builder, am *actionModel) {
	p := am.Paging
	item := p.Items.Struct.Name
	unit := "items from Offset"
	if p.Kind == pageByNumber {
		unit = "pages from PageNum (1 when unset)"
	}
	writeComment(b, fmt.Sprintf("%sAll calls [Client.%s] page after page and yields every element of %s, walking %s; "+
		"%s sets the page size. It stops after the last page or at the first error, which it yields; "+
		"a page equal to the one before it ends the walk with ErrPageNotAdvancing. "+
		"The request is copied, not changed.",
		am.Name, am.Name, p.Items.Wire, unit, p.Size.Wire))
	fmt.Fprintf(b, "func (c *Client) %sAll(ctx context.Context, req *%sRequest, opts ...CallOption) iter.Seq2[%s, error] {\n", am.Name, am.Name, item)
	fmt.Fprintf(b, "\tvar r %sRequest\n\tif req != nil {\n\t\tr = *req\n\t}\n", am.Name)
	fmt.Fprintf(b, "\treturn walkPages(pager[%s]{\n", item)
	fmt.Fprintf(b, "\t\taction: %q, posParam: %q, sizeParam: %q,\n", am.Name, p.Pos.Wire, p.Size.Wire)
	fmt.Fprintf(b, "\t\tpos: %s, size: %s, byNumber: %v,\n", paramExpr(p.Pos), paramExpr(p.Size), p.Kind == pageByNumber)
	fmt.Fprintf(b, "\t\tfetch: func(pos int) ([]%s, int, error) {\n", item)
	fmt.Fprintf(b, "\t\t\tpage := r\n\t\t\tpage.%s = %s\n", p.Pos.Name, setExpr(p.Pos, "pos"))
	fmt.Fprintf(b, "\t\t\tres, err := c.%s(ctx, &page, opts...)\n", am.Name)
	b.WriteString("\t\t\tif err != nil {\n\t\t\t\treturn nil, 0, err\n\t\t\t}\n")
	total := "0"
	if p.Total != nil {
		total = "int(res." + p.Total.Name + ")"
	}
	fmt.Fprintf(b, "\t\t\treturn res.%s, %s, nil\n", p.Items.Name, total)
	b.WriteString("\t\t},\n\t})\n}\n\n")
}

// paramExpr reads a paging field of r as the argument of pageParam: a
// string, or nil / a pointer to an integer.
func paramExpr(f *field) string {
	if f.Spec.Type == "string" {
		return "r." + f.Name
	}
	return "intPtrString(r." + f.Name + ")"
}

// setExpr stores the int v into a paging field.
func setExpr(f *field, v string) string {
	switch f.Spec.Type {
	case "string":
		return "strconv.Itoa(" + v + ")"
	default:
		return "Ptr(" + f.Spec.Type + "(" + v + "))"
	}
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
