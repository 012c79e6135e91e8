package logtypes

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/siemloader/siemloader/normalize/pyjson"
)

// AWS CloudHSM audit logs ([cloudhsm], multi-line entries through
// CloudWatch Logs). The transform
//
//   - takes the cluster id from the log group (/aws/cloudhsm/<cluster>)
//     and the HSM id from the log stream: cloudhsm.cluster_id,
//     cloudhsm.hsm_id, cloud.instance.id (the HSM) and related.hosts,
//   - sets @id, and so the _id, to <hsm id><sequence no><timestamp usec>,
//     so that the same entry read twice is one document,
//   - folds the newer layout's fields (opcode_v2, opcode_hex_v2,
//     priv_secret_key_handle_v2) into the usual names,
//   - turns sequence_no and reboot_counter from hex text into numbers,
//   - names the user of log-in and log-out (user.name, user.roles) and the
//     target of user management commands (user.target.name, roles, id),
//   - sets event.outcome from the HSM return.
//
// es-loader differences (fixed):
//
//   - A raw audit file read without CloudWatch Logs has no log group or
//     stream; es-loader would write "None" into the _id. Here the cluster
//     and HSM ids come from the S3 key when it names them
//     (.../cluster-xxxxxxxxxxx/hsm-xxxxxxxxxxx/...). (es-loader's
//     sf_cloudhsm_cwl.py has such a regex, but it requires a folder
//     between the two and is not the script es-loader runs.)
//   - Where es-loader's script raises half-way (a sequence number or
//     reboot counter that is not hex, a log-in entry of a non-management
//     command with no user object, a log group with fewer than four
//     parts), the missing parts are skipped.

func init() { register("cloudhsm", transformCloudHSM) }

// cloudHSMClusterInKey and cloudHSMInKey find the ids as whole path
// parts of an S3 key.
var (
	cloudHSMClusterInKey = regexp.MustCompile(`(?:^|/)(cluster-[0-9a-z]{11})(?:/|$)`)
	cloudHSMInKey        = regexp.MustCompile(`(?:^|/)(hsm-[0-9a-z]{11})(?:/|$)`)
)

func transformCloudHSM(r *Record) error {
	d := r.Doc
	var clusterID, hsmID any
	group, _ := d.Get("@log_group")
	stream, _ := d.Get("@log_stream")
	if g, ok := group.(string); ok && g != "" {
		if parts := strings.SplitN(g, "/", 5); len(parts) > 3 {
			clusterID = parts[3]
		}
	}
	if pyjson.Truthy(stream) {
		hsmID = stream
	}
	if !pyjson.Truthy(group) && !pyjson.Truthy(stream) {
		if key, ok := d.GetString("@log_s3key"); ok {
			if m := cloudHSMClusterInKey.FindStringSubmatch(key); m != nil {
				clusterID = m[1]
			}
			if m := cloudHSMInKey.FindStringSubmatch(key); m != nil {
				hsmID = m[1]
			}
		}
	}

	hsm := pyjson.NewMap(2)
	d.Set("cloudhsm", hsm)
	hosts := make([]any, 0, 2)
	related := pyjson.NewMap(1)
	d.Set("related", related)

	seq, hasSeq := d.Get("sequence_no")
	usec, hasUsec := d.Get("timestamp_usec")
	if hasSeq && hasUsec {
		id := "None"
		if hsmID != nil {
			id = pyjson.Str(hsmID)
		}
		d.Set("@id", id+pyjson.Str(seq)+pyjson.Str(usec))
	}

	if v, _ := d.Get("opcode_v2"); pyjson.Truthy(v) {
		d.Delete("opcode_v2")
		d.Set("opcode", v)
		hex, _ := d.Get("opcode_hex_v2")
		d.Delete("opcode_hex_v2")
		d.Set("opcode_hex", hex)
	}
	if v, _ := d.Get("priv_secret_key_handle_v2"); pyjson.Truthy(v) {
		d.Delete("priv_secret_key_handle_v2")
		d.Set("priv_secret_key_handle", v)
	}
	if clusterID != nil {
		hsm.Set("cluster_id", clusterID)
		hosts = append(hosts, clusterID)
	}
	if hsmID != nil {
		hsm.Set("hsm_id", hsmID)
		inst := pyjson.NewMap(1)
		inst.Set("id", hsmID)
		d.Child("cloud").Set("instance", inst)
		hosts = append(hosts, hsmID)
	}
	related.Set("hosts", hosts)
	for _, k := range [...]string{"sequence_no", "reboot_counter"} {
		if s, ok := d.GetString(k); ok {
			if n, ok := pyHexInt(s); ok {
				d.Set(k, intNumber(n))
			}
		}
	}

	if str(d, "command_type") == "CN_MGMT_CMD" && !d.Has("user") {
		d.Set("user", pyjson.NewMap(2))
	}
	user, _ := d.Get("user")
	if um, ok := user.(*pyjson.Map); ok {
		switch str(d, "opcode") {
		case "CN_LOGIN", "CN_LOGOUT", "CN_APP_FINALIZE", "CN_CLOSE_SESSION":
			name, _ := d.Get("user_name")
			roles, _ := d.Get("user_type")
			um.Set("name", name)
			um.Set("roles", roles)
		case "CN_CREATE_USER", "CN_CREATE_CO", "CN_CREATE_APPLIANCE_USER", "CN_DELETE_USER",
			"CN_SET_M_VALUE", "CN_CHANGE_PSWD", "CN_APPROVE_TOKEN":
			name, _ := d.Get("target_user_name")
			if !pyjson.Truthy(name) {
				name, _ = d.Get("user_name")
			}
			roles, _ := d.Get("target_user_type")
			if !pyjson.Truthy(roles) {
				roles, _ = d.Get("user_type")
			}
			id, _ := d.Get("target_user_id")
			target := pyjson.NewMap(3)
			target.Set("name", name)
			target.Set("roles", roles)
			target.Set("id", id)
			um.Set("target", target)
		}
	}

	outcome := "failure"
	if v, _ := d.Get("hsm_return"); pyjson.Truthy(v) {
		outcome = "success"
	}
	d.Child("event").Set("outcome", outcome)
	return nil
}

// pyHexInt is Python's int(s, 16): an optional sign, an optional 0x
// prefix, hex digits with single '_' between them, outer white space.
func pyHexInt(s string) (int64, bool) {
	s = PyStrip(s)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg, s = s[0] == '-', s[1:]
	}
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		s = s[2:]
		s = strings.TrimPrefix(s, "_")
	}
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' || strings.Contains(s, "__") {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 16, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}
