package output

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/siemloader/siemloader/conf"
	"github.com/siemloader/siemloader/normalize"
	"github.com/siemloader/siemloader/normalize/enrich"
	"github.com/siemloader/siemloader/ship"
	"github.com/tinylib/msgp/msgp"
)

// Code is a flush's answer to Fluent Bit; the values are Fluent Bit's.
type Code int

const (
	Error Code = 0 // the chunk can never succeed: Fluent Bit drops it
	OK    Code = 1 // every record delivered, dead-lettered or counted as dropped
	Retry Code = 2 // some documents are still retryable: Fluent Bit sends the chunk again later
)

// Output is one [OUTPUT] section. Flush may be called from several
// Fluent Bit workers at once.
type Output struct {
	cfg  Config
	norm *normalize.Normalizer
	ix   *ship.Indexer // nil when writing files
	dir  *ship.BulkWriter
	geo  *enrich.GeoIP
	log  *logger
	src  normalize.Source // account, region, instance id of host logs

	flushing atomic.Int32 // Flush calls running (Fluent Bit's workers)

	mu       sync.Mutex
	summary  *normalize.Summary
	unrouted map[string]int // tag → records no section claims

}

// New builds an output from its checked configuration; log receives the
// plugin's messages (Fluent Bit's stderr).
func New(ctx context.Context, cfg Config, log io.Writer) (*Output, error) {
	o := &Output{cfg: cfg, log: newLogger(log), summary: normalize.NewSummary(), unrouted: map[string]int{}}
	c, err := conf.Load(cfg.UserINI...)
	if err != nil {
		return nil, fmt.Errorf("Config: %w", err)
	}
	if cfg.LogType != "" && c.Type(cfg.LogType) == nil {
		return nil, fmt.Errorf("Log_Type: %q is not a section of aws.ini or the Config files", cfg.LogType)
	}
	if cfg.Ship.AWS.Service == "aoss" {
		c.UseServerlessIndexNames()
	}
	opts := normalize.Options{}
	if cfg.GeoIPCity != "" || cfg.GeoIPASN != "" {
		g, warnings, err := enrich.NewGeoIP(enrich.GeoIPConfig{CityPath: cfg.GeoIPCity, ASNPath: cfg.GeoIPASN, ReloadEvery: time.Minute})
		for _, w := range warnings {
			o.log.printf("warning: %s", w)
		}
		if err != nil {
			return nil, fmt.Errorf("GeoIP_City/GeoIP_ASN: %w", err)
		}
		o.geo, opts.GeoIP = g, g
	}
	if cfg.IoCDir != "" {
		ioc, problems, err := enrich.LoadIoC(cfg.IoCDir)
		if err != nil {
			return nil, fmt.Errorf("IoC_Dir: %w", err)
		}
		for _, p := range problems {
			o.log.printf("warning: IoC_Dir: %v", p)
		}
		opts.IoC = ioc
	}
	if cfg.UserAgent {
		opts.UserAgent = enrich.NewUserAgentParser(10000)
	}
	o.norm = normalize.New(c, opts)
	o.src = o.hostSource(ctx)

	if cfg.OutputDir != "" {
		if o.dir, err = ship.NewBulkDir(cfg.OutputDir); err != nil {
			return nil, fmt.Errorf("Output_Dir: %w", err)
		}
		return o, nil
	}
	sc := cfg.Ship
	if sc.AWS.Enabled() && sc.AWS.Region == "" {
		sc.AWS.Region = o.src.Region // from instance metadata
	}
	switch {
	case strings.HasPrefix(cfg.DeadLetter, "s3://"):
		bucket, prefix, err := ship.ParseS3URL(cfg.DeadLetter)
		if err != nil {
			return nil, fmt.Errorf("Dead_Letter: %w", err)
		}
		client, err := ship.NewS3Client(ctx, "", cmp.Or(cfg.Region, o.src.Region), "")
		if err != nil {
			return nil, fmt.Errorf("Dead_Letter: %w", err)
		}
		if sc.DeadLetter, err = ship.NewS3DeadLetter(ctx, client, bucket, prefix, 0); err != nil {
			return nil, fmt.Errorf("Dead_Letter: %w", err)
		}
	case cfg.DeadLetter != "":
		sc.DeadLetterDir = cfg.DeadLetter
	}
	if sc.InsecureSkipVerify {
		o.log.printf("WARNING: TLS_Verify is Off: the cluster's certificate is not checked; anyone on the path can read and alter the logs")
	}
	if o.ix, err = ship.New(sc); err != nil {
		return nil, fmt.Errorf("OpenSearch settings: %w", err)
	}
	if cfg.Bootstrap {
		rep, err := o.ix.Prepare(ctx, c.AutoRotatedAliases())
		for _, w := range rep.Warnings {
			o.log.printf("warning: %s", w)
		}
		if len(rep.Installed) > 0 {
			o.log.printf("bootstrap installed: %s", strings.Join(rep.Installed, ", "))
		}
		if err != nil {
			return nil, fmt.Errorf("%w (Bootstrap Off skips it)", err)
		}
	}
	return o, nil
}

