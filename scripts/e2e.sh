#!/usr/bin/env bash
# The end-to-end tests and the schema fuzzer, over HTTP, against a server of this checkout: `make
# run` (cargo lambda watch with the production routes) on a free port, started here and stopped
# afterwards, so that whatever else listens on this machine (another clone's `make run` on 9000)
# is never used.
# E2E_URL, when set, names a server to use instead: your own `make run`, say.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${E2E_URL:-}" ]; then
  # Your own server (make run): its database and environment, not make test's.
  export LAMBDA_ENV=.local/lambda.env AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8000
  unset DYNAMODB_IN_MEMORY
fi
export LAMBDA_ENV=${LAMBDA_ENV:-.local/lambda.env}
# The tests read the functions' environment ($LAMBDA_ENV) to create their API keys.
make --no-print-directory tables >/dev/null

if [ -z "${E2E_URL:-}" ]; then
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  export E2E_URL="http://127.0.0.1:${port}"
  mkdir -p .local
  log=.local/e2e-server.log
  # A session of its own, so that stopping it stops cargo lambda and every function it runs.
  # --ignore-changes: editing the sources while the tests run does not restart the functions.
  setsid make --no-print-directory run PORT="$port" WATCH_FLAGS=--ignore-changes \
    >"$log" 2>&1 </dev/null &
  server=$!
  trap 'kill -- -"$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
  listening() { curl -s -o /dev/null --max-time 1 "$E2E_URL"; }
  for _ in $(seq 1 600); do
    listening && break
    if ! kill -0 "$server" 2>/dev/null; then
      cat "$log" >&2
      echo "make run exited; its log is above" >&2
      exit 1
    fi
    sleep 0.5
  done
  listening || { cat "$log" >&2; echo "make run did not listen on $E2E_URL" >&2; exit 1; }
fi
# --workspace: the features of make test's build, so nothing is compiled again.
cargo test --workspace --test api -- --ignored --test-threads 1 e2e::

# The whole API under a schema fuzzer: every operation of docs/openapi.yaml, a bounded number of
# cases each, in a tenant of its own; any 5xx, undocumented status or answer that does not fit
# its schema fails the run, and so does a request the schema admits answered 400 or one it
# refuses answered 2xx: the document states exactly what the API takes. The rules that join two
# values, which JSON Schema cannot state, and the one exclusion (bodies that are not UTF-8, which
# the local emulator answers itself) are in scripts/schemathesis_hooks.py; schemathesis.toml
# names the statuses a valid request may still get (422: entries never imported).
key=$(set -a && . "$LAMBDA_ENV" && set +a &&
  target/debug/apikey create "schemathesis-$(date +%s%N)" import,read,submit,keys | tail -n 1)
PYTHONPATH=scripts SCHEMATHESIS_HOOKS=schemathesis_hooks .tools/venv/bin/schemathesis run \
  docs/openapi.yaml --url "$E2E_URL" -H "Authorization: Bearer $key" \
  --checks not_a_server_error,status_code_conformance,response_schema_conformance,positive_data_acceptance,negative_data_rejection \
  --max-examples 20 --suppress-health-check all --request-timeout 300 --no-color \
  --generation-database none
