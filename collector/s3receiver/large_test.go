package s3receiver

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"
)

// vpcLines generates a VPC flow log object of fixed-width lines: a header
// and n lines of lineLen bytes, without holding it.
type vpcLines struct {
	header []byte
	n, i   int
	buf    []byte
}

const lineLen = 128

func (g *vpcLines) size() int64 { return int64(len(g.header)) + int64(g.n)*lineLen }

func (g *vpcLines) Read(p []byte) (int, error) {
	w := 0
	for w < len(p) {
		if len(g.buf) == 0 {
			switch {
			case g.header != nil:
				g.buf, g.header = g.header, nil
			case g.i < g.n:
				g.buf = fmt.Appendf(g.buf[:0], "2 111122223333 eni-0a1b2c3d 10.%03d.%03d.%03d 10.1.0.1 %05d 443 6 %04d %08d 1716211200 1716211260 ACCEPT OK",
					g.i/65536%256, g.i/256%256, g.i%256, g.i%65536, g.i%9999, g.i)
				g.buf = append(g.buf, bytes.Repeat([]byte{' '}, lineLen-1-len(g.buf))...)
				g.buf = append(g.buf, '\n')
				g.i++
			default:
				if w == 0 {
					return 0, io.EOF
				}
				return w, nil
			}
		}
		c := copy(p[w:], g.buf)
		g.buf = g.buf[c:]
		w += c
	}
	return w, nil
}

// lineCounter counts the data lines of the parts it is given (each part
// opens with the object's header line).
type lineCounter struct {
	lines, parts atomic.Int64
	maxPart      atomic.Int64
}

func (c *lineCounter) Capabilities() consumer.Capabilities { return consumer.Capabilities{} }

func (c *lineCounter) ConsumeLogs(_ context.Context, ld plog.Logs) error {
	b := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Body().Bytes().AsRaw()
	c.lines.Add(int64(bytes.Count(b, []byte{'\n'})) - 1)
	c.parts.Add(1)
	if n := int64(len(b)); n > c.maxPart.Load() {
		c.maxPart.Store(n)
	}
	return nil
}

// A 1 GiB object is read in parts of part_bytes, each line once, with
// the heap bounded by a few parts whatever the object's size.
func TestOneGigabyteObjectInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: uploads and reads 1 GiB")
	}
	e := newEnv(t, 0)
	key := "AWSLogs/111122223333/vpcflowlogs/us-east-1/2024/05/20/111122223333_vpcflowlogs_us-east-1_fl-0123_20240520T1320Z_huge.log"
	gen := &vpcLines{header: []byte("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n"), n: (1 << 30) / lineLen}
	size := gen.size()
	// streamed into MinIO through a presigned PUT: the SDK's PutObject
	// wants a seekable body over plain HTTP
	req, err := s3.NewPresignClient(e.s3).PresignPutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	put, _ := http.NewRequest(http.MethodPut, req.URL, gen)
	put.ContentLength = size
	resp, err := http.DefaultClient.Do(put)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("upload: %v %v", err, resp)
	}
	resp.Body.Close()
	t.Logf("uploaded %d MiB in %s", size>>20, time.Since(start).Round(time.Millisecond))

	e.sqs.Send(s3Event(key))
	c := &lineCounter{}
	cfg := e.queueConfig()
	cfg.Concurrency = 1
	cfg.VisibilityTimeout = 10 * time.Second
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
		}
	}()
	start = time.Now()
	startReceiver(t, cfg, c)
	waitFor(t, "the message deleted", 5*time.Minute, func() bool { return !e.sqs.Messages()[0].Deleted.IsZero() })
	close(stop)
	took := time.Since(start)
	if got := c.lines.Load(); got != int64(gen.n) {
		t.Fatalf("%d lines delivered, %d in the object", got, gen.n)
	}
	if c.maxPart.Load() > int64(cfg.PartBytes)+2*lineLen+int64(len("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n")) {
		t.Fatalf("a part of %d bytes (part_bytes %d)", c.maxPart.Load(), cfg.PartBytes)
	}
	const limit = 96 << 20 // a few parts and the garbage the GC has not taken back yet
	if p := peak.Load(); p > limit {
		t.Fatalf("heap in use peaked at %d MiB reading a 1 GiB object (limit %d MiB)", p>>20, limit>>20)
	}
	if n := e.sqs.VisibilityChanges(e.sqs.Messages()[0].ID); took > 4*time.Second && n == 0 {
		t.Errorf("%s without a visibility extension", took)
	}
	t.Logf("%d lines in %d parts in %s (%.0f MiB/s); heap in use peaked at %d MiB", gen.n, c.parts.Load(), took.Round(time.Millisecond),
		float64(size)/(1<<20)/took.Seconds(), peak.Load()>>20)
}
