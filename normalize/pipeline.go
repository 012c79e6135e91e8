package normalize

import (
	"crypto/md5"
	"encoding/hex"
	"strings"
	"time"

	"github.com/siemloader/siemloader/conf"
	"github.com/siemloader/siemloader/normalize/exclude"
	"github.com/siemloader/siemloader/normalize/logtypes"
	"github.com/siemloader/siemloader/normalize/pyjson"
	"github.com/siemloader/siemloader/normalize/pytime"
)

// docExtraKeys is room for what the pipeline adds to a record's top level
// (@-fields, ECS objects), so that its map grows at most once.
const docExtraKeys = 20

// docBuilder runs es-loader's LogParser steps over one record: exclusion,
// renames, timestamp, @-fields and @id, json_to_text, the ECS mapping, the
// type's transform, field_prefix, then index name, _id and clean-up.
type docBuilder struct {
	o            *objectRun
	lt           *conf.LogType
	transform    logtypes.Transform
	hasT         bool
	ingested     any
	out          []byte
	ecsRoots     []string
	directECS    bool
	formats      []*pytime.Format // the type's timestamp formats, compiled
	rec          logtypes.Record  // reused: a fresh one per document escapes to the heap
	lastIndexKey indexKey
	lastIndex    string
	// values shared by every document of the object, boxed once: putting
	// a string into an interface allocates.
	logTypeV, bucketV, keyV any
	ecsVersionV, providerV  any
	accountBoxed            string
	accountV                any
	regionBoxed             string
	regionV                 any
	flat                    flatState // the flat path's state (flatplan.go)
	textGroups              []textGroup
	// account and region persist across records like es-loader's
	// LogParser attributes: an envelope's owner/account overrides the key.
	account string
	region  string
}

func (b *docBuilder) init(o *objectRun) {
	b.o = o
	b.lt = o.lt
	if o.lt.HasScript() {
		b.transform, b.hasT = logtypes.Lookup(o.lt.Name)
	}
	b.ingested = pytime.Isoformat(o.now)
	b.ecsRoots, b.directECS = ecsRoots(o.lt)
	b.textGroups = groupTextPaths(o.lt.JSONToTextPaths)
	for _, f := range o.lt.TimestampFormats {
		// conf validated the formats of types that have timestamp keys;
		// one that does not compile never matches, as in es-loader
		if cf, err := pytime.CompileFormat(f); err == nil {
			b.formats = append(b.formats, cf)
		}
	}
	b.logTypeV = o.lt.Name
	b.ecsVersionV = o.lt.ECSVersion
	b.providerV = o.lt.CloudProvider
	b.bucketV = nilIfEmpty(o.src.Bucket)
	b.keyV = nilIfEmpty(o.src.Key)
	b.account = o.account
	b.region = o.region
}

