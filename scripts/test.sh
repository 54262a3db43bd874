#!/usr/bin/env bash
# The whole test suite on Deno, Bun and Node (LTS), against librdkafka's mock cluster.
# Usage: npm test   (or: deno task test). Set KAFKA_BOOTSTRAP to also/instead use a real cluster.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$repo_root"

[ -x node_modules/.bin/deno ] || npm install --no-audit --no-fund
stage() { printf '\n== %s (%s)\n' "$1" "$(date +%T)"; }
t0=$SECONDS

stage "tools"
node_bin=$(ensure_node)
ensure_kcat
export SLUICE_MOCK_HARNESS
SLUICE_MOCK_HARNESS=$(ensure_broker)
echo "node $("$node_bin" --version), deno $(deno --version | head -1 | cut -d' ' -f2), bun $(bun --version), kcat $(kcat -V 2>&1 | grep -o 'version [0-9.]*' | head -1)"
echo "harness: $SLUICE_MOCK_HARNESS ($((SECONDS - t0)) s)"

mapfile -t files < <(find tests -name '*_test.ts' | sort)
status=0
stage "deno check"
deno check mod.ts cli.ts scripts/*.ts bench/*.ts bench/clients/*.ts examples/*.ts "${files[@]}" || status=1
t=$SECONDS; stage "docs: deno doc --lint, every JSDoc example (deno test --doc), deno publish --dry-run"
deno run -A scripts/doc_test.ts || status=1
deno publish --dry-run --allow-dirty --quiet || status=1
echo "docs: $((SECONDS - t)) s"
t=$SECONDS; stage "deno test"
deno test -A --no-check "${files[@]}" || status=1
echo "deno: $((SECONDS - t)) s"
t=$SECONDS; stage "bun test"
bun test --timeout 120000 "${files[@]/#/./}" || status=1
echo "bun: $((SECONDS - t)) s"
t=$SECONDS; stage "node --test ($("$node_bin" --version))"
"$node_bin" --test --test-timeout=120000 "${files[@]}" || status=1
echo "node: $((SECONDS - t)) s"
t=$SECONDS; stage "npm package: build, install with npm and bun, smoke test on Node and Bun"
SLUICE_NODE="$node_bin" deno run -A scripts/npm_smoke.ts || status=1
echo "npm package: $((SECONDS - t)) s"
echo "total: $((SECONDS - t0)) s"
exit $status
