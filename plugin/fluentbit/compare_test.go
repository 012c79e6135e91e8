package fluentbit

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/siemloader/siemloader/internal/bulksink"
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

// workersLine is the same for both outputs: by default two flush
// threads, one per core of the project's 2-core machine;
// SIEMLOADER_FLUENT_BIT_WORKERS=N sets another count, and 0 leaves the
// key out, so that each output runs as Fluent Bit runs it by default (no
// worker threads: flushes in the engine's own thread, with the inputs).
func workersLine(pad string) string {
	if workers() == 0 {
		return ""
	}
	return fmt.Sprintf("    Workers%s%d\n", pad, workers())
}

func workers() int {
	if v := os.Getenv("SIEMLOADER_FLUENT_BIT_WORKERS"); v != "" {
		if w, err := strconv.Atoi(v); err == nil && w >= 0 {
			return w
		}
	}
	return 2
}

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
`+workersLine("            "), port)
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
`+workersLine("         "), url, compress)
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

// run is one Fluent Bit run's figures, kept by benchmark name (without
// the #NN of repeated rounds) for the table TestMain prints.
type run struct {
	rate, perCPU float64 // records/s end to end; records per CPU-second of Fluent Bit
}

var (
	resultsMu sync.Mutex
	results   = map[string][]run{}
)

// parser is SIEMLOADER_FLUENT_BIT_PARSER=json: the tail input parses
// each line with a json parser instead of passing it on as the log key.
func parser() bool { return os.Getenv("SIEMLOADER_FLUENT_BIT_PARSER") == "json" }

func rounds() int {
	if v := os.Getenv("SIEMLOADER_FLUENT_BIT_ROUNDS"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			return n
		}
	}
	return 1
}

// BenchmarkFluentBit runs every shipper and compression in turn, as many
// rounds as SIEMLOADER_FLUENT_BIT_ROUNDS says: on a shared machine the
// load drifts, and interleaved rounds spread the drift over all four.
func BenchmarkFluentBit(b *testing.B) {
	bin := fluentBit(b)
	so := pluginSO(b)
	n := records()
	path := input(b, n)
	for round := 0; round < rounds(); round++ {
		for _, compress := range []string{"none", "gzip"} {
			for _, sh := range shippers {
				b.Run(sh.name+"/"+compress, func(b *testing.B) {
					for i := 0; i < b.N; i++ {
						rate, cpu, sinkCPU, st := runOnce(b, bin, so, path, n, sh, compress == "gzip")
						perCPU := float64(n) / cpu.Seconds()
						resultsMu.Lock()
						name := b.Name()
						if i := strings.IndexByte(name, '#'); i >= 0 {
							name = name[:i]
						}
						results[name] = append(results[name], run{rate, perCPU})
						resultsMu.Unlock()
						b.ReportMetric(rate, "records/s")
						b.ReportMetric(perCPU, "records/fluentbit-cpu-s")
						b.ReportMetric(cpu.Seconds(), "fluentbit-cpu-s")
						b.ReportMetric(sinkCPU.Seconds(), "sink-cpu-s")
						b.ReportMetric(float64(st.WireBytes)/float64(n), "wire-B/record")
						b.ReportMetric(float64(st.MaxInFlight), "max-requests-in-flight")
					}
				})
			}
		}
	}
}

