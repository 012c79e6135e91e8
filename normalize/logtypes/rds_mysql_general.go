package logtypes

import "github.com/siemloader/siemloader/normalize/pyjson"

// RDS for MySQL / MariaDB general query logs ([rds-mysql-general], through
// CloudWatch Logs): the RDS identifiers from the log group and stream, and
// every mysql_* field moved under mysql. (Without a log group es-loader's
// script raises before moving anything; here the fields still move.)
//
// Lines of the general log format before MySQL 5.7 ("201210 20:58:16\t42
// Query\t..."), which es-loader drops, are read with the same groups.

func init() {
	register("rds-mysql-general", transformRDSMySQLGeneral)
	registerLineRescue("rds-mysql-general", rescueMySQLGeneralLine)
}

// mysqlGeneralOldTime is the built-in pattern with the YYMMDD HH:MM:SS
// time of older servers.
var mysqlGeneralOldTime = relaxedPattern("rds-mysql-general",
	`^(?P<mysql_timestamp>[0-9-:.TZ]+)\s+`, `^(?P<mysql_timestamp>\d{6}\s+\d{1,2}:\d{2}:\d{2})\s+`)

func rescueMySQLGeneralLine(line string) (*pyjson.Map, bool) {
	return regexGroups(mysqlGeneralOldTime, line)
}

func transformRDSMySQLGeneral(r *Record) error {
	setRDSIdentifiers(r.Doc)
	moveUnderscoreFields(r.Doc, "mysql")
	return nil
}
