package logtypes

import (
	"fmt"
	"strings"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// ElastiCache for Redis slow logs ([elasticache-redis-slowlog], JSON
// delivered through Firehose): ClientAddress "ip:port" becomes source.ip,
// source.port, source.address and related.ip (the generic mapping cannot
// take source.ip from it: "ip:port" is not an address). The source object
// is replaced, as es-loader does.
//
// An address without a port makes es-loader's script raise; here the
// record is left as the generic mapping made it and the error counted.

func init() { register("elasticache-redis-slowlog", transformElastiCacheRedisSlowLog) }

func transformElastiCacheRedisSlowLog(r *Record) error {
	d := r.Doc
	v, ok := d.Get("ClientAddress")
	if !ok || !pyjson.Truthy(v) {
		return nil
	}
	addr, ok := v.(string)
	if !ok {
		return fmt.Errorf("ClientAddress is %T, not text", v)
	}
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		return fmt.Errorf("ClientAddress %q has no port", addr)
	}
	ip, port := addr[:i], addr[i+1:]
	src := pyjson.NewMap(4)
	src.Set("ip", ip)
	src.Set("port", port)
	src.Set("address", ip)
	d.Set("source", src)
	d.Child("related").Set("ip", []any{ip})
	return nil
}
