#!/usr/bin/env bash
# The end-to-end tests, over HTTP, against a server of this checkout: `make run` (cargo lambda
# watch with the production routes) on a free port, started here and stopped afterwards, so that
# whatever else listens on this machine (another clone's `make run` on 9000) is never used.
# E2E_URL, when set, names a server to use instead: your own `make run`, say.
set -euo pipefail
cd "$(dirname "$0")/.."

# The tests read the functions' environment (.local/lambda.env) to create their API keys.
make --no-print-directory tables >/dev/null

if [ -z "${E2E_URL:-}" ]; then
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  export E2E_URL="http://127.0.0.1:${port}"
  mkdir -p .local
  log=.local/e2e-server.log
  # A session of its own, so that stopping it stops cargo lambda and every function it runs.
  setsid make --no-print-directory run PORT="$port" >"$log" 2>&1 </dev/null &
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
cargo test -p api --test e2e -- --ignored --test-threads 1
