package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/siemloader/siemloader/conf"
	"github.com/siemloader/siemloader/normalize"
	"github.com/siemloader/siemloader/ship"
)

// shipFlags send the documents to OpenSearch instead of writing files.
type shipFlags struct {
	urls, user, caFile, deadLetter string
	insecure, gzip                 bool
	attempts                       int
	aws                            ship.AWSAuth
	timeSeries                     bool
	bootstrap                      bool
	s3Region, s3Endpoint           string
	deadLetterFile, deadLetterMax  string
}

func (s *shipFlags) register(fl *flag.FlagSet) {
	fl.StringVar(&s.urls, "opensearch", "", "ship to these OpenSearch URLs (comma-separated) instead of writing files")
	fl.StringVar(&s.user, "opensearch-user", "", "HTTP basic auth user (the password comes from SIEMLOADER_OPENSEARCH_PASSWORD)")
	fl.StringVar(&s.caFile, "tls-ca-file", "", "PEM certificates to trust instead of the system roots")
	fl.BoolVar(&s.insecure, "tls-insecure-skip-verify", false, "do not verify the cluster's certificate (tests only)")
	fl.BoolVar(&s.gzip, "gzip", false, "gzip bulk request bodies")
	fl.StringVar(&s.deadLetter, "dead-letter", "", "folder or s3://bucket/prefix for documents OpenSearch refuses for good (NDJSON with the reason)")
	fl.StringVar(&s.deadLetterFile, "dead-letter-file-size", "", "rotate dead-letter files at this size (default 64MB; S3 objects 16MB of lines)")
	fl.StringVar(&s.deadLetterMax, "dead-letter-max-size", "", "cap a dead-letter folder's files together, those already there included (e.g. 10GB); past it refused documents count as failed")
	fl.StringVar(&s.s3Region, "s3-region", "", "region of the dead-letter or redrive bucket (default: AWS_REGION, the profile, else us-east-1)")
	fl.StringVar(&s.s3Endpoint, "s3-endpoint", "", "S3-compatible endpoint URL (MinIO, a VPC endpoint); path-style addressing is used with it")
	fl.IntVar(&s.attempts, "max-attempts", 10, "sends of a retryable document before it counts as failed")
	fl.StringVar(&s.aws.Service, "aws-sigv4", "", "sign requests with AWS SigV4 for `SERVICE`: es (OpenSearch Service), aoss (Serverless) or auto (read off an amazonaws.com endpoint); credentials come from the AWS SDK chain")
	fl.StringVar(&s.aws.Region, "aws-region", "", "region of the domain or collection (default: AWS_REGION, the profile, else the endpoint's name)")
	fl.StringVar(&s.aws.RoleARN, "aws-role-arn", "", "IAM role to assume through STS before signing")
	fl.StringVar(&s.aws.ExternalID, "aws-external-id", "", "external id the role's trust policy asks for")
	fl.StringVar(&s.aws.Profile, "aws-profile", "", "shared config profile (default: AWS_PROFILE or the default chain)")
	fl.BoolVar(&s.bootstrap, "bootstrap", true, "install index templates, the ISM rollover policy and write aliases before loading (--bootstrap=false to skip)")
	fl.BoolVar(&s.timeSeries, "aoss-timeseries", false, "the Serverless collection is a time-series one: send documents without _id (it refuses them)")
}

// serverless tells whether documents go to OpenSearch Serverless, whose
// indices es-loader names without a date.
func (s *shipFlags) serverless() bool {
	if s.aws.Service == "auto" {
		svc, _ := ship.EndpointHints(strings.Split(s.urls, ",")[0])
		return svc == "aoss"
	}
	return s.aws.Service == "aoss"
}

