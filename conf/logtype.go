package conf

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/siemloader/siemloader/normalize/pytime"
)

// listKeys are the keys es-loader's create_logconfig reads as lists. For an
// ECS mapping key this decides whether the field becomes a sorted list of
// every value found or the first value found; for a static_ecs key, whether
// the constant is written as a one-element list.
var listKeys = map[string]bool{}

func init() {
	for _, k := range strings.Fields(`base.tags clientip_xff container.image.tag
		dns.answers dns.header_flags dns.resolved_ip dns.type ecs static_ecs
		event.category event.type file.attributes host.ip host.mac ioc_domain ioc_ip
		observer.ip observer.mac process.args registry.data.strings related.hash
		related.hosts related.ip related.user renamed_newfields rule.author
		threat.tactic.id threat.tactic.name threat.tactic.reference threat.technique.id
		threat.technique.name threat.technique.reference threat.technique.subtechnique.id
		threat.technique.subtechnique.name threat.technique.subtechnique.reference
		tls.client.certificate_chain tls.client.supported_ciphers
		tls.server.certificate_chain user.roles vulnerability.category
		x509.alternative_names x509.issuer.country x509.issuer.locality
		x509.issuer.organization x509.issuer.organizational_unit
		x509.issuer.state_or_province x509.subject.common_name x509.subject.country
		x509.subject.locality x509.subject.organization
		x509.subject.organizational_unit x509.subject.state_or_province`) {
		listKeys[k] = true
	}
}

// IsListKey reports whether es-loader treats key as a list.
func IsListKey(key string) bool { return listKeys[key] }

// splitList is es-loader's list reading: "[a, b c]" → ["a", "b c"] (the
// brackets and '|' are stripped from both ends), anything else is split on
// whitespace.
func splitList(v string) []string {
	if strings.HasPrefix(v, "[") {
		inner := strings.Trim(v, "[|]")
		parts := strings.Split(inner, ",")
		out := make([]string, len(parts))
		for i, p := range parts {
			out[i] = strings.TrimSpace(p)
		}
		return out
	}
	return strings.Fields(v)
}

// Mapping is one ECS field of a type's `ecs` list.
type Mapping struct {
	Field string
	// Path is the dotted field as a list of keys, ready for nested writes.
	Path []string
	// List: collect every value of every element, de-duplicated and sorted.
	List bool
	// Alternatives (scalar mapping): raw dotted keys, first non-empty wins.
	Alternatives [][]string
	// Elements (list mapping): each element is itself a set of
	// alternatives, whose first non-empty value is taken.
	Elements [][][]string
	// ValidateIP: es-loader drops values that are not IP addresses when
	// the ECS key contains ".ip".
	ValidateIP bool
}

// Static is a constant from static_ecs.
type Static struct {
	Field string
	Path  []string
	Value any // string, or []any of one string for list keys
}

// Rename is one renamed_newfields entry.
type Rename struct{ New, Old string }

// LogType is the typed configuration of one section, what es-loader's
// create_logconfig builds, validated once at start-up.
type LogType struct {
	Name string

	S3Key        *Pattern
	S3KeyIgnored *Pattern
	LogGroup     string
	Tag          *Pattern // siemloader extension: Fluent Bit tag routing

	ViaCWL                bool
	ViaFirelens           bool
	IgnoreContainerStderr bool

	FileFormat          string
	JSONDelimiter       string
	TextHeaderLines     int
	CSVDelimiter        string
	LogPattern          *Pattern
	MultilineFirstline  *Pattern
	XMLFirstline        *Pattern
	FileTimestampFormat *Pattern
	MaxLogCount         int

	IndexName     string
	IndexSuffix   string
	IndexRotation string
	IndexTime     string
	IndexTZ       *time.Location // nil: keep the time's own offset

	DocID            string
	DocIDSuffix      string
	TimestampKeys    []string
	TimestampFormats []string
	TimestampTZ      *time.Location
	TimestampNano    bool

	ECSVersion    string
	CloudProvider string
	Renames       []Rename
	FieldPrefix   string
	ECS           []Mapping
	StaticECS     []Static
	ScriptECS     []string
	JSONToText    []string
	// Paths are the dotted keys above, split once.
	JSONToTextPaths [][]string
	TimestampPaths  [][]string
	DocIDSuffixPath []string
	ClientIPXFF     []string
	GeoIP           []string
	IoCIP           []string
	IoCDomain       []string
	UserAgentField  string
	hasScript       bool
	rawKeyValueFunc func(string) (string, bool)
}

