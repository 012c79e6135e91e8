package logtypes

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRDSMySQLAuditTransform(t *testing.T) {
	runTransformCases(t, transformRDSMySQLAudit, []tcase{
		{
			name: "query with escaped quotes",
			in:   `{"mysql_timestamp":"1645164733006789","mysql_serverhost":"myaudb-instance-1","mysql_username":"rdsadmin","mysql_host":"localhost","mysql_thread_id":"5","mysql_queryid":"1013","mysql_operation":"QUERY","mysql_database":"mysql","mysql_object":"'SELECT count(*) from mysql.plugin WHERE name = \\'AWSAuthenticationPlugin\\''","mysql_retcode":"0","cwl_timestamp":1645164733006,"@log_s3key":"AWSLogs/123456789012/RDS/aurora-mysql/myaudb/audit/2022/02/18/06/aes-siem-firehose-rds-audit-1-2022-02-18-06-12-13-e34f0b6a","@log_group":"/aws/rds/cluster/myaudb/audit","@log_stream":"myaudb-instance-1.audit.log.1","event":{"module":"audit","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"user":{"name":"rdsadmin"},"rds":{"database_name":"mysql","query":"'SELECT count(*) from mysql.plugin WHERE name = \\'AWSAuthenticationPlugin\\''"},"related":{"user":["rdsadmin"]},"source":{"address":"localhost"}}`,
			want: `{"cwl_timestamp":1645164733006,"@log_s3key":"AWSLogs/123456789012/RDS/aurora-mysql/myaudb/audit/2022/02/18/06/aes-siem-firehose-rds-audit-1-2022-02-18-06-12-13-e34f0b6a","@log_group":"/aws/rds/cluster/myaudb/audit","@log_stream":"myaudb-instance-1.audit.log.1","event":{"module":"audit","category":["database"],"outcome":"failure"},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"user":{"name":"rdsadmin"},"rds":{"database_name":"mysql","query":"SELECT count(*) from mysql.plugin WHERE name = 'AWSAuthenticationPlugin'","cluster_identifier":"myaudb","instance_identifier":"myaudb-instance-1"},"related":{"user":["rdsadmin"]},"source":{"address":"localhost"},"mysql":{"timestamp":1645164733.006789,"serverhost":"myaudb-instance-1","username":"rdsadmin","host":"localhost","thread_id":"5","queryid":"1013","operation":"QUERY","database":"mysql","object":"'SELECT count(*) from mysql.plugin WHERE name = \\'AWSAuthenticationPlugin\\''","retcode":"0"}}`,
		},
		{
			name: "table read keeps an unquoted object",
			// es-loader cuts the first and last character of every object ("lugi"); fixed
			in:   `{"mysql_timestamp":"1645164733006686","mysql_serverhost":"myaudb-instance-1","mysql_username":"rdsadmin","mysql_host":"localhost","mysql_thread_id":"5","mysql_queryid":"1013","mysql_operation":"READ","mysql_database":"mysql","mysql_object":"plugin","mysql_retcode":"","cwl_timestamp":1645164733006,"@log_s3key":"AWSLogs/123456789012/RDS/aurora-mysql/myaudb/audit/2022/02/18/06/aes-siem-firehose-rds-audit-1-2022-02-18-06-12-13-e34f0b6a","@log_group":"/aws/rds/cluster/myaudb/audit","@log_stream":"myaudb-instance-1.audit.log.1","event":{"module":"audit","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"user":{"name":"rdsadmin"},"rds":{"database_name":"mysql","query":"plugin"},"related":{"user":["rdsadmin"]},"source":{"address":"localhost"}}`,
			want: `{"cwl_timestamp":1645164733006,"@log_s3key":"AWSLogs/123456789012/RDS/aurora-mysql/myaudb/audit/2022/02/18/06/aes-siem-firehose-rds-audit-1-2022-02-18-06-12-13-e34f0b6a","@log_group":"/aws/rds/cluster/myaudb/audit","@log_stream":"myaudb-instance-1.audit.log.1","event":{"module":"audit","category":["database"],"outcome":"failure"},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"user":{"name":"rdsadmin"},"rds":{"database_name":"mysql","query":"plugin","cluster_identifier":"myaudb","instance_identifier":"myaudb-instance-1"},"related":{"user":["rdsadmin"]},"source":{"address":"localhost"},"mysql":{"timestamp":1645164733.006686,"serverhost":"myaudb-instance-1","username":"rdsadmin","host":"localhost","thread_id":"5","queryid":"1013","operation":"READ","database":"mysql","object":"plugin","retcode":""}}`,
		},
		{
			name: "connect is a log-in; retcode 0 is failure as in es-loader",
			in:   `{"mysql_timestamp":"1645164755112233","mysql_serverhost":"myaudb-instance-1","mysql_username":"admin","mysql_host":"10.0.1.25","mysql_thread_id":"116","mysql_queryid":"0","mysql_operation":"CONNECT","mysql_database":"shop","mysql_object":"","mysql_retcode":"0","cwl_timestamp":1645164755112,"@log_s3key":"AWSLogs/123456789012/RDS/aurora-mysql/myaudb/audit/2022/02/18/06/aes-siem-firehose-rds-audit-1-2022-02-18-06-12-13-e34f0b6a","@log_group":"/aws/rds/cluster/myaudb/audit","@log_stream":"myaudb-instance-1.audit.log.1","event":{"module":"audit","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"user":{"name":"admin"},"rds":{"database_name":"shop"},"related":{"user":["admin"],"ip":["10.0.1.25"]},"source":{"address":"10.0.1.25","ip":"10.0.1.25"}}`,
			want: `{"cwl_timestamp":1645164755112,"@log_s3key":"AWSLogs/123456789012/RDS/aurora-mysql/myaudb/audit/2022/02/18/06/aes-siem-firehose-rds-audit-1-2022-02-18-06-12-13-e34f0b6a","@log_group":"/aws/rds/cluster/myaudb/audit","@log_stream":"myaudb-instance-1.audit.log.1","event":{"module":"audit","category":"authentication","type":"start","action":"authorized","outcome":"failure"},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"user":{"name":"admin"},"rds":{"database_name":"shop","cluster_identifier":"myaudb","instance_identifier":"myaudb-instance-1","query":""},"related":{"user":["admin"],"ip":["10.0.1.25"]},"source":{"address":"10.0.1.25","ip":"10.0.1.25"},"mysql":{"timestamp":1645164755.112233,"serverhost":"myaudb-instance-1","username":"admin","host":"10.0.1.25","thread_id":"116","queryid":"0","operation":"CONNECT","database":"shop","object":"","retcode":"0"}}`,
		},
		{
			name: "failed connect",
			in:   `{"mysql_timestamp":"1645164755201000","mysql_serverhost":"myaudb-instance-1","mysql_username":"admin","mysql_host":"203.0.113.7","mysql_thread_id":"117","mysql_queryid":"0","mysql_operation":"FAILED_CONNECT","mysql_database":"","mysql_object":"","mysql_retcode":"1045","cwl_timestamp":1645164755201,"@log_s3key":"AWSLogs/123456789012/RDS/aurora-mysql/myaudb/audit/2022/02/18/06/aes-siem-firehose-rds-audit-1-2022-02-18-06-12-13-e34f0b6a","@log_group":"/aws/rds/cluster/myaudb/audit","@log_stream":"myaudb-instance-1.audit.log.1","event":{"module":"audit","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"user":{"name":"admin"},"related":{"user":["admin"],"ip":["203.0.113.7"]},"source":{"address":"203.0.113.7","ip":"203.0.113.7"}}`,
			want: `{"cwl_timestamp":1645164755201,"@log_s3key":"AWSLogs/123456789012/RDS/aurora-mysql/myaudb/audit/2022/02/18/06/aes-siem-firehose-rds-audit-1-2022-02-18-06-12-13-e34f0b6a","@log_group":"/aws/rds/cluster/myaudb/audit","@log_stream":"myaudb-instance-1.audit.log.1","event":{"module":"audit","category":"authentication","type":"start","action":"failed","outcome":"failure"},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"user":{"name":"admin"},"related":{"user":["admin"],"ip":["203.0.113.7"]},"source":{"address":"203.0.113.7","ip":"203.0.113.7"},"rds":{"cluster_identifier":"myaudb","instance_identifier":"myaudb-instance-1","query":""},"mysql":{"timestamp":1645164755.201,"serverhost":"myaudb-instance-1","username":"admin","host":"203.0.113.7","thread_id":"117","queryid":"0","operation":"FAILED_CONNECT","database":"","object":"","retcode":"1045"}}`,
		},
		{
			name: "disconnect",
			in:   `{"mysql_timestamp":"1645164790000001","mysql_serverhost":"myaudb-instance-1","mysql_username":"admin","mysql_host":"10.0.1.25","mysql_thread_id":"116","mysql_queryid":"0","mysql_operation":"DISCONNECT","mysql_database":"shop","mysql_object":"","mysql_retcode":"0","cwl_timestamp":1645164790000,"@log_s3key":"AWSLogs/123456789012/RDS/aurora-mysql/myaudb/audit/2022/02/18/06/aes-siem-firehose-rds-audit-1-2022-02-18-06-12-13-e34f0b6a","@log_group":"/aws/rds/cluster/myaudb/audit","@log_stream":"myaudb-instance-1.audit.log.1","event":{"module":"audit","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"user":{"name":"admin"},"rds":{"database_name":"shop"},"related":{"user":["admin"],"ip":["10.0.1.25"]},"source":{"address":"10.0.1.25","ip":"10.0.1.25"}}`,
			want: `{"cwl_timestamp":1645164790000,"@log_s3key":"AWSLogs/123456789012/RDS/aurora-mysql/myaudb/audit/2022/02/18/06/aes-siem-firehose-rds-audit-1-2022-02-18-06-12-13-e34f0b6a","@log_group":"/aws/rds/cluster/myaudb/audit","@log_stream":"myaudb-instance-1.audit.log.1","event":{"module":"audit","category":"authentication","type":"end","action":"disconnected","outcome":"failure"},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"user":{"name":"admin"},"rds":{"database_name":"shop","cluster_identifier":"myaudb","instance_identifier":"myaudb-instance-1","query":""},"related":{"user":["admin"],"ip":["10.0.1.25"]},"source":{"address":"10.0.1.25","ip":"10.0.1.25"},"mysql":{"timestamp":1645164790.000001,"serverhost":"myaudb-instance-1","username":"admin","host":"10.0.1.25","thread_id":"116","queryid":"0","operation":"DISCONNECT","database":"shop","object":"","retcode":"0"}}`,
		},
		{
			name: "instance log group; escapes and non-ASCII text",
			// es-loader reads the UTF-8 bytes as Latin-1 ("rÃ©sumÃ©"); the text is kept here
			in:   `{"mysql_timestamp":"1716210000123456","mysql_serverhost":"ip-10-0-2-15","mysql_username":"app","mysql_host":"10.0.1.25","mysql_thread_id":"88","mysql_queryid":"4512","mysql_operation":"QUERY","mysql_database":"shop","mysql_object":"'UPDATE orders SET note=\\'résumé\\\\n\\\\x41\\' WHERE id=7;'","mysql_retcode":"0","cwl_timestamp":1716210000123,"@log_s3key":"AWSLogs/123456789012/RDS/mysql/database-1/audit/2024/05/20/13/aes-siem-firehose-rds-audit-1-2024-05-20-13-20-00-5d1c2b3a","@log_group":"/aws/rds/instance/database-1/audit","@log_stream":"database-1","event":{"module":"audit","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"user":{"name":"app"},"rds":{"database_name":"shop","query":"'UPDATE orders SET note=\\'résumé\\\\n\\\\x41\\' WHERE id=7;'"},"related":{"user":["app"],"ip":["10.0.1.25"]},"source":{"address":"10.0.1.25","ip":"10.0.1.25"}}`,
			want: `{"cwl_timestamp":1716210000123,"@log_s3key":"AWSLogs/123456789012/RDS/mysql/database-1/audit/2024/05/20/13/aes-siem-firehose-rds-audit-1-2024-05-20-13-20-00-5d1c2b3a","@log_group":"/aws/rds/instance/database-1/audit","@log_stream":"database-1","event":{"module":"audit","category":["database"],"outcome":"failure"},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"user":{"name":"app"},"rds":{"database_name":"shop","query":"UPDATE orders SET note='résumé\\n\\x41' WHERE id=7;","cluster_identifier":null,"instance_identifier":"database-1"},"related":{"user":["app"],"ip":["10.0.1.25"]},"source":{"address":"10.0.1.25","ip":"10.0.1.25"},"mysql":{"timestamp":1716210000.123456,"serverhost":"ip-10-0-2-15","username":"app","host":"10.0.1.25","thread_id":"88","queryid":"4512","operation":"QUERY","database":"shop","object":"'UPDATE orders SET note=\\'résumé\\\\n\\\\x41\\' WHERE id=7;'","retcode":"0"}}`,
		},
		{
			name: "object whose escapes do not decode keeps the mapped query",
			// es-loader raises half-way (no event.outcome, no mysql object); here rds.query keeps
			// the mapped object and the rest is applied
			in:   `{"mysql_timestamp":"1716210000223456","mysql_serverhost":"ip-10-0-2-15","mysql_username":"app","mysql_host":"10.0.1.25","mysql_thread_id":"88","mysql_queryid":"4513","mysql_operation":"QUERY","mysql_database":"shop","mysql_object":"'SELECT \\x4'","mysql_retcode":"0","cwl_timestamp":1716210000223,"@log_s3key":"AWSLogs/123456789012/RDS/mysql/database-1/audit/2024/05/20/13/aes-siem-firehose-rds-audit-1-2024-05-20-13-20-00-5d1c2b3a","@log_group":"/aws/rds/instance/database-1/audit","@log_stream":"database-1","event":{"module":"audit","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"user":{"name":"app"},"rds":{"database_name":"shop","query":"'SELECT \\x4'"},"related":{"user":["app"],"ip":["10.0.1.25"]},"source":{"address":"10.0.1.25","ip":"10.0.1.25"}}`,
			want: `{"cwl_timestamp":1716210000223,"@log_s3key":"AWSLogs/123456789012/RDS/mysql/database-1/audit/2024/05/20/13/aes-siem-firehose-rds-audit-1-2024-05-20-13-20-00-5d1c2b3a","@log_group":"/aws/rds/instance/database-1/audit","@log_stream":"database-1","event":{"module":"audit","category":["database"],"outcome":"failure"},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"user":{"name":"app"},"rds":{"database_name":"shop","query":"'SELECT \\x4'","cluster_identifier":null,"instance_identifier":"database-1"},"related":{"user":["app"],"ip":["10.0.1.25"]},"source":{"address":"10.0.1.25","ip":"10.0.1.25"},"mysql":{"timestamp":1716210000.223456,"serverhost":"ip-10-0-2-15","username":"app","host":"10.0.1.25","thread_id":"88","queryid":"4513","operation":"QUERY","database":"shop","object":"'SELECT \\x4'","retcode":"0"}}`,
		},
		{
			name: "raw audit file without log group",
			// es-loader raises before changing anything; here only the identifiers are missing
			in:   `{"mysql_timestamp":"1716210000323456","mysql_serverhost":"ip-10-0-2-15","mysql_username":"app","mysql_host":"10.0.1.25","mysql_thread_id":"88","mysql_queryid":"4514","mysql_operation":"QUERY","mysql_database":"shop","mysql_object":"'COMMIT'","mysql_retcode":"0","cwl_timestamp":1716210000323,"@log_s3key":"AWSLogs/123456789012/RDS/mysql/database-1/audit/raw/server_audit.log","event":{"module":"audit","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"user":{"name":"app"},"rds":{"database_name":"shop","query":"'COMMIT'"},"related":{"user":["app"],"ip":["10.0.1.25"]},"source":{"address":"10.0.1.25","ip":"10.0.1.25"}}`,
			want: `{"cwl_timestamp":1716210000323,"@log_s3key":"AWSLogs/123456789012/RDS/mysql/database-1/audit/raw/server_audit.log","event":{"module":"audit","category":["database"],"outcome":"failure"},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"user":{"name":"app"},"rds":{"database_name":"shop","query":"COMMIT"},"related":{"user":["app"],"ip":["10.0.1.25"]},"source":{"address":"10.0.1.25","ip":"10.0.1.25"},"mysql":{"timestamp":1716210000.323456,"serverhost":"ip-10-0-2-15","username":"app","host":"10.0.1.25","thread_id":"88","queryid":"4514","operation":"QUERY","database":"shop","object":"'COMMIT'","retcode":"0"}}`,
		},
	})
}

