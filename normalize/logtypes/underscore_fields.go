package logtypes

import (
	"strings"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// moveUnderscoreFields is es-loader's
// utils.convert_underscore_field_into_dot_notation, used by the RDS and
// MSK transforms: every top-level field "<prefix>_<name>" moves to
// <prefix>.<name>, in document order. The <prefix> object is created, last,
// when the document has none, even if no field moves (the clean-up drops
// it again when empty).
//
// The new name is the old one with every "<prefix>_" removed, not just the
// leading one ("mysql_a_mysql_b" becomes "ab"), as in es-loader. When
// <prefix> already holds something other than an object es-loader raises;
// here the fields are left where they are.
func moveUnderscoreFields(d *pyjson.Map, prefix string) {
	target, ok := d.Get(prefix)
	if !ok {
		target = pyjson.NewMap(8)
		d.Set(prefix, target)
	}
	obj, ok := target.(*pyjson.Map)
	if !ok {
		return
	}
	lead := prefix + "_"
	var moving []string
	for _, k := range d.Keys() {
		if strings.HasPrefix(k, lead) {
			moving = append(moving, k)
		}
	}
	for _, k := range moving {
		v, _ := d.Get(k)
		obj.Set(strings.ReplaceAll(k, lead, ""), v)
		d.Delete(k)
	}
}