// runOnce is one Fluent Bit run: records/s end to end, the CPU time of
// Fluent Bit and of this process (the sink: on two cores, what the sink
// takes Fluent Bit cannot have), and what the sink counted.
func runOnce(b *testing.B, bin, so, path string, n int, sh shipper, gzip bool) (rate float64, cpu, sinkCPU time.Duration, st bulksink.Stats) {
	sink := newSink(b)
	sink.Validate = false // the sink's CPU is taken from Fluent Bit's
	dir := b.TempDir()
	svc, in := service, tailInput(path, "cloudtrail")
	if parser() {
		// Fluent Bit decodes each line into a map: the native output
		// ships the record's fields, the plugin reads the map back
		parsers := writeFile(b, filepath.Join(dir, "parsers.conf"), "[PARSER]\n    Name   json\n    Format json\n")
		svc = strings.Replace(svc, "[SERVICE]\n", "[SERVICE]\n    Parsers_File    "+parsers+"\n", 1)
		in += "    Parser            json\n"
	}
	conf := writeFile(b, filepath.Join(dir, "fluent-bit.conf"), svc+in+sh.output(sink.Port(), sink.URL, gzip))
	args := []string{"-c", conf}
	if sh.name == "siem" {
		args = append([]string{"-e", so}, args...)
	}
	begin, selfBefore := time.Now(), selfCPU()
	p := start(b, args...)
	stopPerf := perfRecord(b, p)
	at, err := sink.Wait(n, time.Duration(n/2000+60)*time.Second)
	stopPerf()
	if err != nil {
		b.Fatalf("%v\nFluent Bit's log:\n%s", err, tail(p.Log(), 6000))
	}
	elapsed, sinkCPU := at.Sub(begin), selfCPU()-selfBefore
	time.Sleep(300 * time.Millisecond) // a document sent twice would arrive by now
	p.stop(b)
	st = sink.Stats()
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
	return float64(n) / elapsed.Seconds(), p.cpu(), sinkCPU, st
}

// perfRecord profiles the run's Fluent Bit with `perf record -g` when
// SIEMLOADER_FLUENT_BIT_PERF names a folder: one <benchmark>.data file
// per run there (`perf report -i ...`; build the plugin without -s -w,
// SIEMLOADER_PLUGIN, for Go symbols).
func perfRecord(b *testing.B, p *process) (stop func()) {
	dir := os.Getenv("SIEMLOADER_FLUENT_BIT_PERF")
	if dir == "" {
		return func() {}
	}
	out := filepath.Join(dir, strings.ReplaceAll(b.Name(), "/", "_")+".data")
	// attached once Fluent Bit has started its worker threads and the Go
	// runtime its own: -p follows only the threads that exist
	time.Sleep(time.Second)
	cmd := exec.Command("perf", "record", "-e", "cpu-clock", "-F", "499", "-g", "-o", out, "-p", strconv.Itoa(p.cmd.Process.Pid))
	if msg, err := os.OpenFile(out+".log", os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644); err == nil {
		cmd.Stdout, cmd.Stderr = msg, msg
		defer msg.Close()
	}
	if err := cmd.Start(); err != nil {
		b.Fatalf("perf: %v", err)
	}
	return func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}
}

// selfCPU is the user and system time of this process so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
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
// native output's figures.
func printTable() {
	medians := func(name string) (rate, perCPU float64, runs int) {
		v := results["BenchmarkFluentBit/"+name]
		if len(v) == 0 {
			return 0, 0, 0
		}
		var r, c []float64
		for _, x := range v {
			r, c = append(r, x.rate), append(c, x.perCPU)
		}
		return median(r), median(c), len(v)
	}
	share := func(siem, native float64) string {
		if siem == 0 || native == 0 {
			return "–"
		}
		return fmt.Sprintf("%.0f %%", 100*siem/native)
	}
	how := "each line the log key"
	if parser() {
		how = "each line parsed by a json parser"
	}
	threads := fmt.Sprintf("Workers %d", workers())
	if workers() == 0 {
		threads = "no Workers key, Fluent Bit's default"
	}
	fmt.Printf("\nFluent Bit end to end, %d CloudTrail lines (%s; %s for both outputs), medians of the runs:\n\n", records(), how, threads)
	fmt.Println("| compression | native opensearch, records/s | siem plugin, records/s | siem / native | native, records per Fluent Bit CPU-s | siem, records per Fluent Bit CPU-s | siem / native |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, c := range []string{"none", "gzip"} {
		nat, natCPU, nn := medians("native/" + c)
		siem, siemCPU, ns := medians("siem/" + c)
		if nn == 0 && ns == 0 {
			continue
		}
		cell := func(v float64, runs int) string {
			if runs == 0 {
				return "–"
			}
			return fmt.Sprintf("%.0f", v)
		}
		fmt.Printf("| %s | %s (%d runs) | %s (%d runs) | %s | %s | %s | %s |\n", c, cell(nat, nn), nn, cell(siem, ns), ns, share(siem, nat),
			cell(natCPU, nn), cell(siemCPU, ns), share(siemCPU, natCPU))
	}
}