func (b *docBuilder) build(rec *rawRecord) (Document, error) {
	// The record ends here, whatever was carved for it from the run's slab
	// (its decoding too, on the paths that decode into it): see
	// pyjson.Slab.
	defer b.o.slab.Record()
	lt := b.lt
	d := rec.fields
	if d == nil {
		d = pyjson.NewMap(docExtraKeys)
	} else {
		d.Grow(docExtraKeys)
	}
	if !rec.skip && b.o.n.ignored != nil {
		if pats, ok := b.o.n.ignored[lt.Name]; ok && matchOwnLog(d, pats) {
			return Document{}, &excluded{reason: "es-loader's own log (ignore_own_logs)"}
		}
	}
	meta := rec.meta
	if meta == nil {
		meta = &recordMeta{}
	}
	// original fields, for field_prefix
	var original []string
	if lt.FieldPrefix != "" {
		original = append(original, d.Keys()...)
	}
	if meta.cwl && meta.cwlAccount != "" {
		b.account = meta.cwlAccount
	}
	if meta.cwe {
		if meta.cweAccount != "" {
			b.account = meta.cweAccount
		}
		if meta.cweRegion != "" {
			b.region = meta.cweRegion
		}
	}
	if meta.firelens != nil {
		pyjson.Merge(d, meta.firelens.fields)
	}
	if !rec.skip && b.o.n.filter != nil {
		if dec := b.o.n.filter.CheckRaw(lt.Name, d); dec.Action == exclude.Exclude {
			return Document{}, &excluded{reason: dec.Reason}
		}
	}
	if !rec.skip {
		for _, rn := range lt.Renames {
			if v, ok := d.Get(rn.Old); ok && pyjson.Truthy(v) {
				d.Set(rn.New, v)
				d.Delete(rn.Old)
				if lt.FieldPrefix != "" {
					original = replaceName(original, rn.Old, rn.New)
				}
			}
		}
	}
	ts, err := b.timestamp(d, rec, meta)
	if err != nil {
		return Document{}, err
	}

	// @-fields and @id
	var id, fieldID string
	if lt.DocID != "" && !rec.skip {
		fieldID = docIDValue(d, lt.DocID)
	}
	switch {
	case rec.skip:
		extra := "None"
		if a := additionalID(meta); a != "" {
			extra = a
		}
		id = md5hex(rec.raw + b.o.src.Key + extra)
	case fieldID != "":
		id = fieldID
	default:
		if lt.DocID != "" {
			// es-loader raises (no field) or sends an empty _id, which
			// OpenSearch rejects; a content hash keeps the record and
			// stays deterministic.
			b.o.res.warn("doc_id field "+lt.DocID+" missing or empty; _id is the content hash", "")
		}
		if a := additionalID(meta); a != "" {
			id = md5hex(rec.raw + a)
		} else {
			id = md5hex(rec.raw)
		}
	}
	if rec.quoted != "" {
		d.Set("@message", b.o.slab.Quoted(rec.quoted))
	} else {
		d.Set("@message", b.o.slab.String(rec.raw))
	}
	d.Set("@timestamp", b.o.slab.String(pytime.Isoformat(ts)))
	d.Set("@log_type", b.logTypeV)
	d.Set("@log_s3bucket", b.bucketV)
	d.Set("@log_s3key", b.keyV)
	if meta.cwl || meta.logGroup != "" {
		d.Set("@log_group", nilIfEmpty(meta.logGroup))
		d.Set("@log_stream", nilIfEmpty(meta.logStream))
	}
	ev := d.ChildIn("event", &b.o.slab)
	ev.Set("module", b.logTypeV)
	ev.Set("ingested", b.ingested)
	if fieldID != "" {
		v, _ := d.Get(lt.DocID)
		d.Set("@id", v)
	} else {
		d.Set("@id", id)
	}
	if rec.skip && rec.errorMsg != "" {
		d.Child("error").Set("message", rec.errorMsg)
	}

	jsonToTextGrouped(d, b.textGroups)
	b.mapECS(d, meta)

	b.rec = logtypes.Record{Doc: d, Type: lt, Now: b.o.now}
	r := &b.rec
	if b.hasT && !rec.skip {
		if terr := b.transform(r); terr != nil {
			b.o.res.warn("transform "+lt.Name+" failed", terr.Error())
		}
	}

	// enrichment in es-loader's order
	n := b.o.n
	if len(lt.ClientIPXFF) > 0 && n.xff != nil {
		n.xff.Enrich(d, lt.ClientIPXFF)
	}
	if len(lt.GeoIP) > 0 && n.geo != nil {
		n.geo.Enrich(d, lt.GeoIP)
	}
	if n.ioc != nil && (len(lt.IoCIP) > 0 || len(lt.IoCDomain) > 0) {
		n.ioc.Enrich(d, lt.IoCIP, lt.IoCDomain)
	}
	if lt.UserAgentField != "" && n.ua != nil {
		n.ua.Enrich(d, lt.UserAgentField)
	}

	if lt.FieldPrefix != "" {
		prefix := d.Child(lt.FieldPrefix)
		for _, f := range original {
			if f == lt.FieldPrefix {
				continue
			}
			if v, ok := d.Get(f); ok {
				prefix.Set(f, v)
				d.Delete(f)
			}
		}
	}

	if !rec.skip && n.filter != nil {
		if dec := n.filter.Check(lt.Name, d); dec.Action == exclude.Exclude {
			return Document{}, &excluded{reason: dec.Reason}
		}
	}

	index := b.indexName(r, ts)
	docID := id
	if b.hasT && !rec.skip {
		// es-loader's _id is @id as the type's script leaves it (CloudHSM,
		// Config and Inspector set their own)
		if v, ok := d.Get("@id"); ok {
			if s, ok := v.(string); ok && s != "" {
				docID = s
			}
		}
	}
	if r.HasIDSuffix {
		docID += "_" + r.IDSuffix
	} else if lt.DocIDSuffix != "" {
		if v, ok := pyjson.Dig(d, lt.DocIDSuffixPath); ok && pyjson.Truthy(v) {
			docID += "_" + pyjson.Str(v)
		}
	}
	body := b.serialize(d, rec.text) // del_none included
	return Document{LogType: lt.Name, Index: b.o.outlive(index), ID: b.o.outlive(docID), Source: body}, nil
}

