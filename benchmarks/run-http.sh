#!/usr/bin/env bash
# HTTP load benchmark of usage-plans: one command, bounded in time, loopback only.
#
#   benchmarks/run-http.sh            quick: 3 rounds x 2 s per mode, 5 s warm-up per server (about 1.5 minutes)
#   benchmarks/run-http.sh --thorough 20 rounds x 5 s per mode, 30 s warm-up per server (about 12 minutes)
#   benchmarks/run-http.sh --help     every option
#
# Starts one embedded Jetty 12 per mode on 127.0.0.1 (bare app, hand-written Bucket4j filter, our filter with one
# key, with 10,000 keys, and with half the requests rejected; clustered on Hazelcast and on Redis, each Redis mode
# with a redis-server of its own), warms each up, drives them with wrk in interleaved
# rounds and prints one table (see docs/benchmarks.md). Installs wrk (Debian package) if it is missing. Everything it
# starts is stopped when it ends, fails or is interrupted (Ctrl-C).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
jar="$here/target/benchmarks.jar"

for arg in "$@"; do
  if [[ "$arg" == "--help" || "$arg" == "-h" ]] && [[ -f "$jar" ]]; then
    exec java -cp "$jar" io.usageplans.benchmarks.HttpBench --help
  fi
done

if ! command -v wrk >/dev/null 2>&1; then
  echo "wrk is missing: installing the Debian package" >&2
  if [[ "$(id -u)" == 0 ]]; then
    apt-get update -qq && apt-get install -y -qq wrk >/dev/null
  else
    sudo apt-get update -qq && sudo apt-get install -y -qq wrk >/dev/null
  fi
fi
if ! command -v redis-server >/dev/null 2>&1 && [[ -z "${REDIS_SERVER:-}" ]]; then
  echo "redis-server is missing (the ours-redis modes start one): installing the Debian package" >&2
  if [[ "$(id -u)" == 0 ]]; then
    apt-get update -qq && apt-get install -y -qq redis-server >/dev/null
  else
    sudo apt-get update -qq && sudo apt-get install -y -qq redis-server >/dev/null
  fi
fi
command -v java >/dev/null || { echo "java (17+) is needed" >&2; exit 1; }

# (re)build the benchmarks jar when it is missing or older than the sources it is made of
if [[ ! -f "$jar" ]] || [[ -n "$(find "$here/src" "$here/pom.xml" "$root/core/src/main" "$root/servlet/src/main" "$root/hazelcast/src/main" "$root/redis/src/main" "$root/infinispan/src/main" \
      -newer "$jar" -type f 2>/dev/null | head -n 1)" ]]; then
  echo "building $jar" >&2
  (cd "$root" && mvn -B -q package -DskipTests -pl benchmarks -am)
fi

out="$here/target/http-$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$out"
driver=""

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [[ -n "$driver" ]] && kill -0 "$driver" 2>/dev/null; then
    kill -TERM "$driver" 2>/dev/null || true   # its shutdown hook stops the servers and wrk
    for _ in $(seq 1 50); do kill -0 "$driver" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$driver" 2>/dev/null || true
  fi
  for list in "$out/pids" "$out/redis-pids"; do   # the servers (and redis-servers), in case the driver could not stop them
    [[ -f "$list" ]] || continue
    while read -r pid; do
      [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null || true
    done < "$list"
    sleep 1
    while read -r pid; do
      [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    done < "$list"
  done
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

java -cp "$jar" io.usageplans.benchmarks.HttpBench --out "$out" "$@" &
driver=$!
wait "$driver"
