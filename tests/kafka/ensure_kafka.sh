#!/usr/bin/env bash
# Makes real Apache Kafka available to the suite, from Maven Central, once per machine:
# - resolves tests/kafka/pom.xml for each pinned Kafka line into $SLUICE_CACHE/m2 and writes its
#   classpath to $SLUICE_CACHE/kafka-<version>/classpath.txt (skipped, offline, when that file and
#   every jar it names exist);
# - compiles the launcher (tests/kafka/launcher, plain javac against the newest line's jars) into
#   $SLUICE_CACHE/kafka-launcher-<hash of its sources>.
# Prints shell assignments for scripts/test.sh to eval:
#   SLUICE_KAFKA_VERSION, SLUICE_KAFKA_CLASSPATH_FILE (newest line), SLUICE_KAFKA_PREV_VERSION,
#   SLUICE_KAFKA_PREV_CLASSPATH_FILE (the 3.9 line), SLUICE_KAFKA_LAUNCHER (classes dir).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${SLUICE_CACHE:-$HOME/.cache/sluice}
latest=${SLUICE_KAFKA_VERSION:-4.4.0}
previous=${SLUICE_KAFKA_PREV_VERSION:-3.9.2}
mkdir -p "$cache"

resolve() { # resolve VERSION: prints the classpath file
  local version=$1 dir="$cache/kafka-$1"
  local file="$dir/classpath.txt"
  if [ -s "$file" ] && tr ':' '\n' < "$file" | while read -r jar; do [ -f "$jar" ] || exit 1; done; then
    echo "$file"
    return
  fi
  mkdir -p "$dir"
  echo "ensure_kafka: resolving Kafka $version from Maven Central" >&2
  mvn -q -B -f "$here/pom.xml" -Dmaven.repo.local="$cache/m2" -Dkafka.version="$version" \
    dependency:build-classpath -Dmdep.outputFile="$file.tmp" >&2
  mv "$file.tmp" "$file"
  echo "$file"
}

latest_cp=$(resolve "$latest")
previous_cp=$(resolve "$previous")

hash=$( (cat "$here"/launcher/sluice/kafka/*.java; echo "$latest") | sha256sum | cut -c1-16)
launcher="$cache/kafka-launcher-$hash"
if [ ! -f "$launcher/sluice/kafka/TestKafkaCluster.class" ]; then
  echo "ensure_kafka: compiling the launcher into $launcher" >&2
  rm -rf "$launcher.tmp"
  mkdir -p "$launcher.tmp"
  javac -nowarn -encoding UTF-8 -d "$launcher.tmp" -cp "$(cat "$latest_cp")" \
    "$here"/launcher/sluice/kafka/*.java >&2
  rm -rf "$launcher"
  mv "$launcher.tmp" "$launcher"
fi

echo "SLUICE_KAFKA_VERSION=$latest"
echo "SLUICE_KAFKA_CLASSPATH_FILE=$latest_cp"
echo "SLUICE_KAFKA_PREV_VERSION=$previous"
echo "SLUICE_KAFKA_PREV_CLASSPATH_FILE=$previous_cp"
echo "SLUICE_KAFKA_LAUNCHER=$launcher"
