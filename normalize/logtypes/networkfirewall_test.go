package logtypes

import "testing"

func TestNetworkFirewallTransform(t *testing.T) {
	ajRun(t, transformNetworkFirewall, []ajCase{
		{
			name: "HTTP alert",
			in:   `{"firewall_name":"AWSNetworkFirewall","availability_zone":"us-east-2a","event_timestamp":"1636381332","event":{"timestamp":"2021-11-08T14:22:12.637611+0000","flow_id":706471429191862,"event_type":"alert","src_ip":"81.2.69.143","src_port":51254,"dest_ip":"216.160.83.57","dest_port":80,"proto":"TCP","alert":{"action":"blocked","signature_id":1000003,"rev":1,"signature":"Deny all other TCP traffic","category":"","severity":3},"app_proto":"http","module":"alert","action":"blocked","severity":"3","kind":"event","category":["network"]},"cloud":{"provider":"aws","availability_zone":"us-east-2a"},"destination":{"ip":"216.160.83.57","port":"80"},"network":{"protocol":"http"},"related":{"ip":["216.160.83.57","81.2.69.143"]},"rule":{"id":"1000003","name":"Deny all other TCP traffic","version":"1"},"source":{"ip":"81.2.69.143","port":"51254"}}`,
			want: `{"firewall_name":"AWSNetworkFirewall","availability_zone":"us-east-2a","event_timestamp":"1636381332","event":{"timestamp":"2021-11-08T14:22:12.637611+0000","flow_id":706471429191862,"event_type":"alert","src_ip":"81.2.69.143","src_port":51254,"dest_ip":"216.160.83.57","dest_port":80,"proto":"TCP","alert":{"action":"blocked","signature_id":1000003,"rev":1,"signature":"Deny all other TCP traffic","category":"","severity":3},"app_proto":"http","module":"alert","action":"blocked","severity":"3","kind":"alert","category":"intrusion_detection"},"cloud":{"provider":"aws","availability_zone":"us-east-2a"},"destination":{"ip":"216.160.83.57","port":"80"},"network":{"protocol":"http","transport":"tcp"},"related":{"ip":["216.160.83.57","81.2.69.143"]},"rule":{"id":"1000003","name":"Deny all other TCP traffic","version":"1"},"source":{"ip":"81.2.69.143","port":"51254"}}`,
		},
		{
			name: "netflow",
			in:   `{"firewall_name":"AWSNetworkFirewall","event":{"timestamp":"2021-11-08T18:20:43.324542+0000","event_type":"netflow","src_ip":"216.160.83.61","src_port":61953,"dest_ip":"89.160.20.156","dest_port":5060,"proto":"UDP","netflow":{"pkts":1,"bytes":40},"module":"netflow","kind":"event","category":["network"]},"network":{"bytes":"40","packets":"1"},"source":{"bytes":"40","ip":"216.160.83.61","packets":"1","port":"61953"}}`,
			want: `{"firewall_name":"AWSNetworkFirewall","event":{"timestamp":"2021-11-08T18:20:43.324542+0000","event_type":"netflow","src_ip":"216.160.83.61","src_port":61953,"dest_ip":"89.160.20.156","dest_port":5060,"proto":"UDP","netflow":{"pkts":1,"bytes":40},"module":"netflow","kind":"event","category":["network"]},"network":{"bytes":"40","packets":"1","transport":"udp"},"source":{"bytes":"40","ip":"216.160.83.61","packets":"1","port":"61953"}}`,
		},
		{
			name: "TLS alert",
			in:   `{"firewall_name":"outbound","event":{"app_proto":"tls","event_type":"alert","alert":{"severity":3,"signature_id":4,"rev":0,"signature":"aws:alert_established action","action":"allowed"},"proto":"TCP","tls":{"sni":"sqs.eu-central-1.amazonaws.com"},"module":"alert","action":"allowed","severity":"3","kind":"event","category":["network"]},"network":{"protocol":"tls"},"url":{"domain":"sqs.eu-central-1.amazonaws.com"}}`,
			want: `{"firewall_name":"outbound","event":{"app_proto":"tls","event_type":"alert","alert":{"severity":3,"signature_id":4,"rev":0,"signature":"aws:alert_established action","action":"allowed"},"proto":"TCP","tls":{"sni":"sqs.eu-central-1.amazonaws.com"},"module":"alert","action":"allowed","severity":"3","kind":"alert","category":"intrusion_detection"},"network":{"protocol":"tls","transport":"tcp"},"url":{"domain":"sqs.eu-central-1.amazonaws.com"}}`,
		},
		{
			name: "TLS flow",
			in:   `{"firewall_name":"outbound","event":{"event_type":"tls","proto":"TCP","app_proto":"tls","module":"tls","kind":"event","category":["network"]},"network":{"protocol":"tls"}}`,
			want: `{"firewall_name":"outbound","event":{"event_type":"tls","proto":"TCP","app_proto":"tls","module":"tls","kind":"event","category":["network"]},"network":{"protocol":"tls","transport":"tcp"}}`,
		},
		{
			name: "alert without proto",
			in:   `{"event":{"event_type":"alert","alert":{"signature_id":2},"module":"alert","kind":"event","category":["network"]},"network":{"protocol":"dns"}}`,
			want: `{"event":{"event_type":"alert","alert":{"signature_id":2},"module":"alert","kind":"alert","category":"intrusion_detection"},"network":{"protocol":"dns"}}`,
		},
		{
			name: "ICMP alert without application protocol",
			in:   `{"firewall_name":"fw","event":{"event_type":"alert","proto":"ICMP","src_ip":"10.0.0.1","dest_ip":"10.0.0.2","alert":{"action":"blocked","signature_id":5,"severity":2},"module":"alert","action":"blocked","severity":"2","kind":"event","category":["network"]},"destination":{"ip":"10.0.0.2"},"source":{"ip":"10.0.0.1"}}`,
			// es-loader writes network.transport only into an existing network object; fixed here
			want: `{"firewall_name":"fw","event":{"event_type":"alert","proto":"ICMP","src_ip":"10.0.0.1","dest_ip":"10.0.0.2","alert":{"action":"blocked","signature_id":5,"severity":2},"module":"alert","action":"blocked","severity":"2","kind":"alert","category":"intrusion_detection"},"destination":{"ip":"10.0.0.2"},"source":{"ip":"10.0.0.1"},"network":{"transport":"icmp"}}`,
		},
		{
			name: "proto that is not text",
			// es-loader raises AttributeError: 'int' object has no attribute 'lower'
			in: `{"event":{"event_type":"alert","proto":6,"module":"alert","kind":"event","category":["network"]},"network":{"protocol":"x"}}`,
			// es-loader stops at int.lower(); the alert is still marked here
			want: `{"event":{"event_type":"alert","proto":6,"module":"alert","kind":"alert","category":"intrusion_detection"},"network":{"protocol":"x"}}`,
		},
	})
}

