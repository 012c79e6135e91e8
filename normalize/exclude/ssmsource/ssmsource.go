// Package ssmsource reads exclusion conditions from AWS Systems Manager
// Parameter Store, where es-loader keeps them. It is apart from package
// exclude so that the normalization core needs no AWS SDK.
package ssmsource

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/siemloader/siemloader/normalize/exclude"
)

// Lister is the part of the SSM client this package uses (a fake in tests).
type Lister interface {
	GetParametersByPath(ctx context.Context, in *ssm.GetParametersByPathInput, opts ...func(*ssm.Options)) (*ssm.GetParametersByPathOutput, error)
}

// Source lists parameters through an SSM client.
type Source struct{ Client Lister }

// New uses the AWS SDK's default credential chain and region.
func New(ctx context.Context) (*Source, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	return &Source{Client: ssm.NewFromConfig(cfg)}, nil
}

// GetParametersByPath returns every parameter below path, across pages.
func (s *Source) GetParametersByPath(ctx context.Context, path string) ([]exclude.Parameter, error) {
	var out []exclude.Parameter
	in := &ssm.GetParametersByPathInput{Path: aws.String(path), Recursive: aws.Bool(true)}
	for {
		page, err := s.Client.GetParametersByPath(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("SSM GetParametersByPath %s: %w", path, err)
		}
		for _, p := range page.Parameters {
			out = append(out, exclude.Parameter{Name: aws.ToString(p.Name), Value: aws.ToString(p.Value)})
		}
		if page.NextToken == nil || *page.NextToken == "" {
			return out, nil
		}
		in.NextToken = page.NextToken
	}
}
