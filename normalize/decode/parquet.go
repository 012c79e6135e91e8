package decode

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// parquetBatchRows is the chunk size of pyarrow's dataset reader, which
// pandas.read_parquet goes through. Where a value's type depends on its
// chunk (an integer inside a struct becomes a float when the chunk holds a
// null there), reading in the same chunks gives the same values.
const parquetBatchRows = 131072

// Parquet reads a parquet object (Security Lake OCSF) and emits each row
// as es-loader gets it from pandas: the record, and message, the row's
// Python str() that es-loader uses as @message (and so hashes into the
// `_id`). Parquet needs random access; rows are read one row group at a
// time, so memory follows the largest row group, not the object.
//
// The record follows pandas' conversions and es-loader's clean-up:
//   - top-level columns whose value is null (None, NaN, NaT) are left out;
//     struct fields that are null stay, as None;
//   - structs are objects, in schema order; lists are lists; a map is a
//     list of (key, value) Tuples;
//   - an integer column that has a null anywhere in the object holds
//     floats (pandas' float64); an integer inside a struct or list holds
//     floats when its chunk has a null there, the nulls of such a list
//     being NaN;
//   - timestamps are ISO 8601 text (datetime.isoformat()), dates
//     YYYY-MM-DD.
//
// message reproduces numpy's repr for the lists es-loader leaves as numpy
// arrays (lists inside the elements of a list).
func Parquet(r io.ReaderAt, size int64, emit func(rec *pyjson.Map, message string) error) (err error) {
	defer func() {
		// arrow-go reports some corrupt inputs by panicking
		if p := recover(); p != nil {
			err = fmt.Errorf("parquet: corrupt object: %v", p)
		}
	}()
	pf, err := file.NewParquetReader(io.NewSectionReader(r, 0, size))
	if err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	defer pf.Close()
	if err := checkParquetLayout(pf, size); err != nil {
		return err
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: parquetBatchRows}, memory.DefaultAllocator)
	if err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	schema, err := fr.Schema()
	if err != nil {
		return fmt.Errorf("parquet schema: %w", err)
	}
	ctx := context.Background()
	floatCols, err := intColumnsWithNulls(ctx, fr, schema)
	if err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	var msg []byte
	for rg := 0; rg < pf.NumRowGroups(); rg++ {
		rr, err := fr.GetRecordReader(ctx, nil, []int{rg})
		if err != nil {
			return fmt.Errorf("parquet row group %d: %w", rg, err)
		}
		for rr.Next() {
			batch := rr.RecordBatch()
			for row := 0; row < int(batch.NumRows()); row++ {
				rec, m := parquetRow(batch, row, floatCols, msg[:0])
				msg = m
				if err := emit(rec, string(msg)); err != nil {
					rr.Release()
					return err
				}
			}
		}
		rerr := rr.Err()
		rr.Release()
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			return fmt.Errorf("parquet row group %d: %w", rg, rerr)
		}
	}
	return nil
}

// checkParquetLayout refuses footers whose row groups point outside the
// object. arrow-go reads nested columns on goroutines of its own, where a
// panic on such metadata could not be recovered here.
func checkParquetLayout(pf *file.Reader, size int64) error {
	md := pf.MetaData()
	for rg := 0; rg < md.NumRowGroups(); rg++ {
		rgm := md.RowGroup(rg)
		if rgm.NumRows() < 0 {
			return fmt.Errorf("parquet row group %d: %d rows", rg, rgm.NumRows())
		}
		for c := 0; c < rgm.NumColumns(); c++ {
			cc, err := rgm.ColumnChunk(c)
			if err != nil {
				return fmt.Errorf("parquet row group %d column %d: %w", rg, c, err)
			}
			start := cc.DataPageOffset()
			if cc.HasDictionaryPage() && cc.DictionaryPageOffset() > 0 && start > cc.DictionaryPageOffset() {
				start = cc.DictionaryPageOffset()
			}
			length := cc.TotalCompressedSize()
			if start < 0 || length < 0 || start > size || length > size-start || cc.NumValues() < 0 {
				return fmt.Errorf("parquet row group %d column %d: chunk at %d of %d bytes (%d values) lies outside the %d-byte object", rg, c, start, length, cc.NumValues(), size)
			}
		}
	}
	return nil
}

// parquetRow builds one row's record and appends its Python str() to msg.
func parquetRow(batch arrow.RecordBatch, row int, floatCols []bool, msg []byte) (*pyjson.Map, []byte) {
	n := int(batch.NumCols())
	rec := pyjson.NewMap(n)
	msg = append(msg, '{')
	first := true
	for c := 0; c < n; c++ {
		col := batch.Column(c)
		if topLevelNA(col, row) {
			continue
		}
		name := batch.ColumnName(c)
		conv := pyConv{intsAsFloat: floatCols[c]}
		rec.Set(name, conv.value(col, row))
		if !first {
			msg = append(msg, ", "...)
		}
		first = false
		msg = pyjson.AppendRepr(msg, name)
		msg = append(msg, ": "...)
		msg = conv.repr(msg, col, row, true)
	}
	return rec, append(msg, '}')
}

