package normalize

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
)

// TypeStats adds up the Results of one log type.
type TypeStats struct {
	Objects   int
	Skipped   int
	Records   int
	Documents int
	Excluded  map[string]int
	Errors    map[string]int
	Warnings  map[string]int
}

// Summary adds up Results per log type; safe for concurrent use.
type Summary struct {
	mu    sync.Mutex
	Types map[string]*TypeStats
}

// NewSummary returns an empty Summary.
func NewSummary() *Summary { return &Summary{Types: map[string]*TypeStats{}} }

// Add counts one object's Result.
func (s *Summary) Add(r *Result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := r.LogType
	if name == "" {
		name = "unknown"
	}
	t := s.Types[name]
	if t == nil {
		t = &TypeStats{Excluded: map[string]int{}, Errors: map[string]int{}, Warnings: map[string]int{}}
		s.Types[name] = t
	}
	t.Objects++
	if r.Skipped != "" {
		t.Skipped++
	}
	t.Records += r.Records
	t.Documents += r.Documents
	for k, v := range r.Excluded {
		t.Excluded[k] += v
	}
	for k, v := range r.Errors {
		t.Errors[k] += v
	}
	if r.Fatal != "" {
		t.Errors["object unreadable: "+firstLine(r.Fatal)]++
	}
	for k, v := range r.Warnings {
		t.Warnings[k] += v
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return s
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// Totals returns documents and objects over all types.
func (s *Summary) Totals() (objects, records, documents int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.Types {
		objects += t.Objects
		records += t.Records
		documents += t.Documents
	}
	return
}

// WriteTable prints the per-type table and the reasons behind every
// excluded, failed or warned record.
func (s *Summary) WriteTable(w io.Writer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.Types))
	for n := range s.Types {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintf(w, "%-26s %8s %9s %10s %9s %7s\n", "log type", "objects", "records", "documents", "excluded", "errors")
	var tot TypeStats
	for _, n := range names {
		t := s.Types[n]
		fmt.Fprintf(w, "%-26s %8d %9d %10d %9d %7d\n", n, t.Objects, t.Records, t.Documents, sum(t.Excluded), sum(t.Errors))
		tot.Objects += t.Objects
		tot.Records += t.Records
		tot.Documents += t.Documents
		tot.Skipped += sum(t.Excluded)
		tot.Excluded = nil
		tot.Errors = nil
	}
	errs := 0
	for _, n := range names {
		errs += sum(s.Types[n].Errors)
	}
	fmt.Fprintf(w, "%-26s %8d %9d %10d %9d %7d\n", "total", tot.Objects, tot.Records, tot.Documents, tot.Skipped, errs)
	for _, n := range names {
		t := s.Types[n]
		for _, group := range []struct {
			label string
			m     map[string]int
		}{{"excluded", t.Excluded}, {"error", t.Errors}, {"warning", t.Warnings}} {
			keys := make([]string, 0, len(group.m))
			for k := range group.m {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				fmt.Fprintf(w, "  %s %s: %s × %d\n", n, group.label, k, group.m[k])
			}
		}
	}
}
