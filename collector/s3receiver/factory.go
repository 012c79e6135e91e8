// Package s3receiver is the OpenTelemetry Collector logs receiver "s3":
// es-loader's trigger. It follows an SQS queue of S3 event notifications
// (direct, through SNS or through EventBridge), or lists a bucket prefix
// once (back-fill), downloads each object and hands it downstream in
// parts of whole records with aws.s3.bucket / aws.s3.key, for the siem
// exporter to classify and normalize as es-loader does. A notification
// is deleted only once every part of its objects was accepted.
package s3receiver

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"
)

var typeStr = component.MustNewType("s3")

// NewFactory is the receiver's factory, for the builder's manifest.
func NewFactory() receiver.Factory {
	return receiver.NewFactory(typeStr, createDefaultConfig,
		receiver.WithLogs(createLogsReceiver, component.StabilityLevelAlpha))
}

func createDefaultConfig() component.Config {
	return &Config{
		WaitTime:          20 * time.Second,
		VisibilityTimeout: 5 * time.Minute,
		MaxMessages:       10,
		Concurrency:       4,
		PartBytes:         1 << 20,
	}
}

func createLogsReceiver(_ context.Context, set receiver.Settings, c component.Config, next consumer.Logs) (receiver.Logs, error) {
	return newReceiver(c.(*Config), set, next)
}
