package logtypes

import (
	"regexp"
	"strings"

	"github.com/siemloader/siemloader/conf"
)

// relaxedPattern compiles the built-in log_pattern of a section with the
// given (old, new) replacements, anchored like re.match, for a
// LineRescue: the same groups in the same order, accepting a variant
// es-loader drops. It panics at start-up when a replacement no longer
// applies, so a change to aws.ini cannot silently disable a rescue.
func relaxedPattern(section string, oldNew ...string) *regexp.Regexp {
	cfg, err := conf.ParseBytes()
	if err != nil {
		panic(err)
	}
	src, _, err := cfg.Get(section, "log_pattern")
	if err != nil {
		panic(err)
	}
	relaxed := src
	for i := 0; i+1 < len(oldNew); i += 2 {
		if !strings.Contains(relaxed, oldNew[i]) {
			panic("logtypes: the " + section + " log_pattern no longer has " + oldNew[i])
		}
		relaxed = strings.Replace(relaxed, oldNew[i], oldNew[i+1], 1)
	}
	return regexp.MustCompile(`^(?:` + conf.TranslatePython(relaxed) + `)`)
}
