// Package firehosereceiver is the OpenTelemetry Collector logs receiver
// "firehose": an HTTP endpoint of the Amazon Data Firehose HTTP endpoint
// delivery protocol. CloudWatch Logs subscription payloads are unpacked
// into one log record per log event, with the envelope's log group,
// stream, owner and the event's id as attributes, so that the siem
// exporter gives the documents es-loader gives for the same envelopes
// from S3; other records pass through raw.
package firehosereceiver

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"
)

// typeStr is the receiver's name in a collector configuration.
var typeStr = component.MustNewType("firehose")

// defaultMaxRequestBodySize holds a 48 MiB Firehose buffer once base64
// has grown it by a third; a larger buffer needs a larger
// max_request_body_size (413 otherwise).
const defaultMaxRequestBodySize = 64 << 20

// firehoseWait is how long Firehose waits for an answer before it counts
// the attempt as failed and sends the request again.
const firehoseWait = 3 * time.Minute

// NewFactory is the receiver's factory, for the builder's manifest.
func NewFactory() receiver.Factory {
	return receiver.NewFactory(typeStr, createDefaultConfig,
		receiver.WithLogs(createLogsReceiver, component.StabilityLevelAlpha))
}

func createDefaultConfig() component.Config {
	s := confighttp.NewDefaultServerConfig()
	s.NetAddr.Endpoint = "localhost:4433"
	s.MaxRequestBodySize = defaultMaxRequestBodySize
	// Firehose waits 3 minutes for an answer: the collector's 30 s would
	// cut a request whose documents are still being retried into the
	// cluster, and Firehose would send it again while it is still going
	s.WriteTimeout = firehoseWait
	return &Config{ServerConfig: s}
}

func createLogsReceiver(_ context.Context, set receiver.Settings, c component.Config, next consumer.Logs) (receiver.Logs, error) {
	return newReceiver(c.(*Config), set, next)
}
