package enrich

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/siemloader/siemloader/normalize/pytime"
)

// IoCOptions adjusts LoadIoCWith.
type IoCOptions struct {
	// ExactDomainsOnly matches domain names only exactly, as es-loader
	// does; by default a parent domain listed as an indicator matches its
	// subdomains too.
	ExactDomainsOnly bool
	// NoBuiltins leaves out the two indicators es-loader's IoC database
	// always holds (provider "built-in": IMDS 169.254.169.254, which is
	// private and so never matches, and TEST 172.104.242.172/30).
	NoBuiltins bool
}

// FileError is a problem in one indicator file: the file is named, and the
// line when one line or object is at fault (0 for the whole file).
type FileError struct {
	File string
	Line int
	Msg  string
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// maxErrorsPerFile bounds what one hopelessly wrong file (a README in the
// TXT folder) adds to the problem list.
const maxErrorsPerFile = 20

// LoadIoC is LoadIoCWith with the default options.
func LoadIoC(dir string) (*IoC, []error, error) {
	return LoadIoCWith(dir, IoCOptions{})
}

// LoadIoCWith loads the indicator files of a folder laid out like
// es-loader's GeoIP bucket: TXT/<provider>/<file> (one IP address or CIDR
// per line) and STIX2/<provider>/<file> (STIX 2.x bundles), each possibly
// below an IOC/ folder; a file directly in TXT/ or STIX2/ belongs to
// provider "custom". Files are read as es-loader's database builder reads
// the bucket: TXT before STIX2, newest file first; an indicator already
// loaded for the same provider is skipped.
//
// Problems with single lines, objects or files are returned in the slice
// (each a *FileError) and the rest is loaded; the error is for a folder
// that cannot be read or holds neither TXT/ nor STIX2/.
func LoadIoCWith(dir string, opts IoCOptions) (*IoC, []error, error) {
	root := dir
	if st, err := os.Stat(filepath.Join(dir, "IOC")); err == nil && st.IsDir() {
		root = filepath.Join(dir, "IOC")
	}
	txt, txtErr := listIndicatorFiles(filepath.Join(root, "TXT"))
	stix, stixErr := listIndicatorFiles(filepath.Join(root, "STIX2"))
	if txtErr != nil && stixErr != nil {
		if errors.Is(txtErr, fs.ErrNotExist) && errors.Is(stixErr, fs.ErrNotExist) {
			return nil, nil, fmt.Errorf("IoC folder %s has neither a TXT nor a STIX2 folder (nor an IOC folder holding them)", dir)
		}
		return nil, nil, fmt.Errorf("IoC folder %s: %w", dir, errors.Join(txtErr, stixErr))
	}
	var problems []error
	for _, err := range []error{txtErr, stixErr} {
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			problems = append(problems, err)
		}
	}

	b := newIoCBuilder(opts)
	for _, f := range txt {
		problems = append(problems, b.addTXTFile(f)...)
	}
	for _, f := range stix {
		problems = append(problems, b.addSTIXFile(f)...)
	}
	return b.build(), problems, nil
}

// indicatorFile is one file of TXT/ or STIX2/.
type indicatorFile struct {
	path     string
	provider string
	name     string // the file name, es-loader's indicator name
	modTime  time.Time
}

func listIndicatorFiles(dir string) ([]indicatorFile, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, &FileError{File: dir, Msg: "is not a folder"}
	}
	var files []indicatorFile
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && path != dir {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		parts := strings.Split(filepath.ToSlash(rel), "/")
		provider := "custom"
		if len(parts) > 1 {
			provider = parts[0]
		}
		files = append(files, indicatorFile{path: path, provider: provider, name: d.Name(), modTime: info.ModTime()})
		return nil
	})
	if err != nil {
		return nil, err
	}
	// es-loader's builder takes the bucket's objects newest first
	slices.SortStableFunc(files, func(a, b indicatorFile) int {
		if c := b.modTime.Compare(a.modTime); c != 0 {
			return c
		}
		return strings.Compare(a.path, b.path)
	})
	return files, nil
}

