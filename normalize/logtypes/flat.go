package logtypes

// The engine has two ways to build a document. The general one holds the
// record in a *pyjson.Map, as es-loader holds a dict, and every Transform
// works on it. The flat one serves records whose fields are all strings in
// a fixed order (a text line matched by log_pattern, a CSV row): the ECS
// mapping is resolved into slots once per object and the document is
// written straight to JSON, which is several times faster. A log type
// takes the flat way only when it has no transform, or a FlatPlanner
// here that gives the same fields as its Transform (the engine's
// differential tests hold the two to the same documents).

// Fields is one flat record: Vals[i] is the field the producer's i-th name
// gives; a bit set in Null marks a regex group that took no part (Python's
// None). A producer has at most 64 names.
type Fields struct {
	Vals []string
	Null uint64
}

// Get returns field i when it is present and not None.
func (f *Fields) Get(i int) (string, bool) {
	if i < 0 || i >= len(f.Vals) || f.Null&(1<<uint(i)) != 0 {
		return "", false
	}
	return f.Vals[i], true
}

// FieldsParser is a LineParser that fills Fields instead of a map: the
// names are the pattern's groups in order.
type FieldsParser struct {
	Names []string
	Parse func(line string, f *Fields) bool
}

var fieldsParsers = map[string]FieldsParser{}

func registerFieldsParser(logType string, p FieldsParser) {
	if len(p.Names) > 64 {
		panic("logtypes: fields parser for " + logType + " has more than 64 names")
	}
	fieldsParsers[logType] = p
}

// LookupFieldsParser returns the flat parser of a log type; like a
// LineParser it applies only while the section keeps its built-in
// log_pattern.
func LookupFieldsParser(logType string) (FieldsParser, bool) {
	p, ok := fieldsParsers[logType]
	return p, ok
}

// Slot names one ECS field of a flat document (or -1: none).
type Slot int

// FlatBinder resolves names while the engine compiles a flat plan.
type FlatBinder interface {
	// Raw is the position of a raw field in the record, -1 when the
	// records of this object never have it.
	Raw(name string) int
	// Field is the slot of a dotted ECS field, added to the document's
	// shape (after the mapped fields) when the mapping does not write it.
	Field(dotted string) Slot
	// DropRaw leaves a raw field out of the document, as a transform that
	// deletes it does (the mapping still reads it).
	DropRaw(name string)
}

// FlatRecord is what a FlatTransform reads and writes.
type FlatRecord struct {
	Fields *Fields
	// LogType replaces @log_type when set (VPC flow logs of a transit
	// gateway).
	LogType string
	// S3Key is the object's key (@log_s3key), "" for records that came
	// without one.
	S3Key string
	// General, set by a transform, sends the record down the general path
	// instead: for the records whose document the slots cannot give (a
	// field the general path would add in another place, say).
	General bool
	vals    []slotValue
}

type slotValue struct {
	set  bool
	list bool
	s    string
	l    []string
}

// Reset prepares the record for a document with n slots.
func (r *FlatRecord) Reset(n int) {
	if cap(r.vals) < n {
		r.vals = make([]slotValue, n)
	}
	r.vals = r.vals[:n]
	clear(r.vals)
	r.LogType = ""
	r.General = false
}

// Str is the string in a slot.
func (r *FlatRecord) Str(s Slot) (string, bool) {
	v := &r.vals[s]
	if !v.set || v.list {
		return "", false
	}
	return v.s, true
}

// List is the list in a slot.
func (r *FlatRecord) List(s Slot) ([]string, bool) {
	v := &r.vals[s]
	if !v.set || !v.list {
		return nil, false
	}
	return v.l, true
}

// SetStr writes a string into a slot.
func (r *FlatRecord) SetStr(s Slot, v string) { r.vals[s] = slotValue{set: true, s: v} }

// SetList writes a list into a slot.
func (r *FlatRecord) SetList(s Slot, v []string) { r.vals[s] = slotValue{set: true, list: true, l: v} }

// Clear empties a slot.
func (r *FlatRecord) Clear(s Slot) { r.vals[s] = slotValue{} }

// Value is the slot's content for rendering: a string, a list, or neither.
func (r *FlatRecord) Value(s Slot) (str string, list []string, isList, ok bool) {
	v := &r.vals[s]
	return v.s, v.l, v.list, v.set
}

// FlatTransform is the flat counterpart of a Transform.
type FlatTransform func(r *FlatRecord)

// FlatPlanner binds a type's flat transform to the fields of an object; ok
// is false when it cannot serve these fields and the engine must use the
// general path.
type FlatPlanner func(b FlatBinder) (t FlatTransform, ok bool)

var flatPlanners = map[string]FlatPlanner{}

func registerFlat(logType string, p FlatPlanner) {
	if _, dup := flatPlanners[logType]; dup {
		panic("logtypes: flat planner for " + logType + " registered twice")
	}
	flatPlanners[logType] = p
}

// LookupFlat returns the flat planner of a log type.
func LookupFlat(logType string) (FlatPlanner, bool) {
	p, ok := flatPlanners[logType]
	return p, ok
}