// docIDValue is the doc_id field as the _id string ("" when absent).
func docIDValue(d *pyjson.Map, field string) string {
	v, ok := d.Get(field)
	if !ok || v == nil {
		return ""
	}
	return pyjson.Str(v)
}

func replaceName(list []string, old, new string) []string {
	for i, s := range list {
		if s == old {
			list[i] = new
		}
	}
	return list
}

func additionalID(m *recordMeta) string {
	switch {
	case m.firelens != nil && m.firelens.containerName != "":
		return m.firelens.containerName
	case m.cwe && m.cweID != "":
		return m.cweID
	case m.cwl:
		return m.cwlID
	}
	return ""
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// timestamp is es-loader's get_timestamp.
func (b *docBuilder) timestamp(d *pyjson.Map, rec *rawRecord, meta *recordMeta) (time.Time, error) {
	lt := b.lt
	if len(lt.TimestampKeys) > 0 && !rec.skip {
		var val any
		var key string
		found := false
		for i, k := range lt.TimestampKeys {
			key = k
			switch k {
			case "cwe_timestamp":
				d.Set("cwe_timestamp", meta.cweTimestamp)
			case "cwl_timestamp":
				if !meta.cwl && len(lt.TimestampKeys) == 1 {
					return time.Time{}, failf("no timestamp", "timestamp_key is cwl_timestamp, which only records delivered through CloudWatch Logs have; this object is a raw file")
				}
				d.Set("cwl_timestamp", meta.cwlTimestamp)
			case "file_timestamp":
				if b.o.fileTime == nil {
					return time.Time{}, failf("no timestamp", "timestamp_key is file_timestamp but the key gave no time")
				}
				return *b.o.fileTime, nil
			}
			if v, ok := pyjson.Dig(d, lt.TimestampPaths[i]); ok {
				val, found = v, true
				break
			}
		}
		if !found {
			return time.Time{}, failf("no timestamp", "the record has no %s field", strings.Join(lt.TimestampKeys, " or "))
		}
		return b.parseTimestamp(key, val)
	}
	if v, ok := d.Get("@timestamp"); ok && !rec.skip {
		if s, ok := v.(string); ok {
			if t, ok := pytime.Parse(s, lt.TimestampFormats[0], b.o.now, lt.TimestampTZ); ok {
				return t, nil
			}
		}
		return time.Time{}, failf("unparsable timestamp", "@timestamp = %v", v)
	}
	if b.o.fileTime != nil {
		return *b.o.fileTime, nil
	}
	if meta.cwl && meta.cwlTimestamp != nil {
		if t, ok := pytime.ParseEpoch(pyjson.Str(meta.cwlTimestamp), time.UTC); ok {
			return t, nil
		}
	}
	return b.o.now, nil
}

// parseTimestamp reads the value of the timestamp key with the section's
// timestamp_format(s).
func (b *docBuilder) parseTimestamp(key string, val any) (time.Time, error) {
	s, isStr := val.(string)
	if !isStr {
		switch val.(type) {
		case pyjson.Number, int, int64, float64:
			s = pyjson.Str(val)
		default:
			return time.Time{}, failf("unparsable timestamp", "%s is not a string or number", key)
		}
	}
	return b.parseTimestampText(key, s, isStr)
}

// parseTimestampText is parseTimestamp for a value's text; isStr tells
// whether the value was a string rather than a number.
func (b *docBuilder) parseTimestampText(key, s string, isStr bool) (time.Time, error) {
	lt := b.lt
	if lt.TimestampNano && isStr {
		s = truncateNanos(s)
	}
	for _, f := range b.formats {
		if !isStr && !strings.Contains(f.String(), "epoch") {
			continue // Python would raise TypeError for non-strings
		}
		if t, ok := f.Parse(s, b.o.now, lt.TimestampTZ); ok {
			return t, nil
		}
	}
	// A syslog-format type whose line carried an RFC 3339 time (rsyslog's
	// high-precision format): es-loader fails the whole object here.
	if isStr && hasSyslogFormat(lt.TimestampFormats) {
		if t, ok := pytime.FromISOFormat(s, lt.TimestampTZ); ok && len(s) >= 19 && s[10] == 'T' {
			return t, nil
		}
	}
	return time.Time{}, failf("unparsable timestamp", "%s = %q does not match timestamp_format %s", key, truncateSample(s), strings.Join(lt.TimestampFormats, ", "))
}

// truncateNanos is timestamp_nano: cut a fraction of 7-9 digits to 6 when
// something (a zone) follows it, as es-loader's regex does.
func truncateNanos(s string) string {
	// the last "dd.d" in s
	for i := len(s) - 4; i >= 0; i-- {
		if isDigit(s[i]) && isDigit(s[i+1]) && s[i+2] == '.' && isDigit(s[i+3]) {
			j := i + 3
			for j < len(s) && j < i+3+9 && isDigit(s[j]) {
				j++
			}
			if j == len(s) {
				return s
			}
			frac := s[i+3 : j]
			if len(frac) > 6 {
				frac = frac[:6]
			}
			// group(2)[:9] keeps "dd." plus 6 digits, ljust pads to 9
			g2 := s[i:i+3] + frac
			for len(g2) < 9 {
				g2 += "0"
			}
			return s[:i] + g2 + s[j:]
		}
	}
	return s
}

func hasSyslogFormat(formats []string) bool {
	for _, f := range formats {
		if strings.Contains(f, "syslog") {
			return true
		}
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// indexName is es-loader's LogParser.indexname.
func (b *docBuilder) indexName(r *logtypes.Record, ts time.Time) string {
	lt := b.lt
	name := lt.IndexName
	if r.IndexName != "" {
		name = r.IndexName
	}
	if lt.IndexRotation == "aoss" {
		if lt.IndexSuffix != "" {
			return name + "-" + lt.IndexSuffix
		}
		return name + "-001"
	}
	if strings.Contains(lt.IndexRotation, "auto") {
		return name
	}
	if lt.IndexSuffix != "" {
		name += "-" + lt.IndexSuffix
	}
	t := ts
	if strings.Contains(lt.IndexTime, "event_ingested") {
		t = b.o.now
	} else if r.IndexTime != nil {
		t = *r.IndexTime
	}
	if lt.IndexTZ != nil {
		t = t.In(lt.IndexTZ)
	}
	layout := "-%Y"
	switch {
	case strings.Contains(lt.IndexRotation, "daily"):
		layout = "-%Y-%m-%d"
	case strings.Contains(lt.IndexRotation, "weekly"):
		layout = "-%Y-w%W"
	case strings.Contains(lt.IndexRotation, "monthly"):
		layout = "-%Y-%m"
	}
	// records of an object mostly share their day: reuse the last name
	y, m, d := t.Date()
	key := indexKey{name: name, layout: layout, y: y, m: m, d: d}
	if key == b.lastIndexKey {
		return b.lastIndex
	}
	b.lastIndexKey = key
	b.lastIndex = name + pytime.Strftime(t, layout)
	return b.lastIndex
}

type indexKey struct {
	name, layout string
	y            int
	m            time.Month
	d            int
}
