// Package normalize turns log objects and records into ECS documents the
// way es-loader does, driven by conf.Config: classification, decoding of
// the file formats, timestamps, the ECS mapping language, the per-type
// transforms of package logtypes, the clean-up of empty values, `_id`s and
// index names. It streams: an object is read once, record by record, in
// memory bounded by the largest single record.
package normalize

import (
	"io"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/siemloader/siemloader/conf"
	"github.com/siemloader/siemloader/normalize/enrich"
	"github.com/siemloader/siemloader/normalize/exclude"
	"github.com/siemloader/siemloader/normalize/logtypes"
)

// Source says where a record or object came from; it is what classifies it.
type Source struct {
	// S3 object.
	Bucket string
	Key    string
	// CloudWatch Logs group and stream (records that did not come via S3).
	LogGroup  string
	LogStream string
	// Fluent Bit tag.
	Tag string
	// LogType, when set, skips classification.
	LogType string
	// Account and Region stand in for what an S3 key would tell, for
	// records that come from a host or a container (Fluent Bit on EC2,
	// the collector): cloud.account.id and cloud.region.
	Account string
	Region  string
	// InstanceID is the EC2 instance host logs come from
	// (cloud.instance.id).
	InstanceID string
}

// Document is one document to index.
type Document struct {
	LogType string
	Index   string
	ID      string
	// Source is the document as JSON. It is only valid until the Emit
	// call returns (the engine reuses the buffer): copy it to keep it.
	Source []byte
}

// Options tune a Normalizer.
type Options struct {
	// Now returns "now" (event.ingested, the year of syslog timestamps).
	// Nil means time.Now.
	Now func() time.Time
	// MaxRecordBytes bounds one record (a line, a JSON value). Larger ones
	// are skipped and counted. Zero means 16 MiB.
	MaxRecordBytes int
	// GeoIP enriches the fields of each type's `geoip` list; nil skips it.
	GeoIP *enrich.GeoIP
	// IoC matches each type's `ioc_ip` / `ioc_domain` fields against
	// threat-intel indicators; nil skips it.
	IoC *enrich.IoC
	// UserAgent parses each type's user_agent_enrichment_field; nil
	// skips it.
	UserAgent *enrich.UserAgentParser
	// TrustedProxies lets `clientip_xff` pick the client address out of
	// X-Forwarded-For; nil skips it.
	TrustedProxies *enrich.TrustedProxies
	// Exclusions are exclude_log_patterns.csv and the COUNT / EXCLUDE
	// conditions; nil excludes nothing.
	Exclusions *exclude.Filter
}

// Normalizer is safe for concurrent use: per-object state lives in the
// call, not here.
type Normalizer struct {
	cfg     *conf.Config
	now     func() time.Time
	maxRec  int
	ignored map[string][]ownLogPattern
	geo     *enrich.GeoIP
	ioc     *enrich.IoC
	ua      *enrich.UserAgentParser
	xff     *enrich.TrustedProxies
	filter  *exclude.Filter
	// fast line parsers in use, for sections whose log_pattern is the
	// built-in one
	parsers  map[string]logtypes.LineParser
	rescues  map[string]logtypes.LineRescue
	variants map[string]logtypes.LineVariant
	fields   map[string]logtypes.FieldsParser
	// compiled flat plans (flatplan.go); noFlat turns the flat path off,
	// for the tests that compare it with the general one
	flat   flatPlanCache
	noFlat bool
	// noInPlace makes JSON objects decode every value from a copy and
	// render @message from the decoded record, as they did before values
	// were decoded in place and @message transcoded from their text; for
	// the tests that compare the two
	noInPlace bool
}

// New returns a Normalizer for cfg.
func New(cfg *conf.Config, opts Options) *Normalizer {
	n := &Normalizer{cfg: cfg, now: opts.Now, maxRec: opts.MaxRecordBytes, geo: opts.GeoIP,
		ioc: opts.IoC, ua: opts.UserAgent, xff: opts.TrustedProxies, filter: opts.Exclusions}
	if n.now == nil {
		n.now = time.Now
	}
	if n.maxRec <= 0 {
		n.maxRec = 16 << 20
	}
	if cfg.Defaults.IgnoreOwnLogs {
		n.ignored = ownLogPatterns(cfg.Defaults.CustomUserAgent)
	}
	n.parsers = map[string]logtypes.LineParser{}
	n.rescues = map[string]logtypes.LineRescue{}
	n.variants = map[string]logtypes.LineVariant{}
	n.fields = map[string]logtypes.FieldsParser{}
	if defaults, err := builtinConfig(); err == nil {
		for _, lt := range cfg.Types {
			def := defaults.Type(lt.Name)
			if def == nil || lt.LogPattern == nil || def.LogPattern == nil || lt.LogPattern.Source != def.LogPattern.Source {
				continue
			}
			if p, ok := logtypes.LookupLineParser(lt.Name); ok {
				n.parsers[lt.Name] = p
			}
			if r, ok := logtypes.LookupLineRescue(lt.Name); ok {
				n.rescues[lt.Name] = r
			}
			if v, ok := logtypes.LookupLineVariant(lt.Name); ok {
				n.variants[lt.Name] = v
			}
			if f, ok := logtypes.LookupFieldsParser(lt.Name); ok {
				n.fields[lt.Name] = f
			}
		}
	}
	return n
}

