package logtypes

import (
	"regexp"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// RDS for MySQL / MariaDB error logs ([rds-mysql-error], through
// CloudWatch Logs). The transform adds the RDS identifiers from the log
// group and stream, recognises two failures as authentication events, and
// moves every mysql_* field under mysql:
//
//   - "Access denied for user 'u'@'h'": user.name and mysql.username u,
//     mysql.host and source.address h (source.ip too when h is an IP),
//   - "Unknown database 'db'": mysql.database and rds.database_name db,
//
// both with event.category "authentication" (a string, replacing the
// static ["database"]), event.type start, event.action failed and
// event.outcome failure.
//
// Where es-loader's script raises (no log group to read the identifiers
// from, as in a raw error log read without CloudWatch Logs), the rest is
// still applied.

func init() { register("rds-mysql-error", transformRDSMySQLError) }

// mysqlAccessDenied and mysqlUnknownDB are matched at the start of the
// message (re.match).
var (
	mysqlAccessDenied = regexp.MustCompile(`^Access denied for user '([^']*)'@'([^']*)'`)
	mysqlUnknownDB    = regexp.MustCompile(`^Unknown database '([^']*)'`)
)

func transformRDSMySQLError(r *Record) error {
	d := r.Doc
	setRDSIdentifiers(d)

	msg, _ := d.GetString("mysql_message")
	if m := mysqlAccessDenied.FindStringSubmatch(msg); m != nil {
		setFailedAuthentication(d)
		user, host := m[1], m[2]
		d.Set("mysql_username", user)
		d.Child("user").Set("name", user)
		d.Set("mysql_host", host)
		src := d.Child("source")
		src.Set("address", host)
		if ValidIP(host) {
			src.Set("ip", host)
		}
	}
	if m := mysqlUnknownDB.FindStringSubmatch(msg); m != nil {
		setFailedAuthentication(d)
		d.Set("mysql_database", m[1])
		d.Child("rds").Set("database_name", m[1])
	}

	moveUnderscoreFields(d, "mysql")
	return nil
}

// setFailedAuthentication marks a failed log-in the way the RDS scripts
// do.
func setFailedAuthentication(d *pyjson.Map) {
	ev := d.Child("event")
	ev.Set("category", "authentication")
	ev.Set("type", "start")
	ev.Set("action", "failed")
	ev.Set("outcome", "failure")
}
