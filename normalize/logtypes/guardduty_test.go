package logtypes

import (
	"strings"
	"testing"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

func TestGuardDutyTransform(t *testing.T) {
	ajRun(t, transformGuardDuty, []ajCase{
		{
			name: "API call from a malicious IP",
			in:   `{"schemaVersion":"2.0","accountId":"973743533182","region":"us-east-2","id":"02bf27df0ab318783b0a8f63569dfd68","type":"Impact:S3/MaliciousIPCaller","resource":{"resourceType":"S3Bucket","accessKeyDetails":{"accessKeyId":"GeneratedFindingAccessKeyId","userName":"GeneratedFindingUserName"}},"service":{"serviceName":"guardduty","action":{"actionType":"AWS_API_CALL","awsApiCallAction":{"api":"GeneratedFindingAPIName","remoteIpDetails":{"ipAddressV4":"81.2.69.144","geoLocation":{"lat":51.5142,"lon":-0.0931}}}},"count":4},"severity":8,"updatedAt":"2022-01-28T21:12:25.478Z","title":"S3 API GeneratedFindingAPIName was invoked from known malicious IP address 81.2.69.144.","event":{"module":"guardduty","severity":"8","kind":"alert","category":["intrusion_detection"]},"cloud":{"provider":"aws","instance":{"id":"i-99999999"}},"destination":{"address":"10.0.0.1","ip":"10.0.0.1","nat":{"ip":"81.2.69.144"}},"related":{"ip":["10.0.0.1","81.2.69.144"],"user":["GeneratedFindingUserName"]},"rule":{"id":"Impact:S3/MaliciousIPCaller","name":"S3 API GeneratedFindingAPIName was invoked from known malicious IP address 81.2.69.144."},"source":{"address":"81.2.69.144","ip":"81.2.69.144","geo":{"location":{"lat":51.5142,"lon":-0.0931}}},"user":{"id":"GeneratedFindingAccessKeyId","name":"GeneratedFindingUserName"}}`,
			want: `{"schemaVersion":"2.0","accountId":"973743533182","region":"us-east-2","id":"02bf27df0ab318783b0a8f63569dfd68","type":"Impact:S3/MaliciousIPCaller","resource":{"resourceType":"S3Bucket","accessKeyDetails":{"accessKeyId":"GeneratedFindingAccessKeyId","userName":"GeneratedFindingUserName"}},"service":{"serviceName":"guardduty","action":{"actionType":"AWS_API_CALL","awsApiCallAction":{"api":"GeneratedFindingAPIName","remoteIpDetails":{"ipAddressV4":"81.2.69.144","geoLocation":{"lat":51.5142,"lon":-0.0931}}}},"count":4},"severity":8,"updatedAt":"2022-01-28T21:12:25.478Z","title":"S3 API GeneratedFindingAPIName was invoked from known malicious IP address 81.2.69.144.","event":{"module":"guardduty","severity":"8","kind":"alert","category":["intrusion_detection"]},"cloud":{"provider":"aws","instance":{"id":"i-99999999"}},"destination":{"address":"10.0.0.1","ip":"10.0.0.1","nat":{"ip":"81.2.69.144"}},"related":{"ip":["10.0.0.1","81.2.69.144"],"user":["GeneratedFindingUserName"]},"rule":{"id":"Impact:S3/MaliciousIPCaller","name":"S3 API GeneratedFindingAPIName was invoked from known malicious IP address 81.2.69.144"},"source":{"address":"81.2.69.144","ip":"81.2.69.144","geo":{"location":{"lat":51.5142,"lon":-0.0931}}},"user":{"id":"GeneratedFindingAccessKeyId","name":"GeneratedFindingUserName"},"severitylabel":"high","ThreatPurpose":"Impact","ResourceTypeAffected":"S3","ThreatFamilyName":"MaliciousIPCaller","DetectionMechanism":null,"Artifact":null,"network":{"direction":"inbound"}}`,
		},
		{
			name: "outbound connection swaps source and destination",
			in:   `{"type":"Impact:EC2/WinRMBruteForce","service":{"action":{"actionType":"NETWORK_CONNECTION","networkConnectionAction":{"connectionDirection":"OUTBOUND","localIpDetails":{"ipAddressV4":"10.0.0.23"},"remoteIpDetails":{"ipAddressV4":"81.2.69.144"},"remotePortDetails":{"port":5985},"localPortDetails":{"port":32794}}},"count":4},"severity":2,"title":"EC2 Instance i-99999999 is performing a Windows Remote Management brute force attack against a remote host with the IP address 81.2.69.144.","event":{"module":"guardduty","severity":"2","kind":"alert","category":["intrusion_detection"]},"destination":{"address":"10.0.0.1","ip":"10.0.0.1","nat":{"ip":"81.2.69.144"},"port":"32794"},"rule":{"id":"Impact:EC2/WinRMBruteForce","name":"EC2 Instance i-99999999 is performing a Windows Remote Management brute force attack against a remote host with the IP address 81.2.69.144."},"source":{"address":"81.2.69.144","ip":"81.2.69.144","port":"5985"}}`,
			want: `{"type":"Impact:EC2/WinRMBruteForce","service":{"action":{"actionType":"NETWORK_CONNECTION","networkConnectionAction":{"connectionDirection":"OUTBOUND","localIpDetails":{"ipAddressV4":"10.0.0.23"},"remoteIpDetails":{"ipAddressV4":"81.2.69.144"},"remotePortDetails":{"port":5985},"localPortDetails":{"port":32794}}},"count":4},"severity":2,"title":"EC2 Instance i-99999999 is performing a Windows Remote Management brute force attack against a remote host with the IP address 81.2.69.144.","event":{"module":"guardduty","severity":"2","kind":"alert","category":["intrusion_detection"]},"destination":{"address":"81.2.69.144","ip":"81.2.69.144","port":"5985"},"rule":{"id":"Impact:EC2/WinRMBruteForce","name":"EC2 Instance i-99999999 is performing a Windows Remote Management brute force attack against a remote host with the IP address 81.2.69.144"},"source":{"address":"10.0.0.1","ip":"10.0.0.1","nat":{"ip":"81.2.69.144"},"port":"32794"},"severitylabel":"low","ThreatPurpose":"Impact","ResourceTypeAffected":"EC2","ThreatFamilyName":"WinRMBruteForce","DetectionMechanism":null,"Artifact":null,"network":{"direction":"outbound"}}`,
		},
		{
			name: "inbound connection keeps the sides",
			in:   `{"type":"Recon:EC2/PortProbeUnprotectedPort","service":{"action":{"actionType":"NETWORK_CONNECTION","networkConnectionAction":{"connectionDirection":"INBOUND"}}},"severity":2.0,"title":"Unprotected port on EC2 instance i-99999999 is being probed.","event":{"module":"guardduty"},"network":{"transport":"tcp"},"destination":{"ip":"10.0.0.1"},"rule":{"name":"Unprotected port on EC2 instance i-99999999 is being probed."},"source":{"ip":"81.2.69.144"}}`,
			want: `{"type":"Recon:EC2/PortProbeUnprotectedPort","service":{"action":{"actionType":"NETWORK_CONNECTION","networkConnectionAction":{"connectionDirection":"INBOUND"}}},"severity":2.0,"title":"Unprotected port on EC2 instance i-99999999 is being probed.","event":{"module":"guardduty"},"network":{"transport":"tcp","direction":"inbound"},"destination":{"ip":"10.0.0.1"},"rule":{"name":"Unprotected port on EC2 instance i-99999999 is being probed"},"source":{"ip":"81.2.69.144"},"severitylabel":"low","ThreatPurpose":"Recon","ResourceTypeAffected":"EC2","ThreatFamilyName":"PortProbeUnprotectedPort","DetectionMechanism":null,"Artifact":null}`,
		},
		{
			name: "DNS request of a trojan is outbound malware",
			in:   `{"type":"Trojan:EC2/BlackholeTraffic!DNS","service":{"action":{"actionType":"DNS_REQUEST","dnsRequestAction":{"domain":"GeneratedFindingDomainName","protocol":"UDP","blocked":true}}},"severity":5,"title":"Blackholed domain name queried by EC2 instance i-99999999.","event":{"module":"guardduty"},"destination":{"address":"10.0.0.1","ip":"10.0.0.1"},"dns":{"question":{"name":"GeneratedFindingDomainName"}},"rule":{"name":"Blackholed domain name queried by EC2 instance i-99999999."}}`,
			want: `{"type":"Trojan:EC2/BlackholeTraffic!DNS","service":{"action":{"actionType":"DNS_REQUEST","dnsRequestAction":{"domain":"GeneratedFindingDomainName","protocol":"UDP","blocked":true}}},"severity":5,"title":"Blackholed domain name queried by EC2 instance i-99999999.","event":{"module":"guardduty","category":"malware"},"dns":{"question":{"name":"GeneratedFindingDomainName"}},"rule":{"name":"Blackholed domain name queried by EC2 instance i-99999999"},"severitylabel":"medium","ThreatPurpose":"Trojan","ResourceTypeAffected":"EC2","ThreatFamilyName":"BlackholeTraffic","DetectionMechanism":null,"Artifact":"DNS","network":{"direction":"outbound"},"source":{"address":"10.0.0.1","ip":"10.0.0.1"}}`,
		},
		{
			name: "command and control with mechanism and artifact",
			in:   `{"type":"Backdoor:EC2/C&CActivity.B!DNS","service":{"action":{"actionType":"DNS_REQUEST"}},"severity":8.0,"title":"C&C","event":{"module":"guardduty"},"rule":{"name":"C&C"}}`,
			want: `{"type":"Backdoor:EC2/C&CActivity.B!DNS","service":{"action":{"actionType":"DNS_REQUEST"}},"severity":8.0,"title":"C&C","event":{"module":"guardduty","category":"malware"},"rule":{"name":"C&C"},"severitylabel":"high","ThreatPurpose":"Backdoor","ResourceTypeAffected":"EC2","ThreatFamilyName":"C&CActivity","DetectionMechanism":"B","Artifact":"DNS","network":{"direction":"outbound"}}`,
		},
		{
			name: "cryptocurrency finding without action",
			in:   `{"type":"CryptoCurrency:Runtime/BitcoinTool.B","severity":8,"title":"Bitcoin","event":{"module":"guardduty"},"rule":{"name":"Bitcoin"}}`,
			want: `{"type":"CryptoCurrency:Runtime/BitcoinTool.B","severity":8,"title":"Bitcoin","event":{"module":"guardduty","category":"malware"},"rule":{"name":"Bitcoin"},"severitylabel":"high","ThreatPurpose":"CryptoCurrency","ResourceTypeAffected":"Runtime","ThreatFamilyName":"BitcoinTool","DetectionMechanism":"B","Artifact":null,"network":{"direction":"inbound"}}`,
		},
		{
			name: "malicious file has no direction",
			in:   `{"type":"Execution:EC2/MaliciousFile","service":{"ebsVolumeScanDetails":{"scanId":"x"}},"severity":8,"title":"Malicious file","event":{"module":"guardduty","category":["intrusion_detection"]},"rule":{"name":"Malicious file"},"destination":{"ip":"10.0.0.1"}}`,
			want: `{"type":"Execution:EC2/MaliciousFile","service":{"ebsVolumeScanDetails":{"scanId":"x"}},"severity":8,"title":"Malicious file","event":{"module":"guardduty","category":"malware"},"rule":{"name":"Malicious file"},"destination":{"ip":"10.0.0.1"},"severitylabel":"high","ThreatPurpose":"Execution","ResourceTypeAffected":"EC2","ThreatFamilyName":"MaliciousFile","DetectionMechanism":null,"Artifact":null}`,
		},
		{
			name: "suspicious S3 object",
			in:   `{"type":"Object:S3/SuspiciousFile","severity":5,"title":" Suspicious file. ","event":{"module":"guardduty"},"rule":{"name":" Suspicious file. "}}`,
			want: `{"type":"Object:S3/SuspiciousFile","severity":5,"title":" Suspicious file. ","event":{"module":"guardduty","category":"malware"},"rule":{"name":"Suspicious file"},"severitylabel":"medium","ThreatPurpose":"Object","ResourceTypeAffected":"S3","ThreatFamilyName":"SuspiciousFile","DetectionMechanism":null,"Artifact":null}`,
		},
		{
			name: "Kubernetes API call with medium boundary",
			in:   `{"type":"Discovery:Kubernetes/TorIPCaller","service":{"action":{"actionType":"KUBERNETES_API_CALL","kubernetesApiCallAction":{"remoteIpDetails":{"ipAddressV4":"175.16.199.1"}}}},"severity":6.9,"title":"Kubernetes API commonly used in Discovery tactics invoked from a Tor exit node IP address.","event":{"module":"guardduty"},"rule":{"name":"Kubernetes API commonly used in Discovery tactics invoked from a Tor exit node IP address."},"source":{"ip":"175.16.199.1"}}`,
			want: `{"type":"Discovery:Kubernetes/TorIPCaller","service":{"action":{"actionType":"KUBERNETES_API_CALL","kubernetesApiCallAction":{"remoteIpDetails":{"ipAddressV4":"175.16.199.1"}}}},"severity":6.9,"title":"Kubernetes API commonly used in Discovery tactics invoked from a Tor exit node IP address.","event":{"module":"guardduty"},"rule":{"name":"Kubernetes API commonly used in Discovery tactics invoked from a Tor exit node IP address"},"source":{"ip":"175.16.199.1"},"severitylabel":"medium","ThreatPurpose":"Discovery","ResourceTypeAffected":"Kubernetes","ThreatFamilyName":"TorIPCaller","DetectionMechanism":null,"Artifact":null,"network":{"direction":"inbound"}}`,
		},
		{
			name: "low boundary",
			in:   `{"type":"Policy:S3/BucketBlockPublicAccessDisabled","severity":3.9,"title":"x...","event":{"module":"guardduty"},"rule":{"name":"x..."}}`,
			want: `{"type":"Policy:S3/BucketBlockPublicAccessDisabled","severity":3.9,"title":"x...","event":{"module":"guardduty"},"rule":{"name":"x"},"severitylabel":"low","ThreatPurpose":"Policy","ResourceTypeAffected":"S3","ThreatFamilyName":"BucketBlockPublicAccessDisabled","DetectionMechanism":null,"Artifact":null,"network":{"direction":"inbound"}}`,
		},
		{
			name: "high boundary",
			in:   `{"type":"UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS","severity":8.9,"title":"y","event":{"module":"guardduty"},"rule":{"name":"y"}}`,
			want: `{"type":"UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS","severity":8.9,"title":"y","event":{"module":"guardduty"},"rule":{"name":"y"},"severitylabel":"high","ThreatPurpose":"UnauthorizedAccess","ResourceTypeAffected":"IAMUser","ThreatFamilyName":"InstanceCredentialExfiltration","DetectionMechanism":"OutsideAWS","Artifact":null,"network":{"direction":"inbound"}}`,
		},
		{
			name: "outbound with destination only",
			in:   `{"type":"UnauthorizedAccess:EC2/TorClient","service":{"action":{"actionType":"NETWORK_CONNECTION","networkConnectionAction":{"connectionDirection":"OUTBOUND"}}},"severity":8,"title":"t","event":{"module":"guardduty"},"rule":{"name":"t"},"destination":{"ip":"10.0.0.1"}}`,
			want: `{"type":"UnauthorizedAccess:EC2/TorClient","service":{"action":{"actionType":"NETWORK_CONNECTION","networkConnectionAction":{"connectionDirection":"OUTBOUND"}}},"severity":8,"title":"t","event":{"module":"guardduty"},"rule":{"name":"t"},"severitylabel":"high","ThreatPurpose":"UnauthorizedAccess","ResourceTypeAffected":"EC2","ThreatFamilyName":"TorClient","DetectionMechanism":null,"Artifact":null,"network":{"direction":"outbound"},"source":{"ip":"10.0.0.1"}}`,
		},
		{
			name: "critical attack sequence",
			// es-loader raises UnboundLocalError: cannot access local variable 'label' where it is not associated with a value
			in: `{"type":"AttackSequence:IAM/CompromisedCredentials","severity":9.0,"title":"Potential data compromise","event":{"module":"guardduty","severity":"9.0"},"rule":{"name":"Potential data compromise."}}`,
			// es-loader has no label above 8.9 and stops before the type fields; fixed here
			want: `{"type":"AttackSequence:IAM/CompromisedCredentials","severity":9.0,"title":"Potential data compromise","event":{"module":"guardduty","severity":"9.0"},"rule":{"name":"Potential data compromise"},"severitylabel":"critical","ThreatPurpose":"AttackSequence","ResourceTypeAffected":"IAM","ThreatFamilyName":"CompromisedCredentials","DetectionMechanism":null,"Artifact":null,"network":{"direction":"inbound"}}`,
		},
		{
			name: "maximum severity",
			// es-loader raises UnboundLocalError: cannot access local variable 'label' where it is not associated with a value
			in: `{"type":"AttackSequence:S3/CompromisedData","severity":10,"title":"z","event":{"module":"guardduty"},"rule":{"name":"z"}}`,
			// es-loader has no label above 8.9 and stops before the type fields; fixed here
			want: `{"type":"AttackSequence:S3/CompromisedData","severity":10,"title":"z","event":{"module":"guardduty"},"rule":{"name":"z"},"severitylabel":"critical","ThreatPurpose":"AttackSequence","ResourceTypeAffected":"S3","ThreatFamilyName":"CompromisedData","DetectionMechanism":null,"Artifact":null,"network":{"direction":"inbound"}}`,
		},
		{
			name: "connection without direction",
			// es-loader raises KeyError: 'connectionDirection'
			in: `{"type":"UnauthorizedAccess:EC2/SSHBruteForce","service":{"action":{"actionType":"NETWORK_CONNECTION","networkConnectionAction":{}}},"severity":2,"title":"ssh","event":{"module":"guardduty"},"rule":{"name":"ssh"},"source":{"ip":"81.2.69.144"}}`,
			// es-loader stops at the missing connectionDirection; here there is just no direction
			want: `{"type":"UnauthorizedAccess:EC2/SSHBruteForce","service":{"action":{"actionType":"NETWORK_CONNECTION","networkConnectionAction":{}}},"severity":2,"title":"ssh","event":{"module":"guardduty"},"rule":{"name":"ssh"},"source":{"ip":"81.2.69.144"},"severitylabel":"low","ThreatPurpose":"UnauthorizedAccess","ResourceTypeAffected":"EC2","ThreatFamilyName":"SSHBruteForce","DetectionMechanism":null,"Artifact":null}`,
		},
		{
			name: "unknown connection direction",
			in:   `{"type":"UnauthorizedAccess:EC2/SSHBruteForce","service":{"action":{"actionType":"NETWORK_CONNECTION","networkConnectionAction":{"connectionDirection":"UNKNOWN"}}},"severity":2,"title":"ssh","event":{"module":"guardduty"},"rule":{"name":"ssh"},"source":{"ip":"81.2.69.144"}}`,
			want: `{"type":"UnauthorizedAccess:EC2/SSHBruteForce","service":{"action":{"actionType":"NETWORK_CONNECTION","networkConnectionAction":{"connectionDirection":"UNKNOWN"}}},"severity":2,"title":"ssh","event":{"module":"guardduty"},"rule":{"name":"ssh"},"source":{"ip":"81.2.69.144"},"severitylabel":"low","ThreatPurpose":"UnauthorizedAccess","ResourceTypeAffected":"EC2","ThreatFamilyName":"SSHBruteForce","DetectionMechanism":null,"Artifact":null,"network":{"direction":"unknown"}}`,
		},
		{
			name: "no title, no severity",
			// es-loader raises KeyError: 'rule'
			in: `{"type":"Stealth:IAMUser/CloudTrailLoggingDisabled","event":{"module":"guardduty"}}`,
			// es-loader stops at the missing rule; here the rest is transformed
			want: `{"type":"Stealth:IAMUser/CloudTrailLoggingDisabled","event":{"module":"guardduty"},"ThreatPurpose":"Stealth","ResourceTypeAffected":"IAMUser","ThreatFamilyName":"CloudTrailLoggingDisabled","DetectionMechanism":null,"Artifact":null,"network":{"direction":"inbound"}}`,
		},
		{
			name: "existing network object is merged",
			in:   `{"type":"Recon:EC2/Portscan","severity":5,"title":"scan","event":{"module":"guardduty"},"rule":{"name":"scan"},"network":{"protocol":"tcp"}}`,
			want: `{"type":"Recon:EC2/Portscan","severity":5,"title":"scan","event":{"module":"guardduty"},"rule":{"name":"scan"},"network":{"protocol":"tcp","direction":"inbound"},"severitylabel":"medium","ThreatPurpose":"Recon","ResourceTypeAffected":"EC2","ThreatFamilyName":"Portscan","DetectionMechanism":null,"Artifact":null}`,
		},
		{
			name:    "no type",
			in:      `{"severity":5,"title":"t","event":{"module":"guardduty"},"rule":{"name":"t."}}`,
			wantErr: true,
		},
		{
			name:    "type of another form",
			in:      `{"type":"Software and Configuration Checks/Vulnerabilities","severity":5,"title":"t","event":{"module":"guardduty"},"rule":{"name":"t."}}`,
			wantErr: true,
		},
		{
			name:    "type that is not text",
			in:      `{"type":["Recon:EC2/Portscan"],"severity":5,"event":{"module":"guardduty"},"rule":{"name":"t."}}`,
			wantErr: true,
		},
	})
}

func TestGuardDutySeverityLabel(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want string // "" = no label
	}{
		{pyjson.Number("1"), "low"},
		{pyjson.Number("3.9"), "low"},
		{pyjson.Number("4"), "medium"},
		{pyjson.Number("6.9"), "medium"},
		{pyjson.Number("7.0"), "high"},
		{pyjson.Number("8.9"), "high"},
		{pyjson.Number("8.95"), "critical"},
		{pyjson.Number("9"), "critical"},
		{pyjson.Number("1e1"), "critical"},
		{8, "high"},
		{int64(2), "low"},
		{5.5, "medium"},
		{"7.5", "high"},
		{" 2 ", "low"},
		{"high", ""},
		{"NaN", ""},
		{true, ""},
		{nil, ""},
		{[]any{pyjson.Number("5")}, ""},
	} {
		got, ok := guardDutySeverityLabel(tc.in)
		if ok != (tc.want != "") || got != tc.want {
			t.Errorf("guardDutySeverityLabel(%#v) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
}

func TestParseGuardDutyType(t *testing.T) {
	for _, tc := range []struct {
		in, want string // want: purpose|resource|family|mechanism|artifact, <nil> for None; "" = no match
	}{
		{"Backdoor:EC2/C&CActivity.B!DNS", "Backdoor|EC2|C&CActivity|B|DNS"},
		{"Trojan:EC2/DGADomainRequest.C!DNS", "Trojan|EC2|DGADomainRequest|C|DNS"},
		{"UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS", "UnauthorizedAccess|IAMUser|InstanceCredentialExfiltration|OutsideAWS|<nil>"},
		{"Trojan:EC2/BlackholeTraffic!DNS", "Trojan|EC2|BlackholeTraffic|<nil>|DNS"},
		{"Impact:S3/MaliciousIPCaller", "Impact|S3|MaliciousIPCaller|<nil>|<nil>"},
		{"Recon:EC2/Portscan.", "Recon|EC2|Portscan||<nil>"},
		{"Execution:Runtime/NewBinaryExecuted extra", "Execution|Runtime|NewBinaryExecuted|<nil>|<nil>"},
		{"Exécution:Exé/Fichier_1", "Exécution|Exé|Fichier_1|<nil>|<nil>"},
		{":/", "|||<nil>|<nil>"},
		{"Impact:S3", ""},
		{"Impact/S3:X", ""},
		{"TTPs/Initial Access/UnauthorizedAccess:EC2-SSHBruteForce", ""},
		{"", ""},
	} {
		ft, ok := parseGuardDutyType(tc.in)
		got := ""
		if ok {
			got = ft.threatPurpose + "|" + ft.resourceTypeAffected + "|" + ft.threatFamilyName + "|" +
				pyjson.Str(ft.detectionMechanism) + "|" + pyjson.Str(ft.artifact)
			got = strings.ReplaceAll(got, "None", "<nil>")
		}
		if got != tc.want {
			t.Errorf("parseGuardDutyType(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// BenchmarkGuardDutyTransform runs an outbound network-connection finding
// as the ECS step leaves it.
func BenchmarkGuardDutyTransform(b *testing.B) {
	benchTransform(b, transformGuardDuty, `{"schemaVersion":"2.0","accountId":"973743533182","region":"us-east-2","partition":"aws","id":"02bf27df0abb1d745f5d88cda8529329","arn":"arn:aws:guardduty:us-east-2:973743533182:detector/37da5a0204286ccd967d2395320d4dcd/finding/02bf27df0abb1d745f5d88cda8529329","type":"Impact:EC2/WinRMBruteForce","resource":{"resourceType":"Instance","instanceDetails":{"instanceId":"i-99999999","instanceType":"m3.xlarge","outpostArn":"arn:aws:outposts:us-west-2:123456789000:outpost/op-0fbc006e9abbc73c3","launchTime":"2016-08-02T02:05:06.000Z","productCodes":[{"productCodeId":"GeneratedFindingProductCodeId","productCodeType":"GeneratedFindingProductCodeType"}],"iamInstanceProfile":{"arn":"arn:aws:iam::973743533182:example/instance/profile","id":"GeneratedFindingInstanceProfileId"},"networkInterfaces":[{"networkInterfaceId":"eni-bfcffe88","privateIpAddresses":[{"privateDnsName":"GeneratedFindingPrivateName","privateIpAddress":"10.0.0.1"}],"subnetId":"GeneratedFindingSubnetId","vpcId":"GeneratedFindingVPCId","privateDnsName":"GeneratedFindingPrivateDnsName","securityGroups":[{"groupName":"GeneratedFindingSecurityGroupName","groupId":"GeneratedFindingSecurityId"}],"publicIp":"81.2.69.144","publicDnsName":"GeneratedFindingPublicDNSName","privateIpAddress":"10.0.0.1"}],"tags":[{"value":"GeneratedFindingInstaceValue1","key":"GeneratedFindingInstaceTag1"},{"value":"GeneratedFindingInstaceTagValue2","key":"GeneratedFindingInstaceTag2"},{"value":"GeneratedFindingInstaceTagValue3","key":"GeneratedFindingInstaceTag3"},{"value":"GeneratedFindingInstaceTagValue4","key":"GeneratedFindingInstaceTag4"},{"value":"GeneratedFindingInstaceTagValue5","key":"GeneratedFindingInstaceTag5"},{"value":"GeneratedFindingInstaceTagValue6","key":"GeneratedFindingInstaceTag6"},{"value":"GeneratedFindingInstaceTagValue7","key":"GeneratedFindingInstaceTag7"},{"value":"GeneratedFindingInstaceTagValue8","key":"GeneratedFindingInstaceTag8"},{"value":"GeneratedFindingInstaceTagValue9","key":"GeneratedFindingInstaceTag9"}],"instanceState":"running","availabilityZone":"GeneratedFindingInstaceAvailabilityZone","imageId":"ami-99999999","imageDescription":"GeneratedFindingInstaceImageDescription"}},"service":{"serviceName":"guardduty","detectorId":"37da5a0204286ccd967d2395320d4dcd","action":{"actionType":"NETWORK_CONNECTION","networkConnectionAction":{"connectionDirection":"OUTBOUND","localIpDetails":{"ipAddressV4":"10.0.0.23"},"remoteIpDetails":{"ipAddressV4":"81.2.69.144","organization":{"asn":"-1","asnOrg":"GeneratedFindingASNOrg","isp":"GeneratedFindingISP","org":"GeneratedFindingORG"},"country":{"countryName":"GeneratedFindingCountryName"},"city":{"cityName":"GeneratedFindingCityName"},"geoLocation":{"lat":51.5142,"lon":-0.0931}},"remotePortDetails":{"port":5985,"portName":"WinRM"},"localPortDetails":{"port":32794,"portName":"Unknown"},"protocol":"TCP","blocked":false}},"resourceRole":"ACTOR","additionalInfo":{"sample":true},"eventFirstSeen":"2022-01-12T19:22:44.000Z","eventLastSeen":"2022-01-28T21:12:25.000Z","archived":false,"count":4},"severity":2,"createdAt":"2022-01-12T19:22:44.470Z","updatedAt":"2022-01-28T21:12:25.497Z","title":"EC2 Instance i-99999999 is performing a Windows Remote Management brute force attack against a remote host with the IP address 81.2.69.144.","description":"EC2 Instance i-99999999 is performing a Windows Remote Management brute force attack against a remote host with the IP address 81.2.69.144. Brute force attacks are used to gain unauthorized access to the target host by guessing passwords.","@message":"{\"schemaVersion\": \"2.0\", \"accountId\": \"973743533182\", \"region\": \"us-east-2\", \"partition\": \"aws\", \"id\": \"02bf27df0abb1d745f5d88cda8529329\", \"arn\": \"arn:aws:guardduty:us-east-2:973743533182:detector/37da5a0204286ccd967d2395320d4dcd/finding/02bf27df0abb1d745f5d88cda8529329\", \"type\": \"Impact:EC2/WinRMBruteForce\", \"resource\": {\"resourceType\": \"Instance\", \"instanceDetails\": {\"instanceId\": \"i-99999999\", \"instanceType\": \"m3.xlarge\", \"outpostArn\": \"arn:aws:outposts:us-west-2:123456789000:outpost/op-0fbc006e9abbc73c3\", \"launchTime\": \"2016-08-02T02:05:06.000Z\", \"platform\": null, \"productCodes\": [{\"productCodeId\": \"GeneratedFindingProductCodeId\", \"productCodeType\": \"GeneratedFindingProductCodeType\"}], \"iamInstanceProfile\": {\"arn\": \"arn:aws:iam::973743533182:example/instance/profile\", \"id\": \"GeneratedFindingInstanceProfileId\"}, \"networkInterfaces\": [{\"networkInterfaceId\": \"eni-bfcffe88\", \"privateIpAddresses\": [{\"privateDnsName\": \"GeneratedFindingPrivateName\", \"privateIpAddress\": \"10.0.0.1\"}], \"subnetId\": \"GeneratedFindingSubnetId\", \"vpcId\": \"GeneratedFindingVPCId\", \"privateDnsName\": \"GeneratedFindingPrivateDnsName\", \"securityGroups\": [{\"groupName\": \"GeneratedFindingSecurityGroupName\", \"groupId\": \"GeneratedFindingSecurityId\"}], \"publicIp\": \"81.2.69.144\", \"ipv6Addresses\": [], \"publicDnsName\": \"GeneratedFindingPublicDNSName\", \"privateIpAddress\": \"10.0.0.1\"}], \"tags\": [{\"value\": \"GeneratedFindingInstaceValue1\", \"key\": \"GeneratedFindingInstaceTag1\"}, {\"value\": \"GeneratedFindingInstaceTagValue2\", \"key\": \"GeneratedFindingInstaceTag2\"}, {\"value\": \"GeneratedFindingInstaceTagValue3\", \"key\": \"GeneratedFindingInstaceTag3\"}, {\"value\": \"GeneratedFindingInstaceTagValue4\", \"key\": \"GeneratedFindingInstaceTag4\"}, {\"value\": \"GeneratedFindingInstaceTagValue5\", \"key\": \"GeneratedFindingInstaceTag5\"}, {\"value\": \"GeneratedFindingInstaceTagValue6\", \"key\": \"GeneratedFindingInstaceTag6\"}, {\"value\": \"GeneratedFindingInstaceTagValue7\", \"key\": \"GeneratedFindingInstaceTag7\"}, {\"value\": \"GeneratedFindingInstaceTagValue8\", \"key\": \"GeneratedFindingInstaceTag8\"}, {\"value\": \"GeneratedFindingInstaceTagValue9\", \"key\": \"GeneratedFindingInstaceTag9\"}], \"instanceState\": \"running\", \"availabilityZone\": \"GeneratedFindingInstaceAvailabilityZone\", \"imageId\": \"ami-99999999\", \"imageDescription\": \"GeneratedFindingInstaceImageDescription\"}}, \"service\": {\"serviceName\": \"guardduty\", \"detectorId\": \"37da5a0204286ccd967d2395320d4dcd\", \"action\": {\"actionType\": \"NETWORK_CONNECTION\", \"networkConnectionAction\": {\"connectionDirection\": \"OUTBOUND\", \"localIpDetails\": {\"ipAddressV4\": \"10.0.0.23\"}, \"remoteIpDetails\": {\"ipAddressV4\": \"81.2.69.144\", \"organization\": {\"asn\": \"-1\", \"asnOrg\": \"GeneratedFindingASNOrg\", \"isp\": \"GeneratedFindingISP\", \"org\": \"GeneratedFindingORG\"}, \"country\": {\"countryName\": \"GeneratedFindingCountryName\"}, \"city\": {\"cityName\": \"GeneratedFindingCityName\"}, \"geoLocation\": {\"lat\": 0, \"lon\": 0}}, \"remotePortDetails\": {\"port\": 5985, \"portName\": \"WinRM\"}, \"localPortDetails\": {\"port\": 32794, \"portName\": \"Unknown\"}, \"protocol\": \"TCP\", \"blocked\": false}}, \"resourceRole\": \"ACTOR\", \"additionalInfo\": {\"sample\": true}, \"eventFirstSeen\": \"2022-01-12T19:22:44.000Z\", \"eventLastSeen\": \"2022-01-28T21:12:25.000Z\", \"archived\": false, \"count\": 4}, \"severity\": 2, \"createdAt\": \"2022-01-12T19:22:44.470Z\", \"updatedAt\": \"2022-01-28T21:12:25.497Z\", \"title\": \"EC2 Instance i-99999999 is performing a Windows Remote Management brute force attack against a remote host with the IP address 81.2.69.144.\", \"description\": \"EC2 Instance i-99999999 is performing a Windows Remote Management brute force attack against a remote host with the IP address 81.2.69.144. Brute force attacks are used to gain unauthorized access to the target host by guessing passwords.\"}","@timestamp":"2022-01-28T21:12:25.497000+00:00","@log_type":"guardduty","@log_s3bucket":"aes-siem-123456789012-log","@log_s3key":"AWSLogs/973743533182/GuardDuty/us-east-2/2022/01/28/7e5e9133-f2b5-79c0-41b7-dc4a5acd96e5.jsonl","event":{"module":"guardduty","ingested":"2024-06-15T00:00:00+00:00","severity":"2","kind":"alert","category":["intrusion_detection"]},"@id":"02bf27df0abb1d745f5d88cda8529329","ecs":{"version":"1.10.0"},"cloud":{"provider":"aws","instance":{"id":"i-99999999"},"account":{"id":"973743533182"},"region":"us-east-2"},"destination":{"address":"10.0.0.1","ip":"10.0.0.1","nat":{"ip":"81.2.69.144"},"port":"32794"},"related":{"ip":["10.0.0.1","10.0.0.23","81.2.69.144"]},"rule":{"id":"Impact:EC2/WinRMBruteForce","name":"EC2 Instance i-99999999 is performing a Windows Remote Management brute force attack against a remote host with the IP address 81.2.69.144.","description":"EC2 Instance i-99999999 is performing a Windows Remote Management brute force attack against a remote host with the IP address 81.2.69.144. Brute force attacks are used to gain unauthorized access to the target host by guessing passwords."},"source":{"address":"81.2.69.144","ip":"81.2.69.144","geo":{"location":{"lat":51.5142,"lon":-0.0931},"city_name":"London","country_name":"United Kingdom","country_iso_code":"GB"},"port":"5985"}}`)
}
