package normalize

import (
	"crypto/md5"
	"encoding/hex"
	"slices"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/siemloader/siemloader/conf"
	"github.com/siemloader/siemloader/normalize/enrich"
	"github.com/siemloader/siemloader/normalize/logtypes"
	"github.com/siemloader/siemloader/normalize/pyjson"
	"github.com/siemloader/siemloader/normalize/pytime"
)

// A flat plan is the document of a log type compiled for records whose
// fields are strings in a fixed order (text lines, CSV rows): where each
// mapping reads from, which ECS field it fills, and the shape of the ECS
// objects, all resolved once. Per record the engine fills slots and writes
// JSON straight from them, with none of the maps, merges and clean-up
// passes of the general path (docBuilder.build), whose documents it must
// equal: flatplan_test.go runs both over the goldens, generated records and
// fuzzed lines. Whatever the plan does not model (renames, field_prefix,
// json_to_text, a doc_id field, own-log exclusion, envelopes, a transform
// without a flat counterpart, ...) keeps the type on the general path.

// flatPlan is immutable once compiled and shared by concurrent objects.
type flatPlan struct {
	names   []string
	rawKeys [][]byte // `"name":` per raw field, nil: left out (DropRaw)
	nslots  int
	maps    []flatMapping
	statics []flatStatic
	consts  []flatStatic // ecs.version, cloud.provider: set before mappings
	tsIdx   int          // raw position of the timestamp key, -1: none
	tsKey   string
	top     []*flatNode // ECS objects after @id, in creation order
	event   *flatNode   // event: module and ingested, then mapped fields
	// the two trees as programs for render
	eventOps []flatOp
	topOps   []flatOp
	cloud    *flatNode // nil when the document never has one
	account  logtypes.Slot
	region   logtypes.Slot
	transfm  logtypes.FlatTransform
	provider bool
	geo      []flatGeo
	nfrags   int
	// threat-intel fields and the fragment of their result
	iocIP, iocDomain []iocSource
	iocFrag          int
	// user agent: the slot of its original and the fragment of the rest
	uaOrig logtypes.Slot
	uaFrag int
	// eventModule replaces the section's name as event.module: a
	// static_ecs event.module, which es-loader writes over it in place
	eventModule    string
	hasEventModule bool
	// records fields: the first ngroups names; a FireLens plan's
	// metadata follows them (firelensNames)
	ngroups  int
	firelens *flatFirelens
}

// flatFirelens are the slots a FireLens record's metadata fills: es-loader
// takes cloud.account.id and cloud.region from the task ARN and writes
// cloud.instance.id and the container object.
type flatFirelens struct {
	instance, containerID, containerName logtypes.Slot
}

// flatGeo is one field of the section's geoip list: the slot of its ip and
// the fragments that take its geo and as objects.
type flatGeo struct {
	ip      logtypes.Slot
	geo, as int
}

type flatMapping struct {
	slot       logtypes.Slot
	alts       []int   // scalar: raw positions, the first non-empty wins
	elems      [][]int // list: each element's alternatives
	list       bool
	validateIP bool
}

type flatStatic struct {
	slot logtypes.Slot
	s    string
	list bool
	l    []string // the one-element list of a list field, shared
}

// flatNode is an object or a leaf of the ECS part of the document.
type flatNode struct {
	name string
	key  []byte // `"name":`
	slot logtypes.Slot
	kids []*flatNode
	frag int // >= 0: a pre-rendered JSON value (GeoIP), see flatState.frags
}

func (n *flatNode) child(name string) *flatNode {
	for _, k := range n.kids {
		if k.name == name {
			return k
		}
	}
	return nil
}

// flatPlanKey identifies a compiled plan: the section and the field names
// (a CSV header; "" for a text pattern's groups).
type flatPlanKey struct {
	lt     *conf.LogType
	header string
}

type flatPlanCache struct {
	mu    sync.Mutex
	plans map[flatPlanKey]*flatPlan // nil value: the type cannot be flat
}

func (n *Normalizer) flatPlanFor(lt *conf.LogType, header string, names []string) *flatPlan {
	return n.cachedFlatPlan(lt, header, names, false)
}

// firelensPlanKey is the cache key of a type's FireLens plan.
const firelensPlanKey = "\x00firelens"

func (n *Normalizer) cachedFlatPlan(lt *conf.LogType, header string, names []string, firelens bool) *flatPlan {
	if n.noFlat {
		return nil
	}
	c := &n.flat
	c.mu.Lock()
	defer c.mu.Unlock()
	k := flatPlanKey{lt, header}
	if p, ok := c.plans[k]; ok {
		return p
	}
	if c.plans == nil {
		c.plans = map[flatPlanKey]*flatPlan{}
	}
	if len(c.plans) > 1024 {
		clear(c.plans) // objects with ever-new headers: keep memory bounded
	}
	p := n.compileFlat(lt, names, firelens)
	c.plans[k] = p
	return p
}

