package logtypes

import (
	"bufio"
	"os"
	"path/filepath"
	"testing"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

func TestWindowsEventTransform(t *testing.T) {
	ajRun(t, transformWindowsEvent, []ajCase{
		{
			name: "logon through CloudWatch Logs",
			in:   `{"Event":{"System":{"EventID":"4624","Channel":"Security"}},"@log_group":"/ec2/windows/event","@log_stream":"i-0123456789abcdef0","event":{"module":"Security","code":"4624","kind":"event"},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"}}`,
			want: `{"Event":{"System":{"EventID":"4624","Channel":"Security"}},"@log_group":"/ec2/windows/event","@log_stream":"i-0123456789abcdef0","event":{"module":"Security","code":"4624","kind":"event","action":"logon","outcome":"success"},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown","instance":{"id":"i-0123456789abcdef0"}}}`,
		},
		{
			name: "failed logon, stream naming an old-style instance",
			in:   `{"Event":{"System":{"EventID":"4625"}},"@log_stream":"prod/i-1234abcd/security","event":{"module":"Security"}}`,
			want: `{"Event":{"System":{"EventID":"4625"}},"@log_stream":"prod/i-1234abcd/security","event":{"module":"Security","action":"logon-failed","outcome":"failure"},"cloud":{"instance":{"id":"i-1234abcd"}}}`,
		},
		{
			name: "id listed twice: the table's last row",
			in:   `{"Event":{"System":{"EventID":"4656"}},"@log_stream":null,"event":{}}`,
			want: `{"Event":{"System":{"EventID":"4656"}},"@log_stream":null,"event":{"action":"objcet-handle-requested","outcome":"unknown"}}`,
		},
		{
			name: "unknown id, no stream: nothing",
			in:   `{"Event":{"System":{"EventID":"7036"}},"event":{"module":"System"}}`,
			want: `{"Event":{"System":{"EventID":"7036"}},"event":{"module":"System"}}`,
		},
		{
			name: "EventID not a string (repeated element)",
			in:   `{"Event":{"System":{"EventID":["4624","4625"]}},"event":{}}`,
			want: `{"Event":{"System":{"EventID":["4624","4625"]}},"event":{}}`,
		},
		{
			name: "no System",
			in:   `{"Event":{"EventData":{}},"@log_stream":"i-0123456789abcdef0x"}`,
			want: `{"Event":{"EventData":{}},"@log_stream":"i-0123456789abcdef0x"}`,
		},
	})
}

func TestWindowsEventActionTable(t *testing.T) {
	if len(windowsEventActions) != 144 {
		t.Errorf("%d ids, es-loader's table has 144", len(windowsEventActions))
	}
	for id, want := range map[string][2]string{
		"1102": {"audit-log-cleared", "success"},
		"4724": {"requested-reset-password", "unknown"},
		"5890": {"com-catalog-objcet-added", "success"},
		"7045": {"service-installed", "success"},
	} {
		a, o, ok := WindowsEventAction(id)
		if !ok || a != want[0] || o != want[1] {
			t.Errorf("%s: %q %q %v", id, a, o, ok)
		}
	}
	if _, _, ok := WindowsEventAction("7036"); ok {
		t.Error("7036 is not in the table")
	}
}

// TestWindowsEventGolden takes es-loader's Windows event documents, removes
// what the script adds and checks that the transform adds it back the
// same.
func TestWindowsEventGolden(t *testing.T) {
	shared := os.Getenv("SIEMLOADER_SHARED")
	if shared == "" {
		shared, _ = filepath.Abs("../../../shared")
	}
	files, _ := filepath.Glob(filepath.Join(shared, "golden/windows-event/*/expected.ndjson"))
	more, _ := filepath.Glob(filepath.Join(shared, "golden/directory-service/*/expected.ndjson"))
	files = append(files, more...)
	if len(files) == 0 {
		t.Skip("no shared goldens (set SIEMLOADER_SHARED)")
	}
	docs := 0
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 16<<20)
		for sc.Scan() {
			line := testDoc(t, sc.Text())
			src, _ := line.Get("_source")
			want := src.(*pyjson.Map)
			doc := pyjson.Clone(want).(*pyjson.Map)
			ev := doc.Child("event")
			ev.Delete("action")
			ev.Delete("outcome")
			cloud := doc.Child("cloud")
			cloud.Delete("instance")
			if err := transformWindowsEvent(&Record{Doc: doc}); err != nil {
				t.Fatal(err)
			}
			if testJSON(doc) != testJSON(want) {
				t.Errorf("%s:\n got %s\nwant %s", path, testJSON(doc), testJSON(want))
			}
			docs++
		}
		f.Close()
	}
	if docs != 173 {
		t.Errorf("%d documents, the goldens have 173", docs)
	}
}

// BenchmarkWindowsEventTransform runs a logon event as the ECS step leaves
// it.
func BenchmarkWindowsEventTransform(b *testing.B) {
	benchTransform(b, transformWindowsEvent, `{"Event":{"xmlns":"http://schemas.microsoft.com/win/2004/08/events/event","System":{"Provider":{"Name":"Microsoft-Windows-Security-Auditing","Guid":"{54849625-5478-4994-a5ba-3e3b0328c30d}"},"EventID":"4624","Version":"0","Level":"0","Task":"12544","Opcode":"0","Keywords":"0x8020000000000000","TimeCreated":{"SystemTime":"2016-07-08T18:12:51.6816410Z"},"EventRecordID":"2","Execution":{"ProcessID":"456","ThreadID":"460"},"Channel":"Security","Computer":"37L4247F27-25"},"EventData":{"Data":{"SubjectUserSid":"S-1-5-18","SubjectUserName":"37L4247F27-25$","TargetUserName":"SYSTEM","LogonType":"0"}}},"@log_group":"/ec2/windows/event","@log_stream":"i-0123456789abcdef0","event":{"module":"Security","ingested":"2024-06-15T00:00:00+00:00","code":"4624","kind":"event"},"cloud":{"provider":"aws","account":{"id":"123456789012"},"region":"unknown"},"host":{"name":"37L4247F27-25"},"user":{"name":"37L4247F27-25$"}}`)
}
