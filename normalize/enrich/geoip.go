// Package enrich adds what es-loader adds after the ECS mapping: GeoIP
// city and AS data for the fields a log type lists in `geoip`.
package enrich

import (
	"fmt"
	"net"
	"strings"
	"sync"

	"github.com/oschwald/geoip2-golang"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// GeoIP looks addresses up in MaxMind City and ASN databases (GeoLite2 or
// GeoIP2). Either may be missing; lookups then give nothing for it.
type GeoIP struct {
	city *geoip2.Reader
	asn  *geoip2.Reader

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

// OpenGeoIP opens the databases at the given paths ("" skips one).
func OpenGeoIP(cityPath, asnPath string) (*GeoIP, error) {
	g := &GeoIP{cache: map[string]geoResult{}}
	if cityPath != "" {
		r, err := geoip2.Open(cityPath)
		if err != nil {
			return nil, fmt.Errorf("GeoIP city database: %w", err)
		}
		if t := r.Metadata().DatabaseType; !strings.Contains(t, "City") {
			r.Close()
			return nil, fmt.Errorf("GeoIP city database %s is a %s database, not a City one", cityPath, t)
		}
		g.city = r
	}
	if asnPath != "" {
		r, err := geoip2.Open(asnPath)
		if err != nil {
			g.Close()
			return nil, fmt.Errorf("GeoIP ASN database: %w", err)
		}
		if t := r.Metadata().DatabaseType; !strings.Contains(t, "ASN") {
			r.Close()
			g.Close()
			return nil, fmt.Errorf("GeoIP ASN database %s is a %s database, not an ASN one", asnPath, t)
		}
		g.asn = r
	}
	return g, nil
}

// Close releases the databases.
func (g *GeoIP) Close() error {
	if g == nil {
		return nil
	}
	if g.city != nil {
		g.city.Close()
	}
	if g.asn != nil {
		g.asn.Close()
	}
	return nil
}

func (g *GeoIP) lookup(ip string) geoResult {
	g.mu.Lock()
	r, ok := g.cache[ip]
	g.mu.Unlock()
	if ok {
		return r
	}
	addr := net.ParseIP(ip)
	if addr != nil {
		if g.city != nil {
			if c, err := g.city.City(addr); err == nil {
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
		if g.asn != nil {
			if a, err := g.asn.ASN(addr); err == nil && (a.AutonomousSystemNumber != 0 || a.AutonomousSystemOrganization != "") {
				r.asFound = true
				r.asNum = a.AutonomousSystemNumber
				r.asOrg = a.AutonomousSystemOrganization
			}
		}
	}
	g.mu.Lock()
	if len(g.cache) >= cacheLimit {
		clear(g.cache)
	}
	g.cache[ip] = r
	g.mu.Unlock()
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
