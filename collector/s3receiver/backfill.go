package s3receiver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"go.uber.org/zap"
)

// checkpoint is the back-fill's progress file. ListObjectsV2 lists keys
// in lexical order: every key up to Through is done, and so are those in
// Done (finished out of order, while an earlier one was in flight).
type checkpoint struct {
	Bucket  string   `json:"bucket"`
	Prefix  string   `json:"prefix"`
	Through string   `json:"through,omitempty"`
	Done    []string `json:"done,omitempty"`
}

type backfill struct {
	r    *s3Receiver
	path string

	mu      sync.Mutex
	cp      checkpoint
	done    map[string]bool // keys after Through that are done
	started []string        // keys after Through in listing order, not yet folded into Through
	failed  int
	saved   time.Time
}

func (r *s3Receiver) newBackfill() (*backfill, error) {
	b := r.cfg.Backfill
	bf := &backfill{r: r, path: b.Checkpoint, cp: checkpoint{Bucket: b.Bucket, Prefix: b.Prefix}, done: map[string]bool{}}
	data, err := os.ReadFile(b.Checkpoint)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("backfill.checkpoint: %w", err)
	default:
		var cp checkpoint
		if err := json.Unmarshal(data, &cp); err != nil {
			return nil, fmt.Errorf("backfill.checkpoint %s: %w", b.Checkpoint, err)
		}
		if cp.Bucket != b.Bucket || cp.Prefix != b.Prefix {
			return nil, fmt.Errorf("backfill.checkpoint %s belongs to s3://%s/%s, not s3://%s/%s", b.Checkpoint, cp.Bucket, cp.Prefix, b.Bucket, b.Prefix)
		}
		bf.cp.Through = cp.Through
		for _, k := range cp.Done {
			bf.done[k] = true
		}
	}
	return bf, nil
}

// run lists the prefix once, from where the checkpoint says, reading
// concurrency objects at once.
func (bf *backfill) run(ctx context.Context) {
	r := bf.r
	b := r.cfg.Backfill
	in := &s3.ListObjectsV2Input{Bucket: aws.String(b.Bucket), Prefix: aws.String(b.Prefix)}
	if bf.cp.Through != "" {
		in.StartAfter = aws.String(bf.cp.Through)
	}
	slots := make(chan struct{}, r.cfg.Concurrency)
	var wg sync.WaitGroup
	listed := 0
	pages := s3.NewListObjectsV2Paginator(r.cl.forBucket(b.Bucket), in)
	var listErr error
	for pages.HasMorePages() && ctx.Err() == nil {
		page, err := pages.NextPage(ctx)
		if err != nil {
			listErr = err
			break
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			if strings.HasSuffix(key, "/") {
				continue
			}
			bf.mu.Lock()
			skip := bf.done[key]
			if !skip {
				bf.started = append(bf.started, key)
			}
			bf.mu.Unlock()
			if skip {
				continue
			}
			listed++
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
			}
			if ctx.Err() != nil {
				break
			}
			ref := objectRef{Bucket: b.Bucket, Key: key, Size: aws.ToInt64(o.Size), ETag: aws.ToString(o.ETag)}
			wg.Add(1)
			go func() {
				defer func() { <-slots; wg.Done() }()
				bf.finish(key, r.processObject(ctx, ref))
			}()
		}
	}
	wg.Wait()
	bf.mu.Lock()
	err := bf.saveLocked()
	failed := bf.failed
	bf.mu.Unlock()
	switch {
	case listErr != nil && ctx.Err() == nil:
		r.logger.Error("backfill: listing failed; a restart goes on from the checkpoint", zap.Error(listErr))
	case ctx.Err() != nil:
		r.logger.Info("backfill: stopped; a restart goes on from the checkpoint")
	default:
		r.logger.Info("backfill: done", zap.Int("objects", listed), zap.Int("failed", failed))
	}
	if err != nil {
		r.logger.Error("backfill: checkpoint not saved", zap.Error(err))
	}
}

// finish records an object's outcome; a failed one stays out of the
// checkpoint, so that a restart reads it again.
func (bf *backfill) finish(key string, err error) {
	bf.mu.Lock()
	defer bf.mu.Unlock()
	if err != nil {
		bf.failed++
		if bf.r.cfg.Backfill != nil && !errors.Is(err, context.Canceled) {
			bf.r.logger.Error("backfill: object failed", zap.String("key", key), zap.Error(err))
		}
		return
	}
	bf.done[key] = true
	// fold the leading done keys into Through
	i := 0
	for i < len(bf.started) && bf.done[bf.started[i]] {
		bf.cp.Through = bf.started[i]
		delete(bf.done, bf.started[i])
		i++
	}
	bf.started = bf.started[i:]
	if time.Since(bf.saved) > time.Second {
		if err := bf.saveLocked(); err != nil {
			bf.r.logger.Warn("backfill: checkpoint not saved", zap.Error(err))
		}
	}
}

// saveLocked writes the checkpoint atomically (a temporary file renamed).
func (bf *backfill) saveLocked() error {
	cp := bf.cp
	cp.Done = make([]string, 0, len(bf.done))
	for k := range bf.done {
		cp.Done = append(cp.Done, k)
	}
	data, err := json.Marshal(cp)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(bf.path), ".checkpoint-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	bf.saved = time.Now()
	return os.Rename(tmp.Name(), bf.path)
}
