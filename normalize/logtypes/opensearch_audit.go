package logtypes

import (
	"unicode/utf8"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// Amazon OpenSearch Service audit logs ([opensearch-audit], JSON through
// CloudWatch Logs). The transform sets event.outcome from audit_category
// (GRANTED_PRIVILEGES and AUTHENTICATED: success; MISSING_PRIVILEGES and
// FAILED_LOGIN: failure; others: unknown), adds "authentication" to
// event.category for log-in events, and names records without a rule
// name "ParsingError", with an error.message when the message has exactly
// 10,000 characters, the size at which the service truncates audit
// messages.

func init() { register("opensearch-audit", transformOpenSearchAudit) }

// openSearchAuditMaxMessage is the service's audit message size limit in
// characters.
const openSearchAuditMaxMessage = 10000

func transformOpenSearchAudit(r *Record) error {
	d := r.Doc
	category, _ := d.Get("audit_category")
	ev := d.Child("event")
	switch category {
	case "GRANTED_PRIVILEGES", "AUTHENTICATED":
		ev.Set("outcome", "success")
	case "MISSING_PRIVILEGES", "FAILED_LOGIN":
		ev.Set("outcome", "failure")
	default:
		ev.Set("outcome", "unknown")
	}

	if category == "FAILED_LOGIN" || category == "AUTHENTICATED" {
		// es-loader appends to the static ["database"] list; a category
		// that is not a list (a user.ini making it a string) is left alone
		if list, ok := ev.Get("category"); ok {
			if l, ok := list.([]any); ok {
				ev.Set("category", append(l[:len(l):len(l)], "authentication"))
			}
		}
	}

	if name, _ := d.GetPath("rule", "name"); !pyjson.Truthy(name) {
		d.Child("rule").Set("name", "ParsingError")
		if msg, ok := d.GetString("@message"); ok && len(msg) >= openSearchAuditMaxMessage &&
			utf8.RuneCountInString(msg) == openSearchAuditMaxMessage {
			d.Child("error").Set("message", "The maximum size of each audit log message is 10,000 "+
				"characters. The audit log message exceeds this limit and is truncated.")
		}
	}
	return nil
}
