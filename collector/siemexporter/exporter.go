package siemexporter

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"

	"github.com/siemloader/siemloader/conf"
	"github.com/siemloader/siemloader/normalize"
	"github.com/siemloader/siemloader/normalize/enrich"
	"github.com/siemloader/siemloader/normalize/exclude"
	"github.com/siemloader/siemloader/ship"
)

// siemExporter normalizes each log record like es-loader and ships the
// documents through the indexer; exporterhelper around it brings the
// timeout, retry_on_failure and sending_queue.
type siemExporter struct {
	cfg      *Config
	logger   *zap.Logger
	tel      *telemetry
	norm     *normalize.Normalizer
	defaults normalize.Source // cloud: of host logs
	geo      *enrich.GeoIP
	ix       *ship.Indexer
	// send delivers a push's documents; the indexer's Send, or a bulk
	// writer in the benchmark.
	send func(context.Context, []ship.Doc) []ship.Outcome
}

func newExporter(cfg *Config, set exporter.Settings) (*siemExporter, error) {
	tel, err := newTelemetry(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return &siemExporter{cfg: cfg, logger: set.Logger, tel: tel,
		defaults: normalize.Source{Account: cfg.Cloud.AccountID, Region: cfg.Cloud.Region, InstanceID: cfg.Cloud.InstanceID}}, nil
}

// start loads the configuration and enrichment files, connects the
// indexer and bootstraps the cluster.
func (e *siemExporter) start(ctx context.Context, _ component.Host) error {
	cfg := e.cfg
	c, err := conf.Load(cfg.Config...)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if cfg.LogType != "" && c.Type(cfg.LogType) == nil {
		return fmt.Errorf("log_type: %q is not a section of aws.ini or the config files", cfg.LogType)
	}
	if cfg.AWS.Service == "aoss" {
		c.UseServerlessIndexNames()
	}
	opts, err := e.enrichment(c)
	if err != nil {
		return err
	}
	e.norm = normalize.New(c, opts)

	sc := cfg.shipConfig()
	sc.OnBulk = e.tel.bulk
	if strings.HasPrefix(cfg.DeadLetter, "s3://") {
		bucket, prefix, _ := ship.ParseS3URL(cfg.DeadLetter)
		client, err := ship.NewS3Client(ctx, cfg.AWS.Profile, cmp.Or(cfg.AWS.Region, cfg.Cloud.Region), "")
		if err != nil {
			return fmt.Errorf("dead_letter: %w", err)
		}
		if sc.DeadLetter, err = ship.NewS3DeadLetter(ctx, client, bucket, prefix, 0); err != nil {
			return fmt.Errorf("dead_letter: %w", err)
		}
	}
	if sc.InsecureSkipVerify {
		e.logger.Warn("tls.insecure_skip_verify is on: the cluster's certificate is not checked; anyone on the path can read and alter the logs")
	}
	if e.ix, err = ship.New(sc); err != nil {
		return fmt.Errorf("opensearch settings: %w", err)
	}
	e.send = e.ix.Send
	if cfg.Bootstrap {
		rep, err := e.ix.Prepare(ctx, c.AutoRotatedAliases())
		for _, w := range rep.Warnings {
			e.logger.Warn("bootstrap: " + w)
		}
		if len(rep.Installed) > 0 {
			e.logger.Info("bootstrap installed", zap.Strings("installed", rep.Installed))
		}
		if err != nil {
			return fmt.Errorf("%w (bootstrap: false skips it)", err)
		}
	}
	return nil
}

func (e *siemExporter) enrichment(c *conf.Config) (normalize.Options, error) {
	en := e.cfg.Enrichment
	var opts normalize.Options
	if en.GeoIPCity != "" || en.GeoIPASN != "" {
		g, warnings, err := enrich.NewGeoIP(enrich.GeoIPConfig{CityPath: en.GeoIPCity, ASNPath: en.GeoIPASN, ReloadEvery: time.Minute})
		for _, w := range warnings {
			e.logger.Warn("enrichment: " + w)
		}
		if err != nil {
			return opts, fmt.Errorf("enrichment.geoip_city/geoip_asn: %w", err)
		}
		e.geo, opts.GeoIP = g, g
	}
	if en.IoCDir != "" {
		ioc, problems, err := enrich.LoadIoC(en.IoCDir)
		if err != nil {
			return opts, fmt.Errorf("enrichment.ioc_dir: %w", err)
		}
		for _, p := range problems {
			e.logger.Warn("enrichment.ioc_dir", zap.Error(p))
		}
		opts.IoC = ioc
	}
	if en.UserAgent {
		opts.UserAgent = enrich.NewUserAgentParser(10000)
	}
	if len(en.TrustedProxies) > 0 {
		t, err := enrich.ParseTrustedProxies(en.TrustedProxies)
		if err != nil {
			return opts, fmt.Errorf("enrichment.trusted_proxies: %w", err)
		}
		opts.TrustedProxies = t
	}
	var patterns []*exclude.Pattern
	var conditions []*exclude.Condition
	if en.Exclusions != "" {
		p, problems, err := exclude.LoadPatterns(en.Exclusions)
		if err != nil {
			return opts, fmt.Errorf("enrichment.exclusions: %w", err)
		}
		for _, p := range problems {
			e.logger.Warn("enrichment.exclusions", zap.Error(p))
		}
		patterns = p
	}
	if en.ExclusionConditions != "" {
		cs, problems, err := exclude.LoadConditions(en.ExclusionConditions)
		if err != nil {
			return opts, fmt.Errorf("enrichment.exclusion_conditions: %w", err)
		}
		for _, p := range problems {
			e.logger.Warn("enrichment.exclusion_conditions", zap.Error(p))
		}
		conditions = cs
	}
	if len(patterns) > 0 || len(conditions) > 0 {
		f, problems := exclude.NewFilter(patterns, conditions, exclude.Options{})
		for _, p := range problems {
			e.logger.Warn("exclusions", zap.Error(p))
		}
		opts.Exclusions = f
	}
	return opts, nil
}

func (e *siemExporter) shutdown(ctx context.Context) error {
	var err error
	if e.ix != nil {
		err = e.ix.Close(ctx)
		e.ix = nil
	}
	if e.geo != nil {
		e.geo.Close()
		e.geo = nil
	}
	return err
}

// pushLogs normalizes ld and sends its documents. Records whose documents
// were all delivered or dead-lettered are done; those with a document
// still retryable come back as consumererror.NewLogs, holding only them;
// records that can never be indexed make a permanent error once the rest
// is settled.
func (e *siemExporter) pushLogs(ctx context.Context, ld plog.Logs) error {
	p := e.normalize(ld)
	outcomes := e.send(ctx, p.docs)
	p.release() // the indexer keeps no document past Send
	retryDocs := p.settle(outcomes)
	var retry plog.Logs
	if retryDocs > 0 {
		retry = p.retryable(ld, outcomes)
	}
	p.count(ctx)
	switch {
	case retryDocs > 0:
		return consumererror.NewLogs(fmt.Errorf("%d document(s) of %d record(s) not delivered yet (retryable)", retryDocs, retry.LogRecordCount()), retry)
	case p.failed > 0:
		return consumererror.NewPermanent(fmt.Errorf("%d record(s) can never be indexed: %s", p.failed, p.reasons()))
	}
	return nil
}

// push is the work of one pushLogs call.
type push struct {
	e       *siemExporter
	streams map[normalize.Source]*normalize.Stream // nil: no section claims the source
	// the last source's stream: consecutive records mostly share one
	lastSrc    normalize.Source
	lastStream *normalize.Stream
	lastOK     bool
	docs       []ship.Doc
	arena      ship.Arena
	scratch    []byte
	// ends[i] is the end in docs of the i-th log record's documents
	// (in ld's order); its start is ends[i-1].
	ends     []int
	received map[string]int64    // log records per log type
	parts    []*normalize.Result // what became of the object parts' records
	// records that can never be indexed, per log type and reason
	failed      int64
	failReasons map[failKey]int64
}

type failKey struct{ logType, reason string }

const reasonUnclassified = "no section claims the record's source (set siem.log_type or log_type)"

func (e *siemExporter) normalize(ld plog.Logs) *push {
	n := ld.LogRecordCount()
	p := &push{e: e, streams: map[normalize.Source]*normalize.Stream{}, ends: make([]int, 0, n),
		received: map[string]int64{}, failReasons: map[failKey]int64{}}
	p.docs = make([]ship.Doc, 0, n)
	for _, rl := range ld.ResourceLogs().All() {
		res := rl.Resource().Attributes()
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				p.record(res, lr)
				p.ends = append(p.ends, len(p.docs))
			}
		}
	}
	return p
}