type iocBuilder struct {
	opts       IoCOptions
	indicators []indicator
	r4         []keyRange[addr4]
	r6         []keyRange[u128]
	rangeInd   []uint32
	domains    map[string][]uint32
	domainSeen map[string]bool // provider + "\x00" + name
}

func newIoCBuilder(opts IoCOptions) *iocBuilder {
	b := &iocBuilder{opts: opts, domains: map[string][]uint32{}, domainSeen: map[string]bool{}}
	if !opts.NoBuiltins {
		imds := b.addIndicator(indicator{provider: "built-in", typ: "ipv4-addr", name: "IMDS"})
		b.addRange(imds, prefixSpan(netip.MustParsePrefix("169.254.169.254/32")), false)
		test := b.addIndicator(indicator{provider: "built-in", typ: "ipv4-addr", name: "TEST"})
		b.addRange(test, prefixSpan(netip.MustParsePrefix("172.104.242.172/30")), false)
	}
	return b
}

func (b *iocBuilder) addIndicator(ind indicator) uint32 {
	b.indicators = append(b.indicators, ind)
	return uint32(len(b.indicators) - 1)
}

func (b *iocBuilder) addRange(ind uint32, s span, v6 bool) {
	id := uint32(len(b.rangeInd))
	b.rangeInd = append(b.rangeInd, ind)
	if v6 {
		b.r6 = append(b.r6, keyRange[u128]{first: s.first, last: s.last, id: id})
	} else {
		b.r4 = append(b.r4, keyRange[addr4]{first: addr4(s.first.lo), last: addr4(s.last.lo), id: id})
	}
}

func (b *iocBuilder) addDomain(ind uint32, name string) {
	key := b.indicators[ind].provider + "\x00" + name
	if b.domainSeen[key] {
		return
	}
	b.domainSeen[key] = true
	b.domains[name] = append(b.domains[name], ind)
}

// addTXTFile loads one TXT file. Like es-loader's builder, the networks of
// a file are sorted and runs of adjacent ones become one range, all named
// after the file and dated with its modification time.
func (b *iocBuilder) addTXTFile(f indicatorFile) []error {
	fh, err := os.Open(f.path)
	if err != nil {
		return []error{&FileError{File: f.path, Msg: err.Error()}}
	}
	defer fh.Close()
	hint := 0
	if st, err := fh.Stat(); err == nil {
		hint = int(min(st.Size()/12, 1<<24)) // lines average about 12 bytes
	}
	nets, problems := parseTXT(f.path, fh, hint)
	if len(nets) == 0 {
		return problems
	}
	runs := mergeAdjacent(nets)
	b.rangeInd = slices.Grow(b.rangeInd, len(runs))
	b.r4 = slices.Grow(b.r4, len(runs))
	ind := b.addIndicator(indicator{
		provider: f.provider,
		name:     f.name,
		modified: f.modTime.UTC().Format("2006-01-02T15:04:05Z"),
	})
	v4Ind, v6Ind := ind, ind
	// the type is per range; a file of both families needs two rows
	for _, r := range runs {
		v6 := !r.v4
		typ := "ipv4-addr"
		if v6 {
			typ = "ipv6-addr"
		}
		target := &v4Ind
		if v6 {
			target = &v6Ind
		}
		if b.indicators[*target].typ == "" {
			b.indicators[*target].typ = typ
		} else if b.indicators[*target].typ != typ {
			meta := b.indicators[ind]
			meta.typ = typ
			*target = b.addIndicator(meta)
		}
		b.addRange(*target, r.span, v6)
	}
	return problems
}

// parseTXT reads one IP address or network per line. Blank lines and lines
// starting with '#' are skipped; anything else that is not an address or
// a network is reported with its line and skipped.
func parseTXT(name string, r io.Reader, sizeHint int) ([]netip.Prefix, []error) {
	nets := make([]netip.Prefix, 0, sizeHint)
	var problems []error
	more := 0
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		text = strings.TrimFunc(text, isPySpace)
		if text == "" || text[0] == '#' {
			continue
		}
		p, err := parsePyNetwork(text)
		if err != nil {
			if len(problems) < maxErrorsPerFile {
				problems = append(problems, &FileError{File: name, Line: line, Msg: err.Error()})
			} else {
				more++
			}
			continue
		}
		nets = append(nets, p)
	}
	if err := sc.Err(); err != nil {
		problems = append(problems, &FileError{File: name, Line: line + 1, Msg: "cannot read further: " + err.Error()})
	}
	if more > 0 {
		problems = append(problems, &FileError{File: name, Msg: fmt.Sprintf("%d more malformed lines", more)})
	}
	return nets, problems
}

