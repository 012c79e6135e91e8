package ssmsource

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/siemloader/siemloader/normalize/exclude"
)

// pages is a fake SSM that serves parameters two per page.
type pages struct {
	params []types.Parameter
	calls  int
	fail   bool
}

func (p *pages) GetParametersByPath(_ context.Context, in *ssm.GetParametersByPathInput, _ ...func(*ssm.Options)) (*ssm.GetParametersByPathOutput, error) {
	p.calls++
	if p.fail {
		return nil, errors.New("AccessDeniedException")
	}
	if !aws.ToBool(in.Recursive) {
		return nil, errors.New("not recursive")
	}
	start := 0
	if in.NextToken != nil {
		start = int((*in.NextToken)[0] - '0')
	}
	end := min(start+2, len(p.params))
	out := &ssm.GetParametersByPathOutput{Parameters: p.params[start:end]}
	if end < len(p.params) {
		out.NextToken = aws.String(string(rune('0' + end)))
	}
	return out, nil
}

func TestConditionsFromParameterStore(t *testing.T) {
	fake := &pages{params: []types.Parameter{
		{Name: aws.String("/siem/exclude-logs/waf/health"), Value: aws.String(`{"action":"EXCLUDE","expression":"httpRequest.uri==` + "`/health`" + `"}`)},
		{Name: aws.String("/siem/exclude-logs/waf/scanners"), Value: aws.String(`{"action":"COUNT","expression":"action==` + "`BLOCK`" + `"}`)},
		{Name: aws.String("/siem/exclude-logs/vpcflowlogs/off"), Value: aws.String(`{"action":"DISABLE","expression":"srcport==` + "`22`" + `"}`)},
		{Name: aws.String("/siem/exclude-logs/waf/broken"), Value: aws.String(`{"action":"EXCLUDE"`)},
	}}
	conds, problems, err := exclude.LoadConditionsFromParameters(context.Background(), &Source{Client: fake}, "")
	if err != nil {
		t.Fatal(err)
	}
	if fake.calls != 2 {
		t.Errorf("%d calls, want 2 pages", fake.calls)
	}
	if len(problems) != 1 {
		t.Errorf("problems %v, want the broken parameter", problems)
	}
	if len(conds) != 3 {
		t.Fatalf("%d conditions, want 3", len(conds))
	}
	if _, _, err := exclude.LoadConditionsFromParameters(context.Background(), &Source{Client: &pages{fail: true}}, ""); err == nil {
		t.Error("a failing SSM call was not reported")
	}
}
