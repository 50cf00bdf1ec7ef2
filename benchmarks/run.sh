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
#                                      writebehind: WriteBehindBenchmark (put throughput in front of an H2 table)
#                                               and WriteBehindCrashComparison (100,000 puts, 3 rounds)
#                                      disk:    the disk tier of issue 12 (2M entries of ~1 KB, front of 100,000,
#                                               -Xmx512m): reopen until the first get, heap per entry, get
#                                               (uniform and Zipf keys), put; persist-disk against ehcache-disk,
#                                               and persist-heap (today's all-in-heap cache, on a data set that
#                                               fits) as the reference of the Zipf get. Not part of "all": select
#                                               it by name.
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
#   BENCH_DISK_DATA=dir              disk group: where its data sets live (default benchmarks/target/disk-data).
#                                    Each is built once (minutes: 2M puts of ~1 KB; on disk about 2.3 GB for
#                                    persist-disk, 4.4 GB for ehcache-disk)
#                                    and reused by every later trial, fork and run; delete the directory to rebuild.
#                                    Not /dev/shm.
#   BENCH_DISK_BUILD_HEAP=size       disk group: heap of the JVM that builds missing data sets (default 4g; the build
#                                    is not measured)
#   BENCH_DISK_IMPLS=a,b             disk group: implementations (default persist-disk,ehcache-disk)
#   BENCH_DISK_REF_HEAP=size         disk group: heap of the persist-heap reference run (default 512m; empty: skip
#                                    the reference)
#   BENCH_DISK_REF_ENTRIES=n         disk group: entries of the reference's data set (default 200000: fits in 512m)
#   BENCH_DISK_ENTRIES=n             disk group: entries per data set (default 2000000)
#   BENCH_DISK_DURABILITY=tier       disk group: this provider's tier (default write, the issue's; async is the
#                                    guarantee closest to Ehcache's disk tier, a diagnostic)
#   BENCH_DISK_AUTOSHRINK=interval   disk group: this provider's store.autoShrink (ratio 3.0) at that interval,
#                                    e.g. 5s (default none, the issue's; a diagnostic: benchmarks/README.md,
#                                    "Puts with auto-shrink on")
#   BENCH_DISK_STORE="k: v, ..."     disk group: more keys of this provider's store section, e.g. "mappedReads: false"
#                                    (a diagnostic; default none)
#   BENCH_DISK_TOUCH_FREE=1          disk group: touch the machine's free memory before each put trial
#                                    (FreeMemoryTouch, a diagnostic: benchmarks/README.md, "The put and the
#                                    machine's free memory"; about 20 s per trial here)
#   BENCH_SKIP_BUILD=1               use the existing benchmarks/target/benchmarks.jar
#   BENCH_JAR=file                   run this jar instead (with BENCH_SKIP_BUILD=1: e.g. a copy, so that a rebuild
#                                    during a long run does not swap the jar under the forked JVMs)
#
# Output: <out>/throughput.json, <out>/replay.json, <out>/jcache.json, <out>/restart.json (JMH JSON),
# <out>/console.log (JMH's console, with the LOGSTATS, RESTART and FOOTPRINT lines), <out>/summary.txt (the tables
# of dev.persist.bench.Report, with the ratios to Caffeine jcache and to raw Caffeine and the issue's targets, also
# printed at the end). The writebehind group adds <out>/writebehind.json; the disk group adds disk-*.json and
# <out>/disk-summary.txt (dev.persist.bench.DiskReport: the tables, ratios and issue 12's targets).
set -euo pipefail

