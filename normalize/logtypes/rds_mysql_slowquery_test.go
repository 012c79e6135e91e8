package logtypes

import "testing"

func TestRDSMySQLSlowQueryTransform(t *testing.T) {
	runTransformCases(t, transformRDSMySQLSlowQuery, []tcase{
		{
			name: "SET timestamp before the statement",
			in:   `{"mysql_timestamp":"2022-02-18T06:02:22.837877Z","mysql_username":"admin","mysql_source_ip":"54.171.161.51","mysql_thread_id":"116","mysql_query_time":"2.033731","mysql_lock_time":"0.000119","mysql_query":"SET timestamp=1645164142;\nSELECT intcol1,charcol1 FROM t1 WHERE intcol1 > 100;","cwl_timestamp":1716210000000,"@log_s3key":"AWSLogs/123456789012/RDS/aurora-mysql/myaudb/slowquery/2022/02/18/06/aes-siem-firehose-rds-slowquery-1-2022-02-18-06-02-22-4b5f1bfa","@log_group":"/aws/rds/cluster/myaudb/slowquery","@log_stream":"myaudb-instance-1","event":{"module":"slowquery","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"rds":{"query":"SET timestamp=1645164142;\nSELECT intcol1,charcol1 FROM t1 WHERE intcol1 > 100;","query_time":"2.033731"},"related":{"user":["admin"],"ip":["54.171.161.51"]},"source":{"ip":"54.171.161.51"},"user":{"name":"admin"}}`,
			want: `{"cwl_timestamp":1716210000000,"@log_s3key":"AWSLogs/123456789012/RDS/aurora-mysql/myaudb/slowquery/2022/02/18/06/aes-siem-firehose-rds-slowquery-1-2022-02-18-06-02-22-4b5f1bfa","@log_group":"/aws/rds/cluster/myaudb/slowquery","@log_stream":"myaudb-instance-1","event":{"module":"slowquery","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"rds":{"query":"SELECT intcol1,charcol1 FROM t1 WHERE intcol1 > 100","query_time":"2.033731","cluster_identifier":"myaudb","instance_identifier":"myaudb-instance-1"},"related":{"user":["admin"],"ip":["54.171.161.51"]},"source":{"ip":"54.171.161.51"},"user":{"name":"admin"},"mysql":{"timestamp":"2022-02-18T06:02:22.837877Z","username":"admin","source_ip":"54.171.161.51","thread_id":"116","query_time":"2.033731","lock_time":"0.000119","query":"SET timestamp=1645164142;\nSELECT intcol1,charcol1 FROM t1 WHERE intcol1 > 100;"}}`,
		},
		{
			name: "use database, multi-line statement",
			in:   `{"mysql_timestamp":"2019-03-24T14:04:53.713951Z","mysql_username":"root","mysql_source_ip":"","mysql_thread_id":"16","mysql_query_time":"2.631844","mysql_lock_time":"0.000145","mysql_query":"use employees;\nSET timestamp=1553436291;\nSELECT last_name, MAX(salary) AS salary FROM employees\n    INNER JOIN salaries ON employees.emp_no = salaries.emp_no\n    GROUP BY last_name\n    LIMIT 10;","cwl_timestamp":1716210000000,"@log_s3key":"AWSLogs/123456789012/RDS/mysql/database-1/slowquery/2024/05/20/13/aes-siem-firehose-rds-slowquery-1-2024-05-20-13-20-00-3a4b5c6d","@log_group":"/aws/rds/instance/database-1/slowquery","@log_stream":"database-1","event":{"module":"slowquery","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"rds":{"query":"use employees;\nSET timestamp=1553436291;\nSELECT last_name, MAX(salary) AS salary FROM employees\n    INNER JOIN salaries ON employees.emp_no = salaries.emp_no\n    GROUP BY last_name\n    LIMIT 10;","query_time":"2.631844"},"related":{"user":["root"]},"user":{"name":"root"}}`,
			want: `{"cwl_timestamp":1716210000000,"@log_s3key":"AWSLogs/123456789012/RDS/mysql/database-1/slowquery/2024/05/20/13/aes-siem-firehose-rds-slowquery-1-2024-05-20-13-20-00-3a4b5c6d","@log_group":"/aws/rds/instance/database-1/slowquery","@log_stream":"database-1","event":{"module":"slowquery","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"rds":{"query":"SELECT last_name, MAX(salary) AS salary FROM employees\n    INNER JOIN salaries ON employees.emp_no = salaries.emp_no\n    GROUP BY last_name\n    LIMIT 10","query_time":"2.631844","cluster_identifier":null,"instance_identifier":"database-1","database_name":"employees"},"related":{"user":["root"]},"user":{"name":"root"},"mysql":{"timestamp":"2019-03-24T14:04:53.713951Z","username":"root","source_ip":"","thread_id":"16","query_time":"2.631844","lock_time":"0.000145","query":"use employees;\nSET timestamp=1553436291;\nSELECT last_name, MAX(salary) AS salary FROM employees\n    INNER JOIN salaries ON employees.emp_no = salaries.emp_no\n    GROUP BY last_name\n    LIMIT 10;"}}`,
		},
		{
			name: "upper-case USE is skipped but names no database",
			in:   `{"mysql_timestamp":"2024-05-20T13:10:02.114812Z","mysql_username":"app","mysql_source_ip":"10.0.1.25","mysql_thread_id":"88","mysql_query_time":"1.500000","mysql_lock_time":"0.000010","mysql_query":"USE shop;\nset timestamp=1716210602;\nUPDATE orders SET state='shipped' WHERE id=7;;","cwl_timestamp":1716210000000,"@log_s3key":"AWSLogs/123456789012/RDS/mysql/database-1/slowquery/2024/05/20/13/aes-siem-firehose-rds-slowquery-1-2024-05-20-13-20-00-3a4b5c6d","@log_group":"/aws/rds/instance/database-1/slowquery","@log_stream":"database-1","event":{"module":"slowquery","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"rds":{"query":"USE shop;\nset timestamp=1716210602;\nUPDATE orders SET state='shipped' WHERE id=7;;","query_time":"1.500000"},"related":{"user":["app"],"ip":["10.0.1.25"]},"source":{"ip":"10.0.1.25"},"user":{"name":"app"}}`,
			want: `{"cwl_timestamp":1716210000000,"@log_s3key":"AWSLogs/123456789012/RDS/mysql/database-1/slowquery/2024/05/20/13/aes-siem-firehose-rds-slowquery-1-2024-05-20-13-20-00-3a4b5c6d","@log_group":"/aws/rds/instance/database-1/slowquery","@log_stream":"database-1","event":{"module":"slowquery","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"rds":{"query":"UPDATE orders SET state='shipped' WHERE id=7","query_time":"1.500000","cluster_identifier":null,"instance_identifier":"database-1"},"related":{"user":["app"],"ip":["10.0.1.25"]},"source":{"ip":"10.0.1.25"},"user":{"name":"app"},"mysql":{"timestamp":"2024-05-20T13:10:02.114812Z","username":"app","source_ip":"10.0.1.25","thread_id":"88","query_time":"1.500000","lock_time":"0.000010","query":"USE shop;\nset timestamp=1716210602;\nUPDATE orders SET state='shipped' WHERE id=7;;"}}`,
		},
		{
			name: "only session statements",
			in:   `{"mysql_timestamp":"2024-05-20T13:10:03.000000Z","mysql_username":"app","mysql_source_ip":"10.0.1.25","mysql_thread_id":"88","mysql_query_time":"3.000000","mysql_lock_time":"0.000000","mysql_query":"use shop;\nSET timestamp=1716210603;\n","cwl_timestamp":1716210000000,"@log_s3key":"AWSLogs/123456789012/RDS/mysql/database-1/slowquery/2024/05/20/13/aes-siem-firehose-rds-slowquery-1-2024-05-20-13-20-00-3a4b5c6d","@log_group":"/aws/rds/instance/database-1/slowquery","@log_stream":"database-1","event":{"module":"slowquery","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"rds":{"query":"use shop;\nSET timestamp=1716210603;\n","query_time":"3.000000"},"related":{"user":["app"],"ip":["10.0.1.25"]},"source":{"ip":"10.0.1.25"},"user":{"name":"app"}}`,
			want: `{"cwl_timestamp":1716210000000,"@log_s3key":"AWSLogs/123456789012/RDS/mysql/database-1/slowquery/2024/05/20/13/aes-siem-firehose-rds-slowquery-1-2024-05-20-13-20-00-3a4b5c6d","@log_group":"/aws/rds/instance/database-1/slowquery","@log_stream":"database-1","event":{"module":"slowquery","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"rds":{"query":"","query_time":"3.000000","cluster_identifier":null,"instance_identifier":"database-1","database_name":"shop"},"related":{"user":["app"],"ip":["10.0.1.25"]},"source":{"ip":"10.0.1.25"},"user":{"name":"app"},"mysql":{"timestamp":"2024-05-20T13:10:03.000000Z","username":"app","source_ip":"10.0.1.25","thread_id":"88","query_time":"3.000000","lock_time":"0.000000","query":"use shop;\nSET timestamp=1716210603;\n"}}`,
		},
		{
			name: "entry without Id read by the rescue",
			in:   `{"mysql_timestamp":"2018-08-07T16:27:47.169604+08:00","mysql_username":"debian-sys-maint","mysql_source_ip":"","mysql_thread_id":null,"mysql_query_time":"0.000153","mysql_lock_time":"0.000061","mysql_query":"SET timestamp=1533630467;\nSELECT count(*) FROM mysql.user WHERE user='root' and password='';","cwl_timestamp":1716210000000,"@log_s3key":"AWSLogs/123456789012/RDS/mysql/database-1/slowquery/2024/05/20/13/aes-siem-firehose-rds-slowquery-1-2024-05-20-13-20-00-3a4b5c6d","@log_group":"/aws/rds/instance/database-1/slowquery","@log_stream":"database-1","event":{"module":"slowquery","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"rds":{"query":"SET timestamp=1533630467;\nSELECT count(*) FROM mysql.user WHERE user='root' and password='';","query_time":"0.000153"},"related":{"user":["debian-sys-maint"]},"user":{"name":"debian-sys-maint"}}`,
			want: `{"cwl_timestamp":1716210000000,"@log_s3key":"AWSLogs/123456789012/RDS/mysql/database-1/slowquery/2024/05/20/13/aes-siem-firehose-rds-slowquery-1-2024-05-20-13-20-00-3a4b5c6d","@log_group":"/aws/rds/instance/database-1/slowquery","@log_stream":"database-1","event":{"module":"slowquery","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"rds":{"query":"SELECT count(*) FROM mysql.user WHERE user='root' and password=''","query_time":"0.000153","cluster_identifier":null,"instance_identifier":"database-1"},"related":{"user":["debian-sys-maint"]},"user":{"name":"debian-sys-maint"},"mysql":{"timestamp":"2018-08-07T16:27:47.169604+08:00","username":"debian-sys-maint","source_ip":"","thread_id":null,"query_time":"0.000153","lock_time":"0.000061","query":"SET timestamp=1533630467;\nSELECT count(*) FROM mysql.user WHERE user='root' and password='';"}}`,
		},
	})
}

