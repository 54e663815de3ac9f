package conformance_test

import (
	"encoding/json"
	"math/rand"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/volcengine/volc-sdk-golang/base"
	"github.com/volcrtc/rtc"
)

// regionHost pairs a signing region with the host the service answers on
// for it (REFERENCE.md, "Endpoints and regions").
type regionHost struct{ region, host string }

var regionHosts = []regionHost{
	{"cn-north-1", "rtc.volcengineapi.com"},
	{"ap-southeast-1", "open-ap-singapore-1.volcengineapi.com"},
	{"ap-singapore-1", "open.byteplusapi.com"},
}

const (
	contentTypeJSON = "application/json"
	contentTypeForm = "application/x-www-form-urlencoded; charset=utf-8"
)

// signCase is one randomized request to sign on both sides.
type signCase struct {
	region   string
	host     string // as written in the URL, maybe with a port
	method   string
	rawQuery string // as sent on the wire
	ctype    string
	body     []byte
	creds    rtc.Credentials
	when     time.Time
}

// vendorCreds converts a case's credentials to the vendor's type.
func (c *signCase) vendorCreds() base.Credentials {
	return base.Credentials{
		AccessKeyID:     c.creds.AccessKeyID,
		SecretAccessKey: c.creds.SecretAccessKey,
		SessionToken:    c.creds.SessionToken,
		Region:          c.region,
		Service:         "rtc",
	}
}

// request builds the unsigned *http.Request of the case. Every call returns
// a fresh request, so each side signs its own copy.
func (c *signCase) request() *http.Request {
	req, err := http.NewRequest(c.method, "https://"+c.host+"/", nil)
	if err != nil {
		panic(err)
	}
	req.URL.RawQuery = c.rawQuery
	req.Header.Set("Content-Type", c.ctype)
	return req
}

// describe is a short, secret-free description of a case for failure
// messages.
func (c *signCase) describe() string {
	return c.method + " https://" + c.host + "/?" + c.rawQuery +
		" region=" + c.region + " token=" + boolWord(c.creds.SessionToken != "") +
		" body=" + string(c.body) + " at " + c.when.Format(time.RFC3339)
}

func boolWord(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// caseGen produces signCases from a seeded math/rand source.
type caseGen struct{ r *rand.Rand }

func newCaseGen(seed int64) *caseGen { return &caseGen{r: rand.New(rand.NewSource(seed))} }

const (
	alnum     = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b64       = alnum + "+/="
	reserved  = "!*'();:@&=+$,/?#[]"
	unreserve = "-_.~"
)

// awkward are the fragments that make query escaping interesting.
var awkward = []string{
	" ", "  ", "%", "+", "&", "=", "?", "#", "/", ";", ":", "@", "!", "*", "'", "(", ")",
	"$", ",", "[", "]", "~", "-", "_", ".", "\"", "<", ">", "\\", "^", "`", "{", "|", "}",
	"\t", "\n", "中文", "é", "ß", "😀", "Ω", "\u00a0", "%20", "%2B", "a+b", "100%",
}

var realisticKeys = []string{
	"AppId", "RoomId", "UserId", "TaskId", "BusinessId", "PageNum", "PageSize",
	"Offset", "Limit", "StartTime", "EndTime", "Order", "Status", "Filter",
}

func (g *caseGen) pick(s string) byte { return s[g.r.Intn(len(s))] }

func (g *caseGen) word(set string, minLen, maxLen int) string {
	n := minLen + g.r.Intn(maxLen-minLen+1)
	b := make([]byte, n)
	for i := range b {
		b[i] = g.pick(set)
	}
	return string(b)
}

// text returns a string mixing plain characters with awkward fragments.
func (g *caseGen) text(maxParts int) string {
	var sb strings.Builder
	n := g.r.Intn(maxParts + 1)
	for i := 0; i < n; i++ {
		switch g.r.Intn(4) {
		case 0:
			sb.WriteString(awkward[g.r.Intn(len(awkward))])
		case 1:
			sb.WriteByte(g.pick(reserved))
		case 2:
			sb.WriteByte(g.pick(unreserve))
		default:
			sb.WriteString(g.word(alnum, 1, 6))
		}
	}
	return sb.String()
}

const upperHex = "0123456789ABCDEF"
const lowerHex = "0123456789abcdef"

// escape writes s as a query component in one of several legal spellings,
// so the signer sees every way a raw query can encode the same values.
func (g *caseGen) escape(s string) string {
	mode := g.r.Intn(4)
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		unres := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(unreserve, c) >= 0
		switch {
		case unres && (mode != 3 || g.r.Intn(8) != 0):
			sb.WriteByte(c)
		case c == ' ' && (mode == 0 || mode == 3 && g.r.Intn(2) == 0):
			sb.WriteByte('+') // form style
		case mode == 3 && c >= 0x80:
			sb.WriteByte(c) // raw UTF-8 in the query
		case mode == 3 && strings.IndexByte("!*'():@/?$,[]", c) >= 0:
			sb.WriteByte(c) // sub-delims that need no escaping in a query
		default:
			hex := upperHex
			if mode == 2 || mode == 3 && g.r.Intn(2) == 0 {
				hex = lowerHex
			}
			sb.WriteByte('%')
			sb.WriteByte(hex[c>>4])
			sb.WriteByte(hex[c&15])
		}
	}
	return sb.String()
}

