package io.usageplans.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.usageplans.Catalog;
import io.usageplans.Decision;
import io.usageplans.config.PlanFile;
import io.usageplans.config.PlanFileLocator;
import io.usageplans.UsagePlans;

/**
 * Start-up with a large catalog: the time from reading the plan file to a built engine, and the heap that catalog and
 * engine keep per key, for N keys (default 100,000 and 1,000,000) in two forms: all keys in the plan file in the
 * README's block style ({@code yaml}), and the keys in a CSV file named by {@code apiKeysFile} ({@code csv}).
 *
 * <p>Each run is a fresh JVM, as a start-up is: it reads the file with {@link PlanFileLocator} (as the servlet filter
 * does), builds the engine, checks that the last key is allowed, and reports wall time, the CPU time of the whole JVM
 * (JIT and GC threads included), the live heap after full collections minus the live heap before, divided by N, and
 * the peak of the heap pools (garbage included: what {@code -Xmx} must allow). The table gives the median of the
 * runs (default 5; {@code --runs}). Files are generated once into {@code benchmarks/target/startup/}.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.usageplans.benchmarks.StartupBenchmark [--runs 5] [--xmx 4g] [--forms yaml,csv] [N ...]
 * </pre>
 */
public final class StartupBenchmark {

    static final String HEAD = """
            api: StartupBenchmark
            plans:
              - name: basic
                throttle: { rateLimit: 10, burstLimit: 20 }
                quota: { limit: 1000, period: DAY }
                apiStages:
                  - stage: test
              - name: premium
                throttle: { rateLimit: 20, burstLimit: 40 }
                quota: { limit: 100000, period: DAY }
                apiStages:
                  - stage: test
            """;

