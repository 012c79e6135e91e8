package enrich

import (
	"hash/maphash"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/ua-parser/uap-go/uaparser"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// UserAgentParser is es-loader's user-agent enrichment: ua-parser's
// verdict on `<field>.original`, written into `<field>` with literal
// dotted keys. uap-go carries the uap-core regexes inside the binary; they
// are compiled on first use, and results are cached because the same few
// user agents make up most records. Safe for concurrent use.
type UserAgentParser struct {
	once    sync.Once
	matcher *uaMatcher
	cache   uaCache
}

// DefaultUserAgentCacheSize is es-loader's lru_cache size for the same
// function.
const DefaultUserAgentCacheSize = 100000

// NewUserAgentParser returns a parser whose cache holds about cacheSize
// user agents (DefaultUserAgentCacheSize when cacheSize ≤ 0).
func NewUserAgentParser(cacheSize int) *UserAgentParser {
	if cacheSize <= 0 {
		cacheSize = DefaultUserAgentCacheSize
	}
	p := &UserAgentParser{}
	p.cache.init(cacheSize)
	return p
}

// uaFields is the enrichment of one user agent: es-loader's ua_field_data
// in its key order, values boxed once so that writing them to a document
// does not allocate.
type uaFields struct {
	keys []string
	vals []any
}

// Enrich parses the user agent of doc[field] as es-loader does: the field
// must be an object whose `original` is a string (or a list, whose first
// element is used) other than "-"; its `name`, `version`, `os.name`,
// `os.full`, `os.version` and `device.name` are then set, and `original`
// is replaced by its URL-decoded form when it contained "%20".
func (p *UserAgentParser) Enrich(doc *pyjson.Map, field string) {
	if p == nil || doc == nil || field == "" {
		return
	}
	v, ok := doc.Get(field)
	if !ok {
		return
	}
	ua, ok := v.(*pyjson.Map)
	if !ok || ua.Len() == 0 {
		return
	}
	orig, ok := ua.Get("original")
	if !ok {
		return
	}
	if list, ok := orig.([]any); ok {
		if len(list) == 0 {
			return
		}
		orig = list[0]
	}
	s, ok := asString(orig)
	if !ok || s == "-" {
		return
	}
	f := p.fields(s)
	for i, k := range f.keys {
		ua.Set(k, f.vals[i])
	}
}

// Lookup returns the keys and values Enrich writes into the user-agent
// object for original (original itself included, URL-decoded when it
// contained "%20"), for callers that render documents without maps. The
// slices are shared and must not be modified.
func (p *UserAgentParser) Lookup(original string) ([]string, []any) {
	f := p.fields(original)
	return f.keys, f.vals
}

// Fields returns the enrichment of one user agent as key/value pairs in
// es-loader's order (for tests and diagnostics).
func (p *UserAgentParser) Fields(original string) [][2]string {
	f := p.fields(original)
	out := make([][2]string, len(f.keys))
	for i, k := range f.keys {
		out[i] = [2]string{k, f.vals[i].(string)}
	}
	return out
}

func (p *UserAgentParser) fields(original string) *uaFields {
	if f, ok := p.cache.get(original); ok {
		return f
	}
	// a copy, so that neither the key nor the fields parsed out of it
	// keep the memory original shares (a whole read buffer of records)
	original = strings.Clone(original)
	f := p.parse(original)
	p.cache.put(original, f)
	return f
}

// awsUserAgent names the AWS callers ua-parser calls "Other".
var awsUserAgent = regexp.MustCompile(`^(AWS Internal|[\p{L}\p{N}_.-]+?\.amazonaws.com)\n?$`)

func (p *UserAgentParser) parse(original string) *uaFields {
	p.once.Do(func() {
		// uap-go's own caches are bypassed: the one here stands in front
		parser, _ := uaparser.New(uaparser.WithCacheSize(1))
		p.matcher = newUAMatcher(parser)
	})
	if strings.Contains(original, "%20") {
		original = pyUnquote(original)
	}
	ua, os, dev := p.matcher.parse(original)

	f := &uaFields{keys: make([]string, 0, 7), vals: make([]any, 0, 7)}
	add := func(k, v string) {
		f.keys = append(f.keys, k)
		f.vals = append(f.vals, v)
	}
	add("original", original)
	name := ua.Family
	if name == "Other" {
		if m := awsUserAgent.FindStringSubmatch(original); m != nil {
			name = m[1]
		}
	}
	add("name", name)
	if v := joinVersion(ua.Major, ua.Minor, ua.Patch); v != "" {
		add("version", v)
	}
	osVersion := joinVersion(os.Major, os.Minor, os.Patch, os.PatchMinor)
	add("os.name", os.Family)
	full := os.Family
	if os.Family != "" && osVersion != "" {
		full = os.Family + " " + osVersion
	}
	add("os.full", full)
	if osVersion != "" {
		add("os.version", osVersion)
	}
	add("device.name", dev.Family)
	return f
}

// joinVersion is '.'.join(v for v in parts if v).
func joinVersion(parts ...string) string {
	var b strings.Builder
	for _, s := range parts {
		if s == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	return b.String()
}

// pyUnquote is Python's urllib.parse.unquote: %XX escapes in ASCII runs
// become bytes, decoded as UTF-8 with each ill-formed part replaced by
// U+FFFD; anything else stays as it is.
func pyUnquote(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var out strings.Builder
	var run []byte
	flush := func() {
		appendUTF8Replacing(&out, run)
		run = run[:0]
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			// a non-ASCII character ends the ASCII run and is kept
			flush()
			_, size := utf8.DecodeRuneInString(s[i:])
			out.WriteString(s[i : i+size])
			i += size
			continue
		}
		if c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			run = append(run, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 3
			continue
		}
		run = append(run, c)
		i++
	}
	flush()
	return out.String()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// appendUTF8Replacing decodes b as CPython's UTF-8 decoder with
// errors='replace' does: one U+FFFD for each maximal prefix of a valid
// sequence that is cut short, and one for each byte that cannot start one.
func appendUTF8Replacing(out *strings.Builder, b []byte) {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r != utf8.RuneError || size > 1 {
			out.Write(b[i : i+size])
			i += size
			continue
		}
		out.WriteRune(utf8.RuneError)
		i += validPrefix(b[i:])
	}
}

// validPrefix is the length of the maximal subpart of an ill-formed UTF-8
// sequence at the start of b (at least 1).
func validPrefix(b []byte) int {
	lead := b[0]
	var need int
	lo, hi := byte(0x80), byte(0xBF)
	switch {
	case lead >= 0xC2 && lead <= 0xDF:
		need = 1
	case lead == 0xE0:
		need, lo = 2, 0xA0
	case lead >= 0xE1 && lead <= 0xEC, lead == 0xEE, lead == 0xEF:
		need = 2
	case lead == 0xED:
		need, hi = 2, 0x9F
	case lead == 0xF0:
		need, lo = 3, 0x90
	case lead >= 0xF1 && lead <= 0xF3:
		need = 3
	case lead == 0xF4:
		need, hi = 3, 0x8F
	default:
		return 1
	}
	n := 1
	for k := 0; k < need && n < len(b); k++ {
		c := b[n]
		if k == 0 && (c < lo || c > hi) || k > 0 && (c < 0x80 || c > 0xBF) {
			break
		}
		n++
	}
	return n
}

// uaCache is a bounded, sharded cache. Each shard keeps two generations:
// when the current one is full it becomes the previous one, and a hit in
// the previous one moves back to the current. That keeps what is used
// and drops what is not, like an LRU, at the cost of one map lookup.
type uaCache struct {
	seed     maphash.Seed
	perShard int
	shards   [16]uaShard
}

type uaShard struct {
	mu       sync.Mutex
	cur, old map[string]*uaFields
}

func (c *uaCache) init(size int) {
	c.seed = maphash.MakeSeed()
	c.perShard = max(size/(2*len(c.shards)), 1)
	for i := range c.shards {
		c.shards[i].cur = make(map[string]*uaFields)
	}
}

func (c *uaCache) shard(k string) *uaShard {
	return &c.shards[maphash.String(c.seed, k)%uint64(len(c.shards))]
}

func (c *uaCache) get(k string) (*uaFields, bool) {
	s := c.shard(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.cur[k]; ok {
		return f, true
	}
	if f, ok := s.old[k]; ok {
		c.putLocked(s, k, f)
		return f, true
	}
	return nil, false
}

func (c *uaCache) put(k string, f *uaFields) {
	s := c.shard(k)
	s.mu.Lock()
	c.putLocked(s, k, f)
	s.mu.Unlock()
}

func (c *uaCache) putLocked(s *uaShard, k string, f *uaFields) {
	if len(s.cur) >= c.perShard {
		s.old, s.cur = s.cur, make(map[string]*uaFields, c.perShard)
	}
	s.cur[k] = f
}

// len is how many user agents the cache holds (for tests).
func (c *uaCache) len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		n += len(s.cur) + len(s.old)
		s.mu.Unlock()
	}
	return n
}
