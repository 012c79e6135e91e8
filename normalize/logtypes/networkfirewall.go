package logtypes

import (
	"strings"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// AWS Network Firewall logs ([networkfirewall]): Suricata EVE records under
// "event", which the generic step merged with the ECS event object. The
// transform names the transport (event.proto lower-cased) and marks alert
// records as alerts of category intrusion_detection (a plain string, as
// es-loader writes it, replacing static_ecs's ["network"]).
//
// es-loader difference (fixed): es-loader only writes network.transport
// when the ECS step already created a "network" object (app_proto or
// netflow present); for other records, such as alerts on ICMP or on flows
// without a detected application protocol, it silently drops it. Here
// every record with a protocol gets network.transport.

func init() { register("networkfirewall", transformNetworkFirewall) }

func transformNetworkFirewall(r *Record) error {
	d := r.Doc
	v, ok := d.Get("event")
	if !ok {
		return nil
	}
	ev, ok := v.(*pyjson.Map)
	if !ok {
		return nil
	}
	if proto, ok := ev.GetString("proto"); ok {
		d.Child("network").Set("transport", lowerProto(proto))
	}
	if t, ok := ev.GetString("event_type"); ok && t == "alert" {
		ev.Set("kind", "alert")
		ev.Set("category", "intrusion_detection")
	}
	return nil
}

// lowerProto is proto.lower(), without allocating for the protocols
// Suricata names most.
func lowerProto(p string) any {
	switch p {
	case "TCP":
		return "tcp"
	case "UDP":
		return "udp"
	case "ICMP":
		return "icmp"
	case "IPv6-ICMP":
		return "ipv6-icmp"
	}
	return strings.ToLower(p)
}
