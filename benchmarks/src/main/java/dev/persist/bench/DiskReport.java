package dev.persist.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.openjdk.jmh.util.ListStatistics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tables of the disk-tier benchmarks (issue 12) and the targets, from the JMH JSON of
 * {@link DiskGetBenchmark}, {@link DiskPutBenchmark}, {@link DiskReopenBenchmark} and the {@code DISKFOOTPRINT}
 * lines of {@link DiskFootprint} in the console log. A target whose measurement is missing (a trial that failed)
 * is reported as "not measured", never as met or missed. A benchmark is scored from its measured iterations, as JMH
 * scores the forks of one run (the mean, and the half-width of its 99.9% confidence interval), pooled over every
 * result file: run.sh runs the Zipf gets of persist-disk and its reference in turns, one fork per JMH run.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.persist.bench.DiskReport [--log console.log] result.json...</pre>
 */
public final class DiskReport {
    private static final String[] IMPLS = {"persist-disk", "ehcache-disk", "persist-heap"};
    private static final Pattern FOOT = Pattern.compile(
            "DISKFOOTPRINT impl=(\\S+) entries=(\\d+) phase=(\\S+) .*bytes/entry=(\\S+) keyBytes/entry=(\\S+)"
                    + " maxHeapMB=(\\d+)");

    private record Score(double score, double error, String heap, long entries) {
    }

    private DiskReport() {
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
        Map<String, Score> s = new HashMap<>(); // "method impl" -> score
        Map<String, List<Double>> pooled = new HashMap<>(); // "method impl" -> measured iterations, every file's
        String entries = "?";
        ObjectMapper mapper = new ObjectMapper();
        for (Path p : jsons) {
            if (!Files.exists(p) || Files.size(p) == 0) {
                continue;
            }
            for (JsonNode r : mapper.readTree(p.toFile())) {
                String b = r.get("benchmark").asText();
                String method = b.substring(b.lastIndexOf('.') + 1);
                String impl = r.get("params").get("impl").asText();
                if (!impl.equals("persist-heap")) {
                    entries = String.format(Locale.ROOT, "%,d", r.get("params").get("entries").asLong());
                }
                String heap = "";
                for (JsonNode a : r.get("jvmArgs")) {
                    if (a.asText().startsWith("-Xmx")) {
                        heap = a.asText().substring(4); // the last -Xmx wins, as in the JVM
                    }
                }
                // every measured iteration of every fork, of every file: a benchmark run in turns (run.sh: Zipf, one
                // fork at a time) has a result per fork, scored as JMH scores one result with several forks
                String key = method + " " + impl;
                List<Double> iterations = pooled.computeIfAbsent(key, k -> new ArrayList<>());
                for (JsonNode fork : r.get("primaryMetric").get("rawData")) {
                    for (JsonNode iteration : fork) {
                        iterations.add(iteration.asDouble());
                    }
                }
                ListStatistics all = new ListStatistics();
                iterations.forEach(all::addValue);
                s.put(key, new Score(all.getMean(), all.getMeanErrorAt(0.999), heap,
                        r.get("params").get("entries").asLong()));
            }
        }
        StringBuilder out = new StringBuilder();
        String[] gets = {"get_uniform_01t", "get_uniform_08t", "get_zipf_01t", "get_zipf_08t"};
        table(out, "Disk tier get, " + entries + " entries x ~1 KB, front " + String.format(Locale.ROOT, "%,d",
                DiskDataSet.FRONT) + " entries, ops/s (x = ratio to ehcache-disk)",
                gets, s, "ehcache-disk");
        table(out, "Disk tier put (overwrites, uniform keys), ops/s (x = ratio to ehcache-disk)",
                new String[] {"put_01t", "put_08t"}, s, "ehcache-disk");
        table(out, "Disk tier reopen until the first get, ms (single shot; x = ratio to ehcache-disk)",
                new String[] {"reopen"}, s, "ehcache-disk");

        Map<String, double[]> foot = new HashMap<>(); // "impl phase" -> bytes/entry, key bytes, max heap MB
        if (log != null && Files.exists(log)) {
            for (String line : Files.readAllLines(log)) {
                Matcher m = FOOT.matcher(line);
                if (m.find()) {
                    foot.put(m.group(1) + " " + m.group(3), new double[] {Double.parseDouble(m.group(4)),
                            Double.parseDouble(m.group(5)), Double.parseDouble(m.group(6))});
                }
            }
        }
        if (!foot.isEmpty()) {
            out.append("\n== Disk tier heap per entry (used heap after GC, minus before opening, / entries) ==\n");
            out.append(String.format(Locale.ROOT, "%-14s %-9s %12s %10s %8s%n", "impl", "phase", "bytes/entry",
                    "key bytes", "heap MB"));
            for (String impl : IMPLS) {
                for (String phase : new String[] {"reopened", "readAll"}) {
                    double[] f = foot.get(impl + " " + phase);
                    if (f != null) {
                        out.append(String.format(Locale.ROOT, "%-14s %-9s %12.1f %10.1f %8.0f%n", impl, phase,
                                f[0], f[1], f[2]));
                    }
                }
            }
        }

        out.append("\n== Issue 12 targets (ratios from this run) ==\n");
        List<String[]> rows = new ArrayList<>();
        for (String m : new String[] {"get_uniform_01t", "get_uniform_08t"}) {
            rows.add(ratio(m + " persist-disk / ehcache-disk", s.get(m + " persist-disk"),
                    s.get(m + " ehcache-disk"), 2.0));
        }
        for (String m : new String[] {"get_zipf_01t", "get_zipf_08t"}) {
            rows.add(ratio(m + " persist-disk / persist-heap", s.get(m + " persist-disk"),
                    s.get(m + " persist-heap"), 0.8));
        }
        for (String m : new String[] {"put_01t", "put_08t"}) {
            rows.add(ratio(m + " persist-disk / ehcache-disk", s.get(m + " persist-disk"),
                    s.get(m + " ehcache-disk"), 3.0));
        }
        Score ro = s.get("reopen persist-disk");
        rows.add(new String[] {"reopen persist-disk, ms", ro == null ? "-" : fmt(ro.score, 1), "<= 1000",
                ro == null ? "not measured" : ro.score <= 1000 ? "met" : "MISSED"});
        Score re = s.get("reopen ehcache-disk");
        rows.add(new String[] {"reopen persist-disk / ehcache-disk (time)",
                ro == null || re == null ? "-" : fmt(ro.score / re.score, 2) + "x", "(reported)", ""});
        double[] f = foot.get("persist-disk reopened");
        rows.add(new String[] {"heap/entry persist-disk (reopened), bytes", f == null ? "-" : fmt(f[0], 1),
                f == null ? "<= 80 + key" : "<= " + fmt(80 + f[1], 1),
                f == null ? "not measured" : f[0] <= 80 + f[1] ? "met" : "MISSED"});
        for (String[] r : rows) {
            out.append(String.format(Locale.ROOT, "%-48s %10s %12s  %s%n", (Object[]) r));
        }
        System.out.print(out);
    }

