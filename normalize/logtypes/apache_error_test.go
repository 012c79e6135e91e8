package logtypes

import "testing"

func TestApacheErrorTransform(t *testing.T) {
	runTransformCases(t, transformApacheError, []tcase{
		{
			name: "client error with referer",
			in:   `{"datetime":"Mon May 20 13:21:04.118273 2024","module":"core","log_level":"error","pid":"2114","tid":"139823","debug_message":null,"client_ip":"175.16.199.30","client_port":"51432","message_code":"AH00126","message":"Invalid URI in request GET /index.php?s=/Index/\\think\\app/invokefunction HTTP/1.1, referer: http://www.example.com/","@log_s3key":"AWSLogs/111122223333/EC2/Apache/error/ap-northeast-1/web-site-name=shop/2024/05/20/aes-siem-firehose-apache-error-1-2024-05-20-13-25-33-1f2e3d4c","@log_group":"/ec2/apache/error_log","@log_stream":"i-0a1b2c3d4e5f60718","event":{"module":"error","kind":"event","category":["web"]},"cloud":{"provider":"aws","account":{"id":"111122223333"},"region":"unknown"},"apache":{"error":{"module":"core"}},"log":{"level":"error"},"source":{"address":"175.16.199.30","ip":"175.16.199.30","port":"51432"},"error":{"message":"Invalid URI in request GET /index.php?s=/Index/\\think\\app/invokefunction HTTP/1.1, referer: http://www.example.com/","code":"AH00126"},"process":{"pid":"2114","thread":{"id":"139823"}}}`,
			want: `{"@log_s3key":"AWSLogs/111122223333/EC2/Apache/error/ap-northeast-1/web-site-name=shop/2024/05/20/aes-siem-firehose-apache-error-1-2024-05-20-13-25-33-1f2e3d4c","@log_group":"/ec2/apache/error_log","@log_stream":"i-0a1b2c3d4e5f60718","event":{"module":"error","kind":"event","category":["web"],"type":"error"},"cloud":{"provider":"aws","account":{"id":"111122223333"},"region":"unknown","instance":{"id":"i-0a1b2c3d4e5f60718"}},"apache":{"error":{"module":"core"}},"log":{"level":"error"},"source":{"address":"175.16.199.30","ip":"175.16.199.30","port":"51432"},"error":{"message":"Invalid URI in request GET /index.php?s=/Index/\\think\\app/invokefunction HTTP/1.1, referer: http://www.example.com/","code":"AH00126"},"process":{"pid":"2114","thread":{"id":"139823"}},"related":{"hosts":"i-0a1b2c3d4e5f60718"},"url":{"scheme":"http"},"service":{"name":"shop"},"http":{"request":{"referrer":"http://www.example.com/"}}}`,
		},
		{
			name: "notice on a TLS vhost",
			in:   `{"datetime":"Mon May 20 13:00:01.000120 2024","module":"mpm_event","log_level":"notice","pid":"1021","tid":null,"debug_message":null,"client_ip":null,"client_port":null,"message_code":"AH00489","message":"Apache/2.4.58 (Amazon Linux) OpenSSL/3.0.8 configured -- resuming normal operations","@log_s3key":"AWSLogs/111122223333/EC2/Apache/error/ap-northeast-1/web-site-name=shop/2024/05/20/aes-siem-firehose-apache-error-1-2024-05-20-13-25-33-1f2e3d4c","@log_group":"/ec2/apache/ssl_error_log","@log_stream":"i-0a1b2c3d4e5f60718","event":{"module":"error","kind":"event","category":["web"]},"cloud":{"provider":"aws","account":{"id":"111122223333"},"region":"unknown"},"apache":{"error":{"module":"mpm_event"}},"log":{"level":"notice"},"error":{"message":"Apache/2.4.58 (Amazon Linux) OpenSSL/3.0.8 configured -- resuming normal operations","code":"AH00489"},"process":{"pid":"1021"}}`,
			want: `{"@log_s3key":"AWSLogs/111122223333/EC2/Apache/error/ap-northeast-1/web-site-name=shop/2024/05/20/aes-siem-firehose-apache-error-1-2024-05-20-13-25-33-1f2e3d4c","@log_group":"/ec2/apache/ssl_error_log","@log_stream":"i-0a1b2c3d4e5f60718","event":{"module":"error","kind":"event","category":["web"]},"cloud":{"provider":"aws","account":{"id":"111122223333"},"region":"unknown","instance":{"id":"i-0a1b2c3d4e5f60718"}},"apache":{"error":{"module":"mpm_event"}},"log":{"level":"notice"},"error":{"message":"Apache/2.4.58 (Amazon Linux) OpenSSL/3.0.8 configured -- resuming normal operations","code":"AH00489"},"process":{"pid":"1021"},"related":{"hosts":"i-0a1b2c3d4e5f60718"},"url":{"scheme":"https"},"service":{"name":"shop"}}`,
		},
		{
			name: "info level",
			in:   `{"datetime":"Mon May 20 13:05:44.411001 2024","module":"ssl","log_level":"info","pid":"2114","tid":"139824","debug_message":null,"client_ip":"203.0.113.50","client_port":"60211","message_code":"AH01964","message":"Connection to child 3 established (server www.example.com:443)","@log_s3key":"AWSLogs/111122223333/EC2/Apache/error/ap-northeast-1/web-site-name=shop/2024/05/20/aes-siem-firehose-apache-error-1-2024-05-20-13-25-33-1f2e3d4c","@log_group":"/ec2/apache/error_log","@log_stream":"i-0a1b2c3d4e5f60718","event":{"module":"error","kind":"event","category":["web"]},"cloud":{"provider":"aws","account":{"id":"111122223333"},"region":"unknown"},"apache":{"error":{"module":"ssl"}},"log":{"level":"info"},"source":{"address":"203.0.113.50","ip":"203.0.113.50","port":"60211"},"error":{"message":"Connection to child 3 established (server www.example.com:443)","code":"AH01964"},"process":{"pid":"2114","thread":{"id":"139824"}}}`,
			want: `{"@log_s3key":"AWSLogs/111122223333/EC2/Apache/error/ap-northeast-1/web-site-name=shop/2024/05/20/aes-siem-firehose-apache-error-1-2024-05-20-13-25-33-1f2e3d4c","@log_group":"/ec2/apache/error_log","@log_stream":"i-0a1b2c3d4e5f60718","event":{"module":"error","kind":"event","category":["web"],"type":"info"},"cloud":{"provider":"aws","account":{"id":"111122223333"},"region":"unknown","instance":{"id":"i-0a1b2c3d4e5f60718"}},"apache":{"error":{"module":"ssl"}},"log":{"level":"info"},"source":{"address":"203.0.113.50","ip":"203.0.113.50","port":"60211"},"error":{"message":"Connection to child 3 established (server www.example.com:443)","code":"AH01964"},"process":{"pid":"2114","thread":{"id":"139824"}},"related":{"hosts":"i-0a1b2c3d4e5f60718"},"url":{"scheme":"http"},"service":{"name":"shop"}}`,
		},
		{
			name: "warning, stream without instance",
			in:   `{"datetime":"Mon May 20 13:06:10.000000 2024","module":"proxy_fcgi","log_level":"warn","pid":"2115","tid":"139900","debug_message":null,"client_ip":"10.0.1.40","client_port":"40112","message_code":"AH01071","message":"Got error 'PHP message: PHP Warning:  foo'","@log_s3key":"AWSLogs/111122223333/EC2/Apache/error/ap-northeast-1/web-site-name=shop/2024/05/20/aes-siem-firehose-apache-error-1-2024-05-20-13-25-33-1f2e3d4c","@log_group":"/ec2/apache/error_log","@log_stream":"web-1","event":{"module":"error","kind":"event","category":["web"]},"cloud":{"provider":"aws","account":{"id":"111122223333"},"region":"unknown"},"apache":{"error":{"module":"proxy_fcgi"}},"log":{"level":"warn"},"source":{"address":"10.0.1.40","ip":"10.0.1.40","port":"40112"},"error":{"message":"Got error 'PHP message: PHP Warning:  foo'","code":"AH01071"},"process":{"pid":"2115","thread":{"id":"139900"}}}`,
			want: `{"@log_s3key":"AWSLogs/111122223333/EC2/Apache/error/ap-northeast-1/web-site-name=shop/2024/05/20/aes-siem-firehose-apache-error-1-2024-05-20-13-25-33-1f2e3d4c","@log_group":"/ec2/apache/error_log","@log_stream":"web-1","event":{"module":"error","kind":"event","category":["web"],"type":"error"},"cloud":{"provider":"aws","account":{"id":"111122223333"},"region":"unknown"},"apache":{"error":{"module":"proxy_fcgi"}},"log":{"level":"warn"},"source":{"address":"10.0.1.40","ip":"10.0.1.40","port":"40112"},"error":{"message":"Got error 'PHP message: PHP Warning:  foo'","code":"AH01071"},"process":{"pid":"2115","thread":{"id":"139900"}},"related":{},"url":{"scheme":"http"},"service":{"name":"shop"}}`,
		},
		{
			name: "debug message before the client",
			in:   `{"datetime":"Mon May 20 13:07:00.500000 2024","module":"authz_core","log_level":"debug","pid":"2114","tid":"139825","debug_message":"mod_authz_core.c(820)","client_ip":"203.0.113.50","client_port":"60212","message_code":"AH01626","message":"authorization result of Require all granted: granted","@log_s3key":"AWSLogs/111122223333/EC2/Apache/error/ap-northeast-1/web-site-name=shop/2024/05/20/aes-siem-firehose-apache-error-1-2024-05-20-13-25-33-1f2e3d4c","@log_group":"/ec2/apache/error_log","@log_stream":"i-0a1b2c3d4e5f60718","event":{"module":"error","kind":"event","category":["web"]},"cloud":{"provider":"aws","account":{"id":"111122223333"},"region":"unknown"},"apache":{"error":{"module":"authz_core","debug_message":"mod_authz_core.c(820)"}},"log":{"level":"debug"},"source":{"address":"203.0.113.50","ip":"203.0.113.50","port":"60212"},"error":{"message":"authorization result of Require all granted: granted","code":"AH01626"},"process":{"pid":"2114","thread":{"id":"139825"}}}`,
			want: `{"@log_s3key":"AWSLogs/111122223333/EC2/Apache/error/ap-northeast-1/web-site-name=shop/2024/05/20/aes-siem-firehose-apache-error-1-2024-05-20-13-25-33-1f2e3d4c","@log_group":"/ec2/apache/error_log","@log_stream":"i-0a1b2c3d4e5f60718","event":{"module":"error","kind":"event","category":["web"]},"cloud":{"provider":"aws","account":{"id":"111122223333"},"region":"unknown","instance":{"id":"i-0a1b2c3d4e5f60718"}},"apache":{"error":{"module":"authz_core","debug_message":"mod_authz_core.c(820)"}},"log":{"level":"debug"},"source":{"address":"203.0.113.50","ip":"203.0.113.50","port":"60212"},"error":{"message":"authorization result of Require all granted: granted","code":"AH01626"},"process":{"pid":"2114","thread":{"id":"139825"}},"related":{"hosts":"i-0a1b2c3d4e5f60718"},"url":{"scheme":"http"},"service":{"name":"shop"}}`,
		},
	})
}

