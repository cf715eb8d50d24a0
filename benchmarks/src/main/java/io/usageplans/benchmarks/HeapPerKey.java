package io.usageplans.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.management.ObjectName;

import io.usageplans.Quota;
import io.usageplans.Throttle;
import io.usageplans.Catalog;
import io.usageplans.Decision;
import io.usageplans.Plan;
import io.usageplans.QuotaPeriod;
import io.usageplans.UsagePlans;
import io.usageplans.store.local.LocalUsageStore;

/**
 * Measures the heap the local store holds per active key: N keys (default 100,000 and 1,000,000) are each decided
 * once, and the live heap (after repeated full collections) is compared with the live heap before, when the
 * catalog and the engine already existed. The catalog's own footprint per key (keys, hashes, key registry) is
 * measured the same way and printed separately. A class histogram of the difference shows what the bytes are.
 *
 * <p>Two plan shapes: {@code throttle+quota} (100/s, burst 200, 1,000,000 a day: each key gets a bucket and a quota
 * counter) and {@code throttle} (the same throttle, no quota). Run with a fixed heap, e.g.
 * {@code java -Xms4g -Xmx4g -cp benchmarks.jar io.usageplans.benchmarks.HeapPerKey 100000 1000000}.
 */
public final class HeapPerKey {

    private static final Pattern HISTOGRAM_LINE = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+).*$");

    private HeapPerKey() {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = new ArrayList<>();
        boolean histogram = true;
        for (String arg : args) {
            if (arg.equals("--no-histogram")) {
                histogram = false;
            } else {
                sizes.add(Integer.parseInt(arg.replace("_", "")));
            }
        }
        if (sizes.isEmpty()) {
            sizes = List.of(100_000, 1_000_000);
        }
        System.out.printf(Locale.ROOT, "heap per key, %s, %s, max heap %d MiB, compressed oops: %s%n",
                System.getProperty("java.vm.name"), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20, ManagementFactory.getRuntimeMXBean().getInputArguments());
        List<String> rows = new ArrayList<>();
        for (String shape : List.of("throttle+quota", "throttle")) {
            for (int n : sizes) {
                rows.add(measure(n, shape, histogram));
            }
        }
        System.out.println();
        System.out.println("| plan | keys N | store, bytes per active key | catalog + engine, bytes per key | catalog build |");
        System.out.println("|---|---:|---:|---:|---:|");
        rows.forEach(System.out::println);
    }

    private static Plan plan(String shape) {
        Plan.Builder plan = Plan.builder(BenchCatalogs.PLAN).throttle(Throttle.rateLimit(100).burstLimit(200)).stage(BenchCatalogs.STAGE);
        if (shape.contains("quota")) {
            plan.quota(Quota.limit(1_000_000).period(QuotaPeriod.DAY));
        }
        return plan.build();
    }

    private static String measure(int n, String shape, boolean histogram) throws Exception {
        System.out.printf(Locale.ROOT, "%n== %,d keys, plan %s%n", n, shape);
        String[] presented = BenchCatalogs.keyValues(n); // exists before and after: not counted
        long before = usedAfterGc();
        Map<String, long[]> h0 = histogram ? histogram() : Map.of();

        long t0 = System.nanoTime();
        Catalog catalog = BenchCatalogs.catalog(n, plan(shape), false);
        LocalUsageStore store = LocalUsageStore.create(Clock.systemUTC(), Duration.ZERO); // no sweeper: every key stays
        UsagePlans engine = UsagePlans.builder(catalog).stage(BenchCatalogs.STAGE).store(store).build();
        long buildMillis = (System.nanoTime() - t0) / 1_000_000;
        long withCatalog = usedAfterGc();
        Map<String, long[]> h1 = histogram ? histogram() : Map.of();

        long t1 = System.nanoTime();
        for (String key : presented) {
            Decision d = engine.decide(key, "GET", "/pets");
            if (d.outcome() != Decision.Outcome.ALLOWED) {
                throw new IllegalStateException("expected ALLOWED, got " + d);
            }
        }
        long decideMillis = (System.nanoTime() - t1) / 1_000_000;
        if (store.size() != n) {
            throw new IllegalStateException("the store holds " + store.size() + " keys, not " + n);
        }
        long withState = usedAfterGc();
        Map<String, long[]> h2 = histogram ? histogram() : Map.of();

        double catalogPerKey = (double) (withCatalog - before) / n;
        double storePerKey = (double) (withState - withCatalog) / n;
        System.out.printf(Locale.ROOT, "catalog + engine: %,d bytes (%.1f per key), built in %,d ms%n",
                withCatalog - before, catalogPerKey, buildMillis);
        System.out.printf(Locale.ROOT, "store after deciding each key once (%,d ms): %,d bytes (%.1f per key)%n",
                decideMillis, withState - withCatalog, storePerKey);
        if (histogram) {
            printDiff("catalog + engine, per key", h0, h1, n);
            printDiff("store, per active key", h1, h2, n);
        }
        Reference.reachabilityFence(presented);
        Reference.reachabilityFence(catalog);
        engine.close();
        store.close();
        return String.format(Locale.ROOT, "| %s | %,d | %.0f | %.0f | %,d ms%s |", shape, n, storePerKey, catalogPerKey, buildMillis,
                n > BenchCatalogs.BUILDER_MAX_KEYS ? " (keys set by reflection, see BenchCatalogs)" : " (Catalog.builder())");
    }

    /** Heap in use after full collections, once two readings agree within 64 KiB (at most 8 collections). */
    static long usedAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long last = -1;
        for (int i = 0; i < 8; i++) {
            System.gc();
            Thread.sleep(50);
            long used = memory.getHeapMemoryUsage().getUsed();
            if (last >= 0 && Math.abs(used - last) < 64 * 1024) {
                return used;
            }
            last = used;
        }
        return last;
    }

    /** Class name to {instances, bytes} of live objects (the JVM's GC.class_histogram, which collects first). */
    static Map<String, long[]> histogram() throws Exception {
        String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        Map<String, long[]> classes = new HashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = HISTOGRAM_LINE.matcher(line);
            if (m.matches()) {
                classes.merge(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))},
                        (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
            }
        }
        return classes;
    }

    private static void printDiff(String title, Map<String, long[]> from, Map<String, long[]> to, int n) {
        List<Map.Entry<String, long[]>> diff = new ArrayList<>();
        long total = 0;
        for (Map.Entry<String, long[]> e : to.entrySet()) {
            long[] f = from.getOrDefault(e.getKey(), new long[2]);
            long[] d = {e.getValue()[0] - f[0], e.getValue()[1] - f[1]};
            total += d[1];
            diff.add(Map.entry(e.getKey(), d));
        }
        diff.sort((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]));
        System.out.printf(Locale.ROOT, "  %s (class histogram difference: %.1f bytes per key)%n", title, (double) total / n);
        for (Map.Entry<String, long[]> e : diff) {
            double bytes = (double) e.getValue()[1] / n;
            if (bytes < 1.0) {
                break;
            }
            System.out.printf(Locale.ROOT, "    %7.1f B  %5.2f objects  %s%n", bytes, (double) e.getValue()[0] / n, e.getKey());
        }
    }
}
