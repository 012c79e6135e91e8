// Package logtypes holds the per-log-type transforms: the Go counterparts
// of es-loader's sf_<type>.py scripts, one file per type. A transform runs
// after the generic ECS mapping of conf/aws.ini (section `ecs`,
// `static_ecs`) and finishes the fields the section lists in script_ecs.
package logtypes

import (
	"sort"
	"time"

	"github.com/siemloader/siemloader/conf"
	"github.com/siemloader/siemloader/normalize/pyjson"
)

// Record is what a transform works on.
type Record struct {
	// Doc is the document being built: the raw record's fields, the
	// generic ECS fields and the @-metadata.
	Doc *pyjson.Map
	// Type is the record's section of the configuration.
	Type *conf.LogType
	// Now is the frozen or real "now" of this run.
	Now time.Time

	// IndexName replaces the section's index_name when set (es-loader's
	// __index_name), e.g. syslog lines that belong to log-linux-secure.
	IndexName string
	// IndexTime replaces @timestamp for the index suffix (__index_dt).
	IndexTime *time.Time
	// IDSuffix is appended to the _id as "<@id>_<IDSuffix>"
	// (__doc_id_suffix).
	IDSuffix    string
	HasIDSuffix bool
}

// Transform finishes one record. An error means the record could not be
// transformed; the engine counts it under the returned reason and does not
// load a half-transformed document.
type Transform func(r *Record) error

var registry = map[string]Transform{}

// register is called from each type's init.
func register(logType string, t Transform) {
	if _, dup := registry[logType]; dup {
		panic("logtypes: " + logType + " registered twice")
	}
	registry[logType] = t
}

// Lookup returns the transform of a log type, if it has one.
func Lookup(logType string) (Transform, bool) {
	t, ok := registry[logType]
	return t, ok
}

// Names lists the log types that have a transform.
func Names() []string {
	out := make([]string, 0, len(registry))
	for k := range registry {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