    private StartupBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(Path.of(args[1]), Integer.parseInt(args[2]));
            return;
        }
        int runs = 5;
        String xmx = "4g";
        List<String> forms = List.of("yaml", "csv");
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--xmx" -> xmx = args[++i];
                case "--forms" -> forms = List.of(args[++i].split(","));
                default -> sizes.add(Integer.parseInt(args[i].replace("_", "")));
            }
        }
        if (sizes.isEmpty()) {
            sizes = List.of(100_000, 1_000_000);
        }
        System.out.printf(Locale.ROOT, "start-up, %s %s, %d processors, child JVMs -Xmx%s, %d runs each%n",
                System.getProperty("java.vm.name"), System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), xmx, runs);
        List<String> rows = new ArrayList<>();
        for (int n : sizes) {
            for (String form : forms) {
                Path planFile = generate(Path.of("benchmarks/target/startup"), n, form);
                double[][] results = new double[runs][];
                for (int r = 0; r < runs; r++) {
                    results[r] = runChild(planFile, n, xmx);
                    System.out.printf(Locale.ROOT, "  %s %,d keys, run %d: %.0f ms wall, %.0f ms CPU, %.0f B per key, peak %.0f MiB%n",
                            form, n, r + 1, results[r][0], results[r][1], results[r][2], results[r][3]);
                }
                rows.add(String.format(Locale.ROOT, "| %s | %,d | %,d | %s | %s | %s | %s |", form, n, Files.size(planFile)
                        + (form.equals("csv") ? Files.size(planFile.resolveSibling("keys.csv")) : 0),
                        summary(results, 0, "%,.0f ms"), summary(results, 1, "%,.0f ms"), summary(results, 2, "%.0f B"),
                        summary(results, 3, "%,.0f MiB")));
            }
        }
        System.out.println();
        System.out.println("| keys in | N | file bytes | start-up, wall | CPU (all threads) | heap kept per key | peak heap |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        rows.forEach(System.out::println);
    }

    /** The median of column {@code c}, with the range of the runs in brackets. */
    private static String summary(double[][] results, int c, String format) {
        double[] values = Arrays.stream(results).mapToDouble(r -> r[c]).sorted().toArray();
        return String.format(Locale.ROOT, format, HttpReport.median(values)) + " (" + String.format(Locale.ROOT, format, values[0])
                + "–" + String.format(Locale.ROOT, format, values[values.length - 1]) + ")";
    }

    /**
     * The plan file for {@code n} keys (generated unless it exists): key {@code i} is {@code customer-i}, with the value
     * {@link BenchCatalogs#keyValue(int)}, on plan basic (every tenth on premium), every hundredth disabled.
     */
    static Path generate(Path root, int n, String form) throws IOException {
        Path dir = root.resolve(form + "-" + n);
        Path planFile = dir.resolve("usage-plans.yaml");
        if (Files.isRegularFile(planFile)) {
            return planFile;
        }
        Files.createDirectories(dir);
        Path partial = dir.resolve("partial.tmp");
        if (form.equals("yaml")) {
            try (Writer w = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
                w.write(HEAD);
                w.write("apiKeys:\n");
                for (int i = 0; i < n; i++) {
                    w.write("  - name: customer-" + i + "\n");
                    w.write("    value: " + BenchCatalogs.keyValue(i) + "\n");
                    if (i % 100 == 99) {
                        w.write("    enabled: false\n");
                    }
                    w.write(i % 10 == 9 ? "    plans: [premium]\n" : "    plans: [basic]\n");
                }
            }
        } else if (form.equals("csv")) {
            try (Writer w = Files.newBufferedWriter(dir.resolve("keys.csv"), StandardCharsets.UTF_8)) {
                w.write("key,name,description,enabled,usageplanIds\n");
                for (int i = 0; i < n; i++) {
                    w.write(BenchCatalogs.keyValue(i) + ",customer-" + i + ",," + (i % 100 == 99 ? "false" : "true") + ","
                            + (i % 10 == 9 ? "premium" : "basic") + "\n");
                }
            }
            Files.writeString(partial, HEAD + "apiKeysFile: keys.csv\n");
        } else {
            throw new IllegalArgumentException("unknown form " + form + "; use yaml or csv");
        }
        Files.move(partial, planFile);
        return planFile;
    }

    private static double[] runChild(Path planFile, int n, String xmx) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx" + xmx, "-cp", System.getProperty("java.class.path"),
                StartupBenchmark.class.getName(), "--child", planFile.toString(), String.valueOf(n))
                .redirectErrorStream(true).start();
        String result = null;
        StringBuilder output = new StringBuilder();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("RESULT ")) {
                    result = line;
                } else {
                    output.append(line).append('\n');
                }
            }
        }
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0 || result == null) {
            p.destroyForcibly();
            throw new IllegalStateException("the run failed:\n" + output);
        }
        return Arrays.stream(result.substring("RESULT ".length()).split(" ")).mapToDouble(Double::parseDouble).toArray();
    }

    /** One start-up, in this JVM: prints {@code RESULT wall-ms cpu-ms bytes-per-key peak-MiB}. */
    private static void child(Path planFile, int n) throws Exception {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long before = HeapPerKey.usedAfterGc();
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        Catalog catalog = PlanFileLocator.load(Map.of(PlanFileLocator.CONFIG, planFile.toString(),
                PlanFile.MAX_BYTES, "1G")::get, StartupBenchmark.class.getClassLoader());
        UsagePlans engine = UsagePlans.builder(catalog).stage("test").build();
        long wallNanos = System.nanoTime() - t0;
        long cpuNanos = os.getProcessCpuTime() - cpu0;
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        if (catalog.apiKeys().size() != n) {
            throw new IllegalStateException(catalog.apiKeys().size() + " keys, not " + n);
        }
        Decision last = engine.decide(BenchCatalogs.keyValue(n - 2), "GET", "/pets"); // n - 1 may be a disabled one
        if (last.outcome() != Decision.Outcome.ALLOWED) {
            throw new IllegalStateException("the last key was not allowed: " + last);
        }
        long after = HeapPerKey.usedAfterGc();
        System.out.printf(Locale.ROOT, "RESULT %d %d %.1f %.0f%n", wallNanos / 1_000_000, cpuNanos / 1_000_000,
                (double) (after - before) / n, peak / 1048576.0);
        Reference.reachabilityFence(engine);
        Reference.reachabilityFence(catalog);
    }
}
