#!/usr/bin/env bash
# The demo: builds (once) and starts a local test broker, streams records into it.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$repo_root"
[ -x node_modules/.bin/deno ] || npm install --no-audit --no-fund
ensure_kcat
SLUICE_MOCK_HARNESS=$(ensure_broker)
export SLUICE_MOCK_HARNESS
exec deno run -A examples/demo.ts
