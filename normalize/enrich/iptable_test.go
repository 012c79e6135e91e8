package enrich

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
)

// bruteMembers is what the table must answer: every range holding k,
// highest first address first, then latest loaded first.
func bruteMembers[K tableKey[K]](ranges []keyRange[K], k K) []uint32 {
	var hit []keyRange[K]
	for _, r := range ranges {
		if !k.less(r.first) && !r.last.less(k) {
			hit = append(hit, r)
		}
	}
	slices.SortFunc(hit, func(a, b keyRange[K]) int {
		if c := cmpKey(b.first, a.first); c != 0 {
			return c
		}
		return int(b.id) - int(a.id)
	})
	var ids []uint32
	for _, r := range hit {
		ids = append(ids, r.id)
	}
	return ids
}

func TestAddrTableMatchesBruteForceV4(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 30; round++ {
		// a small address space makes nesting and overlap frequent
		var ranges []keyRange[addr4]
		n := rng.IntN(40)
		for i := 0; i < n; i++ {
			a := addr4(rng.Uint32N(2000))
			b := a + addr4(rng.Uint32N(300))
			if rng.IntN(10) == 0 {
				b = ^addr4(0) // up to the very last address
			}
			if rng.IntN(10) == 0 {
				a = 0
			}
			ranges = append(ranges, keyRange[addr4]{first: a, last: b, id: uint32(i)})
		}
		tab := buildTable(ranges, addr4(0), fromTop4)
		probe := func(k addr4) {
			t.Helper()
			got := tab.appendMembers(nil, tab.find(k))
			want := bruteMembers(ranges, k)
			if !slices.Equal(got, want) {
				t.Fatalf("round %d, address %d: got %v, want %v (ranges %v)", round, k, got, want, ranges)
			}
		}
		for k := addr4(0); k < 2400; k++ {
			probe(k)
		}
		for _, k := range []addr4{^addr4(0), ^addr4(0) - 1, 1 << 31, 1<<24 + 5} {
			probe(k)
		}
	}
}

func TestAddrTableMatchesBruteForceV6(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pick := func() u128 {
		// addresses around a few bucket boundaries and the ends
		switch rng.IntN(4) {
		case 0:
			return u128{hi: 0x2001_0db8_0000_0000, lo: rng.Uint64N(500)}
		case 1:
			return u128{hi: 0x2001_0db8_0000_0000 + rng.Uint64N(3), lo: ^uint64(0) - rng.Uint64N(100)}
		case 2:
			return u128{hi: ^uint64(0), lo: ^uint64(0) - rng.Uint64N(100)}
		}
		return u128{lo: rng.Uint64N(100)}
	}
	for round := 0; round < 30; round++ {
		var ranges []keyRange[u128]
		for i := 0; i < rng.IntN(30); i++ {
			a, b := pick(), pick()
			if b.less(a) {
				a, b = b, a
			}
			ranges = append(ranges, keyRange[u128]{first: a, last: b, id: uint32(i)})
		}
		tab := buildTable(ranges, u128{}, fromTop6)
		var probes []u128
		for _, r := range ranges {
			probes = append(probes, r.first, r.last)
			if n, ok := r.last.next(); ok {
				probes = append(probes, n)
			}
		}
		for i := 0; i < 200; i++ {
			probes = append(probes, pick())
		}
		for _, k := range probes {
			got := tab.appendMembers(nil, tab.find(k))
			want := bruteMembers(ranges, k)
			if !slices.Equal(got, want) {
				t.Fatalf("round %d, address %x: got %v, want %v", round, k, got, want)
			}
		}
	}
}

func TestPrefixSpan(t *testing.T) {
	for _, c := range []struct {
		cidr        string
		first, last string
	}{
		{"1.2.3.0/24", "1.2.3.0", "1.2.3.255"},
		{"0.0.0.0/0", "0.0.0.0", "255.255.255.255"},
		{"2001:db8::/32", "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"},
		{"2001:db8::/80", "2001:db8::", "2001:db8::ffff:ffff:ffff"},
		{"::/0", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
		{"2001:db8::1/128", "2001:db8::1", "2001:db8::1"},
	} {
		s := prefixSpan(netip.MustParsePrefix(c.cidr))
		if s.first != addrKey(netip.MustParseAddr(c.first)) || s.last != addrKey(netip.MustParseAddr(c.last)) {
			t.Errorf("%s: got %x-%x", c.cidr, s.first, s.last)
		}
	}
}

func TestIsPrivateAsPython(t *testing.T) {
	for ip, want := range map[string]bool{
		"10.1.2.3": true, "172.31.255.255": true, "172.32.0.1": false,
		"192.168.0.1": true, "127.0.0.1": true, "169.254.169.254": true,
		"100.64.0.1": false, // shared address space is neither private nor global
		"192.0.0.9":  false, "192.0.0.8": true, "198.51.100.7": true,
		"8.8.8.8": false, "255.255.255.255": true, "240.0.0.1": true,
		"::1": true, "fe80::1": true, "fd00::1": true, "2001:db8::1": true,
		"2001:4860:4860::8888": false, "2001:20::1": false, "2002::1": true,
		"::ffff:10.0.0.1": true, "::ffff:8.8.8.8": false,
	} {
		if got := isPrivate(netip.MustParseAddr(ip)); got != want {
			t.Errorf("%s: is_private %v, want %v", ip, got, want)
		}
	}
}

func TestParsePyIP(t *testing.T) {
	for s, ok := range map[string]bool{
		"1.2.3.4": true, "2001:db8::1": true, "::ffff:1.2.3.4": true,
		"01.2.3.4": false, "1.2.3": false, "fe80::1%eth0": false, "": false,
		" 1.2.3.4": false, "1.2.3.4\n": false, "example.com": false,
	} {
		if _, got := parsePyIP(s); got != ok {
			t.Errorf("%q: parsed %v, want %v", s, got, ok)
		}
	}
}
