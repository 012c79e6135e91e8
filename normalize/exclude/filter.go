package exclude

import (
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// Filter holds the patterns and conditions of every log type and decides
// per record. It is safe for concurrent use; its counters are atomic.
type Filter struct {
	patterns   map[string][]*Pattern
	conditions map[string][]*Condition
	reads      map[string]*pathTrie // what the conditions of a type read, together
	stats      map[string]*typeStats
	logger     *slog.Logger
	samples    int64
}

// Options adjusts NewFilter.
type Options struct {
	// Logger receives the records COUNT conditions match and expressions
	// that fail; nil is slog.Default().
	Logger *slog.Logger
	// CountSamples is how many matching records each COUNT condition logs
	// before going quiet until ResetSamples (es-loader logs three per
	// object); 0 is 3, negative logs none.
	CountSamples int
}

// Decision is what to do with one record.
type Decision struct {
	// Action is Exclude when the record is not to be loaded, Count when it
	// is loaded but COUNT conditions matched it, else None.
	Action Action
	// Reason says what excluded it, one string per rule (for counting
	// exclusions by reason): "condition waf/scanners (EXCLUDE)" or
	// "exclude_log_patterns.csv:3 (srcaddr)".
	Reason string
	// Detail is the value a pattern matched, as es-loader logs it:
	// "{srcaddr: 192.0.2.10}".
	Detail string
	// Counted names the COUNT conditions that matched (also when an
	// EXCLUDE condition matched too).
	Counted []string
}

// Stat is the counts of one log type: records COUNT conditions matched,
// records excluded by a condition or by a pattern, and failed
// evaluations.
type Stat struct {
	LogType             string
	Counted             int64
	ExcludedByCondition int64
	ExcludedByPattern   int64
	Errors              int64
}

type typeStats struct {
	counted, byCondition, byPattern, errors atomic.Int64
}

// NewFilter indexes patterns and conditions by log type, in the order
// given (es-loader's order: the built-in patterns, then the CSV's; the
// conditions in parameter order). DISABLE conditions are kept out. A
// condition whose name was already given is a problem and is skipped.
func NewFilter(patterns []*Pattern, conditions []*Condition, opts Options) (*Filter, []error) {
	f := &Filter{
		patterns:   map[string][]*Pattern{},
		conditions: map[string][]*Condition{},
		reads:      map[string]*pathTrie{},
		stats:      map[string]*typeStats{},
		logger:     opts.Logger,
		samples:    int64(opts.CountSamples),
	}
	if f.logger == nil {
		f.logger = slog.Default()
	}
	if f.samples == 0 {
		f.samples = 3
	}
	for _, p := range patterns {
		f.patterns[p.LogType] = append(f.patterns[p.LogType], p)
		f.statsFor(p.LogType)
	}
	var problems []error
	seen := map[string]string{}
	for _, c := range conditions {
		if first, dup := seen[c.Name]; dup {
			problems = append(problems, fmt.Errorf("condition %s from %s is already defined by %s; skipped", c.Name, c.Source, first))
			continue
		}
		seen[c.Name] = c.Source
		if c.Action == Disable {
			continue
		}
		f.conditions[c.LogType] = append(f.conditions[c.LogType], c)
		if f.reads[c.LogType] == nil {
			f.reads[c.LogType] = &pathTrie{}
		}
		f.reads[c.LogType].merge(c.reads)
		f.statsFor(c.LogType)
	}
	return f, problems
}

func (f *Filter) statsFor(logType string) {
	if f.stats[logType] == nil {
		f.stats[logType] = &typeStats{}
	}
}

// Has reports whether anything applies to the log type, so that callers
// can skip the checks altogether.
func (f *Filter) Has(logType string) bool {
	return f != nil && f.stats[logType] != nil
}

// CheckRaw applies the patterns to a raw record, before normalization:
// es-loader's first exclusion check, on the fields as parsed.
func (f *Filter) CheckRaw(logType string, raw *pyjson.Map) Decision {
	if !f.Has(logType) || raw == nil {
		return Decision{}
	}
	return f.checkPatterns(logType, raw)
}

// Check is es-loader's check of a finished document (after enrichment and
// field_prefix): the conditions in order, an EXCLUDE one ending the
// search, then the patterns again, now over the document's fields.
func (f *Filter) Check(logType string, doc *pyjson.Map) Decision {
	if !f.Has(logType) || doc == nil {
		return Decision{}
	}
	st := f.stats[logType]
	var d Decision
	// converted once for all the conditions: each reads within it
	var data any
	if conds := f.conditions[logType]; len(conds) > 0 {
		data = f.reads[logType].data(doc)
	}
	for _, c := range f.conditions[logType] {
		ok, err := c.matchData(data)
		if err != nil {
			st.errors.Add(1)
			if c.errors.Load() <= 3 {
				f.logger.Warn("exclusion condition failed on a record; taken as not matching",
					"log_type", logType, "condition", c.Name, "expression", c.Expression, "error", err)
			}
			continue
		}
		if !ok {
			continue
		}
		if c.Action == Exclude {
			d.Action, d.Reason = Exclude, "condition "+c.Name+" (EXCLUDE)"
			break
		}
		d.Counted = append(d.Counted, c.Name)
		if n := c.samples.Add(1); f.samples > 0 && n <= f.samples {
			f.logger.Info("log record matched a COUNT condition",
				"log_type", logType, "condition", c.Name, "expression", c.Expression,
				"record", string(pyjson.AppendJSON(nil, doc)))
		}
	}
	if len(d.Counted) > 0 {
		st.counted.Add(1)
	}
	if d.Action == Exclude {
		st.byCondition.Add(1)
		return d
	}
	if p := f.checkPatterns(logType, doc); p.Action == Exclude {
		p.Counted = d.Counted
		return p
	}
	if len(d.Counted) > 0 {
		d.Action = Count
	}
	return d
}

func (f *Filter) checkPatterns(logType string, rec *pyjson.Map) Decision {
	for _, p := range f.patterns[logType] {
		if detail, ok := p.Match(rec); ok {
			f.stats[logType].byPattern.Add(1)
			return Decision{Action: Exclude, Reason: p.label, Detail: detail}
		}
	}
	return Decision{}
}

// Stats returns the counts per log type, sorted by log type.
func (f *Filter) Stats() []Stat {
	if f == nil {
		return nil
	}
	var out []Stat
	for lt, s := range f.stats {
		out = append(out, Stat{
			LogType:             lt,
			Counted:             s.counted.Load(),
			ExcludedByCondition: s.byCondition.Load(),
			ExcludedByPattern:   s.byPattern.Load(),
			Errors:              s.errors.Load(),
		})
	}
	slices.SortFunc(out, func(a, b Stat) int {
		switch {
		case a.LogType < b.LogType:
			return -1
		case a.LogType > b.LogType:
			return 1
		}
		return 0
	})
	return out
}

// ResetSamples lets every COUNT condition log its sample records again
// (call it per object for es-loader's three per object).
func (f *Filter) ResetSamples() {
	if f == nil {
		return
	}
	for _, cs := range f.conditions {
		for _, c := range cs {
			c.samples.Store(0)
		}
	}
}
