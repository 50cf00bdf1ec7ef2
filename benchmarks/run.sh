#!/usr/bin/env bash
# Builds the JMH jar (reactor build of the provider and this module) and runs the store benchmarks and the JCache
# benchmarks (this provider per tier, Caffeine's jcache module, Ehcache 3 heap and Ehcache 3 with a persistent disk
# tier, all through javax.cache; and, as the reference for the cost of the JCache layer, raw Caffeine without it).
#
#   benchmarks/run.sh            quick mode: a few seconds per benchmark, ~20 minutes in all
#   benchmarks/run.sh full       full mode: 2 forks, longer warmup and measurement, ~2 hours
#   benchmarks/run.sh smoke      smoke mode: 1 fork, no warmup, one 1 s iteration: checks that it runs, numbers
#                                meaningless
#   benchmarks/run.sh quick -prof gc      any further arguments go to JMH (every JMH run); JMH refuses an option
#                                         given twice, so the mode's -f/-wi/-w/-i/-r cannot be overridden there,
#                                         but e.g. -e REGEX (exclude) can: BENCH_ONLY=jcache
#                                         benchmarks/run.sh smoke -e 'JCache(Workload|Put)Benchmark' runs the get
#                                         benchmark only
#
# Environment:
#   BENCH_ONLY=group[,group...]      run these groups only (default: all):
#                                      store:   set, workload, replay (dev.persist.store alone)
#                                      jcache:  jcache (get-heavy, go-persist workload, put-only, through JCache),
#                                               restart (reopen a 1M-entry manager), memory (bytes/entry)
#                                    e.g. BENCH_ONLY=jcache,restart,memory
#   BENCH_IMPLS=a,b,...              JCache implementations (default: all eight: persist-MEMORY, persist-ASYNC,
#                                    persist-WRITE, persist-FSYNC, caffeine, ehcache-heap, ehcache-disk, and
#                                    caffeine-raw: a plain Caffeine Cache, no JCache layer, values by reference,
#                                    in the jcache group only)
#   BENCH_OUT=dir                    where results go (default: benchmarks/results/<timestamp>-<mode>)
#   BENCH_DIR=dir                    where the benchmark stores live (default: java.io.tmpdir); each trial
#                                    uses a fresh sub-directory and deletes it afterwards
#   BENCH_JAVA_OPTS="..."            options of the JMH host JVM, e.g. -Djmh.ignoreLock=true when another JMH run
#                                    holds /tmp/jmh.lock (the numbers then share the CPU with it)
#   BENCH_SKIP_BUILD=1               use the existing benchmarks/target/benchmarks.jar
#   BENCH_JAR=file                   run this jar instead (with BENCH_SKIP_BUILD=1: e.g. a copy, so that a rebuild
#                                    during a long run does not swap the jar under the forked JVMs)
#
# Output: <out>/throughput.json, <out>/replay.json, <out>/jcache.json, <out>/restart.json (JMH JSON),
# <out>/console.log (JMH's console, with the LOGSTATS, RESTART and FOOTPRINT lines), <out>/summary.txt (the tables
# of dev.persist.bench.Report, with the ratios to Caffeine jcache and to raw Caffeine and the issue's targets, also
# printed at the end).
set -euo pipefail

MODE=${1:-quick}
if [[ $# -gt 0 ]]; then shift; fi

case "$MODE" in
  quick)
    THRPT=(-f 1 -wi 1 -w 2s -i 2 -r 3s)
    SHOT=(-f 1 -wi 1 -i 3 -gc true)
    MEM_ENTRIES=1000000
    ;;
  smoke)
    THRPT=(-f 1 -wi 0 -i 1 -r 1s)
    SHOT=(-f 1 -wi 0 -i 1 -gc true)
    MEM_ENTRIES=1000000
    ;;
  full)
    THRPT=(-f 2 -wi 2 -w 5s -i 5 -r 5s)
    SHOT=(-f 2 -wi 3 -i 10 -gc true)
    MEM_ENTRIES=1000000
    ;;
  *)
    echo "usage: $0 [quick|full|smoke] [JMH arguments...]" >&2
    exit 2
    ;;
esac

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
JAR=${BENCH_JAR:-"$HERE/target/benchmarks.jar"}
OUT=${BENCH_OUT:-"$HERE/results/$(date +%Y%m%d-%H%M%S)-$MODE"}
ONLY=${BENCH_ONLY:-all}
mkdir -p "$OUT"

