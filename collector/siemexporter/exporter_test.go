package siemexporter

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/siemloader/siemloader/ship/opensearchtest"
)

// nginxLines are n distinct nginx access lines (distinct _ids).
func nginxLines(s samples, n int) []string {
	var requests []string
	for _, l := range s.nginx {
		if strings.Contains(l, " HTTP/") {
			requests = append(requests, l)
		}
	}
	out := make([]string, n)
	for i := range out {
		// a distinct request path per line
		out[i] = strings.Replace(requests[i%len(requests)], " HTTP/", fmt.Sprintf("?n=%d HTTP/", i), 1)
	}
	return out
}

// Against the test cluster answering some items 429 (retryable) and
// refusing marked documents for good (dead-lettered), with unclassifiable
// records mixed in: delivered and dead-lettered records are done, the
// retryable ones come back alone in a consumererror.Logs, the
// unclassifiable ones are counted; sending what comes back until nothing
// does delivers every document exactly once.
func TestPartialFailures(t *testing.T) {
	s := loadSamples(t)
	const marker = "REFUSE-ME"
	srv := opensearchtest.New(opensearchtest.Faults{ItemRejected: 0.3, RejectMarker: marker}, 7)
	defer srv.Close()
	dlDir := t.TempDir()
	cfg := testConfig(srv.URL)
	cfg.MaxAttempts = 1 // every 429 is handed back at once
	cfg.DeadLetter = dlDir
	tel := componenttest.NewTelemetry()
	defer tel.Shutdown(context.Background())
	e := startExporter(t, cfg, tel)

	lines := nginxLines(s, 200)
	refused := 0
	for i := 0; i < len(lines); i += 20 {
		lines[i] = strings.Replace(lines[i], " HTTP/", marker+" HTTP/", 1)
		refused++
	}
	ld := appendLogs(logsOf(map[string]any{AttrLogType: "nginx-access"}, nil, lines...),
		logsOf(nil, map[string]any{AttrLogFilePath: "/var/log/unknown.log"}, "neither", "classified"))
	ids := map[string]string{} // line → _id
	for i, d := range e.normalize(ld).docs {
		ids[lines[i]] = d.Index + "/" + d.ID
	}

	err := e.pushLogs(context.Background(), ld)
	var le consumererror.Logs
	if !errors.As(err, &le) {
		t.Fatalf("error %v: not a consumererror.Logs", err)
	}
	if consumererror.IsPermanent(err) {
		t.Fatal("the retryable records came back as a permanent error")
	}
	retry := le.Data()
	n := retry.LogRecordCount()
	if n == 0 || n >= len(lines)-refused {
		t.Fatalf("%d records back for retry of %d", n, len(lines))
	}
	// exactly the records whose document the cluster did not take
	writes := srv.Writes()
	back := map[string]bool{}
	for _, rl := range retry.ResourceLogs().All() {
		if v, _ := rl.Resource().Attributes().Get(AttrLogType); v.Str() != "nginx-access" {
			t.Fatal("a retried record lost its resource")
		}
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				back[lr.Body().Str()] = true
			}
		}
	}
	for _, l := range lines {
		written := writes[ids[l]] > 0
		switch {
		case strings.Contains(l, marker) && (written || back[l]):
			t.Fatalf("refused line delivered or retried: %s", l)
		case !strings.Contains(l, marker) && written == back[l]:
			t.Fatalf("line written %v and retried %v: %s", written, back[l], l)
		}
	}
	if got := metricSum(t, tel, metricFailed, "log_type", "unknown"); got != 2 {
		t.Errorf("failed (unclassified) %d, want 2", got)
	}
	if got := metricSum(t, tel, metricReceived, "log_type", "nginx-access"); got != int64(len(lines)) {
		t.Errorf("received %d", got)
	}
	if got := metricSum(t, tel, metricDeadLettered, "log_type", "nginx-access"); got != int64(refused) {
		t.Errorf("dead-lettered metric %d", got)
	}
	if got := metricSum(t, tel, metricRetryable, "log_type", "nginx-access"); got != int64(n) {
		t.Errorf("retryable metric %d, %d records back", got, n)
	}

	// what comes back is sent again (as retry_on_failure does) until done
	for round := 0; ; round++ {
		err := e.pushLogs(context.Background(), retry)
		if err == nil {
			break
		}
		if !errors.As(err, &le) || round > 50 {
			t.Fatalf("round %d: %v", round, err)
		}
		retry = le.Data()
	}
	writes = srv.Writes()
	for _, l := range lines {
		if strings.Contains(l, marker) {
			continue
		}
		if writes[ids[l]] != 1 {
			t.Fatalf("%s written %d times", ids[l], writes[ids[l]])
		}
	}
	want := int64(len(lines) - refused)
	if got := metricSum(t, tel, metricDelivered, "log_type", "nginx-access"); got != want {
		t.Errorf("delivered metric %d, want %d", got, want)
	}
	if m, err := tel.GetMetric(metricBulkLatency); err != nil || m.Name == "" {
		t.Errorf("no bulk latency: %v", err)
	}
	// the dead-letter is complete once the exporter is shut down
	if err := e.shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := deadLetterLines(t, dlDir); got != refused {
		t.Errorf("%d dead-lettered, want %d", got, refused)
	}
}

