// Package componenttestutil holds what the tests of the collector's
// components share: reading a component's configuration out of its
// testdata/config.yaml, starting a component, and summing its counters.
package componenttestutil

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// LoadConfig unmarshals the section id (e.g. "siem/aoss") of the YAML
// file path into cfg, a factory's default configuration.
func LoadConfig(t testing.TB, path, id string, cfg any) {
	t.Helper()
	cm, err := confmaptest.LoadConf(path)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := cm.Sub(id)
	if err != nil {
		t.Fatal(err)
	}
	if err := sub.Unmarshal(cfg); err != nil {
		t.Fatal(err)
	}
}

// Start starts c with a host that has no other components and shuts it
// down when the test ends.
func Start[C component.Component](t testing.TB, c C) C {
	t.Helper()
	if err := c.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Shutdown(context.Background()) })
	return c
}

// MetricSum is the sum of a counter's points whose attributes include
// attrs (name=value pairs); 0 when nothing was recorded yet.
func MetricSum(t testing.TB, tel *componenttest.Telemetry, name string, attrs ...string) int64 {
	t.Helper()
	m, err := tel.GetMetric(name)
	if err != nil {
		return 0
	}
	sum, ok := m.Data.(metricdata.Sum[int64])
	if !ok {
		t.Fatalf("%s is a %T", name, m.Data)
	}
	var n int64
	for _, dp := range sum.DataPoints {
		match := true
		for i := 0; i+1 < len(attrs); i += 2 {
			if v, ok := dp.Attributes.Value(attribute.Key(attrs[i])); !ok || v.AsString() != attrs[i+1] {
				match = false
			}
		}
		if match {
			n += dp.Value
		}
	}
	return n
}