// HasScript reports whether script_ecs is set, i.e. es-loader would run the
// type's sf_ module.
func (lt *LogType) HasScript() bool { return lt.hasScript }

// Value returns any key of the section, interpolated (for transforms that
// read their own settings).
func (lt *LogType) Value(key string) (string, bool) {
	if lt.rawKeyValueFunc == nil {
		return "", false
	}
	return lt.rawKeyValueFunc(key)
}

// Config is the whole typed configuration.
type Config struct {
	File     *File
	Types    []*LogType // classification order
	byName   map[string]*LogType
	Defaults Defaults
}

// Defaults are the loader-wide [DEFAULT] settings.
type Defaults struct {
	IgnoreOwnLogs              bool
	CustomUserAgent            string
	ExcludeLogPatternsFilename string
}

// Type returns the log type named name.
func (c *Config) Type(name string) *LogType { return c.byName[name] }

// Problems is every error found while typing the configuration.
type Problems []error

func (p Problems) Error() string {
	msgs := make([]string, len(p))
	for i, e := range p {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Load reads aws.ini plus user files and types every section. All problems
// are collected so that check-config can list them at once.
func Load(userFiles ...string) (*Config, error) {
	f, err := ParseFiles(userFiles...)
	if err != nil {
		return nil, err
	}
	return Build(f)
}

// Build types a parsed File.
func Build(f *File) (*Config, error) {
	c := &Config{File: f, byName: map[string]*LogType{}}
	var problems Problems
	b := &builder{f: f}
	c.Defaults.IgnoreOwnLogs = b.boolean("DEFAULT", "ignore_own_logs")
	c.Defaults.CustomUserAgent = b.str("DEFAULT", "custom_user_agent")
	c.Defaults.ExcludeLogPatternsFilename = b.str("DEFAULT", "exclude_log_patterns_filename")
	for _, name := range f.SectionNames() {
		lt := b.logType(name)
		c.Types = append(c.Types, lt)
		c.byName[name] = lt
	}
	problems = append(problems, b.problems...)
	if len(problems) > 0 {
		return c, problems
	}
	return c, nil
}

type builder struct {
	f        *File
	problems Problems
}

func (b *builder) fail(section, key, format string, args ...any) {
	b.problems = append(b.problems, &ValueError{File: b.f.Origin(section, key), Section: section, Key: key, Reason: fmt.Sprintf(format, args...)})
}

func (b *builder) str(section, key string) string {
	v, _, err := b.f.Get(section, key)
	if err != nil {
		b.problems = append(b.problems, err)
	}
	return v
}

// boolean follows configparser.getboolean.
func (b *builder) boolean(section, key string) bool {
	v := b.str(section, key)
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "yes", "true", "on":
		return true
	case "0", "no", "false", "off", "":
		if strings.TrimSpace(v) == "" {
			b.fail(section, key, "empty value; expected True or False")
		}
		return false
	}
	b.fail(section, key, "not a boolean: %q (use True or False)", v)
	return false
}

func (b *builder) integer(section, key string) int {
	v := strings.TrimSpace(b.str(section, key))
	n, err := strconv.Atoi(v)
	if err != nil {
		b.fail(section, key, "not an integer: %q", v)
	}
	return n
}

func (b *builder) pattern(section, key string) *Pattern {
	v := b.str(section, key)
	if v == "" {
		return nil
	}
	p, err := CompilePython(v)
	if err != nil {
		b.fail(section, key, "%v", err)
		return nil
	}
	return p
}

// ParseTZ reads es-loader's "+09:00" style offsets (also "9", "-4.5").
// es-loader adds the minutes with a plus sign even for negative hours
// ("-03:30" became -2.5 h); siemloader applies the sign to both parts.
func ParseTZ(v string) (*time.Location, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, errors.New("empty time zone offset")
	}
	var hours float64
	if h, m, ok := strings.Cut(v, ":"); ok {
		hi, err1 := strconv.Atoi(strings.TrimPrefix(h, "+"))
		mi, err2 := strconv.Atoi(m)
		if err1 != nil || err2 != nil || mi < 0 || mi >= 60 {
			return nil, fmt.Errorf("not a UTC offset: %q (use +09:00 or -04:00)", v)
		}
		hours = math.Abs(float64(hi)) + float64(mi)/60
		if strings.HasPrefix(h, "-") {
			hours = -hours
		}
	} else {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, fmt.Errorf("not a UTC offset: %q (use +09:00 or -04:00)", v)
		}
		hours = f
	}
	if hours <= -24 || hours >= 24 {
		return nil, fmt.Errorf("UTC offset out of range: %q", v)
	}
	secs := int(math.Round(hours * 3600))
	if secs == 0 {
		return time.UTC, nil
	}
	return time.FixedZone("", secs), nil
}