type pair struct{ k, v string }

// query builds a raw query: Action and Version plus random parameters,
// repeated keys, empty values and keys without '='. The decoded pairs
// are returned too.
func (g *caseGen) query(method string) (string, []pair) {
	actions := []string{"BanRoomUser", "KickUser", "GetRoomOnlineUsers", "StartRecord", "ListRoomInfo"}
	versions := []string{"2020-12-01", "2022-06-01", "2023-06-01", "2023-07-20", "2023-08-01", "2023-11-01"}
	pairs := []pair{
		{"Action", actions[g.r.Intn(len(actions))]},
		{"Version", versions[g.r.Intn(len(versions))]},
	}
	n := g.r.Intn(9)
	if method == http.MethodPost {
		n = g.r.Intn(3)
	}
	for i := 0; i < n; i++ {
		var k string
		switch {
		case len(pairs) > 2 && g.r.Intn(5) == 0:
			k = pairs[2+g.r.Intn(len(pairs)-2)].k // repeated key
		case g.r.Intn(2) == 0:
			k = realisticKeys[g.r.Intn(len(realisticKeys))]
		default:
			k = g.text(4)
			if k == "" {
				k = g.word(alnum, 1, 4)
			}
		}
		v := ""
		if g.r.Intn(6) != 0 {
			v = g.text(6)
		}
		pairs = append(pairs, pair{k, v})
	}
	g.r.Shuffle(len(pairs), func(i, j int) { pairs[i], pairs[j] = pairs[j], pairs[i] })
	// The vendor keeps the values of a repeated key in the order given and
	// the canonical form sorts them by value: give repeated keys in value
	// order so the request is the same request on both sides. (Key order on
	// the wire is free: both sides sort keys.)
	byKey := map[string][]string{}
	for _, p := range pairs {
		byKey[p.k] = append(byKey[p.k], p.v)
	}
	for _, vs := range byKey {
		sort.Strings(vs)
	}
	for i := range pairs {
		vs := byKey[pairs[i].k]
		pairs[i].v, byKey[pairs[i].k] = vs[0], vs[1:]
	}
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		switch {
		case p.v == "" && g.r.Intn(2) == 0:
			parts[i] = g.escape(p.k) // key with no '='
		default:
			parts[i] = g.escape(p.k) + "=" + g.escape(p.v)
		}
	}
	raw := strings.Join(parts, "&")
	if g.r.Intn(10) == 0 {
		raw = strings.Replace(raw, "&", "&&", 1) // an empty part
	}
	if g.r.Intn(10) == 0 {
		raw += "&" // a trailing separator
	}
	return raw, pairs
}

// body returns a random JSON object, or nothing.
func (g *caseGen) body(method string) []byte {
	if method == http.MethodGet || g.r.Intn(8) == 0 {
		return nil
	}
	m := map[string]any{"AppId": g.word(alnum, 24, 24)}
	for i := g.r.Intn(6); i > 0; i-- {
		switch g.r.Intn(4) {
		case 0:
			m[g.word(alnum, 2, 10)] = g.text(8)
		case 1:
			m[g.word(alnum, 2, 10)] = g.r.Int63n(1 << 40)
		case 2:
			m[g.word(alnum, 2, 10)] = []string{g.text(3), g.text(3)}
		default:
			m[g.word(alnum, 2, 10)] = map[string]any{"Nested": g.text(5), "On": g.r.Intn(2) == 0}
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

func (g *caseGen) next() *signCase {
	rh := regionHosts[g.r.Intn(len(regionHosts))]
	c := &signCase{region: rh.region, host: rh.host, method: http.MethodGet, ctype: contentTypeForm}
	switch g.r.Intn(10) {
	case 0:
		c.host += ":443" // dropped from the signed host
	case 1:
		c.host += ":8443" // kept
	}
	if g.r.Intn(2) == 0 {
		c.method, c.ctype = http.MethodPost, contentTypeJSON
	}
	c.rawQuery, _ = g.query(c.method)
	c.body = g.body(c.method)
	c.creds = rtc.Credentials{
		AccessKeyID:     "AKLT" + g.word(alnum, 16, 40),
		SecretAccessKey: g.word(b64, 20, 60),
	}
	if g.r.Intn(3) == 0 {
		c.creds.SessionToken = "STS2" + g.word(b64, 40, 300)
	}
	// Any second from 2000 to 2099, so dates, months and years roll over.
	c.when = time.Unix(946684800+g.r.Int63n(100*365*86400), 0).UTC()
	return c
}
