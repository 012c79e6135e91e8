package enrich

import (
	mathbits "math/bits"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"

	"github.com/ua-parser/uap-go/uaparser"
)

// uaMatcher runs uap-go's pattern lists in their order, as its
// ParseUserAgent, ParseOs and ParseDevice do, but first asks each
// pattern's prefilter: literals every match of the pattern must contain.
// A pattern whose literals are not in the user agent is skipped; it could
// not have matched, so the verdict is uap-go's. uap-core has about a
// thousand patterns and nearly all need words such as "Firefox" or
// "Android"; one scan of the user agent finds the words it has, and a
// user agent seen for the first time costs a few dozen regex runs instead
// of all of them.
type uaMatcher struct {
	p *uaparser.Parser

	lits        []string // every distinct literal of every filter
	oneByte     [256][]int32
	bigramStart []int32   // literals of two bytes or more, by their first two bytes:
	bigramLits  []int32   // bigramLits[bigramStart[b]:bigramStart[b+1]]
	litClauses  [][]int32 // the clauses each literal satisfies
	nClauses    int

	// per pattern, the clauses that must all be satisfied (none: always
	// tried); a clause is satisfied by any one of its literals
	ua, os, dv [][]int32
}

func newUAMatcher(p *uaparser.Parser) *uaMatcher {
	m := &uaMatcher{p: p}
	litID := map[string]int32{}
	add := func(re *regexp.Regexp) []int32 {
		var ids []int32
		for _, clause := range filterOf(re) {
			id := int32(m.nClauses)
			m.nClauses++
			ids = append(ids, id)
			for _, lit := range clause {
				l, ok := litID[lit]
				if !ok {
					l = int32(len(m.lits))
					litID[lit] = l
					m.lits = append(m.lits, lit)
					m.litClauses = append(m.litClauses, nil)
				}
				m.litClauses[l] = append(m.litClauses[l], id)
			}
		}
		return ids
	}
	for _, x := range p.UA {
		m.ua = append(m.ua, add(x.Reg))
	}
	for _, x := range p.OS {
		m.os = append(m.os, add(x.Reg))
	}
	for _, x := range p.Device {
		m.dv = append(m.dv, add(x.Reg))
	}
	counts := make([]int32, 1<<16+1)
	for id, lit := range m.lits {
		if len(lit) == 1 {
			m.oneByte[lit[0]] = append(m.oneByte[lit[0]], int32(id))
			continue
		}
		counts[int(lit[0])<<8|int(lit[1])+1]++
	}
	for i := 1; i < len(counts); i++ {
		counts[i] += counts[i-1]
	}
	m.bigramStart = counts
	m.bigramLits = make([]int32, counts[len(counts)-1])
	fill := slices.Clone(counts)
	for id, lit := range m.lits {
		if len(lit) > 1 {
			b := int(lit[0])<<8 | int(lit[1])
			m.bigramLits[fill[b]] = int32(id)
			fill[b]++
		}
	}
	return m
}

// satisfied returns which clauses the lower-cased user agent satisfies.
func (m *uaMatcher) satisfied(lower string) []uint64 {
	found := make([]uint64, (len(m.lits)+63)/64)
	for i := 0; i < len(lower); i++ {
		for _, id := range m.oneByte[lower[i]] {
			found[id/64] |= 1 << (id % 64)
		}
		if i+1 < len(lower) {
			b := int(lower[i])<<8 | int(lower[i+1])
			for _, id := range m.bigramLits[m.bigramStart[b]:m.bigramStart[b+1]] {
				if strings.HasPrefix(lower[i:], m.lits[id]) {
					found[id/64] |= 1 << (id % 64)
				}
			}
		}
	}
	ok := make([]uint64, (m.nClauses+63)/64)
	for w, bits := range found {
		for bits != 0 {
			id := w*64 + mathbits.TrailingZeros64(bits)
			bits &= bits - 1
			for _, c := range m.litClauses[id] {
				ok[c/64] |= 1 << (c % 64)
			}
		}
	}
	return ok
}

func allSet(ok []uint64, clauses []int32) bool {
	for _, c := range clauses {
		if ok[c/64]&(1<<(c%64)) == 0 {
			return false
		}
	}
	return true
}

