package normalize

import (
	"io"

	"github.com/siemloader/siemloader/normalize/logtypes"
	"github.com/siemloader/siemloader/normalize/pyjson"
)

// firelensMeta is the ECS task metadata FireLens adds to each record.
type firelensMeta struct {
	fields        *pyjson.Map // container_id ... ec2_instance_id, in es-loader's order
	containerName string
	taskARN       string
	instanceID    string
	containerID   string
	stderr        bool
}

// readFirelens reads records as FireLens delivers them (one JSON object per
// line with the container's `log` and its metadata), parsing `log` with the
// section's format.
func (o *objectRun) readFirelens(r io.Reader) error {
	return o.lines(r, func(n int, line []byte) error {
		raw := logtypes.PyStrip(string(line))
		if raw == "" {
			return nil
		}
		v, err := pyjson.Unmarshal([]byte(raw))
		m, ok := v.(*pyjson.Map)
		if err != nil || !ok {
			o.res.Records++
			o.res.fail("invalid FireLens record", truncateSample(raw))
			return nil
		}
		return o.FirelensRecord(m)
	})
}

// newFirelensMeta reads the metadata of a FireLens record.
func newFirelensMeta(m *pyjson.Map) *firelensMeta {
	str := func(k string) string { s, _ := m.GetString(k); return s }
	fm := &firelensMeta{fields: pyjson.NewMap(8)}
	for _, k := range []string{"container_id", "container_name"} {
		v, _ := m.Get(k)
		fm.fields.Set(k, v)
	}
	src, _ := m.Get("source")
	fm.fields.Set("container_source", src)
	for _, k := range []string{"ecs_cluster", "ecs_task_arn", "ecs_task_definition"} {
		v, _ := m.Get(k)
		fm.fields.Set(k, v)
	}
	if id := str("ec2_instance_id"); id != "" {
		fm.fields.Set("ec2_instance_id", id)
		fm.instanceID = id
	}
	fm.containerName = str("container_name")
	fm.containerID = str("container_id")
	fm.taskARN = str("ecs_task_arn")
	fm.stderr = str("source") == "stderr"
	return fm
}

// FirelensRecord handles one FireLens record.
func (o *objectRun) FirelensRecord(m *pyjson.Map) error {
	fm := newFirelensMeta(m)
	meta := &recordMeta{firelens: fm}
	logv, _ := m.Get("log")
	msg := pyjson.Str(logv)
	if fm.stderr && o.lt.IgnoreContainerStderr {
		o.res.Records++
		o.res.exclude("container stderr (ignore_container_stderr)")
		return nil
	}
	var fields *pyjson.Map
	switch o.lt.FileFormat {
	case "json":
		if v, err := pyjson.Unmarshal([]byte(msg)); err == nil {
			fields, _ = v.(*pyjson.Map)
		}
	case "text", "multiline":
		fields, _ = o.matchPattern(msg)
	}
	if fields == nil {
		// es-loader keeps an unparsable container line raw rather than
		// losing it.
		return o.handle(&rawRecord{raw: msg, skip: true, errorMsg: msg, meta: meta, fields: pyjson.NewMap(0)})
	}
	return o.handle(&rawRecord{raw: msg, fields: fields, meta: meta})
}
