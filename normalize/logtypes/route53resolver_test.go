package logtypes

import "testing"

func TestRoute53ResolverTransform(t *testing.T) {
	ajRun(t, transformRoute53Resolver, []ajCase{
		{
			name: "PTR answer",
			in:   `{"version":"1.100000","account_id":"626345947581","region":"us-east-1","vpc_id":"vpc-01e31a7c","query_timestamp":"2021-12-11T22:46:23Z","query_name":"159.86.31.172.in-addr.arpa.","query_type":"PTR","query_class":"IN","rcode":"NOERROR","answers":[{"Rdata":"ip-172-31-86-159.ec2.internal.","Type":"PTR","Class":"IN"}],"srcaddr":"172.31.86.159","srcport":"48701","transport":"UDP","srcids":{"instance":"i-0d15cd0d3b4f0ba2f"},"event":{"module":"route53resolver","kind":"event","category":["network"]},"cloud":{"provider":"aws","region":"us-east-1","account":{"id":"626345947581"}},"related":{"ip":["172.31.86.159"]},"source":{"address":"172.31.86.159","ip":"172.31.86.159","port":"48701"},"dns":{"answers":{"class":"IN","data":"ip-172-31-86-159.ec2.internal.","type":"PTR"},"question":{"class":"IN","name":"159.86.31.172.in-addr.arpa.","type":"PTR"},"response_code":"NOERROR"}}`,
			want: `{"version":"1.100000","account_id":"626345947581","region":"us-east-1","vpc_id":"vpc-01e31a7c","query_timestamp":"2021-12-11T22:46:23Z","query_name":"159.86.31.172.in-addr.arpa.","query_type":"PTR","query_class":"IN","rcode":"NOERROR","answers":[{"Rdata":"ip-172-31-86-159.ec2.internal.","Type":"PTR","Class":"IN"}],"srcaddr":"172.31.86.159","srcport":"48701","transport":"UDP","srcids":{"instance":"i-0d15cd0d3b4f0ba2f"},"event":{"module":"route53resolver","kind":"event","category":["network"]},"cloud":{"provider":"aws","region":"us-east-1","account":{"id":"626345947581"}},"related":{"ip":["172.31.86.159"]},"source":{"address":"172.31.86.159","ip":"172.31.86.159","port":"48701"},"dns":{"answers":{"class":"IN","data":"ip-172-31-86-159.ec2.internal","type":"PTR"},"question":{"class":"IN","name":"159.86.31.172.in-addr.arpa","type":"PTR"},"response_code":"NOERROR"}}`,
		},
		{
			name: "NXDOMAIN without answers",
			in:   `{"query_name":"does-not-exist.abc.com.","answers":[],"rcode":"NXDOMAIN","event":{"module":"route53resolver"},"dns":{"question":{"class":"IN","name":"does-not-exist.abc.com.","type":"A"},"response_code":"NXDOMAIN"}}`,
			want: `{"query_name":"does-not-exist.abc.com.","answers":[],"rcode":"NXDOMAIN","event":{"module":"route53resolver"},"dns":{"question":{"class":"IN","name":"does-not-exist.abc.com","type":"A"},"response_code":"NXDOMAIN"}}`,
		},
		{
			name: "A answer is an address",
			in:   `{"dns":{"answers":{"class":"IN","data":"81.2.69.143","type":"A"},"question":{"name":"s3-r-w.us-east-1.amazonaws.com.","type":"A"}}}`,
			want: `{"dns":{"answers":{"class":"IN","data":"81.2.69.143","type":"A"},"question":{"name":"s3-r-w.us-east-1.amazonaws.com","type":"A"}}}`,
		},
		{
			name: "several trailing dots, root name",
			in:   `{"dns":{"answers":{"data":"."},"question":{"name":"example.com..."}}}`,
			want: `{"dns":{"answers":{"data":""},"question":{"name":"example.com"}}}`,
		},
		{
			name: "name without dot",
			in:   `{"dns":{"question":{"name":"instance-data"}}}`,
			want: `{"dns":{"question":{"name":"instance-data"}}}`,
		},
		{
			name: "no dns object",
			in:   `{"query_name":"x.","event":{"module":"route53resolver"}}`,
			want: `{"query_name":"x.","event":{"module":"route53resolver"}}`,
		},
	})
}

// BenchmarkRoute53ResolverTransform runs a PTR query as the ECS step leaves
// it.
func BenchmarkRoute53ResolverTransform(b *testing.B) {
	benchTransform(b, transformRoute53Resolver, `{"version":"1.100000","account_id":"626345947581","region":"us-east-1","vpc_id":"vpc-01e31a7c","query_timestamp":"2021-12-11T22:46:23Z","query_name":"159.86.31.172.in-addr.arpa.","query_type":"PTR","query_class":"IN","rcode":"NOERROR","answers":[{"Rdata":"ip-172-31-86-159.ec2.internal.","Type":"PTR","Class":"IN"}],"srcaddr":"172.31.86.159","srcport":"47924","transport":"UDP","@message":"{\"version\": \"1.100000\", \"account_id\": \"626345947581\", \"region\": \"us-east-1\", \"vpc_id\": \"vpc-01e31a7c\", \"query_timestamp\": \"2021-12-11T22:46:23Z\", \"query_name\": \"159.86.31.172.in-addr.arpa.\", \"query_type\": \"PTR\", \"query_class\": \"IN\", \"rcode\": \"NOERROR\", \"answers\": [{\"Rdata\": \"ip-172-31-86-159.ec2.internal.\", \"Type\": \"PTR\", \"Class\": \"IN\"}], \"srcaddr\": \"172.31.86.159\", \"srcport\": \"47924\", \"transport\": \"UDP\", \"srcids\": {}}","@timestamp":"2021-12-11T22:46:23+00:00","@log_type":"route53resolver","@log_s3bucket":"aes-siem-123456789012-log","@log_s3key":"AWSLogs/626345947581/vpcdnsquerylogs/vpc-01e31a7c/2021/12/11/vpc-01e31a7c_vpcdnsquerylogs_626345947581_20211211T2245Z_82f3e9c6.log","event":{"module":"route53resolver","ingested":"2024-06-15T00:00:00+00:00","kind":"event","category":["network"]},"@id":"165f5955d50b14a6a90f8b5d56380924","ecs":{"version":"1.10.0"},"cloud":{"provider":"aws","region":"us-east-1","account":{"id":"626345947581"}},"dns":{"answers":{"class":"IN","data":"ip-172-31-86-159.ec2.internal.","type":"PTR"},"question":{"class":"IN","name":"159.86.31.172.in-addr.arpa.","type":"PTR"},"response_code":"NOERROR"},"related":{"ip":["172.31.86.159"]},"source":{"address":"172.31.86.159","ip":"172.31.86.159","port":"47924"}}`)
}