// planBuilder compiles a plan; it is the transform's FlatBinder.
type planBuilder struct {
	p      *flatPlan
	raw    map[string]int
	root   flatNode
	failed bool
}

// DropRaw leaves a raw field out of the document.
func (b *planBuilder) DropRaw(name string) {
	if i := b.Raw(name); i >= 0 {
		b.p.rawKeys[i] = nil
	}
}

func (b *planBuilder) Raw(name string) int {
	if i, ok := b.raw[name]; ok {
		return i
	}
	return -1
}

// Field returns the slot of a dotted path, adding it to the shape. A path
// that would make a leaf an object or the reverse cannot be modelled.
func (b *planBuilder) Field(dotted string) logtypes.Slot {
	return b.fieldPath(strings.Split(dotted, "."))
}

func (b *planBuilder) fieldPath(path []string) logtypes.Slot {
	n := &b.root
	for i, part := range path {
		c := n.child(part)
		last := i == len(path)-1
		if c == nil {
			c = &flatNode{name: part, key: pyjson.AppendQuoted(nil, part), slot: -1, frag: -1}
			c.key = append(c.key, ':')
			if last {
				c.slot = logtypes.Slot(b.p.nslots)
				b.p.nslots++
			}
			n.kids = append(n.kids, c)
		} else if last != (c.slot >= 0) {
			b.failed = true
			return 0
		}
		n = c
	}
	return n.slot
}

