// Package telemetrytest reads what a component recorded through
// componenttest.Telemetry.
package telemetrytest

import (
	"testing"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// Sum is the sum of a counter's points whose attributes include attrs
// (name=value pairs); 0 when nothing was recorded yet.
func Sum(t testing.TB, tel *componenttest.Telemetry, name string, attrs ...string) int64 {
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