MODE=${1:-quick}
if [[ $# -gt 0 ]]; then shift; fi

case "$MODE" in
  quick)
    THRPT=(-f 1 -wi 1 -w 2s -i 2 -r 3s)
    SHOT=(-f 1 -wi 1 -i 3 -gc true)
    MEM_ENTRIES=1000000
    WB=(-f 1 -wi 1 -w 3s -i 2 -r 5s)
    WB_CRASH=(100000 3)
    # a warmup long enough for persist-disk's front to settle under Zipf gets (benchmarks/README.md, disk)
    DISK_FORKS=1
    DISK_RUN=(-wi 4 -w 5s -i 3 -r 3s)
    DISK_SHOT=(-f 1 -wi 1 -i 3)
    ;;
  smoke)
    THRPT=(-f 1 -wi 0 -i 1 -r 1s)
    SHOT=(-f 1 -wi 0 -i 1 -gc true)
    MEM_ENTRIES=1000000
    WB=(-f 1 -wi 0 -i 1 -r 1s)
    WB_CRASH=(10000 1)
    DISK_FORKS=1
    DISK_RUN=(-wi 0 -i 1 -r 1s)
    DISK_SHOT=(-f 1 -wi 0 -i 1)
    ;;
  full)
    THRPT=(-f 2 -wi 2 -w 5s -i 5 -r 5s)
    SHOT=(-f 2 -wi 3 -i 10 -gc true)
    MEM_ENTRIES=1000000
    WB=(-f 2 -wi 2 -w 5s -i 5 -r 5s)
    WB_CRASH=(100000 10)
    DISK_FORKS=2
    DISK_RUN=(-wi 4 -w 5s -i 5 -r 5s)
    DISK_SHOT=(-f 2 -wi 2 -i 5)
    ;;
  *)
    echo "usage: $0 [quick|full|smoke] [JMH arguments...]" >&2
    exit 2
    ;;
esac

DISK_THRPT=(-f "$DISK_FORKS" "${DISK_RUN[@]}")

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
JAR=${BENCH_JAR:-"$HERE/target/benchmarks.jar"}
OUT=${BENCH_OUT:-"$HERE/results/$(date +%Y%m%d-%H%M%S)-$MODE"}
ONLY=${BENCH_ONLY:-all}
mkdir -p "$OUT"

has() { [[ ",$ONLY," == *",all,"* || ",$ONLY," == *",$1,"* ]]; }
# the disk group needs minutes and 10 GB of data sets: only when named
has_named() { [[ ",$ONLY," == *",$1,"* ]]; }
for g in ${ONLY//,/ }; do
  case "$g" in
    all|set|workload|replay|jcache|restart|memory|writebehind|disk) ;;
    *) echo "BENCH_ONLY: unknown group '$g' (set, workload, replay, jcache, restart, memory, writebehind, disk," \
         "all)" >&2; exit 2 ;;
  esac
done
# every JMH run goes through this: a trial that fails must not stop the other runs and groups
jmh() { java ${BENCH_JAVA_OPTS:-} -jar "$JAR" "$@" 2>&1 | tee -a "$OUT/console.log" \
          || echo ">> JMH exited with an error (a failed trial?): see $OUT/console.log" | tee -a "$OUT/console.log"; }

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
  jmh "$THRPT_RE" "${THRPT[@]}" -rf json -rff "$OUT/throughput.json" "$@"
fi
if has replay; then
  echo ">> store replay benchmark: ${SHOT[*]} $*" | tee -a "$OUT/console.log"
  jmh 'dev\.persist\.bench\.ReplayBenchmark\.' "${SHOT[@]}" -rf json -rff "$OUT/replay.json" "$@"
fi
if has jcache; then
  echo ">> JCache throughput benchmarks: ${THRPT[*]} ${IMPL_ARGS[*]} $*" | tee -a "$OUT/console.log"
  jmh 'dev\.persist\.bench\.JCache(Get|Workload|Put)Benchmark\.' "${THRPT[@]}" "${IMPL_ARGS[@]}" \
    -rf json -rff "$OUT/jcache.json" "$@"
fi
if has restart; then
  echo ">> JCache restart benchmark: ${SHOT[*]} $*" | tee -a "$OUT/console.log"
  jmh 'dev\.persist\.bench\.JCacheRestartBenchmark\.' "${SHOT[@]}" -rf json -rff "$OUT/restart.json" "$@"
fi
if has memory; then
  echo ">> JCache memory footprint, $MEM_ENTRIES entries, one JVM per implementation" | tee -a "$OUT/console.log"
  for impl in persist-MEMORY persist-WRITE caffeine ehcache-heap; do
    if [[ -n "${BENCH_IMPLS:-}" && ",$BENCH_IMPLS," != *",$impl,"* ]]; then continue; fi
    java -Xms3g -Xmx3g -cp "$JAR" dev.persist.bench.MemoryFootprint "$impl" "$MEM_ENTRIES" 2>&1 \
      | grep -v '^SLF4J' | tee -a "$OUT/console.log" || echo ">> footprint of $impl failed" | tee -a "$OUT/console.log"
  done
