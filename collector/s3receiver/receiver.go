package s3receiver

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver"
	"go.uber.org/zap"

	"github.com/siemloader/siemloader/collector/siemexporter"
	"github.com/siemloader/siemloader/conf"
	"github.com/siemloader/siemloader/normalize"
)

// Resource attributes of every part besides aws.s3.bucket / aws.s3.key.
const (
	AttrObjectSize = "aws.s3.object.size"
	AttrObjectETag = "aws.s3.object.etag"
)

type s3Receiver struct {
	cfg    *Config
	logger *zap.Logger
	telSet component.TelemetrySettings
	tel    *telemetry
	next   consumer.Logs
	norm   *normalize.Normalizer // cuts objects (their sections' formats)
	cl     *clients
	cancel context.CancelFunc
	wg     sync.WaitGroup
	hook   *webhook // in webhook mode
	// objects and parts handed on, for the logs and the tests
	objects, parts atomic.Int64
}

func newReceiver(cfg *Config, set receiver.Settings, next consumer.Logs) (*s3Receiver, error) {
	tel, err := newTelemetry(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return &s3Receiver{cfg: cfg, logger: set.Logger, telSet: set.TelemetrySettings, tel: tel, next: next}, nil
}

func (r *s3Receiver) Start(ctx context.Context, host component.Host) error {
	c, err := conf.Load(r.cfg.Config...)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	r.norm = normalize.New(c, normalize.Options{})
	if r.cl, err = newClients(ctx, r.cfg); err != nil {
		return err
	}
	if r.cfg.Webhook != nil {
		runCtx, cancel := context.WithCancel(context.Background())
		if r.hook, err = r.startWebhook(ctx, runCtx, host); err != nil {
			cancel()
			return err
		}
		r.cancel = cancel
		return nil
	}
	var run func(context.Context)
	if r.cfg.Backfill != nil {
		bf, err := r.newBackfill()
		if err != nil {
			return err
		}
		run = bf.run
	} else {
		q := &queue{r: r, sqs: r.cl.sqs()}
		run = q.run
	}
	runCtx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		run(runCtx)
	}()
	return nil
}

// Shutdown stops reading; objects in flight fail (their notifications
// come back to the queue, or are answered 503 to the webhook's sender)
// and are waited for.
func (r *s3Receiver) Shutdown(ctx context.Context) error {
	if r.cancel != nil {
		r.cancel()
	}
	var err error
	if r.hook != nil {
		err = r.hook.shutdown(ctx)
	}
	r.wg.Wait()
	return err
}

// permanentError is an object that reading again will not make
// readable: it is gone.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// processObject downloads ref and hands it downstream part by part,
// each part as one log record, synchronously: it returns once every
// part was accepted, or with the first refusal.
func (r *s3Receiver) processObject(ctx context.Context, ref objectRef) error {
	skipped, err := r.readObject(ctx, ref)
	var perm *permanentError
	switch {
	case err == nil && skipped:
		r.tel.object(objectSkipped)
	case err == nil:
		r.tel.object(objectRead)
	case errors.As(err, &perm):
		r.tel.object(objectGone)
	default:
		r.tel.object(objectFailed)
	}
	return err
}

func (r *s3Receiver) readObject(ctx context.Context, ref objectRef) (skipped bool, err error) {
	out, err := r.cl.forBucket(ref.Bucket).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(ref.Bucket), Key: aws.String(ref.Key)})
	if err != nil {
		var ae smithy.APIError
		if errors.As(err, &ae) {
			switch ae.ErrorCode() {
			// access denied is left out: a role or a policy to fix, after
			// which the object reads
			case "NoSuchKey", "NoSuchBucket":
				return false, &permanentError{fmt.Errorf("s3://%s/%s: %w", ref.Bucket, ref.Key, err)}
			}
		}
		return false, fmt.Errorf("s3://%s/%s: %w", ref.Bucket, ref.Key, err)
	}
	defer out.Body.Close()
	if ref.Size == 0 && out.ContentLength != nil {
		ref.Size = *out.ContentLength
	}
	if ref.ETag == "" && out.ETag != nil {
		ref.ETag = *out.ETag
	}
	src := normalize.Source{Bucket: ref.Bucket, Key: ref.Key}
	n := 0
	res, err := r.norm.SplitObject(src, out.Body, r.cfg.PartBytes, func(part []byte) error {
		ld := partLogs(ref, n, part)
		n++
		if err := r.next.ConsumeLogs(ctx, ld); err != nil {
			if consumererror.IsPermanent(err) && ctx.Err() == nil {
				// records that can never be indexed (lines that do not
				// parse...): the exporter counted them, reading the object
				// again would not help
				r.logger.Warn("records of the object refused for good", zap.String("key", ref.Key), zap.Int("part", n-1), zap.Error(err))
				r.partDone()
				return nil
			}
			return fmt.Errorf("part %d refused downstream: %w", n-1, err)
		}
		r.partDone()
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("s3://%s/%s: %w", ref.Bucket, ref.Key, err)
	}
	if res.Fatal != "" {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		// a broken download or a corrupt object; read again later
		return false, fmt.Errorf("s3://%s/%s: reading stopped after %d part(s): %s", ref.Bucket, ref.Key, n, res.Fatal)
	}
	switch {
	case res.Skipped == "unknown log type":
		// most likely a user.ini section the receiver was not given
		r.logger.Warn("object skipped: no section claims its key (does the receiver have the siem exporter's config files?)",
			zap.String("bucket", ref.Bucket), zap.String("key", ref.Key))
	case res.Skipped != "":
		r.logger.Info("object skipped", zap.String("bucket", ref.Bucket), zap.String("key", ref.Key), zap.String("reason", res.Skipped))
	}
	for reason, c := range res.Errors {
		r.logger.Warn("records left out of the object", zap.String("key", ref.Key), zap.String("reason", reason), zap.Int("records", c))
	}
	r.objects.Add(1)
	return res.Skipped != "", nil
}

func (r *s3Receiver) partDone() {
	r.parts.Add(1)
	r.tel.parts.Add(context.Background(), 1)
}

// partLogs is one part of an object as a log record: the body holds the
// part's bytes, the resource names the object.
func partLogs(ref objectRef, n int, part []byte) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	ra := rl.Resource().Attributes()
	ra.PutStr(siemexporter.AttrS3Bucket, ref.Bucket)
	ra.PutStr(siemexporter.AttrS3Key, ref.Key)
	ra.PutInt(AttrObjectSize, ref.Size)
	if ref.ETag != "" {
		ra.PutStr(AttrObjectETag, ref.ETag)
	}
	lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.Attributes().PutInt(siemexporter.AttrObjectPart, int64(n))
	lr.Body().SetEmptyBytes().FromRaw(part)
	return ld
}
