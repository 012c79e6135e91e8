package normalize_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/siemloader/siemloader/conf"
	"github.com/siemloader/siemloader/normalize"
	"github.com/siemloader/siemloader/normalize/enrich"
)

// The golden cases are es-loader's own output for the public sample corpus
// in ../shared (beside the repository, as in CI). These tests hold
// siemloader to the same bar as ../shared/tools/parity.py: per log type,
// every expected document present with the same _id and _index, and at
// least 99 % of its fields equal by meaning.

// coreTypes are the log types with reference documents: the 16 of the
// normalization core and the others es-loader produced documents for.
var coreTypes = []string{"cloudtrail", "vpcflowlogs", "alb", "nlb", "clb", "cloudfront-standard", "waf",
	"s3accesslog", "route53resolver", "guardduty", "securityhub", "networkfirewall",
	"linux-os-syslog", "linux-secure", "apache-access", "nginx-access",
	"ocsf-json", "config-history", "config-snapshot", "config-rules", "clientvpn",
	"rds-postgresql", "rds-mysql-audit", "rds-mysql-general", "rds-mysql-error", "rds-mysql-slowquery",
	"elasticache-redis-slowlog", "msk", "cloudhsm", "opensearch-audit", "workspaces-event",
	"directory-service", "windows-event", "nginx-error"}

// ignoredFields differ by design: the ingest time. GeoIP is on, with the
// test databases the goldens were made with, and so is user-agent parsing.
var ignoredFields = []string{"event.ingested"}

var goldenUA = enrich.NewUserAgentParser(1024)

var goldenNow = time.Date(2024, 6, 15, 0, 0, 0, 0, time.UTC)

func sharedDir(t testing.TB) string {
	if d := os.Getenv("SIEMLOADER_SHARED"); d != "" {
		return d
	}
	d, _ := filepath.Abs("../../shared")
	if _, err := os.Stat(filepath.Join(d, "golden")); err != nil {
		t.Skipf("no shared corpus at %s (set SIEMLOADER_SHARED)", d)
	}
	return d
}

var (
	geoOnce sync.Once
	geoDB   *enrich.GeoIP
	geoErr  error
)

func goldenGeoIP(t testing.TB, shared string) *enrich.GeoIP {
	geoOnce.Do(func() {
		geoDB, geoErr = enrich.OpenGeoIP(filepath.Join(shared, "geoip/GeoLite2-City-Test.mmdb"), filepath.Join(shared, "geoip/GeoLite2-ASN-Test.mmdb"))
	})
	if geoErr != nil {
		t.Fatal(geoErr)
	}
	return geoDB
}

type goldenCase struct {
	dir      string
	LogType  string      `json:"logtype"`
	Bucket   string      `json:"s3_bucket"`
	Key      string      `json:"s3_key"`
	Input    string      `json:"input"`
	UserINI  *string     `json:"user_ini"`
	Expected []goldenDoc `json:"-"`
}

type goldenDoc struct {
	Index  string         `json:"_index"`
	ID     string         `json:"_id"`
	Source map[string]any `json:"_source"`
}

