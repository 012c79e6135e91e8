// Command siemloader loads AWS security logs into OpenSearch the way
// es-loader does: `siemloader load` reads log objects (files or folders
// laid out like the S3 bucket) and writes bulk NDJSON; `check-config`
// validates aws.ini and user.ini files.
package main

import (
	"fmt"
	"os"
	"runtime/debug"
)

const usage = `siemloader - AWS security logs to ECS documents for OpenSearch

Usage:
  siemloader load [flags] PATH...     normalize log objects into bulk NDJSON
  siemloader redrive [flags] DIR|s3://bucket/prefix
                                      send dead-lettered documents again
  siemloader gen [flags]              write realistic demo logs continuously
                                      (S3 objects and text files)
  siemloader check-config [user.ini...]
                                      validate aws.ini and user.ini files
  siemloader version

Run "siemloader load -h" for the flags of load.
`

var version = "dev"

func main() {
	// Documents are short-lived garbage; collecting less often trades a
	// little memory for throughput. GOGC in the environment still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return 2
	}
	switch args[0] {
	case "load":
		return cmdLoad(args[1:], os.Stdout, os.Stderr)
	case "redrive":
		return runRedrive(args[1:], os.Stdout, os.Stderr)
	case "gen":
		return cmdGen(args[1:], os.Stdout, os.Stderr)
	case "check-config":
		return cmdCheckConfig(args[1:], os.Stdout, os.Stderr)
	case "version", "--version":
		fmt.Println("siemloader", version)
		return 0
	case "help", "-h", "--help":
		fmt.Print(usage)
		return 0
	}
	fmt.Fprintf(os.Stderr, "siemloader: unknown command %q\n\n%s", args[0], usage)
	return 2
}
