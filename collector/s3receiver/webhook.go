package s3receiver

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.uber.org/zap"
)

// webhook listens for bucket event notifications POSTed by an
// S3-compatible store (MinIO's webhook target) and reads the objects
// they announce before answering: 200 says every part went downstream,
// 5xx makes the sender retry (MinIO keeps unsent events in its
// queue_dir across restarts).
type webhook struct {
	r *s3Receiver
	// hashes of the accepted Authorization values (the token alone and
	// after "Bearer "): compared in constant time whatever the lengths
	plain, bearer [sha256.Size]byte
	slots         chan struct{} // objects in flight: concurrency

	ctx    context.Context // cancelled at shutdown: objects in flight fail
	server *http.Server
	addr   string
	wg     sync.WaitGroup
}

func (r *s3Receiver) startWebhook(ctx, runCtx context.Context, host component.Host) (*webhook, error) {
	cfg := r.cfg.Webhook
	w := &webhook{r: r, ctx: runCtx, slots: make(chan struct{}, r.cfg.Concurrency),
		plain: sha256.Sum256([]byte(cfg.AuthToken)), bearer: sha256.Sum256([]byte("Bearer " + string(cfg.AuthToken)))}
	if cfg.AuthToken == "" {
		r.logger.Warn("s3 webhook: no auth_token: any client that reaches the endpoint can make the receiver read objects")
	}
	ln, err := cfg.ToListener(ctx)
	if err != nil {
		return nil, fmt.Errorf("webhook: listen on %s: %w", cfg.NetAddr.Endpoint, err)
	}
	w.server, err = cfg.ToServer(ctx, host.GetExtensions(), r.telSet, w,
		confighttp.WithErrorHandler(func(rw http.ResponseWriter, _ *http.Request, msg string, code int) {
			// the collector's own refusals (an auth extension, a body
			// it cannot decompress)
			w.answer(rw, code, eventRejected, msg)
		}))
	if err != nil {
		ln.Close()
		return nil, err
	}
	w.addr = ln.Addr().String()
	r.logger.Info("s3 webhook: listening", zap.String("endpoint", w.addr), zap.Bool("tls", cfg.TLS.HasValue()))
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		if err := w.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			r.logger.Error("s3 webhook: server stopped", zap.Error(err))
		}
	}()
	return w, nil
}

// shutdown stops accepting requests; those in flight were made to fail
// by the cancelled run context and are answered 503 (MinIO sends them
// again).
func (w *webhook) shutdown(ctx context.Context) error {
	err := w.server.Shutdown(ctx)
	w.wg.Wait()
	return err
}

func (w *webhook) answer(rw http.ResponseWriter, code int, outcome, msg string) {
	rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
	rw.WriteHeader(code)
	io.WriteString(rw, msg+"\n")
	w.r.tel.event(outcome)
}

// ServeHTTP answers one notification: 200 once every announced object
// was read and all its parts accepted (or there was nothing to read),
// 401/403 for a missing or wrong token, 400 for a body that is no
// notification, 413 over max_request_body_size, 503 when an object could
// not be read or a part was refused (the sender retries; the documents
// already indexed keep their _ids).
func (w *webhook) ServeHTTP(rw http.ResponseWriter, req *http.Request) {
	log := w.r.logger
	switch req.Method {
	case http.MethodPost:
	case http.MethodHead:
		// MinIO checks that the target is up with a HEAD request
		rw.WriteHeader(http.StatusOK)
		return
	default:
		rw.Header().Set("Allow", "POST, HEAD")
		w.answer(rw, http.StatusMethodNotAllowed, eventRejected, "only POST is accepted")
		return
	}
	if w.r.cfg.Webhook.AuthToken != "" {
		got := req.Header.Get("Authorization")
		if got == "" {
			w.answer(rw, http.StatusUnauthorized, eventUnauthorized, "missing Authorization")
			return
		}
		h := sha256.Sum256([]byte(got))
		// both compared, so that the time says nothing of which form matched
		plain, bearer := subtle.ConstantTimeCompare(h[:], w.plain[:]), subtle.ConstantTimeCompare(h[:], w.bearer[:])
		if plain|bearer != 1 {
			log.Warn("s3 webhook: wrong auth token", zap.String("remote", req.RemoteAddr))
			w.answer(rw, http.StatusForbidden, eventUnauthorized, "invalid auth token")
			return
		}
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			w.answer(rw, http.StatusRequestEntityTooLarge, eventMalformed, fmt.Sprintf("body larger than %d bytes (max_request_body_size)", tooLarge.Limit))
			return
		}
		w.answer(rw, http.StatusBadRequest, eventMalformed, "reading the body: "+err.Error())
		return
	}
	refs, err := parseNotification(string(body))
	if err != nil {
		log.Warn("s3 webhook: malformed notification", zap.Error(err))
		w.answer(rw, http.StatusBadRequest, eventMalformed, err.Error())
		return
	}
	// the objects are read until the receiver stops or the sender hangs up
	ctx, cancel := context.WithCancel(w.ctx)
	defer cancel()
	stop := context.AfterFunc(req.Context(), cancel)
	defer stop()
	for _, ref := range refs {
		if strings.HasSuffix(ref.Key, "/") {
			continue // a folder
		}
		if err := w.process(ctx, ref); err != nil {
			var perm *permanentError
			if errors.As(err, &perm) {
				// sending it again would find it missing again: MinIO
				// would retry it for ever; counted as gone
				log.Error("s3 webhook: announced object is missing; not asking for a retry", zap.Error(err))
				continue
			}
			log.Warn("s3 webhook: object not read; the sender will retry the notification", zap.Error(err))
			w.answer(rw, http.StatusServiceUnavailable, eventFailed, "object not read: "+err.Error())
			return
		}
	}
	w.answer(rw, http.StatusOK, eventDone, "ok")
}

// process reads one object once a slot is free.
func (w *webhook) process(ctx context.Context, ref objectRef) error {
	select {
	case w.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-w.slots }()
	return w.r.processObject(ctx, ref)
}
