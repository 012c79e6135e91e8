package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/siemloader/siemloader/conf"
	"github.com/siemloader/siemloader/normalize"
	"github.com/siemloader/siemloader/normalize/enrich"
	"github.com/siemloader/siemloader/normalize/exclude"
	"github.com/siemloader/siemloader/normalize/exclude/ssmsource"
)

// enrichFlags are the load flags for enrichment beyond GeoIP and for
// exclusions (docs/enrichment.md).
type enrichFlags struct {
	iocDir         string
	userAgent      bool
	trusted        string
	trustedFile    string
	exclusions     string
	conditionsFile string
	conditionsSSM  string
	filter         *exclude.Filter
}

func (e *enrichFlags) register(fl *flag.FlagSet) {
	fl.StringVar(&e.iocDir, "ioc-dir", "", "threat-intel indicators laid out as IOC/TXT/<provider>/*.txt and IOC/STIX2/<provider>/*.json")
	fl.BoolVar(&e.userAgent, "user-agent", true, "parse each type's user_agent_enrichment_field (--user-agent=false to skip)")
	fl.StringVar(&e.trusted, "trusted-proxies", "", "comma-separated CIDRs of proxies that clientip_xff skips in X-Forwarded-For")
	fl.StringVar(&e.trustedFile, "trusted-proxies-file", "", "file of trusted proxy CIDRs, one per line")
	fl.StringVar(&e.exclusions, "exclusions", "", "exclude_log_patterns.csv (log_type,field,pattern,pattern_type,comment)")
	fl.StringVar(&e.conditionsFile, "exclusion-conditions", "", "COUNT/EXCLUDE conditions, one JSON object per line keyed by <log_type>/<name>")
	fl.StringVar(&e.conditionsSSM, "exclusion-conditions-ssm", "", "read COUNT/EXCLUDE conditions from SSM Parameter Store below this path (es-loader's is /siem/exclude-logs/)")
}

// apply loads what the flags name into opts. Problems inside a file (a bad
// line, a broken bundle) are warnings naming file and line, and the rest
// loads; a file that cannot be read at all is an error.
func (e *enrichFlags) apply(opts *normalize.Options, cfg *conf.Config, configs []string, stderr io.Writer) error {
	warn := func(errs []error) {
		for _, err := range errs {
			fmt.Fprintf(stderr, "siemloader: warning: %v\n", err)
		}
	}
	if e.userAgent {
		opts.UserAgent = enrich.NewUserAgentParser(10000)
	}
	if e.iocDir != "" {
		ioc, problems, err := enrich.LoadIoC(e.iocDir)
		if err != nil {
			return fmt.Errorf("--ioc-dir: %w", err)
		}
		warn(problems)
		opts.IoC = ioc
	}
	switch {
	case e.trustedFile != "":
		t, err := enrich.LoadTrustedProxiesFile(e.trustedFile)
		if err != nil {
			return fmt.Errorf("--trusted-proxies-file: %w", err)
		}
		opts.TrustedProxies = t
	case e.trusted != "":
		t, err := enrich.ParseTrustedProxies(strings.Split(e.trusted, ","))
		if err != nil {
			return fmt.Errorf("--trusted-proxies: %w", err)
		}
		opts.TrustedProxies = t
	}
	var patterns []*exclude.Pattern
	csv, fromConfig := e.exclusions, false
	if csv == "" && cfg.Defaults.ExcludeLogPatternsFilename != "" {
		// es-loader reads [DEFAULT] exclude_log_patterns_filename from its
		// bucket; here it is a file beside the first user.ini, or in the
		// working folder, and may be absent
		dir := "."
		if len(configs) > 0 {
			dir = filepath.Dir(configs[0])
		}
		csv, fromConfig = filepath.Join(dir, cfg.Defaults.ExcludeLogPatternsFilename), true
		if _, err := os.Stat(csv); err != nil {
			csv = ""
		}
	}
	if csv != "" {
		p, problems, err := exclude.LoadPatterns(csv)
		if err != nil {
			if fromConfig {
				return fmt.Errorf("exclude_log_patterns_filename: %w", err)
			}
			return fmt.Errorf("--exclusions: %w", err)
		}
		warn(problems)
		patterns = p
	}
	var conditions []*exclude.Condition
	if e.conditionsFile != "" {
		c, problems, err := exclude.LoadConditions(e.conditionsFile)
		if err != nil {
			return fmt.Errorf("--exclusion-conditions: %w", err)
		}
		warn(problems)
		conditions = c
	}
	if e.conditionsSSM != "" {
		src, err := ssmsource.New(context.Background())
		if err != nil {
			return fmt.Errorf("--exclusion-conditions-ssm: %w", err)
		}
		c, problems, err := exclude.LoadConditionsFromParameters(context.Background(), src, e.conditionsSSM)
		if err != nil {
			return fmt.Errorf("--exclusion-conditions-ssm: %w", err)
		}
		warn(problems)
		conditions = append(conditions, c...)
	}
	if len(patterns) > 0 || len(conditions) > 0 {
		f, problems := exclude.NewFilter(patterns, conditions, exclude.Options{})
		warn(problems)
		opts.Exclusions = f
		e.filter = f
	}
	return nil
}

// writeStats adds what the COUNT conditions matched to the summary (the
// excluded records are in it already, by reason).
func (e *enrichFlags) writeStats(w io.Writer) {
	for _, st := range e.filter.Stats() {
		if st.Counted > 0 || st.Errors > 0 {
			fmt.Fprintf(w, "  %s: %d record(s) matched COUNT conditions, %d condition evaluation(s) failed\n", st.LogType, st.Counted, st.Errors)
		}
	}
}