func (p *push) record(res pcommon.Map, lr plog.LogRecord) {
	src := source(res, lr.Attributes(), p.e.defaults)
	if _, ok := lr.Attributes().Get(AttrObjectPart); ok {
		p.objectPart(src, lr.Body())
		return
	}
	s := p.stream(src)
	if s == nil {
		p.received["unknown"]++
		p.fail("unknown", reasonUnclassified, 1)
		return
	}
	lt := s.LogType().Name
	p.received[lt]++
	body := lr.Body()
	if id, ok := lr.Attributes().Get(AttrLogEventID); ok && body.Type() == pcommon.ValueTypeStr {
		ev := normalize.CloudWatchEvent{Message: body.Str(), ID: id.AsString(), Owner: src.Account}
		if ts := lr.Timestamp(); ts != 0 {
			ev.TimestampMs = int64(ts) / 1e6
		}
		_ = s.CloudWatchEvent(ev)
		return
	}
	switch body.Type() {
	case pcommon.ValueTypeStr:
		_ = s.Message(body.Str()) // emit never fails; a bad record is counted in the stream's result
	case pcommon.ValueTypeMap:
		p.mapRecord(s, body)
	case pcommon.ValueTypeBytes:
		_ = s.Message(string(body.Bytes().AsRaw()))
	case pcommon.ValueTypeEmpty:
		p.fail(lt, "empty log body", 1)
	default:
		_ = s.Message(body.AsString())
	}
}

