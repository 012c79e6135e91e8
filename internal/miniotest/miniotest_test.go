package miniotest_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/siemloader/siemloader/internal/miniotest"
)

func TestServerStoresObjectsAndStops(t *testing.T) {
	var endpoint string
	t.Run("server", func(t *testing.T) {
		srv := miniotest.Start(t)
		endpoint = srv.Endpoint
		srv.MakeBucket(t, "probe")
		ctx := context.Background()
		c := srv.Client(t)
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("probe"), Key: aws.String("a/b.txt"), Body: strings.NewReader("hello")}); err != nil {
			t.Fatal(err)
		}
		got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("probe"), Key: aws.String("a/b.txt")})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(got.Body)
		got.Body.Close()
		if string(body) != "hello" {
			t.Fatalf("read back %q", body)
		}
		// other credentials are refused: the server really checks them
		other := *srv
		other.SecretKey = "wrong-secret-key"
		if _, err := other.Client(t).ListBuckets(ctx, &s3.ListBucketsInput{}); err == nil {
			t.Fatal("a wrong secret key was accepted")
		}
	})
	if endpoint == "" {
		return // skipped
	}
	if resp, err := http.Get(endpoint + "/minio/health/live"); err == nil {
		resp.Body.Close()
		t.Fatal("the server still answers after its test ended")
	}
}
