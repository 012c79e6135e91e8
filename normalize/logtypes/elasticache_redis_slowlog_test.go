package logtypes

import "testing"

func TestElastiCacheRedisSlowLogTransform(t *testing.T) {
	runTransformCases(t, transformElastiCacheRedisSlowLog, []tcase{
		{
			name: "IPv4 client",
			in:   `{"CacheClusterId":"orders-cache-0001-001","CacheNodeId":"0001","Id":296,"Timestamp":1716211204,"Duration_us":18421,"Command":"KEYS session:*","ClientAddress":"10.0.1.25:55452","ClientName":"","@log_s3key":"AWSLogs/111122223333/ElastiCache/redis/orders-cache/slow-log/2024/05/20/aes-siem-firehose-redis-slow-1-2024-05-20-13-20-04-2f3a4b5c.json","event":{"module":"redis-slowlog","category":["database"]},"cloud":{"provider":"aws","account":{"id":"111122223333"},"region":"unknown"}}`,
			want: `{"CacheClusterId":"orders-cache-0001-001","CacheNodeId":"0001","Id":296,"Timestamp":1716211204,"Duration_us":18421,"Command":"KEYS session:*","ClientAddress":"10.0.1.25:55452","ClientName":"","@log_s3key":"AWSLogs/111122223333/ElastiCache/redis/orders-cache/slow-log/2024/05/20/aes-siem-firehose-redis-slow-1-2024-05-20-13-20-04-2f3a4b5c.json","event":{"module":"redis-slowlog","category":["database"]},"cloud":{"provider":"aws","account":{"id":"111122223333"},"region":"unknown"},"source":{"ip":"10.0.1.25","port":"55452","address":"10.0.1.25"},"related":{"ip":["10.0.1.25"]}}`,
		},
		{
			name: "IPv6 client",
			in:   `{"CacheClusterId":"orders-cache-0001-001","CacheNodeId":"0001","Id":296,"Timestamp":1716211204,"Duration_us":0,"Command":"HGETALL cart:7","ClientAddress":"2001:db8::7:51022","ClientName":"","@log_s3key":"AWSLogs/111122223333/ElastiCache/redis/orders-cache/slow-log/2024/05/20/aes-siem-firehose-redis-slow-1-2024-05-20-13-20-04-2f3a4b5c.json","event":{"module":"redis-slowlog","category":["database"]},"cloud":{"provider":"aws","account":{"id":"111122223333"},"region":"unknown"}}`,
			want: `{"CacheClusterId":"orders-cache-0001-001","CacheNodeId":"0001","Id":296,"Timestamp":1716211204,"Duration_us":0,"Command":"HGETALL cart:7","ClientAddress":"2001:db8::7:51022","ClientName":"","@log_s3key":"AWSLogs/111122223333/ElastiCache/redis/orders-cache/slow-log/2024/05/20/aes-siem-firehose-redis-slow-1-2024-05-20-13-20-04-2f3a4b5c.json","event":{"module":"redis-slowlog","category":["database"]},"cloud":{"provider":"aws","account":{"id":"111122223333"},"region":"unknown"},"source":{"ip":"2001:db8::7","port":"51022","address":"2001:db8::7"},"related":{"ip":["2001:db8::7"]}}`,
		},
		{
			name: "no client address",
			in:   `{"CacheClusterId":"orders-cache-0001-001","CacheNodeId":"0001","Id":296,"Timestamp":1716211204,"Duration_us":0,"Command":"GET ... (1 more arguments)","ClientAddress":"","ClientName":"","@log_s3key":"AWSLogs/111122223333/ElastiCache/redis/orders-cache/slow-log/2024/05/20/aes-siem-firehose-redis-slow-1-2024-05-20-13-20-04-2f3a4b5c.json","event":{"module":"redis-slowlog","category":["database"]},"cloud":{"provider":"aws","account":{"id":"111122223333"},"region":"unknown"}}`,
			want: `{"CacheClusterId":"orders-cache-0001-001","CacheNodeId":"0001","Id":296,"Timestamp":1716211204,"Duration_us":0,"Command":"GET ... (1 more arguments)","ClientAddress":"","ClientName":"","@log_s3key":"AWSLogs/111122223333/ElastiCache/redis/orders-cache/slow-log/2024/05/20/aes-siem-firehose-redis-slow-1-2024-05-20-13-20-04-2f3a4b5c.json","event":{"module":"redis-slowlog","category":["database"]},"cloud":{"provider":"aws","account":{"id":"111122223333"},"region":"unknown"}}`,
		},
		{
			name: "address without port",
			// es-loader raises ValueError (nothing to unpack); counted here
			// es-loader: ValueError: not enough values to unpack (expected 2, got 1)
			in:      `{"CacheClusterId":"orders-cache-0001-001","CacheNodeId":"0001","Id":296,"Timestamp":1716211204,"Duration_us":0,"Command":"GET ... (1 more arguments)","ClientAddress":"10.0.1.25","ClientName":"","@log_s3key":"AWSLogs/111122223333/ElastiCache/redis/orders-cache/slow-log/2024/05/20/aes-siem-firehose-redis-slow-1-2024-05-20-13-20-04-2f3a4b5c.json","event":{"module":"redis-slowlog","category":["database"]},"cloud":{"provider":"aws","account":{"id":"111122223333"},"region":"unknown"}}`,
			wantErr: true,
		},
	})
}

// BenchmarkElastiCacheRedisSlowLogTransform runs a whole document as the ECS step leaves
// it (metadata and @message included).
func BenchmarkElastiCacheRedisSlowLogTransform(b *testing.B) {
	benchTransform(b, transformElastiCacheRedisSlowLog, elastiCacheRedisSlowLogBenchDoc)
}

func TestElastiCacheRedisSlowLogTransformOddValues(t *testing.T) {
	checkOddValues(t, transformElastiCacheRedisSlowLog, elastiCacheRedisSlowLogBenchDoc)
}

const elastiCacheRedisSlowLogBenchDoc = `{"CacheClusterId":"logslowxxxxmsxj","CacheNodeId":"0001","Id":296,"Timestamp":1605631822,"Duration (us)":0,"Command":"GET ... (1 more arguments)","ClientAddress":"192.168.12.104:55452","ClientName":"logslowxxxxmsxj##","@message":"{\"CacheClusterId\": \"logslowxxxxmsxj\", \"CacheNodeId\": \"0001\", \"Id\": 296, \"Timestamp\": 1605631822, \"Duration (us)\": 0, \"Command\": \"GET ... (1 more arguments)\", \"ClientAddress\": \"192.168.12.104:55452\", \"ClientName\": \"logslowxxxxmsxj##\"}","@timestamp":"2020-11-17T16:50:22+00:00","@log_type":"elasticache-redis-slowlog","@log_s3bucket":"aes-siem-123456789012-log","@log_s3key":"AWSLogs/123456789012/ElastiCache/redis/logslowxxxxmsxj/slow-log/2020/11/17/aes-siem-firehose-redis-slow-1-2020-11-17-16-50-22-571b0e35.json","event":{"module":"redis-slowlog","ingested":"2024-06-15T00:00:00+00:00","category":["database"]},"@id":"ec6eb80716333b912163cb5c6f971ebb","ecs":{"version":"1.10.0"},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"}}`
