# HunarMitra platform: the entry points. `make run` for the development stack, `make test` for everything.
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: run test e2e k8s-check compose-check infra build-deps unit lint fmt fmt-check clean-test-state build bench bench-gateway bench-catalog bench-nearby bench-bookings bench-realtime bench-analytics check-routes

## run: infrastructure up, migrate, seed, all services in the foreground (Ctrl-C stops them)
run:
	scripts/run-all.sh

## test: infrastructure up, then every unit and integration test, then the end-to-end journeys (alone:
## they restart shared servers), the Compose file and the Kubernetes manifests
test: infra clean-test-state
	@start=$$(date +%s); status=0; \
	if $(CARGO) nextest --version >/dev/null 2>&1; then \
	  $(CARGO) nextest run --workspace --all-targets --exclude hm-e2e --no-fail-fast || status=$$?; \
	else \
	  $(CARGO) test --workspace --all-targets --exclude hm-e2e --no-fail-fast || status=$$?; \
	fi; \
	echo "make test: unit and integration tests: $$(( $$(date +%s) - start )) s"; \
	$(MAKE) --no-print-directory e2e || status=$$?; \
	$(MAKE) --no-print-directory k8s-check compose-check || status=$$?; \
	echo "make test: $$(( $$(date +%s) - start )) s in all"; exit $$status

## e2e: every service and the gateway as processes, journeys through the gateway, then under faults
e2e: infra
	@start=$$(date +%s); status=0; \
	$(CARGO) build -q --bins || status=$$?; \
	if $(CARGO) nextest --version >/dev/null 2>&1; then \
	  $(CARGO) nextest run -p hm-e2e --no-capture --no-fail-fast || status=$$?; \
	else \
	  $(CARGO) test -p hm-e2e -- --test-threads 1 --nocapture || status=$$?; \
	fi; \
	echo "make e2e: $$(( $$(date +%s) - start )) s"; exit $$status

## k8s-check: render every kustomize overlay and run checkov on k8s/, the overlays and the Dockerfile
k8s-check:
	scripts/check-deploy.sh k8s

## compose-check: validate deploy/docker-compose.yml (docker-compose config)
compose-check:
	scripts/check-deploy.sh compose

## infra: PostgreSQL, Redis and RabbitMQ installed and running
infra:
	scripts/dev-infra.sh

clean-test-state:
	scripts/clean-test-state.sh

build:
	$(CARGO) build --workspace --all-targets

## build-deps: the C libraries the build links (OpenSSL), installed with apt-get when missing
build-deps:
	scripts/dev-infra.sh build-deps

## lint: clippy with warnings as errors, and rustfmt check
lint: build-deps fmt-check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

fmt-check:
	$(CARGO) fmt --all -- --check

## bench: every benchmark (release builds; numbers, not pass/fail)
bench: bench-gateway bench-catalog bench-nearby bench-bookings bench-realtime bench-analytics

## bench-gateway: a small JSON endpoint directly, through nginx, through the gateway and through two bare proxies (the floors of actix-web + awc and of hyper), in one run (wrk, 32 connections)
bench-gateway:
	scripts/bench-gateway.sh

## bench-catalog: GET /api/v1/app-config/ and GET /api/v1/services/ through the gateway in one run (wrk, 32 connections, 15 s each) and their ratio
bench-catalog:
	scripts/bench-catalog.sh

## bench-nearby: nearby searches over 10k, 100k and 1M synthetic workers (p50/p99; a few minutes)
bench-nearby: infra
	$(CARGO) run --release -q -p hm-workforce --example bench_nearby

## bench-bookings: booking creations through the gateway (32 signed-in customers, wrk, 15 s) and the outbox lag;
## the same statement with pgbench as the database's own limit; then a fault round at full load (RabbitMQ
## stopped 10 s, Redis restarted) counting every booking's event, timeline entry and notification (run it
## alone: it restarts shared servers; BENCH_PROFILE=debug, BENCH_DURATION, BENCH_FAULT_DURATION)
bench-bookings:
	scripts/bench-bookings.sh

## bench-realtime: 10k sockets on one notifications instance through the gateway (RSS), event-to-socket
## p50/p99 at 1,000 events/s, Help Now request-to-first-candidate p50/p99 with 10k located workers
## (release binaries; BENCH_SOCKETS, BENCH_EVENTS_PER_SEC, BENCH_SECONDS, BENCH_WORKERS, BENCH_EMERGENCIES)
bench-realtime: infra
	$(CARGO) run --release -q -p hm-e2e --example bench_realtime

## bench-analytics: analytics ingestion through the gateway beside its small endpoint (single events,
## bulk of 100), then a day's summary over 10 million stored events (BENCH_STORED); release builds
bench-analytics:
	scripts/bench-analytics.sh

## check-routes: validate and print the gateway's route table (GATEWAY_ROUTES_FILE or the built-in one)
check-routes:
	$(CARGO) run -q -p hm-gateway -- check-routes