// topLevelNA is pandas' isna for a column's cell: null, or a float NaN.
func topLevelNA(col arrow.Array, row int) bool {
	if col.IsNull(row) {
		return true
	}
	switch a := col.(type) {
	case *array.Float64:
		return math.IsNaN(a.Value(row))
	case *array.Float32:
		return math.IsNaN(float64(a.Value(row)))
	}
	return false
}

// pyConv converts arrow values to what pandas/pyarrow hand to Python.
type pyConv struct {
	// intsAsFloat: the integers at this level were widened to float64
	// (a null in their scope).
	intsAsFloat bool
}

// nestedConv is the conversion for the children of a struct or the values
// of a map: their integer type is decided by their own array (their chunk).
func nestedConv(arr arrow.Array) pyConv {
	return pyConv{intsAsFloat: arr.NullN() > 0}
}

// listValuesConv is the conversion of a list's values: for a list column
// (and lists directly in it) pandas decided over the whole object, which c
// already holds; below a struct, over the chunk.
func (c pyConv) listValuesConv(values arrow.Array, topLevel bool) pyConv {
	if topLevel {
		return c
	}
	return nestedConv(values)
}

func (c pyConv) value(arr arrow.Array, i int) any {
	return c.valueAt(arr, i, true)
}

// valueAt converts arr[i]; top is true for a row's own columns (and lists
// below them, whose scope is the whole object).
func (c pyConv) valueAt(arr arrow.Array, i int, top bool) any {
	if arr.IsNull(i) {
		// pyarrow gives None for a null struct field or map item
		return nil
	}
	if v, ok := c.scalar(arr, i); ok {
		return v
	}
	switch a := arr.(type) {
	case *array.Struct:
		st := a.DataType().(*arrow.StructType)
		m := pyjson.NewMap(a.NumField())
		for f := 0; f < a.NumField(); f++ {
			child := a.Field(f)
			m.Set(st.Field(f).Name, nestedConv(child).valueAt(child, i, false))
		}
		return m
	case *array.Map:
		start, end := a.ValueOffsets(i)
		keys, items := a.Keys(), a.Items()
		kc, ic := nestedConv(keys), nestedConv(items)
		list := make([]any, 0, end-start)
		for j := int(start); j < int(end); j++ {
			list = append(list, Tuple{kc.valueAt(keys, j, false), ic.valueAt(items, j, false)})
		}
		return list
	case array.ListLike:
		start, end := a.ValueOffsets(i)
		values := a.ListValues()
		vc := c.listValuesConv(values, top)
		list := make([]any, 0, end-start)
		for j := int(start); j < int(end); j++ {
			list = append(list, vc.listElement(values, j, top))
		}
		return list
	case *array.Dictionary:
		return c.valueAt(a.Dictionary(), a.GetValueIndex(i), top)
	}
	return arr.ValueStr(i)
}

// listElement converts an element of a list's values: a null in a
// numeric numpy array is NaN.
func (c pyConv) listElement(values arrow.Array, j int, top bool) any {
	if values.IsNull(j) {
		if isNumericNumpy(values) && c.numericNaN(values) {
			return math.NaN()
		}
		return nil
	}
	return c.valueAt(values, j, top)
}

// numericNaN: a null of this numeric array is NaN in numpy (float arrays,
// and integer arrays widened to float).
func (c pyConv) numericNaN(arr arrow.Array) bool {
	switch arr.(type) {
	case *array.Float16, *array.Float32, *array.Float64:
		return true
	}
	return c.intsAsFloat
}

// scalar converts the values Python holds as plain scalars.
func (c pyConv) scalar(arr arrow.Array, i int) (any, bool) {
	switch a := arr.(type) {
	case *array.Null:
		return nil, true
	case *array.Boolean:
		return a.Value(i), true
	case *array.Int8:
		return c.integer(int64(a.Value(i))), true
	case *array.Int16:
		return c.integer(int64(a.Value(i))), true
	case *array.Int32:
		return c.integer(int64(a.Value(i))), true
	case *array.Int64:
		return c.integer(a.Value(i)), true
	case *array.Uint8:
		return c.unsigned(uint64(a.Value(i))), true
	case *array.Uint16:
		return c.unsigned(uint64(a.Value(i))), true
	case *array.Uint32:
		return c.unsigned(uint64(a.Value(i))), true
	case *array.Uint64:
		return c.unsigned(a.Value(i)), true
	case *array.Float16:
		return float64(a.Value(i).Float32()), true
	case *array.Float32:
		return float64(a.Value(i)), true
	case *array.Float64:
		return a.Value(i), true
	case *array.String:
		return strings.Clone(a.Value(i)), true
	case *array.LargeString:
		return strings.Clone(a.Value(i)), true
	case *array.StringView:
		return strings.Clone(a.Value(i)), true
	case *array.Binary:
		return strings.ToValidUTF8(string(a.Value(i)), "\uFFFD"), true
	case *array.LargeBinary:
		return strings.ToValidUTF8(string(a.Value(i)), "\uFFFD"), true
	case *array.FixedSizeBinary:
		return strings.ToValidUTF8(string(a.Value(i)), "\uFFFD"), true
	case *array.Timestamp:
		return isoTimestamp(a, i), true
	case *array.Date32:
		return a.Value(i).ToTime().Format(time.DateOnly), true
	case *array.Date64:
		return a.Value(i).ToTime().Format(time.DateOnly), true
	case *array.Decimal128, *array.Decimal256:
		return pyjson.Number(arr.ValueStr(i)), true
	}
	return nil, false
}

