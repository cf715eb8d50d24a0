package io.usageplans.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;

import io.usageplans.ApiKey;
import io.usageplans.MethodKey;
import io.usageplans.routing.RouteDefinition;
import io.usageplans.Decision;
import io.usageplans.UsagePlans;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.testing.LogRecorder;
import io.usageplans.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plan file reloaded while the engine runs: watched on disk, or on request; all of it or nothing. */
class PlanFileReloaderTest {

    private static final String BASIC = "reload-basic-key-0123456789";
    private static final String GOLD = "reload-gold-key-0123456789";
    private static final String PLANS = """
            api: shop
            plans:
              - name: basic
                throttle: { rateLimit: 1, burstLimit: 2 }
                apiStages: [ { stage: test } ]
              - name: gold
                throttle: { rateLimit: 100, burstLimit: 100 }
                apiStages: [ { stage: test } ]
            apiKeys:
              - { name: basic-customer, value: reload-basic-key-0123456789, plans: [basic] }
              - { name: gold-customer, value: reload-gold-key-0123456789, plans: [gold] }
            """;

    @TempDir
    Path dir;

    private Path file;
    private final Map<String, String> parameters = new HashMap<>();
    private final MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
    private UsagePlans engine;
    private final LogRecorder recorder = LogRecorder.of(PlanFileReloader.class);

    @BeforeEach
    void planFile() throws Exception {
        file = dir.resolve("plans.yaml");
        Files.writeString(file, PLANS);
        parameters.put(PlanFileLocator.CONFIG, file.toString());
        parameters.put(EngineBootstrap.STAGE, "test");
        recorder.start();
    }

    @AfterEach
    void close() {
        recorder.close();
        if (engine != null) {
            engine.close();
        }
    }

    /** Each record as "LEVEL message", with the level as System.Logger names it (ERROR, WARNING, INFO). */
    private List<String> log() {
        return recorder.records().stream().map(record -> (record.getLevel() == Level.SEVERE ? "ERROR"
                : record.getLevel().getName()) + " " + LogRecorder.message(record)).toList();
    }

    private UsagePlans start() {
        engine = EngineBootstrap.of(Settings.of(parameters::get, null), getClass().getClassLoader()).clock(clock).build();
        return engine;
    }

    @Test
    void aChangedBurstOnDiskIsUsedWithoutARestart() throws Exception {
        parameters.put(PlanFileReloader.RELOAD, "100");
        start();
        assertEquals(Decision.Outcome.ALLOWED, engine.decide(BASIC, "GET", "/pets").outcome());
        assertEquals(Decision.Outcome.ALLOWED, engine.decide(BASIC, "GET", "/pets").outcome());
        assertEquals(Decision.Outcome.THROTTLED, engine.decide(BASIC, "GET", "/pets").outcome());

        Files.writeString(file, PLANS.replace("rateLimit: 1, burstLimit: 2", "rateLimit: 1, burstLimit: 5"));

        awaitTrue(() -> engine.planOnStage("basic").orElseThrow().throttle().burstLimit() == 5);
        assertEquals("\"basic-burst\";q=5;w=5", engine.decide(BASIC, "GET", "/pets").rateLimitPolicy(),
                "the next request's policy has the new burst");
        awaitTrue(() -> log().contains("INFO usage-plans: reloaded the plan file " + file
                + ": plans 0 added, 1 changed, 0 removed; keys 0 added, 0 changed, 0 removed"));
    }

