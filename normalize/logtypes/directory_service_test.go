package logtypes

import "testing"

// The directory-service transform is the Windows event one (es-loader's
// sf_directory_service.py runs the same steps as sf_windows_event.py);
// these cases check that the section is wired to it, on the shape the
// winevtxml reader gives a Managed Microsoft AD security event.
func TestDirectoryServiceTransform(t *testing.T) {
	tr, ok := Lookup("directory-service")
	if !ok {
		t.Fatal("directory-service has no transform")
	}
	runTransformCases(t, tr, []tcase{
		{
			name: "failed logon on a domain controller",
			in:   `{"Event":{"System":{"Provider":{"@Name":"Microsoft-Windows-Security-Auditing","@Guid":"{54849625-5478-4994-a5ba-3e3b0328c30d}"},"EventID":"4625","Level":"0","Task":"12544","Keywords":"0x8010000000000000","TimeCreated":{"@SystemTime":"2024-05-20T13:21:44.118273500Z"},"EventRecordID":"1182734","Computer":"EC2AMAZ-1A2B3C4.corp.example.com","Security":null},"EventData":{"Data":[{"@Name":"TargetUserName","#text":"administrator"},{"@Name":"TargetDomainName","#text":"CORP"},{"@Name":"IpAddress","#text":"10.0.1.25"},{"@Name":"IpPort","#text":"51022"}]}},"@log_group":"/aws/directoryservice/d-95671a2b3c","@log_stream":"d-95671a2b3c-10.0.3.12-SecurityLogs","event":{"module":"windows","kind":"event","code":"4625"},"cloud":{"provider":"aws","account":{"id":"111122223333"},"region":"ap-northeast-1"}}`,
			want: `{"Event":{"System":{"Provider":{"@Name":"Microsoft-Windows-Security-Auditing","@Guid":"{54849625-5478-4994-a5ba-3e3b0328c30d}"},"EventID":"4625","Level":"0","Task":"12544","Keywords":"0x8010000000000000","TimeCreated":{"@SystemTime":"2024-05-20T13:21:44.118273500Z"},"EventRecordID":"1182734","Computer":"EC2AMAZ-1A2B3C4.corp.example.com","Security":null},"EventData":{"Data":[{"@Name":"TargetUserName","#text":"administrator"},{"@Name":"TargetDomainName","#text":"CORP"},{"@Name":"IpAddress","#text":"10.0.1.25"},{"@Name":"IpPort","#text":"51022"}]}},"@log_group":"/aws/directoryservice/d-95671a2b3c","@log_stream":"d-95671a2b3c-10.0.3.12-SecurityLogs","event":{"module":"windows","kind":"event","code":"4625","action":"logon-failed","outcome":"failure"},"cloud":{"provider":"aws","account":{"id":"111122223333"},"region":"ap-northeast-1"}}`,
		},
		{
			name: "event id outside the table",
			in:   `{"Event":{"System":{"EventID":"4627","Computer":"EC2AMAZ-1A2B3C4.corp.example.com"}},"@log_stream":"d-95671a2b3c-10.0.3.12-SecurityLogs","event":{"module":"windows","kind":"event","code":"4627"},"cloud":{"provider":"aws"}}`,
			want: `{"Event":{"System":{"EventID":"4627","Computer":"EC2AMAZ-1A2B3C4.corp.example.com"}},"@log_stream":"d-95671a2b3c-10.0.3.12-SecurityLogs","event":{"module":"windows","kind":"event","code":"4627"},"cloud":{"provider":"aws"}}`,
		},
	})
}
