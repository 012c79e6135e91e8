// Package miniotest runs a real MinIO server for tests of S3 code: a fake
// would agree with whatever our code assumes, MinIO answers as S3 does
// (errors, checksums, listing, copies).
package miniotest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Server is a running MinIO.
type Server struct {
	Endpoint  string // http://127.0.0.1:port
	AccessKey string
	SecretKey string
	Region    string
}

// Binary finds the minio executable: $MINIO_BIN, minio in PATH, else
// GOPATH/bin/minio, where `go install github.com/minio/minio@latest`
// puts it. It returns "" when there is none.
func Binary() string {
	if b := os.Getenv("MINIO_BIN"); b != "" {
		return b
	}
	if b, err := exec.LookPath("minio"); err == nil {
		return b
	}
	var dirs []string
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		dirs = append(dirs, filepath.SplitList(strings.TrimSpace(string(out)))...)
	}
	dirs = append(dirs, filepath.SplitList(os.Getenv("GOPATH"))...)
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, "go"))
	}
	for _, d := range dirs {
		b := filepath.Join(d, "bin", "minio")
		if fi, err := os.Stat(b); err == nil && !fi.IsDir() {
			return b
		}
	}
	return ""
}

// Start runs MinIO on a free loopback port with its own data folder and
// random root credentials, and stops it when the test ends. Without a
// binary the test is skipped, unless SIEMLOADER_REQUIRE_MINIO=1 (CI),
// where a skip would hide that the S3 code went untested.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartWithEnv(t)
}

// StartWithEnv is Start with extra NAME=value settings in MinIO's
// environment (a notification target: MINIO_NOTIFY_WEBHOOK_ENABLE_<ID>=on...);
// they come after, so they override, the test's own.
func StartWithEnv(t testing.TB, env ...string) *Server {
	t.Helper()
	bin := Binary()
	if bin == "" {
		msg := "miniotest: no MinIO server binary; install one with `go install github.com/minio/minio@latest` or point MINIO_BIN at it"
		if os.Getenv("SIEMLOADER_REQUIRE_MINIO") == "1" {
			t.Fatal(msg + " (SIEMLOADER_REQUIRE_MINIO=1)")
		}
		t.Skip(msg)
	}
	data := t.TempDir()
	s := &Server{AccessKey: "test-" + randomHex(6), SecretKey: randomHex(16), Region: "us-east-1"}
	// The free port is found by closing a listener, so another process
	// may take it before MinIO binds: try again on a fresh one then.
	var lastErr error
	for try := 0; try < 3; try++ {
		addr, err := freeAddr()
		if err != nil {
			t.Fatalf("miniotest: %v", err)
		}
		stop, err := s.run(bin, addr, data, env)
		if err == nil {
			s.Endpoint = "http://" + addr
			t.Cleanup(stop)
			return s
		}
		lastErr = err
	}
	t.Fatalf("miniotest: %v", lastErr)
	return nil
}

func (s *Server) run(bin, addr, data string, env []string) (stop func(), err error) {
	cmd := exec.Command(bin, "server", "--quiet", "--address", addr, data)
	cmd.Env = append(os.Environ(),
		"MINIO_ROOT_USER="+s.AccessKey,
		"MINIO_ROOT_PASSWORD="+s.SecretKey,
		"MINIO_REGION="+s.Region,
		"MINIO_BROWSER=off", // no console listening on another port
		"MINIO_UPDATE=off",
	)
	cmd.Env = append(cmd.Env, env...)
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	stop = func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	}
	health := "http://" + addr + "/minio/health/live"
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return nil, fmt.Errorf("%s exited before it was ready: %s", bin, out.String())
		default:
		}
		if resp, err := client.Get(health); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return stop, nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	return nil, fmt.Errorf("%s not ready after 30s: %s", bin, out.String())
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Client is an S3 client for the server: path-style, since MinIO on an
// IP address has no bucket host names, and with static credentials so
// that nothing of the environment's AWS configuration leaks in.
func (s *Server) Client(t testing.TB) *s3.Client {
	t.Helper()
	return s3.New(s3.Options{
		Region:       s.Region,
		BaseEndpoint: aws.String(s.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
	})
}

// MakeBucket creates a bucket or fails the test.
func (s *Server) MakeBucket(t testing.TB, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.Client(t).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("miniotest: creating bucket %s: %v", name, err)
	}
}

// syncBuffer collects MinIO's output, written by exec's copying
// goroutine while the test may read it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
