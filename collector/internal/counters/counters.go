// Package counters makes the Int64 counters a component reports through
// the collector's own telemetry.
package counters

import "go.opentelemetry.io/otel/metric"

// Counter is one counter to make into Dst.
type Counter struct {
	Dst              *metric.Int64Counter
	Name, Unit, Help string
}

// New makes each counter of m in turn, stopping at the first error.
func New(m metric.Meter, cs ...Counter) error {
	for _, c := range cs {
		var err error
		if *c.Dst, err = m.Int64Counter(c.Name, metric.WithUnit(c.Unit), metric.WithDescription(c.Help)); err != nil {
			return err
		}
	}
	return nil
}
