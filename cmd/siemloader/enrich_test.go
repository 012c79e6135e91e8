package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// The enrichment and exclusion flags reach the documents: an indicator
// file marks a flow, a pattern excludes another, and the summary says why.
func TestLoadEnrichmentAndExclusionFlags(t *testing.T) {
	dir := t.TempDir()
	key := "AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/05/20/123456789012_vpcflowlogs_us-east-1_fl-1_20240520T0000Z_a.log"
	obj := filepath.Join(dir, "flows.log")
	writeFile(t, obj, "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n"+
		"2 123456789012 eni-1 45.33.32.156 10.0.0.1 4444 22 6 1 60 1716163200 1716163260 ACCEPT OK\n"+
		"2 123456789012 eni-1 203.0.113.9 10.0.0.1 5555 22 6 1 60 1716163200 1716163260 REJECT OK\n"+
		"2 123456789012 eni-1 192.0.2.10 10.0.0.1 6666 22 6 1 60 1716163200 1716163260 ACCEPT OK\n")
	iocDir := filepath.Join(dir, "ioc")
	writeFile(t, filepath.Join(iocDir, "IOC", "TXT", "acme", "bad.txt"), "# known scanners\n45.33.32.0/24\nnot-an-address\n")
	csv := filepath.Join(dir, "exclude_log_patterns.csv")
	writeFile(t, csv, "log_type,field,pattern,pattern_type,comment\nvpcflowlogs,srcaddr,192\\.0\\.2\\..*,regex,test range\n")

	var stdout, stderr bytes.Buffer
	code := cmdLoad([]string{"--now", "2024-06-15T00:00:00Z", "--s3-key", key, "--output", "-",
		"--ioc-dir", iocDir, "--exclusions", csv, obj}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	if n := strings.Count(out, `"_id"`); n != 2 {
		t.Fatalf("%d documents, want 2 (one excluded):\n%s", n, out)
	}
	if !strings.Contains(out, `"threat.matched":{"providers":["acme"]`) {
		t.Errorf("no threat-intel match for 45.33.32.156:\n%s", out)
	}
	if !strings.Contains(stderr.String(), "not-an-address") {
		t.Errorf("the bad indicator line is not reported:\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "exclude_log_patterns.csv") {
		t.Errorf("the summary does not say why a record was excluded:\n%s", stderr.String())
	}
	stdout.Reset()
	stderr.Reset()
	if code := cmdLoad([]string{"--ioc-dir", filepath.Join(dir, "missing"), "--output", "-", obj}, &stdout, &stderr); code == 0 {
		t.Error("a missing --ioc-dir was accepted")
	}
}

// exclude_log_patterns_filename of [DEFAULT] names a CSV beside the
// user.ini; COUNT conditions are reported after the summary.
func TestLoadExclusionsFromConfigAndConditions(t *testing.T) {
	dir := t.TempDir()
	key := "AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/05/20/123456789012_vpcflowlogs_us-east-1_fl-1_20240520T0000Z_a.log"
	obj := filepath.Join(dir, "flows.log")
	writeFile(t, obj, "version srcaddr dstaddr srcport dstport protocol action end\n"+
		"2 192.0.2.10 10.0.0.1 1 22 6 ACCEPT 1716163260\n"+
		"2 45.33.32.156 10.0.0.1 2 22 6 REJECT 1716163260\n"+
		"2 45.33.32.157 10.0.0.1 3 443 6 ACCEPT 1716163260\n")
	ini := filepath.Join(dir, "conf", "user.ini")
	writeFile(t, ini, "[DEFAULT]\nexclude_log_patterns_filename = mine.csv\n")
	writeFile(t, filepath.Join(dir, "conf", "mine.csv"), "log_type,field,pattern,pattern_type,comment\nvpcflowlogs,srcaddr,192.0.2.10,text,doc range\n")
	conds := filepath.Join(dir, "conditions.json")
	writeFile(t, conds, `{"vpcflowlogs/rejects": {"action": "COUNT", "expression": "action==`+"`REJECT`"+`"}}`+"\n")

	var stdout, stderr bytes.Buffer
	code := cmdLoad([]string{"--now", "2024-06-15T00:00:00Z", "--config", ini, "--s3-key", key, "--output", "-",
		"--exclusion-conditions", conds, obj}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if n := strings.Count(stdout.String(), `"_id"`); n != 2 {
		t.Errorf("%d documents, want 2 (192.0.2.10 excluded by the config's CSV)", n)
	}
	if !strings.Contains(stderr.String(), "vpcflowlogs: 1 record(s) matched COUNT conditions") {
		t.Errorf("COUNT matches are not reported:\n%s", stderr.String())
	}
}
