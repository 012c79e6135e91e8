package ship

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/klauspost/compress/gzip"
)

// RedriveSource is where dead-letter files are read from: a folder (Dir)
// or an S3 prefix (S3, Bucket, Prefix), with the options of a run.
type RedriveSource struct {
	Dir string

	S3     *s3.Client
	Bucket string
	Prefix string

	// DryRun reads and counts the records; nothing is sent or moved and
	// the indexer may be nil.
	DryRun bool
	// BatchDocs is the number of documents per Send (default 1000).
	BatchDocs int
}

// String is the source as a user names it.
func (s RedriveSource) String() string {
	if s.S3 != nil {
		return "s3://" + s.Bucket + "/" + strings.Trim(s.Prefix, "/")
	}
	return s.Dir
}

// RedrivenFolder is where settled files go, under the source folder or
// prefix; redrive does not read it, so nothing is sent twice.
const RedrivenFolder = "redriven"

// RedriveCounts are the records of a file or of a run.
type RedriveCounts struct {
	Records int64
	// Delivered: indexed, or already there (409 on create).
	Delivered int64
	// DeadLettered: refused for good again, now in the indexer's
	// dead-letter.
	DeadLettered int64
	// Failed: still retryable when the attempts ran out.
	Failed int64
	// Invalid: lines that are not dead-letter records; they keep their
	// file in place for a person to look at.
	Invalid int64
}

func (c *RedriveCounts) add(o RedriveCounts) {
	c.Records += o.Records
	c.Delivered += o.Delivered
	c.DeadLettered += o.DeadLettered
	c.Failed += o.Failed
	c.Invalid += o.Invalid
}

// RedriveEvent is what a progress call reports.
type RedriveEvent uint8

const (
	// RedriveBatch: a batch of the file was sent.
	RedriveBatch RedriveEvent = iota
	// RedriveMoved: every record of the file is settled and the file
	// went to redriven/.
	RedriveMoved
	// RedriveKept: the file stays where it is, with records left
	// undelivered or unreadable, or because it could not be moved.
	RedriveKept
	// RedriveCounted: a dry run read the file.
	RedriveCounted
	// RedriveWaiting: every record of the file is settled, some by going
	// to the indexer's dead-letter; the file is moved (RedriveMoved) or
	// kept at the end, once that dead-letter is closed.
	RedriveWaiting
)

// RedriveProgress is passed to the progress callback.
type RedriveProgress struct {
	Event RedriveEvent
	// Name is the file's path or s3:// URL; Index is its position
	// (1-based) among the Files listed at the start.
	Name         string
	Index, Files int
	// MovedTo is where a RedriveMoved file went.
	MovedTo string
	// Counts are the file's so far, Total the run's.
	Counts, Total RedriveCounts
}

// RedriveReport sums up a run.
type RedriveReport struct {
	Files int // listed at the start
	Moved int
	Kept  []string
	RedriveCounts
}

