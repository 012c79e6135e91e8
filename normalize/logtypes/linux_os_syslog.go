package logtypes

import (
	"fmt"
	"regexp"
	"strings"
)

// Linux syslog ([linux-os-syslog], /var/log/messages through CloudWatch
// Logs): the EC2 instance id comes from the log stream; sshd, sudo and su
// lines go to the log-linux-secure index and sshd/sudo messages are parsed
// for user, client address and action, like linux-secure.

func init() { register("linux-os-syslog", transformLinuxOSSyslog) }

// sshdPatterns are tried in order on an sshd message; the first that
// matches wins (sf_linux_os_syslog.RE_LIST_SSHD).
var sshdPatterns = compileSyslogPatterns(
	`(?P<action>Accepted|Failed|failure|Invalid user|invalid user)\s.*?((publickey|password|none) for )?(invalid user )?(?P<user>\S+)(\s+from.*?(?P<source_ip>\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}))?(\s+port\s+(?P<source_port>\d+))?`,
	`^(?P<action>(Disconnected|Received disconnect)) from (?P<source_ip>[^ ]*) port (?P<source_port>\d+)`,
	`^(?P<action>error): AuthorizedKeysCommand \S+ (?P<user>\S+) (SHA|RSA)`,
	`^pam_unix(\S+): (?P<action>session closed) for user (?P<user>\S+)`,
	`^pam_unix(\S+): (?P<action>session opened) for user \S+ by (?P<user>\S*)\(`,
	`^(?P<action>Connection (reset|closed))\s+by\s+(?P<source_ip>\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})\s+port\s+(?P<source_port>\d+)`,
	`.+\s+(from|with)\s+(?P<source_ip>\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})\s+port\s+(?P<source_port>\d+)`,
	`^(?P<action>reverse mapping checking).*\[(?P<source_ip>\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})\]`,
	`\s(?P<source_ip>\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})\s`,
)

// sudoPatterns: sf_linux_os_syslog.RE_LIST_SUDO.
var sudoPatterns = compileSyslogPatterns(
	`^(?P<user>\S+) : .*COMMAND=(?P<action>.*)`,
	`^pam_unix(\S+): (?P<action>session closed) for user (?P<user>\S+)`,
	`^pam_unix(\S+): (?P<action>session opened) for user \S+ by (?P<user>\S*)\(`,
)

// sshdPrefilters hold, per sshdPatterns entry, a cheap test every match
// passes (nil: none), which spares the costly unanchored regexes on the
// many sshd messages none of them matches.
var sshdPrefilters = [...]func(string) bool{
	0: func(s string) bool {
		return strings.Contains(s, "Accepted") || strings.Contains(s, "Failed") ||
			strings.Contains(s, "failure") || strings.Contains(s, "nvalid user")
	},
	6: func(s string) bool {
		return strings.Contains(s, "port") && (strings.Contains(s, "from") || strings.Contains(s, "with"))
	},
	8: func(s string) bool { return strings.Count(s, ".") >= 3 },
}

func init() {
	for i, f := range sshdPrefilters {
		sshdPatterns[i].need = f
	}
}

// syslogPattern is one of those regexes with the group numbers of the
// names es-loader reads (-1: the regex has no such group).
type syslogPattern struct {
	re                           *regexp.Regexp
	need                         func(string) bool
	action, user, srcIP, srcPort int
}

func compileSyslogPatterns(srcs ...string) []syslogPattern {
	out := make([]syslogPattern, len(srcs))
	for i, src := range srcs {
		re := pyRegexp(src)
		p := syslogPattern{re: re, action: -1, user: -1, srcIP: -1, srcPort: -1}
		for gi, name := range re.SubexpNames() {
			switch name {
			case "action":
				p.action = gi
			case "user":
				p.user = gi
			case "source_ip":
				p.srcIP = gi
			case "source_port":
				p.srcPort = gi
			}
		}
		out[i] = p
	}
	return out
}

// syslogGroups is the groupdict of the first matching pattern: a group the
// pattern has is present (has) with its text, or None (nil) when it did
// not take part in the match.
type syslogGroups struct {
	action, user, srcIP, srcPort             any
	hasAction, hasUser, hasSrcIP, hasSrcPort bool
}