// BenchmarkRDSMySQLAuditTransform runs a whole document as the ECS step leaves
// it (metadata and @message included).
func BenchmarkRDSMySQLAuditTransform(b *testing.B) {
	benchTransform(b, transformRDSMySQLAudit, rdsMySQLAuditBenchDoc)
}

func TestRDSMySQLAuditTransformOddValues(t *testing.T) {
	checkOddValues(t, transformRDSMySQLAudit, rdsMySQLAuditBenchDoc)
}

const rdsMySQLAuditBenchDoc = `{"mysql_timestamp":"1645164733006789","mysql_serverhost":"myaudb-instance-1","mysql_username":"rdsadmin","mysql_host":"localhost","mysql_thread_id":"5","mysql_queryid":"1013","mysql_operation":"QUERY","mysql_database":"mysql","mysql_object":"'SELECT count(*) from mysql.plugin WHERE name = \\'AWSAuthenticationPlugin\\''","mysql_retcode":"0","cwl_timestamp":1645164733006,"@message":"1645164733006789,myaudb-instance-1,rdsadmin,localhost,5,1013,QUERY,mysql,'SELECT count(*) from mysql.plugin WHERE name = \\'AWSAuthenticationPlugin\\'',0","@timestamp":"2022-02-18T06:12:13.006000+00:00","@log_type":"rds-mysql-audit","@log_s3bucket":"aes-siem-123456789012-log","@log_s3key":"AWSLogs/123456789012/RDS/aurora-mysql/myaudb/audit/2022/02/18/06/aes-siem-firehose-rds-audit-1-2022-02-18-06-12-13-e34f0b6a","@log_group":"/aws/rds/cluster/myaudb/audit","@log_stream":"myaudb-instance-1.audit.log.1","event":{"module":"audit","ingested":"2024-06-15T00:00:00+00:00","category":["database"]},"@id":"3a2c583411e86b552af5d9f1ec0fc2c0","ecs":{"version":"1.10.0"},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"user":{"name":"rdsadmin"},"rds":{"database_name":"mysql","query":"'SELECT count(*) from mysql.plugin WHERE name = \\'AWSAuthenticationPlugin\\''"},"related":{"user":["rdsadmin"]},"source":{"address":"localhost"}}`

