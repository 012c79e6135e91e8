package s3receiver

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

const scopeName = "github.com/siemloader/siemloader/collector/s3receiver"

// Metric names, through the collector's own telemetry; docs/s3receiver.md
// describes each.
const (
	metricObjects  = "otelcol_s3_receiver_objects"
	metricParts    = "otelcol_s3_receiver_parts"
	metricMessages = "otelcol_s3_receiver_messages"
	metricEvents   = "otelcol_s3_receiver_webhook_requests"
)

// Outcomes of an object and of an SQS message.
const (
	objectRead    = "read"    // every part accepted
	objectSkipped = "skipped" // nothing to read (unknown log type, s3_key_ignored, too small...)
	objectFailed  = "failed"  // read again later
	objectGone    = "gone"    // missing: never readable

	messageDeleted   = "deleted"   // its objects done
	messageReturned  = "returned"  // left to come back after its visibility timeout
	messageMalformed = "malformed" // or its object gone: back to the queue at once, towards the DLQ

	eventDone         = "done"         // 200: its objects read (or nothing to read)
	eventFailed       = "failed"       // 503: an object not read; the sender retries
	eventMalformed    = "malformed"    // 400/413: no notification
	eventUnauthorized = "unauthorized" // 401/403: missing or wrong token
	eventRejected     = "rejected"     // another method, or refused by the collector's HTTP server
)

type telemetry struct {
	objects, parts, messages, events metric.Int64Counter
}

func newTelemetry(set component.TelemetrySettings) (*telemetry, error) {
	m := set.MeterProvider.Meter(scopeName)
	t := &telemetry{}
	var err error
	for _, c := range []struct {
		dst        *metric.Int64Counter
		name, help string
	}{
		{&t.objects, metricObjects, "S3 objects handled, per outcome"},
		{&t.parts, metricParts, "parts of objects accepted downstream"},
		{&t.messages, metricMessages, "SQS messages handled, per outcome"},
		{&t.events, metricEvents, "webhook notification requests answered, per outcome"},
	} {
		if err == nil {
			*c.dst, err = m.Int64Counter(c.name, metric.WithUnit("1"), metric.WithDescription(c.help))
		}
	}
	return t, err
}

func (t *telemetry) object(outcome string) {
	t.objects.Add(context.Background(), 1, metric.WithAttributes(attribute.String("outcome", outcome)))
}

func (t *telemetry) message(outcome string) {
	t.messages.Add(context.Background(), 1, metric.WithAttributes(attribute.String("outcome", outcome)))
}

func (t *telemetry) event(outcome string) {
	t.events.Add(context.Background(), 1, metric.WithAttributes(attribute.String("outcome", outcome)))
}
