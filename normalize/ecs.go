package normalize

import (
	"sort"
	"strings"

	"github.com/siemloader/siemloader/conf"
	"github.com/siemloader/siemloader/normalize/logtypes"
	"github.com/siemloader/siemloader/normalize/pyjson"
)

// ValidIP is Python's ipaddress.ip_address(s) succeeding.
func ValidIP(s string) bool { return logtypes.ValidIP(s) }

// mapECS is es-loader's transform_to_ecs: the `ecs` mappings, the cloud
// account and region fallbacks, FireLens metadata and static_ecs, merged
// into the document.
func (b *docBuilder) mapECS(d *pyjson.Map, meta *recordMeta) {
	lt := b.lt
	var rawCloud *pyjson.Map
	if v, ok := d.Get("cloud"); ok {
		rawCloud, _ = v.(*pyjson.Map)
	}
	provider, _ := rawCloud.GetPath("provider")
	account1, _ := rawCloud.GetPath("account", "id")
	region1, _ := rawCloud.GetPath("region")

	slab := &b.o.slab
	// es-loader builds the ECS objects apart and merges them in at the end.
	// Writing them straight into the document gives the same result when
	// the record has none of their top-level keys and no mapping reads
	// under them, and saves a map and a merge per record.
	direct := b.directECS && !hasAnyKey(d, b.ecsRoots)
	var e *pyjson.Map
	if direct {
		e = d
	} else {
		e = pyjson.NewMap(12)
	}
	ver := slab.Map(1)
	ver.Set("version", b.ecsVersionV)
	e.Set("ecs", ver)
	if !pyjson.Truthy(provider) && lt.CloudProvider != "" {
		c := slab.Map(3)
		c.Set("provider", b.providerV)
		e.Set("cloud", c)
	}
	// Mappings come sorted by ECS field, so runs of them share a root
	// object (cloud.*, source.*, user.*): it is looked up in e, the whole
	// document when direct, once per run.
	var roots ecsRootCache
	for i := range lt.ECS {
		m := &lt.ECS[i]
		if v, ok := mappedValue(d, m, slab); ok {
			roots.mergeAt(e, v, m.Path, slab)
		}
	}
	_, inDoc := d.Get("cloud")
	isCloud := e.Has("cloud") || inDoc
	if isCloud {
		cloud := e.ChildIn("cloud", slab)
		if !pyjson.Truthy(account1) {
			acc2, _ := cloud.GetPath("account", "id")
			if pyjson.Truthy(acc2) {
				if s, ok := acc2.(string); ok && s == "unknown" {
					cloud.Set("account", idMap(nilIfEmpty(b.account)))
				}
			} else if b.account != "" {
				cloud.Set("account", b.idMapIn(b.account))
			} else {
				cloud.Set("account", idMap("unknown"))
			}
		}
		if !pyjson.Truthy(region1) {
			if !cloud.Has("region") {
				if b.region != "" {
					cloud.Set("region", b.boxedRegion())
				} else {
					cloud.Set("region", "unknown")
				}
			}
		}
		if b.o.src.InstanceID != "" && !cloud.Has("instance") {
			// host logs shipped from the instance itself (Fluent Bit on EC2)
			cloud.Set("instance", idMap(b.o.src.InstanceID))
		}
	}
	if fm := meta.firelens; fm != nil && fm.taskARN != "" {
		parts := strings.Split(fm.taskARN, ":")
		cloud := e.Child("cloud")
		if len(parts) > 4 {
			cloud.Child("account").Set("id", parts[4])
			cloud.Set("region", parts[3])
		}
		if fm.instanceID != "" {
			cloud.Set("instance", idMap(fm.instanceID))
		}
		c := pyjson.NewMap(2)
		c.Set("id", nilIfEmpty(fm.containerID))
		c.Set("name", nilIfEmpty(fm.containerName))
		e.Set("container", c)
	}
	roots = ecsRootCache{} // the code between may have replaced a root
	for _, st := range lt.StaticECS {
		v := st.Value
		if l, ok := v.([]any); ok {
			c := slab.List(len(l)) // the document's own: merges may change it
			copy(c, l)
			v = c
		}
		roots.mergeAt(e, v, st.Path, slab)
	}
	if !direct {
		pyjson.Merge(d, e)
	}
}

