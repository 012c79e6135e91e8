// Package output is the Fluent Bit output plugin "siem" without cgo: it
// reads the [OUTPUT] section's keys, decodes Fluent Bit's msgpack chunks,
// normalizes each record like es-loader and ships the documents to
// OpenSearch (or writes bulk NDJSON). plugin/out_siem.go is the thin cgo
// shell that Fluent Bit loads.
package output

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/siemloader/siemloader/ship"
)

// ConfigLoader is what Fluent Bit offers a Go plugin: the value of a key
// of the [OUTPUT] section, "" when it is not set. Fluent Bit compares
// keys without regard to case.
type ConfigLoader interface {
	Get(key string) string
}

// Keys are every key the plugin reads, with its default and meaning; the
// README's table is this list.
var Keys = []struct{ Name, Default, Help string }{
	{"OpenSearch_URL", "", "OpenSearch endpoint(s), comma-separated; this or Output_Dir is required"},
	{"Output_Dir", "", "write bulk NDJSON files <index>.ndjson here instead of shipping (to try it out)"},
	{"HTTP_User", "", "basic auth user"},
	{"HTTP_Passwd", "", "basic auth password"},
	{"AWS_Auth", "Off", "sign requests with AWS SigV4 (credentials from the AWS SDK chain: task role, instance role, environment)"},
	{"AWS_Service_Name", "es", "es (OpenSearch Service) or aoss (Serverless)"},
	{"AWS_Region", "", "region of the domain (default: the SDK's, else the endpoint's name, else instance metadata)"},
	{"AWS_Role_ARN", "", "role to assume through STS before signing"},
	{"AWS_External_ID", "", "external id the role's trust policy asks for"},
	{"AOSS_Timeseries", "Off", "the Serverless collection is time-series: send documents without _id"},
	{"TLS_CA_File", "", "PEM certificates to trust instead of the system roots"},
	{"TLS_Verify", "On", "verify the cluster's certificate (Off only for tests: a warning is logged)"},
	{"Compress", "none", "gzip or none: compression of bulk requests"},
	{"Config", "", "user.ini file(s) layered over aws.ini, comma-separated"},
	{"Log_Type", "", "use this aws.ini section for every record"},
	{"Log_Type_Key", "", "record key whose value names the section"},
	{"Message_Key", "log", "record key holding the raw log line"},
	{"GeoIP_City", "", "MaxMind City database (.mmdb)"},
	{"GeoIP_ASN", "", "MaxMind ASN database (.mmdb)"},
	{"IoC_Dir", "", "threat-intel indicators folder (as for siemloader load --ioc-dir)"},
	{"User_Agent", "Off", "parse user agents (user_agent_enrichment_field)"},
	{"Dead_Letter", "", "folder or s3://bucket/prefix for documents OpenSearch refuses for good"},
	{"Dead_Letter_Max_Size", "", "cap of a Dead_Letter folder's files together (e.g. 10G); past it refused documents are answered FLB_RETRY instead of filling the disk"},
	{"AWS_Account_ID", "", "cloud.account.id of host logs (default: instance metadata)"},
	{"EC2_Instance_ID", "", "cloud.instance.id of host logs (default: instance metadata)"},
	{"EC2_Metadata", "auto", "auto, on or off: read account, region and instance id from EC2 instance metadata (IMDSv2) once at start"},
	{"Bootstrap", "On", "install the index templates, ISM policy and write aliases at start (skipped with a warning without permission)"},
	{"Max_Attempts", "3", "sends of a retryable document within one flush before the chunk is answered FLB_RETRY"},
	{"Request_Timeout", "30s", "bound of one bulk request"},
}

// Config is an [OUTPUT] section, checked.
type Config struct {
	Ship       ship.Config
	OutputDir  string
	DeadLetter string // folder or s3://
	UserINI    []string
	LogType    string
	LogTypeKey string
	MessageKey string
	GeoIPCity  string
	GeoIPASN   string
	IoCDir     string
	UserAgent  bool
	Account    string
	Region     string
	InstanceID string
	// EC2Metadata is auto, on or off.
	EC2Metadata string
	Bootstrap   bool
}

