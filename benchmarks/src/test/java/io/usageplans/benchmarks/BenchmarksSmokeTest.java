package io.usageplans.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Decision;
import io.usageplans.config.PlanFileLocator;
import io.usageplans.UsagePlans;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks the benchmarks' set-up in well under a second; no benchmark runs in the build. */
class BenchmarksSmokeTest {

    @Test
    void keyValuesAreValidAndMatchTheWrkScript() {
        assertEquals("bench-key-0000000042-0123456789", BenchCatalogs.keyValue(42)); // keys.lua: "bench-key-%010d-0123456789"
        assertEquals(31, BenchCatalogs.keyValue(1_999_999_999).length());
    }

    @Test
    void everyKeyIsAllowedWhetherTheCatalogCameFromTheBuilderOrNot() {
        for (int builderMax : new int[] {1_000, 10}) {
            try (UsagePlans engine = UsagePlans.builder(BenchCatalogs.catalog(50,
                    BenchCatalogs.plan(BenchCatalogs.QuotaMode.HUGE), false, builderMax)).stage(BenchCatalogs.STAGE).build()) {
                assertEquals(50, engine.catalog().apiKeys().size());
                for (int i = 0; i < 50; i++) {
                    Decision d = engine.decide(BenchCatalogs.keyValue(i), "GET", "/pets");
                    assertEquals(Decision.Outcome.ALLOWED, d.outcome(), "key " + i + ", builder max " + builderMax);
                }
            }
        }
    }

    @Test
    void theSlowKeyOfTheMixIsRejectedAfterItsOneRequest() {
        try (UsagePlans engine = UsagePlans.builder(BenchCatalogs.catalog(1, BenchCatalogs.plan(BenchCatalogs.QuotaMode.NONE), true))
                .stage(BenchCatalogs.STAGE).build()) {
            assertEquals(Decision.Outcome.ALLOWED, engine.decide(BenchCatalogs.SLOW_KEY, "GET", "/pets").outcome());
            assertEquals(Decision.Outcome.THROTTLED, engine.decide(BenchCatalogs.SLOW_KEY, "GET", "/pets").outcome());
            assertEquals(Decision.Outcome.ALLOWED, engine.decide(BenchCatalogs.keyValue(0), "GET", "/pets").outcome());
        }
    }

    @Test
    void reportStatistics() {
        assertEquals(2.0, HttpReport.median(3, 1, 2));
        assertEquals(2.5, HttpReport.median(4, 1, 3, 2));
        assertEquals("2.0 (1.5–2.5)", HttpReport.summary(List.of(1.0, 2.0, 3.0), "%.1f"));
        assertEquals(List.of("a.B.c:gc.alloc.rate.norm", "avgt", "1", "12.5", ""),
                JmhSummary.split("\"a.B.c:gc.alloc.rate.norm\",\"avgt\",1,12.5,"));
        assertTrue(HttpBench.Options.parse(new String[] {"--thorough"}).rounds >= 20);
    }

    @Test
    void theHazelcastModeIsAModeOfTheHarness() { // parsed only: no Hazelcast member starts in the build
        assertTrue(HttpBenchServer.MODES.contains(HttpBenchServer.HAZELCAST_MODE));
        HttpBench.Options o = HttpBench.Options.parse(new String[] {"--modes", "bare,ours-hazelcast", "--hazelcast-port", "6100"});
        assertEquals(List.of("bare", "ours-hazelcast"), o.modes);
        assertEquals(6100, o.hazelcastPort);
    }

    @Test
    void aTargetWhoseInterquartileRangeStraddlesItIsNotResolvedRatherThanMet() {
        // ours-1key's figure of the last thorough run: 0.955, IQR 0.926-0.993, against a target of 0.95
        List<Double> ratios = List.of(0.90, 0.926, 0.955, 0.993, 1.02);
        assertEquals("0.955 (0.926–0.993)", HttpReport.summary(ratios, "%.3f"));
        assertEquals("not resolved (the IQR straddles 0.95)", HttpReport.verdict(ratios, 0.95, 0));
        assertEquals("met (the IQR is at or above 0.90)", HttpReport.verdict(ratios, 0.90, 0));
        assertEquals("missed, by 4.5% at the median (the IQR is below 1.00)", HttpReport.verdict(List.of(0.93, 0.955, 0.96), 1.0, 0));
        assertEquals("not resolved: 3 socket errors", HttpReport.verdict(ratios, 0.90, 3));
    }