// ecsRootCache is pyjson.MergeAtIn that remembers the root object of the
// last path: e's value under it stays that object as long as only paths
// below a root are merged (one that is a root itself may replace it).
type ecsRootCache struct {
	key  string
	root *pyjson.Map
}

func (c *ecsRootCache) mergeAt(e *pyjson.Map, v any, path []string, slab *pyjson.Slab) {
	if len(path) == 1 {
		c.root = nil
		pyjson.MergeAtIn(e, v, path, slab)
		return
	}
	if c.root == nil || c.key != path[0] {
		c.key, c.root = path[0], e.ChildIn(path[0], slab)
	}
	pyjson.MergeAtIn(c.root, v, path[1:], slab)
}

func hasAnyKey(d *pyjson.Map, keys []string) bool {
	for _, k := range keys {
		if d.Has(k) {
			return true
		}
	}
	return false
}

// ecsRoots are the top-level keys the ECS step may write; directECS tells
// whether no mapping of the type reads under one of them (see mapECS).
func ecsRoots(lt *conf.LogType) (roots []string, direct bool) {
	seen := map[string]bool{"ecs": true, "cloud": true, "container": true}
	for _, m := range lt.ECS {
		seen[m.Path[0]] = true
	}
	for _, st := range lt.StaticECS {
		seen[st.Path[0]] = true
	}
	for k := range seen {
		// the pipeline has made `event` a map already (event.module,
		// event.ingested): ECS fields merge into it either way
		if k != "event" {
			roots = append(roots, k)
		}
	}
	sort.Strings(roots)
	direct = true
	for _, m := range lt.ECS {
		for _, alt := range m.Alternatives {
			direct = direct && !seen[alt[0]]
		}
		for _, el := range m.Elements {
			for _, alt := range el {
				direct = direct && !seen[alt[0]]
			}
		}
	}
	return roots, direct
}

// idMapIn is {"id": account} with the account boxed once per object.
func (b *docBuilder) idMapIn(account string) *pyjson.Map {
	if b.accountBoxed != account {
		b.accountBoxed, b.accountV = account, account
	}
	m := b.o.slab.Map(1)
	m.Set("id", b.accountV)
	return m
}

func (b *docBuilder) boxedRegion() any {
	if b.regionBoxed != b.region {
		b.regionBoxed, b.regionV = b.region, b.region
	}
	return b.regionV
}

func idMap(v any) *pyjson.Map {
	m := pyjson.NewMap(1)
	m.Set("id", v)
	return m
}

// mappedValue is the value one mapping gives, already in the form es-loader
// writes: non-string scalars as Python str(), lists sorted and unique.
func mappedValue(d *pyjson.Map, m *conf.Mapping, slab *pyjson.Slab) (any, bool) {
	if !m.List {
		v, ok := pyjson.DigFirst(d, m.Alternatives)
		if !ok {
			return nil, false
		}
		switch x := v.(type) {
		case string:
			if m.ValidateIP && !ValidIP(x) {
				return nil, false
			}
			return v, true // the interface as found: no new allocation
		case *pyjson.Map, []any:
			if !pyjson.Truthy(x) {
				return nil, false
			}
			// Shared, not copied: in es-loader the ECS field and the raw
			// field are the same object, so GeoIP merged into one shows in
			// both (GuardDuty's geoLocation).
			return x, true
		case bool:
			return pyjson.Str(x), true // str(True); False == 0 in Python
		default:
			return pyjson.Str(x), true
		}
	}
	// most lists hold one value (related.ip = [${source.ip}]): it goes in
	// as the interface it was found in, and the list is the only
	// allocation
	var buf [4]string
	vals := buf[:0]
	var first any
	for _, alts := range m.Elements {
		v, ok := pyjson.DigFirst(d, alts)
		if !ok {
			continue
		}
		switch x := v.(type) {
		case string:
			if m.ValidateIP && !ValidIP(x) {
				continue
			}
			if len(vals) == 0 {
				first = v
			}
			vals = append(vals, x)
		case []any:
			for _, item := range x {
				s, ok := item.(string)
				if !ok || s == "" {
					continue
				}
				if m.ValidateIP && !ValidIP(s) {
					continue
				}
				if len(vals) == 0 {
					first = item
				}
				vals = append(vals, s)
			}
		}
	}
	switch len(vals) {
	case 0:
		return nil, false
	case 1:
		l := slab.List(1)
		l[0] = first
		return l, true
	}
	return logtypes.SortedUniqueStrings(append([]string(nil), vals...)), true
}

