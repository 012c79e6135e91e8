package logtypes

import (
	"strings"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// Route 53 Resolver query logs ([route53resolver]): JSON lines. The ECS
// mapping takes the query name and the first answer as they are, with the
// trailing dot of a fully qualified name; the transform removes it from
// dns.question.name and dns.answers.data.

func init() { register("route53resolver", transformRoute53Resolver) }

func transformRoute53Resolver(r *Record) error {
	v, ok := r.Doc.Get("dns")
	if !ok {
		return nil
	}
	dns, ok := v.(*pyjson.Map)
	if !ok {
		return nil
	}
	trimTrailingDots(dns, "question", "name")
	trimTrailingDots(dns, "answers", "data")
	return nil
}

// trimTrailingDots is s.rstrip('.') on the string at m[obj][key]; anything
// else is left alone.
func trimTrailingDots(m *pyjson.Map, obj, key string) {
	v, ok := m.Get(obj)
	if !ok {
		return
	}
	o, ok := v.(*pyjson.Map)
	if !ok {
		return
	}
	s, ok := o.GetString(key)
	if !ok || !strings.HasSuffix(s, ".") {
		return
	}
	o.Set(key, strings.TrimRight(s, "."))
}
