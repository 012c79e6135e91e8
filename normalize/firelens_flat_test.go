package normalize_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/siemloader/siemloader/normalize"
	"github.com/siemloader/siemloader/normalize/enrich"
)

// FireLens records of a text section take the flat path (firelens_flat.go);
// these tests hold it to the general path's documents, byte for byte, and
// to its counts.

type streamRun struct {
	res  normalize.Result
	docs []normalize.Document
}

func runFirelens(t testing.TB, n *normalize.Normalizer, src normalize.Source, recs []normalize.FirelensFields) streamRun {
	t.Helper()
	var r streamRun
	s := n.NewStream(src, func(d normalize.Document) error {
		d.Source = append([]byte(nil), d.Source...)
		r.docs = append(r.docs, d)
		return nil
	})
	if s == nil {
		t.Fatalf("no section for %+v", src)
	}
	for i := range recs {
		f := recs[i] // the stream must not need f after the call
		if err := s.FirelensFields(&f); err != nil {
			t.Fatal(err)
		}
		f = normalize.FirelensFields{Log: "overwritten", HasLog: true}
	}
	r.res = *s.Result()
	return r
}

// compareFirelens fails t unless both normalizers give the same documents
// and counts for recs; it returns how many documents it compared.
func compareFirelens(t testing.TB, flat, general *normalize.Normalizer, src normalize.Source, recs []normalize.FirelensFields) int {
	t.Helper()
	a, b := runFirelens(t, flat, src, recs), runFirelens(t, general, src, recs)
	if a.res.Records != b.res.Records || a.res.Documents != b.res.Documents || a.res.ErrorCount() != b.res.ErrorCount() ||
		!reflect.DeepEqual(a.res.Errors, b.res.Errors) || !reflect.DeepEqual(a.res.Excluded, b.res.Excluded) {
		t.Fatalf("counts differ\nflat:    %+v\ngeneral: %+v", a.res, b.res)
	}
	if len(a.docs) != len(b.docs) {
		t.Fatalf("%d documents on the flat path, %d on the general one", len(a.docs), len(b.docs))
	}
	for i := range a.docs {
		da, db := a.docs[i], b.docs[i]
		if da.Index != db.Index || da.ID != db.ID || da.LogType != db.LogType || !bytes.Equal(da.Source, db.Source) {
			t.Fatalf("record %d differs\nflat:    %s %s %s\n%s\ngeneral: %s %s %s\n%s", i,
				da.LogType, da.Index, da.ID, da.Source, db.LogType, db.Index, db.ID, db.Source)
		}
	}
	return len(a.docs)
}

func firelensOf(line string, meta ...string) normalize.FirelensFields {
	f := normalize.FirelensFields{Log: line, HasLog: true}
	for i := 0; i+1 < len(meta); i += 2 {
		for j, k := range normalize.FirelensKeys {
			if k == meta[i] {
				f.Vals[j] = meta[i+1]
				f.Has |= 1 << j
			}
		}
	}
	return f
}

// firelensRecords are webAccessLines under metadata at its edges.
func firelensRecords() []normalize.FirelensFields {
	metas := [][]string{
		{"container_id", "0123abcd", "container_name", "web", "source", "stdout", "ecs_cluster", "prod",
			"ecs_task_arn", "arn:aws:ecs:eu-west-1:123456789012:task/prod/7f3a", "ecs_task_definition", "web:12"},
		{"container_id", "0123abcd", "source", "stdout", "ecs_task_arn", "arn:aws:ecs:eu-west-1:123456789012:task/prod/7f3a",
			"ec2_instance_id", "i-0123456789abcdef0"},
		{"container_name", "web", "source", "stderr", "ecs_task_arn", "arn:aws:ecs:us-east-1"},
		{"container_name", "", "source", "stdout", "ecs_task_arn", "a:b:c:d:e", "ec2_instance_id", ""},
		{"container_id", "-", "container_name", "null", "ecs_task_arn", "arn:aws:ecs:eu-west-1::task/x", "ecs_cluster", "[]"},
		{"source", "stdout"},
		{},
	}
	var recs []normalize.FirelensFields
	for i, line := range webAccessLines {
		for j, m := range metas {
			if (i+j)%3 == 0 || j == 0 {
				recs = append(recs, firelensOf(line, m...))
			}
		}
	}
	recs = append(recs, normalize.FirelensFields{Vals: recs[0].Vals, Has: recs[0].Has}) // no log
	return recs
}