// Redrive sends the records of the dead-letter files in src again with
// ix.Send. Only the files listed when it starts are read. The indexer's
// dead-letter must be another folder or prefix: records refused again
// would otherwise mix with those being read, so Redrive refuses it.
//
// A file whose records were all delivered or refused again is moved to
// redriven/ (in S3: copied under <prefix>/redriven/, then deleted); a
// file with records still failed or unreadable stays, and the error says
// how many remain. Running Redrive again then resends the file: records
// already delivered answer 409 and count as delivered, those refused are
// refused again.
//
// Redrive closes ix: a file whose records went to the new dead-letter is
// moved only once that dead-letter is durable, which is what Close
// ensures and reports. ix's Stats stay readable afterwards.
func Redrive(ctx context.Context, ix *Indexer, src RedriveSource, progress func(RedriveProgress)) (RedriveReport, error) {
	var rep RedriveReport
	store, err := src.store()
	if err != nil {
		return rep, closeIndexer(ix, err)
	}
	if !src.DryRun {
		if ix == nil {
			return rep, errors.New("redrive: no indexer")
		}
		if ix.deadLetterIsSource(src) {
			return rep, closeIndexer(ix, fmt.Errorf("redrive: the dead-letter for records refused again is %s itself; give another folder or prefix", src))
		}
	}
	if progress == nil {
		progress = func(RedriveProgress) {}
	}
	names, err := store.list(ctx)
	if err != nil {
		return rep, closeIndexer(ix, fmt.Errorf("redrive: listing %s: %w", src, err))
	}
	rep.Files = len(names)
	batchDocs := src.BatchDocs
	if batchDocs <= 0 {
		batchDocs = 1000
	}
	r := &redriver{ix: ix, store: store, batchDocs: batchDocs, dryRun: src.DryRun, progress: progress, files: len(names)}
	var errs []error
	// files whose records went to the new dead-letter, moved after Close
	type waiting struct {
		name   string
		index  int
		counts RedriveCounts
	}
	var pending []waiting
	for i, name := range names {
		if ctx.Err() != nil {
			errs = append(errs, fmt.Errorf("redrive stopped before %s: %w", store.display(name), ctx.Err()))
			break
		}
		fc, err := r.file(ctx, name, i+1)
		rep.RedriveCounts.add(fc)
		switch {
		case src.DryRun:
			if err != nil {
				errs = append(errs, err)
			}
			progress(RedriveProgress{Event: RedriveCounted, Name: store.display(name), Index: i + 1, Files: len(names), Counts: fc, Total: r.total})
		case err != nil || fc.Failed > 0 || fc.Invalid > 0:
			if err != nil {
				errs = append(errs, err)
			}
			rep.Kept = append(rep.Kept, store.display(name))
			progress(RedriveProgress{Event: RedriveKept, Name: store.display(name), Index: i + 1, Files: len(names), Counts: fc, Total: r.total})
		case fc.DeadLettered > 0:
			pending = append(pending, waiting{name, i + 1, fc})
			progress(RedriveProgress{Event: RedriveWaiting, Name: store.display(name), Index: i + 1, Files: len(names), Counts: fc, Total: r.total})
		default:
			r.settle(ctx, name, i+1, fc, &rep, &errs)
		}
	}
	if ix != nil {
		if err := ix.Close(ctx); err != nil {
			errs = append(errs, fmt.Errorf("redrive: closing the indexer and its dead-letter: %w", err))
			for _, p := range pending {
				rep.Kept = append(rep.Kept, store.display(p.name))
				progress(RedriveProgress{Event: RedriveKept, Name: store.display(p.name), Index: p.index, Files: len(names), Counts: p.counts, Total: r.total})
			}
			pending = nil
		}
	}
	for _, p := range pending {
		r.settle(ctx, p.name, p.index, p.counts, &rep, &errs)
	}
	if len(rep.Kept) > 0 {
		var left RedriveCounts
		for _, k := range rep.Kept {
			left.add(r.perFile[k])
		}
		var what []string
		if left.Failed > 0 {
			what = append(what, fmt.Sprintf("%d record(s) still failed (retryable)", left.Failed))
		}
		if left.Invalid > 0 {
			what = append(what, fmt.Sprintf("%d unreadable line(s)", left.Invalid))
		}
		what = append(what, fmt.Sprintf("%d file(s) left in place; run redrive again once the cause is fixed", len(rep.Kept)))
		errs = append(errs, errors.New("redrive: "+strings.Join(what, ", ")))
	}
	return rep, errors.Join(errs...)
}

func closeIndexer(ix *Indexer, err error) error {
	if ix != nil {
		ix.Close(context.Background())
	}
	return err
}

type redriver struct {
	ix        *Indexer
	store     redriveStore
	batchDocs int
	dryRun    bool
	progress  func(RedriveProgress)
	files     int
	total     RedriveCounts
	perFile   map[string]RedriveCounts // by display name
}

func (r *redriver) settle(ctx context.Context, name string, index int, fc RedriveCounts, rep *RedriveReport, errs *[]error) {
	// A run interrupted still moves what it settled: otherwise the next
	// run sends those files again and dead-letters their refusals twice.
	to, err := r.store.settle(context.WithoutCancel(ctx), name)
	ev := RedriveProgress{Event: RedriveMoved, Name: r.store.display(name), Index: index, Files: r.files, MovedTo: to, Counts: fc, Total: r.total}
	if err != nil {
		*errs = append(*errs, fmt.Errorf("redrive: every record of %s is settled but the file could not be moved (a new run would send it again): %w", r.store.display(name), err))
		rep.Kept = append(rep.Kept, ev.Name)
		ev.Event, ev.MovedTo = RedriveKept, ""
	} else {
		rep.Moved++
	}
	r.progress(ev)
}

