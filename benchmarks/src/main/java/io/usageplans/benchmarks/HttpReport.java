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
 * Turns the runs of {@link HttpBench} into one Markdown table. Every figure is a median over rounds with its
 * spread as the interquartile range (25th to 75th percentile); the ratio to the baseline is computed round by round
 * (mode / bare of the same round) before taking the median, and so is the ratio to the hand-written Bucket4j filter. Bytes and CPU per request are totals over all rounds
 * divided by all requests. Re-print the table of an earlier run with
 * {@code java -cp benchmarks.jar io.usageplans.benchmarks.HttpReport target/http-.../runs.csv}.
 */
public final class HttpReport {

    private HttpReport() {
    }

    public static void main(String[] args) throws IOException {
        List<HttpBench.Run> runs = new ArrayList<>();
        List<String> lines = Files.readAllLines(Path.of(args[0]));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            runs.add(new HttpBench.Run(Integer.parseInt(f[0]), f[1], Double.parseDouble(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]),
                    Long.parseLong(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7]), Long.parseLong(f[8]), Long.parseLong(f[9]),
                    Long.parseLong(f[10]), Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13])));
        }
        Set<String> modes = new LinkedHashSet<>();
        runs.forEach(r -> modes.add(r.mode()));
        System.out.print(table(runs, List.copyOf(modes)));
    }

    static String table(List<HttpBench.Run> runs, List<String> modes) {
        Map<Integer, HttpBench.Run> bare = byRound(runs, "bare");
        Map<Integer, HttpBench.Run> bucket4j = byRound(runs, "bucket4j");
        double bareBytes = bytesPerRequest(runs, "bare");
        StringBuilder t = new StringBuilder();
        t.append("| mode | req/s, median (IQR) | ratio to bare, median (IQR) | ratio to bucket4j, median (IQR) "
                + "| p50 latency, µs (IQR) | p99 latency, µs (IQR) | server B/request | B/request over bare | server CPU µs/request "
                + "| non-2xx | rounds |\n");
        t.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String mode : modes) {
            List<HttpBench.Run> mine = runs.stream().filter(r -> r.mode().equals(mode)).toList();
            if (mine.isEmpty()) {
                continue;
            }
            List<Double> ratios = ratios(mine, bare);
            List<Double> toBucket4j = ratios(mine, bucket4j);
            long requests = mine.stream().mapToLong(HttpBench.Run::requests).sum();
            long non2xx = mine.stream().mapToLong(HttpBench.Run::non2xx).sum();
            long cpu = mine.stream().mapToLong(HttpBench.Run::cpuNanos).sum();
            double bytes = bytesPerRequest(runs, mode);
            t.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %.0f | %s | %.1f | %.1f%% | %d |%n", mode,
                    summary(mine, HttpBench.Run::rps, "%.0f"),
                    mode.equals("bare") ? "1 (baseline)" : summary(ratios, "%.3f"),
                    mode.equals("bucket4j") || bucket4j.isEmpty() ? "–" : summary(toBucket4j, "%.3f"),
                    summary(mine, r -> r.p50(), "%.0f"),
                    summary(mine, r -> r.p99(), "%.0f"),
                    bytes,
                    mode.equals("bare") ? "0" : String.format(Locale.ROOT, "%+.0f", bytes - bareBytes),
                    cpu / 1e3 / requests,
                    100.0 * non2xx / requests,
                    mine.size()));
        }
        return t.toString();
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

    private static double bytesPerRequest(List<HttpBench.Run> runs, String mode) {
        long bytes = 0;
        long requests = 0;
        for (HttpBench.Run r : runs) {
            if (r.mode().equals(mode)) {
                bytes += r.allocatedBytes();
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
