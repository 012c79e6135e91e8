package enrich

import (
	"encoding/binary"
	"net/netip"
)

// u128 is an IPv6 address (or any 128-bit key) as two big-endian halves,
// so that ranges compare and step with integer arithmetic.
type u128 struct{ hi, lo uint64 }

func (a u128) less(b u128) bool { return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo) }

// next is a+1 and whether it did not wrap past the largest address.
func (a u128) next() (u128, bool) {
	lo := a.lo + 1
	hi := a.hi
	if lo == 0 {
		hi++
		if hi == 0 {
			return u128{}, false
		}
	}
	return u128{hi, lo}, true
}

// top is the first n bits (n ≤ 32) as an integer.
func (a u128) top(n uint) uint32 { return uint32(a.hi >> (64 - n)) }

func key6(a netip.Addr) u128 {
	b := a.As16()
	return u128{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])}
}

func key4(a netip.Addr) uint32 {
	b := a.As4()
	return binary.BigEndian.Uint32(b[:])
}

// parsePyIP parses an address the way es-loader's IoC and trusted-proxy
// lookups accept one: only the characters [0-9a-fA-F:.] (so no zone), then
// Python's ipaddress.ip_address, whose rules (four decimal octets without
// leading zeros, RFC 4291 text for IPv6) are netip's.
func parsePyIP(s string) (netip.Addr, bool) {
	if s == "" || len(s) > 45 {
		return netip.Addr{}, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':' || c == '.') {
			return netip.Addr{}, false
		}
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a, true
}

// span is an inclusive address range of one family (IPv4 in the low 32
// bits of lo).
type span struct{ first, last u128 }

func (s span) contains(a u128) bool { return !a.less(s.first) && !s.last.less(a) }

// prefixSpan is the inclusive range a CIDR covers.
func prefixSpan(p netip.Prefix) span {
	p = p.Masked()
	bits := p.Addr().BitLen()
	first := addrKey(p.Addr())
	host := uint(bits - p.Bits()) // number of host bits
	last := first
	switch {
	case host == 0:
	case host >= 128:
		last = u128{^uint64(0), ^uint64(0)}
	case host >= 64:
		last.lo = ^uint64(0)
		last.hi |= (uint64(1) << (host - 64)) - 1
	default:
		last.lo |= (uint64(1) << host) - 1
	}
	return span{first, last}
}

// addrKey is an address as a u128: IPv6 as is, IPv4 in the low 32 bits.
func addrKey(a netip.Addr) u128 {
	if a.Is4() {
		return u128{0, uint64(key4(a))}
	}
	return key6(a)
}

// Python's ipaddress is_private, in the form CPython has had since the
// gh-113171 fix (3.11.10, 3.12.4, 3.13): es-loader never reports a private
// address as a threat.
var (
	privateV4 = mustSpans(
		"0.0.0.0/8", "10.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16",
		"172.16.0.0/12", "192.0.0.0/24", "192.0.0.170/31", "192.0.2.0/24",
		"192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
		"203.0.113.0/24", "240.0.0.0/4", "255.255.255.255/32")
	privateV4Except = mustSpans("192.0.0.9/32", "192.0.0.10/32")
	privateV6       = mustSpans(
		"::1/128", "::/128", "::ffff:0:0/96", "64:ff9b:1::/48", "100::/64",
		"2001::/23", "2001:db8::/32", "2002::/16", "fc00::/7", "fe80::/10")
	privateV6Except = mustSpans(
		"2001:1::1/128", "2001:1::2/128", "2001:3::/32", "2001:4:112::/48",
		"2001:20::/28", "2001:30::/28")
)

func mustSpans(cidrs ...string) []span {
	out := make([]span, len(cidrs))
	for i, c := range cidrs {
		out[i] = prefixSpan(netip.MustParsePrefix(c))
	}
	return out
}

func inSpans(a u128, spans []span) bool {
	for _, s := range spans {
		if s.contains(a) {
			return true
		}
	}
	return false
}

// isPrivate is Python's ip_address(s).is_private. An IPv4-mapped IPv6
// address is judged by its IPv4 address, as CPython does.
func isPrivate(a netip.Addr) bool {
	if a.Is4In6() {
		a = a.Unmap()
	}
	k := addrKey(a)
	if a.Is4() {
		return inSpans(k, privateV4) && !inSpans(k, privateV4Except)
	}
	return inSpans(k, privateV6) && !inSpans(k, privateV6Except)
}
