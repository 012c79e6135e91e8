package firehosereceiver

import (
	"errors"
	"fmt"
	"net"

	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"
)

// maxAccessKeyBytes is the most Firehose sends in X-Amz-Firehose-Access-Key.
const maxAccessKeyBytes = 4096

// Config is the receiver's configuration; docs/collector.md lists every
// key with its default.
type Config struct {
	// ServerConfig brings endpoint, tls, max_request_body_size (which
	// bounds the body before and after gzip decoding), timeouts...
	confighttp.ServerConfig `mapstructure:",squash"`
	// AccessKey is what the delivery stream sends in
	// X-Amz-Firehose-Access-Key; empty accepts any request (logged as a
	// warning at start). Never printed.
	AccessKey configopaque.String `mapstructure:"access_key"`
}

// Unmarshal is needed because the embedded ServerConfig's own Unmarshal
// would be promoted and fill the server's keys alone, leaving
// access_key unread.
func (c *Config) Unmarshal(conf *confmap.Conf) error {
	if err := c.ServerConfig.Unmarshal(conf); err != nil {
		return err
	}
	own := struct {
		AccessKey configopaque.String `mapstructure:"access_key"`
	}{c.AccessKey}
	if err := conf.Unmarshal(&own, confmap.WithIgnoreUnused()); err != nil {
		return err
	}
	c.AccessKey = own.AccessKey
	return nil
}

// Validate reports every problem at once, each with its key's path.
func (c *Config) Validate() error {
	var errs []error
	bad := func(path, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
	}
	if c.NetAddr.Endpoint == "" {
		bad("endpoint", "must be host:port (Firehose posts to https://host:443)")
	} else if _, port, err := net.SplitHostPort(c.NetAddr.Endpoint); err != nil || port == "" {
		bad("endpoint", "%q is not host:port", c.NetAddr.Endpoint)
	}
	if len(c.AccessKey) > maxAccessKeyBytes {
		bad("access_key", "longer than the %d bytes Firehose sends", maxAccessKeyBytes)
	}
	if c.MaxRequestBodySize < 0 {
		bad("max_request_body_size", "must not be negative")
	}
	if tls := c.TLS.Get(); tls != nil {
		if (tls.CertFile == "" && tls.CertPem == "") || (tls.KeyFile == "" && tls.KeyPem == "") {
			bad("tls", "cert_file and key_file (or cert_pem and key_pem) are needed to serve TLS")
		}
	}
	return errors.Join(errs...)
}