// isPySpace is what Python's str.strip removes.
func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// parsePyNetwork is Python's ipaddress.ip_network(s) (strict): an address
// (a single-address network) or address/prefix-length, or for IPv4
// address/netmask or address/hostmask; set host bits are an error.
func parsePyNetwork(s string) (netip.Prefix, error) {
	addrText, maskText, hasMask := strings.Cut(s, "/")
	a, err := netip.ParseAddr(addrText)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("%q is not an IP address or network", s)
	}
	bits := a.BitLen()
	if hasMask {
		n, ok := smallIndex(maskText)
		switch {
		case ok && n <= a.BitLen():
			bits = n
		case !ok && a.Is4():
			n, ok := ipv4MaskBits(maskText)
			if !ok {
				return netip.Prefix{}, fmt.Errorf("%q has an invalid netmask", s)
			}
			bits = n
		default:
			return netip.Prefix{}, fmt.Errorf("%q has an invalid prefix length", s)
		}
	}
	p := netip.PrefixFrom(a, bits)
	if p.Masked() != p {
		return netip.Prefix{}, fmt.Errorf("%q has host bits set (the network is %s)", s, p.Masked())
	}
	return p, nil
}

// ipv4MaskBits reads a dotted netmask (255.255.255.0) or hostmask
// (0.0.0.255) as Python's IPv4Network does.
func ipv4MaskBits(s string) (int, bool) {
	m, err := netip.ParseAddr(s)
	if err != nil || !m.Is4() {
		return 0, false
	}
	v := key4(m)
	if n, ok := contiguousOnes(v); ok {
		return n, true
	}
	if n, ok := contiguousOnes(^v); ok {
		return n, true
	}
	return 0, false
}

// contiguousOnes is the length of a netmask made of leading one bits.
func contiguousOnes(v uint32) (int, bool) {
	n := 0
	for n < 32 && v&(1<<(31-n)) != 0 {
		n++
	}
	if n < 32 && v<<n != 0 {
		return 0, false
	}
	return n, true
}

type familySpan struct {
	span span
	v4   bool
}

// mergeAdjacent sorts networks as Python sorts them (IPv4 first, then by
// address, then by netmask) and joins each network that starts right
// after the previous one's end into its run, as es-loader's builder does.
func mergeAdjacent(nets []netip.Prefix) []familySpan {
	slices.SortFunc(nets, func(a, b netip.Prefix) int {
		if a.Addr().Is4() != b.Addr().Is4() {
			if a.Addr().Is4() {
				return -1
			}
			return 1
		}
		if c := a.Addr().Compare(b.Addr()); c != 0 {
			return c
		}
		return a.Bits() - b.Bits()
	})
	out := make([]familySpan, 0, len(nets))
	var lastAdded u128
	for i, p := range nets {
		s := prefixSpan(p)
		v4 := p.Addr().Is4()
		if i > 0 && out[len(out)-1].v4 == v4 {
			if n, ok := lastAdded.next(); ok && n == s.first {
				out[len(out)-1].span.last = s.last
				lastAdded = s.last
				continue
			}
		}
		out = append(out, familySpan{span: s, v4: v4})
		lastAdded = s.last
	}
	return out
}