// Flush normalizes and delivers one chunk of records that carry tag.
func (o *Output) Flush(ctx context.Context, tag string, chunk []byte) Code {
	o.flushing.Add(1)
	defer o.flushing.Add(-1)
	halves := [][]byte{chunk}
	if o.ix != nil && o.flushing.Load() == 1 && len(chunk) >= splitBytes && runtime.GOMAXPROCS(0) > 1 {
		if at := splitPoint(chunk); at > 0 {
			halves = [][]byte{chunk[:at], chunk[at:]}
		}
	}
	batches := make([]*batch, len(halves))
	var wg sync.WaitGroup
	for i, half := range halves {
		b := o.newBatch(ctx, tag)
		batches[i] = b
		// the documents are settled when Flush returns (Send keeps none)
		defer b.arena.Release()
		if i == len(halves)-1 {
			b.decodeChunk(half)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			b.decodeChunk(half)
		}()
	}
	wg.Wait()
	code := OK
	for _, b := range batches {
		if o.deliver(b) == Retry {
			code = Retry
		}
	}
	return code
}

// A chunk that a flush has to itself (Fluent Bit runs the output without
// workers, or with one, or its other workers are idle) is normalized in
// two halves side by side, the second core being otherwise left to the
// inputs and the cluster; with other flushes running, the cores are busy
// already. A chunk under splitBytes is not worth a goroutine.
const splitBytes = 64 << 10

// splitPoint is the offset of the first event that starts in the second
// half of chunk, 0 when there is none or the chunk does not read as
// events (it is then decoded whole, which reports the damage).
func splitPoint(chunk []byte) int {
	rest := chunk
	for len(rest) > 0 {
		if at := len(chunk) - len(rest); at >= len(chunk)/2 {
			return at
		}
		var err error
		if rest, err = msgp.Skip(rest); err != nil {
			return 0
		}
	}
	return 0
}

// decodeChunk normalizes chunk into b's documents, sending parts of them
// as it goes (see sendPart), and the last part once it is done, so that
// the halves of a chunk are answered side by side.
func (b *batch) decodeChunk(chunk []byte) {
	if err := b.decode(chunk); err != nil {
		// What was read before the damage is delivered; the rest cannot
		// be read on any retry.
		b.o.log.printf("tag %s: undecodable chunk: %v", b.tag, err)
		b.dropped("undecodable msgpack")
	}
	if b.o.ix != nil && b.sent < len(b.docs) {
		b.sendPart()
	}
}

// deliver counts b and writes its documents (Output_Dir), or waits for
// the parts it sent.
func (o *Output) deliver(b *batch) Code {
	o.account(b)
	if o.dir != nil {
		for _, d := range b.docs {
			if err := o.dir.Write(d.Index, d.ID, d.Body); err != nil {
				o.log.printf("Output_Dir: %v", err)
				return Retry
			}
		}
		return OK
	}
	// decodeChunk sent every document; b.failed holds the parts waited for
	failed := b.failed
	for _, part := range b.parts {
		failed = <-part || failed
	}
	if failed {
		return Retry
	}
	return OK
}

// A chunk's documents are sent in parts while the rest of it is being
// normalized: the cluster's time on one part (reading, inflating,
// answering) then overlaps the plugin's on the next, instead of the
// flush waiting for it at the end, and the part is compressed on another
// core than the one normalizing. That matters when Fluent Bit runs the
// output without worker threads (in its engine's own thread) or with one;
// while other flushes of the output run too, the cores are busy already
// and a chunk goes in one request, as smaller requests only cost more.
// A part is pipelineBytes of documents; at most maxPartsInFlight are out
// at once for a flush. Outcomes are as for one request: a chunk with a
// document that failed is retried whole, and its _ids make that safe.
const (
	pipelineBytes    = 2 << 20
	maxPartsInFlight = 2
)