// compileFlat compiles the plan of names; with firelens, names end with
// firelensNames and the records are FireLens ones.
func (n *Normalizer) compileFlat(lt *conf.LogType, names []string, firelens bool) *flatPlan {
	if lt.FieldPrefix != "" || len(lt.Renames) > 0 || len(lt.JSONToTextPaths) > 0 ||
		lt.DocID != "" || lt.DocIDSuffix != "" || len(names) > 64 {
		return nil
	}
	if firelens && (lt.CloudProvider == "" || len(names) < len(firelensNames) ||
		!slices.Equal(names[len(names)-len(firelensNames):], firelensNames[:])) {
		// without a provider, es-loader creates the cloud object of a
		// FireLens record in other places
		return nil
	}
	if _, ok := n.ignored[lt.Name]; ok {
		return nil
	}
	// X-Forwarded-For and exclusions need the document as a map: those
	// types keep the general path while they are on
	if (n.xff != nil && len(lt.ClientIPXFF) > 0) || n.filter.Has(lt.Name) {
		return nil
	}
	p := &flatPlan{names: names, tsIdx: -1, uaFrag: -1, ngroups: len(names)}
	if firelens {
		p.ngroups -= len(firelensNames)
	}
	b := &planBuilder{p: p, raw: make(map[string]int, len(names))}
	for i, name := range names {
		if _, dup := b.raw[name]; dup || name == "" || name[0] == '@' {
			return nil
		}
		b.raw[name] = i
		k := pyjson.AppendQuoted(nil, name)
		p.rawKeys = append(p.rawKeys, append(k, ':'))
	}

	switch len(lt.TimestampKeys) {
	case 0:
	case 1:
		path := lt.TimestampPaths[0]
		switch lt.TimestampKeys[0] {
		case "cwe_timestamp", "cwl_timestamp", "file_timestamp":
			return nil
		}
		if len(path) != 1 {
			if _, ok := b.raw[path[0]]; ok {
				return nil
			}
		} else {
			p.tsIdx = b.Raw(path[0])
		}
		p.tsKey = lt.TimestampKeys[0]
	default:
		return nil
	}

	// the pipeline's event object comes first, then es-loader's ECS
	// objects in the order they are created
	p.event = &flatNode{name: "event", key: []byte(`"event":`), slot: -1, frag: -1}
	b.root.kids = append(b.root.kids, p.event)
	p.consts = append(p.consts, flatStatic{slot: b.Field("ecs.version"), s: lt.ECSVersion})
	if lt.CloudProvider != "" {
		p.provider = true
		p.consts = append(p.consts, flatStatic{slot: b.Field("cloud.provider"), s: lt.CloudProvider})
	}
	resolve := func(alts [][]string) ([]int, bool) {
		var out []int
		for _, a := range alts {
			i, isRaw := b.raw[a[0]]
			if len(a) != 1 || a[0] == "event" {
				if isRaw || a[0] == "event" || a[0][0] == '@' {
					return nil, false // reads into a value, or into what the pipeline added
				}
				continue // never present
			}
			if isRaw {
				out = append(out, i)
			} else if a[0][0] == '@' {
				return nil, false
			}
		}
		return out, true
	}
	for i := range lt.ECS {
		m := &lt.ECS[i]
		fm := flatMapping{list: m.List, validateIP: m.ValidateIP}
		if m.List {
			for _, el := range m.Elements {
				alts, ok := resolve(el)
				if !ok {
					return nil
				}
				fm.elems = append(fm.elems, alts)
			}
		} else {
			alts, ok := resolve(m.Alternatives)
			if !ok {
				return nil
			}
			fm.alts = alts
		}
		fm.slot = b.fieldPath(m.Path)
		p.maps = append(p.maps, fm)
	}
	p.cloud = b.root.child("cloud")
	if p.cloud != nil {
		if acc := p.cloud.child("account"); acc != nil && (len(acc.kids) != 1 || acc.kids[0].name != "id") {
			return nil // the fallback replaces cloud.account whole
		}
		p.account = b.Field("cloud.account.id")
		p.region = b.Field("cloud.region")
	}
	if firelens {
		// mapECS's order: cloud.instance after account and region, then
		// the container object, before static_ecs
		if b.root.child("container") != nil {
			return nil
		}
		p.firelens = &flatFirelens{instance: b.Field("cloud.instance.id"),
			containerID: b.Field("container.id"), containerName: b.Field("container.name")}
	}
	for _, st := range lt.StaticECS {
		if s, ok := st.Value.(string); ok && len(st.Path) == 2 && st.Path[0] == "event" && st.Path[1] == "module" &&
			p.event.child("module") == nil {
			// written over the pipeline's event.module, in its place
			p.eventModule, p.hasEventModule = s, true
			continue
		}
		fs := flatStatic{slot: b.fieldPath(st.Path)}
		switch v := st.Value.(type) {
		case string:
			fs.s = v
		case []any:
			if len(v) != 1 {
				return nil
			}
			s, ok := v[0].(string)
			if !ok {
				return nil
			}
			fs.s, fs.list, fs.l = s, true, []string{s}
		default:
			return nil
		}
		p.statics = append(p.statics, fs)
	}
	if lt.HasScript() {
		if _, ok := logtypes.Lookup(lt.Name); ok {
			planner, ok := logtypes.LookupFlat(lt.Name)
			if !ok {
				return nil
			}
			t, ok := planner(b)
			if !ok {
				return nil
			}
			p.transfm = t
		}
	}
	if p.cloud == nil {
		p.cloud = b.root.child("cloud") // a transform's cloud.* field
		if p.cloud != nil {
			return nil // the fallback would not see it; keep the general path
		}
	}
	if b.failed {
		return nil
	}
	if p.event.child("module") != nil || p.event.child("ingested") != nil {
		return nil // a mapping or transform of the pipeline's own event fields
	}
	if p.firelens != nil {
		// es-loader replaces cloud.instance and container whole: nothing
		// else may write under them
		inst := p.cloud.child("instance")
		cont := b.root.child("container")
		if len(inst.kids) != 1 || len(cont.kids) != 2 {
			return nil
		}
	}
	if n.geo != nil {
		// es-loader merges geo and as into each field that has an ip
		for _, f := range lt.GeoIP {
			obj := b.root.child(f)
			if obj == nil {
				continue // no document has it
			}
			ip := obj.child("ip")
			if obj.slot >= 0 || obj.child("geo") != nil || obj.child("as") != nil {
				return nil
			}
			if ip == nil || ip.slot < 0 {
				continue
			}
			g := flatGeo{ip: ip.slot, geo: p.nfrags, as: p.nfrags + 1}
			p.nfrags += 2
			obj.kids = append(obj.kids,
				&flatNode{name: "geo", key: []byte(`"geo":`), slot: -1, frag: g.geo},
				&flatNode{name: "as", key: []byte(`"as":`), slot: -1, frag: g.as})
			p.geo = append(p.geo, g)
		}
	}
	for _, k := range b.root.kids {
		if _, clash := b.raw[k.name]; clash || k.name == "error" || (k.name == "container" && p.firelens == nil) {
			return nil
		}
	}
	if n.ua != nil && lt.UserAgentField != "" {
		if obj := b.root.child(lt.UserAgentField); obj != nil {
			orig := obj.child("original")
			if obj.slot >= 0 || len(obj.kids) != 1 || orig == nil || orig.slot < 0 {
				return nil // the parser's fields would meet mapped ones
			}
			p.uaOrig, p.uaFrag = orig.slot, p.nfrags
			p.nfrags++
			obj.kids = append(obj.kids, &flatNode{name: "", slot: -1, frag: p.uaFrag})
		}
	}
	p.top = b.root.kids[1:]
	p.eventOps = compileOps(nil, p.event.kids)
	p.topOps = compileOps(nil, p.top)
	if n.ioc != nil && (len(lt.IoCIP) > 0 || len(lt.IoCDomain) > 0) {
		// threat.enrichments and threat.matched: top-level keys with a dot
		// in their names, after everything else, as es-loader adds them
		p.iocIP, p.iocDomain = b.iocSources(lt.IoCIP), b.iocSources(lt.IoCDomain)
		p.iocFrag = p.nfrags
		p.nfrags++
		p.topOps = append(p.topOps, flatOp{kind: opFrag, slot: logtypes.Slot(p.iocFrag)})
	}
	return p
}

