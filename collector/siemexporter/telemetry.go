package siemexporter

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/siemloader/siemloader/collector/internal/counters"
)

const scopeName = "github.com/siemloader/siemloader/collector/siemexporter"

// Metric names, through the collector's own telemetry (service::telemetry
// ::metrics); docs/collector.md describes each.
const (
	metricReceived     = "otelcol_siem_exporter_records_received"
	metricDelivered    = "otelcol_siem_exporter_documents_delivered"
	metricExcluded     = "otelcol_siem_exporter_records_excluded"
	metricDeadLettered = "otelcol_siem_exporter_documents_dead_lettered"
	metricFailed       = "otelcol_siem_exporter_records_failed"
	metricRetryable    = "otelcol_siem_exporter_documents_retryable"
	metricBulkLatency  = "otelcol_siem_exporter_bulk_latency"
)

// telemetry counts per log type; excluded and failed also per reason.
type telemetry struct {
	received, delivered, excluded, deadLettered, failed, retryable metric.Int64Counter
	bulkLatency                                                    metric.Float64Histogram
}

func newTelemetry(set component.TelemetrySettings) (*telemetry, error) {
	m := set.MeterProvider.Meter(scopeName)
	t := &telemetry{}
	err := counters.New(m,
		counters.Counter{Dst: &t.received, Name: metricReceived, Unit: "{records}", Help: "Log records the exporter was given, per log type (unclassified: log_type unknown)."},
		counters.Counter{Dst: &t.delivered, Name: metricDelivered, Unit: "{documents}", Help: "Documents the cluster accepted (a create that answers 409 counts: it was there already)."},
		counters.Counter{Dst: &t.excluded, Name: metricExcluded, Unit: "{records}", Help: "Records left out on purpose (exclusion patterns and conditions), per reason."},
		counters.Counter{Dst: &t.deadLettered, Name: metricDeadLettered, Unit: "{documents}", Help: "Documents the cluster refused for good, written to the dead-letter."},
		counters.Counter{Dst: &t.failed, Name: metricFailed, Unit: "{records}", Help: "Records that can never be indexed (unclassified, unparsable), per reason."},
		counters.Counter{Dst: &t.retryable, Name: metricRetryable, Unit: "{documents}", Help: "Documents still retryable when a push ended: their records are handed back to retry_on_failure / the queue."},
	)
	if err != nil {
		return nil, err
	}
	t.bulkLatency, err = m.Float64Histogram(metricBulkLatency, metric.WithUnit("ms"),
		metric.WithDescription("Latency of each bulk request that got an answer."),
		metric.WithExplicitBucketBoundaries(5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000))
	return t, err
}

func (t *telemetry) bulk(d time.Duration) {
	t.bulkLatency.Record(context.Background(), float64(d.Microseconds())/1000)
}

func typeAttr(logType string) metric.MeasurementOption {
	return metric.WithAttributeSet(attribute.NewSet(attribute.String("log_type", logType)))
}

func reasonAttr(logType, reason string) metric.MeasurementOption {
	return metric.WithAttributeSet(attribute.NewSet(attribute.String("log_type", logType), attribute.String("reason", reason)))
}
