package firehosereceiver

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receiverhelper"
	"go.uber.org/zap"
)

// The headers of the Firehose HTTP endpoint delivery protocol.
const (
	headerRequestID        = "X-Amz-Firehose-Request-Id"
	headerAccessKey        = "X-Amz-Firehose-Access-Key"
	headerCommonAttributes = "X-Amz-Firehose-Common-Attributes"
	headerSourceARN        = "X-Amz-Firehose-Source-Arn"
)

type firehoseReceiver struct {
	cfg     *Config
	set     receiver.Settings
	next    consumer.Logs
	obs     *receiverhelper.ObsReport
	tel     *telemetry
	keyHash [sha256.Size]byte // of access_key: compared in constant time whatever the lengths

	server *http.Server
	addr   string // where it listens (an endpoint's port 0 is chosen at start)
	wg     sync.WaitGroup
}

func newReceiver(cfg *Config, set receiver.Settings, next consumer.Logs) (*firehoseReceiver, error) {
	obs, err := receiverhelper.NewObsReport(receiverhelper.ObsReportSettings{
		ReceiverID: set.ID, Transport: "http", ReceiverCreateSettings: set})
	if err != nil {
		return nil, err
	}
	tel, err := newTelemetry(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return &firehoseReceiver{cfg: cfg, set: set, next: next, obs: obs, tel: tel,
		keyHash: sha256.Sum256([]byte(cfg.AccessKey))}, nil
}

func (r *firehoseReceiver) Start(ctx context.Context, host component.Host) error {
	if r.cfg.AccessKey == "" {
		r.set.Logger.Warn("firehose: no access_key: any client that reaches the endpoint can post logs")
	}
	ln, err := r.cfg.ToListener(ctx)
	if err != nil {
		return fmt.Errorf("firehose: listen on %s: %w", r.cfg.NetAddr.Endpoint, err)
	}
	r.server, err = r.cfg.ToServer(ctx, host.GetExtensions(), r.set.TelemetrySettings, r,
		confighttp.WithErrorHandler(func(w http.ResponseWriter, req *http.Request, msg string, code int) {
			r.answer(w, req.Header.Get(headerRequestID), code, msg)
		}))
	if err != nil {
		ln.Close()
		return err
	}
	r.addr = ln.Addr().String()
	r.set.Logger.Info("firehose: listening", zap.String("endpoint", r.addr), zap.Bool("tls", r.cfg.TLS.HasValue()))
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		if err := r.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			r.set.Logger.Error("firehose: server stopped", zap.Error(err))
		}
	}()
	return nil
}

// Shutdown stops accepting requests and waits for those in flight.
func (r *firehoseReceiver) Shutdown(ctx context.Context) error {
	if r.server == nil {
		return nil
	}
	err := r.server.Shutdown(ctx)
	r.wg.Wait()
	return err
}

// response is the body Firehose expects back, whatever the status.
type response struct {
	RequestID    string `json:"requestId"`
	Timestamp    int64  `json:"timestamp"`
	ErrorMessage string `json:"errorMessage,omitempty"`
}

func (r *firehoseReceiver) answer(w http.ResponseWriter, requestID string, code int, errMsg string) {
	body, _ := json.Marshal(response{RequestID: requestID, Timestamp: time.Now().UnixMilli(), ErrorMessage: errMsg})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	w.Write(body)
	r.tel.request(code)
}

