package decode

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// Tuple is a Python tuple: pyarrow hands a map cell to Python as a list of
// (key, value) tuples, and es-loader's text of such a field (json_to_text,
// @message) shows them in parentheses. Its String is Python's repr, which
// pyjson's Repr and Str fall back to.
type Tuple []any

// String is repr(t).
func (t Tuple) String() string {
	b := []byte{'('}
	for i, e := range t {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendPyRepr(b, e)
	}
	if len(t) == 1 {
		b = append(b, ',')
	}
	return string(append(b, ')'))
}

func appendPyRepr(dst []byte, v any) []byte {
	if t, ok := v.(Tuple); ok {
		return append(dst, t.String()...)
	}
	return pyjson.AppendRepr(dst, v)
}

// repr appends Python's repr of arr[i] as es-loader holds it. dictPath:
// the value is reached from the row through objects only, where
// es-loader's clean_dict has turned numpy arrays into lists; below a list
// they stay numpy arrays.
func (c pyConv) repr(dst []byte, arr arrow.Array, i int, dictPath bool) []byte {
	return c.reprAt(dst, arr, i, dictPath, dictPath)
}

func (c pyConv) reprAt(dst []byte, arr arrow.Array, i int, dictPath, top bool) []byte {
	if arr.IsNull(i) {
		return append(dst, "None"...)
	}
	if v, ok := c.scalar(arr, i); ok {
		return appendPyRepr(dst, v)
	}
	switch a := arr.(type) {
	case *array.Struct:
		st := a.DataType().(*arrow.StructType)
		dst = append(dst, '{')
		for f := 0; f < a.NumField(); f++ {
			if f > 0 {
				dst = append(dst, ", "...)
			}
			dst = pyjson.AppendRepr(dst, st.Field(f).Name)
			dst = append(dst, ": "...)
			child := a.Field(f)
			dst = nestedConv(child).reprAt(dst, child, i, dictPath, false)
		}
		return append(dst, '}')
	case *array.Map:
		start, end := a.ValueOffsets(i)
		keys, items := a.Keys(), a.Items()
		kc, ic := nestedConv(keys), nestedConv(items)
		dst = append(dst, '[')
		for j := int(start); j < int(end); j++ {
			if j > int(start) {
				dst = append(dst, ", "...)
			}
			dst = append(dst, '(')
			dst = kc.reprAt(dst, keys, j, false, false)
			dst = append(dst, ", "...)
			dst = ic.reprAt(dst, items, j, false, false)
			dst = append(dst, ')')
		}
		return append(dst, ']')
	case array.ListLike:
		start, end := a.ValueOffsets(i)
		values := a.ListValues()
		vc := c.listValuesConv(values, top)
		if dictPath {
			// ndarray.tolist(): the elements as Python objects
			dst = append(dst, '[')
			for j := int(start); j < int(end); j++ {
				if j > int(start) {
					dst = append(dst, ", "...)
				}
				if values.IsNull(j) && isNumericNumpy(values) && vc.numericNaN(values) {
					dst = append(dst, "nan"...)
					continue
				}
				dst = vc.reprAt(dst, values, j, false, top)
			}
			return append(dst, ']')
		}
		return vc.appendNumpyRepr(dst, values, int(start), int(end), top)
	case *array.Dictionary:
		return c.reprAt(dst, a.Dictionary(), a.GetValueIndex(i), dictPath, top)
	}
	return pyjson.AppendRepr(dst, arr.ValueStr(i))
}

// numpy's defaults for an array's repr.
const (
	numpyLineWidth = 75
	numpyThreshold = 1000
	numpyEdgeItems = 3
)

// appendNumpyRepr appends numpy's repr of values[start:end] as pyarrow
// converts them: e.g. array(['a', 'b'], dtype=object), array([1, 2],
// dtype=int32), wrapped at 75 columns.
func (c pyConv) appendNumpyRepr(dst []byte, values arrow.Array, start, end int, top bool) []byte {
	dtype, implied := c.numpyDType(values)
	shown := make([]int, 0, end-start)
	summarized := end-start > numpyThreshold
	for j := start; j < end; j++ {
		if summarized && j >= start+numpyEdgeItems && j < end-numpyEdgeItems {
			continue
		}
		shown = append(shown, j)
	}
	words := c.numpyWords(values, shown, dtype, top)
	return appendNumpyArrayRepr(dst, words, summarized, dtype, implied)
}

