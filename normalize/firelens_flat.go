package normalize

import (
	"strings"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// FireLens records of a text section take the flat path when the section
// can (flatplan.go): a FireLens plan's raw fields are the log_pattern's
// groups followed by the metadata (firelensNames), and it fills the
// cloud and container fields es-loader takes from the metadata. A record
// the plan cannot serve (a line the pattern does not match, a variant's
// map, no log) goes through FirelensRecord as before.

// FirelensFields is a FireLens record whose values are all strings, as a
// Fluent Bit record gives them (the plugin writes any other value as its
// JSON text).
type FirelensFields struct {
	Log    string
	HasLog bool
	// Vals holds the metadata in FirelensKeys order; bit i of Has is set
	// when the record has key i.
	Vals [len(FirelensKeys)]string
	Has  uint8
}

// FirelensKeys are the metadata keys a FireLens log router adds around the
// container's `log`, in FirelensFields.Vals order.
var FirelensKeys = [...]string{"container_id", "container_name", "source", "ecs_cluster", "ecs_task_arn", "ecs_task_definition", "ec2_instance_id"}

const (
	flContainerID = iota
	flContainerName
	flSource
	flCluster
	flTaskARN
	flTaskDefinition
	flInstanceID
)

// firelensNames are the metadata as the document holds it (es-loader's
// order and names), the raw fields after a FireLens plan's groups.
var firelensNames = [...]string{"container_id", "container_name", "container_source", "ecs_cluster", "ecs_task_arn", "ecs_task_definition", "ec2_instance_id"}

// get is metadata value i, "" when the record has none.
func (f *FirelensFields) get(i int) string {
	if f.Has&(1<<i) == 0 {
		return ""
	}
	return f.Vals[i]
}

// Map is the record as a map, for FirelensRecord.
func (f *FirelensFields) Map() *pyjson.Map {
	m := pyjson.NewMap(len(FirelensKeys) + 1)
	for i, k := range FirelensKeys {
		if i == flSource+1 && f.HasLog {
			m.Set("log", f.Log)
		}
		if f.Has&(1<<i) != 0 {
			m.Set(k, f.Vals[i])
		}
	}
	return m
}

// FirelensFields is Firelens for a record of strings; it takes the flat
// path when it can. The stream may keep the strings, not f.
func (s *Stream) FirelensFields(f *FirelensFields) error {
	o := s.o
	s.beginRecord()
	ok, err := o.firelensFlat(f)
	if !ok {
		err = o.FirelensRecord(f.Map())
	}
	if err != nil && err != errStop {
		return err
	}
	return o.emitErr
}

// firelensFlat handles f on the flat path, or reports that it cannot.
func (o *objectRun) firelensFlat(f *FirelensFields) (bool, error) {
	if !f.HasLog {
		return false, nil
	}
	p := o.firelensPlan()
	if p == nil {
		return false, nil
	}
	if f.get(flSource) == "stderr" && o.lt.IgnoreContainerStderr {
		o.res.Records++
		o.res.exclude("container stderr (ignore_container_stderr)")
		return true, nil
	}
	raw := f.Log
	if variant, ok := o.n.variants[o.lt.Name]; ok {
		if _, ok := variant(raw); ok {
			return false, nil
		}
	}
	fields := &o.builder.flat.fields
	if o.textParser == nil || !o.textParser(raw, fields) {
		idx := o.lt.LogPattern.MatchSubmatchIndex(raw)
		if idx == nil {
			return false, nil // a rescue's map, or the raw line kept
		}
		o.fillGroups(fields, raw, idx)
	}
	for i := range f.Vals {
		if f.Has&(1<<i) == 0 {
			fields.Null |= 1 << uint(len(fields.Vals))
		}
		fields.Vals = append(fields.Vals, f.get(i))
	}
	o.useFlatPlan(p)
	o.builder.flat.firelens = f
	err := o.handleFlat(raw)
	o.builder.flat.firelens = nil
	return true, err
}

// firelensPlan is the section's FireLens plan, compiled once per stream.
func (o *objectRun) firelensPlan() *flatPlan {
	if o.firelensFlatSet {
		return o.firelensFlatPlan
	}
	o.firelensFlatSet = true
	if o.lt.FileFormat != "text" {
		return nil
	}
	groups := o.textSetup()
	if groups == nil {
		return nil
	}
	names := append(append([]string(nil), groups...), firelensNames[:]...)
	o.firelensFlatPlan = o.n.cachedFlatPlan(o.lt, firelensPlanKey, names, true)
	return o.firelensFlatPlan
}

// flatFirelensECS is mapECS's FireLens part: the host's instance when
// the mapping gave none, then the task ARN's account and region, the
// record's instance and the container.
func (b *docBuilder) flatFirelensECS(fl *flatFirelens) {
	s := &b.flat
	r := &s.rec
	f := s.firelens
	if _, _, _, ok := r.Value(fl.instance); !ok && b.o.src.InstanceID != "" {
		r.SetStr(fl.instance, b.o.src.InstanceID)
	}
	arn := f.get(flTaskARN)
	if arn == "" {
		return
	}
	if account, region, ok := arnAccountRegion(arn); ok {
		r.SetStr(s.plan.account, account)
		r.SetStr(s.plan.region, region)
	}
	if id := f.get(flInstanceID); id != "" {
		r.SetStr(fl.instance, id)
	}
	r.SetStr(fl.containerID, f.get(flContainerID))
	r.SetStr(fl.containerName, f.get(flContainerName))
}

// arnAccountRegion is parts[4] and parts[3] of strings.Split(arn, ":"),
// when it has more than 4 parts.
func arnAccountRegion(arn string) (account, region string, ok bool) {
	var colon [4]int
	n := 0
	for i := 0; i < len(arn) && n < len(colon); i++ {
		if arn[i] == ':' {
			colon[n] = i
			n++
		}
	}
	if n < len(colon) {
		return "", "", false
	}
	account = arn[colon[3]+1:]
	if j := strings.IndexByte(account, ':'); j >= 0 {
		account = account[:j]
	}
	return account, arn[colon[2]+1 : colon[3]], true
}
