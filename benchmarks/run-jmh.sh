#!/usr/bin/env bash
# JMH benchmarks of the decision path, and the heap held per active key.
#
#   benchmarks/run-jmh.sh              quick: 1 fork, 3 x 1 s warm-up, 3 x 1 s measurement (about 4 minutes)
#   benchmarks/run-jmh.sh --thorough   2 forks, 5 x 1 s warm-up, 5 x 1 s measurement (about 10 minutes)
#   benchmarks/run-jmh.sh --no-heap    skip the heap-per-key measurement
#   benchmarks/run-jmh.sh --hazelcast  also HazelcastDecideBenchmark (two members on loopback in the benchmark JVM,
#                                      member and client callers; about 4 minutes quick, 7 thorough)
#   benchmarks/run-jmh.sh --only-hazelcast   only HazelcastDecideBenchmark
#   benchmarks/run-jmh.sh -- -p keys=1000000   anything after -- goes to JMH (here: only the 1,000,000-key runs)
#
# Every JMH run uses -prof gc, so each benchmark also reports gc.alloc.rate.norm (bytes allocated per operation).
# Results: benchmarks/target/jmh-<time>/ (JMH's CSV and logs) and a Markdown table on stdout.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
jar="$here/target/benchmarks.jar"

jmh_opts=(-f 1 -wi 3 -w 1 -i 3 -r 1)
heap=yes
local=yes
hazelcast=no
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) jmh_opts=(-f 1 -wi 3 -w 1 -i 3 -r 1) ;;
    --thorough) jmh_opts=(-f 2 -wi 5 -w 1 -i 5 -r 1) ;;
    --no-heap) heap=no ;;
    --hazelcast) hazelcast=yes ;;
    --only-hazelcast) hazelcast=yes; local=no; heap=no ;;
    --) shift; extra=("$@"); break ;;
    *) echo "unknown option $1 (use --quick, --thorough, --no-heap, --hazelcast, --only-hazelcast, -- <JMH options>)" >&2; exit 2 ;;
  esac
  shift
done

if [[ ! -f "$jar" ]] || [[ -n "$(find "$here/src" "$here/pom.xml" "$root/core/src/main" "$root/servlet/src/main" "$root/hazelcast/src/main" \
      -newer "$jar" -type f 2>/dev/null | head -n 1)" ]]; then
  echo "building $jar" >&2
  (cd "$root" && mvn -B -q package -DskipTests -pl benchmarks -am)
fi

out="$here/target/jmh-$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$out"
echo "results in $out"

# each JMH invocation is bounded by its iteration counts; timeout is a backstop against a hung fork
if [[ "$local" == yes ]]; then
  timeout 40m java -jar "$jar" '\.(DecideBenchmark|DecisionPartsBenchmark|HotKeyBenchmark)\.' "${jmh_opts[@]}" -prof gc \
    -rf csv -rff "$out/jmh.csv" "${extra[@]}" | tee "$out/jmh.log"

  echo
  echo "## JMH (ns/op, and B/op from -prof gc)"
  java -cp "$jar" io.usageplans.benchmarks.JmhSummary "$out/jmh.csv" | tee "$out/jmh.md"
fi

if [[ "$hazelcast" == yes ]]; then
  # members and client live in each fork and are terminated in the benchmark's @TearDown
  timeout 30m java -jar "$jar" '\.HazelcastDecideBenchmark\.' "${jmh_opts[@]}" -prof gc \
    -rf csv -rff "$out/hazelcast.csv" "${extra[@]}" | tee "$out/hazelcast.log"

  echo
  echo "## JMH, Hazelcast store (ns/op, and B/op from -prof gc)"
  grep -h '^hazelcast round trips' "$out/hazelcast.log" | sort | uniq -c || true
  java -cp "$jar" io.usageplans.benchmarks.JmhSummary "$out/hazelcast.csv" | tee "$out/hazelcast.md"
fi

if [[ "$heap" == yes ]]; then
  echo
  echo "## heap per active key"
  timeout 15m java -Xms3g -Xmx3g -cp "$jar" io.usageplans.benchmarks.HeapPerKey 100000 1000000 | tee "$out/heap.md"
fi
