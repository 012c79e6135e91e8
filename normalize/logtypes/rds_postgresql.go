package logtypes

import (
	"strconv"
	"strings"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// RDS for PostgreSQL / Aurora PostgreSQL logs ([rds-postgresql], through
// CloudWatch Logs). The transform moves every postgresql_* field under
// postgresql, adds the RDS identifiers from the log group and stream, and
// reads the message by log level:
//
//   - STATEMENT: the message is rds.query,
//   - FATAL "... authentication failed ...": a failed log-in,
//   - LOG "connection authorized": a successful log-in,
//   - LOG "disconnection: session time: h:mm:ss.fff":
//     postgresql.session_time_seconds,
//   - LOG "statement: ..." (log_statement): rds.query, query_step execute,
//   - LOG "duration: n ms [parse|bind|execute <name>: statement]"
//     (log_min_duration_statement): postgresql.duration_ms,
//     rds.query_time in seconds, query_step and rds.query.
//
// The log-in events set event.category "authentication" (a string,
// replacing the static ["database"]), event.type start, event.action and
// event.outcome.
//
// es-loader counts the hours of a session time as 1,440 seconds each
// (hours * 60 * 24); kept, since the field exists in current indices with
// that meaning. Where es-loader's script raises (no log group, as in a raw
// PostgreSQL log read without CloudWatch Logs; a duration or session time
// that is not a number) the rest is still applied.

func init() {
	register("rds-postgresql", transformRDSPostgreSQL)
	registerLineRescue("rds-postgresql", rescuePostgreSQLLine)
}

// pgNoSpaceAfterLevel is the built-in pattern accepting a message that
// follows the level without white space ("...:LOG:started streaming WAL",
// as the RDS user guide prints it); es-loader drops such lines.
var pgNoSpaceAfterLevel = relaxedPattern("rds-postgresql",
	`(?P<postgresql_log_level>[\w]+):\s+`, `(?P<postgresql_log_level>[\w]+):\s*`)

func rescuePostgreSQLLine(line string) (*pyjson.Map, bool) {
	return regexGroups(pgNoSpaceAfterLevel, line)
}

var (
	pgSessionTime = pyRegexp(`^disconnection: session time: (\d+):(\d{2}):([\d.]+)`)
	pgStatement   = pyRegexp(`^statement:\s+(\w+.*)`)
	pgDuration    = pyRegexp(`^duration:\s+(?P<duration>[\d.]+)\s+ms(\s*(?P<step>(parse|bind|execute))?.*?:\s+(?P<statement>.*))?`)
	pgDurationIdx = struct{ duration, step, statement int }{
		pgDuration.SubexpIndex("duration"), pgDuration.SubexpIndex("step"), pgDuration.SubexpIndex("statement"),
	}
)

func transformRDSPostgreSQL(r *Record) error {
	d := r.Doc
	moveUnderscoreFields(d, "postgresql")
	setRDSIdentifiers(d)

	pg, ok := d.Get("postgresql")
	if !ok {
		return nil
	}
	pgMap, ok := pg.(*pyjson.Map)
	if !ok {
		return nil
	}
	level, hasLevel := pgMap.Get("log_level")
	if !hasLevel {
		return nil
	}
	msg, _ := pgMap.GetString("message")
	switch level {
	case "STATEMENT":
		m, _ := pgMap.Get("message")
		d.Child("rds").Set("query", m)
	case "FATAL":
		if strings.Contains(msg, "authentication failed") {
			setFailedAuthentication(d)
		}
	case "LOG":
		switch {
		case strings.Contains(msg, "connection authorized"):
			ev := d.Child("event")
			ev.Set("category", "authentication")
			ev.Set("type", "start")
			ev.Set("action", "authorized")
			ev.Set("outcome", "success")
		case pgSessionTime.MatchString(msg):
			if secs, ok := pgSessionSeconds(msg); ok {
				pgMap.Set("session_time_seconds", pyjson.Number(pyjson.PyFloatRepr(secs)))
			}
		default:
			pgSlowLog(d, pgMap, msg)
		}
	}
	return nil
}

// pgSessionSeconds reads "h:mm:ss.fff" the way es-loader adds it up.
func pgSessionSeconds(msg string) (float64, bool) {
	m := pgSessionTime.FindStringSubmatch(msg)
	hours, err1 := strconv.ParseInt(m[1], 10, 64)
	minutes, err2 := strconv.ParseInt(m[2], 10, 64)
	secs, err3 := strconv.ParseFloat(m[3], 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return 0, false
	}
	if hours > 0 {
		secs += float64(hours * 60 * 24)
	}
	if minutes > 0 {
		secs += float64(minutes * 60)
	}
	return secs, true
}

// pgSlowLog is es-loader's extract_slow_log for a LOG message.
func pgSlowLog(d, pg *pyjson.Map, msg string) {
	if m := pgStatement.FindStringSubmatch(msg); m != nil {
		d.Child("rds").Set("query", strings.TrimRight(m[1], ";"))
		pg.Set("query_step", "execute")
		return
	}
	m := pgDuration.FindStringSubmatchIndex(msg)
	if m == nil {
		return
	}
	group := func(i int) (string, bool) {
		if m[2*i] < 0 {
			return "", false
		}
		return msg[m[2*i]:m[2*i+1]], true
	}
	text, _ := group(pgDurationIdx.duration)
	ms, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return
	}
	pg.Set("duration_ms", pyjson.Number(pyjson.PyFloatRepr(ms)))
	d.Child("rds").Set("query_time", pyjson.Number(pyjson.PyFloatRepr(ms/1000)))
	if step, ok := group(pgDurationIdx.step); ok {
		pg.Set("query_step", step)
		stmt, _ := group(pgDurationIdx.statement)
		d.Child("rds").Set("query", stmt)
	} else {
		pg.Set("query_step", "execute")
	}
}
