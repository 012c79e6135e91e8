package logtypes

import "testing"

func TestMSKTransform(t *testing.T) {
	runTransformCases(t, transformMSK, []tcase{
		{
			name: "broker line with cluster and broker from the key",
			in:   `{"msk_timestamp":"2024-05-20 13:20:01,377","msk_log_level":"INFO","msk_message":"[GroupCoordinator 2]: Preparing to rebalance group orders-consumer in state PreparingRebalance with old generation 14 (__consumer_offsets-22) (reason: Adding new member) (kafka.coordinator.group.GroupCoordinator)","@log_s3key":"AWSLogs/111122223333/KafkaBrokerLogs/ap-northeast-1/orders-msk-2d6a1c7e-5b3f-4e8a-9c1d-7f2e4a6b8c90-3/2024-05-20-13/Broker-2_13-20_a1b2c3d4.log.gz","event":{"module":"msk"},"cloud":{"provider":"aws","account":{"id":"111122223333"},"region":"ap-northeast-1"},"log":{"level":"INFO"}}`,
			want: `{"@log_s3key":"AWSLogs/111122223333/KafkaBrokerLogs/ap-northeast-1/orders-msk-2d6a1c7e-5b3f-4e8a-9c1d-7f2e4a6b8c90-3/2024-05-20-13/Broker-2_13-20_a1b2c3d4.log.gz","event":{"module":"msk"},"cloud":{"provider":"aws","account":{"id":"111122223333"},"region":"ap-northeast-1"},"log":{"level":"INFO"},"msk":{"timestamp":"2024-05-20 13:20:01,377","log_level":"INFO","message":"[GroupCoordinator 2]: Preparing to rebalance group orders-consumer in state PreparingRebalance with old generation 14 (__consumer_offsets-22) (reason: Adding new member) (kafka.coordinator.group.GroupCoordinator)","cluster_name":"orders-msk","broker_id":"2"}}`,
		},
		{
			name: "canary consumer lag",
			in:   `{"msk_timestamp":"2024-05-20 13:20:05,002","msk_log_level":"INFO","msk_message":"ConsumerLag for groupId=amazon.msk.canary.group.broker-2 topic=canary : SumLag=3 MaxLag=1 TimeLag=60 (kafka.server.ConsumerLagReporter)","@log_s3key":"AWSLogs/111122223333/KafkaBrokerLogs/ap-northeast-1/orders-msk-2d6a1c7e-5b3f-4e8a-9c1d-7f2e4a6b8c90-3/2024-05-20-13/Broker-2_13-20_a1b2c3d4.log.gz","event":{"module":"msk"},"cloud":{"provider":"aws","account":{"id":"111122223333"},"region":"ap-northeast-1"},"log":{"level":"INFO"}}`,
			want: `{"@log_s3key":"AWSLogs/111122223333/KafkaBrokerLogs/ap-northeast-1/orders-msk-2d6a1c7e-5b3f-4e8a-9c1d-7f2e4a6b8c90-3/2024-05-20-13/Broker-2_13-20_a1b2c3d4.log.gz","event":{"module":"msk"},"cloud":{"provider":"aws","account":{"id":"111122223333"},"region":"ap-northeast-1"},"log":{"level":"INFO"},"msk":{"timestamp":"2024-05-20 13:20:05,002","log_level":"INFO","message":"ConsumerLag for groupId=amazon.msk.canary.group.broker-2 topic=canary : SumLag=3 MaxLag=1 TimeLag=60 (kafka.server.ConsumerLagReporter)","cluster_name":"orders-msk","broker_id":"2","log_type":"ConsumerLag","group_id":"amazon.msk.canary.group.broker-2","topic":"canary","sum_lag":"3","max_lag":"1","time_lag":"60"}}`,
		},
		{
			name: "key without the cluster layout",
			in:   `{"msk_timestamp":"2017-08-04 10:48:20,377","msk_log_level":"WARN","msk_message":"Connection to node 1 could not be established. Broker may not be available.\njava.net.ConnectException: Connection refused","@log_s3key":"msk-logs/broker-1.log","event":{"module":"msk"},"cloud":{"provider":"aws","account":{"id":"111122223333"},"region":"ap-northeast-1"},"log":{"level":"WARN"}}`,
			want: `{"@log_s3key":"msk-logs/broker-1.log","event":{"module":"msk"},"cloud":{"provider":"aws","account":{"id":"111122223333"},"region":"ap-northeast-1"},"log":{"level":"WARN"},"msk":{"timestamp":"2017-08-04 10:48:20,377","log_level":"WARN","message":"Connection to node 1 could not be established. Broker may not be available.\njava.net.ConnectException: Connection refused"}}`,
		},
	})
}

// BenchmarkMSKTransform runs a whole document as the ECS step leaves
// it (metadata and @message included).
func BenchmarkMSKTransform(b *testing.B) {
	benchTransform(b, transformMSK, mskBenchDoc)
}

func TestMSKTransformOddValues(t *testing.T) {
	checkOddValues(t, transformMSK, mskBenchDoc)
}

const mskBenchDoc = `{"msk_timestamp":"2017-08-04 10:48:20,377","msk_log_level":"INFO","msk_message":"starting (kafka.server.KafkaServer)","@message":"[2017-08-04 10:48:20,377] INFO starting (kafka.server.KafkaServer)","@timestamp":"2017-08-04T10:48:20.377000+00:00","@log_type":"msk","@log_s3bucket":"aes-siem-123456789012-log","@log_s3key":"AWSLogs/123456789012/KafkaBrokerLogs/us-east-1/demo-cluster-1-3521dbfc-a754-cca4-dfc2-3317eb02d61a-2/2017-08-04-10/Broker-1_10-48_d11fa3e0.log","event":{"module":"msk","ingested":"2024-06-15T00:00:00+00:00"},"@id":"1bf1b2057fcf5023d9aba484e269515f","ecs":{"version":"1.10.0"},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"us-east-1"},"log":{"level":"INFO"}}`