// sendPart hands the documents not yet sent to a sender goroutine.
func (b *batch) sendPart() {
	part := b.docs[b.sent:]
	b.sent, b.unsent = len(b.docs), 0
	if len(b.parts) >= maxPartsInFlight {
		b.failed = <-b.parts[0] || b.failed
		b.parts = b.parts[1:]
	}
	done := make(chan bool, 1)
	go func() { done <- anyFailed(b.o.ix.Send(b.ctx, part)) }()
	b.parts = append(b.parts, done)
}

func anyFailed(out []ship.Outcome) bool {
	for _, o := range out {
		if o == ship.Failed {
			return true
		}
	}
	return false
}

// account adds the batch's counts to the summary.
func (o *Output) account(b *batch) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, s := range b.streams {
		if s != nil { // nil: a tag no section claims, counted below
			o.summary.Add(s.Result())
		}
	}
	for tag, n := range b.unrouted {
		if o.unrouted[tag] == 0 {
			o.log.printf("tag %s: no section's tag pattern matches it, and neither Log_Type nor Log_Type_Key is set: its records are dropped (counted)", tag)
		}
		o.unrouted[tag] += n
	}
	if b.undecodable > 0 {
		o.summary.Add(&normalize.Result{LogType: "unknown", Records: b.undecodable, Errors: map[string]int{"undecodable msgpack": b.undecodable}})
	}
}