func TestFlatFirelensMatchesGeneral(t *testing.T) {
	recs := firelensRecords()
	for _, c := range []struct {
		name, ini string
		src       normalize.Source
	}{
		{"nginx", "", normalize.Source{LogType: "nginx-access", Tag: "web-firelens-1"}},
		{"apache", "", normalize.Source{LogType: "apache-access"}},
		{"host instance and account", "", normalize.Source{LogType: "nginx-access", InstanceID: "i-0fedcba9876543210", Account: "210987654321", Region: "ap-northeast-1"}},
		{"stderr kept", "[nginx-access]\nignore_container_stderr = false\n", normalize.Source{LogType: "nginx-access"}},
		{"stderr ignored", "[nginx-access]\nignore_container_stderr = true\n", normalize.Source{LogType: "nginx-access"}},
		{"mapped metadata", "[nginx-access]\necs = http.request.method source.ip url.original service.name\nservice.name = container_name\n",
			normalize.Source{LogType: "nginx-access"}},
		{"no transform", "", normalize.Source{LogType: "linux-secure"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			flat, general := flatPair(t, c.ini)
			if c.src.LogType == "nginx-access" && !normalize.FlatFirelensPlanned(flat, "nginx-access") {
				t.Fatal("nginx-access FireLens records are not planned flat")
			}
			compareFirelens(t, flat, general, c.src, recs)
		})
	}
	t.Run("enriched", func(t *testing.T) {
		cfg := newNormalizer(t, "").Config()
		opts := normalize.Options{Now: func() time.Time { return goldenNow }, GeoIP: goldenGeoIP(t, sharedDir(t)),
			UserAgent: enrich.NewUserAgentParser(100)}
		flat, general := normalize.New(cfg, opts), normalize.WithoutFlatPlans(normalize.New(cfg, opts))
		if !normalize.FlatFirelensPlanned(flat, "nginx-access") {
			t.Fatal("enrichment keeps FireLens records off the flat path")
		}
		var geo []normalize.FirelensFields
		for _, f := range recs {
			sp := strings.IndexByte(f.Log, ' ')
			if sp < 0 {
				continue
			}
			for _, ip := range []string{"81.2.69.142", "2001:480::1", "89.160.20.128"} {
				g := f
				g.Log = ip + f.Log[sp:]
				geo = append(geo, g)
			}
		}
		compareFirelens(t, flat, general, normalize.Source{LogType: "nginx-access"}, append(geo, recs...))
	})
	// what the plan does not model keeps the general path
	for _, ini := range []string{
		"[nginx-access]\nstatic_ecs = event.kind container.runtime\ncontainer.runtime = docker\n",
		"[nginx-access]\necs = container.name\ncontainer.name = container_name\n",
	} {
		flat, general := flatPair(t, ini)
		if normalize.FlatFirelensPlanned(flat, "nginx-access") {
			t.Errorf("%q: planned flat", ini)
		}
		compareFirelens(t, flat, general, normalize.Source{LogType: "nginx-access"}, recs)
	}
}

func FuzzFlatFirelens(f *testing.F) {
	for _, r := range firelensRecords() {
		f.Add(r.Log, r.Vals[1], r.Vals[4], r.Vals[6], r.Has)
	}
	flat, general := flatPair(f, "")
	f.Fuzz(func(t *testing.T, line, name, arn, instance string, has uint8) {
		r := normalize.FirelensFields{Log: line, HasLog: has&0x80 == 0, Has: has & 0x7f}
		r.Vals[0], r.Vals[1], r.Vals[2], r.Vals[4], r.Vals[6] = "id", name, "stdout", arn, instance
		for _, lt := range []string{"nginx-access", "apache-access"} {
			compareFirelens(t, flat, general, normalize.Source{LogType: lt}, []normalize.FirelensFields{r})
		}
	})
}

// A stream that takes plain lines and FireLens records in turn switches
// between the two plans record by record.
func TestFlatFirelensAndLinesInOneStream(t *testing.T) {
	run := func(n *normalize.Normalizer) []normalize.Document {
		var docs []normalize.Document
		s := n.NewStream(normalize.Source{LogType: "nginx-access"}, func(d normalize.Document) error {
			d.Source = append([]byte(nil), d.Source...)
			docs = append(docs, d)
			return nil
		})
		for i, r := range firelensRecords() {
			var err error
			if i%3 == 1 {
				err = s.Message(r.Log)
			} else {
				err = s.FirelensFields(&r)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		return docs
	}
	flat, general := flatPair(t, "")
	a, b := run(flat), run(general)
	if len(a) != len(b) || len(a) < 20 {
		t.Fatalf("%d documents on the flat path, %d on the general one", len(a), len(b))
	}
	for i := range a {
		if a[i].ID != b[i].ID || a[i].Index != b[i].Index || !bytes.Equal(a[i].Source, b[i].Source) {
			t.Fatalf("record %d differs\nflat:    %s\ngeneral: %s", i, a[i].Source, b[i].Source)
		}
	}
}
