package io.usageplans.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

import io.usageplans.Decision;
import io.usageplans.UsagePlans;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.spi.UsageListener;
import io.usageplans.spi.UsageStore;
import io.usageplans.spi.UsageStoreProvider;
import io.usageplans.store.local.LocalUsageStore;
import io.usageplans.testing.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one way every adapter builds its engine: from settings, a plan file, a store provider and listeners. */
class EngineBootstrapTest {

    private static final String KEY = "bootstrap-basic-key-0123456789";
    private static final String PLANS = """
            api: MyProjectAPI
            plans:
              - name: basic
                throttle: { rateLimit: 10, burstLimit: 20 }
                quota: { limit: 10, period: DAY }
                apiStages: [ { stage: test }, { stage: prod } ]
            apiKeys:
              - { name: basic-customer, value: bootstrap-basic-key-0123456789, plans: [basic] }
            """;

    /** A store provider found with ServiceLoader (this test jar's META-INF/services), counting the stores it makes. */
    public static final class CountingProvider implements UsageStoreProvider {
        static final List<UsageStore> MADE = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "counting";
        }

        @Override
        public UsageStore create(UnaryOperator<String> settings, Clock clock, ClassLoader loader) {
            UsageStore store = LocalUsageStore.create(clock);
            MADE.add(store);
            return store;
        }
    }

    @TempDir
    Path dir;

    private final Map<String, String> parameters = new HashMap<>();
    private final MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");

    @BeforeEach
    void planFile() throws Exception {
        CountingProvider.MADE.clear();
        Path file = dir.resolve("plans.yaml");
        Files.writeString(file, PLANS);
        parameters.put(PlanFileLocator.CONFIG, file.toString());
    }

    private EngineBootstrap bootstrap() {
        return EngineBootstrap.of(Settings.of(parameters::get, null), getClass().getClassLoader()).clock(clock);
    }

    @Test
    void theStageIsTheContextPathWhenTheSettingIsUnset() {
        try (UsagePlans engine = bootstrap().contextPath("/test").build()) {
            assertEquals("test", engine.stage());
            assertEquals("the context path /test, as usageplans.stage is not set", engine.stageOrigin());
            assertEquals(Decision.Outcome.ALLOWED, engine.decide(KEY, "GET", "/pets").outcome());
        }
    }

    @Test
    void theStageSettingWinsOverTheContextPath() {
        parameters.put(EngineBootstrap.STAGE, "prod");
        try (UsagePlans engine = bootstrap().contextPath("/test").build()) {
            assertEquals("prod", engine.stage());
            assertEquals("init-param usageplans.stage", engine.stageOrigin());
        }
    }

    @Test
    void excludedPathsOfTheSettingAndOfOtherModulesAreNeverMetered() {
        parameters.put(EngineBootstrap.EXCLUDE, "/health, /static/*");
        try (UsagePlans engine = bootstrap().contextPath("/test").excludePaths(List.of("/usage-plans/*")).build()) {
            assertTrue(engine.excluded("/health"));
            assertTrue(engine.excluded("/static/app.css"));
            assertTrue(engine.excluded("/usage-plans/admin/keys"));
            assertFalse(engine.excluded("/pets"));
        }
    }

    @Test
    void aBadExcludePatternFailsNamingTheSettingAndStartsNoStore() {
        parameters.put(UsageStoreProvider.STORE, "counting");
        parameters.put(EngineBootstrap.EXCLUDE, "/health, /a/**/b");
        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class,
                () -> bootstrap().contextPath("/test").build());
        assertTrue(e.getMessage().contains("init-param usageplans.exclude"), e.getMessage());
        assertTrue(e.getMessage().contains("/a/**/b"), e.getMessage());
        assertEquals(0, CountingProvider.MADE.size(), "no store was made for an engine that cannot start");
    }

    @Test
    void theStoreTheSettingNamesIsMadeByItsProvider() {
        parameters.put(UsageStoreProvider.STORE, "counting");
        try (UsagePlans engine = bootstrap().contextPath("/test").build()) {
            assertEquals(1, CountingProvider.MADE.size());
            assertSame(CountingProvider.MADE.get(0), engine.store());
        }
    }

    @Test
    void aGivenStoreIsUsedInsteadOfTheSetting() {
        parameters.put(UsageStoreProvider.STORE, "counting");
        try (LocalUsageStore given = LocalUsageStore.create(clock);
             UsagePlans engine = bootstrap().store(given).contextPath("/test").build()) {
            assertSame(given, engine.store());
            assertEquals(0, CountingProvider.MADE.size());
        }
    }

    @Test
    void enabledFalseStartsTheEngineSwitchedOff() {
        parameters.put(UsagePlans.ENABLED, "false");
        try (UsagePlans engine = bootstrap().contextPath("/test").build()) {
            assertFalse(engine.enabled());
            assertEquals(Decision.Outcome.NOT_METERED, engine.decide(null, "GET", "/pets").outcome());
        }
    }

    @Test
    void aSwitchThatIsNeitherTrueNorFalseFailsNamingWhereItWasSet() {
        parameters.put(UsagePlans.ENABLED, "flase");
        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class,
                () -> bootstrap().contextPath("/test").build());
        assertTrue(e.getMessage().contains("init-param usageplans.enabled"), e.getMessage());
        assertTrue(e.getMessage().contains("must be true or false, was 'flase'"), e.getMessage());
    }

    @Test
    void reportDaysThatAreNotAWholeNumberFailNamingTheSetting() {
        parameters.put(UsagePlans.REPORT_DAYS, "-1");
        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class,
                () -> bootstrap().contextPath("/test").build());
        assertTrue(e.getMessage().contains("init-param usageplans.report-days"), e.getMessage());
        assertTrue(e.getMessage().contains("was '-1'"), e.getMessage());
    }

    @Test
    void givenListenersHearEveryMeteredDecision() {
        List<String> heard = new CopyOnWriteArrayList<>();
        UsageListener listener = (decision, stage, method, path) -> heard.add(decision.outcome() + " " + method + " " + path);
        try (UsagePlans engine = bootstrap().listeners(List.of(listener)).contextPath("/test").build()) {
            engine.decide(KEY, "GET", "/pets");
            engine.decide("no-such-key-0123456789", "GET", "/pets");
        }
        assertEquals(List.of("ALLOWED GET /pets", "FORBIDDEN GET /pets"), heard);
    }

    @Test
    void aGivenCatalogIsUsedInsteadOfThePlanFile() {
        parameters.put(PlanFileLocator.CONFIG, dir.resolve("missing.yaml").toString());
        EngineBootstrap fromFile = bootstrap();
        assertThrows(UsagePlansConfigException.class, fromFile::catalog, "the plan file named does not exist");
        try (UsagePlans engine = bootstrap().catalog(PlanFile.parse(PLANS, "in code")).contextPath("/test").build()) {
            assertEquals(Decision.Outcome.ALLOWED, engine.decide(KEY, "GET", "/pets").outcome());
        }
    }
}