fi

if has writebehind; then
  echo ">> write-behind put benchmark: ${WB[*]} $*" | tee -a "$OUT/console.log"
  jmh 'dev\.persist\.bench\.WriteBehindBenchmark\.' "${WB[@]}" -rf json -rff "$OUT/writebehind.json" "$@"
  echo ">> write-behind crash comparison: ${WB_CRASH[*]}" | tee -a "$OUT/console.log"
  java -cp "$JAR" dev.persist.bench.WriteBehindCrashComparison "${WB_CRASH[@]}" 2>&1 | grep -v '^SLF4J' \
    | tee -a "$OUT/console.log" || echo ">> crash comparison failed" | tee -a "$OUT/console.log"
fi

if has_named disk; then
  export BENCH_DISK_DATA=${BENCH_DISK_DATA:-"$HERE/target/disk-data"}
  DISK_IMPLS=${BENCH_DISK_IMPLS:-persist-disk,ehcache-disk}
  DISK_ENTRIES=${BENCH_DISK_ENTRIES:-2000000}
  DISK_REF_HEAP=${BENCH_DISK_REF_HEAP-512m}
  DISK_REF_ENTRIES=${BENCH_DISK_REF_ENTRIES:-200000}
  DISK_BUILD_HEAP=${BENCH_DISK_BUILD_HEAP:-4g}
  DISK_P=(-p "impl=$DISK_IMPLS" -p "entries=$DISK_ENTRIES")
  echo ">> disk tier (issue 12): data sets in $BENCH_DISK_DATA, impls $DISK_IMPLS, $DISK_ENTRIES entries" \
    | tee -a "$OUT/console.log"
  # 0. build the missing data sets (once; later trials and runs reuse them), with a larger heap than the benchmarks'
  echo ">> disk data sets: build what is missing, -Xmx$DISK_BUILD_HEAP" | tee -a "$OUT/console.log"
  java -Xmx"$DISK_BUILD_HEAP" -cp "$JAR" dev.persist.bench.DiskDataSet "$DISK_ENTRIES" ${DISK_IMPLS//,/ } \
    2>&1 | grep -v '^SLF4J' | cut -c1-400 | tee -a "$OUT/console.log" \
    || echo ">> some data sets could not be built (see above)" | tee -a "$OUT/console.log"
  if [[ -n "$DISK_REF_HEAP" ]]; then
    java -Xmx"$DISK_BUILD_HEAP" -cp "$JAR" dev.persist.bench.DiskDataSet "$DISK_REF_ENTRIES" persist-heap \
      2>&1 | grep -v '^SLF4J' | cut -c1-400 | tee -a "$OUT/console.log" \
      || echo ">> the reference data set could not be built (see above)" | tee -a "$OUT/console.log"
  fi
  # 1. reopen
  echo ">> disk reopen: ${DISK_SHOT[*]} $*" | tee -a "$OUT/console.log"
  jmh 'dev\.persist\.bench\.DiskReopenBenchmark\.' "${DISK_SHOT[@]}" "${DISK_P[@]}" -rf json \
    -rff "$OUT/disk-reopen.json" "$@"
  # 2. heap per entry, one JVM per implementation, the 512 MB heap of the issue
  for impl in ${DISK_IMPLS//,/ }; do
    echo ">> disk footprint: $impl" | tee -a "$OUT/console.log"
    java -Xms512m -Xmx512m -cp "$JAR" dev.persist.bench.DiskFootprint "$impl" "$DISK_ENTRIES" 2>&1 \
      | grep -v '^SLF4J' | tee -a "$OUT/console.log" || echo ">> footprint of $impl failed" | tee -a "$OUT/console.log"
  done
  # 3. gets: uniform keys for every implementation, Zipf keys for those other than persist-disk (not a target)
  echo ">> disk get: ${DISK_THRPT[*]} $*" | tee -a "$OUT/console.log"
  jmh 'dev\.persist\.bench\.DiskGetBenchmark\.get_uniform' "${DISK_THRPT[@]}" "${DISK_P[@]}" -rf json \
    -rff "$OUT/disk-get.json" "$@"
  ZIPF_OTHERS=$(tr ',' '\n' <<< "$DISK_IMPLS" | grep -vx persist-disk | paste -sd, - || true)
  if [[ -n "$ZIPF_OTHERS" ]]; then
    jmh 'dev\.persist\.bench\.DiskGetBenchmark\.get_zipf' "${DISK_THRPT[@]}" -p "impl=$ZIPF_OTHERS" \
      -p "entries=$DISK_ENTRIES" -rf json -rff "$OUT/disk-get-zipf.json" "$@"
  fi
  # 4. Zipf keys, persist-disk against its reference: today's cache, every entry in the heap. 2M x 1 KB does not
  #    fit in 512 MB (nor did its reopen in 4 GB), so the reference runs on a data set that fits:
  #    BENCH_DISK_REF_ENTRIES (200,000) entries, Zipf over those keys, heap BENCH_DISK_REF_HEAP (512m, as the
  #    others). The two take turns, one fork each, per thread count, DISK_FORKS times: this machine's speed drifts
  #    by tens of percent within an hour, and a ratio of two scores measured ten minutes apart measured the drift
  #    as much as the code. DiskReport pools each one's forks (benchmarks/README.md, "Zipf gets in turns").
  for ((fork = 1; fork <= DISK_FORKS; fork++)); do
    for zipf in get_zipf_01t get_zipf_08t; do
      if [[ ",$DISK_IMPLS," == *",persist-disk,"* ]]; then
        echo ">> disk get $zipf persist-disk, fork $fork of $DISK_FORKS: ${DISK_RUN[*]} $*" | tee -a "$OUT/console.log"
        jmh "dev\\.persist\\.bench\\.DiskGetBenchmark\\.$zipf\$" -f 1 "${DISK_RUN[@]}" -p impl=persist-disk \
          -p "entries=$DISK_ENTRIES" -rf json -rff "$OUT/disk-zipf-$fork-$zipf.json" "$@"
      fi
      if [[ -n "$DISK_REF_HEAP" ]]; then
        echo ">> disk get $zipf reference persist-heap, $DISK_REF_ENTRIES entries, -Xmx$DISK_REF_HEAP, fork $fork of" \
          "$DISK_FORKS: ${DISK_RUN[*]} $*" | tee -a "$OUT/console.log"
        jmh "dev\\.persist\\.bench\\.DiskGetBenchmark\\.$zipf\$" -f 1 "${DISK_RUN[@]}" -p impl=persist-heap \
          -p "entries=$DISK_REF_ENTRIES" -jvmArgsAppend "-Xms$DISK_REF_HEAP -Xmx$DISK_REF_HEAP" -rf json \
          -rff "$OUT/disk-ref-$fork-$zipf.json" "$@"
      fi
    done
  done
  # 5. puts last: they overwrite values of the data sets (same keys, same sizes)
  echo ">> disk put: ${DISK_THRPT[*]} $*" | tee -a "$OUT/console.log"
  jmh 'dev\.persist\.bench\.DiskPutBenchmark\.' "${DISK_THRPT[@]}" "${DISK_P[@]}" -rf json \
    -rff "$OUT/disk-put.json" "$@"
  DJSONS=()
  for f in "$OUT"/disk-reopen.json "$OUT"/disk-get.json "$OUT"/disk-get-zipf.json "$OUT"/disk-zipf-*.json \
      "$OUT"/disk-ref-*.json "$OUT"/disk-put.json; do
    [[ -s "$f" ]] && DJSONS+=("$f")
  done
  java -cp "$JAR" dev.persist.bench.DiskReport --log "$OUT/console.log" "${DJSONS[@]}" | tee "$OUT/disk-summary.txt"
  echo ">> disk summary: $OUT/disk-summary.txt"
fi

JSONS=()
for f in "$OUT/throughput.json" "$OUT/replay.json" "$OUT/jcache.json" "$OUT/restart.json"; do
  [[ -s "$f" ]] && JSONS+=("$f")
done
if [[ ${#JSONS[@]} -gt 0 ]] || has memory; then
  java -cp "$JAR" dev.persist.bench.Report --log "$OUT/console.log" "${JSONS[@]}" | tee "$OUT/summary.txt"
  echo ">> summary: $OUT/summary.txt"
fi
