package logtypes

import (
	"net/netip"
	"strings"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// ValidIP is Python's ipaddress.ip_address(s) succeeding. Python refuses a
// '%' inside an IPv6 scope id, which netip accepts.
func ValidIP(s string) bool {
	// Host names and "-" are common where an address may be; refusing
	// them here spares netip the error it would allocate.
	if !strings.Contains(s, ":") {
		for i := 0; i < len(s); i++ {
			if c := s[i]; (c < '0' || c > '9') && c != '.' {
				return false
			}
		}
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return false
	}
	return !strings.Contains(a.Zone(), "%")
}

func validIP(s string) bool { return ValidIP(s) }

// isIPv4 reports whether s is a valid IPv4 address.
func isIPv4(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
}

// str returns the string at path, or "".
func str(m *pyjson.Map, path ...string) string {
	s, _ := m.GetString(path...)
	return s
}
