package logtypes

import (
	"net/netip"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// validIP is Python's ipaddress.ip_address(s) succeeding.
func validIP(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}

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
