package main

import (
	"fmt"
	"strings"
)

// renderOperations writes operations.go: one operation value per action
// and the table of all of them. What the generated code shares by hand is
// in the root package (paging.go, validate.go).
func (m *model) renderOperations(b *strings.Builder) {
	writeComment(b, safetyRule)
	b.WriteString("var (\n")
	for _, am := range m.Actions {
		renderOperation(b, am)
	}
	b.WriteString(")\n\n")
	b.WriteString("// operations lists every generated action's operation, sorted by action name.\n")
	b.WriteString("var operations = []*operation{\n")
	for _, am := range m.Actions {
		fmt.Fprintf(b, "\t&op%s,\n", am.Name)
	}
	b.WriteString("}\n")
	m.renderIDRule(b)
	m.renderLimits(b)
}

// renderIDRule writes the ID rule of the spec ("id_rule") for the client's
// validators: MaxIDLength, idRule (the wording of spec.IDRule.Text) and
// idByte, the character set as a boolean expression.
func (m *model) renderIDRule(b *strings.Builder) {
	r := m.spec.IDRule
	fmt.Fprintf(b, "\n// MaxIDLength is the longest BusinessId, TaskId, RoomId or UserId the\n// service accepts.\nconst MaxIDLength = %d\n\n", r.MaxLen)
	fmt.Fprintf(b, "// idRule is the text of the ID rule in validation problems.\nconst idRule = %q\n\n", r.Text())
	var terms []string
	for _, part := range strings.Fields(r.Charset) {
		if len(part) == 3 && part[1] == '-' {
			terms = append(terms, fmt.Sprintf("%q <= c && c <= %q", part[0], part[2]))
		} else {
			terms = append(terms, fmt.Sprintf("c == %q", part[0]))
		}
	}
	fmt.Fprintf(b, "// idByte reports whether the ID rule allows the byte c (%s).\n", r.Charset)
	fmt.Fprintf(b, "func idByte(c byte) bool {\n\treturn %s\n}\n", strings.Join(terms, " ||\n\t\t"))
}

// limitsIntro and limitsOutro frame the table of documented rates in the
// doc comment of DefaultActionLimits.
const limitsIntro = `DefaultActionLimits returns, as a fresh map the caller may change, the
per-action call rates the vendor documents for the RTC OpenAPI (the
"limit" of each action in internal/spec/actions.json). The vendor counts
these quotas per account: every AppId and every process using the same
account shares them. All entries use Burst 1; actions with a group draw
from one shared bucket.

Sources (Volcengine RTC documentation, docs/6348/<page>, and the matching
BytePlus RTC pages, as published when the table was written):
`

const limitsOutro = `
Every other action falls back to DefaultLimit(). The general OpenAPI page
(6348/412251) states that limits are per action and per account. That
holds for the IM server API too; its pages publish no per-action figure
(only a per-live-group message rate, which the service enforces per
conversation, see IMSendMessageRequest.Priority), so IM actions use
DefaultLimit() until the vendor publishes theirs.`

// renderLimits writes DefaultActionLimits from the limits of the actions'
// rules.
func (m *model) renderLimits(b *strings.Builder) {
	var doc strings.Builder
	doc.WriteString(limitsIntro + "\n")
	var entries strings.Builder
	for _, am := range m.Actions {
		l := am.A.Rules.Limit
		if l == nil {
			continue
		}
		rate, qps := fmt.Sprintf("%g per second", l.QPS), fmt.Sprintf("%g", l.QPS)
		if l.PerMinute > 0 {
			rate, qps = fmt.Sprintf("%g per minute", l.PerMinute), fmt.Sprintf("%g.0 / 60.0", l.PerMinute)
		}
		if l.Group != "" {
			rate += ", shared as " + l.Group
		}
		fmt.Fprintf(&doc, "  %s: %s (%s)\n", am.Name, rate, l.Source)
		group := ""
		if l.Group != "" {
			group = fmt.Sprintf(", Group: %q", l.Group)
		}
		fmt.Fprintf(&entries, "\t\t%q: {QPS: %s, Burst: 1%s},\n", am.Name, qps, group)
	}
	doc.WriteString(limitsOutro)
	b.WriteString("\n")
	writeComment(b, doc.String())
	b.WriteString("func DefaultActionLimits() map[string]Limit {\n\treturn map[string]Limit{\n")
	b.WriteString(entries.String())
	b.WriteString("\t}\n}\n")
}
