#!/usr/bin/env bash
# Builds the JMH jar (reactor build of the provider and this module) and runs the store benchmarks.
#
#   benchmarks/run.sh            quick mode: a few seconds per benchmark, ~5-6 minutes in all
#   benchmarks/run.sh full       full mode: 2 forks, longer warmup and measurement, ~35 minutes
#   benchmarks/run.sh quick -prof gc      any further arguments go to JMH (both runs)
#
# Environment:
#   BENCH_ONLY=set|workload|replay   run one group only (default: all three)
#   BENCH_OUT=dir                    where results go (default: benchmarks/results/<timestamp>-<mode>)
#   BENCH_DIR=dir                    where the benchmark stores live (default: java.io.tmpdir); each trial
#                                    uses a fresh sub-directory and deletes it afterwards
#   BENCH_SKIP_BUILD=1               use the existing benchmarks/target/benchmarks.jar
#
# Output: <out>/throughput.json and <out>/replay.json (JMH JSON), <out>/console.log (JMH's console, with the
# LOGSTATS lines), <out>/summary.txt (the tables of dev.persist.bench.Report, also printed at the end).
set -euo pipefail

MODE=${1:-quick}
if [[ $# -gt 0 ]]; then shift; fi

case "$MODE" in
  quick)
    THRPT=(-f 1 -wi 1 -w 2s -i 2 -r 3s)
    SHOT=(-f 1 -wi 1 -i 3 -gc true)
    ;;
  full)
    THRPT=(-f 2 -wi 2 -w 5s -i 5 -r 5s)
    SHOT=(-f 2 -wi 3 -i 10 -gc true)
    ;;
  *)
    echo "usage: $0 [quick|full] [JMH arguments...]" >&2
    exit 2
    ;;
esac

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
JAR="$HERE/target/benchmarks.jar"
OUT=${BENCH_OUT:-"$HERE/results/$(date +%Y%m%d-%H%M%S)-$MODE"}
ONLY=${BENCH_ONLY:-all}
mkdir -p "$OUT"

if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  echo ">> building $JAR"
  # offline first (dependencies already in ~/.m2), online if something is missing
  (cd "$ROOT" && mvn -B -q -o package -pl benchmarks -am -DskipTests) \
    || (cd "$ROOT" && mvn -B -q package -pl benchmarks -am -DskipTests)
fi

THRPT_RE=""
case "$ONLY" in
  all)      THRPT_RE='dev\.persist\.bench\.(StoreSetBenchmark|GoPersistWorkloadBenchmark)\.' ;;
  set)      THRPT_RE='dev\.persist\.bench\.StoreSetBenchmark\.' ;;
  workload) THRPT_RE='dev\.persist\.bench\.GoPersistWorkloadBenchmark\.' ;;
  replay)   ;;
  *) echo "BENCH_ONLY must be set, workload, replay or all" >&2; exit 2 ;;
esac

echo ">> mode $MODE, results in $OUT"
: > "$OUT/console.log"
if [[ -n "$THRPT_RE" ]]; then
  echo ">> throughput benchmarks: ${THRPT[*]} $*" | tee -a "$OUT/console.log"
  java -jar "$JAR" "$THRPT_RE" "${THRPT[@]}" -rf json -rff "$OUT/throughput.json" "$@" 2>&1 \
    | tee -a "$OUT/console.log"
fi
if [[ "$ONLY" == all || "$ONLY" == replay ]]; then
  echo ">> replay benchmark: ${SHOT[*]} $*" | tee -a "$OUT/console.log"
  java -jar "$JAR" 'dev\.persist\.bench\.ReplayBenchmark\.' "${SHOT[@]}" -rf json -rff "$OUT/replay.json" "$@" 2>&1 \
    | tee -a "$OUT/console.log"
fi

JSONS=()
for f in "$OUT/throughput.json" "$OUT/replay.json"; do
  [[ -s "$f" ]] && JSONS+=("$f")
done
java -cp "$JAR" dev.persist.bench.Report --log "$OUT/console.log" "${JSONS[@]}" | tee "$OUT/summary.txt"
echo ">> summary: $OUT/summary.txt"