func (c pyConv) integer(v int64) any {
	if c.intsAsFloat {
		return float64(v)
	}
	return pyjson.Number(strconv.FormatInt(v, 10))
}

func (c pyConv) unsigned(v uint64) any {
	if c.intsAsFloat {
		return float64(v)
	}
	return pyjson.Number(strconv.FormatUint(v, 10))
}

// isoTimestamp is datetime.isoformat() of a timestamp: microseconds when
// not zero, the offset when the column has a time zone.
func isoTimestamp(a *array.Timestamp, i int) string {
	typ := a.DataType().(*arrow.TimestampType)
	t := a.Value(i).ToTime(typ.Unit)
	layout := "2006-01-02T15:04:05"
	if t.Nanosecond()/1000 != 0 {
		layout += ".000000"
	}
	if typ.TimeZone == "" {
		return t.UTC().Format(layout)
	}
	if loc, err := time.LoadLocation(typ.TimeZone); err == nil {
		t = t.In(loc)
	}
	return t.Format(layout + "-07:00")
}

func isNumericNumpy(arr arrow.Array) bool {
	switch arr.(type) {
	case *array.Int8, *array.Int16, *array.Int32, *array.Int64,
		*array.Uint8, *array.Uint16, *array.Uint32, *array.Uint64,
		*array.Float16, *array.Float32, *array.Float64:
		return true
	}
	return false
}

// intColumnsWithNulls tells, per top-level column, whether its integers
// (directly, or as the values of lists) were widened to float by pandas:
// an integer column with a null anywhere in the object. Column statistics
// answer for plain columns; other columns are read once, a row group at a
// time.
func intColumnsWithNulls(ctx context.Context, fr *pqarrow.FileReader, schema *arrow.Schema) ([]bool, error) {
	out := make([]bool, schema.NumFields())
	md := fr.ParquetReader().MetaData()
	for i, f := range schema.Fields() {
		leaf, depth := f.Type, 0
		for {
			lt, ok := leaf.(arrow.ListLikeType)
			if !ok || leaf.ID() == arrow.MAP {
				break
			}
			leaf = lt.Elem()
			depth++
		}
		if !arrow.IsInteger(leaf.ID()) {
			continue
		}
		if depth == 0 {
			if known, hasNulls := nullCountFromStats(fr, i); known {
				out[i] = hasNulls
				continue
			}
		}
		for rg := 0; rg < md.NumRowGroups() && !out[i]; rg++ {
			n, err := leafNulls(ctx, fr, i, rg)
			if err != nil {
				return nil, err
			}
			out[i] = n > 0
		}
	}
	return out, nil
}

// nullCountFromStats answers from the column chunks' statistics when
// every row group has a null count.
func nullCountFromStats(fr *pqarrow.FileReader, field int) (known, hasNulls bool) {
	sf := fr.Manifest.Fields[field]
	if !sf.IsLeaf() {
		return false, false
	}
	pmd := fr.ParquetReader().MetaData()
	for rg := 0; rg < pmd.NumRowGroups(); rg++ {
		cc, err := pmd.RowGroup(rg).ColumnChunk(sf.ColIndex)
		if err != nil {
			return false, false
		}
		if set, err := cc.StatsSet(); err != nil || !set {
			return false, false
		}
		st, err := cc.Statistics()
		if err != nil || st == nil || !st.HasNullCount() {
			return false, false
		}
		if st.NullCount() > 0 {
			return true, true
		}
	}
	return true, false
}

func collectLeaves(sf *pqarrow.SchemaField, into map[int]bool) {
	if sf.IsLeaf() {
		into[sf.ColIndex] = true
	}
	for i := range sf.Children {
		collectLeaves(&sf.Children[i], into)
	}
}

// leafNulls counts the nulls among a column's integers (through its list
// levels) in one row group.
func leafNulls(ctx context.Context, fr *pqarrow.FileReader, field, rg int) (int, error) {
	leaves := map[int]bool{}
	collectLeaves(&fr.Manifest.Fields[field], leaves)
	cr, err := fr.GetFieldReader(ctx, field, leaves, []int{rg})
	if err != nil {
		return 0, err
	}
	if cr == nil {
		return 0, fmt.Errorf("no reader for column %d", field)
	}
	defer cr.Release()
	chunked, err := fr.ReadColumn([]int{rg}, cr)
	if err != nil {
		return 0, err
	}
	defer chunked.Release()
	n := 0
	for _, chunk := range chunked.Chunks() {
		arr := chunk
		for {
			l, ok := arr.(array.ListLike)
			if !ok {
				break
			}
			if _, isMap := arr.(*array.Map); isMap {
				break
			}
			arr = l.ListValues()
		}
		n += arr.NullN()
	}
	return n, nil
}