// appendNumpyArrayRepr puts formatted elements into numpy's array(...)
// text, the dtype after them unless it is implied.
func appendNumpyArrayRepr(dst []byte, words []string, summarized bool, dtype string, implied bool) []byte {
	body := "[]"
	if len(words) > 0 {
		body = wrapNumpyWords(words, summarized)
	}
	arr := "array(" + body
	if implied && len(words) > 0 {
		return append(append(dst, arr...), ')')
	}
	arr += ","
	dtypeText := "dtype=" + dtype + ")"
	lastLine := arr[strings.LastIndexByte(arr, '\n')+1:]
	if runeLen(lastLine)+len(dtypeText)+1 > numpyLineWidth {
		arr += "\n" + strings.Repeat(" ", len("array("))
	} else {
		arr += " "
	}
	return append(append(dst, arr...), dtypeText...)
}

// numpyDType is the dtype pyarrow gives a list's values, and whether
// numpy's repr leaves it out (its default int, float and bool).
func (c pyConv) numpyDType(values arrow.Array) (string, bool) {
	switch values.(type) {
	case *array.Int8, *array.Int16, *array.Int32, *array.Int64,
		*array.Uint8, *array.Uint16, *array.Uint32, *array.Uint64:
		if c.intsAsFloat {
			return "float64", true
		}
		name := values.DataType().Name()
		return name, name == "int64"
	case *array.Float16:
		return "float16", false
	case *array.Float32:
		return "float32", false
	case *array.Float64:
		return "float64", true
	case *array.Boolean:
		if values.NullN() > 0 {
			return "object", false
		}
		return "bool", true
	}
	return "object", false
}

// numpyWords formats the shown elements the way numpy's formatter for
// the dtype does.
func (c pyConv) numpyWords(values arrow.Array, shown []int, dtype string, top bool) []string {
	words := make([]string, len(shown))
	switch {
	case dtype == "bool":
		for k, j := range shown {
			if values.(*array.Boolean).Value(j) {
				words[k] = " True"
			} else {
				words[k] = "False"
			}
		}
	case strings.HasPrefix(dtype, "int") || strings.HasPrefix(dtype, "uint"):
		width := 0
		for k, j := range shown {
			words[k] = values.ValueStr(j)
			width = max(width, len(words[k]))
		}
		for k := range words {
			words[k] = strings.Repeat(" ", width-len(words[k])) + words[k]
		}
	case strings.HasPrefix(dtype, "float"):
		fs := make([]float64, len(shown))
		for k, j := range shown {
			if values.IsNull(j) {
				fs[k] = math.NaN()
				continue
			}
			switch a := values.(type) {
			case *array.Float16:
				fs[k] = float64(a.Value(j).Float32())
			case *array.Float32:
				fs[k] = float64(a.Value(j))
			case *array.Float64:
				fs[k] = a.Value(j)
			default:
				v, _ := strconv.ParseFloat(values.ValueStr(j), 64)
				fs[k] = v
			}
		}
		bits := 64
		if dtype != "float64" {
			bits = 32
		}
		return numpyFloatWords(fs, bits)
	default:
		for k, j := range shown {
			w := c.reprAt(nil, values, j, false, top)
			if _, isMap := values.(*array.Map); isMap && !values.IsNull(j) {
				w = append(append([]byte("list("), w...), ')')
			}
			words[k] = string(w)
		}
	}
	return words
}

