package dev.persist.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns JMH JSON results (and the console log, for the {@code LOGSTATS} lines) into the tables of the benchmark
 * report: set throughput per tier and thread count, the go-persist workload ratios, replay records/s, and group
 * commit batching.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.persist.bench.Report [--log console.log] result.json...
 * </pre>
 */
public final class Report {
    private static final String[] SET_TIERS = {"MEMORY", "ASYNC", "WRITE", "FSYNC"};
    private static final int[] SET_THREADS = {1, 2, 8, 16};
    private static final String[] GOP_TIERS = {"MEMORY", "ASYNC", "WRITE"};
    private static final int[] GOP_THREADS = {8, 16};

    private record Score(double score, double error, String unit, int threads, Map<String, String> params) {
    }

    private Report() {
    }

    public static void main(String[] args) throws IOException {
        Path log = null;
        List<Path> jsons = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--log")) {
                log = Path.of(args[++i]);
            } else {
                jsons.add(Path.of(args[i]));
            }
        }
        Map<String, List<Score>> results = new LinkedHashMap<>();
        ObjectMapper mapper = new ObjectMapper();
        for (Path p : jsons) {
            if (!Files.exists(p) || Files.size(p) == 0) {
                continue;
            }
            for (JsonNode r : mapper.readTree(p.toFile())) {
                String bench = r.get("benchmark").asText();
                bench = bench.substring(bench.lastIndexOf('.', bench.lastIndexOf('.') - 1) + 1);
                Map<String, String> params = new TreeMap<>();
                JsonNode ps = r.get("params");
                if (ps != null) {
                    ps.fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
                }
                JsonNode pm = r.get("primaryMetric");
                results.computeIfAbsent(bench, k -> new ArrayList<>()).add(new Score(pm.get("score").asDouble(),
                        pm.get("scoreError").asDouble(), pm.get("scoreUnit").asText(), r.get("threads").asInt(),
                        params));
            }
        }
        StringBuilder out = new StringBuilder();
        setTable(results, out);
        workloadTable(results, out);
        replayTable(results, out);
        List<String> lines = log != null && Files.exists(log) ? Files.readAllLines(log) : List.of();
        jcacheTables(results, lines, out);
        logStatsTable(lines, out);
        System.out.print(out);
    }

    // --- JCache benchmarks: this provider per tier vs Caffeine jcache and Ehcache 3 ---

    static final String[] IMPLS = {"persist-MEMORY", "persist-ASYNC", "persist-WRITE", "persist-FSYNC", "caffeine",
            "ehcache-heap", "ehcache-disk", "caffeine-raw"};
    private static final String CAFFEINE = "caffeine";
    /** Raw Caffeine, no JCache layer, values by reference: the reference for the cost of the JCache layer. */
    private static final String CAFFEINE_RAW = "caffeine-raw";
    /** The goal for persist-MEMORY get over caffeine-raw get at 8 threads. */
    private static final double RAW_GET_GOAL = 0.5;

    private static Score findImpl(Map<String, List<Score>> results, String bench, int threads, String impl) {
        List<Score> list = results.get(bench);
        if (list == null) {
            return null;
        }
        for (Score s : list) {
            if ((threads <= 0 || s.threads == threads) && impl.equals(s.params.get("impl"))) {
                return s;
            }
        }
        return null;
    }

    /** One table per JCache workload: ops/s per impl and thread count, and the ratio to Caffeine jcache. */
    private static void jcacheThroughput(Map<String, List<Score>> results, String title, String bench,
                                         String[] methods, int[] threads, StringBuilder out) {
        boolean any = false;
        for (String m : methods) {
            any |= results.containsKey(bench + "." + m);
        }
        if (!any) {
            return;
        }
        out.append("\n== ").append(title).append(", ops/s (x = ratio to caffeine jcache, same threads) ==\n");
        out.append(String.format(Locale.ROOT, "%-15s", "impl"));
        for (int t : threads) {
            out.append(String.format(Locale.ROOT, " %14s %7s", t + " thread" + (t == 1 ? "" : "s"), "x"));
        }
        out.append('\n');
        for (String impl : IMPLS) {
            out.append(String.format(Locale.ROOT, "%-15s", impl));
            for (int i = 0; i < methods.length; i++) {
                Score s = findImpl(results, bench + "." + methods[i], threads[i], impl);
                Score c = findImpl(results, bench + "." + methods[i], threads[i], CAFFEINE);
                out.append(String.format(Locale.ROOT, " %14s %7s",
                        s == null ? "-" : String.format(Locale.ROOT, "%,.0f", s.score), ratio(s, c)));
            }
            out.append('\n');
        }
    }

    /**
     * The cost of the JCache layer: persist-MEMORY's and Caffeine jcache's ops/s as a fraction of raw Caffeine's
     * (caffeine-raw), per workload and thread count, and the goal for persist-MEMORY get at 8 threads.
     */
    private static void rawCaffeineTable(Map<String, List<Score>> results, StringBuilder out) {
        String[][] rows = {
                {"get (Zipf 0.99)", "JCacheGetBenchmark.get_01t", "1"},
                {"get (Zipf 0.99)", "JCacheGetBenchmark.get_02t", "2"},
                {"get (Zipf 0.99)", "JCacheGetBenchmark.get_08t", "8"},
                {"80% get / 20% put", "JCacheWorkloadBenchmark.mixed80get20put_08t", "8"},
                {"80% get / 20% put", "JCacheWorkloadBenchmark.mixed80get20put_16t", "16"},
                {"put (overwrites)", "JCachePutBenchmark.put_01t", "1"},
                {"put (overwrites)", "JCachePutBenchmark.put_16t", "16"}};
        StringBuilder table = new StringBuilder();
        for (String[] r : rows) {
            int t = Integer.parseInt(r[2]);
            Score raw = findImpl(results, r[1], t, CAFFEINE_RAW);
            if (raw == null) {
                continue;
            }
            table.append(String.format(Locale.ROOT, "%-20s %7d %18s %14s %10s%n", r[0], t,
                    String.format(Locale.ROOT, "%,.0f", raw.score), ratio(findImpl(results, r[1], t, "persist-MEMORY"),
                            raw), ratio(findImpl(results, r[1], t, CAFFEINE), raw)));
        }
        if (table.length() == 0) {
            return;
        }
        out.append("\n== JCache layer cost: ops/s as a fraction of raw Caffeine (caffeine-raw: no JCache layer,"
                + " values by reference), same threads ==\n");
        out.append(String.format(Locale.ROOT, "%-20s %7s %18s %14s %10s%n", "workload", "threads",
                "caffeine-raw ops/s", "persist-MEMORY", "caffeine"));
        out.append(table);
        Score m = findImpl(results, "JCacheGetBenchmark.get_08t", 8, "persist-MEMORY");
        Score raw = findImpl(results, "JCacheGetBenchmark.get_08t", 8, CAFFEINE_RAW);
        out.append(String.format(Locale.ROOT, "goal: MEMORY get >= %.1fx raw Caffeine at 8 threads: %s%n",
                RAW_GET_GOAL, m == null || raw == null || raw.score == 0 ? "- (not measured)"
                        : ratio(m, raw) + (m.score / raw.score >= RAW_GET_GOAL ? " met" : " MISSED")));
    }

    private static final Pattern FOOTPRINT =
            Pattern.compile("FOOTPRINT impl=(\\S+) entries=(\\d+) .*bytes/entry=([\\d.]+)");
    private static final Pattern RESTART = Pattern.compile(
            "RESTART impl=(\\S+) entries=(\\d+) bytesOnDisk=(\\d+) bytes/entry=([\\d.]+) fillSeconds=([\\d.]+)");
    private static final Pattern RESTART_CLOSE =
            Pattern.compile("RESTART_CLOSE impl=(\\S+) entries=\\d+ settledMs=(\\S+) closeMs=(\\S+)");

    /** @return the median of a RESTART_CLOSE list ("a,b,c"), the first (warmup) value left out; "-" if none */
    private static String medianMillis(String list) {
        if (list == null || list.equals("-")) {
            return "-";
        }
        String[] all = list.split(",");
        double[] v = new double[Math.max(1, all.length - 1)];
        for (int i = 0; i < v.length; i++) {
            v[i] = Double.parseDouble(all[all.length == 1 ? 0 : i + 1]);
        }
        java.util.Arrays.sort(v);
        return String.format(Locale.ROOT, "%,.0f", v[v.length / 2]);
    }

    private static void jcacheTables(Map<String, List<Score>> results, List<String> lines, StringBuilder out) {
        String get = "JCacheGetBenchmark";
        String mix = "JCacheWorkloadBenchmark";
        String put = "JCachePutBenchmark";
        jcacheThroughput(results, "JCache get-heavy (100% get, 100k keys, Zipf 0.99)", get,
                new String[] {"get_01t", "get_02t", "get_08t"}, new int[] {1, 2, 8}, out);
        jcacheThroughput(results, "JCache go-persist workload (100k keys, 80% get / 20% put)", mix,
                new String[] {"mixed80get20put_08t", "mixed80get20put_16t"}, new int[] {8, 16}, out);
        jcacheThroughput(results, "JCache put-only (100k keys, overwrites)", put,
                new String[] {"put_01t", "put_16t"}, new int[] {1, 16}, out);
        rawCaffeineTable(results, out);

        // restart
        Map<String, String[]> restartLines = new LinkedHashMap<>();
        for (String line : lines) {
            Matcher m = RESTART.matcher(line);
            if (m.find()) {
                restartLines.put(m.group(1), new String[] {m.group(2), m.group(3), m.group(4), m.group(5)});
            }
        }
        Map<String, String[]> closeLines = new LinkedHashMap<>();
        for (String line : lines) {
            Matcher m = RESTART_CLOSE.matcher(line);
            if (m.find()) {
                closeLines.put(m.group(1), new String[] {m.group(2), m.group(3)});
            }
        }
        List<Score> restart = results.getOrDefault("JCacheRestartBenchmark.reopen", List.of());
        if (!restart.isEmpty() || !restartLines.isEmpty()) {
            out.append("\n== JCache restart: reopen manager + cache holding N entries (single shot); settled = ms after"
                    + " the reopen until every value was decoded in the background, close = CacheManager.close(),"
                    + " medians ==\n");
            out.append(String.format(Locale.ROOT, "%-15s %9s %18s %14s %14s %11s %12s %10s%n", "impl", "entries",
                    "time (ms, +- err)", "entries/s", "bytes on disk", "bytes/entry", "settled (ms)", "close (ms)"));
            for (String impl : IMPLS) {
                Score s = findImpl(results, "JCacheRestartBenchmark.reopen", 0, impl);
                String[] l = restartLines.get(impl);
                if (s == null && l == null) {
                    continue;
                }
                long n = s != null ? Long.parseLong(s.params.getOrDefault("entries", "0")) : Long.parseLong(l[0]);
                double ms = s == null ? Double.NaN : toMillis(s.score, s.unit);
                String[] c = closeLines.get(impl);
                out.append(String.format(Locale.ROOT, "%-15s %9d %18s %14s %14s %11s %12s %10s%n", impl, n,
                        s == null ? "-" : String.format(Locale.ROOT, "%.1f +- %.1f", ms, toMillis(s.error, s.unit)),
                        s == null ? "-" : String.format(Locale.ROOT, "%,.0f", n / (ms / 1000.0)),
                        l == null ? "-" : String.format(Locale.ROOT, "%,d", Long.parseLong(l[1])),
                        l == null ? "-" : l[2], c == null ? "-" : medianMillis(c[0]),
                        c == null ? "-" : medianMillis(c[1])));
            }
        }

        // memory
        Map<String, Double> footprint = new LinkedHashMap<>();
        for (String line : lines) {
            Matcher m = FOOTPRINT.matcher(line);
            if (m.find()) {
                footprint.put(m.group(1), Double.parseDouble(m.group(3)));
            }
        }
        if (!footprint.isEmpty()) {
            out.append("\n== JCache memory: retained heap per entry after 1M puts (used heap after GC) ==\n");
            out.append(String.format(Locale.ROOT, "%-15s %12s %10s%n", "impl", "bytes/entry", "x caffeine"));
            Double caf = footprint.get(CAFFEINE);
            for (Map.Entry<String, Double> e : footprint.entrySet()) {
                out.append(String.format(Locale.ROOT, "%-15s %12.1f %10s%n", e.getKey(), e.getValue(),
                        caf == null ? "-" : String.format(Locale.ROOT, "%.2fx", e.getValue() / caf)));
            }
        }

        targets(results, out);
    }

    /** The ratios issue 4 names, each against its target. */
    private static void targets(Map<String, List<Score>> results, StringBuilder out) {
        List<String[]> rows = new ArrayList<>();
        String get = "JCacheGetBenchmark.";
        String put = "JCachePutBenchmark.";
        String[][] gets = {{"get_01t", "1"}, {"get_02t", "2"}, {"get_08t", "8"}};
        String[][] puts = {{"put_01t", "1"}, {"put_16t", "16"}};
        for (String[] g : gets) {
            target(rows, "MEMORY get " + g[1] + "t / caffeine", results, get + g[0], Integer.parseInt(g[1]),
                    "persist-MEMORY", CAFFEINE, 1.0);
        }
        target(rows, "MEMORY get 8t / caffeine-raw (no JCache layer)", results, get + "get_08t", 8,
                "persist-MEMORY", CAFFEINE_RAW, RAW_GET_GOAL);
        for (String[] g : gets) {
            // a get takes the same code path at every tier: their mean is a less noisy estimate of the get ratio
            double sum = 0;
            int n = 0;
            for (String impl : new String[] {"persist-MEMORY", "persist-ASYNC", "persist-WRITE", "persist-FSYNC"}) {
                Score a = findImpl(results, get + g[0], Integer.parseInt(g[1]), impl);
                if (a != null) {
                    sum += a.score;
                    n++;
                }
            }
            Score c = findImpl(results, get + g[0], Integer.parseInt(g[1]), CAFFEINE);
            if (n > 0 && c != null) {
                rows.add(row("(mean of 4 tiers) get " + g[1] + "t / caffeine", sum / n / c.score, 1.0, "x"));
            }
        }
        for (String[] p : puts) {
            target(rows, "MEMORY put " + p[1] + "t / caffeine", results, put + p[0], Integer.parseInt(p[1]),
                    "persist-MEMORY", CAFFEINE, 1.0);
        }
        for (String[] g : gets) {
            target(rows, "MEMORY get " + g[1] + "t / ehcache-heap", results, get + g[0], Integer.parseInt(g[1]),
                    "persist-MEMORY", "ehcache-heap", 3.0);
        }
        for (String[] p : puts) {
            target(rows, "MEMORY put " + p[1] + "t / ehcache-heap", results, put + p[0], Integer.parseInt(p[1]),
                    "persist-MEMORY", "ehcache-heap", 3.0);
        }
        for (String[] p : puts) {
            target(rows, "WRITE put " + p[1] + "t / ehcache-disk", results, put + p[0], Integer.parseInt(p[1]),
                    "persist-WRITE", "ehcache-disk", 3.0);
        }
        Score f16 = findImpl(results, put + "put_16t", 16, "persist-FSYNC");
        Score f1 = findImpl(results, put + "put_01t", 1, "persist-FSYNC");
        if (f16 != null && f1 != null) {
            rows.add(row("FSYNC put 16t / FSYNC put 1t (JCache)", f16.score / f1.score, 8.0, "x"));
        }
        Score s16 = find(results, "StoreSetBenchmark.", 16, "FSYNC");
        Score s1 = find(results, "StoreSetBenchmark.", 1, "FSYNC");
        if (s16 != null && s1 != null) {
            rows.add(row("FSYNC set 16t / FSYNC set 1t (store)", s16.score / s1.score, 8.0, "x"));
        }
        Score reopen = findImpl(results, "JCacheRestartBenchmark.reopen", 0, "persist-WRITE");
        if (reopen != null) {
            double n = Double.parseDouble(reopen.params.getOrDefault("entries", "0"));
            rows.add(row("replay: JCache reopen, 1M entries, records/s", n / (toMillis(reopen.score, reopen.unit)
                    / 1000.0), 1e6, ""));
        }
        for (String b : new String[] {"openRaw", "openTyped"}) {
            for (Score s : results.getOrDefault("ReplayBenchmark." + b, List.of())) {
                if (!"1000000".equals(s.params.get("distinctKeys"))) {
                    continue;
                }
                double n = Double.parseDouble(s.params.getOrDefault("records", "0"));
                rows.add(row("replay: store " + b + ", 1M distinct keys, records/s",
                        n / (toMillis(s.score, s.unit) / 1000.0), 1e6, ""));
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        out.append("\n== Issue 4 targets (ratios from this run) ==\n");
        out.append(String.format(Locale.ROOT, "%-48s %14s %10s %7s%n", "ratio", "value", "target", ""));
        for (String[] r : rows) {
            out.append(String.format(Locale.ROOT, "%-48s %14s %10s %7s%n", (Object[]) r));
        }
    }

    private static void target(List<String[]> rows, String label, Map<String, List<Score>> results, String bench,
                               int threads, String impl, String base, double want) {
        Score a = findImpl(results, bench, threads, impl);
        Score b = findImpl(results, bench, threads, base);
        if (a != null && b != null && b.score > 0) {
            rows.add(row(label, a.score / b.score, want, "x"));
        }
    }

    private static String[] row(String label, double value, double want, String unit) {
        String v = unit.equals("x") ? String.format(Locale.ROOT, "%.2fx", value)
                : String.format(Locale.ROOT, "%,.0f", value);
        String w = unit.equals("x") ? String.format(Locale.ROOT, ">= %.1fx", want)
                : String.format(Locale.ROOT, ">= %,.0f", want);
        return new String[] {label, v, w, value >= want ? "met" : "MISSED"};
    }

    private static Score find(Map<String, List<Score>> results, String benchPrefix, int threads, String tier) {
        for (Map.Entry<String, List<Score>> e : results.entrySet()) {
            if (!e.getKey().startsWith(benchPrefix)) {
                continue;
            }
            for (Score s : e.getValue()) {
                if (s.threads == threads && tier.equals(s.params.get("tier"))) {
                    return s;
                }
            }
        }
        return null;
    }

    private static void setTable(Map<String, List<Score>> results, StringBuilder out) {
        if (results.keySet().stream().noneMatch(k -> k.startsWith("StoreSetBenchmark."))) {
            return;
        }
        out.append("\n== StoreSetBenchmark: set throughput, ops/s (score +- 99.9% error) ==\n");
        out.append(String.format(Locale.ROOT, "%-7s", "tier"));
        for (int t : SET_THREADS) {
            out.append(String.format(Locale.ROOT, " %24s", t + " thread" + (t == 1 ? "" : "s")));
        }
        out.append(String.format(Locale.ROOT, " %8s%n", "16t/1t"));
        for (String tier : SET_TIERS) {
            out.append(String.format(Locale.ROOT, "%-7s", tier));
            for (int t : SET_THREADS) {
                Score s = find(results, "StoreSetBenchmark.", t, tier);
                out.append(String.format(Locale.ROOT, " %24s", s == null ? "-" : fmt(s)));
            }
            out.append(String.format(Locale.ROOT, " %8s%n", ratio(find(results, "StoreSetBenchmark.", 16, tier),
                    find(results, "StoreSetBenchmark.", 1, tier))));
        }
        out.append("FSYNC 16 threads / FSYNC 1 thread = ").append(ratio(find(results, "StoreSetBenchmark.", 16,
                "FSYNC"), find(results, "StoreSetBenchmark.", 1, "FSYNC"))).append(" (group commit target ~8x)\n");
    }

    private static void workloadTable(Map<String, List<Score>> results, StringBuilder out) {
        if (results.keySet().stream().noneMatch(k -> k.startsWith("GoPersistWorkloadBenchmark."))) {
            return;
        }
        out.append("\n== GoPersistWorkloadBenchmark: 100k keys, 80% get / 20% set, ops/s ==\n");
        out.append(String.format(Locale.ROOT, "%-7s", "tier"));
        for (int t : GOP_THREADS) {
            out.append(String.format(Locale.ROOT, " %24s %9s", t + " threads", "/MEMORY"));
        }
        out.append('\n');
        for (String tier : GOP_TIERS) {
            out.append(String.format(Locale.ROOT, "%-7s", tier));
            for (int t : GOP_THREADS) {
                Score s = find(results, "GoPersistWorkloadBenchmark.", t, tier);
                out.append(String.format(Locale.ROOT, " %24s %9s", s == null ? "-" : fmt(s),
                        ratio(s, find(results, "GoPersistWorkloadBenchmark.", t, "MEMORY"))));
            }
            out.append('\n');
        }
    }

    private static void replayTable(Map<String, List<Score>> results, StringBuilder out) {
        if (results.keySet().stream().noneMatch(k -> k.startsWith("ReplayBenchmark."))) {
            return;
        }
        out.append("\n== ReplayBenchmark: open (replay) a log, single shot ==\n");
        out.append(String.format(Locale.ROOT, "%-11s %9s %13s %22s %14s%n", "benchmark", "records", "distinctKeys",
                "time (ms, +- err)", "records/s"));
        for (Map.Entry<String, List<Score>> e : results.entrySet()) {
            if (!e.getKey().startsWith("ReplayBenchmark.")) {
                continue;
            }
            for (Score s : e.getValue()) {
                long records = Long.parseLong(s.params.getOrDefault("records", "0"));
                double ms = toMillis(s.score, s.unit);
                out.append(String.format(Locale.ROOT, "%-11s %9d %13s %22s %14s%n",
                        e.getKey().substring("ReplayBenchmark.".length()), records, s.params.get("distinctKeys"),
                        String.format(Locale.ROOT, "%.1f +- %.1f", ms, toMillis(s.error, s.unit)),
                        String.format(Locale.ROOT, "%,.0f", records / (ms / 1000.0))));
            }
        }
    }

    private static final Pattern KV = Pattern.compile("([\\w/]+)=(\\S+)");

    /** Sums the LOGSTATS lines of each trial over its measured iterations. */
    private static void logStatsTable(List<String> lines, StringBuilder out) {
        Map<String, long[]> sums = new LinkedHashMap<>(); // records, writes, syncs, nanos-ish (ms)
        for (String line : lines) {
            int at = line.indexOf("LOGSTATS ");
            if (at < 0) {
                continue;
            }
            Map<String, String> kv = new LinkedHashMap<>();
            Matcher m = KV.matcher(line.substring(at));
            while (m.find()) {
                kv.put(m.group(1), m.group(2));
            }
            String bench = kv.get("benchmark");
            bench = bench.substring(bench.lastIndexOf('.', bench.lastIndexOf('.') - 1) + 1);
            String key = String.format(Locale.ROOT, "%-40s %-14s %3s", bench, kv.get("tier"), kv.get("threads"));
            long[] s = sums.computeIfAbsent(key, k -> new long[4]);
            s[0] += Long.parseLong(kv.get("records"));
            s[1] += Long.parseLong(kv.get("writeCalls"));
            s[2] += Long.parseLong(kv.get("syncCalls"));
            s[3] += Math.round(Double.parseDouble(kv.get("seconds")) * 1000);
        }
        if (sums.isEmpty()) {
            return;
        }
        out.append("\n== Log records vs system calls, measured iterations summed (group commit batching) ==\n");
        out.append(String.format(Locale.ROOT, "%-40s %-14s %3s %11s %11s %10s %13s %13s %9s%n", "benchmark", "tier/impl",
                "thr", "records", "writeCalls", "syncCalls", "records/write", "records/fsync", "fsync/s"));
        for (Map.Entry<String, long[]> e : sums.entrySet()) {
            long[] s = e.getValue();
            if (s[0] == 0 && s[1] == 0 && s[2] == 0) {
                continue; // nothing logged (MEMORY tier, get-only workloads)
            }
            out.append(String.format(Locale.ROOT, "%s %11d %11d %10d %13s %13s %9s%n", e.getKey(), s[0], s[1], s[2],
                    s[1] == 0 ? "-" : String.format(Locale.ROOT, "%.1f", (double) s[0] / s[1]),
                    s[2] == 0 ? "-" : String.format(Locale.ROOT, "%.1f", (double) s[0] / s[2]),
                    s[3] == 0 ? "-" : String.format(Locale.ROOT, "%.0f", s[2] * 1000.0 / s[3])));
        }
        out.append("(records counted from the log: for WRITE/FSYNC one per set, including sets made while JMH\n"
                + " synchronizes iterations; for ASYNC what the 1 s syncer wrote after per-key coalescing.\n"
                + " fsync/s shows how fast the disk was during that trial: FSYNC ops/s = records/fsync x fsync/s,\n"
                + " so records/fsync is the group commit gain independent of disk speed drifting between trials)\n");
    }

    private static double toMillis(double v, String unit) {
        return switch (unit) {
            case "s/op" -> v * 1000;
            case "ms/op" -> v;
            case "us/op" -> v / 1000;
            case "ns/op" -> v / 1e6;
            default -> throw new IllegalArgumentException("unit " + unit);
        };
    }

    private static String fmt(Score s) {
        return Double.isNaN(s.error)
                ? String.format(Locale.ROOT, "%,.0f", s.score)
                : String.format(Locale.ROOT, "%,.0f +- %,.0f", s.score, s.error);
    }

    private static String ratio(Score a, Score b) {
        if (a == null || b == null || b.score == 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.2fx", a.score / b.score);
    }
}
