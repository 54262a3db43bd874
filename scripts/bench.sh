#!/usr/bin/env bash
# The benchmark: builds the test broker, pins Node LTS, runs bench/run.ts (see its header).
# Usage: npm run bench [-- --records 1000000 --reps 3 --full]
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$repo_root"
[ -x node_modules/.bin/deno ] || npm install --no-audit --no-fund
ensure_kcat
command -v /usr/bin/time >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq time >&2; }
SLUICE_NODE=$(ensure_node)
SLUICE_MOCK_HARNESS=$(ensure_broker)
export SLUICE_NODE SLUICE_MOCK_HARNESS
exec deno run -A bench/run.ts "$@"
