package enrich

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// The MaxMind test databases live in ../shared/geoip beside the repository
// (as in CI); their content is documented in its README.
func testDBs(t *testing.T) (city, asn, country string) {
	dir := os.Getenv("SIEMLOADER_SHARED")
	if dir == "" {
		dir, _ = filepath.Abs("../../../shared")
	}
	dir = filepath.Join(dir, "geoip")
	city = filepath.Join(dir, "GeoLite2-City-Test.mmdb")
	if _, err := os.Stat(city); err != nil {
		t.Skipf("no GeoIP test databases in %s", dir)
	}
	return city, filepath.Join(dir, "GeoLite2-ASN-Test.mmdb"), filepath.Join(dir, "GeoIP2-Country-Test.mmdb")
}

func TestLookup(t *testing.T) {
	city, asn, _ := testDBs(t)
	g, err := OpenGeoIP(city, asn)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()

	geo, as := g.Lookup("89.160.20.112")
	if got := string(pyjson.AppendJSON(nil, geo)); got != `{"city_name":"Linköping","country_iso_code":"SE","country_name":"Sweden","location":{"lon":15.6167,"lat":58.4167}}` {
		t.Errorf("geo %s", got)
	}
	if got := string(pyjson.AppendJSON(nil, as)); got != `{"number":29518,"organization":{"name":"Bredband2 AB"}}` {
		t.Errorf("as %s", got)
	}
	// AS without an organization name: es-loader emits only the number
	// once empty values are cleaned up
	_, as = g.Lookup("216.160.83.56")
	if n, _ := as.Get("number"); n != int64(209) {
		t.Errorf("as %s", pyjson.AppendJSON(nil, as))
	}
	if geo, as := g.Lookup("10.0.0.1"); geo != nil || as != nil {
		t.Error("private addresses are unknown")
	}
	if geo, as := g.Lookup("not-an-ip"); geo != nil || as != nil {
		t.Error("no lookup without digits")
	}
}

func TestEnrichMergesIntoTheField(t *testing.T) {
	city, asn, _ := testDBs(t)
	g, err := OpenGeoIP(city, asn)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := pyjson.Unmarshal([]byte(`{"source": {"ip": "81.2.69.142", "geo": {"location": {"lat": 0, "lon": 0}}}, "destination": {"ip": "10.1.1.1"}}`))
	d := doc.(*pyjson.Map)
	loc, _ := d.GetPath("source", "geo", "location")
	g.Enrich(d, []string{"source", "destination", "client"})
	if name, _ := d.GetString("source", "geo", "city_name"); name != "London" {
		t.Errorf("source.geo %s", pyjson.AppendJSON(nil, d))
	}
	// merged in place: an object the document shares elsewhere sees it too
	if lat, _ := loc.(*pyjson.Map).Get("lat"); lat == pyjson.Number("0") {
		t.Error("the existing location object must be updated in place")
	}
	if _, ok := d.GetPath("destination", "geo"); ok {
		t.Error("nothing for a private address")
	}
}

func TestWrongDatabaseKind(t *testing.T) {
	_, asn, country := testDBs(t)
	if _, err := OpenGeoIP(country, ""); err == nil || !strings.Contains(err.Error(), "not a City one") {
		t.Errorf("a Country database as the city database: %v", err)
	}
	if _, err := OpenGeoIP(asn, ""); err == nil {
		t.Error("an ASN database as the city database must be refused")
	}
	if _, err := OpenGeoIP("/nonexistent.mmdb", ""); err == nil {
		t.Error("missing file")
	}
}
