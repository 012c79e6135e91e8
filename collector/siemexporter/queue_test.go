package siemexporter

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/filestorage"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/extension/extensiontest"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/siemloader/siemloader/ship/opensearchtest"
)

// storageHost offers one file_storage extension, as a collector whose
// configuration lists it.
type storageHost struct{ ext extension.Extension }

func (h storageHost) GetExtensions() map[component.ID]component.Component {
	return map[component.ID]component.Component{component.MustNewID("file_storage"): h.ext}
}

// switchable fronts the test cluster; while down it answers every
// request 503, as a cluster that is restarting does.
type switchable struct {
	*httptest.Server
	down     atomic.Bool
	refusals atomic.Int64
}

func newSwitchable(backend *opensearchtest.Server) *switchable {
	s := &switchable{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.down.Load() {
			s.refusals.Add(1)
			http.Error(w, `{"error":{"type":"unavailable"},"status":503}`, http.StatusServiceUnavailable)
			return
		}
		backend.Config.Handler.ServeHTTP(w, r)
	}))
	return s
}

// downCluster is the test cluster behind a front that is down.
func downCluster(t *testing.T) (*opensearchtest.Server, *switchable) {
	backend := opensearchtest.New(opensearchtest.Faults{}, 3)
	t.Cleanup(backend.Close)
	front := newSwitchable(backend)
	t.Cleanup(front.Close)
	front.down.Store(true)
	return backend, front
}

// collectorRun is a file_storage extension and the siem exporter with a
// persistent sending queue in it, started as a collector starts them.
type collectorRun struct {
	ext extension.Extension
	exp exporter.Logs
}

func startWithStorage(t *testing.T, dir, url string) *collectorRun {
	t.Helper()
	ctx := context.Background()
	sf := filestorage.NewFactory()
	scfg := sf.CreateDefaultConfig().(*filestorage.Config)
	scfg.Directory = dir
	ext, err := sf.Create(ctx, extensiontest.NewNopSettings(sf.Type()), scfg)
	if err != nil {
		t.Fatal(err)
	}
	host := storageHost{ext}
	if err := ext.Start(ctx, host); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(url)
	cfg.MaxAttempts = 1
	cfg.BackOffConfig.InitialInterval = 50 * time.Millisecond
	cfg.BackOffConfig.MaxInterval = 100 * time.Millisecond
	cfg.BackOffConfig.MaxElapsedTime = 0 // never give up while the cluster is down
	q := exporterhelper.NewDefaultQueueConfig()
	id := component.MustNewID("file_storage")
	q.StorageID = &id
	q.NumConsumers = 1
	cfg.QueueConfig = configoptional.Some(q)
	set := exportertest.NewNopSettings(typeStr)
	set.ID = component.MustNewID("siem") // the queue's file is named after it: the same across restarts
	set.Logger = zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))
	exp, err := NewFactory().CreateLogs(ctx, set, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := exp.Start(ctx, host); err != nil {
		t.Fatal(err)
	}
	return &collectorRun{ext: ext, exp: exp}
}

func (r *collectorRun) stop(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := r.exp.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.ext.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}

// Records queued while the cluster is down survive an exporter restart
// in the file_storage queue and are delivered, once each, when it is up.
func TestPersistentQueueSurvivesRestart(t *testing.T) {
	s := loadSamples(t)
	backend, front := downCluster(t)
	dir := t.TempDir()

	lines := nginxLines(s, 50)
	run := startWithStorage(t, dir, front.URL)
	for i := 0; i < len(lines); i += 10 {
		ld := logsOf(map[string]any{AttrLogType: "nginx-access"}, nil, lines[i:i+10]...)
		if err := run.exp.ConsumeLogs(context.Background(), ld); err != nil {
			t.Fatal(err) // queued, not sent
		}
	}
	waitFor(t, "a refused attempt", func() bool { return front.refusals.Load() >= 2 })
	run.stop(t)
	if backend.Docs() != 0 {
		t.Fatalf("%d documents delivered while the cluster was down", backend.Docs())
	}

	// a new exporter over the same storage, the cluster still down for a
	// while and then up
	refused := front.refusals.Load()
	run = startWithStorage(t, dir, front.URL)
	waitFor(t, "a refused attempt after the restart", func() bool { return front.refusals.Load() > refused })
	front.down.Store(false)
	waitFor(t, "every queued document", func() bool { return backend.Docs() == len(lines) }, func() string { return fmt.Sprintf("%d of %d delivered", backend.Docs(), len(lines)) })
	run.stop(t)
	for id, n := range backend.Writes() {
		if n != 1 {
			t.Errorf("%s written %d times", id, n)
		}
	}
}

// Without the storage the same restart loses the queue: the test above
// is about the persistent queue, not about the exporter resending.
func TestMemoryQueueDoesNotSurviveRestart(t *testing.T) {
	s := loadSamples(t)
	backend, front := downCluster(t)
	cfg := testConfig(front.URL)
	cfg.MaxAttempts = 1
	cfg.BackOffConfig.InitialInterval = 50 * time.Millisecond
	cfg.BackOffConfig.MaxElapsedTime = 0
	ctx := context.Background()
	exp, err := NewFactory().CreateLogs(ctx, exportertest.NewNopSettings(typeStr), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := exp.Start(ctx, storageHost{}); err != nil {
		t.Fatal(err)
	}
	if err := exp.ConsumeLogs(ctx, logsOf(map[string]any{AttrLogType: "nginx-access"}, nil, nginxLines(s, 10)...)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a refused attempt", func() bool { return front.refusals.Load() >= 1 })
	if err := exp.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	front.down.Store(false)
	exp, err = NewFactory().CreateLogs(ctx, exportertest.NewNopSettings(typeStr), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := exp.Start(ctx, storageHost{}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if err := exp.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if backend.Docs() != 0 {
		t.Fatalf("%d documents from a memory queue after a restart", backend.Docs())
	}
}

func waitFor(t *testing.T, what string, cond func() bool, state ...func() string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			for _, s := range state {
				what += " (" + s() + ")"
			}
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