// textGroup is json_to_text's paths under one top-level field: a record
// without the field skips them all (CloudTrail lists 35 paths under four
// fields), and the others are looked up from it.
type textGroup struct {
	root  string
	paths [][]string
	// whole: a path is the field itself, which may turn into text
	// before the others are looked up; those then start from the document
	whole bool
}

func groupTextPaths(paths [][]string) []textGroup {
	var groups []textGroup
	at := map[string]int{}
	for _, p := range paths {
		i, ok := at[p[0]]
		if !ok {
			i = len(groups)
			at[p[0]] = i
			groups = append(groups, textGroup{root: p[0]})
		}
		groups[i].paths = append(groups[i].paths, p)
		groups[i].whole = groups[i].whole || len(p) == 1
	}
	return groups
}

// jsonToTextGrouped is jsonToText over grouped paths.
func jsonToTextGrouped(d *pyjson.Map, groups []textGroup) {
	for i := range groups {
		g := &groups[i]
		rv, ok := d.Get(g.root)
		if !ok || rv == nil {
			continue
		}
		root, isMap := rv.(*pyjson.Map)
		if !isMap || g.whole {
			jsonToText(d, g.paths)
			continue
		}
		for _, path := range g.paths {
			if v, ok := pyjson.Dig(root, path[1:]); ok {
				toText(d, path, v)
			}
		}
	}
}

// jsonToText is es-loader's clean_multi_type_field: fields that are JSON in
// some records and text in others become text (Python str()/repr()).
func jsonToText(d *pyjson.Map, paths [][]string) {
	for _, path := range paths {
		if v, ok := pyjson.Dig(d, path); ok {
			toText(d, path, v)
		}
	}
}

// toText replaces the value v found at path with its text.
func toText(d *pyjson.Map, path []string, v any) {
	if !pyjson.Truthy(v) {
		return
	}
	var s string
	switch x := v.(type) {
	case string:
		if strings.Contains(x, "{") {
			s = pyjson.Repr(x)
		} else {
			s = x
		}
	default:
		s = pyjson.Str(x)
	}
	pyjson.MergeAt(d, s, path)
}

// delNone is es-loader's del_none: drop None, "", "-", "null", "[]", {}, []
// and [""] values everywhere, recursing into maps and maps inside lists.
func delNone(m *pyjson.Map) {
	keys := m.Keys()
	for i := 0; i < len(keys); {
		k, v := m.At(i)
		drop := false
		switch x := v.(type) {
		case nil:
			drop = true
		case string:
			drop = x == "" || x == "-" || x == "null" || x == "[]"
		case *pyjson.Map:
			delNone(x)
			drop = x.Len() == 0
		case []any:
			for _, e := range x {
				if em, ok := e.(*pyjson.Map); ok {
					delNone(em)
				}
			}
			drop = len(x) == 0 || (len(x) == 1 && x[0] == "")
		}
		if drop {
			m.Delete(k)
			keys = m.Keys()
			continue
		}
		i++
	}
}
