package logtypes

import "testing"

func TestRDSMySQLErrorTransform(t *testing.T) {
	runTransformCases(t, transformRDSMySQLError, []tcase{
		{
			name: "access denied from an address",
			in:   `{"mysql_timestamp":"2024-05-20T13:10:02.114812Z","mysql_thread_id":"123","mysql_log_level":"Note","mysql_message":"Access denied for user 'admin'@'203.0.113.7' (using password: YES)","cwl_timestamp":1716210000000,"@log_s3key":"AWSLogs/123456789012/RDS/aurora-mysql/myaudb/error/2022/02/18/06/aes-siem-firehose-rds-error-1-2022-02-18-06-12-07-aa1b2c3d","@log_group":"/aws/rds/cluster/myaudb/error","@log_stream":"myaudb-instance-1","event":{"module":"error","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"log":{"level":"Note"},"rds":{"message":"Access denied for user 'admin'@'203.0.113.7' (using password: YES)"}}`,
			want: `{"cwl_timestamp":1716210000000,"@log_s3key":"AWSLogs/123456789012/RDS/aurora-mysql/myaudb/error/2022/02/18/06/aes-siem-firehose-rds-error-1-2022-02-18-06-12-07-aa1b2c3d","@log_group":"/aws/rds/cluster/myaudb/error","@log_stream":"myaudb-instance-1","event":{"module":"error","category":"authentication","type":"start","action":"failed","outcome":"failure"},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"log":{"level":"Note"},"rds":{"message":"Access denied for user 'admin'@'203.0.113.7' (using password: YES)","cluster_identifier":"myaudb","instance_identifier":"myaudb-instance-1"},"user":{"name":"admin"},"source":{"address":"203.0.113.7","ip":"203.0.113.7"},"mysql":{"timestamp":"2024-05-20T13:10:02.114812Z","thread_id":"123","log_level":"Note","message":"Access denied for user 'admin'@'203.0.113.7' (using password: YES)","username":"admin","host":"203.0.113.7"}}`,
		},
		{
			name: "access denied from a host name",
			in:   `{"mysql_timestamp":"2024-05-20T13:10:03.002001Z","mysql_thread_id":"124","mysql_log_level":"Warning","mysql_message":"Access denied for user 'app'@'localhost' (using password: NO)","cwl_timestamp":1716210000000,"@log_s3key":"AWSLogs/123456789012/RDS/mysql/database-1/error/2024/05/20/13/aes-siem-firehose-rds-error-1-2024-05-20-13-20-00-77aa88bb","@log_group":"/aws/rds/instance/database-1/error","@log_stream":"database-1","event":{"module":"error","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"log":{"level":"Warning"},"rds":{"message":"Access denied for user 'app'@'localhost' (using password: NO)"}}`,
			want: `{"cwl_timestamp":1716210000000,"@log_s3key":"AWSLogs/123456789012/RDS/mysql/database-1/error/2024/05/20/13/aes-siem-firehose-rds-error-1-2024-05-20-13-20-00-77aa88bb","@log_group":"/aws/rds/instance/database-1/error","@log_stream":"database-1","event":{"module":"error","category":"authentication","type":"start","action":"failed","outcome":"failure"},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"log":{"level":"Warning"},"rds":{"message":"Access denied for user 'app'@'localhost' (using password: NO)","cluster_identifier":null,"instance_identifier":"database-1"},"user":{"name":"app"},"source":{"address":"localhost"},"mysql":{"timestamp":"2024-05-20T13:10:03.002001Z","thread_id":"124","log_level":"Warning","message":"Access denied for user 'app'@'localhost' (using password: NO)","username":"app","host":"localhost"}}`,
		},
		{
			name: "unknown database",
			in:   `{"mysql_timestamp":"2024-05-20T13:10:04.000100Z","mysql_thread_id":"125","mysql_log_level":"Note","mysql_message":"Unknown database 'shop_test'","cwl_timestamp":1716210000000,"@log_s3key":"AWSLogs/123456789012/RDS/mysql/database-1/error/2024/05/20/13/aes-siem-firehose-rds-error-1-2024-05-20-13-20-00-77aa88bb","@log_group":"/aws/rds/instance/database-1/error","@log_stream":"database-1","event":{"module":"error","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"log":{"level":"Note"},"rds":{"message":"Unknown database 'shop_test'"}}`,
			want: `{"cwl_timestamp":1716210000000,"@log_s3key":"AWSLogs/123456789012/RDS/mysql/database-1/error/2024/05/20/13/aes-siem-firehose-rds-error-1-2024-05-20-13-20-00-77aa88bb","@log_group":"/aws/rds/instance/database-1/error","@log_stream":"database-1","event":{"module":"error","category":"authentication","type":"start","action":"failed","outcome":"failure"},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"log":{"level":"Note"},"rds":{"message":"Unknown database 'shop_test'","cluster_identifier":null,"instance_identifier":"database-1","database_name":"shop_test"},"mysql":{"timestamp":"2024-05-20T13:10:04.000100Z","thread_id":"125","log_level":"Note","message":"Unknown database 'shop_test'","database":"shop_test"}}`,
		},
		{
			name: "server note with thread and level",
			in:   `{"mysql_timestamp":"2019-10-16 17:24:15","mysql_thread_id":"0","mysql_log_level":"Note","mysql_message":"InnoDB: Using Linux native AIO","cwl_timestamp":1716210000000,"@log_s3key":"AWSLogs/123456789012/RDS/mysql/database-1/error/2024/05/20/13/aes-siem-firehose-rds-error-1-2024-05-20-13-20-00-77aa88bb","@log_group":"/aws/rds/instance/database-1/error","@log_stream":"database-1","event":{"module":"error","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"log":{"level":"Note"},"rds":{"message":"InnoDB: Using Linux native AIO"}}`,
			want: `{"cwl_timestamp":1716210000000,"@log_s3key":"AWSLogs/123456789012/RDS/mysql/database-1/error/2024/05/20/13/aes-siem-firehose-rds-error-1-2024-05-20-13-20-00-77aa88bb","@log_group":"/aws/rds/instance/database-1/error","@log_stream":"database-1","event":{"module":"error","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"log":{"level":"Note"},"rds":{"message":"InnoDB: Using Linux native AIO","cluster_identifier":null,"instance_identifier":"database-1"},"mysql":{"timestamp":"2019-10-16 17:24:15","thread_id":"0","log_level":"Note","message":"InnoDB: Using Linux native AIO"}}`,
		},
		{
			name: "MariaDB line without thread",
			in:   `{"mysql_timestamp":"191015  9:46:45","mysql_thread_id":null,"mysql_log_level":null,"mysql_message":"13 Query\tSHOW /*!50002 GLOBAL */ STATUS","cwl_timestamp":1716210000000,"@log_s3key":"AWSLogs/123456789012/RDS/mysql/database-1/error/2024/05/20/13/aes-siem-firehose-rds-error-1-2024-05-20-13-20-00-77aa88bb","@log_group":"/aws/rds/instance/database-1/error","@log_stream":"database-1","event":{"module":"error","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"rds":{"message":"13 Query\tSHOW /*!50002 GLOBAL */ STATUS"}}`,
			want: `{"cwl_timestamp":1716210000000,"@log_s3key":"AWSLogs/123456789012/RDS/mysql/database-1/error/2024/05/20/13/aes-siem-firehose-rds-error-1-2024-05-20-13-20-00-77aa88bb","@log_group":"/aws/rds/instance/database-1/error","@log_stream":"database-1","event":{"module":"error","category":["database"]},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"rds":{"message":"13 Query\tSHOW /*!50002 GLOBAL */ STATUS","cluster_identifier":null,"instance_identifier":"database-1"},"mysql":{"timestamp":"191015  9:46:45","thread_id":null,"log_level":null,"message":"13 Query\tSHOW /*!50002 GLOBAL */ STATUS"}}`,
		},
	})
}

