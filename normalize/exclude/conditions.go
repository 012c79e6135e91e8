package exclude

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync/atomic"

	jmespath "github.com/jmespath-community/go-jmespath"
)

// Action is what a matching condition does.
type Action int

const (
	// None: no condition or pattern matched.
	None Action = iota
	// Count logs the record and counts it; it is loaded.
	Count
	// Exclude drops the record.
	Exclude
	// Disable turns a condition off without deleting it.
	Disable
)

func (a Action) String() string {
	switch a {
	case Count:
		return "COUNT"
	case Exclude:
		return "EXCLUDE"
	case Disable:
		return "DISABLE"
	}
	return "NONE"
}

// Condition is one exclusion condition: a JMESPath expression over the
// documents of one log type, and what to do with those it selects (where
// the expression's result is true in Python's sense: not null, false,
// 0, "", [] or {}).
type Condition struct {
	Name       string // <log_type>/<name>
	LogType    string
	Action     Action
	Expression string
	Source     string // file:line, or the parameter's name

	query   jmespath.JMESPath
	reads   *pathTrie
	samples atomic.Int64 // COUNT matches logged
	errors  atomic.Int64 // evaluation errors
}

// DefaultParameterPath is where es-loader reads its conditions in
// Parameter Store: one parameter per condition, named
// <path><log_type>/<name>.
const DefaultParameterPath = "/siem/exclude-logs/"

// conditionValue is a condition as es-loader stores it in a parameter:
// {"action": "COUNT", "expression": "..."}; other keys are ignored.
type conditionValue struct {
	Action     *string `json:"action"`
	Expression *string `json:"expression"`
}

// newCondition checks a condition the way es-loader's
// get_exclusion_conditions does and compiles its expression.
func newCondition(name, source string, value []byte) (*Condition, error) {
	logType, _, ok := strings.Cut(name, "/")
	if !ok || logType == "" {
		return nil, fmt.Errorf("condition name %q must be <log_type>/<name>", name)
	}
	var v conditionValue
	if err := json.Unmarshal(value, &v); err != nil {
		return nil, fmt.Errorf("condition %s: not a JSON object with action and expression: %v", name, err)
	}
	if v.Action == nil || v.Expression == nil {
		return nil, fmt.Errorf("condition %s: needs both \"action\" and \"expression\"", name)
	}
	c := &Condition{Name: name, LogType: logType, Expression: *v.Expression, Source: source}
	switch strings.ToLower(*v.Action) {
	case "count":
		c.Action = Count
	case "exclude":
		c.Action = Exclude
	case "disable":
		c.Action = Disable
		return c, nil // not compiled, as in es-loader
	default:
		return nil, fmt.Errorf("condition %s: action %q is not COUNT, EXCLUDE or DISABLE", name, *v.Action)
	}
	expr, err := legacyLiterals(c.Expression)
	if err != nil {
		return nil, fmt.Errorf("condition %s: expression %q: %v", name, c.Expression, err)
	}
	q, err := jmespath.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("condition %s: expression %q: %v", name, c.Expression, err)
	}
	c.query = q
	c.reads = readsOf(expr)
	return c, nil
}

// LoadConditions reads a conditions file: one condition per line, a JSON
// object with the condition's name as its only key and, as value, what
// es-loader keeps in the parameter:
//
//	{"waf/allow-health-checks": {"action": "EXCLUDE", "expression": "httpRequest.uri == '/health'"}}
//
// Blank lines and lines starting with '#' are skipped. A line that is not
// a valid condition is returned as a problem (a *LineError) and the rest is
// loaded; the error is for a file that cannot be read.
func LoadConditions(path string) ([]*Condition, []error, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("exclusion conditions: %w", err)
	}
	defer f.Close()
	conds, problems := ParseConditions(path, f)
	return conds, problems, nil
}

// ParseConditions is LoadConditions over a reader.
func ParseConditions(name string, r io.Reader) ([]*Condition, []error) {
	var out []*Condition
	var problems []error
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		if text == "" || text[0] == '#' {
			continue
		}
		var entry map[string]json.RawMessage
		if err := json.Unmarshal([]byte(text), &entry); err != nil {
			problems = append(problems, &LineError{File: name, Line: line, Msg: "not a JSON object: " + err.Error()})
			continue
		}
		if len(entry) != 1 {
			problems = append(problems, &LineError{File: name, Line: line, Msg: fmt.Sprintf(`want one key, the condition's name ({"<log_type>/<name>": {"action": ..., "expression": ...}}), got %d`, len(entry))})
			continue
		}
		for key, value := range entry {
			c, err := newCondition(key, fmt.Sprintf("%s:%d", name, line), value)
			if err != nil {
				problems = append(problems, &LineError{File: name, Line: line, Msg: err.Error()})
				continue
			}
			out = append(out, c)
		}
	}
	if err := sc.Err(); err != nil {
		problems = append(problems, &LineError{File: name, Line: line + 1, Msg: "cannot read further: " + err.Error()})
	}
	return out, problems
}