    @Test
    void theTableComparesWithBucket4jOfAsManyKeysCountsEveryMemberAndShowsSocketErrors() {
        List<HttpBench.Run> runs = new java.util.ArrayList<>();
        for (int round = 1; round <= 3; round++) {
            runs.add(run(round, "bare", 1000, 0, 0, 0));
            runs.add(run(round, "bucket4j", 980, 0, 0, 0));
            runs.add(run(round, "bucket4j-10k", 900, 0, 0, 0));
            runs.add(run(round, "ours-10k", 810, 2, 0, 0));
            runs.add(run(round, "ours-hazelcast", 100, 0, 3_000, 400));
        }
        String table = HttpReport.table(runs, HttpBenchServer.MODES);
        String ours10k = line(table, "| ours-10k |");
        assertTrue(ours10k.contains("| 0.900 (0.900–0.900) of bucket4j-10k |"), ours10k);
        assertTrue(ours10k.endsWith("| 6 | 3 |"), "6 socket errors in 3 rounds: " + ours10k);
        String hazelcast = line(table, "| ours-hazelcast |");
        // the server allocates 10,000 B and uses 100 µs per request; the second member 3,000 B and 400 µs over 1,000 requests
        assertTrue(hazelcast.contains("| 13 (server 10 + other member 3) |"), hazelcast);
        assertTrue(hazelcast.contains("| 0.5 (server 0.1 + other member 0.4) |"), hazelcast);
        assertTrue(hazelcast.contains("| 0.111 (0.111–0.111) of bucket4j-10k |"), hazelcast);
        String targets = HttpReport.targets(runs);
        assertTrue(targets.contains("| at least as fast as the hand-written Bucket4j filter, 10,000 keys | ours-10k ÷ bucket4j-10k "
                + "| 0.900 (0.900–0.900) | not resolved: 6 socket errors |"), targets);
        assertTrue(targets.contains("| ours-hazelcast ÷ bare | 0.100 (0.100–0.100) | missed, by 80.0% at the median"), targets);
    }

    /** A run of 1,000 requests in which the server allocated 10,000 bytes and used 100 µs of CPU. */
    private static HttpBench.Run run(int round, String mode, double rps, long socketErrors, long otherBytes, long otherCpuMicros) {
        return new HttpBench.Run(round, mode, rps, 1_000, 1_000_000, 500, 700, 900, 1_000, 0, socketErrors, 10_000, 100_000, 1_000,
                otherBytes, otherCpuMicros * 1_000);
    }

    private static String line(String table, String start) {
        return table.lines().filter(l -> l.startsWith(start)).findFirst().orElseThrow(() -> new AssertionError(start + " in\n" + table));
    }

    @Test
    void theStartupBenchmarksPlanFileAndKeysFileHoldTheSameKeys(@TempDir Path dir) throws Exception {
        Catalog yaml = load(StartupBenchmark.generate(dir, 100, "yaml"));
        Catalog csv = load(StartupBenchmark.generate(dir, 100, "csv"));
        assertEquals(100, yaml.apiKeys().size());
        assertEquals(yaml.apiKeys(), csv.apiKeys());
        ApiKey disabled = yaml.apiKeys().get(99);
        assertEquals(List.of("premium"), disabled.plans());
        assertEquals(false, disabled.enabled());
        try (UsagePlans engine = UsagePlans.builder(csv).stage(BenchCatalogs.STAGE).build()) {
            assertEquals(Decision.Outcome.ALLOWED, engine.decide(BenchCatalogs.keyValue(98), "GET", "/pets").outcome());
        }
    }

    private static Catalog load(Path planFile) {
        return PlanFileLocator.load(Map.of(PlanFileLocator.CONFIG, planFile.toString())::get,
                BenchmarksSmokeTest.class.getClassLoader());
    }
}
