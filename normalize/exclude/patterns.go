// Package exclude decides which records are not loaded: es-loader's
// exclude_log_patterns.csv (a field's value, exactly or by regex) and its
// exclusion conditions (JMESPath expressions with the actions COUNT,
// EXCLUDE and DISABLE, from a local file or from AWS Systems Manager
// Parameter Store).
package exclude

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/siemloader/siemloader/conf"
	"github.com/siemloader/siemloader/normalize/pyjson"
)

// Pattern is one row of exclude_log_patterns.csv: records of LogType
// whose Field (a dotted path of raw field names) has a value matching
// Pattern are not loaded.
type Pattern struct {
	LogType string
	Field   string
	Pattern string
	Regex   bool // pattern_type regex (a Python regex, matched in full); else text, matched exactly
	Comment string
	Source  string // file:line, which the exclusion reason names

	path  []string
	text  string
	re    *regexp.Regexp
	label string
}

// LineError is a problem with one line of a file (Line 0: the whole file).
type LineError struct {
	File string
	Line int
	Msg  string
}

func (e *LineError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// LoadPatterns reads an exclude_log_patterns.csv. Rows that cannot be used
// are returned as problems (each a *LineError) and the others are loaded;
// the error is for a file that cannot be read or has no usable header.
func LoadPatterns(path string) ([]*Pattern, []error, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("exclusion patterns: %w", err)
	}
	defer f.Close()
	return ParsePatterns(path, f)
}

// ParsePatterns reads CSV rows under the header
// log_type,field,pattern,pattern_type,comment (columns found by name, as
// Python's csv.DictReader does; comment may be missing). pattern_type
// "text" matches the value exactly; "regex", empty or anything else (as
// in es-loader) is a Python regex that must match the whole value. A row
// whose log_type starts with '#' is a comment.
func ParsePatterns(name string, r io.Reader) ([]*Pattern, []error, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, &LineError{File: name, Msg: "empty file: the header log_type,field,pattern,pattern_type,comment is missing"}
		}
		return nil, nil, &LineError{File: name, Line: 1, Msg: "unreadable header: " + err.Error()}
	}
	col := map[string]int{}
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	var missing []string
	for _, want := range []string{"log_type", "field", "pattern", "pattern_type"} {
		if _, ok := col[want]; !ok {
			missing = append(missing, want)
		}
	}
	if len(missing) > 0 {
		return nil, nil, &LineError{File: name, Line: 1, Msg: fmt.Sprintf("the header lacks %s (want log_type,field,pattern,pattern_type,comment)", strings.Join(missing, ", "))}
	}
	need := max(col["log_type"], col["field"], col["pattern"], col["pattern_type"]) + 1

	var out []*Pattern
	var problems []error
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			problems = append(problems, &LineError{File: name, Line: line, Msg: "unreadable CSV: " + err.Error()})
			if !errors.As(err, &pe) {
				break
			}
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" || strings.HasPrefix(strings.TrimSpace(rec[0]), "#") {
			continue
		}
		if len(rec) < need {
			problems = append(problems, &LineError{File: name, Line: line, Msg: fmt.Sprintf("%d columns, the header has %d", len(rec), len(header))})
			continue
		}
		p := &Pattern{
			LogType: strings.TrimSpace(rec[col["log_type"]]),
			Field:   strings.TrimSpace(rec[col["field"]]),
			Pattern: rec[col["pattern"]],
			Source:  fmt.Sprintf("%s:%d", name, line),
		}
		if i, ok := col["comment"]; ok && i < len(rec) {
			p.Comment = rec[i]
		}
		kind := strings.ToLower(strings.TrimSpace(rec[col["pattern_type"]]))
		p.Regex = kind != "text"
		if err := p.compile(); err != nil {
			problems = append(problems, &LineError{File: name, Line: line, Msg: err.Error()})
			continue
		}
		if kind != "text" && kind != "regex" && kind != "" {
			problems = append(problems, &LineError{File: name, Line: line, Msg: fmt.Sprintf("pattern_type %q is neither text nor regex; used as a regex, as es-loader does", kind)})
		}
		out = append(out, p)
	}
	return out, problems, nil
}

func (p *Pattern) compile() error {
	if p.LogType == "" {
		return errors.New("log_type is empty")
	}
	if p.Field == "" {
		return errors.New("field is empty")
	}
	p.path = strings.Split(p.Field, ".")
	for _, part := range p.path {
		if part == "" {
			return fmt.Errorf("field %q has an empty part", p.Field)
		}
	}
	p.label = p.Source + " (" + p.Field + ")"
	if !p.Regex {
		p.text = p.Pattern
		return nil
	}
	re, err := compileFullMatch(p.Pattern)
	if err != nil {
		return fmt.Errorf("pattern %q: %v", p.Pattern, err)
	}
	p.re = re
	return nil
}

// compileFullMatch is es-loader's re.compile(pattern + '$') applied with
// re.match: anchored at the start, and the appended '$' ends the match at
// the end of the value or before a final newline. The '$' is appended to
// the text, not around a group, so that "a|b" is "a" or "b$", as in
// Python.
func compileFullMatch(pattern string) (*regexp.Regexp, error) {
	if _, err := conf.CompilePython(pattern + "$"); err != nil {
		return nil, err
	}
	src := conf.TranslatePython(pattern + "$")
	// the appended '$' is an anchor unless the pattern ended with an odd
	// number of backslashes, which escape it
	slashes := 0
	for i := len(pattern) - 1; i >= 0 && pattern[i] == '\\'; i-- {
		slashes++
	}
	if slashes%2 == 0 {
		src = src[:len(src)-1] + `(?:\n?\z)`
	}
	return regexp.Compile(`^(?:` + src + `)`)
}

// Match reports whether the record has the pattern's value, following
// es-loader's match_log_with_exclude_patterns: the path is walked through
// objects (and into the first element of a list of objects), and the
// value found is compared as Python's str() shows it. It returns what
// es-loader puts in its reason: "{key: value}".
func (p *Pattern) Match(rec *pyjson.Map) (string, bool) {
	cur := rec
	for i, key := range p.path {
		v, ok := cur.Get(key)
		if !ok {
			return "", false
		}
		if i == len(p.path)-1 {
			s := pyjson.Str(v)
			if p.matchText(s) {
				return "{" + key + ": " + s + "}", true
			}
			return "", false
		}
		switch x := v.(type) {
		case *pyjson.Map:
			cur = x
		case []any:
			// es-loader looks into the first element only
			if len(x) == 0 {
				return "", false
			}
			m, ok := x[0].(*pyjson.Map)
			if !ok {
				return "", false
			}
			cur = m
		default:
			return "", false
		}
	}
	return "", false
}

func (p *Pattern) matchText(s string) bool {
	if p.re == nil {
		// re.escape(text) + '$' with re.match
		return s == p.text || len(s) == len(p.text)+1 && s[len(s)-1] == '\n' && s[:len(p.text)] == p.text
	}
	return p.re.MatchString(s)
}
