package normalize

import (
	"unicode/utf8"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

func (r *Result) warn(reason, sample string) {
	if r.Warnings == nil {
		r.Warnings = map[string]int{}
	}
	r.Warnings[reason]++
	if len(r.Samples) < 5 && sample != "" {
		r.Samples = append(r.Samples, reason+": "+sample)
	}
}

// Lucene refuses terms over 32,766 bytes; es-loader cuts long strings
// (but not @message) once the whole document reaches 65,536 characters of
// its own JSON.
const (
	bigDocChars     = 65536
	bigFieldBytes   = 32766
	bigFieldRunes   = 16383
	truncatedLength = 32753
	truncatedMarker = "<<TRUNCATED>>"
)

func (b *docBuilder) serialize(d *pyjson.Map, text []byte) []byte {
	// del_none while rendering; a document big enough to need cutting is
	// cleaned for real first, since es-loader measures the clean one
	out := pyjson.AppendJSONCleanFrom(b.out[:0], d, text)
	if len(out) >= bigDocChars/6 {
		delNone(d)
		if pythonLength(d) >= bigDocChars {
			truncateBig(d)
			out = pyjson.AppendJSON(out[:0], d)
		}
	}
	b.out = out
	return out
}

// pythonLength is len(json.dumps(d)) with es-loader's ensure_ascii output.
func pythonLength(d *pyjson.Map) int {
	return len(pyjson.AppendDumps(nil, d, true))
}

func truncateBig(m *pyjson.Map) {
	for i := 0; i < m.Len(); i++ {
		k, v := m.At(i)
		switch x := v.(type) {
		case *pyjson.Map:
			truncateBig(x)
		case string:
			if k == "@message" || len(x) < bigFieldBytes || utf8.RuneCountInString(x) < bigFieldRunes {
				continue
			}
			cut := truncatedLength
			for cut > 0 && !utf8.RuneStart(x[cut]) {
				cut--
			}
			m.SetAt(i, x[:cut]+truncatedMarker)
		}
	}
}
