package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/siemloader/siemloader/conf"
)

// cmdCheckConfig loads aws.ini and the given user.ini files and lists every
// problem with its file, section and key.
func cmdCheckConfig(args []string, stdout, stderr io.Writer) int {
	for _, a := range args {
		if len(a) > 0 && a[0] == '-' {
			fmt.Fprintln(stderr, "usage: siemloader check-config [user.ini...]")
			return 2
		}
	}
	cfg, err := conf.Load(args...)
	if err != nil {
		var probs conf.Problems
		if errors.As(err, &probs) {
			for _, p := range probs {
				fmt.Fprintln(stderr, p)
			}
			fmt.Fprintf(stderr, "%d problem(s) found\n", len(probs))
			return 1
		}
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "configuration is valid: %d log types", len(cfg.Types))
	if len(args) > 0 {
		fmt.Fprintf(stdout, " (aws.ini + %d user file(s))", len(args))
	}
	fmt.Fprintln(stdout)
	return 0
}