// file sends the records of one file and counts what became of them.
func (r *redriver) file(ctx context.Context, name string, index int) (fc RedriveCounts, err error) {
	display := r.store.display(name)
	defer func() {
		if r.perFile == nil {
			r.perFile = map[string]RedriveCounts{}
		}
		r.perFile[display] = fc
	}()
	rc, err := r.store.open(ctx, name)
	if err != nil {
		return fc, fmt.Errorf("redrive: %s: %w", display, err)
	}
	defer rc.Close()
	lines, err := recordReader(rc)
	if err != nil {
		return fc, fmt.Errorf("redrive: %s: %w", display, err)
	}
	var batch []Doc
	send := func() {
		if len(batch) == 0 {
			return
		}
		var bc RedriveCounts
		if !r.dryRun {
			for _, o := range r.ix.Send(ctx, batch) {
				switch o {
				case Delivered:
					bc.Delivered++
				case DeadLettered:
					bc.DeadLettered++
				default:
					bc.Failed++
				}
			}
		}
		fc.add(bc)
		r.total.add(bc)
		batch = batch[:0]
		if !r.dryRun {
			r.progress(RedriveProgress{Event: RedriveBatch, Name: display, Index: index, Files: r.files, Counts: fc, Total: r.total})
		}
	}
	for {
		line, rerr := lines.ReadBytes('\n')
		if line = bytes.TrimSpace(line); len(line) > 0 {
			doc, ok := redriveDoc(line)
			switch {
			case !ok:
				fc.Invalid++
				r.total.Invalid++
			case bytes.IndexByte(doc.Body, '\n') >= 0 && !r.dryRun:
				// A body kept as a string because it was not JSON may
				// hold a newline, which would break the bulk request's
				// framing: it can only go back to the dead-letter.
				fc.Records++
				r.total.Records++
				r.ix.deadLetter(doc, 400, "redrive_newline_in_document", "the document is not JSON and holds a newline, which the bulk API cannot carry")
				fc.DeadLettered++
				r.total.DeadLettered++
			default:
				fc.Records++
				r.total.Records++
				batch = append(batch, doc)
				if len(batch) >= r.batchDocs {
					send()
				}
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			send()
			return fc, fmt.Errorf("redrive: reading %s: %w", display, rerr)
		}
	}
	send()
	return fc, nil
}

// recordReader reads plain or gzipped NDJSON, told apart by the gzip
// magic rather than by the name, which a user may have changed.
func recordReader(r io.Reader) (*bufio.Reader, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, err
		}
		return bufio.NewReaderSize(zr, 1<<20), nil
	}
	return br, nil
}

// redriveDoc rebuilds the document a dead-letter line was made from.
func redriveDoc(line []byte) (Doc, bool) {
	var rec DeadLetterRecord
	if err := json.Unmarshal(line, &rec); err != nil || rec.Index == "" || len(rec.Document) == 0 {
		return Doc{}, false
	}
	body := []byte(rec.Document)
	if body[0] == '"' {
		// newRecord kept a body that was not JSON as a string: its
		// original bytes go back. (A body that was itself a JSON string
		// comes back unquoted; OpenSearch refuses either.)
		var s string
		if json.Unmarshal(body, &s) != nil {
			return Doc{}, false
		}
		body = []byte(s)
	}
	return Doc{LogType: rec.LogType, Index: rec.Index, ID: rec.ID, Body: body}, true
}

// deadLetterIsSource tells whether the indexer would write records
// refused again where src reads from.
func (ix *Indexer) deadLetterIsSource(src RedriveSource) bool {
	switch d := ix.dl.(type) {
	case *dirDeadLetter:
		if src.S3 != nil {
			return false
		}
		a, err1 := os.Stat(d.dir)
		b, err2 := os.Stat(src.Dir)
		return err1 == nil && err2 == nil && os.SameFile(a, b)
	case *s3DeadLetter:
		return src.S3 != nil && d.bucket == src.Bucket && d.prefix == strings.Trim(src.Prefix, "/")
	}
	return false
}

// redriveStore is a folder or an S3 prefix of dead-letter files.
type redriveStore interface {
	list(ctx context.Context) ([]string, error)
	open(ctx context.Context, name string) (io.ReadCloser, error)
	// settle moves a file to redriven/ and says where to.
	settle(ctx context.Context, name string) (string, error)
	display(name string) string
}

func (s RedriveSource) store() (redriveStore, error) {
	switch {
	case s.S3 != nil && s.Dir != "":
		return nil, errors.New("redrive: a folder and an S3 prefix given; choose one")
	case s.S3 != nil:
		if s.Bucket == "" {
			return nil, errors.New("redrive: no bucket")
		}
		return &s3Store{api: s.S3, bucket: s.Bucket, prefix: strings.Trim(s.Prefix, "/")}, nil
	case s.Dir != "":
		fi, err := os.Stat(s.Dir)
		if err != nil {
			return nil, fmt.Errorf("redrive: %w", err)
		}
		if !fi.IsDir() {
			return nil, fmt.Errorf("redrive: %s is not a folder", s.Dir)
		}
		return dirStore(s.Dir), nil
	}
	return nil, errors.New("redrive: no folder or S3 prefix to read")
}