// objectPart normalizes a part of an S3 object (the s3 receiver's
// records) as the object's records are normalized: its header lines give
// the context, the object's key the section.
func (p *push) objectPart(src normalize.Source, body pcommon.Value) {
	var data []byte
	switch body.Type() {
	case pcommon.ValueTypeBytes:
		data = body.Bytes().AsRaw()
	default:
		data = []byte(body.AsString())
	}
	r, _ := p.e.norm.ProcessPart(src, data, p.emit) // emit never fails
	lt := r.LogType
	p.received[lt]++
	switch {
	case r.Skipped != "":
		p.fail(lt, "object skipped: "+r.Skipped, 1)
	case r.Fatal != "":
		p.fail(lt, "object part unreadable: "+r.Fatal, 1)
	}
	p.parts = append(p.parts, r)
}

// mapRecord reads a map body as the Fluent Bit plugin reads a record
// (fluentforward gives Fluent Bit's records as maps): a FireLens record
// (one with container_id or ecs_task_arn) as es-loader's via_firelens, a
// record holding the raw line under message_key as that line, any other
// map as the JSON object it was.
func (p *push) mapRecord(s *normalize.Stream, body pcommon.Value) {
	m := body.Map()
	_, container := m.Get("container_id")
	_, task := m.Get("ecs_task_arn")
	if container || task {
		f := &normalize.FirelensFields{}
		if v, ok := m.Get("log"); ok {
			f.Log, f.HasLog = v.AsString(), true
		}
		for i, k := range normalize.FirelensKeys {
			if v, ok := m.Get(k); ok {
				f.Vals[i] = v.AsString()
				f.Has |= 1 << i
			}
		}
		_ = s.FirelensFields(f)
		return
	}
	if v, ok := m.Get(p.e.cfg.MessageKey); ok {
		switch v.Type() {
		case pcommon.ValueTypeStr:
			_ = s.Message(v.Str())
			return
		case pcommon.ValueTypeBytes: // some Fluent Bit inputs send the line as bin
			_ = s.Message(string(v.Bytes().AsRaw()))
			return
		}
	}
	p.scratch = appendValueJSON(p.scratch[:0], body)
	_ = s.Record(p.scratch)
}

func (p *push) fail(logType, reason string, n int64) {
	p.failed += n
	p.failReasons[failKey{logType, reason}] += n
}

// stream is the normalizer stream of src: classified by its attributes,
// else the configured log_type; nil when no section claims it.
func (p *push) stream(src normalize.Source) *normalize.Stream {
	if p.lastOK && src == p.lastSrc {
		return p.lastStream
	}
	s, ok := p.streams[src]
	if !ok {
		s = p.e.norm.NewStream(src, p.emit)
		if s == nil && p.e.cfg.LogType != "" && src.LogType == "" {
			fallback := src
			fallback.LogType = p.e.cfg.LogType
			s = p.e.norm.NewStream(fallback, p.emit)
		}
		p.streams[src] = s
	}
	p.lastSrc, p.lastStream, p.lastOK = src, s, true
	return s
}

