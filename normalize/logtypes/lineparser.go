package logtypes

import (
	"regexp"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// LineParser is a hand-written equivalent of a section's built-in
// log_pattern, for the busiest text formats where Go's regexp engine is
// the bottleneck. It must give exactly the regex's result: the named
// groups in pattern order (nil for a group that did not take part), or
// ok=false when it cannot decide, in which case the engine runs the regex.
// A differential fuzz test per parser holds it to that.
type LineParser func(line string) (fields *pyjson.Map, ok bool)

var lineParsers = map[string]LineParser{}

func registerLineParser(logType string, p LineParser) {
	if _, dup := lineParsers[logType]; dup {
		panic("logtypes: line parser for " + logType + " registered twice")
	}
	lineParsers[logType] = p
}

// LookupLineParser returns the parser of a log type. The engine uses it only
// while the section's log_pattern is the built-in one: a user.ini that
// changes the pattern gets the regex.
func LookupLineParser(logType string) (LineParser, bool) {
	p, ok := lineParsers[logType]
	return p, ok
}

// LineRescue parses a line the built-in log_pattern refused, where that is
// an es-loader defect rather than a bad line (an ALB retry lists several
// targets). It returns the same group names as the pattern.
type LineRescue func(line string) (fields *pyjson.Map, ok bool)

var lineRescues = map[string]LineRescue{}

func registerLineRescue(logType string, r LineRescue) { lineRescues[logType] = r }

// LookupLineRescue returns the rescue of a log type; like a LineParser it
// applies only while the section keeps its built-in log_pattern.
func LookupLineRescue(logType string) (LineRescue, bool) {
	r, ok := lineRescues[logType]
	return r, ok
}

// LineVariant recognises lines of a variant of a type's format that the
// built-in log_pattern matches wrongly and es-loader then fails on (syslog
// lines with RFC 3339 timestamps). It is tried before the pattern and
// returns ok only for such lines, with the pattern's group names.
type LineVariant func(line string) (fields *pyjson.Map, ok bool)

var lineVariants = map[string]LineVariant{}

func registerLineVariant(logType string, v LineVariant) { lineVariants[logType] = v }

// LookupLineVariant returns the variant parser of a log type; it applies
// only while the section keeps its built-in log_pattern.
func LookupLineVariant(logType string) (LineVariant, bool) {
	v, ok := lineVariants[logType]
	return v, ok
}

// regexGroups is re.match(line).groupdict() as the engine builds it: every
// named group in pattern order, nil for one that took no part, with room
// for the keys the pipeline adds.
func regexGroups(re *regexp.Regexp, line string) (*pyjson.Map, bool) {
	idx := re.FindStringSubmatchIndex(line)
	if idx == nil {
		return nil, false
	}
	names := re.SubexpNames()
	m := pyjson.NewMap(len(names) + 20)
	for i, name := range names {
		if name == "" {
			continue
		}
		if idx[2*i] < 0 {
			m.Set(name, nil)
			continue
		}
		m.Set(name, line[idx[2*i]:idx[2*i+1]])
	}
	return m, true
}
