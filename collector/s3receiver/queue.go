package s3receiver

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"go.uber.org/zap"
)

// queue follows the SQS queue: at most concurrency messages in hand at
// once, each deleted only after all its objects went downstream.
type queue struct {
	r   *s3Receiver
	sqs *sqs.Client
}

func (q *queue) run(ctx context.Context) {
	cfg := q.r.cfg
	slots := make(chan struct{}, cfg.Concurrency)
	var wg sync.WaitGroup
	defer wg.Wait()
	backoff := time.Second
	for ctx.Err() == nil {
		// take a slot first, then as many more as are free: a message is
		// only received when it can be worked on at once, so its
		// visibility timeout is not spent waiting
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		n := int32(1)
		for n < cfg.MaxMessages {
			select {
			case slots <- struct{}{}:
				n++
				continue
			default:
			}
			break
		}
		out, err := q.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(cfg.QueueURL),
			MaxNumberOfMessages:         n,
			WaitTimeSeconds:             int32(cfg.WaitTime / time.Second),
			VisibilityTimeout:           int32(cfg.VisibilityTimeout / time.Second),
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameApproximateReceiveCount},
		})
		got := 0
		if out != nil {
			got = len(out.Messages)
		}
		for range int(n) - got {
			<-slots
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			q.r.logger.Warn("SQS ReceiveMessage failed", zap.Error(err), zap.Duration("retry_in", backoff))
			select {
			case <-time.After(backoff):
			case <-ctx.Done():
			}
			backoff = min(2*backoff, time.Minute)
			continue
		}
		backoff = time.Second
		for _, m := range out.Messages {
			wg.Add(1)
			go func() {
				defer func() { <-slots; wg.Done() }()
				q.handle(ctx, m)
			}()
		}
	}
}

// handle reads the objects of one message. Done: the message is deleted.
// Failed: it stays hidden until its visibility timeout passes and comes
// back (after maxReceiveCount receives the queue's redrive policy moves
// it to the dead-letter queue); a failure that reading again cannot cure
// (a malformed message, a missing object, access denied) makes it
// visible at once, so it reaches the dead-letter queue soon.
func (q *queue) handle(ctx context.Context, m types.Message) {
	log := q.r.logger.With(zap.String("message_id", aws.ToString(m.MessageId)), zap.String("receive_count", m.Attributes[string(types.MessageSystemAttributeNameApproximateReceiveCount)]))
	stop := q.heartbeat(ctx, m, log)
	refs, err := parseNotification(aws.ToString(m.Body))
	if err == nil {
		for _, ref := range refs {
			if len(ref.Key) > 0 && ref.Key[len(ref.Key)-1] == '/' {
				continue // a folder
			}
			if err = q.r.processObject(ctx, ref); err != nil {
				break
			}
		}
	}
	stop()
	// the answer to the queue must go out also while shutting down
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var perm *permanentError
	switch {
	case err == nil:
		if _, derr := q.sqs.DeleteMessage(actx, &sqs.DeleteMessageInput{QueueUrl: aws.String(q.r.cfg.QueueURL), ReceiptHandle: m.ReceiptHandle}); derr != nil {
			log.Warn("SQS DeleteMessage failed: the message will be read again (its documents keep their _ids)", zap.Error(derr))
			q.r.tel.message(messageReturned)
			return
		}
		q.r.tel.message(messageDeleted)
	case ctx.Err() != nil:
		log.Info("shutting down: the message goes back to the queue", zap.Error(err))
		q.r.tel.message(messageReturned)
	case errors.Is(err, errMalformed) || errors.As(err, &perm):
		log.Error("notification failed for good; back to the queue at once, towards its dead-letter queue", zap.Error(err))
		q.setVisibility(actx, m, 0, log)
		q.r.tel.message(messageMalformed)
	default:
		log.Warn("notification failed; it comes back when its visibility timeout passes", zap.Error(err))
		q.r.tel.message(messageReturned)
	}
}

// heartbeat extends the message's visibility while its objects are read.
func (q *queue) heartbeat(ctx context.Context, m types.Message, log *zap.Logger) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(q.r.cfg.VisibilityTimeout / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				q.setVisibility(ctx, m, q.r.cfg.VisibilityTimeout, log)
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

func (q *queue) setVisibility(ctx context.Context, m types.Message, d time.Duration, log *zap.Logger) {
	_, err := q.sqs.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl: aws.String(q.r.cfg.QueueURL), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: int32(d / time.Second)})
	if err != nil && ctx.Err() == nil {
		log.Warn("SQS ChangeMessageVisibility to "+strconv.Itoa(int(d/time.Second))+"s failed", zap.Error(err))
	}
}