// BenchmarkNetworkFirewallTransform runs an HTTP alert as the ECS step
// leaves it.
func BenchmarkNetworkFirewallTransform(b *testing.B) {
	benchTransform(b, transformNetworkFirewall, `{"firewall_name":"AWSNetworkFirewall","availability_zone":"us-east-2a","event_timestamp":"1636381332","event":{"timestamp":"2021-11-08T14:22:12.637611+0000","flow_id":706471429191862,"event_type":"alert","src_ip":"81.2.69.143","src_port":51254,"dest_ip":"216.160.83.57","dest_port":80,"proto":"TCP","alert":{"action":"blocked","signature_id":1000003,"rev":1,"signature":"Deny all other TCP traffic","severity":3},"http":{"hostname":"216.160.83.57","url":"/","http_user_agent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/95.0.4638.69 Safari/537.36","http_method":"GET","protocol":"HTTP/1.1","length":0},"app_proto":"http","module":"alert","ingested":"2024-06-15T00:00:00+00:00","action":"blocked","severity":"3","kind":"event","category":["network"]},"@message":"{\"firewall_name\": \"AWSNetworkFirewall\", \"availability_zone\": \"us-east-2a\", \"event_timestamp\": \"1636381332\", \"event\": {\"timestamp\": \"2021-11-08T14:22:12.637611+0000\", \"flow_id\": 706471429191862, \"event_type\": \"alert\", \"src_ip\": \"81.2.69.143\", \"src_port\": 51254, \"dest_ip\": \"216.160.83.57\", \"dest_port\": 80, \"proto\": \"TCP\", \"alert\": {\"action\": \"blocked\", \"signature_id\": 1000003, \"rev\": 1, \"signature\": \"Deny all other TCP traffic\", \"category\": \"\", \"severity\": 3}, \"http\": {\"hostname\": \"216.160.83.57\", \"url\": \"/\", \"http_user_agent\": \"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/95.0.4638.69 Safari/537.36\", \"http_method\": \"GET\", \"protocol\": \"HTTP/1.1\", \"length\": 0}, \"app_proto\": \"http\"}}","@timestamp":"2021-11-08T14:22:12.637611+00:00","@log_type":"networkfirewall","@log_s3bucket":"aes-siem-123456789012-log","@log_s3key":"AWSLogs/123456789012/network-firewall/alert/us-east-2/2021/11/08/14/123456789012_network-firewall_alert_us-east-2_AWSNetworkFirewall_202111081420_2270c06d.log","@id":"96f628a845c8765f36a473129de6ddca","ecs":{"version":"1.10.0"},"cloud":{"provider":"aws","availability_zone":"us-east-2a","account":{"id":"123456789012"},"region":"us-east-2"},"destination":{"ip":"216.160.83.57","port":"80"},"http":{"request":{"method":"GET"}},"network":{"protocol":"http"},"related":{"ip":["216.160.83.57","81.2.69.143"]},"rule":{"id":"1000003","name":"Deny all other TCP traffic","version":"1"},"service":{"node":{"name":"AWSNetworkFirewall"}},"source":{"ip":"81.2.69.143","port":"51254"},"url":{"domain":"216.160.83.57"},"user_agent":{"original":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/95.0.4638.69 Safari/537.36"}}`)
}