func TestPyUnicodeEscape(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{`plain`, `plain`, true},
		{`it\'s \"q\" \\ done`, `it's "q" \ done`, true},
		{`a\nb\tc\rd\ae\bf\fg\vh`, "a\nb\tc\rd\ae\bf\fg\vh", true},
		{"line\\\ncontinued", "linecontinued", true},
		{`\101\x42\u0043\U00000044`, `ABCD`, true},
		{`\0\7\08`, "\x00\x07\x008", true},
		{`\777`, "\u01ff", true},
		{`\xe9\u00e9`, "éé", true},
		{`résumé \d`, `résumé \d`, true},
		{`\ud800`, "\uFFFD", true},
		{`end\`, "", false},
		{`\x4`, "", false},
		{`\u12`, "", false},
		{`\U00110000`, "", false},
		{`\N{BULLET}`, "", false},
	} {
		got, ok := pyUnicodeEscape(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("pyUnicodeEscape(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzPyUnicodeEscape: text escaped the way the audit plugin escapes
// queries decodes back to itself, and nothing panics.
func FuzzPyUnicodeEscape(f *testing.F) {
	for _, s := range []string{"SELECT 1", `it's`, "a\\b", "x\ny", "\\x41", "é\\u00e9", "\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pyUnicodeEscape(s)
		if !utf8.ValidString(s) {
			return
		}
		escaped := strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`, "\t", `\t`).Replace(s)
		if got, ok := pyUnicodeEscape(escaped); !ok || got != s {
			t.Fatalf("pyUnicodeEscape(%q) = %q, %v; want %q", escaped, got, ok, s)
		}
	})
}
