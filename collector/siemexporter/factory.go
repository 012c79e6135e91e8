// Package siemexporter is the OpenTelemetry Collector logs exporter
// "siem": it classifies each log record by its attributes (S3 object,
// CloudWatch Logs group, Fluent tag, file path or an explicit log type),
// normalizes it like es-loader into an ECS document and bulk-loads it
// into OpenSearch with siemloader's indexer.
package siemexporter

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
)

// typeStr is the exporter's name in a collector configuration.
var typeStr = component.MustNewType("siem")

// NewFactory is the exporter's factory, for the builder's manifest.
func NewFactory() exporter.Factory {
	return exporter.NewFactory(typeStr, createDefaultConfig,
		exporter.WithLogs(createLogsExporter, component.StabilityLevelAlpha))
}

func createDefaultConfig() component.Config {
	timeout := exporterhelper.NewDefaultTimeoutConfig()
	timeout.Timeout = 30 * time.Second
	return &Config{
		Bootstrap:     true,
		MaxAttempts:   3,
		MessageKey:    "log",
		Compression:   "none",
		TimeoutConfig: timeout,
		BackOffConfig: configretry.NewDefaultBackOffConfig(),
		QueueConfig:   configoptional.Some(exporterhelper.NewDefaultQueueConfig()),
	}
}

func createLogsExporter(ctx context.Context, set exporter.Settings, c component.Config) (exporter.Logs, error) {
	cfg := c.(*Config)
	e, err := newExporter(cfg, set)
	if err != nil {
		return nil, err
	}
	return exporterhelper.NewLogs(ctx, set, cfg, e.pushLogs,
		// the push reads records and copies what it keeps: it never
		// changes the data
		exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}),
		exporterhelper.WithTimeout(cfg.TimeoutConfig),
		exporterhelper.WithRetry(cfg.BackOffConfig),
		exporterhelper.WithQueue(cfg.QueueConfig),
		exporterhelper.WithStart(e.start),
		exporterhelper.WithShutdown(e.shutdown),
	)
}
