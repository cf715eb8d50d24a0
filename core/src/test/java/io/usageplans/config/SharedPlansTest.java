package io.usageplans.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.usageplans.ApiKey;
import io.usageplans.Catalog;
import io.usageplans.MethodKey;
import io.usageplans.Plan;
import io.usageplans.Throttle;
import io.usageplans.UsagePlans;
import io.usageplans.UsagePlansConfigException;
import io.usageplans.routing.RouteDefinition;
import io.usageplans.spi.StoreContext;
import io.usageplans.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SharedPlans} on a document in memory, with members that hear it when the test says so: what no grid needs to
 * show, like a grid seeded again at a lower revision, plans that do not compile on one member, and the order of
 * validation and writing.
 */
class SharedPlansTest {

    private static final String KEY = "shared-plans-unit-key-0123456789";
    private final MutableClock clock = MutableClock.at("2027-03-10T12:00:00Z");
    private final List<UsagePlans> engines = new ArrayList<>();

    /** One value, compared and set; counts the writes. */
    private static final class Memory implements SharedPlans.Document {
        final AtomicReference<String> value = new AtomicReference<>();
        final AtomicInteger writes = new AtomicInteger();

        @Override
        public String get() {
            return value.get();
        }

        @Override
        public boolean putIfAbsent(String text) {
            boolean done = value.compareAndSet(null, text);
            if (done) {
                writes.incrementAndGet();
            }
            return done;
        }

        @Override
        public boolean replace(String expected, String text) {
            boolean done = value.compareAndSet(expected, text); // the same String object, as read
            if (done) {
                writes.incrementAndGet();
            }
            return done;
        }
    }

    /** A member: its engine, the store context the engine handed its store, and its shared plans. */
    private record Member(UsagePlans engine, StoreContext context, SharedPlans plans) {
        void hear() {
            if (plans.changed()) {
                plans.install(context.catalog().apiKeys(), (key, problem) -> { });
            }
        }

        int burst(String plan) {
            return engine.planOnStage(plan).map(p -> p.throttle().burstLimit()).orElse(-1);
        }
    }

    @AfterEach
    void close() {
        engines.forEach(UsagePlans::close);
    }

    private static Catalog planFile(int burst) {
        return Catalog.builder().source("plans.yaml")
                .plan(Plan.builder("basic").throttle(Throttle.rateLimit(10).burstLimit(burst)).stage("test").build())
                .plan(Plan.builder("premium").throttle(Throttle.rateLimit(20).burstLimit(40)).stage("test").build())
                .apiKey(ApiKey.builder("basic-customer").value(KEY).plans("basic").build()).build();
    }

    private Member member(Memory document, Catalog planFile, List<RouteDefinition> routes) {
        StoreContext context = ContextCapture.engine(planFile, clock, routes, engines);
        UsagePlans engine = engines.get(engines.size() - 1);
        Object lock = new Object();
        SharedPlans plans = new SharedPlans(document, context, lock, "memory");
        plans.start(context.catalog().apiKeys());
        plans.install(context.catalog().apiKeys(), (key, problem) -> { });
        context.usePlanDirectory(plans);
        return new Member(engine, context, plans);
    }

    @Test
    void theGridsDocumentWinsAlsoAtALowerRevisionAfterTheGridLostItAndWasSeededAgain() {
        Memory document = new Memory();
        Member a = member(document, planFile(5), List.of());
        for (int burst = 6; burst <= 9; burst++) {
            int value = burst;
            a.engine().planDirectory().update("basic", p -> Plan.builder("basic").throttle(Throttle.rateLimit(10).burstLimit(value))
                    .stage("test").build());
        }
        assertEquals(5, a.plans().revision());

        document.value.set(null); // lost, then seeded by a member that starts first with another plan file
        member(document, planFile(20), List.of());
        assertEquals(1, SharedPlans.Version.decode(document.get()).revision());
        a.hear();
        assertEquals(20, a.burst("basic"), "the grid's plans, though of revision 1");
    }

    @Test
    void sharedPlansThatDoNotCompileOnAMemberAreLoggedThereWhichKeepsItsPlans() {
        Memory document = new Memory();
        Member a = member(document, planFile(5), List.of());
        RouteDefinition premiumOnly = new RouteDefinition("GET /reports", MethodKey.parse("/reports/GET"), Set.of("premium"), null,
                Set.of(), false, "ReportsResource.list()");
        Member b = member(document, planFile(5), List.of(premiumOnly));

        a.engine().planDirectory().remove("premium"); // fits a: no key and no route of a uses it
        b.hear();
        assertEquals(List.of("basic", "premium"), b.engine().planDirectory().plans().stream().map(Plan::name).toList(),
                "b's route needs premium: b keeps the plans it runs");
        UsagePlansConfigException onB = assertThrows(UsagePlansConfigException.class, () -> b.engine().planDirectory()
                .update("basic", p -> p), "b cannot write plans its routes cannot run on");
        assertTrue(onB.getMessage().contains("unknown plan 'premium'"), onB.getMessage());

        a.engine().planDirectory().create(Plan.builder("premium").throttle(Throttle.rateLimit(1).burstLimit(1)).stage("test").build());
        b.hear();
        assertEquals(1, b.burst("premium"), "the next plans that fit b are run");
    }

    @Test
    void aChangeThatDoesNotCompileIsRefusedBeforeAnythingIsWritten() {
        Memory document = new Memory();
        RouteDefinition premiumOnly = new RouteDefinition("GET /reports", MethodKey.parse("/reports/GET"), Set.of("premium"), null,
                Set.of(), false, "ReportsResource.list()");
        Member a = member(document, planFile(5), List.of(premiumOnly));
        int writes = document.writes.get();
        String before = document.get();

        UsagePlansConfigException e = assertThrows(UsagePlansConfigException.class, () -> a.engine().planDirectory().remove("premium"));
        assertTrue(e.getMessage().contains("ReportsResource.list()"), e.getMessage());
        assertEquals(writes, document.writes.get());
        assertEquals(before, document.get());
        assertTrue(a.engine().planOnStage("premium").isPresent());
        assertThrows(IllegalArgumentException.class, () -> a.engine().planDirectory().update("basic",
                p -> Plan.builder("renamed").stage("test").build()));
        assertEquals(before, document.get());
    }

    @Test
    void aMemberThatLosesTheRaceRunsWhatWonAndTriesAgainOnIt() {
        Memory document = new Memory();
        Member a = member(document, planFile(5), List.of());
        Member b = member(document, planFile(5), List.of());
        AtomicInteger calls = new AtomicInteger();
        Plan result = a.engine().planDirectory().update("basic", p -> {
            if (calls.incrementAndGet() == 1) { // b writes between a's read and a's write
                b.engine().planDirectory().update("premium", q -> Plan.builder("premium").throttle(Throttle.rateLimit(20)
                        .burstLimit(41)).stage("test").build());
            }
            return Plan.builder("basic").throttle(Throttle.rateLimit(10).burstLimit(50)).stage("test").build();
        });
        assertEquals(2, calls.get(), "read again after losing the race");
        assertEquals(50, result.throttle().burstLimit());
        assertEquals(50, a.burst("basic"));
        assertEquals(41, a.burst("premium"), "b's change survived");
        b.hear();
        assertEquals(50, b.burst("basic"));
        assertFalse(b.plans().changed(), "nothing more to hear");
    }
}
