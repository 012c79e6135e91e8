package logtypes

import (
	"strings"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// VPC flow logs ([vpcflowlogs] in aws.ini): CSV with a header line, so
// custom formats and every version work. The transform sets
// event.outcome from the action, network.transport from the protocol
// number, lower-cases network.type, and marks Transit Gateway flow logs.

func init() {
	register("vpcflowlogs", transformVPCFlowLogs)
	registerFlat("vpcflowlogs", planVPCFlowLogs)
}

// ianaTransport names the protocols es-loader names; others (ICMPv6 58
// among them) stay unnamed, as in es-loader's output.
var ianaTransport = map[string]string{
	"1": "icmp", "6": "tcp", "8": "egp", "17": "udp", "33": "dccp",
	"41": "ipv6", "42": "sdrp", "47": "gre", "132": "sctp",
}

// vpcOutcome is event.outcome for a flow's action.
func vpcOutcome(action string) string {
	switch {
	case strings.Contains(action, "ACCEPT"):
		return "success"
	case strings.Contains(action, "REJECT"):
		return "failure"
	}
	return "unknown"
}

func transformVPCFlowLogs(r *Record) error {
	d := r.Doc
	if v, ok := d.Get("resource_type"); ok && pyjson.Truthy(v) {
		// Transit Gateway flow logs share the format but not the index
		// pattern of their dashboards.
		d.Set("@log_type", "transit-gateway")
	} else {
		d.Child("event").Set("outcome", vpcOutcome(str(d, "event", "action")))
	}
	if p, ok := d.GetString("protocol"); ok {
		if t, ok := ianaTransport[p]; ok {
			d.Child("network").Set("transport", t)
		}
	}
	if t, ok := d.GetString("network", "type"); ok {
		d.Child("network").Set("type", strings.ToLower(t))
	}
	return nil
}

// planVPCFlowLogs is transformVPCFlowLogs for the flat path.
func planVPCFlowLogs(b FlatBinder) (FlatTransform, bool) {
	resourceType, protocol := b.Raw("resource_type"), b.Raw("protocol")
	action, outcome := b.Field("event.action"), b.Field("event.outcome")
	transport, netType := b.Field("network.transport"), b.Field("network.type")
	return func(r *FlatRecord) {
		if v, ok := r.Fields.Get(resourceType); ok && v != "" {
			r.LogType = "transit-gateway"
		} else {
			a, _ := r.Str(action)
			r.SetStr(outcome, vpcOutcome(a))
		}
		if p, ok := r.Fields.Get(protocol); ok {
			if t, ok := ianaTransport[p]; ok {
				r.SetStr(transport, t)
			}
		}
		if t, ok := r.Str(netType); ok {
			r.SetStr(netType, strings.ToLower(t))
		}
	}, true
}
