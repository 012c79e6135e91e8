// Package conf reads siemloader's configuration: the embedded aws.ini and
// any number of user.ini files layered over it, with the semantics of
// Python's configparser (ExtendedInterpolation, optionxform=str) that
// es-loader users' files were written for.
package conf

import (
	_ "embed"
	"fmt"
	"os"
	"strings"

	"gopkg.in/ini.v1"
)

//go:embed aws.ini
var defaultINI []byte

// DefaultINI returns the embedded aws.ini.
func DefaultINI() []byte { return defaultINI }

// Origin says where a value was written, for error messages.
type Origin struct {
	File string
}

func (o Origin) String() string { return o.File }

type rawValue struct {
	value  string
	origin Origin
}

// section is one [name] of the merged files; keys keep first-seen order.
type section struct {
	name   string
	keys   []string
	values map[string]rawValue
}

func newSection(name string) *section {
	return &section{name: name, values: map[string]rawValue{}}
}

func (s *section) set(k string, v rawValue) {
	if _, ok := s.values[k]; !ok {
		s.keys = append(s.keys, k)
	}
	s.values[k] = v
}

// File is the merged configuration before typing: configparser.read() over
// several files, where a later file overrides keys and appends sections it
// introduces after the existing ones (section order decides classification).
type File struct {
	def      *section
	sections []*section
	byName   map[string]*section
}

func newFile() *File {
	return &File{def: newSection("DEFAULT"), byName: map[string]*section{}}
}

