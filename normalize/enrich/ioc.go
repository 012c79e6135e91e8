package enrich

import (
	"strings"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// IoC matches addresses and domain names against threat-intelligence
// indicators and adds es-loader's `threat.enrichments` and
// `threat.matched` to documents. It is immutable once loaded and safe for
// concurrent use.
type IoC struct {
	v4         *addrTable[addr4]
	v6         *addrTable[u128]
	rangeInd   []uint32            // address range id → indicator
	domains    map[string][]uint32 // lower-cased name → indicators, in load order
	indicators []indicator
	exactOnly  bool
	summary    []IoCCount
}

// indicator is one row of es-loader's IoC database; "" stands for None.
type indicator struct {
	provider    string
	typ         string // ipv4-addr, ipv6-addr or domain-name
	name        string
	reference   string
	firstSeen   string
	lastSeen    string
	modified    string
	description string
}

// IoCCount is how many indicators of one provider and type were loaded
// (after de-duplication).
type IoCCount struct {
	Provider string
	Type     string
	Count    int
}

// Summary lists the loaded indicators per provider and type.
func (x *IoC) Summary() []IoCCount {
	if x == nil {
		return nil
	}
	return x.summary
}

// match is one value of a document that matched indicators, with the
// fields it was found in (es-loader's ioc_ip_dict / ioc_domain_dict).
type match struct {
	value  string
	fields []string
	ranges []uint32 // address matches: range ids
	inds   []uint32 // domain matches: indicators
	domain bool
}

// Enrich looks up the addresses in ipFields and the domain names in
// domainFields (dotted paths; a field may hold one value or a list) and,
// when any matches, adds `threat.enrichments` and `threat.matched` as
// es-loader does: one enrichment per matching indicator, addresses first,
// each value once with every field it appeared in; the two keys are
// written literally with their dot, at the top level, as es-loader's
// merge leaves them.
func (x *IoC) Enrich(doc *pyjson.Map, ipFields, domainFields []string) {
	if x == nil || doc == nil {
		return
	}
	var found []match
	var scratch []uint32
	for _, f := range ipFields {
		v, ok := digDotted(doc, f)
		if !ok {
			continue
		}
		if s, ok := asString(v); ok {
			found, scratch = x.noteIP(found, scratch, s, f)
			continue
		}
		if list, ok := v.([]any); ok {
			for _, e := range list {
				if s, ok := asString(e); ok {
					found, scratch = x.noteIP(found, scratch, s, f)
				}
			}
		}
	}
	for _, f := range domainFields {
		v, ok := digDotted(doc, f)
		if !ok {
			continue
		}
		if s, ok := asString(v); ok {
			found, scratch = x.noteDomain(found, scratch, s, f)
			continue
		}
		if list, ok := v.([]any); ok {
			for _, e := range list {
				if s, ok := asString(e); ok {
					found, scratch = x.noteDomain(found, scratch, s, f)
				}
			}
		}
	}
	if len(found) == 0 {
		return
	}
	enrichments, matched := x.render(found)
	doc.Set("threat.enrichments", enrichments)
	doc.Set("threat.matched", matched)
}

// FieldValue is one value of a document field, for Threat.
type FieldValue struct {
	Field string // the dotted field name, as in ioc_ip / ioc_domain
	Value string
}

// Threat is Enrich for callers that hold the values rather than a
// document (the flat path): it returns the values of `threat.enrichments`
// and `threat.matched` for the addresses and domain names given, in field
// order, or nils when nothing matches.
func (x *IoC) Threat(ips, domains []FieldValue) ([]any, *pyjson.Map) {
	if x == nil {
		return nil, nil
	}
	var found []match
	var scratch []uint32
	for _, v := range ips {
		found, scratch = x.noteIP(found, scratch, v.Value, v.Field)
	}
	for _, v := range domains {
		found, scratch = x.noteDomain(found, scratch, v.Value, v.Field)
	}
	if len(found) == 0 {
		return nil, nil
	}
	return x.render(found)
}

func (x *IoC) noteIP(found []match, scratch []uint32, s, field string) ([]match, []uint32) {
	for i := range found {
		if !found[i].domain && found[i].value == s {
			found[i].fields = append(found[i].fields, field)
			return found, scratch
		}
	}
	scratch = x.lookupIP(scratch[:0], s)
	if len(scratch) > 0 {
		found = append(found, match{value: s, fields: []string{field}, ranges: append([]uint32(nil), scratch...)})
	}
	return found, scratch
}

func (x *IoC) noteDomain(found []match, scratch []uint32, s, field string) ([]match, []uint32) {
	for i := range found {
		if found[i].domain && found[i].value == s {
			found[i].fields = append(found[i].fields, field)
			return found, scratch
		}
	}
	scratch = x.lookupDomain(scratch[:0], s)
	if len(scratch) > 0 {
		found = append(found, match{value: s, fields: []string{field}, inds: append([]uint32(nil), scratch...), domain: true})
	}
	return found, scratch
}

// lookupIP appends the ids of the address ranges holding s. Like
// es-loader, only a public address in Python's notation is looked up.
func (x *IoC) lookupIP(dst []uint32, s string) []uint32 {
	a, ok := parsePyIP(s)
	if !ok || isPrivate(a) {
		return dst
	}
	if a.Is4() {
		if x.v4 != nil {
			return x.v4.appendMembers(dst, x.v4.find(addr4(key4(a))))
		}
		return dst
	}
	if x.v6 != nil {
		return x.v6.appendMembers(dst, x.v6.find(key6(a)))
	}
	return dst
}

// LookupIP returns the indicators (provider and name) that match an
// address, most specific first; for diagnostics and tests.
func (x *IoC) LookupIP(s string) []string {
	var out []string
	for _, r := range x.lookupIP(nil, s) {
		ind := &x.indicators[x.rangeInd[r]]
		out = append(out, ind.provider+"/"+ind.name)
	}
	return out
}

// lookupDomain appends the indicators for a domain name: the name itself,
// then each parent domain that still has a dot (a.b.example.com also
// matches b.example.com and example.com), unless only exact matches were
// asked for. Names compare case-insensitively and without a final dot.
func (x *IoC) lookupDomain(dst []uint32, s string) []uint32 {
	if len(x.domains) == 0 {
		return dst
	}
	name := normalizeDomain(s)
	if name == "" {
		return dst
	}
	dst = append(dst, x.domains[name]...)
	if x.exactOnly {
		return dst
	}
	for rest := name; ; {
		i := strings.IndexByte(rest, '.')
		if i < 0 {
			break
		}
		rest = rest[i+1:]
		if strings.IndexByte(rest, '.') < 0 {
			break // a bare top-level domain is never a match on its own
		}
		dst = append(dst, x.domains[rest]...)
	}
	return dst
}

// LookupDomain is lookupDomain for diagnostics and tests.
func (x *IoC) LookupDomain(s string) []string {
	var out []string
	for _, i := range x.lookupDomain(nil, s) {
		out = append(out, x.indicators[i].provider+"/"+x.indicators[i].name)
	}
	return out
}

func normalizeDomain(s string) string {
	s = strings.TrimSuffix(s, ".")
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// render makes the enrichments and their summary.
func (x *IoC) render(found []match) ([]any, *pyjson.Map) {
	var list []any
	var providers, types, indicators, names orderedSet
	add := func(ind *indicator, m *match) {
		list = append(list, x.enrichment(ind, m))
		providers.add(ind.provider)
		types.add(ind.typ)
		indicators.add(m.value) // the ip of an address match, the atomic of a domain match
		names.add(ind.name)
	}
	for i := range found {
		m := &found[i]
		if m.domain {
			continue
		}
		for _, r := range m.ranges {
			add(&x.indicators[x.rangeInd[r]], m)
		}
	}
	for i := range found {
		m := &found[i]
		if !m.domain {
			continue
		}
		for _, ind := range m.inds {
			add(&x.indicators[ind], m)
		}
	}
	matched := pyjson.NewMap(4)
	for _, kv := range [...]struct {
		key string
		set *orderedSet
	}{{"providers", &providers}, {"types", &types}, {"indicators", &indicators}, {"names", &names}} {
		// an empty list is dropped by the document's clean-up anyway
		if len(kv.set.items) > 0 {
			matched.Set(kv.key, kv.set.items)
		}
	}
	return list, matched
}

// enrichment is one element of threat.enrichments, keys in es-loader's
// order and None values left out.
func (x *IoC) enrichment(ind *indicator, m *match) *pyjson.Map {
	in := pyjson.NewMap(9)
	setIf := func(k, v string) {
		if v != "" {
			in.Set(k, v)
		}
	}
	setIf("provider", ind.provider)
	setIf("name", ind.name)
	if !m.domain {
		in.Set("ip", m.value)
	}
	setIf("first_seen", ind.firstSeen)
	setIf("last_seen", ind.lastSeen)
	setIf("modified_at", ind.modified)
	setIf("reference", ind.reference)
	setIf("type", ind.typ)
	setIf("description", ind.description)
	fields := make([]any, len(m.fields))
	for i, f := range m.fields {
		fields[i] = f
	}
	matched := pyjson.NewMap(2)
	if m.domain {
		matched.Set("atomic", m.value)
	}
	matched.Set("field", fields)
	e := pyjson.NewMap(2)
	e.Set("indicator", in)
	e.Set("matched", matched)
	return e
}

// orderedSet keeps the first occurrence of each string, in order. es-loader
// builds these lists from Python sets, whose order changes from process to
// process; first-seen order is a stable choice among those.
type orderedSet struct{ items []any }

func (s *orderedSet) add(v string) {
	if v == "" {
		return
	}
	for _, e := range s.items {
		if e == v {
			return
		}
	}
	s.items = append(s.items, v)
}
