package conf

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDefaultsHaveEveryESLoaderSection(t *testing.T) {
	cfg, err := Load()
	if err != nil {
		t.Fatalf("embedded aws.ini: %v", err)
	}
	want := strings.Fields(`securitylake ocsf-json vpcflowlogs cloudtrail networkfirewall guardduty
		inspector securityhub nlb alb clb s3accesslog config-history config-snapshot config-rules
		cloudfront-realtime cloudfront-standard waf route53resolver clientvpn rds-postgresql
		rds-mysql-audit rds-mysql-general rds-mysql-error rds-mysql-slowquery
		elasticache-redis-slowlog msk cloudhsm opensearch-audit workspaces-event
		workspaces-inventory trustedadvisor directory-service fsx-win windows-event linux-secure
		linux-os-syslog apache-access apache-error nginx-access nginx-error index-metrics`)
	if len(cfg.Types) != len(want) {
		t.Fatalf("got %d sections, want %d", len(cfg.Types), len(want))
	}
	for i, lt := range cfg.Types {
		if lt.Name != want[i] {
			t.Errorf("section %d is %s, want %s (order decides classification)", i, lt.Name, want[i])
		}
	}
}

func TestInterpolationAndLists(t *testing.T) {
	cfg, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	vpc := cfg.Type("vpcflowlogs")
	var addr, related *Mapping
	for i := range vpc.ECS {
		switch vpc.ECS[i].Field {
		case "source.address":
			addr = &vpc.ECS[i]
		case "related.ip":
			related = &vpc.ECS[i]
		}
	}
	// source.address = ${source.ip} names the key source.ip = srcaddr
	if addr == nil || addr.List || len(addr.Alternatives) != 1 || strings.Join(addr.Alternatives[0], ".") != "srcaddr" {
		t.Errorf("source.address mapping = %+v, want srcaddr", addr)
	}
	if related == nil || !related.List || len(related.Elements) != 4 || !related.ValidateIP {
		t.Errorf("related.ip mapping = %+v, want a 4-element IP list", related)
	}
	// ${securitylake:ecs} from another section
	ocsf := cfg.Type("ocsf-json")
	if len(ocsf.ECS) != len(cfg.Type("securitylake").ECS) || len(ocsf.ECS) == 0 {
		t.Errorf("ocsf-json ecs has %d mappings, securitylake %d", len(ocsf.ECS), len(cfg.Type("securitylake").ECS))
	}
	// static list keys become one-element lists, others stay strings
	for _, st := range vpc.StaticECS {
		switch st.Field {
		case "event.category":
			if l, ok := st.Value.([]any); !ok || len(l) != 1 || l[0] != "network" {
				t.Errorf("event.category = %#v, want [network]", st.Value)
			}
		case "event.kind":
			if st.Value != "event" {
				t.Errorf("event.kind = %#v", st.Value)
			}
		}
	}
	// $$ in a regex is a literal $
	if src := cfg.Type("alb").S3Key.Source; !strings.HasSuffix(src, `\.log\.gz$`) {
		t.Errorf("alb s3_key = %q", src)
	}
	if cfg.Type("cloudtrail").MaxLogCount != 50000 || !cfg.Type("linux-secure").ViaCWL {
		t.Error("integer or boolean keys misread")
	}
	if cfg.Type("securitylake").TimestampFormats[0] != `"epoch"` {
		t.Errorf("quotes are part of a configparser value: %q", cfg.Type("securitylake").TimestampFormats)
	}
}