func isDeadLetterName(name string) bool {
	return strings.HasSuffix(name, ".ndjson") || strings.HasSuffix(name, ".ndjson.gz")
}

type dirStore string

func (d dirStore) list(context.Context) ([]string, error) {
	entries, err := os.ReadDir(string(d))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && isDeadLetterName(e.Name()) {
			names = append(names, e.Name())
		}
	}
	return names, nil // ReadDir sorts by name
}

func (d dirStore) open(_ context.Context, name string) (io.ReadCloser, error) {
	return os.Open(filepath.Join(string(d), name))
}

func (d dirStore) display(name string) string { return filepath.Join(string(d), name) }

func (d dirStore) settle(_ context.Context, name string) (string, error) {
	dir := filepath.Join(string(d), RedrivenFolder)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", err
	}
	// A name redriven before is not overwritten: it may be another
	// file's, from a sink that restarted its numbering.
	to := filepath.Join(dir, name)
	for n := 1; ; n++ {
		if _, err := os.Lstat(to); errors.Is(err, os.ErrNotExist) {
			break
		}
		stem, ext := splitDeadLetterExt(name)
		to = filepath.Join(dir, fmt.Sprintf("%s.%d%s", stem, n, ext))
	}
	return to, os.Rename(filepath.Join(string(d), name), to)
}

func splitDeadLetterExt(name string) (stem, ext string) {
	for _, e := range []string{".ndjson.gz", ".ndjson"} {
		if s, ok := strings.CutSuffix(name, e); ok {
			return s, e
		}
	}
	return name, ""
}

// s3RedriveAPI is what redrive needs of an S3 client.
type s3RedriveAPI interface {
	s3.ListObjectsV2APIClient
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	CopyObject(ctx context.Context, in *s3.CopyObjectInput, optFns ...func(*s3.Options)) (*s3.CopyObjectOutput, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, optFns ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
}

type s3Store struct {
	api    s3RedriveAPI
	bucket string
	prefix string
}

func (s *s3Store) dir() string {
	if s.prefix == "" {
		return ""
	}
	return s.prefix + "/"
}

func (s *s3Store) list(ctx context.Context) ([]string, error) {
	// The delimiter keeps the listing to this level, as a folder's: the
	// redriven/ objects and other runs' sub-prefixes stay out.
	p := s3.NewListObjectsV2Paginator(s.api, &s3.ListObjectsV2Input{Bucket: aws.String(s.bucket), Prefix: aws.String(s.dir()), Delimiter: aws.String("/")})
	var keys []string
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range page.Contents {
			if k := aws.ToString(o.Key); isDeadLetterName(k) {
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	return keys, nil
}

// open downloads the object to a temporary file first: sending its
// records may take minutes of retries, longer than S3 keeps an idle
// download open.
func (s *s3Store) open(ctx context.Context, key string) (io.ReadCloser, error) {
	out, err := s.api.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)}, func(o *s3.Options) {
		// objects put without a checksum (older tools, MinIO) are normal
		// here; the SDK would log a line for each on stderr
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	f, err := os.CreateTemp("", "siemloader-redrive-*")
	if err != nil {
		return nil, err
	}
	if _, err = io.Copy(f, out.Body); err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return tempFile{f}, nil
}

type tempFile struct{ *os.File }

func (t tempFile) Close() error {
	err := t.File.Close()
	os.Remove(t.Name())
	return err
}

func (s *s3Store) display(key string) string { return "s3://" + s.bucket + "/" + key }

func (s *s3Store) settle(ctx context.Context, key string) (string, error) {
	to := s.dir() + RedrivenFolder + "/" + path.Base(key)
	_, err := s.api.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(to),
		CopySource: aws.String(copySource(s.bucket, key))})
	if err != nil {
		return "", fmt.Errorf("copying to %s: %w", to, err)
	}
	if _, err := s.api.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)}); err != nil {
		return "", fmt.Errorf("deleting after the copy to %s: %w", to, err)
	}
	return s.display(to), nil
}

// copySource is bucket/key URL-encoded segment by segment, as the
// x-amz-copy-source header wants it.
func copySource(bucket, key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return bucket + "/" + strings.Join(parts, "/")
}
