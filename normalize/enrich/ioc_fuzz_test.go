package enrich

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParseTXT(f *testing.F) {
	f.Add("1.2.3.4\n5.6.7.0/24\n# comment\n\n2001:db8::/32\n")
	f.Add("\ufeff1.2.3.4\r\n1.2.3.4/24\nnot an ip\n1.2.3.0/255.255.255.0\n")
	f.Add(strings.Repeat("x\n", 50))
	f.Fuzz(func(t *testing.T, text string) {
		nets, problems := parseTXT("list.txt", strings.NewReader(text), 0)
		for _, p := range nets {
			if p.Masked() != p {
				t.Fatalf("%s has host bits set", p)
			}
		}
		lines := strings.Count(text, "\n") + 1
		for _, err := range problems {
			var fe *FileError
			if !errors.As(err, &fe) || fe.File != "list.txt" || fe.Line > lines+1 {
				t.Fatalf("problem %v", err)
			}
		}
		mergeAdjacent(nets)
	})
}

func FuzzParseSTIX(f *testing.F) {
	f.Add([]byte(vendorBundle))
	f.Add([]byte(`{"type": "bundle", "id": "b", "objects": [{"pattern": "[domain-name:value = 'a.example']"}, 5, {"pattern": 7}]}`))
	f.Add([]byte(`{"id": "b", "objects": [{"pattern": "[ipv6-addr:value ISSUBSET '2001:db8::/33']"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		items, problems := parseSTIX("b.json", data)
		for _, it := range items {
			switch it.typ {
			case "ipv4-addr", "ipv6-addr":
				if !it.network.IsValid() || it.network.Addr().Is4() != (it.typ == "ipv4-addr") {
					t.Fatalf("item %+v", it)
				}
			case "domain-name":
				if it.domain == "" {
					t.Fatal("empty domain")
				}
			default:
				t.Fatalf("type %q", it.typ)
			}
		}
		for _, err := range problems {
			var fe *FileError
			if !errors.As(err, &fe) || fe.File != "b.json" || fe.Line < 0 {
				t.Fatalf("problem %v", err)
			}
		}
	})
}

func FuzzPyUnquote(f *testing.F) {
	f.Add("Mozilla/5.0%20(X11)")
	f.Add("%e2%82%ac%ff%f0%9f%98é%2")
	f.Fuzz(func(t *testing.T, s string) {
		out := pyUnquote(s)
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("unquote(%q) = %q is not UTF-8", s, out)
		}
		if !strings.Contains(s, "%") && out != s {
			t.Fatal("changed a string without escapes")
		}
	})
}