// open returns nil when --opensearch is not given.
func (s *shipFlags) open(stderr io.Writer) (*ship.Indexer, error) {
	if s.urls == "" {
		return nil, nil
	}
	cfg := ship.Config{URLs: strings.Split(s.urls, ","), Username: s.user, Password: os.Getenv("SIEMLOADER_OPENSEARCH_PASSWORD"),
		CAFile: s.caFile, InsecureSkipVerify: s.insecure, Gzip: s.gzip, DeadLetterDir: s.deadLetter, MaxAttempts: s.attempts,
		AWS: s.aws, OmitIDs: s.timeSeries}
	var err error
	if s.deadLetterFile != "" {
		if cfg.DeadLetterFileBytes, err = ship.ParseSize(s.deadLetterFile); err != nil {
			return nil, fmt.Errorf("--dead-letter-file-size: %w", err)
		}
	}
	if s.deadLetterMax != "" {
		if cfg.DeadLetterMaxBytes, err = ship.ParseSize(s.deadLetterMax); err != nil {
			return nil, fmt.Errorf("--dead-letter-max-size: %w", err)
		}
		if strings.HasPrefix(s.deadLetter, "s3://") || s.deadLetter == "" {
			return nil, fmt.Errorf("--dead-letter-max-size caps a dead-letter folder: give --dead-letter DIR")
		}
	}
	if s.timeSeries && !s.serverless() {
		return nil, fmt.Errorf("--aoss-timeseries is for OpenSearch Serverless: add --aws-sigv4 aoss")
	}
	if strings.HasPrefix(s.deadLetter, "s3://") {
		bucket, prefix, err := ship.ParseS3URL(s.deadLetter)
		if err != nil {
			return nil, fmt.Errorf("--dead-letter: %w", err)
		}
		client, err := ship.NewS3Client(context.Background(), s.aws.Profile, s.s3Region, s.s3Endpoint)
		if err != nil {
			return nil, err
		}
		if cfg.DeadLetter, err = ship.NewS3DeadLetter(context.Background(), client, bucket, prefix, cfg.DeadLetterFileBytes); err != nil {
			return nil, fmt.Errorf("--dead-letter: %w", err)
		}
		cfg.DeadLetterDir = ""
	}
	if s.insecure {
		fmt.Fprintln(stderr, "siemloader: WARNING: TLS certificate verification is OFF (--tls-insecure-skip-verify); anyone on the path can read and alter what is sent")
	}
	return ship.New(cfg)
}

// prepare runs the cluster bootstrap unless --bootstrap=false.
func (s *shipFlags) prepare(ix *ship.Indexer, cfg *conf.Config, stderr io.Writer, quiet bool) error {
	if !s.bootstrap {
		return nil
	}
	rep, err := ix.Prepare(context.Background(), cfg.AutoRotatedAliases())
	for _, w := range rep.Warnings {
		fmt.Fprintln(stderr, "siemloader: warning:", w)
	}
	if !quiet && len(rep.Installed) > 0 {
		fmt.Fprintf(stderr, "bootstrap installed: %s\n", strings.Join(rep.Installed, ", "))
	}
	if err != nil {
		return fmt.Errorf("%w (--bootstrap=false skips the bootstrap)", err)
	}
	return nil
}

// shipEmit queues each document; its bytes are only valid during the call.
func shipEmit(ix *ship.Indexer) normalize.Emit {
	return func(d normalize.Document) error {
		return ix.Add(context.Background(), ship.Doc{LogType: d.LogType, Index: d.Index, ID: d.ID, Body: append([]byte(nil), d.Source...)})
	}
}

// finishShipping waits for every request and reports per log type; it
// returns false when documents are left neither delivered nor
// dead-lettered.
func finishShipping(ix *ship.Indexer, stderr io.Writer, quiet bool) bool {
	err := ix.Close(context.Background())
	st := ix.Stats()
	if !quiet {
		fmt.Fprintf(stderr, "\n%-26s %10s %10s %10s %13s %8s\n", "shipped to OpenSearch", "sent", "delivered", "retried", "dead-lettered", "failed")
		names, counts := st.Types()
		for i, n := range names {
			c := counts[i]
			fmt.Fprintf(stderr, "%-26s %10d %10d %10d %13d %8d\n", n, c.Sent, c.Delivered, c.Retried, c.DeadLettered, c.Failed)
		}
		fmt.Fprintf(stderr, "%d bulk request(s), %d bytes\n", st.Requests, st.BytesOut)
	}
	if st.LastRefusal != "" {
		fmt.Fprintf(stderr, "siemloader: the cluster refused a request: %s\n", st.LastRefusal)
	}
	if st.DeadLetterErrors > 0 {
		fmt.Fprintf(stderr, "siemloader: %d refused document(s) could not be dead-lettered and count as failed: %s\n", st.DeadLetterErrors, st.LastDeadLetterError)
	}
	if err != nil {
		fmt.Fprintln(stderr, "siemloader: shipping:", err)
		return false
	}
	return st.Total().Failed == 0
}
