package normalize

import (
	"regexp"
	"strings"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// ownLogPattern is one of es-loader's built-in exclusion patterns for the
// loader's own activity (ignore_own_logs): nested field → regex, where the
// first field present decides (es-loader's match_log_with_exclude_patterns
// returns on the first nested object it meets).
type ownLogPattern []patternItem

type patternItem struct {
	key string
	re  *regexp.Regexp
	// needles: a value can only match if it contains one of these; checking
	// them first keeps the regex off nearly every record.
	needles []string
	sub     ownLogPattern
}

// The literal alternatives every match of a pattern must contain.
var (
	funcNeedles = []string{"aes-siem-ioc-download", "aes-siem-ioc-plan", "aes-siem-ioc-createdb", "aes-siem-es-loader", "aes-siem-index-metrics-exporter", "SecurityLake_Glue_Partition_Updater_Lambda"}
	roleNeedles = []string{"LambdaEsLoaderServiceRole", "AmazonSecurityLakeS3ReplicationRole"}
	srcNeedles  = []string{"securitylake.amazonaws.com"}
)

func anchored(expr string) *regexp.Regexp { return regexp.MustCompile(`^(?:` + expr + `)`) }

// ownLogPatterns builds the patterns for the loader's user agent name.
func ownLogPatterns(userAgent string) map[string][]ownLogPattern {
	var uas []string
	for _, u := range []string{userAgent, "AesSiemEsLoader", "siem-ioc-db-creator"} {
		if u != "" {
			uas = append(uas, regexp.QuoteMeta(u))
		}
	}
	ua := anchored(`.*(` + strings.Join(uas, "|") + `).*`)
	var uaNeedles []string
	for _, u := range []string{userAgent, "AesSiemEsLoader", "siem-ioc-db-creator"} {
		if u != "" {
			uaNeedles = append(uaNeedles, u)
		}
	}
	funcs := `(aes-siem-ioc-download|aes-siem-ioc-plan|aes-siem-ioc-createdb|aes-siem-es-loader|aes-siem-index-metrics-exporter|SecurityLake_Glue_Partition_Updater_Lambda.*)`
	fn := `arn.*` + funcs
	reFunc := anchored(fn)
	rePrincipal := anchored(`AROA.*` + funcs)
	role := `arn.*(LambdaEsLoaderServiceRole|AmazonSecurityLakeS3ReplicationRole).*`
	reRole := anchored(role)
	src := `securitylake\.amazonaws\.com`
	reSrc := anchored(src)
	reAgent := anchored(`(arn:.*` + fn + `|` + role + `|svc:` + src + `)`)
	leaf := func(k string, re *regexp.Regexp) patternItem {
		it := patternItem{key: k, re: re}
		switch re {
		case ua:
			it.needles = uaNeedles
		case reFunc, rePrincipal:
			it.needles = funcNeedles
		case reRole:
			it.needles = roleNeedles
		case reSrc:
			it.needles = srcNeedles
		case reAgent:
			it.needles = append(append(append([]string{}, funcNeedles...), roleNeedles...), srcNeedles...)
		}
		return it
	}
	node := func(k string, sub ...patternItem) patternItem { return patternItem{key: k, sub: sub} }
	return map[string][]ownLogPattern{
		"cloudtrail": {
			{leaf("userAgent", ua), leaf("sourceIPAddress", reSrc), node("userIdentity", leaf("principalId", rePrincipal), leaf("arn", reRole))},
			{node("requestParameters", leaf("functionName", reFunc), leaf("roleArn", reRole))},
		},
		"s3accesslog": {
			{leaf("Requester", reAgent), leaf("UserAgent", ua)},
		},
		"securitylake": {
			{node("src_endpoint", leaf("domain", reSrc))},
			{node("resources", leaf("uid", reFunc))},
			{node("actor", node("user", leaf("uid", rePrincipal)))},
			{node("actor", node("session", leaf("issuer", reRole)))},
		},
	}
}

func matchOwnLog(d *pyjson.Map, pats []ownLogPattern) bool {
	for _, p := range pats {
		if p.match(d) {
			return true
		}
	}
	return false
}

func (p ownLogPattern) match(d *pyjson.Map) bool {
	for _, it := range p {
		v, ok := d.Get(it.key)
		if !ok {
			continue
		}
		if it.sub != nil {
			switch x := v.(type) {
			case *pyjson.Map:
				return it.sub.match(x)
			case []any:
				if len(x) == 0 {
					continue
				}
				if m, ok := x[0].(*pyjson.Map); ok {
					return it.sub.match(m)
				}
				return false
			}
			continue
		}
		sv := pyjson.Str(v)
		if len(it.needles) > 0 && !containsAny(sv, it.needles) {
			continue
		}
		if it.re.MatchString(sv) {
			return true
		}
	}
	return false
}

func containsAny(s string, needles []string) bool {
	for _, n := range needles {
		if strings.Contains(s, n) {
			return true
		}
	}
	return false
}
