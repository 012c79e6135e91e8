// Package enrich adds what es-loader adds after the ECS mapping and the
// type's transform: the client address from X-Forwarded-For, GeoIP city
// and AS data, threat-intelligence matches and the parsed user agent.
package enrich

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oschwald/geoip2-golang"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// GeoIP looks addresses up in MaxMind City and ASN databases (GeoLite2 or
// GeoIP2). Either may be missing; lookups then give nothing for it. A
// database file replaced on disk, by a rename or by rewriting it, is
// picked up by Reload, which NewGeoIP can run periodically. Lookups are
// safe for concurrent use, also while a reload swaps the databases.
type GeoIP struct {
	cur atomic.Pointer[geoGeneration]

	reloadMu sync.Mutex // one reload check at a time
	city     dbFile
	asn      dbFile
	onReload func(path string, err error)

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// GeoIPConfig configures NewGeoIP.
type GeoIPConfig struct {
	CityPath string // MaxMind City database; "" for none
	ASNPath  string // MaxMind ASN database; "" for none
	// ReloadEvery is how often the files are checked for replacement (by
	// their identity, size and modification time); 0 never checks on its
	// own (Reload still can).
	ReloadEvery time.Duration
	// OnReload, when set, hears of each reload attempt: err is nil when
	// the database at path was loaded afresh.
	OnReload func(path string, err error)
}

// geoGeneration is one loaded pair of databases with its lookup cache. It
// is retired when a reload replaces it; its memory is released once the
// lookups still reading it are done.
type geoGeneration struct {
	city, asn *geoip2.Reader
	release   []func()
	users     atomic.Int64 // lookups reading the databases, +1 while current

	mu    sync.Mutex
	cache map[string]geoResult
}

type geoResult struct {
	found   bool
	city    string
	iso     string
	country string
	hasLoc  bool
	lat     float64
	lon     float64

	asFound bool
	asNum   uint
	asOrg   string
}

// cacheLimit bounds the lookup cache; addresses repeat heavily in logs.
const cacheLimit = 200000

// dbFile is one database path and the version of the file in use.
type dbFile struct {
	path   string
	kind   string      // "City" or "ASN"
	loaded os.FileInfo // the file the current database came from
	failed os.FileInfo // a version that failed to load, not retried
	reader *geoip2.Reader
	free   func()
}

// OpenGeoIP opens the databases at the given paths ("" skips one); a
// missing or unusable file is an error. The databases are not reloaded
// unless Reload is called.
func OpenGeoIP(cityPath, asnPath string) (*GeoIP, error) {
	for _, p := range []string{cityPath, asnPath} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("GeoIP database: %w", err)
		}
	}
	g, _, err := NewGeoIP(GeoIPConfig{CityPath: cityPath, ASNPath: asnPath})
	return g, err
}

// NewGeoIP opens the configured databases. A database file that does not
// exist is not an error: it is returned as a warning to print, lookups go
// on without it, and it is loaded when it appears (if ReloadEvery is set).
// A file that exists but is not a MaxMind database of the right kind is an
// error.
func NewGeoIP(cfg GeoIPConfig) (*GeoIP, []string, error) {
	g := &GeoIP{
		city:     dbFile{path: cfg.CityPath, kind: "City"},
		asn:      dbFile{path: cfg.ASNPath, kind: "ASN"},
		onReload: cfg.OnReload,
	}
	var warnings []string
	for _, f := range []*dbFile{&g.city, &g.asn} {
		if f.path == "" {
			continue
		}
		_, err := f.refresh()
		if err == nil {
			continue
		}
		if errors.Is(err, fs.ErrNotExist) {
			w := fmt.Sprintf("GeoIP %s database %s does not exist; continuing without it", f.kind, f.path)
			if cfg.ReloadEvery > 0 {
				w += " until it appears"
			}
			warnings = append(warnings, w)
			continue
		}
		g.city.drop()
		g.asn.drop()
		return nil, nil, err
	}
	g.install(nil)
	if cfg.ReloadEvery > 0 {
		g.stop, g.done = make(chan struct{}), make(chan struct{})
		go g.poll(cfg.ReloadEvery)
	}
	return g, warnings, nil
}