// BenchmarkRDSMySQLSlowQueryTransform runs a whole document as the ECS step leaves
// it (metadata and @message included).
func BenchmarkRDSMySQLSlowQueryTransform(b *testing.B) {
	benchTransform(b, transformRDSMySQLSlowQuery, rdsMySQLSlowQueryBenchDoc)
}

func TestRDSMySQLSlowQueryTransformOddValues(t *testing.T) {
	checkOddValues(t, transformRDSMySQLSlowQuery, rdsMySQLSlowQueryBenchDoc)
}

const rdsMySQLSlowQueryBenchDoc = `{"mysql_timestamp":"2022-02-18T06:02:22.837877Z","mysql_username":"admin","mysql_source_ip":"54.171.161.51","mysql_thread_id":"116","mysql_query_time":"2.033731","mysql_lock_time":"0.000119","mysql_query":"SET timestamp=1645164142;\nSELECT intcol1,charcol1,charcol2,charcol3,charcol4,charcol5,charcol6,charcol7,charcol8,charcol9,charcol10,charcol11,charcol12,charcol13,charcol14,charcol15,charcol16,charcol17,charcol18,charcol19,charcol20,charcol21,charcol22,charcol23,charcol24,charcol25,charcol26,charcol27,charcol28,charcol29,charcol30,charcol31,charcol32,charcol33,charcol34,charcol35,charcol36,charcol37,charcol38,charcol39,charcol40 FROM t1\u0000;","cwl_timestamp":1645164142837,"@message":"# Time: 2022-02-18T06:02:22.837877Z\n# User@Host: admin[admin] @  [54.171.161.51]  Id:   116\n# Query_time: 2.033731  Lock_time: 0.000119 Rows_sent: 1071  Rows_examined: 1071\nSET timestamp=1645164142;\nSELECT intcol1,charcol1,charcol2,charcol3,charcol4,charcol5,charcol6,charcol7,charcol8,charcol9,charcol10,charcol11,charcol12,charcol13,charcol14,charcol15,charcol16,charcol17,charcol18,charcol19,charcol20,charcol21,charcol22,charcol23,charcol24,charcol25,charcol26,charcol27,charcol28,charcol29,charcol30,charcol31,charcol32,charcol33,charcol34,charcol35,charcol36,charcol37,charcol38,charcol39,charcol40 FROM t1\u0000;","@timestamp":"2022-02-18T06:02:22.837000+00:00","@log_type":"rds-mysql-slowquery","@log_s3bucket":"aes-siem-123456789012-log","@log_s3key":"AWSLogs/123456789012/RDS/aurora-mysql/myaudb/slowquery/2022/02/18/06/aes-siem-firehose-rds-slowquery-1-2022-02-18-06-02-22-4b5f1bfa","@log_group":"/aws/rds/cluster/myaudb/slowquery","@log_stream":"myaudb-instance-1","event":{"module":"slowquery","ingested":"2024-06-15T00:00:00+00:00","category":["database"]},"@id":"f43ad4c55365c840b1a2add1bad54898","ecs":{"version":"1.10.0"},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"rds":{"query":"SET timestamp=1645164142;\nSELECT intcol1,charcol1,charcol2,charcol3,charcol4,charcol5,charcol6,charcol7,charcol8,charcol9,charcol10,charcol11,charcol12,charcol13,charcol14,charcol15,charcol16,charcol17,charcol18,charcol19,charcol20,charcol21,charcol22,charcol23,charcol24,charcol25,charcol26,charcol27,charcol28,charcol29,charcol30,charcol31,charcol32,charcol33,charcol34,charcol35,charcol36,charcol37,charcol38,charcol39,charcol40 FROM t1\u0000;","query_time":"2.033731"},"related":{"ip":["54.171.161.51"],"user":["admin"]},"source":{"ip":"54.171.161.51"},"user":{"name":"admin"}}`