// iocSource is where one ioc_ip / ioc_domain field's values come from: a
// slot of the document, or a raw field.
type iocSource struct {
	field string
	slot  logtypes.Slot // -1: raw
	raw   int           // -1: neither (the field is never a value)
}

func (b *planBuilder) iocSources(fields []string) []iocSource {
	var out []iocSource
	for _, f := range fields {
		src := iocSource{field: f, slot: -1, raw: -1}
		n := &b.root
		for _, part := range strings.Split(f, ".") {
			if n = n.child(part); n == nil {
				break
			}
		}
		switch {
		case n != nil && n.slot >= 0:
			src.slot = n.slot
		case n == nil && !strings.Contains(f, "."):
			if i := b.Raw(f); i >= 0 && b.p.rawKeys[i] != nil { // a dropped field is gone by then
				src.raw = i
			}
		}
		out = append(out, src)
	}
	return out
}

// flatOp is one step of writing the ECS part of a document: a leaf, or
// the opening or closing of an object.
type flatOp struct {
	kind uint8
	key  []byte
	slot logtypes.Slot
}

const (
	opLeaf = iota
	opOpen
	opClose
	opFrag // slot is the index of a pre-rendered value
)

func compileOps(ops []flatOp, nodes []*flatNode) []flatOp {
	for _, n := range nodes {
		if n.frag >= 0 {
			ops = append(ops, flatOp{kind: opFrag, key: n.key, slot: logtypes.Slot(n.frag)})
			continue
		}
		if n.slot >= 0 {
			ops = append(ops, flatOp{kind: opLeaf, key: n.key, slot: n.slot})
			continue
		}
		ops = append(ops, flatOp{kind: opOpen, key: n.key})
		ops = compileOps(ops, n.kids)
		ops = append(ops, flatOp{kind: opClose})
	}
	return ops
}

type renderFrame struct {
	mark  int
	first bool
}

// render writes ops' members into an open object; first tells whether it
// has none yet. As del_none does, empty strings, lists and objects are left
// out: an object is written first and taken back if nothing went into it.
func (b *docBuilder) render(out []byte, ops []flatOp, first bool) []byte {
	s := &b.flat
	stack := s.stack[:0]
	for i := range ops {
		op := &ops[i]
		switch op.kind {
		case opLeaf:
			str, list, isList, ok := s.rec.Value(op.slot)
			if !ok {
				continue
			}
			if !isList {
				if !keep(str) {
					continue
				}
				if !first {
					out = append(out, ',')
				}
				out = append(out, op.key...)
				out = s.quoter.Append(out, str)
				first = false
				continue
			}
			if len(list) == 0 || (len(list) == 1 && list[0] == "") {
				continue
			}
			if !first {
				out = append(out, ',')
			}
			out = append(out, op.key...)
			out = append(out, '[')
			for j, v := range list {
				if j > 0 {
					out = append(out, ',')
				}
				out = s.quoter.Append(out, v)
			}
			out = append(out, ']')
			first = false
		case opFrag:
			frag := s.frags[op.slot]
			if len(frag) == 0 {
				continue
			}
			if !first {
				out = append(out, ',')
			}
			out = append(out, op.key...) // none: frag is members, not a value
			out = append(out, frag...)
			first = false
		case opOpen:
			stack = append(stack, renderFrame{mark: len(out), first: first})
			if !first {
				out = append(out, ',')
			}
			out = append(out, op.key...)
			out = append(out, '{')
			first = true
		case opClose:
			fr := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if first {
				out, first = out[:fr.mark], fr.first
			} else {
				out = append(out, '}')
			}
		}
	}
	s.stack = stack
	return out
}

