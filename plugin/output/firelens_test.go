package output

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/siemloader/siemloader/conf"
	"github.com/siemloader/siemloader/normalize"
	"github.com/siemloader/siemloader/normalize/pyjson"
	"github.com/siemloader/siemloader/ship"
)

// FireLens records reach the normalizer as strings (FirelensFields) and
// take its flat path; before, the plugin built a map and the normalizer
// the general documents from it (Stream.Firelens, still the general
// path). The two must give the same documents for any record.

// firelensMapOf is the map the plugin used to build from a record.
func firelensMapOf(t *testing.T, rec []byte) *pyjson.Map {
	m := pyjson.NewMap(len(firelensKeys))
	err := eachField(rec, func(k, v []byte) {
		for _, fk := range firelensKeys {
			if view(k) != fk {
				continue
			}
			if sv, ok := stringValue(v); ok {
				m.Set(fk, string(sv))
			} else if js, _, err := appendJSON(nil, v, 0); err == nil {
				m.Set(fk, string(js))
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestFlushFirelensMatchesTheGeneralPath(t *testing.T) {
	base := func(line string) map[string]any { return firelensRecord(line, "stdout") }
	var recs []map[string]any
	for i := 0; i < 20; i++ {
		recs = append(recs, base(nginxLine(i)))
	}
	odd := []func(r map[string]any){
		func(r map[string]any) { delete(r, "container_name") },
		func(r map[string]any) { r["container_id"] = 12345 },
		func(r map[string]any) { r["log"] = []byte(r["log"].(string)) },
		func(r map[string]any) { r["ecs_cluster"] = map[string]any{"name": "prod"} },
		func(r map[string]any) { r["source"] = "stderr" },
		func(r map[string]any) { r["ec2_instance_id"] = "i-0123456789abcdef0" },
		func(r map[string]any) { r["ecs_task_arn"] = "arn:aws:ecs:ap-south-1:210987654321:task/x" },
		func(r map[string]any) { delete(r, "ecs_task_arn") },
		func(r map[string]any) { r["ecs_task_arn"] = nil },
		func(r map[string]any) { r["log"] = "not an access line" },
		func(r map[string]any) { r["log"] = 42 },
		func(r map[string]any) { delete(r, "log") },
		func(r map[string]any) { r["container_name"] = "caf\xe9" },
		func(r map[string]any) {
			r["log"] = `192.0.2.8 - - [20/May/2024:13:20:12 +0000] "GET /x HTTP/1.1" 200 5 "-" "ua" "198.51.100.7, 10.0.0.1"`
		},
	}
	for i, f := range odd {
		r := base(nginxLine(100 + i))
		f(r)
		recs = append(recs, r)
	}
	chunk := chunkOf(recs...)

	for _, ec2 := range []string{"", "i-0fedcba9876543210"} {
		o := newOutput(t, MapConfig{"Log_Type": "nginx-access", "Output_Dir": t.TempDir(), "EC2_Metadata": "off"})
		o.src.InstanceID = ec2
		// one clock for both paths: event.ingested, and @timestamp of the
		// records kept raw
		cfg, err := conf.Load()
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
		o.norm = normalize.New(cfg, normalize.Options{Now: func() time.Time { return now }})
		var got bytes.Buffer
		o.dir = ship.NewBulkStream(&got)
		if c := o.Flush(context.Background(), "web-firelens-1", chunk); c != OK {
			t.Fatal(c)
		}
		if err := o.dir.Close(); err != nil {
			t.Fatal(err)
		}

		var want bytes.Buffer
		bw := ship.NewBulkStream(&want)
		src := o.src
		src.Tag, src.LogType = "web-firelens-1", "nginx-access"
		s := o.norm.NewStream(src, func(d normalize.Document) error { return bw.Write(d.Index, d.ID, d.Source) })
		for rest := chunk; len(rest) > 0; {
			ev, next, err := nextEvent(rest, nil)
			if err != nil {
				t.Fatal(err)
			}
			rest = next
			if err := s.Firelens(firelensMapOf(t, ev.rec)); err != nil {
				t.Fatal(err)
			}
		}
		if err := bw.Close(); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Fatalf("instance %q: documents differ\nflat path:\n%s\ngeneral path:\n%s", ec2, got.String(), want.String())
		}
		n, _, docs := o.summary.Totals()
		if res := s.Result(); n == 0 || docs != res.Documents || docs < 25 {
			t.Fatalf("instance %q: %d records, %d documents; the general path: %+v", ec2, n, docs, res)
		}
	}
}

// Within a chunk, a record after a parsed one is decoded while its fields
// are found (decode's speculation); what a chunk gives must not depend on
// its neighbours: the same records one per chunk give the same documents.
func TestFlushGivesTheSameDocumentsWhateverTheNeighbours(t *testing.T) {
	ct := cloudTrailSamples(t)
	deep := map[string]any{"leaf": 1}
	for i := 0; i < 120; i++ {
		deep = map[string]any{"k": deep}
	}
	fireDeep := firelensRecord(nginxLine(7), "stdout")
	fireDeep["siem_type"], fireDeep["extra"] = "nginx-access", deep
	typed := func(r map[string]any, typ string) map[string]any {
		c := map[string]any{"siem_type": typ}
		for k, v := range r {
			c[k] = v
		}
		return c
	}
	recs := []map[string]any{
		typed(ct[0], "cloudtrail"), typed(ct[1%len(ct)], "cloudtrail"),
		typed(firelensRecord(nginxLine(1), "stdout"), "nginx-access"),
		typed(ct[2%len(ct)], "cloudtrail"),
		{"log": nginxLine(2), "siem_type": "nginx-access"},
		typed(ct[3%len(ct)], "cloudtrail"), fireDeep, typed(ct[4%len(ct)], "cloudtrail"),
		typed(ct[5%len(ct)], "nginx-access"), // parsed, for a text section
		{"siem_type": "cloudtrail", "log": 5, "eventName": "x"},
		typed(ct[6%len(ct)], "cloudtrail"),
	}
	cfg, err := conf.Load()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	flush := func(chunks ...[]byte) string {
		o := newOutput(t, MapConfig{"Log_Type_Key": "siem_type", "Output_Dir": t.TempDir(), "EC2_Metadata": "off"})
		o.norm = normalize.New(cfg, normalize.Options{Now: func() time.Time { return now }})
		var out bytes.Buffer
		o.dir = ship.NewBulkStream(&out)
		for _, c := range chunks {
			if code := o.Flush(context.Background(), "mixed", c); code != OK {
				t.Fatal(code)
			}
		}
		if err := o.dir.Close(); err != nil {
			t.Fatal(err)
		}
		_, n, docs := o.summary.Totals()
		fmt.Fprintf(&out, "%d records, %d documents\n", n, docs)
		return out.String()
	}
	// each record encoded once: a Go map's keys come in any order
	var one [][]byte
	var all []byte
	for i, r := range recs {
		ev := appendEvent(nil, time.Date(2024, 5, 20, 13, 20, 5, 0, time.UTC), r, i%2 == 0)
		one = append(one, ev)
		all = append(all, ev...)
	}
	together, apart := flush(all), flush(one...)
	if together != apart {
		t.Fatalf("one chunk:\n%s\none chunk per record:\n%s", together, apart)
	}
	// all but the two records without their section's timestamp
	if n := strings.Count(together, `"_id"`); n != len(recs)-2 {
		t.Fatalf("%d documents for %d records:\n%s", n, len(recs), together)
	}
}