// BenchmarkRDSMySQLErrorTransform runs a whole document as the ECS step leaves
// it (metadata and @message included).
func BenchmarkRDSMySQLErrorTransform(b *testing.B) {
	benchTransform(b, transformRDSMySQLError, rdsMySQLErrorBenchDoc)
}

func TestRDSMySQLErrorTransformOddValues(t *testing.T) {
	checkOddValues(t, transformRDSMySQLError, rdsMySQLErrorBenchDoc)
}

const rdsMySQLErrorBenchDoc = `{"mysql_timestamp":"2022-02-18 06:12:07","mysql_message":"0x2b76b6e68700InnoDB: transactions deadlock detected, dumping detailed information.","cwl_timestamp":1645164727000,"@message":"2022-02-18 06:12:07 0x2b76b6e68700InnoDB: transactions deadlock detected, dumping detailed information.","@timestamp":"2022-02-18T06:12:07+00:00","@log_type":"rds-mysql-error","@log_s3bucket":"aes-siem-123456789012-log","@log_s3key":"AWSLogs/123456789012/RDS/aurora-mysql/myaudb/error/2022/02/18/06/aes-siem-firehose-rds-error-1-2022-02-18-06-12-07-bf7d4cd3","@log_group":"/aws/rds/cluster/myaudb/error","@log_stream":"myaudb-instance-1","event":{"module":"error","ingested":"2024-06-15T00:00:00+00:00","category":["database"]},"@id":"62c46d484aef2b513aa6e4a7e06ca449","ecs":{"version":"1.10.0"},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"rds":{"message":"0x2b76b6e68700InnoDB: transactions deadlock detected, dumping detailed information."}}`
