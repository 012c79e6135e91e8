package output

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"

	"github.com/siemloader/siemloader/normalize"
)

// imdsEndpoint is the instance metadata service; tests point it at a fake.
var imdsEndpoint = ""

// hostSource is the account, region and instance id host logs are
// stamped with: the keys first, then EC2 instance metadata (IMDSv2), read
// once at start. Off EC2, "auto" gives up after two seconds and the
// fields fall back to es-loader's "unknown".
func (o *Output) hostSource(ctx context.Context) normalize.Source {
	c := o.cfg
	src := normalize.Source{Account: c.Account, Region: c.Region, InstanceID: c.InstanceID}
	complete := src.Account != "" && src.Region != "" && src.InstanceID != ""
	if c.EC2Metadata == "off" || (c.EC2Metadata == "auto" && complete) {
		return src
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	client := imds.New(imds.Options{Endpoint: imdsEndpoint, Retryer: aws.NopRetryer{}})
	doc, err := client.GetInstanceIdentityDocument(ctx, nil)
	if err != nil {
		if c.EC2Metadata == "on" {
			o.log.printf("warning: EC2_Metadata On, but instance metadata did not answer: %v", err)
		}
		return src
	}
	if src.Account == "" {
		src.Account = doc.AccountID
	}
	if src.Region == "" {
		src.Region = doc.Region
	}
	if src.InstanceID == "" {
		src.InstanceID = doc.InstanceID
	}
	o.log.printf("host logs are stamped with account %s, region %s, instance %s (EC2 instance metadata)", src.Account, src.Region, src.InstanceID)
	return src
}
