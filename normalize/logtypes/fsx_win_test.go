package logtypes

import "testing"

// FSx audit events come from S3, not CloudWatch Logs: no log stream, so no
// instance id, but the action table applies.
func TestFSxWinTransform(t *testing.T) {
	tr, ok := Lookup("fsx-win")
	if !ok {
		t.Fatal("fsx-win has no transform")
	}
	ajRun(t, tr, []ajCase{
		{
			name: "file handle closed (the table's spelling)",
			in:   `{"Event":{"System":{"EventID":"4658","Channel":"Security"},"EventData":{"Data":{"SubjectUserName":"Admin"}}},"@log_group":null,"@log_stream":null,"event":{"module":"Security","kind":"event"}}`,
			want: `{"Event":{"System":{"EventID":"4658","Channel":"Security"},"EventData":{"Data":{"SubjectUserName":"Admin"}}},"@log_group":null,"@log_stream":null,"event":{"module":"Security","kind":"event","action":"objcet-handle-closed","outcome":"success"}}`,
		},
		{
			name: "object deleted",
			in:   `{"Event":{"System":{"EventID":"4660"}},"event":{"module":"Security"}}`,
			want: `{"Event":{"System":{"EventID":"4660"}},"event":{"module":"Security","action":"object-deleted","outcome":"success"}}`,
		},
	})
}

func BenchmarkFSxWinTransform(b *testing.B) {
	tr, _ := Lookup("fsx-win")
	benchTransform(b, tr, `{"Event":{"xmlns":"http://schemas.microsoft.com/win/2004/08/events/event","System":{"Provider":{"Name":"Microsoft-Windows-Security-Auditing","Guid":"{54849625-5478-4994-A5BA-3E3B0328C30D}"},"EventID":"4660","Version":"0","Level":"0","Task":"12800","Opcode":"0","Keywords":"0x8020000000000000","TimeCreated":{"SystemTime":"2021-05-18T04:51:56.916563800Z"},"EventRecordID":"315452","Channel":"Security","Computer":"amznfsxgyzohmw8.example.com"},"EventData":{"Data":{"SubjectUserSid":"S-1-5-21-658495921-4185342820-3824891517-1113","SubjectUserName":"Admin","SubjectDomainName":"example","ObjectServer":"Security","HandleId":"0x12e0","ProcessId":"0x4"}}},"@log_group":null,"@log_stream":null,"event":{"module":"Security","ingested":"2024-06-15T00:00:00+00:00","code":"4660","kind":"event"},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"host":{"name":"amznfsxgyzohmw8.example.com"},"user":{"domain":"example","id":"S-1-5-21-658495921-4185342820-3824891517-1113","name":"Admin"}}`)
}