// Records that can never be indexed, with nothing to retry, are a
// permanent error naming the reasons, and counted.
func TestPermanentFailures(t *testing.T) {
	s := loadSamples(t)
	srv := opensearchtest.New(opensearchtest.Faults{}, 1)
	defer srv.Close()
	tel := componenttest.NewTelemetry()
	defer tel.Shutdown(context.Background())
	e := startExporter(t, testConfig(srv.URL), tel)

	ld := appendLogs(logsOf(nil, map[string]any{AttrLogType: "nginx-access"}, s.nginx[0], "not an access line"),
		logsOf(nil, nil, "no attribute at all"))
	empty := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().AppendEmpty()
	empty.Attributes().PutStr(AttrLogType, "nginx-access")
	err := e.pushLogs(context.Background(), ld)
	if !consumererror.IsPermanent(err) {
		t.Fatalf("error %v is not permanent", err)
	}
	for _, want := range []string{"3 record(s)", "line does not match log_pattern", "no section claims", "empty log body"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	if srv.Docs() != 1 {
		t.Errorf("%d documents indexed, want the one good line", srv.Docs())
	}
	if got := metricSum(t, tel, metricFailed, "log_type", "nginx-access", "reason", "line does not match log_pattern"); got != 1 {
		t.Errorf("failed metric %d", got)
	}
	if got := metricSum(t, tel, metricFailed); got != 3 {
		t.Errorf("failed metric total %d", got)
	}

	// all delivered: no error
	if err := e.pushLogs(context.Background(), logsOf(nil, map[string]any{AttrLogType: "nginx-access"}, s.nginx[1])); err != nil {
		t.Fatal(err)
	}
	if err := e.pushLogs(context.Background(), plog.NewLogs()); err != nil {
		t.Fatal(err)
	}
}

func deadLetterLines(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			n++
		}
		fh.Close()
	}
	return n
}

// The queue's consumers push at once (num_consumers): every document of
// every push is delivered once.
func TestConcurrentPushes(t *testing.T) {
	s := loadSamples(t)
	srv := opensearchtest.New(opensearchtest.Faults{}, 5)
	defer srv.Close()
	e := startExporter(t, testConfig(srv.URL), nil)
	lines := nginxLines(s, 400)
	errs := make(chan error, 4)
	for w := 0; w < 4; w++ {
		go func(part []string) {
			var err error
			for i := 0; i < len(part) && err == nil; i += 25 {
				err = e.pushLogs(context.Background(), logsOf(map[string]any{AttrLogType: "nginx-access"}, nil, part[i:i+25]...))
			}
			errs <- err
		}(lines[w*100 : (w+1)*100])
	}
	for w := 0; w < 4; w++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if srv.Docs() != len(lines) {
		t.Fatalf("%d documents for %d lines", srv.Docs(), len(lines))
	}
	for id, n := range srv.Writes() {
		if n != 1 {
			t.Fatalf("%s written %d times", id, n)
		}
	}
}
