package logtypes

import (
	"regexp"

	"github.com/siemloader/siemloader/conf"
	"github.com/siemloader/siemloader/normalize/pyjson"
)

// rsyslog's high-precision format (RFC 3339 timestamps, the default on SUSE
// and of many forwarding setups) starts a line with
// "2018-08-14T14:30:02.203151+02:00 host proc[pid]: message". The built-in
// pattern, written for "Aug 14 14:30:02", then takes the timestamp, the
// host and the process as the timestamp, which es-loader cannot parse: it
// aborts the whole object. These lines are read with the same groups from
// their own shape instead.
var syslogRFC3339 = regexp.MustCompile(conf.TranslatePython(
	`^(?P<syslog_timestamp>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?) (?P<hostname>[^ ]*) (?P<proc>[a-zA-Z0-9_\/\.\-]*)(?:\[(?P<pid>[0-9]+)\])?(?:[^\:]*\:)? *(?P<syslog_message>.*)`))

func parseSyslogRFC3339(line string) (*pyjson.Map, bool) {
	if len(line) < 20 || line[4] != '-' || line[10] != 'T' {
		return nil, false
	}
	return regexGroups(syslogRFC3339, line)
}

func init() {
	registerLineVariant("linux-os-syslog", parseSyslogRFC3339)
	registerLineVariant("linux-secure", parseSyslogRFC3339)
}
