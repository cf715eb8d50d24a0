package io.usageplans.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Turns the runs of {@link HttpBench} into Markdown: one table of the modes, then the targets with their verdicts.
 * Every figure is a median over rounds with its spread as the interquartile range (25th to 75th percentile); ratios
 * are computed round by round (mode / other mode of the same round) before taking the median: to the bare baseline,
 * and to the Bucket4j reference ({@link #bucket4jFor}: the hand-written filter with as many keys, {@code bucket4j} for
 * one key, {@code bucket4j-10k} for the 10,000-key local modes; Bucket4j's own Hazelcast proxy,
 * {@code bucket4j-hazelcast}, for our cluster modes). Bytes and CPU per request are totals over all rounds divided by
 * all requests, counting every JVM of the mode (for the cluster modes, the server's and the other members'). The
 * non-2xx share is what the biting modes are built to keep near {@link BenchCatalogs#BITE_SHARE} (their 429s). Socket
 * errors (wrk's connect, read, write and timeout errors) are summed. Re-print the tables of an earlier run with
 * {@code java -cp benchmarks.jar io.usageplans.benchmarks.HttpReport target/http-.../runs.csv}.
 */
public final class HttpReport {

    /** A target: {@code mode}'s req/s over {@code reference}'s, round by round, at least {@code atLeast}. */
    record Target(String description, String mode, String reference, double atLeast) {
    }

    /** The targets of issues 8 and 13 that the HTTP benchmark measures. */
    static final List<Target> TARGETS = List.of(
            new Target("our filter ≥ 95% of the bare baseline's req/s, one key", "ours-1key", "bare", 0.95),
            new Target("our filter ≥ 95% of the bare baseline's req/s, 10,000 keys", "ours-10k", "bare", 0.95),
            new Target("at least as fast as the hand-written Bucket4j filter, one key", "ours-1key", "bucket4j", 1.0),
            new Target("at least as fast as the hand-written Bucket4j filter, 10,000 keys", "ours-10k", "bucket4j-10k", 1.0),
            new Target("Hazelcast store, lease mode ≥ 50% of the bare baseline's req/s (16 cores: 85%)", "ours-hazelcast", "bare", 0.5),
            new Target("Hazelcast store, exact mode ≥ 15% of the bare baseline's req/s (16 cores: 50%)", "ours-hazelcast-exact", "bare", 0.15),
            new Target("Hazelcast store, exact mode at least as fast as Bucket4j's Hazelcast proxy", "ours-hazelcast-exact",
                    "bucket4j-hazelcast", 1.0));

    private HttpReport() {
    }

    public static void main(String[] args) throws IOException {
        List<HttpBench.Run> runs = new ArrayList<>();
        List<String> lines = Files.readAllLines(Path.of(args[0]));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            // files written before the other JVMs were measured end after column 15: their other JVMs are unknown (-1)
            boolean others = f.length >= 18;
            runs.add(new HttpBench.Run(Integer.parseInt(f[0]), f[1], Double.parseDouble(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]),
                    Long.parseLong(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7]), Long.parseLong(f[8]), Long.parseLong(f[9]),
                    Long.parseLong(f[10]), Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]),
                    others ? Long.parseLong(f[16]) : -1, others ? Long.parseLong(f[17]) : -1));
        }
        Set<String> modes = new LinkedHashSet<>();
        runs.forEach(r -> modes.add(r.mode()));
        System.out.print(table(runs, List.copyOf(modes)));
        System.out.println();
        System.out.print(targets(runs));
    }

    /**
     * The Bucket4j mode to compare {@code mode} with; null for the baselines themselves: the hand-written filter with
     * as many keys for the local modes, Bucket4j's Hazelcast proxy on the same cluster for our cluster modes.
     */
    static String bucket4jFor(String mode) {
        if (HttpBenchServer.redis(mode)) {
            return null; // no Bucket4j Redis baseline runs here: compare with bare
        }
        if (HttpBenchServer.clusterMode(mode) != null) {
            return HttpBenchServer.BUCKET4J_HAZELCAST_MODE;
        }
        return switch (mode) {
            case "ours-1key", "ours-mix" -> "bucket4j";
            case "ours-10k", "ours-10k-biting" -> "bucket4j-10k";
            default -> null;
        };
    }

    static String table(List<HttpBench.Run> runs, List<String> modes) {
        Map<Integer, HttpBench.Run> bare = byRound(runs, "bare");
        double bareBytes = bytesPerRequest(runs, "bare");
        StringBuilder t = new StringBuilder();
        t.append("| mode | req/s, median (IQR) | ratio to bare, median (IQR) | ratio to Bucket4j (local: as many keys; cluster: "
                + "bucket4j-hazelcast), median (IQR) | p50 latency, µs (IQR) | p99 latency, µs (IQR) | B/request, every JVM of the mode "
                + "| B/request over bare | CPU µs/request, every JVM of the mode | non-2xx (429 in the biting modes) | socket errors "
                + "| rounds |\n");
        t.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        List<String> notes = new ArrayList<>();
        for (String mode : modes) {
            List<HttpBench.Run> mine = runs.stream().filter(r -> r.mode().equals(mode)).toList();
            if (mine.isEmpty()) {
                continue;
            }
            String reference = bucket4jFor(mode);
            Map<Integer, HttpBench.Run> bucket4j = reference == null ? Map.of() : byRound(runs, reference);
            long requests = mine.stream().mapToLong(HttpBench.Run::requests).sum();
            long non2xx = mine.stream().mapToLong(HttpBench.Run::non2xx).sum();
            long socketErrors = mine.stream().mapToLong(HttpBench.Run::socketErrors).sum();
            long cpu = mine.stream().mapToLong(HttpBench.Run::cpuNanos).sum();
            long otherBytes = mine.stream().mapToLong(r -> Math.max(0, r.otherAllocatedBytes())).sum();
            long otherCpu = mine.stream().mapToLong(r -> Math.max(0, r.otherCpuNanos())).sum();
            boolean othersUnknown = mine.stream().anyMatch(r -> r.otherAllocatedBytes() < 0);
            double bytes = bytesPerRequest(runs, mode);
            String bytesCell = String.format(Locale.ROOT, "%.0f", bytes);
            String cpuCell = String.format(Locale.ROOT, "%.1f", (cpu + otherCpu) / 1e3 / requests);
            if (otherBytes > 0 || otherCpu > 0) {
                bytesCell += String.format(Locale.ROOT, " (server %.0f + other members %.0f)", (bytes * requests - otherBytes) / requests,
                        (double) otherBytes / requests);
                cpuCell += String.format(Locale.ROOT, " (server %.1f + other members %.1f)", cpu / 1e3 / requests, otherCpu / 1e3 / requests);
            } else if (othersUnknown && HttpBenchServer.clustered(mode)) {
                bytesCell += " *";
                cpuCell += " *";
                notes.add("\\* server JVM only: the second member's bytes and CPU were not measured in this run.");
            }
            String toBucket4j = reference == null ? "–" : bucket4j.isEmpty() ? "– (no " + reference + " in this run)"
                    : summary(ratios(mine, bucket4j), "%.3f") + " of " + reference;
            t.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %.1f%% | %d | %d |%n", mode,
                    summary(mine, HttpBench.Run::rps, "%.0f"),
                    mode.equals("bare") ? "1 (baseline)" : summary(ratios(mine, bare), "%.3f"),
                    toBucket4j,
                    summary(mine, r -> r.p50(), "%.0f"),
                    summary(mine, r -> r.p99(), "%.0f"),
                    bytesCell,
                    mode.equals("bare") ? "0" : String.format(Locale.ROOT, "%+.0f", bytes - bareBytes),
                    cpuCell,
                    100.0 * non2xx / requests,
                    socketErrors,
                    mine.size()));
        }
        notes.stream().distinct().forEach(n -> t.append('\n').append(n).append('\n'));
        return t.toString();
    }

    /**
     * The targets this run measured, each with its verdict from the interquartile range of the round-by-round ratio:
     * met when even the 25th percentile reaches the target, missed when even the 75th falls short, otherwise not
     * resolved (the IQR straddles the target: more rounds or a quieter machine could tell). A target whose modes had
     * socket errors is not resolved either: requests that failed are not in the req/s.
     */
    static String targets(List<HttpBench.Run> runs) {
        StringBuilder t = new StringBuilder("| target | mode ÷ reference | ratio, median (IQR) | verdict |\n|---|---|---:|---|\n");
        for (Target target : TARGETS) {
            List<HttpBench.Run> mine = runs.stream().filter(r -> r.mode().equals(target.mode())).toList();
            Map<Integer, HttpBench.Run> reference = byRound(runs, target.reference());
            List<Double> ratios = ratios(mine, reference);
            if (ratios.isEmpty()) {
                continue;
            }
            long socketErrors = runs.stream().filter(r -> r.mode().equals(target.mode()) || r.mode().equals(target.reference()))
                    .mapToLong(HttpBench.Run::socketErrors).sum();
            t.append(String.format(Locale.ROOT, "| %s | %s ÷ %s | %s | %s |%n", target.description(), target.mode(), target.reference(),
                    summary(ratios, "%.3f"), verdict(ratios, target.atLeast(), socketErrors)));
        }
        return t.toString();
    }

    /** {@code met}, {@code missed} or {@code not resolved}, with the reason, for ratios that should reach {@code atLeast}. */
    static String verdict(List<Double> ratios, double atLeast, long socketErrors) {
        double[] v = ratios.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double p25 = percentile(v, 25);
        double p75 = percentile(v, 75);
        String target = String.format(Locale.ROOT, "%.2f", atLeast);
        if (socketErrors > 0) {
            return "not resolved: " + socketErrors + " socket errors";
        }
        if (p25 >= atLeast) {
            return "met (the IQR is at or above " + target + ")";
        }
        if (p75 < atLeast) {
            return String.format(Locale.ROOT, "missed, by %.1f%% at the median (the IQR is below %s)",
                    100 * (1 - percentile(v, 50) / atLeast), target);
        }
        return "not resolved (the IQR straddles " + target + ")";
    }

    private static Map<Integer, HttpBench.Run> byRound(List<HttpBench.Run> runs, String mode) {
        return runs.stream().filter(r -> r.mode().equals(mode)).collect(Collectors.toMap(HttpBench.Run::round, r -> r));
    }

    /** Round by round: this mode's req/s over the other mode's req/s of the same round. */
    private static List<Double> ratios(List<HttpBench.Run> mine, Map<Integer, HttpBench.Run> other) {
        List<Double> ratios = new ArrayList<>();
        for (HttpBench.Run r : mine) {
            HttpBench.Run o = other.get(r.round());
            if (o != null) {
                ratios.add(r.rps() / o.rps());
            }
        }
        return ratios;
    }

    /** Bytes allocated per request by every measured JVM of {@code mode}, over all its rounds. */
    private static double bytesPerRequest(List<HttpBench.Run> runs, String mode) {
        long bytes = 0;
        long requests = 0;
        for (HttpBench.Run r : runs) {
            if (r.mode().equals(mode)) {
                bytes += r.allocatedBytes() + Math.max(0, r.otherAllocatedBytes());
                requests += r.requests();
            }
        }
        return requests == 0 ? Double.NaN : (double) bytes / requests;
    }

    private static String summary(List<HttpBench.Run> runs, ToDoubleFunction<HttpBench.Run> f, String format) {
        return summary(runs.stream().map(r -> f.applyAsDouble(r)).toList(), format);
    }

    /** {@code median (p25–p75)}. */
    static String summary(List<Double> values, String format) {
        if (values.isEmpty()) {
            return "–";
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return String.format(Locale.ROOT, format + " (" + format + "–" + format + ")", percentile(v, 50), percentile(v, 25), percentile(v, 75));
    }

    /** Linear interpolation between the closest ranks of sorted {@code v}. */
    static double percentile(double[] v, double p) {
        if (v.length == 1) {
            return v[0];
        }
        double rank = p / 100 * (v.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(lo + 1, v.length - 1);
        return v[lo] + (v[hi] - v[lo]) * (rank - lo);
    }

    /** For tests: the median of some numbers. */
    static double median(double... values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return percentile(v, 50);
    }
}