var (
	builtinOnce sync.Once
	builtin     *conf.Config
	builtinErr  error
)

// builtinConfig is the embedded aws.ini alone, typed once per process: it
// tells which sections still have their built-in log_pattern.
func builtinConfig() (*conf.Config, error) {
	builtinOnce.Do(func() { builtin, builtinErr = conf.Load() })
	return builtin, builtinErr
}

// Config returns the configuration in use.
func (n *Normalizer) Config() *conf.Config { return n.cfg }

// Classify returns the log type of src, or nil when no section claims it.
// Order: explicit type, S3 key (first section in file order whose s3_key
// regex matches), Fluent Bit tag, CloudWatch Logs group.
func (n *Normalizer) Classify(src Source) *conf.LogType {
	if src.LogType != "" {
		return n.cfg.Type(src.LogType)
	}
	if src.Key != "" {
		for _, lt := range n.cfg.Types {
			if lt.S3Key != nil && lt.S3Key.Search(src.Key) {
				return lt
			}
		}
		return nil
	}
	if src.Tag != "" {
		for _, lt := range n.cfg.Types {
			if lt.Tag != nil && lt.Tag.Search(src.Tag) {
				return lt
			}
		}
	}
	if src.LogGroup != "" {
		for _, lt := range n.cfg.Types {
			if lt.LogGroup != "" && lt.LogGroup != "dummy" && strings.Contains(src.LogGroup, lt.LogGroup) {
				return lt
			}
		}
	}
	return nil
}

// DecodeS3EventKey decodes a key as S3 event notifications spell it
// (Python's unquote_plus, which es-loader applies).
func DecodeS3EventKey(k string) string {
	if d, err := url.QueryUnescape(k); err == nil {
		return d
	}
	return k
}

var (
	reAccount = regexp.MustCompile(`\W([0-9]{12})/`)
	reRegion  = regexp.MustCompile(`(global|(us|ap|ca|eu|il|me|mx|sa|af|cn)-(gov-)?[a-zA-Z]+-[0-9])`)
)

func accountFromKey(key string) string {
	if m := reAccount.FindStringSubmatch(key); m != nil {
		return m[1]
	}
	return ""
}

func regionFromKey(key string) string {
	if m := reRegion.FindStringSubmatch(key); m != nil {
		return m[1]
	}
	return ""
}

// Result is what happened to one object.
type Result struct {
	LogType string
	// Skipped is set when the object as a whole was not processed
	// (unknown type, s3_key_ignored, too small...).
	Skipped string
	// Fatal is set when reading stopped early (corrupt compression...);
	// what was read before still counts.
	Fatal     string
	Records   int
	Documents int
	Excluded  map[string]int
	Errors    map[string]int
	// Warnings count records that were loaded but not as intended (a
	// transform that gave up, a missing doc_id...).
	Warnings map[string]int
	// Samples keeps the first few error messages for the user.
	Samples []string
}

func (r *Result) fail(reason, sample string) {
	if r.Errors == nil {
		r.Errors = map[string]int{}
	}
	r.Errors[reason]++
	if len(r.Samples) < 5 && sample != "" {
		// a copy: the record's memory is reused (Stream) or the caller's
		r.Samples = append(r.Samples, strings.Clone(sample))
	}
}

func (r *Result) exclude(reason string) {
	if r.Excluded == nil {
		r.Excluded = map[string]int{}
	}
	r.Excluded[reason]++
}

// ErrorCount is the number of records that failed.
func (r *Result) ErrorCount() int {
	n := 0
	for _, c := range r.Errors {
		n += c
	}
	return n
}

// ExcludedCount is the number of records excluded on purpose.
func (r *Result) ExcludedCount() int {
	n := 0
	for _, c := range r.Excluded {
		n += c
	}
	return n
}

// Emit receives each document; an error stops processing of the object.
type Emit func(Document) error

// ProcessObject classifies src, reads body (compressed or not) and emits
// its documents. The error is only for emit failures; everything about the
// input is in the Result.
func (n *Normalizer) ProcessObject(src Source, body io.Reader, emit Emit) (*Result, error) {
	res, lt := n.objectType(src)
	if lt == nil {
		return res, nil
	}
	p := n.newObjectRun(src, lt, res, emit)
	err := p.run(body)
	return res, err
}

// objectType classifies the object src names; a nil section comes with
// the Result saying why the object is skipped.
func (n *Normalizer) objectType(src Source) (*Result, *conf.LogType) {
	res := &Result{}
	if strings.HasSuffix(src.Key, "/") {
		res.Skipped = "the S3 key is a folder"
		return res, nil
	}
	lt := n.Classify(src)
	if lt == nil {
		res.LogType = "unknown"
		res.Skipped = "unknown log type"
		return res, nil
	}
	res.LogType = lt.Name
	switch {
	case lt.S3KeyIgnored != nil && src.Key != "" && lt.S3KeyIgnored.Search(src.Key):
		res.Skipped = "s3_key_ignored matched the key"
	case lt.FileFormat == "":
		res.Skipped = "no file_format configured for " + lt.Name
	case lt.IndexName == "":
		res.Skipped = "no index_name configured for " + lt.Name
	default:
		return res, lt
	}
	return res, nil
}