func dotted(k string) []string { return strings.Split(k, ".") }

func splitAlternatives(s string) [][]string {
	fields := strings.Fields(s)
	out := make([][]string, len(fields))
	for i, f := range fields {
		out[i] = dotted(f)
	}
	return out
}

func (b *builder) logType(name string) *LogType {
	s := func(k string) string { return b.str(name, k) }
	lt := &LogType{Name: name}
	lt.rawKeyValueFunc = func(k string) (string, bool) {
		v, ok, err := b.f.Get(name, k)
		return v, ok && err == nil
	}
	lt.S3Key = b.pattern(name, "s3_key")
	if lt.S3Key == nil && s("s3_key") == "" {
		b.fail(name, "s3_key", "empty: every section needs an s3_key regex")
	}
	lt.S3KeyIgnored = b.pattern(name, "s3_key_ignored")
	lt.LogGroup = s("loggroup")
	if _, ok, _ := b.f.Get(name, "tag"); ok {
		lt.Tag = b.pattern(name, "tag")
	}
	lt.ViaCWL = b.boolean(name, "via_cwl")
	lt.ViaFirelens = b.boolean(name, "via_firelens")
	lt.IgnoreContainerStderr = b.boolean(name, "ignore_container_stderr")
	lt.FileFormat = strings.TrimSpace(s("file_format"))
	switch lt.FileFormat {
	case "", "json", "text", "csv", "multiline", "xml", "winevtxml", "parquet", "cef":
	default:
		b.fail(name, "file_format", "unknown file format %q (json, text, csv, multiline, xml, winevtxml, parquet or cef)", lt.FileFormat)
	}
	lt.JSONDelimiter = strings.TrimSpace(s("json_delimiter"))
	lt.TextHeaderLines = b.integer(name, "text_header_line_number")
	lt.CSVDelimiter = s("csv_delimiter")
	if _, ok, _ := b.f.Get(name, "log_pattern"); ok {
		lt.LogPattern = b.pattern(name, "log_pattern")
	}
	lt.MultilineFirstline = b.pattern(name, "multiline_firstline")
	lt.XMLFirstline = b.pattern(name, "xml_firstline")
	if lt.FileFormat == "xml" {
		lt.MultilineFirstline = lt.XMLFirstline
	}
	lt.FileTimestampFormat = b.pattern(name, "file_timestamp_format")
	lt.MaxLogCount = b.integer(name, "max_log_count")
	if (lt.FileFormat == "text" || lt.FileFormat == "multiline") && lt.LogPattern == nil {
		if _, ok, _ := b.f.Get(name, "log_pattern"); !ok {
			b.fail(name, "log_pattern", "file_format = %s needs a log_pattern", lt.FileFormat)
		}
	}

	lt.IndexName = strings.TrimSpace(s("index_name"))
	lt.IndexSuffix = strings.TrimSpace(s("index_suffix"))
	lt.IndexRotation = strings.TrimSpace(s("index_rotation"))
	switch lt.IndexRotation {
	case "daily", "weekly", "monthly", "yearly", "auto", "aoss":
	default:
		b.fail(name, "index_rotation", "unknown rotation %q (daily, weekly, monthly, yearly or auto)", lt.IndexRotation)
	}
	lt.IndexTime = strings.TrimSpace(s("index_time"))
	if tz := strings.TrimSpace(s("index_tz")); tz != "" {
		loc, err := ParseTZ(tz)
		if err != nil {
			b.fail(name, "index_tz", "%v", err)
		}
		lt.IndexTZ = loc
	}

	lt.DocID = strings.TrimSpace(s("doc_id"))
	lt.DocIDSuffix = strings.TrimSpace(s("doc_id_suffix"))
	if kl := strings.Fields(s("timestamp_key_list")); len(kl) > 0 {
		lt.TimestampKeys = kl
	} else if k := strings.TrimSpace(s("timestamp_key")); k != "" {
		lt.TimestampKeys = []string{k}
	}
	if fl := strings.TrimSpace(s("timestamp_format_list")); fl != "" {
		var formats []string
		if err := json.Unmarshal([]byte(fl), &formats); err != nil {
			b.fail(name, "timestamp_format_list", "not a list of strings like [\"iso8601\", \"%%Y-%%m-%%d\"]: %v", err)
		}
		lt.TimestampFormats = formats
	} else {
		lt.TimestampFormats = []string{s("timestamp_format")}
	}
	if len(lt.TimestampKeys) > 0 {
		for _, f := range lt.TimestampFormats {
			if _, err := pytime.CompileFormat(f); err != nil {
				key := "timestamp_format"
				if strings.TrimSpace(s("timestamp_format_list")) != "" {
					key = "timestamp_format_list"
				}
				b.fail(name, key, "%q: %v", f, err)
			}
		}
	}
	tz, err := ParseTZ(s("timestamp_tz"))
	if err != nil {
		b.fail(name, "timestamp_tz", "%v", err)
		tz = time.UTC
	}
	lt.TimestampTZ = tz
	lt.TimestampNano = b.boolean(name, "timestamp_nano")

	lt.ECSVersion = s("ecs_version")
	lt.CloudProvider = s("cloud_provider")
	lt.FieldPrefix = strings.TrimSpace(s("field_prefix"))
	for _, nf := range splitList(s("renamed_newfields")) {
		old, ok, err := b.f.Get(name, nf)
		if err != nil {
			b.problems = append(b.problems, err)
			continue
		}
		if !ok {
			b.fail(name, "renamed_newfields", "%q is listed but has no `%s = old_field` line", nf, nf)
			continue
		}
		lt.Renames = append(lt.Renames, Rename{New: nf, Old: old})
	}
	for _, field := range splitList(s("ecs")) {
		v, ok, err := b.f.Get(name, field)
		if err != nil {
			b.problems = append(b.problems, err)
			continue
		}
		if !ok {
			b.fail(name, "ecs", "field %q is listed but has no `%s = ...` mapping line", field, field)
			continue
		}
		m := Mapping{Field: field, Path: dotted(field), ValidateIP: strings.Contains(field, ".ip")}
		if IsListKey(field) {
			m.List = true
			for _, el := range splitList(v) {
				m.Elements = append(m.Elements, splitAlternatives(el))
			}
		} else {
			m.Alternatives = splitAlternatives(v)
		}
		lt.ECS = append(lt.ECS, m)
	}
	for _, field := range splitList(s("static_ecs")) {
		v, ok, err := b.f.Get(name, field)
		if err != nil {
			b.problems = append(b.problems, err)
			continue
		}
		if !ok {
			b.fail(name, "static_ecs", "field %q is listed but has no `%s = value` line", field, field)
			continue
		}
		st := Static{Field: field, Path: dotted(field), Value: v}
		if IsListKey(field) {
			items := splitList(v)
			list := make([]any, len(items))
			for i, it := range items {
				list[i] = it
			}
			st.Value = list
		}
		lt.StaticECS = append(lt.StaticECS, st)
	}
	lt.ScriptECS = strings.Fields(s("script_ecs"))
	lt.hasScript = strings.TrimSpace(s("script_ecs")) != ""
	lt.JSONToText = strings.Fields(s("json_to_text"))
	for _, k := range lt.JSONToText {
		lt.JSONToTextPaths = append(lt.JSONToTextPaths, dotted(k))
	}
	for _, k := range lt.TimestampKeys {
		lt.TimestampPaths = append(lt.TimestampPaths, dotted(k))
	}
	if lt.DocIDSuffix != "" {
		lt.DocIDSuffixPath = dotted(lt.DocIDSuffix)
	}
	lt.ClientIPXFF = splitList(s("clientip_xff"))
	lt.GeoIP = strings.Fields(s("geoip"))
	lt.IoCIP = splitList(s("ioc_ip"))
	lt.IoCDomain = splitList(s("ioc_domain"))
	lt.UserAgentField = strings.TrimSpace(s("user_agent_enrichment_field"))
	return lt
}

// UseServerlessIndexNames names every log type's index the way es-loader
// does when it loads into OpenSearch Serverless: collections have no
// rollover nor date-suffixed indices, so each type gets one index,
// <index_name>-<index_suffix> or <index_name>-001.
func (c *Config) UseServerlessIndexNames() {
	for _, lt := range c.Types {
		lt.IndexRotation = "aoss"
	}
}

// AutoRotatedAliases are the index names of the log types whose index is
// rolled over by ISM (index_rotation = auto): documents go to the alias,
// which needs a first write index.
func (c *Config) AutoRotatedAliases() []string {
	seen := map[string]bool{}
	var out []string
	for _, lt := range c.Types {
		if strings.Contains(lt.IndexRotation, "auto") && lt.IndexName != "" && !seen[lt.IndexName] {
			seen[lt.IndexName] = true
			out = append(out, lt.IndexName)
		}
	}
	return out
}
