package conf

import (
	"fmt"
	"regexp"
	"strings"
)

// Pattern is a Python regex compiled for Go's RE2 engine, with the two
// ways es-loader applies one: re.search (anywhere) and re.match (anchored at
// the start, trailing text allowed).
type Pattern struct {
	Source   string
	search   *regexp.Regexp
	anchored *regexp.Regexp
}

// Search is Python's pattern.search(s) != None.
func (p *Pattern) Search(s string) bool { return p.search.MatchString(s) }

// SearchSubmatch returns the groups of the first match anywhere in s.
func (p *Pattern) SearchSubmatch(s string) []string { return p.search.FindStringSubmatch(s) }

// MatchSubmatchIndex is Python's pattern.match(s): group offsets of a match
// that starts at offset 0, or nil.
func (p *Pattern) MatchSubmatchIndex(s string) []int { return p.anchored.FindStringSubmatchIndex(s) }

// Match reports whether the pattern matches at the start of s.
func (p *Pattern) Match(s string) bool { return p.anchored.MatchString(s) }

// SubexpNames are the group names (index 0 is the whole match).
func (p *Pattern) SubexpNames() []string { return p.anchored.SubexpNames() }

// Regexp is the unanchored compiled form.
func (p *Pattern) Regexp() *regexp.Regexp { return p.search }

// CompilePython compiles a Python `re` pattern. Constructs RE2 lacks
// (look-around, back-references, conditionals) are reported by name rather
// than with RE2's terse message, since users wrote these for Python.
func CompilePython(src string) (*Pattern, error) {
	if msg := unsupportedPython(src); msg != "" {
		return nil, fmt.Errorf("%s, which Go's regexp engine (RE2) does not support; rewrite the pattern without it", msg)
	}
	goSrc := TranslatePython(src)
	search, err := regexp.Compile(goSrc)
	if err != nil {
		return nil, fmt.Errorf("invalid regex: %v", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	anchored, err := regexp.Compile(`^(?:` + goSrc + `)`)
	if err != nil {
		return nil, fmt.Errorf("invalid regex: %v", err)
	}
	return &Pattern{Source: src, search: search, anchored: anchored}, nil
}

// unsupportedPython names the first Python-only construct in src.
func unsupportedPython(src string) string {
	inClass := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c == '\\' {
			if i+1 < len(src) {
				n := src[i+1]
				if !inClass && n >= '1' && n <= '9' {
					return fmt.Sprintf("the back-reference \\%c at offset %d", n, i)
				}
			}
			i++
			continue
		}
		if inClass {
			if c == ']' {
				inClass = false
			}
			continue
		}
		if c == '[' {
			inClass = true
			// a ']' right after '[' or '[^' is a literal
			if i+1 < len(src) && src[i+1] == '^' {
				i++
			}
			if i+1 < len(src) && src[i+1] == ']' {
				i++
			}
			continue
		}
		if c != '(' || i+1 >= len(src) || src[i+1] != '?' {
			continue
		}
		rest := src[i+2:]
		switch {
		case strings.HasPrefix(rest, "="):
			return fmt.Sprintf("the look-ahead (?=...) at offset %d", i)
		case strings.HasPrefix(rest, "!"):
			return fmt.Sprintf("the negative look-ahead (?!...) at offset %d", i)
		case strings.HasPrefix(rest, "<="):
			return fmt.Sprintf("the look-behind (?<=...) at offset %d", i)
		case strings.HasPrefix(rest, "<!"):
			return fmt.Sprintf("the negative look-behind (?<!...) at offset %d", i)
		case strings.HasPrefix(rest, "P="):
			return fmt.Sprintf("the named back-reference (?P=...) at offset %d", i)
		case strings.HasPrefix(rest, "("):
			return fmt.Sprintf("the conditional group (?(...)...) at offset %d", i)
		case strings.HasPrefix(rest, ">"):
			return fmt.Sprintf("the atomic group (?>...) at offset %d", i)
		case strings.HasPrefix(rest, "#"):
			return fmt.Sprintf("the comment group (?#...) at offset %d", i)
		}
	}
	return ""
}

// Python 3 str patterns give \d, \w and \s their Unicode meaning; RE2's
// are ASCII-only (and RE2's \s also lacks \v and \x1c-\x1f). These are
// the Unicode sets, written for use inside a class.
const (
	pySpace = `\t-\r\x{1c}-\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}`
	pyDigit = `\p{Nd}`
	pyWord  = `\p{L}\p{N}_`
)

// TranslatePython rewrites what is spelled or meant differently in Python
// and RE2: \Z (end of text) is \z, and \d \w \s (and their negations
// outside classes) get Python's Unicode meaning. A negated escape inside a
// class ([^\W]) keeps RE2's ASCII meaning: it cannot be expressed there.
func TranslatePython(src string) string {
	if !strings.Contains(src, `\`) {
		return src
	}
	var b strings.Builder
	inClass := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c == '\\' && i+1 < len(src) {
			n := src[i+1]
			i++
			if inClass {
				switch n {
				case 's':
					b.WriteString(pySpace)
				case 'd':
					b.WriteString(pyDigit)
				case 'w':
					b.WriteString(pyWord)
				default:
					b.WriteByte(c)
					b.WriteByte(n)
				}
				continue
			}
			switch n {
			case 'Z':
				b.WriteString(`\z`)
			case 's':
				b.WriteString("[" + pySpace + "]")
			case 'S':
				b.WriteString("[^" + pySpace + "]")
			case 'd':
				b.WriteString(pyDigit)
			case 'D':
				b.WriteString(`\P{Nd}`)
			case 'w':
				b.WriteString("[" + pyWord + "]")
			case 'W':
				b.WriteString("[^" + pyWord + "]")
			default:
				b.WriteByte(c)
				b.WriteByte(n)
			}
			continue
		}
		switch {
		case c == '[' && !inClass:
			inClass = true
			b.WriteByte(c)
			if i+1 < len(src) && src[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			// a ']' first in a class is a literal
			if i+1 < len(src) && src[i+1] == ']' {
				b.WriteString(`\]`)
				i++
			}
			continue
		case c == ']' && inClass:
			inClass = false
		}
		b.WriteByte(c)
	}
	return b.String()
}