// ParseFiles reads the embedded aws.ini and then each user file in order.
func ParseFiles(userFiles ...string) (*File, error) {
	f := newFile()
	if err := f.merge(defaultINI, Origin{File: "aws.ini (embedded)"}); err != nil {
		return nil, err
	}
	for _, name := range userFiles {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		if err := f.merge(data, Origin{File: name}); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// ParseBytes is ParseFiles for in-memory user files (tests, plugins).
func ParseBytes(user ...[]byte) (*File, error) {
	f := newFile()
	if err := f.merge(defaultINI, Origin{File: "aws.ini (embedded)"}); err != nil {
		return nil, err
	}
	for i, data := range user {
		if err := f.merge(data, Origin{File: fmt.Sprintf("user config #%d", i+1)}); err != nil {
			return nil, err
		}
	}
	return f, nil
}

func (f *File) merge(data []byte, origin Origin) error {
	opts := ini.LoadOptions{
		// configparser: indented lines continue the previous value.
		AllowPythonMultilineValues: true,
		// configparser has no inline comments; '#' and ';' occur in regexes.
		IgnoreInlineComment: true,
		// Quotes are part of the value in configparser ("epoch" stays quoted).
		PreserveSurroundedQuote: true,
		// Key names are case-sensitive: es-loader sets optionxform = str.
		Insensitive:              false,
		SkipUnrecognizableLines:  false,
		SpaceBeforeInlineComment: false,
		KeyValueDelimiters:       "=:",
		AllowShadows:             false,
		UnparseableSections:      nil,
	}
	parsed, err := ini.LoadSources(opts, data)
	if err != nil {
		return fmt.Errorf("%s: %w", origin, err)
	}
	for _, s := range parsed.Sections() {
		name := s.Name()
		var dst *section
		if name == ini.DefaultSection || name == "DEFAULT" {
			dst = f.def
		} else if existing, ok := f.byName[name]; ok {
			dst = existing
		} else {
			dst = newSection(name)
			f.byName[name] = dst
			f.sections = append(f.sections, dst)
		}
		for _, k := range s.Keys() {
			dst.set(k.Name(), rawValue{value: joinContinuation(k.Value()), origin: origin})
		}
	}
	return nil
}

// joinContinuation gives a multi-line value configparser's shape: each
// line stripped, joined with newlines.
func joinContinuation(v string) string {
	if !strings.Contains(v, "\n") {
		return strings.TrimSpace(v)
	}
	lines := strings.Split(v, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.TrimRight(strings.Join(lines, "\n"), " \t\n")
}

// SectionNames lists the sections in classification order.
func (f *File) SectionNames() []string {
	out := make([]string, len(f.sections))
	for i, s := range f.sections {
		out[i] = s.name
	}
	return out
}

// HasSection reports whether name is a section.
func (f *File) HasSection(name string) bool { _, ok := f.byName[name]; return ok }

// Keys lists the keys visible in a section: its own, then DEFAULT's.
func (f *File) Keys(sectionName string) []string {
	s := f.byName[sectionName]
	seen := map[string]bool{}
	var out []string
	if s != nil {
		for _, k := range s.keys {
			seen[k] = true
			out = append(out, k)
		}
	}
	for _, k := range f.def.keys {
		if !seen[k] {
			out = append(out, k)
		}
	}
	return out
}

func (f *File) lookup(sectionName, key string) (rawValue, bool) {
	if s := f.byName[sectionName]; s != nil {
		if v, ok := s.values[key]; ok {
			return v, true
		}
	}
	v, ok := f.def.values[key]
	return v, ok
}

// ValueError is a problem with one value, located.
type ValueError struct {
	File    string
	Section string
	Key     string
	Reason  string
}

func (e *ValueError) Error() string {
	return fmt.Sprintf("%s: [%s] %s: %s", e.File, e.Section, e.Key, e.Reason)
}

// Get returns the interpolated value of key in section (DEFAULT included).
func (f *File) Get(sectionName, key string) (string, bool, error) {
	raw, ok := f.lookup(sectionName, key)
	if !ok {
		return "", false, nil
	}
	v, err := f.interpolate(sectionName, key, raw.value, 1)
	if err != nil {
		return "", true, &ValueError{File: raw.origin.File, Section: sectionName, Key: key, Reason: err.Error()}
	}
	return v, true, nil
}

// Origin returns the file that set key for section.
func (f *File) Origin(sectionName, key string) string {
	raw, _ := f.lookup(sectionName, key)
	return raw.origin.File
}

// maxDepth is configparser's MAX_INTERPOLATION_DEPTH.
const maxDepth = 10

// interpolate expands ${key}, ${section:key} and $$ the way
// configparser.ExtendedInterpolation does, including its errors.
func (f *File) interpolate(sectionName, key, value string, depth int) (string, error) {
	if depth > maxDepth {
		return "", fmt.Errorf("interpolation is deeper than %d levels (a reference loop?)", maxDepth)
	}
	if !strings.Contains(value, "$") {
		return value, nil
	}
	var b strings.Builder
	rest := value
	for {
		i := strings.IndexByte(rest, '$')
		if i < 0 {
			b.WriteString(rest)
			return b.String(), nil
		}
		b.WriteString(rest[:i])
		rest = rest[i:]
		if len(rest) < 2 {
			return "", fmt.Errorf("'$' must be followed by '$' or '{', found: %q", rest)
		}
		switch rest[1] {
		case '$':
			b.WriteByte('$')
			rest = rest[2:]
		case '{':
			end := strings.IndexByte(rest, '}')
			if end < 0 {
				return "", fmt.Errorf("bad interpolation variable reference %q", rest)
			}
			ref := rest[2:end]
			rest = rest[end+1:]
			refSection, refKey := sectionName, ref
			if j := strings.IndexByte(ref, ':'); j >= 0 {
				refSection, refKey = ref[:j], ref[j+1:]
				if strings.Contains(refKey, ":") {
					return "", fmt.Errorf("more than one ':' found: %q", ref)
				}
			}
			rv, ok := f.lookup(refSection, refKey)
			if !ok {
				if refSection != sectionName && !f.HasSection(refSection) && refSection != "DEFAULT" {
					return "", fmt.Errorf("${%s} names section [%s], which does not exist", ref, refSection)
				}
				return "", fmt.Errorf("${%s}: no key %q in [%s]", ref, refKey, refSection)
			}
			expanded, err := f.interpolate(refSection, refKey, rv.value, depth+1)
			if err != nil {
				return "", err
			}
			b.WriteString(expanded)
		default:
			return "", fmt.Errorf("'$' must be followed by '$' or '{', found: %q", rest)
		}
	}
}
