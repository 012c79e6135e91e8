package s3receiver

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// clients are the S3 client of each bucket (its own when buckets: names
// a role for it) and the SQS client.
type clients struct {
	base     aws.Config
	cfg      *Config
	fallback *s3.Client
	byBucket map[string]*s3.Client
}

func newClients(ctx context.Context, cfg *Config) (*clients, error) {
	var opts []func(*awsconfig.LoadOptions) error
	if cfg.Profile != "" {
		opts = append(opts, awsconfig.WithSharedConfigProfile(cfg.Profile))
	}
	if cfg.Region != "" {
		opts = append(opts, awsconfig.WithRegion(cfg.Region))
	}
	base, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	c := &clients{base: base, cfg: cfg, byBucket: map[string]*s3.Client{}}
	c.fallback = c.s3Client(base, "")
	for name, bc := range cfg.Buckets {
		c.byBucket[name] = c.s3Client(c.bucketConfig(bc), bc.Region)
	}
	return c, nil
}

// bucketConfig is the SDK configuration of a bucket: the role it names
// assumed through STS with the receiver's own credentials (refreshed
// before they expire), else the receiver's credentials.
func (c *clients) bucketConfig(bc BucketConfig) aws.Config {
	ac := c.base.Copy()
	if bc.RoleARN != "" {
		provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(c.base), bc.RoleARN, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = "siemloader-s3receiver"
			if bc.ExternalID != "" {
				o.ExternalID = aws.String(bc.ExternalID)
			}
		})
		ac.Credentials = aws.NewCredentialsCache(provider)
	}
	return ac
}

func (c *clients) s3Client(ac aws.Config, region string) *s3.Client {
	return s3.NewFromConfig(ac, func(o *s3.Options) {
		// S3 needs a region to sign; us-east-1 reaches any bucket's
		// redirect and any S3-compatible endpoint
		o.Region = cmp.Or(region, o.Region, "us-east-1")
		if c.cfg.S3Endpoint != "" {
			o.BaseEndpoint = aws.String(c.cfg.S3Endpoint)
		}
		o.UsePathStyle = c.cfg.S3ForcePathStyle
		// objects are checked by their decompression and parsing; the
		// SDK would warn about every object uploaded without a checksum
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
}

// forBucket is the client that reads bucket.
func (c *clients) forBucket(bucket string) *s3.Client {
	if cl, ok := c.byBucket[bucket]; ok {
		return cl
	}
	return c.fallback
}

func (c *clients) sqs() *sqs.Client {
	return sqs.NewFromConfig(c.base, func(o *sqs.Options) {
		o.Region = cmp.Or(o.Region, queueRegion(c.cfg.QueueURL), "us-east-1")
		if c.cfg.SQSEndpoint != "" {
			o.BaseEndpoint = aws.String(c.cfg.SQSEndpoint)
		}
	})
}

// queueRegion reads the region of https://sqs.<region>.amazonaws.com/...
func queueRegion(queueURL string) string {
	u, err := url.Parse(queueURL)
	if err != nil {
		return ""
	}
	parts := strings.Split(u.Hostname(), ".")
	if len(parts) >= 4 && parts[0] == "sqs" && strings.HasPrefix(strings.Join(parts[2:], "."), "amazonaws.") {
		return parts[1]
	}
	return ""
}
