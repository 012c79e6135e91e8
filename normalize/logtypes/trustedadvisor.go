package logtypes

import (
	"strings"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// AWS Trusted Advisor check results ([trustedadvisor], written to S3 by
// the SIEM solution's TrustedAdvisor log exporter: one object per check
// with its result, then one per flagged resource with
// result.flaggedResource). The transform
//
//   - makes warnings and errors alerts (event.kind), for the check and,
//     overriding it, for a flagged resource,
//   - for a flagged resource, names the AWS service it belongs to
//     (cloud.service.name): the "Service" column of the check, or the
//     service of its ARN ("Resource" or "Workload ARN" column); an EC2
//     ARN names the resource type instead, and an instance ARN gives
//     cloud.instance.id,
//   - sets event.category by service (database, iam, network; a string),
//   - puts the last IP address among the resource's columns in related.ip
//     and the instance in related.hosts (the related object is replaced).
//
// Where es-loader's script raises (a check without column names, a column
// value that is null), the value is skipped.

func init() { register("trustedadvisor", transformTrustedAdvisor) }

func transformTrustedAdvisor(r *Record) error {
	d := r.Doc
	result := mapAt(d, []string{"result"})
	if isAlertStatus(result, "status") {
		d.Child("event").Set("kind", "alert")
	}
	frValue, ok := result.Get("flaggedResource")
	if !ok {
		return nil
	}
	fr, _ := frValue.(*pyjson.Map)
	if isAlertStatus(fr, "status") {
		d.Child("event").Set("kind", "alert")
	} else {
		d.Child("event").Set("kind", "event")
	}
	mdValue, ok := fr.Get("metadata")
	if !ok {
		return nil
	}
	values, _ := mdValue.([]any)

	service := "trustedadvisor"
	var arn []string
	if cols, ok := mapAt(d, []string{"check"}).Get("metadata"); ok {
		names, _ := cols.([]any)
		service, arn = trustedAdvisorService(names, values)
	}
	cloud := d.Child("cloud")
	svc := pyjson.NewMap(1)
	svc.Set("name", service)
	cloud.Set("service", svc)
	if len(arn) > 5 && service == "ec2" {
		if typ, id, ok := strings.Cut(arn[5], "/"); ok {
			service = typ
			if service == "instance" {
				service = "ec2"
				inst := pyjson.NewMap(1)
				inst.Set("id", strings.SplitN(id, "/", 2)[0])
				cloud.Set("instance", inst)
			}
			svc.Set("name", service)
		}
	}

	switch service {
	case "rds", "dynamodb", "s3", "ebs", "redshift", "elasticache":
		d.Child("event").Set("category", "database")
	case "iam", "cloudtrail":
		d.Child("event").Set("category", "iam")
	case "vpc", "route53", "elasticloadbalancing", "network-acl", "subnet", "secuirty-group":
		// "secuirty-group" is es-loader's spelling; kept so that the same
		// results are categorised alike
		d.Child("event").Set("category", "network")
	}

	related := pyjson.NewMap(2)
	d.Set("related", related)
	for _, v := range values {
		if s, ok := v.(string); ok && ValidIP(s) {
			related.Set("ip", []any{s})
		}
	}
	if id, ok := cloud.GetPath("instance", "id"); ok && pyjson.Truthy(id) {
		related.Set("hosts", []any{id})
	}
	return nil
}

// isAlertStatus reports whether m[k] is "warning" or "error".
func isAlertStatus(m *pyjson.Map, k string) bool {
	v, _ := m.Get(k)
	return v == "warning" || v == "error"
}

// trustedAdvisorService is es-loader's get_arn_from_metadata: the
// lower-cased "Service" column, overridden by the service part of the
// ARN in the "Resource" or (preferred) "Workload ARN" column; and that
// ARN split at ':'.
func trustedAdvisorService(names, values []any) (string, []string) {
	column := func(name string) (any, bool) {
		for i, n := range names {
			if n == name {
				if i < len(values) {
					return values[i], true
				}
				return nil, false
			}
		}
		return nil, false
	}
	service := ""
	if v, ok := column("Service"); ok {
		if s, ok := v.(string); ok {
			service = strings.ToLower(s)
		}
	}
	arn := ""
	for _, name := range [...]string{"Resource", "Workload ARN"} {
		if v, ok := column(name); ok {
			if s, ok := v.(string); ok {
				arn = s
			}
		}
	}
	parts := strings.Split(arn, ":")
	if len(parts) > 2 {
		service = strings.ToLower(parts[2])
	}
	return service, parts
}