    @Test
    void aChangeThatCouldNotBeAppliedForAMomentIsAppliedAtALaterCheck() throws Exception {
        parameters.put(PlanFileReloader.RELOAD, "50");
        java.util.concurrent.atomic.AtomicInteger refusals = new java.util.concurrent.atomic.AtomicInteger(1);
        // a store whose plan directory is away for its first call, as a clustered store's is while its grid is
        io.usageplans.store.local.LocalUsageStore local = io.usageplans.store.local.LocalUsageStore.create(clock);
        io.usageplans.spi.UsageStore store = new io.usageplans.spi.UsageStore() {
            @Override
            public io.usageplans.spi.Consumption tryConsume(io.usageplans.spi.MeteringRequest request) {
                return local.tryConsume(request);
            }

            @Override
            public void refund(io.usageplans.spi.MeteringRequest request, boolean plan, boolean method, boolean quota) {
                local.refund(request, plan, method, quota);
            }

            @Override
            public void started(io.usageplans.spi.StoreContext context) {
                context.usePlanDirectory(new FlakyPlans(context, refusals));
            }
        };
        engine = EngineBootstrap.of(Settings.of(parameters::get, null), getClass().getClassLoader()).clock(clock).store(store)
                .build();

        Files.writeString(file, PLANS.replace("rateLimit: 1, burstLimit: 2", "rateLimit: 1, burstLimit: 6"));

        try {
            awaitTrue(() -> engine.planOnStage("basic").orElseThrow().throttle().burstLimit() == 6);
        } catch (AssertionError e) {
            throw new AssertionError("burst " + engine.planOnStage("basic").orElseThrow().throttle().burstLimit()
                    + ", refusals left " + refusals.get() + ", log " + log(), e);
        }
        assertEquals(0, refusals.get(), "the first attempt was refused, a later check applied the same version");
        assertTrue(log().stream().anyMatch(l -> l.startsWith("ERROR usage-plans: checking the plan file " + file + " failed: "
                + "the reloaded plan file " + file + " could not be applied now, so the old plans and keys stay: the cluster "
                + "is away")), log().toString());
    }

    /** Plans changed in the engine's catalog, refusing {@code refusals} calls first with "the cluster is away". */
    private record FlakyPlans(io.usageplans.spi.StoreContext context, java.util.concurrent.atomic.AtomicInteger refusals)
            implements io.usageplans.spi.PlanDirectory {

        private void away() {
            if (refusals.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IllegalStateException("the cluster is away");
            }
        }

        private void put(List<io.usageplans.Plan> plans) {
            context.replaceCatalog(context.catalog().withPlans(plans));
        }

        @Override
        public List<io.usageplans.Plan> plans() {
            return context.catalog().plans();
        }

        @Override
        public void create(io.usageplans.Plan plan) {
            away();
            List<io.usageplans.Plan> all = new ArrayList<>(plans());
            all.add(plan);
            put(all);
        }

        @Override
        public io.usageplans.Plan update(String name, java.util.function.UnaryOperator<io.usageplans.Plan> change) {
            away();
            io.usageplans.Plan changed = change.apply(context.catalog().plan(name).orElseThrow());
            put(plans().stream().map(p -> p.name().equals(name) ? changed : p).toList());
            return changed;
        }

        @Override
        public void remove(String name) {
            away();
            put(plans().stream().filter(p -> !p.name().equals(name)).toList());
        }

        @Override
        public void replaceAll(List<io.usageplans.Plan> plans) {
            away();
            put(plans);
        }
    }

    @Test
    void aBrokenFileKeepsTheOldPlansAndIsReportedOnceWithItsLine() throws Exception {
        parameters.put(PlanFileReloader.RELOAD, "50");
        start();
        // line 4: the throttle of plan basic
        Files.writeString(file, PLANS.replace("rateLimit: 1, burstLimit: 2", "rateLimit: 1, burstLimit: -3"));

        awaitTrue(() -> log().stream().anyMatch(l -> l.startsWith("ERROR")));
        String error = "ERROR usage-plans: the plan file changed but cannot be applied, so the old plans and keys stay: "
                + "usage-plans: " + file + ", line 4: plans[basic].throttle.burstLimit: must be a whole number of requests of at "
                + "least 1, was -3";
        assertTrue(log().contains(error), log().toString());
        assertEquals(2, engine.planOnStage("basic").orElseThrow().throttle().burstLimit(), "the old plans stay");
        UsagePlansConfigException refused = assertThrows(UsagePlansConfigException.class,
                () -> PlanFileReloader.of(engine).orElseThrow().reload());
        assertEquals(4, refused.line());
        assertEquals("plans[basic].throttle.burstLimit", refused.entry());
        assertEquals(file.toString(), refused.source());
        assertTrue(refused.getMessage().contains("-3"), refused.getMessage());

        // the watcher's next checks see the same bad version: no second line; the fixed file is applied
        Files.writeString(file, PLANS.replace("rateLimit: 1, burstLimit: 2", "rateLimit: 1, burstLimit: 7"));
        awaitTrue(() -> engine.planOnStage("basic").orElseThrow().throttle().burstLimit() == 7);
        assertEquals(2, log().stream().filter(l -> l.startsWith("ERROR")).count(), "one from the watcher, one from the "
                + "reload requested: " + log());
    }

