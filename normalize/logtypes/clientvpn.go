package logtypes

import (
	"strings"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// AWS Client VPN connection logs ([clientvpn], JSON through CloudWatch
// Logs). The transform sets event.outcome from connection-attempt-status,
// error.message from a failure reason other than "NA", network.bytes and
// network.packets (ingress + egress, when not both zero) and
// event.duration in nanoseconds; it drops "NA" client-ip, start and end
// times and writes the connection times as ISO 8601 UTC
// ("2020-03-26 20:37:15" → "2020-03-26T20:37:15+00:00").
//
// es-loader differences (fixed): records of the older format have no
// connection-duration-seconds, and a record may lack the failure reason;
// es-loader's script raises there and loads the document without the
// remaining fields (the goldens' clientvpn case lacks event.duration for
// that reason). Here a missing field is skipped, as is a byte or packet
// counter that is not a number, and the rest is applied.

func init() { register("clientvpn", transformClientVPN) }

func transformClientVPN(r *Record) error {
	d := r.Doc
	switch str(d, "connection-attempt-status") {
	case "successful":
		d.Child("event").Set("outcome", "success")
	case "failed":
		d.Child("event").Set("outcome", "failure")
	}

	if reason, ok := d.Get("connection-attempt-failure-reason"); ok && reason != "NA" {
		d.Child("error").Set("message", reason)
	}
	if v, _ := d.Get("client-ip"); v == "NA" {
		d.Delete("client-ip")
	}

	if bytes, packets, ok := clientVPNTraffic(d); ok && (bytes != 0 || packets != 0) {
		nw := pyjson.NewMap(2)
		nw.Set("bytes", intNumber(bytes))
		nw.Set("packets", intNumber(packets))
		d.Set("network", nw)
	}

	for _, k := range [...]string{"connection-start-time", "connection-end-time"} {
		switch v, _ := d.Get(k); v {
		case "NA":
			d.Delete(k)
		case nil, "":
		default:
			if s, ok := v.(string); ok {
				d.Set(k, clientVPNTime(s))
			}
		}
	}
	if s, ok := d.GetString("connection-last-update-time"); ok {
		d.Set("connection-last-update-time", clientVPNTime(s))
	}

	if v, ok := d.Get("connection-duration-seconds"); ok && v != "NA" {
		if secs, ok := pyInt(v); ok {
			d.Child("event").Set("duration", intNumber(secs*1_000_000_000))
		}
	}
	return nil
}

// clientVPNTraffic sums the ingress and egress counters (a missing one
// counts 0). ok is false when one is not an integer.
func clientVPNTraffic(d *pyjson.Map) (bytes, packets int64, ok bool) {
	var sum [2]int64
	for i, pair := range [2][2]string{{"egress-bytes", "ingress-bytes"}, {"egress-packets", "ingress-packets"}} {
		for _, k := range pair {
			v, present := d.Get(k)
			if !present {
				continue
			}
			n, isInt := pyInt(v)
			if !isInt {
				return 0, 0, false
			}
			sum[i] += n
		}
	}
	return sum[0], sum[1], true
}

// clientVPNTime is es-loader's time.replace(' ', 'T') + '+00:00'.
func clientVPNTime(s string) string {
	return strings.ReplaceAll(s, " ", "T") + "+00:00"
}