func loadCases(t testing.TB, shared string) []goldenCase {
	var cases []goldenCase
	err := filepath.Walk(filepath.Join(shared, "golden"), func(p string, info os.FileInfo, err error) error {
		if err != nil || info.Name() != "case.json" {
			return err
		}
		var c goldenCase
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(data, &c); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		c.dir = filepath.Dir(p)
		exp, err := os.ReadFile(filepath.Join(c.dir, "expected.ndjson"))
		if err != nil {
			return err
		}
		for _, line := range bytes.Split(exp, []byte("\n")) {
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			var d goldenDoc
			if err := json.Unmarshal(line, &d); err != nil {
				return fmt.Errorf("%s: %w", c.dir, err)
			}
			c.Expected = append(c.Expected, d)
		}
		cases = append(cases, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(cases, func(i, j int) bool { return cases[i].dir < cases[j].dir })
	return cases
}

func runCase(t testing.TB, shared string, c goldenCase) []goldenDoc {
	var cfg *conf.Config
	var err error
	if c.UserINI != nil {
		f, perr := conf.ParseBytes([]byte(*c.UserINI))
		if perr != nil {
			t.Fatalf("%s: user.ini: %v", c.dir, perr)
		}
		cfg, err = conf.Build(f)
	} else {
		cfg, err = conf.Load()
	}
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	n := normalize.New(cfg, normalize.Options{Now: func() time.Time { return goldenNow }, GeoIP: goldenGeoIP(t, shared), UserAgent: goldenUA})
	in, err := os.Open(filepath.Join(shared, c.Input))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var docs []goldenDoc
	_, err = n.ProcessObject(normalize.Source{Bucket: c.Bucket, Key: c.Key}, bufio.NewReader(in), func(d normalize.Document) error {
		var src map[string]any
		if err := json.Unmarshal(d.Source, &src); err != nil {
			return fmt.Errorf("document is not JSON: %v: %s", err, d.Source)
		}
		docs = append(docs, goldenDoc{Index: d.Index, ID: d.ID, Source: src})
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", c.dir, err)
	}
	return docs
}

type parity struct {
	docs, ids, index, fields, matched int
	mismatches                        map[string]int
}

func (p *parity) compare(expected, actual []goldenDoc) {
	byID := map[string][]goldenDoc{}
	for _, a := range actual {
		byID[a.ID] = append(byID[a.ID], a)
	}
	for _, e := range expected {
		p.docs++
		cands := byID[e.ID]
		ef := flatten(e.Source, "", map[string]any{})
		if len(cands) == 0 {
			for path := range ef {
				if !ignoredPath(path) {
					p.fields++
					p.mismatches["missing document"]++
				}
			}
			continue
		}
		a := cands[0]
		byID[e.ID] = cands[1:]
		p.ids++
		if a.Index == e.Index {
			p.index++
		} else {
			p.mismatches[fmt.Sprintf("_index %s != %s", a.Index, e.Index)]++
		}
		af := flatten(a.Source, "", map[string]any{})
		for path, ev := range ef {
			if ignoredPath(path) {
				continue
			}
			p.fields++
			av, ok := af[path]
			switch {
			case !ok:
				p.mismatches["missing "+path]++
			case same(ev, av):
				p.matched++
			default:
				p.mismatches[fmt.Sprintf("differs %s: %v != %v", path, trunc(av), trunc(ev))]++
			}
		}
	}
}

func trunc(v any) string {
	s := fmt.Sprint(v)
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

func ignoredPath(p string) bool {
	for _, i := range ignoredFields {
		if p == i || strings.HasPrefix(p, i+".") {
			return true
		}
	}
	return false
}

func flatten(v any, prefix string, out map[string]any) map[string]any {
	if m, ok := v.(map[string]any); ok {
		if len(m) == 0 && prefix != "" {
			out[prefix] = m
		}
		for k, x := range m {
			key := k
			if prefix != "" {
				key = prefix + "." + k
			}
			flatten(x, key, out)
		}
		return out
	}
	out[prefix] = v
	return out
}

// canon is parity.py's meaning-preserving form of a value.
func canon(v any) string {
	switch x := v.(type) {
	case bool:
		return "b:" + strconv.FormatBool(x)
	case float64:
		return "n:" + strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		switch x {
		case "True", "true":
			return "b:true"
		case "False", "false":
			return "b:false"
		}
		if strings.TrimSpace(x) == x && x != "" {
			if f, err := strconv.ParseFloat(strings.ReplaceAll(x, "_", ""), 64); err == nil && !strings.ContainsAny(x, "xXoObB") {
				if math.IsInf(f, 0) || math.IsNaN(f) {
					return "s:" + x
				}
				return "n:" + strconv.FormatFloat(f, 'g', -1, 64)
			}
		}
		if t, ok := parseTime(x); ok {
			return "t:" + t.UTC().Format(time.RFC3339Nano)
		}
		return "s:" + x
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = canon(e)
		}
		sort.Strings(parts)
		return "l:[" + strings.Join(parts, ",") + "]"
	case map[string]any:
		f := flatten(x, "", map[string]any{})
		keys := make([]string, 0, len(f))
		for k := range f {
			keys = append(keys, k+"="+canon(f[k]))
		}
		sort.Strings(keys)
		return "d:{" + strings.Join(keys, ",") + "}"
	case nil:
		return "z"
	}
	return fmt.Sprint(v)
}

func parseTime(s string) (time.Time, bool) {
	if len(s) < 10 || s[4] != '-' {
		return time.Time{}, false
	}
	t := strings.Replace(strings.Replace(s, "Z", "+00:00", 1), " ", "T", 1)
	for _, layout := range []string{"2006-01-02T15:04:05.999999999-07:00", "2006-01-02T15:04:05-07:00", "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02"} {
		if tt, err := time.Parse(layout, t); err == nil {
			return tt.Truncate(time.Microsecond), true
		}
	}
	return time.Time{}, false
}

func same(a, b any) bool {
	ca, cb := canon(a), canon(b)
	if ca == cb {
		return true
	}
	// a scalar equals a one-element list
	if l, ok := a.([]any); ok && len(l) == 1 && canon(l[0]) == cb {
		return true
	}
	if l, ok := b.([]any); ok && len(l) == 1 && canon(l[0]) == ca {
		return true
	}
	return false
}

func TestGoldenParityCoreTypes(t *testing.T) {
	shared := sharedDir(t)
	cases := loadCases(t, shared)
	want := map[string]bool{}
	for _, lt := range coreTypes {
		want[lt] = true
	}
	perType := map[string]*parity{}
	for _, c := range cases {
		if !want[c.LogType] {
			continue
		}
		p := perType[c.LogType]
		if p == nil {
			p = &parity{mismatches: map[string]int{}}
			perType[c.LogType] = p
		}
		actual := runCase(t, shared, c)
		p.compare(c.Expected, actual)
	}
	for _, lt := range coreTypes {
		p := perType[lt]
		if p == nil {
			t.Errorf("%s: no golden cases found", lt)
			continue
		}
		pct := 100.0
		if p.fields > 0 {
			pct = 100 * float64(p.matched) / float64(p.fields)
		}
		t.Logf("%-20s docs %3d ids %3d index %3d fields %5.1f%%", lt, p.docs, p.ids, p.index, pct)
		if p.ids != p.docs || p.index != p.docs || pct < 99 {
			var top []string
			for k, v := range p.mismatches {
				top = append(top, fmt.Sprintf("%4d %s", v, k))
			}
			sort.Sort(sort.Reverse(sort.StringSlice(top)))
			if len(top) > 10 {
				top = top[:10]
			}
			t.Errorf("%s: parity below 100%% ids / 100%% index / 99%% fields: ids %d/%d, index %d/%d, fields %.1f%%\n  %s",
				lt, p.ids, p.docs, p.index, p.docs, pct, strings.Join(top, "\n  "))
		}
	}
}