    @Test
    void aReloadAddsAndRemovesTheFilesKeysAndLeavesKeysAddedAtRunTime() throws Exception {
        start();
        engine.admin().createKey("added-at-run-time", null, true, List.of("gold"));
        assertFalse(PlanFileReloader.of(engine).orElseThrow().watching(), "not watched without the setting");

        Files.writeString(file, PLANS.replace("  - { name: gold-customer, value: reload-gold-key-0123456789, plans: [gold] }\n",
                "  - { name: new-customer, value: reload-new-key-0123456789, plans: [gold] }\n"));
        PlanFileReloader.Result result = PlanFileReloader.of(engine).orElseThrow().reload();

        assertEquals(List.of("new-customer"), result.keysAdded());
        assertEquals(List.of("gold-customer"), result.keysRemoved());
        assertEquals(List.of(), result.keysChanged());
        assertFalse(result.plansAdded().size() + result.plansChanged().size() + result.plansRemoved().size() > 0);
        assertEquals(List.of("basic-customer", "added-at-run-time", "new-customer"),
                engine.keyDirectory().keys().stream().map(ApiKey::name).toList());
        assertEquals(Decision.Outcome.ALLOWED, engine.decide("reload-new-key-0123456789", "GET", "/pets").outcome());
        assertEquals(Decision.Outcome.FORBIDDEN, engine.decide(GOLD, "GET", "/pets").outcome());

        // a key changed in the file is changed; a plan removed from the file goes, once no key of the file needs it
        Files.writeString(file, """
                api: shop
                plans:
                  - name: gold
                    throttle: { rateLimit: 100, burstLimit: 100 }
                    apiStages: [ { stage: test } ]
                apiKeys:
                  - { name: basic-customer, value: reload-basic-key-0123456789, plans: [gold] }
                  - { name: new-customer, value: reload-new-key-0123456789, plans: [gold] }
                """);
        result = PlanFileReloader.of(engine).orElseThrow().reload();
        assertEquals(List.of("basic-customer"), result.keysChanged());
        assertEquals(List.of("basic"), result.plansRemoved());
        assertEquals(List.of("gold"), engine.catalog().plans().stream().map(p -> p.name()).toList());
        assertEquals(Decision.Outcome.ALLOWED, engine.decide(BASIC, "GET", "/pets").outcome());
    }

