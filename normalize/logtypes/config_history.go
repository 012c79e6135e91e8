package logtypes

// AWS Config history ([config-history], the configurationItems of a
// ConfigHistory object, each dated by its capture time): the same
// transform as snapshots (see config_snapshot.go).

func init() { register("config-history", transformConfigItem) }