// flatState is the per-object working state of the flat path.
type flatState struct {
	plan   *flatPlan
	fields logtypes.Fields
	rec    logtypes.FlatRecord
	lists  [][]string // per list mapping, reused
	// what follows @timestamp up to event's own fields is the same for
	// every record of the object (unless a transform renames @log_type)
	middle     []byte
	eventEmpty bool
	// records of an object mostly share their timestamp value
	lastTS             []byte
	lastTime           time.Time
	lastISO            []byte
	ids                []byte // see idString
	quoter             pyjson.LineQuoter
	stack              []renderFrame
	frags              [][]byte // GeoIP objects and IoC matches of this record, rendered
	iocIPs, iocDomains []enrich.FieldValue
	uaCache            map[string]uaFragment
	geoCache           map[string]geoFragments
	// the FireLens record being built (FireLens plans), and the bytes
	// its _id hashes
	firelens *FirelensFields
	idInput  []byte
}

// geoFragments are the rendered geo and as objects of one address.
type geoFragments struct{ geo, as []byte }

func (b *docBuilder) useFlat(p *flatPlan) {
	s := &b.flat
	s.plan = p
	s.rec.Fields = &s.fields
	s.rec.S3Key = b.o.src.Key
	if len(s.lists) < len(p.maps) {
		s.lists = make([][]string, len(p.maps))
	}
	s.lastTS, s.lastISO = s.lastTS[:0], s.lastISO[:0]
	if cap(s.frags) < p.nfrags {
		s.frags = make([][]byte, p.nfrags)
	}
	s.frags = s.frags[:p.nfrags]
	s.middle, s.eventEmpty = b.appendMiddle(s.middle[:0], b.lt.Name)
}

// idString returns id as a string carved from a shared chunk: one
// allocation per 128 _ids instead of one each. The chunk's bytes are never
// written again once handed out, so the strings stay valid for as long as
// a caller keeps them.
func (s *flatState) idString(id []byte) string {
	if len(s.ids)+len(id) > cap(s.ids) {
		s.ids = make([]byte, 0, 4096)
	}
	start := len(s.ids)
	s.ids = append(s.ids, id...)
	return unsafe.String(&s.ids[start], len(id))
}

// appendMiddle writes @log_type, the S3 bucket and key, and the start of
// event with its module and ingested time.
func (b *docBuilder) appendMiddle(out []byte, logType string) ([]byte, bool) {
	for _, f := range [...]struct {
		key []byte
		v   string
	}{{keyLogType, logType}, {keyBucket, b.o.src.Bucket}, {keyKey, b.o.src.Key}} {
		if keep(f.v) {
			out = append(out, ',')
			out = append(out, f.key...)
			out = pyjson.AppendQuoted(out, f.v)
		}
	}
	out = append(out, `,"event":{`...)
	empty := true
	module := b.lt.Name
	if p := b.flat.plan; p.hasEventModule {
		module = p.eventModule
	}
	if keep(module) {
		out = append(out, `"module":`...)
		out = pyjson.AppendQuoted(out, module)
		empty = false
	}
	if ing, ok := b.ingested.(string); ok && keep(ing) {
		if !empty {
			out = append(out, ',')
		}
		out = append(out, `"ingested":`...)
		out = pyjson.AppendQuoted(out, ing)
		empty = false
	}
	return out, empty
}

