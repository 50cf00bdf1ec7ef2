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
        if (log != null && Files.exists(log)) {
            logStatsTable(Files.readAllLines(log), out);
        }
        System.out.print(out);
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
            String key = String.format(Locale.ROOT, "%-40s %-6s %3s", bench, kv.get("tier"), kv.get("threads"));
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
        out.append(String.format(Locale.ROOT, "%-40s %-6s %3s %11s %11s %10s %13s %13s %9s%n", "benchmark", "tier",
                "thr", "records", "writeCalls", "syncCalls", "records/write", "records/fsync", "fsync/s"));
        for (Map.Entry<String, long[]> e : sums.entrySet()) {
            long[] s = e.getValue();
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