// Parameter is one Parameter Store parameter.
type Parameter struct {
	Name  string // full name, /siem/exclude-logs/waf/allow-health-checks
	Value string
}

// ParameterSource lists parameters below a path, recursively and across
// pages: SSM's GetParametersByPath (Recursive, without decryption) behind
// an adapter, so that this package needs no AWS SDK.
type ParameterSource interface {
	GetParametersByPath(ctx context.Context, path string) ([]Parameter, error)
}

// LoadConditionsFromParameters reads the conditions under path
// (DefaultParameterPath when ""), each parameter named
// <path><log_type>/<name> with the JSON value {"action": ...,
// "expression": ...}. They come sorted by name. A parameter that is not a
// valid condition is returned as a problem naming it; the error is for a
// source that cannot be listed.
func LoadConditionsFromParameters(ctx context.Context, src ParameterSource, path string) ([]*Condition, []error, error) {
	if path == "" {
		path = DefaultParameterPath
	}
	if !strings.HasSuffix(path, "/") {
		path += "/"
	}
	params, err := src.GetParametersByPath(ctx, path)
	if err != nil {
		return nil, nil, fmt.Errorf("exclusion conditions from Parameter Store %s: %w", path, err)
	}
	slices.SortFunc(params, func(a, b Parameter) int { return strings.Compare(a.Name, b.Name) })
	var out []*Condition
	var problems []error
	for _, p := range params {
		name := strings.TrimPrefix(p.Name, path)
		c, err := newCondition(name, p.Name, []byte(p.Value))
		if err != nil {
			problems = append(problems, fmt.Errorf("parameter %s: %w", p.Name, err))
			continue
		}
		out = append(out, c)
	}
	return out, problems, nil
}

// Matches evaluates the condition on a document; an expression that fails
// on it (a function given the wrong type) does not match, as in es-loader,
// and the error is returned for the caller to log.
func (c *Condition) Matches(doc any) (bool, error) {
	if c.query == nil {
		return false, nil
	}
	return c.matchData(c.reads.data(doc))
}

// matchData evaluates the condition on converted data (what it reads, or
// more).
func (c *Condition) matchData(data any) (bool, error) {
	res, err := c.query.Search(data)
	if err != nil {
		c.errors.Add(1)
		return false, err
	}
	return pyTruthy(res), nil
}

// pyTruthy is Python's bool() on a JMESPath result.
func pyTruthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case float64:
		return x != 0
	case int:
		return x != 0
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

// legacyLiterals rewrites the literals Python's jmespath still accepts but
// the JMESPath specification (and the Go implementation) no longer does:
// `value1` without JSON quotes is the string "value1" there, and es-loader's
// documentation writes conditions that way (field1==`value1`). A literal
// that is valid JSON is left alone.
func legacyLiterals(expr string) (string, error) {
	if !strings.Contains(expr, "`") {
		return expr, nil
	}
	var b strings.Builder
	for i := 0; i < len(expr); {
		c := expr[i]
		switch c {
		case '\'', '"':
			end := skipQuoted(expr, i, c)
			b.WriteString(expr[i:end])
			i = end
		case '`':
			end := i + 1
			for end < len(expr) && expr[end] != '`' {
				if expr[end] == '\\' && end+1 < len(expr) {
					end++
				}
				end++
			}
			if end >= len(expr) {
				return "", errors.New("a ` literal is not closed")
			}
			lexeme := strings.ReplaceAll(expr[i+1:end], "\\`", "`")
			if !json.Valid([]byte(lexeme)) {
				quoted := `"` + strings.TrimLeft(lexeme, " \t\n\r\f\v") + `"`
				if !json.Valid([]byte(quoted)) {
					return "", fmt.Errorf("the literal `%s` is neither JSON nor a plain string", lexeme)
				}
				lexeme = quoted
			}
			b.WriteByte('`')
			b.WriteString(strings.ReplaceAll(lexeme, "`", "\\`"))
			b.WriteByte('`')
			i = end + 1
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), nil
}

// skipQuoted returns the offset after the string or quoted identifier
// starting at i (or the end of expr when it is not closed).
func skipQuoted(expr string, i int, quote byte) int {
	for j := i + 1; j < len(expr); j++ {
		switch expr[j] {
		case '\\':
			j++
		case quote:
			return j + 1
		}
	}
	return len(expr)
}
