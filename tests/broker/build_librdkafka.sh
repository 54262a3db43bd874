#!/usr/bin/env bash
# Builds librdkafka 2.8.0 (Debian trixie's source package) into a cache dir, for its mock cluster.
#
# Why from source: bookworm ships librdkafka 2.0.2, whose mock speaks only Produce <= v7 and
# Metadata <= v2; trixie's 2.8.0 speaks Produce <= v10 and Metadata <= v12, but its binary .deb
# needs glibc 2.38. The source package builds fine on bookworm.
#
# The machine's apt configuration is left untouched: a private sources list (deb-src for trixie,
# signed by the machine's Debian archive keyring) and private state/cache dirs are used.
#
# Usage: build_librdkafka.sh [CACHE_DIR]   (default: ${SLUICE_CACHE:-$HOME/.cache/sluice})
# Prints the directory holding librdkafka.a / rdkafka.h on success. Idempotent: a finished
# build is reused.
set -euo pipefail

version=2.8.0
cache=${1:-${SLUICE_CACHE:-$HOME/.cache/sluice}}
out="$cache/librdkafka-$version"
if [ -f "$out/.built" ]; then echo "$out"; exit 0; fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT

apt_dir="$work/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/sources.list.d"
cat >"$apt_dir/sources.list" <<SRC
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
SRC
apt_opts=(
  -o "Dir::Etc::SourceList=$apt_dir/sources.list"
  -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
  -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::Cache=$apt_dir"
  -o "Dir::Cache::archives=$apt_dir/archives"
  -o "APT::Get::List-Cleanup=0"
  -o "Debug::NoLocking=1"
)
echo "build_librdkafka: fetching trixie source index" >&2
apt-get "${apt_opts[@]}" -qq update >&2
(cd "$work" && apt-get "${apt_opts[@]}" -qq --download-only source "librdkafka=$version-1" >&2 ||
  apt-get "${apt_opts[@]}" -qq --download-only source librdkafka >&2)

# Unpack with dpkg-source when available, else by hand (orig tarball only; Debian's patches
# touch packaging, not the mock cluster).
orig=$(ls "$work"/librdkafka_*.orig.tar.* | head -n 1)
mkdir -p "$work/src"
tar -xf "$orig" -C "$work/src" --strip-components=1
grep -q "RD_KAFKA_VERSION  *0x0208" "$work/src/src/rdkafka.h" || {
  echo "build_librdkafka: expected librdkafka $version, got: $(grep -m1 'define RD_KAFKA_VERSION ' "$work/src/src/rdkafka.h")" >&2
  exit 1
}

echo "build_librdkafka: configuring and building src/ (about 70 s on 2 cores)" >&2
(cd "$work/src" && ./configure --disable-curl --disable-gssapi --disable-sasl --disable-ssl \
  --disable-zstd --disable-lz4-ext >"$work/configure.log" 2>&1) || {
  tail -30 "$work/configure.log" >&2; exit 1; }
make -C "$work/src/src" -j"$(nproc)" librdkafka.a >"$work/make.log" 2>&1 || {
  tail -30 "$work/make.log" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out"
cp "$work/src/src/librdkafka.a" "$work/src/src/rdkafka.h" "$work/src/src/rdkafka_mock.h" "$out/"
cp "$work/src/Makefile.config" "$out/" 2>/dev/null || true
# Link flags the static library needs (from configure), for the harness build.
sed -n 's/^LIBS+=//p;s/^LIBS=//p' "$work/src/Makefile.config" | tr '\n' ' ' >"$out/libs.txt" || true
touch "$out/.built"
echo "$out"
