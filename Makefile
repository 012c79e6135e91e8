# siemloader — see README.md. The two commands a newcomer needs:
#   make demo   normalize the bundled samples into out/ (no server needed)
#   make test   every test, golden parity included
GO      ?= go
BIN     := bin
PKGS    := ./...
# Seed corpora of the fuzz targets run as ordinary tests; `make fuzz`
# explores further.
FUZZTIME ?= 30s

# The OpenTelemetry Collector distribution otelcol-siem (collector/ is its
# own Go module, so that OTel's dependencies stay out of the core's).
OCB_VERSION := v0.160.0
# where go install puts the builder: GOBIN, else GOPATH's bin
OCB         := $(or $(shell $(GO) env GOBIN),$(shell $(GO) env GOPATH)/bin)/builder
COLLECTOR   := collector

.PHONY: all build plugin otelcol demo test vet fmt-check bench fuzz parity fluentbit-check fluentbit-compare clean

all: build

build:
	$(GO) build -o $(BIN)/siemloader ./cmd/siemloader

# The Fluent Bit output plugin, loaded with `fluent-bit -e $(BIN)/out_siem.so`.
plugin:
	$(GO) build -buildmode=c-shared -ldflags "-s -w" -o $(BIN)/out_siem.so ./plugin

# bin/otelcol-siem from collector/builder-config.yaml; the builder's
# generated sources go to build/otelcol-siem. The builder is installed
# (outside the module) when missing or of another version.
otelcol:
	@if ! $(OCB) version 2>/dev/null | grep -q '$(OCB_VERSION)'; then \
	  echo "installing the collector builder $(OCB_VERSION)..."; \
	  (cd /tmp && GOFLAGS= $(GO) install go.opentelemetry.io/collector/cmd/builder@$(OCB_VERSION)); \
	fi
	@mkdir -p build
	$(OCB) --config $(COLLECTOR)/builder-config.yaml
	@mkdir -p $(BIN)
	cp build/otelcol-siem/otelcol-siem $(BIN)/otelcol-siem

demo: build
	rm -rf out
	$(BIN)/siemloader load --now 2024-06-01T00:00:00Z --exclude "*.md" --output out examples/samples
	@echo
	@echo "documents are in out/<index>.ndjson (OpenSearch bulk format)"

# The collector module's end-to-end test runs bin/otelcol-siem: it is
# built first (SIEMLOADER_OTELCOL names another binary).
test: fmt-check vet build otelcol
	$(GO) test -count=1 $(PKGS)
	cd $(COLLECTOR) && SIEMLOADER_OTELCOL=$${SIEMLOADER_OTELCOL:-$(CURDIR)/$(BIN)/otelcol-siem} $(GO) test -count=1 ./...

vet:
	$(GO) vet $(PKGS)
	cd $(COLLECTOR) && $(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

bench:
	$(GO) test -run '^$$' -bench . -benchmem -cpu 1 $(PKGS)
	cd $(COLLECTOR) && $(GO) test -run '^$$' -bench . -benchmem -cpu 1 ./siemexporter/

fuzz:
	@for p in $$($(GO) list ./normalize/...); do \
	  for t in $$($(GO) test -list 'Fuzz.*' $$p | grep ^Fuzz); do \
	    echo "== $$p $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$p || exit 1; \
	  done; \
	done

# Field-by-field comparison with es-loader's output over the whole corpus,
# GeoIP and user agents on (needs ../shared).
parity: build
	python3 ../shared/tools/parity.py --cases ../shared/golden \
	  --min-fields 99 --ignore event.ingested \
	  --cmd '$(BIN)/siemloader load --now 2024-06-15T00:00:00Z --geoip-city {geoip_city} --geoip-asn {geoip_asn} --s3-bucket {bucket} --s3-key {key} {user_ini} --output - {input}'

# The plugin in a real Fluent Bit that you built or installed (nothing here
# fetches or builds Fluent Bit; docs/fluentbit.md):
#   make fluentbit-check   FLUENT_BIT=/path/to/fluent-bit   loading, outputs, workers, retries
#   make fluentbit-compare FLUENT_BIT=/path/to/fluent-bit   siem vs native opensearch, records/s
FLUENT_BIT ?=
RUNS       ?= 3
RECORDS    ?= 300000
# PARSER=json: the tail input parses each line into a map (default: the
# line is the record's log key)
PARSER     ?=
# WORKERS: flush threads of both outputs (0: no Workers key, Fluent Bit's
# default)
WORKERS    ?= 2
FLUENT_BIT_ENV = SIEMLOADER_FLUENT_BIT=$(abspath $(FLUENT_BIT)) SIEMLOADER_PLUGIN=$(abspath $(BIN)/out_siem.so)

fluentbit-check: plugin
	@test -x "$(FLUENT_BIT)" || { echo "usage: make $@ FLUENT_BIT=/path/to/fluent-bit"; exit 2; }
	$(FLUENT_BIT_ENV) $(GO) test -count=1 -v -run . ./plugin/fluentbit/

fluentbit-compare: plugin
	@test -x "$(FLUENT_BIT)" || { echo "usage: make $@ FLUENT_BIT=/path/to/fluent-bit"; exit 2; }
	$(FLUENT_BIT_ENV) SIEMLOADER_FLUENT_BIT_RECORDS=$(RECORDS) \
	  SIEMLOADER_FLUENT_BIT_ROUNDS=$(RUNS) SIEMLOADER_FLUENT_BIT_PARSER=$(PARSER) \
	  SIEMLOADER_FLUENT_BIT_WORKERS=$(WORKERS) \
	  $(GO) test -run '^$$' -bench FluentBit -benchtime 1x -count 1 -timeout 60m ./plugin/fluentbit/

clean:
	rm -rf $(BIN) out build
