#!/usr/bin/env bash
# The demo: starts a local test cluster and streams records into it. Quick by default
# (librdkafka's mock, built once); `npm run demo -- --real` starts real Apache Kafka instead
# (3 KRaft nodes from Maven Central's jars, resolved once).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$repo_root"
[ -x node_modules/.bin/deno ] || npm install --no-audit --no-fund
ensure_kcat
SLUICE_MOCK_HARNESS=$(ensure_broker)
export SLUICE_MOCK_HARNESS
if [[ " $* " == *" --real "* ]]; then ensure_kafka; fi
exec deno run -A examples/demo.ts "$@"