// Summary writes the per-type counts so far.
func (o *Output) Summary(w io.Writer) {
	o.summary.WriteTable(w)
	if o.ix != nil {
		st := o.ix.Stats()
		names, counts := st.Types()
		fmt.Fprintf(w, "%-26s %10s %10s %10s %13s %8s\n", "shipped to OpenSearch", "sent", "delivered", "retried", "dead-lettered", "failed")
		for i, n := range names {
			c := counts[i]
			fmt.Fprintf(w, "%-26s %10d %10d %10d %13d %8d\n", n, c.Sent, c.Delivered, c.Retried, c.DeadLettered, c.Failed)
		}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for tag, n := range o.unrouted {
		fmt.Fprintf(w, "tag %s: %d record(s) no section claims\n", tag, n)
	}
}

// Close flushes what is queued and releases files, bounded by ctx.
func (o *Output) Close(ctx context.Context) error {
	var err error
	if o.ix != nil {
		err = o.ix.Close(ctx)
	}
	if o.dir != nil {
		err = errors.Join(err, o.dir.Close())
	}
	if o.geo != nil {
		o.geo.Close()
	}
	return err
}

// batch is the work of one flush.
type batch struct {
	o           *Output
	ctx         context.Context
	tag         string
	streams     map[string]*normalize.Stream // by Log_Type_Key value, or "" for the tag's
	docs        []ship.Doc
	arena       ship.Arena
	sent        int         // docs[:sent] are handed to senders (sendPart)
	unsent      int         // bytes of documents after them
	parts       []chan bool // the senders out, oldest first: whether a document failed
	failed      bool        // a part already waited for had a failed document
	values      valueDecoder
	valuesOf    *normalize.Stream // whose slab values decodes into
	firelens    normalize.FirelensFields
	unrouted    map[string]int
	undecodable int
}

func (o *Output) newBatch(ctx context.Context, tag string) *batch {
	return &batch{o: o, ctx: ctx, tag: tag, streams: map[string]*normalize.Stream{}, unrouted: map[string]int{}}
}

func (b *batch) dropped(reason string) { b.undecodable++ }

// emit keeps a document: the normalizer reuses its buffer, so the body is
// copied into the batch's arena.
func (b *batch) emit(d normalize.Document) error {
	b.docs = append(b.docs, ship.Doc{LogType: d.LogType, Index: d.Index, ID: d.ID, Body: b.arena.Copy(d.Source)})
	if b.unsent += len(d.Source); b.unsent >= pipelineBytes && b.o.ix != nil && b.o.flushing.Load() == 1 {
		b.sendPart()
	}
	return nil
}

// stream is the normalizer stream for a record: Log_Type, the record's
// Log_Type_Key, or the tag.
func (b *batch) stream(typeName string) *normalize.Stream {
	if s, ok := b.streams[typeName]; ok {
		return s
	}
	src := b.o.src
	src.Tag = b.tag
	switch {
	case b.o.cfg.LogType != "":
		src.LogType = b.o.cfg.LogType
	case typeName != "":
		src.LogType = typeName
	}
	s := b.o.norm.NewStream(src, b.emit)
	if s == nil && typeName != "" {
		// a Log_Type_Key value that names no section
		src.LogType = ""
		s = b.o.norm.NewStream(src, b.emit)
	}
	b.streams[typeName] = s
	return s
}

// firelensKeys are what a FireLens log router adds around a container's
// line; a record with container_id or ecs_task_arn is a FireLens one.
var firelensKeys = []string{"container_id", "container_name", "source", "log", "ecs_cluster", "ecs_task_arn", "ecs_task_definition", "ec2_instance_id"}

// firelensKeyIndex is key's index in firelensKeys, -1 when it is none of
// them (a switch: every key of every record is looked up).
func firelensKeyIndex(key string) int {
	switch key {
	case "container_id":
		return 0
	case "container_name":
		return 1
	case "source":
		return 2
	case "log":
		return 3
	case "ecs_cluster":
		return 4
	case "ecs_task_arn":
		return 5
	case "ecs_task_definition":
		return 6
	case "ec2_instance_id":
		return 7
	}
	return -1
}

// firelensField is where each of firelensKeys goes in
// normalize.FirelensFields: -1 for log, else its index in Vals.
var firelensField = func() (at [8]int) {
	for i, k := range firelensKeys {
		at[i] = -1
		for j, fk := range normalize.FirelensKeys {
			if k == fk {
				at[i] = j
			}
		}
	}
	return at
}()

func (b *batch) decode(chunk []byte) error {
	o := b.o
	typeKey, msgKey := o.cfg.LogTypeKey, o.cfg.MessageKey
	var typeName, msg string
	var hasMsg, firelens bool
	var fl [8][]byte
	field := func(k, v []byte) {
		key := view(k)
		if typeKey != "" && key == typeKey {
			if s, ok := stringValue(v); ok {
				typeName = string(s)
			}
		}
		if key == msgKey {
			if s, ok := stringValue(v); ok {
				msg, hasMsg = view(s), true
			}
		}
		if i := firelensKeyIndex(key); i >= 0 {
			fl[i] = v
			if i == 0 || i == 5 {
				firelens = true
			}
		}
	}
	// After a parsed record, the next one is most likely parsed too: it is
	// decoded while its fields are found, in one walk instead of two. When
	// it turns out otherwise (or does not decode), the value is dropped.
	speculate := false
	for len(chunk) > 0 {
		var ev event
		var rest []byte
		var v any
		var err error
		decoded := false
		if speculate {
			var rec []byte
			if _, rec, err = eventHead(chunk); err != nil {
				return err
			}
			typeName, msg, hasMsg, firelens, fl = "", "", false, false, [8][]byte{}
			b.values.field = field
			b.valuesOf.BeginRecord()
			v, rest, err = b.values.recordRest(rec, normalize.RecordRoom)
			b.values.field = nil
			if decoded = err == nil; decoded {
				ev.rec = rec[:len(rec)-len(rest)]
			}
		}
		if !decoded {
			typeName, msg, hasMsg, firelens, fl = "", "", false, false, [8][]byte{}
			if ev, rest, err = nextEvent(chunk, field); err != nil {
				return err
			}
		}
		chunk = rest
		s := b.stream(typeName)
		if s == nil {
			b.unrouted[b.tag]++
			continue
		}
		switch {
		case firelens:
			f := &b.firelens
			*f = normalize.FirelensFields{}
			for i, raw := range fl {
				if raw == nil {
					continue
				}
				var v string
				if sv, ok := stringValue(raw); ok {
					v = view(sv)
				} else if js, _, err := appendJSON(nil, raw, 0); err == nil {
					v = string(js)
				} else {
					continue
				}
				switch j := firelensField[i]; j {
				case -1:
					f.Log, f.HasLog = v, true
				default:
					f.Vals[j] = v
					f.Has |= 1 << j
				}
			}
			err = s.FirelensFields(f)
			speculate = false
		case hasMsg:
			err = s.Message(msg)
			speculate = false
		default:
			// A record parsed by a Fluent Bit parser, or one with no
			// message key: a json section reads it as a record of an S3
			// object.
			if !decoded {
				s.BeginRecord()
				b.values.slab, b.valuesOf = s.Slab(), s
				v, err = b.values.record(ev.rec, normalize.RecordRoom)
			}
			if err == nil {
				err = s.RecordValue(v)
			}
			speculate = true
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// logger prefixes the plugin's lines as Fluent Bit's own are.
type logger struct {
	mu sync.Mutex
	w  io.Writer
}

func newLogger(w io.Writer) *logger { return &logger{w: w} }

func (l *logger) printf(format string, args ...any) {
	if l.w == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.w, "[%s] [ info] [output:siem] %s\n", time.Now().UTC().Format("2006/01/02 15:04:05"), fmt.Sprintf(format, args...))
}