// emit keeps a document: the normalizer reuses its buffer, so the body is
// copied into the push's arena.
func (p *push) emit(d normalize.Document) error {
	p.docs = append(p.docs, ship.Doc{LogType: d.LogType, Index: d.Index, ID: d.ID, Body: p.arena.Copy(d.Source)})
	return nil
}

// release hands the arena back once the documents are sent; the docs'
// bodies are invalid after it.
func (p *push) release() {
	p.arena.Release()
	for i := range p.docs {
		p.docs[i].Body = nil
	}
}

// settle counts the documents' outcomes and what the streams dropped; it
// returns the number of documents still retryable.
func (p *push) settle(out []ship.Outcome) (retry int) {
	// counted per log type first: one measurement per type, not per document
	type counts struct{ delivered, deadLettered, retryable int64 }
	byType := map[string]*counts{}
	var last string
	var c *counts
	for i, o := range out {
		if lt := p.docs[i].LogType; c == nil || lt != last {
			if c = byType[lt]; c == nil {
				c = &counts{}
				byType[lt] = c
			}
			last = lt
		}
		switch o {
		case ship.Delivered:
			c.delivered++
		case ship.DeadLettered:
			c.deadLettered++
		case ship.Failed:
			c.retryable++
			retry++
		}
	}
	ctx := context.Background()
	t := p.e.tel
	for lt, c := range byType {
		attr := typeAttr(lt)
		if c.delivered > 0 {
			t.delivered.Add(ctx, c.delivered, attr)
		}
		if c.deadLettered > 0 {
			t.deadLettered.Add(ctx, c.deadLettered, attr)
		}
		if c.retryable > 0 {
			t.retryable.Add(ctx, c.retryable, attr)
		}
	}
	return retry
}

// retryable copies the log records that have a retryable document into
// new Logs, with their resources and scopes.
func (p *push) retryable(ld plog.Logs, out []ship.Outcome) plog.Logs {
	retry := plog.NewLogs()
	i, start := 0, 0
	for _, rl := range ld.ResourceLogs().All() {
		var nrl plog.ResourceLogs
		haveRL := false
		for _, sl := range rl.ScopeLogs().All() {
			var nsl plog.ScopeLogs
			haveSL := false
			for _, lr := range sl.LogRecords().All() {
				end := p.ends[i]
				again := slices.Contains(out[start:end], ship.Failed)
				i, start = i+1, end
				if !again {
					continue
				}
				if !haveRL {
					nrl = retry.ResourceLogs().AppendEmpty()
					rl.Resource().CopyTo(nrl.Resource())
					nrl.SetSchemaUrl(rl.SchemaUrl())
					haveRL = true
				}
				if !haveSL {
					nsl = nrl.ScopeLogs().AppendEmpty()
					sl.Scope().CopyTo(nsl.Scope())
					nsl.SetSchemaUrl(sl.SchemaUrl())
					haveSL = true
				}
				lr.CopyTo(nsl.LogRecords().AppendEmpty())
			}
		}
	}
	return retry
}

// count adds the push to the telemetry: records per type, and what the
// streams excluded or could not parse.
func (p *push) count(ctx context.Context) {
	t := p.e.tel
	for lt, n := range p.received {
		t.received.Add(ctx, n, typeAttr(lt))
	}
	results := p.parts
	for _, s := range p.streams {
		if s != nil {
			results = append(results, s.Result())
		}
	}
	for _, r := range results {
		for reason, n := range r.Excluded {
			t.excluded.Add(ctx, int64(n), reasonAttr(r.LogType, reason))
		}
		for reason, n := range r.Errors {
			p.fail(r.LogType, reason, int64(n))
		}
	}
	for k, n := range p.failReasons {
		t.failed.Add(ctx, n, reasonAttr(k.logType, k.reason))
	}
}

// reasons are the permanent failures for the error message.
func (p *push) reasons() string {
	keys := slices.SortedFunc(maps.Keys(p.failReasons), func(a, b failKey) int {
		return cmp.Or(cmp.Compare(a.logType, b.logType), cmp.Compare(a.reason, b.reason))
	})
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s: %s (%d)", k.logType, k.reason, p.failReasons[k]))
	}
	return strings.Join(parts, "; ")
}
