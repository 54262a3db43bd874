#!/usr/bin/env bash
# Builds the test broker: librdkafka 2.8.0 (cached) and our harness tests/broker/mock_cluster.c,
# into $SLUICE_CACHE (default ~/.cache/sluice). Prints the harness binary's path on stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${SLUICE_CACHE:-$HOME/.cache/sluice}
rdkafka=$(bash "$here/build_librdkafka.sh" "$cache")
hash=$(cat "$here/mock_cluster.c" "$rdkafka/rdkafka.h" | sha256sum | cut -c1-16)
binary="$cache/mock_cluster-$hash"
if [ ! -x "$binary" ]; then
  # librdkafka.a needs zlib at link time; the runtime library is always there, the headers
  # and the unversioned .so come with zlib1g-dev.
  if ! ls /usr/lib/*/libz.so >/dev/null 2>&1 && ! ls /usr/lib/libz.so >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq zlib1g-dev) >&2
    else
      echo "build.sh: zlib1g-dev is missing: sudo apt-get install zlib1g-dev" >&2
      exit 1
    fi
  fi
  # shellcheck disable=SC2046
  cc -O2 -o "$binary.tmp" "$here/mock_cluster.c" -I"$rdkafka" "$rdkafka/librdkafka.a" \
    $(cat "$rdkafka/libs.txt") -lm -lz -ldl -lpthread -lrt >&2
  mv "$binary.tmp" "$binary"
fi
echo "$binary"
