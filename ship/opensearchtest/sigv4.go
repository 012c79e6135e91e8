package opensearchtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// authCheck is what the server demands of each request.
type authCheck struct {
	user, password  string
	creds           aws.Credentials
	service, region string
	sigv4           bool
	// Signed and Refused count requests by outcome.
	signed, refused int
}

// RequireBasic makes the server answer 401 to requests without this user
// and password.
func (s *Server) RequireBasic(user, password string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.auth = &authCheck{user: user, password: password}
}

// RequireSigV4 makes the server check every request's AWS Signature
// Version 4 the way Amazon OpenSearch Service does: the signature is
// recomputed with the SDK's signer from the headers the client signed and
// the SHA-256 of the body as received (gzipped or not), and a mismatch,
// another key, service or region, or a stale date answers 403.
func (s *Server) RequireSigV4(creds aws.Credentials, service, region string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.auth = &authCheck{creds: creds, service: service, region: region, sigv4: true}
}

// AuthCounts returns the requests whose credentials were accepted and
// refused.
func (s *Server) AuthCounts() (accepted, refused int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.auth == nil {
		return 0, 0
	}
	return s.auth.signed, s.auth.refused
}

func (s *Server) authorized(w http.ResponseWriter, r *http.Request, body []byte) bool {
	s.mu.Lock()
	a := s.auth
	s.mu.Unlock()
	if a == nil {
		return true
	}
	var err error
	if a.sigv4 {
		err = a.checkSigV4(r, body)
	} else if u, p, ok := r.BasicAuth(); !ok || u != a.user || p != a.password {
		err = fmt.Errorf("missing or wrong basic auth credentials")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		a.refused++
		status, typ := http.StatusForbidden, "security_exception"
		if !a.sigv4 {
			status = http.StatusUnauthorized
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"error":{"type":%q,"reason":%q},"status":%d}`, typ, err.Error(), status)
		return false
	}
	a.signed++
	return true
}

func (a *authCheck) checkSigV4(r *http.Request, body []byte) error {
	authz := r.Header.Get("Authorization")
	const algo = "AWS4-HMAC-SHA256 "
	if !strings.HasPrefix(authz, algo) {
		return fmt.Errorf("no SigV4 Authorization header")
	}
	parts := map[string]string{}
	for _, kv := range strings.Split(strings.TrimPrefix(authz, algo), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		parts[k] = v
	}
	scope := strings.Split(parts["Credential"], "/")
	if len(scope) != 5 || scope[0] != a.creds.AccessKeyID || scope[2] != a.region || scope[3] != a.service || scope[4] != "aws4_request" {
		return fmt.Errorf("credential scope %q is not %s/…/%s/%s/aws4_request", parts["Credential"], a.creds.AccessKeyID, a.region, a.service)
	}
	when, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return fmt.Errorf("bad X-Amz-Date: %v", err)
	}
	if d := time.Since(when); d > 5*time.Minute || d < -5*time.Minute {
		return fmt.Errorf("signature expired: X-Amz-Date %s", when)
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	if got := r.Header.Get("X-Amz-Content-Sha256"); got != "" && got != hash {
		return fmt.Errorf("X-Amz-Content-Sha256 does not match the body received")
	}
	// Sign a copy holding only what the client said it signed.
	req, err := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), nil)
	if err != nil {
		return err
	}
	req.Host = r.Host
	signedHeaders := strings.Split(parts["SignedHeaders"], ";")
	for _, h := range signedHeaders {
		switch h {
		case "host":
		case "content-length":
			req.ContentLength = r.ContentLength
		default:
			for _, v := range r.Header.Values(h) {
				req.Header.Add(h, v)
			}
		}
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), a.creds, req, hash, a.service, a.region, when); err != nil {
		return err
	}
	want := req.Header.Get("Authorization")
	if want != authz {
		return fmt.Errorf("the request signature we calculated does not match the signature you provided")
	}
	return nil
}
