package logtypes

import (
	"regexp"
	"slices"
	"testing"

	"github.com/siemloader/siemloader/conf"
	"github.com/siemloader/siemloader/normalize/pyjson"
)

// lineReaders are the rescues and variants of issue 3 with the section
// whose groups they must return.
var lineReaders = []struct {
	section string
	read    func(string) (*pyjson.Map, bool)
}{
	{"rds-postgresql", rescuePostgreSQLLine},
	{"rds-mysql-general", rescueMySQLGeneralLine},
	{"rds-mysql-slowquery", rescueMySQLSlowQueryEntry},
	{"apache-error", parseApacheErrorWithoutMicroseconds},
}

// FuzzLineRescues: on any line the rescues and variants neither panic nor
// return other fields than the built-in pattern's groups, in its order.
func FuzzLineRescues(f *testing.F) {
	for _, s := range []string{
		"2014-11-07 19:41:36 UTC::@:[24714]:LOG:started streaming WAL from primary at 0/1000000 on timeline 1",
		"2024-05-20 13:22:41 UTC:10.0.1.25(52114):app@orders:[3639]:LOG:  connection authorized: user=app",
		"201210 20:58:16\t424242 Query\tSELECT 1",
		"# Time: 2018-08-07T16:27:47.169604+08:00\n# User@Host: root[root] @  [218.76.8.37]  Id:  7234\n# Query_time: 15.000223  Lock_time: 0.000000 Rows_sent: 1\nselect sleep(15);",
		"# User@Host: u[u] @ localhost []\n# Query_time: 1  Lock_time: 0\nSELECT 1;",
		"[Mon Dec 26 16:22:08 2016] [error] [client 192.168.33.1] File does not exist: /var/www/favicon.ico",
		"[Mon Dec 26 16:22:08 2016] [error]",
		"",
	} {
		f.Add(s)
	}
	cfg, err := conf.ParseBytes()
	if err != nil {
		f.Fatal(err)
	}
	names := map[string][]string{}
	for _, lr := range lineReaders {
		src, _, err := cfg.Get(lr.section, "log_pattern")
		if err != nil {
			f.Fatal(err)
		}
		for _, n := range regexp.MustCompile(conf.TranslatePython(src)).SubexpNames() {
			if n != "" {
				names[lr.section] = append(names[lr.section], n)
			}
		}
	}
	f.Fuzz(func(t *testing.T, line string) {
		for _, lr := range lineReaders {
			m, ok := lr.read(line)
			if !ok {
				continue
			}
			if got := m.Keys(); !slices.Equal(got, names[lr.section]) {
				t.Fatalf("%s: fields %v, want %v", lr.section, got, names[lr.section])
			}
		}
	})
}
