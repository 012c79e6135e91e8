package ship_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/siemloader/siemloader/internal/awstest"
	"github.com/siemloader/siemloader/ship"
	"github.com/siemloader/siemloader/ship/opensearchtest"
)

func sendAll(t *testing.T, cfg ship.Config, n int) (*ship.Indexer, []ship.Outcome) {
	t.Helper()
	ix, err := ship.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	docs := make([]ship.Doc, n)
	for i := range docs {
		docs[i] = doc(i, "")
	}
	return ix, ix.Send(context.Background(), docs)
}

func countOutcomes(out []ship.Outcome) map[ship.Outcome]int {
	m := map[ship.Outcome]int{}
	for _, o := range out {
		m[o]++
	}
	return m
}

func TestSigV4SignaturesHoldWithAndWithoutGzip(t *testing.T) {
	awstest.Isolate(t, "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
	for _, gz := range []bool{false, true} {
		t.Run(fmt.Sprintf("gzip=%t", gz), func(t *testing.T) {
			srv := opensearchtest.New(opensearchtest.Faults{}, 1)
			defer srv.Close()
			srv.RequireSigV4(aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}, "es", "eu-west-1")
			cfg := fastConfig(srv.URL)
			cfg.Gzip = gz
			cfg.AWS = ship.AWSAuth{Service: "es", Region: "eu-west-1"}
			_, out := sendAll(t, cfg, 2000)
			if c := countOutcomes(out); c[ship.Delivered] != 2000 {
				t.Fatalf("outcomes %v", c)
			}
			ok, refused := srv.AuthCounts()
			if ok == 0 || refused != 0 {
				t.Fatalf("accepted %d, refused %d", ok, refused)
			}
			if gz && srv.Gzipped == 0 {
				t.Fatal("nothing was gzipped")
			}
		})
	}
}

func TestSigV4WrongKeyIsRefusedNotRetried(t *testing.T) {
	awstest.Isolate(t, "AKIDEXAMPLE", "not-the-secret")
	srv := opensearchtest.New(opensearchtest.Faults{}, 1)
	defer srv.Close()
	srv.RequireSigV4(aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "the-secret"}, "es", "eu-west-1")
	cfg := fastConfig(srv.URL)
	cfg.AWS = ship.AWSAuth{Service: "es", Region: "eu-west-1"}
	ix, out := sendAll(t, cfg, 10)
	if c := countOutcomes(out); c[ship.Failed] != 10 {
		t.Fatalf("outcomes %v", c)
	}
	if _, refused := srv.AuthCounts(); refused != 1 {
		t.Fatalf("%d refusals: a 403 must not be retried", refused)
	}
	if r := ix.Stats().LastRefusal; !strings.Contains(r, "403") || !strings.Contains(r, "signature") {
		t.Fatalf("refusal %q", r)
	}
}

func TestSigV4WithWrongRegionOrServiceIsRefused(t *testing.T) {
	awstest.Isolate(t, "AKIDEXAMPLE", "secret")
	for _, a := range []ship.AWSAuth{{Service: "es", Region: "us-east-1"}, {Service: "aoss", Region: "eu-west-1"}} {
		srv := opensearchtest.New(opensearchtest.Faults{}, 1)
		srv.RequireSigV4(aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}, "es", "eu-west-1")
		cfg := fastConfig(srv.URL)
		cfg.AWS = a
		_, out := sendAll(t, cfg, 3)
		if c := countOutcomes(out); c[ship.Failed] != 3 {
			t.Fatalf("%+v: outcomes %v", a, c)
		}
		srv.Close()
	}
}

// fakeSTS answers AssumeRole with temporary credentials and remembers the
// parameters it was called with.
type fakeSTS struct {
	*httptest.Server
	mu    sync.Mutex
	calls []map[string]string
}