// ServeHTTP answers one delivery request: 200 once its records are
// handed on (corrupt ones counted, not retried), 401/403 for a missing
// or wrong access key, 400 for a body that is no delivery request, 413
// over max_request_body_size, 503 when the pipeline fails (Firehose then
// sends the whole request again; the documents that arrived keep their
// _ids and are not indexed twice).
func (r *firehoseReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	requestID := req.Header.Get(headerRequestID)
	log := r.set.Logger.With(zap.String("request_id", requestID))
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		r.answer(w, requestID, http.StatusMethodNotAllowed, "only POST is accepted")
		return
	}
	if r.cfg.AccessKey != "" {
		key := req.Header.Get(headerAccessKey)
		if key == "" {
			log.Warn("firehose: request without " + headerAccessKey)
			r.answer(w, requestID, http.StatusUnauthorized, "missing "+headerAccessKey)
			return
		}
		got := sha256.Sum256([]byte(key))
		if subtle.ConstantTimeCompare(got[:], r.keyHash[:]) != 1 {
			log.Warn("firehose: wrong access key", zap.String("remote", remoteHost(req)))
			r.answer(w, requestID, http.StatusForbidden, "invalid access key")
			return
		}
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			log.Warn("firehose: request body over max_request_body_size", zap.Int64("max_request_body_size", tooLarge.Limit))
			r.answer(w, requestID, http.StatusRequestEntityTooLarge,
				fmt.Sprintf("request body larger than %d bytes (max_request_body_size; or lower the delivery stream's buffer size)", tooLarge.Limit))
			return
		}
		r.answer(w, requestID, http.StatusBadRequest, "reading the body: "+err.Error())
		return
	}
	var dr request
	if err := json.Unmarshal(body, &dr); err != nil {
		log.Warn("firehose: malformed request body", zap.Error(err))
		r.answer(w, requestID, http.StatusBadRequest, "the body is not a Firehose delivery request: "+err.Error())
		return
	}
	body = nil
	switch {
	case requestID == "":
		requestID = dr.RequestID
	case dr.RequestID != "" && dr.RequestID != requestID:
		r.answer(w, requestID, http.StatusBadRequest, "requestId of the body differs from "+headerRequestID)
		return
	}
	resource := pcommon.NewMap()
	if err := commonAttributes(req.Header.Get(headerCommonAttributes), resource); err != nil {
		r.answer(w, requestID, http.StatusBadRequest, err.Error())
		return
	}
	if arn := req.Header.Get(headerSourceARN); arn != "" {
		resource.PutStr(attrSourceARN, arn)
		if region := regionOfARN(arn); region != "" {
			resource.PutStr(attrRegion, region)
		}
	}
	if requestID != "" {
		resource.PutStr(attrRequestID, requestID)
	}

	d := decodeRecords(dr.Records, resource, time.Now())
	r.tel.decoded(&d)
	for reason, n := range d.failed {
		log.Warn("firehose: records left out", zap.String("reason", reason), zap.Int("count", n), zap.Int("first_record", d.firstBad[reason]))
	}
	n := d.logs.LogRecordCount()
	if n == 0 {
		r.answer(w, requestID, http.StatusOK, "")
		return
	}
	// the pipeline gets what is left of the time to answer in: past it an
	// answer is of no use (Firehose has given up and resends)
	ctx, cancel := context.WithTimeout(r.obs.StartLogsOp(req.Context()), r.consumeTimeout())
	err = r.next.ConsumeLogs(ctx, d.logs)
	cancel()
	r.obs.EndLogsOp(ctx, "firehose", n, err)
	switch {
	case err == nil:
		log.Debug("firehose: request delivered", zap.Int("records", len(dr.Records)), zap.Int("log_records", n))
		r.answer(w, requestID, http.StatusOK, "")
	case consumererror.IsPermanent(err):
		// Sending again would fail again: the records that cannot be
		// indexed are counted downstream (the siem exporter's
		// records_failed); the others were delivered.
		log.Warn("firehose: records refused for good downstream; not asking Firehose to resend", zap.Error(err))
		r.answer(w, requestID, http.StatusOK, "")
	default:
		log.Warn("firehose: the pipeline failed; Firehose will resend the request", zap.Error(err))
		r.answer(w, requestID, http.StatusServiceUnavailable, "the collector could not deliver the records now: "+err.Error())
	}
}

// consumeTimeout bounds a request's time in the pipeline: a little less
// than Firehose waits, or than write_timeout lets the answer be written.
func (r *firehoseReceiver) consumeTimeout() time.Duration {
	limit := firehoseWait
	if wt := r.cfg.WriteTimeout; wt > 0 && wt < limit {
		limit = wt
	}
	return limit - limit/10
}

func remoteHost(req *http.Request) string {
	if h, _, err := net.SplitHostPort(req.RemoteAddr); err == nil {
		return h
	}
	return req.RemoteAddr
}
