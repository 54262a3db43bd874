#!/usr/bin/env bash
# The benchmarks: builds the test broker, pins Node LTS, then runs one of
#   npm run bench [-- --broker mock|real --records 1000000 --reps 3 --full --codecs]
#                         bench/run.ts: sluice vs kcat, Java's KafkaProducer, KafkaJS,
#                         @platformatic/kafka (the table, chart); --broker real: 3 Kafka nodes
#   npm run bench -- micro      bench/hot_stages_bench.ts on Deno, Bun and Node (ns per record)
#   npm run bench -- profile    bench/profile.ts: the CLI under --cpu-prof on each runtime
#   npm run bench -- soak [--records N --runs N]    bench/memory_soak.ts on each runtime
#   npm run bench -- latency    bench/latency_bench.ts (a lone awaited send())
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$repo_root"
[ -x node_modules/.bin/deno ] || npm install --no-audit --no-fund
ensure_kcat
command -v /usr/bin/time >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq time >&2; }
SLUICE_NODE=$(ensure_node)
SLUICE_MOCK_HARNESS=$(ensure_broker)
export SLUICE_NODE SLUICE_MOCK_HARNESS
ensure_kafka # Java's producer is a peer on both brokers; --broker real starts Kafka itself
case "${1:-}" in
  micro)
    deno run -A bench/hot_stages_bench.ts --table
    bun bench/hot_stages_bench.ts
    "$SLUICE_NODE" bench/hot_stages_bench.ts
    ;;
  profile) shift; exec deno run -A bench/profile.ts "$@" ;;
  soak)
    shift
    deno run -A --v8-flags=--expose-gc bench/memory_soak.ts "$@"
    bun bench/memory_soak.ts "$@"
    "$SLUICE_NODE" --expose-gc bench/memory_soak.ts "$@"
    ;;
  latency) shift; exec deno run -A bench/latency_bench.ts "$@" ;;
  *) exec deno run -A bench/run.ts "$@" ;;
esac