has() { [[ ",$ONLY," == *",all,"* || ",$ONLY," == *",$1,"* ]]; }
for g in ${ONLY//,/ }; do
  case "$g" in
    all|set|workload|replay|jcache|restart|memory) ;;
    *) echo "BENCH_ONLY: unknown group '$g' (set, workload, replay, jcache, restart, memory, all)" >&2; exit 2 ;;
  esac
done

if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  echo ">> building $JAR"
  # offline first (dependencies already in ~/.m2), online if something is missing
  (cd "$ROOT" && mvn -B -q -o package -pl benchmarks -am -DskipTests) \
    || (cd "$ROOT" && mvn -B -q package -pl benchmarks -am -DskipTests)
fi


THRPT_RE=""
if has set && has workload; then
  THRPT_RE='dev\.persist\.bench\.(StoreSetBenchmark|GoPersistWorkloadBenchmark)\.'
elif has set; then
  THRPT_RE='dev\.persist\.bench\.StoreSetBenchmark\.'
elif has workload; then
  THRPT_RE='dev\.persist\.bench\.GoPersistWorkloadBenchmark\.'
fi
IMPL_ARGS=()
if [[ -n "${BENCH_IMPLS:-}" ]]; then
  IMPL_ARGS=(-p "impl=$BENCH_IMPLS")
fi

echo ">> mode $MODE, results in $OUT"
: > "$OUT/console.log"
if [[ -n "$THRPT_RE" ]]; then
  echo ">> store throughput benchmarks: ${THRPT[*]} $*" | tee -a "$OUT/console.log"
  java ${BENCH_JAVA_OPTS:-} -jar "$JAR" "$THRPT_RE" "${THRPT[@]}" -rf json -rff "$OUT/throughput.json" "$@" 2>&1 \
    | tee -a "$OUT/console.log"
fi
if has replay; then
  echo ">> store replay benchmark: ${SHOT[*]} $*" | tee -a "$OUT/console.log"
  java ${BENCH_JAVA_OPTS:-} -jar "$JAR" 'dev\.persist\.bench\.ReplayBenchmark\.' "${SHOT[@]}" -rf json -rff "$OUT/replay.json" "$@" 2>&1 \
    | tee -a "$OUT/console.log"
fi
if has jcache; then
  echo ">> JCache throughput benchmarks: ${THRPT[*]} ${IMPL_ARGS[*]} $*" | tee -a "$OUT/console.log"
  java ${BENCH_JAVA_OPTS:-} -jar "$JAR" 'dev\.persist\.bench\.JCache(Get|Workload|Put)Benchmark\.' "${THRPT[@]}" "${IMPL_ARGS[@]}" \
    -rf json -rff "$OUT/jcache.json" "$@" 2>&1 | tee -a "$OUT/console.log"
fi
if has restart; then
  echo ">> JCache restart benchmark: ${SHOT[*]} $*" | tee -a "$OUT/console.log"
  java ${BENCH_JAVA_OPTS:-} -jar "$JAR" 'dev\.persist\.bench\.JCacheRestartBenchmark\.' "${SHOT[@]}" -rf json -rff "$OUT/restart.json" \
    "$@" 2>&1 | tee -a "$OUT/console.log"
fi
if has memory; then
  echo ">> JCache memory footprint, $MEM_ENTRIES entries, one JVM per implementation" | tee -a "$OUT/console.log"
  for impl in persist-MEMORY persist-WRITE caffeine ehcache-heap; do
    if [[ -n "${BENCH_IMPLS:-}" && ",$BENCH_IMPLS," != *",$impl,"* ]]; then continue; fi
    java -Xms3g -Xmx3g -cp "$JAR" dev.persist.bench.MemoryFootprint "$impl" "$MEM_ENTRIES" 2>&1 \
      | grep -v '^SLF4J' | tee -a "$OUT/console.log"
  done
fi

JSONS=()
for f in "$OUT/throughput.json" "$OUT/replay.json" "$OUT/jcache.json" "$OUT/restart.json"; do
  [[ -s "$f" ]] && JSONS+=("$f")
done
java -cp "$JAR" dev.persist.bench.Report --log "$OUT/console.log" "${JSONS[@]}" | tee "$OUT/summary.txt"
echo ">> summary: $OUT/summary.txt"