    @Test
    void aReloadChangingThousandsOfKeysAppliesEveryChangeExactlyOnce() throws Exception {
        Files.writeString(file, manyKeys(20_000, i -> "basic"));
        start();
        assertEquals(20_000, engine.keyDirectory().keys().size());

        // 5,000 keys move to gold, the last 1,000 go, 1,000 new ones come
        StringBuilder next = new StringBuilder(PLANS.substring(0, PLANS.indexOf("apiKeys:")) + "apiKeys:\n");
        for (int i = 0; i < 20_000; i++) {
            if (i < 19_000) {
                next.append(keyLine(i, i % 4 == 0 ? "gold" : "basic"));
            }
        }
        for (int i = 20_000; i < 21_000; i++) {
            next.append(keyLine(i, "basic"));
        }
        Files.writeString(file, next.toString());
        PlanFileReloader.Result result = PlanFileReloader.of(engine).orElseThrow().reload();

        assertEquals(4_750, result.keysChanged().size(), "every fourth of the first 19,000");
        assertEquals(1_000, result.keysRemoved().size());
        assertEquals(1_000, result.keysAdded().size());
        Map<String, List<String>> plansByKey = new HashMap<>();
        engine.keyDirectory().keys().forEach(key -> plansByKey.put(key.name(), key.plans()));
        assertEquals(20_000, plansByKey.size());
        assertEquals(List.of("gold"), plansByKey.get("customer-4"));
        assertEquals(List.of("basic"), plansByKey.get("customer-5"));
        assertFalse(plansByKey.containsKey("customer-19000"));
        assertEquals(List.of("basic"), plansByKey.get("customer-20999"));
        assertEquals(Decision.Outcome.ALLOWED, engine.decide(value(8), "GET", "/pets").outcome());
        assertEquals("\"gold-burst\";q=100;w=1", engine.decide(value(8), "GET", "/pets").rateLimitPolicy());
        assertEquals(Decision.Outcome.FORBIDDEN, engine.decide(value(19_500), "GET", "/pets").outcome());
        assertEquals(Decision.Outcome.ALLOWED, engine.decide(value(20_500), "GET", "/pets").outcome());
    }

    /** The two plans of {@link #PLANS} and {@code count} keys {@code customer-<i>}, key i on plan {@code plan.apply(i)}. */
    private static String manyKeys(int count, java.util.function.IntFunction<String> plan) {
        StringBuilder text = new StringBuilder(PLANS.substring(0, PLANS.indexOf("apiKeys:")) + "apiKeys:\n");
        for (int i = 0; i < count; i++) {
            text.append(keyLine(i, plan.apply(i)));
        }
        return text.toString();
    }

    private static String keyLine(int i, String plan) {
        return "  - { name: customer-" + i + ", value: " + value(i) + ", plans: [" + plan + "] }\n";
    }

    private static String value(int i) {
        return String.format("reload-many-%010d-abcdef", i);
    }

    @Test
    void aReloadThatDoesNotFitTheKeysAddedAtRunTimeChangesNothing() throws Exception {
        start();
        engine.admin().createKey("added-at-run-time", null, true, List.of("gold"));
        String withoutGold = """
                api: shop
                plans:
                  - name: basic
                    throttle: { rateLimit: 1, burstLimit: 9 }
                    apiStages: [ { stage: test } ]
                apiKeys:
                  - { name: basic-customer, value: reload-basic-key-0123456789, plans: [basic] }
                """;
        Files.writeString(file, withoutGold);

        UsagePlansConfigException refused = assertThrows(UsagePlansConfigException.class,
                () -> PlanFileReloader.of(engine).orElseThrow().reload());

        assertTrue(refused.getMessage().contains("apiKeys[added-at-run-time].plans") && refused.getMessage().contains("gold"),
                refused.getMessage());
        assertEquals(2, engine.planOnStage("basic").orElseThrow().throttle().burstLimit());
        assertEquals(3, engine.keyDirectory().keys().size());
        assertEquals(Decision.Outcome.ALLOWED, engine.decide(GOLD, "GET", "/pets").outcome());
    }

