package enrich

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// A generated indicator set the size the issue asks for: one million
// lines over a few providers, mostly single IPv4 addresses, some IPv4
// networks and some IPv6 ones, as real block lists are.
const benchIndicators = 1_000_000

var benchIoC struct {
	once  sync.Once
	dir   string
	hits  []string // addresses inside listed indicators
	err   error
	ioc   *IoC
	probs []error
}

func benchIoCDir(b *testing.B) string {
	benchIoC.once.Do(func() {
		dir, err := os.MkdirTemp("", "siemloader-ioc-bench-")
		if err != nil {
			benchIoC.err = err
			return
		}
		benchIoC.dir = dir
		rng := rand.New(rand.NewPCG(7, 11))
		per := benchIndicators / 4
		for p := 0; p < 4; p++ {
			path := filepath.Join(dir, "TXT", fmt.Sprintf("provider%d", p), "list.txt")
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				benchIoC.err = err
				return
			}
			f, err := os.Create(path)
			if err != nil {
				benchIoC.err = err
				return
			}
			w := bufio.NewWriter(f)
			for i := 0; i < per; i++ {
				var line string
				switch r := rng.IntN(10); {
				case r < 8:
					a := publicV4(rng)
					line = a.String()
					if len(benchIoC.hits) < 1<<16 && rng.IntN(8) == 0 {
						benchIoC.hits = append(benchIoC.hits, line)
					}
				case r < 9:
					bits := 24 + rng.IntN(5)
					line = netip.PrefixFrom(publicV4(rng), bits).Masked().String()
				default:
					var b16 [16]byte
					b16[0], b16[1] = 0x24, byte(rng.IntN(256))
					for j := 2; j < 16; j++ {
						b16[j] = byte(rng.IntN(256))
					}
					line = netip.PrefixFrom(netip.AddrFrom16(b16), 48+16*rng.IntN(5)).Masked().String()
				}
				w.WriteString(line)
				w.WriteByte('\n')
			}
			if err := w.Flush(); err != nil {
				benchIoC.err = err
			}
			f.Close()
		}
	})
	if benchIoC.err != nil {
		b.Fatal(benchIoC.err)
	}
	return benchIoC.dir
}

// TestMain removes the generated indicator files the benchmarks share.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchIoC.dir != "" {
		os.RemoveAll(benchIoC.dir)
	}
	os.Exit(code)
}

func publicV4(rng *rand.Rand) netip.Addr {
	for {
		var a [4]byte
		v := rng.Uint32()
		a[0], a[1], a[2], a[3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
		addr := netip.AddrFrom4(a)
		if !isPrivate(addr) {
			return addr
		}
	}
}

func loadedBenchIoC(b *testing.B) *IoC {
	dir := benchIoCDir(b)
	if benchIoC.ioc == nil {
		x, probs, err := LoadIoC(dir)
		if err != nil {
			b.Fatal(err)
		}
		benchIoC.ioc, benchIoC.probs = x, probs
	}
	return benchIoC.ioc
}

// BenchmarkIoCLoad1M loads one million indicators (four TXT files): the
// issue's bound is 10 s.
func BenchmarkIoCLoad1M(b *testing.B) {
	dir := benchIoCDir(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		x, probs, err := LoadIoC(dir)
		if err != nil || len(probs) > 0 {
			b.Fatal(err, probs)
		}
		benchIoC.ioc = x
	}
	b.ReportMetric(float64(benchIndicators)*float64(b.N)/b.Elapsed().Seconds(), "indicators/s")
}

// BenchmarkIoCLookup looks addresses up among one million indicators, one
// in four a listed address: the bound is 2 µs per lookup.
func BenchmarkIoCLookup(b *testing.B) {
	x := loadedBenchIoC(b)
	rng := rand.New(rand.NewPCG(5, 6))
	probes := make([]string, 1<<16)
	for i := range probes {
		if i%4 == 0 {
			probes[i] = benchIoC.hits[rng.IntN(len(benchIoC.hits))]
		} else {
			probes[i] = publicV4(rng).String()
		}
	}
	var buf []uint32
	hits := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		buf = x.lookupIP(buf[:0], probes[i&(len(probes)-1)])
		if len(buf) > 0 {
			hits++
		}
	}
	if hits == 0 {
		b.Fatal("no lookup hit a listed address")
	}
}

// BenchmarkIoCEnrich is a CloudTrail-like document's IoC step (source.ip
// and related.ip, no match) against one million indicators.
func BenchmarkIoCEnrich(b *testing.B) {
	x := loadedBenchIoC(b)
	doc := mustDoc(b, `{"source": {"ip": "198.51.100.77", "address": "198.51.100.77"}, "related": {"ip": ["198.51.100.77", "52.95.1.2"]}}`)
	doc.Set("source", mustDoc(b, `{"ip": "81.2.69.142"}`))
	fields := []string{"source.ip", "destination.ip", "related.ip"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		x.Enrich(doc, fields, nil)
	}
}