// install makes the loaded readers the current generation and retires the
// previous one, which frees the databases no longer used (retired) once
// its last lookup is done.
func (g *GeoIP) install(retired []func()) {
	gen := &geoGeneration{city: g.city.reader, asn: g.asn.reader, cache: map[string]geoResult{}}
	gen.users.Store(1)
	old := g.cur.Swap(gen)
	if old == nil {
		for _, free := range retired {
			free()
		}
		return
	}
	old.release = append(old.release, retired...)
	old.done()
}

func (g *GeoIP) poll(every time.Duration) {
	defer close(g.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-g.stop:
			return
		case <-t.C:
			g.Reload()
		}
	}
}

// Reload checks both database files now and swaps in any that changed
// since they were loaded. A file that vanished keeps its database (a
// replacement by rename passes through that state); a new version that
// fails to load keeps the old one and is not retried until it changes
// again. It reports whether anything was swapped, and the load errors.
func (g *GeoIP) Reload() (bool, error) {
	if g == nil {
		return false, nil
	}
	g.reloadMu.Lock()
	defer g.reloadMu.Unlock()
	changed := false
	var errs []error
	var retired []func()
	for _, f := range []*dbFile{&g.city, &g.asn} {
		if f.path == "" {
			continue
		}
		previous := f.free
		ok, err := f.refresh()
		if ok && previous != nil {
			retired = append(retired, previous)
		}
		if errors.Is(err, fs.ErrNotExist) {
			err = nil
		}
		if ok || err != nil {
			if g.onReload != nil {
				g.onReload(f.path, err)
			}
		}
		if err != nil {
			errs = append(errs, err)
		}
		changed = changed || ok
	}
	if changed {
		g.install(retired)
	}
	return changed, errors.Join(errs...)
}

// refresh loads the file if it is not the version in use; the caller
// retires the previous reader with the generation that used it.
func (f *dbFile) refresh() (bool, error) {
	before, err := os.Stat(f.path)
	if err != nil {
		return false, err
	}
	if sameVersion(f.loaded, before) || sameVersion(f.failed, before) {
		return false, nil
	}
	r, free, err := openDB(f.path, f.kind)
	after, statErr := os.Stat(f.path)
	if statErr != nil || !sameVersion(before, after) {
		// written to while we read it: try again at the next check
		if err == nil {
			free()
		}
		return false, nil
	}
	if err != nil {
		f.failed = before
		return false, err
	}
	f.loaded, f.failed = before, nil
	f.reader, f.free = r, free
	return true, nil
}

func (f *dbFile) drop() {
	if f.free != nil {
		f.free()
	}
	f.reader, f.free = nil, nil
}

// sameVersion tells whether two stats are of the same file content: the
// same file (a rename brings a new one) with the same size and time.
func sameVersion(a, b os.FileInfo) bool {
	return a != nil && b != nil && os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}

// openDB reads a database into memory of its own: a copy, not a mapping
// of the file, so that a file rewritten in place cannot change (or, when
// truncated, fault) a database in use.
func openDB(path, kind string) (*geoip2.Reader, func(), error) {
	data, free, err := readDBFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("GeoIP %s database %s: %w", kind, path, err)
	}
	r, err := geoip2.FromBytes(data)
	if err != nil {
		free()
		return nil, nil, fmt.Errorf("GeoIP %s database %s: %w", kind, path, err)
	}
	if t := r.Metadata().DatabaseType; !strings.Contains(t, kind) {
		free()
		if kind == "City" {
			return nil, nil, fmt.Errorf("GeoIP city database %s is a %s database, not a City one", path, t)
		}
		return nil, nil, fmt.Errorf("GeoIP ASN database %s is a %s database, not an ASN one", path, t)
	}
	liveDBs.Add(1)
	var once sync.Once
	return r, func() {
		once.Do(func() {
			liveDBs.Add(-1)
			free()
		})
	}, nil
}

// liveDBs counts the database copies in memory, for tests to see that
// retired ones are freed.
var liveDBs atomic.Int64

// Close stops reloading and releases the databases once no lookup reads
// them; later lookups find nothing.
func (g *GeoIP) Close() error {
	if g == nil {
		return nil
	}
	g.closeOnce.Do(func() {
		if g.stop != nil {
			close(g.stop)
			<-g.done
		}
		g.reloadMu.Lock()
		defer g.reloadMu.Unlock()
		var retired []func()
		for _, f := range []*dbFile{&g.city, &g.asn} {
			if f.free != nil {
				retired = append(retired, f.free)
			}
			f.reader, f.free = nil, nil
		}
		g.install(retired)
	})
	return nil
}

