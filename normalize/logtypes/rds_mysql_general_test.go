package logtypes

import "testing"

func TestRDSMySQLGeneralTransform(t *testing.T) {
	runTransformCases(t, transformRDSMySQLGeneral, []tcase{
		{
			name: "query on an instance",
			in:   `{"mysql_timestamp":"2024-05-20T13:10:02.114812Z","mysql_thread_id":"42","mysql_command":"Query","mysql_query":"SELECT id, total FROM orders WHERE customer_id = 17","cwl_timestamp":1716210000000,"@log_s3key":"AWSLogs/123456789012/RDS/mysql/database-1/general/2024/05/20/13/aes-siem-firehose-rds-general-1-2024-05-20-13-20-00-1c2d3e4f","@log_group":"/aws/rds/instance/database-1/general","@log_stream":"database-1","event":{"module":"general","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"rds":{"query":"SELECT id, total FROM orders WHERE customer_id = 17"}}`,
			want: `{"cwl_timestamp":1716210000000,"@log_s3key":"AWSLogs/123456789012/RDS/mysql/database-1/general/2024/05/20/13/aes-siem-firehose-rds-general-1-2024-05-20-13-20-00-1c2d3e4f","@log_group":"/aws/rds/instance/database-1/general","@log_stream":"database-1","event":{"module":"general","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"rds":{"query":"SELECT id, total FROM orders WHERE customer_id = 17","cluster_identifier":null,"instance_identifier":"database-1"},"mysql":{"timestamp":"2024-05-20T13:10:02.114812Z","thread_id":"42","command":"Query","query":"SELECT id, total FROM orders WHERE customer_id = 17"}}`,
		},
		{
			name: "connect on a cluster instance",
			in:   `{"mysql_timestamp":"2024-05-20T13:10:01.000001Z","mysql_thread_id":"42","mysql_command":"Connect","mysql_query":"app@10.0.1.25 on shop using TCP/IP","cwl_timestamp":1716210000000,"@log_s3key":"AWSLogs/123456789012/RDS/aurora-mysql/myaudb/general/2024/05/20/13/aes-siem-firehose-rds-general-1-2024-05-20-13-20-00-9f8e7d6c","@log_group":"/aws/rds/cluster/myaudb/general","@log_stream":"myaudb-instance-2.general.log","event":{"module":"general","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"rds":{"query":"app@10.0.1.25 on shop using TCP/IP"}}`,
			want: `{"cwl_timestamp":1716210000000,"@log_s3key":"AWSLogs/123456789012/RDS/aurora-mysql/myaudb/general/2024/05/20/13/aes-siem-firehose-rds-general-1-2024-05-20-13-20-00-9f8e7d6c","@log_group":"/aws/rds/cluster/myaudb/general","@log_stream":"myaudb-instance-2.general.log","event":{"module":"general","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"rds":{"query":"app@10.0.1.25 on shop using TCP/IP","cluster_identifier":"myaudb","instance_identifier":"myaudb-instance-2"},"mysql":{"timestamp":"2024-05-20T13:10:01.000001Z","thread_id":"42","command":"Connect","query":"app@10.0.1.25 on shop using TCP/IP"}}`,
		},
		{
			name: "old time format read by the rescue",
			in:   `{"mysql_timestamp":"201210 20:58:16","mysql_thread_id":"424242","mysql_command":"Query","mysql_query":"SELECT option_value FROM galaxy_guide WHERE option_name = 'zaphod' LIMIT 1;","cwl_timestamp":1716210000000,"@log_s3key":"AWSLogs/123456789012/RDS/mysql/database-1/general/2024/05/20/13/aes-siem-firehose-rds-general-1-2024-05-20-13-20-00-1c2d3e4f","@log_group":"/aws/rds/instance/database-1/general","@log_stream":"database-1","event":{"module":"general","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"rds":{"query":"SELECT option_value FROM galaxy_guide WHERE option_name = 'zaphod' LIMIT 1;"}}`,
			want: `{"cwl_timestamp":1716210000000,"@log_s3key":"AWSLogs/123456789012/RDS/mysql/database-1/general/2024/05/20/13/aes-siem-firehose-rds-general-1-2024-05-20-13-20-00-1c2d3e4f","@log_group":"/aws/rds/instance/database-1/general","@log_stream":"database-1","event":{"module":"general","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"rds":{"query":"SELECT option_value FROM galaxy_guide WHERE option_name = 'zaphod' LIMIT 1;","cluster_identifier":null,"instance_identifier":"database-1"},"mysql":{"timestamp":"201210 20:58:16","thread_id":"424242","command":"Query","query":"SELECT option_value FROM galaxy_guide WHERE option_name = 'zaphod' LIMIT 1;"}}`,
		},
		{
			name: "raw general log without log group",
			// es-loader raises before changing anything; here the fields still move
			in:   `{"mysql_timestamp":"2017-12-29T12:33:33.095243Z","mysql_thread_id":"2","mysql_command":"Query","mysql_query":"     SELECT 1","cwl_timestamp":1716210000000,"@log_s3key":"AWSLogs/123456789012/RDS/mysql/database-1/general/raw/mysql_tests-general.log","event":{"module":"general","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"rds":{"query":"     SELECT 1"}}`,
			want: `{"cwl_timestamp":1716210000000,"@log_s3key":"AWSLogs/123456789012/RDS/mysql/database-1/general/raw/mysql_tests-general.log","event":{"module":"general","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"rds":{"query":"     SELECT 1"},"mysql":{"timestamp":"2017-12-29T12:33:33.095243Z","thread_id":"2","command":"Query","query":"     SELECT 1"}}`,
		},
	})
}

