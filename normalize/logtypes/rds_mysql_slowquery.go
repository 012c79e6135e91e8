package logtypes

import (
	"strings"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// RDS for MySQL / MariaDB slow query logs ([rds-mysql-slowquery], through
// CloudWatch Logs). The transform adds the RDS identifiers from the log
// group and stream and rds.query_time, takes rds.database_name from a
// leading "use <db>;" line, sets rds.query to the statement (from the
// first line that starts with neither "use" nor "set", in any case, to the
// end, without trailing semicolons) and moves every mysql_* field under
// mysql.
//
// Where es-loader's script raises (no log group, as in a raw slow query
// log read without CloudWatch Logs), the rest is still applied.

func init() {
	register("rds-mysql-slowquery", transformRDSMySQLSlowQuery)
	registerLineRescue("rds-mysql-slowquery", rescueMySQLSlowQueryEntry)
}

// mysqlSlowQueryRelaxed is the built-in pattern accepting what MySQL
// writes and es-loader drops: a "# Time:" with a UTC offset
// (2018-08-07T16:27:47.169604+08:00; RDS writes Z) and a "# User@Host:"
// line without "Id:" (then mysql.thread_id is absent).
var mysqlSlowQueryRelaxed = relaxedPattern("rds-mysql-slowquery",
	`(?P<mysql_timestamp>[0-9-:.TZ ]+)`, `(?P<mysql_timestamp>[0-9-:.TZ+ ]+)`,
	`.*Id:\s+(?P<mysql_thread_id>[0-9]+)\n`, `.*?(?:Id:\s+(?P<mysql_thread_id>[0-9]+))?\n`)

func rescueMySQLSlowQueryEntry(entry string) (*pyjson.Map, bool) {
	return regexGroups(mysqlSlowQueryRelaxed, entry)
}

func transformRDSMySQLSlowQuery(r *Record) error {
	d := r.Doc
	setRDSIdentifiers(d)
	if qt, ok := d.Get("mysql_query_time"); ok {
		d.Child("rds").Set("query_time", qt)
	}
	if q, ok := d.GetString("mysql_query"); ok {
		if db, ok := slowQueryDatabase(q); ok {
			d.Child("rds").Set("database_name", db)
		}
		if stmt, ok := slowQueryStatement(q); ok {
			d.Child("rds").Set("query", strings.TrimRight(stmt, ";"))
		}
	}
	moveUnderscoreFields(d, "mysql")
	return nil
}

// slowQueryDatabase is the db of a query that starts with "use <db>;",
// where <db> has no space (a lazy [^ ]*? up to the first ';').
func slowQueryDatabase(q string) (string, bool) {
	rest, ok := strings.CutPrefix(q, "use ")
	if !ok {
		return "", false
	}
	end := strings.IndexAny(rest, " ;")
	if end < 0 || rest[end] != ';' {
		return "", false
	}
	return rest[:end], true
}

// slowQueryStatement is es-loader's multiline, case-insensitive
// ^(?!(use|set))[\s\S]* search: the text from the first line start whose
// line does not begin with "use" or "set". A query ending in a newline
// after such lines gives the empty text at its end.
func slowQueryStatement(q string) (string, bool) {
	for start := 0; ; {
		line := q[start:]
		if !hasPrefixFold(line, "use") && !hasPrefixFold(line, "set") {
			return line, true
		}
		i := strings.IndexByte(line, '\n')
		if i < 0 {
			return "", false
		}
		start += i + 1
	}
}

// hasPrefixFold reports whether s starts with the ASCII word w under
// Unicode simple case folding (Python's re.IGNORECASE: "ſet" is "set").
func hasPrefixFold(s, w string) bool {
	n := 0
	for i := range s {
		if n == len(w) {
			return strings.EqualFold(s[:i], w)
		}
		n++
	}
	return n == len(w) && strings.EqualFold(s, w)
}