// addSTIXFile loads the IP and domain-name indicators of one STIX 2.x
// bundle.
func (b *iocBuilder) addSTIXFile(f indicatorFile) []error {
	data, err := os.ReadFile(f.path)
	if err != nil {
		return []error{&FileError{File: f.path, Msg: err.Error()}}
	}
	items, problems := parseSTIX(f.path, data)
	for _, it := range items {
		name := f.name
		if it.name != "" {
			name = f.name + ": " + it.name
		}
		ind := b.addIndicator(indicator{
			provider:    f.provider,
			typ:         it.typ,
			name:        name,
			firstSeen:   it.firstSeen,
			lastSeen:    it.lastSeen,
			modified:    it.modified,
			description: it.description,
		})
		if it.typ == "domain-name" {
			b.addDomain(ind, it.domain)
			continue
		}
		b.addRange(ind, prefixSpan(it.network), it.typ == "ipv6-addr")
	}
	return problems
}

// build de-duplicates the ranges per provider (the first loaded wins, as
// with the database's unique key) and indexes them.
func (b *iocBuilder) build() *IoC {
	x := &IoC{
		rangeInd:   b.rangeInd,
		indicators: b.indicators,
		domains:    b.domains,
		exactOnly:  b.opts.ExactDomainsOnly,
	}
	r4 := dedupRanges(b.r4, b.rangeInd, b.indicators)
	r6 := dedupRanges(b.r6, b.rangeInd, b.indicators)
	x.v4 = buildTable(r4, addr4(0), fromTop4)
	x.v6 = buildTable(r6, u128{}, fromTop6)

	counts := map[[2]string]int{}
	var order [][2]string
	count := func(k [2]string) {
		if counts[k] == 0 {
			order = append(order, k)
		}
		counts[k]++
	}
	for _, r := range r4 {
		ind := &b.indicators[b.rangeInd[r.id]]
		count([2]string{ind.provider, ind.typ})
	}
	for _, r := range r6 {
		ind := &b.indicators[b.rangeInd[r.id]]
		count([2]string{ind.provider, ind.typ})
	}
	for _, inds := range b.domains {
		for _, i := range inds {
			count([2]string{b.indicators[i].provider, "domain-name"})
		}
	}
	slices.SortFunc(order, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	for _, k := range order {
		x.summary = append(x.summary, IoCCount{Provider: k[0], Type: k[1], Count: counts[k]})
	}
	return x
}

func dedupRanges[K tableKey[K]](ranges []keyRange[K], rangeInd []uint32, inds []indicator) []keyRange[K] {
	if len(ranges) < 2 {
		return ranges
	}
	sorted := slices.Clone(ranges)
	slices.SortFunc(sorted, func(a, b keyRange[K]) int {
		if c := strings.Compare(inds[rangeInd[a.id]].provider, inds[rangeInd[b.id]].provider); c != 0 {
			return c
		}
		if c := cmpKey(a.first, b.first); c != 0 {
			return c
		}
		if c := cmpKey(a.last, b.last); c != 0 {
			return c
		}
		return int(a.id) - int(b.id)
	})
	drop := map[uint32]bool{}
	for i := 1; i < len(sorted); i++ {
		p, c := sorted[i-1], sorted[i]
		if p.first == c.first && p.last == c.last && inds[rangeInd[p.id]].provider == inds[rangeInd[c.id]].provider {
			drop[c.id] = true
		}
	}
	if len(drop) == 0 {
		return ranges
	}
	out := make([]keyRange[K], 0, len(ranges)-len(drop))
	for _, r := range ranges {
		if !drop[r.id] {
			out = append(out, r)
		}
	}
	return out
}

// isoSeconds is es-loader's _convert_str_to_isoformat: an ISO 8601 time as
// UTC to the second with a Z, or "" when it is not one.
func isoSeconds(s string) string {
	if s == "" {
		return ""
	}
	// naive times are the builder's local time, UTC in Lambda
	t, ok := pytime.FromISOFormat(strings.ReplaceAll(s, "Z", "+00:00"), time.UTC)
	if !ok {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// lineCounter gives the 1-based line of byte offsets of data, counting
// incrementally as offsets grow.
type lineCounter struct {
	data []byte
	off  int
	line int
}

func (c *lineCounter) at(off int) int {
	if off < c.off {
		c.off, c.line = 0, 1
	}
	if c.line == 0 {
		c.line = 1
	}
	off = min(off, len(c.data))
	c.line += bytes.Count(c.data[c.off:off], []byte{'\n'})
	c.off = off
	return c.line
}
