// Package siemexportertest starts the real siem exporter for the tests of
// the receivers that feed it. (It is apart from componenttestutil, which
// the exporter's own tests use.)
package siemexportertest

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/exportertest"

	"github.com/siemloader/siemloader/collector/internal/componenttestutil"
	"github.com/siemloader/siemloader/collector/siemexporter"
)

// Start is the siem exporter into the cluster at url, with the user.ini
// files given, without a sending queue or back-off: what a receiver hands
// it is accepted only once it is indexed, and a failure is seen at once.
// It is shut down when the test ends.
func Start(t testing.TB, url string, userINI ...string) exporter.Logs {
	t.Helper()
	f := siemexporter.NewFactory()
	cfg := f.CreateDefaultConfig().(*siemexporter.Config)
	cfg.Endpoints = []string{url}
	cfg.Bootstrap = false
	cfg.Config = userINI
	cfg.QueueConfig = configoptional.None[exporterhelper.QueueBatchConfig]()
	cfg.BackOffConfig.Enabled = false
	exp, err := f.CreateLogs(context.Background(), exportertest.NewNopSettings(f.Type()), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return componenttestutil.Start(t, exp)
}