    @Test
    void aReloadRefusedHalfWayByAnAnnotatedRouteIsUndone() throws Exception {
        engine = EngineBootstrap.of(Settings.of(parameters::get, null), getClass().getClassLoader()).clock(clock)
                .routes(List.of(new RouteDefinition("Pets.export", MethodKey.parse("/export/GET"), Set.of("gold"), null,
                        Set.of(), false, "Pets.export()")))
                .build();
        // gold goes from the file and its key moves to basic: the plans and keys fit, but the route still needs gold
        Files.writeString(file, """
                api: shop
                plans:
                  - name: basic
                    throttle: { rateLimit: 1, burstLimit: 3 }
                    apiStages: [ { stage: test } ]
                apiKeys:
                  - { name: basic-customer, value: reload-basic-key-0123456789, plans: [basic] }
                  - { name: gold-customer, value: reload-gold-key-0123456789, plans: [basic] }
                  - { name: new-customer, value: reload-new-key-0123456789, plans: [basic] }
                """);

        UsagePlansConfigException refused = assertThrows(UsagePlansConfigException.class,
                () -> PlanFileReloader.of(engine).orElseThrow().reload());

        assertEquals("Pets.export()", refused.source());
        assertTrue(refused.getMessage().contains("unknown plan 'gold'"), refused.getMessage());
        assertEquals(List.of("basic", "gold"), engine.catalog().plans().stream().map(p -> p.name()).toList());
        assertEquals(2, engine.planOnStage("basic").orElseThrow().throttle().burstLimit());
        assertEquals(List.of("basic-customer:[basic]", "gold-customer:[gold]"), engine.keyDirectory().keys().stream()
                .map(k -> k.name() + ":" + k.plans()).toList());
        assertEquals(Decision.Outcome.FORBIDDEN, engine.decide("reload-new-key-0123456789", "GET", "/export").outcome());
        assertEquals(Decision.Outcome.ALLOWED, engine.decide(GOLD, "GET", "/export").outcome());
    }

    @Test
    void otherSectionsNeedARestartAndSaySo() throws Exception {
        start();
        Files.writeString(file, PLANS + "excludePaths: [ /health ]\n");

        PlanFileReloader.Result result = PlanFileReloader.of(engine).orElseThrow().reload();

        assertEquals(List.of("excludePaths"), result.needRestart());
        assertFalse(result.changedAnything());
        assertTrue(log().contains("WARNING usage-plans: " + file + ": section 'excludePaths' changed; a reload applies plans "
                + "and keys only, so it takes effect at the next restart"), log().toString());
    }

    @Test
    void theWatcherStopsWithTheEngine() throws Exception {
        parameters.put(PlanFileReloader.RELOAD, "true");
        start();
        assertTrue(PlanFileReloader.of(engine).orElseThrow().watching());
        assertTrue(reloadThreads() > 0);

        engine.close();

        awaitTrue(() -> reloadThreads() == 0);
        assertTrue(PlanFileReloader.of(engine).isEmpty());
        engine = null;
    }

    @Test
    void theReloaderIsNoListenerSoNoDecisionCallsIt() {
        parameters.put(PlanFileReloader.RELOAD, "true");
        start();
        assertTrue(PlanFileReloader.of(engine).orElseThrow().watching());

        assertEquals(List.of(), engine.listeners(), "nothing is called per decision for an engine built from a plan file "
                + "with no listener configured");
        assertEquals(Decision.Outcome.ALLOWED, engine.decide(BASIC, "GET", "/pets").outcome());
    }

    @Test
    void aBadReloadSettingStopsStartUpNamingIt() {
        parameters.put(PlanFileReloader.RELOAD, "sometimes");

        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class, this::start);

        assertEquals("usage-plans: init-param usageplans.reload: must be false, true (check the plan file every 1000 ms) or "
                + "a number of milliseconds from 10 to 86400000, was 'sometimes'", e.getMessage());
    }

    @Test
    void aClassPathPlanFileIsNotWatchedButReloadsOnRequest() {
        parameters.put(PlanFileLocator.CONFIG, "classpath:reload/usage-plans.yaml");
        parameters.put(PlanFileReloader.RELOAD, "true");
        start();

        PlanFileReloader reloader = PlanFileReloader.of(engine).orElseThrow();
        assertFalse(reloader.watching());
        assertEquals(1, log().stream().filter(l -> l.startsWith("WARNING") && l.contains("cannot be watched")).count(), log().toString());
        assertFalse(reloader.reload().changedAnything());
    }

    private static long reloadThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("usage-plans-reload")).count();
    }

    /** Polls {@code condition} every 20 ms for at most 5 s. */
    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 5 s");
            }
            Thread.sleep(20);
        }
    }
}
