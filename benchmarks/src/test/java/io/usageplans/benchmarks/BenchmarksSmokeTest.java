package io.usageplans.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.Decision;
import io.usageplans.PlanFileLocator;
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
