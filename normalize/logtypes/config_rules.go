package logtypes

import "github.com/siemloader/siemloader/normalize/pyjson"

// AWS Config rule compliance changes ([config-rules], the EventBridge
// "Config Rules Compliance Change" details delivered through Firehose).
// The transform gives the evaluated resource's versions one @id and a
// per-rule, per-time _id suffix (see setConfigDocID), fills the host, user
// and address fields as for configuration items, and sets event.outcome
// from newEvaluationResult.complianceType: COMPLIANT success,
// NON_COMPLIANT failure, others (NOT_APPLICABLE, INSUFFICIENT_DATA)
// unknown.
//
// A notification without text account, region, resource type and
// resource id is counted as a transform error (es-loader's script raises
// on it before changing anything).

func init() { register("config-rules", transformConfigRules) }

func transformConfigRules(r *Record) error {
	if err := setConfigDocID(r); err != nil {
		return err
	}
	d := r.Doc
	setConfigHost(d)
	setConfigUser(d)
	setConfigIP(d)
	if ct, _ := d.GetPath("newEvaluationResult", "complianceType"); pyjson.Truthy(ct) {
		outcome := "unknown"
		switch ct {
		case "COMPLIANT":
			outcome = "success"
		case "NON_COMPLIANT":
			outcome = "failure"
		}
		d.Child("event").Set("outcome", outcome)
	}
	return nil
}
