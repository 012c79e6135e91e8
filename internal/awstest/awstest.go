// Package awstest gives a test an AWS SDK default chain it controls:
// these keys and nothing of the machine's profiles or instance metadata,
// so that a test behaves the same on a laptop with AWS credentials, in CI
// and on EC2.
package awstest

import (
	"path/filepath"
	"testing"
)

// Isolate makes the SDK's default chain yield exactly key and secret
// (none when both are empty) for the rest of the test.
func Isolate(t testing.TB, key, secret string) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_ACCESS_KEY_ID", key)
	t.Setenv("AWS_SECRET_ACCESS_KEY", secret)
}
