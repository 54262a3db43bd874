#!/usr/bin/env bash
# The long property-based run: npm run fuzz -- [--runtime deno|bun|node|all] [scripts/fuzz.ts options]
# Pins Node LTS and kcat, starts real Kafka (3 nodes, tests/kafka) unless KAFKA_BOOTSTRAP or
# SLUICE_BROKER=mock says otherwise, then runs scripts/fuzz.ts on the chosen runtime(s) (default
# deno) with the same seed against it, so a failure names its runtime.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$repo_root"
[ -x node_modules/.bin/deno ] || npm install --no-audit --no-fund
ensure_kcat
node_bin=$(ensure_node)
export SLUICE_MOCK_HARNESS
SLUICE_MOCK_HARNESS=$(ensure_broker)
if [ -z "${KAFKA_BOOTSTRAP:-}" ] && [ "${SLUICE_BROKER:-}" != mock ]; then
  ensure_kafka
  trap 'stop_kafka SLUICE_KAFKA_CLUSTER' EXIT
  start_kafka SLUICE_KAFKA_CLUSTER latest
fi
runtime=deno
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runtime) runtime=$2; shift 2 ;;
    --seed) args+=("$1" "$2"); seed_given=1; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
# One seed for every runtime, printed so the run can be repeated.
[ -n "${seed_given:-}" ] || args+=(--seed "$(( $(date +%s) % 2000000000 ))")
status=0
for r in $([ "$runtime" = all ] && echo deno bun node || echo "$runtime"); do
  case "$r" in
    deno) deno run -A scripts/fuzz.ts "${args[@]}" || status=1 ;;
    bun) bun scripts/fuzz.ts "${args[@]}" || status=1 ;;
    node) "$node_bin" scripts/fuzz.ts "${args[@]}" || status=1 ;;
    *) echo "Unknown --runtime \"$r\": use deno, bun, node or all" >&2; exit 2 ;;
  esac
done
exit $status
