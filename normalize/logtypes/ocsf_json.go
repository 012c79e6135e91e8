package logtypes

import (
	"fmt"
	"strings"
	"time"

	"github.com/siemloader/siemloader/normalize/pyjson"
	"github.com/siemloader/siemloader/normalize/pytime"
)

// OCSF events as JSON ([ocsf-json], the rows of Amazon Security Lake
// written as JSON). Its script is Security Lake's (sf_securitylake.py):
// transformOCSF also serves [securitylake], the same records read from Parquet.
// The transform
//
//   - routes the event by its OCSF category to log-ocsf-<first word of
//     category_name, lower-cased> (log-ocsf-audit, log-ocsf-network, ...)
//     and names @log_type ocsf-<category_name, spaces as dashes,
//     lower-cased> (ocsf-audit-activity); without a category_name, the
//     category_uid picks the name (1 system activity, 2 findings, 3 audit
//     activity, 4 network activity, 5 config inventory; others: log-ocsf
//     and ocsf),
//   - for findings (category_uid 2) sets @timestamp to the finding's
//     modified_time, else created_time (epoch milliseconds, as a number),
//     and dates the index by it,
//   - shortens a user.name holding ':' to what follows the last ':' and
//     then the last '/' (AROA...:alice → alice).
//
// A record without an integer category_uid makes es-loader's script raise
// before it changes anything; here it is counted as a transform error.
// A finding time that is not an integer epoch also makes it raise (after
// routing the record); here the next time is used, or none.

func init() {
	register("ocsf-json", transformOCSF)
	register("securitylake", transformOCSF)
}

func transformOCSF(r *Record) error {
	d := r.Doc
	uidValue, _ := d.Get("category_uid")
	uid, ok := pyInt(uidValue)
	if !ok {
		return fmt.Errorf("category_uid %s is not an integer", pyjson.Repr(uidValue))
	}
	var indexSuffix, logTypeSuffix string
	if v, _ := d.Get("category_name"); pyjson.Truthy(v) {
		name, isStr := v.(string)
		if !isStr {
			return fmt.Errorf("category_name is %T, not text", v)
		}
		words := strings.FieldsFunc(name, PyIsSpace)
		if len(words) == 0 {
			return fmt.Errorf("category_name %q has no word", name)
		}
		indexSuffix = "-" + strings.ToLower(words[0])
		logTypeSuffix = "-" + strings.ToLower(strings.ReplaceAll(name, " ", "-"))
	} else {
		switch uid {
		case 1:
			indexSuffix, logTypeSuffix = "-system", "-system-activity"
		case 2:
			indexSuffix, logTypeSuffix = "-findings", "-findings"
		case 3:
			indexSuffix, logTypeSuffix = "-audit", "-audit-activity"
		case 4:
			indexSuffix, logTypeSuffix = "-network", "-network-activity"
		case 5:
			indexSuffix, logTypeSuffix = "-config", "-config-inventory"
		}
	}

	// findings are dated by the finding's own times
	var indexTime time.Time
	var findingTime int64
	hasFindingTime := false
	if uid == 2 {
		finding, _ := d.Get("finding")
		fm, _ := finding.(*pyjson.Map)
		for _, k := range [...]string{"modified_time", "created_time"} {
			v, _ := fm.Get(k)
			n, isInt := pyInt(v)
			if !pyjson.Truthy(v) || !isInt {
				continue
			}
			if t, ok := pytime.FromTimestamp(pytime.EpochSeconds(float64(n)), time.UTC); ok {
				findingTime, indexTime, hasFindingTime = n, t, true
				break
			}
		}
	}

	r.IndexName = "log-ocsf" + indexSuffix
	d.Set("@log_type", "ocsf"+logTypeSuffix)
	if hasFindingTime {
		d.Set("@timestamp", intNumber(findingTime))
		r.IndexTime = &indexTime
	}
	if user, ok := d.Get("user"); ok {
		if um, ok := user.(*pyjson.Map); ok {
			if name, ok := um.GetString("name"); ok && strings.IndexByte(name, ':') >= 0 {
				name = name[strings.LastIndexByte(name, ':')+1:]
				um.Set("name", name[strings.LastIndexByte(name, '/')+1:])
			}
		}
	}
	return nil
}
