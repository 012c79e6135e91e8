package firehosereceiver

import (
	"context"
	"strconv"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/siemloader/siemloader/collector/internal/counters"
)

const scopeName = "github.com/siemloader/siemloader/collector/firehosereceiver"

// Metric names, through the collector's own telemetry; docs/collector.md
// describes each. The collector's otelcol_receiver_accepted_log_records
// and refused_log_records count what was handed on.
const (
	metricRequests = "otelcol_firehose_receiver_requests"
	metricEvents   = "otelcol_firehose_receiver_log_events"
	metricRaw      = "otelcol_firehose_receiver_raw_records"
	metricControl  = "otelcol_firehose_receiver_control_messages"
	metricFailed   = "otelcol_firehose_receiver_records_failed"
)

type telemetry struct {
	requests, events, raw, control, failed metric.Int64Counter
}

func newTelemetry(set component.TelemetrySettings) (*telemetry, error) {
	m := set.MeterProvider.Meter(scopeName)
	t := &telemetry{}
	err := counters.New(m,
		counters.Counter{Dst: &t.requests, Name: metricRequests, Unit: "{requests}", Help: "Delivery requests answered, per HTTP status code."},
		counters.Counter{Dst: &t.events, Name: metricEvents, Unit: "{records}", Help: "CloudWatch Logs events unpacked into log records."},
		counters.Counter{Dst: &t.raw, Name: metricRaw, Unit: "{records}", Help: "Firehose records passed on raw (no CloudWatch Logs payload)."},
		counters.Counter{Dst: &t.control, Name: metricControl, Unit: "{messages}", Help: "CloudWatch Logs CONTROL_MESSAGEs dropped (they carry no logs)."},
		counters.Counter{Dst: &t.failed, Name: metricFailed, Unit: "{records}", Help: "Records or events that gave nothing (corrupt base64, gzip or JSON), per reason."},
	)
	return t, err
}

func (t *telemetry) request(code int) {
	t.requests.Add(context.Background(), 1, metric.WithAttributeSet(attribute.NewSet(attribute.String("code", strconv.Itoa(code)))))
}

func (t *telemetry) decoded(d *decoded) {
	ctx := context.Background()
	if d.events > 0 {
		t.events.Add(ctx, int64(d.events))
	}
	if d.raw > 0 {
		t.raw.Add(ctx, int64(d.raw))
	}
	if d.control > 0 {
		t.control.Add(ctx, int64(d.control))
	}
	for reason, n := range d.failed {
		t.failed.Add(ctx, int64(n), metric.WithAttributeSet(attribute.NewSet(attribute.String("reason", reason))))
	}
}
