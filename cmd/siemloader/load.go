package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/siemloader/siemloader/conf"
	"github.com/siemloader/siemloader/normalize"
	"github.com/siemloader/siemloader/normalize/enrich"
	"github.com/siemloader/siemloader/ship"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// loadJob is one object to read.
type loadJob struct {
	path string
	key  string
}

func cmdLoad(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("load", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var (
		bucket  = fl.String("s3-bucket", "", "S3 bucket name recorded in @log_s3bucket")
		key     = fl.String("s3-key", "", "S3 key of a single input file (default: its path); classifies it")
		logType = fl.String("log-type", "", "log type (aws.ini section) to use instead of classifying by key")
		nowStr  = fl.String("now", "", "freeze \"now\" (RFC 3339) for event.ingested and syslog years")
		output  = fl.String("output", "out", "output folder for <index>.ndjson files, or - for bulk NDJSON on stdout")
		quiet   = fl.Bool("quiet", false, "no progress and no summary")
		geoCity = fl.String("geoip-city", "", "MaxMind GeoLite2/GeoIP2 City database (.mmdb) for the geoip fields")
		geoASN  = fl.String("geoip-asn", "", "MaxMind GeoLite2/GeoIP2 ASN database (.mmdb) for the geoip fields")
		configs stringList
		exclude stringList
		enr     enrichFlags
		shp     shipFlags
	)
	enr.register(fl)
	shp.register(fl)
	fl.Var(&configs, "config", "user.ini layered over aws.ini (repeatable, later wins)")
	fl.Var(&exclude, "exclude", "skip files of a folder whose name or key matches this glob, e.g. '*.md' or 'tmp/*' (repeatable)")
	fl.Usage = func() {
		fmt.Fprintf(stderr, "Usage: siemloader load [flags] PATH...\n\n"+
			"A file is one S3 object (its key is --s3-key, else its path); a folder is walked\n"+
			"and each file's path relative to it is its S3 key.\n\nFlags:\n")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	paths := fl.Args()
	if len(paths) == 0 {
		fmt.Fprintln(stderr, "siemloader load: no input PATH given")
		fl.Usage()
		return 2
	}
	cfg, err := conf.Load(configs...)
	if err != nil {
		fmt.Fprintln(stderr, "siemloader: invalid configuration:")
		fmt.Fprintln(stderr, err)
		return 1
	}
	if shp.serverless() {
		cfg.UseServerlessIndexNames()
	}
	if *logType != "" && cfg.Type(*logType) == nil {
		fmt.Fprintf(stderr, "siemloader: unknown log type %q (not a section of aws.ini or user.ini)\n", *logType)
		return 1
	}
	nowFn := time.Now
	if *nowStr != "" {
		t, err := time.Parse(time.RFC3339Nano, *nowStr)
		if err != nil {
			fmt.Fprintf(stderr, "siemloader: --now %q is not RFC 3339 (e.g. 2024-06-15T00:00:00Z)\n", *nowStr)
			return 2
		}
		nowFn = func() time.Time { return t }
	}
	for _, g := range exclude {
		if _, err := path.Match(g, ""); err != nil {
			fmt.Fprintf(stderr, "siemloader: --exclude %q: %v\n", g, err)
			return 2
		}
	}
	jobs, err := collectJobs(paths, *key, exclude)
	if err != nil {
		fmt.Fprintln(stderr, "siemloader:", err)
		return 1
	}
	ix, err := shp.open(stderr)
	if err != nil {
		fmt.Fprintln(stderr, "siemloader:", err)
		return 1
	}
	if ix != nil {
		if err := shp.prepare(ix, cfg, stderr, *quiet); err != nil {
			fmt.Fprintln(stderr, "siemloader:", err)
			return 1
		}
	}
	var out *ship.BulkWriter
	if ix != nil {
		out = ship.NewBulkStream(io.Discard) // unused: documents go to the indexer
	} else if *output == "-" {
		out = ship.NewBulkStream(stdout)
	} else if out, err = ship.NewBulkDir(*output); err != nil {
		fmt.Fprintln(stderr, "siemloader:", err)
		return 1
	}
	geo := openGeoIP(*geoCity, *geoASN, stderr)
	defer geo.Close()
	opts := normalize.Options{Now: nowFn, GeoIP: geo}
	if err := enr.apply(&opts, cfg, configs, stderr); err != nil {
		fmt.Fprintln(stderr, "siemloader:", err)
		return 1
	}
	n := normalize.New(cfg, opts)
	sum := normalize.NewSummary()
	progress := newProgress(stderr, len(jobs), !*quiet)
	failedObjects := 0
	for _, j := range jobs {
		emit := func(d normalize.Document) error { return out.Write(d.Index, d.ID, d.Source) }
		if ix != nil {
			emit = shipEmit(ix)
		}
		res, err := loadOne(n, j, *bucket, *logType, emit)
		if err != nil {
			fmt.Fprintf(stderr, "siemloader: %s: %v\n", j.path, err)
			failedObjects++
			progress.step()
			continue
		}
		sum.Add(res)
		if res.Fatal != "" {
			progress.note(fmt.Sprintf("%s: %s", j.path, res.Fatal))
		}
		progress.step()
	}
	progress.done()
	if err := out.Close(); err != nil {
		fmt.Fprintln(stderr, "siemloader: writing output:", err)
		return 1
	}
	shipped := true
	if ix != nil {
		shipped = finishShipping(ix, stderr, *quiet)
	}
	if !*quiet {
		sum.WriteTable(stderr)
		enr.writeStats(stderr)
		if *output != "-" && ix == nil {
			files := out.Files()
			sort.Strings(files)
			fmt.Fprintf(stderr, "bulk NDJSON written to %s/ (%d index file(s))\n", *output, len(files))
		}
	}
	objects, _, docs := sum.Totals()
	if objects == 0 || (docs == 0 && failedObjects > 0 && failedObjects == len(jobs)) || !shipped {
		return 1
	}
	return 0
}

// openGeoIP opens what it can: a missing database is a warning, so that
// loading goes on without that enrichment rather than failing per record.
func openGeoIP(city, asn string, stderr io.Writer) *enrich.GeoIP {
	if city == "" && asn == "" {
		return nil
	}
	// a database replaced on disk during a long run is picked up
	g, warnings, err := enrich.NewGeoIP(enrich.GeoIPConfig{CityPath: city, ASNPath: asn, ReloadEvery: time.Minute})
	for _, w := range warnings {
		fmt.Fprintf(stderr, "siemloader: warning: %s\n", w)
	}
	if err != nil {
		fmt.Fprintf(stderr, "siemloader: warning: %v; continuing without GeoIP\n", err)
		return nil
	}
	return g
}

func loadOne(n *normalize.Normalizer, j loadJob, bucket, logType string, emit normalize.Emit) (*normalize.Result, error) {
	f, err := os.Open(j.path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	src := normalize.Source{Bucket: bucket, Key: j.key, LogType: logType}
	return n.ProcessObject(src, f, emit)
}

// collectJobs expands folders; a single file may take its key from --s3-key.
// Files of a folder whose name matches an exclude glob are skipped.
func collectJobs(paths []string, key string, exclude []string) ([]loadJob, error) {
	var jobs []loadJob
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			k := key
			if k == "" {
				k = filepath.ToSlash(p)
			}
			jobs = append(jobs, loadJob{path: p, key: k})
			continue
		}
		if key != "" {
			return nil, fmt.Errorf("--s3-key applies to a single file, but %s is a folder", p)
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != p && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasPrefix(d.Name(), ".") || !d.Type().IsRegular() {
				return nil
			}
			rel, err := filepath.Rel(p, path)
			if err != nil {
				return err
			}
			if excluded(d.Name(), exclude) || excluded(filepath.ToSlash(rel), exclude) {
				return nil
			}
			jobs = append(jobs, loadJob{path: path, key: filepath.ToSlash(rel)})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return jobs, nil
}

func excluded(name string, globs []string) bool {
	for _, g := range globs {
		if ok, _ := path.Match(g, name); ok {
			return true
		}
	}
	return false
}

// progress draws a one-line bar on a terminal for multi-object runs.
type progress struct {
	w       io.Writer
	total   int
	done_   int
	enabled bool
	last    time.Time
}

func newProgress(w io.Writer, total int, want bool) *progress {
	p := &progress{w: w, total: total}
	if f, ok := w.(*os.File); ok && want && total > 1 && term.IsTerminal(int(f.Fd())) {
		p.enabled = true
	}
	return p
}

func (p *progress) step() {
	p.done_++
	if !p.enabled || (time.Since(p.last) < 100*time.Millisecond && p.done_ < p.total) {
		return
	}
	p.last = time.Now()
	const width = 30
	filled := width * p.done_ / p.total
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d objects", strings.Repeat("#", filled), strings.Repeat(".", width-filled), p.done_, p.total)
}

func (p *progress) note(msg string) {
	if p.enabled {
		fmt.Fprint(p.w, "\r\033[K")
	}
	fmt.Fprintln(p.w, msg)
}

func (p *progress) done() {
	if p.enabled {
		fmt.Fprintln(p.w)
	}
}