// done drops the generation's reference as current: its memory goes with
// the last lookup still reading it.
func (gen *geoGeneration) done() {
	if gen.users.Add(-1) == 0 {
		for _, free := range gen.release {
			free()
		}
	}
}

// acquire takes a reference on the current generation for a lookup.
func (g *GeoIP) acquire() *geoGeneration {
	for {
		gen := g.cur.Load()
		n := gen.users.Load()
		if n > 0 && gen.users.CompareAndSwap(n, n+1) {
			return gen
		}
		// retired and released between the load and the increment: the
		// current pointer has moved on
	}
}

func (g *GeoIP) lookup(ip string) geoResult {
	gen := g.cur.Load()
	gen.mu.Lock()
	r, ok := gen.cache[ip]
	gen.mu.Unlock()
	if ok {
		return r
	}
	gen = g.acquire()
	defer gen.done()
	addr := net.ParseIP(ip)
	if addr != nil {
		if gen.city != nil {
			if c, err := gen.city.City(addr); err == nil {
				r.city = c.City.Names["en"]
				r.iso = c.Country.IsoCode
				r.country = c.Country.Names["en"]
				// geoip2-golang gives zero values where Python's reader
				// gives None; a record with no location has all three 0.
				r.hasLoc = c.Location.Latitude != 0 || c.Location.Longitude != 0 || c.Location.AccuracyRadius != 0
				r.lat, r.lon = c.Location.Latitude, c.Location.Longitude
				r.found = r.city != "" || r.iso != "" || r.country != "" || r.hasLoc
			}
		}
		if gen.asn != nil {
			if a, err := gen.asn.ASN(addr); err == nil && (a.AutonomousSystemNumber != 0 || a.AutonomousSystemOrganization != "") {
				r.asFound = true
				r.asNum = a.AutonomousSystemNumber
				r.asOrg = a.AutonomousSystemOrganization
			}
		}
	}
	gen.mu.Lock()
	if len(gen.cache) >= cacheLimit {
		clear(gen.cache)
	}
	// a copy: ip may share the memory of a whole read buffer of records
	gen.cache[strings.Clone(ip)] = r
	gen.mu.Unlock()
	return r
}

// Lookup returns es-loader's `geo` and `as` objects for ip (nil when the
// databases know nothing). The maps are new for each call: documents may
// change them.
func (g *GeoIP) Lookup(ip string) (geo, as *pyjson.Map) {
	if g == nil || !strings.ContainsAny(ip, "0123456789") {
		return nil, nil
	}
	r := g.lookup(ip)
	if r.found {
		geo = pyjson.NewMap(4)
		geo.Set("city_name", nilIfEmpty(r.city))
		geo.Set("country_iso_code", nilIfEmpty(r.iso))
		geo.Set("country_name", nilIfEmpty(r.country))
		loc := pyjson.NewMap(2)
		if r.hasLoc {
			loc.Set("lon", r.lon)
			loc.Set("lat", r.lat)
		}
		geo.Set("location", loc)
	}
	if r.asFound {
		as = pyjson.NewMap(2)
		if r.asNum != 0 {
			as.Set("number", int64(r.asNum))
		}
		org := pyjson.NewMap(1)
		org.Set("name", nilIfEmpty(r.asOrg))
		as.Set("organization", org)
	}
	return geo, as
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Enrich adds `geo` and `as` under each listed field that has an `ip`,
// merging into what is there (es-loader's merge writes through objects
// the mapping shared with the raw record, and so does this).
func (g *GeoIP) Enrich(doc *pyjson.Map, fields []string) {
	if g == nil {
		return
	}
	for _, f := range fields {
		v, ok := doc.Get(f)
		if !ok {
			continue
		}
		obj, ok := v.(*pyjson.Map)
		if !ok {
			continue
		}
		ip, ok := obj.GetString("ip")
		if !ok {
			continue
		}
		geo, as := g.Lookup(ip)
		if geo == nil && as == nil {
			continue
		}
		add := pyjson.NewMap(2)
		if geo != nil {
			add.Set("geo", geo)
		}
		if as != nil {
			add.Set("as", as)
		}
		pyjson.MergeAt(doc, add, []string{f})
	}
}