// numpyFloatWords is numpy's FloatingFormat with its defaults (precision
// 8, 'maxprec', unique digits): positional unless the magnitudes call for
// scientific notation, padded so that the points align.
func numpyFloatWords(fs []float64, bits int) []string {
	maxAbs, minAbs := 0.0, math.Inf(1)
	for _, f := range fs {
		if a := math.Abs(f); a != 0 && !math.IsNaN(a) && !math.IsInf(a, 0) {
			maxAbs = max(maxAbs, a)
			minAbs = min(minAbs, a)
		}
	}
	scientific := maxAbs >= 1e8 || (maxAbs > 0 && (minAbs < 1e-4 || maxAbs/minAbs > 1e3))
	ints := make([]string, len(fs))
	fracs := make([]string, len(fs))
	exps := make([]string, len(fs))
	padLeft, padRight, expLen := 0, 0, 0
	for k, f := range fs {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		var s string
		if scientific {
			s = strconv.FormatFloat(f, 'e', -1, bits)
			if m, e, ok := strings.Cut(s, "e"); ok {
				s, exps[k] = m, e
				expLen = max(expLen, len(e))
			}
		} else {
			s = strconv.FormatFloat(f, 'f', -1, bits)
			if dot := strings.IndexByte(s, '.'); dot >= 0 && len(s)-dot-1 > 8 {
				s = strings.TrimRight(strconv.FormatFloat(f, 'f', 8, bits), "0")
			}
		}
		ints[k], fracs[k], _ = strings.Cut(s, ".")
		padLeft = max(padLeft, len(ints[k]))
		padRight = max(padRight, len(fracs[k]))
	}
	// room for nan and inf in the integer part, as numpy makes it
	special := 0
	for _, f := range fs {
		switch {
		case math.IsNaN(f), math.IsInf(f, 1):
			special = max(special, 3)
		case math.IsInf(f, -1):
			special = max(special, 4)
		}
	}
	padLeft = max(padLeft, special-padRight-1)
	words := make([]string, len(fs))
	for k, f := range fs {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			text := "nan"
			if math.IsInf(f, 1) {
				text = "inf"
			} else if math.IsInf(f, -1) {
				text = "-inf"
			}
			width := padLeft + padRight + 1
			if scientific {
				width += 2 + max(expLen-1, 2)
			}
			words[k] = strings.Repeat(" ", max(0, width-len(text))) + text
			continue
		}
		if scientific {
			// the mantissas share one number of digits, zero-filled
			e := exps[k]
			sign, digits := e[:1], e[1:]
			if len(digits) < 2 {
				digits = "0" + digits
			}
			words[k] = strings.Repeat(" ", padLeft-len(ints[k])) + ints[k] + "." + fracs[k] + strings.Repeat("0", padRight-len(fracs[k])) + "e" + sign + digits
			continue
		}
		words[k] = strings.Repeat(" ", padLeft-len(ints[k])) + ints[k] + "." + fracs[k] + strings.Repeat(" ", padRight-len(fracs[k]))
	}
	return words
}

// wrapNumpyWords lays out a 1-d array's elements as numpy's _formatArray
// does for a repr: "[" + elements separated by ", ", lines kept within
// the width (the last one leaving room for the closing text), continuation
// lines indented under the first element.
func wrapNumpyWords(words []string, summarized bool) string {
	const indent = "       " // " " + len("array(") spaces
	lineWidth := numpyLineWidth - 1
	elemWidth := lineWidth - 1
	var s strings.Builder
	line := indent
	extend := func(word string) {
		lines := strings.Split(word, "\n")
		if len(lines) == 1 {
			if runeLen(line)+runeLen(word) > elemWidth && runeLen(line) > len(indent) {
				s.WriteString(strings.TrimRight(line, " "))
				s.WriteByte('\n')
				line = indent
			}
			line += word
			return
		}
		longest := 0
		for _, l := range lines {
			longest = max(longest, runeLen(l))
		}
		var pad string
		if runeLen(line)+longest > elemWidth && runeLen(line) > len(indent) {
			s.WriteString(strings.TrimRight(line, " "))
			s.WriteByte('\n')
			line = indent + lines[0]
			pad = indent
		} else {
			pad = strings.Repeat(" ", runeLen(line))
			line += lines[0]
		}
		for _, l := range lines[1:] {
			s.WriteString(strings.TrimRight(line, " "))
			s.WriteByte('\n')
			line = pad + l
		}
		line += strings.Repeat(" ", longest-runeLen(lines[len(lines)-1]))
	}
	for k, w := range words {
		if summarized && k == numpyEdgeItems {
			extend("...")
			line += ", "
		}
		extend(w)
		if k < len(words)-1 {
			line += ", "
		}
	}
	s.WriteString(line)
	return "[" + s.String()[len(indent):] + "]"
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }
