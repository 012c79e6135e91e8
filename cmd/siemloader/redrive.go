package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"golang.org/x/term"

	"github.com/siemloader/siemloader/ship"
)

// runRedrive is `siemloader redrive`: the records of a dead-letter folder
// or S3 prefix are sent to OpenSearch again once the cause of their
// refusal is fixed (a mapping, an index template, a size limit).
func runRedrive(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("redrive", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var (
		dryRun    = fl.Bool("dry-run", false, "read and count the records; send and move nothing (no --opensearch needed)")
		quiet     = fl.Bool("quiet", false, "no per-file lines, only errors and the summary")
		batchDocs = fl.Int("batch-docs", 1000, "documents per bulk request")
		shp       shipFlags
	)
	shp.register(fl)
	fl.Usage = func() {
		fmt.Fprintf(stderr, "Usage: siemloader redrive [flags] DIR|s3://bucket/prefix\n\n"+
			"Sends the documents of dead-letter files (*.ndjson, *.ndjson.gz) to OpenSearch again.\n"+
			"A file whose records are all delivered or refused again goes to redriven/ under the\n"+
			"source; refused records go to --dead-letter, which must be another folder or prefix.\n"+
			"S3 credentials come from the AWS SDK chain (--aws-profile is used for them too).\n\nFlags:\n")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fl.NArg() != 1 {
		fmt.Fprintln(stderr, "siemloader redrive: give exactly one dead-letter folder or s3://bucket/prefix")
		fl.Usage()
		return 2
	}
	srcArg := fl.Arg(0)
	if !*dryRun {
		if shp.urls == "" {
			fmt.Fprintln(stderr, "siemloader redrive: --opensearch is required (the cluster to send the documents to)")
			return 2
		}
		if shp.deadLetter == "" {
			fmt.Fprintln(stderr, "siemloader redrive: --dead-letter is required: a folder or s3:// prefix, other than the source, for documents refused again")
			return 2
		}
		if err := distinctDeadLetter(srcArg, shp.deadLetter); err != nil {
			fmt.Fprintln(stderr, "siemloader redrive:", err)
			return 2
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	src := ship.RedriveSource{DryRun: *dryRun, BatchDocs: *batchDocs}
	if strings.HasPrefix(srcArg, "s3://") {
		bucket, prefix, err := ship.ParseS3URL(srcArg)
		if err != nil {
			fmt.Fprintln(stderr, "siemloader redrive:", err)
			return 2
		}
		client, err := ship.NewS3Client(ctx, shp.aws.Profile, shp.s3Region, shp.s3Endpoint)
		if err != nil {
			fmt.Fprintln(stderr, "siemloader redrive:", err)
			return 1
		}
		src.S3, src.Bucket, src.Prefix = client, bucket, prefix
	} else {
		src.Dir = srcArg
	}

	var ix *ship.Indexer
	if !*dryRun {
		var err error
		if ix, err = shp.open(stderr); err != nil {
			fmt.Fprintln(stderr, "siemloader:", err)
			return 1
		}
	}
	out := newRedriveOutput(stderr, *quiet)
	rep, err := ship.Redrive(ctx, ix, src, out.progress)
	out.clear()
	if ix != nil {
		if r := ix.Stats().LastRefusal; r != "" {
			fmt.Fprintf(stderr, "siemloader: the cluster refused a request: %s\n", r)
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "siemloader:", err)
	}
	fmt.Fprintln(stderr, redriveSummary(src, rep, shp.deadLetter))
	if err != nil {
		return 1
	}
	return 0
}

// distinctDeadLetter refuses a dead-letter that is the source or its
// redriven/ folder: records refused again would be mixed with those
// being read, or with those already settled.
func distinctDeadLetter(src, dl string) error {
	srcS3, dlS3 := strings.HasPrefix(src, "s3://"), strings.HasPrefix(dl, "s3://")
	if srcS3 != dlS3 {
		return nil
	}
	same := false
	if srcS3 {
		sb, sp, err := ship.ParseS3URL(src)
		if err != nil {
			return err
		}
		db, dp, err := ship.ParseS3URL(dl)
		if err != nil {
			return fmt.Errorf("--dead-letter: %w", err)
		}
		redriven := strings.TrimPrefix(sp+"/"+ship.RedrivenFolder, "/")
		same = sb == db && (sp == dp || dp == redriven)
	} else {
		a, err1 := filepath.Abs(src)
		b, err2 := filepath.Abs(dl)
		same = err1 == nil && err2 == nil && (a == b || b == filepath.Join(a, ship.RedrivenFolder))
		if fa, err := os.Stat(src); err == nil {
			if fb, err := os.Stat(dl); err == nil && os.SameFile(fa, fb) {
				same = true
			}
		}
	}
	if same {
		return fmt.Errorf("--dead-letter %s is the source %s (or its %s/): records refused again need another folder or prefix", dl, src, ship.RedrivenFolder)
	}
	return nil
}

// redriveOutput prints a line per file and, on a terminal, a running
// count while a large file is sent.
type redriveOutput struct {
	w        io.Writer
	quiet    bool
	terminal bool
	dirty    bool
	// waiting are the files announced as moved at the end: their move
	// is not printed again
	waiting map[string]bool
}

func newRedriveOutput(w io.Writer, quiet bool) *redriveOutput {
	o := &redriveOutput{w: w, quiet: quiet}
	if f, ok := w.(*os.File); ok && !quiet && term.IsTerminal(int(f.Fd())) {
		o.terminal = true
	}
	return o
}

func (o *redriveOutput) clear() {
	if o.dirty {
		fmt.Fprint(o.w, "\r\033[K")
		o.dirty = false
	}
}

func (o *redriveOutput) progress(p ship.RedriveProgress) {
	if o.quiet {
		return
	}
	c := p.Counts
	switch p.Event {
	case ship.RedriveBatch:
		if o.terminal {
			fmt.Fprintf(o.w, "\r\033[K[%d/%d] %s: %d record(s) sent", p.Index, p.Files, p.Name, c.Delivered+c.DeadLettered+c.Failed)
			o.dirty = true
		}
		return
	case ship.RedriveCounted:
		o.clear()
		fmt.Fprintf(o.w, "[%d/%d] %s: %d record(s)", p.Index, p.Files, p.Name, c.Records)
		if c.Invalid > 0 {
			fmt.Fprintf(o.w, ", %d unreadable line(s)", c.Invalid)
		}
		fmt.Fprintln(o.w)
		return
	case ship.RedriveMoved:
		if o.waiting[p.Name] {
			return
		}
	case ship.RedriveWaiting:
		if o.waiting == nil {
			o.waiting = map[string]bool{}
		}
		o.waiting[p.Name] = true
	}
	o.clear()
	fmt.Fprintf(o.w, "[%d/%d] %s: %d record(s): %d delivered, %d refused again", p.Index, p.Files, p.Name, c.Records, c.Delivered, c.DeadLettered)
	if c.Failed > 0 {
		fmt.Fprintf(o.w, ", %d failed", c.Failed)
	}
	if c.Invalid > 0 {
		fmt.Fprintf(o.w, ", %d unreadable line(s)", c.Invalid)
	}
	switch p.Event {
	case ship.RedriveMoved:
		fmt.Fprintf(o.w, " -> %s\n", p.MovedTo)
	case ship.RedriveWaiting:
		fmt.Fprintf(o.w, " -> %s/ after the dead-letter is written\n", ship.RedrivenFolder)
	default:
		fmt.Fprintln(o.w, " -> left in place")
	}
}

func redriveSummary(src ship.RedriveSource, rep ship.RedriveReport, deadLetter string) string {
	if src.DryRun {
		return fmt.Sprintf("dry run of %s: %d file(s), %d record(s), %d unreadable line(s); nothing sent or moved",
			src, rep.Files, rep.Records, rep.Invalid)
	}
	if rep.Files == 0 {
		return fmt.Sprintf("redrive of %s: no dead-letter file (*.ndjson, *.ndjson.gz) to send", src)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "redrive of %s: %d file(s), %d record(s)\n", src, rep.Files, rep.Records)
	fmt.Fprintf(&b, "  delivered            %d\n", rep.Delivered)
	fmt.Fprintf(&b, "  refused again        %d", rep.DeadLettered)
	if rep.DeadLettered > 0 {
		fmt.Fprintf(&b, " (in %s)", deadLetter)
	}
	fmt.Fprintf(&b, "\n  failed (retryable)   %d\n", rep.Failed)
	if rep.Invalid > 0 {
		fmt.Fprintf(&b, "  unreadable lines     %d\n", rep.Invalid)
	}
	fmt.Fprintf(&b, "  files moved to %s/ %d, left in place %d", ship.RedrivenFolder, rep.Moved, len(rep.Kept))
	return b.String()
}