func newFakeSTS(t *testing.T, creds aws.Credentials) *fakeSTS {
	f := &fakeSTS{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.Form.Get("Action") != "AssumeRole" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		call := map[string]string{}
		for k := range r.Form {
			call[k] = r.Form.Get(k)
		}
		call["auth"] = r.Header.Get("Authorization")
		f.mu.Lock()
		f.calls = append(f.calls, call)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey><SessionToken>%s</SessionToken><Expiration>%s</Expiration></Credentials>
<AssumedRoleUser><Arn>%s/siemloader</Arn><AssumedRoleId>AROA:siemloader</AssumedRoleId></AssumedRoleUser>
</AssumeRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleResponse>`,
			creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken, time.Now().Add(time.Hour).UTC().Format(time.RFC3339), r.Form.Get("RoleArn"))
	}))
	t.Cleanup(f.Close)
	return f
}

// Serverless with an assumed role: the collection only knows the role's
// temporary keys (session token included), the role is assumed once with
// the external id, and a time-series collection gets no _id.
func TestSigV4ServerlessWithAssumedRole(t *testing.T) {
	awstest.Isolate(t, "AKIDBASE", "base-secret")
	roleCreds := aws.Credentials{AccessKeyID: "ASIAROLE", SecretAccessKey: "role-secret", SessionToken: "role-token"}
	sts := newFakeSTS(t, roleCreds)
	t.Setenv("AWS_ENDPOINT_URL_STS", sts.URL)

	srv := opensearchtest.New(opensearchtest.Faults{ItemRejected: 0.2}, 1)
	defer srv.Close()
	srv.RequireSigV4(roleCreds, "aoss", "ap-northeast-1")
	srv.TimeSeries()
	cfg := fastConfig(srv.URL)
	cfg.Gzip = true
	cfg.OmitIDs = true
	cfg.AWS = ship.AWSAuth{Service: "aoss", Region: "ap-northeast-1", RoleARN: "arn:aws:iam::123456789012:role/siem-loader", ExternalID: "ext-42"}
	ix, out := sendAll(t, cfg, 500)
	if c := countOutcomes(out); c[ship.Delivered] != 500 {
		t.Fatalf("outcomes %v (last refusal %q)", c, ix.Stats().LastRefusal)
	}
	if srv.Docs() != 500 {
		t.Fatalf("%d documents stored", srv.Docs())
	}
	if len(sts.calls) != 1 {
		t.Fatalf("%d AssumeRole calls, want 1 (credentials are cached)", len(sts.calls))
	}
	c := sts.calls[0]
	if c["RoleArn"] != cfg.AWS.RoleARN || c["ExternalId"] != "ext-42" || c["RoleSessionName"] != "siemloader" || !strings.Contains(c["auth"], "Credential=AKIDBASE/") {
		t.Fatalf("AssumeRole call %v", c)
	}

	// The same documents again: this process knows they were delivered and
	// does not index them a second time.
	before := srv.Requests
	docs := make([]ship.Doc, 500)
	for i := range docs {
		docs[i] = doc(i, "")
	}
	if c := countOutcomes(ix.Send(context.Background(), docs)); c[ship.Delivered] != 500 || srv.Requests != before {
		t.Fatalf("resend: outcomes %v, %d more requests", c, srv.Requests-before)
	}
}

func TestServiceAndRegionFromTheEndpoint(t *testing.T) {
	awstest.Isolate(t, "AKIDEXAMPLE", "secret")
	// An amazonaws.com name tells both; New connects nothing, so the names
	// need not resolve.
	cfg := ship.Config{URLs: []string{"https://search-logs-abc123.eu-central-1.es.amazonaws.com"}, AWS: ship.AWSAuth{Service: "auto"}}
	ix, err := ship.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := ix.AWS(); got.Service != "es" || got.Region != "eu-central-1" {
		t.Fatalf("resolved %+v", got)
	}
	cfg.URLs = []string{"https://0123abcd.us-west-2.aoss.amazonaws.com"}
	if ix, err = ship.New(cfg); err != nil {
		t.Fatal(err)
	}
	if got := ix.AWS(); got.Service != "aoss" || got.Region != "us-west-2" {
		t.Fatalf("resolved %+v", got)
	}
	cfg.URLs = []string{"https://logs.example.com"}
	if _, err = ship.New(cfg); err == nil || !strings.Contains(err.Error(), "es from aoss") {
		t.Fatalf("err %v", err)
	}
}

func TestAWSConfigProblems(t *testing.T) {
	awstest.Isolate(t, "", "")
	for _, tc := range []struct {
		cfg  ship.Config
		want string
	}{
		{ship.Config{URLs: []string{"https://x"}, AWS: ship.AWSAuth{Service: "s3"}}, "neither es"},
		{ship.Config{URLs: []string{"https://x"}, AWS: ship.AWSAuth{RoleARN: "arn:aws:iam::1:role/r"}}, "SigV4 is off"},
		{ship.Config{URLs: []string{"https://x"}, AWS: ship.AWSAuth{Service: "es", Region: "eu-west-1", ExternalID: "x"}}, "only used when assuming"},
		{ship.Config{URLs: []string{"https://x"}, AWS: ship.AWSAuth{Service: "es", RoleARN: "siem-role"}}, "not an ARN"},
		{ship.Config{URLs: []string{"https://x"}, Username: "u", Password: "p", AWS: ship.AWSAuth{Service: "es"}}, "exclude each other"},
		{ship.Config{URLs: []string{"https://x"}, OmitIDs: true, Op: "create"}, "needs an _id"},
		{ship.Config{URLs: []string{"https://x"}, AWS: ship.AWSAuth{Service: "es"}}, "no region"},
		{ship.Config{URLs: []string{"https://x"}, AWS: ship.AWSAuth{Service: "es", Region: "eu-west-1"}}, "credentials"},
	} {
		_, err := ship.New(tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err %v, want %q", tc.cfg, err, tc.want)
		}
	}
}

func TestBasicAuth(t *testing.T) {
	srv := opensearchtest.New(opensearchtest.Faults{}, 1)
	defer srv.Close()
	srv.RequireBasic("loader", "s3cret")
	cfg := fastConfig(srv.URL)
	cfg.Username, cfg.Password = "loader", "s3cret"
	if _, out := sendAll(t, cfg, 5); countOutcomes(out)[ship.Delivered] != 5 {
		t.Fatalf("outcomes %v", countOutcomes(out))
	}
	cfg.Password = "wrong"
	ix, out := sendAll(t, cfg, 5)
	if countOutcomes(out)[ship.Failed] != 5 || !strings.Contains(ix.Stats().LastRefusal, "401") {
		t.Fatalf("outcomes %v, refusal %q", countOutcomes(out), ix.Stats().LastRefusal)
	}
}