func TestRescueMySQLSlowQueryEntry(t *testing.T) {
	for _, tc := range []struct {
		name, entry, want string
	}{
		{
			name:  "time with a UTC offset",
			entry: "# Time: 2018-08-07T16:27:47.169604+08:00\n# User@Host: root[root] @  [218.76.8.37]  Id:  7234\n# Query_time: 15.000223  Lock_time: 0.000000 Rows_sent: 1  Rows_examined: 0\nSET timestamp=1533630467;\nselect sleep(15);",
			want:  `{"mysql_timestamp":"2018-08-07T16:27:47.169604+08:00","mysql_username":"root","mysql_source_ip":"218.76.8.37","mysql_thread_id":"7234","mysql_query_time":"15.000223","mysql_lock_time":"0.000000","mysql_query":"SET timestamp=1533630467;\nselect sleep(15);"}`,
		},
		{
			name:  "no Id",
			entry: "# Time: 2018-08-07T16:27:47.169604+08:00\n# User@Host: debian-sys-maint[debian-sys-maint] @ localhost []\n# Query_time: 0.000153  Lock_time: 0.000061 Rows_sent: 1  Rows_examined: 5\nSET timestamp=1533630467;\nSELECT 1;",
			want:  `{"mysql_timestamp":"2018-08-07T16:27:47.169604+08:00","mysql_username":"debian-sys-maint","mysql_source_ip":"","mysql_thread_id":null,"mysql_query_time":"0.000153","mysql_lock_time":"0.000061","mysql_query":"SET timestamp=1533630467;\nSELECT 1;"}`,
		},
	} {
		m, ok := rescueMySQLSlowQueryEntry(tc.entry)
		if !ok {
			t.Errorf("%s: not read", tc.name)
			continue
		}
		if got := testJSON(m); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
	if _, ok := rescueMySQLSlowQueryEntry("/usr/sbin/mysqld, Version: 8.0.15 (MySQL Community Server - GPL). started with:"); ok {
		t.Error("start-up banner read as an entry")
	}
}
