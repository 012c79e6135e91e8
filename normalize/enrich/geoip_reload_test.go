package enrich

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Two City databases that answer 2.2.3.1 differently: the GeoLite2 test
// database has no city for it, the GeoIP2 one says Boxford.
func cityVersions(t *testing.T) (lite, full []byte) {
	city, _, _ := testDBs(t)
	dir := filepath.Dir(city)
	lite, err := os.ReadFile(city)
	if err != nil {
		t.Fatal(err)
	}
	if full, err = os.ReadFile(filepath.Join(dir, "GeoIP2-City-Test.mmdb")); err != nil {
		t.Fatal(err)
	}
	return lite, full
}

func cityOf(g *GeoIP, ip string) string {
	geo, _ := g.Lookup(ip)
	if geo == nil {
		return ""
	}
	name, _ := geo.GetString("city_name")
	return name
}

func TestGeoIPReloadAfterRename(t *testing.T) {
	lite, full := cityVersions(t)
	path := filepath.Join(t.TempDir(), "city.mmdb")
	if err := os.WriteFile(path, lite, 0o644); err != nil {
		t.Fatal(err)
	}
	g, warnings, err := NewGeoIP(GeoIPConfig{CityPath: path})
	if err != nil || len(warnings) > 0 {
		t.Fatal(err, warnings)
	}
	defer g.Close()
	if got := cityOf(g, "2.2.3.1"); got != "" {
		t.Fatalf("before: %q", got)
	}
	if changed, err := g.Reload(); changed || err != nil {
		t.Fatalf("an unchanged file reloaded: %v %v", changed, err)
	}
	// replaced the way geoipupdate does it: written aside, renamed over
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, full, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	if changed, err := g.Reload(); !changed || err != nil {
		t.Fatalf("reload after rename: %v %v", changed, err)
	}
	if got := cityOf(g, "2.2.3.1"); got != "Boxford" {
		t.Errorf("after the rename: %q", got)
	}
	// the cache of the old generation must not answer for the new one
	if got := cityOf(g, "81.2.69.142"); got != "London" {
		t.Errorf("81.2.69.142: %q", got)
	}
}

func TestGeoIPReloadAfterRewriteInPlace(t *testing.T) {
	lite, full := cityVersions(t)
	path := filepath.Join(t.TempDir(), "city.mmdb")
	if err := os.WriteFile(path, full, 0o644); err != nil {
		t.Fatal(err)
	}
	var heard []string
	g, _, err := NewGeoIP(GeoIPConfig{CityPath: path, OnReload: func(p string, err error) {
		heard = append(heard, filepath.Base(p)+" "+errString(err))
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if got := cityOf(g, "2.2.3.1"); got != "Boxford" {
		t.Fatalf("before: %q", got)
	}
	// same inode, new content: the loaded copy is unaffected until reload
	if err := os.WriteFile(path, lite, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := cityOf(g, "2.2.3.2"); got != "Boxford" {
		t.Errorf("the database in use changed under a rewrite: %q", got)
	}
	if changed, err := g.Reload(); !changed || err != nil {
		t.Fatalf("reload after rewrite: %v %v", changed, err)
	}
	if got := cityOf(g, "2.2.3.1"); got != "" {
		t.Errorf("after the rewrite: %q", got)
	}
	if len(heard) != 1 || heard[0] != "city.mmdb ok" {
		t.Errorf("OnReload heard %v", heard)
	}
}

func errString(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}

func TestGeoIPBadReplacementKeepsTheDatabase(t *testing.T) {
	city, _, country := testDBs(t)
	data, _ := os.ReadFile(city)
	wrong, _ := os.ReadFile(country)
	path := filepath.Join(t.TempDir(), "city.mmdb")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	g, _, err := NewGeoIP(GeoIPConfig{CityPath: path})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	for _, bad := range [][]byte{wrong, []byte("not a database"), data[:len(data)/2]} {
		if err := os.WriteFile(path, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		changed, err := g.Reload()
		if changed || err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("a bad replacement: changed %v, err %v", changed, err)
		}
		if got := cityOf(g, "81.2.69.142"); got != "London" {
			t.Errorf("the old database must stay in use: %q", got)
		}
		// the failed version is not retried
		if changed, err := g.Reload(); changed || err != nil {
			t.Errorf("retried a failed version: %v %v", changed, err)
		}
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if changed, err := g.Reload(); changed || err != nil {
		t.Errorf("a vanished file: %v %v", changed, err)
	}
	if got := cityOf(g, "81.2.69.142"); got != "London" {
		t.Errorf("a vanished file drops the database: %q", got)
	}
}

func TestGeoIPMissingAtStartIsAWarningAndLoadsLater(t *testing.T) {
	city, asn, _ := testDBs(t)
	data, _ := os.ReadFile(city)
	path := filepath.Join(t.TempDir(), "city.mmdb")
	g, warnings, err := NewGeoIP(GeoIPConfig{CityPath: path, ASNPath: asn, ReloadEvery: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if len(warnings) != 1 || !strings.Contains(warnings[0], path) || !strings.Contains(warnings[0], "until it appears") {
		t.Fatalf("warnings %v", warnings)
	}
	// the ASN database works meanwhile; the city gives nothing, no error
	if _, as := g.Lookup("89.160.20.112"); as == nil {
		t.Error("the ASN database must be in use")
	}
	if got := cityOf(g, "81.2.69.142"); got != "" {
		t.Fatalf("no city database yet: %q", got)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for cityOf(g, "81.2.69.143") != "London" {
		if time.Now().After(deadline) {
			t.Fatal("the database that appeared was not picked up")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestGeoIPWrongKindAtStartIsAnError(t *testing.T) {
	_, asn, _ := testDBs(t)
	if _, _, err := NewGeoIP(GeoIPConfig{CityPath: asn}); err == nil || !strings.Contains(err.Error(), "not a City one") {
		t.Errorf("an ASN database as the city one: %v", err)
	}
}

// Lookups from several goroutines while the file flips between two
// versions and reloads swap (and free) the databases: run with -race. A
// lookup reading freed memory would crash the test.
func TestGeoIPConcurrentLookupsDuringReloads(t *testing.T) {
	lite, full := cityVersions(t)
	path := filepath.Join(t.TempDir(), "city.mmdb")
	if err := os.WriteFile(path, lite, 0o644); err != nil {
		t.Fatal(err)
	}
	g, _, err := NewGeoIP(GeoIPConfig{CityPath: path})
	if err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	var bad atomic.Int64
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				// distinct addresses miss the cache and read the database
				ip := "81.2.69." + itoa(142+(i+w)%2)
				if c := cityOf(g, ip); c != "London" {
					bad.Add(1)
				}
				switch c := cityOf(g, "2.2.3."+itoa(i%250)); c {
				case "", "Boxford":
				default:
					bad.Add(1)
				}
			}
		}(w)
	}
	live := liveDBs.Load()
	versions := [][]byte{full, lite}
	for i := 0; i < 60; i++ {
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, versions[i%2], 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
		if _, err := g.Reload(); err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	g.Close()
	if n := bad.Load(); n > 0 {
		t.Errorf("%d wrong answers during reloads", n)
	}
	if geo, as := g.Lookup("81.2.69.142"); geo != nil || as != nil {
		t.Error("lookups after Close find nothing")
	}
	// every retired copy was freed, and Close freed the last one
	if n := liveDBs.Load(); n != live-1 {
		t.Errorf("%d database copies still in memory, want %d", n, live-1)
	}
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}
