package logtypes

import (
	"testing"
)

// Helpers shared by the tests of the JSON AWS log types (cloudtrail,
// securityhub, guardduty, networkfirewall, route53resolver).

// ajCase is one transform test: the document as the generic ECS step
// leaves it, and the whole document after the transform. Unless a comment
// says otherwise, want is what es-loader's sf_<type>.transform returns for
// the same input (run with PYTHONHASHSEED=0), so key order is checked too.
type ajCase struct {
	name    string
	in      string
	want    string // ignored when wantErr
	suffix  string // expected IDSuffix; "" = none
	wantErr bool
}

func ajRun(t *testing.T, tr Transform, cases []ajCase) {
	t.Helper()
	tcs := make([]tcase, len(cases))
	for i, c := range cases {
		tcs[i] = tcase{name: c.name, in: c.in, want: c.want, suffix: c.suffix, wantErr: c.wantErr}
	}
	runTransformCases(t, tr, tcs)
}

func TestCloudTrailTransform(t *testing.T) {
	ajRun(t, transformCloudTrail, []ajCase{
		{
			name: "console login by IAM user ARN",
			in:   `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDACKCEVSQ6C2EXAMPLE","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","userName":"alice"},"eventTime":"2022-11-10T16:25:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.0","userAgent":"Mozilla/5.0","requestParameters":null,"responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"Yes"},"eventID":"d38ce1b3-4575-4cb8-a632-611b8243bfc3","readOnly":false,"eventType":"AwsConsoleSignIn","recipientAccountId":"111122223333","event":{"module":"signin.amazonaws.com","action":"ConsoleLogin","kind":"event","category":["iam"]},"user":{"name":"arn:aws:iam::111122223333:user/alice"},"cloud":{"provider":"aws","account":{"id":"111122223333"},"region":"us-east-1"},"related":{"ip":["192.0.2.0"]},"source":{"address":"192.0.2.0","ip":"192.0.2.0"}}`,
			want: `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDACKCEVSQ6C2EXAMPLE","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","userName":"alice"},"eventTime":"2022-11-10T16:25:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.0","userAgent":"Mozilla/5.0","requestParameters":null,"responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"Yes"},"eventID":"d38ce1b3-4575-4cb8-a632-611b8243bfc3","readOnly":false,"eventType":"AwsConsoleSignIn","recipientAccountId":"111122223333","event":{"module":"signin.amazonaws.com","action":"ConsoleLogin","kind":"event","category":["iam"],"outcome":"success"},"user":{"name":"alice"},"cloud":{"provider":"aws","account":{"id":"111122223333"},"region":"us-east-1"},"related":{"ip":["192.0.2.0"]},"source":{"address":"192.0.2.0","ip":"192.0.2.0"}}`,
		},
		{
			name: "failure when errorCode is present, even null",
			in:   `{"eventSource":"ec2.amazonaws.com","eventName":"RunInstances","errorCode":null,"event":{"module":"ec2.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"ec2.amazonaws.com","eventName":"RunInstances","errorCode":null,"event":{"module":"ec2.amazonaws.com","outcome":"failure"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "failure on errorMessage alone",
			in:   `{"eventSource":"s3.amazonaws.com","eventName":"GetObject","errorMessage":"Access Denied","event":{"module":"s3.amazonaws.com","outcome":"unknown"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"s3.amazonaws.com","eventName":"GetObject","errorMessage":"Access Denied","event":{"module":"s3.amazonaws.com","outcome":"failure"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "principal id keeps what follows the colon",
			in:   `{"eventSource":"iam.amazonaws.com","eventName":"ListUsers","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:alice@example.com"},"event":{"module":"iam.amazonaws.com"},"user":{"name":"AROAEXAMPLE:alice@example.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"iam.amazonaws.com","eventName":"ListUsers","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:alice@example.com"},"event":{"module":"iam.amazonaws.com","outcome":"success"},"user":{"name":"alice@example.com"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "root ARN",
			in:   `{"eventSource":"iam.amazonaws.com","eventName":"ListUsers","event":{"module":"iam.amazonaws.com"},"user":{"name":"arn:aws:iam::111122223333:root"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"iam.amazonaws.com","eventName":"ListUsers","event":{"module":"iam.amazonaws.com","outcome":"success"},"user":{"name":"root"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "assumed role ARN with session name",
			in:   `{"eventSource":"logs.amazonaws.com","eventName":"DescribeLogStreams","event":{"module":"logs.amazonaws.com"},"user":{"id":"ASIA55TKTI7VANF3DEVD","name":"arn:aws:sts::123456789123:assumed-role/DatadogAWSIntegrationRole/i-08014e4f62ccf762d"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"logs.amazonaws.com","eventName":"DescribeLogStreams","event":{"module":"logs.amazonaws.com","outcome":"success"},"user":{"id":"ASIA55TKTI7VANF3DEVD","name":"i-08014e4f62ccf762d"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "name without colon is kept, slash and all",
			in:   `{"eventSource":"iam.amazonaws.com","eventName":"ListUsers","event":{"module":"iam.amazonaws.com"},"user":{"name":"team/alice"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"iam.amazonaws.com","eventName":"ListUsers","event":{"module":"iam.amazonaws.com","outcome":"success"},"user":{"name":"team/alice"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "STS call by EC2 for an instance role",
			in:   `{"eventSource":"sts.amazonaws.com","eventName":"AssumeRole","userAgent":"ec2.amazonaws.com","sourceIPAddress":"ec2.amazonaws.com","requestParameters":{"roleArn":"arn:aws:iam::111111111111:role/ec2-instance-role","roleSessionName":"i-0123456789abcdef0"},"responseElements":{"credentials":{"accessKeyId":"ASIAEXAMPLEEXAMPLE01","sessionToken":"HIDDEN_DUE_TO_SECURITY_REASONS","expiration":"Oct 8, 2024, 4:15:32 PM"}},"event":{"module":"sts.amazonaws.com"},"cloud":{"provider":"aws","account":{"id":"111111111111"}},"source":{"address":"ec2.amazonaws.com"},"user_agent":{"original":"ec2.amazonaws.com"}}`,
			want: `{"eventSource":"sts.amazonaws.com","eventName":"AssumeRole","userAgent":"ec2.amazonaws.com","sourceIPAddress":"ec2.amazonaws.com","requestParameters":{"roleArn":"arn:aws:iam::111111111111:role/ec2-instance-role","roleSessionName":"i-0123456789abcdef0"},"responseElements":{"credentials":{"accessKeyId":"ASIAEXAMPLEEXAMPLE01","sessionToken":"HIDDEN_DUE_TO_SECURITY_REASONS","expiration":"Oct 8, 2024, 4:15:32 PM"}},"event":{"module":"sts.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws","account":{"id":"111111111111"},"instance":{"id":"i-0123456789abcdef0"}},"source":{"address":"ec2.amazonaws.com"},"user_agent":{"original":"ec2.amazonaws.com"}}`,
		},
		{
			name: "STS call by a user is no instance",
			in:   `{"eventSource":"sts.amazonaws.com","eventName":"AssumeRole","userAgent":"aws-cli/2.0","requestParameters":{"roleSessionName":"JohnDoe-EC2-dev"},"event":{"module":"sts.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"sts.amazonaws.com","eventName":"AssumeRole","userAgent":"aws-cli/2.0","requestParameters":{"roleSessionName":"JohnDoe-EC2-dev"},"event":{"module":"sts.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "STS credentials given as an IAM ARN text",
			in:   `{"eventSource":"sts.amazonaws.com","eventName":"GetFederationToken","responseElements":{"credentials":"arn:aws:iam::111122223333:role/x"},"event":{"module":"sts.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"sts.amazonaws.com","eventName":"GetFederationToken","responseElements":{"credentials":{"iam":"arn:aws:iam::111122223333:role/x"}},"event":{"module":"sts.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "credentials as GovCloud and China ARN and plain text",
			in:   `{"eventSource":"iam.amazonaws.com","eventName":"X","responseElements":{"credentials":"arn:aws-us-gov:iam::1:role/y"},"event":{"module":"iam.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"iam.amazonaws.com","eventName":"X","responseElements":{"credentials":{"iam":"arn:aws-us-gov:iam::1:role/y"}},"event":{"module":"iam.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "credentials plain text",
			in:   `{"eventSource":"iam.amazonaws.com","eventName":"X","responseElements":{"credentials":"some-token"},"event":{"module":"iam.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"iam.amazonaws.com","eventName":"X","responseElements":{"credentials":{"value":"some-token"}},"event":{"module":"iam.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "SSM session target",
			in:   `{"eventSource":"ssm.amazonaws.com","eventName":"StartSession","requestParameters":{"target":"i-0f2f135de18b555e3"},"responseElements":{"sessionId":"alice-0a1b2c3d4e5f6g7h8","tokenValue":"Value hidden due to security reasons.","streamUrl":"wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/alice-0a1b2c3d4e5f6g7h8?role=publish_subscribe"},"event":{"module":"ssm.amazonaws.com"},"cloud":{"provider":"aws","region":"us-east-1"}}`,
			want: `{"eventSource":"ssm.amazonaws.com","eventName":"StartSession","requestParameters":{"target":"i-0f2f135de18b555e3"},"responseElements":{"sessionId":"alice-0a1b2c3d4e5f6g7h8","tokenValue":"Value hidden due to security reasons.","streamUrl":"wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/alice-0a1b2c3d4e5f6g7h8?role=publish_subscribe"},"event":{"module":"ssm.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws","region":"us-east-1","instance":{"id":"i-0f2f135de18b555e3"}}}`,
		},
		{
			name: "SSM connection status of a managed instance",
			in:   `{"eventSource":"ssm.amazonaws.com","eventName":"GetConnectionStatus","requestParameters":{"target":"mi-0123456789abcdef0"},"event":{"module":"ssm.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"ssm.amazonaws.com","eventName":"GetConnectionStatus","requestParameters":{"target":"mi-0123456789abcdef0"},"event":{"module":"ssm.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws","instance":{"id":"mi-0123456789abcdef0"}}}`,
		},
		{
			name: "SSM compliance items of an instance",
			in:   `{"eventSource":"ssm.amazonaws.com","eventName":"PutComplianceItems","requestParameters":{"resourceId":"i-0123456789abcdef0","resourceType":"ManagedInstance","complianceType":"Association"},"event":{"module":"ssm.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"ssm.amazonaws.com","eventName":"PutComplianceItems","requestParameters":{"resourceId":"i-0123456789abcdef0","resourceType":"ManagedInstance","complianceType":"Association"},"event":{"module":"ssm.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws","instance":{"id":"i-0123456789abcdef0"}}}`,
		},
		{
			name: "SSM compliance items of an 8-character instance id",
			in:   `{"eventSource":"ssm.amazonaws.com","eventName":"PutComplianceItems","requestParameters":{"resourceId":"i-1234abcd"},"event":{"module":"ssm.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"ssm.amazonaws.com","eventName":"PutComplianceItems","requestParameters":{"resourceId":"i-1234abcd"},"event":{"module":"ssm.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws","instance":{"id":"i-1234abcd"}}}`,
		},
		{
			name: "SSM compliance items of a managed instance",
			in:   `{"eventSource":"ssm.amazonaws.com","eventName":"PutComplianceItems","requestParameters":{"resourceId":"mi-0123456789abcdef0"},"event":{"module":"ssm.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"ssm.amazonaws.com","eventName":"PutComplianceItems","requestParameters":{"resourceId":"mi-0123456789abcdef0"},"event":{"module":"ssm.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "SSM compliance items with a too short id",
			in:   `{"eventSource":"ssm.amazonaws.com","eventName":"PutComplianceItems","requestParameters":{"resourceId":"i-1234abc"},"event":{"module":"ssm.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"ssm.amazonaws.com","eventName":"PutComplianceItems","requestParameters":{"resourceId":"i-1234abc"},"event":{"module":"ssm.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "SSM compliance items, id followed by a separator",
			in:   `{"eventSource":"ssm.amazonaws.com","eventName":"PutComplianceItems","requestParameters":{"resourceId":"/i-0123456789abcdef0/x"},"event":{"module":"ssm.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"ssm.amazonaws.com","eventName":"PutComplianceItems","requestParameters":{"resourceId":"/i-0123456789abcdef0/x"},"event":{"module":"ssm.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws","instance":{"id":"/i-0123456789abcdef0/x"}}}`,
		},
		{
			name: "SSM parameters as text",
			in:   `{"eventSource":"ssm.amazonaws.com","eventName":"SendCommand","requestParameters":{"documentName":"AWS-RunShellScript","parameters":"HIDDEN_DUE_TO_SECURITY_REASONS"},"event":{"module":"ssm.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"ssm.amazonaws.com","eventName":"SendCommand","requestParameters":{"documentName":"AWS-RunShellScript","parameters":{"value":"HIDDEN_DUE_TO_SECURITY_REASONS"}},"event":{"module":"ssm.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "SSM parameters object stays",
			in:   `{"eventSource":"ssm.amazonaws.com","eventName":"StartAutomationExecution","requestParameters":{"documentName":"AWS-AttachIAMToInstance","parameters":{"RoleName":["HIDDEN_DUE_TO_SECURITY_REASONS"]}},"event":{"module":"ssm.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"ssm.amazonaws.com","eventName":"StartAutomationExecution","requestParameters":{"documentName":"AWS-AttachIAMToInstance","parameters":{"RoleName":["HIDDEN_DUE_TO_SECURITY_REASONS"]}},"event":{"module":"ssm.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "SQL workbench parameters",
			in:   `{"eventSource":"sqlworkbench.amazonaws.com","eventName":"UpdateTab","requestParameters":{"parameters":"x=1"},"event":{"module":"sqlworkbench.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"sqlworkbench.amazonaws.com","eventName":"UpdateTab","requestParameters":{"parameters":{"value":"x=1"}},"event":{"module":"sqlworkbench.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "CloudHSM create HSM",
			in:   `{"eventSource":"cloudhsm.amazonaws.com","eventName":"CreateHsm","requestParameters":{"clusterId":"cluster-igklspoyj5v","availabilityZone":"us-east-1a"},"responseElements":{"hsm":{"hsmId":"hsm-abcdefghij1","state":"CREATE_IN_PROGRESS"}},"event":{"module":"cloudhsm.amazonaws.com"},"cloud":{"provider":"aws"},"related":{"ip":["198.51.100.7"]},"source":{"ip":"198.51.100.7"}}`,
			// es-loader replaces related by {"hosts": [...]}, losing related.ip; kept here
			want: `{"eventSource":"cloudhsm.amazonaws.com","eventName":"CreateHsm","requestParameters":{"clusterId":"cluster-igklspoyj5v","availabilityZone":"us-east-1a"},"responseElements":{"hsm":{"hsmId":"hsm-abcdefghij1","state":"CREATE_IN_PROGRESS"}},"event":{"module":"cloudhsm.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws","instance":{"id":"hsm-abcdefghij1"}},"related":{"ip":["198.51.100.7"],"hosts":["cluster-igklspoyj5v","hsm-abcdefghij1"]},"source":{"ip":"198.51.100.7"}}`,
		},
		{
			name: "CloudHSM delete HSM",
			in:   `{"eventSource":"cloudhsm.amazonaws.com","eventName":"DeleteHsm","requestParameters":{"clusterId":"cluster-igklspoyj5v","hsmId":"hsm-abcdefghij1"},"responseElements":{"hsmId":"hsm-abcdefghij1"},"event":{"module":"cloudhsm.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"cloudhsm.amazonaws.com","eventName":"DeleteHsm","requestParameters":{"clusterId":"cluster-igklspoyj5v","hsmId":"hsm-abcdefghij1"},"responseElements":{"hsmId":"hsm-abcdefghij1"},"event":{"module":"cloudhsm.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws","instance":{"id":"hsm-abcdefghij1"}},"related":{"hosts":["cluster-igklspoyj5v","hsm-abcdefghij1"]}}`,
		},
		{
			name: "CloudHSM describe clusters",
			in:   `{"eventSource":"cloudhsm.amazonaws.com","eventName":"DescribeClusters","requestParameters":null,"responseElements":null,"event":{"module":"cloudhsm.amazonaws.com"},"cloud":{"provider":"aws"},"related":{"ip":["198.51.100.7"]}}`,
			// es-loader replaces related by {"hosts": []} (then dropped as empty), losing related.ip; kept here
			want: `{"eventSource":"cloudhsm.amazonaws.com","eventName":"DescribeClusters","requestParameters":null,"responseElements":null,"event":{"module":"cloudhsm.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"},"related":{"ip":["198.51.100.7"]}}`,
		},
		{
			name: "tags as text",
			in:   `{"eventSource":"ec2.amazonaws.com","eventName":"CreateTags","requestParameters":{"tags":"Name=web"},"event":{"module":"ec2.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"ec2.amazonaws.com","eventName":"CreateTags","requestParameters":{"tags":{"value":"Name=web"}},"event":{"module":"ec2.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "tags as list of text",
			in:   `{"eventSource":"lambda.amazonaws.com","eventName":"UntagResource","requestParameters":{"tags":["a","b"]},"event":{"module":"lambda.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"lambda.amazonaws.com","eventName":"UntagResource","requestParameters":{"tags":{"value":["a","b"]}},"event":{"module":"lambda.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "tags as list of objects stay",
			in:   `{"eventSource":"iam.amazonaws.com","eventName":"TagRole","requestParameters":{"tags":[{"key":"k","value":"v"}]},"event":{"module":"iam.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"iam.amazonaws.com","eventName":"TagRole","requestParameters":{"tags":[{"key":"k","value":"v"}]},"event":{"module":"iam.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "tags as empty list",
			in:   `{"eventSource":"iam.amazonaws.com","eventName":"TagRole","requestParameters":{"tags":[]},"event":{"module":"iam.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"iam.amazonaws.com","eventName":"TagRole","requestParameters":{"tags":{}},"event":{"module":"iam.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "tags as null, number, list of numbers",
			in:   `{"eventSource":"iam.amazonaws.com","eventName":"TagRole","requestParameters":{"tags":null},"responseElements":{"policy":[1,2.5]},"event":{"module":"iam.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"iam.amazonaws.com","eventName":"TagRole","requestParameters":{"tags":{"value":"None"}},"responseElements":{"policy":{"value":"[1, 2.5]"}},"event":{"module":"iam.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "policy as text",
			in:   `{"eventSource":"iam.amazonaws.com","eventName":"GetPolicy","responseElements":{"policy":"{\"Version\":\"2012-10-17\"}"},"event":{"module":"iam.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"iam.amazonaws.com","eventName":"GetPolicy","responseElements":{"policy":{"value":"{\"Version\":\"2012-10-17\"}"}},"event":{"module":"iam.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "policy as boolean",
			in:   `{"eventSource":"iam.amazonaws.com","eventName":"GetPolicy","responseElements":{"policy":true},"event":{"module":"iam.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"iam.amazonaws.com","eventName":"GetPolicy","responseElements":{"policy":{"value":"True"}},"event":{"module":"iam.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "disableApiTermination and disableApiStop values",
			in:   `{"eventSource":"ec2.amazonaws.com","eventName":"ModifyInstanceAttribute","requestParameters":{"instanceId":"i-0123456789abcdef0","disableApiTermination":{"value":true},"disableApiStop":{"value":false}},"event":{"module":"ec2.amazonaws.com"},"cloud":{"provider":"aws","instance":{"id":"i-0123456789abcdef0"}}}`,
			want: `{"eventSource":"ec2.amazonaws.com","eventName":"ModifyInstanceAttribute","requestParameters":{"instanceId":"i-0123456789abcdef0","disableApiTermination":true,"disableApiStop":false},"event":{"module":"ec2.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws","instance":{"id":"i-0123456789abcdef0"}}}`,
		},
		{
			name: "disableApiTermination already plain",
			in:   `{"eventSource":"ec2.amazonaws.com","eventName":"RunInstances","requestParameters":{"disableApiStop":false,"disableApiTermination":false},"responseElements":{"instancesSet":{"items":[{"instanceId":"i-0f2f135de18b555e3"}]}},"event":{"module":"ec2.amazonaws.com"},"cloud":{"provider":"aws","instance":{"id":"i-0f2f135de18b555e3"}}}`,
			want: `{"eventSource":"ec2.amazonaws.com","eventName":"RunInstances","requestParameters":{"disableApiStop":false,"disableApiTermination":false},"responseElements":{"instancesSet":{"items":[{"instanceId":"i-0f2f135de18b555e3"}]}},"event":{"module":"ec2.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws","instance":{"id":"i-0f2f135de18b555e3"}}}`,
		},
		{
			name: "status text becomes an object",
			in:   `{"eventSource":"rds.amazonaws.com","eventName":"StopDBInstance","responseElements":{"status":"stopping"},"event":{"module":"rds.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"rds.amazonaws.com","eventName":"StopDBInstance","responseElements":{"status":{"status":"stopping"}},"event":{"module":"rds.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "empty status text stays",
			in:   `{"eventSource":"rds.amazonaws.com","eventName":"StopDBInstance","responseElements":{"status":""},"event":{"module":"rds.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"rds.amazonaws.com","eventName":"StopDBInstance","responseElements":{"status":""},"event":{"module":"rds.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "Athena projection parameters",
			in:   `{"eventSource":"athena.amazonaws.com","eventName":"GetTableMetadata","responseElements":{"tableMetadata":{"name":"t","parameters":{"projection.part_date.interval.unit":"DAYS","projection.enabled":"true"}},"tableMetadataList":[{"name":"a","parameters":{"projection.date.interval.unit":"DAYS"}},{"name":"b","parameters":{"other":"x"}},{"name":"c"}]},"event":{"module":"athena.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"athena.amazonaws.com","eventName":"GetTableMetadata","responseElements":{"tableMetadata":{"name":"t","parameters":{"projection.enabled":"true","projection.part_date.interval_unit":"DAYS"}},"tableMetadataList":[{"name":"a","parameters":{"projection.date.interval_unit":"DAYS"}},{"name":"b","parameters":{"other":"x"}},{"name":"c"}]},"event":{"module":"athena.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "Glue configuration text",
			in:   `{"eventSource":"glue.amazonaws.com","eventName":"CreateCrawler","requestParameters":{"configuration":"{\"Version\":1.0}"},"event":{"module":"glue.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"glue.amazonaws.com","eventName":"CreateCrawler","requestParameters":{"configuration":{"text":"{\"Version\":1.0}"}},"event":{"module":"glue.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "Cognito session text",
			in:   `{"eventSource":"cognito-idp.amazonaws.com","eventName":"InitiateAuth","responseElements":{"session":"AYABeEXAMPLE"},"event":{"module":"cognito-idp.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"cognito-idp.amazonaws.com","eventName":"InitiateAuth","responseElements":{"session":{"value":"AYABeEXAMPLE"}},"event":{"module":"cognito-idp.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "ECS command text",
			in:   `{"eventSource":"ecs.amazonaws.com","eventName":"ExecuteCommand","requestParameters":{"cluster":"c","command":"/bin/sh","interactive":true},"event":{"module":"ecs.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"ecs.amazonaws.com","eventName":"ExecuteCommand","requestParameters":{"cluster":"c","command":{"command":"/bin/sh"},"interactive":true},"event":{"module":"ecs.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "Redshift Data database text",
			in:   `{"eventSource":"redshift-data.amazonaws.com","eventName":"ExecuteStatement","responseElements":{"database":"dev","id":"x"},"event":{"module":"redshift-data.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"redshift-data.amazonaws.com","eventName":"ExecuteStatement","responseElements":{"database":{"name":"dev"},"id":"x"},"event":{"module":"redshift-data.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "Cloud9 settings text",
			in:   `{"eventSource":"cloud9.amazonaws.com","eventName":"UpdateUserSettings","requestParameters":{"settings":"{\"x\":1}"},"event":{"module":"cloud9.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"cloud9.amazonaws.com","eventName":"UpdateUserSettings","requestParameters":{"settings":{"value":"{\"x\":1}"}},"event":{"module":"cloud9.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "S3 replication rule filters become text",
			in:   `{"eventSource":"s3.amazonaws.com","eventName":"PutBucketReplication","requestParameters":{"bucketName":"b","ReplicationConfiguration":{"Rule":[{"ID":"r1","Filter":{"Prefix":"logs/"}},{"ID":"r2","Filter":""},{"ID":"r3"}]}},"event":{"module":"s3.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"s3.amazonaws.com","eventName":"PutBucketReplication","requestParameters":{"bucketName":"b","ReplicationConfiguration":{"Rule":[{"ID":"r1","Filter":"{'Prefix': 'logs/'}"},{"ID":"r2","Filter":""},{"ID":"r3"}]}},"event":{"module":"s3.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "S3 single replication rule object stays",
			in:   `{"eventSource":"s3.amazonaws.com","eventName":"PutBucketReplication","requestParameters":{"ReplicationConfiguration":{"Rule":{"ID":"r1","Filter":{"Prefix":"logs/"}}}},"event":{"module":"s3.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"s3.amazonaws.com","eventName":"PutBucketReplication","requestParameters":{"ReplicationConfiguration":{"Rule":{"ID":"r1","Filter":{"Prefix":"logs/"}}}},"event":{"module":"s3.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "Inspector2 account id objects become text",
			in:   `{"eventSource":"inspector2.amazonaws.com","eventName":"BatchGetAccountStatus","requestParameters":{"accountIds":[{"accountId":"111122223333","resourceStatus":{"ec2":"ENABLED"}}]},"event":{"module":"inspector2.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"inspector2.amazonaws.com","eventName":"BatchGetAccountStatus","requestParameters":{"accountIds":"[{'accountId': '111122223333', 'resourceStatus': {'ec2': 'ENABLED'}}]"},"event":{"module":"inspector2.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "Inspector2 account id text list stays",
			in:   `{"eventSource":"inspector2.amazonaws.com","eventName":"BatchGetAccountStatus","requestParameters":{"accountIds":["111122223333"]},"event":{"module":"inspector2.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"inspector2.amazonaws.com","eventName":"BatchGetAccountStatus","requestParameters":{"accountIds":["111122223333"]},"event":{"module":"inspector2.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "CodeGuru Security resource id becomes its repr",
			in:   `{"eventSource":"codeguru-security.amazonaws.com","eventName":"GetFindings","requestParameters":{"resourceId":{"codeArtifactId":"it's-1"}},"event":{"module":"codeguru-security.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"codeguru-security.amazonaws.com","eventName":"GetFindings","requestParameters":{"resourceId":"{'codeArtifactId': \"it's-1\"}"},"event":{"module":"codeguru-security.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "CodeGuru Security text resource id is quoted",
			in:   `{"eventSource":"codeguru-security.amazonaws.com","eventName":"GetScan","requestParameters":{"resourceId":"scan-1"},"event":{"module":"codeguru-security.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"codeguru-security.amazonaws.com","eventName":"GetScan","requestParameters":{"resourceId":"'scan-1'"},"event":{"module":"codeguru-security.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "DynamoDB items text",
			in:   `{"eventSource":"dynamodb.amazonaws.com","eventName":"BatchWriteItem","requestParameters":{"items":"HIDDEN"},"event":{"module":"dynamodb.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"dynamodb.amazonaws.com","eventName":"BatchWriteItem","requestParameters":{"items":{"value":"HIDDEN"}},"event":{"module":"dynamodb.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "no eventSource takes the STS branch like es-loader",
			in:   `{"eventName":"Something","userAgent":"ec2.amazonaws.com","requestParameters":{"roleSessionName":"i-0aaaaaaaaaaaaaaaa"},"event":{"module":"cloudtrail"},"cloud":{"provider":"aws"}}`,
			want: `{"eventName":"Something","userAgent":"ec2.amazonaws.com","requestParameters":{"roleSessionName":"i-0aaaaaaaaaaaaaaaa"},"event":{"module":"cloudtrail","outcome":"success"},"cloud":{"provider":"aws","instance":{"id":"i-0aaaaaaaaaaaaaaaa"}}}`,
		},
		{
			name: "SSM requestParameters as text",
			// es-loader raises AttributeError: 'str' object has no attribute 'get'
			in: `{"eventSource":"ssm.amazonaws.com","eventName":"StartSession","requestParameters":"oops","responseElements":{"status":"Success"},"event":{"module":"ssm.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			// es-loader stops in extract_instance_id; the status is still wrapped here
			want: `{"eventSource":"ssm.amazonaws.com","eventName":"StartSession","requestParameters":"oops","responseElements":{"status":{"status":"Success"}},"event":{"module":"ssm.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "eventSource null",
			// es-loader raises TypeError: 'in <string>' requires string as left operand, not NoneType
			in: `{"eventSource":null,"eventName":"X","responseElements":{"status":"Success"},"event":{"module":"cloudtrail"},"cloud":{"provider":"aws"}}`,
			// es-loader stops in extract_instance_id; the status is still wrapped here
			want: `{"eventSource":null,"eventName":"X","responseElements":{"status":{"status":"Success"}},"event":{"module":"cloudtrail","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "CodeGuru Security without requestParameters",
			// es-loader raises AttributeError: 'NoneType' object has no attribute 'get'
			in:   `{"eventSource":"codeguru-security.amazonaws.com","eventName":"ListScans","requestParameters":null,"responseElements":{"status":"ok"},"event":{"module":"codeguru-security.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			want: `{"eventSource":"codeguru-security.amazonaws.com","eventName":"ListScans","requestParameters":null,"responseElements":{"status":{"status":"ok"}},"event":{"module":"codeguru-security.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "SSM compliance items with null resourceId",
			// es-loader raises TypeError: expected string or bytes-like object, got 'NoneType'
			in: `{"eventSource":"ssm.amazonaws.com","eventName":"PutComplianceItems","requestParameters":{"resourceId":null,"tags":"x"},"event":{"module":"ssm.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			// es-loader stops at re.match(None); the tags are still converted here
			want: `{"eventSource":"ssm.amazonaws.com","eventName":"PutComplianceItems","requestParameters":{"resourceId":null,"tags":{"value":"x"}},"event":{"module":"ssm.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
		{
			name: "Athena metadata list with a text element",
			// es-loader raises TypeError: string indices must be integers, not 'str'
			in: `{"eventSource":"athena.amazonaws.com","eventName":"ListTableMetadata","responseElements":{"tableMetadataList":["t",{"parameters":{"projection.date.interval.unit":"DAYS"}}]},"event":{"module":"athena.amazonaws.com"},"cloud":{"provider":"aws"}}`,
			// es-loader stops at the text element; the object after it is still handled here
			want: `{"eventSource":"athena.amazonaws.com","eventName":"ListTableMetadata","responseElements":{"tableMetadataList":["t",{"parameters":{"projection.date.interval_unit":"DAYS"}}]},"event":{"module":"athena.amazonaws.com","outcome":"success"},"cloud":{"provider":"aws"}}`,
		},
	})
}

// BenchmarkCloudTrailTransform runs a whole document as the ECS step leaves
// it (an EC2 instance role assumption, with @message and metadata).
func BenchmarkCloudTrailTransform(b *testing.B) {
	benchTransform(b, transformCloudTrail, cloudTrailBenchDoc)
}

const cloudTrailBenchDoc = `{"eventVersion":"1.08","userIdentity":{"type":"AWSService","invokedBy":"ec2.amazonaws.com"},"eventTime":"2024-10-08T10:15:32Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","awsRegion":"us-east-1","sourceIPAddress":"ec2.amazonaws.com","userAgent":"ec2.amazonaws.com","requestParameters":{"roleArn":"arn:aws:iam::111111111111:role/ec2-instance-role","roleSessionName":"i-0123456789abcdef0"},"responseElements":{"credentials":{"accessKeyId":"ASIAEXAMPLEEXAMPLE01","sessionToken":"HIDDEN_DUE_TO_SECURITY_REASONS","expiration":"Oct 8, 2024, 4:15:32 PM"},"assumedRoleUser":{"assumedRoleId":"AROAEXAMPLEEXAMPLE01:i-0123456789abcdef0","arn":"arn:aws:sts::111111111111:assumed-role/ec2-instance-role/i-0123456789abcdef0"}},"requestID":"9c1b6a4e-2f1d-4c1e-9a77-0f5d3b8e2a10","eventID":"b3d7f1a2-6c4e-4d8b-8e21-5a9c0e7f4d33","resources":[{"accountId":"111111111111","type":"AWS::IAM::Role","ARN":"arn:aws:iam::111111111111:role/ec2-instance-role"}],"eventType":"AwsApiCall","recipientAccountId":"111111111111","@message":"{\"eventVersion\": \"1.08\", \"userIdentity\": {\"type\": \"AWSService\", \"invokedBy\": \"ec2.amazonaws.com\"}, \"eventTime\": \"2024-10-08T10:15:32Z\", \"eventSource\": \"sts.amazonaws.com\", \"eventName\": \"AssumeRole\", \"awsRegion\": \"us-east-1\", \"sourceIPAddress\": \"ec2.amazonaws.com\", \"userAgent\": \"ec2.amazonaws.com\", \"requestParameters\": {\"roleArn\": \"arn:aws:iam::111111111111:role/ec2-instance-role\", \"roleSessionName\": \"i-0123456789abcdef0\"}, \"responseElements\": {\"credentials\": {\"accessKeyId\": \"ASIAEXAMPLEEXAMPLE01\", \"sessionToken\": \"HIDDEN_DUE_TO_SECURITY_REASONS\", \"expiration\": \"Oct 8, 2024, 4:15:32 PM\"}, \"assumedRoleUser\": {\"assumedRoleId\": \"AROAEXAMPLEEXAMPLE01:i-0123456789abcdef0\", \"arn\": \"arn:aws:sts::111111111111:assumed-role/ec2-instance-role/i-0123456789abcdef0\"}}, \"requestID\": \"9c1b6a4e-2f1d-4c1e-9a77-0f5d3b8e2a10\", \"eventID\": \"b3d7f1a2-6c4e-4d8b-8e21-5a9c0e7f4d33\", \"resources\": [{\"accountId\": \"111111111111\", \"type\": \"AWS::IAM::Role\", \"ARN\": \"arn:aws:iam::111111111111:role/ec2-instance-role\"}], \"eventType\": \"AwsApiCall\", \"recipientAccountId\": \"111111111111\"}","@timestamp":"2024-10-08T10:15:32+00:00","@log_type":"cloudtrail","@log_s3bucket":"aes-siem-123456789012-log","@log_s3key":"AWSLogs/111111111111/CloudTrail/us-east-1/2024/10/08/111111111111_CloudTrail_us-east-1_20241008T1015Z_FRVkRQzJp05twtx9.json","event":{"module":"sts.amazonaws.com","ingested":"2024-06-15T00:00:00+00:00","action":"AssumeRole","kind":"event","category":["iam"]},"@id":"b3d7f1a2-6c4e-4d8b-8e21-5a9c0e7f4d33","ecs":{"version":"1.10.0"},"cloud":{"provider":"aws","account":{"id":"111111111111"},"region":"us-east-1"},"rule":{"name":"AssumeRole"},"source":{"address":"ec2.amazonaws.com"},"user_agent":{"original":"ec2.amazonaws.com"}}`

// TestAWSJSONTransformsOddValues replaces every value of realistic
// documents, one at a time, by values of other types and checks that the
// transforms neither panic nor change a document they report an error for.
func TestAWSJSONTransformsOddValues(t *testing.T) {
	for _, tc := range []struct {
		name string
		tr   Transform
		doc  string
	}{
		{"cloudtrail", transformCloudTrail, cloudTrailBenchDoc},
		{"cloudtrail-ssm", transformCloudTrail, `{"eventSource":"ssm.amazonaws.com","eventName":"PutComplianceItems","userAgent":"ec2.amazonaws.com","requestParameters":{"resourceId":"i-0123456789abcdef0","target":"i-0123456789abcdef0","tags":["a"],"disableApiStop":{"value":true},"parameters":"p"},"responseElements":{"credentials":"arn:aws:iam::1:role/r","policy":"p","status":"s"},"event":{"module":"ssm"},"user":{"name":"a:b"},"cloud":{"provider":"aws"}}`},
		{"cloudtrail-hsm", transformCloudTrail, `{"eventSource":"cloudhsm.amazonaws.com","requestParameters":{"clusterId":"c"},"responseElements":{"hsm":{"hsmId":"h"}},"event":{},"cloud":{},"related":{"ip":["1.2.3.4"]}}`},
		{"cloudtrail-athena", transformCloudTrail, `{"eventSource":"athena.amazonaws.com","responseElements":{"tableMetadataList":[{"parameters":{"projection.date.interval.unit":"D"}}],"tableMetadata":{"parameters":{"projection.part_date.interval.unit":"D"}}},"event":{},"cloud":{}}`},
		{"cloudtrail-s3", transformCloudTrail, `{"eventSource":"s3.amazonaws.com","requestParameters":{"ReplicationConfiguration":{"Rule":[{"Filter":{"Prefix":"p"}}]}},"event":{},"cloud":{}}`},
		{"cloudtrail-codeguru", transformCloudTrail, `{"eventSource":"codeguru-security.amazonaws.com","requestParameters":{"resourceId":{"a":"b"},"accountIds":[{"a":1}]},"event":{},"cloud":{}}`},
		{"guardduty", transformGuardDuty, `{"type":"Trojan:EC2/DNSDataExfiltration!DNS","severity":9.5,"title":"t.","service":{"action":{"actionType":"NETWORK_CONNECTION","networkConnectionAction":{"connectionDirection":"OUTBOUND"}}},"event":{"module":"guardduty"},"rule":{"name":"t."},"source":{"ip":"1.2.3.4"},"destination":{"ip":"10.0.0.1"},"network":{}}`},
		{"securityhub", transformSecurityHub, `{"ProductName":"GuardDuty","ProductFields":{"aws/securityhub/ProductName":"GuardDuty","aws/guardduty/service/action/actionType":"NETWORK_CONNECTION","aws/guardduty/service/action/networkConnectionAction/connectionDirection":"OUTBOUND"},"Types":["TTPs/Command and Control/Backdoor:EC2-C&CActivity.B!DNS"],"GeneratorId":"g","Title":"CVE-1 x","UpdatedAt":"2020-01-01T00:00:00Z","Workflow":{"Status":"NEW"},"Compliance":{"SecurityControlId":"x"},"Resources":[{"Type":"AwsEc2Instance","Id":"a/i-1","Details":{"AwsEc2Instance":{"IpV4Addresses":["10.0.0.1"]}}},{"Type":"AwsIamAccessKey","Id":"k:null","Details":{"AwsIamAccessKey":{"PrincipalId":"p:q","PrincipalName":"n"}}},{"Type":"AwsEc2Volume","Details":{"AwsEc2Volume":{"Attachments":[{"InstanceId":"i-2"}]}}},{"Type":"AwsIamRole","Id":"r/x"}],"@timestamp":"2020-01-01T00:00:01+00:00","event":{"module":"securityhub"},"cloud":{"provider":"aws"},"rule":{"name":"n"},"related":{"ip":["1.2.3.4"]},"user":{"id":"u"},"source":{"ip":"1.2.3.4"},"destination":{"ip":"10.0.0.1"}}`},
		{"securityhub-inspector", transformSecurityHub, `{"ProductFields":{"aws/securityhub/ProductName":"Inspector","aws/inspector/id":""},"Types":["Software and Configuration Checks/Vulnerabilities/CVE"],"Title":"CVE-1 x","Workflow":{"Status":"NOTIFIED"},"Resources":[],"@timestamp":"t","event":{},"cloud":{},"rule":{"name":"n"}}`},
		{"networkfirewall", transformNetworkFirewall, `{"event":{"event_type":"alert","proto":"TCP"},"network":{"protocol":"http"}}`},
		{"route53resolver", transformRoute53Resolver, `{"dns":{"question":{"name":"a."},"answers":{"data":"b."}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) { checkOddValues(t, tc.tr, tc.doc) })
	}
}
