package ship

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// AWSAuth signs requests with AWS Signature Version 4, for Amazon
// OpenSearch Service domains ("es") and OpenSearch Serverless collections
// ("aoss"). Credentials come from the AWS SDK's default chain
// (environment, shared profile, SSO, ECS task role, EC2 instance role),
// optionally exchanged for a role through STS.
type AWSAuth struct {
	// Service is "es" or "aoss"; empty turns SigV4 off. "auto" takes it
	// from an amazonaws.com endpoint's host name.
	Service string
	// Region of the domain or collection; empty: the SDK's (AWS_REGION,
	// the profile), else the endpoint's host name.
	Region string
	// RoleARN is assumed through STS when set, with ExternalID when the
	// role's trust policy asks for one.
	RoleARN     string
	ExternalID  string
	SessionName string // default "siemloader"
	// Profile is a shared config profile; empty: the default chain.
	Profile string
}

// Enabled tells whether requests are signed.
func (a AWSAuth) Enabled() bool { return a.Service != "" }

func (a AWSAuth) validate() []error {
	var errs []error
	switch a.Service {
	case "", "es", "aoss", "auto":
	default:
		errs = append(errs, fmt.Errorf("aws.service: %q is neither es (OpenSearch Service) nor aoss (Serverless)", a.Service))
	}
	if !a.Enabled() && (a.RoleARN != "" || a.Region != "" || a.Profile != "") {
		errs = append(errs, errors.New("aws: a role, region or profile is set but SigV4 is off (set the service: es or aoss)"))
	}
	if a.ExternalID != "" && a.RoleARN == "" {
		errs = append(errs, errors.New("aws.external_id: only used when assuming a role (set the role ARN)"))
	}
	if a.RoleARN != "" && !strings.HasPrefix(a.RoleARN, "arn:") {
		errs = append(errs, fmt.Errorf("aws.role_arn: %q is not an ARN (arn:aws:iam::123456789012:role/name)", a.RoleARN))
	}
	return errs
}

// EndpointHints reads the service and region out of an AWS endpoint:
// search-NAME-ID.REGION.es.amazonaws.com, ID.REGION.aoss.amazonaws.com.
func EndpointHints(rawURL string) (service, region string) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", ""
	}
	labels := strings.Split(u.Hostname(), ".")
	for i := 1; i+2 < len(labels); i++ {
		if (labels[i] == "es" || labels[i] == "aoss") && labels[i+1] == "amazonaws" {
			return labels[i], labels[i-1]
		}
	}
	return "", ""
}

// resolve fills Service and Region from the endpoint where they are left
// to it.
func (a *AWSAuth) resolve(urls []string) {
	if len(urls) == 0 {
		return
	}
	svc, region := EndpointHints(urls[0])
	if a.Service == "auto" && svc != "" {
		a.Service = svc
	}
	if a.Region == "" {
		a.Region = region
	}
}

// newSigner loads credentials the SDK way; a missing region or service is
// a clear error now rather than a 403 on the first request.
func newSigner(ctx context.Context, a AWSAuth) (*sigV4Signer, error) {
	if a.Service == "auto" || a.Service == "" {
		return nil, errors.New("aws: cannot tell es from aoss from the endpoint; set the service")
	}
	var opts []func(*awsconfig.LoadOptions) error
	if a.Region != "" {
		opts = append(opts, awsconfig.WithRegion(a.Region))
	}
	if a.Profile != "" {
		opts = append(opts, awsconfig.WithSharedConfigProfile(a.Profile))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("aws: loading the SDK configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, errors.New("aws: no region: set it (--aws-region) or AWS_REGION")
	}
	creds := cfg.Credentials
	if a.RoleARN != "" {
		// AWS_ENDPOINT_URL_STS reaches a regional or VPC endpoint
		client := sts.NewFromConfig(cfg)
		name := a.SessionName
		if name == "" {
			name = "siemloader"
		}
		creds = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(client, a.RoleARN, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = name
			if a.ExternalID != "" {
				o.ExternalID = aws.String(a.ExternalID)
			}
		}))
	}
	if creds == nil {
		return nil, errors.New("aws: no credentials in the SDK's default chain")
	}
	// Fail now, with the SDK's reason, rather than on every request.
	if _, err := creds.Retrieve(ctx); err != nil {
		return nil, fmt.Errorf("aws credentials: %w", err)
	}
	return &sigV4Signer{creds: creds, signer: v4.NewSigner(), service: a.Service, region: cfg.Region}, nil
}

// sigV4Signer signs each request with the SDK's signer. The payload hash
// is taken from X-Amz-Content-Sha256 when the indexer set it while
// building the body, so a 5 MB body is not copied to be hashed; the hash
// is of the bytes sent, gzipped or not, which is what AWS checks.
type sigV4Signer struct {
	creds           aws.CredentialsProvider
	signer          *v4.Signer
	service, region string
}

const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

func (s *sigV4Signer) SignRequest(r *http.Request) error {
	hash := r.Header.Get("X-Amz-Content-Sha256")
	if hash == "" {
		var err error
		if hash, err = bodySHA256(r); err != nil {
			return err
		}
		// Serverless requires the header; a domain accepts it.
		r.Header.Set("X-Amz-Content-Sha256", hash)
	}
	creds, err := s.creds.Retrieve(r.Context())
	if err != nil {
		return fmt.Errorf("aws credentials: %w", err)
	}
	return s.signer.SignHTTP(r.Context(), creds, r, hash, s.service, s.region, time.Now())
}

// OverrideSigningPort is part of opensearch-go's Signer; the host signed
// is the one dialed.
func (s *sigV4Signer) OverrideSigningPort(uint16) {}

func bodySHA256(r *http.Request) (string, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return emptySHA256, nil
	}
	var rd io.ReadCloser = r.Body
	if r.GetBody != nil {
		b, err := r.GetBody()
		if err != nil {
			return "", err
		}
		rd = b
	}
	h := sha256.New()
	if _, err := io.Copy(h, rd); err != nil {
		return "", err
	}
	if r.GetBody == nil {
		return "", errors.New("sigv4: a request body that cannot be read twice")
	}
	rd.Close()
	return hex.EncodeToString(h.Sum(nil)), nil
}

// payloadSHA256 is the hex digest the indexer puts on a bulk request.
func payloadSHA256(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// AWS is the SigV4 setting in effect, with what was read off the
// endpoint; Service is empty when requests are not signed.
func (ix *Indexer) AWS() AWSAuth { return ix.cfg.AWS }
