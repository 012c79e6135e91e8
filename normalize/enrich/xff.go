package enrich

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// TrustedProxies is the X-Forwarded-For step of es-loader (`clientip_xff
// = <client ip field> <xff field>`): when the address that connected is a
// trusted proxy, the client is the last address of X-Forwarded-For that
// is not one. es-loader reads its trusted proxies from a database in its
// GeoIP bucket; here they are a list of addresses and CIDRs. Without any,
// the step does nothing, as in es-loader without that database. Safe for
// concurrent use.
type TrustedProxies struct {
	v4 *addrTable[addr4]
	v6 *addrTable[u128]
	n  int
}

// ParseTrustedProxies reads addresses and networks ("10.0.0.0/8",
// "2001:db8::/32", "192.0.2.10"). A network with host bits set is refused,
// as a likely typo.
func ParseTrustedProxies(cidrs []string) (*TrustedProxies, error) {
	var nets []netip.Prefix
	var errs []error
	for _, c := range cidrs {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		p, err := parsePyNetwork(c)
		if err != nil {
			errs = append(errs, fmt.Errorf("trusted proxy %v", err))
			continue
		}
		nets = append(nets, p)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return newTrustedProxies(nets), nil
}

// LoadTrustedProxiesFile reads one address or network per line ('#'
// starts a comment line); a bad line is an error naming it.
func LoadTrustedProxiesFile(path string) (*TrustedProxies, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("trusted proxies: %w", err)
	}
	defer f.Close()
	nets, problems := parseTXT(path, f, 0)
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	return newTrustedProxies(nets), nil
}

func newTrustedProxies(nets []netip.Prefix) *TrustedProxies {
	var r4 []keyRange[addr4]
	var r6 []keyRange[u128]
	for i, p := range nets {
		s := prefixSpan(p)
		if p.Addr().Is4() {
			r4 = append(r4, keyRange[addr4]{first: addr4(s.first.lo), last: addr4(s.last.lo), id: uint32(i)})
		} else {
			r6 = append(r6, keyRange[u128]{first: s.first, last: s.last, id: uint32(i)})
		}
	}
	return &TrustedProxies{
		v4: buildTable(r4, addr4(0), fromTop4),
		v6: buildTable(r6, u128{}, fromTop6),
		n:  len(nets),
	}
}

// Len is the number of trusted addresses and networks.
func (t *TrustedProxies) Len() int {
	if t == nil {
		return 0
	}
	return t.n
}

// Trusted reports whether ip is in a trusted network; anything that is
// not an address in Python's notation is not.
func (t *TrustedProxies) Trusted(ip string) bool {
	if t == nil {
		return false
	}
	a, ok := parsePyIP(ip)
	if !ok {
		return false
	}
	if a.Is4() {
		return t.v4.find(addr4(key4(a))) != noSet
	}
	return t.v6.find(key6(a)) != noSet
}

// ClientIP is es-loader's select_clientip_from_xff: the source itself when
// it is not a trusted proxy (a client may forge X-Forwarded-For), else the
// last entry of xff that is not a trusted proxy, else "". Entries that are
// not addresses are passed over.
func (t *TrustedProxies) ClientIP(source string, xff []string) string {
	if !t.Trusted(source) {
		return source
	}
	for i := len(xff) - 1; i >= 0; i-- {
		ip := strings.TrimSpace(xff[i])
		if _, ok := parsePyIP(ip); !ok {
			continue
		}
		if !t.Trusted(ip) {
			return ip
		}
	}
	return ""
}

// Enrich applies a section's clientip_xff ([client ip field, xff field],
// dotted paths): the client ip field is replaced by the client address
// when the connecting address is a trusted proxy. The xff field may hold
// a list (as the nginx and apache transforms leave it) or the raw header
// text.
func (t *TrustedProxies) Enrich(doc *pyjson.Map, clientIPXFF []string) {
	if t.Len() == 0 || doc == nil || len(clientIPXFF) != 2 {
		return
	}
	clientField, xffField := clientIPXFF[0], clientIPXFF[1]
	v, ok := digDotted(doc, xffField)
	if !ok || !pyjson.Truthy(v) {
		return
	}
	var xff []string
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if s, ok := asString(e); ok {
				xff = append(xff, s)
			}
		}
	default:
		s, ok := asString(x)
		if !ok {
			return
		}
		// the header as sent: es-loader's parse_xff splits it
		xff = strings.Split(s, ",")
	}
	sv, ok := digDotted(doc, clientField)
	if !ok {
		return
	}
	source, ok := asString(sv)
	if !ok {
		return
	}
	client := t.ClientIP(source, xff)
	if client == "" || client == source {
		return
	}
	doc.SetPath(client, strings.Split(clientField, ".")...)
}