// LoadConfig reads and checks the keys; every problem is reported at
// once, each naming its key.
func LoadConfig(l ConfigLoader) (Config, error) {
	var errs []error
	get := func(k string) string { return strings.TrimSpace(l.Get(k)) }
	boolean := func(k string, def bool) bool {
		v := get(k)
		if v == "" {
			return def
		}
		switch strings.ToLower(v) {
		case "on", "true", "yes", "1":
			return true
		case "off", "false", "no", "0":
			return false
		}
		errs = append(errs, fmt.Errorf("%s: %q is not On or Off", k, v))
		return def
	}
	list := func(k string) []string {
		var out []string
		for _, p := range strings.Split(get(k), ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	}
	c := Config{
		OutputDir:   get("Output_Dir"),
		DeadLetter:  get("Dead_Letter"),
		UserINI:     list("Config"),
		LogType:     get("Log_Type"),
		LogTypeKey:  get("Log_Type_Key"),
		MessageKey:  get("Message_Key"),
		GeoIPCity:   get("GeoIP_City"),
		GeoIPASN:    get("GeoIP_ASN"),
		IoCDir:      get("IoC_Dir"),
		UserAgent:   boolean("User_Agent", false),
		Account:     get("AWS_Account_ID"),
		Region:      get("AWS_Region"),
		InstanceID:  get("EC2_Instance_ID"),
		EC2Metadata: strings.ToLower(get("EC2_Metadata")),
		Bootstrap:   boolean("Bootstrap", true),
	}
	if c.MessageKey == "" {
		c.MessageKey = "log"
	}
	switch c.EC2Metadata {
	case "":
		c.EC2Metadata = "auto"
	case "auto", "on", "off":
	default:
		errs = append(errs, fmt.Errorf("EC2_Metadata: %q is not auto, on or off", c.EC2Metadata))
	}
	if c.Account != "" && (len(c.Account) != 12 || strings.Trim(c.Account, "0123456789") != "") {
		errs = append(errs, fmt.Errorf("AWS_Account_ID: %q is not a 12-digit account id", c.Account))
	}
	urls := list("OpenSearch_URL")
	switch {
	case len(urls) == 0 && c.OutputDir == "":
		errs = append(errs, errors.New("OpenSearch_URL: missing (or set Output_Dir to write files instead)"))
	case len(urls) > 0 && c.OutputDir != "":
		errs = append(errs, errors.New("OpenSearch_URL and Output_Dir: set one of them, not both"))
	}
	s := ship.Config{URLs: urls, Username: get("HTTP_User"), Password: l.Get("HTTP_Passwd"), CAFile: get("TLS_CA_File"),
		InsecureSkipVerify: !boolean("TLS_Verify", true), OmitIDs: boolean("AOSS_Timeseries", false)}
	switch strings.ToLower(get("Compress")) {
	case "", "none", "off":
	case "gzip", "on":
		s.Gzip = true
	default:
		errs = append(errs, fmt.Errorf("Compress: %q is neither gzip nor none", get("Compress")))
	}
	if boolean("AWS_Auth", false) {
		s.AWS = ship.AWSAuth{Service: strings.ToLower(get("AWS_Service_Name")), Region: c.Region,
			RoleARN: get("AWS_Role_ARN"), ExternalID: get("AWS_External_ID")}
		if s.AWS.Service == "" {
			s.AWS.Service = "es"
		}
	} else {
		for _, k := range []string{"AWS_Role_ARN", "AWS_External_ID", "AWS_Service_Name"} {
			if get(k) != "" {
				errs = append(errs, fmt.Errorf("%s: set, but AWS_Auth is Off", k))
			}
		}
	}
	if s.OmitIDs && s.AWS.Service != "aoss" {
		errs = append(errs, errors.New("AOSS_Timeseries: only for OpenSearch Serverless (AWS_Auth On, AWS_Service_Name aoss)"))
	}
	if v := get("Max_Attempts"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			errs = append(errs, fmt.Errorf("Max_Attempts: %q is not a positive number", v))
		}
		s.MaxAttempts = n
	} else {
		s.MaxAttempts = 3
	}
	if v := get("Request_Timeout"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("Request_Timeout: %q is not a duration such as 30s", v))
		}
		s.Timeout = d
	} else {
		s.Timeout = 30 * time.Second
	}
	if v := get("Dead_Letter_Max_Size"); v != "" {
		n, err := ship.ParseSize(v)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("Dead_Letter_Max_Size: %w", err))
		case c.DeadLetter == "" || strings.HasPrefix(c.DeadLetter, "s3://"):
			errs = append(errs, errors.New("Dead_Letter_Max_Size: caps a Dead_Letter folder, and none is set"))
		}
		s.DeadLetterMaxBytes = n
	}
	if len(urls) > 0 {
		if err := s.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("OpenSearch settings: %w", err))
		}
	}
	if c.LogType != "" && c.LogTypeKey != "" {
		errs = append(errs, errors.New("Log_Type and Log_Type_Key: set one of them, not both"))
	}
	c.Ship = s
	return c, errors.Join(errs...)
}

// MapConfig is a ConfigLoader over a map, for tests and for running the
// plugin type outside Fluent Bit; keys compare without regard to case.
type MapConfig map[string]string

func (m MapConfig) Get(key string) string {
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return ""
}
