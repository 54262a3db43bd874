#!/usr/bin/env bash
# The whole test suite on Deno, Bun and Node (LTS). Integration tests run against real Apache
# Kafka (3 KRaft nodes from Maven Central's jars, started here once for the run, tests/kafka/);
# the few that need faults only librdkafka's mock cluster can inject start the mock themselves.
# Kafka's previous line (3.9) then runs the end-to-end subset (tests/kafka/previous_line.txt).
# Usage: npm test   (or: deno task test). KAFKA_BOOTSTRAP=host:port points the integration tests
# at an outside cluster instead (no real cluster is started then).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$repo_root"

[ -x node_modules/.bin/deno ] || npm install --no-audit --no-fund
stage() { printf '\n== %s (%s)\n' "$1" "$(date +%T)"; }
times=()
t0=$SECONDS
lap() { times+=("$1: $(($SECONDS - $2)) s"); echo "$1: $(($SECONDS - $2)) s"; }

stage "tools"
node_bin=$(ensure_node)
ensure_kcat
export SLUICE_MOCK_HARNESS
SLUICE_MOCK_HARNESS=$(ensure_broker)
ensure_kafka
echo "node $("$node_bin" --version), deno $(deno --version | head -1 | cut -d' ' -f2), bun $(bun --version), kcat $(kcat -V 2>&1 | grep -o 'version [0-9.]*' | head -1), java $(java -version 2>&1 | head -1 | cut -d'"' -f2), Kafka $SLUICE_KAFKA_VERSION and $SLUICE_KAFKA_PREV_VERSION"
echo "harness: $SLUICE_MOCK_HARNESS"
lap tools $t0

if [ -z "${KAFKA_BOOTSTRAP:-}" ]; then
  t=$SECONDS; stage "kafka $SLUICE_KAFKA_VERSION: start 3 nodes"
  trap 'stop_kafka SLUICE_KAFKA_CLUSTER; stop_kafka SLUICE_KAFKA_PREV_CLUSTER' EXIT
  start_kafka SLUICE_KAFKA_CLUSTER latest
  echo "cluster: $SLUICE_KAFKA_CLUSTER"
  lap "kafka $SLUICE_KAFKA_VERSION start" $t
fi

mapfile -t files < <(find tests -name '*_test.ts' | sort)
status=0
t=$SECONDS; stage "deno check"
deno check mod.ts cli.ts scripts/*.ts bench/*.ts bench/clients/*.ts examples/*.ts tests/support/*.ts "${files[@]}" || status=1
lap "deno check" $t
t=$SECONDS; stage "docs: deno doc --lint, every JSDoc example (deno test --doc), deno publish --dry-run"
deno run -A scripts/doc_test.ts || status=1
deno publish --dry-run --allow-dirty --quiet || status=1
lap docs $t

run_suites() { # run_suites LABEL FILES...: the files on Deno, Bun and Node
  local label=$1; shift
  local t
  t=$SECONDS; stage "deno test ($label)"
  deno test -A --no-check "$@" || status=1
  lap "deno test ($label)" $t
  t=$SECONDS; stage "bun test ($label)"
  bun test --timeout 300000 "${@/#/./}" || status=1
  lap "bun test ($label)" $t
  t=$SECONDS; stage "node --test ($label, $("$node_bin" --version))"
  "$node_bin" --test --test-timeout=300000 "$@" || status=1
  lap "node --test ($label)" $t
}

run_suites "Kafka ${SLUICE_KAFKA_VERSION}" "${files[@]}"

mapfile -t subset < <(grep -v '^#' tests/kafka/previous_line.txt | grep .)
if [ -z "${KAFKA_BOOTSTRAP:-}" ]; then
  # The same end-to-end subset with the client capped at older Produce versions (v11: Kafka 3.x,
  # v9: the first flexible version), against the 4.4 brokers that would otherwise give v13.
  for cap in 11 9; do
    SLUICE_TEST_PRODUCE_MAX=$cap run_suites "Kafka ${SLUICE_KAFKA_VERSION}, client capped at Produce v$cap" "${subset[@]}"
  done
fi

if [ -z "${KAFKA_BOOTSTRAP:-}" ]; then
  t=$SECONDS; stage "kafka $SLUICE_KAFKA_PREV_VERSION: start 3 nodes"
  stop_kafka SLUICE_KAFKA_CLUSTER
  start_kafka SLUICE_KAFKA_CLUSTER previous
  lap "kafka $SLUICE_KAFKA_PREV_VERSION start" $t
  run_suites "Kafka ${SLUICE_KAFKA_PREV_VERSION}: end-to-end subset" "${subset[@]}"
  stop_kafka SLUICE_KAFKA_CLUSTER
fi

t=$SECONDS; stage "npm package: build, install with npm and bun, smoke test on Node and Bun"
SLUICE_NODE="$node_bin" deno run -A scripts/npm_smoke.ts || status=1
lap "npm package" $t
printf '\n== stage times\n'
printf '%s\n' "${times[@]}"
echo "total: $((SECONDS - t0)) s"
exit $status