// BenchmarkApacheErrorTransform runs a whole document as the ECS step leaves
// it (metadata and @message included).
func BenchmarkApacheErrorTransform(b *testing.B) {
	benchTransform(b, transformApacheError, apacheErrorBenchDoc)
}

func TestApacheErrorTransformOddValues(t *testing.T) {
	checkOddValues(t, transformApacheError, apacheErrorBenchDoc)
}

const apacheErrorBenchDoc = `{"datetime":"Mon May 20 13:21:04.118273 2024","module":"core","log_level":"error","pid":"2114","tid":"139823","client_ip":"175.16.199.30","client_port":"51432","message_code":"AH00126","message":"Invalid URI in request GET /index.php?s=/Index/\\think\\app/invokefunction HTTP/1.1, referer: http://www.example.com/","@message":"[Mon May 20 13:21:04.118273 2024] [core:error] [pid 2114:tid 139823] [client 175.16.199.30:51432] AH00126: Invalid URI in request GET /index.php?s=/Index/\\think\\app/invokefunction HTTP/1.1, referer: http://www.example.com/","@timestamp":"2024-05-20T13:21:04.118273+00:00","@log_type":"apache-error","@log_s3bucket":"aes-siem-111122223333-log","@log_s3key":"AWSLogs/111122223333/EC2/Apache/error/ap-northeast-1/web-site-name=shop/2024/05/20/aes-siem-firehose-apache-error-1-2024-05-20-13-25-33-1f2e3d4c","@log_group":"/ec2/apache/error_log","@log_stream":"i-0a1b2c3d4e5f60718","event":{"module":"error","ingested":"2024-06-15T00:00:00+00:00","kind":"event","category":["web"]},"@id":"0f4c7d2b9e1a3c5d7e9f1a2b3c4d5e6f","ecs":{"version":"1.10.0"},"cloud":{"provider":"aws","account":{"id":"111122223333"},"region":"unknown"},"apache":{"error":{"module":"core"}},"log":{"level":"error"},"source":{"address":"175.16.199.30","ip":"175.16.199.30","port":"51432"},"error":{"message":"Invalid URI in request GET /index.php?s=/Index/\\think\\app/invokefunction HTTP/1.1, referer: http://www.example.com/","code":"AH00126"},"process":{"pid":"2114","thread":{"id":"139823"}}}`

func TestApacheErrorWithoutMicroseconds(t *testing.T) {
	m, ok := parseApacheErrorWithoutMicroseconds("[Mon Dec 26 16:22:08 2016] [error] [client 192.168.33.1] File does not exist: /var/www/favicon.ico")
	if !ok {
		t.Fatal("Apache 2.2 line not read")
	}
	want := `{"datetime":"Mon Dec 26 16:22:08.000000 2016","module":null,"log_level":"error","pid":null,"tid":null,"debug_message":null,"client_ip":"192.168.33.1","client_port":null,"message_code":null,"message":"File does not exist: /var/www/favicon.ico"}`
	if got := testJSON(m); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	for _, line := range []string{
		"[Mon Dec 26 16:15:55.103786 2016] [core:notice] [pid 11379] AH00094: Command line: '/usr/sbin/httpd'",
		"[Mon Dec 26 16:22:08 2016]",
		"Mon Dec 26 16:22:08 2016 [error] no brackets",
	} {
		if _, ok := parseApacheErrorWithoutMicroseconds(line); ok {
			t.Errorf("%q taken by the Apache 2.2 variant", line)
		}
	}
}
