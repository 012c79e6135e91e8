package fluentbit

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"
)

// The comparison (`make fluentbit-compare FLUENT_BIT=/path/to/fluent-bit`,
// docs/fluentbit.md): Fluent Bit tails a file of N CloudTrail lines
// (SIEMLOADER_FLUENT_BIT_RECORDS, default 300,000) and ships them to a
// bulk sink on loopback (internal/bulksink) with its native opensearch
// output, or with the siem plugin normalizing them as cloudtrail; each
// with gzip off and on. A run is timed from Fluent Bit's start until the
// sink holds all N documents, and fails unless the sink ends with exactly
// N, none sent twice.

// shipper is what sends the records to the sink.
type shipper struct {
	name   string
	output func(port, url string, gzip bool) string
	index  string // what every document's index starts with
}

// workers is the same for both outputs: one flush thread per core of
// the project's 2-core machine.
const workers = 2

var shippers = []shipper{
	{"native", func(port, _ string, gzip bool) string {
		s := fmt.Sprintf(`[OUTPUT]
    Name               opensearch
    Match              cloudtrail
    Host               127.0.0.1
    Port               %s
    Index              cloudtrail-native
    Suppress_Type_Name On
    Buffer_Size        False
    Workers            %d
`, port, workers)
		if gzip {
			s += "    Compress           gzip\n"
		}
		return s
	}, "cloudtrail-native"},
	{"siem", func(_, url string, gzip bool) string {
		compress := "none"
		if gzip {
			compress = "gzip"
		}
		return fmt.Sprintf(`[OUTPUT]
    Name            siem
    Match           cloudtrail
    OpenSearch_URL  %s
    Log_Type        cloudtrail
    Compress        %s
    Bootstrap       Off
    EC2_Metadata    off
    Workers         %d
`, url, compress, workers)
	}, "log-aws-cloudtrail"},
}

func records() int {
	if v := os.Getenv("SIEMLOADER_FLUENT_BIT_RECORDS"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			return n
		}
	}
	return 300000
}

// The input file is written once per test binary, in inputDir.
var (
	inputOnce sync.Once
	inputDir  string
	inputPath string
)

func input(b *testing.B, n int) string {
	inputOnce.Do(func() {
		dir, err := os.MkdirTemp("", "fluentbit-compare-")
		if err != nil {
			b.Fatal(err)
		}
		inputDir, inputPath = dir, filepath.Join(dir, "cloudtrail.log")
		writeCloudTrailLines(b, inputPath, n)
	})
	if inputPath == "" {
		b.Fatal("no input file (see the first failure)")
	}
	return inputPath
}

// results are the records/s of every run, by benchmark name, for the
// table TestMain prints.
var (
	resultsMu sync.Mutex
	results   = map[string][]float64{}
)

func BenchmarkFluentBit(b *testing.B) {
	bin := fluentBit(b)
	so := pluginSO(b)
	n := records()
	path := input(b, n)
	for _, compress := range []string{"none", "gzip"} {
		for _, sh := range shippers {
			b.Run(sh.name+"/"+compress, func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					rate, cpu, wire := runOnce(b, bin, so, path, n, sh, compress == "gzip")
					resultsMu.Lock()
					results[b.Name()] = append(results[b.Name()], rate)
					resultsMu.Unlock()
					b.ReportMetric(rate, "records/s")
					b.ReportMetric(cpu.Seconds(), "fluentbit-cpu-s")
					b.ReportMetric(float64(wire)/float64(n), "wire-B/record")
				}
			})
		}
	}
}

// runOnce is one Fluent Bit run: records/s end to end, Fluent Bit's CPU
// time, and the bytes the sink received.
func runOnce(b *testing.B, bin, so, path string, n int, sh shipper, gzip bool) (float64, time.Duration, int64) {
	sink := newSink(b)
	sink.Validate = false // the sink's CPU is taken from Fluent Bit's
	dir := b.TempDir()
	conf := writeFile(b, filepath.Join(dir, "fluent-bit.conf"), service+tailInput(path, "cloudtrail")+sh.output(sink.Port(), sink.URL, gzip))
	args := []string{"-c", conf}
	if sh.name == "siem" {
		args = append([]string{"-e", so}, args...)
	}
	begin := time.Now()
	p := start(b, args...)
	at, err := sink.Wait(n, time.Duration(n/2000+60)*time.Second)
	if err != nil {
		b.Fatalf("%v\nFluent Bit's log:\n%s", err, tail(p.Log(), 6000))
	}
	elapsed := at.Sub(begin)
	time.Sleep(300 * time.Millisecond) // a document sent twice would arrive by now
	p.stop(b)
	st := sink.Stats()
	if st.Docs != n || st.Conflicts != 0 {
		b.Fatalf("%s: the sink holds %d documents (%d conflicts) for %d lines", sh.name, st.Docs, st.Conflicts, n)
	}
	for index := range st.PerIndex {
		if len(index) < len(sh.index) || index[:len(sh.index)] != sh.index {
			b.Fatalf("%s: documents in index %q", sh.name, index)
		}
	}
	if gzip && st.Gzipped != st.Requests {
		b.Fatalf("%s: %d of %d requests gzipped", sh.name, st.Gzipped, st.Requests)
	}
	return float64(n) / elapsed.Seconds(), p.cpu(), st.WireBytes
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func TestMain(m *testing.M) {
	code := m.Run()
	if inputDir != "" {
		os.RemoveAll(inputDir)
	}
	if len(results) > 0 {
		printTable()
	}
	os.Exit(code)
}

// printTable prints the medians, and the siem plugin's share of the
// native output's rate.
func printTable() {
	rate := func(name string) (float64, int) {
		v := results["BenchmarkFluentBit/"+name]
		if len(v) == 0 {
			return 0, 0
		}
		return median(v), len(v)
	}
	fmt.Printf("\nFluent Bit end to end, %d CloudTrail lines (median of the runs):\n\n", records())
	fmt.Println("| compression | native opensearch, records/s | siem plugin, records/s | siem / native |")
	fmt.Println("| --- | ---: | ---: | ---: |")
	for _, c := range []string{"none", "gzip"} {
		nat, nn := rate("native/" + c)
		siem, ns := rate("siem/" + c)
		if nn == 0 && ns == 0 {
			continue
		}
		share := "–"
		if nat > 0 && siem > 0 {
			share = fmt.Sprintf("%.0f %%", 100*siem/nat)
		}
		fmt.Printf("| %s | %.0f (%d runs) | %.0f (%d runs) | %s |\n", c, nat, nn, siem, ns, share)
	}
}