    private static String[] ratio(String label, Score a, Score b, double want) {
        if (a == null || b == null) {
            return new String[] {label, "-", ">= " + want + "x", "not measured"};
        }
        double r = a.score / b.score;
        return new String[] {label, fmt(r, 2) + "x", ">= " + want + "x", r >= want ? "met" : "MISSED"};
    }

    private static void table(StringBuilder out, String title, String[] methods, Map<String, Score> s, String ref) {
        boolean any = false;
        for (String m : methods) {
            for (String impl : IMPLS) {
                any |= s.containsKey(m + " " + impl);
            }
        }
        if (!any) {
            return;
        }
        out.append("\n== ").append(title).append(" ==\n");
        out.append(String.format(Locale.ROOT, "%-14s %6s %9s", "impl", "heap", "entries"));
        for (String m : methods) {
            out.append(String.format(Locale.ROOT, " %24s %7s", m, "x"));
        }
        out.append('\n');
        for (String impl : IMPLS) {
            String heap = "";
            long n = 0;
            boolean row = false;
            for (String m : methods) {
                Score sc = s.get(m + " " + impl);
                if (sc != null) {
                    heap = sc.heap;
                    n = sc.entries;
                    row = true;
                }
            }
            if (!row) {
                if (!impl.equals("persist-heap")) {
                    out.append(String.format(Locale.ROOT, "%-14s  (no result: trial failed or not run)%n", impl));
                }
                continue;
            }
            out.append(String.format(Locale.ROOT, "%-14s %6s %9d", impl, heap, n));
            for (String m : methods) {
                Score sc = s.get(m + " " + impl);
                Score r = s.get(m + " " + ref);
                out.append(String.format(Locale.ROOT, " %24s %7s",
                        sc == null ? "-" : fmt(sc.score, 0) + " +- " + fmt(sc.error, 0),
                        sc == null || r == null ? "-" : fmt(sc.score / r.score, 2) + "x"));
            }
            out.append('\n');
        }
    }

    private static String fmt(double v, int decimals) {
        return String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }
}