// parse is uap-go's three lookups.
func (m *uaMatcher) parse(line string) (ua uaparser.UserAgent, os uaparser.Os, dev uaparser.Device) {
	ok := m.satisfied(foldLower(line))
	for i, x := range m.p.UA {
		if allSet(ok, m.ua[i]) {
			x.Match(line, &ua)
			if ua.Family != "" {
				break
			}
		}
	}
	if ua.Family == "" {
		ua.Family = "Other"
	}
	for i, x := range m.p.OS {
		if allSet(ok, m.os[i]) {
			x.Match(line, &os)
			if os.Family != "" {
				break
			}
		}
	}
	if os.Family == "" {
		os.Family = "Other"
	}
	for i, x := range m.p.Device {
		if allSet(ok, m.dv[i]) {
			x.Match(line, &dev)
			if dev.Family != "" {
				break
			}
		}
	}
	if dev.Family == "" {
		dev.Family = "Other"
	}
	return ua, os, dev
}

// literalFilter is a conjunction of clauses; a clause holds lower-case
// ASCII literals of which a match contains at least one.
type literalFilter [][]string

// foldLower lower-cases s so that it contains the lower-case form of
// every ASCII literal a case-insensitive pattern can match in s: besides
// the usual mapping, the two non-ASCII letters Go's case folding equates
// with ASCII ones (KELVIN SIGN with k, LATIN SMALL LETTER LONG S with s).
func foldLower(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	return strings.Map(func(r rune) rune {
		if r == 'ſ' {
			return 's'
		}
		return unicode.ToLower(r)
	}, s)
}

// maxClauseLiterals keeps a clause cheap to test; a part needing one of
// more alternatives than this adds no clause. maxClauses likewise bounds
// the tests per pattern.
const (
	maxClauseLiterals = 512
	maxClauses        = 4
)

func filterOf(re *regexp.Regexp) literalFilter {
	tree, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return nil
	}
	f := requiredLiterals(tree.Simplify())
	// the most selective clauses first, and only a few
	slices.SortStableFunc(f, func(a, b []string) int { return shortest(b) - shortest(a) })
	if len(f) > maxClauses {
		f = f[:maxClauses]
	}
	return f
}

// requiredLiterals returns clauses every match of re satisfies. Literals
// are lower-cased: a lower-cased user agent contains the lower-cased
// literal whether or not the pattern ignores case.
func requiredLiterals(re *syntax.Regexp) literalFilter {
	if s, ok := literalText(re); ok {
		return literalFilter{{s}}
	}
	switch re.Op {
	case syntax.OpCapture, syntax.OpPlus:
		return requiredLiterals(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredLiterals(re.Sub[0])
		}
	case syntax.OpConcat:
		// every part is required; a run of literal parts ("[Bb]ot" is b,
		// o, t) is one literal
		var all literalFilter
		run := ""
		for _, sub := range re.Sub {
			if s, ok := literalText(sub); ok {
				run += s
				continue
			}
			if run != "" {
				all = append(all, []string{run})
				run = ""
			}
			all = append(all, requiredLiterals(sub)...)
		}
		if run != "" {
			all = append(all, []string{run})
		}
		return all
	case syntax.OpAlternate:
		// one of the branches matched: its best clause holds
		var clause []string
		for _, sub := range re.Sub {
			f := requiredLiterals(sub)
			if len(f) == 0 {
				return nil
			}
			best := f[0]
			for _, c := range f[1:] {
				if shortest(c) > shortest(best) || shortest(c) == shortest(best) && len(c) < len(best) {
					best = c
				}
			}
			clause = append(clause, best...)
		}
		if len(clause) > maxClauseLiterals {
			return nil
		}
		return literalFilter{clause}
	}
	return nil
}

// literalText is the lower-cased ASCII text re matches when it matches
// exactly one string up to case: a literal, a class of one letter in both
// cases ([Bb]), or a group of those.
func literalText(re *syntax.Regexp) (string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if r >= 0x80 {
				return "", false // leave Unicode case folding alone
			}
		}
		return strings.ToLower(string(re.Rune)), true
	case syntax.OpCharClass:
		// ranges as pairs: [Bb] is B-B, b-b
		if len(re.Rune) == 4 && re.Rune[0] == re.Rune[1] && re.Rune[2] == re.Rune[3] &&
			re.Rune[0] < 0x80 && re.Rune[2] < 0x80 && unicode.ToLower(re.Rune[0]) == unicode.ToLower(re.Rune[2]) {
			return string(unicode.ToLower(re.Rune[0])), true
		}
		if len(re.Rune) == 2 && re.Rune[0] == re.Rune[1] && re.Rune[0] < 0x80 {
			return string(unicode.ToLower(re.Rune[0])), true
		}
	case syntax.OpCapture:
		return literalText(re.Sub[0])
	case syntax.OpConcat:
		text := ""
		for _, sub := range re.Sub {
			s, ok := literalText(sub)
			if !ok {
				return "", false
			}
			text += s
		}
		return text, true
	}
	return "", false
}

func shortest(clause []string) int {
	n := 1 << 30
	for _, s := range clause {
		n = min(n, len(s))
	}
	return n
}
