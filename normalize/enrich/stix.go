package enrich

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"regexp"
	"strings"
)

// stixItem is one IP or domain-name indicator taken from a STIX object.
type stixItem struct {
	typ         string // ipv4-addr, ipv6-addr or domain-name
	network     netip.Prefix
	domain      string // normalized
	name        string
	description string
	modified    string
	firstSeen   string
	lastSeen    string
}

// stixObject holds the properties es-loader's builder reads from each
// object of a bundle.
type stixObject struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Modified    string `json:"modified"`
	Published   string `json:"published"`
	FirstSeen   string `json:"first_seen"`
	LastSeen    string `json:"last_seen"`
	Pattern     string `json:"pattern"`
	PatternType string `json:"pattern_type"`
}

// parseSTIX reads the IP and domain-name indicators of a STIX 2.x bundle:
// a JSON object with "id" and "objects". Every object with a STIX pattern
// comparing ipv4-addr:value, ipv6-addr:value (an address or CIDR) or
// domain-name:value with = or ISSUBSET gives one indicator per comparison;
// other patterns (URLs, file hashes) are not about addresses and are
// skipped. A broken object is reported with its line and skipped; a file
// that is not a bundle yields nothing.
func parseSTIX(name string, data []byte) ([]stixItem, []error) {
	lines := &lineCounter{data: data}
	fail := func(off int64, format string, args ...any) *FileError {
		return &FileError{File: name, Line: lines.at(int(off)), Msg: fmt.Sprintf(format, args...)}
	}
	syntax := func(err error, dec *json.Decoder) *FileError {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return fail(int64(len(data)), "invalid JSON: the file ends too early")
		}
		// A Decoder's syntax error offsets are relative to its buffer;
		// the file's first syntax error, which is this one, has the
		// same message with an absolute offset from Unmarshal.
		off := dec.InputOffset()
		var whole any
		var se *json.SyntaxError
		if errors.As(json.Unmarshal(data, &whole), &se) {
			off = se.Offset
			err = se
		}
		return fail(off, "invalid JSON: %v", err)
	}

	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, []error{syntax(err, dec)}
	}
	if tok != json.Delim('{') {
		return nil, []error{fail(0, "not a STIX 2.x bundle: the file is not a JSON object")}
	}
	var items []stixItem
	var problems []error
	more := 0
	report := func(e *FileError) {
		if len(problems) < maxErrorsPerFile {
			problems = append(problems, e)
		} else {
			more++
		}
	}
	hasID, hasObjects := false, false
	for dec.More() {
		keyTok, err := dec.Token()
		if err != nil {
			report(syntax(err, dec))
			return items, problems
		}
		key, _ := keyTok.(string)
		switch key {
		case "id":
			hasID = true
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				report(syntax(err, dec))
				return items, problems
			}
		case "objects":
			start := dec.InputOffset()
			tok, err := dec.Token()
			if err != nil {
				report(syntax(err, dec))
				return items, problems
			}
			if tok != json.Delim('[') {
				return nil, []error{fail(start, "not a STIX 2.x bundle: \"objects\" is not a list")}
			}
			hasObjects = true
			for n := 1; dec.More(); n++ {
				at := valueStart(data, dec.InputOffset())
				var obj stixObject
				if err := dec.Decode(&obj); err != nil {
					var te *json.UnmarshalTypeError
					if errors.As(err, &te) {
						// the decoder has read the whole object: go on
						report(fail(at, "object %d: %s has the wrong type (%s)", n, te.Field, te.Value))
						continue
					}
					report(syntax(err, dec))
					return items, problems
				}
				got, err := stixIndicators(&obj)
				if err != nil {
					label := obj.ID
					if label == "" {
						label = fmt.Sprintf("object %d", n)
					}
					report(fail(at, "%s: %v", label, err))
				}
				items = append(items, got...)
			}
			if _, err := dec.Token(); err != nil {
				report(syntax(err, dec))
				return items, problems
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				report(syntax(err, dec))
				return items, problems
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		report(syntax(err, dec))
		return items, problems
	}
	if !hasID || !hasObjects {
		// es-loader's builder rejects the whole file
		missing := "\"id\""
		if !hasObjects {
			missing = "\"objects\""
		}
		return nil, []error{&FileError{File: name, Msg: "not a STIX 2.x bundle: it has no " + missing}}
	}
	if more > 0 {
		problems = append(problems, &FileError{File: name, Msg: fmt.Sprintf("%d more malformed objects", more)})
	}
	return items, problems
}

// valueStart skips the separators before the next value at off.
func valueStart(data []byte, off int64) int64 {
	for off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\n', '\r', ',':
			off++
			continue
		}
		break
	}
	return off
}

// stixIndicators turns one object into indicators.
func stixIndicators(obj *stixObject) ([]stixItem, error) {
	if obj.Pattern == "" {
		return nil, nil
	}
	if obj.PatternType != "" && obj.PatternType != "stix" {
		return nil, nil // a Snort, YARA, ... rule
	}
	comps, err := parseSTIXPattern(obj.Pattern)
	if err != nil || len(comps) == 0 {
		return nil, err
	}
	base := stixItem{
		name:        obj.Name,
		description: obj.Description,
		modified:    isoSeconds(obj.Modified),
		firstSeen:   isoSeconds(obj.FirstSeen),
		lastSeen:    isoSeconds(obj.LastSeen),
	}
	if base.modified == "" {
		base.modified = isoSeconds(obj.Published)
	}
	var out []stixItem
	var problems []error
	for _, c := range comps {
		it := base
		it.typ = c.typ
		if c.typ == "domain-name" {
			it.domain = normalizeDomain(c.value)
			if it.domain == "" {
				problems = append(problems, errors.New("empty domain-name value"))
				continue
			}
			out = append(out, it)
			continue
		}
		p, err := parsePyNetwork(c.value)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		if p.Addr().Is4() != (c.typ == "ipv4-addr") {
			problems = append(problems, fmt.Errorf("%s value %q is of the other address family", c.typ, c.value))
			continue
		}
		it.network = p
		out = append(out, it)
	}
	return out, errors.Join(problems...)
}

type stixComparison struct{ typ, value string }

var (
	stixComparisonRE = regexp.MustCompile(`(ipv4-addr|ipv6-addr|domain-name):value\s*(?:=|ISSUBSET)\s*'((?:[^'\\]|\\.)*)'`)
	stixUnescape     = strings.NewReplacer(`\'`, `'`, `\\`, `\`)
)

// parseSTIXPattern finds the address and domain comparisons of a STIX
// pattern ("[ipv4-addr:value = '198.51.100.0/24']"; several joined with OR
// or AND each count). es-loader reads only the last quoted value of a
// pattern; reading every comparison gives the same result for the usual
// single-comparison patterns.
func parseSTIXPattern(pattern string) ([]stixComparison, error) {
	var out []stixComparison
	for _, m := range stixComparisonRE.FindAllStringSubmatch(pattern, -1) {
		out = append(out, stixComparison{typ: m[1], value: strings.TrimSpace(stixUnescape.Replace(m[2]))})
	}
	if len(out) == 0 && (strings.Contains(pattern, "ipv4-addr:") || strings.Contains(pattern, "ipv6-addr:") || strings.Contains(pattern, "domain-name:value")) {
		return nil, fmt.Errorf("pattern %q compares an address or domain name other than with = or ISSUBSET; skipped", truncate(pattern, 120))
	}
	return out, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