func matchSyslog(patterns []syslogPattern, msg string) syslogGroups {
	var g syslogGroups
	for i := range patterns {
		p := &patterns[i]
		if p.need != nil && !p.need(msg) {
			continue
		}
		m := p.re.FindStringSubmatchIndex(msg)
		if m == nil {
			continue
		}
		group := func(gi int) (any, bool) {
			if gi < 0 {
				return nil, false
			}
			if m[2*gi] < 0 {
				return nil, true
			}
			return msg[m[2*gi]:m[2*gi+1]], true
		}
		g.action, g.hasAction = group(p.action)
		g.user, g.hasUser = group(p.user)
		g.srcIP, g.hasSrcIP = group(p.srcIP)
		g.srcPort, g.hasSrcPort = group(p.srcPort)
		break
	}
	return g
}

const (
	linuxOther = iota
	linuxSSHD
	linuxSudo
	linuxSu
)

func transformLinuxOSSyslog(r *Record) error { return transformLinux(r, true) }

// transformLinux is sf_linux_os_syslog.transform (messages, osSyslog) and
// sf_linux_secure.transform (secure). Where es-loader raises (no proc or
// syslog_message string, no hostname), this goes on with what there is.
func transformLinux(r *Record, osSyslog bool) error {
	d := r.Doc
	if d == nil {
		return fmt.Errorf("no document")
	}
	proc, _ := d.GetString("proc")
	msg, _ := d.GetString("syslog_message")

	instanceID := ""
	if s, ok := d.GetString("@log_stream"); ok {
		instanceID = instanceIDInText(s)
	}

	kind := linuxOther
	switch {
	case strings.Contains(proc, "sshd"):
		kind = linuxSSHD
	case strings.Contains(proc, "sudo"):
		kind = linuxSudo
	case osSyslog && proc == "su":
		kind = linuxSu
	}

	// es-loader builds a dict and merges it into the document; this is
	// that dict, field by field.
	var (
		g                      syslogGroups
		setEvent               bool // the dict has an "event"
		eventModule            bool // ... with module "secure"
		category, outcome      string
		action                 any
		hasAction              bool
		hasUser, hasSource     bool
		userName, srcIP, srcPt any
	)
	switch kind {
	case linuxSSHD:
		g = matchSyslog(sshdPatterns, msg)
		setEvent, eventModule = true, true
		if g.hasUser {
			hasUser, userName = true, g.user
		}
		if g.hasSrcIP {
			hasSource, srcIP, srcPt = true, g.srcIP, g.srcPort
			if !g.hasSrcPort {
				srcPt = "" // data.get('source_port', '')
			}
		}
		if g.hasAction {
			category, hasAction, action = "authentication", true, g.action
			a, _ := g.action.(string)
			a = strings.ToLower(a)
			switch {
			case strings.Contains(a, "accept") || strings.Contains(a, "opened"):
				outcome = "success"
			case strings.Contains(a, "fail") || strings.Contains(a, "invalid") || strings.Contains(a, "err"):
				outcome = "failure"
			case strings.Contains(a, "disconnect") || strings.Contains(a, "reset") || strings.Contains(a, "close"):
				// no outcome for a disconnection
			default:
				outcome = "unknown"
			}
		}
	case linuxSudo:
		g = matchSyslog(sudoPatterns, msg)
		setEvent, eventModule = true, true
		if g.hasUser {
			hasUser, userName = true, g.user
		}
		if g.hasAction {
			// es-loader replaces its event dict: event.module keeps the
			// document's value ("system" in linux-os-syslog).
			eventModule = false
			hasAction, action, outcome = true, g.action, "success"
			if !g.hasUser {
				// every sudo pattern has a user group; es-loader would
				// raise KeyError here
				hasUser, userName = true, nil
			}
		}
	}

	if osSyslog && kind != linuxOther {
		r.IndexName = "log-linux-secure"
	}
	if instanceID != "" {
		d.Child("cloud").Child("instance").Set("id", instanceID)
		hosts := make([]any, 0, 2)
		if h, ok := d.Get("hostname"); ok {
			hosts = append(hosts, h)
		}
		d.Child("related").Set("hosts", append(hosts, instanceID))
	}
	if setEvent {
		ev := d.Child("event")
		if eventModule {
			ev.Set("module", "secure")
		}
		if category != "" {
			ev.Set("category", category)
		}
		if hasAction {
			ev.Set("action", action)
		}
		if outcome != "" {
			ev.Set("outcome", outcome)
		}
	}
	if hasUser {
		d.Child("user").Set("name", userName)
	}
	if hasSource {
		src := d.Child("source")
		src.Set("ip", srcIP)
		src.Set("port", srcPt)
	}
	rel := d.Child("related")
	if hasUser {
		rel.Set("user", userName)
	}
	if hasSource {
		rel.Set("ip", srcIP)
	}
	return nil
}
