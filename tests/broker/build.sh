#!/usr/bin/env bash
# Builds the test broker: librdkafka 2.8.0 (build_librdkafka.sh, cached) and our harness
# tests/broker/mock_cluster.c, into $SLUICE_CACHE (default ~/.cache/sluice).
# Prints the harness binary's path on stdout; progress and errors go to stderr.
# Idempotent: the binary is named after a hash of its inputs and reused when present.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${SLUICE_CACHE:-$HOME/.cache/sluice}
version=2.8.0
rdkafka=$(bash "$here/build_librdkafka.sh" "$cache")

# Everything that changes the binary: our source, this script (compiler flags), the library.
hash=$( (cat "$here/mock_cluster.c" "$here/build.sh"; echo "librdkafka $version") |
  sha256sum | cut -c1-16)
binary="$cache/mock_cluster-$hash"
if [ -x "$binary" ]; then echo "$binary"; exit 0; fi

cc=${CC:-cc}
command -v "$cc" >/dev/null 2>&1 || {
  echo "build.sh: no C compiler ('$cc'): install gcc (sudo apt-get install gcc)" >&2; exit 1; }

# The static librdkafka.a needs the link flags its configure found (libs.txt, e.g. -lm -lz
# -ldl -lpthread -lrt). `-lz` needs the unversioned libz.so from zlib1g-dev; the runtime
# libz.so.1 (package zlib1g, always installed) links just as well when named by path.
read -r -a libs <<<"$(cat "$rdkafka/libs.txt" 2>/dev/null || echo "-lm -lz -ldl -lpthread -lrt")"
links_with() { echo 'int main(void){return 0;}' | "$cc" -x c - -x none -o /dev/null "$@" >/dev/null 2>&1; }
for i in "${!libs[@]}"; do
  [ "${libs[$i]}" = -lz ] || continue
  links_with -lz && continue
  zlib=$("$cc" -print-file-name=libz.so.1)
  if [ "$zlib" = libz.so.1 ]; then # not found: the compiler echoes the bare name
    zlib=$(ldconfig -p 2>/dev/null | awk '/libz\.so\.1 /{print $NF; exit}')
  fi
  if [ -n "$zlib" ] && [ -f "$zlib" ]; then
    libs[i]=$zlib
  elif [ "$(id -u)" = 0 ]; then
    echo "build.sh: installing zlib1g-dev (librdkafka.a needs libz)" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq zlib1g-dev) >&2
  else
    echo "build.sh: libz is missing (librdkafka.a needs it): sudo apt-get install zlib1g-dev" >&2
    exit 1
  fi
done

echo "build.sh: compiling $binary" >&2
# A private temporary name: parallel builds (several test runners) must not clobber each
# other; the rename is atomic, so a binary that exists is always complete.
tmp="$binary.tmp.$$"
trap 'rm -f "$tmp"' EXIT
"$cc" -O2 -Wall -o "$tmp" "$here/mock_cluster.c" -I"$rdkafka" "$rdkafka/librdkafka.a" \
  "${libs[@]}" >&2
mv -f "$tmp" "$binary"
echo "$binary"