// buildFlat is build for a flat record.
func (b *docBuilder) buildFlat(raw string, f *logtypes.Fields) (Document, error) {
	s := &b.flat
	p := s.plan
	lt := b.lt
	r := &s.rec
	r.Reset(p.nslots)

	ts, err := b.flatTimestamp(p, f)
	if err != nil {
		return Document{}, err
	}
	for _, c := range p.consts {
		r.SetStr(c.slot, c.s)
	}
	for i := range p.maps {
		m := &p.maps[i]
		if !m.list {
			for _, pos := range m.alts {
				v, ok := f.Get(pos)
				if !ok || v == "" {
					continue
				}
				if !m.validateIP || ValidIP(v) {
					r.SetStr(m.slot, v)
				}
				break
			}
			continue
		}
		vals := s.lists[i][:0]
		for _, alts := range m.elems {
			for _, pos := range alts {
				v, ok := f.Get(pos)
				if !ok || v == "" {
					continue
				}
				if !m.validateIP || ValidIP(v) {
					vals = append(vals, v)
				}
				break
			}
		}
		s.lists[i] = vals
		if len(vals) > 0 {
			r.SetList(m.slot, logtypes.SortUnique(vals))
		}
	}
	if p.cloud != nil && (p.provider || b.anySet(p.cloud)) {
		acc, _, _, ok := r.Value(p.account)
		switch {
		case ok && acc != "":
			if acc == "unknown" {
				if b.account != "" {
					r.SetStr(p.account, b.account)
				} else {
					r.Clear(p.account)
				}
			}
		case b.account != "":
			r.SetStr(p.account, b.account)
		default:
			r.SetStr(p.account, "unknown")
		}
		if _, _, _, ok := r.Value(p.region); !ok {
			if b.region != "" {
				r.SetStr(p.region, b.region)
			} else {
				r.SetStr(p.region, "unknown")
			}
		}
	}
	if p.firelens != nil {
		b.flatFirelensECS(p.firelens)
	}
	for _, st := range p.statics {
		if st.list {
			r.SetList(st.slot, st.l)
		} else {
			r.SetStr(st.slot, st.s)
		}
	}
	if p.transfm != nil {
		p.transfm(r)
		if r.General {
			return b.buildGeneral(raw, f)
		}
	}
	if len(p.geo) > 0 {
		b.flatGeoIP(p)
	}
	if len(p.iocIP)+len(p.iocDomain) > 0 {
		b.flatIoC(p, f)
	}
	if p.uaFrag >= 0 {
		b.flatUserAgent(p)
	}

	// md5 only reads its input: hash the line where it lies
	sum := md5.Sum(unsafe.Slice(unsafe.StringData(raw), len(raw)))
	if p.firelens != nil && s.firelens.get(flContainerName) != "" {
		// es-loader hashes the line and the container's name
		s.idInput = append(append(s.idInput[:0], raw...), s.firelens.get(flContainerName)...)
		sum = md5.Sum(s.idInput)
	}
	var idBuf [32]byte
	hex.Encode(idBuf[:], sum[:])

	out := append(b.out[:0], '{')
	first := true
	member := func(key []byte) {
		if !first {
			out = append(out, ',')
		}
		first = false
		out = append(out, key...)
	}
	lq := &s.quoter
	lq.Reset(raw)
	for i, key := range p.rawKeys {
		if v, ok := f.Get(i); ok && key != nil && keep(v) {
			member(key)
			out = lq.Append(out, v)
		}
	}
	if keep(raw) {
		member(keyMessage)
		out = lq.Append(out, raw)
	}
	member(keyTimestamp)
	out = append(out, '"')
	out = append(out, s.lastISO...)
	out = append(out, '"')
	inner := s.eventEmpty
	if r.LogType != "" {
		var mid []byte
		mid, inner = b.appendMiddle(nil, r.LogType)
		out = append(out, mid...)
	} else {
		out = append(out, s.middle...)
	}
	out = b.render(out, p.eventOps, inner)
	out = append(out, '}')
	member(keyID)
	out = append(out, '"')
	out = append(out, idBuf[:]...)
	out = append(out, '"')
	out = b.render(out, p.topOps, false)
	out = append(out, '}')
	b.out = out
	if len(out) >= bigDocChars/6 {
		// es-loader may cut long fields of a big document: the general
		// path knows how
		return b.buildGeneral(raw, f)
	}
	b.rec = logtypes.Record{}
	return Document{LogType: lt.Name, Index: b.indexName(&b.rec, ts), ID: s.idString(idBuf[:]), Source: out}, nil
}

var (
	keyMessage   = []byte(`"@message":`)
	keyTimestamp = []byte(`"@timestamp":`)
	keyLogType   = []byte(`"@log_type":`)
	keyBucket    = []byte(`"@log_s3bucket":`)
	keyKey       = []byte(`"@log_s3key":`)
	keyID        = []byte(`"@id":`)
)

// keep is del_none for a string.
func keep(s string) bool {
	switch s {
	case "", "-", "null", "[]":
		return false
	}
	return true
}

func (b *docBuilder) anySet(n *flatNode) bool {
	if n.slot >= 0 {
		_, _, _, ok := b.flat.rec.Value(n.slot)
		return ok
	}
	for _, k := range n.kids {
		if b.anySet(k) {
			return true
		}
	}
	return false
}

// flatTimestamp is timestamp for a flat record.
func (b *docBuilder) flatTimestamp(p *flatPlan, f *logtypes.Fields) (time.Time, error) {
	if p.tsKey == "" {
		t := b.o.now
		if b.o.fileTime != nil {
			t = *b.o.fileTime
		}
		b.flat.lastISO = pytime.AppendIsoformat(b.flat.lastISO[:0], t)
		return t, nil
	}
	v, ok := f.Get(p.tsIdx)
	if !ok || v == "" {
		return time.Time{}, failf("no timestamp", "the record has no %s field", p.tsKey)
	}
	s := &b.flat
	if len(s.lastISO) > 0 && v == string(s.lastTS) {
		return s.lastTime, nil
	}
	t, err := b.parseTimestampText(p.tsKey, v, true)
	if err == nil {
		s.lastTS, s.lastTime = append(s.lastTS[:0], v...), t
		s.lastISO = pytime.AppendIsoformat(s.lastISO[:0], t)
	}
	return t, err
}

