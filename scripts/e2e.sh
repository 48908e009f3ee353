#!/usr/bin/env bash
# The end-to-end tests, over HTTP, against the server of `make run`: the one already listening
# on $PORT (default 9000), or one started here and stopped afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PORT:-9000}
export E2E_URL="http://127.0.0.1:${port}"

listening() { curl -s -o /dev/null --max-time 1 "$E2E_URL"; }

if ! listening; then
  mkdir -p .local
  # A session of its own, so that stopping it stops cargo lambda and every function it runs.
  setsid make --no-print-directory run PORT="$port" >.local/e2e-server.log 2>&1 </dev/null &
  server=$!
  trap 'kill -- -"$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
  for _ in $(seq 1 600); do
    listening && break
    if ! kill -0 "$server" 2>/dev/null; then
      echo "make run exited; see .local/e2e-server.log" >&2
      exit 1
    fi
    sleep 0.5
  done
  listening || { echo "make run did not listen on $E2E_URL; see .local/e2e-server.log" >&2; exit 1; }
fi
cargo test -p api --test e2e -- --ignored --test-threads 1