func TestUserINILayering(t *testing.T) {
	cfg, err := Load("testdata/user-good.ini")
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Type("cloudtrail").IndexSuffix; got != "prod" {
		t.Errorf("override: index_suffix = %q", got)
	}
	if cfg.Type("cloudtrail").IndexName != "log-aws-cloudtrail" {
		t.Error("keys not overridden must keep aws.ini's value")
	}
	last := cfg.Types[len(cfg.Types)-1]
	if last.Name != "apache-ecs" {
		t.Errorf("a new section goes after aws.ini's: last is %s", last.Name)
	}
	if !last.ViaFirelens || last.FileFormat != "text" {
		t.Errorf("apache-ecs = %+v", last)
	}
	if !strings.Contains(last.LogPattern.Source, "\n(?P<rest>") {
		t.Errorf("continuation line not joined: %q", last.LogPattern.Source)
	}
	if v, _ := last.Value("price"); v != "$5" {
		t.Errorf("$$ = %q", v)
	}
	if v, _ := last.Value("copy"); v != "log-aws-cloudtrail-copy" {
		t.Errorf("${section:key} = %q", v)
	}
	// DEFAULT keys reach new sections
	if last.IndexRotation != "monthly" || last.TimestampTZ != time.UTC {
		t.Errorf("defaults: rotation %q tz %v", last.IndexRotation, last.TimestampTZ)
	}
}

func TestProblemsAreLocated(t *testing.T) {
	_, err := Load("testdata/user-bad.ini")
	var probs Problems
	if !errors.As(err, &probs) {
		t.Fatalf("want Problems, got %v", err)
	}
	all := err.Error()
	for _, want := range []string{
		"testdata/user-bad.ini: [alb] log_pattern: the look-behind",
		"testdata/user-bad.ini: [mytype] file_format: unknown file format \"yaml\"",
		"[mytype] index_rotation: unknown rotation \"hourly\"",
		"[mytype] timestamp_tz: not a UTC offset: \"JST\"",
		"[mytype] ecs: field \"source.ip\" is listed but has no",
		"[mytype] static_ecs: field \"event.kind\" is listed but has no",
		"[mytype] via_cwl: not a boolean: \"maybe\"",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing problem %q in:\n%s", want, all)
		}
	}
}

func TestInterpolationErrors(t *testing.T) {
	f, err := ParseBytes([]byte("[x]\ns3_key = x/\na = ${nope}\nb = ${ghost:key}\nc = $x\nd = ${d}\n"))
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"a": `no key "nope" in [x]`,
		"b": "names section [ghost], which does not exist",
		"c": "'$' must be followed by '$' or '{'",
		"d": "deeper than 10 levels",
	} {
		_, _, err := f.Get("x", key)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", key, err, want)
		}
	}
}

func TestParseTZ(t *testing.T) {
	for in, want := range map[string]int{"+00:00": 0, "+09:00": 9 * 3600, "-04:00": -4 * 3600, "-03:30": -(3*3600 + 1800), "5.5": 5*3600 + 1800, "0": 0} {
		loc, err := ParseTZ(in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		_, off := time.Date(2024, 1, 1, 0, 0, 0, 0, loc).Zone()
		if off != want {
			t.Errorf("%s: offset %d, want %d", in, off, want)
		}
	}
	for _, bad := range []string{"JST", "", "+25:00", "+09:75"} {
		if _, err := ParseTZ(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestCompilePython(t *testing.T) {
	p, err := CompilePython(`(?P<a>\d+)-(?P<b>\w+)\Z`)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Match("12-ab") || p.Match("x12-ab") || !p.Search("x12-ab") {
		t.Error("match is anchored at the start, search is not")
	}
	for _, bad := range []string{`(?=x)`, `(?!x)`, `(?<!x)`, `(a)\1`, `(?P<n>a)(?P=n)`, `(?>a)`} {
		if _, err := CompilePython(bad); err == nil || !strings.Contains(err.Error(), "RE2") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

func TestPythonUnicodeClasses(t *testing.T) {
	p, err := CompilePython(`(?P<n>\d+)\s(?P<w>\w+)[\s,]+(?P<rest>\S+)`)
	if err != nil {
		t.Fatal(err)
	}
	// U+0663 is an Arabic-Indic digit, U+3000 an ideographic space, é a
	// word character: Python's re matches them all.
	idx := p.MatchSubmatchIndex("٣3\u3000é_x\x1c,tail")
	if idx == nil {
		t.Fatal("Unicode \\d \\s \\w must match like Python's")
	}
	if p.Match("12 ab\x7fcd") {
		t.Error("\\x7f is neither space nor word")
	}
}