// BenchmarkRDSMySQLGeneralTransform runs a whole document as the ECS step leaves
// it (metadata and @message included).
func BenchmarkRDSMySQLGeneralTransform(b *testing.B) {
	benchTransform(b, transformRDSMySQLGeneral, rdsMySQLGeneralBenchDoc)
}

func TestRDSMySQLGeneralTransformOddValues(t *testing.T) {
	checkOddValues(t, transformRDSMySQLGeneral, rdsMySQLGeneralBenchDoc)
}

const rdsMySQLGeneralBenchDoc = `{"mysql_timestamp":"2017-12-29T12:33:33.095243Z","mysql_thread_id":"2","mysql_command":"Query","mysql_query":"     SELECT TABLE_SCHEMA, TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE CREATE_OPTIONS LIKE partiion;","cwl_timestamp":1717200000000,"@message":"2017-12-29T12:33:33.095243Z         2 Query     SELECT TABLE_SCHEMA, TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE CREATE_OPTIONS LIKE partiion;","@timestamp":"2024-06-01T00:00:00+00:00","@log_type":"rds-mysql-general","@log_s3bucket":"aes-siem-123456789012-log","@log_s3key":"AWSLogs/123456789012/RDS/mysql/database-1/general/raw/mysql_tests-general.log","@log_group":"/aws/rds/instance/database-1/general","@log_stream":"database-1","event":{"module":"general","ingested":"2024-06-15T00:00:00+00:00","category":["database"]},"@id":"bf0b8719b69d38044c42f7ae581789d7","ecs":{"version":"1.10.0"},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"rds":{"query":"     SELECT TABLE_SCHEMA, TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE CREATE_OPTIONS LIKE partiion;"}}`

func TestRescueMySQLGeneralLine(t *testing.T) {
	m, ok := rescueMySQLGeneralLine("201210 20:58:16\t424242 Query\tSELECT option_value FROM galaxy_guide WHERE option_name = 'zaphod' LIMIT 1;")
	if !ok {
		t.Fatal("old general log line not read")
	}
	want := `{"mysql_timestamp":"201210 20:58:16","mysql_thread_id":"424242","mysql_command":"Query","mysql_query":"SELECT option_value FROM galaxy_guide WHERE option_name = 'zaphod' LIMIT 1;"}`
	if got := testJSON(m); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if _, ok := rescueMySQLGeneralLine("/rdsdbbin/mysql/bin/mysqld, Version: 8.0.35 (Source distribution). started with:"); ok {
		t.Error("start-up banner read as an event")
	}
}
