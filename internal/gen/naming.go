package main

import (
	"strings"
	"unicode"
)

// initialisms are the words written in upper case in Go identifiers. The
// list is the usual Go one plus the acronyms this API uses (CDN, SDK, QPS,
// ASR, TTS, LLM, RTC ...). A word matches case-insensitively, and its plural
// with a lower-case "s" ("Ids" -> "IDs") matches too.
var initialisms = map[string]bool{
	"ACL": true, "API": true, "ASCII": true, "ASR": true, "CDN": true, "CPU": true,
	"CSS": true, "DNS": true, "EOF": true, "GUID": true, "HTML": true, "HTTP": true,
	"HTTPS": true, "ID": true, "IP": true, "JSON": true, "LLM": true, "QPS": true,
	"RAM": true, "RPC": true, "RTC": true, "RTMP": true, "RTS": true, "SDK": true,
	"SEI": true, "SLA": true, "SQL": true, "SSH": true, "TCP": true, "TLS": true,
	"TTL": true, "TTS": true, "UDP": true, "UI": true, "UID": true, "URI": true,
	"URL": true, "UTF8": true, "UUID": true, "VM": true, "XML": true,
}

// splitWords cuts a wire name into words at case changes: "AppId" -> App Id,
// "SEIPayloadUUID" -> SEI Payload UUID, "pushURL" -> push URL. Digits stay
// with the word before them; '_' and '-' separate words.
func splitWords(s string) []string {
	var words []string
	runes := []rune(s)
	start := 0
	flush := func(end int) {
		if end > start {
			words = append(words, string(runes[start:end]))
		}
		start = end
	}
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		if r == '_' || r == '-' || r == ' ' {
			flush(i)
			start = i + 1
			continue
		}
		if i == start || !unicode.IsUpper(r) {
			continue
		}
		prev := runes[i-1]
		switch {
		case unicode.IsLower(prev) || unicode.IsDigit(prev):
			// "appId": a new word starts at the upper-case letter.
			flush(i)
		case unicode.IsUpper(prev) && i+1 < len(runes) && unicode.IsLower(runes[i+1]):
			// "SEIConfig": the run of capitals ends one letter early.
			// A lone plural "s" after an acronym ("IDs") is not a new word.
			if !(runes[i+1] == 's' && (i+2 == len(runes) || !unicode.IsLower(runes[i+2]))) {
				flush(i)
			}
		}
	}
	flush(len(runes))
	return words
}

// fixWord writes one word the Go way: initialisms in upper case (with a
// plural "s" kept lower case), anything else with its first letter upper case
// and the rest as the wire name has it.
func fixWord(w string) string {
	up := strings.ToUpper(w)
	if initialisms[up] {
		return up
	}
	if len(w) > 2 && (w[len(w)-1] == 's') && initialisms[strings.ToUpper(w[:len(w)-1])] {
		return strings.ToUpper(w[:len(w)-1]) + "s"
	}
	r := []rune(w)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// goName turns a wire name into an exported Go identifier with Go
// initialisms: AppId -> AppID, PushURL -> PushURL, SdkVersion -> SDKVersion,
// overview -> Overview, SongIds -> SongIDs.
func goName(wire string) string {
	var b strings.Builder
	for _, w := range splitWords(wire) {
		b.WriteString(fixWord(w))
	}
	return b.String()
}

// singular names one element of an array field: StreamList -> Stream,
// Regions -> Region, Policies -> Policy, Usages -> Usage. A name that is
// already singular stays as it is (Data, HotSong). The argument is a Go name.
func singular(name string) string {
	switch {
	case strings.HasSuffix(name, "List") && len(name) > len("List"):
		return strings.TrimSuffix(name, "List")
	case strings.HasSuffix(name, "ies") && len(name) > 3:
		return strings.TrimSuffix(name, "ies") + "y"
	case strings.HasSuffix(name, "sses"), strings.HasSuffix(name, "xes"):
		return name[:len(name)-2]
	case strings.HasSuffix(name, "ss"), strings.HasSuffix(name, "us"), strings.HasSuffix(name, "is"):
		return name
	case strings.HasSuffix(name, "s") && len(name) > 1:
		return strings.TrimSuffix(name, "s")
	}
	return name
}

// categoryPrefix is the Go prefix used to qualify a nested type by its
// spec category ("cdn_push" -> CDNPush).
func categoryPrefix(category string) string {
	if p := typePrefix(category); p != "" {
		return p
	}
	return goName(category)
}

// generatedPrefix begins the name of every file the generator writes
// (api_room.go, api_operations.go, api_samples_test.go ...), so that
// generated and hand-written files never look alike; docs/generated.md
// lists them.
const generatedPrefix = "api_"

// categoryFile is the file (before generatedPrefix) a category's code goes
// to. The category "callback" is written to callback_config.go, which says
// what it holds: the callback configuration actions.
func categoryFile(category string) string {
	if category == "callback" {
		return "callback_config.go"
	}
	return category + ".go"
}