// buildGeneral builds a flat record's document on the general path.
func (b *docBuilder) buildGeneral(raw string, f *logtypes.Fields) (Document, error) {
	rec := &rawRecord{raw: strings.Clone(raw), fields: b.flatToMap(f)}
	if b.flat.plan.firelens != nil {
		rec.meta = &recordMeta{firelens: newFirelensMeta(b.flat.firelens.Map())}
	}
	return b.build(rec)
}

// flatToMap is the record as the general path holds it.
func (b *docBuilder) flatToMap(f *logtypes.Fields) *pyjson.Map {
	names := b.flat.plan.names[:b.flat.plan.ngroups]
	m := pyjson.NewMap(len(names) + docExtraKeys)
	for i, name := range names {
		if i >= len(f.Vals) {
			break
		}
		if f.Null&(1<<uint(i)) != 0 {
			m.Set(name, nil)
		} else {
			m.Set(name, strings.Clone(f.Vals[i]))
		}
	}
	return m
}

// textPlan sets up the flat path for the object's text lines, once; it
// reports whether they take it.
func (o *objectRun) textPlan() bool {
	if !o.textFlatSet {
		o.textFlatSet = true
		groups := o.textSetup()
		// plans have no slot for cloud.instance.id of host logs
		if groups != nil && o.src.InstanceID == "" {
			o.textFlatPlan = o.n.flatPlanFor(o.lt, "", groups)
		}
	}
	if o.textFlatPlan == nil {
		return false
	}
	o.useFlatPlan(o.textFlatPlan)
	return true
}

// textSetup finds the log_pattern's named groups and the section's flat
// parser, once; it returns the groups' names, nil without a pattern.
func (o *objectRun) textSetup() []string {
	if o.textNames != nil || o.lt.LogPattern == nil {
		return o.textNames
	}
	names := []string{}
	o.textGroups = o.textGroups[:0]
	for i, name := range o.lt.LogPattern.SubexpNames() {
		if i > 0 && name != "" {
			names = append(names, name)
			o.textGroups = append(o.textGroups, i)
		}
	}
	if fp, ok := o.n.fields[o.lt.Name]; ok && slices.Equal(fp.Names, names) {
		o.textParser = fp.Parse
	}
	o.textNames = names
	return names
}

// useFlatPlan makes p the builder's plan (a stream may take text lines and
// FireLens records, whose plans differ).
func (o *objectRun) useFlatPlan(p *flatPlan) {
	if o.builder.flat.plan != p {
		o.builder.useFlat(p)
	}
}

// fillGroups sets f from the pattern's match of raw.
func (o *objectRun) fillGroups(f *logtypes.Fields, raw string, idx []int) {
	f.Vals = f.Vals[:0]
	f.Null = 0
	for k, g := range o.textGroups {
		if idx[2*g] < 0 {
			f.Vals = append(f.Vals, "")
			f.Null |= 1 << uint(k)
			continue
		}
		f.Vals = append(f.Vals, raw[idx[2*g]:idx[2*g+1]])
	}
}

// borrowString views a line as a string without copying it. The flat path
// reads lines this way: the reader reuses the bytes for the next line, so
// whatever outlives the record (samples in the result, a cached timestamp,
// the general path's maps) takes a copy first.
func borrowString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// flatTextRecord is textRecord on the flat path: the same order of
// parsers as matchPattern (variant, hand-written parser, regex, rescue),
// where a variant's or rescue's map goes the general way. raw may be
// borrowed (see borrowString).
func (o *objectRun) flatTextRecord(raw string) error {
	if variant, ok := o.n.variants[o.lt.Name]; ok {
		if m, ok := variant(raw); ok {
			raw = strings.Clone(raw)
			m, _ = variant(raw)
			return o.handle(&rawRecord{raw: raw, fields: m})
		}
	}
	f := &o.builder.flat.fields
	if o.textParser != nil && o.textParser(raw, f) {
		return o.handleFlat(raw)
	}
	if idx := o.lt.LogPattern.MatchSubmatchIndex(raw); idx != nil {
		o.fillGroups(f, raw, idx)
		return o.handleFlat(raw)
	}
	raw = strings.Clone(raw)
	if rescue, ok := o.n.rescues[o.lt.Name]; ok {
		if m, ok := rescue(raw); ok {
			return o.handle(&rawRecord{raw: raw, fields: m})
		}
	}
	o.res.Records++
	o.res.fail("line does not match log_pattern", truncateSample(raw))
	return nil
}

// handleFlat is handle for the flat record in the builder's fields.
func (o *objectRun) handleFlat(raw string) error {
	o.res.Records++
	doc, err := o.builder.buildFlat(raw, &o.builder.flat.fields)
	return o.emitBuilt(doc, err)
}

