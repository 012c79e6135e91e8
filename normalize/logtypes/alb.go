package logtypes

import (
	"regexp"
	"strings"

	"github.com/siemloader/siemloader/conf"
	"github.com/siemloader/siemloader/normalize/pyjson"
)

// Application Load Balancer access logs ([alb]): url.full is the URL of
// the request line ("GET https://host:443/path HTTP/1.1").

func init() {
	register("alb", transformALB)
	registerFlat("alb", planALB)
	registerLineRescue("alb", rescueALBRetries)
}

// The built-in pattern allows one target in target_port_list and
// target_status_code_list ("[^\s]+"), but a retried request lists every
// target it tried, space-separated: es-loader drops such lines. The rescue
// is the same pattern with the two lists allowed to hold spaces.
var albRetries = func() *regexp.Regexp {
	cfg, err := conf.ParseBytes()
	if err != nil {
		panic(err)
	}
	src, _, err := cfg.Get("alb", "log_pattern")
	if err != nil {
		panic(err)
	}
	relaxed := strings.NewReplacer(
		`\"(?P<target_port_list>[^\s]+)\"`, `\"(?P<target_port_list>[^"]+)\"`,
		`\"(?P<target_status_code_list>[^\s]+)\"`, `\"(?P<target_status_code_list>[^"]+)\"`,
	).Replace(src)
	if relaxed == src {
		panic("logtypes: the alb log_pattern no longer has the target lists this rescue relaxes")
	}
	return regexp.MustCompile(`^(?:` + conf.TranslatePython(relaxed) + `)`)
}()

func rescueALBRetries(line string) (*pyjson.Map, bool) { return regexGroups(albRetries, line) }

// transformALB sets url.full and, for retried requests, adds every target
// address to related.ip.
func transformALB(r *Record) error {
	if err := transformELBRequestURL(r); err != nil {
		return err
	}
	list, _ := r.Doc.GetString("target_port_list")
	if !strings.Contains(list, " ") {
		return nil
	}
	var ips []string
	if rel, ok := r.Doc.GetPath("related", "ip"); ok {
		if l, ok := rel.([]any); ok {
			for _, v := range l {
				if s, ok := v.(string); ok {
					ips = append(ips, s)
				}
			}
		}
	}
	r.Doc.Child("related").Set("ip", SortedUniqueStrings(appendTargetIPs(ips, list)))
	return nil
}

// transformELBRequestURL sets url.full from the second token of the
// quoted request; ALB and CLB logs share it.
func transformELBRequestURL(r *Record) error {
	req, ok := r.Doc.GetString("request")
	if !ok {
		return nil
	}
	parts := strings.Split(req, " ")
	if len(parts) < 2 {
		return nil
	}
	r.Doc.Child("url").Set("full", parts[1])
	return nil
}

// planALB is transformALB for the flat path.
func planALB(b FlatBinder) (FlatTransform, bool) {
	url, _ := planELBRequestURL(b)
	ports, related := b.Raw("target_port_list"), b.Field("related.ip")
	return func(r *FlatRecord) {
		url(r)
		list, _ := r.Fields.Get(ports)
		if !strings.Contains(list, " ") {
			return
		}
		have, _ := r.List(related)
		ips := appendTargetIPs(append([]string(nil), have...), list)
		r.SetList(related, SortUnique(ips))
	}, true
}

// planELBRequestURL is transformELBRequestURL for the flat path: url.full
// is the second space-separated word of the request.
func planELBRequestURL(b FlatBinder) (FlatTransform, bool) {
	request, full := b.Raw("request"), b.Field("url.full")
	return func(r *FlatRecord) {
		req, ok := r.Fields.Get(request)
		if !ok {
			return
		}
		i := strings.IndexByte(req, ' ')
		if i < 0 {
			return
		}
		rest := req[i+1:]
		if j := strings.IndexByte(rest, ' '); j >= 0 {
			rest = rest[:j]
		}
		r.SetStr(full, rest)
	}, true
}

// appendTargetIPs appends the addresses of a retried request's targets
// ("ip:port ip:port ...", IPv6 in brackets).
func appendTargetIPs(ips []string, list string) []string {
	for _, target := range strings.Fields(list) {
		host := target
		if i := strings.LastIndexByte(target, ':'); i > 0 {
			host = strings.Trim(target[:i], "[]")
		}
		if ValidIP(host) {
			ips = append(ips, host)
		}
	}
	return ips
}