// flatGeoIP fills the record's geo and as fragments, rendering each
// address's objects once (an object's records share few addresses).
func (b *docBuilder) flatGeoIP(p *flatPlan) {
	s := &b.flat
	for _, g := range p.geo {
		s.frags[g.geo], s.frags[g.as] = nil, nil
		ip, ok := s.rec.Str(g.ip)
		if !ok {
			continue
		}
		f, ok := s.geoCache[ip]
		if !ok {
			if s.geoCache == nil || len(s.geoCache) >= 4096 {
				s.geoCache = make(map[string]geoFragments)
			}
			// the address may be borrowed from the line; the caches
			// (this one and the GeoIP reader's) keep it
			ip = strings.Clone(ip)
			geo, as := b.o.n.geo.Lookup(ip)
			f = geoFragments{geo: renderClean(geo), as: renderClean(as)}
			s.geoCache[ip] = f
		}
		s.frags[g.geo], s.frags[g.as] = f.geo, f.as
	}
}

// renderClean is a GeoIP object as the document holds it after del_none:
// nil when nothing is left.
func renderClean(m *pyjson.Map) []byte {
	if m == nil {
		return nil
	}
	wrap := pyjson.NewMap(1)
	wrap.Set("v", m)
	delNone(wrap)
	v, ok := wrap.Get("v")
	if !ok {
		return nil
	}
	return pyjson.AppendJSON(nil, v)
}

// flatIoC looks the record's ioc_ip and ioc_domain values up and renders
// what matched, as members of the document.
func (b *docBuilder) flatIoC(p *flatPlan, f *logtypes.Fields) {
	s := &b.flat
	s.frags[p.iocFrag] = s.frags[p.iocFrag][:0]
	ips := b.iocValues(s.iocIPs[:0], p.iocIP, f)
	domains := b.iocValues(s.iocDomains[:0], p.iocDomain, f)
	s.iocIPs, s.iocDomains = ips, domains
	enrichments, matched := b.o.n.ioc.Threat(ips, domains)
	if enrichments == nil && matched == nil {
		return
	}
	wrap := pyjson.NewMap(2)
	wrap.Set("threat.enrichments", enrichments)
	wrap.Set("threat.matched", matched)
	obj := pyjson.AppendJSONClean(s.frags[p.iocFrag], wrap)
	// keep the members, without the braces
	if len(obj) > 2 {
		s.frags[p.iocFrag] = append(obj[:0], obj[1:len(obj)-1]...)
	} else {
		s.frags[p.iocFrag] = obj[:0]
	}
}

func (b *docBuilder) iocValues(dst []enrich.FieldValue, srcs []iocSource, f *logtypes.Fields) []enrich.FieldValue {
	r := &b.flat.rec
	for _, src := range srcs {
		switch {
		case src.slot >= 0:
			str, list, isList, ok := r.Value(src.slot)
			switch {
			case !ok:
			case isList:
				for _, v := range list {
					dst = append(dst, enrich.FieldValue{Field: src.field, Value: v})
				}
			default:
				dst = append(dst, enrich.FieldValue{Field: src.field, Value: str})
			}
		case src.raw >= 0:
			if v, ok := f.Get(src.raw); ok {
				dst = append(dst, enrich.FieldValue{Field: src.field, Value: v})
			}
		}
	}
	return dst
}

// flatUserAgent parses the user agent as the general path's Enrich does:
// original is replaced by the parser's form of it, and the parsed fields
// follow it, rendered once per user agent and object.
func (b *docBuilder) flatUserAgent(p *flatPlan) {
	s := &b.flat
	s.frags[p.uaFrag] = nil
	orig, list, isList, ok := s.rec.Value(p.uaOrig)
	if isList {
		if len(list) == 0 {
			return
		}
		orig = list[0]
	}
	if !ok || orig == "-" {
		return
	}
	f, ok := s.uaCache[orig]
	if !ok {
		// the user agent may be borrowed from the line; the caches (this
		// one and the parser's) keep it
		orig = strings.Clone(orig)
		keys, vals := b.o.n.ua.Lookup(orig)
		rest := pyjson.NewMap(len(keys))
		for i, k := range keys {
			if k == "original" {
				f.original, f.replace = vals[i].(string), true
				continue
			}
			rest.Set(k, vals[i])
		}
		obj := pyjson.AppendJSONClean(nil, rest)
		f.members = obj[1 : len(obj)-1]
		if s.uaCache == nil || len(s.uaCache) >= 4096 {
			s.uaCache = make(map[string]uaFragment)
		}
		s.uaCache[orig] = f
	}
	if f.replace {
		s.rec.SetStr(p.uaOrig, f.original)
	}
	s.frags[p.uaFrag] = f.members
}

// uaFragment is one user agent's rendering: its original as the parser
// gives it back, and the members that follow.
type uaFragment struct {
	original string
	replace  bool
	members  []byte
}
